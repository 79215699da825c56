import { SIZEOF_CODETAG_REF } from '@allocprof/codetag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageExtTagRefs, pageAllocTaggingOps } from './page-ext';
import { CapturePrintk, KERNEL_TAGS_BASE } from './test-helpers';
import { PgallocTagError, PgtagRefHandle } from './types';

function make(nrPages: number, pagesPerSection: number, sectionPresent?: (nr: number) => boolean) {
  const printk = new CapturePrintk();
  const refs = new PageExtTagRefs(
    sectionPresent === undefined
      ? { nrPages, pagesPerSection, printk }
      : { nrPages, pagesPerSection, printk, sectionPresent },
  );
  return { refs, printk, h: new PgtagRefHandle() };
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

describe('PageExtTagRefs', () => {
  it('spends nothing before init and exactly 8 bytes per page after', () => {
    const { refs } = make(1000, 128);
    expect(refs.kind).toBe('page_ext');
    expect(refs.nrSections).toBe(8);
    expect(refs.bytes).toBe(0);
    refs.init();
    expect(refs.isInitialized).toBe(true);
    expect(refs.bytes).toBe(1000 * SIZEOF_CODETAG_REF);
    expect(refs.bytes).toBe(8000);
  });

  it('keeps bytes = 8 × pages for any size and section size (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 12 }), (nrPages, shift) => {
        const { refs } = make(nrPages, 2 ** shift);
        refs.init();
        expect(refs.bytes).toBe(8 * nrPages);
      }),
      { numRuns: 100 },
    );
  });

  it('has no page_ext for sections that are not present: get fails, nothing is spent', () => {
    const { refs, h } = make(512, 64, (nr) => nr !== 2 && nr !== 5);
    refs.init();
    expect(refs.bytes).toBe(8 * (512 - 128));
    for (let pfn = 0; pfn < 512; pfn++) {
      const inHole = (pfn >= 128 && pfn < 192) || (pfn >= 320 && pfn < 384);
      expect(refs.hasPageExt(pfn)).toBe(!inHole);
      expect(refs.getPageTagRef(pfn, h)).toBe(!inHole);
      if (!inHole) refs.putPageTagRef(h);
    }
    expect(refs.rcuReadLockDepth).toBe(0);
  });

  it('fails every get before page_ext_init', () => {
    const { refs, h } = make(64, 16);
    expect(refs.getPageTagRef(0, h)).toBe(false);
    expect(refs.hasPageExt(0)).toBe(false);
    expect(refs.rcuReadLockDepth).toBe(0);
  });

  it('brackets get/put like the RCU read lock and counts unbalanced puts', () => {
    const { refs, h, printk } = make(64, 16);
    refs.init();
    const h2 = new PgtagRefHandle();
    expect(refs.getPageTagRef(1, h)).toBe(true);
    expect(refs.getPageTagRef(2, h2)).toBe(true);
    expect(refs.rcuReadLockDepth).toBe(2);
    refs.putPageTagRef(h2);
    refs.putPageTagRef(h);
    expect(refs.rcuReadLockDepth).toBe(0);
    expect(refs.unbalancedPuts).toBe(0);
    refs.putPageTagRef(h);
    expect(refs.unbalancedPuts).toBe(1);
    expect(refs.rcuReadLockDepth).toBe(0);
    expect(refs.getPageTagRef(64, h)).toBe(false);
    expect(refs.rcuReadLockDepth).toBe(0);
    expect(printk.lines).toEqual([]);
  });

  it('onlines and offlines sections (memory hotplug) with exact accounting', () => {
    const { refs, h } = make(256, 64, (nr) => nr === 0);
    refs.init();
    expect(refs.bytes).toBe(8 * 64);
    refs.onlineSection(3);
    expect(refs.bytes).toBe(8 * 128);
    expect(refs.getPageTagRef(200, h)).toBe(true);
    h.ref = KERNEL_TAGS_BASE;
    refs.updatePageTagRef(h);
    expectErrno(() => refs.offlineSection(3), 'EBUSY');
    refs.putPageTagRef(h);
    refs.offlineSection(3);
    expect(refs.bytes).toBe(8 * 64);
    expect(refs.getPageTagRef(200, h)).toBe(false);
    refs.onlineSection(3);
    expect(refs.getPageTagRef(200, h)).toBe(true);
    expect(h.ref).toBe(0);
    refs.putPageTagRef(h);
  });

  it('rejects bad configuration and section operations with typed errors, changing nothing', () => {
    const printk = new CapturePrintk();
    expectErrno(() => new PageExtTagRefs({ nrPages: -1, pagesPerSection: 8, printk }), 'EINVAL');
    expectErrno(() => new PageExtTagRefs({ nrPages: 1.5, pagesPerSection: 8, printk }), 'EINVAL');
    expectErrno(() => new PageExtTagRefs({ nrPages: 2 ** 32, pagesPerSection: 8, printk }), 'EINVAL');
    expectErrno(() => new PageExtTagRefs({ nrPages: 16, pagesPerSection: 12, printk }), 'EINVAL');
    expectErrno(() => new PageExtTagRefs({ nrPages: 16, pagesPerSection: 0, printk }), 'EINVAL');
    const { refs } = make(128, 32, (nr) => nr < 2);
    expectErrno(() => refs.onlineSection(2), 'EINVAL');
    refs.init();
    const bytes = refs.bytes;
    expectErrno(() => refs.init(), 'EBUSY');
    expectErrno(() => refs.onlineSection(0), 'EBUSY');
    expectErrno(() => refs.onlineSection(4), 'EINVAL');
    expectErrno(() => refs.onlineSection(-1), 'EINVAL');
    expectErrno(() => refs.offlineSection(3), 'EINVAL');
    expect(refs.bytes).toBe(bytes);
  });
});

describe('pageAllocTaggingOps', () => {
  it('needs page_ext only when profiling is supported and not compressed', () => {
    const state = { support: true, compressed: false };
    const ops = pageAllocTaggingOps(state);
    expect(ops.name).toBe('page_alloc_tagging');
    expect(ops.size).toBe(8);
    expect(ops.need()).toBe(true);
    state.compressed = true;
    expect(ops.need()).toBe(false);
    state.support = false;
    expect(ops.need()).toBe(false);
    state.compressed = false;
    expect(ops.need()).toBe(false);
  });
});

describe('PageExtTagRefs slot access', () => {
  it('pageExtSlots()[pfn & slotMask] is the slot get/update use', () => {
    const { refs, h } = make(1000, 128);
    refs.init();
    expect(refs.slotMask).toBe(127);
    const pfn = 300;
    refs.pageExtSlots(pfn)[pfn & refs.slotMask] = KERNEL_TAGS_BASE + 40;
    expect(refs.getPageTagRef(pfn, h)).toBe(true);
    expect(h.ref).toBe(KERNEL_TAGS_BASE + 40);
    h.ref = 0;
    refs.updatePageTagRef(h);
    refs.putPageTagRef(h);
    expect(refs.pageExtSlots(pfn)[pfn & refs.slotMask]).toBe(0);
    expect(refs.rcuReadLockDepth).toBe(0);
  });

  it('gives an empty array for a page without page_ext or outside memory', () => {
    const { refs } = make(1000, 128, (nr) => nr !== 1);
    refs.init();
    expect(refs.pageExtSlots(130).length).toBe(0);
    expect(refs.pageExtSlots(-1).length).toBe(0);
    expect(refs.pageExtSlots(1000).length).toBe(0);
    expect(refs.pageExtSlots(999).length).toBe(1000 - 7 * 128);
  });
});
