import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageTable, PTRS_PER_PTE, pgprotCode, pgprotIsExecutable } from './page-table';

describe('PageTable', () => {
  it('maps, looks up and unmaps across page-table page boundaries', () => {
    const pt = new PageTable();
    const base = 0xc90000000 + PTRS_PER_PTE - 2;
    pt.map(base, [10, 11, 12, 13], 0, 4, pgprotCode('PAGE_KERNEL'));
    expect(pt.nrMapped).toBe(4);
    expect(pt.nrPtePages).toBe(2);
    expect([0, 1, 2, 3].map((i) => pt.lookup(base + i))).toEqual([10, 11, 12, 13]);
    expect(pt.lookup(base - 1)).toBe(-1);
    expect(pt.lookup(base + 4)).toBe(-1);
    expect(pt.protAt(base)).toBe(0);
    expect(pt.protAt(base + 4)).toBe(-1);
    expect(pt.anyPresent(base - 10, 10)).toBe(false);
    expect(pt.anyPresent(base - 10, 11)).toBe(true);
    expect(pt.unmap(base - 5, 7)).toBe(2);
    expect(pt.nrPtePages).toBe(1);
    expect(pt.unmap(base, 100)).toBe(2);
    expect(pt.nrMapped).toBe(0);
    expect(pt.nrPtePages).toBe(0);
  });

  it('maps pfn 0 and large pfns exactly', () => {
    const pt = new PageTable();
    pt.map(7, [0, 2 ** 40], 0, 2, 2);
    expect(pt.lookup(7)).toBe(0);
    expect(pt.lookup(8)).toBe(2 ** 40);
    expect(pt.protAt(8)).toBe(2);
  });

  it('knows which protections are executable', () => {
    expect(pgprotIsExecutable('PAGE_KERNEL')).toBe(false);
    expect(pgprotIsExecutable('PAGE_KERNEL_RO')).toBe(false);
    expect(pgprotIsExecutable('PAGE_KERNEL_EXEC')).toBe(true);
    expect(pgprotIsExecutable('PAGE_KERNEL_ROX')).toBe(true);
    expect(pgprotCode('PAGE_SHARED')).toBe(-1);
  });

  it('agrees with a Map model under random map/unmap sequences', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('map' as const),
        vpn: fc.integer({ min: 0, max: 3000 }),
        n: fc.integer({ min: 1, max: 700 }),
      }),
      fc.record({
        kind: fc.constant('unmap' as const),
        vpn: fc.integer({ min: 0, max: 3000 }),
        n: fc.integer({ min: 1, max: 700 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const pt = new PageTable();
        const model = new Map<number, number>();
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'map') {
            const pfns = Array.from({ length: o.n }, () => next++);
            pt.map(o.vpn, pfns, 0, o.n, 0);
            for (let i = 0; i < o.n; i++) model.set(o.vpn + i, pfns[i]!);
          } else {
            let expected = 0;
            for (let i = 0; i < o.n; i++) if (model.delete(o.vpn + i)) expected++;
            expect(pt.unmap(o.vpn, o.n)).toBe(expected);
          }
          expect(pt.nrMapped).toBe(model.size);
        }
        const actual: number[] = [];
        const expected: number[] = [];
        for (let v = 0; v < 3700; v++) {
          actual.push(pt.lookup(v));
          expected.push(model.get(v) ?? -1);
        }
        expect(actual).toEqual(expected);
        const pages = new Set([...model.keys()].map((v) => Math.floor(v / PTRS_PER_PTE)));
        expect(pt.nrPtePages).toBe(pages.size);
      }),
      { numRuns: 60 },
    );
  });
});
