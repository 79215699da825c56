import { describe, expect, it } from 'vitest';
import { MAX_INDEX, MapleTree, MapleTreeError } from './index';

describe('README examples', () => {
  it('virtual address space allocator', () => {
    const PAGE = 4096;
    const VMALLOC_START = 0xc90000000000;
    const VMALLOC_END = 0xe8ffffffffff;
    const space = new MapleTree<string>({ allocRange: true });
    const a = space.allocRange(16 * PAGE, 'module A', VMALLOC_START, VMALLOC_END);
    const b = space.allocRange(4 * PAGE, 'module B', VMALLOC_START, VMALLOC_END);
    const top = space.allocRangeRev(PAGE, 'guard', VMALLOC_START, VMALLOC_END);
    expect(a).toBe(VMALLOC_START);
    expect(b).toBe(VMALLOC_START + 16 * PAGE);
    expect(top).toBe(VMALLOC_END - PAGE + 1);
    expect(space.erase(a)).toBe('module A');
    const c = space.allocRange(8 * PAGE, 'module C', VMALLOC_START, VMALLOC_END);
    expect(c).toBe(a);
    let code: string | undefined;
    try {
      space.allocRange(VMALLOC_END, 'too big', VMALLOC_START, VMALLOC_END);
    } catch (e) {
      if (e instanceof MapleTreeError) code = e.code;
    }
    expect(code).toBe('EINVAL');
    const mas = space.state(VMALLOC_END);
    const seen: string[] = [];
    for (const owner of mas.forEachRev(0)) {
      seen.push(owner);
      if (owner === 'module B') {
        mas.store('unused');
        break;
      }
    }
    expect(seen).toEqual(['guard', 'module B']);
    expect(space.load(b + 5)).toBe('unused');
    expect(space.find(b, MAX_INDEX)).toEqual({ index: b, last: b + 4 * PAGE - 1, value: 'unused' });
    space.validate();
  });

  it('interval map', () => {
    const owners = new MapleTree<string>();
    owners.storeRange(0, 99, 'kernel');
    owners.storeRange(100, 199, 'user');
    owners.storeRange(150, 159, 'dma');
    expect(owners.load(155)).toBe('dma');
    expect(owners.find(120, MAX_INDEX)).toEqual({ index: 100, last: 149, value: 'user' });
    owners.store(40, undefined);
    expect(owners.erase(160)).toBe('user');
    expect([...owners]).toEqual([
      { index: 0, last: 39, value: 'kernel' },
      { index: 41, last: 99, value: 'kernel' },
      { index: 100, last: 149, value: 'user' },
      { index: 150, last: 159, value: 'dma' },
    ]);
    const mas = owners.state(0);
    const ranges: [number, number, string | undefined][] = [];
    for (let v = mas.walk(); mas.status !== 'overflow'; v = mas.nextRange(MAX_INDEX)) {
      ranges.push([mas.index, mas.last, v]);
    }
    expect(ranges).toEqual([
      [0, 39, 'kernel'],
      [40, 40, undefined],
      [41, 99, 'kernel'],
      [100, 149, 'user'],
      [150, 159, 'dma'],
      [160, MAX_INDEX, undefined],
    ]);
  });

  it('iterating fast', () => {
    const tree = new MapleTree<string>();
    tree.storeRange(0x800, 0xfff, 'a');
    tree.storeRange(0x1000, 0x1fff, 'b');
    tree.storeRange(0x3000, 0x3fff, 'c');
    let bytes = 0;
    tree.forEachEntry((_owner, index, last) => {
      bytes += last - index + 1;
    });
    expect(bytes).toBe(0x800 + 0x1000 + 0x1000);
    const seen: string[] = [];
    tree.forEachEntryRev(
      (owner, index) => {
        seen.push(owner);
        return index > 0x1000;
      },
      0,
      0xffff,
    );
    expect(seen).toEqual(['c', 'b']);
  });
});
