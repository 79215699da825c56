/** lib/cmdline.c: memparse() and next_arg(), the command-line primitives of the kernel. */

import { KernelError } from '../kernel/errno';

/** One `name[=value]` word of a command line; `value` is null when there was no `=`. */
export interface KernelParam {
  readonly name: string;
  readonly value: string | null;
}

/** lib/cmdline.c: next_arg() over a whole line — splits at blanks, honours double quotes. */
export function parseArgs(cmdline: string): KernelParam[] {
  const out: KernelParam[] = [];
  let i = 0;
  const n = cmdline.length;
  while (i < n) {
    while (i < n && /\s/.test(cmdline[i]!)) i++;
    if (i >= n) break;
    let inQuote = false;
    let word = '';
    while (i < n && (inQuote || !/\s/.test(cmdline[i]!))) {
      const c = cmdline[i]!;
      if (c === '"') inQuote = !inQuote;
      else word += c;
      i++;
    }
    const eq = word.indexOf('=');
    out.push(eq < 0 ? { name: word, value: null } : { name: word.slice(0, eq), value: word.slice(eq + 1) });
  }
  return out;
}

/** kernel/params.c: parameq() — `-` and `_` are the same character in parameter names. */
export function parameq(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === '-' ? '_' : a[i];
    const y = b[i] === '-' ? '_' : b[i];
    if (x !== y) return false;
  }
  return true;
}

const SUFFIX_SHIFT: Readonly<Record<string, number>> = { K: 10, M: 20, G: 30, T: 40, P: 50, E: 60 };

/**
 * lib/cmdline.c: memparse() — a number (decimal, 0x hex or 0 octal) with an optional K/M/G/T/P/E
 * suffix (either case). Unlike the kernel, which stops at the first bad character, anything
 * that is not exactly that is rejected, because the input comes from a person.
 */
export function memparse(text: string, what = 'size'): number {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([KMGTPEkmgtpe])?$/.exec(text.trim());
  if (m === null)
    throw new KernelError(
      'EINVAL',
      `invalid ${what} '${text}': expected a number with an optional K, M, G or T suffix (e.g. 512M, 4G)`,
    );
  const digits = m[1]!;
  const base = /^0[xX]/.test(digits) ? 16 : digits.length > 1 && digits.startsWith('0') ? 8 : 10;
  const mantissa = Number.parseInt(base === 16 ? digits.slice(2) : digits, base);
  const shift = m[2] === undefined ? 0 : SUFFIX_SHIFT[m[2].toUpperCase()]!;
  const value = mantissa * 2 ** shift;
  if (!Number.isSafeInteger(value)) throw new KernelError('ERANGE', `${what} '${text}' is too large`);
  return value;
}

/** Human form of a byte count the way `--mem` accepts it (`64G`, `512M`, `1536K`). */
export function formatSize(bytes: number): string {
  for (const [suffix, shift] of [
    ['P', 50],
    ['T', 40],
    ['G', 30],
    ['M', 20],
    ['K', 10],
  ] as const) {
    const unit = 2 ** shift;
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}
