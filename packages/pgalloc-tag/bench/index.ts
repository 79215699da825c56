/**
 * get/update/put throughput of the two page tag reference backends (pgalloc_tag_add + _sub shape:
 * one get/update/put to set a reference and one to clear it, per page).
 * BENCH_SMOKE=1: tiny sizes, one round — only proves the benchmark still runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { computePageFlagsLayout, PageFlagsArray } from '@allocprof/page-flags-layout';
import { PageExtTagRefs, PageFlagsTagRefs, type PageTagRefs, PgtagRefHandle } from '../src/index';
import {
  CapturePrintk,
  EXAMPLE_A_INPUTS,
  FakeTagIndex,
  KERNEL_TAGS_BASE,
  MODULE_TAGS_BASE,
} from '../src/test-helpers';

const SMOKE = process.env.BENCH_SMOKE === '1';
const NR_PAGES = SMOKE ? 1 << 12 : 1 << 20;
const PAGES_PER_SECTION = 1 << 15;
const ROUNDS = SMOKE ? 1 : 9;
const NR_KERNEL_TAGS = 4000;

function makeBackends(): { name: string; refs: PageTagRefs }[] {
  const printk = new CapturePrintk();
  const tagIndex = new FakeTagIndex(KERNEL_TAGS_BASE, NR_KERNEL_TAGS, MODULE_TAGS_BASE);
  const layout = computePageFlagsLayout(EXAMPLE_A_INPUTS);
  const n = layout.NR_UNUSED_PAGEFLAG_BITS;
  const flagsRefs = new PageFlagsTagRefs({ flags: new PageFlagsArray(layout, NR_PAGES), tagIndex, printk });
  flagsRefs.init(layout.LRU_REFS_PGOFF - n, n);
  const extRefs = new PageExtTagRefs({ nrPages: NR_PAGES, pagesPerSection: PAGES_PER_SECTION, printk });
  extRefs.init();
  return [
    { name: 'page_ext', refs: extRefs },
    { name: 'page_flags', refs: flagsRefs },
  ];
}

/** Tags cycled through by the loop (precomputed: the hot loop allocates nothing). */
const TAGS = Float64Array.from({ length: 64 }, (_, i) => KERNEL_TAGS_BASE + ((i * 61) % NR_KERNEL_TAGS) * 40);

/** Pseudo-random page order, as a page allocator hands out pages. */
const ORDER = (() => {
  const order = new Uint32Array(NR_PAGES);
  let x = 0x2545f491;
  for (let i = 0; i < NR_PAGES; i++) order[i] = i;
  for (let i = NR_PAGES - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
})();

/** One pass: set a reference on every page, then clear it (2 × get/update/put per page). */
function pass(refs: PageTagRefs, h: PgtagRefHandle): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < NR_PAGES; i++) {
    if (refs.getPageTagRef(ORDER[i]!, h)) {
      h.ref = TAGS[i & 63]!;
      refs.updatePageTagRef(h);
      refs.putPageTagRef(h);
    }
  }
  for (let i = 0; i < NR_PAGES; i++) {
    if (refs.getPageTagRef(ORDER[i]!, h)) {
      h.ref = 0;
      refs.updatePageTagRef(h);
      refs.putPageTagRef(h);
    }
  }
  return Number(process.hrtime.bigint() - t0) / (2 * NR_PAGES);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const backends = makeBackends();
const h = new PgtagRefHandle();
for (const b of backends) pass(b.refs, h);
const samples = new Map<string, number[]>(backends.map((b) => [b.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const b of backends) samples.get(b.name)!.push(pass(b.refs, h));
}

const rows = backends.map((b) => {
  const xs = samples.get(b.name)!;
  return {
    backend: b.name,
    nsPerOp: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    bytes: b.refs.bytes,
  };
});

console.log(`pgalloc-tag get/update/put, ${NR_PAGES} pages, ${ROUNDS} rounds (median ns per get+update+put)`);
console.log('| backend | ns/op (median) | min–max | bytes of tag refs |');
console.log('|---|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.backend} | ${r.nsPerOp.toFixed(1)} | ${r.min.toFixed(1)}–${r.max.toFixed(1)} | ${r.bytes} |`,
  );
}

if (!SMOKE) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    arch: arch(),
    nrPages: NR_PAGES,
    rounds: ROUNDS,
    rows,
  };
  writeFileSync(new URL('get-update-put.json', dir), `${JSON.stringify(result, null, 2)}\n`);
}
