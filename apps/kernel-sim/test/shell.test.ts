import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, kernelSim } from './helpers';

beforeAll(() => {
  ensureBuilt();
});

describe('kernel-sim shell driven through stdin', () => {
  it('runs commands, prints outputs, stops at exit', () => {
    const r = kernelSim(['shell', '--kernel-tags', '32', '--mem', '128M'], {
      input:
        'help lsmod\ninsmod test/fixtures/demo_drv.json\nlsmod\n\n# comment\nsysctl vm.mem_profiling\nexit\nlsmod\n',
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'lsmod\n  loaded modules\nModule                  Size  Used by\ndemo_drv               20480  0\nvm.mem_profiling = 1\n',
    );
  });

  it('reports errors with their input line and exits with the last status', () => {
    const r = kernelSim(['shell', '--kernel-tags', '32', '--mem', '128M'], {
      input: 'lsmod\nrmmod demo_drv\n',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('<stdin>:2: rmmod: ERROR: Module demo_drv is not currently loaded\n');
  });

  it('lists every command of the contract in help', () => {
    const r = kernelSim(['shell', '--kernel-tags', '32', '--mem', '128M'], { input: 'help\n' });
    for (const cmd of [
      'insmod',
      'rmmod',
      'lsmod',
      'alloc_pages',
      'free_pages',
      'split_page',
      'migrate',
      'vmalloc',
      'vfree',
      'cat',
      'echo',
      'sysctl',
      'dmesg',
      'fail_page_alloc',
      'layout',
      'help',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
  });

  it('keeps state between lines (variables, modules)', () => {
    const r = kernelSim(['shell', '--kernel-tags', '32', '--mem', '128M'], {
      input: 'alloc_pages mm/filemap.c:1919 order=1 count=2 as=a\nvars\nfree_pages a\nvars\n',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('a: 2 blocks, 4 pages, mm/filemap.c:1919 func:__filemap_get_folio\n');
    expect(r.stdout).toContain('a: freed 2 blocks (4 pages)\n');
  });
});
