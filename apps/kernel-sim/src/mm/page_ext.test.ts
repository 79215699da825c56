import { describe, expect, it } from 'vitest';
import { Dmesg } from '../kernel/printk';
import { PageExt } from './page_ext';

describe('page_ext', () => {
  const backing = (log: number[]) => ({
    allocTable: (_nr: number, bytes: number): boolean => {
      log.push(bytes);
      return true;
    },
  });

  it('allocates nothing and prints nothing when no client needs it', () => {
    const d = new Dmesg();
    const ext = new PageExt({ printk: d, nrPages: 1 << 16, pagesPerSection: 1 << 15 });
    let inited = false;
    ext.register({ name: 'page_alloc_tagging', size: 8, need: () => false, init: () => (inited = true) });
    const log: number[] = [];
    expect(ext.init(backing(log))).toBe(0);
    expect(log).toEqual([]);
    expect(ext.allocated).toBe(false);
    expect(inited).toBe(false);
    expect(d.messages()).toEqual([]);
  });

  it('allocates one table per section for the needed clients and runs their init', () => {
    const d = new Dmesg();
    const ext = new PageExt({ printk: d, nrPages: 3 * (1 << 15) + 100, pagesPerSection: 1 << 15 });
    let inited = 0;
    ext.register({ name: 'page_alloc_tagging', size: 8, need: () => true, init: () => inited++ });
    ext.register({ name: 'page_owner', size: 32, need: () => false });
    const log: number[] = [];
    const total = ext.init(backing(log));
    expect(ext.size).toBe(16);
    expect(log).toEqual([16 << 15, 16 << 15, 16 << 15, 1600]);
    expect(total).toBe(16 * (3 * (1 << 15) + 100));
    expect(d.messages()).toEqual([`allocated ${total} bytes of page_ext`]);
    expect(ext.activeClients).toEqual(['page_alloc_tagging']);
    expect(inited).toBe(1);
    expect(() => ext.init(backing(log))).toThrowError(/twice/);
  });

  it('FLATMEM takes one table for all of memory', () => {
    const ext = new PageExt({ printk: new Dmesg(), nrPages: 1000, pagesPerSection: 0 });
    ext.register({ name: 'c', size: 8 });
    const log: number[] = [];
    ext.init(backing(log));
    expect(log).toEqual([16000]);
  });
});
