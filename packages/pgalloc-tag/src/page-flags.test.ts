import {
  computePageFlagsLayout,
  PAGE_FLAGS_FIELDS,
  PAGE_FLAGS_PRESETS,
  PageFlagsArray,
  pageFlagsFieldPositions,
} from '@allocprof/page-flags-layout';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageFlagsTagRefs, PGALLOC_TAG_IDX_MASK } from './page-flags';
import {
  CapturePrintk,
  EXAMPLE_A_INPUTS,
  FakeTagIndex,
  KERNEL_TAGS_BASE,
  MODULE_TAGS_BASE,
} from './test-helpers';
import { type PageTagRefs, PgallocTagError, PgtagRefHandle } from './types';

const LAYOUT = computePageFlagsLayout(EXAMPLE_A_INPUTS);
const N = LAYOUT.NR_UNUSED_PAGEFLAG_BITS;
const OFFS = LAYOUT.LRU_REFS_PGOFF - N;

function rig(opts: { nrPages?: number; kernelCount?: number; debug?: boolean } = {}) {
  const nrPages = opts.nrPages ?? 64;
  const flags = new PageFlagsArray(LAYOUT, nrPages);
  const tagIndex = new FakeTagIndex(
    KERNEL_TAGS_BASE,
    opts.kernelCount ?? 100,
    MODULE_TAGS_BASE,
    opts.debug ?? true,
  );
  const printk = new CapturePrintk();
  const refs = new PageFlagsTagRefs({ flags, tagIndex, printk });
  return { flags, tagIndex, printk, refs, h: new PgtagRefHandle() };
}

interface Access {
  refs: PageTagRefs;
  h: PgtagRefHandle;
}

function store(r: Access, pfn: number, ref: number): void {
  expect(r.refs.getPageTagRef(pfn, r.h)).toBe(true);
  r.h.ref = ref;
  r.refs.updatePageTagRef(r.h);
  r.refs.putPageTagRef(r.h);
}

function load(r: Access, pfn: number): number {
  expect(r.refs.getPageTagRef(pfn, r.h)).toBe(true);
  r.refs.putPageTagRef(r.h);
  return r.h.ref;
}

describe('PageFlagsTagRefs', () => {
  it('starts with offs 0 and mask 0, and init sets alloc_tag_ref_offs/mask', () => {
    const r = rig();
    expect([r.refs.offs, r.refs.mask, r.refs.nrBits, r.refs.bytes]).toEqual([0, 0, 0, 0]);
    expect(r.refs.kind).toBe('page_flags');
    r.refs.init(OFFS, N);
    expect(r.refs.offs).toBe(OFFS);
    expect(r.refs.nrBits).toBe(N);
    expect(r.refs.mask).toBe(2 ** N - 1);
    expect(r.refs.bytes).toBe(0);
  });

  it('before init, get always succeeds with NULL, and update still encodes but stores nothing', () => {
    const r = rig();
    r.flags.setBits(3, 0, 32, 0xffffffff);
    r.flags.setBits(3, 32, 32, 0xffffffff);
    expect(load(r, 3)).toBe(0);
    store(r, 3, r.tagIndex.kernelTag(7));
    expect(r.tagIndex.refToIdxCalls).toBe(1);
    expect(r.flags.readWord(3)).toBe(0xffffffffffffffffn);
    expect(load(r, 3)).toBe(0);
  });

  it('encodes kernel tags from index 2 and module slots after the kernel tags', () => {
    const r = rig({ kernelCount: 100 });
    r.refs.init(OFFS, N);
    const cases: [number, number][] = [
      [0, 0],
      [1, 1],
      [r.tagIndex.kernelTag(0), 2],
      [r.tagIndex.kernelTag(99), 101],
      [r.tagIndex.moduleTag(0), 102],
      [r.tagIndex.moduleTag(5), 107],
    ];
    for (const [ref, idx] of cases) {
      store(r, 11, ref);
      expect(r.flags.getBits(11, OFFS, Math.min(N, 16))).toBe(idx);
      expect(load(r, 11)).toBe(ref);
    }
  });

  it('decodes CODETAG_ID_EMPTY as NULL in non-DEBUG mappings', () => {
    const r = rig({ debug: false });
    r.refs.init(OFFS, N);
    r.flags.setBits(2, OFFS, 2, 1);
    expect(load(r, 2)).toBe(0);
  });

  it('aliases the top kernel tags onto NULL/EMPTY when K = 2^N (boot check passes)', () => {
    // N = 2 admits K = 4 kernel tags, but their indices run 2..5: tags 2 and 3 wrap to 0 and 1.
    const r = rig({ kernelCount: 4 });
    r.refs.init(OFFS, 2);
    expect(r.refs.mask).toBe(3);
    store(r, 1, r.tagIndex.kernelTag(0));
    expect(load(r, 1)).toBe(r.tagIndex.kernelTag(0));
    store(r, 1, r.tagIndex.kernelTag(1));
    expect(load(r, 1)).toBe(r.tagIndex.kernelTag(1));
    store(r, 1, r.tagIndex.kernelTag(2));
    expect(load(r, 1)).toBe(0);
    store(r, 1, r.tagIndex.kernelTag(3));
    expect(load(r, 1)).toBe(1);
    store(r, 1, r.tagIndex.moduleTag(0));
    expect(load(r, 1)).toBe(r.tagIndex.kernelTag(0));
  });

  it('wraps module indices beyond the mask', () => {
    const r = rig({ kernelCount: 10 });
    r.refs.init(OFFS, 5);
    // slot 20 -> idx 32 -> 32 & 31 = 0 (NULL); slot 21 -> 33 -> 1 (EMPTY); slot 22 -> 34 -> 2
    store(r, 4, r.tagIndex.moduleTag(20));
    expect(load(r, 4)).toBe(0);
    store(r, 4, r.tagIndex.moduleTag(21));
    expect(load(r, 4)).toBe(1);
    store(r, 4, r.tagIndex.moduleTag(22));
    expect(load(r, 4)).toBe(r.tagIndex.kernelTag(0));
  });

  it('truncates indices to u16 when N > 16 and ignores/clears the field above bit 16', () => {
    const r = rig({ kernelCount: 100 });
    const offs = 24;
    r.refs.init(offs, 20);
    expect(r.refs.mask).toBe(0xfffff);
    // idx = 2 + 100 + 65500 = 65602 -> u16 66
    store(r, 6, r.tagIndex.moduleTag(65500));
    expect(r.flags.getBits(6, offs, 20)).toBe(66);
    expect(load(r, 6)).toBe(r.tagIndex.kernelTag(64));
    r.flags.setBits(6, offs + 16, 4, 0xf);
    expect(load(r, 6)).toBe(r.tagIndex.kernelTag(64));
    store(r, 6, r.tagIndex.kernelTag(3));
    expect(r.flags.getBits(6, offs, 20)).toBe(5);
  });

  it('writes a field wider than 32 bits without touching bits outside it', () => {
    const r = rig();
    r.refs.init(20, 40);
    expect(r.refs.mask).toBe(2 ** 40 - 1);
    r.flags.setBits(8, 0, 32, 0xffffffff);
    r.flags.setBits(8, 32, 32, 0xffffffff);
    store(r, 8, r.tagIndex.kernelTag(1));
    const field = ((1n << 40n) - 1n) << 20n;
    expect(r.flags.readWord(8) & ~field & 0xffffffffffffffffn).toBe(
      0xffffffffffffffffn & ~field & 0xffffffffffffffffn,
    );
    expect(r.flags.readWord(8) & field).toBe(3n << 20n);
    expect(load(r, 8)).toBe(r.tagIndex.kernelTag(1));
  });

  it('takes N <= 0 as a field of no bits', () => {
    const r = rig();
    r.refs.init(OFFS, N);
    r.refs.init(30, -6);
    expect([r.refs.offs, r.refs.mask, r.refs.nrBits]).toEqual([0, 0, 0]);
    const before = r.flags.readWord(0);
    store(r, 0, r.tagIndex.kernelTag(0));
    expect(r.flags.readWord(0)).toBe(before);
    expect(load(r, 0)).toBe(0);
  });

  it('rejects a field outside the flags word with EINVAL and keeps the previous field', () => {
    const r = rig();
    r.refs.init(OFFS, N);
    for (const [offs, bits] of [
      [60, 8],
      [-1, 4],
      [1.5, 4],
      [10, 2.5],
    ] as const) {
      let err: unknown;
      try {
        r.refs.init(offs, bits);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PgallocTagError);
      expect((err as PgallocTagError).code).toBe('EINVAL');
      expect([r.refs.offs, r.refs.nrBits]).toEqual([OFFS, N]);
    }
  });

  it('respects a 32-bit flags word', () => {
    const layout32 = computePageFlagsLayout({ BITS_PER_LONG: 32, NR_PAGEFLAGS: 20, MAX_NR_ZONES: 2 });
    const r = rig();
    const flags32 = new PageFlagsArray(layout32, 8);
    const refs32 = new PageFlagsTagRefs({ flags: flags32, tagIndex: r.tagIndex, printk: r.printk });
    expect(refs32.bitsPerLong).toBe(32);
    expect(() => refs32.init(24, 10)).toThrow(PgallocTagError);
    refs32.init(layout32.LRU_REFS_PGOFF - layout32.NR_UNUSED_PAGEFLAG_BITS, layout32.NR_UNUSED_PAGEFLAG_BITS);
    expect(refs32.mask).toBe(2 ** layout32.NR_UNUSED_PAGEFLAG_BITS - 1);
    flags32.setBits(3, 0, 32, 0xffffffff);
    const h = new PgtagRefHandle();
    expect(refs32.getPageTagRef(3, h)).toBe(true);
    h.ref = r.tagIndex.kernelTag(2);
    refs32.updatePageTagRef(h);
    refs32.putPageTagRef(h);
    expect(refs32.getPageTagRef(3, h)).toBe(true);
    expect(h.ref).toBe(r.tagIndex.kernelTag(2));
    const field = ((1 << refs32.nrBits) - 1) << refs32.offs;
    expect((flags32.getBits(3, 0, 32) & ~field) >>> 0).toBe(~field >>> 0);
  });

  it('stores exactly idx & mask & 0xffff in the field for any index (property)', () => {
    const r = rig();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.integer({ min: 0, max: 63 }),
        (bits, idx, pfn) => {
          const offs = 64 - 8 - bits;
          r.refs.init(offs, bits);
          const ref = idx === 0 ? 0 : idx === 1 ? 1 : r.tagIndex.idxToRef(idx);
          store(r, pfn, ref);
          const expected = idx & PGALLOC_TAG_IDX_MASK & (2 ** bits - 1);
          expect(r.flags.getBits(pfn, offs, bits)).toBe(expected);
          expect(load(r, pfn)).toBe(r.tagIndex.idxToRef(expected));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe.each(PAGE_FLAGS_PRESETS.map((p) => [p.name, p] as const))('preset %s', (_name, preset) => {
  it("stores the tag in the layout's own field without touching flags or other fields", () => {
    const layout = computePageFlagsLayout(preset.inputs);
    const flags = new PageFlagsArray(layout, 4);
    const tagIndex = new FakeTagIndex(KERNEL_TAGS_BASE, 1, MODULE_TAGS_BASE);
    const refs = new PageFlagsTagRefs({ flags, tagIndex, printk: new CapturePrintk() });
    refs.init(layout.allocTagRefOffs, layout.allocTagRefBits);
    expect(refs.mask).toBe(layout.allocTagRefMask);
    const positions = pageFlagsFieldPositions(layout);
    PAGE_FLAGS_FIELDS.forEach((f, i) => {
      const width = positions[i]![1];
      flags.setField(1, f, (0x5a5a5a5a + i * 0x11111111) % 2 ** width);
    });
    for (let bit = 0; bit < layout.NR_PAGEFLAGS; bit += 2) flags.setFlag(1, bit);
    const before = PAGE_FLAGS_FIELDS.map((f) => flags.getField(1, f));
    const ref = layout.allocTagRefBits >= 2 ? tagIndex.kernelTag(0) : 1;
    const access = { refs, h: new PgtagRefHandle() };
    store(access, 1, ref);
    expect(load(access, 1)).toBe(layout.allocTagRefBits === 0 ? 0 : ref);
    expect(PAGE_FLAGS_FIELDS.map((f) => flags.getField(1, f))).toEqual(before);
    for (let bit = 0; bit < layout.NR_PAGEFLAGS; bit++) expect(flags.testFlag(1, bit)).toBe(bit % 2 === 0);
  });
});

/** A bijective index mapping that lets the model see every idx the backend decodes or encodes. */
class OffsetTagIndex {
  idxToRef(idx: number): number {
    return idx + 7;
  }
  refToIdx(ref: number): number {
    return ref - 7;
  }
}

describe('PageFlagsTagRefs against a BigInt model of page->flags', () => {
  const layout32 = computePageFlagsLayout({ BITS_PER_LONG: 32, NR_PAGEFLAGS: 20, MAX_NR_ZONES: 2 });
  for (const layout of [LAYOUT, layout32]) {
    const bits = layout.BITS_PER_LONG;
    const nrPages = 3;
    it(`${bits}-bit words: get/update read and replace exactly the field, wherever it lies`, () => {
      const wordArb = fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
      fc.assert(
        fc.property(
          fc
            .integer({ min: 1, max: bits })
            .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: bits - n }))),
          fc.array(wordArb, { minLength: nrPages, maxLength: nrPages }),
          fc.integer({ min: 0, max: nrPages - 1 }),
          fc.integer({ min: 0, max: 2 ** 20 }),
          ([n, offs], initial, pfn, idx) => {
            const flags = new PageFlagsArray(layout, nrPages);
            initial.forEach((w, p) => {
              flags.writeWord(p, w);
            });
            const printk = new CapturePrintk();
            const refs = new PageFlagsTagRefs({ flags, tagIndex: new OffsetTagIndex(), printk });
            refs.init(offs, n);
            const fieldMask = ((1n << BigInt(n)) - 1n) << BigInt(offs);
            const h = new PgtagRefHandle();

            // get: (flags >> offs) & mask, as u16
            const stored = Number(
              ((initial[pfn]! & fieldMask) >> BigInt(offs)) & BigInt(PGALLOC_TAG_IDX_MASK),
            );
            expect(refs.getPageTagRef(pfn, h)).toBe(true);
            expect(h.ref).toBe(stored + 7);

            // update: the field becomes (u16)idx & mask; every other bit of every word stays
            h.ref = idx + 7;
            refs.updatePageTagRef(h);
            refs.putPageTagRef(h);
            const field = BigInt(idx & PGALLOC_TAG_IDX_MASK) & ((1n << BigInt(n)) - 1n);
            initial.forEach((w, p) => {
              const expected = p === pfn ? (w & ~fieldMask) | (field << BigInt(offs)) : w;
              expect(flags.readWord(p)).toBe(expected);
            });
            expect(refs.getPageTagRef(pfn, h)).toBe(true);
            expect(h.ref).toBe(Number(field) + 7);
            expect(printk.lines).toEqual([]);
          },
        ),
        { numRuns: 400 },
      );
    });
  }

  it('WARNs and writes nothing for a handle that is not a pfn of the memmap', () => {
    const r = rig({ nrPages: 4 });
    r.refs.init(OFFS, N);
    for (let pfn = 0; pfn < 4; pfn++) r.flags.writeWord(pfn, 0x0123456789abcdefn);
    for (const handle of [1.5, 4, 2 ** 33, Number.NaN, -2]) {
      const h = new PgtagRefHandle();
      h.handle = handle;
      h.ref = r.tagIndex.kernelTag(3);
      r.refs.updatePageTagRef(h);
    }
    expect(r.printk.lines).toHaveLength(5);
    expect(new Set(r.printk.lines.map((l) => l.message))).toEqual(
      new Set(['WARNING: at include/linux/pgalloc_tag.h update_page_tag_ref()']),
    );
    for (let pfn = 0; pfn < 4; pfn++) expect(r.flags.readWord(pfn)).toBe(0x0123456789abcdefn);
  });
});

describe('PageFlagsTagRefs index accessors', () => {
  it('read and write the same field as get/update, index for index', () => {
    const r = rig();
    r.refs.init(OFFS, N);
    expect(r.refs.tagIndexUsed).toBe(r.tagIndex);
    const ref = KERNEL_TAGS_BASE + 7 * 40;
    expect(r.refs.getPageTagRef(5, r.h)).toBe(true);
    r.h.ref = ref;
    r.refs.updatePageTagRef(r.h);
    expect(r.refs.readPageTagIdx(5)).toBe(r.tagIndex.refToIdx(ref));
    expect(r.refs.writePageTagIdx(6, r.tagIndex.refToIdx(ref))).toBe(true);
    expect(r.flags.readWord(6)).toBe(r.flags.readWord(5));
    expect(r.refs.writePageTagIdx(6, 0x10000 + 9)).toBe(true);
    expect(r.refs.readPageTagIdx(6)).toBe(9 & r.refs.mask);
    expect(r.printk.lines).toEqual([]);
  });

  it('report pages outside the memmap and change nothing', () => {
    const r = rig({ nrPages: 8 });
    r.refs.init(OFFS, N);
    const before = Array.from({ length: 8 }, (_, p) => r.flags.readWord(p));
    for (const pfn of [-1, 8, 1.5, 2 ** 32]) {
      expect(r.refs.readPageTagIdx(pfn)).toBe(-1);
      expect(r.refs.writePageTagIdx(pfn, 3)).toBe(false);
    }
    expect(Array.from({ length: 8 }, (_, p) => r.flags.readWord(p))).toEqual(before);
  });
});
