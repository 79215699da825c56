/**
 * kernel/printk/printk.c: the kernel log ring buffer (`dmesg`), log levels and the timestamp
 * prefix, driven by a virtual clock so the same inputs give byte-identical logs.
 */

/** Printk levels (include/linux/kern_levels.h). */
export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** Kernel log sink taken by every package that logs; `Dmesg` implements it. */
export interface Printk {
  printk(level: LogLevel, message: string): void;
}

/** Numeric value of each level, KERN_EMERG = 0 … KERN_DEBUG = 7. */
export const LOGLEVEL: Readonly<Record<LogLevel, number>> = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/** Levels by number, the inverse of LOGLEVEL. */
export const LOGLEVEL_NAMES: readonly LogLevel[] = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
];

/**
 * kernel/time/sched_clock.c stand-in: monotonic virtual nanoseconds since boot. Nothing reads
 * the host clock; the kernel advances it by the modelled cost of what it does.
 */
export class VirtualClock {
  private ns = 0;

  /** local_clock(): nanoseconds since boot. */
  now(): number {
    return this.ns;
  }

  /** Let `ns` nanoseconds of simulated time pass. */
  advance(ns: number): void {
    if (!(ns >= 0) || !Number.isFinite(ns)) throw new RangeError(`cannot advance the clock by ${ns} ns`);
    this.ns += Math.round(ns);
  }
}

/** One record of the log buffer (struct printk_info + text). */
export interface LogRecord {
  readonly seq: number;
  readonly tsNs: number;
  readonly level: LogLevel;
  readonly text: string;
}

/** kernel/printk/printk.c: print_time() — `[%5lu.%06lu] `. */
export function formatTimestamp(tsNs: number): string {
  const usec = Math.floor(tsNs / 1000);
  const sec = Math.floor(usec / 1_000_000);
  const frac = usec - sec * 1_000_000;
  return `[${String(sec).padStart(5, ' ')}.${String(frac).padStart(6, '0')}] `;
}

/** Options of the log buffer. */
export interface DmesgOptions {
  /** log_buf_len in bytes (CONFIG_LOG_BUF_SHIFT=17 → 128 KiB); the oldest records are dropped. */
  logBufLen?: number;
  /** Time source; a fresh clock if absent. */
  clock?: VirtualClock;
  /** console_loglevel: records below it (numerically) go to `console` as they are logged. */
  consoleLoglevel?: number;
  /** The console: receives each formatted line below console_loglevel. */
  console?: (line: string) => void;
}

/** Bytes a record takes in the ring: struct printk_info (88 B on 64-bit) + its text. */
const RECORD_OVERHEAD = 88;

/** kernel/printk/printk.c: the log buffer behind `dmesg`, implementing Printk. */
export class Dmesg implements Printk {
  readonly clock: VirtualClock;
  readonly logBufLen: number;
  consoleLoglevel: number;
  private console: ((line: string) => void) | undefined;
  private records: LogRecord[] = [];
  private head = 0;
  private usedBytes = 0;
  private nextSeq = 0;
  private dropped = 0;

  constructor(options: DmesgOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    this.logBufLen = options.logBufLen ?? 1 << 17;
    if (!Number.isInteger(this.logBufLen) || this.logBufLen < 4096)
      throw new RangeError(`log_buf_len must be an integer >= 4096, got ${this.logBufLen}`);
    this.consoleLoglevel = options.consoleLoglevel ?? 7;
    this.console = options.console;
  }

  /** printk(): one record per line of `message`, stamped with the virtual clock. */
  printk(level: LogLevel, message: string): void {
    const lines = message.endsWith('\n') ? message.slice(0, -1).split('\n') : message.split('\n');
    for (const text of lines) this.store(level, text);
  }

  private store(level: LogLevel, text: string): void {
    const rec: LogRecord = { seq: this.nextSeq++, tsNs: this.clock.now(), level, text };
    this.records.push(rec);
    this.usedBytes += RECORD_OVERHEAD + text.length;
    while (this.usedBytes > this.logBufLen && this.head < this.records.length - 1) {
      const old = this.records[this.head++]!;
      this.usedBytes -= RECORD_OVERHEAD + old.text.length;
      this.dropped++;
    }
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
    if (this.console !== undefined && LOGLEVEL[level] < this.consoleLoglevel)
      this.console(formatTimestamp(rec.tsNs) + text);
  }

  /** pr_emerg … pr_debug shorthands. */
  emerg(m: string): void {
    this.printk('emerg', m);
  }
  err(m: string): void {
    this.printk('err', m);
  }
  warn(m: string): void {
    this.printk('warning', m);
  }
  notice(m: string): void {
    this.printk('notice', m);
  }
  info(m: string): void {
    this.printk('info', m);
  }
  debug(m: string): void {
    this.printk('debug', m);
  }

  /** Records still in the ring, oldest first; `maxLevel` keeps levels <= it (dmesg --level). */
  entries(maxLevel: LogLevel = 'debug'): LogRecord[] {
    const max = LOGLEVEL[maxLevel];
    const out: LogRecord[] = [];
    for (let i = this.head; i < this.records.length; i++) {
      const r = this.records[i]!;
      if (LOGLEVEL[r.level] <= max) out.push(r);
    }
    return out;
  }

  /** Messages only (no timestamps), handy for comparing logs. */
  messages(maxLevel: LogLevel = 'debug'): string[] {
    return this.entries(maxLevel).map((r) => r.text);
  }

  /** `dmesg` output: `[%5lu.%06lu] text` lines, each ending in a newline. */
  text(maxLevel: LogLevel = 'debug', sinceSeq = 0): string {
    let s = '';
    for (const r of this.entries(maxLevel))
      if (r.seq >= sinceSeq) s += `${formatTimestamp(r.tsNs)}${r.text}\n`;
    return s;
  }

  /** Sequence number the next record will get (for reading only what is new). */
  get seq(): number {
    return this.nextSeq;
  }

  /** Records dropped because the ring was full. */
  get droppedRecords(): number {
    return this.dropped;
  }

  /** dmesg --clear. */
  clear(): void {
    this.records = [];
    this.head = 0;
    this.usedBytes = 0;
  }
}
