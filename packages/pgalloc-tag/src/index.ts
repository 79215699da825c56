/**
 * @allocprof/pgalloc-tag — page allocation tag references (include/linux/pgalloc_tag.h,
 * patches 5 and 6 of the page allocation tag compression series).
 */

export {
  /** FLATMEM page_ext: one table per node. */
  FlatPageExt,
  /** Options of FlatPageExt. */
  type FlatPageExtOptions,
  /** Word of section->page_ext in a struct mem_section record. */
  MS_PAGE_EXT,
  /** u32 words of one struct mem_section in SparsePageExt.sections. */
  MS_WORDS,
  /** The bit offline_page_ext() sets in section->page_ext. */
  PAGE_EXT_INVALID,
  /** What the page_ext backend needs from mm/page_ext.c (page_ext_get/put and the entries). */
  type PageExtMemory,
  /** Host slots of a page_ext entry arena (for host memory estimates). */
  pageExtArenaSlots,
  /** SECTION_MARKED_PRESENT of section_mem_map. */
  SECTION_MARKED_PRESENT,
  /** sizeof(struct mem_section) with CONFIG_PAGE_EXTENSION. */
  SIZEOF_MEM_SECTION,
  /** SPARSEMEM page_ext: mem_section roots, sections, one table per section. */
  SparsePageExt,
  /** Options of SparsePageExt. */
  type SparsePageExtOptions,
} from './page-ext';
export {
  /** Description of the page_ext client (what need() consults). */
  type PageAllocTaggingState,
  /** A page_ext client as kernel-sim's page_ext framework consumes it. */
  type PageExtOperations,
  /** page_ext backend (compressed key off). */
  PageExtTagRefs,
  /** Options of PageExtTagRefs. */
  type PageExtTagRefsOptions,
  /** page_alloc_tagging_ops: the page_ext client of allocation tagging. */
  pageAllocTaggingOps,
} from './page-ext-refs';
export {
  /** page-flags backend of patch 6 (compressed key on). */
  PageFlagsTagRefs,
  /** Options of PageFlagsTagRefs. */
  type PageFlagsTagRefsOptions,
  /** The part of PageFlagsArray the page-flags backend uses. */
  type PageFlagsWords,
  /** Width of pgalloc_tag_idx (u16). */
  PGALLOC_TAG_IDX_BITS,
  /** Mask of pgalloc_tag_idx (0xffff). */
  PGALLOC_TAG_IDX_MASK,
} from './page-flags';
export {
  /** Kernel log level. */
  type LogLevel,
  /** The backend interface chosen at boot. */
  type PageTagRefs,
  /** Location reported by this package's WARN_ON()s. */
  PGALLOC_TAG_H,
  /** Handle value meaning NULL. */
  PGTAG_REF_HANDLE_NONE,
  /** Errno names PgallocTagError carries. */
  type PgallocTagErrno,
  /** Typed error with an errno `code`. */
  PgallocTagError,
  /** Reusable get/update/put state (union pgtag_ref_handle + local codetag_ref). */
  PgtagRefHandle,
  /** Kernel log sink. */
  type Printk,
  /** Index <-> tag reference mapping of compressed mode, implemented by alloc-tag. */
  type TagIndex,
  /** WARN_ON() without a message. */
  warnOn,
} from './types';
