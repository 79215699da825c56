/**
 * The benchmark's machines booted through the real `Kernel`: one boot per mode with the same
 * machine options, the mode's build (`profiling`) and command line, the benchmark task on CPU 0
 * with `current->alloc_tag` set to one call site of the kernel image — the state of a test
 * running under alloc_hooks(), as the in-kernel benchmark ran.
 */

import type { AllocTag } from '@allocprof/alloc-tag';
import type { KernelArch } from '@allocprof/page-flags-layout';
import { PageFlagsTagRefs } from '@allocprof/pgalloc-tag';
import { resolveConfig } from '../cli/layout';
import type { HostFiles } from '../host';
import { type CallSite, Kernel, type KernelConfig, type KernelOptions } from '../init/main';
import { KernelError } from '../kernel/errno';
import { GFP_KERNEL } from '../mm/gfp';
import { traceKernelMemory } from '../mm/kmem_addresses';
import type { BenchMachine, BenchMachineOptions, TagRefStorage } from './machine';
import { type BenchMode, benchModeSpec, modeCmdline } from './modes';

/** The call site the loops are charged to: the page allocator's own __get_free_pages(). */
export const BENCH_SITE = '__get_free_pages_noprof';

/** The configuration the options name: a preset, a .config file (read through `files`), or the default preset. */
export function benchKernelConfig(
  opts: BenchMachineOptions,
  files: HostFiles,
): string | KernelConfig | undefined {
  if (opts.configFile === undefined) return opts.config;
  const rc = resolveConfig(
    { configFile: opts.configFile, ...(opts.arch !== undefined ? { arch: opts.arch } : {}) },
    files,
  );
  return { name: rc.name, arch: rc.arch as KernelArch, kconfig: rc.kconfig };
}

/** Kernel.boot() options of a mode (a .config file is read through `files`). */
export function benchKernelOptions(
  mode: BenchMode,
  opts: BenchMachineOptions,
  files: HostFiles,
): KernelOptions {
  const spec = benchModeSpec(mode);
  const ko: KernelOptions = {
    cmdline: modeCmdline(mode, opts.cmdline),
    mem: opts.mem,
    cpus: opts.cpus,
    kernelTags: opts.kernelTags,
    profiling: spec.profiling,
  };
  const config = benchKernelConfig(opts, files);
  if (config !== undefined) ko.config = config;
  return ko;
}

/** The first kernel-image tag of BENCH_SITE (any kernel tag if the image has none of it). */
function benchSite(k: Kernel): CallSite | null {
  if (k.allocTag === null) return null;
  const t = k.kernelTags.find((x) => x.function === BENCH_SITE) ?? k.kernelTags[0];
  return t === undefined
    ? null
    : { filename: t.filename, lineno: t.lineno, function: t.function, modname: t.modname, tag: t };
}

/** A booted kernel as a benchmark machine (for callers that boot the kernel themselves). */
export function kernelBenchMachine(mode: BenchMode, kernel: Kernel): BenchMachine {
  const at = kernel.allocTag;
  const refs = kernel.pageTagRefs;
  kernel.setCpu(0);
  const site = benchSite(kernel);
  const tag: AllocTag | null = site?.tag ?? null;
  // alloc_hooks() entered for the whole run: the benchmark task's allocations go to `site`.
  if (at !== null && tag !== null && at.enabled) at.allocTagSave(tag);
  let storage: TagRefStorage = 'none';
  if (at?.support) storage = at.compressed ? 'page_flags' : 'page_ext';
  const alloc = kernel.alloc;
  return {
    mode,
    cmdline: kernel.cmdline.raw,
    config: kernel.config.name,
    pageAlloc: alloc,
    gfp: GFP_KERNEL,
    ramBytes: kernel.ramBytes,
    nrPages: kernel.memmap.nrPages,
    profilingBuilt: kernel.profilingBuilt,
    accounting: at?.enabled ?? false,
    tagRefStorage: storage,
    tagRefBytes: refs?.bytes ?? 0,
    pageExtBytes: kernel.pageExt.bytes,
    tagRefBits: storage === 'page_flags' && refs instanceof PageFlagsTagRefs ? refs.nrBits : 0,
    freePages: () => alloc.nrFreePagesTotal(),
    benchSiteCalls: () => (site === null ? null : kernel.siteCounters(site).calls),
    traceMemory: (sink) =>
      traceKernelMemory(
        {
          alloc,
          pageExt: kernel.pageExt,
          pageTagRefs: refs,
          counters: at?.counters ?? null,
          nrCpus: kernel.ctx.nrCpus,
        },
        sink,
      ),
  };
}

/** Boot `mode`'s kernel with the machine options (a .config file read through `files`) and wrap it. */
export function bootBenchMachine(mode: BenchMode, opts: BenchMachineOptions, files: HostFiles): BenchMachine {
  const kernel = Kernel.boot(benchKernelOptions(mode, opts, files));
  if (kernel.profilingBuilt !== benchModeSpec(mode).profiling)
    throw new KernelError('EINVAL', `bench: the ${mode} kernel booted with the wrong build`);
  return kernelBenchMachine(mode, kernel);
}
