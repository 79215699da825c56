/**
 * Test support for the benchmark engine: machines over bare allocators (no Kernel) whose
 * allocations advance a virtual clock by a fixed cost, so overheads come out exact without any
 * test measuring time.
 */

import { GFP_KERNEL } from '../mm/gfp';
import type { BuddyAllocator } from '../mm/page_alloc';
import { testMachine } from '../mm/testing';
import type { BenchMachine, TagRefStorage } from './machine';
import { type BenchMode, benchModeSpec, modeCmdline } from './modes';

/** A virtual nanosecond clock the fake allocators advance. */
export class VirtualNs {
  now = 0n;
  readonly clock = (): bigint => this.now;
}

/** An allocator that charges `nsPerOp` virtual ns per alloc and per free to `time`. */
export class TimedAllocator {
  readonly inner: BuddyAllocator;
  private readonly time: VirtualNs;
  private readonly cost: bigint;

  constructor(inner: BuddyAllocator, time: VirtualNs, nsPerAllocFree: number) {
    this.inner = inner;
    this.time = time;
    this.cost = BigInt(nsPerAllocFree / 2);
  }

  allocPages(order: number, gfp?: number): number {
    this.time.now += this.cost;
    return this.inner.allocPages(order, gfp);
  }

  freePages(pfn: number, order: number): void {
    this.time.now += this.cost;
    this.inner.freePages(pfn, order);
  }
}

/** A benchmark machine over a bare allocator of `ramBytes` (64M by default). */
export function fakeBenchMachine(
  mode: BenchMode,
  opts: {
    time?: VirtualNs;
    nsPerAllocFree?: number;
    ramBytes?: number;
    tagRefBytesPerPage?: number;
    storage?: TagRefStorage;
  } = {},
): BenchMachine & { alloc: BuddyAllocator } {
  const ramBytes = opts.ramBytes ?? 64 * 2 ** 20;
  const { alloc } = testMachine(ramBytes);
  const pageAlloc = opts.time ? new TimedAllocator(alloc, opts.time, opts.nsPerAllocFree ?? 100) : alloc;
  const nrPages = ramBytes / 4096;
  const tagRefBytes = (opts.tagRefBytesPerPage ?? 0) * nrPages;
  return {
    mode,
    cmdline: modeCmdline(mode),
    config: 'x86_64-sim',
    pageAlloc,
    alloc,
    gfp: GFP_KERNEL,
    ramBytes,
    nrPages,
    profilingBuilt: benchModeSpec(mode).profiling,
    accounting: false,
    tagRefStorage: opts.storage ?? 'none',
    tagRefBytes,
    pageExtBytes: tagRefBytes === 0 ? 0 : 2 * tagRefBytes,
    tagRefBits: opts.storage === 'page_flags' ? 13 : 0,
    freePages: () => alloc.nrFreePagesTotal(),
    benchSiteCalls: () => null,
  };
}
