/**
 * Host memory of a simulated boot, known before anything is allocated: the struct page records
 * of every page frame (mm_types.ts), page_ext's entry arena when page_ext is needed
 * (pgalloc-tag's SparsePageExt: one table of PAGES_PER_SECTION entries per section), and an
 * allowance for everything whose size does not grow with RAM (tags, counters, vmalloc, the JS
 * objects of the kernel). The CLI checks it against the memory the host has before booting, so
 * that a `--mem` too large for the host is one clear error rather than a failed allocation deep
 * in the boot.
 */

import { pageExtArenaSlots } from '@allocprof/pgalloc-tag';
import { MAX_RAM_BYTES, MIN_RAM_BYTES, PAGE_SIZE } from './memmap';
import { memmapHostBytes } from './mm_types';

/** Host bytes of everything but the per-page state (measured: ~13 MiB at 64M, with headroom). */
export const BOOT_FIXED_HOST_BYTES = 48 * 2 ** 20;

/** What decides the per-page host memory of a boot. */
export interface BootShape {
  /** Whether page_ext holds tag references (profiling supported and not compressed). */
  readonly pageExt: boolean;
  /** PAGES_PER_SECTION (SPARSEMEM) or 0 (FLATMEM: one table, sized like a single section here). */
  readonly pagesPerSection: number;
  /** page_ext_size / sizeof(long): slots per entry (1 with page_alloc_tagging alone). */
  readonly pageExtEntrySlots?: number;
}

/** x86_64-sim: SPARSEMEM with 128 MiB sections, page_ext references in page_ext (the worst case). */
export const DEFAULT_BOOT_SHAPE: BootShape = { pageExt: true, pagesPerSection: 1 << 15 };

/** Host bytes a boot of `ramBytes` allocates. */
export function bootHostBytes(ramBytes: number, shape: BootShape = DEFAULT_BOOT_SHAPE): number {
  const nrPages = Math.floor(ramBytes / PAGE_SIZE);
  let bytes = BOOT_FIXED_HOST_BYTES + memmapHostBytes(nrPages);
  if (shape.pageExt) {
    const pps = shape.pagesPerSection > 0 ? shape.pagesPerSection : nrPages + 1024;
    const tables = Math.ceil(nrPages / pps);
    bytes += 8 * pageExtArenaSlots(shape.pageExtEntrySlots ?? 1, tables, pps);
  }
  return bytes;
}

/**
 * The largest RAM size, in whole GiB (whole 64 MiB steps below 1G), whose boot fits in
 * `availableBytes` of host memory; 0 when not even the smallest one does.
 */
export function largestRamThatFits(availableBytes: number, shape: BootShape = DEFAULT_BOOT_SHAPE): number {
  const fits = (ram: number): boolean => bootHostBytes(ram, shape) <= availableBytes;
  if (!fits(MIN_RAM_BYTES)) return 0;
  const step = fits(2 ** 30) ? 2 ** 30 : MIN_RAM_BYTES;
  // bootHostBytes() grows with the RAM size: the largest multiple of `step` that fits.
  let lo = Math.ceil(MIN_RAM_BYTES / step);
  let hi = Math.floor(MAX_RAM_BYTES / step);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid * step)) lo = mid;
    else hi = mid - 1;
  }
  return lo * step;
}
