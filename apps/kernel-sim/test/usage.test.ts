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
    const { version } = JSON.parse(readFileSync(join(APP_DIR, 'package.json'), 'utf8')) as {
      version: string;
    };
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

describe('--cmdline and vm.mem_profiling (demo and bench boot every mode themselves)', () => {
  it('refuses the same input with the same message and status in demo and bench, before any output', () => {
    const line = 'sysctl.vm.mem_profiling=1,compressed';
    const demo = kernelSim(['demo', '--cmdline', line]);
    const bench = kernelSim(['bench', '--smoke', '--cmdline', line]);
    for (const [cmd, r] of [
      ['demo', demo],
      ['bench', bench],
    ] as const) {
      expect(r.status, cmd).toBe(2);
      expect(r.stdout, cmd).toBe('');
      expect(r.stderr, cmd).toBe(
        `error: option '--cmdline <str>' argument '${line}' is invalid. kernel-sim ${cmd} boots each mode ` +
          'with its own sysctl.vm.mem_profiling; to choose one, use kernel-sim run or kernel-sim shell\n' +
          `(run 'kernel-sim ${cmd} --help' for usage)\n`,
      );
    }
  });

  it('recognises the parameter as the kernel does: - for _, the sysctl path with / or .', () => {
    for (const line of [
      'quiet sysctl.vm.mem-profiling=0',
      'sysctl/vm/mem_profiling=1',
      '"sysctl.vm.mem_profiling=1"',
    ])
      expect(kernelSim(['demo', '--cmdline', line]).status, line).toBe(2);
  });

  it('gives each command a --cmdline example that works', () => {
    const runs: Record<string, string[]> = {
      demo: ['--no-timings', '--mem', '64M'],
      bench: ['--smoke', '--mem', '64M'],
      run: ['-', '--mem', '64M'],
      shell: ['--mem', '64M'],
    };
    for (const [cmd, extra] of Object.entries(runs)) {
      const help = kernelSim([cmd, '--help']).stdout.replace(/\s+/g, ' ');
      const example = /--cmdline <str> kernel command line, e\.g\. "([^"]+)"/.exec(help)?.[1];
      expect(example, cmd).toBeDefined();
      const r = kernelSim([cmd, '--cmdline', example!, ...extra], { input: 'sysctl vm.mem_profiling\n' });
      expect(r.status, `${cmd} --cmdline ${example}: ${r.stderr}`).toBe(0);
      if (cmd === 'run' || cmd === 'shell') expect(r.stdout, cmd).toContain('vm.mem_profiling = 1');
    }
  });
});

describe('options are checked before any output', () => {
  it('rejects a bad preset, config file or option combination of every booting command with no output', () => {
    for (const cmd of [['demo'], ['run', '-'], ['shell'], ['bench', '--smoke']]) {
      for (const [args, status, message] of [
        [['--config', 'nosuch'], 2, "error: unknown config preset 'nosuch'"],
        [['--config-file', 'test/fixtures/nosuch.config'], 1, "cannot read 'test/fixtures/nosuch.config'"],
        [['--config-file', 'test/fixtures/malformed.config'], 1, 'test/fixtures/malformed.config:'],
        [['--arch', 'arm64'], 2, "error: option '--arch <arch>' needs '--config-file <file>'"],
        [['--kernel-tags', '65537'], 2, 'must be between 0 and 65536'],
      ] as const) {
        const what = [...cmd, ...args].join(' ');
        const r = kernelSim([...cmd, ...args], { input: 'lsmod\n' });
        expect(r.status, what).toBe(status);
        expect(r.stdout, what).toBe('');
        expect(r.stderr, what).toContain(message);
      }
    }
  });

  it('rejects --arch without --config-file in layout and --depth without --tree in allocinfo top', () => {
    const layout = kernelSim(['layout', '--config', 'x86_64-sim', '--arch', 'arm64']);
    expect(layout.status).toBe(2);
    expect(layout.stdout).toBe('');
    expect(layout.stderr).toBe(
      "error: option '--arch <arch>' needs '--config-file <file>' (a preset names its own architecture)\n" +
        "(run 'kernel-sim layout --help' for usage)\n",
    );
    const top = kernelSim(['allocinfo', 'top', 'test/fixtures/allocinfo-6.12-boot.txt', '--depth', '3']);
    expect(top.status).toBe(2);
    expect(top.stdout).toBe('');
    expect(top.stderr).toBe(
      "error: option '-d, --depth <n>' needs '-t, --tree'\n(run 'kernel-sim allocinfo top --help' for usage)\n",
    );
    expect(
      kernelSim(['allocinfo', 'top', 'test/fixtures/allocinfo-6.12-boot.txt', '-t', '-d', '1']).status,
    ).toBe(0);
  });
});

describe('help and usage errors', () => {
  it('points a usage error at the help of the command it happened in', () => {
    for (const [args, help] of [
      [['frobnicate'], 'kernel-sim --help'],
      [['run', '--frob', 'x'], 'kernel-sim run --help'],
      [['demo', '--mem', '12X'], 'kernel-sim demo --help'],
      [['allocinfo', 'diff', 'only-one'], 'kernel-sim allocinfo diff --help'],
      [['allocinfo', 'top', 'x', '--sort', 'size'], 'kernel-sim allocinfo top --help'],
      [['layout', '--format', 'png'], 'kernel-sim layout --help'],
    ] as const) {
      const r = kernelSim(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`\\n\\(run '${help}' for usage\\)\\n$`));
    }
  });

  it('shows the --mem default as a size', () => {
    for (const cmd of ['demo', 'run', 'shell', 'bench'])
      expect(kernelSim([cmd, '--help']).stdout.replace(/\s+/g, ' '), cmd).toContain(
        '--mem <size> RAM, e.g. 512M, 4G, 64G (default: 1G)',
      );
  });
});
