/**
 * What the bench panel draws, taken from the benchmark's report: per mode, the order-0
 * overhead against the kernel without profiling, and the memory spent on page tag references
 * — beside the cover letter's figures. The panel reads only this view, so a change of the
 * report's shape is absorbed here.
 */
import { COMPRESSED_TARGET_PERCENT, type PageAllocBenchReport } from '@allocprof/kernel-sim';

/** The cover letter's page allocation overhead with references in page_ext, before the series. */
export const PAGE_EXT_REPORTED_PERCENT = 41;
/** The cover letter's overhead with compressed references (the series' target). */
export const COMPRESSED_REPORTED_PERCENT = COMPRESSED_TARGET_PERCENT;

/** One mode's figures. */
export interface BenchModeView {
  readonly mode: string;
  readonly description: string;
  /** Median ns per alloc+free in the order-0 loop. */
  readonly nsPerOp: number | null;
  /** Overhead over nohooks (%), paired where available; null for the baseline or when missing. */
  readonly overheadPercent: number | null;
  /** What the cover letter reports for this mode, when it reports one. */
  readonly reportedPercent: number | null;
  /** Bytes of page tag references and their share of RAM (%). */
  readonly refBytes: number;
  readonly refPercentOfRam: number;
  readonly refStorage: string;
}

/** The whole panel. */
export interface BenchView {
  readonly machine: string;
  readonly settings: string;
  readonly modes: readonly BenchModeView[];
  readonly compressedWithinTarget: boolean | null;
}

function reported(mode: string): number | null {
  if (mode === 'page_ext') return PAGE_EXT_REPORTED_PERCENT;
  if (mode === 'compressed') return COMPRESSED_REPORTED_PERCENT;
  return null;
}

/** The view of a report. */
export function benchView(r: PageAllocBenchReport): BenchView {
  const order0 = r.variants.find((v) => v.variant === 'order0');
  const modes = r.modes.map((m): BenchModeView => {
    const t = order0?.modes.find((x) => x.mode === m.mode);
    const over = t === undefined ? null : (t.pairedOverheadPercent ?? t.overheadPercent);
    return {
      mode: m.mode,
      description: m.description,
      nsPerOp: t?.ns.median ?? null,
      overheadPercent: m.mode === 'nohooks' ? null : over,
      reportedPercent: reported(m.mode),
      refBytes: m.tagRefBytes,
      refPercentOfRam: m.tagRefPercentOfRam,
      refStorage: m.tagRefStorage,
    };
  });
  const mib = Math.round(r.machine.ramBytes / 2 ** 20);
  return {
    machine: `${mib} MiB RAM (${r.machine.nrPages} pages), config ${r.machine.config}`,
    settings: `${r.settings.rounds} rounds per mode after ${r.settings.warmupRounds} warm-up, ${order0?.opsPerRound ?? 0} alloc+free per round, ${r.settings.clock === 'cpu' ? 'CPU' : 'wall'} clock`,
    modes,
    compressedWithinTarget: r.target.compressedWithinTarget,
  };
}
