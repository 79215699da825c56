/**
 * The page-allocation overhead benchmark (docs/benchmarks.md): every mode's machine is booted once,
 * then rounds of each variant run interleaved across the modes in one process — warm-up rounds
 * first, the starting mode rotating from round to round so no mode always runs after the same
 * neighbour — and each mode's median ns per alloc+free is compared with the nohooks build's.
 * Platform-neutral: the CPU clock and the host's cache size come from the caller's Host.
 */

import { KernelError } from '../kernel/errno';
import { __GFP_NOWARN } from '../mm/gfp';
import type { MemoryTraffic } from './accounting';
import type { BenchMachine } from './machine';
import type { BenchMode } from './modes';
import { median, overheadPercent, type Summary, summarize } from './stats';
import {
  buildColdWorkingSet,
  COLD_BYTES_PER_PAGE,
  type ColdWorkingSet,
  coldTargetPages,
  compileWorkload,
  type MixedOrderPlan,
  mixedBatchPages,
  mixedOrderPlan,
  releaseColdWorkingSet,
  type Workload,
} from './workload';

/** The loop shapes. */
export type BenchVariant = 'order0' | 'mixed' | 'cold';

/** Every variant, in run order (cold last: its working set fragments memory). */
export const BENCH_VARIANTS: readonly BenchVariant[] = ['order0', 'mixed', 'cold'];

/** Assumed last-level cache when the host does not say (bench/host.ts reads it where it can). */
export const DEFAULT_LLC_BYTES = 32 * 2 ** 20;

/** Sizes of a run. */
export interface PageAllocBenchSettings {
  /** Measured rounds per mode and variant (the median is over these). */
  rounds: number;
  /** Unrecorded rounds per mode and variant run first. */
  warmupRounds: number;
  /** alloc_page()+free_page() pairs per order-0 round. */
  order0Iterations: number;
  /** Batches per mixed-order round. */
  mixedBatches: number;
  /** Blocks held per mixed-order batch. */
  mixedBatch: number;
  /** free+alloc pairs per cold round. */
  coldIterations: number;
  /** The host's last-level cache in bytes: the cold working set is 4 × this. */
  llcBytes: number;
  /** Clock of the rounds: process CPU time (default) or wall time. */
  clock: ClockKind;
}

/**
 * Defaults of a full run and of the CI smoke run. Rounds are short (a few ms per mode) and many,
 * so a burst of load on a shared machine spoils a few rounds rather than a mode's whole figure.
 */
export const DEFAULT_SETTINGS: Readonly<PageAllocBenchSettings> = {
  rounds: 31,
  warmupRounds: 5,
  order0Iterations: 100_000,
  mixedBatches: 200,
  mixedBatch: 64,
  coldIterations: 100_000,
  llcBytes: DEFAULT_LLC_BYTES,
  clock: 'cpu',
};

export const SMOKE_SETTINGS: Readonly<PageAllocBenchSettings> = {
  rounds: 5,
  warmupRounds: 3,
  order0Iterations: 5_000,
  mixedBatches: 10,
  mixedBatch: 32,
  coldIterations: 2_000,
  llcBytes: DEFAULT_LLC_BYTES,
  clock: 'cpu',
};

/** Progress of a run: called before each round of each mode. */
export interface BenchProgress {
  readonly phase: 'warmup' | 'measure';
  readonly variant: BenchVariant;
  readonly round: number;
  readonly rounds: number;
  readonly mode: BenchMode;
  /** Rounds done so far over all modes and variants, and the total. */
  readonly done: number;
  readonly total: number;
}

/** A mode's figures in one variant. */
export interface ModeTiming {
  readonly mode: BenchMode;
  /** ns per alloc+free over the measured rounds. */
  readonly ns: Summary;
  /** (median / nohooks median − 1) · 100; null when nohooks was not run. */
  readonly overheadPercent: number | null;
  /**
   * Median over the rounds of (this round / nohooks' time in the same round − 1) · 100: each mode
   * compared with the baseline measured next to it, so slow drifts of a shared machine cancel.
   */
  readonly pairedOverheadPercent: number | null;
  /** Median, quartiles and range of those per-round overheads (%), null without nohooks. */
  readonly paired: Summary | null;
  /** Every measured round, ns per alloc+free, in round order. */
  readonly samples: readonly number[];
  /** The memory-traffic accounting of this mode and variant (null until it has been run). */
  readonly memory: MemoryTraffic | null;
}

/** The cold variant's working set, the same for every mode. */
export interface ColdWorkingSetInfo {
  /** The host LLC it is sized against. */
  readonly llcBytes: number;
  /** Pages it aimed for: 4 × LLC, one page per 64-byte line of records. */
  readonly targetPages: number;
  /** Pages every machine held (fewer than the target when memory is short). */
  readonly pages: number;
  /** Host bytes of struct page lines they span (pages × 64). */
  readonly bytes: number;
  /** bytes / llcBytes. */
  readonly llcMultiple: number;
}

/** What the run measured for one variant. */
export interface VariantResult {
  readonly variant: BenchVariant;
  /** alloc+free pairs per round. */
  readonly opsPerRound: number;
  readonly modes: readonly ModeTiming[];
  /** The cold variant's working set (absent for the others). */
  readonly workingSet?: ColdWorkingSetInfo;
}

/** Raw timings of a run, before the report adds the machines' memory figures. */
export interface PageAllocTimings {
  readonly settings: PageAllocBenchSettings;
  readonly variants: readonly VariantResult[];
}

function checkSettings(s: PageAllocBenchSettings): void {
  const pos = (name: Exclude<keyof PageAllocBenchSettings, 'clock'>, min: number): void => {
    const v = s[name];
    if (!Number.isInteger(v) || v < min)
      throw new KernelError('EINVAL', `bench: ${name} must be an integer >= ${min}, got ${v}`);
  };
  pos('rounds', 1);
  pos('warmupRounds', 0);
  pos('order0Iterations', 1);
  pos('mixedBatches', 1);
  pos('mixedBatch', 1);
  pos('coldIterations', 1);
  pos('llcBytes', 1);
  if (s.clock !== 'cpu' && s.clock !== 'wall')
    throw new KernelError('EINVAL', `bench: clock must be 'cpu' or 'wall', got ${String(s.clock)}`);
}

interface Runner {
  readonly machine: BenchMachine;
  readonly workload: Workload;
  cold: ColdWorkingSet | null;
}

/** The clock of the rounds, in nanoseconds (read outside the loops only). */
export type Clock = () => bigint;

/** Which clock times the rounds (bench/host.ts provides both on Node). */
export type ClockKind = 'cpu' | 'wall';

/**
 * Monotonic wall time: performance.now(), which Node and browsers both have (Node: sub-µs;
 * a browser coarsens it, Chromium to 100 µs unless the page is cross-origin isolated).
 */
export const wallClock: Clock = () => BigInt(Math.round(performance.now() * 1e6));

/**
 * The clock of a kind. `cpu` is the host's process CPU time (Host.cpuClock: Node's getrusage,
 * see node/host.ts); a host without one (a browser) falls back to the wall clock.
 */
export function clockOf(kind: ClockKind, cpuClock: Clock | null): Clock {
  return kind === 'cpu' && cpuClock !== null ? cpuClock : wallClock;
}

function runRound(
  r: Runner,
  variant: BenchVariant,
  s: PageAllocBenchSettings,
  plan: MixedOrderPlan,
  pfns: Int32Array,
  clock: Clock,
): number {
  const m = r.machine;
  let t0: bigint;
  let t1: bigint;
  let check: number;
  let ops: number;
  if (variant === 'order0') {
    ops = s.order0Iterations;
    t0 = clock();
    check = r.workload.order0(m.pageAlloc, s.order0Iterations, m.gfp);
    t1 = clock();
  } else if (variant === 'mixed') {
    ops = s.mixedBatches * s.mixedBatch;
    t0 = clock();
    check = r.workload.mixed(m.pageAlloc, s.mixedBatches, m.gfp, plan, pfns);
    t1 = clock();
  } else {
    ops = s.coldIterations;
    const ws = r.cold!;
    t0 = clock();
    check = r.workload.cold(m.pageAlloc, s.coldIterations, m.gfp, ws);
    t1 = clock();
  }
  if (check === -1)
    throw new KernelError('ENOMEM', `bench: the ${m.mode} machine ran out of memory in the ${variant} loop`);
  return Number(t1 - t0) / ops;
}

/**
 * Give every machine the cold working set (not timed): 4 × the LLC of pages where memory allows,
 * then trimmed to the smallest any machine reached, so every mode cycles the same number of pages.
 */
function prepareCold(runners: readonly Runner[], s: PageAllocBenchSettings): ColdWorkingSetInfo {
  const target = coldTargetPages(s.llcBytes);
  for (const r of runners)
    r.cold = buildColdWorkingSet(r.machine.pageAlloc, r.machine.gfp | __GFP_NOWARN, target);
  const pages = Math.min(...runners.map((r) => r.cold!.held.length));
  for (const r of runners) {
    const held = r.cold!.held;
    for (let i = pages; i < held.length; i++) r.machine.pageAlloc.freePages(held[i]!, 0);
    r.cold = { held: held.slice(0, pages), cursor: new Int32Array(1) };
  }
  const bytes = pages * COLD_BYTES_PER_PAGE;
  return { llcBytes: s.llcBytes, targetPages: target, pages, bytes, llcMultiple: bytes / s.llcBytes };
}

function opsPerRound(variant: BenchVariant, s: PageAllocBenchSettings): number {
  if (variant === 'order0') return s.order0Iterations;
  if (variant === 'mixed') return s.mixedBatches * s.mixedBatch;
  return s.coldIterations;
}

/** The per-round overheads (%) against the baseline's rounds, null without a usable baseline. */
export function pairedOverheads(samples: readonly number[], base: readonly number[] | null): number[] | null {
  if (base === null || base.length !== samples.length || base.some((b) => !(b > 0))) return null;
  return samples.map((x, r) => overheadPercent(x, base[r]!));
}

/** Median of the per-round overheads against the baseline's rounds (null without a usable baseline). */
export function pairedOverhead(samples: readonly number[], base: readonly number[] | null): number | null {
  const p = pairedOverheads(samples, base);
  return p === null ? null : median(p);
}

/**
 * Run the benchmark over booted machines (one per mode, nohooks first if present). Rounds are
 * interleaved: warm-up rounds of every mode, then measured rounds, each round visiting every
 * mode once starting from a rotating position.
 */
export function runPageAllocBench(
  machines: readonly BenchMachine[],
  settings: PageAllocBenchSettings,
  opts: {
    progress?: (p: BenchProgress) => void;
    /** The clock of the rounds (default: the wall clock; pass `clockOf(settings.clock, host.cpuClock)`). */
    clock?: Clock;
    variants?: readonly BenchVariant[];
  } = {},
): PageAllocTimings {
  checkSettings(settings);
  if (machines.length === 0) throw new KernelError('EINVAL', 'bench: no machine to run');
  const seen = new Set<BenchMode>();
  for (const m of machines) {
    if (seen.has(m.mode)) throw new KernelError('EINVAL', `bench: mode ${m.mode} given twice`);
    seen.add(m.mode);
  }
  const clock = opts.clock ?? clockOf(settings.clock, null);
  const variants = BENCH_VARIANTS.filter((v) => (opts.variants ?? BENCH_VARIANTS).includes(v));
  const plan = mixedOrderPlan(settings.mixedBatch, Math.max(1024, settings.mixedBatch));
  const pfns = new Int32Array(settings.mixedBatch);
  const need = mixedBatchPages(plan);
  for (const m of machines)
    if (variants.includes('mixed') && m.freePages() < need)
      throw new KernelError(
        'ENOMEM',
        `bench: the ${m.mode} machine has ${m.freePages()} free pages, the mixed-order batch needs up to ${need}`,
      );
  const runners: Runner[] = machines.map((machine) => ({ machine, workload: compileWorkload(), cold: null }));
  const n = runners.length;
  const total = variants.length * n * (settings.warmupRounds + settings.rounds);
  let done = 0;
  const results: VariantResult[] = [];
  for (const variant of variants) {
    const workingSet = variant === 'cold' ? prepareCold(runners, settings) : undefined;
    const samples: number[][] = runners.map(() => []);
    const phases = [
      ['warmup', settings.warmupRounds],
      ['measure', settings.rounds],
    ] as const;
    for (const [phase, rounds] of phases) {
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < n; k++) {
          const i = (round + k) % n;
          const r = runners[i]!;
          opts.progress?.({ phase, variant, round, rounds, mode: r.machine.mode, done, total });
          const ns = runRound(r, variant, settings, plan, pfns, clock);
          if (phase === 'measure') samples[i]!.push(ns);
          done++;
        }
      }
    }
    if (workingSet !== undefined)
      for (const r of runners) {
        releaseColdWorkingSet(r.machine.pageAlloc, r.cold!);
        r.cold = null;
      }
    const baseIdx = runners.findIndex((r) => r.machine.mode === 'nohooks');
    const baseline = baseIdx >= 0 ? summarize(samples[baseIdx]!).median : null;
    const baseSamples = baseIdx >= 0 ? samples[baseIdx]! : null;
    results.push({
      variant,
      opsPerRound: opsPerRound(variant, settings),
      ...(workingSet === undefined ? {} : { workingSet }),
      modes: runners.map((r, i) => {
        const ns = summarize(samples[i]!);
        const per = pairedOverheads(samples[i]!, baseSamples);
        const paired = per === null ? null : summarize(per);
        return {
          mode: r.machine.mode,
          ns,
          overheadPercent: baseline === null || baseline <= 0 ? null : overheadPercent(ns.median, baseline),
          pairedOverheadPercent: paired === null ? null : paired.median,
          paired,
          samples: samples[i]!,
          memory: null,
        };
      }),
    });
  }
  return { settings: { ...settings }, variants: results };
}
