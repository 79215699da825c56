import { CODETAG_EMPTY, CODETAG_ID_EMPTY, CODETAG_ID_FIRST, CODETAG_ID_NULL } from '@allocprof/codetag';
import type { TagIndex } from '@allocprof/pgalloc-tag';
import { ALLOC_TAG_SIZE, formatTagAddress, type Printk } from './types';

/** typedef u16 pgalloc_tag_idx */
const IDX_MASK = 0xffff;

/**
 * include/linux/pgalloc_tag.h: idx_to_ref() / ref_to_idx() of compressed mode (§6.3) — tag
 * index 0 NULL, 1 EMPTY, 2.. kernel tags (`kernel_tags.first_tag`, K), then module-area slots
 * counted in 40-byte steps from `module_tags.first_tag`. Results are truncated to u16; there is
 * no validity check, so indices past the mask alias exactly as in the kernel.
 *
 * Without CONFIG_MODULES a module index decodes to NULL with `invalid page tag reference %lu` and a
 * non-kernel tag encodes to 0 with `invalid page tag 0x%lx`.
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

  /** idx_to_ref() */
  idxToRef(idx: number): number {
    if (idx === CODETAG_ID_NULL) return 0;
    // set_codetag_empty(): EMPTY with DEBUG, NULL otherwise (6.13).
    if (idx === CODETAG_ID_EMPTY) return this.debug ? CODETAG_EMPTY : 0;
    const j = idx - CODETAG_ID_FIRST;
    if (j < this.kernelCount) return this.kernelFirst + j * ALLOC_TAG_SIZE;
    if (!this.modules) {
      this.printk.printk('warning', `invalid page tag reference ${idx}`);
      return 0;
    }
    return this.moduleFirst + (j - this.kernelCount) * ALLOC_TAG_SIZE;
  }

  /** ref_to_idx() */
  refToIdx(ref: number): number {
    if (ref === 0) return CODETAG_ID_NULL;
    if (this.debug && ref === CODETAG_EMPTY) return CODETAG_ID_EMPTY;
    const k = ref - this.kernelFirst;
    if (k >= 0 && k < this.kernelCount * ALLOC_TAG_SIZE) {
      return (CODETAG_ID_FIRST + Math.trunc(k / ALLOC_TAG_SIZE)) & IDX_MASK;
    }
    if (!this.modules) {
      this.printk.printk('warning', `invalid page tag ${formatTagAddress(ref)}`);
      return CODETAG_ID_NULL;
    }
    return (
      (CODETAG_ID_FIRST + this.kernelCount + Math.trunc((ref - this.moduleFirst) / ALLOC_TAG_SIZE)) & IDX_MASK
    );
  }
}
