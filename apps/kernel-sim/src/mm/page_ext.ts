/**
 * mm/page_ext.c: the page extension framework — clients declare a per-page size, whether they
 * use page_ext's own flags word (need_shared_flags) and a `need` callback; invoke_need_callbacks()
 * lays the needed clients out in an entry of page_ext_size bytes, storage is allocated only when
 * at least one client needs it, and the `allocated %ld bytes of page_ext` line is printed only
 * then. The tables and their lookup (mem_section for SPARSEMEM, the node for FLATMEM,
 * page_ext_get()/page_ext_put()) are pgalloc-tag's SparsePageExt / FlatPageExt; this module owns
 * the clients, the boot sequence and where each table's memory came from.
 */

import { FlatPageExt, SparsePageExt } from '@allocprof/pgalloc-tag';
import type { Printk } from '../kernel/printk';

/** sizeof(struct page_ext) on 64-bit: the flags word an entry starts with when a client shares it. */
export const PAGE_EXT_HEADER_SIZE = 8;

/** struct page_ext_operations. */
export interface PageExtClient {
  readonly name: string;
  /** Bytes of per-page data the client needs. */
  readonly size: number;
  /** need_shared_flags: the client uses struct page_ext's flags word (page_owner does). */
  readonly needSharedFlags?: boolean;
  /** need(): whether this boot needs the client's data (absent = always). */
  need?(): boolean;
  /** init(): called once after page_ext storage exists for all present memory. */
  init?(): void;
  /** ops->offset: where the client's data starts in an entry (written by page_ext_init). */
  offset?: number;
}

/**
 * Where page_ext tables come from. SPARSEMEM allocates each section's table from the page
 * allocator after it is up (alloc_pages_exact_nid); FLATMEM takes one table per node from
 * memblock before the buddy allocator exists. Returns the first pfn of the memory, or -1 when it
 * cannot be had.
 */
export interface PageExtBacking {
  allocTable(table: number, bytes: number): number;
}

/** Options of the framework. */
export interface PageExtOptions {
  printk: Printk;
  nrPages: number;
  /** PAGES_PER_SECTION; 0 for FLATMEM (one table per node). */
  pagesPerSection: number;
  /** The nodes' pfn ranges (FLATMEM tables); default one node over all of memory. */
  nodes?: readonly { readonly startPfn: number; readonly endPfn: number }[];
  /** sizeof(struct page_ext) = sizeof(unsigned long): 8 on 64-bit (default), 4 on 32-bit. */
  headerSize?: number;
  /** NR_SECTION_ROOTS of the configuration (SPARSEMEM_EXTREME); default just enough for the RAM. */
  nrSectionRoots?: number;
}

/** mm/page_ext.c: the registered clients and the state of page_ext storage. */
export class PageExt {
  /** The tables and their lookup. */
  readonly storage: SparsePageExt | FlatPageExt;
  /** First pfn of each table's memory (section or node order), -1 = none. */
  readonly tablePfn: Float64Array;
  private readonly clients: PageExtClient[] = [];
  private readonly printk: Printk;
  private readonly headerSize: number;
  private entrySize = 0;
  private inited = false;
  private active: PageExtClient[] = [];

  constructor(opts: PageExtOptions) {
    this.printk = opts.printk;
    this.headerSize = opts.headerSize ?? PAGE_EXT_HEADER_SIZE;
    const longBytes = this.headerSize;
    if (opts.pagesPerSection > 0) {
      this.storage = new SparsePageExt({
        nrPages: opts.nrPages,
        pagesPerSection: opts.pagesPerSection,
        // SECTIONS_PER_ROOT = PAGE_SIZE / sizeof(struct mem_section), four longs with page_ext.
        sectionsPerRoot: 4096 / (4 * longBytes),
        longBytes,
        ...(opts.nrSectionRoots !== undefined ? { nrSectionRoots: opts.nrSectionRoots } : {}),
      });
      this.tablePfn = new Float64Array(this.storage.nrSections).fill(-1);
    } else {
      const nodes = opts.nodes ?? [{ startPfn: 0, endPfn: opts.nrPages }];
      this.storage = new FlatPageExt({ nrPages: opts.nrPages, nodes, longBytes });
      this.tablePfn = new Float64Array(nodes.length).fill(-1);
    }
  }

  /** Add a client to page_ext_ops[] (before init). */
  register(client: PageExtClient): void {
    if (this.inited) throw new Error(`page_ext client ${client.name} registered after page_ext_init`);
    this.clients.push(client);
  }

  /**
   * invoke_need_callbacks(): page_ext_size starts with sizeof(struct page_ext) only if a needed
   * client shares the flags word; then each needed client gets its offset. True if any.
   */
  private invokeNeedCallbacks(): boolean {
    this.active = this.clients.filter((c) => c.need === undefined || c.need());
    let size = this.active.some((c) => c.needSharedFlags === true) ? this.headerSize : 0;
    for (const c of this.active) {
      c.offset = size;
      size += c.size;
    }
    this.entrySize = size;
    return this.active.length > 0;
  }

  /**
   * page_ext_init() (SPARSEMEM) / page_ext_init_flatmem(): nothing at all when no client needs
   * page_ext; otherwise one table per present section (per node for FLATMEM), the usage line,
   * and the clients' init callbacks. Returns the bytes allocated.
   */
  init(backing: PageExtBacking): number {
    if (this.inited) throw new Error('page_ext_init called twice');
    this.inited = true;
    if (!this.invokeNeedCallbacks()) return 0;
    const s = this.storage;
    s.setup(this.entrySize);
    const alloc = (table: number, bytes: number): boolean => {
      const pfn = backing.allocTable(table, bytes);
      if (pfn < 0) return false;
      this.tablePfn[table] = pfn;
      return true;
    };
    try {
      if (s instanceof SparsePageExt) s.pageExtInit(alloc);
      else s.pageExtInitFlatmem(alloc);
    } catch {
      this.printk.printk(
        'crit',
        s instanceof SparsePageExt ? 'page ext allocation failure' : 'allocation of page_ext failed.',
      );
      throw new Error('page_ext: cannot allocate the page extension tables (Out of memory)');
    }
    this.printk.printk('info', `allocated ${this.bytes} bytes of page_ext`);
    for (const c of this.active) c.init?.();
    return this.bytes;
  }

  /** Whether page_ext storage exists (some client needed it). */
  get allocated(): boolean {
    return this.bytes > 0;
  }

  /** Bytes of memory spent on page_ext (total_usage). */
  get bytes(): number {
    return this.entrySize === 0 ? 0 : this.storage.totalUsage;
  }

  /** page_ext_size: bytes per page of page_ext (header when shared + needed clients). */
  get size(): number {
    return this.entrySize;
  }

  /** Names of the clients that needed page_ext on this boot. */
  get activeClients(): string[] {
    return this.active.map((c) => c.name);
  }
}
