import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../init/main';
import { KernelError } from '../kernel/errno';
import { Dmesg } from '../kernel/printk';
import { type DdebugSite, DynamicDebug, matchWildcard } from './dynamic_debug';

const site = (
  filename: string,
  fn: string,
  lineno: number,
  format: string,
  modname?: string,
): DdebugSite => ({
  modname: modname ?? filename.slice(filename.lastIndexOf('/') + 1).replace(/\.c$/, ''),
  function: fn,
  filename,
  lineno,
  format,
});
const SEC = site(
  'lib/alloc_tag.c',
  'alloc_tag_sec_init',
  279,
  'Memory allocation profiling compression is using %d page flag bits!\n',
);
const ARGS = site('init/main.c', 'run_init_process', 1381, '  with arguments:\n', 'main');
const ENV = site('init/main.c', 'run_init_process', 1384, '  with environment:\n', 'main');

function table(): { dd: DynamicDebug; log: Dmesg } {
  const log = new Dmesg();
  const dd = new DynamicDebug(log, () => 42);
  dd.addSites([SEC], false);
  dd.addSites([ARGS, ENV], true);
  return { dd, log };
}
const printed = (dd: DynamicDebug, log: Dmesg, s: DdebugSite): boolean => {
  const before = log.seq;
  dd.prDebug(s, 'x');
  return log.seq > before;
};

// lib/dynamic_debug.c (6.13): ddebug_exec_queries() and friends.
describe('dynamic debug queries', () => {
  it('sites start with the flags of their build: p where the file defines DEBUG', () => {
    const { dd, log } = table();
    expect(printed(dd, log, SEC)).toBe(false);
    expect(printed(dd, log, ARGS)).toBe(true);
    expect(log.entries().map((r) => r.level)).toEqual(['debug']);
    expect(dd.control()).toBe(
      [
        '# filename:lineno [module]function flags format',
        'lib/alloc_tag.c:279 [alloc_tag]alloc_tag_sec_init =_ "Memory allocation profiling compression is using %d page flag bits!\\n"',
        'init/main.c:1381 [main]run_init_process =p "  with arguments:\\n"',
        'init/main.c:1384 [main]run_init_process =p "  with environment:\\n"',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['file lib/alloc_tag.c +p', [true, true, true]],
    ['file alloc_tag.c +p', [true, true, true]],
    ['file lib/*.c +p', [true, true, true]],
    ['file init/main.c -p', [false, false, false]],
    ['func run_init_process -p', [false, false, false]],
    ['module main -p', [false, false, false]],
    ['module alloc_* +p', [true, true, true]],
    ['format "with env" -p', [false, true, false]],
    ['format ^with -p', [false, true, true]],
    ['format ^\\040\\040with\\040a -p', [false, false, true]],
    ['line 1381 -p', [false, false, true]],
    ['file main.c line 1382- -p', [false, true, false]],
    ['file init/main.c:1384 -p', [false, true, false]],
    ['file main.c:run_* -p', [false, false, false]],
    ['=p', [true, true, true]],
    ['-p', [false, false, false]],
    ['class FOO -p', [false, true, true]],
    ['file init/main.c =_', [false, false, false]],
  ])('%s', (query, [sec, args, env]) => {
    const { dd, log } = table();
    expect(dd.execQueries(query, null)).toBeGreaterThanOrEqual(0);
    expect([printed(dd, log, SEC), printed(dd, log, ARGS), printed(dd, log, ENV)]).toEqual([sec, args, env]);
    expect(log.entries('err')).toEqual([]);
  });

  it('returns the number of matching sites; `;`, `%` and newlines separate queries; `#` comments', () => {
    const { dd } = table();
    expect(dd.execQueries('file init/main.c +p', null)).toBe(2);
    expect(dd.execQueries('file nothing.c +p', null)).toBe(0);
    expect(
      dd.execQueries('file lib/alloc_tag.c +p; func run_init_process -p%#module x +p\nline 1384 +p', null),
    ).toBe(4);
    expect(dd.control()).toContain('init/main.c:1381 [main]run_init_process =_ ');
    expect(dd.control()).toContain('init/main.c:1384 [main]run_init_process =p ');
  });

  it('a module-scoped query (`<module>.dyndbg=`) only touches that module', () => {
    const { dd, log } = table();
    dd.execQueries('+p', 'alloc_tag');
    dd.execQueries('-p', 'nomatch');
    expect([printed(dd, log, SEC), printed(dd, log, ARGS)]).toEqual([true, true]);
  });

  it('prefix flags: [tid] module:function:file:line: before the message', () => {
    const { dd, log } = table();
    dd.execQueries('file init/main.c +mflt', null);
    dd.prDebug(ARGS, '  with arguments:');
    dd.execQueries('file init/main.c =ps', null);
    dd.prDebug(ARGS, '  with arguments:');
    dd.execQueries('file init/main.c =pt', null);
    dd.prDebug(ARGS, '  with arguments:');
    expect(log.messages()).toEqual([
      '[42] main:run_init_process:1381:   with arguments:',
      'init/main.c:   with arguments:',
      '[42]   with arguments:',
    ]);
    expect(dd.control()).toContain('init/main.c:1384 [main]run_init_process =pt ');
  });

  it.each([
    ['file', ['dyndbg: bad flag-op f, at start of file', 'dyndbg: flags parse failed']],
    ['file a.c +q', ["dyndbg: unknown flag 'q'", 'dyndbg: flags parse failed']],
    ['file a.c func +p', ['dyndbg: expecting pairs of match-spec <value>', 'dyndbg: query parse failed']],
    ['bogus x +p', ['dyndbg: unknown keyword "bogus"', 'dyndbg: query parse failed']],
    [
      'file a.c file b.c +p',
      ['dyndbg: match-spec:file val:a.c overridden by b.c', 'dyndbg: query parse failed'],
    ],
    ['line x +p', ['dyndbg: bad line-number: x', 'dyndbg: query parse failed']],
    ['line 5-3 +p', ['dyndbg: last-line:3 < 1st-line:5', 'dyndbg: query parse failed']],
    ['line 1 line 2 +p', ['dyndbg: match-spec: line used 2x', 'dyndbg: query parse failed']],
    ['format "open +p', ['dyndbg: unclosed quote: open +p']],
    ['a b c d e f g h i j +p', ['dyndbg: too many words, legal max <=9']],
  ])('bad query %j is reported as the kernel does and changes nothing', (query, errors) => {
    const { dd, log } = table();
    const control = dd.control();
    expect(dd.execQueries(query, null)).toBe(-22);
    expect(log.entries().map((r) => `${r.level === 'err' ? '' : `${r.level}:`}${r.text}`)).toEqual(errors);
    expect(dd.control()).toBe(control);
  });

  it('a failing query does not stop the others', () => {
    const { dd, log } = table();
    expect(dd.execQueries('bogus x +p; file alloc_tag.c +p', null)).toBe(-22);
    expect(printed(dd, log, SEC)).toBe(true);
  });

  it('control writes: queries apply, a bad one is EINVAL, an empty one nothing', () => {
    const { dd, log } = table();
    dd.writeControl('file alloc_tag.c +p');
    expect(printed(dd, log, SEC)).toBe(true);
    expect(() => dd.writeControl('nonsense')).toThrowError(expect.objectContaining({ code: 'EINVAL' }));
    dd.writeControl('');
    expect(() => dd.writeControl(`file ${'x'.repeat(5000)} +p`)).toThrowError(KernelError);
  });

  it('match_wildcard() agrees with a regular-expression model', () => {
    const alpha = fc.constantFrom('a', 'b', '.', '/');
    const pat = fc.array(fc.oneof(alpha, fc.constantFrom('*', '?')), { maxLength: 8 }).map((a) => a.join(''));
    const str = fc.array(alpha, { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(pat, str, (p, s) => {
        const re = new RegExp(
          `^${p.replace(/[./]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
          's',
        );
        expect(matchWildcard(p, s)).toBe(re.test(s));
      }),
      { numRuns: 500 },
    );
  });
});

// init/main.c start_kernel()/kernel_init() with lib/dynamic_debug.c's early initcall in between.
describe('pr_debug() at boot', () => {
  const boot = (cmdline: string, extra: Parameters<typeof Kernel.boot>[0] = {}) =>
    Kernel.boot({
      mem: '128M',
      cpus: 2,
      cmdline: `sysctl.vm.mem_profiling=1,compressed ${cmdline}`,
      ...extra,
    });
  const SEC_LINE = 'Memory allocation profiling compression is using 13 page flag bits!';

  it('alloc_tag_sec_init()s pr_debug is not in the log; init/main.c (DEBUG) prints its own', () => {
    const k = boot('');
    expect(k.dmesg.messages()).not.toContain(SEC_LINE);
    expect(
      k.dmesg
        .entries()
        .filter((r) => r.text === '  with arguments:')
        .map((r) => r.level),
    ).toEqual(['debug']);
    expect(k.readFile('/proc/dynamic_debug/control')).toContain(
      'lib/alloc_tag.c:279 [alloc_tag]alloc_tag_sec_init =_ "Memory allocation profiling compression is using %d page flag bits!\\n"',
    );
  });

  it('a build with DEBUG for lib/alloc_tag.c prints it at KERN_DEBUG', () => {
    const k = boot('', { debugSources: ['lib/alloc_tag.c'] });
    expect(
      k.dmesg
        .entries()
        .filter((r) => r.text === SEC_LINE)
        .map((r) => r.level),
    ).toEqual(['debug']);
    expect(() => boot('', { debugSources: [3 as unknown as string] })).toThrowError(KernelError);
  });

  it('dyndbg="file lib/alloc_tag.c +p" enables the site, but only from the early initcall on: mm_core_init() ran before', () => {
    const k = boot('dyndbg="file lib/alloc_tag.c +p"');
    expect(k.dmesg.messages()).not.toContain(SEC_LINE);
    expect(k.readFile('/proc/dynamic_debug/control')).toContain(
      'lib/alloc_tag.c:279 [alloc_tag]alloc_tag_sec_init =p ',
    );
    expect(k.dmesg.messages().filter((m) => m.startsWith('dyndbg:'))).toEqual([]);
    expect(k.dmesg.messages().join('\n')).not.toMatch(/Unknown kernel command line parameters/);
  });

  it('dyndbg= and main.dyndbg= reach run_init_process(), which runs after the early initcall', () => {
    expect(boot('dyndbg="file init/main.c -p"').dmesg.messages()).not.toContain('  with arguments:');
    expect(boot('main.dyndbg=-p').dmesg.messages()).not.toContain('  with environment:');
    const k = boot('dyndbg="file init/main.c =pfl"');
    expect(k.dmesg.messages()).toContain('run_init_process:1381:   with arguments:');
    expect(k.dmesg.messages()).toContain('run_init_process:1386:     HOME=/');
  });

  it('bad boot queries are reported at KERN_ERR and boot goes on with the rest', () => {
    // (The boot line's sysctl.vm.mem_profiling=…,compressed also gets the late-write error, as in the kernel.)
    const k = boot('dyndbg="bogus x +p;file init/main.c -p" dyndbg=+q');
    expect(
      k.dmesg
        .entries('err')
        .map((r) => r.text)
        .filter((m) => m.startsWith('dyndbg:')),
    ).toEqual([
      'dyndbg: unknown keyword "bogus"',
      'dyndbg: query parse failed',
      "dyndbg: unknown flag 'q'",
      'dyndbg: flags parse failed',
    ]);
    expect(k.dmesg.messages()).not.toContain('  with arguments:');
    expect(k.sysctl('vm.mem_profiling')).toBe('1');
  });

  it('/proc/dynamic_debug/control: root writes queries, others may only read', () => {
    const k = boot('');
    k.writeFile('/proc/dynamic_debug/control', 'module alloc_tag +p');
    expect(k.readFile('/proc/dynamic_debug/control')).toContain('[alloc_tag]alloc_tag_sec_init =p ');
    const user = { euid: 1000, capSysAdmin: false };
    expect(k.readFile('/proc/dynamic_debug/control', user)).toContain('# filename:lineno');
    expect(() => k.writeFile('/proc/dynamic_debug/control', 'module alloc_tag -p', user)).toThrowError(
      expect.objectContaining({ code: 'EACCES' }),
    );
    expect(() => k.writeFile('/proc/dynamic_debug/control', 'bogus')).toThrowError(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });
});
