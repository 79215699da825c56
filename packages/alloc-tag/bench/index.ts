/**
 * Cost of the page allocator hooks (pgalloc_tag_add + pgalloc_tag_sub per order-0 page) in each
 * mode of §1.3, measured side by side in one process: interleaved rounds after a warm-up, median
 * and spread. `BENCH_SMOKE=1` runs a tiny size (CI).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Codetag, SymbolTable } from '@allocprof/codetag';
import { type PageProvider, Vmalloc } from '@allocprof/execmem-vmalloc';
import { computePageFlagsLayout, getPageFlagsPreset, PageFlagsArray } from '@allocprof/page-flags-layout';
import { PageExtTagRefs, PageFlagsTagRefs } from '@allocprof/pgalloc-tag';
import { type AllocTagSite, AllocTagSubsystem } from '../src/index';

const SMOKE = process.env.BENCH_SMOKE === '1';
const NR_PAGES = SMOKE ? 1024 : 1 << 18;
const OPS = SMOKE ? 20_000 : 2_000_000;
const ROUNDS = SMOKE ? 2 : 9;
const KERNEL_TAGS = 4096;
const KERNEL_BASE = 0xffff82000000;

const quiet = { printk: () => {} };
/** Pages for the module tag area, above the benchmarked pfns (no module is loaded here). */
let nextPfn = NR_PAGES;
const pages: PageProvider = {
  allocPagesBulk(n: number, out: number[]) {
    for (let i = 0; i < n; i++) out.push(nextPfn++);
    return n;
  },
  freePage() {},
};

function boot(cmdline: string) {
  const layout = computePageFlagsLayout(getPageFlagsPreset('x86_64-sim').inputs);
  const kallsyms = new SymbolTable({
    __start_alloc_tags: KERNEL_BASE,
    __stop_alloc_tags: KERNEL_BASE + KERNEL_TAGS * 40,
  });
  const codetag = new Codetag({ kernelSymbols: kallsyms, printk: quiet });
  const vmalloc = new Vmalloc({ pageProvider: pages, printk: quiet });
  const at = new AllocTagSubsystem({
    printk: quiet,
    nrCpus: 4,
    codetag,
    kernelSymbols: kallsyms,
    pageFlagsLayout: layout,
    vmalloc,
  });
  const sites: AllocTagSite[] = Array.from({ length: KERNEL_TAGS }, (_, i) => ({
    filename: `mm/f${i}.c`,
    lineno: i,
    function: `f${i}`,
  }));
  const tags = at.installKernelTags(KERNEL_BASE, sites);
  at.setupEarlyMemProfiling(cmdline);
  if (at.compressed) {
    at.setPageTagRefs(
      new PageFlagsTagRefs({
        flags: new PageFlagsArray(layout, NR_PAGES),
        tagIndex: at.tagIndex,
        printk: quiet,
      }),
    );
  } else {
    const ext = new PageExtTagRefs({ nrPages: NR_PAGES, pagesPerSection: 32768, printk: quiet });
    at.setPageTagRefs(ext);
    if (at.pageExtNeeded()) ext.init();
  }
  at.allocTagSecInit();
  at.allocTagInit();
  at.current.allocTag = tags[1234]!;
  return at;
}

const modes = ['never', '0', '1', '1,compressed'] as const;
const kernels = modes.map((m) => boot(m));

function round(at: AllocTagSubsystem): number {
  const task = at.current;
  const mask = NR_PAGES - 1;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) {
    const pfn = (i * 7919) & mask;
    at.pgallocTagAdd(pfn, task, 1);
    at.pgallocTagSub(pfn, 1);
  }
  return Number(process.hrtime.bigint() - t0) / OPS;
}

for (const at of kernels) round(at);
const samples: number[][] = modes.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < kernels.length; i++) samples[i]!.push(round(kernels[i]!));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = modes.map((m, i) => {
  const s = samples[i]!;
  return {
    mode: m,
    nsPerAllocFree: Number(median(s).toFixed(1)),
    spread: Number((Math.max(...s) - Math.min(...s)).toFixed(1)),
    tagRefBytes: kernels[i]!.pageTagRefs.bytes,
  };
});
console.table(rows);
if (!SMOKE) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/hooks.json', import.meta.url),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, nrPages: NR_PAGES, ops: OPS, rows }, null, 2)}\n`,
  );
}
