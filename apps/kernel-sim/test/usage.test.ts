import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, ensureBuilt, kernelSim } from './helpers';

beforeAll(() => {
  ensureBuilt();
});

describe('usage', () => {
  it('prints help for every command with status 0', () => {
    for (const args of [
      ['--help'],
      ['help'],
      ['demo', '--help'],
      ['run', '--help'],
      ['shell', '--help'],
      ['bench', '--help'],
      ['layout', '--help'],
      ['allocinfo', '--help'],
      ['allocinfo', 'top', '--help'],
      ['allocinfo', 'diff', '--help'],
    ]) {
      const r = kernelSim(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/^Usage: kernel-sim/);
    }
  });

  it('prints the package version with --version and -V', () => {
    const { version } = JSON.parse(readFileSync(join(APP_DIR, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = kernelSim([flag]);
      expect(r.status, flag).toBe(0);
      expect(r.stdout, flag).toBe(`${version}\n`);
      expect(r.stderr, flag).toBe('');
    }
    expect(kernelSim(['--help']).stdout).toContain('-V, --version');
  });

  it('lists the machine options on the commands that boot', () => {
    for (const cmd of ['demo', 'run', 'shell', 'bench']) {
      const r = kernelSim([cmd, '--help']);
      for (const opt of [
        '--cmdline',
        '--config ',
        '--config-file',
        '--mem',
        '--cpus',
        '--kernel-tags',
        '--json',
      ])
        expect(r.stdout, `${cmd} ${opt}`).toContain(opt);
    }
  });

  it('exits 2 on an unknown command or option', () => {
    const a = kernelSim(['frobnicate']);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain("error: unknown command 'frobnicate'");
    const b = kernelSim(['run', '--frob', 'x']);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain("error: unknown option '--frob'");
  });

  it('exits 2 on a bad --mem, --cpus or missing argument', () => {
    for (const args of [
      ['demo', '--mem', '12X'],
      ['demo', '--mem', '1K'],
      ['run', '-', '--cpus', 'two'],
      ['run'],
      ['allocinfo', 'diff', 'only-one'],
    ]) {
      const r = kernelSim(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    expect(kernelSim(['demo', '--mem', '12X']).stderr).toContain("invalid size '12X'");
  });

  it('rejects --config together with --config-file', () => {
    const r = kernelSim(['run', '-', '--config', 'x86_64-sim', '--config-file', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot be used with');
  });
});
