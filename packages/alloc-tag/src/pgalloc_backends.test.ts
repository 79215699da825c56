import type { PageTagRefs, PgtagRefHandle } from '@allocprof/pgalloc-tag';
import { describe, expect, it } from 'vitest';
import { allocTagRead } from './alloc_tag';
import { NO_PAGE_TAG_REFS } from './pgalloc_hooks';
import { TestKernel } from './test-helpers';

/** A backend of neither pgalloc-tag class: one slot per page in a plain array, every call logged. */
class ArrayTagRefs implements PageTagRefs {
  readonly kind = 'page_ext' as const;
  readonly bytes = 0;
  readonly slots: number[];
  readonly calls: string[] = [];
  constructor(n: number) {
    this.slots = new Array<number>(n).fill(0);
  }
  getPageTagRef(pfn: number, h: PgtagRefHandle): boolean {
    this.calls.push(`get ${pfn}`);
    if (pfn >= this.slots.length) return false;
    h.ref = this.slots[pfn]!;
    h.handle = pfn;
    return true;
  }
  updatePageTagRef(h: PgtagRefHandle): void {
    this.calls.push(`update ${h.handle}`);
    this.slots[h.handle] = h.ref;
  }
  putPageTagRef(h: PgtagRefHandle): void {
    this.calls.push(`put ${h.handle}`);
  }
}

describe('page hooks reach the backend installed by setPageTagRefs()', () => {
  it('another PageTagRefs implementation gets the same get/update/put protocol', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const refs = new ArrayTagRefs(64);
    k.at.setPageTagRefs(refs);
    expect(k.at.pageTagRefs).toBe(refs);
    const t = k.kernelTags[2]!;
    k.alloc(5, t, 1);
    expect(refs.slots[5]).toBe(t.address);
    expect(k.at.pgallocTagGet(5)).toBe(t);
    k.free(5, 1);
    expect(refs.slots[5]).toBe(0);
    expect(allocTagRead(t)).toEqual({ bytes: 0, calls: 0 });
    expect(refs.calls).toEqual([
      'get 5',
      'update 5',
      'put 5',
      'get 5',
      'put 5',
      'get 5',
      'update 5',
      'put 5',
    ]);
    // A page the backend has no reference for: get fails, nothing else is called or charged.
    refs.calls.length = 0;
    k.alloc(100, t);
    expect(refs.calls).toEqual(['get 100']);
    expect(allocTagRead(t)).toEqual({ bytes: 0, calls: 0 });
  });

  it('switching backends: the page_flags and page_ext kernels keep their own storage', () => {
    const ext = new TestKernel({ cmdline: ['1'] });
    const flags = new TestKernel({ cmdline: ['1,compressed'] });
    expect([ext.at.pageTagRefs.kind, flags.at.pageTagRefs.kind]).toEqual(['page_ext', 'page_flags']);
    const a = ext.kernelTags[1]!;
    const b = flags.kernelTags[1]!;
    ext.alloc(7, a);
    flags.alloc(7, b);
    expect([ext.at.pgallocTagGet(7), flags.at.pgallocTagGet(7)]).toEqual([a, b]);
    // Replacing a backend takes effect for the next hook; the old one is no longer reached.
    const other = new ArrayTagRefs(16);
    const old = ext.at.pageTagRefs;
    ext.at.setPageTagRefs(other);
    expect(ext.at.pgallocTagGet(7)).toBeNull();
    ext.at.setPageTagRefs(old);
    expect(ext.at.pgallocTagGet(7)).toBe(a);
  });

  it('before a backend is chosen no page has a reference; a non-backend is refused', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    k.at.setPageTagRefs(NO_PAGE_TAG_REFS);
    const t = k.kernelTags[0]!;
    k.alloc(3, t);
    expect(k.at.pgallocTagGet(3)).toBeNull();
    expect(allocTagRead(t)).toEqual({ bytes: 0, calls: 0 });
    expect(() => k.at.setPageTagRefs({} as PageTagRefs)).toThrow(/not a PageTagRefs/);
    expect(k.at.pageTagRefs).toBe(NO_PAGE_TAG_REFS);
  });

  it('module-area tags are charged and uncharged through the slot index, in both backends', () => {
    for (const mode of ['1', '1,compressed']) {
      const k = new TestKernel({ cmdline: [mode] });
      const m = k.load('mod_a', 3);
      const t = m.tags[2]!;
      k.alloc(9, t, 2);
      expect(k.at.pgallocTagGet(9)).toBe(t);
      expect(allocTagRead(t)).toEqual({ bytes: 4 * 4096, calls: 1 });
      k.free(9, 2);
      expect(allocTagRead(t)).toEqual({ bytes: 0, calls: 0 });
    }
  });
});
