import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Idr } from './idr';

describe('Idr', () => {
  it('hands out the lowest free id', () => {
    const idr = new Idr<string>();
    expect(idr.isEmpty()).toBe(true);
    expect([idr.alloc('a'), idr.alloc('b'), idr.alloc('c')]).toEqual([0, 1, 2]);
    expect(idr.remove(1)).toBe('b');
    expect(idr.remove(0)).toBe('a');
    expect(idr.alloc('d')).toBe(0);
    expect(idr.alloc('e')).toBe(1);
    expect(idr.alloc('f')).toBe(3);
    expect([...idr.entries()]).toEqual([
      [0, 'd'],
      [1, 'e'],
      [2, 'c'],
      [3, 'f'],
    ]);
  });

  it('finds the next id in use', () => {
    const idr = new Idr<number>();
    for (let i = 0; i < 5; i++) idr.alloc(i);
    idr.remove(1);
    idr.remove(2);
    expect(idr.nextId(1)).toBe(3);
    expect(idr.nextId(-4)).toBe(0);
    idr.remove(4);
    expect(idr.nextId(4)).toBe(-1);
    expect(idr.find(2)).toBeUndefined();
    expect(idr.find(3)).toBe(3);
  });

  it('ignores removal of a free id and refuses undefined', () => {
    const idr = new Idr<number>();
    expect(idr.remove(3)).toBeUndefined();
    expect(idr.size).toBe(0);
    expect(() => idr.alloc(undefined as unknown as number)).toThrow(TypeError);
  });

  it('matches a brute-force model', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const) }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.nat(12) }),
      fc.record({ kind: fc.constant('next' as const), id: fc.integer({ min: -2, max: 14 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const idr = new Idr<number>();
        const model = new Map<number, number>();
        let value = 0;
        for (const o of ops) {
          if (o.kind === 'alloc') {
            let id = 0;
            while (model.has(id)) id++;
            model.set(id, ++value);
            expect(idr.alloc(value)).toBe(id);
          } else if (o.kind === 'remove') {
            const had = model.get(o.id);
            model.delete(o.id);
            expect(idr.remove(o.id)).toBe(had);
          } else {
            const ids = [...model.keys()].filter((id) => id >= o.id).sort((a, b) => a - b);
            expect(idr.nextId(o.id)).toBe(ids[0] ?? -1);
          }
          expect(idr.size).toBe(model.size);
          expect(idr.isEmpty()).toBe(model.size === 0);
        }
        expect([...idr.entries()]).toEqual([...model.entries()].sort((a, b) => a[0] - b[0]));
      }),
      { numRuns: 300 },
    );
  });
});
