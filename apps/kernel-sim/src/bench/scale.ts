/**
 * The scale benchmark: boot time and peak RSS of the simulated kernel per RAM size, each size
 * measured in a fresh child process (bench/scale-child.ts) so heaps never carry over.
 */

import { formatSize } from '../lib/cmdline';
import { formatBytes } from './report';

/** What one child reports. */
export interface ScaleSample {
  readonly memBytes: number;
  readonly cmdline: string;
  readonly nrPages: number;
  /** Kernel.boot() wall time. */
  readonly bootMs: number;
  /** The demo workload after boot. */
  readonly demoMs: number;
  /** RSS after the modules were loaded, before boot (Node + the simulator's code). */
  readonly rssBeforeBootBytes: number;
  /** process.resourceUsage().maxRSS at the end. */
  readonly peakRssBytes: number;
  /** Host bytes of the per-page arrays (flags words + allocator state) per page frame. */
  readonly hostBytesPerPage: number;
  /** Bytes the simulated kernel spent on page_ext. */
  readonly pageExtBytes: number;
}

/** The scale report. */
export interface ScaleReport {
  readonly benchmark: 'scale';
  readonly samples: readonly ScaleSample[];
}

const NUMBER_FIELDS = [
  'memBytes',
  'nrPages',
  'bootMs',
  'demoMs',
  'rssBeforeBootBytes',
  'peakRssBytes',
  'hostBytesPerPage',
  'pageExtBytes',
] as const;

/** Parse and check a child's JSON line; throws naming the first bad field. */
export function parseScaleSample(line: string): ScaleSample {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`scale: child printed no JSON: ${line.slice(0, 200)}`);
  }
  const o = v as Record<string, unknown>;
  for (const f of NUMBER_FIELDS)
    if (typeof o[f] !== 'number' || !Number.isFinite(o[f]))
      throw new Error(`scale: child result has no number '${f}'`);
  if (typeof o.cmdline !== 'string') throw new Error("scale: child result has no string 'cmdline'");
  return {
    memBytes: o.memBytes as number,
    cmdline: o.cmdline,
    nrPages: o.nrPages as number,
    bootMs: o.bootMs as number,
    demoMs: o.demoMs as number,
    rssBeforeBootBytes: o.rssBeforeBootBytes as number,
    peakRssBytes: o.peakRssBytes as number,
    hostBytesPerPage: o.hostBytesPerPage as number,
    pageExtBytes: o.pageExtBytes as number,
  };
}

/** Markdown table of a scale run. */
export function formatScaleMarkdown(r: ScaleReport): string {
  const rows = r.samples.map((s) => [
    formatSize(s.memBytes),
    String(s.nrPages),
    s.cmdline === '' ? '(default)' : `\`${s.cmdline}\``,
    `${(s.bootMs / 1000).toFixed(2)} s`,
    `${s.demoMs.toFixed(0)} ms`,
    formatBytes(s.peakRssBytes),
    formatBytes(s.peakRssBytes - s.rssBeforeBootBytes),
    `${((s.peakRssBytes - s.rssBeforeBootBytes) / s.nrPages).toFixed(1)} B`,
    `${s.hostBytesPerPage} B`,
    formatBytes(s.pageExtBytes),
  ]);
  const header = [
    '--mem',
    'pages',
    'command line',
    'boot',
    'demo',
    'peak RSS',
    'RSS growth',
    'growth/page',
    'per-page arrays',
    'simulated page_ext',
  ];
  const right = [false, true, false, true, true, true, true, true, true, true];
  return [header, right.map((x) => (x ? '---:' : '---')), ...rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
}
