import type { Printk } from './types';

/** Build-time options of the simulated kernel (the Kconfig symbols of lib/Kconfig.debug that profiling reads). */
export interface AllocTagKconfig {
  /** CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT (default true). */
  CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT?: boolean;
  /** CONFIG_MEM_ALLOC_PROFILING_DEBUG (default false); selects ENABLED_BY_DEFAULT. */
  CONFIG_MEM_ALLOC_PROFILING_DEBUG?: boolean;
  /** CONFIG_MODULES (default true): the module tag area exists. */
  CONFIG_MODULES?: boolean;
  /** CONFIG_SYSCTL (default true): `vm.mem_profiling` exists. */
  CONFIG_SYSCTL?: boolean;
}

/**
 * fs/proc: the part of procfs alloc_tag uses. kernel-sim's procfs implements it; without one the
 * file is tracked here and creation always succeeds.
 */
export interface AllocinfoProcfs {
  /** proc_create_seq_private("allocinfo", 0400, …): false when creation fails. */
  createAllocinfo(read: () => string): boolean;
  /** remove_proc_entry("allocinfo", NULL). */
  removeAllocinfo(): void;
}

/** What happened to the profiling switches (for kernel-sim's narration and tests). */
export type MemProfilingEvent =
  | { type: 'key'; enabled: boolean }
  | { type: 'support'; support: boolean }
  | { type: 'compressed'; compressed: boolean };

/**
 * include/linux/alloc_tag.h + lib/alloc_tag.c: the three state variables —
 * `mem_profiling_support`, the static key `mem_alloc_profiling_key` and the static key
 * `mem_profiling_compressed` — and shutdown_mem_profiling(), the one routine that turns
 * profiling off (patch 2).
 */
export class MemProfilingState {
  /** mem_profiling_support */
  support: boolean;
  /** static_key_enabled(&mem_alloc_profiling_key): tested first by every hook. */
  key: boolean;
  /** static_key_enabled(&mem_profiling_compressed) */
  compressed = false;
  /** CONFIG_MEM_ALLOC_PROFILING_DEBUG */
  readonly debug: boolean;
  /** CONFIG_MODULES */
  readonly modules: boolean;
  /** CONFIG_SYSCTL */
  readonly sysctl: boolean;
  /** CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT (forced by DEBUG) */
  readonly enabledByDefault: boolean;
  /** Whether /proc/allocinfo currently exists. */
  allocinfoExists = false;
  readonly printk: Printk;
  private readonly procfs: AllocinfoProcfs | null;
  private readonly listener: ((e: MemProfilingEvent) => void) | null;

  constructor(
    kconfig: AllocTagKconfig,
    printk: Printk,
    procfs: AllocinfoProcfs | null,
    listener: ((e: MemProfilingEvent) => void) | null,
  ) {
    this.debug = kconfig.CONFIG_MEM_ALLOC_PROFILING_DEBUG ?? false;
    this.enabledByDefault = this.debug || (kconfig.CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT ?? true);
    this.modules = kconfig.CONFIG_MODULES ?? true;
    this.sysctl = kconfig.CONFIG_SYSCTL ?? true;
    this.support = this.enabledByDefault;
    this.key = this.enabledByDefault;
    this.printk = printk;
    this.procfs = procfs;
    this.listener = listener;
  }

  /** static_branch_enable/disable(&mem_alloc_profiling_key) */
  setKey(enabled: boolean): void {
    if (this.key === enabled) return;
    this.key = enabled;
    this.listener?.({ type: 'key', enabled });
  }

  /** static_branch_enable/disable(&mem_profiling_compressed) */
  setCompressed(compressed: boolean): void {
    if (this.compressed === compressed) return;
    this.compressed = compressed;
    this.listener?.({ type: 'compressed', compressed });
  }

  /** mem_profiling_support := value */
  setSupport(support: boolean): void {
    if (this.support === support) return;
    this.support = support;
    this.listener?.({ type: 'support', support });
  }

  /** lib/alloc_tag.c: procfs_init() — proc_create_seq_private("allocinfo", 0400, …). */
  createAllocinfo(read: () => string): boolean {
    const ok = this.procfs === null ? true : this.procfs.createAllocinfo(read);
    if (ok) this.allocinfoExists = true;
    return ok;
  }

  /**
   * include/linux/alloc_tag.h: shutdown_mem_profiling(remove_file) — key off (even if support is
   * already false), then, if support was still true, remove /proc/allocinfo when asked and clear
   * support. Compressed key, sysctl mode, counters, page references, codetag registry and module
   * area are left alone.
   */
  shutdownMemProfiling(removeFile: boolean): void {
    if (this.key) this.setKey(false);
    if (!this.support) return;
    if (removeFile && this.allocinfoExists) {
      this.procfs?.removeAllocinfo();
      this.allocinfoExists = false;
    }
    this.setSupport(false);
  }
}
