import { SIZEOF_CODETAG_REF } from '@allocprof/codetag';
import type { PageExtMemory } from './page-ext';
import {
  type PageTagRefs,
  PGALLOC_TAG_H,
  PGTAG_REF_HANDLE_NONE,
  PgallocTagError,
  type PgtagRefHandle,
  type Printk,
  warnOn,
} from './types';

/** What the page_ext client needs to decide whether page_ext is required (alloc-tag provides it). */
export interface PageAllocTaggingState {
  /** mem_alloc_profiling_support */
  readonly support: boolean;
  /** static_key_enabled(&mem_profiling_compressed) */
  readonly compressed: boolean;
}

/** mm/page_ext.c: struct page_ext_operations, as kernel-sim's page_ext framework consumes it. */
export interface PageExtOperations {
  readonly name: string;
  /** Bytes of page_ext data per page for this client. */
  readonly size: number;
  /** Whether this client needs page_ext storage at all on this boot. */
  need(): boolean;
  /** need_shared_flags: the client uses struct page_ext's own flags word (page_owner does). */
  readonly needSharedFlags: boolean;
}

/**
 * lib/alloc_tag.c: page_alloc_tagging_ops and need_page_alloc_tagging(). In compressed mode the
 * references live in page flags, so page_ext is not needed; page_ext then allocates nothing
 * unless another client asks. The client does not use page_ext's shared flags, so on its own
 * an entry is just the 8-byte reference.
 */
export function pageAllocTaggingOps(state: PageAllocTaggingState): PageExtOperations {
  return {
    name: 'page_alloc_tagging',
    size: SIZEOF_CODETAG_REF,
    needSharedFlags: false,
    need(): boolean {
      return !state.compressed && state.support;
    },
  };
}

/** Options of {@link PageExtTagRefs}. */
export interface PageExtTagRefsOptions {
  /** mm/page_ext.c of this kernel: a SparsePageExt or FlatPageExt (or another PageExtMemory). */
  pageExt: PageExtMemory;
  printk: Printk;
}

/**
 * include/linux/pgalloc_tag.h, page_ext path (compressed key off): each page's codetag_ref is the
 * page_alloc_tagging client's data in the page's page_ext entry. get is page_ext_get() (RCU read
 * lock, lookup_page_ext) plus the client's offset; the handle is the reference's slot — the
 * kernel's `handle.ref` pointer — so update writes through it without a second lookup and put
 * hands `handle - offset` (the entry) to page_ext_put().
 */
export class PageExtTagRefs implements PageTagRefs {
  readonly kind = 'page_ext' as const;
  /** The page_ext storage the references live in. */
  readonly pageExt: PageExtMemory;
  private readonly printk: Printk;
  private refSlot = 0;

  constructor(opts: PageExtTagRefsOptions) {
    if (typeof opts?.pageExt?.pageExtGet !== 'function')
      throw new PgallocTagError(
        'EINVAL',
        'pageExt must be a page_ext storage (SparsePageExt or FlatPageExt)',
      );
    this.pageExt = opts.pageExt;
    this.printk = opts.printk;
  }

  /**
   * invoke_need_callbacks() placed the client at `offsetBytes` of each entry
   * (page_alloc_tagging_ops.offset): a multiple of sizeof(long).
   */
  setOffset(offsetBytes: number): void {
    const long = this.pageExt.longBytes;
    if (!Number.isInteger(offsetBytes) || offsetBytes < 0 || offsetBytes % long !== 0)
      throw new PgallocTagError(
        'EINVAL',
        `page_ext offset must be a multiple of ${long}, got ${offsetBytes}`,
      );
    this.refSlot = offsetBytes / long;
  }

  /** page_alloc_tagging_ops.offset in slots (sizeof(long) units): the reference is slot entry + offsetSlots. */
  get offsetSlots(): number {
    return this.refSlot;
  }

  /** page_alloc_tagging_ops.offset in bytes. */
  get offset(): number {
    return this.refSlot * this.pageExt.longBytes;
  }

  /** Bytes of page_ext spent on tag references: sizeof(union codetag_ref) per page that has page_ext. */
  get bytes(): number {
    return this.pageExt.pagesWithPageExt * this.pageExt.longBytes;
  }

  /**
   * get_page_tag_ref(), page_ext path: page_ext_get(page); NULL → false; tmp :=
   * page_ext_data(page_ext, &page_alloc_tagging_ops); ref := *tmp; handle := tmp.
   */
  getPageTagRef(pfn: number, h: PgtagRefHandle): boolean {
    const pe = this.pageExt;
    // A pfn without a struct page is the kernel's NULL page.
    const e = pfn >>> 0 === pfn && pfn < pe.nrPages ? pe.pageExtGet(pfn) : -1;
    if (e < 0) {
      h.handle = PGTAG_REF_HANDLE_NONE;
      return false;
    }
    const slot = e + this.refSlot;
    h.ref = pe.entries[slot]!;
    h.handle = slot;
    return true;
  }

  /** update_page_tag_ref(), page_ext path: WARN on a NULL handle or ref, else `handle.ref->ct = ref->ct`. */
  updatePageTagRef(h: PgtagRefHandle | null): void {
    if (h === null || !(h.handle > 0 && h.handle < this.pageExt.entries.length)) {
      warnOn(this.printk, PGALLOC_TAG_H, 'update_page_tag_ref');
      return;
    }
    this.pageExt.entries[h.handle] = h.ref;
  }

  /** put_page_tag_ref(), page_ext path: WARN on a NULL handle, else page_ext_put(handle.ref − offset). */
  putPageTagRef(h: PgtagRefHandle | null): void {
    if (h === null || !(h.handle >= 0)) {
      warnOn(this.printk, PGALLOC_TAG_H, 'put_page_tag_ref');
      return;
    }
    this.pageExt.pageExtPut(h.handle - this.refSlot);
  }
}
