/**
 * include/linux/mm_types.h: struct page as the simulator stores it — one 32-byte record per page
 * frame, all records in one ArrayBuffer (the memmap, `vmemmap[]`), so that every field the page
 * allocator touches for a page sits in the same cache line as its `flags` word.
 *
 * The kernel's struct page is 64 bytes on 64-bit (flags, the lru/buddy list links, mapping,
 * index, private, _mapcount/page_type, _refcount, memcg_data). The simulator keeps the fields its
 * allocator uses and drops mapping, index and memcg_data, which no simulated path reads; the
 * record is the next power of two, 32 bytes, so records never straddle a 64-byte line and two
 * records share each line. Host memory is 32 bytes per simulated page (512 MiB for 64G of RAM,
 * where 64-byte records would take 1 GiB and double the page faults of boot). Simulated
 * addresses (the memory-traffic accounting) keep the kernel's 64-byte stride: see
 * {@link STRUCT_PAGE_SIZE}.
 *
 * Words of a record (u32, little-endian halves for 64-bit `flags`):
 *
 *   0  flags (bits 0..31)        page->flags
 *   1  flags (bits 32..63)       (unused by 32-bit layouts)
 *   2  lru.next                  pfn of the next page on the free or per-CPU list, -1 = end
 *   3  lru.prev                  pfn of the previous page, -1 = this page is the list head
 *   4  private                   buddy order (page_private), or the order of an allocated block
 *   5  page_type                 PAGE_STATE_* (PageBuddy and the simulator's own states)
 *   6  _refcount                 references of an allocated block head
 *   7  _mapcount                 not used by the simulator (kept zero)
 *
 * The page allocator indexes the record with literal offsets (`(pfn << 3) + 6` for _refcount):
 * V8 does not constant-fold an imported binding, and the per-page paths are where every load
 * counts. The constants below name the same offsets for everything else, and the tests check
 * that both agree.
 */

/** sizeof(struct page) on 64-bit: the kernel's memmap stride (simulated addresses use it). */
export const STRUCT_PAGE_SIZE = 64;
/** Bytes of host memory per simulated page frame: one record. */
export const PAGE_RECORD_BYTES = 32;
/** u32 words per record (PAGE_RECORD_BYTES / 4); the allocator writes `pfn << 3`. */
export const PAGE_RECORD_WORDS = 8;
/** log2(PAGE_RECORD_WORDS). */
export const PAGE_RECORD_SHIFT = 3;

/** Word of page->flags (bits 0..31; bits 32..63 in the next word). */
export const PR_FLAGS = 0;
/** Word of lru.next. */
export const PR_LRU_NEXT = 2;
/** Word of lru.prev. */
export const PR_LRU_PREV = 3;
/** Word of page_private (order). */
export const PR_PRIVATE = 4;
/** Word of page_type (PAGE_STATE_*). */
export const PR_PAGE_TYPE = 5;
/** Word of _refcount. */
export const PR_REFCOUNT = 6;

/** Byte offsets of the same fields in the kernel's 64-byte struct page (x86_64). */
export const STRUCT_PAGE_OFFSETS: Readonly<Record<number, number>> = Object.freeze({
  [PR_FLAGS]: 0,
  [PR_FLAGS + 1]: 4,
  [PR_LRU_NEXT]: 8,
  [PR_LRU_PREV]: 16,
  [PR_PRIVATE]: 40,
  [PR_PAGE_TYPE]: 48,
  [PR_REFCOUNT]: 52,
  7: 48,
});

/** Host bytes of the memmap of `nrPages` page frames. */
export function memmapHostBytes(nrPages: number): number {
  return nrPages * PAGE_RECORD_BYTES;
}
