import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_INDEX, type MapleState, MapleTree, MapleTreeError } from './index';
import { ModelState, ModelTree } from './model.test-util';

type Op =
  | { t: 'store'; a: number; len: number; v: number }
  | { t: 'null'; a: number; len: number }
  | { t: 'erase'; i: number }
  | { t: 'insert'; a: number; len: number; v: number }
  | { t: 'alloc'; size: number; min: number; span: number; rev: boolean; v: number }
  | { t: 'area'; size: number; min: number; span: number; rev: boolean }
  | { t: 'cursor'; op: CursorOp; arg: number }
  | { t: 'cursorStore'; v: number | undefined }
  | { t: 'cursorErase' };

type CursorOp =
  | 'find'
  | 'findRev'
  | 'next'
  | 'prev'
  | 'nextRange'
  | 'prevRange'
  | 'findRange'
  | 'findRangeRev'
  | 'walk'
  | 'pause'
  | 'reset'
  | 'set';

const CURSOR_OPS: CursorOp[] = [
  'find',
  'findRev',
  'next',
  'prev',
  'nextRange',
  'prevRange',
  'findRange',
  'findRangeRev',
  'walk',
  'pause',
  'reset',
  'set',
];

/** Mostly small indices (many collisions), sometimes the top of the index space. */
function index(u: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: u - 1 }) },
    { weight: 1, arbitrary: fc.integer({ min: MAX_INDEX - 40, max: MAX_INDEX }) },
  );
}

function opArb(u: number): fc.Arbitrary<Op> {
  const len = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) },
    fc.integer({ min: 0, max: u / 3 }),
  );
  const limit = fc.oneof({ weight: 4, arbitrary: index(u) }, fc.constant(0), fc.constant(MAX_INDEX));
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ t: fc.constant('store' as const), a: index(u), len, v: fc.nat(99) }),
    },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('null' as const), a: index(u), len }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('erase' as const), i: index(u) }) },
    {
      weight: 2,
      arbitrary: fc.record({ t: fc.constant('insert' as const), a: index(u), len, v: fc.nat(99) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('alloc' as const),
        size: fc.integer({ min: 1, max: 12 }),
        min: index(u),
        span: fc.integer({ min: 0, max: u }),
        rev: fc.boolean(),
        v: fc.nat(99),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('area' as const),
        size: fc.integer({ min: 1, max: 12 }),
        min: index(u),
        span: fc.integer({ min: 0, max: u }),
        rev: fc.boolean(),
      }),
    },
    {
      weight: 8,
      arbitrary: fc.record({
        t: fc.constant('cursor' as const),
        op: fc.constantFrom(...CURSOR_OPS),
        arg: limit,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('cursorStore' as const),
        v: fc.option(fc.nat(99), { nil: undefined }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('cursorErase' as const) }) },
  );
}

function errno(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof MapleTreeError) return e.code;
    throw e;
  }
}

function entriesOf(t: MapleTree<number>): string {
  return [...t].map((e) => `${e.index}-${e.last}=${e.value}`).join(' ');
}

function entriesOfModel(m: ModelTree): string {
  return m.ranges.map((r) => `${r.s}-${r.e}=${r.v}`).join(' ');
}

function cursorStep(s: MapleState<number> | ModelState, op: CursorOp, arg: number): number | undefined {
  switch (op) {
    case 'find':
      return s.find(arg);
    case 'findRev':
      return s.findRev(arg);
    case 'next':
      return s.next(arg);
    case 'prev':
      return s.prev(arg);
    case 'nextRange':
      return s instanceof ModelState ? s.next(arg, false) : s.nextRange(arg);
    case 'prevRange':
      return s instanceof ModelState ? s.prev(arg, false) : s.prevRange(arg);
    case 'findRange':
      return s instanceof ModelState ? s.find(arg, false) : s.findRange(arg);
    case 'findRangeRev':
      return s instanceof ModelState ? s.findRev(arg, false) : s.findRangeRev(arg);
    case 'walk':
      return s.walk();
    case 'pause':
      s.pause();
      return undefined;
    case 'reset':
      s.reset();
      return undefined;
    case 'set':
      s.set(arg);
      return undefined;
  }
}

/** Apply one op to tree and model, compare every observable result, validate the tree. */
function step(
  t: MapleTree<number>,
  m: ModelTree,
  mas: MapleState<number>,
  ms: ModelState,
  op: Op,
  full: boolean,
) {
  const last = (a: number, len: number) => Math.min(MAX_INDEX, a + len);
  switch (op.t) {
    case 'store':
      t.storeRange(op.a, last(op.a, op.len), op.v);
      m.storeRange(op.a, last(op.a, op.len), op.v);
      break;
    case 'null':
      t.storeRange(op.a, last(op.a, op.len), undefined);
      m.storeRange(op.a, last(op.a, op.len), undefined);
      break;
    case 'erase':
      expect(t.erase(op.i)).toBe(m.erase(op.i));
      break;
    case 'insert': {
      const b = last(op.a, op.len);
      const free = m.emptyArea(op.a, b, b - op.a + 1, false) === op.a;
      const code = errno(() => t.insertRange(op.a, b, op.v));
      expect(code).toBe(free ? undefined : 'EEXIST');
      if (free) m.storeRange(op.a, b, op.v);
      break;
    }
    case 'alloc':
    case 'area': {
      const max = Math.min(MAX_INDEX, op.min + op.span);
      const invalid = max - op.min < op.size - 1 || !t.allocRangeEnabled;
      const want = invalid ? -1 : m.emptyArea(op.min, max, op.size, op.rev);
      if (op.t === 'alloc') {
        let got = -1;
        const code = errno(() => {
          got = op.rev
            ? t.allocRangeRev(op.size, op.v, op.min, max)
            : t.allocRange(op.size, op.v, op.min, max);
        });
        expect(code).toBe(invalid ? 'EINVAL' : want < 0 ? 'EBUSY' : undefined);
        expect(got).toBe(want);
        if (want >= 0) m.storeRange(want, want + op.size - 1, op.v);
      } else {
        let got: boolean | undefined;
        const code = errno(() => {
          got = op.rev ? mas.emptyAreaRev(op.min, max, op.size) : mas.emptyArea(op.min, max, op.size);
        });
        expect(code).toBe(invalid ? 'EINVAL' : undefined);
        if (!invalid) {
          expect(got).toBe(ms.emptyArea(op.min, max, op.size, op.rev));
          expect([mas.index, mas.last]).toEqual([ms.index, ms.last]);
        }
      }
      break;
    }
    case 'cursor': {
      const got = cursorStep(mas, op.op, op.arg);
      const want = cursorStep(ms, op.op, op.arg);
      expect({ v: got, index: mas.index, last: mas.last, status: mas.status }).toEqual({
        v: want,
        index: ms.index,
        last: ms.last,
        status: ms.status,
      });
      break;
    }
    case 'cursorStore': {
      if (mas.index > mas.last) break;
      mas.store(op.v);
      ms.store(op.v);
      expect([mas.index, mas.last, mas.status]).toEqual([ms.index, ms.last, ms.status]);
      break;
    }
    case 'cursorErase':
      expect(mas.erase()).toBe(ms.erase());
      expect([mas.index, mas.last, mas.status]).toEqual([ms.index, ms.last, ms.status]);
      break;
  }
  t.validate();
  if (full) {
    expect(entriesOf(t)).toBe(entriesOfModel(m));
    expect(t.isEmpty).toBe(m.ranges.length === 0);
  }
}

function runSequence(
  alloc: boolean,
  prefill: Array<[number, number, number]>,
  ops: Op[],
  fullEvery: number,
  pushLeaves = false,
) {
  const t = new MapleTree<number>({ allocRange: alloc });
  // The kernel pushes overflowing leaves into a sibling; the port does not by default.
  (t as unknown as { pushLeaves: boolean }).pushLeaves = pushLeaves;
  const m = new ModelTree();
  for (const [a, len, v] of prefill) {
    t.storeRange(a, a + len, v);
    m.storeRange(a, a + len, v);
  }
  t.validate();
  expect(entriesOf(t)).toBe(entriesOfModel(m));
  const mas = t.state(0);
  const ms = new ModelState(m, 0, 0);
  ops.forEach((op, i) => {
    step(t, m, mas, ms, op, i % fullEvery === 0 || i === ops.length - 1);
  });
  return t;
}

describe('property: random operation sequences against a reference model', () => {
  for (const alloc of [false, true]) {
    it(`small trees (allocRange: ${alloc})`, () => {
      fc.assert(
        fc.property(fc.array(opArb(300), { minLength: 1, maxLength: 80 }), (ops) => {
          runSequence(alloc, [], ops, 1);
        }),
        { numRuns: 250 },
      );
    });

    it(`trees of height >= 3 (allocRange: ${alloc})`, () => {
      let maxHeight = 0;
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(30000), fc.nat(3), fc.nat(99)), { minLength: 2500, maxLength: 3000 }),
          fc.array(opArb(30000), { minLength: 50, maxLength: 150 }),
          (prefill, ops) => {
            const t = runSequence(alloc, prefill, ops, 25);
            maxHeight = Math.max(maxHeight, t.height);
          },
        ),
        { numRuns: 6 },
      );
      expect(maxHeight).toBeGreaterThanOrEqual(3);
    });

    it(`trees of height >= 3 with leaves pushed into siblings as in the kernel (allocRange: ${alloc})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(30000), fc.nat(3), fc.nat(99)), { minLength: 2500, maxLength: 3000 }),
          fc.array(opArb(30000), { minLength: 50, maxLength: 150 }),
          (prefill, ops) => {
            runSequence(alloc, prefill, ops, 25, true);
          },
        ),
        { numRuns: 4 },
      );
    });
  }
});

describe('a tree of ~100k entries', () => {
  it('builds in random order, survives erases and spanning stores, stays valid', () => {
    const n = 100_000;
    const order = Array.from({ length: n }, (_, i) => i);
    let x = 12345;
    const rnd = (k: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % k;
    };
    for (let i = n - 1; i > 0; i--) {
      const j = rnd(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const t = new MapleTree<number>({ allocRange: true });
    for (const i of order) t.insertRange(i * 10, i * 10 + 4, i);
    t.validate();
    expect(t.height).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < n; i += 3) expect(t.erase(i * 10 + 2)).toBe(i);
    t.validate();
    const expected = new Map<number, number>();
    for (let i = 0; i < n; i++) if (i % 3 !== 0) expected.set(i, i);
    for (let k = 0; k < 50; k++) {
      const a = rnd(n - 2000);
      const len = rnd(2000);
      t.storeRange(a * 10, (a + len) * 10 + 4, undefined);
      for (let i = a; i <= a + len; i++) expected.delete(i);
    }
    t.validate();
    const got = [...t];
    expect(got.length).toBe(expected.size);
    for (const e of got) {
      expect(expected.get(e.value)).toBe(e.value);
      expect([e.index, e.last]).toEqual([e.value * 10, e.value * 10 + 4]);
    }
    // The largest hole is found by a logarithmic gap search in both directions.
    const mas = t.state();
    expect(mas.emptyArea(0, MAX_INDEX, 30)).toBe(true);
    const low = mas.index;
    expect(t.state().emptyAreaRev(0, n * 10, 30)).toBe(true);
    for (let i = low; i < low + 30; i++) expect(t.load(i)).toBeUndefined();
    t.storeRange(0, MAX_INDEX, undefined);
    expect(t.isEmpty).toBe(true);
    t.validate();
  });
});

describe('stepping from leaf to leaf (mas_next_node/mas_prev_node by parent links)', () => {
  it('visits every slot, both ways, on deep trees after random stores, erases and NULL stores', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(60000), fc.nat(6), fc.nat(9)), { minLength: 3000, maxLength: 4000 }),
        fc.nat(60010),
        fc.nat(60010),
        (alloc, writes, w1, w2) => {
          const t = new MapleTree<number>({ allocRange: alloc });
          const m = new ModelTree();
          for (const [a, len, v] of writes) {
            // Mostly values, some NULL stores and erases, so leaves split, merge and rebalance.
            if (v === 0) {
              t.storeRange(a, a + len, undefined);
              m.storeRange(a, a + len, undefined);
            } else if (v === 1) {
              expect(t.erase(a)).toBe(m.erase(a));
            } else {
              t.storeRange(a, a + len, v);
              m.storeRange(a, a + len, v);
            }
          }
          t.validate();
          expect(t.height).toBeGreaterThanOrEqual(3);
          const slots = m.slots().map((r) => `${r.s}-${r.e}=${r.v ?? '-'}`);
          // Forward over every slot, NULL ranges included.
          const fwd: string[] = [];
          const mas = t.state(0);
          for (let v = mas.walk(); ; v = mas.nextRange(MAX_INDEX)) {
            fwd.push(`${mas.index}-${mas.last}=${v ?? '-'}`);
            if (mas.last === MAX_INDEX) break;
          }
          expect(fwd).toEqual(slots);
          // Backward over every slot.
          const back: string[] = [];
          const rev = t.state(MAX_INDEX);
          for (let v = rev.walk(); ; v = rev.prevRange(0)) {
            back.push(`${rev.index}-${rev.last}=${v ?? '-'}`);
            if (rev.index === 0) break;
          }
          expect(back.reverse()).toEqual(slots);
          // The patch-1 loop: every value, highest first.
          const values: string[] = [];
          const each = t.state(MAX_INDEX);
          for (const v of each.forEachRev(0)) values.push(`${each.index}-${each.last}=${v}`);
          expect(values.reverse()).toEqual(m.ranges.map((r) => `${r.s}-${r.e}=${r.v}`));
          // The for..of loops over a window, which step to the parent's next (previous) child
          // themselves: the values and ranges find() (findRev()) gives on the model, and the
          // state each loop ends in.
          const lo = Math.min(w1, w2);
          const hi = Math.min(Math.max(w1, w2), lo + 3000);
          for (const [dir, from, limit] of [
            [1, lo, hi],
            [-1, hi, lo],
          ] as const) {
            const ms = new ModelState(m, from, from);
            const want: string[] = [];
            for (let v = dir > 0 ? ms.find(limit) : ms.findRev(limit); v !== undefined; ) {
              want.push(`${ms.index}-${ms.last}=${v}`);
              v = dir > 0 ? ms.find(limit) : ms.findRev(limit);
            }
            const st = t.state(from);
            const got: string[] = [];
            for (const v of dir > 0 ? st.forEach(limit) : st.forEachRev(limit))
              got.push(`${st.index}-${st.last}=${v}`);
            expect(got).toEqual(want);
            expect([st.index, st.last, st.status]).toEqual([ms.index, ms.last, ms.status]);
          }
          // The same loops with writes and pauses in the body: a step after one is find()'s
          // (findRev()'s), then the loop steps on its own again. On copies of the tree.
          for (const [dir, from, limit] of [
            [1, lo, hi],
            [-1, hi, lo],
          ] as const) {
            const tc = new MapleTree<number>({ allocRange: alloc });
            const mc = new ModelTree();
            for (const r of m.ranges) {
              tc.storeRange(r.s, r.e, r.v);
              mc.storeRange(r.s, r.e, r.v);
            }
            // Through the state, and through the tree (which leaves the state to re-walk).
            const act = (
              i: number,
              v: number,
              s: { index: number; last: number; store(x: number): void; pause(): void; erase(): unknown },
              tree: { storeRange(a: number, b: number, x: number): void },
            ) => {
              if (i % 7 === 3) s.store(v + 100);
              else if (i % 11 === 5) s.pause();
              else if (i % 13 === 7) s.erase();
              else if (i % 5 === 1) {
                // Just behind the loop, in the same leaf mostly: the slots the state's offset
                // counts shift.
                const x = Math.max(0, dir > 0 ? s.index - 3 : s.last + 3);
                tree.storeRange(x, x, v + 200);
              }
            };
            const ms = new ModelState(mc, from, from);
            const want: string[] = [];
            let i = 0;
            for (let v = dir > 0 ? ms.find(limit) : ms.findRev(limit); v !== undefined; ) {
              want.push(`${ms.index}-${ms.last}=${v}`);
              act(i++, v, ms, mc);
              v = dir > 0 ? ms.find(limit) : ms.findRev(limit);
            }
            const st = tc.state(from);
            const got: string[] = [];
            i = 0;
            for (const v of dir > 0 ? st.forEach(limit) : st.forEachRev(limit)) {
              got.push(`${st.index}-${st.last}=${v}`);
              act(i++, v, st, tc);
            }
            expect(got).toEqual(want);
            expect([st.index, st.last, st.status]).toEqual([ms.index, ms.last, ms.status]);
            tc.validate();
          }
          // The callback loops, which step between the leaves' parents through the grandparent,
          // over the whole tree and over a window.
          const hiAll = Math.max(w1, w2);
          const inWindow = m.ranges
            .filter((r) => r.e >= lo && r.s <= hiAll)
            .map((r) => `${r.s}-${r.e}=${r.v}`);
          for (const [first, last, want] of [
            [0, MAX_INDEX, m.ranges.map((r) => `${r.s}-${r.e}=${r.v}`)],
            [lo, hiAll, inWindow],
          ] as const) {
            const up: string[] = [];
            t.forEachEntry((v, index, end) => void up.push(`${index}-${end}=${v}`), first, last);
            expect(up).toEqual(want);
            const down: string[] = [];
            t.forEachEntryRev((v, index, end) => void down.push(`${index}-${end}=${v}`), first, last);
            expect(down.reverse()).toEqual(want);
          }
        },
      ),
      { numRuns: 8 },
    );
  });
});
