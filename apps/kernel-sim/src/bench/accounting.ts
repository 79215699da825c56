/**
 * Deterministic memory-traffic accounting of the benchmark's loops: on a machine booted only for
 * this, every typed array of the allocation paths is replaced by a recording view
 * (mm/kmem_addresses.ts) that reports each access with the simulated kernel address of the
 * field; the loops then run as in the timed rounds, and for each alloc+free the model counts the
 * distinct 64-byte lines touched and the misses of a fully associative LRU cache of a stated
 * size. Nothing here is timed, and the timed machines never see a recording view.
 *
 * The counts stand for the kernel costs a JavaScript run cannot show by itself: a line the
 * kernel would fetch from DRAM in the cold loop is a miss here, and the try_cmpxchg() of
 * update_page_tag_ref() on page->flags (a plain read-modify-write in this single-threaded
 * simulator) is counted as one atomic operation per update.
 */

import { KernelError } from '../kernel/errno';
import { KMEM_REGIONS, type KmemRegion, type MemoryAccessSink } from '../mm/kmem_addresses';
import type { BenchMachine } from './machine';
import { type ColdWorkingSet, compileWorkload, type MixedOrderPlan, type PageAllocator } from './workload';

/** Bytes per cache line. */
export const LINE_BYTES = 64;

/** Lines and misses of one structure, per alloc+free. */
export interface RegionTraffic {
  readonly linesPerOp: number;
  readonly missesPerOp: number;
}

/** The accounting of one mode in one variant. */
export interface MemoryTraffic {
  /** Distinct 64-byte lines touched per alloc+free (averaged over the measured pairs). */
  readonly linesPerOp: number;
  /** Misses per alloc+free in the LRU cache model. */
  readonly missesPerOp: number;
  /** Locked read-modify-writes of page->flags per alloc+free (update_page_tag_ref()'s cmpxchg). */
  readonly atomicsPerOp: number;
  /** The same counts for each modelled structure. */
  readonly regions: Readonly<Record<KmemRegion, RegionTraffic>>;
}

/**
 * The access sink of an instrumented run: an LRU cache of `cacheBytes` (fully associative,
 * 64-byte lines), the distinct lines of the current alloc+free, and the atomic operations.
 */
export class MemoryTrafficModel implements MemoryAccessSink {
  readonly cacheLines: number;
  /** LRU order: Map iteration order is insertion order, so the first key is the least recent. */
  private readonly lru = new Map<number, number>();
  private readonly opLines = new Map<number, number>();
  private measuring = false;
  private calls = 0;
  private pairs = 0;
  private readonly lines = new Float64Array(KMEM_REGIONS.length);
  private readonly misses = new Float64Array(KMEM_REGIONS.length);
  private atomics = 0;
  /** Whether the current run of accesses through the page-flags view has stored yet (-1: no run). */
  private flagsRun = -1;

  constructor(cacheBytes: number) {
    if (!Number.isSafeInteger(cacheBytes) || cacheBytes < LINE_BYTES)
      throw new KernelError(
        'EINVAL',
        `bench: cache model must be at least one line, got ${cacheBytes} bytes`,
      );
    this.cacheLines = Math.floor(cacheBytes / LINE_BYTES);
  }

  access(addr: number, region: KmemRegion, write: boolean, flagsView: boolean): void {
    const line = Math.floor(addr / LINE_BYTES);
    const r = KMEM_REGIONS.indexOf(region);
    const lru = this.lru;
    const hit = lru.delete(line);
    lru.set(line, r);
    if (!hit && lru.size > this.cacheLines) lru.delete(lru.keys().next().value as number);
    if (flagsView) {
      // One update_page_tag_ref(): a run of accesses through the page-flags view with a store.
      if (write && this.flagsRun === 0) {
        this.flagsRun = 1;
        if (this.measuring) this.atomics++;
      } else if (this.flagsRun < 0) {
        this.flagsRun = write ? 1 : 0;
        if (write && this.measuring) this.atomics++;
      }
    } else {
      this.flagsRun = -1;
    }
    if (!this.measuring) return;
    if (!hit) this.misses[r]!++;
    this.opLines.set(line, r);
  }

  /** A page-allocator call ended; every second call closes one alloc+free. */
  endCall(): void {
    if (++this.calls % 2 !== 0) return;
    if (this.measuring) {
      for (const r of this.opLines.values()) this.lines[r]!++;
      this.pairs++;
    }
    this.opLines.clear();
  }

  /** Start counting (the cache keeps what the warm-up left in it). */
  startMeasuring(): void {
    this.measuring = true;
    this.opLines.clear();
    this.calls = 0;
  }

  /** The counts per alloc+free. */
  result(): MemoryTraffic {
    const n = Math.max(1, this.pairs);
    const regions = {} as Record<KmemRegion, RegionTraffic>;
    let lines = 0;
    let misses = 0;
    KMEM_REGIONS.forEach((region, r) => {
      regions[region] = { linesPerOp: this.lines[r]! / n, missesPerOp: this.misses[r]! / n };
      lines += this.lines[r]!;
      misses += this.misses[r]!;
    });
    return { linesPerOp: lines / n, missesPerOp: misses / n, atomicsPerOp: this.atomics / n, regions };
  }
}

/** A page allocator whose calls the model sees (op boundaries). */
class CountingAllocator implements PageAllocator {
  constructor(
    private readonly inner: PageAllocator,
    private readonly model: MemoryTrafficModel,
  ) {}

  allocPages(order: number, gfp?: number): number {
    const pfn = this.inner.allocPages(order, gfp);
    this.model.endCall();
    return pfn;
  }

  freePages(pfn: number, order: number): void {
    this.inner.freePages(pfn, order);
    this.model.endCall();
  }
}

/** Sizes of the instrumented runs. */
export interface AccountingSettings {
  /** The LRU cache model, bytes. */
  cacheBytes: number;
  /** Measured alloc+free pairs of order0 (after as many again to warm the model). */
  order0Ops: number;
  /** Measured batches of mixed (after two to warm). */
  mixedBatches: number;
  /** Measured pairs of cold, after one whole cycle of its working set (4 × the model's size). */
  coldOps: number;
}

export const DEFAULT_ACCOUNTING: Readonly<AccountingSettings> = {
  cacheBytes: 1 << 20,
  order0Ops: 2048,
  mixedBatches: 8,
  coldOps: 16384,
};

export const SMOKE_ACCOUNTING: Readonly<AccountingSettings> = {
  cacheBytes: 64 << 10,
  order0Ops: 256,
  mixedBatches: 2,
  coldOps: 1024,
};

/** Pages of the cold working set of an instrumented run: 4 × the model cache, one page per line. */
export function accountingColdPages(s: AccountingSettings): number {
  return Math.ceil((4 * s.cacheBytes) / LINE_BYTES);
}

/** A machine that can record its memory accesses (booted for the accounting only). */
export interface TraceableMachine extends BenchMachine {
  traceMemory(sink: MemoryAccessSink): void;
}

/**
 * A machine whose accesses are being recorded: each measurement points the recording at a model
 * of its own; in between, accesses go nowhere.
 */
export class TracedMachine {
  readonly machine: TraceableMachine;
  private readonly relay = new RelaySink();

  constructor(machine: TraceableMachine) {
    this.machine = machine;
    machine.traceMemory(this.relay);
  }

  /** Run `warm` then `measure` against a fresh model of `cacheBytes`; the counts of `measure`. */
  measure(
    cacheBytes: number,
    warm: (a: PageAllocator) => number,
    measure: (a: PageAllocator) => number,
    variant: string,
  ): MemoryTraffic {
    const model = new MemoryTrafficModel(cacheBytes);
    const a = new CountingAllocator(this.machine.pageAlloc, model);
    this.relay.target = model;
    try {
      check(warm(a), this.machine, variant);
      model.startMeasuring();
      check(measure(a), this.machine, variant);
    } finally {
      this.relay.target = null;
    }
    return model.result();
  }
}

/** The order0 loop: as many pairs again to warm the model, then `order0Ops` counted. */
export function accountOrder0(t: TracedMachine, s: AccountingSettings): MemoryTraffic {
  const w = compileWorkload();
  const m = t.machine;
  const run = (a: PageAllocator) => w.order0(a, s.order0Ops, m.gfp);
  return t.measure(s.cacheBytes, run, run, 'order0');
}

/** The mixed loop: two batches to warm the model, then `mixedBatches` counted. */
export function accountMixed(t: TracedMachine, s: AccountingSettings, plan: MixedOrderPlan): MemoryTraffic {
  const w = compileWorkload();
  const m = t.machine;
  const pfns = new Int32Array(plan.batch);
  return t.measure(
    s.cacheBytes,
    (a) => w.mixed(a, 2, m.gfp, plan, pfns),
    (a) => w.mixed(a, s.mixedBatches, m.gfp, plan, pfns),
    'mixed',
  );
}

/**
 * The cold loop over `ws` (build it with accountingColdPages(s) pages, best before tracing
 * starts): one whole cycle of the working set warms the model, then `coldOps` pairs are counted.
 */
export function accountCold(t: TracedMachine, s: AccountingSettings, ws: ColdWorkingSet): MemoryTraffic {
  const w = compileWorkload();
  const m = t.machine;
  return t.measure(
    s.cacheBytes,
    (a) => w.cold(a, ws.held.length, m.gfp, ws),
    (a) => w.cold(a, s.coldOps, m.gfp, ws),
    'cold',
  );
}

function check(sum: number, m: BenchMachine, variant: string): void {
  if (sum === -1)
    throw new KernelError(
      'ENOMEM',
      `bench: the ${m.mode} machine ran out of memory in the ${variant} accounting`,
    );
}

/** A sink forwarding to a replaceable target (one recording, several models in turn). */
class RelaySink implements MemoryAccessSink {
  target: MemoryAccessSink | null = null;

  access(addr: number, region: KmemRegion, write: boolean, flagsView: boolean): void {
    this.target?.access(addr, region, write, flagsView);
  }
}
