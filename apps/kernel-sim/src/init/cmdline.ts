/**
 * init/main.c: the boot command line — parse_early_param(), unknown_bootoption() and the
 * `sysctl.*` arguments that do_sysctl_args() applies at the end of init.
 */

import type { Printk } from '../kernel/printk';
import { type KernelParam, parameq, parseArgs } from '../lib/cmdline';

/**
 * An early_param(): called for every occurrence in command-line order; returns 0 on success or
 * a negative errno, after which the dispatcher prints `Malformed early option '<name>'`.
 */
export interface EarlyParam {
  readonly name: string;
  setup(value: string | null): number;
}

/** A `sysctl.<path>=<value>` argument kept for do_sysctl_args(). */
export interface SysctlArg {
  /** Dotted sysctl name without the `sysctl.` prefix, e.g. `vm.mem_profiling`. */
  readonly key: string;
  readonly value: string | null;
}

/** The parsed boot command line. */
export class BootCommandLine {
  /** The line as given (saved_command_line). */
  readonly raw: string;
  /** Every parameter in order. */
  readonly params: readonly KernelParam[];

  constructor(cmdline: string) {
    this.raw = cmdline.trim();
    this.params = parseArgs(cmdline);
  }

  /** Last value of a parameter (`-`/`_` equivalent), null if given without `=`, undefined if absent. */
  get(name: string): string | null | undefined {
    let v: string | null | undefined;
    for (const p of this.params) if (parameq(p.name, name)) v = p.value;
    return v;
  }

  /** Whether a parameter occurs at all. */
  has(name: string): boolean {
    return this.params.some((p) => parameq(p.name, name));
  }

  /**
   * init/main.c: do_early_param() — every occurrence of each early parameter, in command-line
   * order; a failing handler gets the dispatcher's `Malformed early option` warning.
   */
  parseEarlyParams(table: readonly EarlyParam[], printk: Printk): void {
    for (const p of this.params) {
      for (const e of table) {
        if (!parameq(p.name, e.name)) continue;
        if (e.setup(p.value) !== 0) printk.printk('warning', `Malformed early option '${p.name}'`);
      }
    }
  }

  /** init/main.c + fs/proc/proc_sysctl.c: the `sysctl.*` arguments, in order. */
  sysctlArgs(): SysctlArg[] {
    const out: SysctlArg[] = [];
    for (const p of this.params) {
      if (p.name.startsWith('sysctl.') || p.name.startsWith('sysctl/'))
        out.push({ key: p.name.slice('sysctl.'.length).replaceAll('/', '.'), value: p.value });
    }
    return out;
  }

  /**
   * init/main.c: unknown_bootoption() — parameters no handler took. Dotted names are module
   * parameters and dropped silently; the rest is passed to init (`name=value` as environment,
   * bare words as arguments) and reported once.
   */
  unknownParams(known: readonly string[]): KernelParam[] {
    return this.params.filter(
      (p) => !p.name.includes('.') && p.name !== '--' && !known.some((k) => parameq(k, p.name)),
    );
  }

  /** init/main.c: print_unknown_bootoptions(). */
  printUnknown(known: readonly string[], printk: Printk): void {
    const unknown = this.unknownParams(known);
    if (unknown.length === 0) return;
    const text = unknown.map((p) => (p.value === null ? p.name : `${p.name}=${p.value}`)).join(' ');
    printk.printk(
      'notice',
      `Unknown kernel command line parameters "${text}", will be passed to user space.`,
    );
  }
}
