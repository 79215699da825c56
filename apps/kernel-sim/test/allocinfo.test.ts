import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, FIXTURES, kernelSim } from './helpers';

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
      {
        name: 'include/linux/mm.h:2919 func:pagetable_alloc_noprof',
        bytes: 98304,
        calls: 24,
        level: 0,
        accurate: true,
      },
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

  it('keeps and shows sites with negative sums (%12lli), read back from u64 images too', () => {
    const input =
      'allocinfo - version: 1.0\n#     <size>  <calls> <tag info>\n' +
      '          -5        1 mm/a.c:1 func:fa \n' +
      '18446744073709547520        2 mm/b.c:2 func:fb \n' +
      '        4096        1 mm/c.c:3 func:fc \n';
    const r = kernelSim(['allocinfo', 'top', '-'], { input });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      '<stdin>: allocinfo 1.0, 3 call sites, -5 B in 4 allocations\n' +
        '       SIZE      CALLS  CALL SITE\n' +
        '   4.00 KiB          1  mm/c.c:3 func:fc\n' +
        '       -5 B          1  mm/a.c:1 func:fa\n' +
        '  -4.00 KiB          2  mm/b.c:2 func:fb\n',
    );
    const json = JSON.parse(kernelSim(['allocinfo', 'top', '-', '--json'], { input }).stdout) as {
      rows: { name: string; bytes: number }[];
    };
    expect(json.rows.map((x) => x.bytes)).toEqual([4096, -5, -4096]);
    // --min still filters when asked for.
    expect(kernelSim(['allocinfo', 'top', '-', '--min', '0'], { input }).stdout).not.toContain('mm/a.c');
  });

  it('refuses a counter beyond 2^53 instead of rounding it', () => {
    const r = kernelSim(['allocinfo', 'top', '-'], {
      input: '9007199254740993        1 mm/a.c:1 func:fa \n',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      '<stdin>:1: size: "9007199254740993" (9007199254740993 as s64) is beyond ±2^53 and cannot be held exactly\n',
    );
  });

  it('says "1 call site" and "1 allocation"', () => {
    const r = kernelSim(['allocinfo', 'top', '-'], { input: '4096 1 mm/a.c:1 func:fa\n' });
    expect(r.stdout.split('\n')[0]).toBe(
      '<stdin>: allocinfo (no header), 1 call site, 4.00 KiB in 1 allocation',
    );
  });

  it('keeps the accurate:no mark of format 2.0 in text and JSON', () => {
    const text = kernelSim(['allocinfo', 'top', V2, '-n', '0']).stdout;
    expect(text.split('\n')[0]).toMatch(/, 21 call sites \(\d+ accurate:no\), /);
    expect(text).toContain('  mm/percpu-vm.c:95 func:pcpu_alloc_pages accurate:no\n');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^accurate:no: /);
    const json = JSON.parse(kernelSim(['allocinfo', 'top', V2, '-n', '0', '--json']).stdout) as {
      inaccurate: number;
      rows: { name: string; accurate: boolean }[];
    };
    const marked = json.rows.filter((row) => !row.accurate).map((row) => row.name);
    expect(marked).toContain('mm/percpu-vm.c:95 func:pcpu_alloc_pages');
    expect(json.inaccurate).toBe(marked.length);
    const tree = kernelSim(['allocinfo', 'top', V2, '--tree', '-d', '1']).stdout;
    expect(tree).toContain('    mm/ accurate:no\n');
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

describe('kernel-sim allocinfo top --interval (live view)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-sim-live-'));
  const live = join(dir, 'allocinfo');
  /** Replace the file in one step, as the kernel regenerates /proc/allocinfo on each read. */
  const put = (from: string) => {
    writeFileSync(`${live}.tmp`, readFileSync(from));
    renameSync(`${live}.tmp`, live);
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appends a plain snapshot per read when not on a terminal, with the change since the previous one', async () => {
    put(BOOT);
    const child = spawn(process.execPath, [CLI, 'allocinfo', 'top', '--interval', '0.2', '-n', '2', live], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    const until = (re: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${re}; output:\n${out}`)),
          30_000,
        );
        const check = () => {
          if (re.test(out)) {
            clearTimeout(timer);
            child.stdout.off('data', onData);
            resolve();
          }
        };
        const onData = (d: Buffer) => {
          out += d.toString();
          check();
        };
        child.stdout.on('data', onData);
        check();
      });
    try {
      await until(/first read: changes appear from the next one\n[\s\S]*?\n\n/);
      put(LATER);
      await until(/4\.58 GiB in 1190200 allocations\n[\s\S]*?\n\n/);
    } finally {
      child.kill();
    }
    expect(out).not.toContain('\x1b');
    const frames = out.split('\n\n').filter((f) => f.trim() !== '');
    expect(frames[0]).toMatch(
      /^\d\d:\d\d:\d\d {2}.*allocinfo: allocinfo 1\.0, 21 call sites, 3\.86 GiB in 1001784 allocations\n/,
    );
    // Reads before the change show no change; the first read after it shows exactly the change.
    const changed = frames.findIndex((f) => f.includes('4.58 GiB'));
    for (const f of frames.slice(1, changed)) expect(f).toContain('since the previous read');
    expect(frames[changed]).toMatch(
      /since the previous read \(\d+\.\d s\): \+736 MiB in \+188416 allocations\n/,
    );
    expect(frames[changed]).toContain(
      '   3.77 GiB    +800 MiB     988800    +204800  mm/filemap.c:1977 func:__filemap_get_folio\n',
    );
  });

  it('--once reads twice, prints one frame and exits 0', () => {
    put(BOOT);
    const r = kernelSim(['allocinfo', 'top', '--interval', '0.1', '--once', '-n', '1', live]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^\d\d:\d\d:\d\d {2}.*, 21 call sites, 3\.86 GiB in 1001784 allocations\nsince the previous read \(\d+\.\d s\): 0 B in 0 allocations\n/,
    );
    expect(r.stdout).toContain('   2.99 GiB         0 B     784000          0  mm/filemap.c:1977');
  });

  it('rejects what cannot be watched: standard input, --once alone, --json, a zero interval', () => {
    for (const [args, message] of [
      [['--interval', '1', '-'], "option '-i, --interval <seconds>' needs a FILE to read again, not '-'"],
      [['--once', BOOT], "option '--once' needs '-i, --interval <seconds>'"],
      [
        ['--interval', '1', '--json', BOOT],
        "option '--json' cannot be used with option '-i, --interval <seconds>'",
      ],
      [['--interval', '0', BOOT], 'must be between 0.1 and 86400 seconds'],
    ] as const) {
      const r = kernelSim(['allocinfo', 'top', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toContain(message);
    }
  });
});
