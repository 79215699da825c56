import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, ensureBuilt, expectGolden, kernelSim } from './helpers';

const GOLDEN = join(APP_DIR, 'test', 'golden', 'demo.out');

beforeAll(() => {
  ensureBuilt();
});

describe('kernel-sim demo', () => {
  it('matches the golden transcript (timings hidden) and prints the same bytes twice', () => {
    const a = kernelSim(['demo', '--no-timings', '--mem', '256M']);
    expect(a.status).toBe(0);
    expect(a.stderr).toBe('');
    expectGolden(GOLDEN, a.stdout);
    const b = kernelSim(['--mem', '256M'], { env: { KERNEL_SIM_NO_TIMINGS: '1' } });
    expect(b.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('shows the six parts of the contract', () => {
    const out = readFileSync(GOLDEN, 'utf8');
    for (let i = 1; i <= 6; i++) expect(out).toContain(`== ${i}/6  `);
    expect(out).toContain('Memory allocation profiling is enabled without compression and is turned on!');
    // lib/alloc_tag.c: alloc_tag_sec_init() reports the bits with pr_debug(), off in this build.
    expect(out).not.toContain('compression is using 13 page flag bits!');
    expect(out).toContain(
      'lib/alloc_tag.c:279 [alloc_tag]alloc_tag_sec_init =_ "Memory allocation profiling compression is using %d page flag bits!\\n"',
    );
    expect(out).toMatch(/allocated at module unload/);
    expect(out).toContain(
      '4096 allocation tags cannot be references using 1 available page flag bits. Memory allocation profiling is disabled!',
    );
    expect(out).toContain('cat: /proc/allocinfo: No such file or directory');
  });

  it('prints timings when asked (their values are not compared)', () => {
    const r = kernelSim(['demo', '--mem', '128M']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}page_ext +\d+\.\d +[+-]\d+\.\d%/m);
    expect(r.stdout).not.toContain('timings hidden');
  });

  it('never colours piped output, even with FORCE_COLOR', () => {
    const r = kernelSim(['demo', '--no-timings', '--mem', '128M'], {
      env: { NO_COLOR: '', FORCE_COLOR: '1' },
    });
    expect(r.stdout).not.toContain('\x1b[');
  });
});
