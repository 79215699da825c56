/**
 * get/update/put cost of the two page tag reference backends, in the pgalloc_tag_add() +
 * pgalloc_tag_sub() shape: one get/update/put sets a page's reference, one clears it.
 *
 * Three workloads, each 2^20 pairs of get/update/put:
 *  - "allocator, cold pages": 2^20 pages in pseudo-random order (as a page allocator hands them
 *    out). Before each hook the allocator does its own read-modify-write of page->flags
 *    (check_new_page() tests PAGE_FLAGS_CHECK_AT_PREP on allocation, free_pages_prepare() clears
 *    it on free), so the page's flags word is in cache when the hook runs. That is the kernel's
 *    situation: the compressed backend finds its field in a cache line the allocator already
 *    holds, the page_ext backend has to reach a second one.
 *  - "hook alone, cold pages": the same pages, but only the hook touches memory, so both backends
 *    take one cold access per page and the compressed backend's extra work (idx_to_ref /
 *    ref_to_idx, a two-half field instead of one 8-byte slot) is what differs.
 *  - "allocator, hot pages": 64 pages allocated and freed over and over, the shape of the
 *    series' get_free_page/free_page loop on one CPU (the per-CPU lists recycle the same pages),
 *    so everything is in cache and only instructions count.
 *
 * Each backend has its own pass function, so every call site stays monomorphic, as the kernel's
 * calls are static. Backends and workloads alternate within every round after a warm-up; the
 * figure is the median over rounds of CPU time (process.cpuUsage) per get+update+put, because the
 * machine is shared and wall time counts the time other processes hold the CPU.
 * BENCH_SMOKE=1: tiny sizes, one round — only proves the benchmark still runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { computePageFlagsLayout, getPageFlagsPreset, PageFlagsArray } from '@allocprof/page-flags-layout';
import { PageExtTagRefs, PageFlagsTagRefs, PgtagRefHandle, SparsePageExt, type TagIndex } from '../src/index';
import { CapturePrintk, KERNEL_TAGS_BASE, MODULE_TAGS_BASE } from '../src/test-helpers';

const SMOKE = process.env.BENCH_SMOKE === '1';
const NR_PAGES = SMOKE ? 1 << 12 : 1 << 20;
const PAGES_PER_SECTION = 1 << 15;
const WARMUP = SMOKE ? 1 : 2;
const ROUNDS = SMOKE ? 1 : 11;
const NR_KERNEL_TAGS = 4000;
const PRESET = 'x86_64-sim';

/**
 * The same arithmetic as alloc-tag's idx_to_ref()/ref_to_idx() (kernel tags from index 2, module
 * slots after them, 40-byte tags, u16 result); alloc-tag sits above this package, so the
 * benchmark carries its own copy. 40 = sizeof(struct alloc_tag), written as a literal so the hot
 * path reads no module binding.
 */
class BenchTagIndex implements TagIndex {
  readonly kernelFirst = KERNEL_TAGS_BASE;
  readonly kernelCount = NR_KERNEL_TAGS;
  readonly moduleFirst = MODULE_TAGS_BASE;

  idxToRef(idx: number): number {
    if (idx === 0) return 0;
    if (idx === 1) return 1;
    const j = idx - 2;
    if (j < this.kernelCount) return this.kernelFirst + j * 40;
    return this.moduleFirst + (j - this.kernelCount) * 40;
  }

  refToIdx(ref: number): number {
    if (ref === 0) return 0;
    if (ref === 1) return 1;
    const k = ref - this.kernelFirst;
    if (k >= 0 && k < this.kernelCount * 40) return (2 + Math.trunc(k / 40)) & 0xffff;
    return (2 + this.kernelCount + Math.trunc((ref - this.moduleFirst) / 40)) & 0xffff;
  }
}

const layout = computePageFlagsLayout(getPageFlagsPreset(PRESET).inputs);
/** PAGE_FLAGS_CHECK_AT_PREP, reduced to the PG_* bits (all in the low half of the word). */
const CHECK_AT_PREP = (2 ** layout.NR_PAGEFLAGS - 1) | 0;
const printk = new CapturePrintk();

// Each backend boots on its own memmap: page_ext mode has page->flags too, it just does not keep
// tag references there.
const extFlags = new PageFlagsArray(layout, NR_PAGES);
const extStorage = new SparsePageExt({ nrPages: NR_PAGES, pagesPerSection: PAGES_PER_SECTION });
extStorage.setup(8);
extStorage.pageExtInit();
const extRefs = new PageExtTagRefs({ pageExt: extStorage, printk });
const cmpFlags = new PageFlagsArray(layout, NR_PAGES);
const cmpRefs = new PageFlagsTagRefs({ flags: cmpFlags, tagIndex: new BenchTagIndex(), printk });
cmpRefs.init(layout.allocTagRefOffs, layout.allocTagRefBits);

/** Tags cycled through by the loop (precomputed: the hot loop allocates nothing). */
const TAGS = Float64Array.from({ length: 64 }, (_, i) => KERNEL_TAGS_BASE + ((i * 61) % NR_KERNEL_TAGS) * 40);

/** Pseudo-random page order (xorshift32 Fisher–Yates, fixed seed). */
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

/** 64 pages recycled (a per-CPU page list), repeated to the same number of operations. */
const HOT_PAGES = 64;
const HOT_ORDER = Uint32Array.from({ length: NR_PAGES }, (_, i) => ORDER[i % HOT_PAGES]!);

/** Pages whose flags failed check_new_page() (stays 0; read so the allocator's work is not dead). */
let badPages = 0;

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

// pgalloc_tag_add() and pgalloc_tag_sub() are separate functions in the kernel and in alloc-tag,
// each with one get/update/put; the loops below keep that shape (one function per direction and
// backend), so each inlines its get/update/put the way a real hook does. Everything the loop
// needs arrives as a parameter: no module bindings are read per page.

/** Allocation side, page_ext backend: check_new_page() then pgalloc_tag_add() for order[b, end). */
function chargePageExt(
  refs: PageExtTagRefs,
  words: Uint32Array,
  wpp: number,
  checkAtPrep: number,
  tags: Float64Array,
  order: Uint32Array,
  b: number,
  end: number,
  h: PgtagRefHandle,
): number {
  let bad = 0;
  for (let i = b; i < end; i++) {
    const pfn = order[i]!;
    if ((words[pfn * wpp]! & checkAtPrep) !== 0) bad++;
    if (refs.getPageTagRef(pfn, h)) {
      h.ref = tags[i & 63]!;
      refs.updatePageTagRef(h);
      refs.putPageTagRef(h);
    }
  }
  return bad;
}

/** Free side, page_ext backend: free_pages_prepare()'s flags clear then pgalloc_tag_sub(). */
function unchargePageExt(
  refs: PageExtTagRefs,
  words: Uint32Array,
  wpp: number,
  checkAtPrep: number,
  order: Uint32Array,
  b: number,
  end: number,
  h: PgtagRefHandle,
): void {
  for (let i = b; i < end; i++) {
    const pfn = order[i]!;
    words[pfn * wpp] = words[pfn * wpp]! & ~checkAtPrep;
    if (refs.getPageTagRef(pfn, h)) {
      h.ref = 0;
      refs.updatePageTagRef(h);
      refs.putPageTagRef(h);
    }
  }
}

/** chargePageExt for the page-flags backend (a copy, so each call site sees one class). */
function chargePageFlags(
  refs: PageFlagsTagRefs,
  words: Uint32Array,
  wpp: number,
  checkAtPrep: number,
  tags: Float64Array,
  order: Uint32Array,
  b: number,
  end: number,
  h: PgtagRefHandle,
): number {
  let bad = 0;
  for (let i = b; i < end; i++) {
    const pfn = order[i]!;
    if ((words[pfn * wpp]! & checkAtPrep) !== 0) bad++;
    if (refs.getPageTagRef(pfn, h)) {
      h.ref = tags[i & 63]!;
      refs.updatePageTagRef(h);
      refs.putPageTagRef(h);
    }
  }
  return bad;
}

/** unchargePageExt for the page-flags backend. */
function unchargePageFlags(
  refs: PageFlagsTagRefs,
  words: Uint32Array,
  wpp: number,
  checkAtPrep: number,
  order: Uint32Array,
  b: number,
  end: number,
  h: PgtagRefHandle,
): void {
  for (let i = b; i < end; i++) {
    const pfn = order[i]!;
    words[pfn * wpp] = words[pfn * wpp]! & ~checkAtPrep;
    if (refs.getPageTagRef(pfn, h)) {
      h.ref = 0;
      refs.updatePageTagRef(h);
      refs.putPageTagRef(h);
    }
  }
}

/**
 * One timed pass: in batches of `batch` pages of `order`, every page is allocated (reference
 * set) and then freed (reference cleared). "Hook alone" passes a zero check mask and a scratch
 * flags array, so the allocator's part touches nothing of the pages.
 */
function passPageExt(order: Uint32Array, batch: number, inAllocator: boolean, h: PgtagRefHandle): number {
  const words = inAllocator ? extFlags.words : SCRATCH;
  const wpp = inAllocator ? extFlags.stride : 0;
  const check = inAllocator ? CHECK_AT_PREP : 0;
  let bad = 0;
  const t0 = cpuNs();
  for (let b = 0; b < NR_PAGES; b += batch) {
    bad += chargePageExt(extRefs, words, wpp, check, TAGS, order, b, b + batch, h);
    unchargePageExt(extRefs, words, wpp, check, order, b, b + batch, h);
  }
  const ns = (cpuNs() - t0) / (2 * NR_PAGES);
  badPages += bad;
  return ns;
}

/** passPageExt for the page-flags backend. */
function passPageFlags(order: Uint32Array, batch: number, inAllocator: boolean, h: PgtagRefHandle): number {
  const words = inAllocator ? cmpFlags.words : SCRATCH;
  const wpp = inAllocator ? cmpFlags.stride : 0;
  const check = inAllocator ? CHECK_AT_PREP : 0;
  let bad = 0;
  const t0 = cpuNs();
  for (let b = 0; b < NR_PAGES; b += batch) {
    bad += chargePageFlags(cmpRefs, words, wpp, check, TAGS, order, b, b + batch, h);
    unchargePageFlags(cmpRefs, words, wpp, check, order, b, b + batch, h);
  }
  const ns = (cpuNs() - t0) / (2 * NR_PAGES);
  badPages += bad;
  return ns;
}

/**
 * "Hook alone": the allocator's flags access goes to this one word (wpp 0) with a zero mask, so
 * the loops stay identical but touch no page's memory.
 */
const SCRATCH = new Uint32Array(1);

const WORKLOADS = [
  { name: 'allocator, cold pages', order: ORDER, batch: NR_PAGES, inAllocator: true },
  { name: 'hook alone, cold pages', order: ORDER, batch: NR_PAGES, inAllocator: false },
  { name: 'allocator, hot pages', order: HOT_ORDER, batch: HOT_PAGES, inAllocator: true },
] as const;
type Workload = (typeof WORKLOADS)[number];
const BACKENDS = [
  {
    name: 'page_ext',
    bytes: () => extRefs.bytes,
    run: (w: Workload, h: PgtagRefHandle) => passPageExt(w.order, w.batch, w.inAllocator, h),
  },
  {
    name: 'page_flags',
    bytes: () => cmpRefs.bytes,
    run: (w: Workload, h: PgtagRefHandle) => passPageFlags(w.order, w.batch, w.inAllocator, h),
  },
] as const;

const h = new PgtagRefHandle();
const samples = new Map<string, number[]>();
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (const w of WORKLOADS) {
    // Alternate which backend goes first, so neither always runs right after the other's pass.
    const order = round % 2 === 0 ? BACKENDS : [...BACKENDS].reverse();
    for (const b of order) {
      const ns = b.run(w, h);
      if (round < WARMUP) continue;
      const key = `${w.name}\u0000${b.name}`;
      if (!samples.has(key)) samples.set(key, []);
      samples.get(key)!.push(ns);
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const rows = WORKLOADS.flatMap((w) =>
  BACKENDS.map((b) => {
    const xs = samples.get(`${w.name}\u0000${b.name}`)!;
    return {
      workload: w.name,
      backend: b.name,
      nsPerOp: round1(median(xs)),
      min: round1(Math.min(...xs)),
      max: round1(Math.max(...xs)),
      bytes: b.bytes(),
    };
  }),
);

console.log(
  `pgalloc-tag get/update/put, preset ${PRESET} (tag field bits ${layout.allocTagRefOffs}..${
    layout.allocTagRefOffs + layout.allocTagRefBits - 1
  }), ${NR_PAGES} pages, ${ROUNDS} rounds: median CPU ns per get+update+put`,
);
const table = [
  '| workload | backend | ns/op (median) | min–max | bytes of tag refs |',
  '|---|---|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.workload} | ${r.backend} | ${r.nsPerOp.toFixed(1)} | ${r.min.toFixed(1)}–${r.max.toFixed(1)} | ${r.bytes} |`,
  ),
];
console.log(table.join('\n'));
/** Per round, page_flags time / page_ext time of the same workload: slow drifts of a shared machine cancel. */
const ratios = WORKLOADS.map((w) => {
  const ext = samples.get(`${w.name}\u0000page_ext`)!;
  const cmp = samples.get(`${w.name}\u0000page_flags`)!;
  const xs = cmp.map((c, i) => c / ext[i]!);
  return {
    workload: w.name,
    pageFlagsOverPageExt: Math.round(median(xs) * 100) / 100,
    min: Math.round(Math.min(...xs) * 100) / 100,
    max: Math.round(Math.max(...xs) * 100) / 100,
  };
});
for (const r of ratios) {
  console.log(
    `${r.workload}: page_flags / page_ext = ${r.pageFlagsOverPageExt.toFixed(2)} (median of per-round ratios, ${r.min.toFixed(2)}–${r.max.toFixed(2)})`,
  );
}
if (badPages !== 0) throw new Error(`${badPages} pages failed the allocator's flags check`);

if (!SMOKE) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    arch: arch(),
    preset: PRESET,
    nrPages: NR_PAGES,
    rounds: ROUNDS,
    clock: 'process.cpuUsage (user + system)',
    rows,
    ratios,
  };
  writeFileSync(new URL('get-update-put.json', dir), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(new URL('get-update-put.md', dir), `${table.join('\n')}\n`);
}
