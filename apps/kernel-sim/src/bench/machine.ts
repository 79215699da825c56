/**
 * What the benchmark needs from a booted kernel: its page allocator, how its tag references
 * are stored and what they cost, and the counters of the benchmark's own call site. The Kernel
 * adapter ({@link bootBenchMachine}) provides it; tests can provide it over bare allocators.
 */

import type { MemoryAccessSink } from '../mm/kmem_addresses';
import type { BenchMode } from './modes';
import type { PageAllocator } from './workload';

/** Where a booted kernel keeps page tag references. */
export type TagRefStorage = 'none' | 'page_ext' | 'page_flags';

/** One booted machine in one benchmark mode. */
export interface BenchMachine {
  readonly mode: BenchMode;
  /** The kernel command line it booted with. */
  readonly cmdline: string;
  /** Name of the kernel configuration (preset or .config file). */
  readonly config: string;
  /** alloc_pages()/__free_pages() of this kernel (the hook-less class in the nohooks build). */
  readonly pageAlloc: PageAllocator;
  /** GFP flags the loops allocate with (GFP_KERNEL). */
  readonly gfp: number;
  readonly ramBytes: number;
  readonly nrPages: number;
  /** CONFIG_MEM_ALLOC_PROFILING of the build. */
  readonly profilingBuilt: boolean;
  /** mem_alloc_profiling_enabled() after boot: page allocations are accounted. */
  readonly accounting: boolean;
  /** Where references live after boot ('none' when profiling is absent or switched off for good). */
  readonly tagRefStorage: TagRefStorage;
  /** Bytes of page_ext spent on tag references (8 per page with page_ext, else 0). */
  readonly tagRefBytes: number;
  /** Bytes page_ext allocated in all (its header plus every client), 0 when page_ext is not needed. */
  readonly pageExtBytes: number;
  /** Page-flags bits holding the tag index in compressed mode, else 0. */
  readonly tagRefBits: number;
  /** Pages the allocator can hand out now. */
  freePages(): number;
  /** `calls` of the call site the loops are charged to (alloc_hooks of the benchmark), null without profiling. */
  benchSiteCalls(): number | null;
  /**
   * Record every access of the allocation paths from now on (the memory-traffic accounting;
   * irreversible, for a machine booted only to be measured). Absent: the machine cannot be traced.
   */
  traceMemory?(sink: MemoryAccessSink): void;
}

/** Machine options of `kernel-sim bench` (the same as the booting commands). */
export interface BenchMachineOptions {
  /** The user's command line; each mode appends its `sysctl.vm.mem_profiling=`. */
  cmdline: string;
  /** Config preset name (default: the kernel-sim default). */
  config?: string;
  /** A kernel .config file and its architecture. */
  configFile?: string;
  arch?: string;
  /** RAM in bytes. */
  mem: number;
  cpus: number;
  kernelTags: number;
}

/** Boots one machine per mode. */
export type BootBenchMachine = (mode: BenchMode, options: BenchMachineOptions) => BenchMachine;
