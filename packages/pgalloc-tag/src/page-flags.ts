import type { PageFlagsArray } from '@allocprof/page-flags-layout';
import {
  type PageTagRefs,
  PGALLOC_TAG_H,
  PGTAG_REF_HANDLE_NONE,
  PgallocTagError,
  type PgtagRefHandle,
  type Printk,
  type TagIndex,
  warnOn,
} from './types';

/** typedef u16 pgalloc_tag_idx: every index is truncated to 16 bits. */
export const PGALLOC_TAG_IDX_MASK = 0xffff;
/** Width of pgalloc_tag_idx in bits. */
export const PGALLOC_TAG_IDX_BITS = 16;

/**
 * The part of PageFlagsArray this backend uses: the memmap's page->flags words themselves.
 * Page pfn's word starts at `words[pfn * stride]`, low half first (PageFlagsArray's documented
 * storage; `stride` is the struct page record size when the flags live in the memmap's
 * records), so the backend can read-modify-write its field without a call per access.
 */
export type PageFlagsWords = Pick<PageFlagsArray, 'layout' | 'nrPages' | 'words' | 'wordsPerPage' | 'stride'>;

export interface PageFlagsTagRefsOptions {
  flags: PageFlagsWords;
  tagIndex: TagIndex;
  printk: Printk;
}

/** `(1 << w) - 1` as an int32 bit pattern, w in 0..32. */
function lowMask(w: number): number {
  return w >= 32 ? -1 : ((1 << w) - 1) | 0;
}

/**
 * The page-flags backend of patch 6 (compressed key on): the page's tag index lives in the
 * unused bits of its flags word, `[alloc_tag_ref_offs, alloc_tag_ref_offs + N)`, directly below
 * the LRU-refs field. No storage beyond the flags words the memmap already has: `bytes` is 0.
 *
 * Index width: the field is N bits but the index type is u16. A read masks the field and keeps
 * the low 16 bits; a write truncates the index to 16 bits, masks it and replaces the whole
 * field. So with N > 16 only 65536 indices are reachable and the field's upper bits are always
 * written as 0; with N <= 16 the mask is the limit. The boot check admits K = 2^N kernel tags
 * while kernel indices run up to K + 1, so the last kernel tags' indices wrap through the mask
 * onto 0 (NULL) and 1 (EMPTY), and module indices past the mask wrap onto low indices: such pages
 * read back as NULL/EMPTY or as another tag — the aliasing of idx_to_ref()/ref_to_idx() with the mask, reproduced here rather
 * than prevented.
 *
 * Hot path: get/update work on the flags words directly with shifts and masks precomputed by
 * init(), the way the kernel's `(page->flags >> offs) & mask` compiles to a load, a shift and an
 * and. A 64-bit word is two u32 halves, so each access is "this half, plus possibly the next
 * one": when the field does not reach into the next half, that second term is given a zero mask
 * and a step of 0 (it re-reads the same half and contributes nothing), which keeps the code free
 * of layout-dependent branches and never touches a neighbouring page's word.
 */
export class PageFlagsTagRefs implements PageTagRefs {
  readonly kind = 'page_flags' as const;
  readonly bytes = 0;
  /** BITS_PER_LONG of the flags words (from their layout). */
  readonly bitsPerLong: number;
  readonly nrPages: number;

  /**
   * The memmap's words (PageFlagsArray.words). Not readonly: kernel-sim's memory-traffic
   * accounting swaps in a recording view of the same memory.
   */
  words: Uint32Array;
  private readonly stride: number;
  private readonly tagIndex: TagIndex;
  private readonly printk: Printk;
  private refOffs = 0;
  private refMask = 0;
  private refBits = 0;
  /** mask & 0xffff: what survives of an index on store. */
  private idxMask = 0;

  // get: idx = ((w[i] >>> rdShift) | ((w[i + rdStep] & rdHiMask) << rdHiShift)) & rdMask, where
  // i = pfn * stride + rdHalf, and only min(N, 16) bits (the u16 of idx) are read.
  private rdHalf = 0;
  private rdShift = 0;
  private rdStep = 0;
  private rdHiMask = 0;
  private rdHiShift = 0;
  private rdMask = 0;

  // update: the whole field [offs, offs + N) is replaced; wrMask/wrHiMask are its bits in the
  // first and the next half (int32 patterns), wrKeep/wrHiKeep their complements.
  private wrHalf = 0;
  private wrShift = 0;
  private wrMask = 0;
  private wrKeep = -1;
  private wrStep = 0;
  private wrHiShift = 0;
  private wrHiMask = 0;
  private wrHiKeep = -1;

  constructor(opts: PageFlagsTagRefsOptions) {
    this.bitsPerLong = opts.flags.layout.BITS_PER_LONG;
    this.words = opts.flags.words;
    this.stride = opts.flags.stride;
    this.nrPages = opts.flags.nrPages;
    this.tagIndex = opts.tagIndex;
    this.printk = opts.printk;
  }

  /** alloc_tag_ref_offs: lowest bit of the tag field (0 before init). */
  get offs(): number {
    return this.refOffs;
  }

  /** alloc_tag_ref_mask: 2^N - 1 (0 before init: reads decode to NULL, writes change nothing). */
  get mask(): number {
    return this.refMask;
  }

  /** N: width of the tag field in bits (0 before init). */
  get nrBits(): number {
    return this.refBits;
  }

  /**
   * lib/alloc_tag.c: the tail of alloc_tag_sec_init() — alloc_tag_ref_offs := offs,
   * alloc_tag_ref_mask := 2^N - 1. The caller has done the K <= 2^N check. N <= 0 (C would shift
   * by a negative amount) is taken as a field of no bits: offs and mask stay 0.
   */
  init(offs: number, nrBits: number): void {
    if (!Number.isInteger(nrBits)) {
      throw new PgallocTagError('EINVAL', `nrBits must be an integer, got ${nrBits}`);
    }
    if (nrBits <= 0) {
      this.setField(0, 0);
      return;
    }
    if (!Number.isInteger(offs) || offs < 0 || offs + nrBits > this.bitsPerLong) {
      throw new PgallocTagError(
        'EINVAL',
        `tag field [${offs}, ${offs + nrBits}) does not fit in a ${this.bitsPerLong}-bit flags word`,
      );
    }
    this.setField(offs, nrBits);
  }

  /**
   * include/linux/pgalloc_tag.h: get_page_tag_ref(), page-flags path — idx := (flags >> offs) &
   * mask as u16, h.ref := idx_to_ref(idx), handle := the page. Always succeeds for a real page.
   */
  getPageTagRef(pfn: number, h: PgtagRefHandle): boolean {
    const idx = this.readPageTagIdx(pfn);
    if (idx < 0) {
      h.handle = PGTAG_REF_HANDLE_NONE;
      return false;
    }
    h.ref = this.tagIndex.idxToRef(idx);
    h.handle = pfn;
    return true;
  }

  /**
   * The u16 tag index stored in the flags of the page at `pfn` (`(flags >> offs) & mask`), or -1
   * when `pfn` is not a page of this memmap. A small integer, so a caller that decodes the index
   * itself keeps the per-page path free of tag addresses (doubles that V8 boxes when they cross
   * a call it did not inline).
   */
  readPageTagIdx(pfn: number): number {
    if (pfn >>> 0 !== pfn || pfn >= this.nrPages) return -1;
    const w = this.words;
    const i = pfn * this.stride + this.rdHalf;
    return (
      ((w[i]! >>> this.rdShift) | ((w[i + this.rdStep]! & this.rdHiMask) << this.rdHiShift)) & this.rdMask
    );
  }

  /**
   * include/linux/pgalloc_tag.h: update_page_tag_ref(), page-flags path — idx := ref_to_idx(ref)
   * as u16, & mask, then replace only the tag field of the flags word. The kernel's cmpxchg loop
   * exists for concurrent flag updates; here the read-modify-write runs to completion, which is
   * the same thing in a single-threaded simulation. A handle that names no page (NULL, or not a
   * pfn of this memmap) WARNs and changes nothing.
   */
  updatePageTagRef(h: PgtagRefHandle | null): void {
    if (h === null || h.handle >>> 0 !== h.handle || h.handle >= this.nrPages) {
      warnOn(this.printk, PGALLOC_TAG_H, 'update_page_tag_ref');
      return;
    }
    this.writeField(h.handle, this.tagIndex.refToIdx(h.ref));
  }

  /**
   * Store tag index `idx` (truncated to u16, then masked) into the tag field of the page at
   * `pfn`, the write half of update_page_tag_ref() for a caller that already holds the index.
   * Returns false (and changes nothing) when `pfn` is not a page of this memmap.
   */
  writePageTagIdx(pfn: number, idx: number): boolean {
    if (pfn >>> 0 !== pfn || pfn >= this.nrPages) return false;
    this.writeField(pfn, idx);
    return true;
  }

  /** The idx_to_ref()/ref_to_idx() mapping this backend stores references through. */
  get tagIndexUsed(): TagIndex {
    return this.tagIndex;
  }

  private writeField(pfn: number, index: number): void {
    const idx = index & this.idxMask;
    const w = this.words;
    const i = pfn * this.stride + this.wrHalf;
    w[i] = (w[i]! & this.wrKeep) | ((idx << this.wrShift) & this.wrMask);
    const j = i + this.wrStep;
    w[j] = (w[j]! & this.wrHiKeep) | ((idx >>> this.wrHiShift) & this.wrHiMask);
  }

  /** include/linux/pgalloc_tag.h: put_page_tag_ref(), page-flags path — nothing to release. */
  putPageTagRef(h: PgtagRefHandle | null): void {
    if (h === null || !(h.handle >= 0)) {
      warnOn(this.printk, PGALLOC_TAG_H, 'put_page_tag_ref');
    }
  }

  /**
   * Precomputes the shifts and masks of get/update for the field [offs, offs + nrBits); init()
   * has checked that it lies inside the word. nrBits 0 leaves every mask 0 (reads give index 0,
   * writes store back what they read).
   */
  private setField(offs: number, nrBits: number): void {
    this.refOffs = offs;
    this.refBits = nrBits;
    this.refMask = nrBits === 0 ? 0 : 2 ** nrBits - 1;
    this.idxMask = nrBits >= PGALLOC_TAG_IDX_BITS ? PGALLOC_TAG_IDX_MASK : this.refMask;

    const half = offs >>> 5;
    const shift = offs & 31;

    const readBits = Math.min(nrBits, PGALLOC_TAG_IDX_BITS);
    const readSpill = Math.max(0, shift + readBits - 32);
    this.rdHalf = half;
    this.rdShift = shift;
    this.rdMask = lowMask(readBits);
    this.rdStep = readSpill > 0 ? 1 : 0;
    this.rdHiMask = lowMask(readSpill);
    this.rdHiShift = readSpill > 0 ? 32 - shift : 0;

    const spill = Math.max(0, shift + nrBits - 32);
    this.wrHalf = half;
    this.wrShift = shift;
    this.wrMask = (lowMask(nrBits - spill) << shift) | 0;
    this.wrKeep = ~this.wrMask;
    this.wrStep = spill > 0 ? 1 : 0;
    // idx has at most 16 bits; a right shift of 31 (instead of 32, which JS takes as 0) yields
    // the 0 that the field's bits above the index must hold.
    this.wrHiShift = Math.min(31, 32 - shift);
    this.wrHiMask = lowMask(spill);
    this.wrHiKeep = ~this.wrHiMask;
  }
}
