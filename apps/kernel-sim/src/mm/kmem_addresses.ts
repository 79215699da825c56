/**
 * Simulated kernel addresses of the memory the page allocator and the page tag hooks touch, for
 * the memory-traffic accounting (`kernel-sim bench`): where each structure would sit in an
 * x86_64 kernel (Documentation/arch/x86/x86_64/mm.rst: the vmemmap and the direct map), with the
 * kernel's layouts — 64-byte struct page (include/linux/mm_types.h), struct zone and
 * struct per_cpu_pages field offsets (include/linux/mmzone.h), 32-byte struct mem_section and its
 * roots, page_ext tables where alloc_pages_exact() put them, per-CPU alloc_tag_counters of 16
 * bytes (include/linux/alloc_tag.h), the RCU nesting count of `current`.
 *
 * Addresses drop the 0xffff sign-extension prefix, so they stay exact doubles. Structures that
 * memblock or the per-CPU allocator place at boot (pglist_data with its zones, the per-CPU
 * areas, the mem_section roots, init_task) are put in the kernel image's .bss range, memory that
 * is reserved for good, so they never alias a page the buddy allocator hands out.
 *
 * {@link traceKernelMemory} swaps every typed array those paths index for a recording view of
 * the same memory (a Proxy that reports each element access with its simulated address to a
 * {@link MemoryAccessSink}). It is meant for a machine booted only to be measured: recording
 * views are orders of magnitude slower, and once the JIT has seen them the shared allocator code
 * is slower for every machine of the process, so the timed runs must be over first.
 */

import type { AllocTagCounters } from '@allocprof/alloc-tag';
import { MS_WORDS, PageFlagsTagRefs, SparsePageExt } from '@allocprof/pgalloc-tag';
import { PAGE_RECORD_WORDS, STRUCT_PAGE_OFFSETS, STRUCT_PAGE_SIZE } from './mm_types';
import { NR_PCP_ORDERS, PCP_BATCH, PCP_COUNT, PCP_HIGH, PCP_LISTS, PCP_TAILS, PCP_WORDS } from './mmzone';
import type { BuddyAllocator } from './page_alloc';
import type { PageExt } from './page_ext';

/** VMEMMAP_START (4-level paging): the struct page array. */
export const VMEMMAP_START = 0xea0000000000;
/** PAGE_OFFSET (4-level paging, no KASLR): the direct map of physical memory. */
export const PAGE_OFFSET = 0x888000000000;
/** Physical start of the image's .bss (kernel-sim's image layout in init/main.ts). */
const BSS_PHYS = 0x1000000 + (16384 + 7236 + 2776 + 3280) * 1024;
const BSS = PAGE_OFFSET + BSS_PHYS;
/** pglist_data of node 0 and its zones: struct zone is ~1.7 KiB; 2 KiB apart. */
export const NODE_DATA = BSS;
const ZONE_STRIDE = 2048;
/** Per-CPU areas (first chunk): one 256 KiB unit per CPU. */
export const PERCPU_BASE = BSS + 0x100000;
const PERCPU_UNIT = 0x40000;
/** Offset of the per_cpu_pages of zone z in a unit (struct per_cpu_pages is 272 bytes; 320 apart). */
const PCP_OFFSET = 0x0;
const PCP_STRIDE = 320;
/** Offset of the alloc_tag_counters chunk in a unit. */
const COUNTERS_OFFSET = 0x4000;
/** `mem_section`, the root pointer array, and the root blocks (a page each). */
export const MEM_SECTION_ROOTS = BSS + 0x300000;
const MEM_SECTION_BLOCKS = BSS + 0x340000;
/** init_task's rcu_read_lock_nesting and rcu_read_unlock_special (adjacent ints). */
export const CURRENT_RCU = BSS + 0x500000 + 0x7c0;

/** Byte offsets in struct zone of mmzone.ts's `data` slots: _watermark[0..2], managed_pages, vm_stat[NR_FREE_PAGES]. */
const ZONE_DATA_OFFSETS = [0, 8, 16, 160, 1536];
const ZONE_LOWMEM_RESERVE = 56;
/** struct free_area free_area[NR_PAGE_ORDERS] (after a cache-line pad); 104 bytes each: 6 list heads, nr_free. */
const ZONE_FREE_AREA = 256;
const FREE_AREA_SIZE = 104;
const FREE_AREA_NR_FREE = 96;
/** struct per_cpu_pages: count @4, high @8, batch @20, lists[] @32 (list of order o, MIGRATE_UNMOVABLE: o × 3). */
const PCP_FIELD: Record<number, number> = { [PCP_COUNT]: 4, [PCP_HIGH]: 8, [PCP_BATCH]: 20 };
const PCP_LIST0 = 32;

/** The kind of memory an address belongs to, for per-structure counts. */
export type KmemRegion =
  | 'memmap'
  | 'page_ext'
  | 'mem_section'
  | 'zone'
  | 'pcp'
  | 'alloc_tag_counters'
  | 'current';

/** Every region, in report order. */
export const KMEM_REGIONS: readonly KmemRegion[] = [
  'memmap',
  'page_ext',
  'mem_section',
  'zone',
  'pcp',
  'alloc_tag_counters',
  'current',
];

/** Receives every recorded access. */
export interface MemoryAccessSink {
  /**
   * One element access at simulated address `addr` of `region`; `write` for a store.
   * `flagsView` marks accesses of the page-flags tag backend, whose stores the kernel makes with
   * a locked read-modify-write of the word (the try_cmpxchg() of update_page_tag_ref()).
   */
  access(addr: number, region: KmemRegion, write: boolean, flagsView: boolean): void;
}

type Typed = Int32Array | Uint32Array | Float64Array;

/**
 * A view of `arr` whose element reads and writes are reported to `sink` at `addrOf(index)`.
 * Element accesses only: the hot paths never call typed-array methods on these arrays.
 */
function recordingView<T extends Typed>(
  arr: T,
  region: KmemRegion,
  addrOf: (i: number) => number,
  sink: MemoryAccessSink,
  flagsView = false,
): T {
  const index = (key: string | symbol): number => {
    if (typeof key !== 'string') return -1;
    const i = Number(key);
    return Number.isInteger(i) && i >= 0 && i < arr.length ? i : -1;
  };
  return new Proxy(arr, {
    get(target, key) {
      const i = index(key);
      if (i >= 0) {
        sink.access(addrOf(i), region, false, flagsView);
        return target[i];
      }
      return Reflect.get(target, key, target);
    },
    set(target, key, value) {
      const i = index(key);
      if (i < 0) return Reflect.set(target, key, value, target);
      sink.access(addrOf(i), region, true, flagsView);
      target[i] = value as number;
      return true;
    },
  });
}

/** Simulated address of word `i` of the memmap's records (the kernel's 64-byte struct page). */
export function structPageAddress(i: number): number {
  const pfn = Math.floor(i / PAGE_RECORD_WORDS);
  return VMEMMAP_START + pfn * STRUCT_PAGE_SIZE + STRUCT_PAGE_OFFSETS[i % PAGE_RECORD_WORDS]!;
}

/** The parts of a booted kernel whose memory is recorded. */
export interface TracedKernel {
  readonly alloc: BuddyAllocator;
  readonly pageExt: PageExt;
  /** The page tag reference backend (null without profiling). */
  readonly pageTagRefs: unknown;
  /** Per-CPU counters of the allocation tags (null without profiling). */
  readonly counters: AllocTagCounters | null;
  readonly nrCpus: number;
}

/**
 * Replace every typed array of the page allocation paths of `k` by a recording view reporting to
 * `sink` (see the module comment). Not reversible: measure with a machine of its own.
 */
export function traceKernelMemory(k: TracedKernel, sink: MemoryAccessSink): void {
  const alloc = k.alloc;
  alloc.mem = recordingView(alloc.mem, 'memmap', structPageAddress, sink);
  if (k.pageTagRefs instanceof PageFlagsTagRefs) {
    // The page-flags backend's view of the same records: its stores are update_page_tag_ref()'s cmpxchg.
    k.pageTagRefs.words = recordingView(k.pageTagRefs.words, 'memmap', structPageAddress, sink, true);
  }
  alloc.zones.forEach((z, zi) => {
    const base = NODE_DATA + zi * ZONE_STRIDE;
    z.data = recordingView(z.data, 'zone', (i) => base + ZONE_DATA_OFFSETS[i]!, sink);
    z.lowmemReserve = recordingView(z.lowmemReserve, 'zone', (i) => base + ZONE_LOWMEM_RESERVE + 8 * i, sink);
    z.freeHead = recordingView(z.freeHead, 'zone', (o) => base + ZONE_FREE_AREA + o * FREE_AREA_SIZE, sink);
    z.nrFree = recordingView(
      z.nrFree,
      'zone',
      (o) => base + ZONE_FREE_AREA + o * FREE_AREA_SIZE + FREE_AREA_NR_FREE,
      sink,
    );
    z.pcp = recordingView(
      z.pcp,
      'pcp',
      (i) => {
        const cpu = Math.floor(i / PCP_WORDS);
        const w = i % PCP_WORDS;
        const pcp = PERCPU_BASE + cpu * PERCPU_UNIT + PCP_OFFSET + zi * PCP_STRIDE;
        if (w >= PCP_TAILS) return pcp + PCP_LIST0 + (w - PCP_TAILS) * 3 * 16 + 8;
        if (w >= PCP_LISTS && w < PCP_LISTS + NR_PCP_ORDERS)
          return pcp + PCP_LIST0 + (w - PCP_LISTS) * 3 * 16;
        return pcp + (PCP_FIELD[w] ?? 0);
      },
      sink,
    );
  });
  const c = k.counters;
  if (c !== null) {
    const counterAddr = (i: number, field: number): number => {
      const id = Math.floor(i / c.nrCpus);
      const cpu = i % c.nrCpus;
      return PERCPU_BASE + cpu * PERCPU_UNIT + COUNTERS_OFFSET + id * 16 + field;
    };
    c.bytes = recordingView(c.bytes, 'alloc_tag_counters', (i) => counterAddr(i, 0), sink);
    c.calls = recordingView(c.calls, 'alloc_tag_counters', (i) => counterAddr(i, 8), sink);
  }
  tracePageExt(k.pageExt, sink);
}

/** The page_ext storage: mem_section roots and sections, the tables, current's RCU nesting. */
function tracePageExt(pe: PageExt, sink: MemoryAccessSink): void {
  const s = pe.storage;
  const long = s.longBytes;
  if (s instanceof SparsePageExt) {
    const spr = s.sectionsPerRoot;
    s.roots = recordingView(s.roots, 'mem_section', (r) => MEM_SECTION_ROOTS + 8 * r, sink);
    s.sections = recordingView(
      s.sections,
      'mem_section',
      (i) => {
        const block = Math.floor(i / (spr * MS_WORDS));
        const within = i % (spr * MS_WORDS);
        return (
          MEM_SECTION_BLOCKS +
          block * 4096 +
          Math.floor(within / MS_WORDS) * 4 * long +
          (within % MS_WORDS) * 4
        );
      },
      sink,
    );
  }
  // Each table at the direct-map address of the pages it was allocated from.
  const regionSlots = s.entrySlots * s.tablePages;
  const tableOfRegion: number[] = [];
  for (let t = 0; t < s.tableRegion.length; t++)
    if (s.tableRegion[t]! >= 0) tableOfRegion[s.tableRegion[t]!] = t;
  const regionOfSlot = (slot: number): number =>
    regionSlots === 0 ? -1 : (tableOfRegion[Math.floor((slot - s.entrySlots) / regionSlots)] ?? -1);
  s.entries = recordingView(
    s.entries,
    'page_ext',
    (slot) => {
      const t = regionOfSlot(slot);
      if (t < 0) return PAGE_OFFSET;
      return PAGE_OFFSET + pe.tablePfn[t]! * 4096 + (slot - s.tableStart(t)) * long;
    },
    sink,
  );
  s.rcu = recordingView(s.rcu, 'current', (i) => CURRENT_RCU + 4 * i, sink);
}
