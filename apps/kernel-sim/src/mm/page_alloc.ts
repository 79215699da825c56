/**
 * mm/page_alloc.c: the buddy page allocator — per-zone free lists of orders 0..MAX_PAGE_ORDER,
 * buddy splitting (expand) and merging (__free_one_page), per-CPU page lists for small orders
 * with batch refill and drain, zone watermarks and lowmem reserves, split_page(), the
 * `__free_pages` partial-free rule, compound (folio) heads, and fail_page_alloc fault injection.
 *
 * Two concrete allocators share the free-list core: `NoHooksPageAllocator` is the kernel built
 * without CONFIG_MEM_ALLOC_PROFILING (the hooks do not exist, nothing is checked for them) and
 * `HookedPageAllocator` calls the hooks of include/linux/pgalloc_tag.h where mm/page_alloc.c calls
 * pgalloc_tag_*().
 *
 * Per-page state is the page's `struct page` record in the memmap (mm_types.ts): the free and
 * per-CPU lists are intrusive doubly linked lists through lru.next/lru.prev, the block order is
 * page_private, PageBuddy/on-pcp/allocated is page_type, and page_zone() reads the zone from
 * page->flags — so one record, one cache line, holds everything the allocator touches for a
 * page, as in the kernel. The per-page paths index the records as `mem[(pfn << 3) + w]`, the
 * word numbers of mm_types.ts spelled as literals (V8 does not fold an imported constant):
 *
 *   0/1 flags   2 lru.next   3 lru.prev   4 private (order)   5 page_type (state)   6 _refcount
 *
 * Zone and per-CPU data are the typed arrays of mmzone.ts, indexed the same way.
 */

import { KernelError } from '../kernel/errno';
import type { Printk } from '../kernel/printk';
import type { TaskContext, TaskStruct } from '../sched/current';
import {
  __GFP_COMP,
  __GFP_HIGH,
  __GFP_NOWARN,
  formatGfp,
  GFP_KERNEL,
  gfpZoneType,
  ZONE_TYPE_HIGHMEM,
  ZONE_TYPE_MOVABLE,
} from './gfp';
import { MAX_PAGE_ORDER, type MemMap, PAGE_SHIFT, PAGE_SIZE, ZONE_TYPES } from './memmap';
import {
  PAGE_RECORD_WORDS,
  PR_LRU_NEXT,
  PR_LRU_PREV,
  PR_PAGE_TYPE,
  PR_PRIVATE,
  PR_REFCOUNT,
} from './mm_types';
import { NR_PCP_ORDERS, PAGE_ALLOC_COSTLY_ORDER, PCP_LISTS, PCP_TAILS, PCP_WORDS, Zone } from './mmzone';

// per_cpu_pages words (mmzone.ts): `cpu * 11` count, +1 high, +2 batch, +3 + order list head,
// +7 + order list tail.

export { PAGE_ALLOC_COSTLY_ORDER, Zone };

/** What a block head is (page_type); tail pages of any block stay PAGE_STATE_NONE. */
export const PAGE_STATE_NONE = 0;
/** PageBuddy(): head of a free block on a zone free list (order in page_private). */
export const PAGE_STATE_BUDDY = 1;
/** Free block on a per-CPU list (counted as taken from the zone, as NR_FREE_PAGES does). */
export const PAGE_STATE_PCP = 2;
/** Allocated block head (order in page_private, references in _refcount). */
export const PAGE_STATE_ALLOCATED = 3;
/** PageReserved(): memblock-reserved at boot, never handed to the buddy allocator. */
export const PAGE_STATE_RESERVED = 4;
/** PageHWPoison() page taken out of use when it was freed (memory_failure). */
export const PAGE_STATE_HWPOISON = 5;

const NONE = -1;

/** mm/page_alloc.c: sysctl_lowmem_reserve_ratio, by enum zone_type. */
const LOWMEM_RESERVE_RATIO = [256, 256, 32, 0, 0, 0];
/** mm/page_alloc.c: watermark_scale_factor default (0.1 % of the zone). */
const WATERMARK_SCALE_FACTOR = 10;

/**
 * include/linux/pgalloc_tag.h as mm/page_alloc.c and friends call it (post_alloc_hook(),
 * free_pages_prepare(), __free_pages(), split_page(), folio_migrate_flags(), the memblock
 * release). Provided by alloc-tag's hooks for the backend chosen at boot; absent (not a no-op
 * object, absent) in the nohooks build. Each hook tests mem_alloc_profiling_key first.
 */
export interface PageAllocHooks<Tag = unknown> {
  /** post_alloc_hook() → pgalloc_tag_add(page, current, 1 << order). */
  pgallocTagAdd(pfn: number, task: TaskStruct, nr: number): void;
  /** free_pages_prepare() → pgalloc_tag_sub(page, 1 << order). */
  pgallocTagSub(pfn: number, nr: number): void;
  /** __free_pages() → pgalloc_tag_get(page) before the reference is dropped. */
  pgallocTagGet(pfn: number): Tag;
  /** __free_pages() partial free → pgalloc_tag_sub_pages(tag, nr). */
  pgallocTagSubPages(tag: Tag, nrPages: number): void;
  /** split_page() / folio split → pgalloc_tag_split(folio, old_order, new_order). */
  pgallocTagSplit(pfn: number, oldOrder: number, newOrder: number): void;
  /** folio_migrate_flags() → pgalloc_tag_swap(new, old): the two folios exchange tag references. */
  pgallocTagSwap(newPfn: number, oldPfn: number): void;
  /** memblock release, free_reserved_page() → clear_page_tag_ref(page). */
  clearPageTagRef(pfn: number): void;
}

/** Constructor options shared by both allocators. */
export interface PageAllocatorOptions {
  memmap: MemMap;
  ctx: TaskContext;
  printk: Printk;
  /** Bit number of PG_head in this configuration's enum pageflags. */
  pgHead: number;
  /** Bit number of PG_reserved. */
  pgReserved: number;
  /** Bit number of PG_hwpoison, absent without CONFIG_MEMORY_FAILURE. */
  pgHwpoison?: number;
}

/** A snapshot of the allocator's counters (for /proc/meminfo, /proc/zoneinfo and tests). */
export interface PageAllocStats {
  /** Page frames in the memmap. */
  readonly totalPages: number;
  /** totalram_pages(): pages handed to the buddy allocator. */
  readonly managedPages: number;
  /** NR_FREE_PAGES over all zones. */
  readonly freePages: number;
  /** Free pages parked on per-CPU lists. */
  readonly pcpPages: number;
  /** Pages currently allocated. */
  readonly allocatedPages: number;
  /** Pages reserved at boot and never released. */
  readonly reservedPages: number;
  /** Hardware-poisoned pages taken out of use (num_poisoned_pages). */
  readonly poisonedPages: number;
}

/**
 * The free-list core shared by both allocators: zones, buddy lists, per-CPU lists, watermarks,
 * fault injection. It never calls a hook; the concrete classes add the public operations.
 */
export abstract class BuddyAllocator {
  readonly memmap: MemMap;
  readonly nrPages: number;
  readonly zones: readonly Zone[];
  /** node_zonelists[nid]: zones to try, local node first, highest zone first. */
  readonly zonelists: readonly (readonly Zone[])[];
  /**
   * The memmap's struct page records as int32 words (MemMap.mem). Not readonly: the
   * memory-traffic accounting swaps in a recording view of the same words after boot.
   */
  mem: Int32Array;
  protected readonly ctx: TaskContext;
  protected readonly printk: Printk;
  protected readonly pgHead: number;
  protected readonly pgReserved: number;
  /** 1 << PG_head (a bit of the flags word's low half). */
  private readonly headMask: number;
  /** 1 << PG_hwpoison (0 without CONFIG_MEMORY_FAILURE). */
  private readonly hwpoisonMask: number;
  /** highest configured zone index per enum zone_type (gfp_zone mapped onto this config). */
  private readonly highestIdxForType: Int8Array;
  /**
   * page_zone(): the zone field of page->flags is bits [zoneShift, zoneShift + width) of word
   * zoneWord of the record, the node field likewise; zoneTable[nid * zonesPerNode + zone].
   * nodeMask 0: one node, or the node is not in page->flags (then nodeOfPfn() finds it).
   */
  private readonly zoneWord: number;
  private readonly zoneShift: number;
  private readonly zoneMask: number;
  private readonly nodeWord: number;
  private readonly nodeShift: number;
  private readonly nodeMask: number;
  private readonly nodeNotInFlags: boolean;
  private readonly zonesPerNode: number;
  private readonly zoneTable: Zone[];
  protected allocated = 0;
  protected reserved = 0;
  protected poisoned = 0;
  /** show_mem(): the rest of the allocation failure report, printed after warn_alloc's line. */
  showMem: (() => void) | null = null;
  private failTimes = 0;
  private failSpace = 0;

  constructor(opts: PageAllocatorOptions) {
    // The per-page paths spell the record layouts as literals; they must be these.
    if (
      PAGE_RECORD_WORDS !== 8 ||
      PR_LRU_NEXT !== 2 ||
      PR_LRU_PREV !== 3 ||
      PR_PRIVATE !== 4 ||
      PR_PAGE_TYPE !== 5 ||
      PR_REFCOUNT !== 6 ||
      PCP_WORDS !== 11 ||
      PCP_LISTS !== 3 ||
      PCP_TAILS !== 7
    )
      throw new Error('struct page / per_cpu_pages layout and the page allocator disagree');
    const mm = opts.memmap;
    this.memmap = mm;
    this.nrPages = mm.nrPages;
    this.mem = mm.mem;
    this.ctx = opts.ctx;
    this.printk = opts.printk;
    this.pgHead = opts.pgHead;
    this.pgReserved = opts.pgReserved;
    if (!(opts.pgHead >= 0 && opts.pgHead < 32))
      throw new KernelError('EINVAL', `PG_head must be bit 0..31, got ${opts.pgHead}`);
    const flagBits = mm.flags.wordsPerPage * 32;
    if (!(Number.isInteger(opts.pgReserved) && opts.pgReserved >= 0 && opts.pgReserved < flagBits))
      throw new KernelError('EINVAL', `PG_reserved must be bit 0..${flagBits - 1}, got ${opts.pgReserved}`);
    this.headMask = 1 << opts.pgHead;
    const hw = opts.pgHwpoison;
    if (hw !== undefined && !(hw >= 0 && hw < 32))
      throw new KernelError('EINVAL', `PG_hwpoison must be bit 0..31, got ${hw}`);
    this.hwpoisonMask = hw === undefined ? 0 : 1 << hw;
    this.zonesPerNode = Math.max(...mm.zones.map((z) => z.zoneIdx)) + 1;
    this.zones = mm.zones.map((z) => new Zone(z, this.zonesPerNode, opts.ctx.nrCpus));
    // build_zonerefs_node(): only populated zones are in a zonelist.
    const populated = this.zones.filter((z) => z.presentPages > 0);
    this.zonelists = mm.nodes.map((n) => {
      const local = populated.filter((z) => z.nid === n.nid).sort((a, b) => b.zoneIdx - a.zoneIdx);
      const remote = populated
        .filter((z) => z.nid !== n.nid)
        .sort((a, b) => b.zoneIdx - a.zoneIdx || a.nid - b.nid);
      return [...local, ...remote];
    });
    this.highestIdxForType = new Int8Array(ZONE_TYPES.length).fill(-1);
    for (let t = 0; t < ZONE_TYPES.length; t++) {
      for (const z of this.zones)
        if (z.zoneType <= t && z.zoneIdx > this.highestIdxForType[t]!) this.highestIdxForType[t] = z.zoneIdx;
    }
    this.zoneTable = [];
    for (const z of this.zones) this.zoneTable[z.nid * this.zonesPerNode + z.zoneIdx] = z;
    const L = mm.layout;
    const zf = fieldInHalf(L.ZONES_PGSHIFT, L.ZONES_WIDTH);
    if (zf === null) throw new KernelError('EINVAL', 'the zone field of page->flags straddles bit 32');
    [this.zoneWord, this.zoneShift, this.zoneMask] = zf;
    const nf = fieldInHalf(L.NODES_PGSHIFT, L.NODES_WIDTH);
    this.nodeNotInFlags = mm.nodes.length > 1 && (L.NODES_WIDTH === 0 || nf === null);
    [this.nodeWord, this.nodeShift, this.nodeMask] = nf ?? [0, 0, 0];
    if (this.nodeNotInFlags) this.nodeMask = 0;
  }

  /** page_type of the record (PAGE_STATE_*). */
  pageState(pfn: number): number {
    return this.mem[(pfn << 3) + 5]!;
  }

  // ---------------------------------------------------------------- intrusive lists

  /** list_add(&page->lru, head): `heads[slot]` is the list head (pfn, -1 = empty). */
  private listAdd(heads: Int32Array, slot: number, pfn: number): void {
    const mem = this.mem;
    const h = heads[slot]!;
    mem[(pfn << 3) + 2] = h;
    mem[(pfn << 3) + 3] = NONE;
    if (h !== NONE) mem[(h << 3) + 3] = pfn;
    heads[slot] = pfn;
  }

  /** list_del(&page->lru). */
  private listDel(heads: Int32Array, slot: number, pfn: number): void {
    const mem = this.mem;
    const n = mem[(pfn << 3) + 2]!;
    const p = mem[(pfn << 3) + 3]!;
    if (p !== NONE) mem[(p << 3) + 2] = n;
    else heads[slot] = n;
    if (n !== NONE) mem[(n << 3) + 3] = p;
  }

  /** list_add(&page->pcp_list, &pcp->lists[order]): `base` is the CPU's record in zone.pcp. */
  private pcpListAdd(pcp: Int32Array, base: number, order: number, pfn: number): void {
    const mem = this.mem;
    const h = pcp[base + 3 + order]!;
    mem[(pfn << 3) + 2] = h;
    mem[(pfn << 3) + 3] = NONE;
    if (h !== NONE) mem[(h << 3) + 3] = pfn;
    else pcp[base + 7 + order] = pfn;
    pcp[base + 3 + order] = pfn;
  }

  /** list_add_tail(&page->pcp_list, &pcp->lists[order]) (rmqueue_bulk()). */
  private pcpListAddTail(pcp: Int32Array, base: number, order: number, pfn: number): void {
    const mem = this.mem;
    const t = pcp[base + 7 + order]!;
    mem[(pfn << 3) + 2] = NONE;
    mem[(pfn << 3) + 3] = t;
    if (t !== NONE) mem[(t << 3) + 2] = pfn;
    else pcp[base + 3 + order] = pfn;
    pcp[base + 7 + order] = pfn;
  }

  /** list_del(&page->pcp_list). */
  private pcpListDel(pcp: Int32Array, base: number, order: number, pfn: number): void {
    const mem = this.mem;
    const n = mem[(pfn << 3) + 2]!;
    const p = mem[(pfn << 3) + 3]!;
    if (p !== NONE) mem[(p << 3) + 2] = n;
    else pcp[base + 3 + order] = n;
    if (n !== NONE) mem[(n << 3) + 3] = p;
    else pcp[base + 7 + order] = p;
  }

  // ---------------------------------------------------------------- buddy core

  /**
   * page_zone(): the zone and node numbers from page->flags, as the kernel reads them (the
   * record is the line the caller is working on anyway).
   */
  protected zoneOf(pfn: number): Zone {
    const mem = this.mem;
    const zi = (mem[(pfn << 3) + this.zoneWord]! >>> this.zoneShift) & this.zoneMask;
    const nid = this.nodeNotInFlags
      ? this.nodeOfPfn(pfn)
      : (mem[(pfn << 3) + this.nodeWord]! >>> this.nodeShift) & this.nodeMask;
    return this.zoneTable[nid * this.zonesPerNode + zi]!;
  }

  /** page_to_nid() when the node is not in page->flags (section_to_node_table): by the node spans. */
  private nodeOfPfn(pfn: number): number {
    for (const n of this.memmap.nodes) if (pfn < n.endPfn) return n.nid;
    throw new KernelError('EINVAL', `pfn ${pfn} is outside physical memory`);
  }

  /** add_to_free_list() + set_buddy_order(). */
  private addToFreeList(zone: Zone, pfn: number, order: number): void {
    const mem = this.mem;
    mem[(pfn << 3) + 5] = PAGE_STATE_BUDDY;
    mem[(pfn << 3) + 4] = order;
    this.listAdd(zone.freeHead, order, pfn);
    zone.nrFree[order]!++;
    zone.data[4]! += 1 << order;
  }

  /** del_page_from_free_list(). */
  private delFromFreeList(zone: Zone, pfn: number, order: number): void {
    this.listDel(zone.freeHead, order, pfn);
    this.mem[(pfn << 3) + 5] = PAGE_STATE_NONE;
    zone.nrFree[order]!--;
    zone.data[4]! -= 1 << order;
  }

  /** __rmqueue_smallest() + expand(): take the smallest free block >= order and split it down. */
  private rmqueueSmallest(zone: Zone, order: number): number {
    for (let cur = order; cur <= MAX_PAGE_ORDER; cur++) {
      const pfn = zone.freeHead[cur]!;
      if (pfn === NONE) continue;
      this.delFromFreeList(zone, pfn, cur);
      let high = cur;
      while (high > order) {
        high--;
        this.addToFreeList(zone, pfn + (1 << high), high);
      }
      return pfn;
    }
    return NONE;
  }

  /** __free_one_page(): merge with free buddies of equal order inside the zone, then list it. */
  protected freeOnePage(zone: Zone, pfn: number, order: number): void {
    const start = zone.startPfn;
    const end = zone.endPfn;
    const mem = this.mem;
    while (order < MAX_PAGE_ORDER) {
      const buddy = pfn ^ (1 << order);
      if (
        buddy < start ||
        buddy >= end ||
        mem[(buddy << 3) + 5] !== PAGE_STATE_BUDDY ||
        mem[(buddy << 3) + 4] !== order
      )
        break;
      this.delFromFreeList(zone, buddy, order);
      pfn &= ~(1 << order);
      order++;
    }
    this.addToFreeList(zone, pfn, order);
  }

  /** rmqueue_bulk(): refill a per-CPU list with `count` blocks from the buddy lists, at its tail. */
  private rmqueueBulk(zone: Zone, order: number, count: number, cpu: number): number {
    const base = cpu * 11;
    const pcp = zone.pcp;
    const mem = this.mem;
    let i = 0;
    for (; i < count; i++) {
      const pfn = this.rmqueueSmallest(zone, order);
      if (pfn === NONE) break;
      mem[(pfn << 3) + 5] = PAGE_STATE_PCP;
      mem[(pfn << 3) + 4] = order;
      this.pcpListAddTail(pcp, base, order, pfn);
    }
    pcp[base]! += i << order;
    return i;
  }

  /**
   * free_pcppages_bulk(): give `count` pages of a CPU's lists back to the buddy lists, taking
   * each list's last (coldest) page, the orders in turn.
   */
  private freePcppagesBulk(zone: Zone, count: number, cpu: number): void {
    const pcp = zone.pcp;
    const base = cpu * 11;
    let o = 0;
    let empty = 0;
    while (count > 0 && empty < NR_PCP_ORDERS) {
      const pfn = pcp[base + 7 + o]!;
      if (pfn === NONE) {
        empty++;
      } else {
        empty = 0;
        this.pcpListDel(pcp, base, o, pfn);
        pcp[base]! -= 1 << o;
        count -= 1 << o;
        this.freeOnePage(zone, pfn, o);
      }
      o = o + 1 === NR_PCP_ORDERS ? 0 : o + 1;
    }
  }

  /** rmqueue(): per-CPU list for small orders (rmqueue_pcplist: its first page), buddy lists otherwise. */
  private rmqueue(zone: Zone, order: number): number {
    if (order > PAGE_ALLOC_COSTLY_ORDER) return this.rmqueueSmallest(zone, order);
    const base = this.ctx.cpu * 11;
    const pcp = zone.pcp;
    let pfn = pcp[base + 3 + order]!;
    if (pfn === NONE) {
      if (this.rmqueueBulk(zone, order, Math.max(pcp[base + 2]! >> order, 1), this.ctx.cpu) === 0)
        return NONE;
      pfn = pcp[base + 3 + order]!;
    }
    this.pcpListDel(pcp, base, order, pfn);
    pcp[base]! -= 1 << order;
    return pfn;
  }

  /** __zone_watermark_ok(). */
  private zoneWatermarkOk(
    zone: Zone,
    order: number,
    mark: number,
    highestIdx: number,
    high: boolean,
  ): boolean {
    const free = zone.data[4]! - (1 << order) + 1;
    let min = mark;
    if (high) min -= min >> 1;
    if (free <= min + zone.lowmemReserve[highestIdx]!) return false;
    if (order === 0) return true;
    for (let o = order; o <= MAX_PAGE_ORDER; o++) if (zone.nrFree[o]! > 0) return true;
    return false;
  }

  /** One pass of get_page_from_freelist() over the node's zonelist at watermark `wmark` (0 min, 1 low, 2 high). */
  private getPageFromFreelist(
    order: number,
    highestIdx: number,
    nid: number,
    wmark: number,
    high: boolean,
  ): number {
    const zonelist = this.zonelists[nid]!;
    for (let i = 0; i < zonelist.length; i++) {
      const zone = zonelist[i]!;
      if (zone.zoneIdx > highestIdx || zone.data[3] === 0) continue;
      if (!this.zoneWatermarkOk(zone, order, zone.data[wmark]!, highestIdx, high)) continue;
      const pfn = this.rmqueue(zone, order);
      if (pfn !== NONE) return pfn;
    }
    return NONE;
  }

  /**
   * __alloc_pages() without prep: fault injection, the fast path at the low watermark, the slow
   * path at the min watermark (lower for __GFP_HIGH), one per-CPU drain and retry, then failure
   * (there is no reclaim to wait for). Returns a pfn or -1.
   */
  protected rmqueueAlloc(order: number, gfp: number, nid: number): number {
    if (order > MAX_PAGE_ORDER || order < 0) return this.badOrder(gfp);
    if (this.failTimes > 0 && this.shouldFailAllocPage(order, gfp)) return NONE;
    const highestIdx = this.highestIdxForType[gfpZoneType(gfp)]!;
    if (nid < 0) nid = this.localNid();
    const pfn = this.getPageFromFreelist(order, highestIdx, nid, 1, false);
    if (pfn !== NONE) return pfn;
    return this.allocPagesSlowpath(order, gfp, highestIdx, nid);
  }

  /** __alloc_pages(): the WARN_ON_ONCE of an order above MAX_PAGE_ORDER (cold path). */
  private badOrder(gfp: number): number {
    if (!(gfp & __GFP_NOWARN)) this.printk.printk('warning', `WARNING: at mm/page_alloc.c __alloc_pages()`);
    return NONE;
  }

  /**
   * __alloc_pages_slowpath(), kept out of the fast path as in the kernel (and so out of the
   * inlining budget of every caller).
   */
  private allocPagesSlowpath(order: number, gfp: number, highestIdx: number, nid: number): number {
    const high = (gfp & __GFP_HIGH) !== 0;
    let pfn = this.getPageFromFreelist(order, highestIdx, nid, 0, high);
    if (pfn !== NONE) return pfn;
    this.drainAllPages();
    pfn = this.getPageFromFreelist(order, highestIdx, nid, 0, high);
    if (pfn !== NONE) return pfn;
    if (!(gfp & __GFP_NOWARN)) this.warnAlloc(order, gfp);
    return NONE;
  }

  /** numa_node_id(): CPUs are spread over the nodes in equal blocks. */
  private localNid(): number {
    const nodes = this.zonelists.length;
    if (nodes === 1) return 0;
    return Math.floor((this.ctx.cpu * nodes) / this.ctx.nrCpus);
  }

  /**
   * mm/fail_page_alloc.c + lib/fault-inject.c: should_fail_alloc_page() with probability 100,
   * interval 1, min_order 0; `space` bytes of allocations pass before the first failure.
   */
  private shouldFailAllocPage(order: number, gfp: number): boolean {
    const size = PAGE_SIZE << order;
    if (this.failSpace > size) {
      this.failSpace -= size;
      return false;
    }
    if (!(gfp & __GFP_NOWARN)) {
      this.printk.printk('info', 'FAULT_INJECTION: forcing a failure.');
      this.printk.printk(
        'info',
        `name fail_page_alloc, interval 1, probability 100, space ${this.failSpace}, times ${this.failTimes}`,
      );
    }
    this.failTimes--;
    return true;
  }

  /** mm/page_alloc.c: warn_alloc() — the first line of the allocation failure report. */
  private warnAlloc(order: number, gfp: number): void {
    this.printk.printk(
      'warning',
      `${this.ctx.current.comm}: page allocation failure: order:${order}, mode:0x${gfp.toString(16)}(${formatGfp(gfp)}), nodemask=(null)`,
    );
    this.showMem?.();
  }

  /** prep_new_page(): the block becomes an allocated head with one reference. */
  protected prepNewPage(pfn: number, order: number, gfp: number): void {
    const mem = this.mem;
    mem[(pfn << 3) + 5] = PAGE_STATE_ALLOCATED;
    mem[(pfn << 3) + 4] = order;
    mem[(pfn << 3) + 6] = 1;
    this.allocated += 1 << order;
    if (order > 0 && gfp & __GFP_COMP) mem[pfn << 3]! |= this.headMask;
  }

  /**
   * free_unref_page() after free_pages_prepare(): PG_head cleared, block onto this CPU's list
   * (draining a batch when the list is over `high`) or, for larger orders, straight to the
   * buddy lists.
   */
  protected freeUnrefPage(pfn: number, order: number): void {
    const mem = this.mem;
    mem[(pfn << 3) + 5] = PAGE_STATE_NONE;
    mem[(pfn << 3) + 6] = 0;
    this.allocated -= 1 << order;
    if (order > 0) mem[pfn << 3]! &= ~this.headMask;
    const zone = this.zoneOf(pfn);
    if (order > PAGE_ALLOC_COSTLY_ORDER) {
      this.freeOnePage(zone, pfn, order);
      return;
    }
    const cpu = this.ctx.cpu;
    const base = cpu * 11;
    const pcp = zone.pcp;
    mem[(pfn << 3) + 5] = PAGE_STATE_PCP;
    mem[(pfn << 3) + 4] = order;
    this.pcpListAdd(pcp, base, order, pfn);
    pcp[base]! += 1 << order;
    const count = pcp[base]!;
    const high = pcp[base + 1]!;
    if (count >= high) this.freePcppagesBulk(zone, count - high + pcp[base + 2]!, cpu);
  }

  /**
   * Validation shared by the free paths: a live allocated block head of that order. The test is
   * kept apart from the error text (badFree) so that this function stays a few bytes of bytecode:
   * V8 inlines callees against a per-function budget, and every byte spent on message templates
   * here is a byte the free path's hook calls cannot use.
   */
  protected checkFree(pfn: number, order: number, what: string): void {
    const mem = this.mem;
    if (
      !(
        pfn >>> 0 === pfn &&
        pfn < this.nrPages &&
        mem[(pfn << 3) + 5] === PAGE_STATE_ALLOCATED &&
        mem[(pfn << 3) + 4] === order
      )
    )
      this.badFree(pfn, order, what);
  }

  /** The error checkFree() found (cold path). */
  private badFree(pfn: number, order: number, what: string): never {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn >= this.nrPages)
      throw new KernelError('EINVAL', `${what}: pfn ${pfn} is outside physical memory`);
    const st = this.pageState(pfn);
    if (st !== PAGE_STATE_ALLOCATED)
      throw new KernelError(
        'EINVAL',
        `${what}: pfn 0x${pfn.toString(16)} is not an allocated block head (${st === PAGE_STATE_BUDDY || st === PAGE_STATE_PCP ? 'double free' : st === PAGE_STATE_RESERVED ? 'reserved page' : 'tail or unused page'})`,
      );
    throw new KernelError(
      'EINVAL',
      `${what}: pfn 0x${pfn.toString(16)} was allocated with order ${this.mem[(pfn << 3) + 4]}, freed with order ${order}`,
    );
  }

  /** Validation of split_page(): an allocated head held once, larger than the pieces. */
  protected checkSplit(pfn: number, newOrder: number): number {
    if (
      !Number.isInteger(pfn) ||
      pfn < 0 ||
      pfn >= this.nrPages ||
      this.pageState(pfn) !== PAGE_STATE_ALLOCATED
    )
      throw new KernelError('EINVAL', `split_page: pfn ${pfn} is not an allocated block head`);
    const order = this.mem[(pfn << 3) + 4]!;
    if (!Number.isInteger(newOrder) || newOrder < 0 || newOrder >= order)
      throw new KernelError(
        'EINVAL',
        `split_page: cannot split an order-${order} block into order-${newOrder} pieces`,
      );
    const refs = this.mem[(pfn << 3) + 6]!;
    if (refs !== 1)
      throw new KernelError('EBUSY', `split_page: pfn 0x${pfn.toString(16)} has ${refs} references`);
    return order;
  }

  /** The page-structure part of split_page()/__split_huge_page(): each piece becomes a head. */
  protected splitPageMeta(pfn: number, order: number, newOrder: number): void {
    // checkSplit() validated the block, so PG_head is set and cleared on the words directly.
    const mem = this.mem;
    const headMask = this.headMask;
    const compound = this.isHead(pfn);
    const step = 1 << newOrder;
    for (let p = pfn; p < pfn + (1 << order); p += step) {
      mem[(p << 3) + 5] = PAGE_STATE_ALLOCATED;
      mem[(p << 3) + 4] = newOrder;
      mem[(p << 3) + 6] = 1;
      if (compound) {
        if (newOrder > 0) mem[p << 3]! |= headMask;
        else mem[p << 3]! &= ~headMask;
      }
    }
  }

  /** Validation of get_page()/put_page() (the message in a cold function, as in checkFree). */
  protected checkRef(pfn: number, what: string): void {
    if (!(pfn >>> 0 === pfn && pfn < this.nrPages && this.mem[(pfn << 3) + 5] === PAGE_STATE_ALLOCATED))
      this.badRef(pfn, what);
  }

  /** The error checkRef() found (cold path). */
  private badRef(pfn: number, what: string): never {
    throw new KernelError('EINVAL', `${what}: pfn ${pfn} is not an allocated block head`);
  }

  /**
   * free_reserved_page() bookkeeping (no hook involved): ClearPageReserved, init_page_count,
   * adjust_managed_page_count(+1); the page is then freed like any allocated page.
   */
  protected adoptReservedPage(pfn: number): void {
    if (
      !Number.isInteger(pfn) ||
      pfn < 0 ||
      pfn >= this.nrPages ||
      this.pageState(pfn) !== PAGE_STATE_RESERVED
    )
      throw new KernelError('EINVAL', `free_reserved_page: pfn ${pfn} is not a reserved page`);
    this.memmap.flags.clearFlag(pfn, this.pgReserved);
    this.reserved--;
    this.zoneOf(pfn).managedPages++;
    const mem = this.mem;
    mem[(pfn << 3) + 5] = PAGE_STATE_ALLOCATED;
    mem[(pfn << 3) + 4] = 0;
    mem[(pfn << 3) + 6] = 1;
    this.allocated++;
  }

  /** PageHead(). */
  isHead(pfn: number): boolean {
    return (this.mem[pfn << 3]! & this.headMask) !== 0;
  }

  /** PageHWPoison(). */
  isHwPoison(pfn: number): boolean {
    return (this.mem[pfn << 3]! & this.hwpoisonMask) !== 0;
  }

  /**
   * mm/memory-failure.c: memory_failure() on an allocated order-0 page — SetPageHWPoison; when
   * its last reference goes, free_pages_prepare() keeps it out of the allocator. EINVAL for
   * anything else, ENOSYS without CONFIG_MEMORY_FAILURE.
   */
  memoryFailure(pfn: number): void {
    if (this.hwpoisonMask === 0)
      throw new KernelError('ENOSYS', 'memory_failure: CONFIG_MEMORY_FAILURE is not set');
    this.checkRef(pfn, 'memory_failure');
    const order = this.mem[(pfn << 3) + 4]!;
    if (order !== 0)
      throw new KernelError(
        'EINVAL',
        `memory_failure: pfn 0x${pfn.toString(16)} heads an order-${order} block`,
      );
    this.mem[pfn << 3]! |= this.hwpoisonMask;
  }

  /** free_pages_prepare()'s hwpoison early return: the page leaves the allocator for good. */
  protected takeOutPoisoned(pfn: number): void {
    this.mem[(pfn << 3) + 5] = PAGE_STATE_HWPOISON;
    this.mem[(pfn << 3) + 6] = 0;
    this.allocated--;
    this.poisoned++;
  }

  // ---------------------------------------------------------------- boot

  /**
   * mm/memblock.c: memblock_free_all() — mark `reservedRanges` PG_reserved and hand every other
   * page of each zone to the buddy allocator in the largest aligned blocks that fit
   * (memblock_free_pages → __free_pages_core), then compute watermarks and per-CPU batch sizes.
   * The free ranges are the gaps between the reserved ranges, so no page is visited twice.
   */
  memblockFreeAll(reservedRanges: ReadonlyArray<readonly [number, number]>): void {
    if (this.zones.some((z) => z.managedPages > 0))
      throw new KernelError('EBUSY', 'memblock_free_all: memory was already released to the buddy allocator');
    const merged: Array<[number, number]> = [];
    for (const [s, e] of [...reservedRanges].sort((a, b) => a[0] - b[0])) {
      const lo = Math.max(0, s);
      const hi = Math.min(e, this.nrPages);
      if (hi <= lo) continue;
      const last = merged[merged.length - 1];
      if (last !== undefined && lo <= last[1]) last[1] = Math.max(last[1], hi);
      else merged.push([lo, hi]);
    }
    const flags = this.memmap.flags;
    const mem = this.mem;
    for (const [lo, hi] of merged) {
      // The merged bounds keep p inside the memmap: no per-page validation.
      for (let p = lo; p < hi; p++) {
        mem[(p << 3) + 5] = PAGE_STATE_RESERVED;
        flags.setFlagUnchecked(p, this.pgReserved);
      }
      this.reserved += hi - lo;
    }
    for (const zone of this.zones) {
      let pfn = zone.startPfn;
      for (const [lo, hi] of merged) {
        if (hi <= pfn || lo >= zone.endPfn) continue;
        if (lo > pfn) this.freeRangeToBuddy(zone, pfn, lo);
        pfn = Math.max(pfn, hi);
      }
      if (pfn < zone.endPfn) this.freeRangeToBuddy(zone, pfn, zone.endPfn);
    }
    this.setupPerZoneWmarks();
  }

  private freeRangeToBuddy(zone: Zone, start: number, end: number): void {
    let pfn = start;
    while (pfn < end) {
      let order = MAX_PAGE_ORDER;
      while (order > 0 && ((pfn & ((1 << order) - 1)) !== 0 || pfn + (1 << order) > end)) order--;
      zone.managedPages += 1 << order;
      this.memblockFreePages(zone, pfn, order);
      pfn += 1 << order;
    }
  }

  /** memblock_free_pages(): one boot block to the buddy lists (with the hooks where they exist). */
  protected abstract memblockFreePages(zone: Zone, pfn: number, order: number): void;

  /**
   * mm/page_alloc.c: init_per_zone_wmark_min() + __setup_per_zone_wmarks() +
   * setup_per_zone_lowmem_reserve() + zone_pcp_update(): min_free_kbytes = sqrt(16·lowmem KiB)
   * clamped to [128, 262144], shared out by managed pages; per-CPU batch and high.
   */
  setupPerZoneWmarks(): void {
    const isLow = (z: Zone): boolean => z.zoneType !== ZONE_TYPE_HIGHMEM && z.zoneType !== ZONE_TYPE_MOVABLE;
    let lowmemPages = 0;
    for (const z of this.zones) if (isLow(z)) lowmemPages += z.managedPages;
    const lowmemKb = lowmemPages * (PAGE_SIZE >> 10);
    const minFreeKbytes = Math.min(262144, Math.max(128, Math.floor(Math.sqrt(lowmemKb * 16))));
    const pagesMin = minFreeKbytes >> (PAGE_SHIFT - 10);
    for (const z of this.zones) {
      let tmp: number;
      if (!isLow(z)) tmp = Math.min(128, Math.max(32, Math.floor(z.managedPages / 1024)));
      else tmp = lowmemPages === 0 ? 0 : Math.floor((pagesMin * z.managedPages) / lowmemPages);
      const step = Math.max(tmp >> 2, Math.floor((z.managedPages * WATERMARK_SCALE_FACTOR) / 10000));
      z.setWatermarks(tmp, tmp + step, tmp + 2 * step);
    }
    for (const node of this.zonelists.keys()) {
      const local = this.zones.filter((z) => z.nid === node).sort((a, b) => a.zoneIdx - b.zoneIdx);
      for (let i = 0; i < local.length; i++) {
        const zi = local[i]!;
        const ratio = LOWMEM_RESERVE_RATIO[zi.zoneType] ?? 0;
        let managed = 0;
        for (let j = i + 1; j < local.length; j++) {
          managed += local[j]!.managedPages;
          zi.lowmemReserve[local[j]!.zoneIdx] = ratio === 0 ? 0 : Math.floor(managed / ratio);
        }
      }
    }
    const nrCpus = this.ctx.nrCpus;
    for (const z of this.zones) {
      let batch = Math.min(Math.floor(z.managedPages / 1024), (1024 * 1024) / PAGE_SIZE);
      batch = Math.floor(batch / 4);
      if (batch < 1) batch = 1;
      batch = 2 ** Math.floor(Math.log2(batch + (batch >> 1))) - 1;
      batch = Math.max(batch, 1);
      z.setPcpHighBatch(Math.max(Math.floor(z.wmarkLow / nrCpus), batch * 4), batch);
    }
  }

  // ---------------------------------------------------------------- public, shared

  /** alloc_pages(): a block of 2^order pages, or -1 when memory (or fault injection) says no. */
  abstract allocPages(order: number, gfp?: number, nid?: number): number;
  /** __free_pages(): drop the caller's reference; see the concrete classes for the partial-free rule. */
  abstract freePages(pfn: number, order: number): void;
  /** put_page()/folio_put(): drop one reference; the last one frees the folio. */
  abstract putPage(pfn: number): void;
  /** split_page() (newOrder 0) or a folio split (compound block, any smaller order). */
  abstract splitPage(pfn: number, newOrder?: number): void;
  /** folio_migrate_flags(): the new folio takes over the old one's state. */
  abstract folioMigrateFlags(newPfn: number, oldPfn: number): void;
  /** free_reserved_page(): a page reserved at boot joins the allocator. */
  abstract freeReservedPage(pfn: number): void;

  /** alloc_page(). */
  allocPage(gfp: number = GFP_KERNEL): number {
    return this.allocPages(0, gfp);
  }

  /** free_page(). */
  freePage(pfn: number): void {
    this.freePages(pfn, 0);
  }

  /** get_page(): take another reference on an allocated block. */
  getPage(pfn: number): void {
    this.checkRef(pfn, 'get_page');
    this.mem[(pfn << 3) + 6]!++;
  }

  /** page_count(). */
  pageCount(pfn: number): number {
    return this.pageState(pfn) === PAGE_STATE_ALLOCATED ? this.mem[(pfn << 3) + 6]! : 0;
  }

  /** Order of the allocated block at `pfn`, or -1 if `pfn` is not an allocated head. */
  allocatedOrder(pfn: number): number {
    return this.pageState(pfn) === PAGE_STATE_ALLOCATED ? this.mem[(pfn << 3) + 4]! : -1;
  }

  /**
   * alloc_pages_bulk(): up to `nrPages` order-0 pages appended to `out`; stops at the first
   * failure and returns how many were allocated (each page counts for fault injection).
   */
  allocPagesBulk(nrPages: number, out: number[], gfp: number = GFP_KERNEL): number {
    let n = 0;
    for (; n < nrPages; n++) {
      const pfn = this.allocPages(0, gfp);
      if (pfn < 0) break;
      out.push(pfn);
    }
    return n;
  }

  /**
   * alloc_pages_exact(): 2^order pages for ceil(nrPages) and make_alloc_exact() — split_page()
   * the block and free the pages beyond `nrPages`. Returns the first pfn or -1.
   */
  allocPagesExact(nrPages: number, gfp: number = GFP_KERNEL): number {
    if (!Number.isInteger(nrPages) || nrPages < 1)
      throw new KernelError('EINVAL', `alloc_pages_exact: ${nrPages} is not a positive page count`);
    const order = Math.ceil(Math.log2(nrPages));
    const pfn = this.allocPages(order, gfp & ~__GFP_COMP);
    if (pfn < 0 || order === 0) return pfn;
    this.splitPage(pfn, 0);
    for (let p = pfn + nrPages; p < pfn + (1 << order); p++) this.freePages(p, 0);
    return pfn;
  }

  /** free_pages_exact(). */
  freePagesExact(pfn: number, nrPages: number): void {
    for (let i = 0; i < nrPages; i++) this.checkFree(pfn + i, 0, 'free_pages_exact');
    for (let i = 0; i < nrPages; i++) this.freePages(pfn + i, 0);
  }

  /** drain_all_pages(): every CPU's per-CPU lists back to the buddy lists. */
  drainAllPages(): void {
    for (const zone of this.zones)
      for (let cpu = 0; cpu < zone.nrCpus; cpu++)
        if (zone.pcpCount(cpu) > 0) this.freePcppagesBulk(zone, zone.pcpCount(cpu), cpu);
  }

  /**
   * fail_page_alloc (debugfs `times`, `space`): the next `n` page allocations fail (0 turns it
   * off); with `spaceBytes`, allocations pass until that many bytes were allocated.
   */
  failPageAlloc(n: number, spaceBytes = 0): void {
    if (!Number.isInteger(n) || n < 0)
      throw new KernelError('EINVAL', `fail_page_alloc: ${n} is not a count >= 0`);
    if (!Number.isSafeInteger(spaceBytes) || spaceBytes < 0)
      throw new KernelError('EINVAL', `fail_page_alloc: space ${spaceBytes} is not a byte count >= 0`);
    this.failTimes = n;
    this.failSpace = spaceBytes;
  }

  /** Allocations still to fail. */
  get pendingFailures(): number {
    return this.failTimes;
  }

  /** Counters of the whole allocator. */
  stats(): PageAllocStats {
    let managed = 0;
    let free = 0;
    let pcp = 0;
    for (const z of this.zones) {
      managed += z.managedPages;
      free += z.freePages;
      pcp += z.pcpPages;
    }
    return {
      totalPages: this.nrPages,
      managedPages: managed,
      freePages: free,
      pcpPages: pcp,
      allocatedPages: this.allocated,
      reservedPages: this.reserved,
      poisonedPages: this.poisoned,
    };
  }

  /** NR_FREE_PAGES plus the per-CPU lists: every page the allocator could hand out. */
  nrFreePagesTotal(): number {
    const s = this.stats();
    return s.freePages + s.pcpPages;
  }

  /** /proc/buddyinfo text. */
  buddyinfo(): string {
    let s = '';
    for (const z of this.zones) {
      if (z.managedPages === 0 && z.presentPages === 0) continue;
      s += `Node ${z.nid}, zone ${z.name.padStart(8, ' ')} `;
      for (let o = 0; o <= MAX_PAGE_ORDER; o++) s += String(z.nrFree[o]).padStart(7, ' ');
      s += '\n';
    }
    return s;
  }

  /** Host bytes of the per-page state: the memmap's struct page records. */
  get perPageBytes(): number {
    return this.memmap.hostBytes;
  }

  /** Internal consistency check (tests): free lists, counters and states agree. Throws on a mismatch. */
  checkInvariants(): void {
    const mem = this.mem;
    const st = (p: number): number => mem[(p << 3) + 5]!;
    const ord = (p: number): number => mem[(p << 3) + 4]!;
    const next = (p: number): number => mem[(p << 3) + 2]!;
    let free = 0;
    let pcp = 0;
    for (const z of this.zones) {
      let zfree = 0;
      for (let o = 0; o <= MAX_PAGE_ORDER; o++) {
        let n = 0;
        let prev = NONE;
        for (let p = z.freeHead[o]!; p !== NONE; p = next(p)) {
          if (st(p) !== PAGE_STATE_BUDDY || ord(p) !== o || mem[(p << 3) + 3] !== prev)
            throw new Error(`free list ${z.name}/${o} corrupt at pfn ${p}`);
          if (p < z.startPfn || p + (1 << o) > z.endPfn || (p & ((1 << o) - 1)) !== 0)
            throw new Error(`free block ${p}/${o} misplaced in ${z.name}`);
          const buddy = p ^ (1 << o);
          if (
            o < MAX_PAGE_ORDER &&
            buddy >= z.startPfn &&
            buddy < z.endPfn &&
            st(buddy) === PAGE_STATE_BUDDY &&
            ord(buddy) === o
          )
            throw new Error(`free buddies ${p} and ${buddy} of order ${o} not merged`);
          prev = p;
          n++;
          zfree += 1 << o;
        }
        if (n !== z.nrFree[o]) throw new Error(`nr_free mismatch in ${z.name}/${o}`);
      }
      if (zfree !== z.freePages) throw new Error(`NR_FREE_PAGES mismatch in ${z.name}`);
      for (let cpu = 0; cpu < z.nrCpus; cpu++) {
        let c = 0;
        for (let o = 0; o < NR_PCP_ORDERS; o++) {
          let last = NONE;
          for (let p = z.pcpListHead(cpu, o); p !== NONE; p = next(p)) {
            if (st(p) !== PAGE_STATE_PCP || ord(p) !== o || mem[(p << 3) + 3] !== last)
              throw new Error(`pcp list corrupt at ${p}`);
            last = p;
            c += 1 << o;
          }
          if (z.pcpListTail(cpu, o) !== last) throw new Error(`pcp list tail wrong in ${z.name} cpu ${cpu}`);
        }
        if (c !== z.pcpCount(cpu)) throw new Error(`pcp count mismatch in ${z.name} cpu ${cpu}`);
        pcp += c;
      }
      free += zfree;
    }
    const s = this.stats();
    if (free + pcp + s.allocatedPages + s.poisonedPages !== s.managedPages)
      throw new Error(
        `free ${free} + pcp ${pcp} + allocated ${s.allocatedPages} + poisoned ${s.poisonedPages} != managed ${s.managedPages}`,
      );
  }
}

/** The bit range [shift, shift + width) as [word of the record, shift in it, mask], or null if it straddles bit 32. */
function fieldInHalf(shift: number, width: number): [number, number, number] | null {
  if (width === 0) return [0, 0, 0];
  const word = shift >>> 5;
  const s = shift & 31;
  if (s + width > 32) return null;
  return [word, s, width === 32 ? -1 : (1 << width) - 1];
}

/** The kernel built without CONFIG_MEM_ALLOC_PROFILING: no hook exists on any path. */
export class NoHooksPageAllocator extends BuddyAllocator {
  allocPages(order: number, gfp: number = GFP_KERNEL, nid = -1): number {
    const pfn = this.rmqueueAlloc(order, gfp, nid);
    if (pfn < 0) return -1;
    this.prepNewPage(pfn, order, gfp);
    return pfn;
  }

  freePages(pfn: number, order: number): void {
    this.checkFree(pfn, order, '__free_pages');
    const head = this.isHead(pfn);
    if (--this.mem[(pfn << 3) + 6]! === 0) this.freeFrozenPages(pfn, order);
    else if (!head) this.freeTailChunks(pfn, order);
  }

  putPage(pfn: number): void {
    this.checkRef(pfn, 'put_page');
    if (--this.mem[(pfn << 3) + 6]! !== 0) return;
    this.freeFrozenPages(pfn, this.isHead(pfn) ? this.mem[(pfn << 3) + 4]! : 0);
  }

  /** __free_frozen_pages(): free_pages_prepare() (hwpoison early return) + free_unref_page(). */
  private freeFrozenPages(pfn: number, order: number): void {
    if (order === 0 && this.isHwPoison(pfn)) this.takeOutPoisoned(pfn);
    else this.freeUnrefPage(pfn, order);
  }

  /** __free_pages() of a shared non-compound block: the tail chunks go now (cold path). */
  private freeTailChunks(pfn: number, order: number): void {
    this.mem[(pfn << 3) + 4] = 0;
    while (order-- > 0) this.freeUnrefPage(pfn + (1 << order), order);
  }

  splitPage(pfn: number, newOrder = 0): void {
    const order = this.checkSplit(pfn, newOrder);
    this.splitPageMeta(pfn, order, newOrder);
  }

  folioMigrateFlags(_newPfn: number, _oldPfn: number): void {}

  freeReservedPage(pfn: number): void {
    this.adoptReservedPage(pfn);
    this.freePages(pfn, 0);
  }

  protected memblockFreePages(zone: Zone, pfn: number, order: number): void {
    this.freeOnePage(zone, pfn, order);
  }
}

/** The kernel built with CONFIG_MEM_ALLOC_PROFILING: the pgalloc_tag_*() hooks on every path. */
export class HookedPageAllocator<Tag = unknown> extends BuddyAllocator {
  readonly hooks: PageAllocHooks<Tag>;

  constructor(opts: PageAllocatorOptions, hooks: PageAllocHooks<Tag>) {
    super(opts);
    this.hooks = hooks;
  }

  /** alloc_pages(): the block, then post_alloc_hook()'s pgalloc_tag_add(page, current, 1 << order). */
  allocPages(order: number, gfp: number = GFP_KERNEL, nid = -1): number {
    const pfn = this.rmqueueAlloc(order, gfp, nid);
    if (pfn < 0) return -1;
    this.prepNewPage(pfn, order, gfp);
    this.hooks.pgallocTagAdd(pfn, this.ctx.current, 1 << order);
    return pfn;
  }

  /** __free_pages(): PageHead and pgalloc_tag_get() before the reference is dropped. */
  freePages(pfn: number, order: number): void {
    this.checkFree(pfn, order, '__free_pages');
    const head = this.isHead(pfn);
    const tag = this.hooks.pgallocTagGet(pfn);
    if (--this.mem[(pfn << 3) + 6]! === 0) this.freeFrozenPages(pfn, order);
    else if (!head) this.freeTailChunks(pfn, order, tag);
  }

  putPage(pfn: number): void {
    this.checkRef(pfn, 'put_page');
    if (--this.mem[(pfn << 3) + 6]! !== 0) return;
    this.freeFrozenPages(pfn, this.isHead(pfn) ? this.mem[(pfn << 3) + 4]! : 0);
  }

  /**
   * __free_frozen_pages(): free_pages_prepare() — pgalloc_tag_sub(), and for a poisoned page the
   * early return with clear_page_tag_ref() — then free_unref_page().
   */
  protected freeFrozenPages(pfn: number, order: number): void {
    this.hooks.pgallocTagSub(pfn, 1 << order);
    if (order === 0 && this.isHwPoison(pfn)) this.freePoisonedPage(pfn);
    else this.freeUnrefPage(pfn, order);
  }

  /** free_pages_prepare()'s hwpoison early return (cold path). */
  protected freePoisonedPage(pfn: number): void {
    this.hooks.clearPageTagRef(pfn);
    this.takeOutPoisoned(pfn);
  }

  /**
   * __free_pages() of a shared non-compound block (cold path): pgalloc_tag_sub_pages() for the
   * pages that go now, then the tail chunks, each through free_pages_prepare().
   */
  protected freeTailChunks(pfn: number, order: number, tag: Tag): void {
    this.hooks.pgallocTagSubPages(tag, (1 << order) - 1);
    this.mem[(pfn << 3) + 4] = 0;
    while (order-- > 0) {
      const p = pfn + (1 << order);
      this.hooks.pgallocTagSub(p, 1 << order);
      this.freeUnrefPage(p, order);
    }
  }

  splitPage(pfn: number, newOrder = 0): void {
    const order = this.checkSplit(pfn, newOrder);
    this.splitPageMeta(pfn, order, newOrder);
    this.hooks.pgallocTagSplit(pfn, order, newOrder);
  }

  folioMigrateFlags(newPfn: number, oldPfn: number): void {
    this.hooks.pgallocTagSwap(newPfn, oldPfn);
  }

  freeReservedPage(pfn: number): void {
    this.hooks.clearPageTagRef(pfn);
    this.adoptReservedPage(pfn);
    this.freePages(pfn, 0);
  }

  protected memblockFreePages(zone: Zone, pfn: number, order: number): void {
    this.hooks.clearPageTagRef(pfn);
    this.hooks.pgallocTagSub(pfn, 1 << order);
    this.freeOnePage(zone, pfn, order);
  }
}
