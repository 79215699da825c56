import { MapleTree } from '@allocprof/maple-tree';
import { formatKernelAddress } from './address';
import {
  ERRNO,
  KERNEL_ADDRESS_LIMIT,
  PAGE_SHIFT,
  PAGE_SIZE,
  VM_ALLOC,
  VM_DMA_COHERENT,
  VM_FLUSH_RESET_PERMS,
  VM_IOREMAP,
  VM_MAP,
  VM_NO_GUARD,
  VM_SPARSE,
  VM_UNINITIALIZED,
  VM_USERMAP,
  VMALLOC_END,
  VMALLOC_START,
} from './constants';
import { PageFault, VmallocError } from './errors';
import {
  type ExecmemArchRanges,
  type ExecmemRange,
  ExecmemType,
  execmemInit,
  execmemTypeName,
  x86_64ExecmemRanges,
} from './execmem';
import { PageTable, PGPROTS, type PgProt, pgprotCode } from './page-table';
import type { Printk } from './printk';
import { RateLimitState } from './ratelimit';

/** Physical pages for vmalloc/execmem, provided by the page allocator (kernel-sim's buddy). */
export interface PageProvider {
  /** alloc_pages_bulk: appends up to nrPages order-0 pfns to `out`, returns how many (may be fewer). */
  allocPagesBulk(nrPages: number, out: number[]): number;
  /** __free_page. */
  freePage(pfn: number): void;
}

/**
 * include/linux/vmalloc.h: struct vm_struct. `size` includes the guard page; `pages[0..nrPages)`
 * are the pages backing the area from its start. Owners of a reserved area (execmemVmap) grow it
 * by appending to `pages` and raising `nrPages` after mapping the new pages.
 */
export interface VmStruct {
  readonly addr: number;
  readonly size: number;
  readonly flags: number;
  readonly caller: string;
  readonly pages: number[];
  nrPages: number;
}

/** include/linux/vmalloc.h: get_vm_area_size() — the usable size, without the guard page. */
export function getVmAreaSize(area: VmStruct): number {
  return (area.flags & VM_NO_GUARD) !== 0 ? area.size : area.size - PAGE_SIZE;
}

/** The allocator's own vm_struct; the public view is VmStruct. */
class VmArea implements VmStruct {
  nrPages = 0;
  readonly pages: number[] = [];
  /** is_vmalloc_addr(vm->pages): the page array itself was vmalloc'ed ("vpages"). */
  pagesArea: VmArea | null = null;
  /** Pages of this area are counted in nr_vmalloc_pages (allocated by __vmalloc_area_node). */
  accounted = false;

  constructor(
    readonly addr: number,
    readonly size: number,
    public flags: number,
    readonly caller: string,
  ) {}
}

/** Options of a simulated kernel's vmalloc space. */
export interface VmallocOptions {
  /** Where physical pages come from. */
  pageProvider: PageProvider;
  /** Kernel log sink. */
  printk: Printk;
  /** VMALLOC_START (stored form); default 0xffffc90000000000. Must be page aligned. */
  vmallocStart?: number;
  /** VMALLOC_END (exclusive bound as the allocator uses it); default 0xffffe8ffffffffff. */
  vmallocEnd?: number;
  /**
   * execmem_arch_setup() result: the x86_64 table (`x86_64ExecmemRanges()`) when omitted, `null`
   * for an architecture without a table (DEFAULT = the vmalloc range, PAGE_KERNEL_EXEC, alignment 1).
   */
  execmemRanges?: ExecmemArchRanges | null;
  /** Simulated clock in milliseconds, for rate-limited messages; a constant 0 when omitted. */
  clock?: () => number;
  /** totalram_pages(): vmalloc refuses sizes above it up front; no limit when omitted. */
  totalRamPages?: () => number;
}

const VMALLOC_MAX_PAGES_PER_BULK = 100; // mm/vmalloc.c: vm_area_alloc_pages() requests at most 100 pages per bulk call
const POINTER_SIZE = 8; // sizeof(struct page *)
const GFP_KERNEL_TEXT = 'mode:0xcc0(GFP_KERNEL), nodemask=(null)';

function isAddress(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n < KERNEL_ADDRESS_LIMIT;
}

function isPageAligned(n: number): boolean {
  return Math.floor(n / PAGE_SIZE) * PAGE_SIZE === n;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

const zeroClock = (): number => 0;

/**
 * The kernel's vmalloc space and execmem allocator (mm/vmalloc.c, mm/execmem.c), one per simulated
 * kernel: vmap areas in one address-ordered allocation tree (the kernel uses an augmented rbtree;
 * here a maple tree with gap tracking answers the same lowest-fit queries), a page table, and the
 * execmem ranges per type.
 */
export class Vmalloc {
  /** The injected physical page source. */
  readonly pageProvider: PageProvider;
  /** VMALLOC_START of this kernel (stored form). */
  readonly vmallocStart: number;
  /** VMALLOC_END of this kernel (stored form, used as an exclusive bound). */
  readonly vmallocEnd: number;

  private readonly printk: Printk;
  private readonly clock: () => number;
  private readonly totalRamPages: (() => number) | null;
  private readonly busy = new MapleTree<VmArea>({ allocRange: true });
  private readonly ptes = new PageTable();
  private readonly execmemRanges: readonly ExecmemRange[];
  private nrVmallocPages = 0;
  /** printk_ratelimit() in alloc_vmap_area(). */
  private readonly vmapWarnRs = new RateLimitState('alloc_vmap_area');
  /** pr_warn_ratelimited() in __execmem_alloc(). */
  private readonly execmemWarnRs = new RateLimitState('__execmem_alloc');
  /** nopage_rs of warn_alloc(). */
  private readonly warnAllocRs = new RateLimitState('warn_alloc');

  constructor(opts: VmallocOptions) {
    if (
      opts === null ||
      typeof opts !== 'object' ||
      typeof opts.pageProvider?.allocPagesBulk !== 'function' ||
      typeof opts.pageProvider.freePage !== 'function' ||
      typeof opts.printk?.printk !== 'function'
    ) {
      throw new VmallocError('EINVAL', 'Vmalloc needs a pageProvider and a printk sink');
    }
    const start = opts.vmallocStart ?? VMALLOC_START;
    const end = opts.vmallocEnd ?? VMALLOC_END;
    if (!isAddress(start) || !isAddress(end) || !isPageAligned(start) || end - start < PAGE_SIZE) {
      throw new VmallocError(
        'EINVAL',
        `invalid vmalloc range [${start}, ${end}): need a page-aligned start below the end and addresses below 2^48`,
      );
    }
    if (opts.clock !== undefined && typeof opts.clock !== 'function') {
      throw new VmallocError('EINVAL', 'clock must be a function returning milliseconds');
    }
    this.pageProvider = opts.pageProvider;
    this.printk = opts.printk;
    this.clock = opts.clock ?? zeroClock;
    if (opts.totalRamPages !== undefined && typeof opts.totalRamPages !== 'function') {
      throw new VmallocError('EINVAL', 'totalRamPages must be a function returning a page count');
    }
    this.totalRamPages = opts.totalRamPages ?? null;
    this.vmallocStart = start;
    this.vmallocEnd = end;
    const arch = opts.execmemRanges === undefined ? x86_64ExecmemRanges() : opts.execmemRanges;
    this.execmemRanges = execmemInit(arch, start, end, opts.printk);
  }

  // ---- address space -------------------------------------------------------------------------

  /**
   * mm/vmalloc.c: __get_vm_area_node() (non-static since patch 4). Rounds `size` up to 1 << shift
   * (0 → null), adds a guard page unless VM_NO_GUARD, and reserves the lowest free range of that
   * size whose start is a multiple of `align` inside [start, end). No pages, no mapping. Returns
   * null (after the rate-limited vmap warning) if the range has no room; throws VmallocError
   * EINVAL on malformed arguments.
   */
  getVmAreaNode(
    size: number,
    align: number,
    shift: number,
    flags: number,
    start: number,
    end: number,
    caller: string,
  ): VmStruct | null {
    return this.getVmAreaNodeGfp(size, align, shift, flags, start, end, caller, false);
  }

  /** mm/vmalloc.c: get_vm_area_caller() — a reservation anywhere in the vmalloc range. */
  getVmArea(size: number, flags: number, caller: string): VmStruct | null {
    return this.getVmAreaNodeGfp(
      size,
      1,
      PAGE_SHIFT,
      flags,
      this.vmallocStart,
      this.vmallocEnd,
      caller,
      false,
    );
  }

  /**
   * mm/vmalloc.c: free_vm_area() — unmap the whole area and release its address range and
   * descriptor. Its pages are not freed (their owner frees them). Throws EINVAL for an area that
   * is not live.
   */
  freeVmArea(area: VmStruct): void {
    const live = this.liveArea(area);
    if (live === null) {
      throw new VmallocError('EINVAL', `free_vm_area: ${this.describe(area)} is not a live vm area`);
    }
    this.removeVmArea(live);
  }

  /** mm/vmalloc.c: find_vm_area() — the live area whose range (guard page included) contains addr, or null. */
  findVmArea(addr: number): VmStruct | null {
    if (!isAddress(addr)) return null;
    return this.busy.load(addr) ?? null;
  }

  /** Every live area in address order. */
  *areas(): IterableIterator<VmStruct> {
    for (const entry of this.busy) yield entry.value;
  }

  /** The execmem range used for `type` after execmem_init(). */
  execmemRange(type: ExecmemType): ExecmemRange {
    execmemTypeName(type);
    return this.execmemRanges[type]!;
  }

  // ---- page tables ---------------------------------------------------------------------------

  /**
   * mm/vmalloc.c: vmap_pages_range() (non-static since patch 4) — map pages[0..n) at [addr, end),
   * n = (end - addr) / PAGE_SIZE. Returns 0 or a negative errno: -EINVAL for unaligned or empty
   * ranges, too few or invalid pfns, or a range outside the usable part of one live area (the
   * simulation only maps inside reserved areas); -EBUSY if a page there is already mapped
   * (vmap_pte_range's WARN_ON(!pte_none)). All-or-nothing: nothing is mapped on failure.
   */
  vmapPagesRange(addr: number, end: number, pages: ArrayLike<number>, prot: PgProt = 'PAGE_KERNEL'): number {
    if (!isAddress(addr) || !Number.isSafeInteger(end) || !isPageAligned(addr) || !isPageAligned(end)) {
      return -ERRNO.EINVAL;
    }
    if (end <= addr) return -ERRNO.EINVAL;
    const protCode = pgprotCode(prot);
    if (protCode < 0) return -ERRNO.EINVAL;
    const area = this.busy.load(addr);
    if (area === undefined || end > area.addr + getVmAreaSize(area)) return -ERRNO.EINVAL;
    const count = (end - addr) / PAGE_SIZE;
    if (pages === null || typeof pages !== 'object' || !(pages.length >= count)) return -ERRNO.EINVAL;
    for (let i = 0; i < count; i++) {
      const pfn = pages[i]!;
      if (!Number.isSafeInteger(pfn) || pfn < 0) return -ERRNO.EINVAL;
    }
    const vpn = addr / PAGE_SIZE;
    if (this.ptes.anyPresent(vpn, count)) return -ERRNO.EBUSY;
    this.ptes.map(vpn, pages, 0, count, protCode);
    return 0;
  }

  /** mm/vmalloc.c: vunmap_range() — clear the page-table entries of [addr, end); pages are not freed. */
  vunmapRange(addr: number, end: number): void {
    if (!isAddress(addr) || !Number.isSafeInteger(end) || !isPageAligned(addr) || !isPageAligned(end)) {
      throw new VmallocError('EINVAL', `vunmap_range: unaligned or invalid range [${addr}, ${end})`);
    }
    if (end <= addr) throw new VmallocError('EINVAL', `vunmap_range: empty range [${addr}, ${end})`);
    this.ptes.unmap(addr / PAGE_SIZE, (end - addr) / PAGE_SIZE);
  }

  /**
   * The pfn backing the byte at `addr` (a walk of the kernel page tables). Throws PageFault
   * naming the address when no page is mapped there, including guard pages and free space.
   */
  translate(addr: number): number {
    const pfn = this.ptes.lookup(Math.floor(addr / PAGE_SIZE));
    if (pfn < 0 || !(addr >= 0)) throw new PageFault(addr);
    return pfn;
  }

  /** True if a page is mapped at `addr`. */
  isMapped(addr: number): boolean {
    return addr >= 0 && this.ptes.lookup(Math.floor(addr / PAGE_SIZE)) >= 0;
  }

  /** Protection of the mapping at `addr`; throws PageFault if nothing is mapped. */
  pgprotAt(addr: number): PgProt {
    const code = addr >= 0 ? this.ptes.protAt(Math.floor(addr / PAGE_SIZE)) : -1;
    if (code < 0) throw new PageFault(addr);
    return PGPROTS[code]!;
  }

  /** Present page-table entries (pages mapped anywhere in the space). */
  get nrMappedPages(): number {
    return this.ptes.nrMapped;
  }

  /** mm/vmalloc.c: vmalloc_nr_pages() — pages allocated by vmalloc/execmem_alloc (VmallocUsed in /proc/meminfo). */
  vmallocNrPages(): number {
    return this.nrVmallocPages;
  }

  // ---- vmalloc / vmap ------------------------------------------------------------------------

  /**
   * mm/vmalloc.c: vmalloc() — reserve, allocate every page from the provider and map the area.
   * On shortfall everything obtained is returned to the provider and VmallocError ENOMEM is
   * thrown (after the rate-limited `vmalloc error:` warning). Size must be a positive integer.
   */
  vmalloc(size: number, caller: string): VmStruct {
    this.checkSize(size, 'vmalloc');
    const area = this.vmallocNodeRange(
      size,
      1,
      this.vmallocStart,
      this.vmallocEnd,
      'PAGE_KERNEL',
      0,
      String(caller),
      false,
    );
    if (area === null) throw new VmallocError('ENOMEM', `vmalloc: cannot allocate ${size} bytes`);
    return area;
  }

  /**
   * mm/vmalloc.c: vfree() — unmap and release the area starting at `addr` and free its
   * pages[0..nrPages) to the provider (and the page array if it was vmalloc'ed). vfree(0) is a
   * no-op; any other address that does not start a live area throws EINVAL and changes nothing.
   */
  vfree(addr: number): void {
    if (addr === 0) return;
    const area = isAddress(addr) ? this.busy.load(addr) : undefined;
    if (area === undefined || area.addr !== addr) {
      throw new VmallocError(
        'EINVAL',
        `Trying to vfree() nonexistent vm area (${isAddress(addr) ? formatKernelAddress(addr) : String(addr)})`,
      );
    }
    this.vfreeArea(area);
  }

  /**
   * mm/vmalloc.c: vmap() — map existing pages into a fresh VM_MAP area. The pages stay the
   * caller's (nrPages stays 0, vunmap does not free them). Returns null if there is no room.
   */
  vmap(pages: ArrayLike<number>, count: number, flags: number, caller: string): VmStruct | null {
    if (!Number.isSafeInteger(count) || count <= 0 || pages === null || typeof pages !== 'object') {
      throw new VmallocError('EINVAL', `vmap: invalid page count ${count}`);
    }
    if (!(pages.length >= count)) {
      throw new VmallocError('EINVAL', `vmap: ${count} pages requested, ${pages.length} given`);
    }
    for (let i = 0; i < count; i++) {
      const pfn = pages[i]!;
      if (!Number.isSafeInteger(pfn) || pfn < 0) throw new VmallocError('EINVAL', `vmap: invalid pfn ${pfn}`);
    }
    const area = this.getVmAreaNodeGfp(
      count * PAGE_SIZE,
      1,
      PAGE_SHIFT,
      flags | VM_MAP,
      this.vmallocStart,
      this.vmallocEnd,
      caller,
      false,
    );
    if (area === null) return null;
    this.ptes.map(area.addr / PAGE_SIZE, pages, 0, count, pgprotCode('PAGE_KERNEL'));
    return area;
  }

  /** mm/vmalloc.c: vunmap() — release a vmap() area without freeing its pages. */
  vunmap(addr: number): void {
    const area = isAddress(addr) ? this.busy.load(addr) : undefined;
    if (area === undefined || area.addr !== addr) {
      throw new VmallocError(
        'EINVAL',
        `Trying to vunmap() nonexistent vm area (${isAddress(addr) ? formatKernelAddress(addr) : String(addr)})`,
      );
    }
    this.removeVmArea(area);
  }

  // ---- execmem -------------------------------------------------------------------------------

  /**
   * mm/execmem.c: execmem_alloc() — vmalloc in the type's range (then its fallback range) with
   * the range's alignment and pgprot. Returns the address; on failure prints the rate-limited
   * `execmem: unable to allocate memory` and throws VmallocError ENOMEM.
   */
  execmemAlloc(type: ExecmemType, size: number, caller = 'execmem_alloc'): number {
    execmemTypeName(type);
    this.checkSize(size, 'execmem_alloc');
    const range = this.execmemRanges[type]!;
    const vmFlags = VM_FLUSH_RESET_PERMS;
    // __GFP_NOWARN: only execmem's own message is printed.
    let area = this.vmallocNodeRange(
      size,
      range.alignment,
      range.start,
      range.end,
      range.pgprot,
      vmFlags,
      caller,
      true,
    );
    if (area === null && range.fallbackStart !== 0) {
      area = this.vmallocNodeRange(
        size,
        range.alignment,
        range.fallbackStart,
        range.fallbackEnd,
        range.pgprot,
        vmFlags,
        caller,
        true,
      );
    }
    if (area === null) {
      if (this.execmemWarnRs.allow(this.clock(), this.printk)) {
        this.printk.printk('warning', 'execmem: unable to allocate memory');
      }
      throw new VmallocError(
        'ENOMEM',
        `execmem: unable to allocate ${size} bytes for ${execmemTypeName(type)}`,
      );
    }
    return area.addr;
  }

  /** mm/execmem.c: execmem_free() — vfree() of an execmem_alloc() address. */
  execmemFree(addr: number): void {
    this.vfree(addr);
  }

  /**
   * mm/execmem.c: execmem_vmap() (patch 4) — reserve `size` bytes of EXECMEM_MODULE_DATA address
   * space (VM_ALLOC, the range's alignment, no pages, no mapping), retrying in the fallback range.
   * Returns the area or null; it prints nothing of its own (the vmap allocator may warn).
   */
  execmemVmap(size: number, caller = 'execmem_vmap'): VmStruct | null {
    const range = this.execmemRanges[ExecmemType.EXECMEM_MODULE_DATA]!;
    let area = this.getVmAreaNodeGfp(
      size,
      range.alignment,
      PAGE_SHIFT,
      VM_ALLOC,
      range.start,
      range.end,
      caller,
      false,
    );
    if (area === null && range.fallbackStart !== 0) {
      area = this.getVmAreaNodeGfp(
        size,
        range.alignment,
        PAGE_SHIFT,
        VM_ALLOC,
        range.fallbackStart,
        range.fallbackEnd,
        caller,
        false,
      );
    }
    return area;
  }

  // ---- /proc/vmallocinfo ---------------------------------------------------------------------

  /**
   * mm/vmalloc.c: vmalloc_info_show() — one line per area in address order:
   * `0x<start>-0x<end> <size> <caller> pages=<n> <type words>`. The simulated kernel has no NUMA
   * node counts (` N0=…`) and never defers purging, so there are no "unpurged vm_area" lines.
   */
  vmallocinfo(): string {
    let out = '';
    for (const { value: v } of this.busy) {
      out += `${formatKernelAddress(v.addr)}-${formatKernelAddress(v.addr + v.size)} ${String(v.size).padStart(7)}`;
      if (v.caller !== '') out += ` ${v.caller}`;
      if (v.nrPages !== 0) out += ` pages=${v.nrPages}`;
      if ((v.flags & VM_IOREMAP) !== 0) out += ' ioremap';
      if ((v.flags & VM_SPARSE) !== 0) out += ' sparse';
      if ((v.flags & VM_ALLOC) !== 0) out += ' vmalloc';
      if ((v.flags & VM_MAP) !== 0) out += ' vmap';
      if ((v.flags & VM_USERMAP) !== 0) out += ' user';
      if ((v.flags & VM_DMA_COHERENT) !== 0) out += ' dma-coherent';
      if (v.pagesArea !== null) out += ' vpages';
      out += '\n';
    }
    return out;
  }

  // ---- internals -----------------------------------------------------------------------------

  private checkSize(size: number, what: string): void {
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new VmallocError('EINVAL', `${what}: size must be a positive integer, got ${size}`);
    }
  }

  private describe(area: VmStruct): string {
    return area !== null && typeof area === 'object' && isAddress(area.addr)
      ? `area at ${formatKernelAddress(area.addr)}`
      : 'argument';
  }

  private liveArea(area: VmStruct): VmArea | null {
    if (area === null || typeof area !== 'object' || !isAddress(area.addr)) return null;
    const found = this.busy.load(area.addr);
    return found !== undefined && found === area ? found : null;
  }

  /** __get_vm_area_node with the gfp distinction that matters here: __GFP_NOWARN or not. */
  private getVmAreaNodeGfp(
    size: number,
    align: number,
    shift: number,
    flags: number,
    start: number,
    end: number,
    caller: string,
    nowarn: boolean,
  ): VmArea | null {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new VmallocError('EINVAL', `__get_vm_area_node: invalid size ${size}`);
    }
    if (!isPowerOfTwo(align)) {
      throw new VmallocError('EINVAL', `__get_vm_area_node: alignment ${align} is not a power of two`);
    }
    if (!Number.isInteger(shift) || shift < PAGE_SHIFT || shift > 47) {
      throw new VmallocError('EINVAL', `__get_vm_area_node: invalid shift ${shift}`);
    }
    if (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
      throw new VmallocError('EINVAL', `__get_vm_area_node: invalid flags ${flags}`);
    }
    if (!isAddress(start) || !isAddress(end) || start >= end || !isPageAligned(start)) {
      throw new VmallocError('EINVAL', `__get_vm_area_node: invalid range [${start}, ${end})`);
    }
    if (typeof caller !== 'string') {
      throw new VmallocError('EINVAL', '__get_vm_area_node: caller must be a string');
    }
    size = alignUp(size, 2 ** shift);
    if (size === 0) return null;
    if ((flags & VM_NO_GUARD) === 0) size += PAGE_SIZE;

    const addr = this.allocVmapArea(size, align, start, end);
    if (addr < 0) {
      if (!nowarn && this.vmapWarnRs.allow(this.clock(), this.printk)) {
        this.printk.printk(
          'warning',
          `vmap allocation for size ${size} failed: use vmalloc=<size> to increase size`,
        );
      }
      return null;
    }
    const area = new VmArea(addr, size, flags, caller);
    this.busy.storeRange(addr, addr + size - 1, area);
    return area;
  }

  /**
   * mm/vmalloc.c: alloc_vmap_area()/__alloc_vmap_area() — the lowest `align`-aligned start s in
   * [vstart, vend) with [s, s + size) free, or -1. Each gap query skips at least one busy area.
   */
  private allocVmapArea(size: number, align: number, vstart: number, vend: number): number {
    const max = vend - 1;
    if (size > vend - vstart) return -1;
    let min = vstart;
    const mas = this.busy.state();
    for (;;) {
      if (min > max || max - min < size - 1) return -1;
      mas.reset();
      if (!mas.emptyArea(min, max, size)) return -1;
      const s = mas.index;
      const aligned = alignUp(s, align);
      if (aligned === s) return s;
      if (aligned + size - 1 > max) return -1;
      const blocker = this.busy.find(aligned, aligned + size - 1);
      if (blocker === undefined) return aligned;
      min = blocker.last + 1;
    }
  }

  /** mm/vmalloc.c: remove_vm_area() — unmap the whole range and release it. */
  private removeVmArea(area: VmArea): void {
    this.ptes.unmap(area.addr / PAGE_SIZE, area.size / PAGE_SIZE);
    this.busy.storeRange(area.addr, area.addr + area.size - 1, undefined);
  }

  private vfreeArea(area: VmArea): void {
    this.removeVmArea(area);
    if (area.accounted) this.nrVmallocPages -= area.nrPages;
    const pages = area.pages;
    for (let i = 0; i < area.nrPages; i++) this.pageProvider.freePage(pages[i]!);
    const pagesArea = area.pagesArea;
    area.pagesArea = null;
    // Someone may already have vfree'd the page array by its address; never release a range twice.
    if (pagesArea !== null && this.busy.load(pagesArea.addr) === pagesArea) this.vfreeArea(pagesArea);
  }

  /** warn_alloc() as far as the simulation knows its arguments (no task name, no mems_allowed). */
  private warnAlloc(nowarn: boolean, message: string): void {
    if (nowarn || !this.warnAllocRs.allow(this.clock(), this.printk)) return;
    this.printk.printk('warning', `${message}, ${GFP_KERNEL_TEXT}`);
  }

  /** mm/vmalloc.c: __vmalloc_node_range() — null on failure with nothing left allocated. */
  private vmallocNodeRange(
    size: number,
    align: number,
    start: number,
    end: number,
    prot: PgProt,
    vmFlags: number,
    caller: string,
    nowarn: boolean,
  ): VmArea | null {
    if (this.totalRamPages !== null && Math.floor(size / PAGE_SIZE) > this.totalRamPages()) {
      this.warnAlloc(nowarn, `vmalloc error: size ${size}, exceeds total pages`);
      return null;
    }
    const area = this.getVmAreaNodeGfp(
      size,
      align,
      PAGE_SHIFT,
      VM_ALLOC | VM_UNINITIALIZED | vmFlags,
      start,
      end,
      caller,
      nowarn,
    );
    if (area === null) {
      this.warnAlloc(nowarn, `vmalloc error: size ${size}, vm_struct allocation failed`);
      return null;
    }
    if (!this.vmallocAreaNode(area, prot, nowarn)) {
      this.vfreeArea(area);
      return null;
    }
    area.flags &= ~VM_UNINITIALIZED;
    return area;
  }

  /** mm/vmalloc.c: __vmalloc_area_node() — page array, vm_area_alloc_pages(), vmap_pages_range(). */
  private vmallocAreaNode(area: VmArea, prot: PgProt, nowarn: boolean): boolean {
    const nrSmallPages = getVmAreaSize(area) / PAGE_SIZE;
    const arraySize = nrSmallPages * POINTER_SIZE;
    if (arraySize > PAGE_SIZE) {
      // The page array is itself vmalloc'ed when it does not fit in a page (shows as "vpages").
      const pagesArea = this.vmallocNodeRange(
        arraySize,
        1,
        this.vmallocStart,
        this.vmallocEnd,
        'PAGE_KERNEL',
        0,
        area.caller,
        nowarn,
      );
      if (pagesArea === null) {
        this.warnAlloc(
          nowarn,
          `vmalloc error: size ${nrSmallPages * PAGE_SIZE}, failed to allocated page array size ${arraySize}`,
        );
        return false;
      }
      area.pagesArea = pagesArea;
    }

    this.vmAreaAllocPages(area, nrSmallPages);
    area.accounted = true;
    this.nrVmallocPages += area.nrPages;
    if (area.nrPages !== nrSmallPages) {
      this.warnAlloc(nowarn, `vmalloc error: size ${area.nrPages * PAGE_SIZE}, failed to allocate pages`);
      return false;
    }
    if (this.vmapPagesRange(area.addr, area.addr + nrSmallPages * PAGE_SIZE, area.pages, prot) < 0) {
      this.warnAlloc(nowarn, `vmalloc error: size ${area.nrPages * PAGE_SIZE}, failed to map pages`);
      return false;
    }
    return true;
  }

  /**
   * mm/vmalloc.c: vm_area_alloc_pages() for order 0 — bulk requests of at most 100 pages until
   * one comes back short, then single pages until one fails.
   */
  private vmAreaAllocPages(area: VmArea, nrPages: number): void {
    const provider = this.pageProvider;
    const pages = area.pages;
    let allocated = 0;
    while (allocated < nrPages) {
      const request = Math.min(VMALLOC_MAX_PAGES_PER_BULK, nrPages - allocated);
      const got = this.bulk(provider, request, pages);
      allocated += got;
      area.nrPages = allocated;
      if (got !== request) break;
    }
    while (allocated < nrPages) {
      if (this.bulk(provider, 1, pages) !== 1) break;
      allocated++;
      area.nrPages = allocated;
    }
  }

  private bulk(provider: PageProvider, request: number, pages: number[]): number {
    const before = pages.length;
    const got = provider.allocPagesBulk(request, pages);
    if (!Number.isInteger(got) || got < 0 || got > request || pages.length !== before + got) {
      throw new VmallocError(
        'EINVAL',
        `PageProvider.allocPagesBulk(${request}) returned ${got} but appended ${pages.length - before} pfns`,
      );
    }
    return got;
  }
}
