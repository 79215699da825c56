/** fs/proc/meminfo.c: meminfo_proc_show() for the counters the simulator has. */

/** The values /proc/meminfo is printed from, in pages unless named bytes. */
export interface MeminfoValues {
  /** totalram_pages(). */
  totalPages: number;
  /** NR_FREE_PAGES. */
  freePages: number;
  /** si_mem_available(). */
  availablePages: number;
  /** VMALLOC_TOTAL in bytes. */
  vmallocTotalBytes: number;
  /** vmalloc_nr_pages(). */
  vmallocUsedPages: number;
  /** Bytes of page_ext (all clients); the simulator's addition to meminfo. */
  pageExtBytes: number;
  /** Bytes spent on page allocation tag references (page_ext slots; 0 in compressed mode). */
  pageTagRefBytes: number;
}

const PAGE_KB = 4;

function line(label: string, kb: number): string {
  return `${`${label}:`.padEnd(16, ' ')}${String(kb).padStart(8, ' ')} kB\n`;
}

/** The text of /proc/meminfo (show_val_kb: `%-16s%8lu kB`). */
export function formatMeminfo(v: MeminfoValues): string {
  return (
    line('MemTotal', v.totalPages * PAGE_KB) +
    line('MemFree', v.freePages * PAGE_KB) +
    line('MemAvailable', v.availablePages * PAGE_KB) +
    line('VmallocTotal', Math.floor(v.vmallocTotalBytes / 1024)) +
    line('VmallocUsed', v.vmallocUsedPages * PAGE_KB) +
    line('VmallocChunk', 0) +
    line('PageExt', Math.floor(v.pageExtBytes / 1024)) +
    line('PageTagRefs', Math.floor(v.pageTagRefBytes / 1024))
  );
}
