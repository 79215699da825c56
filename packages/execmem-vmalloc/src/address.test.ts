import { describe, expect, it } from 'vitest';
import { formatKernelAddress, parseKernelAddress } from './address';
import { MODULES_END, MODULES_VADDR, VMALLOC_END, VMALLOC_START } from './constants';
import { PageFault } from './errors';

describe('kernel addresses', () => {
  it('prints the canonical 0xffff form of the x86_64 layout constants', () => {
    expect(formatKernelAddress(VMALLOC_START)).toBe('0xffffc90000000000');
    expect(formatKernelAddress(VMALLOC_END)).toBe('0xffffe8ffffffffff');
    expect(formatKernelAddress(MODULES_VADDR)).toBe('0xffffffffa0000000');
    expect(formatKernelAddress(MODULES_END)).toBe('0xffffffffff000000');
    expect(formatKernelAddress(0)).toBe('0xffff000000000000');
  });

  it('round-trips through parseKernelAddress', () => {
    for (const a of [0, 1, 0x1000, VMALLOC_START + 0x123456, MODULES_END, 2 ** 48 - 1]) {
      expect(parseKernelAddress(formatKernelAddress(a))).toBe(a);
    }
    expect(parseKernelAddress('FFFFC90000001000')).toBe(VMALLOC_START + 0x1000);
  });

  it('rejects what is not a stored kernel address', () => {
    for (const bad of [-1, 2 ** 48, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => formatKernelAddress(bad)).toThrow(RangeError);
    }
    for (const bad of ['0x1000', '0xffffc9000000000', '0x0000c90000000000', 'ffffc9000000000g', '']) {
      expect(() => parseKernelAddress(bad)).toThrow(RangeError);
    }
  });

  it('names the address in a page fault', () => {
    const f = new PageFault(VMALLOC_START + 0x2000);
    expect(f.address).toBe(VMALLOC_START + 0x2000);
    expect(f.message).toBe('BUG: unable to handle page fault for address: 0xffffc90000002000');
    expect(f).toBeInstanceOf(Error);
    expect(new PageFault(-5).message).toContain('-5');
  });
});
