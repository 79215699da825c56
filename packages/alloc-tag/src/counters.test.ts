import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllocTagCounters } from './counters';

describe('AllocTagCounters', () => {
  it('validates nrCpus', () => {
    expect(() => new AllocTagCounters(0)).toThrow(/nrCpus/);
    expect(() => new AllocTagCounters(1.5)).toThrow(/nrCpus/);
  });

  it('matches a per-tag, per-CPU reference model through growth, frees and reuse', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('alloc' as const) }),
            fc.record({ op: fc.constant('free' as const), i: fc.nat() }),
            fc.record({
              op: fc.constant('add' as const),
              i: fc.nat(),
              cpu: fc.nat(2),
              b: fc.integer({ min: -1e6, max: 1e6 }),
            }),
          ),
          { maxLength: 200 },
        ),
        (ops) => {
          const c = new AllocTagCounters(3, 2);
          const live: { id: number; bytes: number[]; calls: number[] }[] = [];
          for (const o of ops) {
            if (o.op === 'alloc') live.push({ id: c.alloc(), bytes: [0, 0, 0], calls: [0, 0, 0] });
            else if (live.length === 0) continue;
            else if (o.op === 'free') c.free(live.splice(o.i % live.length, 1)[0]!.id);
            else {
              const t = live[o.i % live.length]!;
              c.bytes[t.id * 3 + o.cpu]! += o.b;
              c.calls[t.id * 3 + o.cpu]! += 1;
              t.bytes[o.cpu]! += o.b;
              t.calls[o.cpu]! += 1;
            }
          }
          expect(c.allocated).toBe(live.length);
          expect(new Set(live.map((t) => t.id)).size).toBe(live.length);
          for (const t of live) {
            expect(t.id).toBeGreaterThan(0);
            expect(c.sumBytes(t.id)).toBe(t.bytes.reduce((a, b) => a + b, 0));
            expect(c.sumCalls(t.id)).toBe(t.calls.reduce((a, b) => a + b, 0));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
