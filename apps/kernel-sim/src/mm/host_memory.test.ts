import { describe, expect, it } from 'vitest';
import { Kernel } from '../init/main';
import { bootHostBytes, DEFAULT_BOOT_SHAPE, largestRamThatFits } from './host_memory';
import { MAX_RAM_BYTES, MIN_RAM_BYTES } from './memmap';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe('host memory of a boot', () => {
  it('is at least what a boot really allocates in ArrayBuffers', () => {
    for (const [mem, cmdline] of [
      [64 * MiB, 'sysctl.vm.mem_profiling=1'],
      [GiB, 'sysctl.vm.mem_profiling=1'],
      [GiB, 'sysctl.vm.mem_profiling=1,compressed'],
      [2 * GiB, ''],
    ] as const) {
      const before = process.memoryUsage().arrayBuffers;
      const k = Kernel.boot({ mem, cmdline });
      const grown = process.memoryUsage().arrayBuffers - before;
      const known = k.memmap.pages.byteLength + k.pageExt.storage.entries.byteLength;
      const est = bootHostBytes(mem);
      expect(est, `${mem} ${cmdline}`).toBeGreaterThanOrEqual(grown);
      expect(est, `${mem} ${cmdline}`).toBeGreaterThanOrEqual(known);
      // Without page_ext the estimate for that shape is still enough.
      expect(bootHostBytes(mem, { pageExt: false, pagesPerSection: 1 << 15 })).toBeGreaterThanOrEqual(
        k.memmap.pages.byteLength,
      );
    }
  });

  it('grows with the RAM size: 32 bytes of struct page and 8 of page_ext per page frame', () => {
    const per = (bootHostBytes(2 * GiB) - bootHostBytes(GiB)) / (GiB / 4096);
    expect(per).toBe(40);
    expect(bootHostBytes(GiB, { pageExt: false, pagesPerSection: 1 << 15 })).toBeLessThan(bootHostBytes(GiB));
  });

  it('names the largest size that fits, on whole GiB, or 0 when nothing does', () => {
    for (const available of [12 * GiB, 3.3 * GiB, 700 * MiB, 100 * MiB]) {
      const fit = largestRamThatFits(available);
      expect(fit).toBeGreaterThanOrEqual(MIN_RAM_BYTES);
      expect(bootHostBytes(fit)).toBeLessThanOrEqual(available);
      const step = fit >= GiB ? GiB : MIN_RAM_BYTES;
      expect(fit % step).toBe(0);
      if (fit + step <= MAX_RAM_BYTES) expect(bootHostBytes(fit + step)).toBeGreaterThan(available);
    }
    expect(largestRamThatFits(10 * MiB)).toBe(0);
    expect(largestRamThatFits(Number.MAX_SAFE_INTEGER)).toBe(MAX_RAM_BYTES);
    expect(largestRamThatFits(12 * GiB, DEFAULT_BOOT_SHAPE)).toBe(largestRamThatFits(12 * GiB));
  });
});
