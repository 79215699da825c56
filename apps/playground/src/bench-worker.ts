/**
 * The benchmark in a Web Worker, so the page stays responsive: boots one machine per mode and
 * runs the same interleaved rounds as `kernel-sim bench` (wall clock: a browser has no CPU
 * clock), posting progress before every round and the panel's view at the end.
 */
import {
  BENCH_MODES,
  type BenchMachineOptions,
  type BenchMode,
  bootBenchMachine,
  DEFAULT_SETTINGS,
  type PageAllocBenchSettings,
  progressText,
  runBench,
} from '@allocprof/kernel-sim';
import type { BenchMessage, BenchRequest } from './bench-protocol';
import { benchView } from './bench-view';
import { browserHost } from './browser-host';

/** The worker's global scope, typed to what is used here (the page's lib has no WebWorker types). */
const scope = self as unknown as {
  postMessage(message: BenchMessage): void;
  onmessage: ((e: MessageEvent<BenchRequest>) => void) | null;
};

const host = browserHost();

/**
 * Sizes of a run in a browser. Its clock is performance.now(), which Chromium coarsens to 100 µs
 * in a page that is not cross-origin isolated (a static host cannot make it so), so a round must
 * last tens of milliseconds for the clock's step to stay well under 1%: rounds of 300,000
 * order-0 alloc+free pairs (~20 ms) instead of the command line's 100,000 (CPU clock, µs steps).
 */
export function browserSettings(quick: boolean): PageAllocBenchSettings {
  return quick
    ? {
        ...DEFAULT_SETTINGS,
        rounds: 7,
        warmupRounds: 2,
        order0Iterations: 300_000,
        mixedBatches: 100,
        clock: 'wall',
      }
    : { ...DEFAULT_SETTINGS, order0Iterations: 300_000, mixedBatches: 400, clock: 'wall' };
}

function run(req: BenchRequest): void {
  const t0 = performance.now();
  let booted = 0;
  const boot = (mode: BenchMode, o: BenchMachineOptions) => {
    scope.postMessage({ type: 'booting', mode, index: booted++, count: BENCH_MODES.length });
    return bootBenchMachine(mode, o, host.files);
  };
  const report = runBench(
    { cmdline: '', mem: req.mem, cpus: 4, kernelTags: 4096, json: false, smoke: req.quick },
    {
      boot,
      host,
      settings: browserSettings(req.quick),
      onRound: (p) =>
        scope.postMessage({ type: 'progress', done: p.done, total: p.total, text: progressText(p) }),
    },
  );
  scope.postMessage({ type: 'done', view: benchView(report), ms: performance.now() - t0 });
}

scope.onmessage = (e) => {
  try {
    run(e.data);
  } catch (err) {
    scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
