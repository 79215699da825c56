import { CodeTagError } from '@allocprof/codetag';
import { describe, expect, it } from 'vitest';
import { TestKernel } from './test-helpers';
import { ALLOC_TAG_SIZE, MODULE_ALLOC_TAG_VMAP_SIZE } from './types';

const area = (k: TestKernel) => k.at.moduleTags!;
const ranges = (k: TestKernel) =>
  area(k)
    .map()
    .filter((r) => r.kind !== 'free')
    .map((r) => `${r.kind === 'module' ? r.module : r.kind}[${r.start},${r.last}]`);

function loadErr(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CodeTagError);
    return (e as CodeTagError).code;
  }
  return 'ok';
}

describe('module tag area creation (lib/alloc_tag.c: alloc_mod_tags_mem())', () => {
  it('reserves 4,000,000 bytes of virtual space with a 977-entry page array and no pages', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const a = area(k);
    expect(a.reserved).toBe(true);
    expect(a.maxPages).toBe(977);
    expect(a.nrPages).toBe(0);
    expect(a.endAddr - a.startAddr).toBe(MODULE_ALLOC_TAG_VMAP_SIZE);
    expect(a.startAddr % 4096).toBe(0);
    expect(k.vmalloc.isMapped(a.startAddr)).toBe(false);
    expect(k.vmalloc.vmallocinfo()).toContain('alloc_mod_tags_mem');
  });

  it('compressed mode rounds start_addr up to a multiple of 40; end_addr stays', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'] });
    const a = area(k);
    expect(a.startAddr % ALLOC_TAG_SIZE).toBe(0);
    expect(a.vm!.addr + MODULE_ALLOC_TAG_VMAP_SIZE).toBe(a.endAddr);
    expect(a.startAddr - a.vm!.addr).toBeLessThan(40);
    expect(k.at.tagIndex.moduleFirst).toBe(a.startAddr);
  });
});

describe('a load/unload timeline (compressed, TAG 40, align 8, prepend 0)', () => {
  it('offsets and sizes exactly', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'], kernelTags: 16 });
    const a = area(k);
    const A = k.load('A', 10);
    expect(k.offsetOf(A)).toBe(0);
    expect(a.size).toBe(400);
    const B = k.load('B', 5);
    expect(k.offsetOf(B)).toBe(400);
    expect(a.size).toBe(600);
    expect(ranges(k)).toEqual(['A[0,399]', 'B[400,599]']);

    k.unload(A);
    expect(ranges(k)).toEqual(['B[400,599]']);
    const C = k.load('C', 8);
    expect(k.offsetOf(C)).toBe(0);
    expect(ranges(k)).toEqual(['C[0,319]', 'B[400,599]']);

    k.alloc(100, B.tags[2]!, 0);
    k.printk.clear();
    k.unload(B);
    expect(k.printk.lines).toEqual([
      { level: 'info', message: 'drivers/B/B.c:12 module B func:B_fn2 has 4096 allocated at module unload' },
    ]);
    expect(ranges(k)).toEqual(['C[0,319]', 'unloaded[400,599]']);

    const D = k.load('D', 3);
    expect(k.offsetOf(D)).toBe(600);
    expect(a.size).toBe(720);
    expect(ranges(k)).toEqual(['C[0,319]', 'unloaded[400,599]', 'D[600,719]']);
    expect(a.cleanups).toBe(0);
    // Pages cover [start, start + 720) from the page-aligned base.
    expect(a.nrPages).toBe(Math.ceil((a.startAddr % 4096) + 720) > 4096 ? 2 : 1);
  });
});

describe('unload with live allocations, free, cleanup, reload', () => {
  it('old copy keeps counting, is invisible, is erased by the next cleanup once its bytes reach 0', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const a = area(k);
    const M = k.load('M', 4);
    const tag = M.tags[1]!;
    k.alloc(7, tag, 2);
    expect(k.at.formatAllocinfo()).toContain('       16384        1 drivers/M/M.c:11 [M] func:M_fn1 \n');
    k.unload(M);
    expect(ranges(k)).toEqual(['unloaded[0,159]']);
    expect(k.at.formatAllocinfo()).not.toContain('[M]');
    expect(k.at.pgallocTagGet(7)).toBe(tag);

    const M2 = k.load('M', 4);
    expect(k.offsetOf(M2)).toBe(160);
    expect(M2.tags[1]).not.toBe(tag);
    k.alloc(8, M2.tags[1]!, 0);
    expect(k.at.formatAllocinfo()).toContain('        4096        1 drivers/M/M.c:11 [M] func:M_fn1 \n');

    k.free(7, 2);
    expect(tag.counters.sumBytes(tag.id)).toBe(0);
    expect(tag.counters.sumCalls(tag.id)).toBe(0);
    expect(ranges(k)).toEqual(['unloaded[0,159]', 'M[160,319]']);

    // Fill the rest of the area so the next search finds no room: cleanup runs once.
    const rest = a.sectionSize - 320;
    const big = k.load('big', Math.floor(rest / ALLOC_TAG_SIZE));
    expect(a.cleanups).toBe(0);
    const counters = k.at.counters.allocated;
    const R = k.load('R', 2);
    expect(a.cleanups).toBe(1);
    expect(k.offsetOf(R)).toBe(0);
    expect(k.at.counters.allocated).toBe(counters - 4 + 2);
    expect(k.at.tagAt(tag.address)).toBe(R.tags[1]);
    expect(tag.id).toBe(0);
    k.unload(big);
  });

  it('no room even after cleanup: ENOMEM, profiling stays on, nothing reserved', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const a = area(k);
    const M = k.load('M', 2);
    k.alloc(3, M.tags[0]!);
    k.unload(M);
    const big = k.load('big', Math.floor((a.sectionSize - 80) / ALLOC_TAG_SIZE));
    const before = ranges(k);
    expect(loadErr(() => k.load('X', 2))).toBe('ENOMEM');
    expect(a.cleanups).toBe(1);
    expect(ranges(k)).toEqual(before);
    expect([k.at.enabled, k.at.support]).toEqual([true, true]);
    k.unload(big);
  });

  it('the larger-gap retry of find_aligned_area: misaligned lowest gap, aligned wider one', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const A = k.load('A', 1, { align: 8, prepend: 4 });
    // prepend 4, align 8: gap at 0, 0 + 4 is misaligned → wider search [0, 40 + 4 + 7) → offset 8.
    expect(k.offsetOf(A)).toBe(8);
    expect(ranges(k)).toEqual(['padding[0,7]', 'A[8,47]']);
    k.unload(A);
    expect(ranges(k)).toEqual([]);
  });

  it('release at load failure (used = false) frees the range and its padding', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const A = k.load('A', 1, { prepend: 16, align: 16 });
    expect(ranges(k)).toEqual(['padding[0,15]', 'A[16,55]']);
    k.codetag.freeModuleSections(A.mod);
    expect(ranges(k)).toEqual([]);
  });

  it('unload of a module with unused tags releases its counters', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const before = k.at.counters.allocated;
    const A = k.load('A', 3);
    expect(k.at.counters.allocated).toBe(before + 3);
    k.unload(A);
    expect(k.at.counters.allocated).toBe(before);
    expect(k.printk.messages.filter((m) => m.includes('module unload'))).toEqual([]);
  });
});

describe('compressed-mode alignment and index limits', () => {
  it('alignment 16: shutdown(true) then the message, load fails EINVAL, file removed', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'] });
    k.printk.clear();
    expect(loadErr(() => k.load('al16', 2, { align: 16 }))).toBe('EINVAL');
    expect(k.printk.lines).toEqual([
      {
        level: 'err',
        message:
          'al16: alignment 16 is incompatible with allocation tag indexing. Memory allocation profiling is disabled!',
      },
    ]);
    expect([k.at.enabled, k.at.support, k.at.allocinfoExists, k.procfsRemoved]).toEqual([
      false,
      false,
      false,
      1,
    ]);
    expect(ranges(k)).toEqual([]);
    // Later modules keep their tags in their own data: support is false.
    const m = k.load('late', 1);
    expect(m.address >= area(k).endAddr || m.address < area(k).startAddr).toBe(true);
  });

  it('alignments 1, 2, 4, 8 pass; prepend is rounded up to a multiple of 40', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'] });
    const mods = [1, 2, 4, 8].map((align) => k.load(`a${align}`, 1, { align }));
    expect(mods.map((m) => k.offsetOf(m))).toEqual([0, 40, 80, 120]);
    const p = k.load('p', 1, { prepend: 3 });
    expect(k.offsetOf(p)).toBe(200);
    expect(ranges(k).slice(-2)).toEqual(['padding[160,199]', 'p[200,239]']);
    expect(
      area(k)
        .map()
        .every((r) => r.start % 40 === 0 && (r.last + 1) % 40 === 0),
    ).toBe(true);
  });

  it('alignment 16 is fine without compression', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    k.load('x', 1, { align: 4 });
    const m = k.load('al16', 2, { align: 16 });
    expect(k.offsetOf(m)).toBe(48);
    expect(k.at.enabled).toBe(true);
  });

  it('too many tags: shutdown(true) then the warning, load succeeds, sysctl stays writable', () => {
    // N = 6: 64 indices; 2 + K (16) + module tags must stay < 64 → at most 45 module tags.
    const k = new TestKernel({ cmdline: ['1,compressed'], n: 6, kernelTags: 16 });
    k.load('ok', 45);
    expect(k.at.enabled).toBe(true);
    k.printk.clear();
    const m = k.load('over', 1);
    expect(k.printk.lines).toEqual([
      {
        level: 'warning',
        message:
          'With module over there are too many tags to fit in 6 page flag bits. Memory allocation profiling is disabled!',
      },
    ]);
    expect([k.at.enabled, k.at.support, k.at.allocinfoExists]).toEqual([false, false, false]);
    expect(k.offsetOf(m)).toBe(45 * 40);
    expect(k.at.sysctl.mode).toBe(0o644);
    k.at.writeSysctl('1');
    expect(k.at.enabled).toBe(true);
  });

  it('too many tags is only checked while the key is on', () => {
    const k = new TestKernel({ cmdline: ['0,compressed'], n: 6, kernelTags: 16 });
    k.load('big', 60);
    expect(k.at.support).toBe(true);
  });
});

describe('population on demand (lib/alloc_tag.c: vm_module_tags_populate(), 6.13)', () => {
  it('grows page by page from the page-aligned base, never shrinks', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const a = area(k);
    k.load('a', 100); // 4000 bytes
    expect(a.nrPages).toBe(1);
    const b = k.load('b', 3); // to 4120
    expect(a.nrPages).toBe(2);
    expect(k.vmalloc.isMapped(a.startAddr + 4100)).toBe(true);
    expect(k.vmalloc.isMapped(a.startAddr + 8192)).toBe(false);
    k.unload(b);
    expect(a.nrPages).toBe(2);
    expect(a.pages).toHaveLength(2);
  });

  it('compressed base not page aligned: pages still cover [start, start + size)', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'] });
    const a = area(k);
    const m = k.load('m', 102);
    const last = m.address + 102 * 40 - 1;
    expect(k.vmalloc.isMapped(last)).toBe(true);
    expect(a.nrPages).toBe(Math.floor(last / 4096) - Math.floor(a.startAddr / 4096) + 1);
  });

  it('a short bulk allocation: all-or-nothing, shutdown(true) then the message, load fails ENOMEM', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const a = area(k);
    k.load('first', 1);
    k.pages.shortfall = 1;
    const allocated = k.pages.allocated;
    k.printk.clear();
    expect(loadErr(() => k.load('grow', 200))).toBe('ENOMEM');
    expect(k.printk.lines).toEqual([
      {
        level: 'err',
        message:
          'Failed to allocate memory for allocation tags in the module grow. Memory allocation profiling is disabled!',
      },
    ]);
    expect(k.pages.freed).toHaveLength(k.pages.allocated - allocated);
    expect(a.nrPages).toBe(1);
    expect([k.at.enabled, k.at.support, k.at.allocinfoExists]).toEqual([false, false, false]);
    // The tree reservation is not undone; the high-water mark stays.
    expect(ranges(k)).toEqual(['first[0,39]', 'grow[40,8039]']);
    expect(a.size).toBe(8040);
  });

  it('reading a tag on an unpopulated page faults', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    expect(() => k.at.memory.tagAt(area(k).startAddr)).toThrow(/unable to handle page fault/);
  });

  it('too many tags and a population failure: two shutdowns, two messages', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'], n: 6, kernelTags: 16 });
    k.pages.shortfall = 1;
    k.printk.clear();
    expect(loadErr(() => k.load('huge', 200))).toBe('ENOMEM');
    expect(k.printk.messages).toEqual([
      'With module huge there are too many tags to fit in 6 page flag bits. Memory allocation profiling is disabled!',
      'Failed to allocate memory for allocation tags in the module huge. Memory allocation profiling is disabled!',
    ]);
  });

  it('maple-tree store failures: nothing stays reserved, the padding is erased again', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    const a = area(k);
    k.load('x', 1);
    a.injectTreeStoreFailure(0);
    expect(loadErr(() => k.load('y', 1))).toBe('ENOMEM');
    expect(ranges(k)).toEqual(['x[0,39]']);
    a.injectTreeStoreFailure(0);
    expect(loadErr(() => k.load('y', 1, { prepend: 8, align: 16 }))).toBe('ENOMEM');
    expect(ranges(k)).toEqual(['x[0,39]']);
    a.injectTreeStoreFailure(1);
    expect(loadErr(() => k.load('y', 1, { prepend: 8, align: 16 }))).toBe('ENOMEM');
    expect(ranges(k)).toEqual(['x[0,39]']);
    expect(a.size).toBe(40);
    expect(k.at.enabled).toBe(true);
    const y = k.load('y', 1, { prepend: 8, align: 16 });
    expect(ranges(k)).toEqual(['x[0,39]', 'padding[40,47]', 'y[48,87]']);
    expect(k.offsetOf(y)).toBe(48);
  });
});
