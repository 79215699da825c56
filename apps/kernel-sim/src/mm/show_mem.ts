/**
 * mm/show_mem.c: __show_mem() — the part of the out-of-memory report that allocation profiling
 * adds: `Memory allocations:` and the ten call sites holding the most memory.
 */

import { type AllocTagSubsystem, allocTagRead } from '@allocprof/alloc-tag';
import type { Printk } from '../kernel/printk';
import { stringGetSize } from '../lib/string_helpers';

/** The `Memory allocations:` block (nothing while profiling is off or no tag is registered). */
export function showMemAllocations(at: AllocTagSubsystem, printk: Printk): void {
  if (!at.enabled) return;
  const top = at.allocTagTopUsers(10, false);
  if (top.length === 0) return;
  printk.printk('notice', 'Memory allocations:');
  for (const { ct } of top) {
    const c = allocTagRead(ct);
    const size = stringGetSize(Math.max(0, c.bytes)).padStart(12, ' ');
    const where = ct.modname === null ? '' : ` [${ct.modname}]`;
    printk.printk(
      'notice',
      `${size} ${String(c.calls).padStart(8, ' ')} ${ct.filename}:${ct.lineno}${where} func:${ct.function}`,
    );
  }
}
