/**
 * `kernel-sim allocinfo top --interval SECONDS FILE`: the live view of an allocinfo file, as `top`
 * and `slabtop` show processes and slab caches. Each read of FILE (a real /proc/allocinfo, which
 * the kernel regenerates on every read, or a file being rewritten) becomes a frame with the change
 * of every row and of the total since the previous read. On a terminal the frame is redrawn in
 * place until `q`; otherwise frames are appended as plain text.
 */
import { parseAllocinfoText } from './allocinfo-file';
import {
  allocinfoTop,
  INACCURATE_NOTE,
  rowName,
  type TopOptions,
  type TopReport,
  topSummary,
} from './allocinfo-tools';
import type { Colors } from './colors';
import { EXIT_OK } from './errors';
import type { Io } from './io';
import { countOf, formatBytes } from './size';

/** Options of the live view: those of `top`, the interval, and `--once`. */
export interface LiveTopOptions extends TopOptions {
  intervalMs: number;
  /** Read twice, one interval apart, print the one frame with the changes, and stop. */
  once: boolean;
}

/** Bytes and calls of a row or of the whole file. */
interface Counts {
  readonly bytes: number;
  readonly calls: number;
}

/** One read of the file: what it shows, and how it differs from the read before. */
export interface LiveFrame {
  readonly report: TopReport;
  /** Change of each shown row by name (`new` when the previous read lacked it); null on the first read. */
  readonly changes: ReadonlyMap<string, Counts | 'new'> | null;
  /** Change of the totals; null on the first read. */
  readonly totalChange: Counts | null;
  /** Seconds since the previous read; null on the first read. */
  readonly seconds: number | null;
  /** Every row of this read (no --min, no -n), for the next frame's changes. */
  readonly all: ReadonlyMap<string, Counts>;
  /** When this read happened (ms since the epoch). */
  readonly at: number;
}

/** Build the frame of one read of `text`, given the frame of the previous read (or null). */
export function liveFrame(
  text: string,
  name: string,
  opts: TopOptions,
  previous: LiveFrame | null,
  at: number,
): LiveFrame {
  const file = parseAllocinfoText(text, name);
  const report = allocinfoTop(file, opts);
  const all = new Map<string, Counts>();
  for (const row of allocinfoTop(file, { ...opts, minBytes: null, lines: 0 }).rows)
    all.set(row.name, { bytes: row.bytes, calls: row.calls });
  if (previous === null) return { report, changes: null, totalChange: null, seconds: null, all, at };
  const changes = new Map<string, Counts | 'new'>();
  for (const row of report.rows) {
    const before = previous.all.get(row.name);
    changes.set(
      row.name,
      before === undefined ? 'new' : { bytes: row.bytes - before.bytes, calls: row.calls - before.calls },
    );
  }
  return {
    report,
    changes,
    totalChange: {
      bytes: report.totalBytes - previous.report.totalBytes,
      calls: report.totalCalls - previous.report.totalCalls,
    },
    seconds: (at - previous.at) / 1000,
    all,
    at,
  };
}

function signed(n: number, f: (n: number) => string): string {
  return n > 0 ? `+${f(n)}` : n < 0 ? `-${f(-n)}` : f(0);
}

function clock(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}

/**
 * The lines of a frame: time and file, the change of the totals, the column heads, the rows
 * (at most `maxRows`), and the accurate:no note when a shown row carries it.
 */
export function formatLiveFrame(frame: LiveFrame, c: Colors, maxRows = Number.POSITIVE_INFINITY): string[] {
  const r = frame.report;
  const out = [c.bold(`${clock(frame.at)}  ${topSummary(r)}`)];
  const t = frame.totalChange;
  out.push(
    t === null || frame.seconds === null
      ? 'first read: changes appear from the next one'
      : `since the previous read (${frame.seconds.toFixed(1)} s): ${signed(t.bytes, formatBytes)} in ${signed(t.calls, (n) => countOf(n, 'allocation'))}`,
  );
  out.push(
    c.dim(
      `${'SIZE'.padStart(11)} ${'SIZE +/-'.padStart(11)} ${'CALLS'.padStart(10)} ${'CALLS +/-'.padStart(10)}  ${r.tree ? 'PATH' : 'CALL SITE'}`,
    ),
  );
  const rows = r.rows.slice(0, Math.max(0, maxRows));
  for (const row of rows) {
    const ch = frame.changes?.get(row.name);
    const dBytes = ch === undefined ? '' : ch === 'new' ? 'new' : signed(ch.bytes, formatBytes);
    const dCalls = ch === undefined ? '' : ch === 'new' ? 'new' : signed(ch.calls, String);
    const moved = ch !== undefined && (ch === 'new' || ch.bytes !== 0 || ch.calls !== 0);
    const line = `${formatBytes(row.bytes).padStart(11)} ${dBytes.padStart(11)} ${String(row.calls).padStart(10)} ${dCalls.padStart(10)}  ${rowName(r, row)}`;
    out.push(!row.accurate ? c.yellow(line) : moved ? c.bold(line) : line);
  }
  if (rows.some((row) => !row.accurate)) out.push(c.dim(INACCURATE_NOTE));
  return out;
}

/** What the live view needs from its surroundings (the process, or a test). */
export interface LiveTopDeps {
  /** Read the file again. */
  read(): string;
  /** The time, ms since the epoch. */
  now(): number;
  /** Wait `ms`; resolves `quit` early when the user asks to quit (q, Ctrl-C). */
  wait(ms: number): Promise<'timeout' | 'quit'>;
  /** The output terminal's height (Infinity when unknown), or null when the output is not a terminal. */
  terminalRows(): number | null;
  /** Undo what `wait` set up on the input (raw mode, listeners). */
  close(): void;
}

/** Enter the alternate screen and hide the cursor; the reverse on leaving (as `top` does). */
const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
/** Lines above the rows: summary, change, column heads; one below for the key hint. */
const FRAME_CHROME = 4;

/** Run the live view until `q` (terminal), forever (appending), or after one frame (`--once`). */
export async function runLiveTop(
  file: string,
  opts: LiveTopOptions,
  io: Io,
  deps: LiveTopDeps,
): Promise<number> {
  const rows = deps.terminalRows();
  const live = rows !== null && !opts.once;
  let previous: LiveFrame | null = null;
  let frames = 0;
  if (live) io.out(ENTER_SCREEN);
  try {
    for (;;) {
      previous = liveFrame(deps.read(), file, opts, previous, deps.now());
      frames++;
      if (live) {
        const lines = formatLiveFrame(previous, io.color, (deps.terminalRows() ?? rows) - FRAME_CHROME);
        lines.push(io.color.dim(`every ${opts.intervalMs / 1000} s; q quits`));
        io.out(`\x1b[H${lines.join('\x1b[K\n')}\x1b[K\x1b[J`);
      } else if (!opts.once || frames === 2) {
        io.out(`${frames > 1 && !opts.once ? '\n' : ''}${formatLiveFrame(previous, io.color).join('\n')}\n`);
        if (opts.once) return EXIT_OK;
      }
      if ((await deps.wait(opts.intervalMs)) === 'quit') return EXIT_OK;
    }
  } finally {
    if (live) io.out(LEAVE_SCREEN);
    deps.close();
  }
}
