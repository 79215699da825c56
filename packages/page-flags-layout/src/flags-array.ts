import { PageFlagsLayoutError } from './errors';
import type { PageFlagsLayout } from './layout';

/** The non-flag fields of page->flags, high bits downward (include/linux/mm.h). */
export type PageFlagsField =
  | 'section'
  | 'node'
  | 'zone'
  | 'last_cpupid'
  | 'kasan_tag'
  | 'lru_gen'
  | 'lru_refs';

/** Every field, in layout order from bit BITS_PER_LONG-1 downward. */
export const PAGE_FLAGS_FIELDS: readonly PageFlagsField[] = Object.freeze([
  'section',
  'node',
  'zone',
  'last_cpupid',
  'kasan_tag',
  'lru_gen',
  'lru_refs',
]);

/** Low-bit masks `(1 << w) - 1` for w = 0..32 as unsigned 32-bit values. */
const LOW_MASK = new Uint32Array(33);
for (let w = 0; w <= 32; w++) LOW_MASK[w] = w === 32 ? 0xffffffff : (1 << w) - 1;

function fieldIndex(field: PageFlagsField): number {
  switch (field) {
    case 'section':
      return 0;
    case 'node':
      return 1;
    case 'zone':
      return 2;
    case 'last_cpupid':
      return 3;
    case 'kasan_tag':
      return 4;
    case 'lru_gen':
      return 5;
    case 'lru_refs':
      return 6;
    default:
      throw new PageFlagsLayoutError('EINVAL', `unknown page flags field ${JSON.stringify(field)}`, {
        field: 'field',
      });
  }
}

/** Where each field sits for a layout: [shift, width] in PAGE_FLAGS_FIELDS order. */
export function pageFlagsFieldPositions(layout: PageFlagsLayout): ReadonlyArray<readonly [number, number]> {
  return [
    [layout.SECTIONS_PGOFF, layout.SECTIONS_WIDTH],
    [layout.NODES_PGOFF, layout.NODES_WIDTH],
    [layout.ZONES_PGOFF, layout.ZONES_WIDTH],
    [layout.LAST_CPUPID_PGOFF, layout.LAST_CPUPID_WIDTH],
    [layout.KASAN_TAG_PGOFF, layout.KASAN_TAG_WIDTH],
    [layout.LRU_GEN_PGOFF, layout.LRU_GEN_WIDTH],
    [layout.LRU_REFS_PGOFF, layout.LRU_REFS_WIDTH],
  ];
}

/**
 * Where a PageFlagsArray keeps its words when they are part of a larger per-page record (the
 * memmap's `struct page` array): the flags word of page pfn starts at u32 index
 * `pfn * strideWords` of `buffer` (from `byteOffset`), as `page->flags` is the first field of
 * every `struct page` (include/linux/mm_types.h).
 */
export interface PageFlagsStorage {
  readonly buffer: ArrayBuffer;
  /** u32 words from one page's flags word to the next (at least the word size, 2 for 64-bit). */
  readonly strideWords: number;
  /** Byte offset of page 0's flags word in `buffer` (a multiple of 4; default 0). */
  readonly byteOffset?: number;
}

/**
 * The memmap's `page->flags` words (include/linux/mm_types.h `struct page::flags`) for `nrPages`
 * pages: for 64-bit layouts the low and high halves of each word side by side (little-endian
 * order), for 32-bit layouts one u32 per page. By default the words are packed in an array of
 * their own; given a {@link PageFlagsStorage} they sit inside each page's record of a larger
 * buffer, `stride` u32 words apart. Every write is a read-modify-write of the bits named, leaving
 * all other bits as they were; JavaScript runs each call to completion, so that is the observable
 * effect of the kernel's cmpxchg loops. No allocation and no BigInt on the access paths.
 */
export class PageFlagsArray {
  readonly layout: PageFlagsLayout;
  readonly nrPages: number;
  readonly byteLength: number;
  /**
   * The raw storage: page pfn's word is `words[pfn * stride]` and, for 64-bit layouts,
   * `words[pfn * stride + 1]` holding bits 32..63. This layout is part of the API: hot paths
   * precompute their field's half, shifts and masks once and index the words directly
   * (pgalloc-tag's page-flags backend, the page allocator).
   */
  readonly words: Uint32Array;
  /** 2 for 64-bit words, 1 for 32-bit. */
  readonly wordsPerPage: number;
  /** u32 words from one page's flags word to the next: `wordsPerPage` when packed, else the record size. */
  readonly stride: number;
  private readonly bitsPerLong: number;
  private readonly fieldShift: Int32Array;
  private readonly fieldWidth: Int32Array;

  constructor(layout: PageFlagsLayout, nrPages: number, storage?: PageFlagsStorage) {
    if (!Number.isSafeInteger(nrPages) || nrPages < 0) {
      throw new PageFlagsLayoutError(
        'EINVAL',
        `nrPages must be a non-negative integer, got ${String(nrPages)}`,
        {
          field: 'nrPages',
        },
      );
    }
    const wordsPerPage = layout.BITS_PER_LONG / 32;
    const stride = storage === undefined ? wordsPerPage : storage.strideWords;
    if (!Number.isSafeInteger(stride) || stride < wordsPerPage) {
      throw new PageFlagsLayoutError(
        'EINVAL',
        `strideWords must be an integer >= ${wordsPerPage} (the flags word), got ${String(stride)}`,
        { field: 'strideWords' },
      );
    }
    if (nrPages * stride > 0xffffffff) {
      throw new PageFlagsLayoutError('ERANGE', `nrPages ${nrPages} exceeds what one typed array can hold`, {
        field: 'nrPages',
      });
    }
    this.layout = layout;
    this.nrPages = nrPages;
    this.wordsPerPage = wordsPerPage;
    this.stride = stride;
    this.bitsPerLong = layout.BITS_PER_LONG;
    if (storage === undefined) {
      this.words = new Uint32Array(nrPages * wordsPerPage);
    } else {
      const offset = storage.byteOffset ?? 0;
      const needed = offset + nrPages * stride * 4;
      if (
        !Number.isSafeInteger(offset) ||
        offset < 0 ||
        offset % 4 !== 0 ||
        storage.buffer.byteLength < needed
      ) {
        throw new PageFlagsLayoutError(
          'ERANGE',
          `buffer of ${storage.buffer.byteLength} bytes cannot hold ${nrPages} records of ${stride * 4} bytes from byte ${String(offset)}`,
          { field: 'buffer' },
        );
      }
      this.words = new Uint32Array(storage.buffer, offset, nrPages * stride);
    }
    // The flags words alone, whether packed or spread over records.
    this.byteLength = nrPages * wordsPerPage * 4;
    this.fieldShift = new Int32Array(PAGE_FLAGS_FIELDS.length);
    this.fieldWidth = new Int32Array(PAGE_FLAGS_FIELDS.length);
    pageFlagsFieldPositions(layout).forEach(([shift, width], i) => {
      this.fieldShift[i] = shift;
      this.fieldWidth[i] = width;
    });
  }

  private checkPfn(pfn: number): void {
    // nrPages < 2^32, so `>>> 0` both truncates non-integers and catches negatives and NaN.
    if (pfn >>> 0 !== pfn || pfn >= this.nrPages) {
      throw new PageFlagsLayoutError(
        'ERANGE',
        `pfn ${String(pfn)} outside the memmap (0..${this.nrPages - 1})`,
        {
          field: 'pfn',
        },
      );
    }
  }

  private checkBit(bit: number): void {
    if (bit >>> 0 !== bit || bit >= this.bitsPerLong) {
      throw new PageFlagsLayoutError('ERANGE', `bit ${String(bit)} outside a ${this.bitsPerLong}-bit word`, {
        field: 'bit',
      });
    }
  }

  private checkRange(shift: number, width: number): void {
    if (shift >>> 0 !== shift || width >>> 0 !== width || width > 32 || shift + width > this.bitsPerLong) {
      throw new PageFlagsLayoutError(
        'ERANGE',
        `bit range shift ${String(shift)} width ${String(width)} outside a ${this.bitsPerLong}-bit word (width 0..32)`,
        { field: 'shift' },
      );
    }
  }

  /** Bits [shift, shift+width) of page pfn's flags word, as an unsigned number. */
  getBits(pfn: number, shift: number, width: number): number {
    this.checkPfn(pfn);
    this.checkRange(shift, width);
    return this.readBitsUnchecked(pfn, shift, width);
  }

  /** Replaces bits [shift, shift+width) of page pfn's flags word with value; every other bit stays. */
  setBits(pfn: number, shift: number, width: number, value: number): void {
    this.checkPfn(pfn);
    this.checkRange(shift, width);
    if (!(value >= 0 && value <= LOW_MASK[width]!) || value !== Math.floor(value)) {
      throw new PageFlagsLayoutError(
        'ERANGE',
        `value ${String(value)} does not fit in ${width} bit${width === 1 ? '' : 's'}`,
        { field: 'value' },
      );
    }
    this.writeBitsUnchecked(pfn, shift, width, value);
  }

  /**
   * getBits() without validation, for trusted hot paths whose pfn and bit range are already
   * known to be good (a pfn the caller just got from the allocator, a field position fixed at
   * boot). Same result as getBits() for valid arguments; never throws, and for invalid ones the
   * result is unspecified.
   */
  readBitsUnchecked(pfn: number, shift: number, width: number): number {
    if (width === 0) return 0;
    const words = this.words;
    const base = pfn * this.stride;
    if (shift >= 32) return ((words[base + 1]! >>> (shift - 32)) & LOW_MASK[width]!) >>> 0;
    const lo = words[base]! >>> shift;
    if (shift + width <= 32) return (lo & LOW_MASK[width]!) >>> 0;
    // Straddles bit 32: low part from the low half, the rest from the high half.
    const loBits = 32 - shift;
    const hi = words[base + 1]! & LOW_MASK[width - loBits]!;
    return (lo | (hi << loBits)) >>> 0;
  }

  /**
   * setBits() without validation, for trusted hot paths (see readBitsUnchecked). The value is
   * cut to its low `width` bits (after ToInt32), as the kernel's `& X_MASK` does, rather than
   * rejected; the other bits of the word stay. For an invalid pfn or bit range the effect is
   * unspecified (it may change another page's word) but it never throws.
   */
  writeBitsUnchecked(pfn: number, shift: number, width: number, value: number): void {
    if (width === 0) return;
    const words = this.words;
    const base = pfn * this.stride;
    if (shift >= 32) {
      const s = shift - 32;
      const mask = LOW_MASK[width]! << s;
      words[base + 1] = (words[base + 1]! & ~mask) | ((value << s) & mask);
      return;
    }
    if (shift + width <= 32) {
      const mask = LOW_MASK[width]! << shift;
      words[base] = (words[base]! & ~mask) | ((value << shift) & mask);
      return;
    }
    const loBits = 32 - shift;
    const loMask = LOW_MASK[loBits]! << shift;
    words[base] = (words[base]! & ~loMask) | ((value << shift) & loMask);
    const hiMask = LOW_MASK[width - loBits]!;
    words[base + 1] = (words[base + 1]! & ~hiMask) | ((value >>> loBits) & hiMask);
  }

  /** include/linux/page-flags.h test_bit(PG_x, &page->flags). */
  testFlag(pfn: number, bit: number): boolean {
    this.checkPfn(pfn);
    this.checkBit(bit);
    const word = this.words[pfn * this.stride + (bit >>> 5)]!;
    return ((word >>> (bit & 31)) & 1) === 1;
  }

  /** set_bit(PG_x, &page->flags). */
  setFlag(pfn: number, bit: number): void {
    this.checkPfn(pfn);
    this.checkBit(bit);
    this.words[pfn * this.stride + (bit >>> 5)]! |= 1 << (bit & 31);
  }

  /** clear_bit(PG_x, &page->flags). */
  clearFlag(pfn: number, bit: number): void {
    this.checkPfn(pfn);
    this.checkBit(bit);
    this.words[pfn * this.stride + (bit >>> 5)]! &= ~(1 << (bit & 31));
  }

  /** testFlag() without validation (trusted hot paths: pfn and bit known good); unspecified otherwise. */
  testFlagUnchecked(pfn: number, bit: number): boolean {
    return ((this.words[pfn * this.stride + (bit >>> 5)]! >>> (bit & 31)) & 1) === 1;
  }

  /** setFlag() without validation (trusted hot paths); unspecified for a bad pfn or bit, never throws. */
  setFlagUnchecked(pfn: number, bit: number): void {
    this.words[pfn * this.stride + (bit >>> 5)]! |= 1 << (bit & 31);
  }

  /** clearFlag() without validation (trusted hot paths); unspecified for a bad pfn or bit, never throws. */
  clearFlagUnchecked(pfn: number, bit: number): void {
    this.words[pfn * this.stride + (bit >>> 5)]! &= ~(1 << (bit & 31));
  }

  /**
   * page_zonenum() / page_to_nid() / page_to_section() / page_cpupid_last() / page_kasan_tag()
   * style read of one field. A field of width 0 (not in page flags for this layout) reads 0.
   */
  getField(pfn: number, field: PageFlagsField): number {
    this.checkPfn(pfn);
    const i = fieldIndex(field);
    return this.readBitsUnchecked(pfn, this.fieldShift[i]!, this.fieldWidth[i]!);
  }

  /**
   * set_page_zone() / set_page_node() / set_page_section() / page_cpupid_xchg_last() style write of
   * one field. The kernel masks the value with X_MASK; here a value that does not fit is an error,
   * so a caller bug cannot silently truncate the value.
   */
  setField(pfn: number, field: PageFlagsField, value: number): void {
    this.checkPfn(pfn);
    const i = fieldIndex(field);
    this.checkFieldValue(i, value);
    this.writeBitsUnchecked(pfn, this.fieldShift[i]!, this.fieldWidth[i]!, value);
  }

  private checkFieldValue(i: number, value: number): void {
    const width = this.fieldWidth[i]!;
    if (!(value >= 0 && value <= LOW_MASK[width]!) || value !== Math.floor(value)) {
      const field = PAGE_FLAGS_FIELDS[i]!;
      const where =
        width === 0
          ? `field ${field} is not in page flags for this layout`
          : `does not fit in the ${width}-bit ${field} field`;
      throw new PageFlagsLayoutError('ERANGE', `value ${String(value)}: ${where}`, { field });
    }
  }

  /**
   * include/linux/mm.h set_page_links(): zone, node (if NODES_WIDTH) and section (if
   * SECTIONS_WIDTH) of a page; all three are checked before anything is written.
   */
  setPageLinks(pfn: number, zone: number, nid: number, sectionNr: number): void {
    this.checkPfn(pfn);
    const nodeInFlags = this.fieldWidth[1] !== 0;
    const sectionInFlags = this.fieldWidth[0] !== 0;
    this.checkFieldValue(2, zone);
    if (nodeInFlags) this.checkFieldValue(1, nid);
    if (sectionInFlags) this.checkFieldValue(0, sectionNr);
    this.writeBitsUnchecked(pfn, this.fieldShift[2]!, this.fieldWidth[2]!, zone);
    if (nodeInFlags) this.writeBitsUnchecked(pfn, this.fieldShift[1]!, this.fieldWidth[1]!, nid);
    if (sectionInFlags) this.writeBitsUnchecked(pfn, this.fieldShift[0]!, this.fieldWidth[0]!, sectionNr);
  }

  /** Zeroes the flags word of pages [pfn, pfn + count) (struct page initialisation). */
  clearPages(pfn: number, count: number): void {
    if (count === 0) return;
    this.checkPfn(pfn);
    this.checkPfn(pfn + count - 1);
    const words = this.words;
    const stride = this.stride;
    if (stride === this.wordsPerPage) {
      words.fill(0, pfn * stride, (pfn + count) * stride);
      return;
    }
    for (let i = pfn * stride, end = (pfn + count) * stride; i < end; i += stride) {
      words[i] = 0;
      if (this.wordsPerPage === 2) words[i + 1] = 0;
    }
  }

  /** The whole flags word as a bigint, for display and debugging only (allocates). */
  readWord(pfn: number): bigint {
    this.checkPfn(pfn);
    const base = pfn * this.stride;
    const lo = BigInt(this.words[base]!);
    return this.wordsPerPage === 2 ? (BigInt(this.words[base + 1]!) << 32n) | lo : lo;
  }

  /** Replaces the whole flags word (debugging and test set-up only; allocates). */
  writeWord(pfn: number, word: bigint): void {
    this.checkPfn(pfn);
    if (word < 0n || word >> BigInt(this.bitsPerLong) !== 0n) {
      throw new PageFlagsLayoutError(
        'ERANGE',
        `word 0x${word.toString(16)} does not fit in ${this.bitsPerLong} bits`,
        {
          field: 'word',
        },
      );
    }
    const base = pfn * this.stride;
    this.words[base] = Number(word & 0xffffffffn);
    if (this.wordsPerPage === 2) this.words[base + 1] = Number(word >> 32n);
  }
}
