/**
 * include/linux/pgalloc_tag.h as the page allocator calls it: the hooks alloc-tag chose at boot
 * for this kernel's backend (page_ext or page flags), each a small class whose pgalloc_tag_*()
 * test mem_alloc_profiling_key once and do the backend's work inline. Following one allocation:
 * page_alloc.ts post_alloc_hook → PageExtPgallocTagHooks / PageFlagsPgallocTagHooks
 * .pgallocTagAdd → the tag's per-CPU counters → /proc/allocinfo.
 *
 * A kernel is compiled with one set of inline hooks. In V8, a method's type feedback is shared by
 * every instance of its class, so if kernels of both backends ran the same allocPages(), its hook
 * call would see two hook classes and be compiled for both. Each backend therefore gets its own
 * subclass of HookedPageAllocator holding its own copy of the three methods that call a hook on
 * every allocation and free (the bodies are HookedPageAllocator's, unchanged).
 */

import {
  type AllocTag,
  type AllocTagSubsystem,
  PageExtPgallocTagHooks,
  PageFlagsPgallocTagHooks,
} from '@allocprof/alloc-tag';
import { GFP_KERNEL } from './gfp';
import { HookedPageAllocator, type PageAllocatorOptions } from './page_alloc';

/** The allocator of a boot with references in page_ext. */
class PageExtRefsPageAllocator extends HookedPageAllocator<AllocTag | null> {
  override allocPages(order: number, gfp: number = GFP_KERNEL, nid = -1): number {
    const pfn = this.rmqueueAlloc(order, gfp, nid);
    if (pfn < 0) return -1;
    this.prepNewPage(pfn, order, gfp);
    this.hooks.pgallocTagAdd(pfn, this.ctx.current, 1 << order);
    return pfn;
  }

  override freePages(pfn: number, order: number): void {
    this.checkFree(pfn, order, '__free_pages');
    const head = this.isHead(pfn);
    const tag = this.hooks.pgallocTagGet(pfn);
    if (--this.mem[(pfn << 3) + 6]! === 0) this.freeFrozenPages(pfn, order);
    else if (!head) this.freeTailChunks(pfn, order, tag);
  }

  protected override freeFrozenPages(pfn: number, order: number): void {
    this.hooks.pgallocTagSub(pfn, 1 << order);
    if (order === 0 && this.isHwPoison(pfn)) this.freePoisonedPage(pfn);
    else this.freeUnrefPage(pfn, order);
  }
}

/** The allocator of a boot with references in page flags (compressed). */
class PageFlagsRefsPageAllocator extends HookedPageAllocator<AllocTag | null> {
  override allocPages(order: number, gfp: number = GFP_KERNEL, nid = -1): number {
    const pfn = this.rmqueueAlloc(order, gfp, nid);
    if (pfn < 0) return -1;
    this.prepNewPage(pfn, order, gfp);
    this.hooks.pgallocTagAdd(pfn, this.ctx.current, 1 << order);
    return pfn;
  }

  override freePages(pfn: number, order: number): void {
    this.checkFree(pfn, order, '__free_pages');
    const head = this.isHead(pfn);
    const tag = this.hooks.pgallocTagGet(pfn);
    if (--this.mem[(pfn << 3) + 6]! === 0) this.freeFrozenPages(pfn, order);
    else if (!head) this.freeTailChunks(pfn, order, tag);
  }

  protected override freeFrozenPages(pfn: number, order: number): void {
    this.hooks.pgallocTagSub(pfn, 1 << order);
    if (order === 0 && this.isHwPoison(pfn)) this.freePoisonedPage(pfn);
    else this.freeUnrefPage(pfn, order);
  }
}

/**
 * The page allocator of a kernel built with CONFIG_MEM_ALLOC_PROFILING, with the hooks
 * alloc_tag_sec_init() settled on (take it after allocTagSecInit()).
 */
export function hookedPageAllocator(
  opts: PageAllocatorOptions,
  at: AllocTagSubsystem,
): HookedPageAllocator<AllocTag | null> {
  const hooks = at.pageHooks;
  if (hooks instanceof PageFlagsPgallocTagHooks) return new PageFlagsRefsPageAllocator(opts, hooks);
  if (hooks instanceof PageExtPgallocTagHooks) return new PageExtRefsPageAllocator(opts, hooks);
  return new HookedPageAllocator(opts, hooks);
}
