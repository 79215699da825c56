import { describe, expect, it } from 'vitest';
import { MAX_INDEX, MapleTree, MapleTreeCorruptionError, MapleTreeError } from './index';
import { SLAB_MASK, SLAB_SHIFT, STRIDE } from './node';

function entries<T>(t: MapleTree<T>): [number, number, T][] {
  return [...t].map((e) => [e.index, e.last, e.value]);
}

function expectErrno(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(MapleTreeError);
  expect((caught as MapleTreeError).code).toBe(code);
}

describe('data model (lib/maple_tree.c: mas_wr_extend_null(), NULL ranges merged, values never)', () => {
  it('a fresh tree maps everything to NULL', () => {
    const t = new MapleTree<string>();
    expect(t.isEmpty).toBe(true);
    expect(t.load(0)).toBeUndefined();
    expect(t.load(MAX_INDEX)).toBeUndefined();
    expect(entries(t)).toEqual([]);
    t.validate();
  });

  it('MAX_INDEX is 2^53 - 1', () => {
    expect(MAX_INDEX).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('never merges adjacent non-NULL ranges, even with the same value', () => {
    const t = new MapleTree<string>();
    t.storeRange(0, 9, 'x');
    t.storeRange(10, 19, 'x');
    expect(entries(t)).toEqual([
      [0, 9, 'x'],
      [10, 19, 'x'],
    ]);
    t.validate();
  });

  it('splits a range stored over part of it', () => {
    const t = new MapleTree<string>();
    t.storeRange(10, 20, 'a');
    t.storeRange(14, 16, 'b');
    expect(entries(t)).toEqual([
      [10, 13, 'a'],
      [14, 16, 'b'],
      [17, 20, 'a'],
    ]);
  });

  it('a store covering several ranges replaces them and keeps the cut edges', () => {
    const t = new MapleTree<string>();
    t.storeRange(0, 9, 'a');
    t.storeRange(10, 19, 'b');
    t.storeRange(20, 29, 'c');
    t.storeRange(5, 24, 'd');
    expect(entries(t)).toEqual([
      [0, 4, 'a'],
      [5, 24, 'd'],
      [25, 29, 'c'],
    ]);
  });

  it('storing NULL is a partial erase; erase removes the whole range', () => {
    const t = new MapleTree<string>();
    t.storeRange(10, 20, 'a');
    t.store(15, undefined);
    expect(entries(t)).toEqual([
      [10, 14, 'a'],
      [16, 20, 'a'],
    ]);
    expect(t.erase(12)).toBe('a');
    expect(entries(t)).toEqual([[16, 20, 'a']]);
    expect(t.erase(12)).toBeUndefined();
    expect(entries(t)).toEqual([[16, 20, 'a']]);
  });

  it('falsy values other than undefined are real entries', () => {
    const t = new MapleTree<unknown>();
    t.store(1, 0);
    t.store(2, false);
    t.store(3, '');
    t.store(4, null);
    expect(entries(t)).toEqual([
      [1, 1, 0],
      [2, 2, false],
      [3, 3, ''],
      [4, 4, null],
    ]);
    expect(t.isEmpty).toBe(false);
  });

  it('isEmpty after storing NULL everywhere or erasing the last entry', () => {
    const t = new MapleTree<number>();
    t.storeRange(5, 10, 1);
    t.storeRange(0, MAX_INDEX, undefined);
    expect(t.isEmpty).toBe(true);
    t.store(0, 1);
    expect(t.isEmpty).toBe(false);
    expect(t.erase(0)).toBe(1);
    expect(t.isEmpty).toBe(true);
    for (let i = 0; i < 500; i++) t.storeRange(i * 10, i * 10 + 5, i);
    for (let i = 0; i < 500; i++) t.erase(i * 10);
    expect(t.isEmpty).toBe(true);
    t.validate();
  });

  it('stores at the edges of the index space', () => {
    const t = new MapleTree<string>();
    t.store(MAX_INDEX, 'top');
    t.store(0, 'bottom');
    t.storeRange(0, MAX_INDEX, 'all');
    expect(entries(t)).toEqual([[0, MAX_INDEX, 'all']]);
    t.storeRange(1, MAX_INDEX - 1, undefined);
    expect(entries(t)).toEqual([
      [0, 0, 'all'],
      [MAX_INDEX, MAX_INDEX, 'all'],
    ]);
    t.validate();
  });

  it('clear() drops everything', () => {
    const t = new MapleTree<number>({ allocRange: true });
    for (let i = 0; i < 1000; i++) t.store(i * 2, i);
    t.clear();
    expect(t.isEmpty).toBe(true);
    expect(t.load(10)).toBeUndefined();
    t.validate();
    t.store(3, 3);
    expect(entries(t)).toEqual([[3, 3, 3]]);
  });
});

describe('tree operations (mtree_load, mtree_store_range, mtree_insert_range, mtree_erase, mt_find)', () => {
  it('find returns the range containing start, else the next one that begins by max', () => {
    const t = new MapleTree<string>();
    t.storeRange(10, 19, 'a');
    t.storeRange(30, 39, 'b');
    expect(t.find(15, 100)).toEqual({ index: 10, last: 19, value: 'a' });
    expect(t.find(20, 100)).toEqual({ index: 30, last: 39, value: 'b' });
    expect(t.find(20, 30)).toEqual({ index: 30, last: 39, value: 'b' });
    expect(t.find(20, 29)).toBeUndefined();
    expect(t.find(40, MAX_INDEX)).toBeUndefined();
    expect(t.find(50, 40)).toBeUndefined();
  });

  it('insert fails with EEXIST when any index is occupied, changing nothing', () => {
    const t = new MapleTree<string>();
    t.storeRange(10, 19, 'a');
    expectErrno(() => t.insertRange(5, 10, 'b'), 'EEXIST');
    expectErrno(() => t.insertRange(19, 25, 'b'), 'EEXIST');
    expectErrno(() => t.insertRange(0, 100, 'b'), 'EEXIST');
    expectErrno(() => t.insert(12, 'b'), 'EEXIST');
    expect(entries(t)).toEqual([[10, 19, 'a']]);
    t.insertRange(0, 9, 'b');
    t.insert(20, 'c');
    expect(entries(t)).toEqual([
      [0, 9, 'b'],
      [10, 19, 'a'],
      [20, 20, 'c'],
    ]);
  });

  it('rejects bad arguments with EINVAL and changes nothing', () => {
    const t = new MapleTree<string>({ allocRange: true });
    t.storeRange(10, 19, 'a');
    const before = entries(t);
    expectErrno(() => t.storeRange(5, 4, 'x'), 'EINVAL');
    expectErrno(() => t.insertRange(5, 4, 'x'), 'EINVAL');
    expectErrno(() => t.insertRange(30, 40, undefined as unknown as string), 'EINVAL');
    expectErrno(() => t.insertRange(15, 14, undefined as unknown as string), 'EINVAL');
    expectErrno(() => t.store(-1, 'x'), 'EINVAL');
    expectErrno(() => t.store(1.5, 'x'), 'EINVAL');
    expectErrno(() => t.store(MAX_INDEX + 1, 'x'), 'EINVAL');
    expectErrno(() => t.store(Number.NaN, 'x'), 'EINVAL');
    expectErrno(() => t.load(-3), 'EINVAL');
    expectErrno(() => t.erase(0.5), 'EINVAL');
    expectErrno(() => t.find(-1, 5), 'EINVAL');
    expectErrno(() => t.state(-1), 'EINVAL');
    expectErrno(() => t.allocRange(0, 'x', 0, 100), 'EINVAL');
    expectErrno(() => t.allocRange(5, 'x', 100, 0), 'EINVAL');
    expectErrno(() => t.allocRange(50, 'x', 0, 10), 'EINVAL');
    expectErrno(() => t.allocRange(5, undefined as unknown as string, 0, 100), 'EINVAL');
    expect(entries(t)).toEqual(before);
    t.validate();
  });

  it('allocRange needs an allocation tree (EINVAL), EBUSY when no window fits', () => {
    const plain = new MapleTree<string>();
    expectErrno(() => plain.allocRange(1, 'x', 0, 100), 'EINVAL');
    expectErrno(() => plain.allocRangeRev(1, 'x', 0, 100), 'EINVAL');
    expectErrno(() => plain.state().emptyArea(0, 100, 1), 'EINVAL');
    expectErrno(() => plain.state().emptyAreaRev(0, 100, 1), 'EINVAL');
    expect(plain.isEmpty).toBe(true);

    const t = new MapleTree<string>({ allocRange: true });
    t.storeRange(0, 99, 'used');
    expectErrno(() => t.allocRange(1, 'x', 0, 99), 'EBUSY');
    expectErrno(() => t.allocRangeRev(1, 'x', 50, 99), 'EBUSY');
    expect(entries(t)).toEqual([[0, 99, 'used']]);
    expect(t.allocRange(10, 'a', 0, 1000)).toBe(100);
    expect(t.allocRangeRev(10, 'b', 0, 1000)).toBe(991);
    expect(t.allocRange(1, 'c', 0, MAX_INDEX)).toBe(110);
    expect(entries(t)).toEqual([
      [0, 99, 'used'],
      [100, 109, 'a'],
      [110, 110, 'c'],
      [991, 1000, 'b'],
    ]);
    t.validate();
  });

  it('allocation on an empty tree takes the edge of the window', () => {
    const t = new MapleTree<string>({ allocRange: true });
    expect(t.allocRangeRev(16, 'r', 1000, 5000)).toBe(4985);
    const u = new MapleTree<string>({ allocRange: true });
    expect(u.allocRange(16, 'f', 1000, 5000)).toBe(1000);
    const s = new MapleTree<string>({ allocRange: true }).state();
    expect(s.emptyArea(7, 100, 4)).toBe(true);
    expect([s.index, s.last]).toEqual([7, 10]);
    expect(s.emptyAreaRev(7, 100, 4)).toBe(true);
    expect([s.index, s.last]).toEqual([97, 100]);
  });

  it('a tree whose only entry is at 0 allocates from 1', () => {
    const t = new MapleTree<string>({ allocRange: true });
    t.store(0, 'zero');
    expect(t.allocRange(5, 'a', 0, 100)).toBe(1);
  });

  it('iterates ascending as { index, last, value }', () => {
    const t = new MapleTree<number>();
    for (let i = 99; i >= 0; i--) t.storeRange(i * 10, i * 10 + 4, i);
    const got = [...t];
    expect(got).toHaveLength(100);
    expect(got[0]).toEqual({ index: 0, last: 4, value: 0 });
    expect(got[99]).toEqual({ index: 990, last: 994, value: 99 });
    for (let i = 1; i < got.length; i++) expect(got[i]!.index).toBeGreaterThan(got[i - 1]!.last);
  });
});

describe('MapleState worked example (lib/test_maple_tree.c: check_state_handling)', () => {
  function threeRanges(): MapleTree<string> {
    const t = new MapleTree<string>();
    t.storeRange(0x1000, 0x1500, 'p1');
    t.storeRange(0x2000, 0x2500, 'p2');
    t.storeRange(0x3000, 0x3500, 'p3');
    return t;
  }

  it('next/prev with limits, overflow and underflow', () => {
    const t = threeRanges();
    const mas = t.state();
    mas.set(0);
    expect(mas.next(MAX_INDEX)).toBe('p1');
    expect(mas.next(0x2100)).toBe('p2');
    expect(mas.next(0x2999)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([0x2501, 0x2fff]);
    expect(mas.status).toBe('overflow');
    expect(mas.next(MAX_INDEX)).toBe('p3');
    expect(mas.next(MAX_INDEX)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([0x3501, MAX_INDEX]);
    expect(mas.next(MAX_INDEX)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([0x3501, MAX_INDEX]);
    expect(mas.prev(0)).toBe('p3');
  });

  it('prev straddling the limit, then underflow, then next', () => {
    const t = threeRanges();
    const mas = t.state(0x2000);
    expect(mas.walk()).toBe('p2');
    expect(mas.prev(0x1200)).toBe('p1');
    expect(mas.prev(0x1200)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([0x1000, 0x1500]);
    expect(mas.status).toBe('underflow');
    expect(mas.prev(0x100)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([0, 0xfff]);
    expect(mas.next(MAX_INDEX)).toBe('p1');
  });

  it('find after p2 stops on the gap, then continues', () => {
    const t = threeRanges();
    const mas = t.state(0x2000);
    expect(mas.walk()).toBe('p2');
    expect(mas.find(0x2700)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([0x2501, 0x2fff]);
    expect(mas.find(0x5000)).toBe('p3');
  });

  it('singletons: underflow at 0 then find returns 0 again; overflow then prev returns the entry', () => {
    const t = new MapleTree<number>();
    for (let i = 0; i <= 29; i++) t.store(i, i);
    const mas = t.state();
    mas.set(0);
    expect(mas.prev(0)).toBeUndefined();
    expect(mas.status).toBe('underflow');
    expect(mas.find(MAX_INDEX)).toBe(0);

    for (const i of [5, 17, 29]) {
      mas.set(i);
      expect(mas.walk()).toBe(i);
      expect(mas.prev(i)).toBeUndefined();
      expect(mas.next(MAX_INDEX)).toBe(i);
      expect(mas.next(i)).toBeUndefined();
      expect(mas.status).toBe('overflow');
      expect(mas.prev(0)).toBe(i);
    }
  });

  it('facts on [i*10, i*10+5] = i', () => {
    const t = new MapleTree<number>();
    for (let i = 0; i <= 200; i++) t.storeRange(i * 10, i * 10 + 5, i);
    const mas = t.state();
    mas.set(2000);
    expect(mas.walk()).toBe(200);
    expect(mas.next(MAX_INDEX)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([2006, MAX_INDEX]);
    expect(mas.prev(0)).toBe(200);

    mas.set(10);
    expect(mas.walk()).toBe(1);
    expect(mas.prev(0)).toBe(0);
    expect([mas.index, mas.last]).toEqual([0, 5]);
    expect(mas.prev(0)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([0, 5]);

    t.storeRange(0, 5, undefined);
    mas.set(10);
    mas.walk();
    expect(mas.prev(0)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([0, 9]);
    t.validate();
  });

  it('range stepping visits NULL ranges', () => {
    const t = new MapleTree<string>();
    t.storeRange(10, 19, 'A');
    t.storeRange(30, 39, 'B');
    const mas = t.state(0);
    expect(mas.walk()).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([0, 9]);
    const seen: [number, number, string | undefined][] = [];
    for (let i = 0; i < 4; i++) {
      const v = mas.nextRange(MAX_INDEX);
      seen.push([mas.index, mas.last, v]);
    }
    expect(seen).toEqual([
      [10, 19, 'A'],
      [20, 29, undefined],
      [30, 39, 'B'],
      [40, MAX_INDEX, undefined],
    ]);
    expect(mas.nextRange(MAX_INDEX)).toBeUndefined();
    expect([mas.index, mas.last]).toEqual([40, MAX_INDEX]);
    const back: [number, number, string | undefined][] = [];
    for (let i = 0; i < 4; i++) {
      const v = mas.prevRange(0);
      back.push([mas.index, mas.last, v]);
    }
    expect(back).toEqual([
      [30, 39, 'B'],
      [20, 29, undefined],
      [10, 19, 'A'],
      [0, 9, undefined],
    ]);
    expect(mas.prevRange(0)).toBeUndefined();
    expect(mas.status).toBe('underflow');
  });
});

describe('reverse iteration (patch 1: mas_for_each_rev; lib/test_maple_tree.c: check_rev_find)', () => {
  function tens(): MapleTree<number> {
    const t = new MapleTree<number>();
    for (let i = 0; i <= 200; i++) t.storeRange(i * 10, i * 10 + 5, i);
    return t;
  }

  it('check_rev_find facts', () => {
    const t = tens();
    let mas = t.state(1000);
    expect(mas.findRev(1000)).toBe(100);
    expect(mas.findRev(1000)).toBeUndefined();

    mas = t.state(999);
    expect(mas.findRev(997)).toBeUndefined();

    mas = t.state(1000);
    expect([mas.findRev(900), mas.findRev(900), mas.findRev(900)]).toEqual([100, 99, 98]);

    mas = t.state(20);
    expect([mas.findRev(0), mas.findRev(0), mas.findRev(0), mas.findRev(0)]).toEqual([2, 1, 0, undefined]);
  });

  it('forEachRev yields the entry at index, then every earlier one down to min', () => {
    const t = tens();
    expect([...t.state(1003).forEachRev(955)]).toEqual([100, 99, 98, 97, 96, 95]);
    expect([...t.state(1008).forEachRev(0)]).toHaveLength(101);
    const mas = t.state(MAX_INDEX);
    const all = [...mas.forEachRev(0)];
    expect(all[0]).toBe(200);
    expect(all.at(-1)).toBe(0);
    expect(all).toHaveLength(201);
  });

  it('the alloc-tag pattern: scan down, break on the wanted entry, store over it', () => {
    const t = new MapleTree<string>({ allocRange: true });
    t.storeRange(0, 4095, 'mod-a');
    t.storeRange(4096, 8191, 'mod-b');
    t.storeRange(8192, 12287, 'mod-c');
    const size = 16384;
    const mas = t.state(size, size);
    let found: string | undefined;
    for (const v of mas.forEachRev(0)) {
      if (v === 'mod-b') {
        found = v;
        break;
      }
    }
    expect(found).toBe('mod-b');
    expect([mas.index, mas.last]).toEqual([4096, 8191]);
    mas.store('unused');
    expect(t.load(5000)).toBe('unused');
    t.validate();
  });

  it('erasing through the state inside the loop continues below', () => {
    const t = tens();
    const mas = t.state(505);
    const seen: number[] = [];
    for (const v of mas.forEachRev(400)) {
      seen.push(v);
      if (v % 2 === 0) mas.erase();
    }
    expect(seen).toEqual(Array.from({ length: 11 }, (_, i) => 50 - i));
    for (let i = 40; i <= 50; i++) expect(t.load(i * 10)).toBe(i % 2 === 0 ? undefined : i);
    t.validate();
  });

  it('storing through the state inside the loop replaces each entry', () => {
    const t = tens();
    const mas = t.state(2000);
    for (const v of mas.forEachRev(0)) mas.store(v * 2);
    expect([...t].map((e) => e.value)).toEqual(Array.from({ length: 201 }, (_, i) => i * 2));
    t.validate();
  });

  it('pause() after each entry yields the same sequence', () => {
    const t = tens();
    const plain = [...t.state(1500).forEachRev(700)];
    const mas = t.state(1500);
    const paused: number[] = [];
    for (const v of mas.forEachRev(700)) {
      paused.push(v);
      mas.pause();
    }
    expect(paused).toEqual(plain);
  });
});

describe('gap search (lib/test_maple_tree.c: check_empty_area_window)', () => {
  function windowTree(): MapleTree<number> {
    const t = new MapleTree<number>({ allocRange: true });
    for (let i = 1; i <= 20; i++) t.storeRange(i * 10, i * 10 + 9, i);
    t.storeRange(160, 169, undefined);
    t.validate();
    return t;
  }

  it.each([
    [5, 90, 10, null],
    [6, 90, 5, null],
    [5, 90, 5, [5, 9]],
    [5, 217, 9, [161, 169]],
    [100, 218, 3, [216, 218]],
    [100, 218, 16, null],
    [167, 200, 4, null],
    [100, 162, 4, null],
  ])('emptyAreaRev(%i, %i, %i)', (min, max, size, want) => {
    const mas = windowTree().state();
    mas.reset();
    const ok = mas.emptyAreaRev(min, max, size);
    expect(ok).toBe(want !== null);
    if (want) expect([mas.index, mas.last]).toEqual(want);
  });

  it.each([
    [0, 100, 9, [0, 8]],
    [0, 100, 4, [0, 3]],
    [0, 100, 11, null],
    [5, 100, 6, null],
    [100, 163, 6, null],
  ])('emptyArea(%i, %i, %i)', (min, max, size, want) => {
    const mas = windowTree().state();
    const ok = mas.emptyArea(min, max, size);
    expect(ok).toBe(want !== null);
    if (want) expect([mas.index, mas.last]).toEqual(want);
  });

  it('validates in kernel order, all EINVAL', () => {
    const mas = windowTree().state();
    expectErrno(() => mas.emptyArea(0, 8, 10), 'EINVAL');
    expectErrno(() => mas.emptyArea(10, 5, 0), 'EINVAL');
    expectErrno(() => mas.emptyArea(5, 100, 0), 'EINVAL');
    expectErrno(() => mas.emptyAreaRev(5, 8, 5), 'EINVAL');
    expectErrno(() => mas.emptyArea(0, MAX_INDEX + 1, 5), 'EINVAL');
    expectErrno(() => mas.emptyArea(0, 100, 1.5), 'EINVAL');
  });

  it('a found window is where store() writes', () => {
    const t = windowTree();
    const mas = t.state();
    expect(mas.emptyArea(100, 300, 7)).toBe(true);
    mas.store(99);
    expect(t.find(160, 300)).toEqual({ index: 160, last: 166, value: 99 });
    t.validate();
  });

  it('finds the only gap in a large fragmented tree', () => {
    const t = new MapleTree<number>({ allocRange: true });
    for (let i = 0; i < 20000; i++) t.storeRange(i * 4, i * 4 + 2, i);
    t.storeRange(40000, 40019, undefined);
    t.validate();
    expect(t.allocRange(10, -1, 0, 80000)).toBe(39999);
    // [79999, MAX] is cut to 2 indices by the limit, so the rest of the hole wins.
    expect(t.allocRangeRev(5, -2, 0, 80000)).toBe(40015);
    expect(t.allocRangeRev(6, -3, 0, 79990)).toBe(40009);
    expectErrno(() => t.allocRange(2, -4, 0, 79998), 'EBUSY');
    expect(t.allocRange(1, -5, 0, 79998)).toBe(3);
    t.validate();
  });
});

describe('validate() (lib/maple_tree.c: mt_validate)', () => {
  it('stays valid while appends split the rightmost leaf, with stores and erases in between', () => {
    const t = new MapleTree<number>();
    const want = new Map<number, number>();
    for (let i = 0; i < 20000; i++) {
      // Adjacent ranges, each stored at the start of the trailing NULL range.
      t.storeRange(i * 10, i * 10 + 9, i);
      want.set(i * 10, i);
      if (i % 997 === 0) {
        t.validate();
        const j = (i * 7) % (i + 1);
        if (want.has(j * 10)) {
          expect(t.erase(j * 10 + 3)).toBe(j);
          want.delete(j * 10);
        }
      }
    }
    t.validate();
    expect(t.height).toBeGreaterThanOrEqual(4);
    const got = [...t];
    expect(got.length).toBe(want.size);
    for (const e of got)
      expect([e.index, e.last, e.value]).toEqual([e.value * 10, e.value * 10 + 9, want.get(e.index)]);
    expect(t.load(200000)).toBeUndefined();
    expect(t.find(199999, MAX_INDEX)).toEqual({ index: 199990, last: 199999, value: 19999 });
  });

  it('accepts trees of height >= 3 built in many orders', () => {
    for (const alloc of [false, true]) {
      const t = new MapleTree<number>({ allocRange: alloc });
      for (let i = 0; i < 5000; i++) t.storeRange(i * 3, i * 3 + 1, i);
      expect(t.height).toBeGreaterThanOrEqual(3);
      t.validate();
      for (let i = 0; i < 5000; i += 3) t.erase(i * 3);
      t.validate();
      t.storeRange(100, 12000, 7);
      t.validate();
    }
  });

  it('reports a broken pivot without changing the tree', () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 100; i++) t.store(i * 2, i);
    const internals = t as unknown as { pivS: number[][]; root: number };
    const leafPivots = internals.pivS[0]!;
    const saved = leafPivots.slice();
    leafPivots[3] = leafPivots[1]!;
    expect(() => t.validate()).toThrow(MapleTreeCorruptionError);
    expect(leafPivots).toEqual(
      (() => {
        const copy = saved.slice();
        copy[3] = saved[1]!;
        return copy;
      })(),
    );
  });

  it('reports a node that is in use but not in the tree (a leak)', () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 400; i++) t.store(i * 2, i);
    for (let i = 0; i < 300; i++) t.erase(i * 2);
    t.validate();
    // Pool marks live in each node's metadata word (2 = free); node id = slab × 512 + index in it.
    const internals = t as unknown as {
      markOf(id: number): number;
      setMark(id: number, mark: number): void;
      isNodeId(id: number): boolean;
      pivS: number[][];
    };
    let freed = -1;
    for (let id = 0; id < internals.pivS.length << SLAB_SHIFT && freed < 0; id++)
      if (internals.isNodeId(id) && internals.markOf(id) === 2) freed = id;
    expect(freed).toBeGreaterThanOrEqual(0);
    internals.setMark(freed, 0);
    expect(() => t.validate()).toThrow(/in use but not in the tree/);
  });

  it('reports a wrong gap in an allocation tree', () => {
    const t = new MapleTree<number>({ allocRange: true });
    for (let i = 0; i < 300; i++) t.store(i * 2, i);
    const internals = t as unknown as { gapS: number[][]; root: number };
    internals.gapS[internals.root >> SLAB_SHIFT]![(internals.root & SLAB_MASK) * STRIDE] = 1234;
    expect(() => t.validate()).toThrow(/gap/);
  });

  it('reports a broken parent link and a wrong height', () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 300; i++) t.store(i * 2, i);
    const internals = t as unknown as {
      setParentSlot(id: number, slot: number): void;
      kidS: number[][];
      root: number;
      height: number;
    };
    const root = internals.root;
    const child = internals.kidS[root >> SLAB_SHIFT]![(root & SLAB_MASK) * STRIDE]!;
    internals.setParentSlot(child, 3);
    expect(() => t.validate()).toThrow(/points back/);
    internals.setParentSlot(child, 0);
    t.validate();
    internals.height++;
    expect(() => t.validate()).toThrow(MapleTreeCorruptionError);
  });
});

describe('MapleState argument checks', () => {
  it('rejects bad limits and bad assigned fields with EINVAL, tree unchanged', () => {
    const t = new MapleTree<number>();
    t.storeRange(10, 19, 1);
    const mas = t.state(5);
    expectErrno(() => mas.find(-1), 'EINVAL');
    expectErrno(() => mas.findRev(1.5), 'EINVAL');
    expectErrno(() => mas.next(MAX_INDEX + 1), 'EINVAL');
    expectErrno(() => mas.prev(Number.NaN), 'EINVAL');
    expectErrno(() => mas.set(-2), 'EINVAL');
    expectErrno(() => mas.setRange(3, 2.5), 'EINVAL');
    mas.index = -4;
    expectErrno(() => mas.walk(), 'EINVAL');
    expectErrno(() => mas.erase(), 'EINVAL');
    mas.index = 20;
    mas.last = 15;
    expectErrno(() => mas.store(2), 'EINVAL');
    expect([...t]).toEqual([{ index: 10, last: 19, value: 1 }]);
    t.validate();
  });

  it('a state re-walks after the tree was changed through another handle', () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 100; i++) t.storeRange(i * 10, i * 10 + 5, i);
    const mas = t.state(0);
    const seen: number[] = [];
    for (const v of mas.forEach(MAX_INDEX)) {
      seen.push(v);
      // Another handle rewrites the tree under the loop: the loop continues after its entry.
      if (v === 10) for (let i = 11; i < 100; i += 2) t.erase(i * 10);
      if (v === 20) t.storeRange(0, 500, undefined);
    }
    const want = [...Array.from({ length: 11 }, (_, i) => i), 12, 14, 16, 18, 20];
    // [500, 505] = 50 was cut to [501, 505], so it is still there.
    for (let i = 50; i < 100; i += 2) want.push(i);
    expect(seen).toEqual(want);
    t.validate();
  });
});

describe('MapleState store/erase/reset semantics (mas_store, mas_erase, mas_reset, mas_pause)', () => {
  it('erase() leaves index/last on the merged empty range and iteration continues after it', () => {
    const t = new MapleTree<string>();
    t.storeRange(10, 19, 'a');
    t.storeRange(30, 39, 'b');
    const mas = t.state(15);
    expect(mas.erase()).toBe('a');
    expect([mas.index, mas.last]).toEqual([0, 29]);
    expect(mas.find(MAX_INDEX)).toBe('b');
    expect([mas.index, mas.last]).toEqual([30, 39]);
    expect(mas.erase()).toBe('b');
    expect([mas.index, mas.last]).toEqual([0, MAX_INDEX]);
    expect(t.isEmpty).toBe(true);
    expect(mas.erase()).toBeUndefined();
  });

  it('store() of a value keeps index/last; of NULL they become the merged empty range', () => {
    const t = new MapleTree<string>();
    t.storeRange(10, 19, 'a');
    t.storeRange(20, 29, 'b');
    const mas = t.state(0);
    mas.setRange(12, 14);
    mas.store('c');
    expect([mas.index, mas.last, mas.status]).toEqual([12, 14, 'active']);
    mas.setRange(20, 29);
    mas.store(undefined);
    expect([mas.index, mas.last]).toEqual([20, MAX_INDEX]);
    mas.index = 15;
    mas.last = 19;
    mas.store(undefined);
    expect([mas.index, mas.last]).toEqual([15, MAX_INDEX]);
    expect([...t]).toEqual([
      { index: 10, last: 11, value: 'a' },
      { index: 12, last: 14, value: 'c' },
    ]);
    t.validate();
  });

  it('reset() makes the next find a first call again; set() moves and resets', () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 10; i++) t.storeRange(i * 10, i * 10 + 5, i);
    const mas = t.state(20);
    expect(mas.find(MAX_INDEX)).toBe(2);
    expect(mas.find(MAX_INDEX)).toBe(3);
    mas.reset();
    expect(mas.status).toBe('start');
    expect(mas.find(MAX_INDEX)).toBe(3);
    mas.set(71);
    expect(mas.find(MAX_INDEX)).toBe(7);
    mas.set(77);
    expect(mas.find(MAX_INDEX)).toBe(8);
    mas.set(77);
    expect(mas.findRev(0)).toBe(7);
  });

  it('stores and erases inside a forward forEach loop', () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 300; i++) t.storeRange(i * 10, i * 10 + 5, i);
    const mas = t.state(0);
    const seen: number[] = [];
    for (const v of mas.forEach(MAX_INDEX)) {
      seen.push(v);
      if (v % 3 === 0) mas.erase();
      else if (v % 3 === 1) mas.store(-v);
    }
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect([...t].map((e) => e.value)).toEqual(
      Array.from({ length: 300 }, (_, i) => i)
        .filter((i) => i % 3 !== 0)
        .map((i) => (i % 3 === 1 ? -i : i)),
    );
    t.validate();
  });

  it('forEach stops at the entry that straddles max', () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 50; i++) t.storeRange(i * 10, i * 10 + 5, i);
    expect([...t.state(95).forEach(203)]).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect([...t.state(96).forEach(99)]).toEqual([]);
  });
});
