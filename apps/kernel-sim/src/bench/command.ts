/**
 * `kernel-sim bench`: boot one machine per mode with the given machine options, run the
 * page-allocation benchmark, print the text report (or JSON with `--json`). Progress goes to
 * stderr, and only when stderr is a terminal, so redirected output stays the report alone.
 */

import { CliError } from '../cli/errors';
import type { Io } from '../cli/io';
import type { MachineOptions } from '../cli/program';
import type { Host } from '../host';
import { KernelError } from '../kernel/errno';
import { formatSize } from '../lib/cmdline';
import { __GFP_NOWARN } from '../mm/gfp';
import { bootHostBytes, largestRamThatFits } from '../mm/host_memory';
import {
  type AccountingSettings,
  accountCold,
  accountingColdPages,
  accountMixed,
  accountOrder0,
  DEFAULT_ACCOUNTING,
  LINE_BYTES,
  SMOKE_ACCOUNTING,
  type TraceableMachine,
  TracedMachine,
} from './accounting';
import {
  BENCH_VARIANTS,
  type BenchProgress,
  type ClockKind,
  clockOf,
  DEFAULT_SETTINGS,
  type PageAllocBenchSettings,
  runPageAllocBench,
  SMOKE_SETTINGS,
} from './harness';
import type { BenchMachine, BenchMachineOptions, BootBenchMachine } from './machine';
import { BENCH_MODES, type BenchMode } from './modes';
import {
  benchEnvironment,
  buildReport,
  formatReportJson,
  formatReportText,
  type MemoryAccounting,
  type PageAllocBenchReport,
  probeCharged,
} from './report';
import { buildColdWorkingSet, mixedOrderPlan } from './workload';

/** Options of `kernel-sim bench`. */
export type BenchCommandOptions = MachineOptions & { rounds?: number; smoke: boolean };

/** What the command is run with besides its options (tests replace the boot and the terminal). */
export interface BenchCommandDeps {
  boot: BootBenchMachine;
  /** Whether stderr is a terminal (progress lines are drawn only then). */
  stderrIsTTY: boolean;
  modes?: readonly BenchMode[];
}

/**
 * Settings for the command's options: full or smoke sizes, `--rounds` overriding the count, the
 * host's last-level cache (read from sysfs, else 32 MiB) sizing the cold working set.
 */
export function benchSettings(opts: {
  rounds?: number;
  smoke: boolean;
  clock?: ClockKind;
  llcBytes?: number;
}): PageAllocBenchSettings {
  const s = { ...(opts.smoke ? SMOKE_SETTINGS : DEFAULT_SETTINGS) };
  if (opts.rounds !== undefined) s.rounds = opts.rounds;
  if (opts.clock !== undefined) s.clock = opts.clock;
  if (opts.llcBytes !== undefined) s.llcBytes = opts.llcBytes;
  return s;
}

/** The machine options a mode boots from. */
export function machineOptionsOf(opts: MachineOptions): BenchMachineOptions {
  const o: BenchMachineOptions = {
    cmdline: opts.cmdline,
    mem: opts.mem,
    cpus: opts.cpus,
    kernelTags: opts.kernelTags,
  };
  if (opts.config !== undefined) o.config = opts.config;
  if (opts.configFile !== undefined) o.configFile = opts.configFile;
  if (opts.arch !== undefined) o.arch = opts.arch;
  return o;
}

/** A one-line progress display redrawn in place on a terminal. */
export class ProgressLine {
  private readonly write: (s: string) => void;
  private shown = false;

  constructor(write: (s: string) => void) {
    this.write = write;
  }

  /** Replace the line with `text`. */
  show(text: string): void {
    this.write(`\r\x1b[K${text}`);
    this.shown = true;
  }

  /** Erase the line. */
  clear(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }
}

/** The progress text of one round. */
export function progressText(p: BenchProgress): string {
  const pct = Math.floor((p.done / p.total) * 100);
  const phase = p.phase === 'warmup' ? 'warm-up' : 'round';
  return `bench ${String(pct).padStart(3)}%  ${p.variant}  ${phase} ${p.round + 1}/${p.rounds}  ${p.mode}`;
}

/**
 * The benchmark keeps `machines` kernels of `mem` alive at once (one per mode, and two more for
 * the accounting): refuse before booting when the host cannot hold them, naming the largest
 * `--mem` that fits.
 */
export function checkBenchHostMemory(mem: number, machines: number, available: number): void {
  const need = machines * bootHostBytes(mem);
  if (need <= available) return;
  const fit = largestRamThatFits(available / machines);
  throw new KernelError(
    'ENOMEM',
    `bench: --mem ${formatSize(mem)} needs about ${(need / 2 ** 30).toFixed(1)} GiB of host memory for ${machines} machines, only ${(available / 2 ** 30).toFixed(1)} GiB is available: ${fit === 0 ? 'not even 64M fits' : `the largest --mem that fits is ${formatSize(fit)}`}`,
  );
}

/**
 * The memory-traffic accounting of every mode (after the timed rounds, on machines booted for it:
 * one for order0 and mixed, one for cold, whose working set fragments memory). Null when a
 * machine cannot be traced.
 */
function runAccounting(
  modes: readonly BenchMode[],
  boot: (mode: BenchMode) => BenchMachine,
  s: AccountingSettings,
  settings: PageAllocBenchSettings,
  progress: ProgressLine | null,
): MemoryAccounting | null {
  const memory: MemoryAccounting = { order0: {}, mixed: {}, cold: {} };
  const plan = mixedOrderPlan(settings.mixedBatch, Math.max(1024, settings.mixedBatch));
  for (const [i, mode] of modes.entries()) {
    progress?.show(`bench: memory accounting ${mode} (${i + 1}/${modes.length})`);
    const hot = boot(mode);
    if (hot.traceMemory === undefined) return null;
    const t = new TracedMachine(hot as TraceableMachine);
    memory.order0![mode] = accountOrder0(t, s);
    memory.mixed![mode] = accountMixed(t, s, plan);
    // The cold working set is built before recording starts (it fragments memory: a machine of its own).
    const cold = boot(mode) as TraceableMachine;
    const ws = buildColdWorkingSet(cold.pageAlloc, cold.gfp | __GFP_NOWARN, accountingColdPages(s));
    memory.cold![mode] = accountCold(new TracedMachine(cold), s, ws);
  }
  return memory;
}

/**
 * Boot every mode's machine, run the benchmark, run the accounting on machines of their own, and
 * build the report. Boot and measurement errors are KernelErrors; `progress` (if any) sees boots
 * and rounds. The host gives the CPU clock (the wall clock where it has none), the environment of
 * the report, the memory the machines may take and the last-level cache the cold working set
 * outgrows.
 */
export function runBench(
  opts: BenchCommandOptions,
  deps: {
    boot: BootBenchMachine;
    host: Pick<Host, 'cpuClock' | 'info' | 'availableMemory' | 'llcBytes'>;
    modes?: readonly BenchMode[];
    progress?: ProgressLine | null;
    /** Called before each round with where the run is (a browser draws a progress bar from it). */
    onRound?: (p: BenchProgress) => void;
    clock?: ClockKind;
    llcBytes?: number;
    /** Run the memory-traffic accounting (default: yes). */
    accounting?: boolean;
    /** Host memory the machines may use (default: what the host says is available, if it can tell). */
    availableBytes?: number;
    /**
     * Sizes to run instead of those the options name (a browser's coarse clock needs longer
     * rounds than `--smoke` gives).
     */
    settings?: PageAllocBenchSettings;
  },
): PageAllocBenchReport {
  const llcBytes = deps.llcBytes ?? deps.host.llcBytes?.() ?? null;
  const settings =
    deps.settings ??
    benchSettings({
      ...opts,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      ...(llcBytes === null ? {} : { llcBytes }),
    });
  const mopts = machineOptionsOf(opts);
  const modes = deps.modes ?? BENCH_MODES;
  const available = deps.availableBytes ?? deps.host.availableMemory?.();
  if (available !== undefined) checkBenchHostMemory(opts.mem, modes.length + 2, available);
  const progress = deps.progress ?? null;
  const machines: BenchMachine[] = [];
  for (const mode of modes) {
    progress?.show(`bench: booting ${mode} (${machines.length + 1}/${modes.length})`);
    machines.push(deps.boot(mode, mopts));
  }
  const charged = machines.map(probeCharged);
  const clock = clockOf(settings.clock, deps.host.cpuClock);
  const onRound = deps.onRound;
  const timings = runPageAllocBench(machines, settings, {
    clock,
    variants: BENCH_VARIANTS,
    ...(progress === null && onRound === undefined
      ? {}
      : {
          progress: (p: BenchProgress) => {
            progress?.show(progressText(p));
            onRound?.(p);
          },
        }),
  });
  const acc = opts.smoke ? SMOKE_ACCOUNTING : DEFAULT_ACCOUNTING;
  const memory =
    deps.accounting === false
      ? null
      : runAccounting(modes, (mode) => deps.boot(mode, mopts), acc, settings, progress);
  progress?.clear();
  return buildReport(machines, charged, timings, {
    cpus: opts.cpus,
    config: machines[0]?.config ?? opts.configFile ?? opts.config ?? 'default',
    cmdline: opts.cmdline,
    environment: benchEnvironment(deps.host.info()),
    smoke: opts.smoke,
    ...(memory === null
      ? {}
      : {
          memory,
          accounting: {
            cacheBytes: acc.cacheBytes,
            lineBytes: LINE_BYTES,
            coldWorkingSetPages: accountingColdPages(acc),
          },
        }),
  });
}

/** The `bench` command: exit 0 with the report; a kernel or boot error is a CliError (exit 1). */
export async function benchCommand(
  opts: BenchCommandOptions,
  io: Io,
  deps: BenchCommandDeps,
): Promise<number> {
  const progress = deps.stderrIsTTY ? new ProgressLine((s) => io.err(s)) : null;
  let report: PageAllocBenchReport;
  try {
    report = runBench(opts, {
      boot: deps.boot,
      host: io.host,
      progress,
      ...(deps.modes ? { modes: deps.modes } : {}),
    });
  } catch (e) {
    progress?.clear();
    // Typed errors of the kernel and its packages carry an errno name: bad options or a machine
    // that cannot run the loops, reported as invalid input rather than as an internal error.
    if (
      e instanceof KernelError ||
      (e instanceof Error && typeof (e as { code?: unknown }).code === 'string')
    )
      throw new CliError(e.message.startsWith('bench:') ? e.message : `bench: ${e.message}`);
    throw e;
  }
  io.out(opts.json ? formatReportJson(report) : formatReportText(report));
  return 0;
}
