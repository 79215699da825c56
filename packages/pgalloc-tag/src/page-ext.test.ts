import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlatPageExt, MS_PAGE_EXT, PAGE_EXT_INVALID, SparsePageExt } from './page-ext';
import { PageExtTagRefs, pageAllocTaggingOps } from './page-ext-refs';
import { CapturePrintk, KERNEL_TAGS_BASE } from './test-helpers';
import { PgallocTagError, PgtagRefHandle } from './types';

/** A SPARSEMEM page_ext with page_alloc_tagging as its only client (page_ext_size 8, offset 0). */
function make(nrPages: number, pagesPerSection: number, sectionPresent?: (nr: number) => boolean) {
  const printk = new CapturePrintk();
  const pe = new SparsePageExt(
    sectionPresent === undefined
      ? { nrPages, pagesPerSection, sectionsPerRoot: 4 }
      : { nrPages, pagesPerSection, sectionsPerRoot: 4, sectionPresent },
  );
  pe.setup(8);
  const refs = new PageExtTagRefs({ pageExt: pe, printk });
  return { pe, refs, printk, h: new PgtagRefHandle() };
}

function expectErrno(fn: () => unknown, code: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PgallocTagError);
  expect((err as PgallocTagError).code).toBe(code);
}

/** Reference model of mem_section lookup: section nr has page_ext iff in `tables`. */
function modelLookup(tables: Set<number>, pps: number, pfn: number): boolean {
  return tables.has(Math.floor(pfn / pps));
}

describe('SparsePageExt: mem_section and lookup_page_ext()', () => {
  it('allocates the SPARSEMEM_EXTREME roots of present sections only', () => {
    const pe = new SparsePageExt({
      nrPages: 64 * 40,
      pagesPerSection: 64,
      sectionsPerRoot: 8,
      nrSectionRoots: 16,
      sectionPresent: (nr) => nr < 8 || nr >= 32,
    });
    expect(pe.nrSections).toBe(40);
    expect(pe.nrSectionRoots).toBe(16);
    // Roots 0 and 4 hold present sections; 1..3 and 5..15 stay NULL.
    expect(Array.from(pe.roots)).toEqual([0, -1, -1, -1, 1, ...Array(11).fill(-1)]);
    expect(pe.sectionWord(3)).toBe(3 * 8);
    expect(pe.sectionWord(33)).toBe((8 + 1) * 8);
    expect(pe.sectionWord(12)).toBe(-1);
  });

  it('finds nothing before page_ext_size is set and the tables exist', () => {
    const pe = new SparsePageExt({ nrPages: 256, pagesPerSection: 64 });
    expect(pe.pageExtGet(5)).toBe(-1);
    expect(pe.rcuReadLockDepth).toBe(0);
    pe.setup(16);
    expect(pe.pageExtGet(5)).toBe(-1);
    expect(pe.pageExtInit()).toBe(4 * 64 * 16);
    const e = pe.pageExtGet(5);
    expect(e).toBeGreaterThan(0);
    expect(pe.rcuReadLockDepth).toBe(1);
    pe.pageExtPut(e);
    expect(pe.rcuReadLockDepth).toBe(0);
  });

  it('stores base − pfn × page_ext_size in section->page_ext: entries of a section are consecutive', () => {
    const pe = new SparsePageExt({ nrPages: 256, pagesPerSection: 64, sectionsPerRoot: 2 });
    pe.setup(24);
    pe.pageExtInit();
    for (let nr = 0; nr < 4; nr++) {
      const first = pe.pageExtGet(nr * 64);
      pe.pageExtPut(first);
      expect(first).toBe(pe.tableStart(nr));
      for (let i = 1; i < 64; i++) {
        const e = pe.pageExtGet(nr * 64 + i);
        pe.pageExtPut(e);
        expect(e).toBe(first + 3 * i);
      }
      const pe0 = pe.sections[pe.sectionWord(nr) + MS_PAGE_EXT]!;
      expect(pe0).not.toBe(0);
      expect(pe0 & PAGE_EXT_INVALID).toBe(0);
      expect(pe0 >> 1).toBe(first - nr * 64 * 3);
    }
    // Tables never overlap.
    const starts = [0, 1, 2, 3].map((nr) => pe.tableStart(nr)).sort((a, b) => a - b);
    for (let i = 1; i < 4; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(64 * 3);
  });

  it('the invalid-section path: an invalidated section fails every lookup and drops the lock', () => {
    const { pe, refs, h } = make(256, 64);
    pe.pageExtInit();
    expect(refs.getPageTagRef(70, h)).toBe(true);
    h.ref = KERNEL_TAGS_BASE;
    refs.updatePageTagRef(h);
    refs.putPageTagRef(h);
    pe.invalidateSection(1);
    expect(pe.sections[pe.sectionWord(1) + MS_PAGE_EXT]! & PAGE_EXT_INVALID).toBe(PAGE_EXT_INVALID);
    expect(pe.hasPageExt(70)).toBe(false);
    expect(pe.pageExtGet(70)).toBe(-1);
    expect(refs.getPageTagRef(70, h)).toBe(false);
    expect(h.handle).toBe(-1);
    expect(pe.rcuReadLockDepth).toBe(0);
    // Other sections are unaffected.
    expect(refs.getPageTagRef(10, h)).toBe(true);
    refs.putPageTagRef(h);
    // Freeing the invalidated table makes section->page_ext NULL; onlining again starts from zero.
    expect(pe.freeSection(1)).toBe(64 * 8);
    expect(pe.sections[pe.sectionWord(1) + MS_PAGE_EXT]).toBe(0);
    pe.onlineSection(1);
    expect(refs.getPageTagRef(70, h)).toBe(true);
    expect(h.ref).toBe(0);
    refs.putPageTagRef(h);
  });

  it('agrees with a simple model under random online/offline/lookups (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('online' as const), nr: fc.integer({ min: 0, max: 9 }) }),
            fc.record({ op: fc.constant('offline' as const), nr: fc.integer({ min: 0, max: 9 }) }),
            fc.record({ op: fc.constant('get' as const), pfn: fc.integer({ min: -2, max: 10 * 16 + 3 }) }),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const pe = new SparsePageExt({
            nrPages: 10 * 16,
            pagesPerSection: 16,
            sectionsPerRoot: 4,
            sectionPresent: (nr) => nr % 3 !== 1,
          });
          pe.setup(8);
          const tables = new Set<number>();
          for (let nr = 0; nr < 10; nr++) if (nr % 3 !== 1) tables.add(nr);
          pe.pageExtInit();
          const written = new Map<number, number>();
          for (const o of ops) {
            if (o.op === 'online') {
              if (tables.has(o.nr)) {
                expect(() => pe.onlineSection(o.nr)).toThrow(PgallocTagError);
              } else {
                pe.onlineSection(o.nr);
                tables.add(o.nr);
              }
            } else if (o.op === 'offline') {
              if (!tables.has(o.nr)) {
                expect(() => pe.offlineSection(o.nr)).toThrow(PgallocTagError);
              } else {
                pe.offlineSection(o.nr);
                tables.delete(o.nr);
                for (const p of [...written.keys()]) if (Math.floor(p / 16) === o.nr) written.delete(p);
              }
            } else {
              const has = o.pfn >= 0 && o.pfn < 160 && modelLookup(tables, 16, o.pfn);
              expect(pe.hasPageExt(o.pfn)).toBe(has);
              const e = o.pfn >= 0 ? pe.pageExtGet(o.pfn) : -1;
              expect(e >= 0).toBe(has);
              if (e >= 0) {
                expect(pe.entries[e]).toBe(written.get(o.pfn) ?? 0);
                pe.entries[e] = o.pfn + 1;
                written.set(o.pfn, o.pfn + 1);
                pe.pageExtPut(e);
              }
            }
            expect(pe.rcuReadLockDepth).toBe(0);
            expect(pe.pagesWithPageExt).toBe(tables.size * 16);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects bad geometry and section operations with typed errors', () => {
    expectErrno(() => new SparsePageExt({ nrPages: -1, pagesPerSection: 8 }), 'EINVAL');
    expectErrno(() => new SparsePageExt({ nrPages: 16, pagesPerSection: 12 }), 'EINVAL');
    expectErrno(() => new SparsePageExt({ nrPages: 16, pagesPerSection: 1 }), 'EINVAL');
    expectErrno(() => new SparsePageExt({ nrPages: 16, pagesPerSection: 4, sectionsPerRoot: 3 }), 'EINVAL');
    expectErrno(
      () => new SparsePageExt({ nrPages: 64, pagesPerSection: 4, sectionsPerRoot: 2, nrSectionRoots: 3 }),
      'EINVAL',
    );
    expectErrno(() => new SparsePageExt({ nrPages: 16, pagesPerSection: 4, longBytes: 2 }), 'EINVAL');
    const pe = new SparsePageExt({ nrPages: 128, pagesPerSection: 32, sectionPresent: (nr) => nr < 2 });
    expectErrno(() => pe.initSection(0), 'EINVAL');
    expectErrno(() => pe.setup(12), 'EINVAL');
    pe.setup(8);
    expectErrno(() => pe.setup(8), 'EBUSY');
    expect(pe.pageExtInit()).toBe(2 * 32 * 8);
    expectErrno(() => pe.initSection(3), 'EINVAL');
    expect(pe.initSection(0)).toBe(0);
    expectErrno(() => pe.onlineSection(0), 'EBUSY');
    expectErrno(() => pe.onlineSection(4), 'EINVAL');
    expectErrno(() => pe.offlineSection(3), 'EINVAL');
    const e = pe.pageExtGet(1);
    expectErrno(() => pe.offlineSection(0), 'EBUSY');
    pe.pageExtPut(e);
    expect(pe.totalUsage).toBe(2 * 32 * 8);
    expect(pe.pagesWithPageExt).toBe(64);
  });

  it('page_ext_init() stops at the first table that cannot be allocated (ENOMEM)', () => {
    const pe = new SparsePageExt({ nrPages: 128, pagesPerSection: 32 });
    pe.setup(8);
    const asked: number[] = [];
    expectErrno(
      () =>
        pe.pageExtInit((nr, bytes) => {
          asked.push(bytes);
          return nr < 2;
        }),
      'ENOMEM',
    );
    expect(asked).toEqual([256, 256, 256]);
    expect(pe.totalUsage).toBe(512);
  });

  it('counts unbalanced puts instead of underflowing the RCU nesting', () => {
    const { pe } = make(64, 16);
    pe.pageExtInit();
    const a = pe.pageExtGet(1);
    const b = pe.pageExtGet(2);
    expect(pe.rcuReadLockDepth).toBe(2);
    pe.pageExtPut(b);
    pe.pageExtPut(a);
    pe.pageExtPut(a);
    expect(pe.rcuReadLockDepth).toBe(0);
    expect(pe.unbalancedPuts).toBe(1);
    pe.pageExtPut(-1);
    expect(pe.unbalancedPuts).toBe(1);
  });
});

describe('FlatPageExt: node tables', () => {
  it('indexes from the node start rounded down to MAX_ORDER_NR_PAGES', () => {
    const pe = new FlatPageExt({
      nrPages: 3000,
      nodes: [
        { startPfn: 0, endPfn: 1024 },
        { startPfn: 1100, endPfn: 3000 },
      ],
      maxOrderNrPages: 1024,
    });
    pe.setup(8);
    expect(pe.pageExtGet(5)).toBe(-1);
    expect(pe.pageExtInitFlatmem()).toBe(1024 * 8 + (1900 + 1024) * 8);
    const a = pe.pageExtGet(1100);
    pe.pageExtPut(a);
    const b = pe.pageExtGet(1101);
    pe.pageExtPut(b);
    expect(b - a).toBe(1);
    // Node 1's table starts at pfn 1024 (round_down(1100, 1024)).
    expect(a).toBe(pe.tableStart(1) + (1100 - 1024));
    expect(pe.hasPageExt(1050)).toBe(false);
    expect(pe.hasPageExt(1100)).toBe(true);
    expect(pe.rcuReadLockDepth).toBe(0);
    expectErrno(() => new FlatPageExt({ nrPages: 10, nodes: [] }), 'EINVAL');
    expectErrno(() => pe.initNode(2), 'EINVAL');
  });
});

describe('PageExtTagRefs', () => {
  it('reads and writes the reference at the client offset and spends 8 bytes per page', () => {
    const pe = new SparsePageExt({ nrPages: 256, pagesPerSection: 64 });
    pe.setup(24);
    pe.pageExtInit();
    const refs = new PageExtTagRefs({ pageExt: pe, printk: new CapturePrintk() });
    refs.setOffset(16);
    expect(refs.offset).toBe(16);
    expect(refs.kind).toBe('page_ext');
    expect(refs.bytes).toBe(256 * 8);
    const h = new PgtagRefHandle();
    expect(refs.getPageTagRef(100, h)).toBe(true);
    const e = pe.pageExtGet(100);
    pe.pageExtPut(e);
    expect(h.handle).toBe(e + 2);
    h.ref = KERNEL_TAGS_BASE + 80;
    refs.updatePageTagRef(h);
    refs.putPageTagRef(h);
    expect(pe.entries[e + 2]).toBe(KERNEL_TAGS_BASE + 80);
    expect(pe.entries[e]).toBe(0);
    expect(pe.entries[e + 1]).toBe(0);
    expect(pe.rcuReadLockDepth).toBe(0);
    expectErrno(() => refs.setOffset(12), 'EINVAL');
    expectErrno(() => new PageExtTagRefs({ pageExt: {} as never, printk: new CapturePrintk() }), 'EINVAL');
  });

  it('fails a get for a page without page_ext or outside memory, taking no lock', () => {
    const { pe, refs, h } = make(1000, 128, (nr) => nr !== 1);
    pe.pageExtInit();
    for (const pfn of [130, -1, 1.5, 1000, 2 ** 32])
      expect(refs.getPageTagRef(pfn, h), String(pfn)).toBe(false);
    expect(h.handle).toBe(-1);
    expect(pe.rcuReadLockDepth).toBe(0);
    expect(refs.bytes).toBe(8 * (1000 - 128));
  });

  it('WARNs on a NULL handle and changes nothing', () => {
    const { pe, refs, h, printk } = make(64, 16);
    pe.pageExtInit();
    refs.updatePageTagRef(null);
    refs.putPageTagRef(null);
    h.handle = -1;
    refs.updatePageTagRef(h);
    refs.putPageTagRef(h);
    expect(printk.lines.map((l) => l.message)).toEqual([
      'WARNING: at include/linux/pgalloc_tag.h update_page_tag_ref()',
      'WARNING: at include/linux/pgalloc_tag.h put_page_tag_ref()',
      'WARNING: at include/linux/pgalloc_tag.h update_page_tag_ref()',
      'WARNING: at include/linux/pgalloc_tag.h put_page_tag_ref()',
    ]);
    expect(pe.entries.every((x) => x === 0)).toBe(true);
    expect(pe.rcuReadLockDepth).toBe(0);
  });
});

describe('pageAllocTaggingOps', () => {
  it('needs page_ext only when profiling is supported and not compressed, without shared flags', () => {
    const state = { support: true, compressed: false };
    const ops = pageAllocTaggingOps(state);
    expect(ops.name).toBe('page_alloc_tagging');
    expect(ops.size).toBe(8);
    expect(ops.needSharedFlags).toBe(false);
    expect(ops.need()).toBe(true);
    state.compressed = true;
    expect(ops.need()).toBe(false);
    state.support = false;
    expect(ops.need()).toBe(false);
    state.compressed = false;
    expect(ops.need()).toBe(false);
  });
});
