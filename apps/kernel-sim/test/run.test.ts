import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, ensureBuilt, expectGolden, kernelSim } from './helpers';

const GOLDEN = join(APP_DIR, 'test', 'golden');
const COMPRESSED = ['--cmdline', 'sysctl.vm.mem_profiling=1,compressed'];

/** One script per patch of the series, with the boot options it needs. */
const SCRIPTS: { name: string; args: string[]; status: number }[] = [
  { name: 'patch1-mas-for-each-rev', args: [], status: 0 },
  { name: 'patch2-shutdown', args: [...COMPRESSED, '--keep-going'], status: 1 },
  { name: 'patch3-module-tags', args: [], status: 0 },
  { name: 'patch4-populate', args: [], status: 0 },
  { name: 'patch5-pgtag-ref-handle', args: [], status: 0 },
  { name: 'patch6-compression', args: [...COMPRESSED, '--keep-going'], status: 1 },
];

beforeAll(() => {
  ensureBuilt();
});

describe('kernel-sim run: golden transcripts, one script per patch', () => {
  for (const s of SCRIPTS) {
    it(s.name, () => {
      const r = kernelSim([
        'run',
        `test/scripts/${s.name}.ks`,
        '--kernel-tags',
        '64',
        '--mem',
        '256M',
        ...s.args,
      ]);
      expect(r.status).toBe(s.status);
      expectGolden(join(GOLDEN, `${s.name}.out`), r.stdout);
      expectGolden(join(GOLDEN, `${s.name}.err`), r.stderr);
    });
  }

  it('prints the same bytes twice (determinism)', () => {
    const a = kernelSim([
      'run',
      'test/scripts/patch3-module-tags.ks',
      '--kernel-tags',
      '64',
      '--mem',
      '256M',
    ]);
    const b = kernelSim([
      'run',
      'test/scripts/patch3-module-tags.ks',
      '--kernel-tags',
      '64',
      '--mem',
      '256M',
    ]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.length).toBeGreaterThan(1000);
  });
});

describe('kernel-sim run: the script language', () => {
  it('echoes commands, skips comments and blank lines, reads standard input', () => {
    const r = kernelSim(['run', '-', '--kernel-tags', '32', '--mem', '128M'], {
      input: '# a comment\n\n   sysctl vm.mem_profiling   # trailing comment\nfail_page_alloc 2\n',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      '$ sysctl vm.mem_profiling\nvm.mem_profiling = 1\n$ fail_page_alloc 2\nthe next 2 page allocations will fail\n',
    );
    expect(r.stderr).toBe('');
  });

  it('stops at the first failing command with SCRIPT:LINE: message and status 1', () => {
    const r = kernelSim(['run', '-', '--kernel-tags', '32', '--mem', '128M'], {
      input: 'lsmod\nfrobnicate now\nlsmod\n',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('$ lsmod\nModule                  Size  Used by\n$ frobnicate now\n');
    expect(r.stderr).toBe("<stdin>:2: unknown command 'frobnicate' (try 'help')\n");
  });

  it('continues with --keep-going and still exits 1', () => {
    const r = kernelSim(['run', '-', '--kernel-tags', '32', '--mem', '128M', '--keep-going'], {
      input: 'rmmod nope\nsysctl vm.mem_profiling\n',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('$ sysctl vm.mem_profiling\nvm.mem_profiling = 1\n');
    expect(r.stderr).toBe('<stdin>:1: rmmod: ERROR: Module nope is not currently loaded\n');
  });

  it('reports an unterminated quote as a syntax error of its line', () => {
    const r = kernelSim(['run', '-', '--kernel-tags', '32', '--mem', '128M'], {
      input: 'lsmod\necho "oops > /proc/x\n',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('<stdin>:2: unterminated double quote\n');
  });
});

describe('kernel-sim run: errors, each with its message and status', () => {
  const run = (input: string, extra: string[] = []) =>
    kernelSim(['run', '-', '--kernel-tags', '32', '--mem', '128M', ...extra], { input });

  it('unknown call site', () => {
    const r = run('alloc_pages no/such.c:1\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "<stdin>:1: unknown call site 'no/such.c:1' (file:line, function or module:function)\n",
    );
  });

  it('ambiguous function name', () => {
    const r = run('insmod test/fixtures/net_drv.json\nalloc_pages net_drv:net_drv_alloc_rx_buffers\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^<stdin>:2: function 'net_drv:net_drv_alloc_rx_buffers' has 2 call sites: drivers\/net\/net_drv\/main\.c:741, drivers\/net\/net_drv\/main\.c:1074/,
    );
  });

  it('unknown module (like insmod with a missing file)', () => {
    const r = run('insmod no_such_mod\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      '<stdin>:1: insmod: ERROR: could not load module no_such_mod: No such file or directory\n',
    );
  });

  it('module already loaded: insmod wording with strerror', () => {
    const r = run('insmod loop\ninsmod loop\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('<stdin>:2: insmod: ERROR: could not insert module loop: File exists\n');
  });

  it('misaligned module in compressed mode: EINVAL, profiling shut down', () => {
    const r = run('insmod zfs\ncat /proc/allocinfo\n', ['--cmdline', 'sysctl.vm.mem_profiling=1,compressed']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('<stdin>:1: insmod: ERROR: could not insert module zfs: Invalid argument\n');
  });

  it('bad size and bad order', () => {
    const a = run('vmalloc mm/vmalloc.c:3671 12Q\n');
    expect(a.status).toBe(1);
    expect(a.stderr).toBe("<stdin>:1: vmalloc: invalid size '12Q' (expected e.g. 4096, 512K, 64M, 4G)\n");
    const b = run('alloc_pages mm/filemap.c:1919 order=11\n');
    expect(b.stderr).toBe('<stdin>:1: order: 11 is out of range 0..10\n');
    const c = run('alloc_pages mm/filemap.c:1919 colour=red\n');
    expect(c.stderr).toBe("<stdin>:1: unknown option 'colour' (expected order=, count=, as=)\n");
  });

  it('malformed module descriptors name the file and the field', () => {
    const a = run('insmod test/fixtures/bad-line.json\n');
    expect(a.status).toBe(1);
    expect(a.stderr).toBe(
      "<stdin>:1: insmod: ERROR: test/fixtures/bad-line.json: field 'tags[0].line' must be >= 1\n",
    );
    const b = run('insmod test/fixtures/bad-field.json\n');
    expect(b.stderr).toBe(
      "<stdin>:1: insmod: ERROR: test/fixtures/bad-field.json: field '(top level)' unknown field 'alignment'\n",
    );
    const c = run('insmod test/fixtures/broken.json\n');
    expect(c.stderr).toMatch(
      /^<stdin>:1: insmod: ERROR: test\/fixtures\/broken\.json(:\d+)?: invalid JSON: /,
    );
    const d = run('insmod test/fixtures/missing.json\n');
    expect(d.stderr).toBe(
      '<stdin>:1: insmod: ERROR: could not load module test/fixtures/missing.json: No such file or directory\n',
    );
  });

  it('a failed command changes no state', () => {
    const r = run(
      'fail_page_alloc 1\nalloc_pages mm/filemap.c:1919 count=3 as=x\nvars\nalloc_pages mm/filemap.c:1919 count=3 as=x\nvars\n',
      ['--keep-going'],
    );
    expect(r.stderr).toBe('<stdin>:2: alloc_pages: Cannot allocate memory\n');
    const out = r.stdout.split('$ ');
    expect(out[3]).toBe('vars\n');
    expect(out[5]).toMatch(/^vars\nx: 3 blocks, 3 pages, mm\/filemap\.c:1919 func:__filemap_get_folio\n$/);
  });

  it('unknown and mistyped variables', () => {
    const r = run('free_pages nothing\n');
    expect(r.stderr).toBe("<stdin>:1: unknown variable 'nothing'\n");
  });

  it('a missing script file (status 1)', () => {
    const r = kernelSim(['run', 'no/such/script.ks']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("cannot read 'no/such/script.ks': No such file or directory\n");
  });

  it('a bad boot: unknown preset is a usage error, a malformed .config is invalid input', () => {
    const a = kernelSim(['run', '-', '--config', 'nope']);
    expect(a.status).toBe(2);
    const b = kernelSim(['run', '-', '--config-file', 'test/fixtures/malformed.config']);
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/malformed\.config:4: CONFIG_NR_CPUS: /);
  });
});
