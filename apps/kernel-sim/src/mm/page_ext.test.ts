import { SparsePageExt } from '@allocprof/pgalloc-tag';
import { describe, expect, it } from 'vitest';
import { Dmesg } from '../kernel/printk';
import { PageExt } from './page_ext';

describe('page_ext', () => {
  const backing = (log: number[], fail = Number.POSITIVE_INFINITY) => ({
    allocTable: (nr: number, bytes: number): number => {
      log.push(bytes);
      return nr >= fail ? -1 : 1000 + nr * 100;
    },
  });

  it('allocates nothing and prints nothing when no client needs it', () => {
    const d = new Dmesg();
    const ext = new PageExt({ printk: d, nrPages: 1 << 16, pagesPerSection: 1 << 15 });
    let inited = false;
    ext.register({ name: 'page_alloc_tagging', size: 8, need: () => false, init: () => (inited = true) });
    const log: number[] = [];
    expect(ext.init(backing(log))).toBe(0);
    expect(log).toEqual([]);
    expect(ext.allocated).toBe(false);
    expect(ext.bytes).toBe(0);
    expect(inited).toBe(false);
    expect(d.messages()).toEqual([]);
  });

  it('page_alloc_tagging alone: 8-byte entries (no shared flags), one whole table per present section', () => {
    const d = new Dmesg();
    const ext = new PageExt({ printk: d, nrPages: 3 * (1 << 15) + 100, pagesPerSection: 1 << 15 });
    let inited = 0;
    const tagging = {
      name: 'page_alloc_tagging',
      size: 8,
      needSharedFlags: false,
      need: () => true,
      init: () => inited++,
    };
    ext.register(tagging);
    ext.register({ name: 'page_owner', size: 32, needSharedFlags: true, need: () => false });
    const log: number[] = [];
    const total = ext.init(backing(log));
    expect(ext.size).toBe(8);
    expect(tagging).toHaveProperty('offset', 0);
    // init_section_page_ext() sizes every table for PAGES_PER_SECTION pages.
    expect(log).toEqual([8 << 15, 8 << 15, 8 << 15, 8 << 15]);
    expect(total).toBe(4 * (8 << 15));
    expect(d.messages()).toEqual([`allocated ${total} bytes of page_ext`]);
    expect(ext.activeClients).toEqual(['page_alloc_tagging']);
    expect(Array.from(ext.tablePfn)).toEqual([1000, 1100, 1200, 1300]);
    expect(inited).toBe(1);
    expect(() => ext.init(backing(log))).toThrowError(/twice/);
  });

  it('a client with need_shared_flags puts struct page_ext first and the others after it', () => {
    const ext = new PageExt({ printk: new Dmesg(), nrPages: 1 << 16, pagesPerSection: 1 << 15 });
    const tagging: { name: string; size: number; offset?: number } = { name: 'page_alloc_tagging', size: 8 };
    const owner: { name: string; size: number; needSharedFlags: boolean; offset?: number } = {
      name: 'page_owner',
      size: 32,
      needSharedFlags: true,
    };
    ext.register(tagging);
    ext.register(owner);
    ext.init(backing([]));
    expect(ext.size).toBe(8 + 8 + 32);
    expect(tagging.offset).toBe(8);
    expect(owner.offset).toBe(16);
    expect(ext.storage.entrySlots).toBe(6);
  });

  it('reports an allocation failure and panics', () => {
    const d = new Dmesg();
    const ext = new PageExt({ printk: d, nrPages: 1 << 17, pagesPerSection: 1 << 15 });
    ext.register({ name: 'c', size: 8 });
    expect(() => ext.init(backing([], 2))).toThrowError(/Out of memory/);
    expect(d.messages()).toEqual(['page ext allocation failure']);
  });

  it('reaches the tables through mem_section (SPARSEMEM_EXTREME)', () => {
    const ext = new PageExt({
      printk: new Dmesg(),
      nrPages: 1 << 17,
      pagesPerSection: 1 << 15,
      nrSectionRoots: 4096,
    });
    ext.register({ name: 'c', size: 8 });
    ext.init(backing([]));
    const s = ext.storage as SparsePageExt;
    expect(s).toBeInstanceOf(SparsePageExt);
    expect(s.nrSectionRoots).toBe(4096);
    // 4 sections, all in root 0 (128 sections per root).
    expect(s.roots[0]).toBe(0);
    expect(s.roots[1]).toBe(-1);
    const e = s.pageExtGet(3 << 15);
    expect(e).toBe(s.tableStart(3));
    s.pageExtPut(e);
  });

  it('FLATMEM takes one table per node, MAX_ORDER_NR_PAGES aligned', () => {
    const ext = new PageExt({ printk: new Dmesg(), nrPages: 1000, pagesPerSection: 0 });
    ext.register({ name: 'c', size: 8 });
    const log: number[] = [];
    ext.init(backing(log));
    // 1000 pages do not end on a 1024-page boundary: the kernel adds MAX_ORDER_NR_PAGES.
    expect(log).toEqual([(1000 + 1024) * 8]);
  });
});
