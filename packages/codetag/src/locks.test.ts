import { describe, expect, it } from 'vitest';
import { CodeTagBugError, CodeTagError } from './errors';
import { Mutex, RwSemaphore } from './locks';

describe('Mutex', () => {
  it('locks, refuses recursion with EDEADLK, unlocks', () => {
    const m = new Mutex('codetag_lock');
    m.lock();
    expect(m.locked).toBe(true);
    expect(() => m.lock()).toThrow(expect.objectContaining({ code: 'EDEADLK' }));
    expect(m.trylock()).toBe(false);
    m.unlock();
    expect(m.locked).toBe(false);
    expect(m.trylock()).toBe(true);
    m.unlock();
    expect(() => m.unlock()).toThrow(CodeTagBugError);
  });
});

describe('RwSemaphore', () => {
  it('shares among readers and excludes a writer', () => {
    const s = new RwSemaphore('mod_lock');
    s.downRead();
    s.downRead();
    expect(s.state).toBe('read');
    expect(s.readers).toBe(2);
    expect(() => s.downWrite()).toThrow(expect.objectContaining({ code: 'EDEADLK' }));
    expect(s.downWriteTrylock()).toBe(false);
    s.upRead();
    s.upRead();
    expect(s.state).toBe('unlocked');
    expect(() => s.upRead()).toThrow(CodeTagBugError);
  });

  it('excludes readers while write-locked; trylock fails instead of deadlocking', () => {
    const s = new RwSemaphore('mod_lock');
    s.downWrite();
    expect(s.state).toBe('write');
    expect(s.writeLocked).toBe(true);
    expect(() => s.downRead()).toThrow(CodeTagError);
    expect(s.downReadTrylock()).toBe(false);
    expect(() => s.downWrite()).toThrow(expect.objectContaining({ code: 'EDEADLK' }));
    s.upWrite();
    expect(() => s.upWrite()).toThrow(CodeTagBugError);
    expect(s.downReadTrylock()).toBe(true);
    s.upRead();
    expect(s.downWriteTrylock()).toBe(true);
    s.upWrite();
    expect(s.state).toBe('unlocked');
  });
});
