/**
 * mm/page_ext.c: the storage of page extensions — per-page entries of `page_ext_size` bytes
 * (page_ext's own flags word when a client needs shared flags, then each needed client's data at
 * its `offset`), reached through the memory section (SPARSEMEM: include/linux/mmzone.h
 * __pfn_to_section() over the SPARSEMEM_EXTREME roots of `mem_section`) or the node (FLATMEM),
 * with page_ext_get()/page_ext_put() holding the RCU read lock in between.
 *
 * Host layout. Every table lives in one Float64Array, `entries`, whose slots are the kernel's
 * `unsigned long`s: entry e of a table covers slots [e, e + entrySlots), and a client's data is
 * at slot e + offset / sizeof(long) (codetag references are tag addresses below 2^53, which a
 * double holds exactly). Each section's table is its own region of the array, allocated when the
 * section gets page_ext and returned when it loses it, so an unused region costs no host memory
 * until it is touched. Slot 0 .. entrySlots - 1 is never handed out: like the kernel's NULL page,
 * it keeps the value 0 free to mean "no page_ext".
 *
 * The arrays are public and not readonly so that kernel-sim's memory-traffic accounting can give
 * them simulated addresses (it swaps in recording views of the same memory after boot).
 */

import { PgallocTagError } from './types';

/** mm/page_ext.c: PAGE_EXT_INVALID, the bit offline_page_ext() sets in section->page_ext. */
export const PAGE_EXT_INVALID = 1;
/** sizeof(struct mem_section) with CONFIG_PAGE_EXTENSION on 64-bit: section_mem_map, usage, page_ext, pad. */
export const SIZEOF_MEM_SECTION = 32;
/** u32 words of one struct mem_section in `sections`; section->page_ext is word MS_PAGE_EXT. */
export const MS_WORDS = 8;
export const MS_PAGE_EXT = 4;
/** include/linux/mmzone.h: SECTION_MARKED_PRESENT, bit 0 of section_mem_map (word 0). */
export const SECTION_MARKED_PRESENT = 1;

/** What the page_ext path of the page tag references needs from mm/page_ext.c. */
export interface PageExtMemory {
  /**
   * page_ext_get(): rcu_read_lock(), then lookup_page_ext(); the entry's first slot in `entries`,
   * or -1 (with the lock dropped again) when the page has no page_ext.
   */
  pageExtGet(pfn: number): number;
  /** page_ext_put(): rcu_read_unlock() for an entry page_ext_get() returned (-1: nothing). */
  pageExtPut(entry: number): void;
  /** The tables (see the module comment). */
  readonly entries: Float64Array;
  /** page_ext_size / sizeof(unsigned long): slots per entry (0 before setup()). */
  readonly entrySlots: number;
  /** Pages that currently have page_ext. */
  readonly pagesWithPageExt: number;
  /** sizeof(unsigned long) of the simulated kernel (8, or 4 on 32-bit). */
  readonly longBytes: number;
  /** Page frames of physical memory: pfns at or above have no struct page. */
  readonly nrPages: number;
}

/**
 * Slots (8-byte host doubles) of the entry arena of a storage with `tables` tables of
 * `tablePages` entries of `entrySlots` slots each: one entry more for the unused first one.
 */
export function pageExtArenaSlots(entrySlots: number, tables: number, tablePages: number): number {
  return entrySlots * (1 + tables * tablePages);
}

/** Options shared by both storages. */
interface PageExtStorageOptions {
  /** Page frames of physical memory (pfn 0 .. nrPages - 1). */
  nrPages: number;
  /** sizeof(unsigned long): 8 (default) or 4. */
  longBytes?: number;
}

function checkCount(name: string, v: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < 0 || v > max)
    throw new PgallocTagError('EINVAL', `${name} must be an integer in [0, ${max}], got ${v}`);
}

function checkPowerOfTwo(name: string, v: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < 1 || v > max || (v & (v - 1)) !== 0)
    throw new PgallocTagError('EINVAL', `${name} must be a power of two in [1, ${max}], got ${v}`);
}

/**
 * The RCU read side and the entry arena both storages share: rcu_read_lock()/unlock() as
 * PREEMPT_RCU does them (the nesting counter and the unlock-special test of the current task),
 * table regions handed out and returned, and the size bookkeeping.
 */
abstract class PageExtStorage implements PageExtMemory {
  readonly nrPages: number;
  readonly longBytes: number;
  entries: Float64Array = new Float64Array(0);
  /** current->rcu_read_lock_nesting and current->rcu_read_unlock_special (never set here). */
  rcu: Int32Array = new Int32Array(2);
  entrySlots = 0;
  /** Pages per table region. */
  protected readonly regionPages: number;
  /** Region handed out for each table, -1 = none (table number = section or node). */
  readonly tableRegion: Int32Array;
  private readonly freeRegions: number[] = [];
  private nextRegion = 0;
  private pagesCovered = 0;
  private badPuts = 0;

  protected constructor(nrPages: number, longBytes: number, regionPages: number, nrTables: number) {
    checkCount('nrPages', nrPages, 0xffffffff);
    if (longBytes !== 8 && longBytes !== 4)
      throw new PgallocTagError('EINVAL', `longBytes must be 8 or 4, got ${longBytes}`);
    this.nrPages = nrPages;
    this.longBytes = longBytes;
    this.regionPages = regionPages;
    this.tableRegion = new Int32Array(nrTables).fill(-1);
  }

  /**
   * invoke_need_callbacks() has fixed page_ext_size (bytes, a multiple of sizeof(long)): size the
   * arena. Before this every lookup finds no page_ext.
   */
  setup(pageExtSize: number): void {
    if (this.entrySlots !== 0) throw new PgallocTagError('EBUSY', 'page_ext_size is already set');
    if (!Number.isInteger(pageExtSize) || pageExtSize <= 0 || pageExtSize % this.longBytes !== 0)
      throw new PgallocTagError(
        'EINVAL',
        `page_ext_size must be a positive multiple of ${this.longBytes}, got ${pageExtSize}`,
      );
    const slots = pageExtSize / this.longBytes;
    const total = pageExtArenaSlots(slots, this.tableRegion.length, this.regionPages);
    // section->page_ext keeps a doubled slot offset in an int32 (see SparsePageExt).
    if (total >= 2 ** 30)
      throw new PgallocTagError('EINVAL', `${total} page_ext slots exceed what the simulator can index`);
    this.entrySlots = slots;
    this.entries = new Float64Array(total);
  }

  /** Entries per table region (PAGES_PER_SECTION, or the largest node table). */
  get tablePages(): number {
    return this.regionPages;
  }

  /** page_ext_size in bytes (0 before setup()). */
  get pageExtSize(): number {
    return this.entrySlots * this.longBytes;
  }

  /** Pages that currently have page_ext. */
  get pagesWithPageExt(): number {
    return this.pagesCovered;
  }

  /** total_usage: bytes of page_ext tables allocated (a whole table per section or node). */
  get totalUsage(): number {
    let tables = 0;
    for (let i = 0; i < this.tableRegion.length; i++) if (this.tableRegion[i]! >= 0) tables++;
    return tables * this.regionPages * this.entrySlots * this.longBytes;
  }

  /** Current RCU read-side nesting from gets not yet matched by puts. */
  get rcuReadLockDepth(): number {
    return this.rcu[0]!;
  }

  /** Puts that found no RCU read lock held (each an unbalanced rcu_read_unlock()). */
  get unbalancedPuts(): number {
    return this.badPuts;
  }

  /** First slot of the table of `table`'s region, or -1. */
  tableStart(table: number): number {
    const r = this.tableRegion[table]!;
    return r < 0 ? -1 : this.entrySlots * (1 + r * this.regionPages);
  }

  abstract pageExtGet(pfn: number): number;

  /** page_ext_put(): `if (!page_ext) return; rcu_read_unlock();` */
  pageExtPut(entry: number): void {
    if (entry < 0) return;
    const rcu = this.rcu;
    const depth = rcu[0]!;
    if (depth === 0) {
      this.badPuts++;
      return;
    }
    rcu[0] = depth - 1;
    // __rcu_read_unlock(): the outermost unlock checks rcu_read_unlock_special, which only a
    // preempted or expedited reader has set; nothing sets it in a single-threaded simulation.
    if (depth === 1 && rcu[1] !== 0) rcu[1] = 0;
  }

  /** Hand out a zeroed region for table `table` ((__GFP_ZERO) allocation); returns its first slot. */
  protected allocRegion(table: number, pages: number): number {
    let r = this.freeRegions.pop();
    if (r === undefined) r = this.nextRegion++;
    this.tableRegion[table] = r;
    // Zero already: a fresh region since the arena was allocated, a reused one since freeRegion().
    this.pagesCovered += pages;
    return this.entrySlots * (1 + r * this.regionPages);
  }

  /** Return table `table`'s region. */
  protected freeRegion(table: number, pages: number): void {
    const r = this.tableRegion[table]!;
    if (r < 0) return;
    const start = this.tableStart(table);
    this.entries.fill(0, start, start + this.regionPages * this.entrySlots);
    this.tableRegion[table] = -1;
    this.freeRegions.push(r);
    this.pagesCovered -= pages;
  }
}

/** Options of {@link SparsePageExt}. */
export interface SparsePageExtOptions extends PageExtStorageOptions {
  /** PAGES_PER_SECTION, a power of two, at least 2. */
  pagesPerSection: number;
  /** SECTIONS_PER_ROOT = PAGE_SIZE / sizeof(struct mem_section): 128 by default (SPARSEMEM_EXTREME). */
  sectionsPerRoot?: number;
  /** NR_SECTION_ROOTS (from MAX_PHYSMEM_BITS - SECTION_SIZE_BITS); default: just enough for nrPages. */
  nrSectionRoots?: number;
  /** present_section_nr(): sections with memory at boot (default: every section of [0, nrPages)). */
  sectionPresent?: (nr: number) => boolean;
}

/**
 * SPARSEMEM page_ext: `mem_section` as the SPARSEMEM_EXTREME kernel has it — an array of
 * NR_SECTION_ROOTS root pointers (`roots`: the number of the root's block in `sections`, -1 =
 * NULL), each root a block of SECTIONS_PER_ROOT struct mem_section (MS_WORDS u32 words each in
 * `sections`) — and one table per section. section->page_ext holds what the kernel stores there,
 * the table's base minus `pfn × page_ext_size` of the section's first page, so that the entry of
 * any page is `base + pfn × page_ext_size`; here as a slot offset, doubled so that bit 0 can carry
 * PAGE_EXT_INVALID (0 = NULL).
 */
export class SparsePageExt extends PageExtStorage {
  readonly pagesPerSection: number;
  readonly nrSections: number;
  readonly sectionsPerRoot: number;
  /** mem_section[root] for every root: block number in `sections`, -1 = NULL. */
  roots: Int32Array;
  /** The struct mem_section records of every allocated root block. */
  sections: Int32Array;
  private readonly pfnSectionShift: number;
  private readonly rootShift: number;
  private readonly rootMask: number;
  private rootBlocks = 0;

  constructor(opts: SparsePageExtOptions) {
    // At least 2: the biased base of a section's table can then never be 0 (NULL).
    if (opts.pagesPerSection === 1)
      throw new PgallocTagError('EINVAL', 'pagesPerSection must be a power of two in [2, 2^30], got 1');
    checkPowerOfTwo('pagesPerSection', opts.pagesPerSection, 2 ** 30);
    const spr = opts.sectionsPerRoot ?? 4096 / SIZEOF_MEM_SECTION;
    checkPowerOfTwo('sectionsPerRoot', spr, 2 ** 16);
    const nrSections = Math.ceil(opts.nrPages / opts.pagesPerSection);
    super(opts.nrPages, opts.longBytes ?? 8, opts.pagesPerSection, nrSections);
    this.pagesPerSection = opts.pagesPerSection;
    this.nrSections = nrSections;
    this.sectionsPerRoot = spr;
    const minRoots = Math.ceil(nrSections / spr);
    const nrRoots = opts.nrSectionRoots ?? minRoots;
    checkCount('nrSectionRoots', nrRoots, 2 ** 24);
    if (nrRoots < minRoots)
      throw new PgallocTagError('EINVAL', `${nrRoots} section roots cannot hold ${nrSections} sections`);
    this.pfnSectionShift = Math.log2(opts.pagesPerSection);
    this.rootShift = Math.log2(spr);
    this.rootMask = spr - 1;
    this.roots = new Int32Array(nrRoots).fill(-1);
    this.sections = new Int32Array(0);
    // sparse_init(): memory_present() → sparse_index_init() allocates the root of every present
    // section and marks the section present.
    for (let nr = 0; nr < nrSections; nr++) {
      if (opts.sectionPresent !== undefined && !opts.sectionPresent(nr)) continue;
      this.sparseIndexInit(nr);
      this.sections[this.sectionWord(nr)]! |= SECTION_MARKED_PRESENT;
    }
  }

  /** NR_SECTION_ROOTS. */
  get nrSectionRoots(): number {
    return this.roots.length;
  }

  /** present_section_nr(): SECTION_MARKED_PRESENT in section_mem_map. */
  isPresent(nr: number): boolean {
    const w = this.sectionWord(nr);
    return w >= 0 && (this.sections[w]! & SECTION_MARKED_PRESENT) !== 0;
  }

  /** Index in `sections` of struct mem_section `nr`'s first word, or -1 when its root is NULL. */
  sectionWord(nr: number): number {
    const root = nr >>> this.rootShift;
    if (root >= this.roots.length) return -1;
    const b = this.roots[root]!;
    return b < 0 ? -1 : ((b << this.rootShift) | (nr & this.rootMask)) * MS_WORDS;
  }

  /**
   * page_ext_get(pfn) with lookup_page_ext() inlined: rcu_read_lock(); __pfn_to_section() —
   * SECTION_NR_TO_ROOT, the root bound, mem_section[root] — READ_ONCE(section->page_ext),
   * page_ext_invalid(), get_entry(page_ext, pfn). Nothing is cached from one call to the next.
   */
  pageExtGet(pfn: number): number {
    const rcu = this.rcu;
    rcu[0]!++;
    const nr = pfn >>> this.pfnSectionShift;
    const root = nr >>> this.rootShift;
    let pe = 0;
    if (root < this.roots.length) {
      const b = this.roots[root]!;
      if (b >= 0) pe = this.sections[(((b << this.rootShift) | (nr & this.rootMask)) << 3) + 4]!;
    }
    if (pe === 0 || (pe & 1) !== 0) {
      rcu[0]!--;
      return -1;
    }
    return (pe >> 1) + pfn * this.entrySlots;
  }

  /** lookup_page_ext(page) != NULL, without taking the RCU read lock. */
  hasPageExt(pfn: number): boolean {
    if (pfn >>> 0 !== pfn || pfn >= this.nrPages) return false;
    const w = this.sectionWord(pfn >>> this.pfnSectionShift);
    if (w < 0) return false;
    const pe = this.sections[w + MS_PAGE_EXT]!;
    return pe !== 0 && (pe & 1) === 0;
  }

  /**
   * init_section_page_ext(): a zeroed table for section `nr` (which must be present, i.e. have a
   * root) unless it has one; section->page_ext := base − first pfn × page_ext_size. Returns the
   * bytes allocated (a whole table of PAGES_PER_SECTION entries, as the kernel allocates).
   */
  initSection(nr: number): number {
    this.checkSection(nr);
    if (this.entrySlots === 0)
      throw new PgallocTagError('EINVAL', 'page_ext_size is not set (setup() first)');
    if (!this.isPresent(nr)) throw new PgallocTagError('EINVAL', `section ${nr} is not present`);
    const w = this.sectionWord(nr);
    if (this.sections[w + MS_PAGE_EXT] !== 0) return 0;
    const start = this.allocRegion(nr, this.sectionPages(nr));
    const biased = start - nr * this.pagesPerSection * this.entrySlots;
    this.sections[w + MS_PAGE_EXT] = biased * 2;
    return this.pagesPerSection * this.entrySlots * this.longBytes;
  }

  /**
   * page_ext_init()'s loop: init_section_page_ext() for every present section, in order. Each
   * table's memory is first asked of `allocTable(nr, bytes)` (kernel-sim charges it to the page
   * allocator); false there is the kernel's "page ext allocation failure": ENOMEM, with the
   * tables allocated so far kept. Returns total_usage.
   */
  pageExtInit(allocTable: (nr: number, bytes: number) => boolean = () => true): number {
    for (let nr = 0; nr < this.nrSections; nr++) {
      if (!this.isPresent(nr)) continue;
      if (!allocTable(nr, this.pagesPerSection * this.entrySlots * this.longBytes))
        throw new PgallocTagError('ENOMEM', `page ext allocation failure (section ${nr})`);
      this.initSection(nr);
    }
    return this.totalUsage;
  }

  /** __invalidate_page_ext(): set PAGE_EXT_INVALID in section->page_ext (lookups now fail). */
  invalidateSection(nr: number): void {
    this.checkSection(nr);
    const w = this.sectionWord(nr);
    if (w < 0 || this.sections[w + MS_PAGE_EXT] === 0) return;
    this.sections[w + MS_PAGE_EXT]! |= PAGE_EXT_INVALID;
  }

  /** __free_page_ext(): section->page_ext := NULL and the table is freed. Returns the bytes freed. */
  freeSection(nr: number): number {
    this.checkSection(nr);
    const w = this.sectionWord(nr);
    if (w < 0 || this.sections[w + MS_PAGE_EXT] === 0) return 0;
    this.sections[w + MS_PAGE_EXT] = 0;
    this.freeRegion(nr, this.sectionPages(nr));
    return this.pagesPerSection * this.entrySlots * this.longBytes;
  }

  /**
   * online_page_ext() for one section (memory hotplug): the root if the section had none
   * (sparse_index_init), then the table. Returns the bytes allocated.
   */
  onlineSection(nr: number): number {
    this.checkSection(nr);
    if (this.sectionWord(nr) < 0) this.sparseIndexInit(nr);
    const w = this.sectionWord(nr);
    if (this.sections[w + MS_PAGE_EXT] !== 0)
      throw new PgallocTagError('EBUSY', `section ${nr} already has page_ext`);
    if (this.entrySlots === 0)
      throw new PgallocTagError('EINVAL', 'page_ext_size is not set (setup() first)');
    this.sections[w]! |= SECTION_MARKED_PRESENT;
    return this.initSection(nr);
  }

  /**
   * offline_page_ext() for one section: invalidate, synchronize_rcu(), free. A reader still
   * inside page_ext_get()/page_ext_put() would make synchronize_rcu() wait forever in a
   * single-threaded world, so that is refused (EBUSY) before anything changes.
   */
  offlineSection(nr: number): number {
    this.checkSection(nr);
    const w = this.sectionWord(nr);
    if (w < 0 || this.sections[w + MS_PAGE_EXT] === 0)
      throw new PgallocTagError('EINVAL', `section ${nr} has no page_ext`);
    if (this.rcu[0] !== 0)
      throw new PgallocTagError('EBUSY', `section ${nr}: page_ext still in use by an open get`);
    this.invalidateSection(nr);
    return this.freeSection(nr);
  }

  /** Pages of physical memory in section `nr`. */
  sectionPages(nr: number): number {
    return Math.max(0, Math.min(this.pagesPerSection, this.nrPages - nr * this.pagesPerSection));
  }

  private checkSection(nr: number): void {
    if (!Number.isInteger(nr) || nr < 0 || nr >= this.nrSections)
      throw new PgallocTagError('EINVAL', `section ${nr} is outside [0, ${this.nrSections})`);
  }

  /** mm/sparse.c: sparse_index_init() — allocate the root block holding section `nr`. */
  private sparseIndexInit(nr: number): void {
    const root = nr >>> this.rootShift;
    if (this.roots[root]! >= 0) return;
    const blockWords = this.sectionsPerRoot * MS_WORDS;
    const grown = new Int32Array((this.rootBlocks + 1) * blockWords);
    grown.set(this.sections);
    this.sections = grown;
    this.roots[root] = this.rootBlocks++;
  }
}

/** Options of {@link FlatPageExt}. */
export interface FlatPageExtOptions extends PageExtStorageOptions {
  /** The nodes' pfn ranges [startPfn, endPfn), ascending (one for a machine without NUMA). */
  nodes: readonly { readonly startPfn: number; readonly endPfn: number }[];
  /** MAX_ORDER_NR_PAGES (1024 by default): node tables are aligned to it. */
  maxOrderNrPages?: number;
}

/**
 * FLATMEM page_ext: one table per node (`pgdat->node_page_ext`), allocated from memblock at
 * page_ext_init_flatmem(); the entry of a page is base + (pfn − round_down(node start,
 * MAX_ORDER_NR_PAGES)) × page_ext_size. `nodeBase` holds each node's table as a slot offset
 * (0 = NULL); the node of a pfn comes from the spans (page_to_nid).
 */
export class FlatPageExt extends PageExtStorage {
  readonly nodeStart: Float64Array;
  readonly nodeEnd: Float64Array;
  /** pgdat->node_page_ext of every node: first slot of the table, 0 = NULL. */
  nodeBase: Int32Array;
  private readonly maxOrderNrPages: number;

  constructor(opts: FlatPageExtOptions) {
    const align = opts.maxOrderNrPages ?? 1024;
    checkPowerOfTwo('maxOrderNrPages', align, 2 ** 20);
    if (opts.nodes.length === 0)
      throw new PgallocTagError('EINVAL', 'FLATMEM page_ext needs at least one node');
    let span = 0;
    let prevEnd = 0;
    for (const n of opts.nodes) {
      if (!(n.startPfn >= prevEnd && n.endPfn >= n.startPfn && n.endPfn <= opts.nrPages))
        throw new PgallocTagError(
          'EINVAL',
          `node span [${n.startPfn}, ${n.endPfn}) is not ascending inside memory`,
        );
      prevEnd = n.endPfn;
      span = Math.max(span, nodeTablePages(n.startPfn, n.endPfn, align));
    }
    super(opts.nrPages, opts.longBytes ?? 8, span, opts.nodes.length);
    this.maxOrderNrPages = align;
    this.nodeStart = new Float64Array(opts.nodes.map((n) => n.startPfn));
    this.nodeEnd = new Float64Array(opts.nodes.map((n) => n.endPfn));
    this.nodeBase = new Int32Array(opts.nodes.length);
  }

  /** page_ext_get(pfn) with the FLATMEM lookup_page_ext() inlined. */
  pageExtGet(pfn: number): number {
    const rcu = this.rcu;
    rcu[0]!++;
    let nid = 0;
    const ends = this.nodeEnd;
    while (nid < ends.length - 1 && pfn >= ends[nid]!) nid++;
    const base = this.nodeBase[nid]!;
    if (base === 0) {
      rcu[0]!--;
      return -1;
    }
    const first = this.nodeStart[nid]! & ~(this.maxOrderNrPages - 1);
    return base + (pfn - first) * this.entrySlots;
  }

  /** lookup_page_ext(page) != NULL. */
  hasPageExt(pfn: number): boolean {
    if (pfn >>> 0 !== pfn || pfn >= this.nrPages) return false;
    for (let nid = 0; nid < this.nodeEnd.length; nid++)
      if (pfn >= this.nodeStart[nid]! && pfn < this.nodeEnd[nid]!) return this.nodeBase[nid] !== 0;
    return false;
  }

  /** alloc_node_page_ext(): node `nid`'s table. Returns the bytes allocated. */
  initNode(nid: number): number {
    if (!Number.isInteger(nid) || nid < 0 || nid >= this.nodeBase.length)
      throw new PgallocTagError('EINVAL', `node ${nid} does not exist`);
    if (this.entrySlots === 0)
      throw new PgallocTagError('EINVAL', 'page_ext_size is not set (setup() first)');
    if (this.nodeBase[nid] !== 0) return 0;
    const pages = nodeTablePages(this.nodeStart[nid]!, this.nodeEnd[nid]!, this.maxOrderNrPages);
    this.nodeBase[nid] = this.allocRegion(nid, this.nodeEnd[nid]! - this.nodeStart[nid]!);
    return pages * this.entrySlots * this.longBytes;
  }

  /**
   * page_ext_init_flatmem(): alloc_node_page_ext() for every node; `allocTable(nid, bytes)`
   * false is ENOMEM ("allocation of page_ext failed."). Returns total_usage.
   */
  pageExtInitFlatmem(allocTable: (nid: number, bytes: number) => boolean = () => true): number {
    for (let nid = 0; nid < this.nodeBase.length; nid++) {
      const bytes =
        nodeTablePages(this.nodeStart[nid]!, this.nodeEnd[nid]!, this.maxOrderNrPages) *
        this.entrySlots *
        this.longBytes;
      if (!allocTable(nid, bytes)) throw new PgallocTagError('ENOMEM', 'allocation of page_ext failed.');
      this.initNode(nid);
    }
    return this.totalUsage;
  }

  /** total_usage: each node's table as alloc_node_page_ext() sized it. */
  override get totalUsage(): number {
    let bytes = 0;
    for (let nid = 0; nid < this.nodeBase.length; nid++)
      if (this.nodeBase[nid] !== 0)
        bytes +=
          nodeTablePages(this.nodeStart[nid]!, this.nodeEnd[nid]!, this.maxOrderNrPages) *
          this.entrySlots *
          this.longBytes;
    return bytes;
  }
}

/** alloc_node_page_ext(): the node's spanned pages, plus MAX_ORDER_NR_PAGES when it is not aligned to them. */
function nodeTablePages(start: number, end: number, align: number): number {
  const pages = end - start;
  if (pages === 0) return 0;
  return start % align !== 0 || end % align !== 0 ? pages + align : pages;
}
