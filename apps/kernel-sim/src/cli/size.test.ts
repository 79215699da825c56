import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSize } from '../lib/cmdline';
import { formatBytes, parseSize } from './size';

describe('parseSize (memparse)', () => {
  it('reads the sizes of the contract', () => {
    expect(parseSize('512M')).toBe(512 * 2 ** 20);
    expect(parseSize('4G')).toBe(4 * 2 ** 30);
    expect(parseSize('64g')).toBe(64 * 2 ** 30);
    expect(parseSize('20K')).toBe(20480);
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('0x1000')).toBe(4096);
    expect(parseSize('1GiB')).toBe(2 ** 30);
    expect(parseSize('1MB')).toBe(2 ** 20);
  });

  it('rejects what is not a size, naming it', () => {
    for (const bad of ['', 'M', '12Q', '1.5G', '-1', '1 G', 'lots', '1iB'])
      expect(() => parseSize(bad), bad).toThrow(RangeError);
    expect(() => parseSize('12Q')).toThrow("invalid size '12Q'");
    expect(() => parseSize('99999999P')).toThrow('too large');
  });

  it('round-trips with formatSize (the kernel-side short form)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 20 }), fc.constantFrom(0, 10, 20, 30), (n, shift) => {
        const bytes = n * 2 ** shift;
        expect(parseSize(formatSize(bytes))).toBe(bytes);
      }),
      { numRuns: 300 },
    );
  });
});

describe('formatBytes', () => {
  it('prints three significant digits with binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4096)).toBe('4.00 KiB');
    expect(formatBytes(65536)).toBe('64.0 KiB');
    expect(formatBytes(3211264000)).toBe('2.99 GiB');
    expect(formatBytes(-100663296)).toBe('-96.0 MiB');
  });
});
