import { describe, expect, it } from 'vitest';
import { AllocTagIndex } from './tag_index';
import type { LogLevel } from './types';

function make(debug: boolean, modules: boolean) {
  const lines: { level: LogLevel; message: string }[] = [];
  const ix = new AllocTagIndex({
    debug,
    modules,
    printk: { printk: (level, message) => lines.push({ level, message }) },
  });
  ix.kernelFirst = 0xffff82000000;
  ix.kernelCount = 100;
  ix.moduleFirst = 0xffffa0000028;
  return { ix, lines };
}

describe('idx_to_ref / ref_to_idx (§6.3)', () => {
  it('NULL, EMPTY, kernel and module tags round-trip', () => {
    const { ix } = make(true, true);
    expect([ix.idxToRef(0), ix.idxToRef(1)]).toEqual([0, 1]);
    expect([ix.refToIdx(0), ix.refToIdx(1)]).toEqual([0, 1]);
    expect(ix.idxToRef(2)).toBe(0xffff82000000);
    expect(ix.idxToRef(101)).toBe(0xffff82000000 + 99 * 40);
    expect(ix.idxToRef(102)).toBe(0xffffa0000028);
    for (const idx of [2, 3, 50, 101, 102, 103, 5000, 65535]) expect(ix.refToIdx(ix.idxToRef(idx))).toBe(idx);
  });

  it('non-DEBUG: index 1 decodes to NULL (set_codetag_empty of 6.13)', () => {
    expect(make(false, true).ix.idxToRef(1)).toBe(0);
  });

  it('indices are truncated to u16', () => {
    const { ix } = make(false, true);
    expect(ix.refToIdx(ix.moduleFirst + (65536 - 102) * 40)).toBe(0);
    expect(ix.refToIdx(ix.moduleFirst + (65536 - 101) * 40)).toBe(1);
  });

  it('without CONFIG_MODULES: module indices and non-kernel tags warn and map to NULL / 0', () => {
    const { ix, lines } = make(false, false);
    expect(ix.idxToRef(102)).toBe(0);
    expect(ix.refToIdx(0xffffa0000028)).toBe(0);
    expect(lines).toEqual([
      { level: 'warning', message: 'invalid page tag reference 102' },
      { level: 'warning', message: 'invalid page tag 0xffffffffa0000028' },
    ]);
  });
});
