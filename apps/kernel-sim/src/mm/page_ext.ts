/**
 * mm/page_ext.c: the page extension framework — clients declare a per-page size and a `need`
 * callback; storage is allocated only when at least one client needs it, and the
 * `allocated %ld bytes of page_ext` line is printed only then (§6.8).
 */

import type { Printk } from '../kernel/printk';

/** sizeof(struct page_ext) on 64-bit: the flags word every page_ext entry starts with. */
export const PAGE_EXT_HEADER_SIZE = 8;

/** struct page_ext_operations. */
export interface PageExtClient {
  readonly name: string;
  /** Bytes of per-page data the client needs. */
  readonly size: number;
  /** need(): whether this boot needs the client's data (absent = always). */
  need?(): boolean;
  /** init(): called once after page_ext storage exists for all present memory. */
  init?(): void;
}

/**
 * Where page_ext tables come from. SPARSEMEM allocates each section's table from the page
 * allocator after it is up (alloc_pages_exact_nid); FLATMEM takes one table from memblock
 * before the buddy allocator exists. Returns false when the memory cannot be had.
 */
export interface PageExtBacking {
  allocTable(section: number, bytes: number): boolean;
}

/** Options of the framework. */
export interface PageExtOptions {
  printk: Printk;
  nrPages: number;
  /** PAGES_PER_SECTION; 0 for FLATMEM (one table for all of memory). */
  pagesPerSection: number;
  /** sizeof(struct page_ext) = sizeof(unsigned long): 8 on 64-bit (default), 4 on 32-bit. */
  headerSize?: number;
}

/** mm/page_ext.c: the registered clients and the state of page_ext storage. */
export class PageExt {
  private readonly clients: PageExtClient[] = [];
  private readonly printk: Printk;
  private readonly nrPages: number;
  private readonly pagesPerSection: number;
  private readonly headerSize: number;
  private entrySize: number;
  private totalUsage = 0;
  private inited = false;
  private active: PageExtClient[] = [];

  constructor(opts: PageExtOptions) {
    this.printk = opts.printk;
    this.nrPages = opts.nrPages;
    this.pagesPerSection = opts.pagesPerSection;
    this.headerSize = opts.headerSize ?? PAGE_EXT_HEADER_SIZE;
    this.entrySize = this.headerSize;
  }

  /** Add a client to page_ext_ops[] (before init). */
  register(client: PageExtClient): void {
    if (this.inited) throw new Error(`page_ext client ${client.name} registered after page_ext_init`);
    this.clients.push(client);
  }

  /** invoke_need_callbacks(): lay the needed clients out after the header; true if any. */
  private invokeNeedCallbacks(): boolean {
    this.active = this.clients.filter((c) => c.need === undefined || c.need());
    this.entrySize = this.headerSize + this.active.reduce((n, c) => n + c.size, 0);
    return this.active.length > 0;
  }

  /**
   * page_ext_init() (SPARSEMEM) / page_ext_init_flatmem(): nothing at all when no client needs
   * page_ext; otherwise one table per present section (one for FLATMEM), the usage line, and
   * the clients' init callbacks. Returns the bytes allocated.
   */
  init(backing: PageExtBacking): number {
    if (this.inited) throw new Error('page_ext_init called twice');
    this.inited = true;
    if (!this.invokeNeedCallbacks()) return 0;
    const per = this.pagesPerSection > 0 ? this.pagesPerSection : this.nrPages;
    const sections = Math.ceil(this.nrPages / per);
    for (let nr = 0; nr < sections; nr++) {
      const bytes = this.entrySize * Math.min(per, this.nrPages - nr * per);
      if (!backing.allocTable(nr, bytes)) {
        this.printk.printk('crit', 'page ext allocation failure');
        throw new Error('page_ext: cannot allocate the page extension tables');
      }
      this.totalUsage += bytes;
    }
    this.printk.printk('info', `allocated ${this.totalUsage} bytes of page_ext`);
    for (const c of this.active) c.init?.();
    return this.totalUsage;
  }

  /** Whether page_ext storage exists (some client needed it). */
  get allocated(): boolean {
    return this.totalUsage > 0;
  }

  /** Bytes of memory spent on page_ext (total_usage). */
  get bytes(): number {
    return this.totalUsage;
  }

  /** page_ext_size: bytes per page of page_ext (header + needed clients). */
  get size(): number {
    return this.entrySize;
  }

  /** Names of the clients that needed page_ext on this boot. */
  get activeClients(): string[] {
    return this.active.map((c) => c.name);
  }
}
