import type { CodeTagRef } from '@allocprof/codetag';

/** Printk levels (include/linux/kern_levels.h). */
export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** Kernel log sink; kernel-sim's dmesg implements it. */
export interface Printk {
  printk(level: LogLevel, message: string): void;
}

/**
 * include/linux/pgalloc_tag.h: idx_to_ref() / ref_to_idx() — the index <-> tag reference mapping
 * of compressed mode. alloc-tag owns the kernel tag array and the module tag area, so it
 * implements this; the page-flags backend only stores what it returns.
 *
 * A reference is 0 (NULL), 1 (CODETAG_EMPTY) or the address of the referenced tag. Indices are
 * 0 (CODETAG_ID_NULL), 1 (CODETAG_ID_EMPTY), then kernel tags from 2, then module-area slots.
 * `refToIdx` may return a value wider than 16 bits: the backend truncates it to u16 as the
 * kernel's `pgalloc_tag_idx` return type does.
 */
export interface TagIndex {
  refToIdx(ref: CodeTagRef): number;
  idxToRef(idx: number): CodeTagRef;
}

/** The value of `PgtagRefHandle.handle` when it designates nothing (a NULL handle). */
export const PGTAG_REF_HANDLE_NONE = -1;

/**
 * include/linux/pgalloc_tag.h: union pgtag_ref_handle, together with the caller's local
 * union codetag_ref. Callers allocate one and reuse it for every get/update/put so the hot
 * path allocates nothing.
 */
export class PgtagRefHandle {
  /** Local copy of the page's codetag_ref: 0 = NULL, 1 = CODETAG_EMPTY, else a tag address. */
  ref: CodeTagRef = 0;
  /**
   * Opaque token from get to update/put: the reference's slot in the page_ext entries (page_ext
   * backend, the kernel's `handle.ref`) or the pfn of the struct page (page-flags backend,
   * `handle.page`). PGTAG_REF_HANDLE_NONE = NULL.
   */
  handle: number = PGTAG_REF_HANDLE_NONE;
}

/**
 * include/linux/pgalloc_tag.h: the page tag reference accessors, one storage backend behind
 * them, chosen at boot by the `mem_profiling_compressed` static key.
 */
export interface PageTagRefs {
  readonly kind: 'page_ext' | 'page_flags';
  /** get_page_tag_ref(): copy the page's reference into `h.ref` and fill `h.handle`. */
  getPageTagRef(pfn: number, h: PgtagRefHandle): boolean;
  /** update_page_tag_ref(): store `h.ref` into the page designated by `h.handle`. */
  updatePageTagRef(h: PgtagRefHandle): void;
  /** put_page_tag_ref(): end the access begun by a successful get. */
  putPageTagRef(h: PgtagRefHandle): void;
  /** Bytes of memory spent on tag references by this backend. */
  readonly bytes: number;
}

/** Errno names this package reports. */
export type PgallocTagErrno = 'EINVAL' | 'EBUSY' | 'ENOMEM';

/** Invalid configuration or bad input at the package boundary; nothing was changed. */
export class PgallocTagError extends Error {
  readonly code: PgallocTagErrno;

  constructor(code: PgallocTagErrno, message: string) {
    super(message);
    this.name = 'PgallocTagError';
    this.code = code;
  }
}

/** Source file of the WARN_ON()s of patch 5 (reported as their location). */
export const PGALLOC_TAG_H = 'include/linux/pgalloc_tag.h';

/**
 * include/asm-generic/bug.h: WARN_ON(cond) without a message — only the location is printed.
 * The simulation has no CPU/PID/offset, so the line keeps the kernel's `WARNING: at <where>`
 * shape with the file and function.
 */
export function warnOn(printk: Printk, file: string, func: string): void {
  printk.printk('warning', `WARNING: at ${file} ${func}()`);
}
