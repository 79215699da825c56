import { describe, expect, it } from 'vitest';
import { NO_HOST } from '../host';
import { __GFP_NOWARN } from '../mm/gfp';
import {
  type AccountingSettings,
  accountCold,
  accountingColdPages,
  accountMixed,
  accountOrder0,
  type MemoryTraffic,
  MemoryTrafficModel,
  SMOKE_ACCOUNTING,
  type TraceableMachine,
  TracedMachine,
} from './accounting';
import { bootBenchMachine } from './kernel-machine';
import type { BenchMachineOptions } from './machine';
import { BENCH_MODES, type BenchMode } from './modes';
import { buildColdWorkingSet, mixedOrderPlan } from './workload';

describe('MemoryTrafficModel', () => {
  it('counts distinct lines per alloc+free and misses of an LRU cache', () => {
    const m = new MemoryTrafficModel(2 * 64);
    expect(m.cacheLines).toBe(2);
    m.startMeasuring();
    // Pair 1: lines 0, 0 (same line), 1 → 2 distinct, 2 misses.
    m.access(0, 'memmap', false, false);
    m.endCall();
    m.access(8, 'memmap', true, false);
    m.access(64, 'zone', false, false);
    m.endCall();
    // Pair 2: line 2 evicts line 0 (LRU); line 0 misses again.
    m.access(128, 'pcp', false, false);
    m.endCall();
    m.access(0, 'memmap', false, false);
    m.endCall();
    const r = m.result();
    expect(r.linesPerOp).toBe(2);
    expect(r.missesPerOp).toBe(2);
    expect(r.regions.memmap).toEqual({ linesPerOp: 1, missesPerOp: 1 });
    expect(r.regions.zone).toEqual({ linesPerOp: 0.5, missesPerOp: 0.5 });
    expect(r.regions.pcp).toEqual({ linesPerOp: 0.5, missesPerOp: 0.5 });
    expect(r.atomicsPerOp).toBe(0);
  });

  it('keeps what the warm-up cached and counts nothing before measuring', () => {
    const m = new MemoryTrafficModel(4 * 64);
    m.access(0, 'memmap', false, false);
    m.endCall();
    m.endCall();
    m.startMeasuring();
    m.access(0, 'memmap', false, false);
    m.endCall();
    m.endCall();
    expect(m.result()).toMatchObject({ linesPerOp: 1, missesPerOp: 0 });
  });

  it('counts one atomic per run of page-flags accesses with a store', () => {
    const m = new MemoryTrafficModel(1024);
    m.startMeasuring();
    // get (read), other memory, update (read lo, write lo, read hi, write hi): one cmpxchg.
    m.access(0, 'memmap', false, true);
    m.access(512, 'alloc_tag_counters', true, false);
    m.access(0, 'memmap', false, true);
    m.access(0, 'memmap', true, true);
    m.access(4, 'memmap', false, true);
    m.access(4, 'memmap', true, true);
    m.endCall();
    // pgalloc_tag_get(): reads only, no atomic; then a read-then-write run: one more.
    m.access(0, 'memmap', false, true);
    m.access(256, 'zone', false, false);
    m.access(0, 'memmap', false, true);
    m.access(0, 'memmap', true, true);
    m.endCall();
    expect(m.result().atomicsPerOp).toBe(2);
  });

  it('rejects a cache smaller than a line', () => {
    expect(() => new MemoryTrafficModel(32)).toThrow(/at least one line/);
  });
});

const OPTS: BenchMachineOptions = { cmdline: '', mem: 256 * 2 ** 20, cpus: 2, kernelTags: 256 };
const S: AccountingSettings = { ...SMOKE_ACCOUNTING, order0Ops: 128, mixedBatches: 2, coldOps: 512 };

/** Every mode's accounting on machines booted for it. */
function accountAll(): Record<
  BenchMode,
  { order0: MemoryTraffic; mixed: MemoryTraffic; cold: MemoryTraffic }
> {
  const plan = mixedOrderPlan(16, 256);
  const out = {} as Record<BenchMode, { order0: MemoryTraffic; mixed: MemoryTraffic; cold: MemoryTraffic }>;
  for (const mode of BENCH_MODES) {
    const t = new TracedMachine(bootBenchMachine(mode, OPTS, NO_HOST.files) as TraceableMachine);
    const order0 = accountOrder0(t, S);
    const mixed = accountMixed(t, S, plan);
    const m = bootBenchMachine(mode, OPTS, NO_HOST.files) as TraceableMachine;
    const ws = buildColdWorkingSet(m.pageAlloc, m.gfp | __GFP_NOWARN, accountingColdPages(S));
    out[mode] = { order0, mixed, cold: accountCold(new TracedMachine(m), S, ws) };
  }
  return out;
}

/** Lines of per-page memory: struct page records, page_ext tables and the mem_section lookup. */
function perPageLines(t: MemoryTraffic): number {
  return t.regions.memmap.linesPerOp + t.regions.page_ext.linesPerOp + t.regions.mem_section.linesPerOp;
}

describe('memory-traffic accounting of the benchmark loops', () => {
  const acc = accountAll();

  it('compressed touches no line nohooks does not, except the charged tag’s per-CPU counters', () => {
    for (const v of ['order0', 'mixed', 'cold'] as const) {
      const c = acc.compressed[v];
      const n = acc.nohooks[v];
      expect(perPageLines(c), v).toBeCloseTo(perPageLines(n), 9);
      expect(c.regions.page_ext.linesPerOp, v).toBe(0);
      expect(c.regions.mem_section.linesPerOp, v).toBe(0);
      expect(c.regions.current.linesPerOp, v).toBe(0);
      // The one structure profiling adds in either mode: the tag's counters, one line.
      expect(c.regions.alloc_tag_counters.linesPerOp, v).toBe(1);
      expect(c.linesPerOp - c.regions.alloc_tag_counters.linesPerOp, v).toBeCloseTo(n.linesPerOp, 9);
    }
  });

  it('page_ext touches at least one more line than compressed: the entry, and the section walk', () => {
    for (const v of ['order0', 'mixed', 'cold'] as const) {
      const p = acc.page_ext[v];
      const c = acc.compressed[v];
      expect(p.regions.page_ext.linesPerOp, v).toBeGreaterThanOrEqual(1);
      expect(p.regions.mem_section.linesPerOp, v).toBeGreaterThanOrEqual(1);
      expect(p.linesPerOp, v).toBeGreaterThanOrEqual(c.linesPerOp + 1);
    }
  });

  it('in the cold loop the page_ext entry is a miss where compressed has none beyond nohooks', () => {
    const n = acc.nohooks.cold;
    expect(n.regions.memmap.missesPerOp).toBeGreaterThan(0.9);
    expect(acc.compressed.cold.missesPerOp).toBeCloseTo(n.missesPerOp, 9);
    expect(acc.page_ext.cold.regions.page_ext.missesPerOp).toBeGreaterThan(0.3);
    expect(acc.page_ext.cold.missesPerOp).toBeGreaterThan(n.missesPerOp + 0.3);
    // Hot loops miss nothing once warm.
    expect(acc.page_ext.order0.missesPerOp).toBe(0);
  });

  it('the key-off modes do the nohooks build’s memory work', () => {
    for (const mode of ['never', 'off'] as const)
      for (const v of ['order0', 'cold'] as const) {
        expect(acc[mode][v].linesPerOp, `${mode} ${v}`).toBeCloseTo(acc.nohooks[v].linesPerOp, 9);
        expect(acc[mode][v].atomicsPerOp).toBe(0);
      }
  });

  it('counts the cmpxchg of update_page_tag_ref() on page->flags only in compressed mode', () => {
    expect(acc.compressed.order0.atomicsPerOp).toBe(2);
    expect(acc.compressed.cold.atomicsPerOp).toBe(2);
    expect(acc.page_ext.order0.atomicsPerOp).toBe(0);
  });

  it('sizes the instrumented cold working set from the model', () => {
    expect(accountingColdPages({ ...S, cacheBytes: 1 << 20 })).toBe(65536);
  });
});
