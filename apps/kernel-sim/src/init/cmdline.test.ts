import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel/errno';
import { Dmesg } from '../kernel/printk';
import { formatSize, memparse, parseArgs } from '../lib/cmdline';
import { BootCommandLine } from './cmdline';

describe('command line', () => {
  it('splits words, honours quotes and keeps values', () => {
    expect(parseArgs(' a=1  b "c=d e" f="g h"')).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: null },
      { name: 'c', value: 'd e' },
      { name: 'f', value: 'g h' },
    ]);
  });

  it('runs early params in order and reports malformed ones', () => {
    const seen: Array<string | null> = [];
    const d = new Dmesg();
    const c = new BootCommandLine('x=1 early_thing=2 early-thing bogus.param=3 x');
    const setup = (v: string | null): number => {
      seen.push(v);
      return v === null ? -22 : 0;
    };
    c.parseEarlyParams([{ name: 'early_thing', setup }], d);
    expect(seen).toEqual(['2', null]);
    expect(d.messages()).toEqual(["Malformed early option 'early-thing'"]);
    expect(c.get('x')).toBeNull();
    expect(c.has('early-thing')).toBe(true);
  });

  it('keeps unknown params for init and drops dotted ones silently', () => {
    const d = new Dmesg();
    const c = new BootCommandLine('root=/dev/sda foo=bar sysctl.vm.mem_profiling=1 baz mod.opt=2');
    expect(c.unknownParams(['root']).map((p) => p.name)).toEqual(['foo', 'baz']);
    c.printUnknown(['root'], d);
    expect(d.messages()).toEqual([
      'Unknown kernel command line parameters "foo=bar baz", will be passed to user space.',
    ]);
    expect(c.sysctlArgs()).toEqual([{ key: 'vm.mem_profiling', value: '1' }]);
  });

  it('parses memory sizes like memparse() and rejects junk', () => {
    expect(memparse('512M')).toBe(512 * 2 ** 20);
    expect(memparse('4g')).toBe(4 * 2 ** 30);
    expect(memparse('0x1000')).toBe(4096);
    expect(memparse('64G')).toBe(64 * 2 ** 30);
    expect(() => memparse('4 GB')).toThrowError(KernelError);
    expect(() => memparse('')).toThrowError(/invalid size ''/);
    expect(() => memparse('99999999999E')).toThrowError(expect.objectContaining({ code: 'ERANGE' }));
    expect(formatSize(64 * 2 ** 30)).toBe('64G');
    expect(formatSize(1536 * 1024)).toBe('1536K');
  });
});
