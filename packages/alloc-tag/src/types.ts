/** Kernel log levels (include/linux/kern_levels.h). */
export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** include/linux/dynamic_debug.h: struct _ddebug — where a pr_debug() is and what it prints. */
export interface PrDebugSite {
  /** KBUILD_MODNAME of the object file (`alloc_tag` for lib/alloc_tag.c). */
  readonly modname: string;
  readonly function: string;
  readonly filename: string;
  /** Line of the pr_debug() in Linux 6.13. */
  readonly lineno: number;
  /** The format string, trailing newline included. */
  readonly format: string;
}

/** The kernel log sink; kernel-sim's dmesg implements it. */
export interface Printk {
  printk(level: LogLevel, message: string): void;
  /**
   * pr_debug() at `site`: the kernel prints it (at KERN_DEBUG) only where the site is enabled —
   * by dynamic debug, or by DEBUG defined for its file. A sink without it never prints pr_debug(),
   * as a kernel where neither applies.
   */
  prDebug?(site: PrDebugSite, message: string): void;
}

/** errno names this package reports (the kernel's negative return values, by name). */
export type AllocTagErrno =
  | 'EINVAL'
  | 'ENOMEM'
  | 'EBUSY'
  | 'EEXIST'
  | 'EACCES'
  | 'EPERM'
  | 'ENOENT'
  | 'EFAULT';

/** A failed allocation-tag operation or bad input at the package boundary; nothing was changed. */
export class AllocTagError extends Error {
  readonly code: AllocTagErrno;
  /** 1-based line of the input text at fault (parseAllocinfo), when there is one. */
  readonly line: number | undefined;

  constructor(code: AllocTagErrno, message: string, options: { line?: number } = {}) {
    super(message);
    this.name = 'AllocTagError';
    this.code = code;
    this.line = options.line;
  }
}

/** include/linux/alloc_tag.h: sizeof(struct alloc_tag) on 64-bit (32-byte codetag + counters pointer). */
export const ALLOC_TAG_SIZE = 40;

/** include/linux/alloc_tag.h: ALLOC_TAG_SECTION_NAME. */
export const ALLOC_TAG_SECTION_NAME = 'alloc_tags';

/** The name of the module ELF section holding a module's allocation tags (patch 3). */
export const ALLOC_TAG_MODULE_SECTION = '.codetag.alloc_tags';

/** lib/alloc_tag.c: MODULE_ALLOC_TAG_VMAP_SIZE = 100000 tags × 40 bytes. */
export const MODULE_ALLOC_TAG_VMAP_SIZE = 100000 * ALLOC_TAG_SIZE;

/** lib/alloc_tag.c: ALLOCINFO_FILE_NAME. */
export const ALLOCINFO_FILE_NAME = 'allocinfo';

/** PAGE_SIZE of the simulated machine. */
export const PAGE_SIZE = 4096;
/** PAGE_SHIFT of the simulated machine. */
export const PAGE_SHIFT = 12;

/** The name of the early parameter and of the sysctl it shadows. */
export const MEM_PROFILING_PARAM = 'sysctl.vm.mem_profiling';
/** The sysctl's dotted name as the "sysctl from command line" code prints it. */
export const MEM_PROFILING_SYSCTL = 'vm.mem_profiling';

/** init/main.c: do_early_param() — the message printed when an early parameter's handler fails. */
export function malformedEarlyOptionMessage(param: string = MEM_PROFILING_PARAM): string {
  return `Malformed early option '${param}'`;
}

/** Print a kernel address as the kernel does (`%lx` of a 0xffff… address). */
export function formatTagAddress(address: number): string {
  return `0xffff${address.toString(16).padStart(12, '0')}`;
}

/** Format a double-held counter as C's %llu/%lli would print the u64/s64 value. */
export function formatU64(value: number): string {
  if (value >= 0) return String(value);
  return BigInt.asUintN(64, BigInt(value)).toString();
}
