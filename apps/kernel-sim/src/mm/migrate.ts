/**
 * mm/migrate.c: migrate_folio() as the tag accounting sees it — a new folio of the same order is
 * allocated (charged to the caller's tag), folio_migrate_flags() swaps the two folios' tag
 * references (pgalloc_tag_swap), and freeing the old folio then removes the new folio's own
 * charge while the original allocation's charge stays, now on the new pages.
 */

import { KernelError } from '../kernel/errno';
import { __GFP_COMP, __GFP_NOWARN, GFP_HIGHUSER_MOVABLE } from './gfp';
import type { BuddyAllocator } from './page_alloc';

/**
 * Move the allocated block at `pfn` to new pages; returns the new pfn. Fails with EBUSY when
 * someone else holds a reference (the kernel's -EAGAIN from folio_migrate_mapping) and with
 * ENOMEM when no target can be allocated; nothing changes on failure.
 */
export function migrateFolio(alloc: BuddyAllocator, pfn: number, gfp: number = GFP_HIGHUSER_MOVABLE): number {
  const order = alloc.allocatedOrder(pfn);
  if (order < 0) throw new KernelError('EINVAL', `migrate: pfn ${pfn} is not an allocated block head`);
  if (alloc.pageCount(pfn) !== 1)
    throw new KernelError(
      'EBUSY',
      `migrate: pfn 0x${pfn.toString(16)} has ${alloc.pageCount(pfn)} references`,
    );
  const compound = alloc.isHead(pfn);
  const flags = (gfp | __GFP_NOWARN) & ~__GFP_COMP;
  const dst = alloc.allocPages(order, compound ? flags | __GFP_COMP : flags);
  if (dst < 0) throw new KernelError('ENOMEM', `migrate: no memory for an order-${order} target`);
  alloc.folioMigrateFlags(dst, pfn);
  alloc.freePages(pfn, order);
  return dst;
}
