import { MemoryFiles } from '@allocprof/kernel-sim';
import { describe, expect, it } from 'vitest';
import { bootMachine } from './boot';

const BASE = { cmdline: '', preset: 'x86_64-sim', configText: '', mem: '256M' };

describe('booting from the Boot panel', () => {
  it('boots the preset with the boot line and shows what the kernel said about it', () => {
    const r = bootMachine(
      { ...BASE, cmdline: 'sysctl.vm.mem_profiling=1,compressed foo=bar' },
      new MemoryFiles(),
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.machine.profiling().compressed).toBe(true);
    expect(r.highlights).toContain(
      'Unknown kernel command line parameters "foo=bar", will be passed to user space.',
    );
    expect(r.session.execute(['sysctl', 'vm.mem_profiling'])).toBe('vm.mem_profiling = 1');
  });

  it('reports a malformed boot parameter the way the kernel logs it', () => {
    const r = bootMachine({ ...BASE, cmdline: 'sysctl.vm.mem_profiling=bogus' }, new MemoryFiles());
    expect(r.ok && r.highlights).toContain("Malformed early option 'sysctl.vm.mem_profiling'");
  });

  it('reads a pasted .config like --config-file, with the same message for a bad one', () => {
    const files = new MemoryFiles();
    const bad = bootMachine({ ...BASE, configText: 'CONFIG_X86_64=y\nthis is not kconfig\n' }, files);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/^\.config:2: /);
    expect(files.readText('.config')).toContain('this is not kconfig');
  });

  it('refuses a RAM size the kernel cannot boot with, like --mem', () => {
    const r = bootMachine({ ...BASE, mem: '1M' }, new MemoryFiles());
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^--mem: /);
  });
});
