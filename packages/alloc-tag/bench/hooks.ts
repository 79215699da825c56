/**
 * The page hooks of one order-0 alloc_page() + free_page() as mm/page_alloc.c (6.13) runs them:
 * post_alloc_hook → pgalloc_tag_add(page, current, 1); __free_pages → pgalloc_tag_get(page)
 * before the reference is dropped; free_pages_prepare → pgalloc_tag_sub(page, 1). Each mode boots
 * its own AllocTagSubsystem in the same process (as `kernel-sim bench` does), so the package code
 * sees every backend, as it does there. `nohooks` runs the same loop with the hooks compiled out.
 *
 * Standalone, for profiling one mode: `MODE=1,compressed node --cpu-prof --import tsx
 * --conditions=@allocprof/source bench/hooks.ts` (MODE=nohooks|never|0|1|1,compressed).
 */
import { Codetag, SymbolTable } from '@allocprof/codetag';
import { type PageProvider, Vmalloc } from '@allocprof/execmem-vmalloc';
import { computePageFlagsLayout, getPageFlagsPreset, PageFlagsArray } from '@allocprof/page-flags-layout';
import { PageExtTagRefs, PageFlagsTagRefs, SparsePageExt } from '@allocprof/pgalloc-tag';
import { type AllocTag, type AllocTagSite, AllocTagSubsystem } from '../src/index';

/** The modes of docs/benchmarks.md: `nohooks` = built without CONFIG_MEM_ALLOC_PROFILING. */
export const HOOK_MODES = ['nohooks', 'never', '0', '1', '1,compressed'] as const;
export type HookMode = (typeof HOOK_MODES)[number];

export const KERNEL_TAGS = 4096;
const KERNEL_BASE = 0xffff82000000;
const quiet = { printk: () => {} };

/** One booted profiling subsystem (null for nohooks) and the loop compiled for it. */
export interface HookMachine {
  readonly mode: HookMode;
  readonly at: AllocTagSubsystem | null;
  readonly tag: AllocTag | null;
  /** `n` × (add, get, sub) over `pfns`; returns a checksum so nothing is dead code. */
  run(n: number): number;
}

/** Boot the subsystem of `mode` over `nrPages` pages with the x86_64-sim page-flags layout. */
export function bootHookMachine(mode: HookMode, nrPages: number, pfns: Int32Array): HookMachine {
  if (mode === 'nohooks') {
    return { mode, at: null, tag: null, run: compileLoop(null, pfns) };
  }
  const layout = computePageFlagsLayout(getPageFlagsPreset('x86_64-sim').inputs);
  const kallsyms = new SymbolTable({
    __start_alloc_tags: KERNEL_BASE,
    __stop_alloc_tags: KERNEL_BASE + KERNEL_TAGS * 40,
  });
  let nextPfn = nrPages;
  const pages: PageProvider = {
    allocPagesBulk(n: number, out: number[]) {
      for (let i = 0; i < n; i++) out.push(nextPfn++);
      return n;
    },
    freePage() {},
  };
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
  at.setupEarlyMemProfiling(mode);
  if (at.compressed) {
    at.setPageTagRefs(
      new PageFlagsTagRefs({
        flags: new PageFlagsArray(layout, nrPages),
        tagIndex: at.tagIndex,
        printk: quiet,
      }),
    );
  } else {
    const pageExt = new SparsePageExt({ nrPages, pagesPerSection: 32768 });
    at.setPageTagRefs(new PageExtTagRefs({ pageExt, printk: quiet }));
    if (at.pageExtNeeded()) {
      pageExt.setup(8);
      pageExt.pageExtInit();
    }
  }
  at.allocTagSecInit();
  at.allocTagInit();
  const tag = tags[1234]!;
  // alloc_hooks() entered for the whole run, as kernel-sim's benchmark task does.
  if (at.enabled) at.allocTagSave(tag);
  return { mode, at, tag, run: compileLoop(at, pfns) };
}

const LOOP_SRC = `
  const mask = pfns.length - 1;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const pfn = pfns[i & mask];
    HOOKS_ADD
    sum = (sum + pfn) | 0;
    HOOKS_FREE
  }
  return sum;
`;

/**
 * A fresh copy of the loop per machine (its own inline caches), as kernel-sim compiles its
 * workload per booted kernel; only the package code is shared between modes.
 */
function compileLoop(at: AllocTagSubsystem | null, pfns: Int32Array): (n: number) => number {
  const src =
    at === null
      ? LOOP_SRC.replace('HOOKS_ADD', '').replace('HOOKS_FREE', '')
      : LOOP_SRC.replace('HOOKS_ADD', 'at.pgallocTagAdd(pfn, at.current, 1);').replace(
          'HOOKS_FREE',
          'const tag = at.pgallocTagGet(pfn); at.pgallocTagSub(pfn, 1); if (tag === null) sum ^= 1;',
        );
  const loop = new Function('at', 'pfns', 'n', src) as (
    at: AllocTagSubsystem | null,
    pfns: Int32Array,
    n: number,
  ) => number;
  return (n) => loop(at, pfns, n);
}

/** 1024 distinct pfns spread over the memmap, like the pages a per-CPU list hands back. */
export function benchPfns(nrPages: number): Int32Array {
  const pfns = new Int32Array(1024);
  for (let i = 0; i < pfns.length; i++) pfns[i] = (i * 7919) % nrPages;
  return pfns;
}

/** Process CPU time in ns (user + system): a shared, loaded machine does not inflate it. */
export function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mode = (process.env.MODE ?? '1') as HookMode;
  if (!HOOK_MODES.includes(mode)) throw new Error(`MODE must be one of ${HOOK_MODES.join(', ')}`);
  const nrPages = 1 << 18;
  const m = bootHookMachine(mode, nrPages, benchPfns(nrPages));
  const n = Number(process.env.OPS ?? 20_000_000);
  const t0 = cpuNs();
  m.run(n);
  console.log(`${mode}: ${((cpuNs() - t0) / n).toFixed(2)} ns per alloc+free (CPU time)`);
}
