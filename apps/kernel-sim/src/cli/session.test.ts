import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryFiles } from '../host';
import { Kernel } from '../init/main';
import { KernelMachine } from './machine';
import { Session } from './session';
import { completeLine } from './shell';

let session: Session;

beforeAll(() => {
  session = new Session(new KernelMachine(Kernel.boot({ mem: 64 * 2 ** 20, kernelTags: 32 })));
  session.execute(['insmod', 'demo_drv']);
  session.execute(['alloc_pages', 'mm/filemap.c:1919', 'as=cache']);
});

describe('shell tab completion', () => {
  it('completes command names', () => {
    expect(completeLine(session, 'al')).toEqual([['alloc_pages'], 'al']);
    expect(completeLine(session, 'f')[0]).toEqual(['fail_page_alloc', 'free_pages']);
  });

  it('completes call sites: file:line, unique functions, module:function', () => {
    const [hits] = completeLine(session, 'alloc_pages mm/filemap.c:19');
    expect(hits).toContain('mm/filemap.c:1919');
    expect(completeLine(session, 'alloc_pages demo_drv:')[0]).toEqual(['demo_drv:demo_probe']);
  });

  it('completes keyword options after the site', () => {
    expect(completeLine(session, 'alloc_pages mm/filemap.c:1919 o')[0]).toEqual(['order=']);
  });

  it('completes module names: the catalog for insmod, loaded ones for rmmod', () => {
    expect(completeLine(session, 'insmod e1')[0]).toEqual(['e1000e']);
    expect(completeLine(session, 'rmmod ')[0]).toEqual(['demo_drv']);
  });

  it('completes variables and paths', () => {
    expect(completeLine(session, 'free_pages c')[0]).toEqual(['cache']);
    expect(completeLine(session, 'cat /proc/al')[0]).toEqual(['/proc/allocinfo']);
    expect(completeLine(session, 'echo 1 > /proc/sys/')[0]).toEqual(['/proc/sys/vm/mem_profiling']);
    expect(completeLine(session, 'sysctl vm.')[0]).toContain('vm.mem_profiling');
  });
});

describe('Session: a failed command changes no state', () => {
  it('keeps variables and kernel state after a failing allocation', () => {
    const before = session.kernel.readFile('/proc/allocinfo');
    session.execute(['fail_page_alloc', '1']);
    expect(() => session.execute(['alloc_pages', 'mm/filemap.c:1919', 'count=4', 'as=x'])).toThrow(
      'alloc_pages: Cannot allocate memory',
    );
    expect(session.varNames()).toEqual(['cache']);
    expect(session.kernel.readFile('/proc/allocinfo')).toBe(before);
  });

  it('rejects a variable name already in use before allocating', () => {
    const before = session.kernel.readFile('/proc/allocinfo');
    expect(() => session.execute(['alloc_pages', 'mm/filemap.c:1919', 'as=cache'])).toThrow(
      "variable 'cache' is already in use (free it first)",
    );
    expect(session.kernel.readFile('/proc/allocinfo')).toBe(before);
  });
});

describe('insmod FILE.json through the host files', () => {
  const descriptor = {
    name: 'mem_drv',
    tags: [{ file: 'drivers/mem/mem.c', line: 7, function: 'mem_probe' }],
  };
  const files = new MemoryFiles({
    'mods/mem_drv.json': JSON.stringify(descriptor),
    'mods/bad.json': '{"name": "x", "tags": [{"file": "a.c", "line": 0, "function": "f"}]}',
    'mods/readme.txt': 'not a module',
  });
  const s = new Session(new KernelMachine(Kernel.boot({ mem: 64 * 2 ** 20, kernelTags: 32 })), false, files);

  it('loads a descriptor the host has and reports a missing or invalid one like the CLI', () => {
    expect(s.execute(['insmod', 'mods/mem_drv.json'])).toBe('');
    expect(s.execute(['lsmod'])).toMatch(/^mem_drv\b/m);
    expect(() => s.execute(['insmod', 'mods/none.json'])).toThrow(
      'insmod: ERROR: could not load module mods/none.json: No such file or directory',
    );
    expect(() => s.execute(['insmod', 'mods/bad.json'])).toThrow(
      "insmod: ERROR: mods/bad.json: field 'tags[0].line' must be >= 1",
    );
  });

  it('completes descriptor files and directories as typed, not other files', () => {
    expect(completeLine(s, 'insmod mods/')[0]).toEqual(['mods/bad.json', 'mods/mem_drv.json']);
    expect(completeLine(s, 'insmod mo')[0]).toEqual(['mods/']);
    expect(completeLine(s, 'insmod ./mo')[0]).toEqual(['./mods/']);
  });

  it('has no files by default: a descriptor path is not found', () => {
    const bare = new Session(new KernelMachine(Kernel.boot({ mem: 64 * 2 ** 20, kernelTags: 32 })));
    expect(() => bare.execute(['insmod', 'mods/mem_drv.json'])).toThrow(/No such file or directory/);
  });
});
