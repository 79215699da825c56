import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import {
  formatLiveFrame,
  type LiveTopDeps,
  type LiveTopOptions,
  liveFrame,
  runLiveTop,
} from './allocinfo-live';
import { captureIo } from './testing';

const plain = pc.createColors(false);

function text(rows: readonly [number, number, string][], version = '1.0'): string {
  return `allocinfo - version: ${version}\n#     <size>  <calls> <tag info>\n${rows
    .map(([b, c, t]) => `${String(b).padStart(12)} ${String(c).padStart(8)} ${t} \n`)
    .join('')}`;
}

const OPTS: LiveTopOptions = {
  sort: 'bytes',
  minBytes: null,
  lines: 20,
  tree: false,
  depth: 2,
  intervalMs: 1000,
  once: false,
};

const V1 = text([
  [8192, 2, 'mm/a.c:1 func:fa'],
  [4096, 1, 'mm/b.c:2 func:fb'],
]);
const V2 = text([
  [12288, 3, 'mm/a.c:1 func:fa'],
  [4096, 1, 'mm/b.c:2 func:fb'],
  [-4096, 0, 'mm/c.c:3 func:fc'],
]);

/** Deps that serve `reads` in turn, advance a fake clock by the interval, and quit after `waits` waits. */
function fakeDeps(reads: string[], waits: number, rows: number | null) {
  let clock = Date.UTC(2026, 0, 1, 12, 0, 0);
  let i = 0;
  let waited = 0;
  let closed = 0;
  const deps: LiveTopDeps = {
    read: () => reads[Math.min(i++, reads.length - 1)]!,
    now: () => clock,
    wait: async (ms) => {
      clock += ms;
      return ++waited > waits ? 'quit' : 'timeout';
    },
    terminalRows: () => rows,
    close: () => {
      closed++;
    },
  };
  return { deps, reads: () => i, closed: () => closed };
}

describe('liveFrame', () => {
  it('has no changes on the first read, then the change of each row and of the total', () => {
    const first = liveFrame(V1, 'f', OPTS, null, 0);
    expect(first.changes).toBeNull();
    expect(first.totalChange).toBeNull();
    const second = liveFrame(V2, 'f', OPTS, first, 2500);
    expect(second.seconds).toBe(2.5);
    expect(second.totalChange).toEqual({ bytes: 0, calls: 1 });
    expect([...second.changes!]).toEqual([
      ['mm/a.c:1 func:fa', { bytes: 4096, calls: 1 }],
      ['mm/b.c:2 func:fb', { bytes: 0, calls: 0 }],
      ['mm/c.c:3 func:fc', 'new'],
    ]);
  });

  it('measures a row that enters the shown rows against its value in the previous read', () => {
    const opts = { ...OPTS, lines: 1 };
    const first = liveFrame(V1, 'f', opts, null, 0);
    const swapped = text([
      [8192, 2, 'mm/a.c:1 func:fa'],
      [16384, 4, 'mm/b.c:2 func:fb'],
    ]);
    const second = liveFrame(swapped, 'f', opts, first, 1000);
    expect([...second.changes!]).toEqual([['mm/b.c:2 func:fb', { bytes: 12288, calls: 3 }]]);
  });

  it('formats the rows with their changes, new rows, negative sums and the total change', () => {
    const first = liveFrame(V1, 'f', OPTS, null, 0);
    const lines = formatLiveFrame(liveFrame(V2, 'f', OPTS, first, 1000), plain);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d {2}f: allocinfo 1\.0, 3 call sites, 12\.0 KiB in 4 allocations$/,
    );
    expect(lines.slice(1)).toEqual([
      'since the previous read (1.0 s): 0 B in +1 allocation',
      '       SIZE    SIZE +/-      CALLS  CALLS +/-  CALL SITE',
      '   12.0 KiB   +4.00 KiB          3         +1  mm/a.c:1 func:fa',
      '   4.00 KiB         0 B          1          0  mm/b.c:2 func:fb',
      '  -4.00 KiB         new          0        new  mm/c.c:3 func:fc',
    ]);
  });

  it('keeps accurate:no on the rows it marks and explains it', () => {
    const v = text(
      [
        [8192, 2, 'mm/a.c:1 func:fa accurate:no'],
        [4096, 1, 'mm/b.c:2 func:fb'],
      ],
      '2.0',
    );
    const lines = formatLiveFrame(liveFrame(v, 'f', OPTS, null, 0), plain);
    expect(lines[0]).toContain('2 call sites (1 accurate:no)');
    expect(lines).toContain('   8.00 KiB                      2             mm/a.c:1 func:fa accurate:no');
    expect(lines.at(-1)).toMatch(/^accurate:no: the kernel could not account every allocation/);
  });
});

describe('runLiveTop', () => {
  it('appends one plain frame per read when the output is not a terminal', async () => {
    const io = captureIo();
    const f = fakeDeps([V1, V2, V2], 2, null);
    expect(await runLiveTop('f', OPTS, io, f.deps)).toBe(0);
    expect(f.reads()).toBe(3);
    expect(f.closed()).toBe(1);
    const out = io.stdout;
    expect(out).not.toContain('\x1b');
    const frames = out.split('\n\n');
    expect(frames).toHaveLength(3);
    expect(frames[0]).toContain('first read: changes appear from the next one');
    expect(frames[1]).toContain('   12.0 KiB   +4.00 KiB          3         +1  mm/a.c:1 func:fa');
    expect(frames[2]).toContain('   12.0 KiB         0 B          3          0  mm/a.c:1 func:fa');
  });

  it('redraws in place on a terminal, cut to its height, and restores the screen on q', async () => {
    const io = captureIo();
    const f = fakeDeps([V1, V2], 1, 6);
    expect(await runLiveTop('f', OPTS, io, f.deps)).toBe(0);
    const out = io.stdout;
    expect(out.startsWith('\x1b[?1049h\x1b[?25l\x1b[H')).toBe(true);
    expect(out.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
    const frames = out.split('\x1b[H').slice(1);
    expect(frames).toHaveLength(2);
    // 6 rows: summary, change, heads, 2 call sites, key hint.
    expect(frames[1]!.split('\n')).toHaveLength(6);
    expect(frames[1]).toContain('+4.00 KiB');
    expect(frames[1]).not.toContain('mm/c.c:3');
    expect(frames[1]).toContain('every 1 s; q quits');
  });

  it('with --once reads twice, one interval apart, and prints the one frame with the changes', async () => {
    const io = captureIo();
    const f = fakeDeps([V1, V2], 5, 24);
    expect(await runLiveTop('f', { ...OPTS, once: true }, io, f.deps)).toBe(0);
    expect(f.reads()).toBe(2);
    expect(io.stdout).not.toContain('\x1b');
    expect(io.stdout).toContain('since the previous read (1.0 s): 0 B in +1 allocation');
    expect(io.stdout.match(/allocinfo 1\.0/g)).toHaveLength(1);
  });

  it('stops with the parse error of a bad read, restoring the terminal', async () => {
    const io = captureIo();
    const f = fakeDeps([V1, 'garbage\n'], 5, 24);
    await expect(runLiveTop('f', OPTS, io, f.deps)).rejects.toThrow(/^f:1: /);
    expect(io.stdout.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
    expect(f.closed()).toBe(1);
  });
});
