import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandHistory } from './history';

/**
 * The reference: a shell's history as a list and an index, the line being typed kept aside
 * when walking starts — written as plainly as possible.
 */
class ModelHistory {
  lines: string[] = [];
  at = 0;
  typed = '';
  constructor(readonly limit: number) {}
  add(line: string): void {
    if (line.trim() !== '' && line !== this.lines.at(-1))
      this.lines = [...this.lines, line].slice(-this.limit);
    this.at = this.lines.length;
    this.typed = '';
  }
  up(current: string): string | null {
    if (this.at === 0) return null;
    if (this.at === this.lines.length) this.typed = current;
    this.at -= 1;
    return this.lines[this.at] ?? null;
  }
  down(): string | null {
    if (this.at >= this.lines.length) return null;
    this.at += 1;
    return this.at === this.lines.length ? this.typed : (this.lines[this.at] ?? null);
  }
}

const line = fc.constantFrom('', ' ', 'lsmod', 'insmod demo_drv', 'dmesg', 'help');
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), line }),
  fc.record({ kind: fc.constant('up' as const), line }),
  fc.record({ kind: fc.constant('down' as const) }),
);

describe('console history against a plain model', () => {
  it('gives the same line for every sequence of Enter, Up and Down', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 60 }), (limit, ops) => {
        const h = new CommandHistory(limit);
        const m = new ModelHistory(limit);
        for (const o of ops) {
          if (o.kind === 'add') {
            h.add(o.line);
            m.add(o.line);
          } else if (o.kind === 'up') expect(h.previous(o.line)).toBe(m.up(o.line));
          else expect(h.next()).toBe(m.down());
          expect(h.entries()).toEqual(m.lines);
        }
      }),
    );
  });
});
