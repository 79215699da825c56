/**
 * One page-allocation benchmark run (timed rounds, then the memory-traffic accounting) at one
 * `--mem`, in a fresh process, printing the report as one JSON line. Spawned by bench/index.ts
 * once per size: the accounting's recording views make the JIT recompile the shared allocator
 * code for them, so no timed round may follow it in the same process.
 *
 *   tsx --conditions=@allocprof/source bench/page-alloc-child.ts --mem 16G [--smoke] [--llc BYTES]
 */

import { ProgressLine, runBench } from '../src/bench/command';
import { bootBenchMachine } from '../src/bench/kernel-machine';
import { memparse } from '../src/lib/cmdline';
import { nodeHost } from '../src/node/host';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

const mem = memparse(arg('--mem') ?? '1G', '--mem');
const llc = arg('--llc');
const progress = process.stderr.isTTY ? new ProgressLine((s) => process.stderr.write(s)) : null;
const report = runBench(
  { cmdline: '', mem, cpus: 4, kernelTags: 4096, json: true, smoke: process.argv.includes('--smoke') },
  {
    boot: (mode, o) => bootBenchMachine(mode, o, nodeHost.files),
    host: nodeHost,
    progress,
    clock: process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu',
    ...(llc === undefined ? {} : { llcBytes: Number(llc) }),
  },
);
process.stdout.write(`${JSON.stringify(report)}\n`);
