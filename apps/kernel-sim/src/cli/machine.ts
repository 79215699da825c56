/**
 * Booting a machine from the command-line options and driving it through the SimKernel surface
 * the commands use: the adapter between the CLI and the kernel core (`Kernel`, init/main.c).
 */
import { formatKernelAddress } from '@allocprof/execmem-vmalloc';
import type { HostFiles } from '../host';
import { Kernel, type CallSite as KernelCallSite, type KernelConfig } from '../init/main';
import { KernelError } from '../kernel/errno';
import { MODULE_CATALOG } from '../kernel/module/catalog';
import { formatSize } from '../lib/cmdline';
import { bootHostBytes, largestRamThatFits } from '../mm/host_memory';
import type { ModuleDescriptor } from './descriptor';
import { CliError } from './errors';
import type { Io } from './io';
import type {
  CallSite,
  LoadedModule,
  ProfilingState,
  SimKernel,
  TagAreaRange,
  TagAreaState,
} from './kernel-api';
import { resolveConfig } from './layout';
import type { MachineOptions } from './program';

/** A call site as the CLI sees it, remembering the kernel's own record. */
interface AdaptedSite extends CallSite {
  readonly k: KernelCallSite;
}

function adapt(k: KernelCallSite): AdaptedSite {
  return {
    address: k.tag?.address ?? 0,
    filename: k.filename,
    lineno: k.lineno,
    function: k.function,
    modname: k.modname,
    k,
  };
}

/**
 * The kernel config the options name: a preset name, or a parsed `.config` (with `--arch`) read
 * through `files`.
 */
export function kernelConfigOf(
  opts: Pick<MachineOptions, 'config' | 'configFile' | 'arch'>,
  files: HostFiles,
): string | KernelConfig {
  if (opts.configFile === undefined) {
    const r = resolveConfig(opts.config === undefined ? {} : { config: opts.config }, files);
    return r.name;
  }
  const r = resolveConfig(
    { configFile: opts.configFile, ...(opts.arch === undefined ? {} : { arch: opts.arch }) },
    files,
  );
  return { name: r.name, arch: r.arch as KernelConfig['arch'], kconfig: r.kconfig };
}

/** Boot options that override the command line's (the demo boots several variants). */
export interface BootOverrides {
  cmdline?: string;
  config?: string;
  kernelTags?: number;
}

const GiB = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** What the caller knows of its host for a boot: the memory free for it, and a terminal. */
export interface BootGuard {
  /** Bytes of host memory the boot may take (absent: not checked). */
  availableBytes?: number;
  /** Write a progress line to a terminal (absent: no progress is shown). */
  progress?: (text: string) => void;
  /** How long a boot runs before its progress shows (default a second). */
  progressDelayMs?: number;
}

/**
 * The guard of a command's boot: the host's available memory, and progress on stderr when the
 * command runs on a terminal (KERNEL_SIM_PROGRESS_DELAY_MS sets the delay, 0: from the start).
 */
export function bootGuardOf(io: Io): BootGuard {
  const available = io.host.availableMemory?.();
  const delay = Number(io.env.KERNEL_SIM_PROGRESS_DELAY_MS ?? 1000);
  return {
    ...(available === undefined ? {} : { availableBytes: available }),
    ...(io.isTTY ? { progress: (text: string) => io.err(text) } : {}),
    ...(Number.isFinite(delay) && delay >= 0 ? { progressDelayMs: delay } : {}),
  };
}

/**
 * Boot a kernel (a `--config-file` is read through `files`); a boot failure is a CliError
 * (exit 1) naming what went wrong. A `--mem` whose boot would not fit in the host memory the
 * guard names is refused before anything is allocated, naming the largest size that fits; a boot
 * that runs longer than the guard's delay shows its progress.
 */
export function bootKernel(
  opts: MachineOptions,
  files: HostFiles,
  over: BootOverrides = {},
  guard: BootGuard = {},
): Kernel {
  const config = over.config ?? kernelConfigOf(opts, files);
  const available = guard.availableBytes;
  const need = bootHostBytes(opts.mem);
  if (available !== undefined && need > available) {
    const fit = largestRamThatFits(available);
    throw new CliError(
      `--mem ${formatSize(opts.mem)} needs about ${GiB(need)} of host memory, only ${GiB(available)} is available: ${fit === 0 ? 'not even the smallest machine (64M) fits' : `the largest --mem that fits is ${formatSize(fit)}`}`,
    );
  }
  const progress = guard.progress;
  const delay = guard.progressDelayMs ?? 1000;
  const t0 = performance.now();
  let shown = false;
  const onProgress = (done: number, total: number): void => {
    if (progress === undefined || performance.now() - t0 < delay) return;
    shown = true;
    progress(`\r\x1b[Kbooting ${formatSize(opts.mem)}: struct pages ${Math.floor((100 * done) / total)}%`);
  };
  try {
    return Kernel.boot({
      cmdline: over.cmdline ?? opts.cmdline,
      config,
      mem: opts.mem,
      cpus: opts.cpus,
      kernelTags: over.kernelTags ?? opts.kernelTags,
      onProgress,
    });
  } catch (e) {
    if (e instanceof KernelError) throw new CliError(`boot failed: ${e.message}`);
    throw e;
  } finally {
    if (shown) progress?.('\r\x1b[K');
  }
}

/** SimKernel over a booted `Kernel`. */
export class KernelMachine implements SimKernel {
  readonly kernel: Kernel;
  /** Offsets of module areas left "unloaded" at rmmod, to name them on the map. */
  private readonly unloadedNames = new Map<number, string>();

  constructor(kernel: Kernel) {
    this.kernel = kernel;
  }

  get layout() {
    return this.kernel.layout;
  }

  callSites(): CallSite[] {
    const k = this.kernel;
    const out: CallSite[] = [];
    if (k.allocTag === null) {
      for (const s of k.kernelSites) out.push(adapt({ ...s, modname: null, tag: null }));
      return out;
    }
    for (const t of k.kernelTags)
      out.push(
        adapt({ filename: t.filename, lineno: t.lineno, function: t.function, modname: null, tag: t }),
      );
    for (const m of k.modules.list())
      for (const t of m.tags)
        out.push(
          adapt({ filename: t.filename, lineno: t.lineno, function: t.function, modname: t.modname, tag: t }),
        );
    return out;
  }

  site(spec: string): CallSite {
    return adapt(this.kernel.site(spec));
  }

  siteCounters(site: CallSite): { bytes: number; calls: number } {
    return this.kernel.siteCounters((site as AdaptedSite).k);
  }

  catalogModules(): string[] {
    return MODULE_CATALOG.map((m) => m.name);
  }

  loadedModules(): LoadedModule[] {
    return this.kernel.modules.list().map((m) => ({ name: m.name, size: m.size, refcount: 0 }));
  }

  insmod(module: string | ModuleDescriptor): void {
    this.kernel.insmod(module);
  }

  rmmod(name: string): void {
    const mod = this.kernel.modules.find(name);
    const area = this.kernel.allocTag?.moduleTags ?? null;
    const offset = mod?.tagsInArea && area !== null ? mod.tagsAddr - area.startAddr : -1;
    this.kernel.rmmod(name);
    if (offset >= 0) {
      const r = area?.map().find((x) => x.start <= offset && offset <= x.last);
      if (r?.kind === 'unloaded') this.unloadedNames.set(r.start, name);
    }
  }

  allocPages(site: CallSite, order: number, count: number): number[] {
    return this.kernel.allocPages((site as AdaptedSite).k, order, { count });
  }

  freePages(pfn: number, order: number): void {
    this.kernel.freePages(pfn, order);
  }

  splitPage(pfn: number, _order: number, newOrder: number): void {
    this.kernel.splitPage(pfn, newOrder);
  }

  migratePages(pfn: number): number {
    return this.kernel.migratePage(pfn);
  }

  vmalloc(site: CallSite, size: number): number {
    return this.kernel.vmallocAlloc((site as AdaptedSite).k, size).addr;
  }

  vfree(addr: number): void {
    this.kernel.vfree(addr);
  }

  files(): string[] {
    return this.kernel.procfs.paths();
  }

  readFile(path: string): string {
    return this.kernel.readFile(path);
  }

  writeFile(path: string, value: string): void {
    this.kernel.writeFile(path, value);
  }

  dmesg(): string {
    return this.kernel.dmesgText();
  }

  failPageAlloc(n: number): void {
    this.kernel.failPageAlloc(n);
  }

  profiling(): ProfilingState {
    const at = this.kernel.allocTag;
    return {
      support: at?.support ?? false,
      enabled: at?.enabled ?? false,
      compressed: at?.compressed ?? false,
      tagRefBytes: this.kernel.pageTagRefs?.bytes ?? 0,
      ramBytes: this.kernel.ramBytes,
    };
  }

  tagArea(): TagAreaState | null {
    const area = this.kernel.allocTag?.moduleTags ?? null;
    if (area === null || !area.reserved) return null;
    const ranges: TagAreaRange[] = area.map().map((r) => ({
      start: r.start,
      last: r.last,
      kind: r.kind,
      module: r.kind === 'unloaded' ? (this.unloadedNames.get(r.start) ?? null) : r.module,
    }));
    return {
      startAddr: area.startAddr,
      size: area.sectionSize,
      populatedPages: area.nrPages,
      totalPages: area.maxPages,
      ranges,
    };
  }

  /** One line describing the machine. */
  describe(): string {
    return this.kernel.describe();
  }
}

export { formatKernelAddress };
