/** Kernel log levels (KERN_EMERG … KERN_DEBUG). */
export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** The log sink every package that logs takes; kernel-sim's dmesg implements it. */
export interface Printk {
  printk(level: LogLevel, message: string): void;
}
