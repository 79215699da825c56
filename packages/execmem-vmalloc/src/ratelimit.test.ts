import { describe, expect, it } from 'vitest';
import { RateLimitState } from './ratelimit';
import { RecordingPrintk } from './test-helpers';

describe('RateLimitState (___ratelimit)', () => {
  it('allows a burst per interval and reports the suppressed count when the next interval starts', () => {
    const log = new RecordingPrintk();
    const rs = new RateLimitState('alloc_vmap_area', 5000, 3);
    const results = [0, 1, 2, 3, 4].map((t) => rs.allow(t, log));
    expect(results).toEqual([true, true, true, false, false]);
    expect(log.lines).toEqual([]);
    expect(rs.allow(5000, log)).toBe(false);
    expect(rs.allow(5001, log)).toBe(true);
    expect(log.lines).toEqual(['warning: alloc_vmap_area: 3 callbacks suppressed']);
    expect(rs.allow(5002, log)).toBe(true);
  });

  it('never suppresses with a zero interval', () => {
    const log = new RecordingPrintk();
    const rs = new RateLimitState('f', 0, 1);
    for (let i = 0; i < 20; i++) expect(rs.allow(0, log)).toBe(true);
  });

  it('does not print a suppressed line when nothing was suppressed', () => {
    const log = new RecordingPrintk();
    const rs = new RateLimitState('f', 10, 2);
    rs.allow(0, log);
    rs.allow(100, log);
    expect(log.lines).toEqual([]);
  });
});
