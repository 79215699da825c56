import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, CLI, ensureBuilt, kernelSim } from './helpers';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

beforeAll(() => {
  ensureBuilt();
}, 120_000);

describe('kernel-sim bench --smoke', () => {
  it('labels its figures as a smoke run and judges no target', () => {
    const r = kernelSim(['bench', '--smoke', '--mem', '64M', '--rounds', '2']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Page allocation overhead of memory allocation profiling');
    expect(lines[1]).toMatch(/^SMOKE RUN: .*Every figure below is noise, including any negative overhead\.$/);
    expect(r.stdout).toContain('order0: never/off < compressed ≤ page_ext: not judged (smoke run)');
    // Any overhead below the baseline carries the noise mark.
    for (const m of r.stdout.matchAll(/−\d+\.\d %(\*)?/g)) expect(m[1]).toBe('*');
    expect(r.stdout).toMatch(/^cold: free_page\(\) \+ alloc_page\(\) of random pages/m);
  }, 120_000);

  it('gives each mode and variant its memory-traffic counts in --json', () => {
    const r = kernelSim(['bench', '--smoke', '--mem', '64M', '--rounds', '1', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as {
      smoke: boolean;
      variants: {
        variant: string;
        modes: {
          mode: string;
          overheadPercent: number | null;
          memory: { linesPerOp: number; missesPerOp: number };
        }[];
      }[];
    };
    expect(j.smoke).toBe(true);
    expect(j.variants.map((v) => v.variant)).toEqual(['order0', 'mixed', 'cold']);
    for (const v of j.variants)
      for (const m of v.modes) {
        expect(typeof m.overheadPercent).toBe('number');
        expect(m.memory.linesPerOp).toBeGreaterThan(0);
        expect(m.memory.missesPerOp).toBeGreaterThanOrEqual(0);
      }
  }, 120_000);
});

describe.skipIf(!hasScript)('a long boot on a terminal', () => {
  it('shows the progress of the struct page initialisation, then erases it', () => {
    // KERNEL_SIM_PROGRESS_DELAY_MS=0: from the start, so the test does not depend on how fast the host is.
    const r = spawnSync(
      'script',
      ['-qfec', `${process.execPath} ${CLI} run - --mem 2G < /dev/null`, '/dev/null'],
      {
        cwd: APP_DIR,
        env: { ...process.env, NO_COLOR: '1', KERNEL_SIM_HISTFILE: '', KERNEL_SIM_PROGRESS_DELAY_MS: '0' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/booting 2G: struct pages \d+%/);
    expect(r.stdout).toContain('booting 2G: struct pages 100%');
    expect(r.stdout).toContain('\r\x1b[K');
  }, 120_000);
});
