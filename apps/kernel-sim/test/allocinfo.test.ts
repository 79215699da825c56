import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, FIXTURES, kernelSim } from './helpers';

const BOOT = join(FIXTURES, 'allocinfo-6.12-boot.txt');
const LATER = join(FIXTURES, 'allocinfo-6.12-later.txt');
const V2 = join(FIXTURES, 'allocinfo-6.16.txt');

beforeAll(() => {
  ensureBuilt();
});

describe('kernel-sim allocinfo top', () => {
  it('lists the biggest call sites of a 1.0 file, biggest first', () => {
    const r = kernelSim(['allocinfo', 'top', BOOT, '-n', '3']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/allocinfo 1\.0, 21 call sites, 3\.86 GiB in 1001784 allocations$/);
    expect(lines.slice(1, 5)).toEqual([
      '       SIZE      CALLS  CALL SITE',
      '   2.99 GiB     784000  mm/filemap.c:1977 func:__filemap_get_folio',
      '    384 MiB      98304  mm/memory.c:1046 func:folio_prealloc',
      '    179 MiB      45824  mm/readahead.c:263 func:page_cache_ra_unbounded',
    ]);
  });

  it('sums tags with the same text (a header inline expanded twice)', () => {
    const r = kernelSim(['allocinfo', 'top', BOOT, '--json', '-n', '0']);
    const report = JSON.parse(r.stdout) as { rows: { name: string; bytes: number; calls: number }[] };
    const inline = report.rows.filter((row) => row.name.startsWith('include/linux/mm.h'));
    expect(inline).toEqual([
      { name: 'include/linux/mm.h:2919 func:pagetable_alloc_noprof', bytes: 98304, calls: 24, level: 0 },
    ]);
  });

  it('sorts by calls and filters with --min', () => {
    const r = kernelSim(['allocinfo', 'top', BOOT, '--sort', 'calls', '--min', '40M', '--json']);
    const report = JSON.parse(r.stdout) as { rows: { name: string; calls: number; bytes: number }[] };
    expect(report.rows.map((row) => row.calls)).toEqual([784000, 98304, 45824, 24064, 16384, 14336, 1280]);
    expect(report.rows.every((row) => row.bytes >= 40 * 2 ** 20)).toBe(true);
  });

  it('aggregates by path prefix with --tree', () => {
    const r = kernelSim(['allocinfo', 'top', BOOT, '--tree', '--depth', '1', '-n', '4']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(1, 6)).toEqual([
      '       SIZE      CALLS  PATH',
      '   3.86 GiB    1001784  (all)',
      '   3.78 GiB     990080    mm/',
      '   42.0 MiB       1792    fs/',
      '   16.0 MiB       4096    arch/',
    ]);
  });

  it('reads format 2.0 with accurate:no', () => {
    const r = kernelSim(['allocinfo', 'top', V2, '--json', '-n', '0']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { version: string; sites: number };
    expect(report.version).toBe('2.0');
    expect(report.sites).toBe(21);
  });

  it('reads standard input', () => {
    const r = kernelSim(['allocinfo', 'top', '-', '-n', '1'], {
      input:
        'allocinfo - version: 1.0\n#     <size>  <calls> <tag info>\n        4096        1 mm/a.c:1 func:f \n',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('4.00 KiB          1  mm/a.c:1 func:f');
  });
});

describe('kernel-sim allocinfo diff', () => {
  it('reports what grew, shrank, appeared and vanished', () => {
    const r = kernelSim(['allocinfo', 'diff', BOOT, LATER]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      'grew (1):\n    +800 MiB   +204800  mm/filemap.c:1977 func:__filemap_get_folio',
    );
    expect(r.stdout).toContain(
      'shrank (1):\n   -96.0 MiB    -24576  mm/readahead.c:263 func:page_cache_ra_unbounded',
    );
    expect(r.stdout).toContain(
      'appeared (1):\n   +32.0 MiB     +8192  drivers/md/dm-bufio.c:1201 [dm_bufio] func:alloc_buffer_data',
    );
    expect(r.stdout).toContain(
      'vanished (1):\n         0 B         0  sound/core/memalloc.c:589 [snd_pcm] func:snd_dma_sg_alloc',
    );
  });

  it('emits JSON with raw byte counts', () => {
    const r = kernelSim(['allocinfo', 'diff', BOOT, LATER, '--json']);
    const report = JSON.parse(r.stdout) as { deltaBytes: number; grew: { deltaBytes: number }[] };
    expect(report.deltaBytes).toBe(838860800 - 100663296 + 33554432);
    expect(report.grew[0]!.deltaBytes).toBe(838860800);
  });
});

describe('allocinfo errors', () => {
  it('names file and line of a malformed line (status 1)', () => {
    const r = kernelSim(['allocinfo', 'top', join(FIXTURES, 'malformed-allocinfo.txt')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/malformed-allocinfo\.txt:3: /);
  });

  it('rejects an unknown format version (status 1)', () => {
    const r = kernelSim(['allocinfo', 'top', join(FIXTURES, 'allocinfo-3.0.txt')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/allocinfo-3\.0\.txt:1: unsupported allocinfo version 3\.0/);
  });

  it('reports a missing file (status 1)', () => {
    const r = kernelSim(['allocinfo', 'diff', BOOT, 'no-such-file']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("cannot read 'no-such-file': No such file or directory\n");
  });

  it('treats a bad --min as a usage error (status 2)', () => {
    const r = kernelSim(['allocinfo', 'top', BOOT, '--min', '12Q']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("invalid size '12Q'");
  });
});
