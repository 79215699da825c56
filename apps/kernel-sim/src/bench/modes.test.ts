import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel/errno';
import { BENCH_MODES, benchModeSpec, isBenchMode, modeCmdline } from './modes';

describe('benchmark modes', () => {
  it('are the five builds/modes of the benchmark, nohooks first', () => {
    expect(BENCH_MODES).toEqual(['nohooks', 'never', 'off', 'page_ext', 'compressed']);
  });

  it('map to the build and the sysctl.vm.mem_profiling boot value', () => {
    expect(BENCH_MODES.map((m) => [m, benchModeSpec(m).profiling, modeCmdline(m)])).toEqual([
      ['nohooks', false, ''],
      ['never', true, 'sysctl.vm.mem_profiling=never'],
      ['off', true, 'sysctl.vm.mem_profiling=0'],
      ['page_ext', true, 'sysctl.vm.mem_profiling=1'],
      ['compressed', true, 'sysctl.vm.mem_profiling=1,compressed'],
    ]);
  });

  it("append the mode's value after the user's command line (the last occurrence wins)", () => {
    expect(modeCmdline('compressed', '  loglevel=7 quiet ')).toBe(
      'loglevel=7 quiet sysctl.vm.mem_profiling=1,compressed',
    );
    expect(modeCmdline('nohooks', 'quiet')).toBe('quiet');
  });

  it('refuse a user command line that sets the parameter itself', () => {
    for (const line of [
      'sysctl.vm.mem_profiling=1',
      'quiet sysctl.vm.mem-profiling=never',
      'sysctl/vm/mem_profiling=0',
    ])
      expect(() => modeCmdline('page_ext', line)).toThrow(/must not set sysctl.vm.mem_profiling/);
    expect(modeCmdline('off', 'sysctl.vm.mem_profiling_x=1')).toBe(
      'sysctl.vm.mem_profiling_x=1 sysctl.vm.mem_profiling=0',
    );
  });

  it('reject an unknown mode with EINVAL', () => {
    expect(isBenchMode('page_ext')).toBe(true);
    expect(isBenchMode('toString')).toBe(false);
    expect(() => benchModeSpec('fast' as never)).toThrow(KernelError);
  });
});
