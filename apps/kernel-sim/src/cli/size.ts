/**
 * lib/cmdline.c: memparse() — sizes such as `512M`, `4G`, `64G`, as the kernel reads `mem=`,
 * plus the human-readable form the kernel prints (string_get_size() with base 2), and counts
 * with their nouns for the CLI's sentences.
 */

const SUFFIX_SHIFT: Readonly<Record<string, number>> = {
  '': 0,
  K: 10,
  M: 20,
  G: 30,
  T: 40,
  P: 50,
};

/**
 * Parse a size: a non-negative integer (decimal or 0x hex) with an optional binary suffix
 * K/M/G/T/P (case-insensitive, optionally followed by `B` or `iB`). Returns bytes, or throws
 * RangeError with a message naming the text when it is not a size.
 */
export function parseSize(text: string): number {
  const m = /^(0x[0-9a-f]+|\d+)([kmgtp]?)(i?b)?$/i.exec(text.trim());
  if (m === null || (m[3] !== undefined && m[2] === '' && m[3].toLowerCase() !== 'b'))
    throw new RangeError(`invalid size '${text}' (expected e.g. 4096, 512K, 64M, 4G)`);
  const base = Number(m[1]!.toLowerCase().startsWith('0x') ? Number.parseInt(m[1]!, 16) : m[1]);
  const bytes = base * 2 ** SUFFIX_SHIFT[m[2]!.toUpperCase()]!;
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`size '${text}' is too large`);
  return bytes;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A byte count for people: `4.00 KiB`, `1.50 GiB`, `512 B` (three significant digits). */
export function formatBytes(bytes: number): string {
  const neg = bytes < 0;
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const s = u === 0 ? String(v) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${neg ? '-' : ''}${s} ${UNITS[u]}`;
}

/** A count with its noun, singular for exactly one: `1 call site`, `2 call sites`, `0 pages`. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
