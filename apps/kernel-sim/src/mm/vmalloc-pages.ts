/**
 * mm/vmalloc.c: vm_area_alloc_pages() — the physical pages behind vmalloc and execmem come from
 * the buddy allocator, order 0, charged to current->alloc_tag (the vmalloc caller's tag).
 */

import type { PageProvider } from '@allocprof/execmem-vmalloc';
import { GFP_KERNEL } from './gfp';
import type { BuddyAllocator } from './page_alloc';

/** The buddy allocator as execmem-vmalloc's PageProvider. */
export class BuddyPageProvider implements PageProvider {
  private readonly alloc: BuddyAllocator;
  private readonly gfp: number;

  constructor(alloc: BuddyAllocator, gfp: number = GFP_KERNEL) {
    this.alloc = alloc;
    this.gfp = gfp;
  }

  /** alloc_pages_bulk_array_node(): appends pfns to `out`, returns how many (may be fewer). */
  allocPagesBulk(nrPages: number, out: number[]): number {
    return this.alloc.allocPagesBulk(nrPages, out, this.gfp);
  }

  /** __free_page() of a vmalloc page. */
  freePage(pfn: number): void {
    this.alloc.freePages(pfn, 0);
  }
}
