/**
 * `kernel-sim bench`: boot one machine per mode with the given machine options, run the
 * page-allocation benchmark, print the text report (or JSON with `--json`). Progress goes to
 * stderr, and only when stderr is a terminal, so redirected output stays the report alone.
 */

import { CliError } from '../cli/errors';
import type { Io } from '../cli/io';
import type { MachineOptions } from '../cli/program';
import type { Host } from '../host';
import { KernelError } from '../kernel/errno';
import {
  type BenchProgress,
  type ClockKind,
  clockOf,
  DEFAULT_SETTINGS,
  type PageAllocBenchSettings,
  runPageAllocBench,
  SMOKE_SETTINGS,
} from './harness';
import type { BenchMachine, BenchMachineOptions, BootBenchMachine } from './machine';
import { BENCH_MODES, type BenchMode } from './modes';
import {
  benchEnvironment,
  buildReport,
  formatReportJson,
  formatReportText,
  type PageAllocBenchReport,
  probeCharged,
} from './report';

/** Options of `kernel-sim bench`. */
export type BenchCommandOptions = MachineOptions & { rounds?: number; smoke: boolean };

/** What the command is run with besides its options (tests replace the boot and the terminal). */
export interface BenchCommandDeps {
  boot: BootBenchMachine;
  /** Whether stderr is a terminal (progress lines are drawn only then). */
  stderrIsTTY: boolean;
  modes?: readonly BenchMode[];
}

/** Settings for the command's options: full or smoke sizes, `--rounds` overriding the count. */
export function benchSettings(opts: {
  rounds?: number;
  smoke: boolean;
  clock?: ClockKind;
}): PageAllocBenchSettings {
  const s = { ...(opts.smoke ? SMOKE_SETTINGS : DEFAULT_SETTINGS) };
  if (opts.rounds !== undefined) s.rounds = opts.rounds;
  if (opts.clock !== undefined) s.clock = opts.clock;
  return s;
}

/** The machine options a mode boots from. */
export function machineOptionsOf(opts: MachineOptions): BenchMachineOptions {
  const o: BenchMachineOptions = {
    cmdline: opts.cmdline,
    mem: opts.mem,
    cpus: opts.cpus,
    kernelTags: opts.kernelTags,
  };
  if (opts.config !== undefined) o.config = opts.config;
  if (opts.configFile !== undefined) o.configFile = opts.configFile;
  if (opts.arch !== undefined) o.arch = opts.arch;
  return o;
}

/** A one-line progress display redrawn in place on a terminal. */
export class ProgressLine {
  private readonly write: (s: string) => void;
  private shown = false;

  constructor(write: (s: string) => void) {
    this.write = write;
  }

  /** Replace the line with `text`. */
  show(text: string): void {
    this.write(`\r\x1b[K${text}`);
    this.shown = true;
  }

  /** Erase the line. */
  clear(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }
}

/** The progress text of one round. */
export function progressText(p: BenchProgress): string {
  const pct = Math.floor((p.done / p.total) * 100);
  const phase = p.phase === 'warmup' ? 'warm-up' : 'round';
  return `bench ${String(pct).padStart(3)}%  ${p.variant}  ${phase} ${p.round + 1}/${p.rounds}  ${p.mode}`;
}

/**
 * Boot every mode's machine, run the benchmark, and build the report. Boot and measurement
 * errors are KernelErrors; `progress` (if any) sees boots and rounds. The host gives the CPU
 * clock (the wall clock where it has none) and the environment of the report.
 */
export function runBench(
  opts: BenchCommandOptions,
  deps: {
    boot: BootBenchMachine;
    host: Pick<Host, 'cpuClock' | 'info'>;
    modes?: readonly BenchMode[];
    progress?: ProgressLine | null;
    /** Called before each round with where the run is (a browser draws a progress bar from it). */
    onRound?: (p: BenchProgress) => void;
    clock?: ClockKind;
    /**
     * Sizes to run instead of those the options name (a browser's coarse clock needs longer
     * rounds than `--smoke` gives).
     */
    settings?: PageAllocBenchSettings;
  },
): PageAllocBenchReport {
  const settings =
    deps.settings ?? benchSettings(deps.clock === undefined ? opts : { ...opts, clock: deps.clock });
  const mopts = machineOptionsOf(opts);
  const modes = deps.modes ?? BENCH_MODES;
  const progress = deps.progress ?? null;
  const machines: BenchMachine[] = [];
  for (const mode of modes) {
    progress?.show(`bench: booting ${mode} (${machines.length + 1}/${modes.length})`);
    machines.push(deps.boot(mode, mopts));
  }
  const charged = machines.map(probeCharged);
  const clock = clockOf(settings.clock, deps.host.cpuClock);
  const onRound = deps.onRound;
  const timings = runPageAllocBench(
    machines,
    settings,
    progress === null && onRound === undefined
      ? { clock }
      : {
          clock,
          progress: (p) => {
            progress?.show(progressText(p));
            onRound?.(p);
          },
        },
  );
  progress?.clear();
  return buildReport(machines, charged, timings, {
    cpus: opts.cpus,
    config: machines[0]?.config ?? opts.configFile ?? opts.config ?? 'default',
    cmdline: opts.cmdline,
    environment: benchEnvironment(deps.host.info()),
  });
}

/** The `bench` command: exit 0 with the report; a kernel or boot error is a CliError (exit 1). */
export async function benchCommand(
  opts: BenchCommandOptions,
  io: Io,
  deps: BenchCommandDeps,
): Promise<number> {
  const progress = deps.stderrIsTTY ? new ProgressLine((s) => io.err(s)) : null;
  let report: PageAllocBenchReport;
  try {
    report = runBench(opts, {
      boot: deps.boot,
      host: io.host,
      progress,
      ...(deps.modes ? { modes: deps.modes } : {}),
    });
  } catch (e) {
    progress?.clear();
    // Typed errors of the kernel and its packages carry an errno name: bad options or a machine
    // that cannot run the loops, reported as invalid input rather than as an internal error.
    if (
      e instanceof KernelError ||
      (e instanceof Error && typeof (e as { code?: unknown }).code === 'string')
    )
      throw new CliError(e.message.startsWith('bench:') ? e.message : `bench: ${e.message}`);
    throw e;
  }
  io.out(opts.json ? formatReportJson(report) : formatReportText(report));
  return 0;
}
