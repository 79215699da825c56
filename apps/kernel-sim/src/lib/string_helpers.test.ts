import { describe, expect, it } from 'vitest';
import { stringGetSize } from './string_helpers';

describe('string_get_size', () => {
  it('prints three significant digits in binary units', () => {
    expect(stringGetSize(0)).toBe('0 B');
    expect(stringGetSize(512)).toBe('512 B');
    expect(stringGetSize(5)).toBe('5.00 B');
    expect(stringGetSize(4096)).toBe('4.00 KiB');
    expect(stringGetSize(16 * 2 ** 20)).toBe('16.0 MiB');
    expect(stringGetSize(256 * 2 ** 20)).toBe('256 MiB');
    expect(stringGetSize(1536)).toBe('1.50 KiB');
    expect(stringGetSize(2 ** 40)).toBe('1.00 TiB');
    expect(() => stringGetSize(-1)).toThrowError(RangeError);
  });
});
