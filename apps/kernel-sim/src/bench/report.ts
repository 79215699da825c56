/**
 * The report of the page-allocation benchmark: the machines' memory figures joined with the
 * timings and the memory-traffic accounting, the series' targets checked, and the text, Markdown
 * and JSON forms of it. Platform-neutral (the environment comes from bench/host.ts).
 */

import type { HostInfo } from '../host';
import { formatSize } from '../lib/cmdline';
import type { MemoryTraffic } from './accounting';
import type { BenchVariant, ModeTiming, PageAllocTimings, VariantResult } from './harness';
import type { BenchMachine, TagRefStorage } from './machine';
import { type BenchMode, benchModeSpec } from './modes';

/** Bytes of page_ext per page for a tag reference: sizeof(union codetag_ref). */
export const TAG_REF_BYTES_PER_PAGE = 8;
/** The series' claim: compressed overhead at most 5.5 % over the kernel without profiling. */
export const COMPRESSED_TARGET_PERCENT = 5.5;
/** The cover letter's page_ext overhead (pgalloc, enabled at runtime: 41.41 %). */
export const SERIES_PAGE_EXT_PERCENT = 41;
/** compressed / page_ext overhead in the kernel: 5.5 / 41. */
export const SERIES_OVERHEAD_RATIO = COMPRESSED_TARGET_PERCENT / SERIES_PAGE_EXT_PERCENT;
/** The cold variant's target: compressed's overhead at most this share of page_ext's. */
export const COLD_RATIO_TARGET = 0.5;

/** Where and when the figures were taken. */
export interface BenchEnvironment {
  /** ISO 8601 time of the run. */
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly logicalCpus: number;
  readonly platform: string;
}

/** The environment of a run on a host (`node` is the runtime: Node's version, or a browser's). */
export function benchEnvironment(host: HostInfo, now: Date = new Date()): BenchEnvironment {
  return {
    date: now.toISOString(),
    node: host.runtime,
    cpu: host.cpu,
    logicalCpus: host.logicalCpus,
    platform: host.platform,
  };
}

/** A mode's machine after boot: what it stores and what that costs. */
export interface ModeMemory {
  readonly mode: BenchMode;
  readonly description: string;
  readonly cmdline: string;
  readonly profilingBuilt: boolean;
  readonly accounting: boolean;
  /** Whether a probe allocation outside the timed rounds was charged to the benchmark's call site. */
  readonly charged: boolean;
  readonly tagRefStorage: TagRefStorage;
  readonly tagRefBytes: number;
  readonly tagRefBytesPerPage: number;
  /** tagRefBytes / RAM · 100. */
  readonly tagRefPercentOfRam: number;
  readonly pageExtBytes: number;
  readonly tagRefBits: number;
}

/** The orderings of one variant (ratios of the medians): each null when a mode was not run. */
export interface VariantOrdering {
  readonly variant: BenchVariant;
  /** never costs less than compressed. */
  readonly neverBelowCompressed: boolean | null;
  /** off costs less than compressed. */
  readonly offBelowCompressed: boolean | null;
  /** compressed costs no more than page_ext. */
  readonly compressedNotAbovePageExt: boolean | null;
}

/** The series' targets against the measured figures. */
export interface TargetCheck {
  /** Order-0 overheads (the headline loop), paired where possible; null when a mode was not run. */
  readonly compressedOverheadPercent: number | null;
  readonly pageExtOverheadPercent: number | null;
  readonly compressedMaxPercent: number;
  /** compressed ≤ 5.5 % over nohooks. */
  readonly compressedWithinTarget: boolean | null;
  /** compressed's upper quartile below page_ext's lower quartile (paired overheads): no overlap. */
  readonly compressedClearlyBelowPageExt: boolean | null;
  /** page_ext spends 8 B per page on references, compressed nothing. */
  readonly memoryAsClaimed: boolean | null;
  /** Every variant: never/off < compressed ≤ page_ext. */
  readonly orderings: readonly VariantOrdering[];
  /** Cold variant: compressed's paired overhead over page_ext's (the kernel's: 5.5 / 41 ≈ 0.13). */
  readonly coldOverheadRatio: number | null;
  /** coldOverheadRatio ≤ 0.5; null when not measured or when the working set fits in the LLC. */
  readonly coldRatioWithinHalf: boolean | null;
  readonly seriesOverheadRatio: number;
}

/** The LRU cache model and working set of the memory-traffic accounting. */
export interface AccountingInfo {
  /** Size of the fully associative LRU cache model, bytes (64-byte lines). */
  readonly cacheBytes: number;
  readonly lineBytes: number;
  /** Pages of the cold working set of the instrumented run (4 × the model's size). */
  readonly coldWorkingSetPages: number;
}

/** Everything `kernel-sim bench --json` prints. */
export interface PageAllocBenchReport {
  readonly benchmark: 'page-alloc-overhead';
  readonly environment: BenchEnvironment;
  readonly machine: {
    readonly ramBytes: number;
    readonly nrPages: number;
    readonly cpus: number;
    readonly config: string;
    readonly cmdline: string;
  };
  readonly settings: PageAllocTimings['settings'];
  readonly modes: readonly ModeMemory[];
  readonly variants: readonly VariantResult[];
  readonly target: TargetCheck;
  /** A `--smoke` run: sizes that only prove the benchmark runs; every figure is noise. */
  readonly smoke: boolean;
  /** The accounting's model (null when it was not run). */
  readonly accounting: AccountingInfo | null;
}

/**
 * Allocate and free one page outside the timed rounds and report whether the benchmark's call
 * site was charged: the proof that a mode's hooks did the accounting work being timed.
 */
export function probeCharged(m: BenchMachine): boolean {
  const before = m.benchSiteCalls();
  if (before === null) return false;
  const pfn = m.pageAlloc.allocPages(0, m.gfp);
  if (pfn < 0) return false;
  const during = m.benchSiteCalls();
  m.pageAlloc.freePages(pfn, 0);
  return during === before + 1;
}

/** The memory figures of a booted machine (and its probe result). */
export function modeMemory(m: BenchMachine, charged: boolean): ModeMemory {
  return {
    mode: m.mode,
    description: benchModeSpec(m.mode).description,
    cmdline: m.cmdline,
    profilingBuilt: m.profilingBuilt,
    accounting: m.accounting,
    charged,
    tagRefStorage: m.tagRefStorage,
    tagRefBytes: m.tagRefBytes,
    tagRefBytesPerPage: m.nrPages === 0 ? 0 : m.tagRefBytes / m.nrPages,
    tagRefPercentOfRam: m.ramBytes === 0 ? 0 : (m.tagRefBytes / m.ramBytes) * 100,
    pageExtBytes: m.pageExtBytes,
    tagRefBits: m.tagRefBits,
  };
}

function timingOf(v: VariantResult | undefined, mode: BenchMode) {
  return v?.modes.find((t) => t.mode === mode);
}

/** a < b (strict) or, with `orEqual`, a ≤ b, for two modes' median overheads; null if one is missing. */
/** A mode's paired overhead, else the ratio of the medians (null without a timing). */
function pairedOrMedians(t: ModeTiming | undefined): number | null {
  return t === undefined ? null : (t.pairedOverheadPercent ?? t.overheadPercent);
}

function below(v: VariantResult, a: BenchMode, b: BenchMode, orEqual: boolean): boolean | null {
  const x = pairedOrMedians(timingOf(v, a));
  const y = pairedOrMedians(timingOf(v, b));
  if (x === null || y === null) return null;
  return orEqual ? x <= y : x < y;
}

/**
 * Check the series' claims against a run. Every comparison uses the paired overheads (each round
 * against the nohooks round next to it) where available, else the ratios of the medians: the
 * rounds of a shared machine drift — the cold rounds of a 16G machine spread over 2 × with the
 * host's memory, and their medians can land on either side of that spread — while a round
 * compared with its neighbour leaves the drift out. "Clearly below" means the quartile ranges do
 * not overlap.
 */
export function checkTargets(modes: readonly ModeMemory[], variants: readonly VariantResult[]): TargetCheck {
  const order0 = variants.find((v) => v.variant === 'order0');
  const comp = timingOf(order0, 'compressed');
  const pext = timingOf(order0, 'page_ext');
  const cOver = pairedOrMedians(comp);
  const pOver = pairedOrMedians(pext);
  const cMem = modes.find((m) => m.mode === 'compressed');
  const pMem = modes.find((m) => m.mode === 'page_ext');
  let clearly: boolean | null = null;
  if (comp !== undefined && pext !== undefined)
    clearly =
      comp.paired !== null && pext.paired !== null
        ? comp.paired.q3 < pext.paired.q1
        : comp.ns.q3 < pext.ns.q1;
  const cold = variants.find((v) => v.variant === 'cold');
  const cc = pairedOrMedians(timingOf(cold, 'compressed'));
  const cp = pairedOrMedians(timingOf(cold, 'page_ext'));
  const coldRatio = cc === null || cp === null || !(cp > 0) ? null : cc / cp;
  return {
    compressedOverheadPercent: cOver,
    pageExtOverheadPercent: pOver,
    compressedMaxPercent: COMPRESSED_TARGET_PERCENT,
    compressedWithinTarget: cOver === null ? null : cOver <= COMPRESSED_TARGET_PERCENT,
    compressedClearlyBelowPageExt: clearly,
    memoryAsClaimed:
      cMem === undefined || pMem === undefined
        ? null
        : cMem.tagRefBytes === 0 && pMem.tagRefBytesPerPage === TAG_REF_BYTES_PER_PAGE,
    orderings: variants.map((v) => ({
      variant: v.variant,
      neverBelowCompressed: below(v, 'never', 'compressed', false),
      offBelowCompressed: below(v, 'off', 'compressed', false),
      compressedNotAbovePageExt: below(v, 'compressed', 'page_ext', true),
    })),
    coldOverheadRatio: coldRatio,
    // A working set the LLC holds is not cold (1G: 0.2 × a 32 MiB LLC): nothing to judge there.
    coldRatioWithinHalf:
      coldRatio === null || (cold?.workingSet?.llcMultiple ?? 1) < 1 ? null : coldRatio <= COLD_RATIO_TARGET,
    seriesOverheadRatio: SERIES_OVERHEAD_RATIO,
  };
}

/** The accounting of each mode and variant, joined into the variants (keys: variant, then mode). */
export type MemoryAccounting = Partial<Record<BenchVariant, Partial<Record<BenchMode, MemoryTraffic>>>>;

/** The variants with each mode's accounting in `memory`. */
export function withMemory(variants: readonly VariantResult[], memory: MemoryAccounting): VariantResult[] {
  return variants.map((v) => ({
    ...v,
    modes: v.modes.map((t) => ({ ...t, memory: memory[v.variant]?.[t.mode] ?? t.memory })),
  }));
}

/** Join machines, timings and accounting into the report. */
export function buildReport(
  machines: readonly BenchMachine[],
  charged: readonly boolean[],
  timings: PageAllocTimings,
  info: {
    cpus: number;
    config: string;
    cmdline: string;
    environment: BenchEnvironment;
    smoke?: boolean;
    memory?: MemoryAccounting;
    accounting?: AccountingInfo;
  },
): PageAllocBenchReport {
  const first = machines[0];
  const modes = machines.map((m, i) => modeMemory(m, charged[i] ?? false));
  const variants =
    info.memory === undefined ? [...timings.variants] : withMemory(timings.variants, info.memory);
  return {
    benchmark: 'page-alloc-overhead',
    environment: info.environment,
    machine: {
      ramBytes: first?.ramBytes ?? 0,
      nrPages: first?.nrPages ?? 0,
      cpus: info.cpus,
      config: info.config,
      cmdline: info.cmdline,
    },
    settings: timings.settings,
    modes,
    variants,
    target: checkTargets(modes, variants),
    smoke: info.smoke ?? false,
    accounting: info.accounting ?? null,
  };
}

// ------------------------------------------------------------------------------- formatting

/** ns with one decimal. */
function ns(x: number): string {
  return x.toFixed(1);
}

/**
 * Signed percentage with one decimal, `baseline` for nohooks, `—` for a missing one. A negative
 * overhead gets a `*`: a mode that adds work to the baseline cannot be faster than it, so that
 * figure is the run's noise (the reports say so under the table).
 */
export function formatOverhead(p: number | null, mode: BenchMode): string {
  if (mode === 'nohooks') return 'baseline';
  if (p === null) return '—';
  return p < 0 ? `−${Math.abs(p).toFixed(1)} %*` : `+${p.toFixed(1)} %`;
}

/** Bytes as the kernel's usage lines show them, with a binary-unit hint above 1 KiB. */
export function formatBytes(b: number): string {
  if (b === 0) return '0 B';
  if (b < 1024) return `${b} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

/** Percent of RAM with three decimals (0.195 %). */
export function formatPercentOfRam(p: number): string {
  return `${p.toFixed(3)} %`;
}

const VARIANT_TITLE: Record<string, string> = {
  order0: 'order-0: alloc_page() + free_page() on a hot page',
  mixed: 'mixed orders 0–10, batches alloc then free in shuffled order',
  cold: 'cold: free_page() + alloc_page() of random pages over a working set beyond the LLC',
};

function variantTitle(v: VariantResult): string {
  const title = `${VARIANT_TITLE[v.variant] ?? v.variant} (${v.opsPerRound} per round)`;
  const ws = v.workingSet;
  if (ws === undefined) return title;
  return `${title}; working set ${ws.pages} pages = ${formatBytes(ws.bytes)} of struct page lines, ${ws.llcMultiple.toFixed(1)} × the ${formatBytes(ws.llcBytes)} LLC`;
}

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[],
): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function mdTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[],
): string {
  const sep = right.map((r) => (r ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function perOp(x: number | undefined): string {
  return x === undefined ? '—' : x.toFixed(2);
}

function timingRows(v: VariantResult, r: PageAllocBenchReport): string[][] {
  return v.modes.map((t) => {
    const mem = r.modes.find((m) => m.mode === t.mode);
    return [
      t.mode,
      ns(t.ns.median),
      `${ns(t.ns.q1)}–${ns(t.ns.q3)}`,
      `${ns(t.ns.min)}–${ns(t.ns.max)}`,
      formatOverhead(t.overheadPercent, t.mode),
      formatOverhead(t.pairedOverheadPercent, t.mode),
      perOp(t.memory?.linesPerOp),
      perOp(t.memory?.missesPerOp),
      mem === undefined ? '—' : formatBytes(mem.tagRefBytes),
      mem === undefined ? '—' : formatPercentOfRam(mem.tagRefPercentOfRam),
    ];
  });
}

const TIMING_HEADER = [
  'mode',
  'ns/op',
  'IQR',
  'min–max',
  'overhead',
  'paired',
  'lines/op',
  'misses/op',
  'tag refs',
  '% RAM',
];
const TIMING_RIGHT = [false, true, true, true, true, true, true, true, true, true];

function memoryRows(r: PageAllocBenchReport): string[][] {
  return r.modes.map((m) => [
    m.mode,
    m.cmdline === '' ? '(none)' : m.cmdline,
    m.accounting ? (m.charged ? 'on' : 'on (probe not charged)') : 'off',
    m.tagRefStorage === 'page_flags' ? `page flags (${m.tagRefBits} bits)` : m.tagRefStorage,
    `${m.tagRefBytes} B (${m.tagRefBytesPerPage} B/page)`,
    formatBytes(m.pageExtBytes),
  ]);
}

const MEMORY_HEADER = ['mode', 'command line', 'accounting', 'references in', 'tag refs', 'page_ext total'];

function yes(b: boolean | null, smoke: boolean): string {
  if (smoke) return 'not judged (smoke run)';
  return b === null ? 'not measured' : b ? 'yes' : 'NO';
}

/** An overhead outside the tables (series comparison, targets): negatives marked as noise too. */
function pct(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : formatOverhead(p, 'compressed');
}

/** The series' figures next to this run's (medians), one column per variant. */
function seriesRows(r: PageAllocBenchReport): { header: string[]; rows: string[][]; right: boolean[] } {
  const vs = r.variants;
  const over = (v: VariantResult, mode: BenchMode): number | null =>
    timingOf(v, mode)?.overheadPercent ?? null;
  const ratioOf = (c: number | null, p: number | null): string =>
    c === null || p === null || !(p > 0) ? '—' : (c / p).toFixed(2);
  const ratio = (v: VariantResult): string => ratioOf(over(v, 'compressed'), over(v, 'page_ext'));
  const pairedRatio = (v: VariantResult): string =>
    ratioOf(pairedOrMedians(timingOf(v, 'compressed')), pairedOrMedians(timingOf(v, 'page_ext')));
  const pMem = r.modes.find((m) => m.mode === 'page_ext');
  const cMem = r.modes.find((m) => m.mode === 'compressed');
  const memCell =
    pMem === undefined || cMem === undefined
      ? '—'
      : `${formatPercentOfRam(pMem.tagRefPercentOfRam)} / ${formatPercentOfRam(cMem.tagRefPercentOfRam)}`;
  const header = ['', 'series (kernel)', ...vs.map((v) => `this run: ${v.variant}`)];
  return {
    header,
    right: header.map((_, i) => i > 0),
    rows: [
      ['page_ext overhead', `+${SERIES_PAGE_EXT_PERCENT} %`, ...vs.map((v) => pct(over(v, 'page_ext')))],
      [
        'compressed overhead',
        `+${COMPRESSED_TARGET_PERCENT} %`,
        ...vs.map((v) => pct(over(v, 'compressed'))),
      ],
      ['compressed / page_ext', SERIES_OVERHEAD_RATIO.toFixed(2), ...vs.map(ratio)],
      ['compressed / page_ext, paired', SERIES_OVERHEAD_RATIO.toFixed(2), ...vs.map(pairedRatio)],
      ['tag refs, % of RAM (page_ext / compressed)', '~0.2 % / 0', ...vs.map(() => memCell)],
    ],
  };
}

/** The cold target's verdict: not judged where the working set fits in the LLC. */
function coldJudgement(r: PageAllocBenchReport, smoke: boolean): string {
  const ws = r.variants.find((v) => v.variant === 'cold')?.workingSet;
  if (!smoke && ws !== undefined && ws.llcMultiple < 1 && r.target.coldOverheadRatio !== null)
    return `not judged (the working set, ${ws.llcMultiple.toFixed(1)} × the LLC, fits in it)`;
  return yes(r.target.coldRatioWithinHalf, smoke);
}

function targetLines(r: PageAllocBenchReport): string[] {
  const t = r.target;
  const smoke = r.smoke;
  const lines = t.orderings.map((o) => {
    const ok =
      o.neverBelowCompressed === null && o.offBelowCompressed === null && o.compressedNotAbovePageExt === null
        ? null
        : o.neverBelowCompressed !== false &&
          o.offBelowCompressed !== false &&
          o.compressedNotAbovePageExt !== false;
    return `${o.variant}: never/off < compressed ≤ page_ext: ${yes(ok, smoke)}`;
  });
  lines.push(
    `cold: compressed overhead ≤ ${COLD_RATIO_TARGET} × page_ext's: ${coldJudgement(r, smoke)} (paired ratio ${t.coldOverheadRatio === null ? '—' : t.coldOverheadRatio.toFixed(2)}; the kernel's ${t.seriesOverheadRatio.toFixed(2)})`,
  );
  lines.push(
    `compressed overhead ≤ ${t.compressedMaxPercent} % over nohooks (order-0, paired): ${yes(t.compressedWithinTarget, smoke)} (${pct(t.compressedOverheadPercent)})`,
  );
  lines.push(
    `compressed clearly below page_ext (order-0, quartiles apart): ${yes(t.compressedClearlyBelowPageExt, smoke)} (page_ext ${pct(t.pageExtOverheadPercent)})`,
  );
  lines.push(
    `page_ext 8 B/page (${formatPercentOfRam((TAG_REF_BYTES_PER_PAGE / 4096) * 100)} of RAM), compressed 0: ${yes(t.memoryAsClaimed, false)}`,
  );
  return lines;
}

function headline(r: PageAllocBenchReport): string {
  const m = r.machine;
  return `${formatSize(m.ramBytes)} RAM (${m.nrPages} pages), ${m.cpus} CPUs (loops on CPU 0), config ${m.config}`;
}

function settingsLine(r: PageAllocBenchReport): string {
  const s = r.settings;
  const clock = s.clock === 'cpu' ? 'process CPU time' : 'wall time';
  return `${s.rounds} measured rounds per mode after ${s.warmupRounds} warm-up rounds, interleaved in one process; median ns per alloc+free (${clock}), IQR and range over the rounds; overhead = ratio of the medians to nohooks', paired = median of each round's ratio to nohooks' round`;
}

function accountingLine(r: PageAllocBenchReport): string | null {
  const a = r.accounting;
  if (a === null) return null;
  return `lines/op = distinct 64-byte lines of the modelled kernel structures touched per alloc+free, misses/op = misses per alloc+free in a ${formatBytes(a.cacheBytes)} fully associative LRU cache model (cold: a working set of ${a.coldWorkingSetPages} pages, 4 × the model), counted in a separate instrumented run`;
}

const SMOKE_NOTE =
  'SMOKE RUN: sizes that only prove the benchmark runs. Every figure below is noise, including any negative overhead.';
const NEGATIVE_NOTE =
  "* a negative overhead is noise: the mode runs the baseline's code plus its own work, so it cannot be faster.";

function hasNegative(r: PageAllocBenchReport): boolean {
  return r.variants.some((v) =>
    v.modes.some(
      (t) => t.mode !== 'nohooks' && ((t.overheadPercent ?? 0) < 0 || (t.pairedOverheadPercent ?? 0) < 0),
    ),
  );
}

/** The text report of `kernel-sim bench`. */
export function formatReportText(r: PageAllocBenchReport): string {
  const out: string[] = [];
  out.push('Page allocation overhead of memory allocation profiling');
  if (r.smoke) out.push(SMOKE_NOTE);
  out.push(headline(r));
  out.push(settingsLine(r));
  const acc = accountingLine(r);
  if (acc !== null) out.push(acc);
  out.push(`${r.environment.node}, ${r.environment.cpu}, ${r.environment.date}`);
  for (const v of r.variants) {
    out.push('');
    out.push(variantTitle(v));
    out.push(table(TIMING_HEADER, timingRows(v, r), TIMING_RIGHT));
  }
  if (hasNegative(r)) out.push(NEGATIVE_NOTE);
  out.push('');
  out.push(
    'Against the series (cover letter figures; this run: ratios of the medians, and in the last ratio row of the paired overheads)',
  );
  const sr = seriesRows(r);
  out.push(table(sr.header, sr.rows, sr.right));
  out.push('');
  out.push('Modes');
  out.push(table(MEMORY_HEADER, memoryRows(r), [false, false, false, false, true, true]));
  out.push('');
  out.push('Targets of the series');
  for (const l of targetLines(r)) out.push(`  ${l}`);
  return `${out.join('\n')}\n`;
}

/**
 * The Markdown form (results file and README); `environment: false` leaves out the date/Node/CPU
 * line, and `seriesRegion` marks the comparison with the series as a region other pages quote
 * (`<!-- NAME:start -->` … `<!-- NAME:end -->`, see scripts/bench-tables.mjs).
 */
export function formatReportMarkdown(
  r: PageAllocBenchReport,
  opts: { environment?: boolean; seriesRegion?: string } = {},
): string {
  const out: string[] = [];
  out.push('### Page allocation overhead');
  out.push('');
  if (r.smoke) {
    out.push(`**${SMOKE_NOTE}**`);
    out.push('');
  }
  const acc = accountingLine(r);
  out.push(
    `${headline(r)}. ${settingsLine(r)}.${acc === null ? '' : ` ${acc[0]!.toUpperCase()}${acc.slice(1)}.`}`,
  );
  if (opts.environment !== false) {
    out.push('');
    out.push(
      `Measured ${r.environment.date.slice(0, 10)} with Node ${r.environment.node} on ${r.environment.cpu} (${r.environment.platform}).`,
    );
  }
  for (const v of r.variants) {
    out.push('');
    out.push(`**${variantTitle(v)}**`);
    out.push('');
    out.push(mdTable(TIMING_HEADER, timingRows(v, r), TIMING_RIGHT));
  }
  if (hasNegative(r)) {
    out.push('');
    out.push(NEGATIVE_NOTE);
  }
  out.push('');
  if (opts.seriesRegion !== undefined) out.push(`<!-- ${opts.seriesRegion}:start -->`);
  out.push(
    '**Against the series** (cover letter figures; this run: ratios of the medians, and in the last ratio row of the paired overheads)',
  );
  out.push('');
  const sr = seriesRows(r);
  out.push(mdTable(sr.header, sr.rows, sr.right));
  if (opts.seriesRegion !== undefined) out.push(`<!-- ${opts.seriesRegion}:end -->`);
  out.push('');
  out.push(
    mdTable(
      MEMORY_HEADER,
      memoryRows(r).map((row) => row.map((c, i) => (i === 1 ? `\`${c}\`` : c))),
      [false, false, false, false, true, true],
    ),
  );
  out.push('');
  for (const l of targetLines(r)) out.push(`- ${l}`);
  return `${out.join('\n')}\n`;
}

/** The JSON of `kernel-sim bench --json` (the report, two-space indented). */
export function formatReportJson(r: PageAllocBenchReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
