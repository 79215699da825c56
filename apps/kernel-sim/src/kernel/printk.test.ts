import { describe, expect, it } from 'vitest';
import { Dmesg, formatTimestamp, VirtualClock } from './printk';

describe('printk', () => {
  it('formats the timestamp prefix as [%5lu.%06lu]', () => {
    expect(formatTimestamp(0)).toBe('[    0.000000] ');
    expect(formatTimestamp(1_234_567_891)).toBe('[    1.234567] ');
    expect(formatTimestamp(123_456 * 1e9)).toBe('[123456.000000] ');
  });

  it('stamps records with the virtual clock and filters by level', () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const d = new Dmesg({ clock, consoleLoglevel: 4, console: (l) => lines.push(l) });
    d.printk('info', 'one');
    clock.advance(1_500_000);
    d.printk('err', 'two\nthree\n');
    expect(d.text()).toBe('[    0.000000] one\n[    0.001500] two\n[    0.001500] three\n');
    expect(d.messages('err')).toEqual(['two', 'three']);
    expect(lines).toEqual(['[    0.001500] two', '[    0.001500] three']);
    expect(d.text('debug', 1)).toBe('[    0.001500] two\n[    0.001500] three\n');
    expect(() => clock.advance(-1)).toThrowError(RangeError);
  });

  it('drops the oldest records when the ring is full', () => {
    const d = new Dmesg({ logBufLen: 4096 });
    for (let i = 0; i < 100; i++) d.printk('info', `line ${i}`);
    const m = d.messages();
    expect(m.at(-1)).toBe('line 99');
    expect(m.length).toBeLessThan(100);
    expect(d.droppedRecords).toBe(100 - m.length);
    expect(() => new Dmesg({ logBufLen: 10 })).toThrowError(RangeError);
  });

  it('is deterministic', () => {
    const run = () => {
      const d = new Dmesg();
      for (let i = 0; i < 10; i++) {
        d.clock.advance(i * 1000);
        d.printk('info', `x${i}`);
      }
      return d.text();
    };
    expect(run()).toBe(run());
  });
});
