/**
 * include/linux/pgalloc_tag.h as the page allocator calls it: the §6.7 hooks of
 * HookedPageAllocator bound to alloc-tag's pgalloc_tag_*() functions, charging `current`.
 * Following one allocation: page_alloc.ts post_alloc_hook → PgallocTagHooks.postAllocHook →
 * AllocTagSubsystem.pgallocTagAdd → the tag's per-CPU counters → /proc/allocinfo.
 *
 * Each hook is an inline function in the kernel whose first statement is
 * mem_alloc_profiling_enabled(), a static branch patched into the caller; testing the key here,
 * before delegating, keeps a built-in but switched-off profiler as cheap as that branch.
 */

import type { AllocTag, AllocTagSubsystem, MemProfilingState, TaskStruct } from '@allocprof/alloc-tag';
import type { PageAllocHooks } from './page_alloc';

/** The page allocator hooks of a kernel built with CONFIG_MEM_ALLOC_PROFILING. */
export class PgallocTagHooks implements PageAllocHooks<AllocTag | null> {
  private readonly at: AllocTagSubsystem;
  private readonly state: MemProfilingState;

  constructor(at: AllocTagSubsystem) {
    this.at = at;
    this.state = at.state;
  }

  /** post_alloc_hook(): pgalloc_tag_add(page, current, 1 << order). */
  pgallocTagAdd(pfn: number, task: TaskStruct, nr: number): void {
    if (this.state.key) this.at.pgallocTagAdd(pfn, task, nr);
  }

  /** free_pages_prepare(): pgalloc_tag_sub(page, 1 << order). */
  pgallocTagSub(pfn: number, nr: number): void {
    if (this.state.key) this.at.pgallocTagSub(pfn, nr);
  }

  /** __free_pages(): pgalloc_tag_get(page). */
  pgallocTagGet(pfn: number): AllocTag | null {
    return this.state.key ? this.at.pgallocTagGet(pfn) : null;
  }

  /** __free_pages(): pgalloc_tag_sub_pages(tag, nr). */
  pgallocTagSubPages(tag: AllocTag | null, nrPages: number): void {
    if (this.state.key) this.at.pgallocTagSubPages(tag, nrPages);
  }

  /** split_page() / folio split: pgalloc_tag_split(folio, old_order, new_order). */
  pgallocTagSplit(pfn: number, oldOrder: number, newOrder: number): void {
    if (this.state.key) this.at.pgallocTagSplit(pfn, oldOrder, newOrder);
  }

  /** folio_migrate_flags(): pgalloc_tag_copy(new, old). */
  pgallocTagCopy(newPfn: number, oldPfn: number, order: number): void {
    if (this.state.key) this.at.pgallocTagCopy(newPfn, oldPfn, order);
  }

  /** memblock_free_pages() / free_reserved_page(): clear_page_tag_ref(page). */
  clearPageTagRef(pfn: number): void {
    if (this.state.key) this.at.clearPageTagRef(pfn);
  }
}
