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
import { buildColdWorkingSet, compileWorkload, type MixedOrderPlan, type PageAllocator } from './workload';

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
 * Account the order0 and mixed loops on `machine` (its arrays become recording views: use a
 * machine of its own).
 */
export function accountHotVariants(
  machine: TraceableMachine,
  s: AccountingSettings,
  plan: MixedOrderPlan,
): { order0: MemoryTraffic; mixed: MemoryTraffic } {
  const w = compileWorkload();
  // One recording for both variants; each reports to a model of its own.
  const relay = new RelaySink();
  machine.traceMemory(relay);
  const m0 = new MemoryTrafficModel(s.cacheBytes);
  relay.target = m0;
  const a0 = new CountingAllocator(machine.pageAlloc, m0);
  check(w.order0(a0, s.order0Ops, machine.gfp), machine, 'order0');
  m0.startMeasuring();
  check(w.order0(a0, s.order0Ops, machine.gfp), machine, 'order0');
  const mm = new MemoryTrafficModel(s.cacheBytes);
  relay.target = mm;
  const am = new CountingAllocator(machine.pageAlloc, mm);
  const pfns = new Int32Array(plan.batch);
  check(w.mixed(am, 2, machine.gfp, plan, pfns), machine, 'mixed');
  mm.startMeasuring();
  check(w.mixed(am, s.mixedBatches, machine.gfp, plan, pfns), machine, 'mixed');
  return { order0: m0.result(), mixed: mm.result() };
}

/**
 * Account the cold loop on `machine`: the working set is built before recording starts, then one
 * whole cycle warms the model and `coldOps` pairs are counted.
 */
export function accountColdVariant(
  machine: TraceableMachine,
  s: AccountingSettings,
  gfpNoWarn: number,
): MemoryTraffic {
  const w = compileWorkload();
  const ws = buildColdWorkingSet(machine.pageAlloc, gfpNoWarn, accountingColdPages(s));
  const model = new MemoryTrafficModel(s.cacheBytes);
  machine.traceMemory(model);
  const a = new CountingAllocator(machine.pageAlloc, model);
  check(w.cold(a, ws.held.length, machine.gfp, ws), machine, 'cold');
  model.startMeasuring();
  check(w.cold(a, s.coldOps, machine.gfp, ws), machine, 'cold');
  return model.result();
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
