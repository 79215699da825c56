/**
 * mm/mm_init.c + mm/sparse.c: physical memory as the kernel sees it after early boot — nodes,
 * zones sized from the RAM size, memory sections, and the memmap (the array of `struct page`
 * records, mm_types.ts) with the zone/node/section fields of every page's flags set
 * (memmap_init_range, set_page_links).
 */

import { PageFlagsArray, type PageFlagsLayout } from '@allocprof/page-flags-layout';
import { KernelError } from '../kernel/errno';
import { formatSize } from '../lib/cmdline';
import { memmapHostBytes, PAGE_RECORD_WORDS, STRUCT_PAGE_SIZE } from './mm_types';

export { STRUCT_PAGE_SIZE };

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
/** include/linux/mmzone.h: MAX_PAGE_ORDER (CONFIG_ARCH_FORCE_MAX_ORDER default). */
export const MAX_PAGE_ORDER = 10;
/** NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1. */
export const NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;

/** include/linux/mmzone.h: enum zone_type, in enum order. */
export const ZONE_TYPES = ['DMA', 'DMA32', 'Normal', 'HighMem', 'Movable', 'Device'] as const;
export type ZoneType = (typeof ZONE_TYPES)[number];

/** Smallest and largest RAM sizes the simulator boots (the kernel image alone takes ~36 MiB). */
export const MIN_RAM_BYTES = 64 * 2 ** 20;
export const MAX_RAM_BYTES = 2 ** 40;

/** arch/x86 physical zone limits: ZONE_DMA below 16 MiB, ZONE_DMA32 below 4 GiB. */
const MAX_DMA_PFN = (16 * 2 ** 20) >> PAGE_SHIFT;
const MAX_DMA32_PFN = 2 ** 32 / PAGE_SIZE;
/** arch/x86/include/asm/pgtable_32_types.h: 32-bit lowmem ends at 896 MiB (ZONE_HIGHMEM above). */
const MAX_LOWMEM_PFN_32 = (896 * 2 ** 20) >> PAGE_SHIFT;

/** Normalise a zone name from a config (`ZONE_DMA32`, `dma32`, `Normal` …) to the enum's name. */
export function zoneTypeOf(name: string): ZoneType {
  const key = name.replace(/^ZONE_/i, '').toLowerCase();
  const t = ZONE_TYPES.find((z) => z.toLowerCase() === key);
  if (t === undefined) throw new KernelError('EINVAL', `unknown zone '${name}'`);
  return t;
}

/** Where one zone of one node sits (struct zone: zone_start_pfn, spanned_pages). */
export interface ZoneSpan {
  /** Node id. */
  readonly nid: number;
  /** The zone's number in page->flags: its index among the configured zones. */
  readonly zoneIdx: number;
  readonly type: ZoneType;
  readonly startPfn: number;
  /** One past the last pfn. */
  readonly endPfn: number;
}

/** struct pglist_data: one NUMA node's pfn range. */
export interface NodeSpan {
  readonly nid: number;
  readonly startPfn: number;
  readonly endPfn: number;
}

/** What the physical memory map is computed from. */
export interface MemoryConfig {
  /** RAM size in bytes, a multiple of PAGE_SIZE, MIN_RAM_BYTES..MAX_RAM_BYTES. */
  ramBytes: number;
  /** Configured zones in enum zone_type order (from page-flags-layout's countZones). */
  zones: readonly string[];
  /** NUMA nodes (numa=fake=N); 1 without NUMA. */
  nrNodes?: number;
  /** movablecore=: bytes of each node's top memory placed in ZONE_MOVABLE. */
  movableBytes?: number;
  /** log2 of the memory-section size in bytes (arch SECTION_SIZE_BITS); 0 = no sections (FLATMEM). */
  sectionSizeBits?: number;
}

/** Validate a RAM size given by a person (`--mem`, `mem=`): one message naming what is wrong. */
export function validateRamSize(bytes: number, what = '--mem'): void {
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new KernelError('EINVAL', `${what}: memory size must be a positive number of bytes`);
  if (bytes % PAGE_SIZE !== 0)
    throw new KernelError(
      'EINVAL',
      `${what}: memory size ${bytes} is not a multiple of the page size (4096)`,
    );
  if (bytes < MIN_RAM_BYTES)
    throw new KernelError(
      'EINVAL',
      `${what}: ${formatSize(bytes)} is too small, the simulated kernel needs at least 64M`,
    );
  if (bytes > MAX_RAM_BYTES)
    throw new KernelError(
      'EINVAL',
      `${what}: ${formatSize(bytes)} is too large, at most 1T can be simulated`,
    );
}

/**
 * mm/mm_init.c: free_area_init() — node spans (equal shares, section aligned) and, within each
 * node, zone spans from the architecture's physical limits; a zone that is not configured hands
 * its range to the next configured zone above it, as the kernel's zone limits do.
 */
export function computeZoneSpans(config: MemoryConfig): { nodes: NodeSpan[]; zones: ZoneSpan[] } {
  validateRamSize(config.ramBytes);
  const nrPages = config.ramBytes / PAGE_SIZE;
  const nrNodes = config.nrNodes ?? 1;
  if (!Number.isInteger(nrNodes) || nrNodes < 1 || nrNodes > 64)
    throw new KernelError('EINVAL', `number of NUMA nodes must be 1..64, got ${nrNodes}`);
  const types = config.zones.map(zoneTypeOf);
  for (let i = 1; i < types.length; i++)
    if (ZONE_TYPES.indexOf(types[i]!) <= ZONE_TYPES.indexOf(types[i - 1]!))
      throw new KernelError(
        'EINVAL',
        `zones must be listed in enum zone_type order: ${config.zones.join(', ')}`,
      );
  if (!types.includes('Normal')) throw new KernelError('EINVAL', 'ZONE_NORMAL is always configured');
  const align = config.sectionSizeBits ? 2 ** (config.sectionSizeBits - PAGE_SHIFT) : 1 << MAX_PAGE_ORDER;
  const perNode = Math.floor(nrPages / nrNodes / align) * align;
  if (nrNodes > 1 && perNode === 0)
    throw new KernelError(
      'EINVAL',
      `${nrNodes} nodes need at least one memory section (${align} pages) each`,
    );

  const highmem = types.includes('HighMem');
  const movablePages =
    Math.floor((config.movableBytes ?? 0) / PAGE_SIZE / (1 << MAX_PAGE_ORDER)) << MAX_PAGE_ORDER;
  if (movablePages > 0 && !types.includes('Movable'))
    throw new KernelError('EINVAL', 'movablecore= needs ZONE_MOVABLE in the configuration');

  const nodes: NodeSpan[] = [];
  const zones: ZoneSpan[] = [];
  for (let nid = 0; nid < nrNodes; nid++) {
    const start = nid * perNode;
    const end = nid === nrNodes - 1 ? nrPages : start + perNode;
    nodes.push({ nid, startPfn: start, endPfn: end });
    // ZONE_MOVABLE takes the top of the node, at most half of it (find_zone_movable_pfns_for_nodes).
    const fixedEnd =
      end - Math.min(movablePages, Math.floor((end - start) / 2 / (1 << MAX_PAGE_ORDER)) << MAX_PAGE_ORDER);
    let lo = start;
    types.forEach((type, zoneIdx) => {
      let limit: number;
      switch (type) {
        case 'DMA':
          limit = MAX_DMA_PFN;
          break;
        case 'DMA32':
          limit = MAX_DMA32_PFN;
          break;
        case 'Normal':
          limit = highmem ? MAX_LOWMEM_PFN_32 : fixedEnd;
          break;
        case 'HighMem':
          limit = fixedEnd;
          break;
        case 'Movable':
          limit = end;
          break;
        case 'Device':
          limit = lo;
          break;
      }
      const hi = Math.max(lo, Math.min(limit, type === 'Movable' ? end : fixedEnd));
      zones.push({ nid, zoneIdx, type, startPfn: lo, endPfn: hi });
      lo = hi;
    });
  }
  return { nodes, zones };
}

/**
 * The memmap: one `struct page` record per page frame in one ArrayBuffer (mm_types.ts), the
 * flags words laid out as page-flags-layout computes for the booted configuration, plus the
 * node/zone/section geometry.
 */
export class MemMap {
  readonly nrPages: number;
  readonly ramBytes: number;
  /** The struct page records (vmemmap). */
  readonly pages: ArrayBuffer;
  /** The records as u32 words (PAGE_RECORD_WORDS per page), the view the page allocator indexes. */
  readonly mem: Int32Array;
  /** page->flags of every record (word 0 and, for 64-bit layouts, word 1 of each record). */
  readonly flags: PageFlagsArray;
  readonly layout: PageFlagsLayout;
  readonly nodes: readonly NodeSpan[];
  readonly zones: readonly ZoneSpan[];
  /** PAGES_PER_SECTION (0 without SPARSEMEM). */
  readonly pagesPerSection: number;
  /** log2(PAGES_PER_SECTION) (0 without SPARSEMEM). */
  readonly pfnSectionShift: number;
  /** log2 of the section size in bytes (SECTION_SIZE_BITS), 0 without SPARSEMEM. */
  readonly sectionSizeBits: number;

  /**
   * `onProgress(pagesDone, nrPages)` is called after each memory section's struct pages are
   * initialised (the part of the boot that takes time on large machines).
   */
  constructor(
    config: MemoryConfig,
    layout: PageFlagsLayout,
    onProgress?: (pagesDone: number, nrPages: number) => void,
  ) {
    const { nodes, zones } = computeZoneSpans(config);
    this.ramBytes = config.ramBytes;
    this.nrPages = config.ramBytes / PAGE_SIZE;
    this.layout = layout;
    this.nodes = nodes;
    this.zones = zones;
    this.sectionSizeBits = config.sectionSizeBits ?? 0;
    this.pfnSectionShift = config.sectionSizeBits ? config.sectionSizeBits - PAGE_SHIFT : 0;
    this.pagesPerSection = config.sectionSizeBits ? 2 ** this.pfnSectionShift : 0;
    if (zones.length > 0 && Math.max(...zones.map((z) => z.zoneIdx)) > layout.ZONES_MASK)
      throw new KernelError('EINVAL', `${zones.length} zones do not fit in ${layout.ZONES_WIDTH} zone bits`);
    this.pages = new ArrayBuffer(memmapHostBytes(this.nrPages));
    this.mem = new Int32Array(this.pages);
    this.flags = new PageFlagsArray(layout, this.nrPages, {
      buffer: this.pages,
      strideWords: PAGE_RECORD_WORDS,
    });
    this.initPageLinks(onProgress);
  }

  /**
   * mm/mm_init.c: memmap_init_range() → __init_single_page() → set_page_links(): the zone, node
   * and (without VMEMMAP) section number of every page, and the list links of every record set
   * to "none". One template word per zone and section is written with the field API and copied
   * into each page's record, which is what the per-page stores amount to.
   */
  private initPageLinks(onProgress?: (pagesDone: number, nrPages: number) => void): void {
    const L = this.layout;
    const f = this.flags;
    const mem = this.mem;
    const wide = f.wordsPerPage === 2;
    const secShift = this.pfnSectionShift;
    if (this.nrPages === 0) return;
    for (const z of this.zones) {
      let pfn = z.startPfn;
      while (pfn < z.endPfn) {
        const secEnd = secShift > 0 ? Math.min(z.endPfn, ((pfn >>> secShift) + 1) << secShift) : z.endPfn;
        if (L.ZONES_WIDTH > 0) f.setBits(pfn, L.ZONES_PGSHIFT, L.ZONES_WIDTH, z.zoneIdx);
        if (L.NODES_WIDTH > 0) f.setBits(pfn, L.NODES_PGSHIFT, L.NODES_WIDTH, z.nid);
        if (L.SECTIONS_WIDTH > 0) f.setBits(pfn, L.SECTIONS_PGSHIFT, L.SECTIONS_WIDTH, pfn >>> secShift);
        const lo = mem[pfn * PAGE_RECORD_WORDS]!;
        const hi = mem[pfn * PAGE_RECORD_WORDS + 1]!;
        for (
          let i = pfn * PAGE_RECORD_WORDS, end = secEnd * PAGE_RECORD_WORDS;
          i < end;
          i += PAGE_RECORD_WORDS
        ) {
          mem[i] = lo;
          if (wide) mem[i + 1] = hi;
          // INIT_LIST_HEAD(&page->lru) as "not on a list".
          mem[i + 2] = -1;
          mem[i + 3] = -1;
        }
        pfn = secEnd;
        onProgress?.(pfn, this.nrPages);
      }
    }
  }

  /** page_zone(): the zone span a pfn belongs to. */
  zoneOf(pfn: number): ZoneSpan {
    for (const z of this.zones) if (pfn >= z.startPfn && pfn < z.endPfn) return z;
    throw new KernelError('EINVAL', `pfn ${pfn} is outside physical memory`);
  }

  /** page_zonenum() read back from the page's flags word. */
  pageZonenum(pfn: number): number {
    return this.flags.getField(pfn, 'zone');
  }

  /** page_to_nid() read back from the page's flags word (0 when the node is not in page flags). */
  pageToNid(pfn: number): number {
    return this.flags.getField(pfn, 'node');
  }

  /** pfn_to_section_nr(). */
  pfnToSectionNr(pfn: number): number {
    return this.pfnSectionShift > 0 ? Math.floor(pfn / this.pagesPerSection) : 0;
  }

  /** Number of memory sections with memory (all of them: RAM is contiguous here). */
  get nrPresentSections(): number {
    return this.pagesPerSection > 0 ? Math.ceil(this.nrPages / this.pagesPerSection) : 0;
  }

  /** Bytes of host memory the memmap's records take. */
  get hostBytes(): number {
    return this.pages.byteLength;
  }
}
