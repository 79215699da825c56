/**
 * Throughput of page->flags field access on a simulated memmap: PageFlagsArray (two u32 halves per
 * page) against the obvious alternative, a BigUint64Array read-modify-written with BigInt, for
 * the three access shapes the simulator uses: the tag-reference field straddling bit 32
 * (compressed-mode get/update), a field in the high half (zone), and single PG_* bits; for the
 * tag field and the PG_* bits also the unchecked accessors meant for trusted hot paths.
 * Interleaved rounds, warm-up first, median and spread of the rounds.
 * BENCH_SMOKE=1: tiny sizes, one round — only proves the benchmark still runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { computePageFlagsLayout, getPageFlagsPreset, PageFlagsArray, PG } from '../src/index';

const SMOKE = process.env.BENCH_SMOKE === '1';
const PAGES = SMOKE ? 1024 : 1 << 20;
const OPS = SMOKE ? 4096 : 4_000_000;
const ROUNDS = SMOKE ? 1 : 7;

const layout = computePageFlagsLayout(getPageFlagsPreset('x86_64-sim').inputs);
const TAG_SHIFT = layout.allocTagRefOffs;
const TAG_WIDTH = layout.allocTagRefBits;
const TAG_MASK = layout.allocTagRefMask;
const ZONE_SHIFT = layout.ZONES_PGSHIFT;
const ZONE_WIDTH = layout.ZONES_WIDTH;
const LRU_BIT = PG.PG_lru!;

/** Pseudo-random pfns, fixed so every round and variant touch the same pages. */
const pfns = new Uint32Array(OPS);
let seed = 0x2545f491;
for (let i = 0; i < OPS; i++) {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  pfns[i] = (seed >>> 0) % PAGES;
}

const flags = new PageFlagsArray(layout, PAGES);
const big = new BigUint64Array(PAGES);
const bTagShift = BigInt(TAG_SHIFT);
const bTagMask = BigInt(TAG_MASK);
const bZoneShift = BigInt(ZONE_SHIFT);
const bZoneMask = BigInt(2 ** ZONE_WIDTH - 1);
const bLru = 1n << BigInt(LRU_BIT);

let sink = 0;

const workloads: Record<string, Record<string, () => void>> = {
  'tag field (bits 36..24): get + set': {
    PageFlagsArray: () => {
      for (let i = 0; i < OPS; i++) {
        const pfn = pfns[i]!;
        const idx = flags.getBits(pfn, TAG_SHIFT, TAG_WIDTH);
        flags.setBits(pfn, TAG_SHIFT, TAG_WIDTH, (idx + 1) & TAG_MASK);
      }
    },
    'PageFlagsArray unchecked': () => {
      for (let i = 0; i < OPS; i++) {
        const pfn = pfns[i]!;
        const idx = flags.readBitsUnchecked(pfn, TAG_SHIFT, TAG_WIDTH);
        flags.writeBitsUnchecked(pfn, TAG_SHIFT, TAG_WIDTH, idx + 1);
      }
    },
    'BigUint64Array + BigInt': () => {
      for (let i = 0; i < OPS; i++) {
        const pfn = pfns[i]!;
        const word = big[pfn]!;
        const idx = (word >> bTagShift) & bTagMask;
        big[pfn] = (word & ~(bTagMask << bTagShift)) | (((idx + 1n) & bTagMask) << bTagShift);
      }
    },
  },
  'zone field (high half): get': {
    PageFlagsArray: () => {
      let acc = 0;
      for (let i = 0; i < OPS; i++) acc += flags.getField(pfns[i]!, 'zone');
      sink += acc;
    },
    'BigUint64Array + BigInt': () => {
      let acc = 0;
      for (let i = 0; i < OPS; i++) acc += Number((big[pfns[i]!]! >> bZoneShift) & bZoneMask);
      sink += acc;
    },
  },
  'PG_lru: set + test + clear': {
    PageFlagsArray: () => {
      let acc = 0;
      for (let i = 0; i < OPS; i++) {
        const pfn = pfns[i]!;
        flags.setFlag(pfn, LRU_BIT);
        if (flags.testFlag(pfn, LRU_BIT)) acc++;
        flags.clearFlag(pfn, LRU_BIT);
      }
      sink += acc;
    },
    'PageFlagsArray unchecked': () => {
      let acc = 0;
      for (let i = 0; i < OPS; i++) {
        const pfn = pfns[i]!;
        flags.setFlagUnchecked(pfn, LRU_BIT);
        if (flags.testFlagUnchecked(pfn, LRU_BIT)) acc++;
        flags.clearFlagUnchecked(pfn, LRU_BIT);
      }
      sink += acc;
    },
    'BigUint64Array + BigInt': () => {
      let acc = 0;
      for (let i = 0; i < OPS; i++) {
        const pfn = pfns[i]!;
        big[pfn] = big[pfn]! | bLru;
        if ((big[pfn]! & bLru) !== 0n) acc++;
        big[pfn] = big[pfn]! & ~bLru;
      }
      sink += acc;
    },
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Row {
  workload: string;
  variant: string;
  mopsPerSec: number;
  nsPerOp: number;
  spreadPct: number;
}

const rows: Row[] = [];
for (const [workload, variants] of Object.entries(workloads)) {
  const times: Record<string, number[]> = {};
  for (const [name, fn] of Object.entries(variants)) {
    fn();
    times[name] = [];
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(variants)) {
      const t0 = process.hrtime.bigint();
      fn();
      times[name]!.push(Number(process.hrtime.bigint() - t0));
    }
  }
  for (const [variant, ts] of Object.entries(times)) {
    const med = median(ts);
    const spread = ROUNDS > 1 ? ((Math.max(...ts) - Math.min(...ts)) / med) * 100 : 0;
    rows.push({
      workload,
      variant,
      mopsPerSec: Math.round((OPS / med) * 1e3 * 100) / 100,
      nsPerOp: Math.round((med / OPS) * 100) / 100,
      spreadPct: Math.round(spread),
    });
  }
}

const machine = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  pages: PAGES,
  ops: OPS,
  rounds: ROUNDS,
};
const table = [
  '| Workload | Variant | Mops/s | ns/op | spread |',
  '|---|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.workload} | ${r.variant} | ${r.mopsPerSec} | ${r.nsPerOp} | ±${r.spreadPct}% |`),
].join('\n');
console.log(`page-flags-layout bench — ${machine.date}, Node ${machine.node}, ${machine.cpu}`);
console.log(
  `${PAGES} pages (x86_64-sim layout), ${OPS} random-pfn operations per round, median of ${ROUNDS} rounds\n`,
);
console.log(table);
if (sink === -1) console.log('unreachable');

if (!SMOKE) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('flags-access.json', dir), `${JSON.stringify({ machine, rows }, null, 2)}\n`);
  writeFileSync(new URL('flags-access.md', dir), `${table}\n`);
}
