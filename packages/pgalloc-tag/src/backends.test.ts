import {
  computePageFlagsLayout,
  type PageFlagsArray,
  PageFlagsArray as PageFlagsArrayClass,
  type PageFlagsField,
  type PageFlagsLayout,
} from '@allocprof/page-flags-layout';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SparsePageExt } from './page-ext';
import { PageExtTagRefs } from './page-ext-refs';
import { PageFlagsTagRefs } from './page-flags';
import {
  CapturePrintk,
  EXAMPLE_A_INPUTS,
  FakeTagIndex,
  KERNEL_TAGS_BASE,
  MODULE_TAGS_BASE,
} from './test-helpers';
import { type PageTagRefs, PGTAG_REF_HANDLE_NONE, PgtagRefHandle } from './types';

const NR_KERNEL_TAGS = 4000;
const PAGES_PER_SECTION = 64;

const LAYOUT: PageFlagsLayout = computePageFlagsLayout(EXAMPLE_A_INPUTS);
const N = LAYOUT.NR_UNUSED_PAGEFLAG_BITS;
const OFFS = LAYOUT.LRU_REFS_PGOFF - N;

interface Rig {
  refs: PageTagRefs;
  flags: PageFlagsArray;
  tagIndex: FakeTagIndex;
  printk: CapturePrintk;
  /** The boot step that makes storage usable (page_ext_init / alloc_tag_sec_init). */
  boot(): void;
  /** Bits of the flags word this backend may change: [lo, hi). Empty for page_ext. */
  field: readonly [number, number];
}

type Kind = PageTagRefs['kind'];

function makeRig(kind: Kind, nrPages: number): Rig {
  const printk = new CapturePrintk();
  const flags = new PageFlagsArrayClass(LAYOUT, nrPages);
  const tagIndex = new FakeTagIndex(KERNEL_TAGS_BASE, NR_KERNEL_TAGS, MODULE_TAGS_BASE);
  if (kind === 'page_ext') {
    const pageExt = new SparsePageExt({ nrPages, pagesPerSection: PAGES_PER_SECTION });
    const refs = new PageExtTagRefs({ pageExt, printk });
    const boot = (): void => {
      pageExt.setup(8);
      pageExt.pageExtInit();
    };
    return { refs, flags, tagIndex, printk, boot, field: [0, 0] };
  }
  const refs = new PageFlagsTagRefs({ flags, tagIndex, printk });
  return { refs, flags, tagIndex, printk, boot: () => refs.init(OFFS, N), field: [OFFS, OFFS + N] };
}

const FIELDS: readonly PageFlagsField[] = [
  'section',
  'node',
  'zone',
  'last_cpupid',
  'kasan_tag',
  'lru_gen',
  'lru_refs',
];

/**
 * Fill every page's flags word with pseudo-random bits (deterministic), except the tag field,
 * which struct page initialisation leaves 0 (mm/mm_init.c: __init_single_page()).
 */
function scramble(flags: PageFlagsArray, seed: number): void {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  for (let pfn = 0; pfn < flags.nrPages; pfn++) {
    flags.setBits(pfn, 0, 32, next());
    flags.setBits(pfn, 32, 32, next());
    flags.setBits(pfn, OFFS, N, 0);
  }
}

function fieldMask(field: readonly [number, number]): bigint {
  const [lo, hi] = field;
  return ((1n << BigInt(hi - lo)) - 1n) << BigInt(lo);
}

function snapshot(flags: PageFlagsArray): bigint[] {
  const words: bigint[] = [];
  for (let pfn = 0; pfn < flags.nrPages; pfn++) words.push(flags.readWord(pfn));
  return words;
}

/** get + update + put through the protocol, as the kernel's pgalloc_tag_add/sub do. */
function writeRef(refs: PageTagRefs, h: PgtagRefHandle, pfn: number, ref: number): boolean {
  if (!refs.getPageTagRef(pfn, h)) return false;
  h.ref = ref;
  refs.updatePageTagRef(h);
  refs.putPageTagRef(h);
  return true;
}

function readRef(refs: PageTagRefs, h: PgtagRefHandle, pfn: number): number | undefined {
  if (!refs.getPageTagRef(pfn, h)) return undefined;
  const ref = h.ref;
  refs.putPageTagRef(h);
  return ref;
}

describe('test layout', () => {
  it('is the x86_64-numa64 layout: N = 12 free bits at offs 24', () => {
    expect([N, OFFS]).toEqual([12, 24]);
  });
});

describe.each<Kind>(['page_ext', 'page_flags'])('PageTagRefs behaviour: %s backend', (kind) => {
  it('round-trips NULL, EMPTY, kernel and module references through get/update/put', () => {
    const rig = makeRig(kind, 256);
    rig.boot();
    const h = new PgtagRefHandle();
    const refs = [
      rig.tagIndex.kernelTag(0),
      rig.tagIndex.kernelTag(NR_KERNEL_TAGS - 1),
      rig.tagIndex.moduleTag(0),
      rig.tagIndex.moduleTag(17),
      1,
      0,
    ];
    for (const ref of refs) {
      expect(writeRef(rig.refs, h, 100, ref)).toBe(true);
      // The handle is the page (page flags) or the reference's page_ext slot.
      if (kind === 'page_flags') expect(h.handle).toBe(100);
      else expect(h.handle).toBeGreaterThan(0);
      expect(readRef(rig.refs, h, 100)).toBe(ref);
    }
    expect(readRef(rig.refs, h, 99)).toBe(0);
    expect(readRef(rig.refs, h, 101)).toBe(0);
    expect(rig.printk.lines).toEqual([]);
  });

  it('reads no reference before the boot step and its writes change nothing', () => {
    const rig = makeRig(kind, 128);
    scramble(rig.flags, 7);
    const before = snapshot(rig.flags);
    const h = new PgtagRefHandle();
    const got = rig.refs.getPageTagRef(5, h);
    if (got) {
      expect(h.ref).toBe(0);
      h.ref = rig.tagIndex.kernelTag(3);
      rig.refs.updatePageTagRef(h);
      rig.refs.putPageTagRef(h);
      expect(readRef(rig.refs, h, 5)).toBe(0);
    } else {
      expect(h.handle).toBe(PGTAG_REF_HANDLE_NONE);
    }
    expect(snapshot(rig.flags)).toEqual(before);
    rig.boot();
    expect(readRef(rig.refs, h, 5)).toBe(0);
  });

  it('never disturbs flag bits or fields outside the tag field', () => {
    const rig = makeRig(kind, 200);
    rig.boot();
    scramble(rig.flags, 0x9e3779b9);
    const before = snapshot(rig.flags);
    const fieldsBefore = FIELDS.map((f) =>
      Array.from({ length: 200 }, (_, pfn) => rig.flags.getField(pfn, f)),
    );
    const h = new PgtagRefHandle();
    for (let pfn = 0; pfn < 200; pfn++) {
      const ref = pfn % 3 === 0 ? rig.tagIndex.moduleTag(pfn % 90) : rig.tagIndex.kernelTag(pfn * 7);
      expect(writeRef(rig.refs, h, pfn, ref)).toBe(true);
      expect(readRef(rig.refs, h, pfn)).toBe(ref);
    }
    const keep = ~fieldMask(rig.field) & 0xffffffffffffffffn;
    const after = snapshot(rig.flags);
    for (let pfn = 0; pfn < 200; pfn++) expect(after[pfn]! & keep).toBe(before[pfn]! & keep);
    FIELDS.forEach((f, i) => {
      for (let pfn = 0; pfn < 200; pfn++) expect(rig.flags.getField(pfn, f)).toBe(fieldsBefore[i]![pfn]);
    });
  });

  it('returns false with a NULL handle for pfns that are not pages', () => {
    const rig = makeRig(kind, 64);
    rig.boot();
    const h = new PgtagRefHandle();
    for (const pfn of [-1, 64, 1.5, Number.NaN, 2 ** 40]) {
      h.handle = 3;
      expect(rig.refs.getPageTagRef(pfn, h)).toBe(false);
      expect(h.handle).toBe(PGTAG_REF_HANDLE_NONE);
    }
  });

  it('WARNs without text and ignores update/put on a NULL handle or NULL ref', () => {
    const rig = makeRig(kind, 64);
    rig.boot();
    scramble(rig.flags, 3);
    const h = new PgtagRefHandle();
    writeRef(rig.refs, h, 9, rig.tagIndex.kernelTag(1));
    const before = snapshot(rig.flags);
    const nullHandle = new PgtagRefHandle();
    nullHandle.ref = rig.tagIndex.kernelTag(2);
    const backend = rig.refs as PageTagRefs & {
      updatePageTagRef(h: PgtagRefHandle | null): void;
      putPageTagRef(h: PgtagRefHandle | null): void;
    };
    backend.updatePageTagRef(nullHandle);
    backend.updatePageTagRef(null);
    backend.putPageTagRef(nullHandle);
    backend.putPageTagRef(null);
    expect(rig.printk.lines).toEqual([
      { level: 'warning', message: 'WARNING: at include/linux/pgalloc_tag.h update_page_tag_ref()' },
      { level: 'warning', message: 'WARNING: at include/linux/pgalloc_tag.h update_page_tag_ref()' },
      { level: 'warning', message: 'WARNING: at include/linux/pgalloc_tag.h put_page_tag_ref()' },
      { level: 'warning', message: 'WARNING: at include/linux/pgalloc_tag.h put_page_tag_ref()' },
    ]);
    expect(snapshot(rig.flags)).toEqual(before);
    expect(readRef(rig.refs, h, 9)).toBe(rig.tagIndex.kernelTag(1));
  });

  it('an update after a failed get WARNs instead of writing a stale page', () => {
    const rig = makeRig(kind, 64);
    rig.boot();
    const h = new PgtagRefHandle();
    writeRef(rig.refs, h, 10, rig.tagIndex.kernelTag(5));
    expect(rig.refs.getPageTagRef(1000, h)).toBe(false);
    h.ref = rig.tagIndex.kernelTag(6);
    rig.refs.updatePageTagRef(h);
    expect(rig.printk.lines).toHaveLength(1);
    expect(readRef(rig.refs, h, 10)).toBe(rig.tagIndex.kernelTag(5));
  });

  it('matches a Map model under random reference updates over many pages', () => {
    const nrPages = 2048;
    // Module slots whose index still fits both the mask and u16, so every reference round-trips.
    const maxSlot = Math.min(2 ** N, 0x10000) - 2 - NR_KERNEL_TAGS - 1;
    const probe = new FakeTagIndex(KERNEL_TAGS_BASE, NR_KERNEL_TAGS, MODULE_TAGS_BASE);
    const arbRef = fc.oneof(
      fc.constant(0),
      fc.constant(1),
      fc.integer({ min: 0, max: NR_KERNEL_TAGS - 1 }).map((i) => probe.kernelTag(i)),
      fc.integer({ min: 0, max: maxSlot }).map((s) => probe.moduleTag(s)),
    );
    const arbOp = fc.record({
      pfn: fc.integer({ min: 0, max: nrPages - 1 }),
      ref: arbRef,
      read: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 300 }), fc.integer(), (ops, seed) => {
        const rig = makeRig(kind, nrPages);
        rig.boot();
        scramble(rig.flags, seed);
        const keep = ~fieldMask(rig.field) & 0xffffffffffffffffn;
        const initial = snapshot(rig.flags).map((w) => w & keep);
        const h = new PgtagRefHandle();
        const model = new Map<number, number>();
        for (const { pfn, ref, read } of ops) {
          if (read) {
            expect(readRef(rig.refs, h, pfn)).toBe(model.get(pfn) ?? 0);
          } else {
            expect(writeRef(rig.refs, h, pfn, ref)).toBe(true);
            model.set(pfn, ref);
          }
        }
        for (let pfn = 0; pfn < nrPages; pfn++) expect(readRef(rig.refs, h, pfn)).toBe(model.get(pfn) ?? 0);
        const after = snapshot(rig.flags);
        for (let pfn = 0; pfn < nrPages; pfn++) expect(after[pfn]! & keep).toBe(initial[pfn]);
        expect(rig.printk.lines).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});
