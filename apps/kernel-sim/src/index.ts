/**
 * The kernel-sim library: the simulated kernel and everything the `kernel-sim` command drives it
 * with, as platform-neutral code that runs in Node and in a browser alike. What it needs from
 * its surroundings (files, a CPU-time clock, runtime details) comes in through `Host`; the
 * command line's Node host is not part of this entry.
 *
 * - boot: `Kernel.boot()` (init/main.c), or `bootKernel()` + `KernelMachine` from command-line
 *   style options, giving the `SimKernel` surface the commands use;
 * - the script language of `kernel-sim run` and `shell`: `Session` executes commands,
 *   `runShellLine()` / `completeLine()` are the shell's line discipline, `runScriptLines()` a run;
 * - /proc/allocinfo files (`allocinfo top` and `diff`, and the live view with its file, clock and
 *   terminal passed in as `LiveTopDeps`), module descriptors and the built-in module catalog;
 * - page-flags layouts as text, SVG or JSON (`renderLayout()`, as `kernel-sim layout`);
 * - the module tag area as data (`SimKernel.tagArea()`) and as a text map;
 * - the page-allocation overhead benchmark across its five modes (`runBench()`).
 */

export { type BenchCommandOptions, benchSettings, progressText, runBench } from './bench/command';
export {
  type BenchProgress,
  type BenchVariant,
  type Clock,
  type ClockKind,
  clockOf,
  DEFAULT_SETTINGS,
  type ModeTiming,
  type PageAllocBenchSettings,
  type PageAllocTimings,
  runPageAllocBench,
  SMOKE_SETTINGS,
  type VariantResult,
  wallClock,
} from './bench/harness';
export { bootBenchMachine, kernelBenchMachine } from './bench/kernel-machine';
export type { BenchMachine, BenchMachineOptions, BootBenchMachine, TagRefStorage } from './bench/machine';
export {
  BENCH_MODES,
  type BenchMode,
  type BenchModeSpec,
  benchModeSpec,
  isBenchMode,
  modeCmdline,
} from './bench/modes';
export {
  type BenchEnvironment,
  benchEnvironment,
  COMPRESSED_TARGET_PERCENT,
  formatReportJson,
  formatReportMarkdown,
  formatReportText,
  type ModeMemory,
  type PageAllocBenchReport,
  TAG_REF_BYTES_PER_PAGE,
  type TargetCheck,
} from './bench/report';
export type { Summary } from './bench/stats';
export {
  type AllocinfoEntry,
  type AllocinfoFile,
  parseAllocinfoText,
  type SiteTotal,
  totalsBySite,
} from './cli/allocinfo-file';
export {
  formatLiveFrame,
  type LiveFrame,
  type LiveTopDeps,
  type LiveTopOptions,
  liveFrame,
  runLiveTop,
} from './cli/allocinfo-live';
export {
  allocinfoDiff,
  allocinfoTop,
  type DiffReport,
  type DiffRow,
  type SortKey,
  type TopOptions,
  type TopReport,
  type TopRow,
} from './cli/allocinfo-tools';
export {
  type ModuleDescriptor,
  moduleDescriptorSchema,
  readModuleDescriptor,
  validateModuleDescriptor,
} from './cli/descriptor';
export { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './cli/errors';
export { readInputFile } from './cli/files';
export type { Env, Io } from './cli/io';
export {
  type CallSite,
  callSiteText,
  type LoadedModule,
  type ProfilingState,
  type SimKernel,
  type TagAreaRange,
  type TagAreaState,
} from './cli/kernel-api';
export {
  DEFAULT_PRESET,
  layoutOf,
  type ResolvedConfig,
  renderLayout,
  resolveConfig,
  resolveConfigText,
} from './cli/layout';
export { type BootOverrides, bootKernel, KernelMachine, kernelConfigOf } from './cli/machine';
export type { MachineOptions } from './cli/program';
export {
  type CommandExecutor,
  type RunResult,
  type RunScriptOptions,
  runScriptLines,
  type TranscriptStep,
} from './cli/runner';
export {
  isSyntaxError,
  parseKeywordArgs,
  parseScript,
  type ScriptCommand,
  type ScriptLine,
  type ScriptSyntaxError,
  splitCommandLine,
} from './cli/script';
export { COMMANDS, CommandError, helpText, Session } from './cli/session';
export { completeLine, runShellLine, type ShellBackend, type ShellLineResult } from './cli/shell';
export { formatBytes, parseSize } from './cli/size';
export { formatTagArea, tagAreaBar } from './cli/tag-area';
export {
  type Host,
  type HostDirEntry,
  HostFileError,
  type HostFiles,
  type HostInfo,
  MemoryFiles,
  NO_HOST,
} from './host';
export {
  type CallSite as KernelCallSite,
  Kernel,
  type KernelConfig,
  type KernelOptions,
  resolveKernelConfig,
} from './init/main';
export { ERRNO, type Errno, KernelError, strerror } from './kernel/errno';
export { MODULE_CATALOG } from './kernel/module/catalog';
export { validateRamSize } from './mm/memmap';
