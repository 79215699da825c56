/**
 * `pnpm --filter @allocprof/kernel-sim bench`: the page-allocation overhead benchmark across the
 * five modes, then the scale benchmark (boot time and peak RSS per --mem in child processes).
 * Results go to bench/results/*.json and *.md, plus results/README.md with both tables.
 * Rounds are timed in process CPU time (BENCH_CLOCK=wall: wall time).
 * BENCH_SMOKE=1: tiny sizes (64M, few rounds), results to a temporary directory — only proves the
 * benchmark still runs.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgressLine, runBench } from '../src/bench/command';
import { bootBenchMachine } from '../src/bench/kernel-machine';
import { formatReportJson, formatReportMarkdown, formatReportText } from '../src/bench/report';
import {
  type BootSample,
  type DemoSample,
  formatScaleMarkdown,
  parseBootSample,
  parseDemoSample,
  type ScaleReport,
} from '../src/bench/scale';
import { memparse } from '../src/lib/cmdline';
import { nodeHost } from '../src/node/host';

const SMOKE =
  process.env.BENCH_SMOKE !== undefined && process.env.BENCH_SMOKE !== '' && process.env.BENCH_SMOKE !== '0';
const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = SMOKE ? mkdtempSync(join(tmpdir(), 'kernel-sim-bench-')) : join(HERE, 'results');
mkdirSync(OUT, { recursive: true });

/** `lscpu`'s model name and CPU count (os.cpus() as a fallback). */
function cpuDescription(): string {
  try {
    const text = execFileSync('lscpu', { encoding: 'utf8' });
    const field = (name: string): string | undefined =>
      new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
    const parts = [field('Model name') ?? 'unknown CPU', `${field('CPU\\(s\\)') ?? '?'} CPUs`];
    const hv = field('Hypervisor vendor');
    if (hv !== undefined) parts.push(`${hv} guest`);
    return parts.join(', ');
  } catch {
    return 'unknown CPU (no lscpu)';
  }
}

const progress = process.stderr.isTTY ? new ProgressLine((s) => process.stderr.write(s)) : null;
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

// ---------------------------------------------------------------- page allocation overhead

const mem = SMOKE ? 64 * 2 ** 20 : 2 ** 30;
log(`page-alloc: 5 modes, ${SMOKE ? 'smoke' : 'full'} run on ${mem / 2 ** 20}M`);
const report = runBench(
  { cmdline: '', mem, cpus: 4, kernelTags: 4096, json: false, smoke: SMOKE },
  {
    boot: (mode, o) => bootBenchMachine(mode, o, nodeHost.files),
    host: nodeHost,
    progress,
    clock: process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu',
  },
);
writeFileSync(join(OUT, 'page-alloc.json'), formatReportJson(report));
const pageAllocMd = formatReportMarkdown(report);
writeFileSync(join(OUT, 'page-alloc.md'), pageAllocMd);
process.stdout.write(formatReportText(report));

// ---------------------------------------------------------------- scale

const SIZES = SMOKE ? ['64M'] : ['64M', '1G', '16G', '64G'];
const CMDLINES = SMOKE ? [''] : ['', 'sysctl.vm.mem_profiling=1,compressed'];
const child = join(HERE, 'scale-child.ts');
function runChild(args: readonly string[]): string {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@allocprof/source', child, ...args],
    {
      encoding: 'utf8',
      cwd: join(HERE, '..'),
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return out.trim().split('\n').pop() ?? '';
}
const boots: BootSample[] = [];
const demos: DemoSample[] = [];
for (const size of SIZES) {
  for (const cmdline of CMDLINES) {
    progress?.show(`scale: boot --mem ${size} ${cmdline}`);
    const s = parseBootSample(runChild(['--what', 'boot', '--mem', size, '--cmdline', cmdline]));
    if (s.memBytes !== memparse(size))
      throw new Error(`scale: child booted ${s.memBytes} bytes, asked for ${size}`);
    boots.push(s);
  }
  progress?.show(`scale: demo --mem ${size}`);
  demos.push(parseDemoSample(runChild(['--what', 'demo', '--mem', size])));
}
progress?.clear();
const scale: ScaleReport = { benchmark: 'scale', boot: boots, demo: demos };
writeFileSync(join(OUT, 'scale.json'), `${JSON.stringify(scale, null, 2)}\n`);
const scaleMd = formatScaleMarkdown(scale);
writeFileSync(join(OUT, 'scale.md'), `${scaleMd}\n`);
process.stdout.write(`\nScale\n${scaleMd}\n`);

// ---------------------------------------------------------------- summary for the README

const env = report.environment;
const summary = [
  '## Benchmarks',
  '',
  `Measured ${env.date.slice(0, 10)} with Node ${env.node} on ${cpuDescription()} (${env.platform}), by`,
  '`pnpm --filter @allocprof/kernel-sim bench` (results in `bench/results/`). The machine is shared:',
  'compare only figures within one run.',
  '',
  formatReportMarkdown(report, { environment: false }).trimEnd(),
  '',
  '### Scale',
  '',
  'Boot time and peak RSS of the simulator per RAM size, each in a fresh process (`bench/scale-child.ts`):',
  '`Kernel.boot()` then a short workload (3,600 page allocations from four call sites, a module load and',
  'unload, /proc/allocinfo and /proc/meminfo read); then the whole `kernel-sim demo --mem SIZE`, which',
  'boots several kernels of that size. "RSS growth" is the peak over the RSS before boot; "per-page',
  "arrays\" is the host memory of the memmap's flags words and the allocator's per-page state (the kernel",
  'itself spends 8 bytes of flags per page plus its free lists); page_ext mode adds its 8-byte slots.',
  'RSS counts only memory that was touched: zero-filled typed arrays that stay zero (the page_ext',
  'slots of pages never allocated) do not count yet.',
  '',
  scaleMd,
  '',
].join('\n');
writeFileSync(join(OUT, 'README.md'), summary);
log(`results written to ${OUT}`);
