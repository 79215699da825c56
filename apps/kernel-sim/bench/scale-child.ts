/**
 * One scale measurement in a fresh process: boot `kernel-sim`'s Kernel with `--mem SIZE`
 * (and an optional command line), run a short demo workload, and print one JSON line with the
 * boot time, the workload time and the process's peak RSS. Spawned by bench/index.ts so that
 * every size starts from an empty heap.
 */

import { performance } from 'node:perf_hooks';
import { Kernel } from '../src/init/main';
import { KERNEL_SITES } from '../src/kernel/vmlinux_alloc_tags';
import { memparse } from '../src/lib/cmdline';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const mem = memparse(arg('--mem', '1G'), '--mem');
const cmdline = arg('--cmdline', '');
const rssBeforeBoot = process.memoryUsage.rss();
const t0 = performance.now();
const kernel = Kernel.boot({ mem, cmdline });
const t1 = performance.now();

// The demo's shape: page allocations from a few call sites in several orders, a module loaded
// and unloaded, /proc/allocinfo and /proc/meminfo read.
const held: Array<[number, number]> = [];
for (const [site, order, count] of [
  [KERNEL_SITES.filemapGetFolio, 0, 2000],
  [KERNEL_SITES.allocateSlab, 1, 500],
  [KERNEL_SITES.dupTaskStruct, 2, 100],
  [KERNEL_SITES.doAnonymousPage, 0, 1000],
] as const) {
  for (const pfn of kernel.allocPages(`${site.filename}:${site.lineno}`, order, { count }))
    held.push([pfn, order]);
}
kernel.insmod('demo_drv');
const allocinfo = kernel.readFile('/proc/allocinfo');
kernel.readFile('/proc/meminfo');
for (const [pfn, order] of held) kernel.freePages(pfn, order);
kernel.rmmod('demo_drv');
const t2 = performance.now();

process.stdout.write(
  `${JSON.stringify({
    memBytes: mem,
    cmdline,
    nrPages: kernel.memmap.nrPages,
    bootMs: t1 - t0,
    demoMs: t2 - t1,
    rssBeforeBootBytes: rssBeforeBoot,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    hostBytesPerPage: kernel.perPageHostBytes,
    pageExtBytes: kernel.pageExt.bytes,
    allocinfoLines: allocinfo.split('\n').length,
  })}\n`,
);
