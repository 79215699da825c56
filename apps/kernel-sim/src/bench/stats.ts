/**
 * Statistics of benchmark rounds: medians and spread of a handful of samples. Absolute times
 * on a shared machine are noise, so what is reported is the median of rounds with its spread,
 * and overheads are read from figures measured side by side in one process.
 */

import { KernelError } from '../kernel/errno';

/** Median, quartiles and range of a set of samples. */
export interface Summary {
  /** Number of samples. */
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First quartile (25th percentile, linear interpolation). */
  readonly q1: number;
  /** Third quartile (75th percentile, linear interpolation). */
  readonly q3: number;
  /** Interquartile range q3 − q1. */
  readonly iqr: number;
}

function checkSamples(samples: readonly number[]): void {
  if (samples.length === 0) throw new KernelError('EINVAL', 'no samples');
  for (const s of samples)
    if (!Number.isFinite(s)) throw new KernelError('EINVAL', `sample ${String(s)} is not a finite number`);
}

/** The p-quantile (0 ≤ p ≤ 1) of sorted samples, interpolating linearly between neighbours. */
function quantileSorted(sorted: readonly number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/** The p-quantile of `samples` (0 ≤ p ≤ 1), linear interpolation (type 7, as R and NumPy default). */
export function quantile(samples: readonly number[], p: number): number {
  checkSamples(samples);
  if (!(p >= 0 && p <= 1)) throw new KernelError('EINVAL', `quantile ${p} is outside [0, 1]`);
  return quantileSorted(
    [...samples].sort((x, y) => x - y),
    p,
  );
}

/** The median: the middle sample, or the mean of the two middle ones. */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** Median, quartiles, min and max of `samples`. */
export function summarize(samples: readonly number[]): Summary {
  checkSamples(samples);
  const sorted = [...samples].sort((x, y) => x - y);
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  return {
    n: sorted.length,
    median: quantileSorted(sorted, 0.5),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    q1,
    q3,
    iqr: q3 - q1,
  };
}

/** Overhead of `value` over `baseline` in percent: (value / baseline − 1) · 100. */
export function overheadPercent(value: number, baseline: number): number {
  if (!(baseline > 0) || !Number.isFinite(value))
    throw new KernelError('EINVAL', `cannot compare ${value} against baseline ${baseline}`);
  return (value / baseline - 1) * 100;
}
