import { describe, expect, it } from 'vitest';
import { hostAvailableBytes, hostLlcBytes, nodeHost, parseCacheSize, type SysfsReader } from './host';

/** A sysfs holding `files` (path → text) under /sys/devices/system/cpu/cpu0/cache. */
function sysfs(files: Record<string, string>): SysfsReader {
  const dir = '/sys/devices/system/cpu/cpu0/cache';
  return {
    readdir(path) {
      if (path !== dir) throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
      return [...new Set(Object.keys(files).map((f) => f.split('/')[0]!))];
    },
    readFile(path) {
      const text = files[path.slice(dir.length + 1)];
      if (text === undefined) throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
      return `${text}\n`;
    },
  };
}

const cache = (index: number, level: number, type: string, size: string): Record<string, string> => ({
  [`index${index}/level`]: String(level),
  [`index${index}/type`]: type,
  [`index${index}/size`]: size,
});

describe('parseCacheSize', () => {
  it('reads the sizes sysfs writes', () => {
    expect(parseCacheSize('32768K')).toBe(32 * 2 ** 20);
    expect(parseCacheSize('32M')).toBe(32 * 2 ** 20);
    expect(parseCacheSize('1048576')).toBe(2 ** 20);
    expect(parseCacheSize(' 2g ')).toBe(2 * 2 ** 30);
  });

  it('rejects what is not a size', () => {
    for (const bad of ['', 'K', '12 KB', '-4K', '0K', 'big']) expect(parseCacheSize(bad)).toBeNull();
  });
});

describe('hostLlcBytes', () => {
  it('takes the data or unified cache of the highest level', () => {
    const fs = sysfs({
      ...cache(0, 1, 'Data', '32K'),
      ...cache(1, 1, 'Instruction', '32K'),
      ...cache(2, 2, 'Unified', '512K'),
      ...cache(3, 3, 'Unified', '16384K'),
    });
    expect(hostLlcBytes(fs)).toBe(16 * 2 ** 20);
  });

  it('skips instruction caches and entries it cannot read', () => {
    const fs = sysfs({
      ...cache(0, 1, 'Data', '48K'),
      ...cache(1, 3, 'Instruction', '64M'),
      ...cache(2, 2, 'Unified', 'lots'),
      'index3/level': '3',
    });
    expect(hostLlcBytes(fs)).toBe(48 * 2 ** 10);
  });

  it('is null where sysfs has no cache information', () => {
    expect(hostLlcBytes(sysfs({}))).toBeNull();
    const none: SysfsReader = {
      readdir: () => {
        throw new Error('ENOENT');
      },
      readFile: () => '',
    };
    expect(hostLlcBytes(none)).toBeNull();
  });
});

describe('hostAvailableBytes', () => {
  it('is capped by KERNEL_SIM_MEM_LIMIT', () => {
    // The free memory moves between calls; any host running these tests has more than 4 MiB.
    expect(hostAvailableBytes({})).toBeGreaterThan(4 * 2 ** 20);
    expect(hostAvailableBytes({ KERNEL_SIM_MEM_LIMIT: '4M' })).toBe(4 * 2 ** 20);
    expect(hostAvailableBytes({ KERNEL_SIM_MEM_LIMIT: '' })).toBeGreaterThan(4 * 2 ** 20);
  });

  it('rejects a limit that is not a size', () => {
    expect(() => hostAvailableBytes({ KERNEL_SIM_MEM_LIMIT: 'lots' })).toThrowError(/KERNEL_SIM_MEM_LIMIT/);
  });

  it('is what the Node host offers a boot', () => {
    expect(nodeHost.availableMemory?.()).toBeGreaterThan(0);
    const llc = nodeHost.llcBytes?.();
    expect(llc === null || (typeof llc === 'number' && llc > 0)).toBe(true);
  });
});
