/**
 * Cost of the page allocator hooks of one order-0 alloc_page() + free_page() (pgalloc_tag_add,
 * pgalloc_tag_get, pgalloc_tag_sub — see ./hooks.ts) in each mode of the page allocation benchmark, measured side
 * by side in one process: interleaved rounds after a warm-up, median, IQR and range, in process
 * CPU time. `BENCH_SMOKE=1` runs a tiny size (CI). `BENCH_OUT=name` writes
 * bench/results/<name>.json (default `hooks`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchPfns, bootHookMachine, cpuNs, HOOK_MODES, KERNEL_TAGS } from './hooks';

const SMOKE = process.env.BENCH_SMOKE === '1';
const NR_PAGES = SMOKE ? 1024 : 1 << 18;
const OPS = SMOKE ? 20_000 : 1_000_000;
const WARMUP = SMOKE ? 1 : 5;
const ROUNDS = SMOKE ? 3 : 31;

const pfns = benchPfns(NR_PAGES);
const machines = HOOK_MODES.map((m) => bootHookMachine(m, NR_PAGES, pfns));

function round(i: number): number {
  const t0 = cpuNs();
  machines[i]!.run(OPS);
  return (cpuNs() - t0) / OPS;
}

for (let r = 0; r < WARMUP; r++) for (let i = 0; i < machines.length; i++) round(i);
const samples: number[][] = machines.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the starting mode so no mode always runs right after the same neighbour.
  for (let k = 0; k < machines.length; k++) {
    const i = (r + k) % machines.length;
    samples[i]!.push(round(i));
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const fix = (x: number) => Number(x.toFixed(1));
const base = quantile(
  [...samples[0]!].sort((a, b) => a - b),
  0.5,
);
const rows = HOOK_MODES.map((mode, i) => {
  const s = [...samples[i]!].sort((a, b) => a - b);
  const med = quantile(s, 0.5);
  return {
    mode,
    nsPerAllocFree: fix(med),
    hookNs: fix(med - base),
    iqr: `${fix(quantile(s, 0.25))}–${fix(quantile(s, 0.75))}`,
    range: `${fix(s[0]!)}–${fix(s[s.length - 1]!)}`,
    tagRefBytes: machines[i]!.at?.pageTagRefs.bytes ?? 0,
  };
});
console.table(rows);
if (!SMOKE) {
  const name = process.env.BENCH_OUT ?? 'hooks';
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL(`./results/${name}.json`, import.meta.url),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        sequence: 'pgalloc_tag_add; pgalloc_tag_get; pgalloc_tag_sub (order 0)',
        clock: 'process CPU time',
        nrPages: NR_PAGES,
        kernelTags: KERNEL_TAGS,
        opsPerRound: OPS,
        warmup: WARMUP,
        rounds: ROUNDS,
        rows,
      },
      null,
      2,
    )}\n`,
  );
}
