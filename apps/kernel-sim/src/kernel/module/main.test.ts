import { describe, expect, it } from 'vitest';
import { Kernel } from '../../init/main';
import { KernelError } from '../errno';
import type { ModuleDescriptor } from './descriptor';

/** A module with `n` allocation tags (n × 40 bytes of `alloc_tags`). */
const withTags = (name: string, n: number): ModuleDescriptor => ({
  name,
  tags: Array.from({ length: n }, (_, i) => ({
    file: `drivers/${name}/${name}.c`,
    line: i + 1,
    function: `${name}_f${i}`,
  })),
  align: 8,
  prepend: 0,
  textSize: 8192,
  dataSize: 4096,
});

function errnoOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KernelError);
    return (e as KernelError).code;
  }
  throw new Error('expected a KernelError');
}

/** Everything a load could touch: the tag area and its pages, the profiling state, memory, the log. */
function snapshot(k: Kernel) {
  const at = k.allocTag!;
  const area = at.moduleTags!;
  return {
    map: JSON.stringify(area.map()),
    size: area.size,
    pages: [...area.pages],
    support: at.support,
    key: at.enabled,
    sysctl: k.sysctl('vm.mem_profiling'),
    allocinfo: k.readFile('/proc/allocinfo'),
    allocatedPages: k.alloc.stats().allocatedPages,
    vmallocinfo: k.readFile('/proc/vmallocinfo'),
    modules: k.readFile('/proc/modules'),
    log: k.dmesg.seq,
  };
}

describe('load_module() failure paths leave no trace', () => {
  // kernel/module/main.c: early_mod_check() → module_patient_check_exists() refuses a live
  // module's name before layout_and_allocate()/move_module() reserve anything.
  it('a refused duplicate insmod changes nothing: tag area, its pages, module_tags.size, profiling state', () => {
    // 2 + 7940 + 200 indices fit in 13 page-flag bits (8192); a second 200-tag reservation would not.
    const k = Kernel.boot({
      mem: '256M',
      cpus: 2,
      kernelTags: 7940,
      cmdline: 'sysctl.vm.mem_profiling=1,compressed',
    });
    k.insmod(withTags('big_drv', 200));
    expect(k.allocTag!.moduleTags!.nrPages).toBe(2);
    const before = snapshot(k);
    expect(errnoOf(() => k.insmod(withTags('big_drv', 200)))).toBe('EEXIST');
    expect(snapshot(k)).toEqual(before);
    expect(k.allocTag!.moduleTags!.nrPages).toBe(2);
  });

  it.each([
    [
      'a duplicate is refused before an incompatible alignment could switch profiling off',
      { align: 16 },
      'EEXIST',
    ],
    [
      'a malformed module is refused before the name check and before any allocation',
      { align: 3 },
      'ENOEXEC',
    ],
  ])('%s', (_title, change, errno) => {
    const k = Kernel.boot({ mem: '128M', cpus: 2, cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    k.insmod(withTags('m', 3));
    const before = snapshot(k);
    expect(errnoOf(() => k.insmod({ ...withTags('m', 3), ...change }))).toBe(errno);
    expect(snapshot(k)).toEqual(before);
  });

  it('module memory failing in move_module() leaves the tag area untouched', () => {
    const k = Kernel.boot({ mem: '128M', cpus: 2, cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    const before = snapshot(k);
    k.failPageAlloc(100);
    expect(errnoOf(() => k.insmod(withTags('late', 3)))).toBe('ENOMEM');
    k.failPageAlloc(0);
    expect({ ...snapshot(k), log: before.log }).toEqual(before);
    expect(k.allocTag!.moduleTags!.size).toBe(0);
  });
});
