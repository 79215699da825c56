/**
 * The in-place write paths (slot store, append, node store, erase inside a leaf and across a
 * leaf end) and the leaf-local iteration, against the reference model, with deterministic
 * counts of the work done (node rebuilds, allocations, leaf steps).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_INDEX, MapleTree } from './index';
import { ModelTree } from './model.test-util';

interface Leaf {
  min: number;
  max: number;
  /** the leaf's slots, NULL ones included */
  slots: { s: number; e: number; v: string }[];
}

/** The leaves of a tree, in index order, read from its dump (lib/maple_tree.c: mt_dump()). */
function leavesOf(t: MapleTree<number>): Leaf[] {
  const out: Leaf[] = [];
  for (const line of t.dump().split('\n')) {
    const leaf = /^\s*leaf \d+ \[(\d+), (\d+)\]/.exec(line);
    if (leaf) {
      out.push({ min: Number(leaf[1]), max: Number(leaf[2]), slots: [] });
      continue;
    }
    const slot = /^\s*\[(\d+), (\d+)\] (.*)$/.exec(line);
    if (slot && out.length > 0) {
      out[out.length - 1]!.slots.push({ s: Number(slot[1]), e: Number(slot[2]), v: slot[3]! });
    }
  }
  return out;
}

/** Counts of calls to internal methods of one tree (the write path's rebuilds, node allocations). */
/** The span of `leaf` is now two leaves, each at its minimum occupancy and not ending on NULL. */
function expectSplitInTwo(t: MapleTree<number>, leaf: Leaf): void {
  const after = leavesOf(t).filter((l) => l.min >= leaf.min && l.max <= leaf.max);
  expect(after.length).toBe(2);
  for (const l of after) {
    expect(l.slots.length).toBeGreaterThanOrEqual(7);
    expect(l.slots[l.slots.length - 1]!.v).not.toBe('undefined');
  }
}

function spy(t: MapleTree<number>, names: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  const obj = t as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of names) {
    counts[name] = 0;
    const f = obj[name]!;
    obj[name] = function (this: unknown, ...a: unknown[]) {
      counts[name]!++;
      return f.apply(this, a);
    };
  }
  return counts;
}

function entries(t: MapleTree<number>): string {
  return [...t].map((e) => `${e.index}-${e.last}=${e.value}`).join(' ');
}

function entriesOfModel(m: ModelTree): string {
  return m.ranges.map((r) => `${r.s}-${r.e}=${r.v}`).join(' ');
}

/** n disjoint ranges [k*10, k*10+4] = k stored in the order given, in a tree and the model. */
function build(order: number[], alloc = false): { t: MapleTree<number>; m: ModelTree } {
  const t = new MapleTree<number>({ allocRange: alloc });
  const m = new ModelTree();
  for (const k of order) {
    t.storeRange(k * 10, k * 10 + 4, k);
    m.storeRange(k * 10, k * 10 + 4, k);
  }
  return { t, m };
}

function same(t: MapleTree<number>, m: ModelTree): void {
  t.validate();
  expect(entries(t)).toBe(entriesOfModel(m));
}

const orderArb = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });

describe('in-place writes against the model', () => {
  for (const alloc of [false, true]) {
    it(`overwrite, store inside a slot and stores across leaf boundaries (allocRange: ${alloc})`, () => {
      fc.assert(
        fc.property(
          orderArb(400),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 5 }), fc.nat(99)), {
            minLength: 20,
            maxLength: 60,
          }),
          (order, picks) => {
            const { t, m } = build(order, alloc);
            expect(t.height).toBeGreaterThanOrEqual(2);
            for (const [pick, kind, v] of picks) {
              const leaves = leavesOf(t);
              const leaf = leaves[pick % leaves.length]!;
              const first = leaf.slots[0]!;
              const last = leaf.slots[leaf.slots.length - 1]!;
              let a: number;
              let b: number;
              switch (kind) {
                case 0: // exact overwrite of the leaf's first slot (mas_wr_slot_store)
                  a = first.s;
                  b = first.e;
                  break;
                case 1: // exact overwrite of the leaf's last slot
                  a = last.s;
                  b = last.e;
                  break;
                case 2: // inside the last slot, up to its end (mas_wr_append)
                  a = last.e > last.s ? last.s + 1 : last.s;
                  b = last.e;
                  break;
                case 3: // strictly inside the first slot (mas_wr_node_store, two new pivots)
                  a = first.s + 1 <= first.e - 1 ? first.s + 1 : first.s;
                  b = first.s + 1 <= first.e - 1 ? first.e - 1 : first.e;
                  break;
                case 4: // across the end of the leaf into the next one
                  a = last.s;
                  b = Math.min(MAX_INDEX, leaf.max + 1);
                  break;
                default: // NULL over the last slot of the leaf (a spanning store in the kernel)
                  a = last.s;
                  b = last.e;
                  t.storeRange(a, b, undefined);
                  m.storeRange(a, b, undefined);
                  same(t, m);
                  continue;
              }
              t.storeRange(a, b, v);
              m.storeRange(a, b, v);
              same(t, m);
            }
          },
        ),
        { numRuns: 40 },
      );
    });

    it(`erase at leaf ends and erase that empties a leaf (allocRange: ${alloc})`, () => {
      fc.assert(
        fc.property(orderArb(300), fc.array(fc.nat(), { minLength: 5, maxLength: 20 }), (order, picks) => {
          const { t, m } = build(order, alloc);
          for (const pick of picks) {
            const leaves = leavesOf(t);
            const leaf = leaves[pick % leaves.length]!;
            const values = leaf.slots.filter((x) => x.v !== 'undefined');
            // The last entry first (its NULL merges with the next leaf), then the rest in an
            // order given by the pick, until the leaf's range holds no value at all.
            const targets = values.reverse();
            if ((pick & 1) === 1) targets.reverse();
            for (const x of targets) {
              expect(t.erase(x.s)).toBe(m.erase(x.s));
              same(t, m);
            }
            for (const x of leaf.slots) expect(t.load(x.s)).toBeUndefined();
          }
        }),
        { numRuns: 30 },
      );
    });
  }

  it('erase through a state goes the same way and leaves the state on the merged NULL range', () => {
    const { t, m } = build([...Array(200).keys()]);
    const mas = t.state(0);
    for (const k of [7, 8, 100, 199, 0, 55]) {
      mas.set(k * 10 + 2);
      expect(mas.erase()).toBe(m.erase(k * 10 + 2));
      same(t, m);
      const empty = m.slots().find((x) => x.s <= k * 10 + 2 && k * 10 + 2 <= x.e)!;
      expect([mas.index, mas.last]).toEqual([empty.s, empty.e]);
      expect(mas.status).toBe('active');
    }
  });
});

describe('trees share their write scratch', () => {
  it('writes to two trees in turn (each write may follow the path the other just recorded)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat(3000), fc.nat(6), fc.option(fc.nat(99), { nil: undefined })), {
          minLength: 200,
          maxLength: 600,
        }),
        (ops) => {
          const trees = [new MapleTree<number>(), new MapleTree<number>({ allocRange: true })];
          const models = [new ModelTree(), new ModelTree()];
          for (const [which, a, len, v] of ops) {
            const i = which ? 1 : 0;
            // Two writes close together in the same tree, the second one able to reuse the path.
            trees[i]!.storeRange(a, a + len, v);
            models[i]!.storeRange(a, a + len, v);
            trees[1 - i]!.erase(a);
            models[1 - i]!.erase(a);
            trees[i]!.storeRange(a + len + 1, a + len + 2, 7);
            models[i]!.storeRange(a + len + 1, a + len + 2, 7);
          }
          for (let i = 0; i < 2; i++) same(trees[i]!, models[i]!);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('leaf splits from the leaf (mas_split() with room in the parent)', () => {
  it('stores that overflow a leaf at any slot, cutting NULL or value slots, match the model', () => {
    fc.assert(
      fc.property(
        orderArb(300),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.nat(99)), {
          minLength: 30,
          maxLength: 120,
        }),
        (order, picks) => {
          const { t, m } = build(order);
          const counts = spy(t, ['splitLeaf', 'splitAppend', 'rebuild']);
          let fullStores = 0;
          for (const [pick, kind, v] of picks) {
            // A full leaf (16 slots) when there is one, so that the store overflows it.
            const leaves = leavesOf(t);
            const full = leaves.filter((l) => l.slots.length === 16);
            const pool = full.length > 0 ? full : leaves;
            const leaf = pool[pick % pool.length]!;
            if (leaf.slots.length === 16) fullStores++;
            const slot = leaf.slots[(pick >> 3) % leaf.slots.length]!;
            const inner = slot.e - slot.s >= 2;
            let a = slot.s;
            let b = slot.e;
            if (kind === 0 && inner) {
              a = slot.s + 1; // strictly inside: three pieces
              b = slot.e - 1;
            } else if (kind === 1 && inner)
              b = slot.s; // at the start: two pieces
            else if (kind === 2 && inner)
              a = slot.e; // at the end: two pieces
            else if (kind === 3 && slot.s === leaf.min && inner) b = slot.s + 1;
            t.storeRange(a, b, v);
            m.storeRange(a, b, v);
            same(t, m);
          }
          // Most overflowing stores split in place; a full parent still takes the rebuild.
          if (fullStores > 10) expect(counts.splitLeaf).toBeGreaterThan(counts.rebuild!);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a store into a NULL slot of a full leaf splits it without a rebuild and one new leaf', () => {
    // Ranges [k*10, k*10+4] in ascending order: leaves of 15 slots after the appends; a store
    // at the start of a NULL slot fills one to 16 in place, the next store overflows it.
    const { t, m } = build([...Array(400).keys()]);
    const leaf = leavesOf(t).find((l) => l.slots.length === 15 && l.max !== MAX_INDEX)!;
    const gaps = leaf.slots.filter((x) => x.v === 'undefined');
    const counts = spy(t, ['splitLeaf', 'rebuild', 'allocNode']);
    t.storeRange(gaps[0]!.s, gaps[0]!.s, 6);
    m.storeRange(gaps[0]!.s, gaps[0]!.s, 6);
    expect(counts).toEqual({ splitLeaf: 0, rebuild: 0, allocNode: 0 });
    t.storeRange(gaps[3]!.s + 1, gaps[3]!.s + 1, 7);
    m.storeRange(gaps[3]!.s + 1, gaps[3]!.s + 1, 7);
    expect(counts).toEqual({ splitLeaf: 1, rebuild: 0, allocNode: 1 });
    same(t, m);
    expectSplitInTwo(t, leaf);
  });

  it('a full leaf under a full parent splits from the leaf, the parent splits in place', () => {
    // Ascending appends leave leaves of 14 slots under parents of 15 children. A split of one
    // leaf fills the second parent; then a leaf of it (its first, a middle or its last child)
    // is filled to 16 slots in place and overflowed by the next store.
    type Inner = { childAt(id: number, k: number): number; endOf(id: number): number };
    const leafById = (t: MapleTree<number>): Map<number, Leaf> => {
      const ids: number[] = [];
      for (const line of t.dump().split('\n')) {
        const hit = /^\s*leaf (\d+) \[/.exec(line);
        if (hit) ids.push(Number(hit[1]));
      }
      const map = new Map<number, Leaf>();
      const leaves = leavesOf(t);
      for (let i = 0; i < leaves.length; i++) map.set(ids[i]!, leaves[i]!);
      return map;
    };
    // A store strictly inside the first NULL slot of a leaf: three pieces, two slots more.
    const cut = (t: MapleTree<number>, m: ModelTree, leaf: Leaf, nth: number, v: number) => {
      const gap = leaf.slots.filter((x) => x.v === 'undefined' && x.e - x.s >= 2)[nth]!;
      t.storeRange(gap.s + 1, gap.s + 1, v);
      m.storeRange(gap.s + 1, gap.s + 1, v);
    };
    for (const [before, target] of [
      [5, 0],
      [5, 8],
      [5, 15],
    ] as const) {
      const { t, m } = build([...Array(1000).keys()]);
      const inner = t as unknown as Inner;
      const parent = t.parentOf([...leafById(t).keys()][20]!);
      expect(inner.endOf(parent)).toBe(14);
      let leaves = leafById(t);
      const first = leaves.get(inner.childAt(parent, before))!;
      cut(t, m, first, 0, 1);
      cut(t, m, first, 1, 2);
      expect(inner.endOf(parent)).toBe(15);
      leaves = leafById(t);
      const leaf = leaves.get(inner.childAt(parent, target))!;
      expect(leaf.slots.length).toBe(14);
      expect(leaf.max).not.toBe(MAX_INDEX);
      const counts = spy(t, ['splitLeaf', 'splitParent', 'rebuild']);
      cut(t, m, leaf, 0, 3);
      expect(counts).toEqual({ splitLeaf: 0, splitParent: 0, rebuild: 0 });
      cut(t, m, leaf, 2, 4);
      // Its siblings are full too (no push) and the root has room: no rebuild (splitParent()).
      expect(counts).toEqual({ splitLeaf: 1, splitParent: 1, rebuild: 0 });
      same(t, m);
      expectSplitInTwo(t, leaf);
    }
  });

  it('appends keep the left leaf full and move only the trailing NULL', () => {
    const t = new MapleTree<number>();
    const m = new ModelTree();
    const counts = spy(t, ['splitAppend', 'splitLeaf', 'rebuild']);
    for (let i = 0; i < 2000; i++) {
      t.storeRange(i * 10, i * 10 + 9, i);
      m.storeRange(i * 10, i * 10 + 9, i);
    }
    same(t, m);
    expect(counts.splitAppend).toBeGreaterThan(100);
    expect(counts.splitLeaf).toBe(0);
    for (const l of leavesOf(t).slice(0, -1)) expect(l.slots.length).toBe(15);
  });
});

describe('appends in place (mas_wr_append())', () => {
  for (const alloc of [false, true]) {
    it(`appends of any length, after a gap or not, up to the last index, match the model (allocRange: ${alloc})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 })), {
            minLength: 1,
            maxLength: 200,
          }),
          fc.integer({ min: 0, max: 50 }),
          (steps, start) => {
            const t = new MapleTree<number>({ allocRange: alloc });
            const m = new ModelTree();
            let next = start;
            let v = 0;
            for (const [kind, len] of steps) {
              // 0, 1: right after the last range (the trailing NULL's start); 2: after a gap;
              // 3: through the last index (the trailing NULL goes).
              if (kind === 2) next += 1 + (len % 5);
              const last = kind === 3 ? MAX_INDEX - (len & 1) : next + len;
              t.storeRange(next, last, v);
              m.storeRange(next, last, v);
              v++;
              same(t, m);
              if (last >= MAX_INDEX - 1) break;
              next = last + 1;
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('appends that split the rightmost leaf reuse freed leaves (their old cells) and match the model', () => {
    fc.assert(
      fc.property(
        fc.nat(2999),
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 1, max: 300 }),
        (at, len, more) => {
          const t = new MapleTree<number>();
          const m = new ModelTree();
          for (let i = 0; i < 3000; i++) {
            t.storeRange(i * 10, i * 10 + 9, i);
            m.storeRange(i * 10, i * 10 + 9, i);
          }
          // A NULL store over many ranges frees leaves; the appends then take their ids.
          const end = Math.min(2999, at + len) * 10 + 9;
          t.storeRange(at * 10, end, undefined);
          m.storeRange(at * 10, end, undefined);
          const counts = spy(t, ['splitAppend']);
          for (let i = 3000; i < 3000 + more; i++) {
            t.storeRange(i * 10, i * 10 + 9, i);
            m.storeRange(i * 10, i * 10 + 9, i);
          }
          same(t, m);
          if (more > 40) expect(counts.splitAppend).toBeGreaterThan(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('an append into the rightmost leaf with room is done without the general rewrite, in a tree of any height', () => {
    for (const n of [1, 14, 15, 16, 17, 300, 5000]) {
      const t = new MapleTree<number>();
      const m = new ModelTree();
      for (let i = 0; i < n; i++) {
        t.storeRange(i * 10, i * 10 + 9, i);
        m.storeRange(i * 10, i * 10 + 9, i);
      }
      const counts = spy(t, ['rewriteLeafInPlace', 'splitAppend', 'rebuild', 'allocNode']);
      let appends = 0;
      for (let i = n; i < n + 40; i++) {
        const before = leavesOf(t).pop()!.slots.length;
        t.storeRange(i * 10, i * 10 + 9, i);
        m.storeRange(i * 10, i * 10 + 9, i);
        if (before < 16) appends++;
        same(t, m);
      }
      expect(appends).toBeGreaterThan(30);
      // Only a store that walks (after a rebuild of the root leaf, or the first one into a
      // one-leaf tree) takes the general in-leaf rewrite.
      expect(counts.rewriteLeafInPlace).toBeLessThanOrEqual(n <= 16 ? 2 : 0);
      expect(counts.rebuild).toBeLessThanOrEqual(n <= 16 ? 1 : 0);
      expect(counts.allocNode).toBeLessThanOrEqual(counts.splitAppend! + (n <= 16 ? 2 : 0));
      // Another tree's write in between: the recorded path is that tree's, this one walks again.
      const other = new MapleTree<number>();
      other.storeRange(0, 5, 1);
      t.storeRange((n + 40) * 10, (n + 40) * 10 + 9, 1);
      m.storeRange((n + 40) * 10, (n + 40) * 10 + 9, 1);
      same(t, m);
    }
  });
});

describe('appends meeting a full rightmost parent split up the right edge in place', () => {
  it('give the tree the general rebuild gives, through growing heights, erases and stores in between', () => {
    // The twin tree takes the general rebuild for the same writes (splitAppendUp() refused):
    // both dumps (node ids included) must agree, and both must match the model.
    const taken = { inPlace: 0, alloc: 0, pushLeaves: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 4000 }),
        fc.integer({ min: 0, max: 30 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, churn, alloc, pushLeaves, seed) => {
          const t = new MapleTree<number>({ allocRange: alloc });
          const twin = new MapleTree<number>({ allocRange: alloc });
          const m = new ModelTree();
          t.pushLeaves = pushLeaves;
          twin.pushLeaves = pushLeaves;
          const counts = spy(t, []);
          const obj = t as unknown as Record<string, (...a: unknown[]) => unknown>;
          const up = obj.splitAppendUp!;
          counts.up = 0;
          obj.splitAppendUp = function (this: unknown, ...a: unknown[]) {
            const done = up.apply(this, a);
            if (done) counts.up!++;
            return done;
          };
          (twin as unknown as Record<string, unknown>).splitAppendUp = () => false;
          let r = seed;
          const rnd = (k: number): number => {
            r = (r * 1103515245 + 12345) % 2147483648;
            return Math.floor((r / 2147483648) * k);
          };
          let next = 0;
          const put = (a: number, b: number, v: number | undefined): void => {
            t.storeRange(a, b, v);
            twin.storeRange(a, b, v);
            m.storeRange(a, b, v);
          };
          for (let i = 0; i < n; i++) {
            const x = rnd(1000);
            if (x < churn && next > 0) {
              const a = rnd(next);
              put(a, a + rnd(40), undefined);
            } else if (x < 2 * churn && next > 0) {
              const a = rnd(next);
              put(a, a + rnd(30), i);
            } else {
              const a = next + (rnd(10) === 0 ? 1 + rnd(4) : 0);
              next = a + 1 + rnd(12);
              put(a, next - 1, i);
            }
            if (next > 0 && rnd(60) === 0) expect(t.dump()).toBe(twin.dump());
          }
          same(t, m);
          expect(t.dump()).toBe(twin.dump());
          if (alloc) taken.alloc += counts.up!;
          else if (pushLeaves) taken.pushLeaves += counts.up!;
          else taken.inPlace += counts.up!;
        },
      ),
      { numRuns: 40 },
    );
    // Allocation trees (gaps) and pushed leaves keep the general rebuild.
    expect(taken.alloc + taken.pushLeaves).toBe(0);
    expect(taken.inPlace).toBeGreaterThan(20);
  });

  it('grow a tree of ascending adjacent ranges by levels without rebuild()', () => {
    const t = new MapleTree<number>();
    const counts = spy(t, ['rebuild', 'splitAppendUp']);
    const n = 8000;
    for (let i = 0; i < n; i++) t.storeRange(i * 10, i * 10 + 9, i);
    t.validate();
    expect(entries(t)).toBe([...Array(n).keys()].map((i) => `${i * 10}-${i * 10 + 9}=${i}`).join(' '));
    expect(t.height).toBe(4);
    // The root leaf's first split is the one rebuild() (the leaf has no parent).
    expect(counts.rebuild).toBe(1);
    expect(counts.splitAppendUp).toBeGreaterThan(30);
  });
});

describe('in-place writes do not rebuild nodes', () => {
  it('overwriting every range exactly touches no node structure (slot store)', () => {
    const order = [...Array(3000).keys()].sort((a, b) => ((a * 7919) % 3001) - ((b * 7919) % 3001));
    const { t, m } = build(order);
    const counts = spy(t, ['rebuild', 'allocNode', 'freeNode']);
    for (const k of order) {
      t.storeRange(k * 10, k * 10 + 4, k + 1);
      m.storeRange(k * 10, k * 10 + 4, k + 1);
    }
    expect(counts).toEqual({ rebuild: 0, allocNode: 0, freeNode: 0 });
    same(t, m);
  });

  it('stores cutting a slot of a leaf with room, at any slot and up to a full leaf, are done in place', () => {
    fc.assert(
      fc.property(
        orderArb(200),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 }), fc.nat(99)), {
          minLength: 20,
          maxLength: 80,
        }),
        (order, picks) => {
          const { t, m } = build(order);
          const counts = spy(t, ['splitLeaf', 'rebuild', 'allocNode']);
          for (const [pick, at, kind, v] of picks) {
            // A leaf with room for the two or three pieces; any slot, the first and last too.
            const leaves = leavesOf(t).filter((l) => l.slots.length <= 14);
            if (leaves.length === 0) break;
            const leaf = leaves[pick % leaves.length]!;
            const slot = leaf.slots[at % leaf.slots.length]!;
            if (slot.e - slot.s < 2) continue;
            let a = slot.s + 1;
            let b = slot.e - 1; // strictly inside: three pieces
            if (kind === 1) {
              a = slot.s; // at the start: two pieces
              b = slot.s;
            } else if (kind === 2) {
              a = slot.e; // at the end: two pieces
              b = slot.e;
            }
            t.storeRange(a, b, v);
            m.storeRange(a, b, v);
            same(t, m);
          }
          expect(counts).toEqual({ splitLeaf: 0, rebuild: 0, allocNode: 0 });
        },
      ),
      { numRuns: 40 },
    );
  });

  for (const alloc of [false, true]) {
    it(`a store that fills exactly any slot, first and last of a leaf and NULL ones too, changes only that slot (allocRange: ${alloc})`, () => {
      const order = [...Array(700).keys()].sort((a, b) => ((a * 7919) % 701) - ((b * 7919) % 701));
      const { t, m } = build(order, alloc);
      const other = new MapleTree<number>();
      other.storeRange(0, 9, 0);
      other.storeRange(10, 19, 0);
      let v = 1000;
      for (const leaf of leavesOf(t)) {
        for (const slot of leaf.slots) {
          if (slot.e === MAX_INDEX) continue;
          // Another tree's write first, so that the store walks (not the same-leaf path).
          other.storeRange(20, 29, v);
          const counts = spy(t, ['rebuild', 'rewriteLeafInPlace', 'allocNode']);
          t.storeRange(slot.s, slot.e, v);
          m.storeRange(slot.s, slot.e, v);
          v++;
          expect(counts).toEqual({ rebuild: 0, rewriteLeafInPlace: 0, allocNode: 0 });
          delete (t as unknown as Record<string, unknown>).rebuild;
          delete (t as unknown as Record<string, unknown>).rewriteLeafInPlace;
          delete (t as unknown as Record<string, unknown>).allocNode;
        }
      }
      same(t, m);
      // The path recorded by a slot store serves the next write in the same leaf.
      const leaf = leavesOf(t)[3]!;
      t.storeRange(leaf.slots[1]!.s, leaf.slots[1]!.e, 1);
      m.storeRange(leaf.slots[1]!.s, leaf.slots[1]!.e, 1);
      t.storeRange(leaf.slots[2]!.s, leaf.slots[2]!.s, 2);
      m.storeRange(leaf.slots[2]!.s, leaf.slots[2]!.s, 2);
      same(t, m);
    });
  }

  it('a store into a NULL slot of a leaf with room is done in place', () => {
    const { t, m } = build([0, 2, 4, 6]);
    const counts = spy(t, ['rebuild', 'allocNode']);
    t.storeRange(12, 14, 1);
    m.storeRange(12, 14, 1);
    expect(counts).toEqual({ rebuild: 0, allocNode: 0 });
    same(t, m);
  });

  it('erasing inside a leaf that keeps its minimum, and its last entry into the next leaf, rebuilds nothing', () => {
    const { t, m } = build([...Array(2000).keys()]);
    const counts = spy(t, ['rebuild', 'allocNode', 'freeNode']);
    let erased = 0;
    for (const leaf of leavesOf(t)) {
      if (leaf.max === MAX_INDEX || leaf.slots.length < 9) continue;
      const values = leaf.slots.filter((x) => x.v !== 'undefined');
      const nextLeafStartsNull = t.load(leaf.max + 1) === undefined;
      // The last entry (its NULL joins the next leaf's first slot), then one in the middle.
      if (nextLeafStartsNull) {
        const lastEntry = values[values.length - 1]!;
        expect(t.erase(lastEntry.s)).toBe(m.erase(lastEntry.s));
        erased++;
      }
      if (leaf.slots.length - 2 >= 9) {
        const mid = values[1]!;
        expect(t.erase(mid.s)).toBe(m.erase(mid.s));
        erased++;
      }
    }
    expect(erased).toBeGreaterThan(50);
    expect(counts).toEqual({ rebuild: 0, allocNode: 0, freeNode: 0 });
    same(t, m);
  });

  it('erasing the last entry of a leaf hands its NULL to the next leaf, also when that starts with a value', () => {
    // Adjacent ranges: every leaf is full of values, so the next leaf always starts with one.
    const t = new MapleTree<number>();
    const m = new ModelTree();
    for (let i = 0; i < 3000; i++) {
      t.storeRange(i * 10, i * 10 + 9, i);
      m.storeRange(i * 10, i * 10 + 9, i);
    }
    const counts = spy(t, ['rebuild', 'allocNode', 'freeNode']);
    let erased = 0;
    const leaves = leavesOf(t);
    for (let i = 0; i + 1 < leaves.length; i++) {
      const leaf = leaves[i]!;
      // The next leaf needs room for the NULL (a full one takes the rebuild).
      if (leaf.slots.length < 8 || leaves[i + 1]!.slots.length === 16) continue;
      const last = leaf.slots[leaf.slots.length - 1]!;
      expect(t.erase(last.s)).toBe(m.erase(last.s));
      erased++;
    }
    expect(erased).toBeGreaterThan(100);
    expect(counts).toEqual({ rebuild: 0, allocNode: 0, freeNode: 0 });
    same(t, m);
    // The next leaves now start with the NULLs; erasing their first values merges into them.
    for (const leaf of leavesOf(t).slice(1, 40)) {
      const firstValue = leaf.slots.find((x) => x.v !== 'undefined')!;
      expect(t.erase(firstValue.s)).toBe(m.erase(firstValue.s));
      same(t, m);
    }
  });

  it('random erases in trees without gaps, against the model', () => {
    let handedOverAll = 0;
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 1500 }), orderArb(1500), (n, shuffled) => {
        const order = shuffled.filter((k) => k < n);
        const t = new MapleTree<number>();
        const m = new ModelTree();
        for (let i = 0; i < n; i++) {
          t.storeRange(i * 10, i * 10 + 9, i);
          m.storeRange(i * 10, i * 10 + 9, i);
        }
        // Erases of a leaf's last entry done in place (the method returns true).
        let handedOver = 0;
        const obj = t as unknown as Record<string, (...a: unknown[]) => unknown>;
        const eraseLastEntry = obj.eraseLastEntry!;
        obj.eraseLastEntry = function (this: unknown, ...a: unknown[]) {
          const done = eraseLastEntry.apply(this, a);
          if (done === true) handedOver++;
          return done;
        };
        for (const k of order.slice(0, n >> 1)) {
          expect(t.erase(k * 10 + 3)).toBe(m.erase(k * 10 + 3));
        }
        same(t, m);
        handedOverAll += handedOver;
      }),
      { numRuns: 25 },
    );
    // Taken over the runs (one run's random erases may not need it).
    expect(handedOverAll).toBeGreaterThan(0);
  });

  it('random erases rebalance short leaves with either sibling in place, against the model', () => {
    // Every path must be taken over the runs; one run of random erases may miss one of them.
    const total = { left: 0, right: 0, lastWithSibling: 0 };
    fc.assert(
      fc.property(orderArb(1200), orderArb(1200), fc.boolean(), (order, victims, gapFree) => {
        const t = new MapleTree<number>();
        const m = new ModelTree();
        for (const k of order) {
          const last = gapFree ? k * 10 + 9 : k * 10 + 4;
          t.storeRange(k * 10, last, k);
          m.storeRange(k * 10, last, k);
        }
        const counts = spy(t, ['rebalanceWithLeft', 'rebalanceRight', 'rebuild']);
        // A short leaf's last entry erased with its right sibling rebalanced in place (true).
        let lastWithSibling = 0;
        const obj = t as unknown as Record<string, (...a: unknown[]) => unknown>;
        const eraseLastWithSibling = obj.eraseLastWithSibling!;
        obj.eraseLastWithSibling = function (this: unknown, ...a: unknown[]) {
          const done = eraseLastWithSibling.apply(this, a);
          if (done === true) lastWithSibling++;
          return done;
        };
        let i = 0;
        for (const k of victims.slice(0, 1000)) {
          expect(t.erase(k * 10 + 1)).toBe(m.erase(k * 10 + 1));
          if (++i % 50 === 0) same(t, m);
        }
        same(t, m);
        total.left += counts.rebalanceWithLeft!;
        total.right += counts.rebalanceRight!;
        total.lastWithSibling += lastWithSibling;
        // Most short leaves rebalance in place; the rest (a parent that would fall short) rebuild.
        expect(counts.rebuild).toBeLessThan(
          counts.rebalanceWithLeft! + counts.rebalanceRight! + lastWithSibling,
        );
      }),
      { numRuns: 15 },
    );
    expect(total.left).toBeGreaterThan(0);
    expect(total.right).toBeGreaterThan(0);
    expect(total.lastWithSibling).toBeGreaterThan(0);
  });

  it('erasing the last entry of a short leaf stays in place when the leaf ends its parent or its merge leaves the parent short', () => {
    // A tree emptied in random order, against the model. A short leaf that is its parent's
    // last child gives its NULL to the next leaf (a cousin) and rebalances with its left
    // sibling; one whose merge with its right sibling leaves the parent short merges, and the
    // parent rebalances in place or rebuilds from its level. Few erases take the general write.
    const total = { withLeft: 0, viaParent: 0, general: 0, erases: 0 };
    fc.assert(
      fc.property(orderArb(3000), orderArb(3000), (order, victims) => {
        const { t, m } = build(order);
        expect(t.height).toBeGreaterThanOrEqual(3);
        const obj = t as unknown as Record<string, (...a: unknown[]) => unknown>;
        const counts = spy(t, ['write']);
        const leftSiblingFits = obj.leftSiblingFits!;
        obj.leftSiblingFits = function (this: unknown, ...a: unknown[]) {
          const sib = leftSiblingFits.apply(this, a) as number;
          if (sib >= 0) total.withLeft++;
          return sib;
        };
        let inLastWithSibling = false;
        const eraseLastWithSibling = obj.eraseLastWithSibling!;
        obj.eraseLastWithSibling = function (this: unknown, ...a: unknown[]) {
          inLastWithSibling = true;
          try {
            return eraseLastWithSibling.apply(this, a);
          } finally {
            inLastWithSibling = false;
          }
        };
        for (const name of ['mergeParent', 'rebuildParents']) {
          const f = obj[name]!;
          obj[name] = function (this: unknown, ...a: unknown[]) {
            if (inLastWithSibling && name === 'mergeParent') total.viaParent++;
            return f.apply(this, a);
          };
        }
        let i = 0;
        for (const k of victims) {
          expect(t.erase(k * 10)).toBe(m.erase(k * 10));
          if (++i % 100 === 0) same(t, m);
        }
        same(t, m);
        expect(t.isEmpty).toBe(true);
        total.general += counts.write!;
        total.erases += victims.length;
      }),
      { numRuns: 12 },
    );
    expect(total.withLeft).toBeGreaterThan(0);
    expect(total.viaParent).toBeGreaterThan(0);
    expect(total.general).toBeLessThan(total.erases / 100);
  });

  it('a short leaf whose halves with its sibling would move nothing is merged, not left ending on NULL', () => {
    // Two leaves under the root, the left one of 8 slots, the right (last) one of 7: an erase
    // leaves the left one with 6; a merge would leave the root one child, and an even share
    // would move no slot (the check of the slot to move must not read outside the sibling).
    const { t, m } = build([47, 190, 314, 402, 528, 693, 975, 10, 20]);
    for (const k of [10, 20, 47]) {
      expect(t.erase(k * 10)).toBe(m.erase(k * 10));
      same(t, m);
    }
  });

  it('a short leaf whose merge leaves its parent short merges in place, the parent rebalances in place or rebuilds', () => {
    let merges = 0;
    fc.assert(
      fc.property(orderArb(1000), orderArb(1000), (order, victims) => {
        const { t, m } = build(order);
        const counts = spy(t, ['mergeRightThenRebuild', 'mergeParent', 'rebuild']);
        let i = 0;
        for (const k of victims) {
          expect(t.erase(k * 10)).toBe(m.erase(k * 10));
          if (++i % 25 === 0) same(t, m);
        }
        same(t, m);
        merges += counts.mergeRightThenRebuild!;
        // Each such merge tries the parent's rebalance in place (mergeParent()), else rebuilds
        // (whose parent level tries it too).
        expect(counts.mergeParent).toBeGreaterThanOrEqual(counts.mergeRightThenRebuild!);
      }),
      { numRuns: 10 },
    );
    // Taken over the runs (one run's random erases may not need it).
    expect(merges).toBeGreaterThan(0);
  });

  it('an erase that leaves a leaf below its minimum rebalances with its right sibling in place', () => {
    for (const alloc of [false, true]) {
      const { t, m } = build([...Array(2000).keys()], alloc);
      const counts = spy(t, ['rebuild', 'rebalanceRight', 'freeNode']);
      const before = leavesOf(t).length;
      // Empty leaves 3 and 4 entry by entry: each falls below its minimum on the way.
      for (const leaf of leavesOf(t).slice(3, 5)) {
        for (const x of leaf.slots.filter((y) => y.v !== 'undefined')) {
          t.erase(x.s);
          m.erase(x.s);
          same(t, m);
        }
      }
      expect(leavesOf(t).length).toBeLessThan(before);
      expect(counts.freeNode).toBeGreaterThan(0);
      if (alloc) {
        // Allocation trees keep their gaps exact through the general rebuild.
        expect(counts.rebalanceRight).toBe(0);
        expect(counts.rebuild).toBeGreaterThan(0);
      } else {
        expect(counts.rebalanceRight).toBeGreaterThan(0);
      }
    }
  });
});

describe('iteration', () => {
  const { t, m } = build([...Array(5000).keys()].reverse());
  const leafCount = leavesOf(t).length;
  // The for..of loops step from a leaf to its parent's next (previous) child themselves; the
  // tree's leaf step (which climbs) is left the steps into and out of a parent's last (first)
  // child, whose far edge the parent may not store.
  const climbs = (): number => {
    const parents = t
      .dump()
      .split('\n')
      .map((line) => /^(\s*)node \d+ \[.*\] end (\d+)/.exec(line))
      .filter((x): x is RegExpExecArray => x !== null && x[1]!.length / 2 === t.height - 2)
      .map((x) => Number(x[2]) + 1);
    expect(parents.length).toBeGreaterThan(2);
    expect(parents.reduce((a, b) => a + b, 0)).toBe(leafCount);
    const n = parents.length - 1 + parents.filter((kids) => kids > 1).length;
    expect(n).toBeLessThan(leafCount / 4);
    return n;
  };

  it('for..of over mas.forEach() refills one result object and steps leaf to leaf by the parent links', () => {
    const mas = t.state(0);
    const it = mas.forEach(MAX_INDEX);
    const r1 = it.next();
    const r2 = it.next();
    expect(r1).toBe(r2);
    expect(r2).toEqual({ done: false, value: 1 });

    const counts = spy(t, ['locate', 'nextLeaf', 'prevLeaf']);
    const seen: string[] = [];
    const fwd = t.state(0);
    for (const v of fwd.forEach(MAX_INDEX)) seen.push(`${fwd.index}-${fwd.last}=${v}`);
    expect(seen.join(' ')).toBe(entriesOfModel(m));
    expect(counts).toEqual({ locate: 1, nextLeaf: climbs(), prevLeaf: 0 });

    counts.locate = 0;
    counts.nextLeaf = 0;
    const back: string[] = [];
    const rev = t.state(MAX_INDEX);
    for (const v of rev.forEachRev(0)) back.push(`${rev.index}-${rev.last}=${v}`);
    expect(back.reverse().join(' ')).toBe(entriesOfModel(m));
    expect(counts).toEqual({ locate: 1, nextLeaf: 0, prevLeaf: climbs() });
  });

  it('for..of over the tree takes the steps of mas.forEach()', () => {
    const counts = spy(t, ['locate', 'nextLeaf']);
    expect(entries(t)).toBe(entriesOfModel(m));
    expect(counts).toEqual({ locate: 1, nextLeaf: climbs() });
  });

  it("the callback forms visit every entry in order, climbing only at the ends of the leaves' grandparents", () => {
    // The loops step from child to child of a leaf's parent, and from a parent to the next
    // (previous) child of the grandparent; only past a grandparent's last child do they climb.
    const level = (depth: number): number =>
      t
        .dump()
        .split('\n')
        .map((line) => /^(\s*)node \d+ \[/.exec(line))
        .filter((x): x is RegExpExecArray => x !== null && x[1]!.length / 2 === depth).length;
    expect(t.height).toBeGreaterThan(3);
    const parents = level(t.height - 2);
    const grandparents = level(t.height - 3);
    expect(grandparents).toBeGreaterThan(2);
    expect(parents).toBeGreaterThan(grandparents);
    const counts = spy(t, ['locate', 'nextLeaf', 'prevLeaf']);
    const seen: string[] = [];
    t.forEachEntry((v, index, last) => {
      seen.push(`${index}-${last}=${v}`);
    });
    expect(seen.join(' ')).toBe(entriesOfModel(m));
    const back: string[] = [];
    t.forEachEntryRev((v, index, last) => {
      back.push(`${index}-${last}=${v}`);
    });
    expect(back.reverse().join(' ')).toBe(entriesOfModel(m));
    expect(counts).toEqual({ locate: 2, nextLeaf: grandparents - 1, prevLeaf: grandparents - 1 });
  });

  it('callback forms: windows, early stop and argument checks', () => {
    fc.assert(
      fc.property(fc.nat(50_100), fc.nat(50_100), fc.nat(40), (x, y, stopAfter) => {
        const first = Math.min(x, y);
        const last = Math.max(x, y);
        const want = m.ranges.filter((r) => r.e >= first && r.s <= last).map((r) => `${r.s}-${r.e}=${r.v}`);
        const got: string[] = [];
        t.forEachEntry(
          (v, index, end) => {
            got.push(`${index}-${end}=${v}`);
          },
          first,
          last,
        );
        expect(got).toEqual(want);
        const gotRev: string[] = [];
        t.forEachEntryRev(
          (v, index, end) => {
            gotRev.push(`${index}-${end}=${v}`);
            return gotRev.length <= stopAfter;
          },
          first,
          last,
        );
        expect(gotRev).toEqual(want.reverse().slice(0, stopAfter + 1));
      }),
      { numRuns: 200 },
    );
    const calls: number[] = [];
    t.forEachEntry((v) => calls.push(v), 30, 20);
    expect(calls).toEqual([]);
    expect(() => t.forEachEntry(() => undefined, -1)).toThrow(/EINVAL/);
    expect(() => t.forEachEntryRev(() => undefined, 0, 2 ** 53)).toThrow(/EINVAL/);
    new MapleTree<number>().forEachEntry((v) => calls.push(v));
    expect(calls).toEqual([]);
  });

  it('callback forms: writes and nested loops inside the callback', () => {
    const { t: w, m: wm } = build([...Array(300).keys()]);
    // Erase every other entry from inside the loop: the walk resumes after the entry reported.
    const seen: number[] = [];
    w.forEachEntry((v, index) => {
      seen.push(v);
      if (v % 2 === 0) {
        w.erase(index);
        wm.erase(index);
      }
    });
    expect(seen).toEqual([...Array(300).keys()]);
    same(w, wm);
    // A store ahead of the walk is seen, one behind it is not.
    const later: number[] = [];
    w.forEachEntry((v, index) => {
      later.push(v);
      if (v === 1) w.storeRange(index + 5, index + 7, 1000);
      if (v === 3) w.storeRange(0, 0, 2000);
    });
    expect(later.slice(0, 4)).toEqual([1, 1000, 3, 5]);
    // A loop nested in the callback uses the same cursor; the outer loop still finishes.
    let inner = 0;
    let outer = 0;
    w.forEachEntry(() => {
      outer++;
      if (outer === 3) w.forEachEntry(() => void inner++);
    });
    expect(inner).toBe(outer);
    let innerRev = 0;
    let outerRev = 0;
    w.forEachEntryRev(() => {
      outerRev++;
      if (outerRev === 3) w.forEachEntryRev(() => void innerRev++);
    });
    expect(innerRev).toBe(outerRev);
  });
});

describe('full parents split or push into a sibling in place (mas_split() of an internal node)', () => {
  type Inner = {
    height: number;
    lNode: Int32Array;
    lSlot: Int32Array;
    endOf(id: number): number;
    splitParent(...a: unknown[]): boolean;
  };
  /** Wraps splitParent(): counts taken splits by the parent's place in the grandparent. */
  const watch = (t: MapleTree<number>, seen: Record<string, number>) => {
    const obj = t as unknown as Inner;
    const f = obj.splitParent;
    let nested = 0;
    obj.splitParent = function (this: Inner, ...a: unknown[]) {
      if (nested > 0) {
        // A full grandparent gaining the split's new node (one level up).
        seen.cascade = (seen.cascade ?? 0) + 1;
        return f.apply(this, a);
      }
      nested++;
      const cascades = seen.cascade ?? 0;
      const g = this.height - 3;
      const gp = g >= 0 ? this.lNode[g]! : -1;
      const gs = g >= 0 ? this.lSlot[g]! : -1;
      const ge = g >= 0 ? this.endOf(gp) : -1;
      const r = f.apply(this, a);
      nested--;
      // A split adds a child to the grandparent; a push into a sibling does not.
      const where = gs === 0 ? 'first' : gs === ge ? 'last' : 'middle';
      // (After a cascade the grandparent itself was split or pushed: the parent was split.)
      const key = !r ? 'declined' : (seen.cascade ?? 0) > cascades || this.endOf(gp) > ge ? where : 'push';
      seen[key] = (seen[key] ?? 0) + 1;
      return r;
    };
  };

  for (const alloc of [false, true]) {
    it(`random stores and erases through full parents match the model (allocRange: ${alloc})`, () => {
      const seen: Record<string, number> = {};
      let grew = 0;
      let pushedLeft = 0;
      let pushedRight = 0;
      fc.assert(
        fc.property(
          orderArb(1500),
          fc.array(fc.tuple(fc.nat(15_000), fc.integer({ min: 0, max: 3 }), fc.nat(99)), {
            minLength: 100,
            maxLength: 300,
          }),
          (order, ops) => {
            const t = new MapleTree<number>({ allocRange: alloc });
            const m = new ModelTree();
            watch(t, seen);
            const pushes = spy(t, ['pushParentLeft', 'pushParentRight']);
            for (const k of order) {
              const h = t.height;
              t.storeRange(k * 10, k * 10 + 4, k);
              m.storeRange(k * 10, k * 10 + 4, k);
              if (t.height > h && h >= 3) grew++;
            }
            same(t, m);
            for (const [a, kind, v] of ops) {
              if (kind === 0) {
                t.erase(a);
                m.erase(a);
              } else {
                // Points and short ranges inside the gaps: leaves fill and split, and so do parents.
                const b = a + (kind === 3 ? 3 : 0);
                t.storeRange(a, b, v);
                m.storeRange(a, b, v);
              }
            }
            same(t, m);
            pushedLeft += pushes.pushParentLeft!;
            pushedRight += pushes.pushParentRight!;
          },
        ),
        { numRuns: 12 },
      );
      // Taken in place: splits (a new node, counted by the parent's slot in the grandparent)
      // and pushes into either sibling (mas_push_data()).
      if (!alloc) {
        expect(pushedLeft).toBeGreaterThan(0);
        expect(pushedRight).toBeGreaterThan(0);
        expect(seen.push).toBeLessThanOrEqual(pushedLeft + pushedRight);
      }
      if (alloc) {
        // Allocation trees keep the general rebuild (their gaps change with the split).
        expect(seen.first ?? 0).toBe(0);
        expect(seen.middle ?? 0).toBe(0);
        expect(seen.last ?? 0).toBe(0);
        expect(seen.push ?? 0).toBe(0);
      } else {
        expect(seen.first).toBeGreaterThan(0);
        expect(seen.middle).toBeGreaterThan(0);
        expect(seen.last).toBeGreaterThan(0);
        expect(seen.declined).toBeGreaterThan(0);
        expect(seen.cascade).toBeGreaterThan(0);
      }
      // Internal nodes full up to the root: the tree grew a level above the parents.
      expect(grew).toBeGreaterThan(0);
    });
  }

  it('ascending stores fill parents to the last child and split them where the kernel cuts', () => {
    // Ranges with a gap between them, stored left to right, then gaps filled right to left:
    // the rightmost parent splits as an append (15 and 2 children), inner ones 9 and 8.
    const t = new MapleTree<number>();
    const m = new ModelTree();
    const seen: Record<string, number> = {};
    watch(t, seen);
    for (let i = 0; i < 4000; i++) {
      t.storeRange(i * 10, i * 10 + 4, i);
      m.storeRange(i * 10, i * 10 + 4, i);
    }
    for (let i = 3999; i >= 0; i -= 3) {
      t.storeRange(i * 10 + 6, i * 10 + 7, -i);
      m.storeRange(i * 10 + 6, i * 10 + 7, -i);
    }
    same(t, m);
    expect((seen.first ?? 0) + (seen.middle ?? 0) + (seen.last ?? 0) + (seen.push ?? 0)).toBeGreaterThan(0);
  });
});

describe('short parents rebalance with their right sibling in place (mas_rebalance() of an internal node)', () => {
  it('random erases that merge leaves under short parents match the model', () => {
    let merged = 0;
    let shared = 0;
    let declined = 0;
    fc.assert(
      fc.property(orderArb(1200), orderArb(1200), (order, eraseOrder) => {
        const { t, m } = build(order);
        type Inner = {
          height: number;
          lNode: Int32Array;
          lSlot: Int32Array;
          endOf(id: number): number;
          childAt(id: number, k: number): number;
          mergeParent(...a: unknown[]): boolean;
        };
        const obj = t as unknown as Inner;
        const f = obj.mergeParent;
        obj.mergeParent = function (this: Inner, ...a: unknown[]) {
          const g = this.height - 3;
          const gp = g >= 0 ? this.lNode[g]! : -1;
          const before = g >= 0 ? this.endOf(gp) : -1;
          const r = f.apply(this, a);
          if (!r) declined++;
          else if (this.endOf(gp) < before) merged++;
          else shared++;
          return r;
        };
        for (let i = 0; i < eraseOrder.length; i++) {
          const k = eraseOrder[i]!;
          t.erase(k * 10);
          m.erase(k * 10);
          if (i % 97 === 0) same(t, m);
        }
        same(t, m);
        expect(t.height).toBe(0);
      }),
      { numRuns: 12 },
    );
    // Both outcomes of the parent's rebalance, and the general rebuild for the rest.
    expect(merged).toBeGreaterThan(0);
    expect(shared).toBeGreaterThan(0);
    expect(declined).toBeGreaterThan(0);
  });

  it('allocation trees keep the general rebuild for short parents', () => {
    const order = [...Array(1500).keys()].map((i) => (i * 7919) % 1500);
    const { t, m } = build(order, true);
    const counts = spy(t, ['rebuild']);
    const obj = t as unknown as { mergeParent(...a: unknown[]): boolean };
    const f = obj.mergeParent;
    let taken = 0;
    obj.mergeParent = function (this: unknown, ...a: unknown[]) {
      const r = f.apply(this, a);
      if (r) taken++;
      return r;
    };
    for (let i = 0; i < 1500; i += 2) {
      const k = order[(i * 31) % 1500]!;
      t.erase(k * 10);
      m.erase(k * 10);
    }
    same(t, m);
    expect(counts.rebuild).toBeGreaterThan(0);
    // Their gaps change with the children: mergeParent() always declines.
    expect(taken).toBe(0);
  });
});
