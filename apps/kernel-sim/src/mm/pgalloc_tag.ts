/**
 * include/linux/pgalloc_tag.h as the page allocator calls it: the hooks alloc-tag chose at boot
 * for this kernel's backend (page_ext or page flags), each a small class whose pgalloc_tag_*()
 * test mem_alloc_profiling_key once and do the backend's work inline. Following one allocation:
 * page_alloc.ts post_alloc_hook → PageExtPgallocTagHooks / PageFlagsPgallocTagHooks
 * .pgallocTagAdd → the tag's per-CPU counters → /proc/allocinfo.
 */

import type { AllocTag, AllocTagSubsystem } from '@allocprof/alloc-tag';
import type { PageAllocHooks } from './page_alloc';

/** The page allocator hooks of a kernel built with CONFIG_MEM_ALLOC_PROFILING (after alloc_tag_sec_init()). */
export function pgallocTagHooks(at: AllocTagSubsystem): PageAllocHooks<AllocTag | null> {
  return at.pageHooks;
}
