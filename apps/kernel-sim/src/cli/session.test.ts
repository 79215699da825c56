import { beforeAll, describe, expect, it } from 'vitest';
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
