/**
 * The report of the page-allocation benchmark: the machines' memory figures joined with the
 * timings, the series' targets checked, and the text, Markdown and JSON forms of it.
 */

import type { HostInfo } from '../host';
import { formatSize } from '../lib/cmdline';
import type { PageAllocTimings, VariantResult } from './harness';
import type { BenchMachine, TagRefStorage } from './machine';
import { type BenchMode, benchModeSpec } from './modes';

/** Bytes of page_ext per page for a tag reference: sizeof(union codetag_ref). */
export const TAG_REF_BYTES_PER_PAGE = 8;
/** The series' claim: compressed overhead at most 5.5 % over the kernel without profiling. */
export const COMPRESSED_TARGET_PERCENT = 5.5;

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

/**
 * Check the series' claims against a run (order-0 loop). Overheads are the paired ones (each
 * round against the nohooks round next to it) where available; "clearly below" means the
 * quartile ranges do not overlap: compressed's upper quartile under page_ext's lower one.
 */
export function checkTargets(modes: readonly ModeMemory[], variants: readonly VariantResult[]): TargetCheck {
  const order0 = variants.find((v) => v.variant === 'order0');
  const comp = timingOf(order0, 'compressed');
  const pext = timingOf(order0, 'page_ext');
  const cOver = comp === undefined ? null : (comp.pairedOverheadPercent ?? comp.overheadPercent);
  const pOver = pext === undefined ? null : (pext.pairedOverheadPercent ?? pext.overheadPercent);
  const cMem = modes.find((m) => m.mode === 'compressed');
  const pMem = modes.find((m) => m.mode === 'page_ext');
  let below: boolean | null = null;
  if (comp !== undefined && pext !== undefined)
    below =
      comp.paired !== null && pext.paired !== null
        ? comp.paired.q3 < pext.paired.q1
        : comp.ns.q3 < pext.ns.q1;
  return {
    compressedOverheadPercent: cOver,
    pageExtOverheadPercent: pOver,
    compressedMaxPercent: COMPRESSED_TARGET_PERCENT,
    compressedWithinTarget: cOver === null ? null : cOver <= COMPRESSED_TARGET_PERCENT,
    compressedClearlyBelowPageExt: below,
    memoryAsClaimed:
      cMem === undefined || pMem === undefined
        ? null
        : cMem.tagRefBytes === 0 && pMem.tagRefBytesPerPage === TAG_REF_BYTES_PER_PAGE,
  };
}

/** Join machines and timings into the report. */
export function buildReport(
  machines: readonly BenchMachine[],
  charged: readonly boolean[],
  timings: PageAllocTimings,
  info: { cpus: number; config: string; cmdline: string; environment: BenchEnvironment },
): PageAllocBenchReport {
  const first = machines[0];
  const modes = machines.map((m, i) => modeMemory(m, charged[i] ?? false));
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
    variants: timings.variants,
    target: checkTargets(modes, timings.variants),
  };
}

// ------------------------------------------------------------------------------- formatting

/** ns with one decimal. */
function ns(x: number): string {
  return x.toFixed(1);
}

/** Signed percentage with one decimal, `—` for the baseline or a missing one. */
export function formatOverhead(p: number | null, mode: BenchMode): string {
  if (mode === 'nohooks') return 'baseline';
  if (p === null) return '—';
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(1)} %`;
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
  order0: 'order-0: alloc_page() + free_page()',
  mixed: 'mixed orders 0–10, batches alloc then free in shuffled order',
};

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
      mem === undefined ? '—' : formatBytes(mem.tagRefBytes),
      mem === undefined ? '—' : formatPercentOfRam(mem.tagRefPercentOfRam),
    ];
  });
}

const TIMING_HEADER = ['mode', 'ns/op', 'IQR', 'min–max', 'overhead', 'paired', 'tag refs', '% RAM'];
const TIMING_RIGHT = [false, true, true, true, true, true, true, true];

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

function yes(b: boolean | null): string {
  return b === null ? 'not measured' : b ? 'yes' : 'NO';
}

function targetLines(r: PageAllocBenchReport): string[] {
  const t = r.target;
  const pct = (p: number | null): string =>
    p === null ? '—' : `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(1)} %`;
  return [
    `compressed overhead ≤ ${t.compressedMaxPercent} % over nohooks: ${yes(t.compressedWithinTarget)} (${pct(t.compressedOverheadPercent)})`,
    `compressed clearly below page_ext (quartiles apart): ${yes(t.compressedClearlyBelowPageExt)} (page_ext ${pct(t.pageExtOverheadPercent)})`,
    `page_ext 8 B/page (${formatPercentOfRam((TAG_REF_BYTES_PER_PAGE / 4096) * 100)} of RAM), compressed 0: ${yes(t.memoryAsClaimed)}`,
  ];
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

/** The text report of `kernel-sim bench`. */
export function formatReportText(r: PageAllocBenchReport): string {
  const out: string[] = [];
  out.push('Page allocation overhead of memory allocation profiling');
  out.push(headline(r));
  out.push(settingsLine(r));
  out.push(`${r.environment.node}, ${r.environment.cpu}, ${r.environment.date}`);
  for (const v of r.variants) {
    out.push('');
    out.push(`${VARIANT_TITLE[v.variant] ?? v.variant} (${v.opsPerRound} per round)`);
    out.push(table(TIMING_HEADER, timingRows(v, r), TIMING_RIGHT));
  }
  out.push('');
  out.push('Modes');
  out.push(table(MEMORY_HEADER, memoryRows(r), [false, false, false, false, true, true]));
  out.push('');
  out.push('Targets of the series');
  for (const l of targetLines(r)) out.push(`  ${l}`);
  return `${out.join('\n')}\n`;
}

/** The Markdown form (results file and README); `environment: false` leaves out the date/Node/CPU line. */
export function formatReportMarkdown(r: PageAllocBenchReport, opts: { environment?: boolean } = {}): string {
  const out: string[] = [];
  out.push('### Page allocation overhead');
  out.push('');
  out.push(`${headline(r)}. ${settingsLine(r)}.`);
  if (opts.environment !== false) {
    out.push('');
    out.push(
      `Measured ${r.environment.date.slice(0, 10)} with Node ${r.environment.node} on ${r.environment.cpu} (${r.environment.platform}).`,
    );
  }
  for (const v of r.variants) {
    out.push('');
    out.push(`**${VARIANT_TITLE[v.variant] ?? v.variant}** (${v.opsPerRound} per round)`);
    out.push('');
    out.push(mdTable(TIMING_HEADER, timingRows(v, r), TIMING_RIGHT));
  }
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
