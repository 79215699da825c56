import { describe, expect, it } from 'vitest';
import { CliError } from '../cli/errors';
import type { Io } from '../cli/io';
import { KernelError } from '../kernel/errno';
import { type BenchCommandOptions, benchCommand, benchSettings, ProgressLine, progressText } from './command';
import type { BenchMachineOptions } from './machine';
import type { BenchMode } from './modes';
import type { PageAllocBenchReport } from './report';
import { fakeBenchMachine } from './testing';

function captureIo(): Io & { stdout: string; stderr: string } {
  const id = ((s: string) => s) as never;
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    color: new Proxy({}, { get: () => id }),
    errColor: new Proxy({}, { get: () => id }),
    colorOn: false,
    env: {},
    isTTY: false,
  };
  return io as unknown as Io & { stdout: string; stderr: string };
}

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
