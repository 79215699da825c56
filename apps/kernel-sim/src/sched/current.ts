/**
 * include/linux/sched.h + include/linux/alloc_tag.h: the running task (`current`), its
 * `alloc_tag` (the call site an allocation is charged to) and the CPU it runs on, which selects
 * the per-CPU counter slot and the per-CPU page lists.
 */

import { KernelError } from '../kernel/errno';
import type { Printk } from '../kernel/printk';

/** The part of struct task_struct the simulation needs. */
export class TaskStruct {
  readonly pid: number;
  comm: string;
  /** current->alloc_tag: address of the tag allocations are charged to, 0 = none. */
  allocTag = 0;

  constructor(pid: number, comm: string) {
    this.pid = pid;
    this.comm = comm;
  }
}

/** Per-CPU `current` and smp_processor_id() of the one thread of execution the simulator has. */
export class TaskContext {
  readonly nrCpus: number;
  /** smp_processor_id(): read on every per-CPU access, so it is a plain field. */
  cpu = 0;
  /** current. */
  current: TaskStruct;
  /** CONFIG_MEM_ALLOC_PROFILING_DEBUG: alloc_tag_restore() warns when the tag was changed. */
  debug = false;
  private printk: Printk | undefined;
  private nextPid = 1;

  constructor(nrCpus: number, printk?: Printk) {
    if (!Number.isInteger(nrCpus) || nrCpus < 1 || nrCpus > 8192)
      throw new KernelError('EINVAL', `number of CPUs must be 1..8192, got ${nrCpus}`);
    this.nrCpus = nrCpus;
    this.printk = printk;
    this.current = new TaskStruct(0, 'swapper/0');
  }

  /** Move the running task to `cpu` (migrate_task_to / sched_setaffinity). */
  setCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.nrCpus)
      throw new KernelError('EINVAL', `CPU ${cpu} does not exist (0..${this.nrCpus - 1})`);
    this.cpu = cpu;
  }

  /** kernel/fork.c: a new task (the allocation tag is not inherited). */
  createTask(comm: string): TaskStruct {
    return new TaskStruct(this.nextPid++, comm);
  }

  /** context_switch(): make `task` current on this CPU. */
  switchTo(task: TaskStruct): void {
    this.current = task;
  }

  /** alloc_tag_save(): set current->alloc_tag, returning the previous one. */
  allocTagSave(tag: number): number {
    const old = this.current.allocTag;
    this.current.allocTag = tag;
    return old;
  }

  /**
   * alloc_tag_restore(): put back the tag saved by allocTagSave; with DEBUG, warn if something
   * in between changed current->alloc_tag.
   */
  allocTagRestore(tag: number, old: number): void {
    if (this.debug && this.current.allocTag !== tag && this.printk !== undefined)
      this.printk.printk('warning', 'current->alloc_tag was changed:');
    this.current.allocTag = old;
  }

  /**
   * alloc_hooks(): run `fn` with current->alloc_tag = `tag`; nested calls see the innermost tag.
   * The tag is restored even when `fn` throws.
   */
  allocHooks<T>(tag: number, fn: () => T): T {
    const old = this.allocTagSave(tag);
    try {
      return fn();
    } finally {
      this.allocTagRestore(tag, old);
    }
  }
}
