/**
 * mm/vmalloc.c: vm_area_alloc_pages() — the physical pages behind vmalloc and execmem come from
 * the buddy allocator, order 0, charged to current->alloc_tag (the vmalloc caller's tag).
 */

import type { PageProvider } from '@allocprof/execmem-vmalloc';
import { KernelError } from '../kernel/errno';
import { GFP_KERNEL } from './gfp';
import type { BuddyAllocator } from './page_alloc';

/**
 * The buddy allocator as execmem-vmalloc's PageProvider. The vmalloc space is set up before
 * mm_core_init() hands memory to the buddy allocator, so the allocator is attached later;
 * asking for pages before that fails like an allocation before the allocator is up.
 */
export class BuddyPageProvider implements PageProvider {
  private alloc: BuddyAllocator | null;
  private readonly gfp: number;

  constructor(alloc: BuddyAllocator | null = null, gfp: number = GFP_KERNEL) {
    this.alloc = alloc;
    this.gfp = gfp;
  }

  /** Connect the page allocator once it exists. */
  attach(alloc: BuddyAllocator): void {
    this.alloc = alloc;
  }

  /** alloc_pages_bulk_array_node(): appends pfns to `out`, returns how many (may be fewer). */
  allocPagesBulk(nrPages: number, out: number[]): number {
    return this.alloc === null ? 0 : this.alloc.allocPagesBulk(nrPages, out, this.gfp);
  }

  /** __free_page() of a vmalloc page. */
  freePage(pfn: number): void {
    if (this.alloc === null)
      throw new KernelError('EINVAL', 'free of a vmalloc page before the page allocator exists');
    this.alloc.freePages(pfn, 0);
  }
}
