import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageFlagsLayoutError } from './errors';
import {
  PAGE_FLAGS_FIELDS,
  PageFlagsArray,
  type PageFlagsField,
  pageFlagsFieldPositions,
} from './flags-array';
import { PG } from './kconfig';
import { computePageFlagsLayout, type PageFlagsLayout } from './layout';
import { getPageFlagsPreset, PAGE_FLAGS_PRESETS } from './presets';

/** Reference model: one bigint per page, plain shifts and masks. */
class BigIntFlags {
  readonly words: bigint[];
  constructor(
    readonly bits: number,
    nrPages: number,
  ) {
    this.words = Array.from({ length: nrPages }, () => 0n);
  }
  get(pfn: number, shift: number, width: number): number {
    return Number((this.words[pfn]! >> BigInt(shift)) & ((1n << BigInt(width)) - 1n));
  }
  set(pfn: number, shift: number, width: number, value: number): void {
    const mask = ((1n << BigInt(width)) - 1n) << BigInt(shift);
    this.words[pfn] = (this.words[pfn]! & ~mask) | ((BigInt(value) << BigInt(shift)) & mask);
  }
}

const simLayout = computePageFlagsLayout(getPageFlagsPreset('x86_64-sim').inputs);

function expectRangeError(fn: () => void, field: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PageFlagsLayoutError);
    expect((error as PageFlagsLayoutError).code).toBe('ERANGE');
    expect((error as PageFlagsLayoutError).field).toBe(field);
    return;
  }
  throw new Error('expected PageFlagsLayoutError');
}

describe('PageFlagsArray storage', () => {
  it('uses two u32 halves per page for 64-bit layouts and one for 32-bit', () => {
    const a64 = new PageFlagsArray(simLayout, 100);
    expect(a64.nrPages).toBe(100);
    expect(a64.byteLength).toBe(800);
    expect(a64.wordsPerPage).toBe(2);
    const l32 = computePageFlagsLayout(getPageFlagsPreset('x86_32-pae').inputs);
    const a32 = new PageFlagsArray(l32, 100);
    expect(a32.byteLength).toBe(400);
    expect(a32.layout).toBe(l32);
  });

  it('keeps the halves in little-endian order (bit 32 is bit 0 of the second u32)', () => {
    const a = new PageFlagsArray(simLayout, 2);
    a.setBits(1, 32, 1, 1);
    a.setBits(1, 0, 1, 1);
    expect(Array.from(a.words)).toEqual([0, 0, 1, 1]);
    expect(a.readWord(1)).toBe(0x1_0000_0001n);
    expect(a.readWord(0)).toBe(0n);
  });

  it('can live inside per-page records of a larger buffer (the flags word first in each record)', () => {
    const buffer = new ArrayBuffer(4 * 32 + 16);
    const other = new Uint32Array(buffer);
    other.fill(0xdeadbeef);
    const a = new PageFlagsArray(simLayout, 4, { buffer, strideWords: 8, byteOffset: 16 });
    expect(a.stride).toBe(8);
    expect(a.byteLength).toBe(4 * 8);
    a.writeWord(0, 0n);
    a.writeWord(2, 0x1_0000_0002n);
    a.setFlag(3, 5);
    expect(other[4 + 16]).toBe(2);
    expect(other[4 + 17]).toBe(1);
    // Words outside the flags words are never touched.
    expect(other[4 + 18]).toBe(0xdeadbeef);
    expect(other[4 + 2]).toBe(0xdeadbeef);
    a.clearPages(2, 2);
    expect(a.readWord(2)).toBe(0n);
    expect(a.readWord(3)).toBe(0n);
    expect(other[4 + 16 + 2]).toBe(0xdeadbeef);
    expect(() => new PageFlagsArray(simLayout, 4, { buffer, strideWords: 1 })).toThrow(/strideWords/);
    expect(() => new PageFlagsArray(simLayout, 5, { buffer, strideWords: 8, byteOffset: 16 })).toThrow(
      PageFlagsLayoutError,
    );
    expect(() => new PageFlagsArray(simLayout, 1, { buffer, strideWords: 8, byteOffset: 2 })).toThrow(
      /cannot hold/,
    );
  });

  it('gives the same results in records as packed (property)', () => {
    const layout = simLayout;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            pfn: fc.integer({ min: 0, max: 7 }),
            shift: fc.integer({ min: 0, max: 40 }),
            width: fc.integer({ min: 1, max: 23 }),
            value: fc.integer({ min: 0, max: 0x7fffff }),
          }),
          { maxLength: 40 },
        ),
        (ops) => {
          const packed = new PageFlagsArray(layout, 8);
          const rec = new PageFlagsArray(layout, 8, { buffer: new ArrayBuffer(8 * 64), strideWords: 16 });
          for (const { pfn, shift, width, value } of ops) {
            const v = value & ((1 << width) - 1);
            packed.setBits(pfn, shift, width, v);
            rec.setBits(pfn, shift, width, v);
          }
          for (let p = 0; p < 8; p++) expect(rec.readWord(p)).toBe(packed.readWord(p));
        },
      ),
    );
  });

  it('rejects bad sizes', () => {
    expect(() => new PageFlagsArray(simLayout, -1)).toThrow(PageFlagsLayoutError);
    expect(() => new PageFlagsArray(simLayout, 1.5)).toThrow(/non-negative integer/);
  });
});

describe('PageFlagsArray bit ranges', () => {
  it('reads and writes a field straddling bit 32 (the alloc-tag field of x86_64-sim: bits 36..24)', () => {
    const a = new PageFlagsArray(simLayout, 4);
    expect(simLayout.allocTagRefOffs).toBe(24);
    expect(simLayout.allocTagRefBits).toBe(13);
    a.writeWord(2, 0xffff_ffff_ffff_ffffn);
    a.setBits(2, 24, 13, 0x1abc);
    expect(a.getBits(2, 24, 13)).toBe(0x1abc);
    const expected = (0xffff_ffff_ffff_ffffn & ~(0x1fffn << 24n)) | (0x1abcn << 24n);
    expect(a.readWord(2)).toBe(expected);
    a.setBits(2, 24, 13, 0);
    expect(a.readWord(2)).toBe(0xffff_ffff_ffff_ffffn & ~(0x1fffn << 24n));
    expect(a.readWord(1)).toBe(0n);
    expect(a.readWord(3)).toBe(0n);
  });

  it('handles full 32-bit ranges in either half and across the middle', () => {
    const a = new PageFlagsArray(simLayout, 1);
    a.setBits(0, 0, 32, 0xffffffff);
    expect(a.getBits(0, 0, 32)).toBe(0xffffffff);
    a.setBits(0, 32, 32, 0x80000001);
    expect(a.getBits(0, 32, 32)).toBe(0x80000001);
    a.setBits(0, 16, 32, 0x12345678);
    expect(a.getBits(0, 16, 32)).toBe(0x12345678);
    expect(a.readWord(0)).toBe(0x8000_1234_5678_ffffn);
    expect(a.getBits(0, 63, 1)).toBe(1);
    expect(a.getBits(0, 5, 0)).toBe(0);
  });

  it('rejects out-of-range pfns, bit ranges and values without changing anything', () => {
    const a = new PageFlagsArray(simLayout, 2);
    a.writeWord(0, 0x0123_4567_89ab_cdefn);
    expectRangeError(() => a.getBits(2, 0, 1), 'pfn');
    expectRangeError(() => a.getBits(-1, 0, 1), 'pfn');
    expectRangeError(() => a.setBits(0.5, 0, 1, 0), 'pfn');
    expectRangeError(() => a.getBits(0, 60, 5), 'shift');
    expectRangeError(() => a.getBits(0, 0, 33), 'shift');
    expectRangeError(() => a.getBits(0, -1, 2), 'shift');
    expectRangeError(() => a.setBits(0, 1.5, 2, 0), 'shift');
    expectRangeError(() => a.setBits(0, 24, 13, 0x2000), 'value');
    expectRangeError(() => a.setBits(0, 24, 13, -1), 'value');
    expectRangeError(() => a.setBits(0, 24, 13, 1.5), 'value');
    expectRangeError(() => a.setBits(0, 24, 13, Number.NaN), 'value');
    expectRangeError(() => a.testFlag(0, 64), 'bit');
    expectRangeError(() => a.writeWord(0, 1n << 64n), 'word');
    expect(a.readWord(0)).toBe(0x0123_4567_89ab_cdefn);
    expect(a.readWord(1)).toBe(0n);
  });

  it('limits a 32-bit layout to bits 0..31', () => {
    const a = new PageFlagsArray(
      computePageFlagsLayout(getPageFlagsPreset('arm-embedded-flatmem').inputs),
      1,
    );
    a.setBits(0, 28, 4, 0xf);
    expect(a.readWord(0)).toBe(0xf000_0000n);
    expectRangeError(() => a.setBits(0, 30, 4, 0), 'shift');
    expectRangeError(() => a.setFlag(0, 32), 'bit');
  });
});

describe('PageFlagsArray PG_* flags', () => {
  it('sets, tests and clears single bits in both halves', () => {
    const a = new PageFlagsArray(simLayout, 3);
    a.setFlag(1, PG.PG_head!);
    a.setFlag(1, PG.PG_lru!);
    a.setFlag(1, 40);
    expect(PG.PG_head).toBe(6);
    expect(a.testFlag(1, 6)).toBe(true);
    expect(a.testFlag(1, PG.PG_lru!)).toBe(true);
    expect(a.testFlag(1, 40)).toBe(true);
    expect(a.testFlag(1, PG.PG_reserved!)).toBe(false);
    expect(a.readWord(1)).toBe((1n << 40n) | (1n << 6n) | (1n << 5n));
    a.clearFlag(1, 40);
    a.clearFlag(1, PG.PG_head!);
    expect(a.readWord(1)).toBe(1n << 5n);
    a.setFlag(2, 31);
    a.setFlag(2, 63);
    expect(a.readWord(2)).toBe((1n << 63n) | (1n << 31n));
    expect(a.readWord(0)).toBe(0n);
  });
});

describe('PageFlagsArray fields', () => {
  it('places every field where the layout says (x86_64-sim)', () => {
    const a = new PageFlagsArray(simLayout, 1);
    a.setField(0, 'node', 0x2a);
    a.setField(0, 'zone', 4);
    a.setField(0, 'last_cpupid', 0x1fff);
    a.setField(0, 'lru_gen', 5);
    a.setField(0, 'lru_refs', 3);
    expect(a.readWord(0)).toBe((0x2an << 58n) | (4n << 55n) | (0x1fffn << 42n) | (5n << 39n) | (3n << 37n));
    expect(a.getField(0, 'node')).toBe(0x2a);
    expect(a.getField(0, 'zone')).toBe(4);
    expect(a.getField(0, 'last_cpupid')).toBe(0x1fff);
    expect(a.getField(0, 'section')).toBe(0);
    expect(a.getField(0, 'kasan_tag')).toBe(0);
  });

  it('keeps a 32-bit layout field right below bit 32 (x86_32-pae-sparsemem section at 31..25)', () => {
    const l = computePageFlagsLayout(getPageFlagsPreset('x86_32-pae-sparsemem').inputs);
    expect([l.SECTIONS_PGOFF, l.SECTIONS_WIDTH]).toEqual([25, 7]);
    const a = new PageFlagsArray(l, 2);
    a.setField(1, 'section', 0x7f);
    a.setField(1, 'zone', 2);
    expect(a.readWord(1)).toBe((0x7fn << 25n) | (2n << 23n));
    expect(a.getField(1, 'section')).toBe(0x7f);
  });

  it('rejects values that do not fit and fields that are not in page flags', () => {
    const a = new PageFlagsArray(simLayout, 1);
    a.setField(0, 'zone', 1);
    expect(() => a.setField(0, 'zone', 8)).toThrow('value 8: does not fit in the 3-bit zone field');
    expect(() => a.setField(0, 'section', 1)).toThrow(
      'value 1: field section is not in page flags for this layout',
    );
    a.setField(0, 'section', 0);
    expect(() => a.getField(0, 'flags' as PageFlagsField)).toThrow(/unknown page flags field "flags"/);
    expect(a.readWord(0)).toBe(1n << 55n);
  });

  it('setPageLinks writes zone, node and section, checking all first', () => {
    const loongson = computePageFlagsLayout(getPageFlagsPreset('mips64-loongson3').inputs);
    const a = new PageFlagsArray(loongson, 1);
    a.setPageLinks(0, 1, 5, 0xabcde);
    expect(a.getField(0, 'zone')).toBe(1);
    expect(a.getField(0, 'node')).toBe(5);
    expect(a.getField(0, 'section')).toBe(0xabcde);
    expect(() => a.setPageLinks(0, 2, 64, 0)).toThrow(PageFlagsLayoutError);
    expect(a.getField(0, 'zone')).toBe(1);
    const sim = new PageFlagsArray(simLayout, 1);
    sim.setPageLinks(0, 2, 3, 12345);
    expect(sim.getField(0, 'section')).toBe(0);
  });

  it('clearPages zeroes a range of words', () => {
    const a = new PageFlagsArray(simLayout, 4);
    for (let pfn = 0; pfn < 4; pfn++) a.writeWord(pfn, 0xffn);
    a.clearPages(1, 2);
    expect([0, 1, 2, 3].map((pfn) => a.readWord(pfn))).toEqual([0xffn, 0n, 0n, 0xffn]);
    expect(() => a.clearPages(3, 2)).toThrow(PageFlagsLayoutError);
    a.clearPages(9, 0);
  });
});

/** One random operation against the array and the reference model. */
type Op =
  | { kind: 'field'; pfn: number; field: PageFlagsField; value: number }
  | { kind: 'flag'; pfn: number; bit: number; on: boolean }
  | { kind: 'tag'; pfn: number; value: number }
  | { kind: 'bits'; pfn: number; shift: number; width: number; value: number };

function fieldPosition(layout: PageFlagsLayout, field: PageFlagsField): readonly [number, number] {
  return pageFlagsFieldPositions(layout)[PAGE_FLAGS_FIELDS.indexOf(field)]!;
}

function opArbitrary(layout: PageFlagsLayout, nrPages: number): fc.Arbitrary<Op> {
  const pfn = fc.integer({ min: 0, max: nrPages - 1 });
  const presentFields = PAGE_FLAGS_FIELDS.filter((f) => fieldPosition(layout, f)[1] > 0);
  const bitsArb = fc.integer({ min: 0, max: 32 }).chain((width) =>
    fc.record({
      kind: fc.constant('bits' as const),
      pfn,
      width: fc.constant(width),
      shift: fc.integer({ min: 0, max: layout.BITS_PER_LONG - width }),
      value: fc.integer({ min: 0, max: 2 ** width - 1 }),
    }),
  );
  const arbs: fc.Arbitrary<Op>[] = [
    fc.record({
      kind: fc.constant('flag' as const),
      pfn,
      bit: fc.integer({ min: 0, max: layout.NR_PAGEFLAGS - 1 }),
      on: fc.boolean(),
    }),
    bitsArb,
  ];
  if (presentFields.length > 0) {
    arbs.push(
      fc.constantFrom(...presentFields).chain((field) =>
        fc.record({
          kind: fc.constant('field' as const),
          pfn,
          field: fc.constant(field),
          value: fc.integer({ min: 0, max: 2 ** fieldPosition(layout, field)[1] - 1 }),
        }),
      ),
    );
  }
  if (layout.allocTagRefBits > 0) {
    const width = Math.min(layout.allocTagRefBits, 32);
    arbs.push(
      fc.record({
        kind: fc.constant('tag' as const),
        pfn,
        value: fc.integer({ min: 0, max: 2 ** width - 1 }),
      }),
    );
  }
  return fc.oneof(...arbs);
}

describe('PageFlagsArray against a BigInt reference model', () => {
  const nrPages = 4;
  for (const preset of PAGE_FLAGS_PRESETS.filter((p) =>
    [
      'x86_64-sim',
      'x86_64-distro',
      'arm64-kasan-sw-tags',
      'mips64-loongson3',
      'x86_32-pae-sparsemem',
      'riscv64-defconfig',
    ].includes(p.name),
  )) {
    const layout = computePageFlagsLayout(preset.inputs);
    it(`${preset.name}: every write changes exactly its own bits`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.bigInt({ min: 0n, max: (1n << BigInt(layout.BITS_PER_LONG)) - 1n }), {
            minLength: nrPages,
            maxLength: nrPages,
          }),
          fc.array(opArbitrary(layout, nrPages), { maxLength: 40 }),
          (initial, ops) => {
            const a = new PageFlagsArray(layout, nrPages);
            const model = new BigIntFlags(layout.BITS_PER_LONG, nrPages);
            initial.forEach((word, pfn) => {
              a.writeWord(pfn, word);
              model.words[pfn] = word;
            });
            for (const op of ops) {
              switch (op.kind) {
                case 'field': {
                  const [shift, width] = fieldPosition(layout, op.field);
                  a.setField(op.pfn, op.field, op.value);
                  model.set(op.pfn, shift, width, op.value);
                  expect(a.getField(op.pfn, op.field)).toBe(op.value);
                  break;
                }
                case 'flag':
                  if (op.on) a.setFlag(op.pfn, op.bit);
                  else a.clearFlag(op.pfn, op.bit);
                  model.set(op.pfn, op.bit, 1, op.on ? 1 : 0);
                  expect(a.testFlag(op.pfn, op.bit)).toBe(op.on);
                  break;
                case 'tag': {
                  const width = Math.min(layout.allocTagRefBits, 32);
                  a.setBits(op.pfn, layout.allocTagRefOffs, width, op.value);
                  model.set(op.pfn, layout.allocTagRefOffs, width, op.value);
                  expect(a.getBits(op.pfn, layout.allocTagRefOffs, width)).toBe(op.value);
                  break;
                }
                case 'bits':
                  a.setBits(op.pfn, op.shift, op.width, op.value);
                  model.set(op.pfn, op.shift, op.width, op.value);
                  break;
              }
              for (let pfn = 0; pfn < nrPages; pfn++) expect(a.readWord(pfn)).toBe(model.words[pfn]);
            }
            for (let pfn = 0; pfn < nrPages; pfn++) {
              for (const field of PAGE_FLAGS_FIELDS) {
                const [shift, width] = fieldPosition(layout, field);
                expect(a.getField(pfn, field)).toBe(width === 0 ? 0 : model.get(pfn, shift, width));
              }
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('getBits agrees with the model for every (shift, width) of random words', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc
          .integer({ min: 0, max: 32 })
          .chain((width) => fc.tuple(fc.constant(width), fc.integer({ min: 0, max: 64 - width }))),
        (word, [width, shift]) => {
          const a = new PageFlagsArray(simLayout, 1);
          const model = new BigIntFlags(64, 1);
          a.writeWord(0, word);
          model.words[0] = word;
          expect(a.getBits(0, shift, width)).toBe(model.get(0, shift, width));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('PageFlagsArray unchecked accessors (trusted hot paths)', () => {
  const layout32 = computePageFlagsLayout(getPageFlagsPreset('x86_32-pae').inputs);

  for (const layout of [simLayout, layout32]) {
    const bits = layout.BITS_PER_LONG;
    const nrPages = 3;
    const arbRange = fc
      .integer({ min: 0, max: 32 })
      .chain((width) => fc.tuple(fc.constant(width), fc.integer({ min: 0, max: bits - width })));

    it(`${bits}-bit: readBitsUnchecked/writeBitsUnchecked match the model and the checked calls`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }), {
            minLength: nrPages,
            maxLength: nrPages,
          }),
          fc.array(
            fc.record({
              pfn: fc.integer({ min: 0, max: nrPages - 1 }),
              range: arbRange,
              value: fc.integer({ min: 0, max: 0xffffffff }),
            }),
            { maxLength: 30 },
          ),
          (initial, ops) => {
            const a = new PageFlagsArray(layout, nrPages);
            const checked = new PageFlagsArray(layout, nrPages);
            const model = new BigIntFlags(bits, nrPages);
            initial.forEach((word, pfn) => {
              a.writeWord(pfn, word);
              checked.writeWord(pfn, word);
              model.words[pfn] = word;
            });
            for (const { pfn, range, value } of ops) {
              const [width, shift] = range;
              const fitted = width === 32 ? value : value % 2 ** width;
              // The unchecked write cuts the value to `width` bits instead of rejecting it.
              a.writeBitsUnchecked(pfn, shift, width, value);
              checked.setBits(pfn, shift, width, fitted);
              model.set(pfn, shift, width, fitted);
              expect(a.readBitsUnchecked(pfn, shift, width)).toBe(fitted);
              expect(a.readBitsUnchecked(pfn, shift, width)).toBe(checked.getBits(pfn, shift, width));
              for (let p = 0; p < nrPages; p++) {
                expect(a.readWord(p)).toBe(model.words[p]);
                expect(checked.readWord(p)).toBe(model.words[p]);
              }
            }
          },
        ),
        { numRuns: 150 },
      );
    });

    it(`${bits}-bit: the unchecked flag operations change exactly one bit, like the checked ones`, () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
          fc.integer({ min: 0, max: nrPages - 1 }),
          fc.integer({ min: 0, max: bits - 1 }),
          fc.boolean(),
          (word, pfn, bit, on) => {
            const a = new PageFlagsArray(layout, nrPages);
            const b = new PageFlagsArray(layout, nrPages);
            for (let p = 0; p < nrPages; p++) {
              a.writeWord(p, word);
              b.writeWord(p, word);
            }
            expect(a.testFlagUnchecked(pfn, bit)).toBe(b.testFlag(pfn, bit));
            if (on) {
              a.setFlagUnchecked(pfn, bit);
              b.setFlag(pfn, bit);
            } else {
              a.clearFlagUnchecked(pfn, bit);
              b.clearFlag(pfn, bit);
            }
            expect(a.testFlagUnchecked(pfn, bit)).toBe(on);
            for (let p = 0; p < nrPages; p++) {
              const expected =
                p === pfn ? (on ? word | (1n << BigInt(bit)) : word & ~(1n << BigInt(bit))) : word;
              expect(a.readWord(p)).toBe(expected);
              expect(b.readWord(p)).toBe(expected);
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('never throws on arguments the checked calls reject', () => {
    const a = new PageFlagsArray(simLayout, 2);
    a.writeWord(0, 0x0123456789abcdefn);
    a.writeWord(1, 0xfedcba9876543210n);
    expect(() => a.readBitsUnchecked(5, 0, 8)).not.toThrow();
    expect(() => a.writeBitsUnchecked(-1, 0, 8, 0xff)).not.toThrow();
    expect(() => a.writeBitsUnchecked(7, 3, 8, 1)).not.toThrow();
    expect(() => a.setFlagUnchecked(9, 3)).not.toThrow();
    expect(() => a.clearFlagUnchecked(-4, 3)).not.toThrow();
    expect(a.testFlagUnchecked(42, 0)).toBe(false);
    // Writes past the end of the memmap are dropped rather than landing on a page.
    expect(a.readWord(0)).toBe(0x0123456789abcdefn);
    expect(a.readWord(1)).toBe(0xfedcba9876543210n);
  });
});
