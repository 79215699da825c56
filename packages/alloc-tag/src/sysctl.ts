import type { MemProfilingState } from './state';
import { AllocTagError, MEM_PROFILING_PARAM, MEM_PROFILING_SYSCTL } from './types';

/** The writer's credentials as sysctl permission checks see them. */
export interface SysctlCred {
  /** Effective uid: 0 uses the owner bits of the mode, anybody else the "other" bits. */
  euid: number;
  /** capable(CAP_SYS_ADMIN) */
  capSysAdmin: boolean;
}

/** root with full capabilities (the boot-time writer, and the default). */
export const ROOT_CRED: SysctlCred = Object.freeze({ euid: 0, capSysAdmin: true });

const SPACE = /^[ \t\n\v\f\r]*/;

/**
 * kernel/sysctl.c: proc_dointvec_minmax() for one int in [0, 1] — leading whitespace, an optional
 * '-', an integer in C base-0 notation (decimal, 0x hex, leading-0 octal) ending at whitespace or
 * the end, trailing whitespace. Anything else (empty, out of range, `1,compressed`) is EINVAL.
 */
export function parseSysctlBool(text: string): 0 | 1 | undefined {
  let s = text.slice(SPACE.exec(text)![0].length);
  if (s.length === 0) return undefined;
  let neg = false;
  if (s[0] === '-') {
    neg = true;
    s = s.slice(1);
  }
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?=$|[ \t\n])/.exec(s);
  if (m === null) return undefined;
  const digits = m[1]!;
  // TMPBUFLEN: proc_get_long() copies at most 21 characters of the number.
  if (digits.length + (neg ? 1 : 0) > 21) return undefined;
  const rest = s.slice(digits.length);
  if (rest.slice(SPACE.exec(rest)![0].length).length !== 0) return undefined;
  const value =
    digits.length > 1 && digits[0] === '0'
      ? digits[1] === 'x' || digits[1] === 'X'
        ? Number.parseInt(digits.slice(2), 16)
        : Number.parseInt(digits, 8)
      : Number.parseInt(digits, 10);
  const v = neg ? -value : value;
  if (v === 0) return 0;
  if (v === 1) return 1;
  return undefined;
}

/**
 * lib/alloc_tag.c: sysctl_init() and the `vm.mem_profiling` ctl_table, served by
 * kernel/sysctl.c: proc_do_static_key() on the key.
 *
 * The mode is decided once, at registration: 0444 with DEBUG or if support is already false,
 * else 0644. Shutdowns after registration leave it writable (a quirk of the kernel): root can then turn
 * the key back on although support is false and /proc/allocinfo is gone.
 */
export class MemProfilingSysctl {
  private readonly state: MemProfilingState;
  private registeredMode = 0;

  constructor(state: MemProfilingState) {
    this.state = state;
  }

  /** Whether /proc/sys/vm/mem_profiling exists. */
  get registered(): boolean {
    return this.registeredMode !== 0;
  }

  /** File mode (0o644 or 0o444); 0 while not registered. */
  get mode(): number {
    return this.registeredMode;
  }

  /** lib/alloc_tag.c: sysctl_init() */
  register(): void {
    if (!this.state.sysctl) return;
    if (this.registeredMode !== 0)
      throw new AllocTagError('EEXIST', 'vm.mem_profiling is already registered');
    this.registeredMode = this.state.debug || !this.state.support ? 0o444 : 0o644;
  }

  /** read(2) of /proc/sys/vm/mem_profiling: the key as `0\n` or `1\n`. */
  read(): string {
    this.checkExists();
    return this.state.key ? '1\n' : '0\n';
  }

  /**
   * write(2) of /proc/sys/vm/mem_profiling: permission by mode (EACCES), then CAP_SYS_ADMIN
   * (EPERM), then the value (EINVAL); on success the key takes the value. Support and the
   * compressed key are never touched. Throws AllocTagError; nothing changes on failure.
   */
  write(text: string, cred: SysctlCred = ROOT_CRED): void {
    this.open(cred);
    this.writeOpened(text, cred);
  }

  /**
   * fs/proc/proc_sysctl.c: process_sysctl_arg() for `sysctl.vm.mem_profiling=<value>` — the
   * generic "sysctl from the command line" write at the end of init (do_sysctl_args()), with its messages.
   * Returns the errno name of the failure, or null.
   */
  processSysctlArg(value: string | null | undefined): string | null {
    const printk = this.state.printk;
    if (!this.state.sysctl) return null;
    if (value === null || value === undefined || value.length === 0) {
      // process_sysctl_arg() returns -EINVAL; parse_args() reports it.
      printk.printk('err', `Setting sysctl args: \`' invalid for parameter \`${MEM_PROFILING_PARAM}'`);
      return 'EINVAL';
    }
    const prefix = `Failed to set sysctl parameter '${MEM_PROFILING_SYSCTL}=${value}'`;
    try {
      this.open(ROOT_CRED);
    } catch (e) {
      const code = (e as AllocTagError).code;
      if (code === 'ENOENT') printk.printk('err', `${prefix}: parameter not found`);
      else printk.printk('err', `${prefix}: permission denied (read-only?)`);
      return code;
    }
    try {
      this.writeOpened(value, ROOT_CRED);
    } catch (e) {
      printk.printk('err', `${prefix}: invalid value`);
      return (e as AllocTagError).code;
    }
    return null;
  }

  private checkExists(): void {
    if (this.registeredMode === 0) {
      throw new AllocTagError('ENOENT', '/proc/sys/vm/mem_profiling: No such file or directory');
    }
  }

  /** fs/proc/proc_sysctl.c: sysctl_perm() at open for writing — root uses the owner bits. */
  private open(cred: SysctlCred): void {
    this.checkExists();
    const bits = cred.euid === 0 ? this.registeredMode >> 6 : this.registeredMode;
    if ((bits & 0o2) === 0) {
      throw new AllocTagError('EACCES', '/proc/sys/vm/mem_profiling: Permission denied');
    }
  }

  /** kernel/sysctl.c: proc_do_static_key(), write side. */
  private writeOpened(text: string, cred: SysctlCred): void {
    if (!cred.capSysAdmin) {
      throw new AllocTagError('EPERM', '/proc/sys/vm/mem_profiling: Operation not permitted');
    }
    const v = parseSysctlBool(text);
    if (v === undefined) {
      throw new AllocTagError(
        'EINVAL',
        `/proc/sys/vm/mem_profiling: Invalid argument (${JSON.stringify(text)})`,
      );
    }
    this.state.setKey(v === 1);
  }
}
