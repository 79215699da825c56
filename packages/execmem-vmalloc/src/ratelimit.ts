import type { Printk } from './printk';

/** include/linux/ratelimit_types.h: DEFAULT_RATELIMIT_INTERVAL (5 * HZ) in milliseconds. */
export const DEFAULT_RATELIMIT_INTERVAL_MS = 5000;
/** include/linux/ratelimit_types.h: DEFAULT_RATELIMIT_BURST. */
export const DEFAULT_RATELIMIT_BURST = 10;

/**
 * lib/ratelimit.c: struct ratelimit_state + ___ratelimit(). At most `burst` messages per
 * interval; when a new interval starts after suppressing some, one
 * `<func>: <n> callbacks suppressed` warning is printed first.
 */
export class RateLimitState {
  private begin = -1;
  private printed = 0;
  private missed = 0;

  constructor(
    private readonly func: string,
    private readonly intervalMs: number = DEFAULT_RATELIMIT_INTERVAL_MS,
    private readonly burst: number = DEFAULT_RATELIMIT_BURST,
  ) {}

  /** True if the caller may print now (`now` in milliseconds of the simulated clock). */
  allow(now: number, printk: Printk): boolean {
    if (this.intervalMs === 0) return true;
    if (this.begin < 0) this.begin = now;
    if (this.begin + this.intervalMs < now) {
      if (this.missed > 0) {
        printk.printk('warning', `${this.func}: ${this.missed} callbacks suppressed`);
        this.missed = 0;
      }
      this.begin = now;
      this.printed = 0;
    }
    if (this.burst > this.printed) {
      this.printed++;
      return true;
    }
    this.missed++;
    return false;
  }
}
