import {
  PageExtTagRefs,
  PageFlagsTagRefs,
  type PageTagRefs,
  type PgtagRefHandle,
  SparsePageExt,
  type TagIndex,
} from '@allocprof/pgalloc-tag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AllocTag, allocTagRead } from './alloc_tag';
import { TestKernel } from './test-helpers';

/** page_ext storage behind a class the hooks do not recognise: they take the general path. */
class OpaquePageExt implements PageTagRefs {
  readonly kind = 'page_ext' as const;
  constructor(private readonly inner: PageExtTagRefs) {}
  get bytes(): number {
    return this.inner.bytes;
  }
  getPageTagRef(pfn: number, h: PgtagRefHandle): boolean {
    return this.inner.getPageTagRef(pfn, h);
  }
  updatePageTagRef(h: PgtagRefHandle): void {
    this.inner.updatePageTagRef(h);
  }
  putPageTagRef(h: PgtagRefHandle): void {
    this.inner.putPageTagRef(h);
  }
}

const NR_PAGES = 64;

/** A booted kernel whose page hooks run the general get/update/put path (`general`) or the default one. */
function boot(mode: '1' | '1,compressed', general: boolean): { k: TestKernel; tags: AllocTag[] } {
  const k = new TestKernel({ cmdline: [mode], nrPages: NR_PAGES, kernelTags: 8 });
  const mod = k.load('m', 4);
  if (general) {
    if (mode === '1') {
      const pageExt = new SparsePageExt({ nrPages: NR_PAGES, pagesPerSection: 16 });
      pageExt.setup(8);
      pageExt.pageExtInit();
      k.at.setPageTagRefs(new OpaquePageExt(new PageExtTagRefs({ pageExt, printk: k.printk })));
    } else {
      const own = k.at.tagIndex;
      const index: TagIndex = { refToIdx: (r) => own.refToIdx(r), idxToRef: (i) => own.idxToRef(i) };
      const fast = k.at.pageTagRefs as PageFlagsTagRefs;
      const refs = new PageFlagsTagRefs({ flags: k.flags, tagIndex: index, printk: k.printk });
      refs.init(fast.offs, fast.nrBits);
      k.at.setPageTagRefs(refs);
    }
  }
  return { k, tags: [...k.kernelTags, ...mod.tags] };
}

type Op = { kind: 'add' | 'sub' | 'get' | 'clear'; pfn: number; tag: number; nr: number };

const op = fc.record({
  kind: fc.constantFrom('add', 'sub', 'get', 'clear'),
  pfn: fc.integer({ min: -1, max: NR_PAGES }),
  tag: fc.integer({ min: -1, max: 11 }),
  nr: fc.integer({ min: 1, max: 4 }),
}) as fc.Arbitrary<Op>;

function run(k: TestKernel, tags: AllocTag[], ops: Op[]): (number | null)[] {
  const seen: (number | null)[] = [];
  for (const o of ops) {
    if (o.kind === 'add') {
      k.at.current.allocTag = o.tag < 0 ? null : tags[o.tag]!;
      k.at.pgallocTagAdd(o.pfn, k.at.current, o.nr);
    } else if (o.kind === 'sub') k.at.pgallocTagSub(o.pfn, o.nr);
    else if (o.kind === 'clear') k.at.clearPageTagRef(o.pfn);
    else seen.push(k.at.pgallocTagGet(o.pfn)?.address ?? null);
  }
  for (let pfn = 0; pfn < NR_PAGES; pfn++) seen.push(k.at.pgallocTagGet(pfn)?.address ?? null);
  return seen;
}

describe('page hooks: the slot/index fast path equals the general get/update/put path', () => {
  for (const mode of ['1', '1,compressed'] as const) {
    it(`mode ${mode}: same references, counters and messages`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
          const a = boot(mode, false);
          const b = boot(mode, true);
          expect(run(a.k, a.tags, ops)).toEqual(run(b.k, b.tags, ops));
          expect(a.tags.map(allocTagRead)).toEqual(b.tags.map(allocTagRead));
          expect(a.k.log).toEqual(b.k.log);
        }),
        { numRuns: 60 },
      );
    });
  }
});
