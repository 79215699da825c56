import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel/errno';
import { GFP_KERNEL } from '../mm/gfp';
import { HookedPageAllocator, NoHooksPageAllocator, type PageAllocHooks } from '../mm/page_alloc';
import { testMachine } from '../mm/testing';
import { cpuClock } from '../node/host';
import {
  type BenchProgress,
  clockOf,
  type PageAllocBenchSettings,
  pairedOverhead,
  runPageAllocBench,
  SMOKE_SETTINGS,
  wallClock,
} from './harness';
import { fakeBenchMachine, VirtualNs } from './testing';
import { compileWorkload, mixedBatchPages, mixedOrderPlan } from './workload';

const SETTINGS: PageAllocBenchSettings = {
  rounds: 5,
  warmupRounds: 2,
  order0Iterations: 100,
  mixedBatches: 3,
  mixedBatch: 16,
  coldIterations: 20,
  llcBytes: 1 << 16,
  clock: 'wall',
};

/** A hooks object that throws whenever anything reads it once armed (boot runs unarmed). */
function throwingHooks(state = { armed: true }): PageAllocHooks<number> {
  return new Proxy({} as PageAllocHooks<number>, {
    get(_t, prop) {
      if (!state.armed) return () => 0;
      throw new Error(`hook ${String(prop)} touched`);
    },
  });
}

describe('runPageAllocBench', () => {
  it('computes median ns per alloc+free and the overhead against nohooks', () => {
    const time = new VirtualNs();
    const machines = [
      fakeBenchMachine('nohooks', { time, nsPerAllocFree: 100 }),
      fakeBenchMachine('page_ext', { time, nsPerAllocFree: 142 }),
      fakeBenchMachine('compressed', { time, nsPerAllocFree: 104 }),
    ];
    const r = runPageAllocBench(machines, SETTINGS, { clock: time.clock });
    expect(r.variants.map((v) => v.variant)).toEqual(['order0', 'mixed', 'cold']);
    for (const v of r.variants) {
      const by = Object.fromEntries(v.modes.map((t) => [t.mode, t]));
      expect(by.nohooks!.ns.median).toBe(100);
      expect(by.nohooks!.overheadPercent).toBe(0);
      expect(by.page_ext!.ns.median).toBe(142);
      expect(by.page_ext!.overheadPercent).toBeCloseTo(42, 9);
      expect(by.compressed!.overheadPercent).toBeCloseTo(4, 9);
      expect(by.compressed!.pairedOverheadPercent).toBeCloseTo(4, 9);
      expect(by.nohooks!.pairedOverheadPercent).toBe(0);
      expect(by.compressed!.samples).toHaveLength(SETTINGS.rounds);
      expect(by.compressed!.ns.iqr).toBe(0);
    }
    expect(r.variants[0]!.opsPerRound).toBe(100);
    expect(r.variants[1]!.opsPerRound).toBe(48);
    expect(r.variants[2]!.opsPerRound).toBe(20);
    // 4 × a 64 KiB "LLC" at one page per 64-byte line: 4096 pages, which 64M of RAM can hold.
    expect(r.variants[2]!.workingSet).toEqual({
      llcBytes: 1 << 16,
      targetPages: 4096,
      pages: 4096,
      bytes: 4096 * 64,
      llcMultiple: 4,
    });
    expect(r.variants[0]!.workingSet).toBeUndefined();
  });

  it('leaves no overhead without a nohooks machine', () => {
    const r = runPageAllocBench([fakeBenchMachine('page_ext')], SETTINGS, { variants: ['order0'] });
    expect(r.variants[0]!.modes[0]!.overheadPercent).toBeNull();
  });

  it('interleaves: warm-up rounds of every mode first, then measured rounds from a rotating start', () => {
    const machines = [fakeBenchMachine('nohooks'), fakeBenchMachine('off'), fakeBenchMachine('compressed')];
    const seen: BenchProgress[] = [];
    runPageAllocBench(
      machines,
      { ...SETTINGS, rounds: 3, warmupRounds: 1 },
      {
        progress: (p) => seen.push(p),
        variants: ['order0'],
      },
    );
    expect(seen.map((p) => `${p.phase[0]}${p.round}:${p.mode}`)).toEqual([
      'w0:nohooks',
      'w0:off',
      'w0:compressed',
      'm0:nohooks',
      'm0:off',
      'm0:compressed',
      'm1:off',
      'm1:compressed',
      'm1:nohooks',
      'm2:compressed',
      'm2:nohooks',
      'm2:off',
    ]);
    expect(seen.map((p) => p.done)).toEqual([...seen.keys()]);
    expect(seen.every((p) => p.total === 12)).toBe(true);
  });

  it('frees everything it allocates: the allocator is as before the run', () => {
    const m = fakeBenchMachine('nohooks');
    const before = m.alloc.stats();
    runPageAllocBench([m], SMOKE_SETTINGS);
    m.alloc.drainAllPages();
    expect(m.alloc.stats().allocatedPages).toBe(before.allocatedPages);
    m.alloc.checkInvariants();
  });

  it('rejects bad settings and machine lists with EINVAL, before running anything', () => {
    const m = fakeBenchMachine('nohooks');
    const before = m.alloc.stats();
    expect(() => runPageAllocBench([m], { ...SETTINGS, rounds: 0 })).toThrow(
      /rounds must be an integer >= 1/,
    );
    expect(() => runPageAllocBench([m], { ...SETTINGS, order0Iterations: 1.5 })).toThrow(KernelError);
    expect(() => runPageAllocBench([], SETTINGS)).toThrow(/no machine/);
    expect(() => runPageAllocBench([m, fakeBenchMachine('nohooks')], SETTINGS)).toThrow(/given twice/);
    expect(() => runPageAllocBench([m], { ...SETTINGS, clock: 'tsc' as never })).toThrow(
      /clock must be 'cpu' or 'wall'/,
    );
    expect(m.alloc.stats()).toEqual(before);
  });

  it('refuses a machine too small for a mixed-order batch with ENOMEM', () => {
    const m = fakeBenchMachine('nohooks');
    const plan = mixedOrderPlan(2048, 2048);
    expect(mixedBatchPages(plan)).toBeGreaterThan(m.freePages());
    expect(() => runPageAllocBench([m], { ...SETTINGS, mixedBatch: 2048 })).toThrowError(
      expect.objectContaining({ code: 'ENOMEM' }),
    );
  });

  it('reports ENOMEM when the loop cannot allocate', () => {
    const m = fakeBenchMachine('nohooks');
    m.alloc.failPageAlloc(1_000_000);
    expect(() => runPageAllocBench([m], SETTINGS, { variants: ['order0'] })).toThrow(
      /ran out of memory in the order0 loop/,
    );
  });
});

describe('pairedOverhead', () => {
  it('is the median of per-round ratios, insensitive to a drift both share', () => {
    // The machine slows down threefold halfway: medians mix fast and slow rounds, pairs do not.
    const base = [100, 100, 300, 300, 300];
    const mode = [110, 110, 330, 330, 330];
    expect(pairedOverhead(mode, base)).toBeCloseTo(10, 9);
    expect(pairedOverhead([100, 200], [100, 100])).toBe(50);
  });

  it('is null without a usable baseline', () => {
    expect(pairedOverhead([1, 2], null)).toBeNull();
    expect(pairedOverhead([1, 2], [1])).toBeNull();
    expect(pairedOverhead([1, 2], [1, 0])).toBeNull();
  });
});

describe('clocks', () => {
  it('read process CPU time or wall time in nanoseconds, never going back', () => {
    for (const kind of ['cpu', 'wall'] as const) {
      const clock = clockOf(kind, cpuClock);
      const a = clock();
      let x = 0;
      for (let i = 0; i < 100_000; i++) x += i;
      expect(x).toBeGreaterThan(0);
      expect(clock()).toBeGreaterThanOrEqual(a);
    }
    expect(clockOf('cpu', cpuClock)).toBe(cpuClock);
    expect(clockOf('wall', cpuClock)).toBe(wallClock);
  });

  it('fall back to the wall clock on a host without a CPU clock (a browser)', () => {
    expect(clockOf('cpu', null)).toBe(wallClock);
    const a = wallClock();
    expect(typeof a).toBe('bigint');
    expect(wallClock()).toBeGreaterThanOrEqual(a);
  });
});

describe('workload', () => {
  it('the nohooks allocator runs both loops without touching a hooks object', () => {
    const { alloc } = testMachine(64 * 2 ** 20);
    expect(alloc).toBeInstanceOf(NoHooksPageAllocator);
    // Were the nohooks class a flag check around the same calls, a hooks field would be read.
    Object.defineProperty(alloc, 'hooks', { get: () => throwingHooks() });
    const w = compileWorkload();
    const plan = mixedOrderPlan(32, 256);
    expect(w.order0(alloc, 1000, GFP_KERNEL)).not.toBe(-1);
    expect(w.mixed(alloc, 10, GFP_KERNEL, plan, new Int32Array(32))).not.toBe(-1);
  });

  it('the hooked allocator calls its hooks on the same loops (control)', () => {
    const state = { armed: false };
    const { alloc } = testMachine(64 * 2 ** 20, { hooks: throwingHooks(state) });
    expect(alloc).toBeInstanceOf(HookedPageAllocator);
    state.armed = true;
    expect(() => compileWorkload().order0(alloc, 1, GFP_KERNEL)).toThrow(/hook .* touched/);
  });

  it('builds a reproducible mixed-order plan: orders 0..10, free order a permutation', () => {
    const a = mixedOrderPlan(64, 1024);
    const b = mixedOrderPlan(64, 1024);
    expect(a).toEqual(b);
    expect(Math.max(...a.orders)).toBeLessThanOrEqual(10);
    expect(a.orders.filter((o) => o === 0).length).toBeGreaterThan(a.orders.length / 3);
    expect([...a.freeOrder].sort((x, y) => x - y)).toEqual([...Array(64).keys()]);
    expect(
      mixedBatchPages({ batch: 2, orders: Uint8Array.of(0, 3, 1), freeOrder: Uint16Array.of(1, 0) }),
    ).toBe(10);
    expect(() => mixedOrderPlan(0)).toThrow(KernelError);
    expect(() => mixedOrderPlan(64, 10)).toThrow(/>= the batch/);
  });

  it('gives every machine its own copy of the loops', () => {
    const a = compileWorkload();
    const b = compileWorkload();
    expect(a.order0).not.toBe(b.order0);
    expect(a.mixed).not.toBe(b.mixed);
  });
});
