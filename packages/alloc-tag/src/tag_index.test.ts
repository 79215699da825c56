import fc from 'fast-check';
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

describe('idx_to_ref / ref_to_idx (include/linux/pgalloc_tag.h)', () => {
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

/** idx_to_ref()/ref_to_idx() as the kernel writes them, on plain numbers: the model the fast paths are checked against. */
function modelRefToIdx(ix: AllocTagIndex, debug: boolean, ref: number): number {
  if (ref === 0) return 0;
  if (debug && ref === 1) return 1;
  if (ref >= ix.kernelFirst && ref < ix.kernelFirst + ix.kernelCount * 40) {
    return (2 + Math.trunc((ref - ix.kernelFirst) / 40)) & 0xffff;
  }
  return (2 + ix.kernelCount + Math.trunc((ref - ix.moduleFirst) / 40)) & 0xffff;
}

function modelIdxToRef(ix: AllocTagIndex, debug: boolean, idx: number): number {
  if (idx === 0) return 0;
  if (idx === 1) return debug ? 1 : 0;
  const j = idx - 2;
  return j < ix.kernelCount ? ix.kernelFirst + j * 40 : ix.moduleFirst + (j - ix.kernelCount) * 40;
}

describe('index arithmetic matches idx_to_ref()/ref_to_idx() of include/linux/pgalloc_tag.h (property)', () => {
  it('any kernel count, any reference in or around the kernel array and the module area', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 70000 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.oneof(
          fc.constantFrom(0, 1),
          fc.integer({ min: -80, max: 70000 * 40 + 80 }).map((o) => 0xffff82000000 + o),
          fc.integer({ min: 0, max: 4_000_000 }).map((o) => 0xffffa0000028 + o),
        ),
        (debug, count, idx, ref) => {
          const { ix } = make(debug, true);
          ix.kernelCount = count;
          expect(ix.refToIdx(ref)).toBe(modelRefToIdx(ix, debug, ref));
          expect(ix.idxToRef(idx)).toBe(modelIdxToRef(ix, debug, idx));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a kernel array past 2 GiB (beyond any real kernel) still uses the kernel formula', () => {
    const { ix } = make(false, true);
    ix.kernelCount = 60_000_000;
    const ref = ix.kernelFirst + 59_000_000 * 40;
    expect(ix.refToIdx(ref)).toBe((2 + 59_000_000) & 0xffff);
    expect(ix.refToIdx(ref + 39)).toBe((2 + 59_000_000) & 0xffff);
  });
});
