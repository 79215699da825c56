import { describe, expect, it } from 'vitest';
import { type MemProfilingEvent, MemProfilingState } from './state';

function make(opts: { support?: boolean; allocinfo?: boolean } = {}) {
  const events: MemProfilingEvent[] = [];
  let removed = 0;
  const s = new MemProfilingState(
    {},
    { printk: () => {} },
    {
      createAllocinfo: () => true,
      removeAllocinfo: () => {
        removed++;
      },
    },
    (e) => events.push(e),
  );
  if (opts.allocinfo ?? true) s.createAllocinfo(() => '');
  if (opts.support === false) s.setSupport(false);
  events.length = 0;
  return { s, events, removed: () => removed };
}

describe('shutdown_mem_profiling (patch 2)', () => {
  it('turns the key off, removes the file if asked, clears support', () => {
    const { s, events, removed } = make();
    s.setCompressed(true);
    events.length = 0;
    s.shutdownMemProfiling(true);
    expect([s.key, s.support, s.compressed, s.allocinfoExists, removed()]).toEqual([
      false,
      false,
      true,
      false,
      1,
    ]);
    expect(events).toEqual([
      { type: 'key', enabled: false },
      { type: 'support', support: false },
    ]);
  });

  it('remove_file=false keeps the file', () => {
    const { s, removed } = make();
    s.shutdownMemProfiling(false);
    expect([s.key, s.support, s.allocinfoExists, removed()]).toEqual([false, false, true, 0]);
  });

  it('turns the key off even when support is already false, and stops there', () => {
    const { s, removed } = make();
    s.shutdownMemProfiling(false);
    s.setKey(true);
    s.shutdownMemProfiling(true);
    expect([s.key, s.support, s.allocinfoExists, removed()]).toEqual([false, false, true, 0]);
  });

  it('is idempotent', () => {
    const { s, removed } = make();
    s.shutdownMemProfiling(true);
    s.shutdownMemProfiling(true);
    expect(removed()).toBe(1);
  });
});
