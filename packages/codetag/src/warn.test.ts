import { describe, expect, it } from 'vitest';
import type { LogLevel } from './codetag';
import {
  CUT_HERE,
  formatWarning,
  KernelWarn,
  printTainted,
  type WarnEnvironment,
  type WarnSite,
} from './warn';

const site: WarnSite = {
  file: 'include/linux/alloc_tag.h',
  line: 152,
  function: 'free_unref_page',
  unit: 'mm/page_alloc.c',
  callers: ['__free_pages'],
};

function capture(): { lines: Array<[LogLevel, string]>; printk: { printk(l: LogLevel, m: string): void } } {
  const lines: Array<[LogLevel, string]> = [];
  return { lines, printk: { printk: (l, m) => lines.push([l, m]) } };
}

const env: WarnEnvironment = {
  task: () => ({ cpu: 3, pid: 42, uid: 0, comm: 'a-very-long-command-name-here' }),
  modules: () => ['loop', 'e1000e'],
  release: '6.13.0-allocprof',
  version: '#1',
};

// kernel/panic.c: __warn(), lib/dump_stack.c: dump_stack_print_info(), kernel/panic.c: print_tainted()
describe('__warn() report', () => {
  it('prints the kernel layout: banner, message, WARNING line, modules, task line, RIP, call trace, end marker', () => {
    const { lines, printk } = capture();
    new KernelWarn(printk, env).warn(site, 'alloc_tag was not set');
    expect(lines.map(([, m]) => m)).toEqual([
      CUT_HERE,
      'alloc_tag was not set',
      'WARNING: CPU: 3 PID: 42 at include/linux/alloc_tag.h:152 free_unref_page+0x0/0x0',
      'Modules linked in: loop e1000e',
      'CPU: 3 UID: 0 PID: 42 Comm: a-very-long-command- Not tainted 6.13.0-allocprof #1',
      'RIP: 0010:free_unref_page+0x0/0x0',
      'Call Trace:',
      ' <TASK>',
      ' __free_pages+0x0/0x0',
      ' </TASK>',
      '---[ end trace 0000000000000000 ]---',
    ]);
    expect(new Set(lines.map(([l]) => l))).toEqual(new Set(['warning']));
  });

  it('taints the kernel W after the first report: later ones say so', () => {
    const { lines, printk } = capture();
    const w = new KernelWarn(printk, env);
    expect(w.tainted).toBe(false);
    w.warn(site, null);
    expect(w.tainted).toBe(true);
    lines.length = 0;
    w.warn(site, null);
    const msgs = lines.map(([, m]) => m);
    expect(msgs).toContain(
      'CPU: 3 UID: 0 PID: 42 Comm: a-very-long-command- Tainted: G        W          6.13.0-allocprof #1',
    );
    expect(msgs).toContain('Tainted: [W]=WARN');
    expect(msgs[1]).toMatch(/^WARNING: /);
  });

  it('WARN_ONCE fires once per site and translation unit', () => {
    const { lines, printk } = capture();
    const w = new KernelWarn(printk);
    expect(w.warnOnce(site, 'alloc_tag was not set')).toBe(true);
    expect(w.warnOnce({ ...site, function: '__free_pages_ok' }, 'alloc_tag was not set')).toBe(false);
    expect(
      w.warnOnce({ ...site, unit: 'lib/alloc_tag.c', function: 'pgalloc_tag_swap' }, 'alloc_tag was not set'),
    ).toBe(true);
    expect(w.warnOnce({ ...site, line: 143 }, 'alloc_tag was not cleared (got tag for a.c:1)')).toBe(true);
    expect(lines.filter(([, m]) => m === CUT_HERE)).toHaveLength(3);
  });

  it('print_tainted(): 19 flag letters, G for the clear proprietary flag, W in position 9', () => {
    expect(printTainted(false)).toBe('Not tainted');
    expect(printTainted(true)).toBe('Tainted: G        W         ');
    expect(printTainted(true).length - 'Tainted: '.length).toBe(19);
  });

  it('formatWarning() leaves the banner alone for WARN_ON (no message) and lists no modules when none are loaded', () => {
    const out = formatWarning(
      site,
      null,
      { cpu: 0, pid: 1, uid: 0, comm: 'init' },
      { release: 'r', version: '#9', modules: [] },
      false,
    );
    expect(out.slice(0, 3)).toEqual([
      CUT_HERE,
      'WARNING: CPU: 0 PID: 1 at include/linux/alloc_tag.h:152 free_unref_page+0x0/0x0',
      'Modules linked in:',
    ]);
    expect(out).toContain('CPU: 0 UID: 0 PID: 1 Comm: init Not tainted r #9');
  });

  it('requires a printk sink', () => {
    expect(() => new KernelWarn(null as unknown as { printk(l: LogLevel, m: string): void })).toThrow(
      TypeError,
    );
  });
});
