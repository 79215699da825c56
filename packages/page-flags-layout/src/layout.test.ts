import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageFlagsLayoutError } from './errors';
import {
  computePageFlagsLayout,
  LAST_CPUPID_WARNING,
  NOT_ENOUGH_BITS_ERROR,
  orderBase2,
  type PageFlagsLayoutInputs,
  VMEMMAP_NODES_ERROR,
  ZONES_SHIFT_ERROR,
} from './layout';

/**
 * Assumptions shared by the worked examples: 64-bit, NR_PAGEFLAGS 24, MAX_NR_ZONES 5 (DMA, DMA32,
 * NORMAL, MOVABLE, DEVICE), SPARSEMEM_VMEMMAP (so the arch section constants do not enter the
 * widths; x86_64 4-level values are given), SMP, NUMA balancing, MGLRU, no KASAN tags.
 */
const EXAMPLE_BASE = {
  BITS_PER_LONG: 64,
  NR_PAGEFLAGS: 24,
  MAX_NR_ZONES: 5,
  CONFIG_SPARSEMEM: true,
  CONFIG_SPARSEMEM_VMEMMAP: true,
  MAX_PHYSMEM_BITS: 46,
  SECTION_SIZE_BITS: 27,
  CONFIG_SMP: true,
  CONFIG_NUMA_BALANCING: true,
  CONFIG_LRU_GEN: true,
} satisfies PageFlagsLayoutInputs;

function expectLayoutError(inputs: unknown, message: string | RegExp, field?: string): void {
  try {
    computePageFlagsLayout(inputs as PageFlagsLayoutInputs);
  } catch (error) {
    expect(error).toBeInstanceOf(PageFlagsLayoutError);
    const e = error as PageFlagsLayoutError;
    expect(e.code).toBe('EINVAL');
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
    if (field !== undefined) expect(e.field).toBe(field);
    return;
  }
  throw new Error('expected PageFlagsLayoutError');
}

describe('computePageFlagsLayout: worked examples (include/linux/page-flags-layout.h)', () => {
  it('A: NODES_SHIFT 6, NR_CPUS 64 → N = 12, tag field at bit 24', () => {
    const l = computePageFlagsLayout({ ...EXAMPLE_BASE, CONFIG_NODES_SHIFT: 6, CONFIG_NR_CPUS: 64 });
    expect(l.ZONES_SHIFT).toBe(3);
    expect(l.ZONES_WIDTH).toBe(3);
    expect(l.SECTIONS_SHIFT).toBe(19);
    expect(l.SECTIONS_WIDTH).toBe(0);
    expect(l.NODES_WIDTH).toBe(6);
    expect(l.NR_CPUS_BITS).toBe(6);
    expect(l.LAST_CPUPID_SHIFT).toBe(14);
    expect(l.LAST_CPUPID_WIDTH).toBe(14);
    expect(l.LRU_GEN_WIDTH).toBe(3);
    expect(l.__LRU_REFS_WIDTH).toBe(2);
    expect(l.LRU_REFS_WIDTH).toBe(2);
    expect(l.NR_NON_PAGEFLAG_BITS).toBe(28);
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(12);
    expect([
      l.NODES_PGOFF,
      l.ZONES_PGOFF,
      l.LAST_CPUPID_PGOFF,
      l.KASAN_TAG_PGOFF,
      l.LRU_GEN_PGOFF,
      l.LRU_REFS_PGOFF,
    ]).toEqual([58, 55, 41, 41, 38, 36]);
    expect(l.allocTagRefOffs).toBe(24);
    expect(l.allocTagRefOffs).toBe(l.NR_PAGEFLAGS);
    expect(l.allocTagRefMask).toBe(0xfff);
    expect(l.warnings).toEqual([]);
  });

  it('B: NR_CPUS 8192, NODES_SHIFT 10 (distribution) → N = 1', () => {
    const l = computePageFlagsLayout({ ...EXAMPLE_BASE, CONFIG_NODES_SHIFT: 10, CONFIG_NR_CPUS: 8192 });
    expect(l.NR_CPUS_BITS).toBe(13);
    expect(l.LAST_CPUPID_SHIFT).toBe(21);
    expect(l.LAST_CPUPID_WIDTH).toBe(21);
    expect(l.LAST_CPUPID_NOT_IN_PAGE_FLAGS).toBe(false);
    expect(l.LRU_REFS_WIDTH).toBe(2);
    expect(l.NR_NON_PAGEFLAG_BITS).toBe(39);
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(1);
    expect(l.allocTagRefMask).toBe(1);
  });

  it('C: KASAN SW tags and NR_CPUS 4096 push last_cpupid out → warning, N = -6', () => {
    const l = computePageFlagsLayout({
      ...EXAMPLE_BASE,
      CONFIG_NODES_SHIFT: 10,
      CONFIG_NR_CPUS: 4096,
      CONFIG_KASAN_SW_TAGS: true,
    });
    expect(l.LAST_CPUPID_SHIFT).toBe(20);
    expect(l.LAST_CPUPID_WIDTH).toBe(0);
    expect(l.LAST_CPUPID_NOT_IN_PAGE_FLAGS).toBe(true);
    expect(l.KASAN_TAG_WIDTH).toBe(8);
    expect(l.LRU_REFS_WIDTH).toBe(2);
    expect(l.NR_NON_PAGEFLAG_BITS).toBe(46);
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(-6);
    expect(l.warnings).toEqual([LAST_CPUPID_WARNING]);
    expect(l.warnings[0]).toBe(
      'Unfortunate NUMA and NUMA Balancing config, growing page-frame for last_cpupid.',
    );
    // The simulation's reading of N <= 0: a 0-bit field right under LRU_REFS, mask 0.
    expect(l.allocTagRefBits).toBe(0);
    expect(l.allocTagRefMask).toBe(0);
    expect(l.allocTagRefOffs).toBe(l.LRU_REFS_PGOFF);
    expect(l.LAST_CPUPID_PGSHIFT).toBe(0);
  });

  it('the contract example: CONFIG_NR_CPUS 8192 with NODES_SHIFT 10 gives N = 1', () => {
    const l = computePageFlagsLayout({
      BITS_PER_LONG: 64,
      NR_PAGEFLAGS: 24,
      MAX_NR_ZONES: 5,
      CONFIG_NODES_SHIFT: 10,
      CONFIG_SPARSEMEM: true,
      CONFIG_SPARSEMEM_VMEMMAP: true,
      MAX_PHYSMEM_BITS: 46,
      SECTION_SIZE_BITS: 27,
      CONFIG_SMP: true,
      CONFIG_NR_CPUS: 8192,
      CONFIG_NUMA_BALANCING: true,
      CONFIG_KASAN_SW_TAGS: false,
      CONFIG_KASAN_HW_TAGS: false,
      CONFIG_LRU_GEN: true,
    });
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(1);
  });
});

describe('computePageFlagsLayout: #error paths', () => {
  it('more than 8 zones → ZONES_SHIFT "Too many zones configured"', () => {
    expectLayoutError({ ...EXAMPLE_BASE, CONFIG_NR_CPUS: 64, MAX_NR_ZONES: 9 }, ZONES_SHIFT_ERROR);
    expect(ZONES_SHIFT_ERROR).toBe('ZONES_SHIFT "Too many zones configured"');
  });

  it('ZONES_SHIFT steps at 1, 2, 4 and 8 zones', () => {
    const shift = (zones: number) =>
      computePageFlagsLayout({ BITS_PER_LONG: 64, NR_PAGEFLAGS: 24, MAX_NR_ZONES: zones }).ZONES_SHIFT;
    expect([1, 2, 3, 4, 5, 8].map(shift)).toEqual([0, 1, 2, 2, 3, 3]);
  });

  it('VMEMMAP without room for the node field → "Vmemmap: No space for nodes field in page flags"', () => {
    // 32-bit VMEMMAP: 8 free bits, zones 2 + MGLRU 3 + NODES_SHIFT 6 = 11 > 8.
    expectLayoutError(
      {
        BITS_PER_LONG: 32,
        NR_PAGEFLAGS: 24,
        MAX_NR_ZONES: 4,
        CONFIG_NODES_SHIFT: 6,
        CONFIG_SPARSEMEM: true,
        CONFIG_SPARSEMEM_VMEMMAP: true,
        SECTIONS_SHIFT: 7,
        CONFIG_LRU_GEN: true,
      },
      VMEMMAP_NODES_ERROR,
    );
    expect(VMEMMAP_NODES_ERROR).toBe('Vmemmap: No space for nodes field in page flags');
  });

  it('the same configuration without VMEMMAP moves the node out of page flags instead', () => {
    const l = computePageFlagsLayout({
      BITS_PER_LONG: 32,
      NR_PAGEFLAGS: 24,
      MAX_NR_ZONES: 4,
      CONFIG_NODES_SHIFT: 6,
      CONFIG_SPARSEMEM: true,
      SECTIONS_SHIFT: 3,
      CONFIG_LRU_GEN: true,
    });
    expect(l.NODES_WIDTH).toBe(0);
    expect(l.NODE_NOT_IN_PAGE_FLAGS).toBe(true);
    expect(l.ZONEID_SHIFT).toBe(l.SECTIONS_SHIFT + l.ZONES_SHIFT);
    expect(l.ZONEID_PGOFF).toBe(Math.min(l.SECTIONS_PGOFF, l.ZONES_PGOFF));
    expect(l.ZONEID_PGSHIFT).toBe(l.ZONEID_PGOFF);
  });

  it('fields that do not fit even without last_cpupid → "Not enough bits in page flags"', () => {
    // 32-bit classic SPARSEMEM with MGLRU (Kconfig forbids it for this reason): 2 + 3 + 7 > 11.
    expectLayoutError(
      {
        BITS_PER_LONG: 32,
        NR_PAGEFLAGS: 21,
        MAX_NR_ZONES: 4,
        CONFIG_SPARSEMEM: true,
        MAX_PHYSMEM_BITS: 36,
        SECTION_SIZE_BITS: 29,
        CONFIG_LRU_GEN: true,
      },
      // include/linux/page-flags-layout.h: #error "Not enough bits in page flags"
      'Not enough bits in page flags',
    );
  });

  it('KASAN tags alone can exhaust the word', () => {
    expectLayoutError(
      { BITS_PER_LONG: 64, NR_PAGEFLAGS: 60, MAX_NR_ZONES: 2, CONFIG_KASAN_HW_TAGS: true },
      NOT_ENOUGH_BITS_ERROR,
    );
  });
});

describe('computePageFlagsLayout: other rules', () => {
  it('LRU_REFS_WIDTH shrinks to the bits that are left', () => {
    const l = computePageFlagsLayout({
      BITS_PER_LONG: 32,
      NR_PAGEFLAGS: 28,
      MAX_NR_ZONES: 2,
      CONFIG_LRU_GEN: true,
    });
    expect(l.LRU_GEN_WIDTH).toBe(3);
    expect(l.LRU_REFS_WIDTH).toBe(0);
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(0);
    const one = computePageFlagsLayout({
      BITS_PER_LONG: 32,
      NR_PAGEFLAGS: 27,
      MAX_NR_ZONES: 2,
      CONFIG_LRU_GEN: true,
    });
    expect(one.LRU_REFS_WIDTH).toBe(1);
  });

  it('NR_NON_PAGEFLAG_BITS counts LAST_CPUPID_SHIFT, not the width', () => {
    const l = computePageFlagsLayout({
      BITS_PER_LONG: 64,
      NR_PAGEFLAGS: 42,
      MAX_NR_ZONES: 4,
      CONFIG_SMP: true,
      CONFIG_NR_CPUS: 8192,
      CONFIG_NUMA_BALANCING: true,
    });
    expect(l.LAST_CPUPID_WIDTH).toBe(0);
    expect(l.NR_NON_PAGEFLAG_BITS).toBe(l.ZONES_WIDTH + l.LAST_CPUPID_SHIFT);
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(64 - 42 - 2 - 21);
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(-1);
  });

  it('KASAN HW tags use 8 bits in v6.13', () => {
    const l = computePageFlagsLayout({
      BITS_PER_LONG: 64,
      NR_PAGEFLAGS: 24,
      MAX_NR_ZONES: 4,
      CONFIG_KASAN_HW_TAGS: true,
    });
    expect(l.KASAN_TAG_WIDTH).toBe(8);
    expect(l.KASAN_TAG_PGSHIFT).toBe(l.KASAN_TAG_PGOFF);
    expect(l.KASAN_TAG_MASK).toBe(0xff);
  });

  it('without SMP NR_CPUS_BITS is 0 and last_cpupid is the 8 pid bits', () => {
    const l = computePageFlagsLayout({
      BITS_PER_LONG: 64,
      NR_PAGEFLAGS: 24,
      MAX_NR_ZONES: 4,
      CONFIG_NUMA_BALANCING: true,
    });
    expect(l.NR_CPUS_BITS).toBe(0);
    expect(l.LAST_CPUPID_SHIFT).toBe(8);
    expect(l.inputs.CONFIG_NR_CPUS).toBe(1);
  });

  it('FLATMEM: no section shift; classic SPARSEMEM: the section lives at the top', () => {
    const flat = computePageFlagsLayout({ BITS_PER_LONG: 32, NR_PAGEFLAGS: 20, MAX_NR_ZONES: 2 });
    expect(flat.SECTIONS_SHIFT).toBe(0);
    expect(flat.SECTIONS_PGOFF).toBe(32);
    const sparse = computePageFlagsLayout({
      BITS_PER_LONG: 64,
      NR_PAGEFLAGS: 20,
      MAX_NR_ZONES: 3,
      CONFIG_SPARSEMEM: true,
      MAX_PHYSMEM_BITS: 48,
      SECTION_SIZE_BITS: 28,
    });
    expect(sparse.SECTIONS_WIDTH).toBe(20);
    expect(sparse.SECTIONS_PGOFF).toBe(44);
    expect(sparse.SECTIONS_PGSHIFT).toBe(44);
    expect(sparse.SECTIONS_MASK).toBe(0xfffff);
  });

  it('order_base_2 rounds up', () => {
    expect([1, 2, 3, 4, 5, 64, 65, 4096, 8192].map(orderBase2)).toEqual([0, 1, 2, 2, 3, 6, 7, 12, 13]);
  });

  it('returns a frozen result and does not modify the inputs', () => {
    const inputs: PageFlagsLayoutInputs = { BITS_PER_LONG: 64, NR_PAGEFLAGS: 24, MAX_NR_ZONES: 5 };
    const before = JSON.stringify(inputs);
    const l = computePageFlagsLayout(inputs);
    expect(JSON.stringify(inputs)).toBe(before);
    expect(Object.isFrozen(l)).toBe(true);
    expect(Object.isFrozen(l.warnings)).toBe(true);
    expect(l.inputs.CONFIG_LRU_GEN).toBe(false);
  });
});

describe('computePageFlagsLayout: bad input', () => {
  const good = { BITS_PER_LONG: 64, NR_PAGEFLAGS: 24, MAX_NR_ZONES: 5 };

  it('names the missing required number', () => {
    expectLayoutError({ NR_PAGEFLAGS: 24, MAX_NR_ZONES: 5 }, /^BITS_PER_LONG: required/, 'BITS_PER_LONG');
    expectLayoutError({ BITS_PER_LONG: 64, MAX_NR_ZONES: 5 }, /^NR_PAGEFLAGS: required/, 'NR_PAGEFLAGS');
    expectLayoutError({ BITS_PER_LONG: 64, NR_PAGEFLAGS: 24 }, /^MAX_NR_ZONES: required/, 'MAX_NR_ZONES');
  });

  it('names numbers that cannot be derived', () => {
    expectLayoutError(
      { ...good, CONFIG_SPARSEMEM: true },
      /^MAX_PHYSMEM_BITS: required with CONFIG_SPARSEMEM/,
      'MAX_PHYSMEM_BITS',
    );
    expectLayoutError(
      { ...good, CONFIG_SPARSEMEM: true, MAX_PHYSMEM_BITS: 46 },
      /^SECTION_SIZE_BITS: required/,
      'SECTION_SIZE_BITS',
    );
    expectLayoutError(
      { ...good, CONFIG_SMP: true },
      /^CONFIG_NR_CPUS: required with CONFIG_SMP/,
      'CONFIG_NR_CPUS',
    );
  });

  it('accepts the derived numbers directly', () => {
    const l = computePageFlagsLayout({
      ...good,
      CONFIG_SPARSEMEM: true,
      SECTIONS_SHIFT: 19,
      CONFIG_SMP: true,
      NR_CPUS_BITS: 6,
    });
    expect(l.SECTIONS_SHIFT).toBe(19);
    expect(l.NR_CPUS_BITS).toBe(6);
  });

  it('rejects non-integers, wrong types and out-of-range values naming the field', () => {
    expectLayoutError(
      { ...good, BITS_PER_LONG: 48 },
      'BITS_PER_LONG: must be 64 or 32, got 48',
      'BITS_PER_LONG',
    );
    expectLayoutError(
      { ...good, NR_PAGEFLAGS: 24.5 },
      'NR_PAGEFLAGS: expected an integer, got 24.5',
      'NR_PAGEFLAGS',
    );
    expectLayoutError(
      { ...good, NR_PAGEFLAGS: '24' },
      'NR_PAGEFLAGS: expected an integer, got "24"',
      'NR_PAGEFLAGS',
    );
    expectLayoutError(
      { ...good, NR_PAGEFLAGS: Number.NaN },
      /^NR_PAGEFLAGS: expected an integer/,
      'NR_PAGEFLAGS',
    );
    expectLayoutError(
      { ...good, BITS_PER_LONG: 32, NR_PAGEFLAGS: 40 },
      /^NR_PAGEFLAGS: 40 is out of range/,
      'NR_PAGEFLAGS',
    );
    expectLayoutError(
      { ...good, MAX_NR_ZONES: 0 },
      'MAX_NR_ZONES: 0 is out of range (1..64)',
      'MAX_NR_ZONES',
    );
    expectLayoutError({ ...good, CONFIG_NODES_SHIFT: 11 }, 'CONFIG_NODES_SHIFT: 11 is out of range (0..10)');
    expectLayoutError({ ...good, CONFIG_NODES_SHIFT: -1 }, 'CONFIG_NODES_SHIFT: -1 is out of range (0..10)');
    expectLayoutError({ ...good, CONFIG_SMP: true, CONFIG_NR_CPUS: 0 }, /^CONFIG_NR_CPUS: 0 is out of range/);
    expectLayoutError(
      { ...good, CONFIG_LRU_GEN: 'y' },
      'CONFIG_LRU_GEN: expected a boolean, got "y"',
      'CONFIG_LRU_GEN',
    );
    expectLayoutError({ ...good, CONFIG_LRU_GEN: 1 }, 'CONFIG_LRU_GEN: expected a boolean, got 1');
  });

  it('rejects unknown keys (typos) and non-objects', () => {
    expectLayoutError(
      { ...good, CONFIG_NODE_SHIFT: 6 },
      'CONFIG_NODE_SHIFT: unknown page-flags layout input',
      'CONFIG_NODE_SHIFT',
    );
    expectLayoutError(null, /inputs must be an object/);
    expectLayoutError(42, /inputs must be an object/);
  });

  it('rejects contradictions', () => {
    expectLayoutError(
      { ...good, CONFIG_SPARSEMEM_VMEMMAP: true },
      /requires CONFIG_SPARSEMEM/,
      'CONFIG_SPARSEMEM_VMEMMAP',
    );
    expectLayoutError(
      { ...good, CONFIG_KASAN_SW_TAGS: true, CONFIG_KASAN_HW_TAGS: true },
      /one Kconfig choice/,
    );
    expectLayoutError(
      { ...good, CONFIG_SPARSEMEM: true, MAX_PHYSMEM_BITS: 46, SECTION_SIZE_BITS: 27, SECTIONS_SHIFT: 20 },
      /^SECTIONS_SHIFT: 20 contradicts MAX_PHYSMEM_BITS - SECTION_SIZE_BITS = 46 - 27 = 19/,
    );
    expectLayoutError(
      { ...good, CONFIG_SPARSEMEM: true, MAX_PHYSMEM_BITS: 27, SECTION_SIZE_BITS: 28 },
      /exceeds MAX_PHYSMEM_BITS/,
    );
    expectLayoutError({ ...good, SECTIONS_SHIFT: 5 }, /without CONFIG_SPARSEMEM/, 'SECTIONS_SHIFT');
    expectLayoutError(
      { ...good, CONFIG_SMP: true, CONFIG_NR_CPUS: 64, NR_CPUS_BITS: 7 },
      /contradicts order_base_2/,
    );
    expectLayoutError({ ...good, NR_CPUS_BITS: 3 }, /without CONFIG_SMP/, 'NR_CPUS_BITS');
    expectLayoutError({ ...good, CONFIG_NR_CPUS: 4 }, /without CONFIG_SMP/, 'CONFIG_NR_CPUS');
  });
});

/** Arbitrary calculator inputs over the whole accepted domain. */
const arbitraryInputs: fc.Arbitrary<PageFlagsLayoutInputs> = fc
  .record({
    bits: fc.constantFrom(32, 64),
    flags: fc.integer({ min: 16, max: 32 }),
    zones: fc.integer({ min: 1, max: 8 }),
    nodes: fc.integer({ min: 0, max: 10 }),
    memmodel: fc.constantFrom('flat', 'sparse', 'vmemmap'),
    sectionsShift: fc.integer({ min: 0, max: 24 }),
    smp: fc.boolean(),
    nrCpus: fc.integer({ min: 1, max: 8192 }),
    numaBalancing: fc.boolean(),
    kasan: fc.constantFrom('none', 'sw', 'hw'),
    lruGen: fc.boolean(),
  })
  .map((r) => ({
    BITS_PER_LONG: r.bits,
    NR_PAGEFLAGS: Math.min(r.flags, r.bits),
    MAX_NR_ZONES: r.zones,
    CONFIG_NODES_SHIFT: r.nodes,
    CONFIG_SPARSEMEM: r.memmodel !== 'flat',
    CONFIG_SPARSEMEM_VMEMMAP: r.memmodel === 'vmemmap',
    SECTIONS_SHIFT: r.memmodel === 'flat' ? 0 : r.sectionsShift,
    CONFIG_SMP: r.smp,
    CONFIG_NR_CPUS: r.smp ? r.nrCpus : 1,
    CONFIG_NUMA_BALANCING: r.numaBalancing,
    CONFIG_KASAN_SW_TAGS: r.kasan === 'sw',
    CONFIG_KASAN_HW_TAGS: r.kasan === 'hw',
    CONFIG_LRU_GEN: r.lruGen,
  }));

describe('computePageFlagsLayout: invariants over random configurations', () => {
  it('fields are packed from the top without overlap and N is the bits left', () => {
    fc.assert(
      fc.property(arbitraryInputs, (inputs) => {
        let l: ReturnType<typeof computePageFlagsLayout>;
        try {
          l = computePageFlagsLayout(inputs);
        } catch (error) {
          expect(error).toBeInstanceOf(PageFlagsLayoutError);
          expect([VMEMMAP_NODES_ERROR, NOT_ENOUGH_BITS_ERROR]).toContain((error as Error).message);
          return;
        }
        const widths =
          l.SECTIONS_WIDTH +
          l.NODES_WIDTH +
          l.ZONES_WIDTH +
          l.LAST_CPUPID_WIDTH +
          l.KASAN_TAG_WIDTH +
          l.LRU_GEN_WIDTH +
          l.LRU_REFS_WIDTH;
        expect(l.LRU_REFS_PGOFF).toBe(l.BITS_PER_LONG - widths);
        expect(l.LRU_REFS_PGOFF).toBeGreaterThanOrEqual(l.NR_PAGEFLAGS);
        expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(
          l.BITS_PER_LONG - l.NR_PAGEFLAGS - (widths - l.LAST_CPUPID_WIDTH + l.LAST_CPUPID_SHIFT),
        );
        expect(l.allocTagRefOffs).toBeGreaterThanOrEqual(l.NR_PAGEFLAGS);
        if (l.NR_UNUSED_PAGEFLAG_BITS > 0) {
          expect(l.allocTagRefOffs).toBe(l.NR_PAGEFLAGS + l.LAST_CPUPID_SHIFT - l.LAST_CPUPID_WIDTH);
        }
        expect(l.NODE_NOT_IN_PAGE_FLAGS).toBe(l.NODES_SHIFT !== 0 && l.NODES_WIDTH === 0);
        expect(l.LAST_CPUPID_NOT_IN_PAGE_FLAGS).toBe(l.LAST_CPUPID_SHIFT !== 0 && l.LAST_CPUPID_WIDTH === 0);
        expect(l.warnings.length).toBe(l.LAST_CPUPID_NOT_IN_PAGE_FLAGS ? 1 : 0);
      }),
      { numRuns: 400 },
    );
  });
});
