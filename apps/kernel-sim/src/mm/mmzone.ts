/**
 * include/linux/mmzone.h: struct zone and struct per_cpu_pages as the page allocator uses them —
 * the free area (one list head and nr_free per order), the watermarks, lowmem_reserve,
 * NR_FREE_PAGES, and each CPU's page lists with their count, high and batch.
 *
 * Every field the allocation and free paths read or write lives in a typed array, so that the
 * memory-traffic accounting can give it a simulated address (the zone's lines, each CPU's
 * per_cpu_pages): `data` holds the zone's scalars, `freeHead`/`nrFree` its free area, and `pcp`
 * one PCP_WORDS record per CPU. The accessors below are what the rest of the simulator reads.
 */

import { NR_PAGE_ORDERS, ZONE_TYPES, type ZoneSpan } from './memmap';

/** PAGE_ALLOC_COSTLY_ORDER: orders up to this one are cached on the per-CPU lists. */
export const PAGE_ALLOC_COSTLY_ORDER = 3;
/** Per-CPU lists: one per order 0..PAGE_ALLOC_COSTLY_ORDER (no migrate types in the simulator). */
export const NR_PCP_ORDERS = PAGE_ALLOC_COSTLY_ORDER + 1;

/** `data` slots of struct zone (the page allocator indexes them with these literals). */
export const ZD_WMARK_MIN = 0;
export const ZD_WMARK_LOW = 1;
export const ZD_WMARK_HIGH = 2;
/** zone->managed_pages */
export const ZD_MANAGED = 3;
/** zone_page_state(zone, NR_FREE_PAGES) */
export const ZD_FREE = 4;
const ZONE_DATA_SLOTS = 5;

/**
 * per_cpu_pages record of one CPU in `pcp` (int32 words): count, high, batch, then each order's
 * list as its first and last page (a struct list_head's next and prev): pages are taken from the
 * head, freed pages pushed on the head, refills appended at the tail and drains taken from the
 * tail, as mm/page_alloc.c does.
 */
export const PCP_COUNT = 0;
export const PCP_HIGH = 1;
export const PCP_BATCH = 2;
/** lists[order].next = word PCP_LISTS + order (pfn of the first page, -1 = empty). */
export const PCP_LISTS = 3;
/** lists[order].prev = word PCP_TAILS + order (pfn of the last page, -1 = empty). */
export const PCP_TAILS = PCP_LISTS + NR_PCP_ORDERS;
/** Words per CPU (the page allocator indexes the record as `cpu * 11`). */
export const PCP_WORDS = PCP_TAILS + NR_PCP_ORDERS;

/** struct zone: one zone of one node with its free area, watermarks and per-CPU lists. */
export class Zone {
  readonly nid: number;
  /** Index among the configured zones (the zone number in page->flags). */
  readonly zoneIdx: number;
  /** enum zone_type of the zone (ZONE_TYPES index). */
  readonly zoneType: number;
  readonly name: string;
  readonly startPfn: number;
  readonly endPfn: number;
  /** present_pages: pages with memory behind them (all of the span here). */
  readonly presentPages: number;
  readonly nrCpus: number;
  /** Watermarks, managed pages, NR_FREE_PAGES (ZD_* slots). */
  data: Float64Array;
  /** free_area[order].free_list heads (pfn, -1 = empty). */
  freeHead: Int32Array;
  /** free_area[order].nr_free: blocks per order. */
  nrFree: Float64Array;
  /** lowmem_reserve[j]: pages kept back from allocations whose highest zone index is j. */
  lowmemReserve: Float64Array;
  /** per_cpu_pages of every CPU: PCP_WORDS int32 words each (see PCP_*). */
  pcp: Int32Array;

  constructor(span: ZoneSpan, nrZones: number, nrCpus: number) {
    this.nid = span.nid;
    this.zoneIdx = span.zoneIdx;
    this.zoneType = ZONE_TYPES.indexOf(span.type);
    this.name = span.type;
    this.startPfn = span.startPfn;
    this.endPfn = span.endPfn;
    this.presentPages = span.endPfn - span.startPfn;
    this.nrCpus = nrCpus;
    this.data = new Float64Array(ZONE_DATA_SLOTS);
    this.freeHead = new Int32Array(NR_PAGE_ORDERS).fill(-1);
    this.nrFree = new Float64Array(NR_PAGE_ORDERS);
    this.lowmemReserve = new Float64Array(nrZones);
    this.pcp = new Int32Array(nrCpus * PCP_WORDS);
    for (let cpu = 0; cpu < nrCpus; cpu++) {
      this.pcp.fill(-1, cpu * PCP_WORDS + PCP_LISTS, cpu * PCP_WORDS + PCP_WORDS);
      this.pcp[cpu * PCP_WORDS + PCP_BATCH] = 1;
    }
  }

  /** managed_pages: pages handed to the buddy allocator. */
  get managedPages(): number {
    return this.data[ZD_MANAGED]!;
  }

  set managedPages(n: number) {
    this.data[ZD_MANAGED] = n;
  }

  /** NR_FREE_PAGES: pages on the free lists (not the per-CPU lists). */
  get freePages(): number {
    return this.data[ZD_FREE]!;
  }

  set freePages(n: number) {
    this.data[ZD_FREE] = n;
  }

  get wmarkMin(): number {
    return this.data[ZD_WMARK_MIN]!;
  }

  get wmarkLow(): number {
    return this.data[ZD_WMARK_LOW]!;
  }

  get wmarkHigh(): number {
    return this.data[ZD_WMARK_HIGH]!;
  }

  /** _watermark[]: min, low and high. */
  setWatermarks(min: number, low: number, high: number): void {
    this.data[ZD_WMARK_MIN] = min;
    this.data[ZD_WMARK_LOW] = low;
    this.data[ZD_WMARK_HIGH] = high;
  }

  /** per_cpu_pages.high (the same on every CPU). */
  get pcpHigh(): number {
    return this.pcp[PCP_HIGH]!;
  }

  /** per_cpu_pages.batch (the same on every CPU). */
  get pcpBatch(): number {
    return this.pcp[PCP_BATCH]!;
  }

  /** zone_pcp_update(): every CPU's high and batch. */
  setPcpHighBatch(high: number, batch: number): void {
    for (let cpu = 0; cpu < this.nrCpus; cpu++) {
      this.pcp[cpu * PCP_WORDS + PCP_HIGH] = high;
      this.pcp[cpu * PCP_WORDS + PCP_BATCH] = batch;
    }
  }

  /** per_cpu_pages.count of `cpu`: pages on its lists. */
  pcpCount(cpu: number): number {
    return this.pcp[cpu * PCP_WORDS + PCP_COUNT]!;
  }

  /** First page of `cpu`'s list of `order` (-1 = empty). */
  pcpListHead(cpu: number, order: number): number {
    return this.pcp[cpu * PCP_WORDS + PCP_LISTS + order]!;
  }

  /** Last page of `cpu`'s list of `order` (-1 = empty). */
  pcpListTail(cpu: number, order: number): number {
    return this.pcp[cpu * PCP_WORDS + PCP_TAILS + order]!;
  }

  /** Pages on every CPU's per-CPU lists. */
  get pcpPages(): number {
    let n = 0;
    for (let cpu = 0; cpu < this.nrCpus; cpu++) n += this.pcp[cpu * PCP_WORDS + PCP_COUNT]!;
    return n;
  }
}
