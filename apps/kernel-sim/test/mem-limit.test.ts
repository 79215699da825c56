import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, kernelSim } from './helpers';

beforeAll(() => {
  ensureBuilt();
}, 120_000);

describe('a --mem the host cannot hold', () => {
  it('is one clear error naming the largest size that fits, exit 1, before anything is allocated', () => {
    const r = kernelSim(['run', '-', '--mem', '1T'], {
      input: 'lsmod\n',
      env: { KERNEL_SIM_MEM_LIMIT: '4G' },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/RangeError|internal error|\n\s+at /);
    // 1T: 256 Mi page frames × (32 bytes of struct page + 8 of page_ext), and ~48 MiB besides.
    expect(r.stderr).toMatch(
      /^--mem 1T needs about 10\.0 GiB of host memory, only 4\.0 GiB is available: the largest --mem that fits is 404G\n$/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('boots a size that fits under the same limit', () => {
    const r = kernelSim(['run', '-', '--mem', '1G'], {
      input: 'lsmod\n',
      env: { KERNEL_SIM_MEM_LIMIT: '4G' },
    });
    expect(r.status).toBe(0);
  });

  it('bench refuses before booting when its machines do not fit', () => {
    const r = kernelSim(['bench', '--smoke', '--mem', '64G'], { env: { KERNEL_SIM_MEM_LIMIT: '2G' } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /bench: --mem 64G needs about 4\.7 GiB of host memory for 7 machines, only 2\.0 GiB is available: the largest --mem that fits is 24G/,
    );
  });
});
