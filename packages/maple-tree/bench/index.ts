/**
 * Benchmark of @allocprof/maple-tree against sorted-btree and js-sdsl (see docs/benchmarks.md).
 *
 * The peers are ordered maps keyed by range start, in two forms: value-only (the value is the
 * range end, one number per key: their fastest form) and the realistic `[end, value]` tuple a
 * range map needs. Every workload runs all contenders in the same process, interleaved round
 * by round (the order rotates), after warm-up rounds; the table shows the median ops/s and the
 * spread (min..max) of the measured rounds. Each contender runs its own monomorphic loops (no
 * shared call site sees two implementations), each peer contender on a module instance of its
 * library of its own (see ownCopy()), and uses its fastest API: sorted-btree's `forEachPair`
 * and reused result arrays, js-sdsl's `forEach`.
 *
 * `pnpm --filter @allocprof/maple-tree bench` writes bench/results/bench-<date>.json,
 * bench/results/latest.md and the table between the bench markers of README.md.
 * BENCH_SMOKE=1 runs a tiny size only and writes nothing; BENCH_SIZES=1e5,1e6 and
 * BENCH_WORKLOADS=load,erase narrow a run (and then write nothing either, unless BENCH_WRITE=1).
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrderedMap as OrderedMapClass } from 'js-sdsl';
import type BTreeModule from 'sorted-btree';
import { MAX_INDEX, MapleTree } from '../src/index';

const requireHere = createRequire(import.meta.url);

/**
 * A module instance of package `name` for one contender alone. Loaded once for all, a peer's
 * code would serve its value-only and its `[end, value]` contenders (and the gap workload): its
 * call sites would see two callbacks and two kinds of value arrays, and V8 would compile them
 * for both. Measured on this machine, sorted-btree's forEachPair took 7.5 ns per entry at 1e3
 * that way, against 4.2 ns with a copy of its own. Each contender here gets the code a program
 * using one of them would get.
 */
function ownCopy<M>(name: string): M {
  const main = requireHere.resolve(name);
  const dir = `${sep}node_modules${sep}`;
  const root = main.slice(0, main.lastIndexOf(dir) + dir.length + name.length + 1);
  const forget = (): void => {
    for (const k of Object.keys(requireHere.cache)) if (k.startsWith(root)) delete requireHere.cache[k];
  };
  forget();
  const m = requireHere(main) as M;
  forget();
  // A loader that caches modules elsewhere would hand out the same instance again.
  if (COPIES.has(m)) throw new Error(`bench: ${name} was loaded twice as one instance`);
  COPIES.add(m);
  return m;
}

const COPIES = new Set<unknown>();

type BTreeCtor = typeof BTreeModule;
type BTree<V> = BTreeModule<number, V>;
type OrderedMap<K, V> = OrderedMapClass<K, V>;
const btreeCopy = (): BTreeCtor => {
  const m = ownCopy<{ default?: BTreeCtor }>('sorted-btree');
  return m.default ?? (m as unknown as BTreeCtor);
};
const sdslCopy = (): typeof OrderedMapClass =>
  ownCopy<{ OrderedMap: typeof OrderedMapClass }>('js-sdsl').OrderedMap;
type Pair = [number, number];

const SMOKE = process.env.BENCH_SMOKE === '1';
const SIZES = process.env.BENCH_SIZES
  ? process.env.BENCH_SIZES.split(',').map(Number)
  : SMOKE
    ? [1000]
    : [1_000, 10_000, 100_000, 1_000_000];
/** BENCH_WORKLOADS=load,gap runs only those workloads. */
const ONLY = process.env.BENCH_WORKLOADS?.split(',');
const ROUNDS = SMOKE ? 2 : Number(process.env.BENCH_ROUNDS ?? 7);
/** A full run (every size and workload) records its results; a narrowed one only prints. */
const WRITE = !SMOKE && (process.env.BENCH_WRITE === '1' || (!process.env.BENCH_SIZES && !ONLY));

const gc = (globalThis as { gc?: () => void }).gc;

let seed = 0x2545f491;
function rand(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

function permutation(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rand(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * Repetitions of a workload in one round of one contender: a round runs about 2e5 operations,
 * so that small sizes are timed over milliseconds, not microseconds.
 */
function repsPerRound(n: number): number {
  return Math.max(1, Math.round(2e5 / n));
}

/**
 * The random inputs of a workload (orders, query points), one set per repetition of a round,
 * the same sets for every contender. A round that replayed one sequence of 1e3 keys 200 times
 * would let the CPU's branch predictors learn that sequence: a comparison-based tree's branches
 * then go the way they went 1e3 operations earlier, and measured on this machine a js-sdsl
 * insert drops from 86 to 36 ns and a sorted-btree lookup from 98 to 26 ns, which no real
 * workload offers. With a sequence per repetition a round replays nothing; rounds do replay the
 * same sets, 2e5 operations apart.
 */
function inputs<I>(workload: string, n: number, make: () => I, count = repsPerRound(n)): () => I {
  const key = `${workload}|${n}|${count}`;
  let sets = INPUTS.get(key) as I[] | undefined;
  if (!sets) {
    // Its own seed per workload and size: the sets do not depend on which ran before.
    const saved = seed;
    seed = n | 1;
    for (let i = 0; i < workload.length; i++) seed = Math.imul(seed ^ workload.charCodeAt(i), 0x2545f491) | 1;
    sets = [];
    for (let i = count; i > 0; i--) sets.push(make());
    seed = saved;
    INPUTS.set(key, sets);
  }
  const all = sets;
  let next = 0;
  return () => {
    const x = all[next]!;
    next = next + 1 === all.length ? 0 : next + 1;
    return x;
  };
}

const INPUTS = new Map<string, unknown[]>();

/** The order in which the workloads that read a built structure build it (all contenders). */
function buildOrder(n: number): Int32Array {
  return inputs('build', n, () => permutation(n), 1)();
}

let sink = 0;

// ------------------------------------------------------------------ contenders

/**
 * Range k of the workloads is `[k*10, k*10+4]` with value k; the peers key it by its start.
 * Each method is the whole timed loop, so that every contender's loop is its own code.
 */
interface Contender<S> {
  name: string;
  create(): S;
  /** store ranges perm[i] (i < n), value = range number (+ bump) */
  storeAll(s: S, perm: Int32Array, n: number, bump: number): void;
  /** store the adjacent ranges [i*10, i*10+9], ascending */
  storeSeq(s: S, n: number): void;
  /** value of the range containing q (or -1), summed */
  loadAll(s: S, q: Float64Array): number;
  /** every entry ascending: start, end and value read */
  iterate(s: S): number;
  /** every entry descending */
  iterateRev(s: S): number;
  /** erase the ranges perm[i] by start */
  eraseAll(s: S, perm: Int32Array): void;
  /** churn: erase range out[i], store range in[i] (the free half after a range) */
  churn(s: S, out: Int32Array, into: Int32Array): void;
}

const maple: Contender<MapleTree<number>> = {
  name: 'maple-tree',
  create: () => new MapleTree<number>(),
  storeAll: (s, perm, n, bump) => {
    for (let i = 0; i < n; i++) {
      const k = perm[i]!;
      s.storeRange(k * 10, k * 10 + 4, k + bump);
    }
  },
  storeSeq: (s, n) => {
    for (let i = 0; i < n; i++) s.storeRange(i * 10, i * 10 + 9, i);
  },
  loadAll: (s, q) => {
    let acc = 0;
    for (let i = 0; i < q.length; i++) acc += s.load(q[i]!) ?? -1;
    return acc;
  },
  iterate: (s) => {
    const mas = s.state(0);
    let n = 0;
    for (const v of mas.forEach(MAX_INDEX)) n += (v ^ mas.index ^ mas.last) & 1;
    return n;
  },
  iterateRev: (s) => {
    const mas = s.state(MAX_INDEX);
    let n = 0;
    for (const v of mas.forEachRev(0)) n += (v ^ mas.index ^ mas.last) & 1;
    return n;
  },
  eraseAll: (s, perm) => {
    for (let i = 0; i < perm.length; i++) s.erase(perm[i]! * 10);
  },
  churn: (s, out, into) => {
    for (let i = 0; i < out.length; i++) {
      s.erase(out[i]! * 10);
      const k = into[i]!;
      s.storeRange(k * 10 + 5, k * 10 + 9, k);
    }
  },
};

/** The callback form of iteration (tree.forEachEntry / tree.forEachEntryRev); everything else as maple. */
const mapleCb: Contender<MapleTree<number>> = {
  ...maple,
  name: 'maple-tree (callback)',
  iterate: (s) => {
    let n = 0;
    s.forEachEntry((v, index, last) => {
      n += (v ^ index ^ last) & 1;
    });
    return n;
  },
  iterateRev: (s) => {
    let n = 0;
    s.forEachEntryRev((v, index, last) => {
      n += (v ^ index ^ last) & 1;
    });
    return n;
  },
};

const byStart = (a: number, b: number): number => a - b;

const BTreeA = btreeCopy();
const btree: Contender<BTree<number>> = {
  name: 'sorted-btree',
  create: () => new BTreeA<number, number>(undefined, byStart),
  storeAll: (s, perm, n) => {
    for (let i = 0; i < n; i++) {
      const k = perm[i]!;
      s.set(k * 10, k * 10 + 4);
    }
  },
  storeSeq: (s, n) => {
    for (let i = 0; i < n; i++) s.set(i * 10, i * 10 + 9);
  },
  loadAll: (s, q) => {
    const pair: Pair = [0, 0];
    let acc = 0;
    for (let i = 0; i < q.length; i++) {
      const x = q[i]!;
      const p = s.getPairOrNextLower(x, pair);
      acc += p !== undefined && p[1] >= x ? p[1] : -1;
    }
    return acc;
  },
  iterate: (s) => {
    let n = 0;
    s.forEachPair((k, v) => {
      n += (k ^ v) & 1;
    });
    return n;
  },
  iterateRev: (s) => {
    const pair: (number | number)[] = [];
    let n = 0;
    for (const [k, v] of s.entriesReversed(undefined, pair)) n += (k ^ v) & 1;
    return n;
  },
  eraseAll: (s, perm) => {
    for (let i = 0; i < perm.length; i++) s.delete(perm[i]! * 10);
  },
  churn: (s, out, into) => {
    for (let i = 0; i < out.length; i++) {
      s.delete(out[i]! * 10);
      const k = into[i]!;
      s.set(k * 10 + 5, k * 10 + 9);
    }
  },
};

const BTreeB = btreeCopy();
const btreeTuple: Contender<BTree<Pair>> = {
  name: 'sorted-btree [end, value]',
  create: () => new BTreeB<number, Pair>(undefined, byStart),
  storeAll: (s, perm, n, bump) => {
    for (let i = 0; i < n; i++) {
      const k = perm[i]!;
      s.set(k * 10, [k * 10 + 4, k + bump]);
    }
  },
  storeSeq: (s, n) => {
    for (let i = 0; i < n; i++) s.set(i * 10, [i * 10 + 9, i]);
  },
  loadAll: (s, q) => {
    const pair: [number, Pair] = [0, [0, 0]];
    let acc = 0;
    for (let i = 0; i < q.length; i++) {
      const x = q[i]!;
      const p = s.getPairOrNextLower(x, pair);
      acc += p !== undefined && p[1][0] >= x ? p[1][1] : -1;
    }
    return acc;
  },
  iterate: (s) => {
    let n = 0;
    s.forEachPair((k, v) => {
      n += (k ^ v[0] ^ v[1]) & 1;
    });
    return n;
  },
  iterateRev: (s) => {
    const pair: (number | Pair)[] = [];
    let n = 0;
    for (const [k, v] of s.entriesReversed(undefined, pair)) n += (k ^ v[0] ^ v[1]) & 1;
    return n;
  },
  eraseAll: (s, perm) => {
    for (let i = 0; i < perm.length; i++) s.delete(perm[i]! * 10);
  },
  churn: (s, out, into) => {
    for (let i = 0; i < out.length; i++) {
      s.delete(out[i]! * 10);
      const k = into[i]!;
      s.set(k * 10 + 5, [k * 10 + 9, k]);
    }
  },
};

const OrderedMapA = sdslCopy();
const sdsl: Contender<OrderedMap<number, number>> = {
  name: 'js-sdsl',
  create: () => new OrderedMapA<number, number>(undefined, byStart),
  storeAll: (s, perm, n) => {
    for (let i = 0; i < n; i++) {
      const k = perm[i]!;
      s.setElement(k * 10, k * 10 + 4);
    }
  },
  storeSeq: (s, n) => {
    for (let i = 0; i < n; i++) s.setElement(i * 10, i * 10 + 9);
  },
  loadAll: (s, q) => {
    let acc = 0;
    for (let i = 0; i < q.length; i++) {
      const x = q[i]!;
      const it = s.reverseLowerBound(x);
      if (!it.isAccessible()) acc -= 1;
      else {
        const end = it.pointer[1];
        acc += end >= x ? end : -1;
      }
    }
    return acc;
  },
  iterate: (s) => {
    let n = 0;
    s.forEach((e) => {
      n += (e[0] ^ e[1]) & 1;
    });
    return n;
  },
  iterateRev: (s) => {
    let n = 0;
    for (let it = s.rBegin(), e = s.rEnd(); !it.equals(e); it.next()) {
      const p = it.pointer;
      n += (p[0] ^ p[1]) & 1;
    }
    return n;
  },
  eraseAll: (s, perm) => {
    for (let i = 0; i < perm.length; i++) s.eraseElementByKey(perm[i]! * 10);
  },
  churn: (s, out, into) => {
    for (let i = 0; i < out.length; i++) {
      s.eraseElementByKey(out[i]! * 10);
      const k = into[i]!;
      s.setElement(k * 10 + 5, k * 10 + 9);
    }
  },
};

const OrderedMapB = sdslCopy();
const sdslTuple: Contender<OrderedMap<number, Pair>> = {
  name: 'js-sdsl [end, value]',
  create: () => new OrderedMapB<number, Pair>(undefined, byStart),
  storeAll: (s, perm, n, bump) => {
    for (let i = 0; i < n; i++) {
      const k = perm[i]!;
      s.setElement(k * 10, [k * 10 + 4, k + bump]);
    }
  },
  storeSeq: (s, n) => {
    for (let i = 0; i < n; i++) s.setElement(i * 10, [i * 10 + 9, i]);
  },
  loadAll: (s, q) => {
    let acc = 0;
    for (let i = 0; i < q.length; i++) {
      const x = q[i]!;
      const it = s.reverseLowerBound(x);
      if (!it.isAccessible()) acc -= 1;
      else {
        const v = it.pointer[1];
        acc += v[0] >= x ? v[1] : -1;
      }
    }
    return acc;
  },
  iterate: (s) => {
    let n = 0;
    s.forEach((e) => {
      n += (e[0] ^ e[1][0] ^ e[1][1]) & 1;
    });
    return n;
  },
  iterateRev: (s) => {
    let n = 0;
    for (let it = s.rBegin(), e = s.rEnd(); !it.equals(e); it.next()) {
      const p = it.pointer;
      const v = p[1];
      n += (p[0] ^ v[0] ^ v[1]) & 1;
    }
    return n;
  },
  eraseAll: (s, perm) => {
    for (let i = 0; i < perm.length; i++) s.eraseElementByKey(perm[i]! * 10);
  },
  churn: (s, out, into) => {
    for (let i = 0; i < out.length; i++) {
      s.eraseElementByKey(out[i]! * 10);
      const k = into[i]!;
      s.setElement(k * 10 + 5, [k * 10 + 9, k]);
    }
  },
};

/** The gap workload's allocators on the peers: their own copies too. */
const BTreeGap = btreeCopy();
const OrderedMapGap = sdslCopy();

// biome-ignore lint/suspicious/noExplicitAny: each contender is used with its own structure type
const CONTENDERS: Contender<any>[] = [maple, mapleCb, btree, btreeTuple, sdsl, sdslTuple];
const MAPLE_NAMES = [maple.name, mapleCb.name];
const ALL = CONTENDERS.map((c) => c.name);
/** The two maple rows differ in iteration only. */
const ONE_MAPLE = ALL.filter((x) => x !== mapleCb.name);

// ------------------------------------------------------------------ workloads

interface Row {
  workload: string;
  size: number;
  contender: string;
  medianOpsPerSec: number;
  minOpsPerSec: number;
  maxOpsPerSec: number;
  rounds: number;
}

/** One repetition: untimed setup, then the timed part; returns its milliseconds. */
type Rep = () => number;

interface Workload {
  name: string;
  contenders: string[];
  /** a repetition for contender `who` at size n; ops per repetition = n */
  prepare(n: number, who: string): Rep;
}

function byName(name: string): Contender<unknown> {
  const c = CONTENDERS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown contender ${name}`);
  return c;
}

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function built(c: Contender<unknown>, perm: Int32Array): unknown {
  const s = c.create();
  c.storeAll(s, perm, perm.length, 0);
  return s;
}

const WORKLOADS: Workload[] = [
  {
    name: 'store-seq',
    contenders: ONE_MAPLE,
    prepare: (n, who) => {
      const c = byName(who);
      return () => {
        const s = c.create();
        return timed(() => c.storeSeq(s, n));
      };
    },
  },
  {
    name: 'store-rand',
    contenders: ONE_MAPLE,
    prepare: (n, who) => {
      const c = byName(who);
      const order = inputs('store-rand', n, () => permutation(n));
      return () => {
        const s = c.create();
        const perm = order();
        return timed(() => c.storeAll(s, perm, n, 0));
      };
    },
  },
  {
    // every existing range stored again with a new value, random order
    name: 'overwrite',
    contenders: ONE_MAPLE,
    prepare: (n, who) => {
      const c = byName(who);
      const s = built(c, buildOrder(n));
      const order = inputs('overwrite', n, () => permutation(n));
      let bump = 0;
      return () => {
        bump++;
        const perm = order();
        return timed(() => c.storeAll(s, perm, n, bump));
      };
    },
  },
  {
    // random points over the whole span: half hit a range, half fall between ranges
    name: 'load',
    contenders: ONE_MAPLE,
    prepare: (n, who) => {
      const c = byName(who);
      const s = built(c, buildOrder(n));
      const points = inputs('load', n, () => {
        const q = new Float64Array(n);
        for (let i = 0; i < n; i++) q[i] = rand(n * 10);
        return q;
      });
      return () => {
        const q = points();
        return timed(() => (sink += c.loadAll(s, q)));
      };
    },
  },
  {
    name: 'iterate',
    contenders: ALL,
    prepare: (n, who) => {
      const c = byName(who);
      const s = built(c, buildOrder(n));
      return () => timed(() => (sink += c.iterate(s)));
    },
  },
  {
    name: 'iterate-rev',
    contenders: ALL,
    prepare: (n, who) => {
      const c = byName(who);
      const s = built(c, buildOrder(n));
      return () => timed(() => (sink += c.iterateRev(s)));
    },
  },
  {
    name: 'erase',
    contenders: ONE_MAPLE,
    prepare: (n, who) => {
      const c = byName(who);
      const sets = inputs('erase', n, () => ({ build: permutation(n), order: permutation(n) }));
      return () => {
        const { build, order } = sets();
        const s = built(c, build);
        return timed(() => c.eraseAll(s, order));
      };
    },
  },
  {
    // n/2 times: erase a random range, store a range into the free half after another one
    name: 'churn',
    contenders: ONE_MAPLE,
    prepare: (n, who) => {
      const c = byName(who);
      const sets = inputs('churn', n, () => ({
        build: permutation(n),
        out: permutation(n).subarray(0, n >> 1),
        into: permutation(n).subarray(0, n >> 1),
      }));
      return () => {
        const { build, out, into } = sets();
        const s = built(c, build);
        return timed(() => c.churn(s, out, into));
      };
    },
  },
  {
    name: 'gap',
    contenders: [maple.name, btree.name, sdsl.name, 'sorted-array'],
    prepare: (n, who) => gapWorkload(n, who),
  },
];

/**
 * Allocator churn on a fragmented space: n ranges of 3 indices separated by 1-index holes (too
 * small for any request), then allocations of 2..5 indices (lowest fit) and frees of random
 * live ranges, 50/50; each free opens a hole that a later allocation may reuse. The peers and
 * the sorted array have no gap data, so they scan neighbours from the bottom; at large sizes
 * they run fewer operations per repetition (the rate is per operation).
 */
function gapWorkload(n: number, who: string): Rep & { ops?: number } {
  const sizes = new Int32Array(4096);
  const victims = new Int32Array(4096);
  for (let i = 0; i < sizes.length; i++) {
    sizes[i] = 2 + rand(4);
    victims[i] = rand(1 << 30);
  }
  const ops = who === maple.name ? Math.min(n, 200_000) : Math.max(20, Math.min(2000, (2e7 / n) | 0));
  const rep = (): number => {
    const live: number[] = [];
    for (let i = 0; i < n; i++) live.push(i * 4);

    if (who === maple.name) {
      const t = new MapleTree<number>({ allocRange: true });
      for (const a of live) t.storeRange(a, a + 2, a);
      return timed(() => {
        for (let i = 0; i < ops; i++) {
          if ((i & 1) === 0) {
            live.push(t.allocRange(sizes[i & 4095]!, 1, 0, MAX_INDEX));
          } else {
            const k = victims[i & 4095]! % live.length;
            const a = live[k]!;
            live[k] = live[live.length - 1]!;
            live.pop();
            t.erase(a);
          }
        }
      });
    }

    if (who === 'sorted-array') {
      const s: number[] = [];
      const e: number[] = [];
      for (const a of live) {
        s.push(a);
        e.push(a + 2);
      }
      const find = (a: number): number => {
        let lo = 0;
        let hi = s.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (s[mid]! < a) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
      return scanAllocator(
        (size) => {
          let prevEnd = -1;
          for (let k = 0; k < s.length; k++) {
            if (s[k]! - prevEnd - 1 >= size) break;
            prevEnd = e[k]!;
          }
          return prevEnd + 1;
        },
        (a, b) => {
          const k = find(a);
          s.splice(k, 0, a);
          e.splice(k, 0, b);
        },
        (a) => {
          const k = find(a);
          s.splice(k, 1);
          e.splice(k, 1);
        },
      );
    }

    if (who === btree.name) {
      const store = new BTreeGap<number, number>(undefined, byStart);
      for (const a of live) store.set(a, a + 2);
      return scanAllocator(
        (size) => {
          let prevEnd = -1;
          const found = store.forEachPair((k, v) => {
            if (k - prevEnd - 1 >= size) return { break: prevEnd + 1 };
            prevEnd = v;
          });
          return found === store.size ? prevEnd + 1 : found;
        },
        (a, b) => store.set(a, b),
        (a) => store.delete(a),
      );
    }

    const store = new OrderedMapGap<number, number>(undefined, byStart);
    for (const a of live) store.setElement(a, a + 2);
    return scanAllocator(
      (size) => {
        let prevEnd = -1;
        for (let it = store.begin(), end = store.end(); !it.equals(end); it.next()) {
          const [k, v] = it.pointer;
          if (k - prevEnd - 1 >= size) break;
          prevEnd = v;
        }
        return prevEnd + 1;
      },
      (a, b) => store.setElement(a, b),
      (a) => store.eraseElementByKey(a),
    );

    /**
     * A peer's allocator loop, timed: lowest fit by `firstFit` (a scan from the bottom) and
     * `insert`, or a free of a random live range by `remove`, half and half.
     */
    function scanAllocator(
      firstFit: (size: number) => number,
      insert: (a: number, b: number) => void,
      remove: (a: number) => void,
    ): number {
      return timed(() => {
        for (let i = 0; i < ops; i++) {
          if ((i & 1) === 0) {
            const size = sizes[i & 4095]!;
            const a = firstFit(size);
            insert(a, a + size - 1);
            live.push(a);
          } else {
            const j = victims[i & 4095]! % live.length;
            const a = live[j]!;
            live[j] = live[live.length - 1]!;
            live.pop();
            remove(a);
          }
        }
      });
    }
  };
  return Object.assign(rep, { ops });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Rounds of all contenders, interleaved, the order rotating each round. A round of one
 * contender repeats the workload repsPerRound() times, each repetition on inputs of its own
 * (the allocator workload once).
 */
function runWorkload(w: Workload, n: number): Row[] {
  const runners = w.contenders.map((name) => {
    const rep = w.prepare(n, name) as Rep & { ops?: number };
    const ops = rep.ops ?? n;
    // The allocator workload's peers scan: one repetition is long enough at every size.
    const reps = w.name === 'gap' ? 1 : repsPerRound(n);
    return { name, rep, ops, reps, rates: [] as number[] };
  });
  const warmup = SMOKE ? 1 : 3;
  for (let round = 1 - warmup; round <= ROUNDS; round++) {
    for (let j = 0; j < runners.length; j++) {
      const r = runners[(round + warmup + j) % runners.length]!;
      let ms = 0;
      for (let i = 0; i < r.reps; i++) ms += r.rep();
      if (round > 0) r.rates.push((r.ops * r.reps) / (ms / 1000));
    }
  }
  return runners.map((r) => ({
    workload: w.name,
    size: n,
    contender: r.name,
    medianOpsPerSec: median(r.rates),
    minOpsPerSec: Math.min(...r.rates),
    maxOpsPerSec: Math.max(...r.rates),
    rounds: r.rates.length,
  }));
}

interface HeapRow {
  size: number;
  contender: string;
  bytesPerRange: number;
}

function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Heap per stored range, n adjacent ranges stored in ascending order. Each measurement runs in
 * a fresh child process started with --expose-gc, so no other workload's garbage interferes.
 */
function heapPerRange(n: number): HeapRow[] {
  const rows: HeapRow[] = [];
  for (const c of CONTENDERS) {
    if (c === mapleCb) continue;
    const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', process.argv[1]!], {
      env: { ...process.env, BENCH_HEAP_CHILD: `${n}|${c.name}` },
      encoding: 'utf8',
    });
    const bytes = Number(child.stdout.trim().split('\n').pop());
    if (child.status !== 0 || !Number.isFinite(bytes)) {
      console.warn(`heap measurement for ${c.name} failed: ${child.stderr}`);
      continue;
    }
    rows.push({ size: n, contender: c.name, bytesPerRange: bytes / n });
  }
  return rows;
}

/**
 * One heap measurement: enough structures of n ranges to hold 1e6 ranges in all (one at 1e6),
 * so that the collector's noise is small against what is measured. The same number is built
 * and dropped first, so that the compiled code and type feedback of the contender's first use
 * are not counted as its data.
 */
function heapChild(spec: string): void {
  const [size, name] = spec.split('|');
  const n = Number(size);
  const c = byName(name!);
  if (!gc) throw new Error('run with --expose-gc');
  const copies = Math.max(1, Math.round(1e6 / n));
  let kept: unknown[] = [];
  for (let i = 0; i < copies; i++) {
    const s = c.create();
    c.storeSeq(s, n);
    kept.push(s);
  }
  sink += c.iterate(kept[0]);
  kept = [];
  gc();
  gc();
  const before = usedBytes();
  for (let i = 0; i < copies; i++) {
    const s = c.create();
    c.storeSeq(s, n);
    kept.push(s);
  }
  gc();
  gc();
  const after = usedBytes();
  sink += c.iterate(kept[copies - 1]) & 1;
  console.log(String((after - before) / copies));
}

function fmtRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(1);
}

function cpuName(): string {
  try {
    const line = execSync('lscpu', { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.startsWith('Model name'));
    return line ? line.replace(/^Model name:\s*/, '').trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

const PEERS = [btree.name, btreeTuple.name, sdsl.name, sdslTuple.name, 'sorted-array'];
/** The peers that store `[end, value]`, as a range map must. */
const TUPLE_NAMES = [btreeTuple.name, sdslTuple.name];
const SHORT: Record<string, string> = {
  [maple.name]: 'maple-tree',
  [mapleCb.name]: 'maple (cb)',
  [btree.name]: 'sorted-btree',
  [btreeTuple.name]: 'sorted-btree [e,v]',
  [sdsl.name]: 'js-sdsl',
  [sdslTuple.name]: 'js-sdsl [e,v]',
  'sorted-array': 'sorted array',
};

function markdown(rows: Row[], heap: HeapRow[], meta: { date: string; node: string; cpu: string }): string {
  const cols = [maple.name, mapleCb.name, ...PEERS].filter((c) => rows.some((r) => r.contender === c));
  const out: string[] = [];
  out.push(
    `Measured ${meta.date}, Node ${meta.node}, ${meta.cpu}. Operations per second, median of ${ROUNDS} rounds`,
  );
  out.push('interleaved with every contender in one process, after warm-up rounds; spread (min..max)');
  out.push('in parentheses. `[e,v]`: the peer stores `[end, value]` per range start; without it, only');
  out.push('the end (its fastest form, which cannot hold a payload). ratio: the faster maple-tree form ÷');
  out.push('the fastest `[e,v]` peer (what a range map needs), and ÷ the fastest peer of any form.');
  out.push('');
  out.push(`| workload | n | ${cols.map((c) => SHORT[c]).join(' | ')} | ratio [e,v] | ratio any |`);
  out.push(`|---|---:|${cols.map(() => '---:').join('|')}|---:|---:|`);
  const keys = [...new Set(rows.map((r) => `${r.workload}|${r.size}`))];
  for (const key of keys) {
    const [workload, size] = key.split('|');
    const rs = rows.filter((r) => r.workload === workload && String(r.size) === size);
    const cell = (name: string): string => {
      const r = rs.find((x) => x.contender === name);
      if (!r) return '—';
      return `${fmtRate(r.medianOpsPerSec)} (${fmtRate(r.minOpsPerSec)}..${fmtRate(r.maxOpsPerSec)})`;
    };
    const mine = Math.max(
      ...rs.filter((r) => MAPLE_NAMES.includes(r.contender)).map((r) => r.medianOpsPerSec),
    );
    const peers = rs.filter((r) => !MAPLE_NAMES.includes(r.contender));
    const bestPeer = Math.max(...peers.map((r) => r.medianOpsPerSec));
    const tuples = peers.filter((r) => TUPLE_NAMES.includes(r.contender));
    const vsTuple =
      tuples.length > 0 ? `${(mine / Math.max(...tuples.map((r) => r.medianOpsPerSec))).toFixed(2)}×` : '—';
    out.push(
      `| ${workload} | ${Number(size).toExponential(0)} | ${cols.map(cell).join(' | ')} | ${vsTuple} | ${(mine / bestPeer).toFixed(2)}× |`,
    );
  }
  if (heap.length > 0) {
    const hcols = [maple.name, btree.name, btreeTuple.name, sdsl.name, sdslTuple.name];
    out.push('');
    out.push(
      'Heap per stored range (structures of n adjacent ranges stored in ascending order, 1e6 ranges in all;',
    );
    out.push('heap + array buffers after `gc()`, in a fresh process that built and dropped as many first):');
    out.push('');
    out.push(`| n | ${hcols.map((c) => SHORT[c]).join(' | ')} |`);
    out.push(`|---:|${hcols.map(() => '---:').join('|')}|`);
    for (const size of [...new Set(heap.map((h) => h.size))]) {
      const b = (name: string): string => {
        const h = heap.find((x) => x.size === size && x.contender === name);
        return h ? `${h.bytesPerRange.toFixed(1)} B` : '—';
      };
      out.push(`| ${size.toExponential(0)} | ${hcols.map(b).join(' | ')} |`);
    }
  }
  return out.join('\n');
}

/** Replace the table between the bench markers of the package README. */
function updateReadme(md: string): void {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  const text = readFileSync(path, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error('README.md has no bench markers');
  writeFileSync(path, `${text.slice(0, a + start.length)}\n${md}\n${text.slice(b)}`);
}

function main(): void {
  const meta = { date: new Date().toISOString().slice(0, 10), node: process.version, cpu: cpuName() };
  const rows: Row[] = [];
  const heap: HeapRow[] = [];
  for (const n of SIZES) {
    for (const w of WORKLOADS.filter((x) => !ONLY || ONLY.includes(x.name))) {
      const rs = runWorkload(w, n);
      rows.push(...rs);
      for (const r of rs) {
        console.log(
          `${w.name.padEnd(12)} n=${String(n).padEnd(8)} ${r.contender.padEnd(26)} ${fmtRate(r.medianOpsPerSec).padStart(9)} ops/s (${fmtRate(r.minOpsPerSec)}..${fmtRate(r.maxOpsPerSec)})`,
        );
      }
    }
    if (!ONLY || ONLY.includes('heap')) heap.push(...heapPerRange(n));
  }
  for (const h of heap)
    console.log(`heap n=${h.size} ${h.contender.padEnd(26)} ${h.bytesPerRange.toFixed(1)} B/range`);
  const md = markdown(rows, heap, meta);
  console.log(`\n${md}\n(sink ${sink & 1})`);
  if (WRITE) {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
    mkdirSync(dir, { recursive: true });
    const json = { ...meta, rounds: ROUNDS, sizes: SIZES, throughput: rows, heap };
    writeFileSync(join(dir, `bench-${meta.date}.json`), `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(join(dir, 'latest.md'), `${md}\n`);
    updateReadme(md);
  }
}

if (process.env.BENCH_HEAP_CHILD) heapChild(process.env.BENCH_HEAP_CHILD);
else if (!gc) {
  // Re-run this script with --expose-gc (package scripts cannot pass node flags through tsx).
  const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', process.argv[1]!], {
    stdio: 'inherit',
  });
  process.exitCode = child.status ?? 1;
} else main();
