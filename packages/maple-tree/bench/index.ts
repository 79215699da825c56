/**
 * Benchmark of @allocprof/maple-tree against sorted-btree and js-sdsl (see docs/benchmarks.md).
 *
 * Every workload runs all contenders in the same process, interleaved round by round (the
 * order rotates), after warm-up rounds; the table shows the median ops/s and the spread
 * (min..max) of the measured rounds. BENCH_SMOKE=1 runs tiny sizes only.
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrderedMap } from 'js-sdsl';
import BTreeModule from 'sorted-btree';
import { MAX_INDEX, MapleTree } from '../src/index';

type BTreeCtor = typeof BTreeModule;
const BTree: BTreeCtor =
  (BTreeModule as unknown as { default?: BTreeCtor }).default ?? (BTreeModule as unknown as BTreeCtor);
type BTree = BTreeModule<number, number>;

const SMOKE = process.env.BENCH_SMOKE === '1';
const SIZES = process.env.BENCH_SIZES
  ? process.env.BENCH_SIZES.split(',').map(Number)
  : SMOKE
    ? [1000]
    : [10_000, 100_000, 1_000_000];
/** BENCH_WORKLOADS=load,gap runs only those workloads. */
const ONLY = process.env.BENCH_WORKLOADS?.split(',');
const ROUNDS = SMOKE ? 2 : Number(process.env.BENCH_ROUNDS ?? 5);

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

let sink = 0;

// ------------------------------------------------------------------ contenders

interface Contender {
  name: string;
  /** fresh structure */
  create(): unknown;
  /** store range [a, b] with value v (value = end for the key-only peers) */
  store(s: unknown, a: number, b: number, v: number): void;
  /** point lookup: the value of the range containing q, or -1 */
  load(s: unknown, q: number): number;
  iterate(s: unknown): number;
  iterateRev(s: unknown): number;
  /** erase the range starting at a */
  erase(s: unknown, a: number): void;
}

const maple: Contender = {
  name: 'maple-tree',
  create: () => new MapleTree<number>(),
  store: (s, a, b, v) => (s as MapleTree<number>).storeRange(a, b, v),
  load: (s, q) => (s as MapleTree<number>).load(q) ?? -1,
  iterate: (s) => {
    const mas = (s as MapleTree<number>).state(0);
    let n = 0;
    for (const v of mas.forEach(MAX_INDEX)) n += v & 1;
    return n;
  },
  iterateRev: (s) => {
    const mas = (s as MapleTree<number>).state(MAX_INDEX);
    let n = 0;
    for (const v of mas.forEachRev(0)) n += v & 1;
    return n;
  },
  erase: (s, a) => {
    (s as MapleTree<number>).erase(a);
  },
};

const sortedBtree: Contender = {
  name: 'sorted-btree',
  create: () => new BTree<number, number>(),
  store: (s, a, b) => {
    (s as BTree).set(a, b);
  },
  load: (s, q) => {
    const p = (s as BTree).getPairOrNextLower(q);
    return p !== undefined && p[1] >= q ? p[1] : -1;
  },
  iterate: (s) => {
    let n = 0;
    (s as BTree).forEachPair((_k, v) => {
      n += v & 1;
    });
    return n;
  },
  iterateRev: (s) => {
    let n = 0;
    for (const [, v] of (s as BTree).entriesReversed()) n += v & 1;
    return n;
  },
  erase: (s, a) => {
    (s as BTree).delete(a);
  },
};

const jsSdsl: Contender = {
  name: 'js-sdsl',
  create: () => new OrderedMap<number, number>(),
  store: (s, a, b) => {
    (s as OrderedMap<number, number>).setElement(a, b);
  },
  load: (s, q) => {
    const m = s as OrderedMap<number, number>;
    const it = m.reverseLowerBound(q);
    if (!it.isAccessible()) return -1;
    const end = it.pointer[1];
    return end >= q ? end : -1;
  },
  iterate: (s) => {
    const m = s as OrderedMap<number, number>;
    let n = 0;
    for (let it = m.begin(), e = m.end(); !it.equals(e); it.next()) n += it.pointer[1] & 1;
    return n;
  },
  iterateRev: (s) => {
    const m = s as OrderedMap<number, number>;
    let n = 0;
    for (let it = m.rBegin(), e = m.rEnd(); !it.equals(e); it.next()) n += it.pointer[1] & 1;
    return n;
  },
  erase: (s, a) => {
    (s as OrderedMap<number, number>).eraseElementByKey(a);
  },
};

const CONTENDERS = [maple, sortedBtree, jsSdsl];

// ------------------------------------------------------------------ workloads

interface Sample {
  ops: number;
  ms: number;
}

interface Row {
  workload: string;
  size: number;
  contender: string;
  medianOpsPerSec: number;
  minOpsPerSec: number;
  maxOpsPerSec: number;
  rounds: number;
}

interface Workload {
  name: string;
  contenders: string[];
  /** returns a runner per contender: setup outside timing, then the timed part */
  prepare(n: number, who: string): () => Sample;
}

function time(ops: number, fn: () => void): Sample {
  const t0 = performance.now();
  fn();
  return { ops, ms: performance.now() - t0 };
}

function byName(name: string): Contender {
  const c = CONTENDERS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown contender ${name}`);
  return c;
}

/** n disjoint ranges [i*10, i*10+4] stored in random order */
function buildRandom(c: Contender, n: number, perm: Int32Array): unknown {
  const s = c.create();
  for (let i = 0; i < n; i++) {
    const k = perm[i]!;
    c.store(s, k * 10, k * 10 + 4, k);
  }
  return s;
}

const names = CONTENDERS.map((c) => c.name);

const WORKLOADS: Workload[] = [
  {
    name: 'store-seq',
    contenders: names,
    prepare: (n, who) => () => {
      const c = byName(who);
      const s = c.create();
      return time(n, () => {
        for (let i = 0; i < n; i++) c.store(s, i * 10, i * 10 + 9, i);
      });
    },
  },
  {
    name: 'store-rand',
    contenders: names,
    prepare: (n, who) => {
      const perm = permutation(n);
      return () => {
        const c = byName(who);
        const s = c.create();
        return time(n, () => {
          for (let i = 0; i < n; i++) {
            const k = perm[i]!;
            c.store(s, k * 10, k * 10 + 4, k);
          }
        });
      };
    },
  },
  {
    name: 'load',
    contenders: names,
    prepare: (n, who) => {
      const c = byName(who);
      const s = buildRandom(c, n, permutation(n));
      const q = new Float64Array(n);
      for (let i = 0; i < n; i++) q[i] = rand(n * 10);
      return () =>
        time(n, () => {
          let acc = 0;
          for (let i = 0; i < n; i++) acc += c.load(s, q[i]!);
          sink += acc;
        });
    },
  },
  {
    name: 'iterate',
    contenders: names,
    prepare: (n, who) => {
      const c = byName(who);
      const s = buildRandom(c, n, permutation(n));
      return () => time(n, () => (sink += c.iterate(s)));
    },
  },
  {
    name: 'iterate-rev',
    contenders: names,
    prepare: (n, who) => {
      const c = byName(who);
      const s = buildRandom(c, n, permutation(n));
      return () => time(n, () => (sink += c.iterateRev(s)));
    },
  },
  {
    name: 'erase',
    contenders: names,
    prepare: (n, who) => {
      const c = byName(who);
      const perm = permutation(n);
      const order = permutation(n);
      return () => {
        const s = buildRandom(c, n, perm);
        return time(n, () => {
          for (let i = 0; i < n; i++) c.erase(s, order[i]! * 10);
        });
      };
    },
  },
  {
    name: 'gap',
    contenders: ['maple-tree', 'sorted-btree', 'js-sdsl', 'sorted-array'],
    prepare: (n, who) => gapWorkload(n, who),
  },
];

/**
 * Allocator churn on a fragmented space: n ranges of 3 indices separated by 1-index holes (too
 * small for any request), then allocations of 2..5 indices (lowest fit) and frees of random
 * live ranges, 50/50; each free opens a hole that a later allocation may reuse. The peers and
 * the sorted array have no gap data, so they scan neighbours from the bottom.
 */
function gapWorkload(n: number, who: string): () => Sample {
  const sizes = new Int32Array(4096);
  const victims = new Int32Array(4096);
  for (let i = 0; i < sizes.length; i++) {
    sizes[i] = 2 + rand(4);
    victims[i] = rand(1 << 30);
  }
  const budgetOps = who === 'maple-tree' ? Math.min(n, 200_000) : Math.max(20, Math.min(2000, (2e7 / n) | 0));
  return () => {
    const starts: number[] = [];
    const ends: number[] = [];
    const live: number[] = [];
    for (let i = 0; i < n; i++) {
      starts.push(i * 4);
      ends.push(i * 4 + 2);
    }
    for (let i = 0; i < n; i++) if (ends[i]! >= 0) live.push(starts[i]!);
    const liveEnd = new Map<number, number>();
    for (let i = 0; i < n; i++) if (ends[i]! >= 0) liveEnd.set(starts[i]!, ends[i]!);
    const ops = budgetOps;

    if (who === 'maple-tree') {
      const t = new MapleTree<number>({ allocRange: true });
      for (const a of live) t.storeRange(a, a + 2, a);
      return time(ops, () => {
        for (let i = 0; i < ops; i++) {
          if ((i & 1) === 0) {
            const a = t.allocRange(sizes[i & 4095]!, 1, 0, MAX_INDEX);
            live.push(a);
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
        e.push(liveEnd.get(a)!);
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
      return time(ops, () => {
        for (let i = 0; i < ops; i++) {
          if ((i & 1) === 0) {
            const size = sizes[i & 4095]!;
            let prevEnd = -1;
            let k = 0;
            for (; k < s.length; k++) {
              if (s[k]! - prevEnd - 1 >= size) break;
              prevEnd = e[k]!;
            }
            const a = prevEnd + 1;
            s.splice(k, 0, a);
            e.splice(k, 0, a + size - 1);
            live.push(a);
          } else {
            const j = victims[i & 4095]! % live.length;
            const a = live[j]!;
            live[j] = live[live.length - 1]!;
            live.pop();
            const k = find(a);
            s.splice(k, 1);
            e.splice(k, 1);
          }
        }
      });
    }

    const c = byName(who);
    const store = c.create();
    for (const a of live) c.store(store, a, liveEnd.get(a)!, 0);
    const firstFit =
      who === 'sorted-btree'
        ? (size: number): number => {
            let prevEnd = -1;
            const found = (store as BTree).forEachPair((k, v) => {
              if (k - prevEnd - 1 >= size) return { break: prevEnd + 1 };
              prevEnd = v;
            });
            return found === (store as BTree).size ? prevEnd + 1 : found;
          }
        : (size: number): number => {
            const m = store as OrderedMap<number, number>;
            let prevEnd = -1;
            for (let it = m.begin(), end = m.end(); !it.equals(end); it.next()) {
              const [k, v] = it.pointer;
              if (k - prevEnd - 1 >= size) break;
              prevEnd = v;
            }
            return prevEnd + 1;
          };
    return time(ops, () => {
      for (let i = 0; i < ops; i++) {
        if ((i & 1) === 0) {
          const size = sizes[i & 4095]!;
          const a = firstFit(size);
          c.store(store, a, a + size - 1, 0);
          live.push(a);
        } else {
          const j = victims[i & 4095]! % live.length;
          const a = live[j]!;
          live[j] = live[live.length - 1]!;
          live.pop();
          c.erase(store, a);
        }
      }
    });
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function runWorkload(w: Workload, n: number): Row[] {
  const runners = w.contenders.map((name) => ({ name, run: w.prepare(n, name), rates: [] as number[] }));
  // Small sizes take milliseconds per round: warm up long enough for the optimizing compiler
  // to have finished with every contender's hot functions before anything is recorded.
  const warmup = SMOKE ? 1 : Math.max(1, Math.min(w.name === 'gap' ? 3 : 20, Math.round(2e5 / n)));
  for (let round = 1 - warmup; round <= ROUNDS; round++) {
    for (let j = 0; j < runners.length; j++) {
      const r = runners[(round + warmup + j) % runners.length]!;
      const sample = r.run();
      if (round > 0) r.rates.push(sample.ops / (sample.ms / 1000));
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
    const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', process.argv[1]!], {
      env: { ...process.env, BENCH_HEAP_CHILD: `${n},${c.name}` },
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

function heapChild(spec: string): void {
  const [size, name] = spec.split(',');
  const n = Number(size);
  const c = byName(name!);
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  const before = usedBytes();
  const s = c.create();
  for (let i = 0; i < n; i++) c.store(s, i * 10, i * 10 + 9, i);
  gc();
  gc();
  const after = usedBytes();
  sink += c.load(s, 5) & 1;
  console.log(String(after - before));
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

function markdown(rows: Row[], heap: HeapRow[], meta: { date: string; node: string; cpu: string }): string {
  const cols = ['maple-tree', 'sorted-btree', 'js-sdsl', 'sorted-array'];
  const out: string[] = [];
  out.push(
    `Measured ${meta.date}, Node ${meta.node}, ${meta.cpu}. Median ops/s of ${ROUNDS} interleaved rounds`,
  );
  out.push('after warm-up rounds, spread (min..max) in parentheses; ratio = maple-tree ÷ fastest peer.');
  out.push('');
  out.push(`| workload | n | ${cols.join(' | ')} | ratio |`);
  out.push(`|---|---:|${cols.map(() => '---:').join('|')}|---:|`);
  const keys = [...new Set(rows.map((r) => `${r.workload}|${r.size}`))];
  for (const key of keys) {
    const [workload, size] = key.split('|');
    const rs = rows.filter((r) => r.workload === workload && String(r.size) === size);
    const cell = (name: string): string => {
      const r = rs.find((x) => x.contender === name);
      if (!r) return '—';
      return `${fmtRate(r.medianOpsPerSec)} (${fmtRate(r.minOpsPerSec)}..${fmtRate(r.maxOpsPerSec)})`;
    };
    const mine = rs.find((r) => r.contender === 'maple-tree')!.medianOpsPerSec;
    const bestPeer = Math.max(
      ...rs.filter((r) => r.contender !== 'maple-tree').map((r) => r.medianOpsPerSec),
    );
    out.push(
      `| ${workload} | ${Number(size).toExponential(0)} | ${cols.map(cell).join(' | ')} | ${(mine / bestPeer).toFixed(2)}× |`,
    );
  }
  if (heap.length > 0) {
    out.push('');
    out.push(
      'Heap per stored range (adjacent ranges stored in ascending order, `--expose-gc`, heap + array buffers):',
    );
    out.push('');
    out.push('| n | maple-tree | sorted-btree | js-sdsl |');
    out.push('|---:|---:|---:|---:|');
    for (const size of [...new Set(heap.map((h) => h.size))]) {
      const b = (name: string): string => {
        const h = heap.find((x) => x.size === size && x.contender === name);
        return h ? `${h.bytesPerRange.toFixed(1)} B` : '—';
      };
      out.push(`| ${size.toExponential(0)} | ${b('maple-tree')} | ${b('sorted-btree')} | ${b('js-sdsl')} |`);
    }
  }
  return out.join('\n');
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
          `${w.name.padEnd(12)} n=${String(n).padEnd(8)} ${r.contender.padEnd(13)} ${fmtRate(r.medianOpsPerSec).padStart(9)} ops/s`,
        );
      }
    }
    heap.push(...heapPerRange(n));
  }
  for (const h of heap)
    console.log(`heap n=${h.size} ${h.contender.padEnd(13)} ${h.bytesPerRange.toFixed(1)} B/range`);
  const md = markdown(rows, heap, meta);
  console.log(`\n${md}\n(sink ${sink & 1})`);
  if (!SMOKE) {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
    mkdirSync(dir, { recursive: true });
    const json = { ...meta, rounds: ROUNDS, sizes: SIZES, throughput: rows, heap };
    writeFileSync(join(dir, `bench-${meta.date}.json`), `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(join(dir, 'latest.md'), `${md}\n`);
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
