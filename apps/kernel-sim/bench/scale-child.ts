/**
 * One scale measurement in a fresh process, printed as one JSON line:
 * - `--what boot`: boot the Kernel with `--mem SIZE` (and `--cmdline`), then a short workload —
 *   page allocations from four call sites in several orders, a module loaded and unloaded,
 *   /proc/allocinfo and /proc/meminfo read — timing the boot and the workload;
 * - `--what demo`: `kernel-sim demo --mem SIZE --no-timings` as the command line runs it (its
 *   output discarded), timing the whole demo.
 * Both report the process's peak RSS. Spawned by bench/index.ts so that every size starts from
 * an empty heap.
 */

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Io } from '../src/cli/io';
import { runCli } from '../src/cli/program';
import { Kernel } from '../src/init/main';
import { KERNEL_SITES } from '../src/kernel/vmlinux_alloc_tags';
import { memparse } from '../src/lib/cmdline';
import { handlers } from '../src/node/handlers';
import { nodeHost } from '../src/node/host';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const size = arg('--mem', '1G');
const mem = memparse(size, '--mem');
const cmdline = arg('--cmdline', '');
const what = arg('--what', 'boot');
const rssBeforeBootBytes = process.memoryUsage.rss();

function bootAndWork(): Record<string, number> {
  const t0 = performance.now();
  const kernel = Kernel.boot({ mem, cmdline });
  const t1 = performance.now();
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
  kernel.readFile('/proc/allocinfo');
  kernel.readFile('/proc/meminfo');
  for (const [pfn, order] of held) kernel.freePages(pfn, order);
  kernel.rmmod('demo_drv');
  const t2 = performance.now();
  return {
    nrPages: kernel.memmap.nrPages,
    bootMs: t1 - t0,
    workMs: t2 - t1,
    hostBytesPerPage: kernel.perPageHostBytes,
    pageExtBytes: kernel.pageExt.bytes,
  };
}

async function demo(): Promise<Record<string, number>> {
  const discard: Io = {
    out: () => {},
    err: (t) => {
      process.stderr.write(t);
    },
    color: (await import('../src/cli/colors')).colorsFor({ isTTY: false }, {}),
    errColor: (await import('../src/cli/colors')).colorsFor({ isTTY: false }, {}),
    colorOn: false,
    env: {},
    isTTY: false,
    host: nodeHost,
  };
  const t0 = performance.now();
  const status = await runCli(['demo', '--mem', size, '--no-timings'], discard, handlers);
  if (status !== 0) throw new Error(`kernel-sim demo --mem ${size} exited with status ${status}`);
  return { nrPages: mem / 4096, demoMs: performance.now() - t0 };
}

/**
 * Peak RSS of this process: VmHWM of /proc/self/status (the high-water mark of this address
 * space, new at exec). getrusage()'s maxrss is not used on Linux: it keeps the peak of the
 * process image that forked this one, the benchmark driver itself.
 */
function peakRssBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m !== null) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

const result = what === 'demo' ? await demo() : bootAndWork();
process.stdout.write(
  `${JSON.stringify({
    what,
    memBytes: mem,
    cmdline,
    ...result,
    rssBeforeBootBytes,
    peakRssBytes: peakRssBytes(),
  })}\n`,
);
