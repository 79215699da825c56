import { describe, expect, it } from 'vitest';
import { CommandHistory } from './history';

describe('console history', () => {
  it('walks back and forth like a shell, restoring the line being typed', () => {
    const h = new CommandHistory();
    h.add('lsmod');
    h.add('insmod demo_drv');
    expect(h.previous('dm')).toBe('insmod demo_drv');
    expect(h.previous('ignored')).toBe('lsmod');
    expect(h.previous('ignored')).toBeNull();
    expect(h.next()).toBe('insmod demo_drv');
    expect(h.next()).toBe('dm');
    expect(h.next()).toBeNull();
  });

  it('keeps a repeated line once, skips blank lines and forgets the oldest past its limit', () => {
    const h = new CommandHistory(2);
    h.add('a');
    h.add('a');
    h.add('  ');
    h.add('b');
    h.add('c');
    expect(h.entries()).toEqual(['b', 'c']);
    expect(h.previous('')).toBe('c');
    h.add('d');
    expect(h.previous('')).toBe('d');
  });

  it('has nothing to walk when empty', () => {
    const h = new CommandHistory();
    expect(h.previous('x')).toBeNull();
    expect(h.next()).toBeNull();
  });
});
