/**
 * kernel/panic.c: __warn() — the report of WARN(), WARN_ON() and WARN_ONCE(), shared by every
 * package of the simulated kernel: the cut-here banner (__warn_printk() or report_bug()), the
 * message, `WARNING: CPU: <cpu> PID: <pid> at <file>:<line> <function>+0x0/0x0`, the module list
 * (print_modules()), the task line of lib/dump_stack.c: dump_stack_print_info(), the trapping
 * function (x86 __show_regs()'s `RIP:` line), the call trace of its callers and
 * print_oops_end_marker(); afterwards the kernel is tainted with TAINT_WARN ('W').
 *
 * The simulated kernel has no machine code, so every symbol prints with offset and size 0
 * (`%pS` would print `function+offset/size`), and the register dump is left out.
 */

import type { Printk } from './codetag';

/** One compiled WARN: where its condition is written and the function it ends up in. */
export interface WarnSite {
  /** Source file of the WARN statement as the kernel prints it, e.g. `include/linux/alloc_tag.h`. */
  readonly file: string;
  /** Line of the WARN statement in that file (Linux 6.13). */
  readonly line: number;
  /** The out-of-line function the WARN is compiled into (what `%pS` of the trap address names). */
  readonly function: string;
  /**
   * The translation unit that compiled it: a WARN_ONCE() in a static inline function has one
   * `__already_done` flag per file that includes it, so it fires once per unit.
   */
  readonly unit: string;
  /** Its callers on the way here, innermost first (the call trace under the `RIP:` line). */
  readonly callers: readonly string[];
}

/** `current` and the CPU it runs on, as dump_stack_print_info() prints them. */
export interface WarnTask {
  readonly cpu: number;
  readonly pid: number;
  readonly uid: number;
  /** task->comm (printed with `%.20s`). */
  readonly comm: string;
}

/** The rest of the machine a warning report shows. */
export interface WarnEnvironment {
  /** The running task at the time of the warning. */
  task(): WarnTask;
  /** Loaded modules in print_modules() order (most recently loaded first). */
  modules(): readonly string[];
  /** init_utsname()->release, e.g. `6.13.0`. */
  readonly release: string;
  /** init_utsname()->version up to its first blank, e.g. `#1`. */
  readonly version: string;
}

/** include/asm-generic/bug.h: CUT_HERE. */
export const CUT_HERE = '------------[ cut here ]------------';

/** kernel/panic.c: the TAINT_WARN letter in print_tainted(). */
const TAINT_WARN_BIT = 9;
/** kernel/panic.c: taint_flags[] — the letters of TAINT_PROPRIETARY_MODULE (0) … TAINT_TEST (18) when clear. */
const TAINT_FLAG_COUNT = 19;

/** A kernel that has no task information to give: the boot CPU's idle task, nothing loaded. */
const IDLE_TASK: WarnTask = Object.freeze({ cpu: 0, pid: 0, uid: 0, comm: 'swapper/0' });
const NO_MODULES: readonly string[] = Object.freeze([]);

/** The environment of a package used on its own: the boot CPU's idle task of a 6.13 kernel. */
export const DEFAULT_WARN_ENVIRONMENT: WarnEnvironment = Object.freeze({
  task: () => IDLE_TASK,
  modules: () => NO_MODULES,
  release: '6.13.0',
  version: '#1',
});

/**
 * kernel/panic.c: print_tainted() for a kernel whose only taint can be TAINT_WARN:
 * `Not tainted`, or `Tainted: ` and one letter per taint flag (`G` for a clear proprietary flag,
 * a blank for the other clear ones).
 */
export function printTainted(warned: boolean): string {
  if (!warned) return 'Not tainted';
  let s = 'Tainted: G';
  for (let i = 1; i < TAINT_FLAG_COUNT; i++) s += i === TAINT_WARN_BIT ? 'W' : ' ';
  return s;
}

/**
 * The lines __warn() prints for `site` (without the cut-here banner and message when `message`
 * is null, as for a WARN_ON() that report_bug() announces itself: it prints the banner too).
 * `tainted` is the taint state before this warning.
 */
export function formatWarning(
  site: WarnSite,
  message: string | null,
  task: WarnTask,
  env: Pick<WarnEnvironment, 'release' | 'version'> & { readonly modules: readonly string[] },
  tainted: boolean,
): string[] {
  const lines = [CUT_HERE];
  if (message !== null) lines.push(message);
  lines.push(
    `WARNING: CPU: ${task.cpu} PID: ${task.pid} at ${site.file}:${site.line} ${site.function}+0x0/0x0`,
  );
  lines.push(`Modules linked in:${env.modules.map((m) => ` ${m}`).join('')}`);
  lines.push(
    `CPU: ${task.cpu} UID: ${task.uid} PID: ${task.pid} Comm: ${task.comm.slice(0, 20)} ${printTainted(tainted)} ${env.release} ${env.version}`,
  );
  if (tainted) lines.push('Tainted: [W]=WARN');
  // arch/x86/kernel/process_64.c: __show_regs() starts with the trapping instruction.
  lines.push(`RIP: 0010:${site.function}+0x0/0x0`);
  lines.push('Call Trace:', ' <TASK>');
  for (const fn of site.callers) lines.push(` ${fn}+0x0/0x0`);
  lines.push(' </TASK>', '---[ end trace 0000000000000000 ]---');
  return lines;
}

/**
 * One kernel's warning machinery: formats each report through {@link formatWarning}, keeps the
 * taint and the WARN_ONCE() flags. Share one instance between the packages of a kernel so the
 * taint and the once-flags are the kernel's, not a package's.
 */
export class KernelWarn {
  readonly #printk: Printk;
  readonly #env: WarnEnvironment;
  readonly #done = new Set<string>();
  #tainted = false;

  constructor(printk: Printk, env: WarnEnvironment = DEFAULT_WARN_ENVIRONMENT) {
    if (typeof printk?.printk !== 'function') throw new TypeError('KernelWarn: printk.printk() is required');
    this.#printk = printk;
    this.#env = env;
  }

  /** Whether a warning was reported (TAINT_WARN). */
  get tainted(): boolean {
    return this.#tainted;
  }

  /** WARN() / WARN_ON(): report `site` (with `message`, or none for WARN_ON()). */
  warn(site: WarnSite, message: string | null): void {
    const env = this.#env;
    const lines = formatWarning(
      site,
      message,
      env.task(),
      { release: env.release, version: env.version, modules: env.modules() },
      this.#tainted,
    );
    for (const line of lines) this.#printk.printk('warning', line);
    this.#tainted = true;
  }

  /** Whether the WARN_ONCE() flag of `site` (per translation unit) is already set. */
  warnedOnce(site: WarnSite): boolean {
    return this.#done.has(onceKey(site));
  }

  /** WARN_ONCE(): report `site` the first time its translation unit's flag is hit; true if it was. */
  warnOnce(site: WarnSite, message: string): boolean {
    const key = onceKey(site);
    if (this.#done.has(key)) return false;
    this.#done.add(key);
    this.warn(site, message);
    return true;
  }
}

/** The `__already_done` flag a WARN_ONCE() site has in its translation unit. */
function onceKey(site: WarnSite): string {
  return `${site.unit}\0${site.file}:${site.line}`;
}
