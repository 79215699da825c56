import { bootBenchMachine, NO_HOST, runBench } from '@allocprof/kernel-sim';
import { describe, expect, it } from 'vitest';
import { benchView, PAGE_EXT_REPORTED_PERCENT } from './bench-view';

describe('bench panel view', () => {
  it("takes the order-0 overheads and the reference memory of every mode from the harness's report", () => {
    const report = runBench(
      { cmdline: '', mem: 64 * 2 ** 20, cpus: 2, kernelTags: 64, json: false, smoke: true, rounds: 1 },
      { boot: (mode, o) => bootBenchMachine(mode, o, NO_HOST.files), host: NO_HOST, clock: 'wall' },
    );
    const v = benchView(report);
    expect(v.modes.map((m) => m.mode)).toEqual(['nohooks', 'never', 'off', 'page_ext', 'compressed']);
    const by = Object.fromEntries(v.modes.map((m) => [m.mode, m]));
    expect(by.nohooks?.overheadPercent).toBeNull();
    expect(typeof by.page_ext?.overheadPercent).toBe('number');
    expect(by.page_ext?.reportedPercent).toBe(PAGE_EXT_REPORTED_PERCENT);
    expect(by.compressed?.reportedPercent).toBe(5.5);
    expect(by.off?.reportedPercent).toBeNull();
    // 8 bytes of page_ext per page for references, none when compressed.
    expect(by.page_ext?.refBytes).toBe(((64 * 2 ** 20) / 4096) * 8);
    expect(by.compressed?.refBytes).toBe(0);
    expect(by.compressed?.refStorage).toBe('page_flags');
    expect(v.machine).toContain('64 MiB RAM');
  });
});
