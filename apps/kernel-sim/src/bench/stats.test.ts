import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel/errno';
import { median, overheadPercent, quantile, summarize } from './stats';

describe('median', () => {
  it('is the middle sample of an odd count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([7])).toBe(7);
  });

  it('is the mean of the two middle samples of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder its input', () => {
    const s = [3, 1, 2];
    median(s);
    expect(s).toEqual([3, 1, 2]);
  });

  it('rejects no samples and non-finite ones with EINVAL', () => {
    expect(() => median([])).toThrow(KernelError);
    expect(() => median([1, Number.NaN])).toThrow(/not a finite number/);
    expect(() => median([Number.POSITIVE_INFINITY])).toThrowError(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });

  it('has as many samples at or below it as at or above it (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 50 }), (xs) => {
        const m = median(xs);
        const below = xs.filter((x) => x <= m).length;
        const above = xs.filter((x) => x >= m).length;
        expect(below).toBeGreaterThanOrEqual(xs.length / 2);
        expect(above).toBeGreaterThanOrEqual(xs.length / 2);
      }),
      { numRuns: 200 },
    );
  });
});

describe('quantile', () => {
  it('interpolates linearly between neighbours (type 7)', () => {
    const xs = [1, 2, 3, 4, 5];
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 0.25)).toBe(2);
    expect(quantile(xs, 1)).toBe(5);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
  });

  it('rejects a quantile outside [0, 1]', () => {
    expect(() => quantile([1], 1.5)).toThrow(/outside \[0, 1\]/);
    expect(() => quantile([1], Number.NaN)).toThrow(KernelError);
  });
});

describe('summarize', () => {
  it('gives median, quartiles, IQR and range', () => {
    expect(summarize([9, 1, 5, 3, 7])).toEqual({ n: 5, median: 5, min: 1, max: 9, q1: 3, q3: 7, iqr: 4 });
  });

  it('orders min ≤ q1 ≤ median ≤ q3 ≤ max (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (xs) => {
          const s = summarize(xs);
          expect(s.n).toBe(xs.length);
          expect(s.min).toBeLessThanOrEqual(s.q1);
          expect(s.q1).toBeLessThanOrEqual(s.median);
          expect(s.median).toBeLessThanOrEqual(s.q3);
          expect(s.q3).toBeLessThanOrEqual(s.max);
          expect(s.iqr).toBeCloseTo(s.q3 - s.q1, 9);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('overheadPercent', () => {
  it('is the relative difference in percent', () => {
    expect(overheadPercent(141, 100)).toBeCloseTo(41, 10);
    expect(overheadPercent(95, 100)).toBeCloseTo(-5, 10);
    expect(overheadPercent(100, 100)).toBe(0);
  });

  it('refuses a baseline that is not positive', () => {
    expect(() => overheadPercent(1, 0)).toThrow(KernelError);
    expect(() => overheadPercent(1, -1)).toThrow(/baseline/);
  });
});
