/**
 * `pnpm --filter @allocprof/kernel-sim bench`: the page-allocation overhead benchmark across the
 * five modes at --mem 1G and 16G (timed rounds, then the memory-traffic accounting), then the
 * scale benchmark (boot time and peak RSS per --mem in child processes). Results go to
 * bench/results/page-alloc.{json,md}, scale.{json,md} and results/README.md, and the
 * tables of the package README's "Benchmarks" section are rewritten between its
 * `<!-- bench:… -->` markers. Rounds are timed in process CPU time (BENCH_CLOCK=wall: wall time).
 * BENCH_SMOKE=1: tiny sizes (64M, few rounds), results to a temporary directory and no README
 * change — it only proves the benchmark still runs.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgressLine } from '../src/bench/command';
import { DEFAULT_LLC_BYTES } from '../src/bench/harness';
import {
  formatBytes,
  formatReportMarkdown,
  formatReportText,
  type PageAllocBenchReport,
} from '../src/bench/report';
import {
  type BootSample,
  type DemoSample,
  formatScaleMarkdown,
  parseBootSample,
  parseDemoSample,
  type ScaleReport,
} from '../src/bench/scale';
import { formatSize, memparse } from '../src/lib/cmdline';
import { cpuDescription, hostLlcBytes } from '../src/node/host';

const SMOKE =
  process.env.BENCH_SMOKE !== undefined && process.env.BENCH_SMOKE !== '' && process.env.BENCH_SMOKE !== '0';
const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = SMOKE ? mkdtempSync(join(tmpdir(), 'kernel-sim-bench-')) : join(HERE, 'results');
mkdirSync(OUT, { recursive: true });

const progress = process.stderr.isTTY ? new ProgressLine((s) => process.stderr.write(s)) : null;
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

// ---------------------------------------------------------------- page allocation overhead

const llcRead = hostLlcBytes();
const llc = { bytes: llcRead ?? DEFAULT_LLC_BYTES, source: llcRead === null ? 'assumed' : 'sysfs' };
const SIZES_PAGE_ALLOC = SMOKE ? ['64M'] : ['1G', '16G'];
const reports: PageAllocBenchReport[] = [];
for (const size of SIZES_PAGE_ALLOC) {
  log(
    `page-alloc: 5 modes, ${SMOKE ? 'smoke' : 'full'} run on ${size}, LLC ${formatBytes(llc.bytes)} (${llc.source})`,
  );
  // A process per size: the accounting that ends a run must not precede another run's rounds.
  const line = runTs(
    'page-alloc-child.ts',
    ['--mem', size, '--llc', String(llc.bytes), ...(SMOKE ? ['--smoke'] : [])],
    'inherit',
  );
  const report = JSON.parse(line) as PageAllocBenchReport;
  process.stdout.write(formatReportText(report));
  reports.push(report);
}

// ---------------------------------------------------------------- scale

const SIZES = SMOKE ? ['64M'] : ['64M', '1G', '16G', '64G'];
const CMDLINES = SMOKE ? [''] : ['', 'sysctl.vm.mem_profiling=1,compressed'];
/** Run a bench/*.ts script in a fresh process; its last stdout line. */
function runTs(script: string, args: readonly string[], stderr: 'inherit' | 'ignore' = 'inherit'): string {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@allocprof/source', join(HERE, script), ...args],
    {
      encoding: 'utf8',
      cwd: join(HERE, '..'),
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', stderr],
    },
  );
  return out.trim().split('\n').pop() ?? '';
}
function runChild(args: readonly string[]): string {
  return runTs('scale-child.ts', args);
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

// ---------------------------------------------------------------- results README and package README

const env = reports[0]!.environment;
const measured = `Measured ${env.date.slice(0, 10)} with Node ${env.node} on ${cpuDescription()} (${env.platform}), by \`pnpm --filter @allocprof/kernel-sim bench\`; last-level cache ${formatBytes(llc.bytes)} (${llc.source === 'sysfs' ? 'read from sysfs' : 'assumed: the host does not report it'}). The machine is shared: compare only figures within one run.`;
const pageAllocMd = reports
  .map((r) =>
    formatReportMarkdown(r, { environment: false, seriesRegion: `series-${formatSize(r.machine.ramBytes)}` })
      .replace(/^### Page allocation overhead$/m, `#### --mem ${formatSize(r.machine.ramBytes)}`)
      .trimEnd(),
  )
  .join('\n\n');
const SCALE_INTRO = [
  'Boot time and peak RSS of the simulator per RAM size, each in a fresh process (`bench/scale-child.ts`):',
  '`Kernel.boot()` then a short workload (3,600 page allocations from four call sites, a module load and',
  'unload, /proc/allocinfo and /proc/meminfo read); then the whole `kernel-sim demo --mem SIZE`, which',
  'boots several kernels of that size. "RSS growth" is the peak over the RSS before boot; "host bytes',
  '/page" is the struct page record of every page frame (the kernel spends 64 bytes); page_ext mode',
  'adds its 8-byte entries. RSS counts only memory that was touched: the boot writes every struct page,',
  'but page_ext entries of pages never allocated stay untouched.',
].join('\n');
const summary = [
  '## Benchmarks',
  '',
  measured,
  '',
  '### Page allocation overhead',
  '',
  pageAllocMd,
  '',
  '### Scale',
  '',
  SCALE_INTRO,
  '',
  scaleMd,
  '',
].join('\n');
writeFileSync(join(OUT, 'README.md'), summary);
// Every size's report in one file (docs/benchmarks.md quotes page-alloc.md and dates its tables
// from page-alloc.json's environment).
writeFileSync(
  join(OUT, 'page-alloc.json'),
  `${JSON.stringify({ benchmark: 'page-alloc', environment: env, reports }, null, 2)}\n`,
);
writeFileSync(join(OUT, 'page-alloc.md'), `${measured}\n\n${pageAllocMd}\n`);

/** Replace the text between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`. */
function replaceBetween(text: string, name: string, body: string): string {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${begin} … ${end} section`);
  return `${text.slice(0, i + begin.length)}\n${body.trimEnd()}\n${text.slice(j)}`;
}

if (!SMOKE) {
  const readme = join(HERE, '..', 'README.md');
  let text = readFileSync(readme, 'utf8');
  text = replaceBetween(text, 'measured', measured);
  text = replaceBetween(text, 'page-alloc', pageAllocMd);
  text = replaceBetween(text, 'scale', scaleMd);
  writeFileSync(readme, text);
  log(`results written to ${OUT}; README.md tables updated`);
} else {
  log(`results written to ${OUT}`);
}
