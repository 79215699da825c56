/** lib/string_helpers.c: string_get_size() with STRING_UNITS_2 and a block size of 1. */

const UNITS_2 = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
const ROUNDING = [500, 50, 5];

/** `string_get_size(size, 1, STRING_UNITS_2, …)`: three significant digits, e.g. `16.0 MiB`, `512 B`. */
export function stringGetSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`size ${bytes} is not a byte count`);
  let size = bytes;
  let remainder = 0;
  let i = 0;
  if (size === 0) return '0 B';
  while (size >= 1024) {
    remainder = size % 1024;
    size = Math.floor(size / 1024);
    i++;
  }
  let j = 0;
  for (let cap = size; cap * 10 < 1000; j++) cap *= 10;
  remainder = (remainder * 1000) >> 10;
  remainder += ROUNDING[j]!;
  if (remainder >= 1000) {
    remainder -= 1000;
    size += 1;
  }
  const frac = j > 0 ? `.${String(remainder).padStart(3, '0').slice(0, j)}` : '';
  return `${size}${frac} ${UNITS_2[i] ?? 'UNK'}`;
}
