import { describe, expect, it } from 'vitest';
import { setupEarlyMemProfiling } from './boot_param';
import { type AllocTagKconfig, MemProfilingState } from './state';
import { MemProfilingSysctl, parseSysctlBool } from './sysctl';
import { AllocTagError } from './types';

function boot(value?: string, kconfig: AllocTagKconfig = {}) {
  const lines: string[] = [];
  const s = new MemProfilingState(kconfig, { printk: (_l, m) => lines.push(m) }, null, null);
  if (value !== undefined) setupEarlyMemProfiling(s, value);
  lines.length = 0;
  const sysctl = new MemProfilingSysctl(s);
  sysctl.register();
  return { s, sysctl, lines };
}

function errno(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AllocTagError);
    return (e as AllocTagError).code;
  }
  return 'ok';
}

describe('parseSysctlBool (proc_dointvec_minmax, 0..1)', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['1\n', 1],
    ['  0\t\n', 0],
    ['0x1', 1],
    ['01', 1],
    ['00', 0],
    ['-0', 0],
  ])('%j → %s', (t, v) => expect(parseSysctlBool(t)).toBe(v));

  it.each([
    '',
    ' ',
    '2',
    '-1',
    '1,compressed',
    'on',
    'y',
    '1x',
    '1 1',
    '08',
    '0x',
    '+1',
    '1'.padStart(30, '0'),
  ])('%j is EINVAL', (t) => expect(parseSysctlBool(t)).toBeUndefined());
});

describe('/proc/sys/vm/mem_profiling (kernel/sysctl.c: proc_do_static_key())', () => {
  it('mode 0644 when supported, read gives the key', () => {
    const { sysctl, s } = boot('1');
    expect(sysctl.mode).toBe(0o644);
    expect(sysctl.read()).toBe('1\n');
    sysctl.write('0\n');
    expect(s.key).toBe(false);
    expect(sysctl.read()).toBe('0\n');
    sysctl.write('0');
    expect(s.key).toBe(false);
    sysctl.write(' 1 ');
    expect(s.key).toBe(true);
  });

  it('mode 0444 with DEBUG (EACCES even for root)', () => {
    const { sysctl, s } = boot(undefined, { CONFIG_MEM_ALLOC_PROFILING_DEBUG: true });
    expect(sysctl.mode).toBe(0o444);
    expect(errno(() => sysctl.write('0'))).toBe('EACCES');
    expect(s.key).toBe(true);
  });

  it('mode 0444 when unsupported at registration (never, ENABLED_BY_DEFAULT=n)', () => {
    expect(boot('never').sysctl.mode).toBe(0o444);
    expect(boot(undefined, { CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: false }).sysctl.mode).toBe(0o444);
    const { sysctl, s } = boot('never');
    expect(errno(() => sysctl.write('1'))).toBe('EACCES');
    expect(s.key).toBe(false);
    expect(sysctl.read()).toBe('0\n');
  });

  it('non-root gets EACCES, root without CAP_SYS_ADMIN gets EPERM, bad values EINVAL; nothing changes', () => {
    const { sysctl, s } = boot('1,compressed');
    expect(errno(() => sysctl.write('0', { euid: 1000, capSysAdmin: true }))).toBe('EACCES');
    expect(errno(() => sysctl.write('0', { euid: 0, capSysAdmin: false }))).toBe('EPERM');
    expect(errno(() => sysctl.write('1,compressed'))).toBe('EINVAL');
    expect(errno(() => sysctl.write('2'))).toBe('EINVAL');
    expect([s.key, s.support, s.compressed]).toEqual([true, true, true]);
  });

  it('writes never change support or the compressed key', () => {
    const { sysctl, s } = boot('0,compressed');
    sysctl.write('1');
    expect([s.key, s.support, s.compressed]).toEqual([true, true, true]);
  });

  it('quirk: a shutdown after registration leaves the file writable, the key can come back on', () => {
    const { sysctl, s } = boot('1');
    s.shutdownMemProfiling(true);
    expect(sysctl.mode).toBe(0o644);
    sysctl.write('1');
    expect([s.key, s.support]).toEqual([true, false]);
  });

  it('unregistered (alloc_tag_init failed or not yet run): ENOENT', () => {
    const s = new MemProfilingState({}, { printk: () => {} }, null, null);
    const sysctl = new MemProfilingSysctl(s);
    expect(errno(() => sysctl.read())).toBe('ENOENT');
    expect(errno(() => sysctl.write('1'))).toBe('ENOENT');
  });
});

describe('late duplicate write of the boot value (fs/proc/proc_sysctl.c: process_sysctl_arg())', () => {
  it.each([
    ['0', undefined, null, []],
    ['1', undefined, null, []],
    [
      'never',
      undefined,
      'EACCES',
      ["Failed to set sysctl parameter 'vm.mem_profiling=never': permission denied (read-only?)"],
    ],
    [
      '1',
      { CONFIG_MEM_ALLOC_PROFILING_DEBUG: true },
      'EACCES',
      ["Failed to set sysctl parameter 'vm.mem_profiling=1': permission denied (read-only?)"],
    ],
    [
      '1,compressed',
      undefined,
      'EINVAL',
      ["Failed to set sysctl parameter 'vm.mem_profiling=1,compressed': invalid value"],
    ],
    [
      '0,compressed',
      undefined,
      'EINVAL',
      ["Failed to set sysctl parameter 'vm.mem_profiling=0,compressed': invalid value"],
    ],
  ] as const)('%j', (value, kconfig, code, messages) => {
    const { s, sysctl, lines } = boot(value, kconfig ?? {});
    const before = [s.key, s.support, s.compressed];
    expect(sysctl.processSysctlArg(value)).toBe(code);
    expect(lines).toEqual(messages);
    expect([s.key, s.support, s.compressed]).toEqual(before);
  });

  it('support already false (ENABLED_BY_DEFAULT=n, malformed value): permission denied', () => {
    const { sysctl, lines } = boot('2', { CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: false });
    expect(sysctl.processSysctlArg('2')).toBe('EACCES');
    expect(lines).toEqual([
      "Failed to set sysctl parameter 'vm.mem_profiling=2': permission denied (read-only?)",
    ]);
  });

  it('a malformed value on a writable sysctl is an invalid value', () => {
    const { sysctl, lines } = boot('maybe');
    expect(sysctl.processSysctlArg('maybe')).toBe('EINVAL');
    expect(lines).toEqual(["Failed to set sysctl parameter 'vm.mem_profiling=maybe': invalid value"]);
  });

  it('no value: parse_args reports it', () => {
    const { sysctl, lines } = boot();
    expect(sysctl.processSysctlArg(null)).toBe('EINVAL');
    expect(lines).toEqual(["Setting sysctl args: `' invalid for parameter `sysctl.vm.mem_profiling'"]);
  });

  it('sysctl missing: parameter not found', () => {
    const lines: string[] = [];
    const s = new MemProfilingState({}, { printk: (_l, m) => lines.push(m) }, null, null);
    new MemProfilingSysctl(s).processSysctlArg('1');
    expect(lines).toEqual(["Failed to set sysctl parameter 'vm.mem_profiling=1': parameter not found"]);
  });
});
