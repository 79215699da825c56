/**
 * fs/proc: the files the simulated kernel serves, each with its mode; reads and writes check the
 * mode the way proc_sys_permission()/generic_permission() do for root and other users.
 */

import type { AllocinfoProcfs } from '@allocprof/alloc-tag';
import { KernelError } from '../../kernel/errno';

/** Who is asking (current_cred()): uid 0 is root; capSysAdmin is CAP_SYS_ADMIN. */
export interface Cred {
  readonly euid: number;
  readonly capSysAdmin: boolean;
}

/** root with every capability. */
export const ROOT: Cred = Object.freeze({ euid: 0, capSysAdmin: true });

/** One /proc file. */
export interface ProcEntry {
  readonly path: string;
  /** Permission bits, e.g. 0o444. */
  readonly mode: () => number;
  read(cred: Cred): string;
  /** Absent for read-only files. */
  write?(text: string, cred: Cred): void;
}

/** The /proc tree (flat: paths are full names). */
export class ProcFs implements AllocinfoProcfs {
  private readonly entries = new Map<string, ProcEntry>();
  private allocinfoReader: (() => string) | null = null;
  /** Make the next /proc/allocinfo creation fail (proc_create returning NULL). */
  failAllocinfoCreate = false;

  /** proc_create(). */
  create(entry: ProcEntry): void {
    this.entries.set(entry.path, entry);
  }

  /** remove_proc_entry(). */
  remove(path: string): void {
    this.entries.delete(path);
  }

  /** Whether a file exists. */
  exists(path: string): boolean {
    return this.entries.has(path);
  }

  /** Every path, sorted. */
  paths(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** read(2) of a whole file. */
  read(path: string, cred: Cred): string {
    const e = this.lookup(path);
    // Files belong to root; root's CAP_DAC_OVERRIDE reads anything, others need the "other" bit.
    if (cred.euid !== 0 && (e.mode() & 0o004) === 0)
      throw new KernelError('EACCES', `${path}: Permission denied`);
    return e.read(cred);
  }

  /** write(2) of a whole value. */
  write(path: string, text: string, cred: Cred): void {
    const e = this.lookup(path);
    if (e.write === undefined) throw new KernelError('EACCES', `${path}: Permission denied`);
    e.write(text, cred);
  }

  private lookup(path: string): ProcEntry {
    const e = this.entries.get(path);
    if (e === undefined) throw new KernelError('ENOENT', `${path}: No such file or directory`);
    return e;
  }

  /** lib/alloc_tag.c: proc_create_seq_private("allocinfo", 0400, …). */
  createAllocinfo(read: () => string): boolean {
    if (this.failAllocinfoCreate) return false;
    this.allocinfoReader = read;
    this.create({ path: '/proc/allocinfo', mode: () => 0o400, read: () => this.allocinfoReader!() });
    return true;
  }

  /** remove_proc_entry("allocinfo", NULL). */
  removeAllocinfo(): void {
    this.allocinfoReader = null;
    this.remove('/proc/allocinfo');
  }
}
