import { SIZEOF_CODETAG_REF } from '@allocprof/codetag';
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
}

/**
 * lib/alloc_tag.c: page_alloc_tagging_ops and need_page_alloc_tagging().
 * In compressed mode the references live in page flags, so page_ext is not needed; page_ext
 * then allocates nothing unless another client asks (§6.8).
 */
export function pageAllocTaggingOps(state: PageAllocTaggingState): PageExtOperations {
  return {
    name: 'page_alloc_tagging',
    size: SIZEOF_CODETAG_REF,
    need(): boolean {
      return !state.compressed && state.support;
    },
  };
}

export interface PageExtTagRefsOptions {
  /** Number of page frames (pfn 0 .. nrPages - 1). */
  nrPages: number;
  /** PAGES_PER_SECTION, a power of two. */
  pagesPerSection: number;
  printk: Printk;
  /**
   * present_section_nr(): which memory sections exist at boot (default: all sections covering
   * [0, nrPages)). Called only by init().
   */
  sectionPresent?: (section: number) => boolean;
}

/** A section with no page_ext (not present, offline, or page_ext not initialised yet). */
const NO_PAGE_EXT = new Float64Array(0);

/**
 * The page_ext backend (compressed key off): one codetag_ref per page in the page_ext of the
 * page's memory section (mm/page_ext.c, SPARSEMEM flavour). Each present section owns one
 * Float64Array of references (tag addresses are < 2^53, so a double holds them exactly).
 *
 * The handle is the pfn, which names the slot exactly as the kernel's slot pointer does.
 * page_ext_get()/page_ext_put() hold the RCU read lock between get and put; the simulation
 * counts the nesting depth so an unbalanced put is visible (`unbalancedPuts`).
 */
export class PageExtTagRefs implements PageTagRefs {
  readonly kind = 'page_ext' as const;
  readonly nrPages: number;
  readonly pagesPerSection: number;
  readonly nrSections: number;

  private readonly printk: Printk;
  private readonly sectionShift: number;
  private readonly sectionMask: number;
  private readonly sectionPresent: ((section: number) => boolean) | undefined;
  /** mem_section[nr].page_ext; NO_PAGE_EXT when the section has none. */
  private readonly sections: Float64Array[];
  private initialized = false;
  private allocatedBytes = 0;
  private rcuDepth = 0;
  private badPuts = 0;

  constructor(opts: PageExtTagRefsOptions) {
    const { nrPages, pagesPerSection } = opts;
    if (!Number.isSafeInteger(nrPages) || nrPages < 0 || nrPages > 0xffffffff) {
      throw new PgallocTagError('EINVAL', `nrPages must be an integer in [0, 2^32), got ${nrPages}`);
    }
    if (
      !Number.isSafeInteger(pagesPerSection) ||
      pagesPerSection < 1 ||
      pagesPerSection > 2 ** 30 ||
      (pagesPerSection & (pagesPerSection - 1)) !== 0
    ) {
      throw new PgallocTagError(
        'EINVAL',
        `pagesPerSection must be a power of two in [1, 2^30], got ${pagesPerSection}`,
      );
    }
    this.nrPages = nrPages;
    this.pagesPerSection = pagesPerSection;
    this.nrSections = Math.ceil(nrPages / pagesPerSection);
    this.printk = opts.printk;
    this.sectionShift = Math.log2(pagesPerSection);
    this.sectionMask = pagesPerSection - 1;
    this.sectionPresent = opts.sectionPresent;
    // Array.from keeps the array packed (no holes), so the per-page section load stays a plain
    // element load.
    this.sections = Array.from({ length: this.nrSections }, () => NO_PAGE_EXT);
  }

  /** Bytes of page_ext spent on tag references: 8 per page that has page_ext. */
  get bytes(): number {
    return this.allocatedBytes;
  }

  /** Whether page_ext_init() has run. */
  get isInitialized(): boolean {
    return this.initialized;
  }

  /** Current RCU read-side nesting from gets not yet matched by puts. */
  get rcuReadLockDepth(): number {
    return this.rcuDepth;
  }

  /** Puts that found no RCU read lock held (each one an unbalanced rcu_read_unlock()). */
  get unbalancedPuts(): number {
    return this.badPuts;
  }

  /**
   * mm/page_ext.c: page_ext_init() — allocate page_ext for every present section. Only called
   * when a client's need() said yes (see pageAllocTaggingOps).
   */
  init(): void {
    if (this.initialized) {
      throw new PgallocTagError('EBUSY', 'page_ext is already initialized');
    }
    const present = this.sectionPresent;
    for (let nr = 0; nr < this.nrSections; nr++) {
      if (present === undefined || present(nr)) this.allocSection(nr);
    }
    this.initialized = true;
  }

  /** mm/page_ext.c: online_page_ext() — memory hotplug brought section `nr` online. */
  onlineSection(nr: number): void {
    this.checkSection(nr);
    if (!this.initialized) {
      throw new PgallocTagError('EINVAL', 'page_ext is not initialized');
    }
    if (this.sections[nr] !== NO_PAGE_EXT) {
      throw new PgallocTagError('EBUSY', `section ${nr} already has page_ext`);
    }
    this.allocSection(nr);
  }

  /**
   * mm/page_ext.c: offline_page_ext() — free section `nr`'s page_ext. The kernel waits for RCU
   * readers (synchronize_rcu); with a get still open here that wait could never end, so refuse.
   */
  offlineSection(nr: number): void {
    this.checkSection(nr);
    if (this.sections[nr] === NO_PAGE_EXT) {
      throw new PgallocTagError('EINVAL', `section ${nr} has no page_ext`);
    }
    if (this.rcuDepth !== 0) {
      throw new PgallocTagError('EBUSY', `section ${nr}: page_ext still in use by an open get`);
    }
    const ext = this.sections[nr]!;
    this.allocatedBytes -= ext.length * SIZEOF_CODETAG_REF;
    this.sections[nr] = NO_PAGE_EXT;
  }

  /** lookup_page_ext(page) != NULL: whether the page currently has page_ext. */
  hasPageExt(pfn: number): boolean {
    if (pfn >>> 0 !== pfn || pfn >= this.nrPages) return false;
    return (pfn & this.sectionMask) < this.sections[pfn >>> this.sectionShift]!.length;
  }

  /**
   * lookup_page_ext() for a caller that reads and writes the reference itself: the slots of the
   * section holding `pfn` (an empty array when the page has no page_ext), indexed by
   * `pfn & slotMask`. The reference stays a double inside the Float64Array and in the caller's
   * locals, never crossing a call as a boxed number. The caller does the whole get/update/put
   * sequence without yielding, so no RCU read section is recorded.
   */
  pageExtSlots(pfn: number): Float64Array {
    if (pfn >>> 0 !== pfn || pfn >= this.nrPages) return NO_PAGE_EXT;
    return this.sections[pfn >>> this.sectionShift]!;
  }

  /** PAGES_PER_SECTION - 1: `pfn & slotMask` is the page's slot in {@link pageExtSlots}. */
  get slotMask(): number {
    return this.sectionMask;
  }

  /**
   * include/linux/pgalloc_tag.h: get_page_tag_ref(), page_ext path — page_ext_get() (RCU read
   * lock + lookup_page_ext), copy the slot into h.ref, handle := the slot.
   */
  getPageTagRef(pfn: number, h: PgtagRefHandle): boolean {
    if (pfn >>> 0 !== pfn || pfn >= this.nrPages) {
      h.handle = PGTAG_REF_HANDLE_NONE;
      return false;
    }
    const ext = this.sections[pfn >>> this.sectionShift]!;
    const off = pfn & this.sectionMask;
    if (off >= ext.length) {
      h.handle = PGTAG_REF_HANDLE_NONE;
      return false;
    }
    this.rcuDepth++;
    h.ref = ext[off]!;
    h.handle = pfn;
    return true;
  }

  /**
   * include/linux/pgalloc_tag.h: update_page_tag_ref(), page_ext path — slot := h.ref. The kernel
   * writes through the slot pointer it got from get; the handle here is the pfn, so the slot is
   * found again with the same section lookup (one array load, no search).
   */
  updatePageTagRef(h: PgtagRefHandle | null): void {
    if (h !== null) {
      const pfn = h.handle;
      if (pfn >>> 0 === pfn && pfn < this.nrPages) {
        const ext = this.sections[pfn >>> this.sectionShift]!;
        const off = pfn & this.sectionMask;
        if (off < ext.length) {
          ext[off] = h.ref;
          return;
        }
      }
    }
    warnOn(this.printk, PGALLOC_TAG_H, 'update_page_tag_ref');
  }

  /** include/linux/pgalloc_tag.h: put_page_tag_ref(), page_ext path — page_ext_put() (RCU read unlock). */
  putPageTagRef(h: PgtagRefHandle | null): void {
    if (h === null || !(h.handle >= 0)) {
      warnOn(this.printk, PGALLOC_TAG_H, 'put_page_tag_ref');
      return;
    }
    if (this.rcuDepth === 0) {
      this.badPuts++;
      return;
    }
    this.rcuDepth--;
  }

  private checkSection(nr: number): void {
    if (!Number.isInteger(nr) || nr < 0 || nr >= this.nrSections) {
      throw new PgallocTagError('EINVAL', `section ${nr} is outside [0, ${this.nrSections})`);
    }
  }

  /**
   * mm/page_ext.c: init_section_page_ext(). A section that memory ends inside gets slots only
   * for the pages that exist, so `bytes` is exactly 8 × pages with page_ext.
   */
  private allocSection(nr: number): void {
    const start = nr * this.pagesPerSection;
    const pages = Math.min(this.pagesPerSection, this.nrPages - start);
    this.sections[nr] = new Float64Array(pages);
    this.allocatedBytes += pages * SIZEOF_CODETAG_REF;
  }
}
