/**
 * Benchmarks of @allocprof/execmem-vmalloc (programs, not tests). BENCH_SMOKE=1 runs tiny sizes.
 * Workloads, each measured in interleaved rounds after a warm-up, median and spread reported:
 *   translate     page-table walks over a mapped vmalloc area (PageTable vs a Map<vpn, pfn> baseline)
 *   populate      growing a 4 MB execmem_vmap area one page at a time (vm_module_tags_populate's pattern)
 *   vmalloc-churn vmalloc/vfree of random small sizes on a fragmented space
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { PAGE_SIZE, type PageProvider, type Printk, Vmalloc } from '../src/index';

const SMOKE = process.env.BENCH_SMOKE === '1';
const ROUNDS = SMOKE ? 3 : 9;

class PoolProvider implements PageProvider {
  private readonly free: number[] = [];
  constructor(nrPages: number) {
    for (let pfn = nrPages - 1; pfn >= 0; pfn--) this.free.push(pfn);
  }
  allocPagesBulk(nrPages: number, out: number[]): number {
    let got = 0;
    while (got < nrPages && this.free.length > 0) {
      out.push(this.free.pop()!);
      got++;
    }
    return got;
  }
  freePage(pfn: number): void {
    this.free.push(pfn);
  }
}

const quiet: Printk = { printk() {} };

/** xorshift32, so every run does the same work. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

interface Workload {
  name: string;
  unit: string;
  ops: number;
  setup(): () => void;
}

/** Sum of every translated pfn, printed so the lookups cannot be optimised away. */
let sink = 0;

const TRANSLATE_PAGES = SMOKE ? 1024 : 65536;
const TRANSLATE_LOOKUPS = SMOKE ? 10_000 : 2_000_000;

function translateWorkloads(): Workload[] {
  const vm = new Vmalloc({ pageProvider: new PoolProvider(TRANSLATE_PAGES + 1024), printk: quiet });
  const area = vm.vmalloc(TRANSLATE_PAGES * PAGE_SIZE, 'bench');
  const map = new Map<number, number>();
  for (let i = 0; i < area.nrPages; i++) map.set(area.addr / PAGE_SIZE + i, area.pages[i]!);
  const next = rng(42);
  const addrs = new Float64Array(TRANSLATE_LOOKUPS);
  for (let i = 0; i < addrs.length; i++)
    addrs[i] = area.addr + Math.floor(next() * TRANSLATE_PAGES * PAGE_SIZE);
  return [
    {
      name: 'translate (PageTable)',
      unit: 'lookup',
      ops: TRANSLATE_LOOKUPS,
      setup: () => () => {
        for (let i = 0; i < addrs.length; i++) sink += vm.translate(addrs[i]!);
      },
    },
    {
      name: 'translate (Map<vpn, pfn> baseline)',
      unit: 'lookup',
      ops: TRANSLATE_LOOKUPS,
      setup: () => () => {
        for (let i = 0; i < addrs.length; i++) sink += map.get(Math.floor(addrs[i]! / PAGE_SIZE)) ?? -1;
      },
    },
    {
      name: 'translate sequential (PageTable)',
      unit: 'lookup',
      ops: TRANSLATE_PAGES,
      setup: () => () => {
        for (let i = 0; i < TRANSLATE_PAGES; i++) sink += vm.translate(area.addr + i * PAGE_SIZE);
      },
    },
  ];
}

const POPULATE_BYTES = SMOKE ? 400_000 : 4_000_000;

function populateWorkload(): Workload {
  const pages = Math.ceil(POPULATE_BYTES / PAGE_SIZE);
  return {
    name: 'populate page by page (execmem_vmap area)',
    unit: 'page',
    ops: pages,
    setup: () => {
      const vm = new Vmalloc({ pageProvider: new PoolProvider(pages + 16), printk: quiet });
      const area = vm.execmemVmap(POPULATE_BYTES)!;
      const fresh: number[] = [];
      return () => {
        for (let i = 0; i < pages; i++) {
          fresh.length = 0;
          vm.pageProvider.allocPagesBulk(1, fresh);
          const at = area.addr + area.nrPages * PAGE_SIZE;
          if (vm.vmapPagesRange(at, at + PAGE_SIZE, fresh) !== 0) throw new Error('populate failed');
          area.pages.push(fresh[0]!);
          area.nrPages++;
        }
      };
    },
  };
}

const CHURN_OPS = SMOKE ? 2_000 : 100_000;

function churnWorkload(): Workload {
  return {
    name: 'vmalloc/vfree churn (1-16 pages, 1000 live)',
    unit: 'op',
    ops: CHURN_OPS,
    setup: () => {
      const vm = new Vmalloc({ pageProvider: new PoolProvider(64 * 1024), printk: quiet });
      const next = rng(7);
      const live: number[] = [];
      for (let i = 0; i < 1000; i++)
        live.push(vm.vmalloc((1 + Math.floor(next() * 16)) * PAGE_SIZE, 'churn').addr);
      return () => {
        for (let i = 0; i < CHURN_OPS; i++) {
          if (next() < 0.5 && live.length > 0) {
            const k = Math.floor(next() * live.length);
            vm.vfree(live[k]!);
            live[k] = live[live.length - 1]!;
            live.pop();
          } else {
            live.push(vm.vmalloc((1 + Math.floor(next() * 16)) * PAGE_SIZE, 'churn').addr);
          }
        }
      };
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const workloads = [...translateWorkloads(), populateWorkload(), churnWorkload()];
const samples = new Map<string, number[]>(workloads.map((w) => [w.name, []]));
for (const w of workloads) w.setup()(); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const w of workloads) {
    const run = w.setup();
    const t0 = process.hrtime.bigint();
    run();
    const ns = Number(process.hrtime.bigint() - t0);
    samples.get(w.name)!.push(ns / w.ops);
  }
}

const results = workloads.map((w) => {
  const s = samples.get(w.name)!;
  const med = median(s);
  return {
    workload: w.name,
    unit: w.unit,
    ops: w.ops,
    medianNsPerOp: Number(med.toFixed(1)),
    spreadPct: Number((((Math.max(...s) - Math.min(...s)) / med) * 100).toFixed(1)),
    opsPerSec: Math.round(1e9 / med),
  };
});

console.log(`| Workload | ns/${'op'} (median) | ops/s | spread |`);
console.log('|---|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.workload} | ${r.medianNsPerOp} per ${r.unit} | ${r.opsPerSec.toLocaleString('en-US')} | ${r.spreadPct}% |`,
  );
}
console.log(`\nchecksum ${sink}`);
if (!SMOKE) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL('latest.json', dir),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds: ROUNDS, results }, null, 2)}\n`,
  );
}
