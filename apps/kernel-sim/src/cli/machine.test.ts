import { describe, expect, it } from 'vitest';
import { NO_HOST } from '../host';
import { bootHostBytes } from '../mm/host_memory';
import { CliError } from './errors';
import type { Io } from './io';
import { bootGuardOf, bootKernel } from './machine';
import type { MachineOptions } from './program';

const OPTS: MachineOptions = { cmdline: '', mem: 64 * 2 ** 20, cpus: 2, kernelTags: 64, json: false };

/** An Io whose stderr is kept, on a terminal or not, over a host with `available` bytes free. */
function io(isTTY: boolean, env: Record<string, string> = {}, available?: number): Io & { stderr: string } {
  const x = {
    stderr: '',
    out: () => {},
    err: (t: string) => {
      x.stderr += t;
    },
    env,
    isTTY,
    host: available === undefined ? NO_HOST : { ...NO_HOST, availableMemory: () => available },
  };
  return x as unknown as Io & { stderr: string };
}

describe('bootKernel', () => {
  it('refuses a --mem the host memory cannot hold, naming the largest that fits', () => {
    const mem = 2 ** 40;
    expect(bootHostBytes(mem)).toBeGreaterThan(4 * 2 ** 30);
    expect(() =>
      bootKernel({ ...OPTS, mem }, NO_HOST.files, {}, { availableBytes: 4 * 2 ** 30 }),
    ).toThrowError(
      new CliError(
        '--mem 1T needs about 10.0 GiB of host memory, only 4.0 GiB is available: the largest --mem that fits is 404G',
      ),
    );
    expect(() => bootKernel(OPTS, NO_HOST.files, {}, { availableBytes: 2 ** 20 })).toThrowError(
      /only 0\.0 GiB is available: not even the smallest machine \(64M\) fits$/,
    );
  });

  it('boots what fits, and anything where the host cannot tell', () => {
    const need = bootHostBytes(OPTS.mem);
    expect(bootKernel(OPTS, NO_HOST.files, {}, { availableBytes: need }).memmap.nrPages).toBe(16384);
    expect(bootKernel(OPTS, NO_HOST.files).memmap.nrPages).toBe(16384);
  });

  it('shows progress once the delay has passed, and erases it', () => {
    const lines: string[] = [];
    bootKernel(OPTS, NO_HOST.files, {}, { progress: (t) => lines.push(t), progressDelayMs: 0 });
    expect(lines.length).toBeGreaterThan(1);
    const ERASE = '\r\x1b[K';
    for (const l of lines.slice(0, -1)) {
      expect(l.startsWith(ERASE)).toBe(true);
      expect(l.slice(ERASE.length)).toMatch(/^booting 64M: struct pages \d+%$/);
    }
    expect(lines.at(-2)).toBe('\r\x1b[Kbooting 64M: struct pages 100%');
    expect(lines.at(-1)).toBe('\r\x1b[K');
    const none: string[] = [];
    bootKernel(OPTS, NO_HOST.files, {}, { progress: (t) => none.push(t) });
    expect(none).toEqual([]);
  });
});

describe('bootGuardOf', () => {
  it('takes the host memory, and progress on stderr only on a terminal', () => {
    const tty = io(true, { KERNEL_SIM_PROGRESS_DELAY_MS: '0' }, 5e9);
    const g = bootGuardOf(tty);
    expect(g).toMatchObject({ availableBytes: 5e9, progressDelayMs: 0 });
    g.progress?.('x');
    expect(tty.stderr).toBe('x');
    expect(bootGuardOf(io(false))).toEqual({ progressDelayMs: 1000 });
    // A delay that is not a number of milliseconds leaves the default.
    expect(bootGuardOf(io(true, { KERNEL_SIM_PROGRESS_DELAY_MS: 'soon' })).progressDelayMs).toBeUndefined();
  });
});
