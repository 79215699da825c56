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
      clock: 'wall',
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
