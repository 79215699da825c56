import { describe, expect, it } from 'vitest';
import { CliError } from '../cli/errors';
import { captureIo } from '../cli/testing';
import { NO_HOST } from '../host';
import { KernelError } from '../kernel/errno';
import {
  type BenchCommandOptions,
  benchCommand,
  benchSettings,
  ProgressLine,
  progressText,
  runBench,
} from './command';
import type { BenchMachineOptions } from './machine';
import type { BenchMode } from './modes';
import type { PageAllocBenchReport } from './report';
import { fakeBenchMachine } from './testing';

const OPTS: BenchCommandOptions = {
  cmdline: '',
  mem: 64 * 2 ** 20,
  cpus: 2,
  kernelTags: 64,
  json: false,
  smoke: true,
};
const boot = (mode: BenchMode, _o: BenchMachineOptions) => fakeBenchMachine(mode);

describe('kernel-sim bench', () => {
  it('prints the text report and nothing on stderr off a terminal', async () => {
    const io = captureIo();
    expect(await benchCommand(OPTS, io, { boot, stderrIsTTY: false })).toBe(0);
    expect(io.stdout).toMatch(/^Page allocation overhead of memory allocation profiling\n/);
    expect(io.stdout).toContain('Targets of the series');
    expect(io.stderr).toBe('');
  });

  it('prints the same as JSON with --json', async () => {
    const io = captureIo();
    await benchCommand({ ...OPTS, json: true, rounds: 2 }, io, {
      boot,
      stderrIsTTY: false,
      modes: ['nohooks', 'compressed'],
    });
    const r = JSON.parse(io.stdout) as PageAllocBenchReport;
    expect(r.benchmark).toBe('page-alloc-overhead');
    expect(r.settings.rounds).toBe(2);
    expect(r.modes.map((m) => m.mode)).toEqual(['nohooks', 'compressed']);
    expect(r.variants.map((v) => v.modes.map((t) => t.samples.length))).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    expect(r.smoke).toBe(true);
  });

  it('draws progress on stderr when it is a terminal, and erases it', async () => {
    const io = captureIo();
    await benchCommand(OPTS, io, { boot, stderrIsTTY: true });
    expect(io.stderr).toContain('bench: booting nohooks (1/5)');
    expect(io.stderr).toContain('order0  warm-up 1/3  nohooks');
    expect(io.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('tells a caller every round through onRound, with the runtime of the host in the report', () => {
    const seen: number[] = [];
    const host = {
      cpuClock: null,
      info: () => ({ runtime: 'Chromium 1', cpu: 'c', logicalCpus: 2, platform: 'p' }),
    };
    const r = runBench(
      { ...OPTS, rounds: 2 },
      { boot, host, modes: ['nohooks', 'page_ext'], onRound: (p) => seen.push(p.done) },
    );
    // 3 variants (order0, mixed, cold) x 2 modes x (3 warm-up + 2 measured rounds), counted from 0.
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(r.environment).toMatchObject({ node: 'Chromium 1', cpu: 'c', logicalCpus: 2, platform: 'p' });
    const sized = runBench(OPTS, {
      boot,
      host,
      modes: ['nohooks'],
      settings: { ...benchSettings({ smoke: true }), rounds: 3, order0Iterations: 7, clock: 'wall' },
    });
    expect(sized.settings).toMatchObject({ rounds: 3, order0Iterations: 7, clock: 'wall' });
    expect(sized.variants[0]?.opsPerRound).toBe(7);
  });

  it('takes the cold working set from the host LLC and refuses a --mem its memory cannot hold', () => {
    let booted = 0;
    const counting = (mode: BenchMode, o: BenchMachineOptions) => {
      booted++;
      return boot(mode, o);
    };
    const host = (llc: number | null, available?: number) => ({
      ...NO_HOST,
      llcBytes: () => llc,
      ...(available === undefined ? {} : { availableMemory: () => available }),
    });
    const one = { modes: ['nohooks'] as const, accounting: false };
    expect(runBench(OPTS, { boot, host: host(8 << 20), ...one }).settings.llcBytes).toBe(8 << 20);
    // A host that does not report its cache: 32 MiB.
    expect(runBench(OPTS, { boot, host: host(null), ...one }).settings.llcBytes).toBe(32 << 20);
    // 64G: 3 machines (one mode, two for the accounting) of about 0.7 GiB each do not fit in 1 GiB.
    expect(() =>
      runBench({ ...OPTS, mem: 64 * 2 ** 30 }, { boot: counting, host: host(null, 2 ** 30), ...one }),
    ).toThrowError(
      new KernelError(
        'ENOMEM',
        'bench: --mem 64G needs about 2.0 GiB of host memory for 3 machines, only 1.0 GiB is available: the largest --mem that fits is 29G',
      ),
    );
    expect(booted).toBe(0);
  });

  it('reports a kernel error as invalid input (exit status 1)', async () => {
    const io = captureIo();
    const failing = () => {
      throw new KernelError('EINVAL', '--mem: 1M is too small');
    };
    await expect(benchCommand(OPTS, io, { boot: failing, stderrIsTTY: false })).rejects.toThrowError(
      new CliError('bench: --mem: 1M is too small'),
    );
    expect(io.stdout).toBe('');
  });

  it('chooses full or smoke sizes, --rounds overriding the count', () => {
    expect(benchSettings({ smoke: true }).order0Iterations).toBeLessThan(
      benchSettings({ smoke: false }).order0Iterations,
    );
    expect(benchSettings({ smoke: false, rounds: 7 }).rounds).toBe(7);
  });

  it('formats progress lines', () => {
    expect(
      progressText({
        phase: 'measure',
        variant: 'mixed',
        round: 4,
        rounds: 21,
        mode: 'off',
        done: 50,
        total: 200,
      }),
    ).toBe('bench  25%  mixed  round 5/21  off');
    let s = '';
    const p = new ProgressLine((t) => {
      s += t;
    });
    p.clear();
    expect(s).toBe('');
    p.show('x');
    p.clear();
    expect(s).toBe('\r\x1b[Kx\r\x1b[K');
  });
});
