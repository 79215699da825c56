import { describe, expect, it } from 'vitest';
import { kstrtobool, parseMemProfilingParam, setupEarlyMemProfiling } from './boot_param';
import { MemProfilingState } from './state';
import { AllocTagError, type LogLevel } from './types';

function state(enabledByDefault = true) {
  const lines: { level: LogLevel; message: string }[] = [];
  const s = new MemProfilingState(
    { CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: enabledByDefault },
    { printk: (level, message) => lines.push({ level, message }) },
    null,
    null,
  );
  return { s, lines };
}

const snapshot = (s: MemProfilingState) => ({ support: s.support, key: s.key, compressed: s.compressed });

describe('kstrtobool', () => {
  it.each([
    ['1', true],
    ['y', true],
    ['Y', true],
    ['yes', true],
    ['t', true],
    ['true', true],
    ['T', true],
    ['on', true],
    ['ON', true],
    ['oN', true],
    ['1xyz', true],
    ['0', false],
    ['n', false],
    ['N', false],
    ['no', false],
    ['f', false],
    ['false', false],
    ['off', false],
    ['OFF', false],
    ['neve', false],
  ])('%s → %s', (s, v) => expect(kstrtobool(s)).toBe(v));

  it.each(['2', 'maybe', '', 'o', 'ox', ' 1', 'x'])('%j is an error', (s) => {
    expect(kstrtobool(s)).toBeUndefined();
  });
});

describe('sysctl.vm.mem_profiling= (lib/alloc_tag.c: setup_early_mem_profiling())', () => {
  it('(none), ENABLED_BY_DEFAULT=y: supported, on, uncompressed', () => {
    expect(snapshot(state(true).s)).toEqual({ support: true, key: true, compressed: false });
  });

  it('(none), ENABLED_BY_DEFAULT=n: unsupported, off', () => {
    expect(snapshot(state(false).s)).toEqual({ support: false, key: false, compressed: false });
  });

  it('DEBUG forces ENABLED_BY_DEFAULT', () => {
    const s = new MemProfilingState(
      { CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: false, CONFIG_MEM_ALLOC_PROFILING_DEBUG: true },
      { printk: () => {} },
      null,
      null,
    );
    expect(snapshot(s)).toEqual({ support: true, key: true, compressed: false });
  });

  it.each([
    ['never', { support: false, key: false, compressed: false }, 'Memory allocation profiling is disabled!'],
    [
      'neverland',
      { support: false, key: false, compressed: false },
      'Memory allocation profiling is disabled!',
    ],
    [
      'never,compressed',
      { support: false, key: false, compressed: false },
      'Memory allocation profiling is disabled!',
    ],
    [
      '0',
      { support: true, key: false, compressed: false },
      'Memory allocation profiling is enabled without compression and is turned off!',
    ],
    [
      '1',
      { support: true, key: true, compressed: false },
      'Memory allocation profiling is enabled without compression and is turned on!',
    ],
    [
      '1,compressed',
      { support: true, key: true, compressed: true },
      'Memory allocation profiling is enabled with compression and is turned on!',
    ],
    [
      '0,compressed',
      { support: true, key: false, compressed: true },
      'Memory allocation profiling is enabled with compression and is turned off!',
    ],
    [
      'on,compressed',
      { support: true, key: true, compressed: true },
      'Memory allocation profiling is enabled with compression and is turned on!',
    ],
    [
      'Never',
      { support: true, key: false, compressed: false },
      'Memory allocation profiling is enabled without compression and is turned off!',
    ],
    [
      '1 ,compressed',
      { support: true, key: true, compressed: true },
      'Memory allocation profiling is enabled with compression and is turned on!',
    ],
    [
      'neve',
      { support: true, key: false, compressed: false },
      'Memory allocation profiling is enabled without compression and is turned off!',
    ],
  ])('%j', (value, expected, message) => {
    for (const def of [true, false]) {
      const { s, lines } = state(def);
      expect(setupEarlyMemProfiling(s, value)).toBeNull();
      expect(snapshot(s)).toEqual(expected);
      expect(lines).toEqual([{ level: 'info', message }]);
    }
  });

  it.each([
    null,
    undefined,
    '',
    '2',
    'maybe',
    '1,',
    '1,compressed,x',
    '1,Compressed',
    ',compressed',
    '1,compressed ',
  ])('malformed %j: EINVAL, no state change, no message', (value) => {
    for (const def of [true, false]) {
      const { s, lines } = state(def);
      const before = snapshot(s);
      const err = setupEarlyMemProfiling(s, value);
      expect(err).toBeInstanceOf(AllocTagError);
      expect(err?.code).toBe('EINVAL');
      expect(snapshot(s)).toEqual(before);
      expect(lines).toEqual([]);
    }
  });

  it('the last valid occurrence wins entirely, invalid ones change nothing', () => {
    const { s } = state(true);
    setupEarlyMemProfiling(s, '1,compressed');
    expect(snapshot(s)).toEqual({ support: true, key: true, compressed: true });
    setupEarlyMemProfiling(s, 'bogus');
    expect(snapshot(s)).toEqual({ support: true, key: true, compressed: true });
    setupEarlyMemProfiling(s, '0');
    expect(snapshot(s)).toEqual({ support: true, key: false, compressed: false });
    setupEarlyMemProfiling(s, 'never');
    setupEarlyMemProfiling(s, '1');
    expect(snapshot(s)).toEqual({ support: true, key: true, compressed: false });
  });

  it('parseMemProfilingParam has no side effects', () => {
    expect(parseMemProfilingParam('1,compressed')).toEqual({ never: false, enable: true, compressed: true });
    expect(parseMemProfilingParam('never')).toEqual({ never: true, enable: false, compressed: false });
    expect(parseMemProfilingParam('x')).toBeUndefined();
  });
});
