/**
 * The scale benchmark: boot time and peak RSS of the simulated kernel per RAM size, and the
 * whole demo per RAM size, each measured in a fresh child process (bench/scale-child.ts) so
 * heaps never carry over.
 */

import { formatSize } from '../lib/cmdline';
import { formatBytes } from './report';

/** One child's boot measurement. */
export interface BootSample {
  readonly memBytes: number;
  readonly cmdline: string;
  readonly nrPages: number;
  /** Kernel.boot() wall time. */
  readonly bootMs: number;
  /** The short workload after boot. */
  readonly workMs: number;
  /** RSS once the code was loaded, before boot (Node and the simulator's modules). */
  readonly rssBeforeBootBytes: number;
  /** Peak RSS of the child (VmHWM: the high-water mark of its own address space). */
  readonly peakRssBytes: number;
  /** Host bytes of the per-page state (the struct page record) per page frame. */
  readonly hostBytesPerPage: number;
  /** Bytes the simulated kernel spent on page_ext. */
  readonly pageExtBytes: number;
}

/** One child's run of `kernel-sim demo`. */
export interface DemoSample {
  readonly memBytes: number;
  readonly demoMs: number;
  readonly peakRssBytes: number;
}

/** The scale report (`bench/results/scale.json`). */
export interface ScaleReport {
  readonly benchmark: 'scale';
  readonly boot: readonly BootSample[];
  readonly demo: readonly DemoSample[];
}

function parseObject(line: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`scale: child printed no JSON object: ${line.slice(0, 200)}`);
}

function numbers<K extends string>(o: Record<string, unknown>, fields: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const f of fields) {
    const v = o[f];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`scale: child result has no number '${f}'`);
    out[f] = v;
  }
  return out;
}

/** Parse and check a boot child's JSON line; throws naming the first bad field. */
export function parseBootSample(line: string): BootSample {
  const o = parseObject(line);
  if (o.what !== 'boot') throw new Error("scale: child result is not a 'boot' measurement");
  if (typeof o.cmdline !== 'string') throw new Error("scale: child result has no string 'cmdline'");
  const n = numbers(o, [
    'memBytes',
    'nrPages',
    'bootMs',
    'workMs',
    'rssBeforeBootBytes',
    'peakRssBytes',
    'hostBytesPerPage',
    'pageExtBytes',
  ] as const);
  return { ...n, cmdline: o.cmdline };
}

/** Parse and check a demo child's JSON line. */
export function parseDemoSample(line: string): DemoSample {
  const o = parseObject(line);
  if (o.what !== 'demo') throw new Error("scale: child result is not a 'demo' measurement");
  return numbers(o, ['memBytes', 'demoMs', 'peakRssBytes'] as const);
}

function md(
  header: readonly string[],
  right: readonly boolean[],
  rows: readonly (readonly string[])[],
): string {
  return [header, right.map((x) => (x ? '---:' : '---')), ...rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
}

/** Markdown tables of a scale run: boots, then demos. */
export function formatScaleMarkdown(r: ScaleReport): string {
  const boot = md(
    [
      '--mem',
      'pages',
      'command line',
      'boot',
      'workload',
      'peak RSS',
      'RSS growth',
      'growth/page',
      'host bytes/page',
      'simulated page_ext',
    ],
    [false, true, false, true, true, true, true, true, true, true],
    r.boot.map((s) => [
      formatSize(s.memBytes),
      String(s.nrPages),
      s.cmdline === '' ? '(default)' : `\`${s.cmdline}\``,
      `${(s.bootMs / 1000).toFixed(2)} s`,
      `${s.workMs.toFixed(0)} ms`,
      formatBytes(s.peakRssBytes),
      formatBytes(s.peakRssBytes - s.rssBeforeBootBytes),
      `${((s.peakRssBytes - s.rssBeforeBootBytes) / s.nrPages).toFixed(1)} B`,
      `${s.hostBytesPerPage} B`,
      formatBytes(s.pageExtBytes),
    ]),
  );
  if (r.demo.length === 0) return boot;
  const demo = md(
    ['--mem', '`kernel-sim demo` (wall)', 'peak RSS'],
    [false, true, true],
    r.demo.map((s) => [
      formatSize(s.memBytes),
      `${(s.demoMs / 1000).toFixed(1)} s`,
      formatBytes(s.peakRssBytes),
    ]),
  );
  return `${boot}\n\n${demo}`;
}
