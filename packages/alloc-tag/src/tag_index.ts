import { CODETAG_EMPTY, CODETAG_ID_EMPTY, CODETAG_ID_FIRST, CODETAG_ID_NULL } from '@allocprof/codetag';
import type { TagIndex } from '@allocprof/pgalloc-tag';
import { ALLOC_TAG_SIZE, formatTagAddress, type Printk } from './types';

/** typedef u16 pgalloc_tag_idx */
const IDX_MASK = 0xffff;
const INT32_MAX = 0x7fffffff;

/**
 * include/linux/pgalloc_tag.h: idx_to_ref() / ref_to_idx() of compressed mode — tag
 * index 0 NULL, 1 EMPTY, 2.. kernel tags (`kernel_tags.first_tag`, K), then module-area slots
 * counted in 40-byte steps from `module_tags.first_tag`. Results are truncated to u16; there is
 * no validity check, so indices past the mask alias exactly as in the kernel.
 *
 * Without CONFIG_MODULES a module index decodes to NULL with `invalid page tag reference %lu` and a
 * non-kernel tag encodes to 0 with `invalid page tag 0x%lx`.
 *
 * The per-page paths spell CODETAG_ID_NULL/EMPTY/FIRST (0, 1, 2) and ALLOC_TAG_SIZE (40) as
 * literals: V8 does not fold an imported constant, and a division by a loaded value is a hardware
 * division, where `(int32 / 40) | 0` is a multiply and a shift.
 */
export class AllocTagIndex implements TagIndex {
  /** kernel_tags.first_tag (address); set by alloc_tag_sec_init() in compressed mode. */
  kernelFirst = 0;
  /** kernel_tags.count (K). */
  kernelCount = 0;
  /** module_tags.first_tag (the aligned start of the module tag area). */
  moduleFirst = 0;
  private readonly debug: boolean;
  private readonly modules: boolean;
  private readonly printk: Printk;

  constructor(opts: { debug: boolean; modules: boolean; printk: Printk }) {
    this.debug = opts.debug;
    this.modules = opts.modules;
    this.printk = opts.printk;
  }

  /**
   * idx_to_ref(). NULL and kernel indices are the common cases and stay small enough for V8 to
   * inline into the backend's get (a tag address returned from a call that is not inlined would be
   * boxed on the heap per page).
   */
  idxToRef(idx: number): number {
    if (idx === 0) return 0;
    const j = idx - 2;
    if (j >= 0 && j < this.kernelCount) return this.kernelFirst + j * 40;
    return this.idxToRefOther(idx);
  }

  /** ref_to_idx(); NULL and kernel tags first, as in idxToRef(). */
  refToIdx(ref: number): number {
    if (ref === 0) return 0;
    if (this.debug && ref === 1) return 1;
    const k = ref - this.kernelFirst;
    // Inside the kernel array (in practice far below 2 GiB) the offset is an int32.
    if (k >= 0 && k < this.kernelCount * 40) {
      if (k <= INT32_MAX) return (2 + (((k | 0) / 40) | 0)) & IDX_MASK;
      return (CODETAG_ID_FIRST + Math.floor(k / ALLOC_TAG_SIZE)) & IDX_MASK;
    }
    if (!this.modules) return this.invalidTag(ref);
    return (
      (CODETAG_ID_FIRST + this.kernelCount + Math.trunc((ref - this.moduleFirst) / ALLOC_TAG_SIZE)) & IDX_MASK
    );
  }

  /** idx_to_ref() of EMPTY and module-area indices. */
  private idxToRefOther(idx: number): number {
    // set_codetag_empty(): EMPTY with DEBUG, NULL otherwise (6.13).
    if (idx === CODETAG_ID_EMPTY) return this.debug ? CODETAG_EMPTY : 0;
    const j = idx - CODETAG_ID_FIRST;
    if (!this.modules) {
      this.printk.printk('warning', `invalid page tag reference ${idx}`);
      return 0;
    }
    return this.moduleFirst + (j - this.kernelCount) * ALLOC_TAG_SIZE;
  }

  /** ref_to_idx() without CONFIG_MODULES of a tag outside the kernel array. */
  private invalidTag(ref: number): number {
    this.printk.printk('warning', `invalid page tag ${formatTagAddress(ref)}`);
    return CODETAG_ID_NULL;
  }
}
