import { bootKernel, KernelMachine, NO_HOST, Session } from '@allocprof/kernel-sim';
import { describe, expect, it } from 'vitest';
import { allocinfoRows, filterRows, sortRows } from './allocinfo-table';

function session(): Session {
  const opts = { cmdline: '', mem: 64 * 2 ** 20, cpus: 2, kernelTags: 32, json: false };
  return new Session(new KernelMachine(bootKernel(opts, NO_HOST.files)));
}

describe('allocinfo table rows', () => {
  it("are the running kernel's call sites with module marks, also after the module is unloaded", () => {
    const s = session();
    s.execute(['insmod', 'demo_drv']);
    s.execute(['alloc_pages', 'demo_drv:demo_probe', 'order=2', 'count=4', 'as=buf']);
    const rows = allocinfoRows(s.execute(['cat', '/proc/allocinfo']), ['demo_drv']);
    const mod = rows.filter((r) => r.module === 'demo_drv');
    expect(mod.length).toBeGreaterThan(0);
    expect(mod.find((r) => r.func === 'demo_probe')).toMatchObject({
      bytes: 65536,
      calls: 4,
      unloaded: false,
    });
    expect(rows.filter((r) => r.module === null).length).toBe(32);
    // Same text, module no longer loaded: marked unloaded.
    expect(
      allocinfoRows(s.execute(['cat', '/proc/allocinfo']), []).find((r) => r.func === 'demo_probe')?.unloaded,
    ).toBe(true);
  });

  it('filter on every word (file, function, module), case-insensitively', () => {
    const rows = [
      { bytes: 1, calls: 1, where: 'mm/slub.c:1', func: 'allocate_slab', module: null, unloaded: false },
      {
        bytes: 2,
        calls: 5,
        where: 'drivers/demo/demo.c:42',
        func: 'demo_probe',
        module: 'demo_drv',
        unloaded: false,
      },
    ];
    expect(filterRows(rows, 'DEMO probe').map((r) => r.func)).toEqual(['demo_probe']);
    expect(filterRows(rows, 'demo_drv').length).toBe(1);
    expect(filterRows(rows, '  ').length).toBe(2);
    expect(filterRows(rows, 'nothing').length).toBe(0);
    expect(sortRows(rows, 'bytes').map((r) => r.bytes)).toEqual([2, 1]);
    expect(sortRows(rows, 'calls', true).map((r) => r.calls)).toEqual([1, 5]);
  });

  it('sorts stably: equal keys keep the order of the file', () => {
    const rows = [0, 1, 2, 3].map((i) => ({
      bytes: i % 2,
      calls: 0,
      where: `f.c:${i}`,
      func: `f${i}`,
      module: null,
      unloaded: false,
    }));
    expect(sortRows(rows, 'bytes').map((r) => r.func)).toEqual(['f1', 'f3', 'f0', 'f2']);
  });

  it('reject a text that is not an allocinfo file with the reader message of kernel-sim allocinfo', () => {
    expect(() => allocinfoRows('hello\n', [])).toThrow(/^\/proc\/allocinfo:1: /);
  });
});
