/**
 * What the script commands need from a booted kernel. The CLI talks to the kernel core only
 * through this surface (implemented over the `Kernel` class in machine.ts), so every command
 * sees the same validated, all-or-nothing operations.
 */
import type { PageFlagsLayout } from '@allocprof/page-flags-layout';
import type { ModuleDescriptor } from './descriptor';

/** An allocation tag a command can charge: a call site of the kernel image or a loaded module. */
export interface CallSite {
  /** Tag address (without the 0xffff prefix). */
  readonly address: number;
  readonly filename: string;
  readonly lineno: number;
  readonly function: string;
  /** Module name, null for the kernel image. */
  readonly modname: string | null;
}

/** The tag text of a call site (lib/codetag.c: codetag_to_text()). */
export function callSiteText(s: CallSite): string {
  return `${s.filename}:${s.lineno}${s.modname === null ? '' : ` [${s.modname}]`} func:${s.function}`;
}

/** A loaded module as `lsmod` shows it. */
export interface LoadedModule {
  readonly name: string;
  readonly size: number;
  readonly refcount: number;
}

/** One range of the module tag area (offsets from its start). */
export interface TagAreaRange {
  readonly start: number;
  readonly last: number;
  readonly kind: 'module' | 'unloaded' | 'padding' | 'free';
  readonly module: string | null;
}

/** The module tag area of patches 3 and 4: reserved virtual space, pages mapped on demand. */
export interface TagAreaState {
  /** Kernel virtual start address (without 0xffff). */
  readonly startAddr: number;
  /** Bytes of reserved virtual space. */
  readonly size: number;
  /** Pages backed by physical memory so far. */
  readonly populatedPages: number;
  /** Pages the reserved space spans. */
  readonly totalPages: number;
  readonly ranges: readonly TagAreaRange[];
}

/** Profiling state as the sysctl and procfs show it. */
export interface ProfilingState {
  /** mem_profiling_support. */
  readonly support: boolean;
  /** mem_alloc_profiling_key. */
  readonly enabled: boolean;
  /** mem_profiling_compressed. */
  readonly compressed: boolean;
  /** Bytes spent on page tag references (page_ext slots), 0 in compressed mode. */
  readonly tagRefBytes: number;
  readonly ramBytes: number;
}

/**
 * A booted kernel as the commands drive it. Every mutating operation either succeeds completely
 * or throws a KernelError (errno name + message) having changed nothing.
 */
export interface SimKernel {
  readonly layout: PageFlagsLayout;
  /** Tags of the kernel image and the loaded modules, in /proc/allocinfo order. */
  callSites(): CallSite[];
  /** A call site by `file:line`, unique `function` or `module:function` (ENOENT, EINVAL). */
  site(spec: string): CallSite;
  /** Summed counters of a site's tag (still readable after its module is unloaded). */
  siteCounters(site: CallSite): { bytes: number; calls: number };
  /** Module names `insmod NAME` knows (the built-in catalog). */
  catalogModules(): string[];
  loadedModules(): LoadedModule[];
  /** Load a module of the catalog (by name) or from a descriptor. */
  insmod(module: string | ModuleDescriptor): void;
  rmmod(name: string): void;
  /** Allocate `count` blocks of 2^order pages charged to `site`, all or none; returns their pfns. */
  allocPages(site: CallSite, order: number, count: number): number[];
  freePages(pfn: number, order: number): void;
  /** pgalloc_tag_split(): split a block of 2^order pages into blocks of 2^newOrder. */
  splitPage(pfn: number, order: number, newOrder: number): void;
  /** Move the block at `pfn` to new pages; returns the new pfn. */
  migratePages(pfn: number): number;
  /** vmalloc charged to `site`; returns the address. */
  vmalloc(site: CallSite, size: number): number;
  vfree(addr: number): void;
  /** Readable files (for completion and `cat`). */
  files(): string[];
  readFile(path: string): string;
  writeFile(path: string, value: string): void;
  /** The kernel log as `dmesg` prints it. */
  dmesg(): string;
  failPageAlloc(n: number): void;
  profiling(): ProfilingState;
  /** The module tag area, or null when there is none (no CONFIG_MODULES, support off at boot). */
  tagArea(): TagAreaState | null;
}
