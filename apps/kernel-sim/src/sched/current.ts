/**
 * include/linux/sched.h + arch/x86/include/asm/current.h: the running task (`current`, whose
 * `alloc_tag` page allocations are charged to) and smp_processor_id(), which picks the per-CPU
 * page lists and the per-CPU counter slot of every tag update.
 */

import { TaskStruct } from '@allocprof/alloc-tag';
import { KernelError } from '../kernel/errno';

export { TaskStruct };

/** `current` and smp_processor_id() of the simulator's one thread of execution. */
export class TaskContext {
  readonly nrCpus: number;
  /** smp_processor_id(): read on every per-CPU access, so it is a plain field. */
  cpu = 0;
  /** current (init_task until something else runs). */
  current: TaskStruct;
  private readonly cpuListeners: Array<(cpu: number) => void> = [];
  private readonly taskListeners: Array<(task: TaskStruct) => void> = [];

  constructor(nrCpus: number) {
    if (!Number.isInteger(nrCpus) || nrCpus < 1 || nrCpus > 8192)
      throw new KernelError('EINVAL', `number of CPUs must be 1..8192, got ${nrCpus}`);
    this.nrCpus = nrCpus;
    // init_task: PID 0, the boot CPU's idle task.
    this.current = new TaskStruct('swapper/0', 0);
  }

  /** Run on `cpu` from now on (sched_setaffinity of the running task). */
  setCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.nrCpus)
      throw new KernelError('EINVAL', `CPU ${cpu} does not exist (0..${this.nrCpus - 1})`);
    this.cpu = cpu;
    for (const l of this.cpuListeners) l(cpu);
  }

  /** Called with the new CPU whenever the running task moves (per-CPU counter owners follow). */
  onCpuChange(listener: (cpu: number) => void): void {
    this.cpuListeners.push(listener);
  }

  /** Called with the new task on every context switch (allocation profiling reads `current`). */
  onTaskSwitch(listener: (task: TaskStruct) => void): void {
    this.taskListeners.push(listener);
  }

  /** context_switch(): make `task` current. */
  switchTo(task: TaskStruct): void {
    this.current = task;
    for (const l of this.taskListeners) l(task);
  }
}
