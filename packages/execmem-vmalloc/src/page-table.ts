/** arch/x86/include/asm/pgtable_types.h: PTRS_PER_PTE — entries in one page-table page. */
export const PTRS_PER_PTE = 512;

/** Protection of a kernel mapping (the pgprot_t values the series uses). */
export type PgProt = 'PAGE_KERNEL' | 'PAGE_KERNEL_RO' | 'PAGE_KERNEL_EXEC' | 'PAGE_KERNEL_ROX';

/** Every PgProt, indexed by the small code the page table stores per entry. */
export const PGPROTS: readonly PgProt[] = [
  'PAGE_KERNEL',
  'PAGE_KERNEL_RO',
  'PAGE_KERNEL_EXEC',
  'PAGE_KERNEL_ROX',
];

/** Whether a protection allows instruction fetch (_PAGE_NX clear). */
export function pgprotIsExecutable(prot: PgProt): boolean {
  return prot === 'PAGE_KERNEL_EXEC' || prot === 'PAGE_KERNEL_ROX';
}

/** Code of a PgProt in PGPROTS, or -1 for anything else. */
export function pgprotCode(prot: string): number {
  return (PGPROTS as readonly string[]).indexOf(prot);
}

/** One page-table page: PTRS_PER_PTE entries as two typed arrays (pfn + 1, 0 = pte_none). */
class PtePage {
  readonly pfnPlusOne = new Float64Array(PTRS_PER_PTE);
  readonly prot = new Uint8Array(PTRS_PER_PTE);
  present = 0;
}

/**
 * The kernel page tables for the vmalloc/module address space (mm/vmalloc.c: vmap_pte_range,
 * vunmap_pte_range; arch page walk for lookups). Lower levels exist only where something is
 * mapped, like the real tables: page-table pages of 512 entries keyed by their index
 * (vpn / 512), created on first use and dropped when their last entry is cleared. Entries are
 * typed-array slots, so mapping and translating allocate nothing per page.
 */
export class PageTable {
  private readonly ptePages = new Map<number, PtePage>();
  private mapped = 0;
  private lastIndex = -1;
  private lastPage: PtePage | undefined = undefined;

  /** Number of present entries. */
  get nrMapped(): number {
    return this.mapped;
  }

  /** Number of page-table pages in use (each stands for one 4 KiB PTE page). */
  get nrPtePages(): number {
    return this.ptePages.size;
  }

  /** pfn mapped at virtual page number `vpn`, or -1 if none. */
  lookup(vpn: number): number {
    // vpns exceed 2^31, so `%` would be a floating-point fmod; subtract the table base instead.
    const index = Math.floor(vpn / PTRS_PER_PTE);
    const page = this.ptePage(index);
    if (page === undefined) return -1;
    return page.pfnPlusOne[vpn - index * PTRS_PER_PTE]! - 1;
  }

  /** Protection code of the entry at `vpn`, or -1 if none. */
  protAt(vpn: number): number {
    const index = Math.floor(vpn / PTRS_PER_PTE);
    const page = this.ptePage(index);
    if (page === undefined) return -1;
    const slot = vpn - index * PTRS_PER_PTE;
    return page.pfnPlusOne[slot] === 0 ? -1 : page.prot[slot]!;
  }

  /** True if any of the `count` entries starting at `vpn` is present. */
  anyPresent(vpn: number, count: number): boolean {
    const end = vpn + count;
    let v = vpn;
    while (v < end) {
      const index = Math.floor(v / PTRS_PER_PTE);
      const stop = Math.min(end, (index + 1) * PTRS_PER_PTE);
      const page = this.ptePage(index);
      if (page !== undefined && page.present > 0) {
        for (let slot = v - index * PTRS_PER_PTE, last = stop - index * PTRS_PER_PTE; slot < last; slot++) {
          if (page.pfnPlusOne[slot] !== 0) return true;
        }
      }
      v = stop;
    }
    return false;
  }

  /** Install pfns[offset + i] at vpn + i for i < count. The caller checked the entries are none. */
  map(vpn: number, pfns: ArrayLike<number>, offset: number, count: number, protCode: number): void {
    for (let i = 0; i < count; i++) {
      const v = vpn + i;
      const index = Math.floor(v / PTRS_PER_PTE);
      let page = this.ptePage(index);
      if (page === undefined) {
        page = new PtePage();
        this.ptePages.set(index, page);
        this.lastIndex = index;
        this.lastPage = page;
      }
      const slot = v - index * PTRS_PER_PTE;
      if (page.pfnPlusOne[slot] === 0) {
        page.present++;
        this.mapped++;
      }
      page.pfnPlusOne[slot] = pfns[offset + i]! + 1;
      page.prot[slot] = protCode;
    }
  }

  /** Clear the `count` entries starting at `vpn`; returns how many were present. */
  unmap(vpn: number, count: number): number {
    const end = vpn + count;
    let cleared = 0;
    let v = vpn;
    while (v < end) {
      const index = Math.floor(v / PTRS_PER_PTE);
      const stop = Math.min(end, (index + 1) * PTRS_PER_PTE);
      const page = this.ptePage(index);
      if (page !== undefined) {
        for (let slot = v - index * PTRS_PER_PTE, last = stop - index * PTRS_PER_PTE; slot < last; slot++) {
          if (page.pfnPlusOne[slot] !== 0) {
            page.pfnPlusOne[slot] = 0;
            page.present--;
            cleared++;
          }
        }
        if (page.present === 0) {
          this.ptePages.delete(index);
          if (this.lastIndex === index) {
            this.lastIndex = -1;
            this.lastPage = undefined;
          }
        }
      }
      v = stop;
    }
    this.mapped -= cleared;
    return cleared;
  }

  private ptePage(index: number): PtePage | undefined {
    if (index === this.lastIndex) return this.lastPage;
    const page = this.ptePages.get(index);
    if (page !== undefined) {
      this.lastIndex = index;
      this.lastPage = page;
    }
    return page;
  }
}
