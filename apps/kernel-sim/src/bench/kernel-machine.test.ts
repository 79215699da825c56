import { describe, expect, it } from 'vitest';
import { NO_HOST } from '../host';
import { HookedPageAllocator, NoHooksPageAllocator } from '../mm/page_alloc';
import { runPageAllocBench, SMOKE_SETTINGS } from './harness';
import { benchKernelOptions, bootBenchMachine } from './kernel-machine';
import type { BenchMachineOptions } from './machine';
import { BENCH_MODES } from './modes';
import { probeCharged } from './report';

const OPTS: BenchMachineOptions = { cmdline: '', mem: 64 * 2 ** 20, cpus: 2, kernelTags: 256 };

describe('benchmark machines booted through the Kernel', () => {
  const machines = BENCH_MODES.map((m) => bootBenchMachine(m, OPTS, NO_HOST.files));
  const by = Object.fromEntries(machines.map((m) => [m.mode, m]));

  it('boot each mode with its build and sysctl.vm.mem_profiling value', () => {
    expect(benchKernelOptions('nohooks', OPTS, NO_HOST.files)).toMatchObject({
      profiling: false,
      cmdline: '',
    });
    expect(benchKernelOptions('compressed', { ...OPTS, cmdline: 'quiet' }, NO_HOST.files)).toMatchObject({
      profiling: true,
      cmdline: 'quiet sysctl.vm.mem_profiling=1,compressed',
      mem: 64 * 2 ** 20,
      cpus: 2,
      kernelTags: 256,
    });
    expect(machines.map((m) => [m.mode, m.cmdline, m.profilingBuilt, m.accounting, m.tagRefStorage])).toEqual(
      [
        ['nohooks', '', false, false, 'none'],
        ['never', 'sysctl.vm.mem_profiling=never', true, false, 'none'],
        ['off', 'sysctl.vm.mem_profiling=0', true, false, 'page_ext'],
        ['page_ext', 'sysctl.vm.mem_profiling=1', true, true, 'page_ext'],
        ['compressed', 'sysctl.vm.mem_profiling=1,compressed', true, true, 'page_flags'],
      ],
    );
  });

  it('the nohooks build runs the hook-less allocator class, the others the hooked one', () => {
    expect(by.nohooks!.pageAlloc).toBeInstanceOf(NoHooksPageAllocator);
    expect(by.nohooks!.pageAlloc).not.toBeInstanceOf(HookedPageAllocator);
    for (const m of machines.filter((x) => x.mode !== 'nohooks'))
      expect(m.pageAlloc).toBeInstanceOf(HookedPageAllocator);
  });

  it('spend 8 bytes of page_ext per page on references where page_ext holds them, nothing otherwise', () => {
    const perPage = Object.fromEntries(machines.map((m) => [m.mode, m.tagRefBytes / m.nrPages]));
    expect(perPage).toEqual({ nohooks: 0, never: 0, off: 8, page_ext: 8, compressed: 0 });
    expect(by.page_ext!.tagRefBytes).toBe(8 * 16384);
    expect(by.compressed!.pageExtBytes).toBe(0);
    expect(by.nohooks!.pageExtBytes).toBe(0);
    expect(by.compressed!.tagRefBits).toBeGreaterThanOrEqual(13);
  });

  it('charge the loops to the benchmark call site exactly where accounting is on', () => {
    expect(machines.map((m) => [m.mode, probeCharged(m)])).toEqual([
      ['nohooks', false],
      ['never', false],
      ['off', false],
      ['page_ext', true],
      ['compressed', true],
    ]);
    expect(by.nohooks!.benchSiteCalls()).toBeNull();
  });

  it('run the smoke benchmark and give every page and every charge back', () => {
    const before = machines.map((m) => [m.freePages(), m.benchSiteCalls()]);
    runPageAllocBench(machines, { ...SMOKE_SETTINGS, rounds: 1, warmupRounds: 0 });
    expect(machines.map((m) => [m.freePages(), m.benchSiteCalls()])).toEqual(before);
  });

  it('refuse a command line that sets the mode parameter, with EINVAL', () => {
    expect(() =>
      bootBenchMachine('off', { ...OPTS, cmdline: 'sysctl.vm.mem_profiling=1' }, NO_HOST.files),
    ).toThrowError(expect.objectContaining({ code: 'EINVAL' }));
  });
});
