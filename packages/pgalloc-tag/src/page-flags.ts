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

/** The part of PageFlagsArray this backend uses (the memmap's page->flags words). */
export type PageFlagsWords = Pick<PageFlagsArray, 'layout' | 'nrPages' | 'getBits' | 'setBits'>;

export interface PageFlagsTagRefsOptions {
  flags: PageFlagsWords;
  tagIndex: TagIndex;
  printk: Printk;
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
 * read back as NULL/EMPTY or as another tag — the aliasing §6.3 describes, reproduced here rather
 * than prevented.
 */
export class PageFlagsTagRefs implements PageTagRefs {
  readonly kind = 'page_flags' as const;
  readonly bytes = 0;
  /** BITS_PER_LONG of the flags words (from their layout). */
  readonly bitsPerLong: number;
  readonly nrPages: number;

  private readonly flags: PageFlagsWords;
  private readonly tagIndex: TagIndex;
  private readonly printk: Printk;
  private refOffs = 0;
  private refMask = 0;
  private refBits = 0;
  /** Bits read per get: min(N, 16) — the u16 of `idx`. */
  private readWidth = 0;
  /** mask & 0xffff: what survives of an index on store. */
  private idxMask = 0;
  /**
   * setBits takes at most 32 bits, so the field is written as [offs, offs + writeLo) and
   * [offs + 32, offs + 32 + writeHi).
   */
  private writeLo = 0;
  private writeHi = 0;

  constructor(opts: PageFlagsTagRefsOptions) {
    this.bitsPerLong = opts.flags.layout.BITS_PER_LONG;
    this.flags = opts.flags;
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
    if (pfn >>> 0 !== pfn || pfn >= this.nrPages) {
      h.handle = PGTAG_REF_HANDLE_NONE;
      return false;
    }
    const idx = this.readWidth === 0 ? 0 : this.flags.getBits(pfn, this.refOffs, this.readWidth);
    h.ref = this.tagIndex.idxToRef(idx);
    h.handle = pfn;
    return true;
  }

  /**
   * include/linux/pgalloc_tag.h: update_page_tag_ref(), page-flags path — idx := ref_to_idx(ref)
   * as u16, & mask, then replace only the tag field of the flags word. The kernel's cmpxchg loop
   * exists for concurrent flag updates; here setBits is the same read-modify-write, atomic
   * because the simulation is single-threaded.
   */
  updatePageTagRef(h: PgtagRefHandle | null): void {
    if (h === null || !(h.handle >= 0 && h.handle < this.nrPages)) {
      warnOn(this.printk, PGALLOC_TAG_H, 'update_page_tag_ref');
      return;
    }
    const idx = this.tagIndex.refToIdx(h.ref) & this.idxMask;
    if (this.writeLo === 0) return;
    this.flags.setBits(h.handle, this.refOffs, this.writeLo, idx);
    if (this.writeHi !== 0) this.flags.setBits(h.handle, this.refOffs + 32, this.writeHi, 0);
  }

  /** include/linux/pgalloc_tag.h: put_page_tag_ref(), page-flags path — nothing to release. */
  putPageTagRef(h: PgtagRefHandle | null): void {
    if (h === null || !(h.handle >= 0)) {
      warnOn(this.printk, PGALLOC_TAG_H, 'put_page_tag_ref');
    }
  }

  private setField(offs: number, nrBits: number): void {
    this.refOffs = offs;
    this.refBits = nrBits;
    this.refMask = nrBits === 0 ? 0 : 2 ** nrBits - 1;
    this.readWidth = Math.min(nrBits, PGALLOC_TAG_IDX_BITS);
    this.idxMask = nrBits >= PGALLOC_TAG_IDX_BITS ? PGALLOC_TAG_IDX_MASK : this.refMask;
    this.writeLo = Math.min(nrBits, 32);
    this.writeHi = nrBits - this.writeLo;
  }
}
