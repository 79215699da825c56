/**
 * Test support: a memmap and page allocator of a given size for the default configuration,
 * without the rest of the kernel (the Kernel class composes the same pieces at boot).
 */

import {
  computePageFlagsLayout,
  countPageflags,
  countZones,
  getPageFlagsPreset,
} from '@allocprof/page-flags-layout';
import { Dmesg } from '../kernel/printk';
import { TaskContext } from '../sched/current';
import { MemMap } from './memmap';
import {
  type BuddyAllocator,
  HookedPageAllocator,
  NoHooksPageAllocator,
  type PageAllocHooks,
} from './page_alloc';

export interface TestMachine {
  memmap: MemMap;
  alloc: BuddyAllocator;
  ctx: TaskContext;
  dmesg: Dmesg;
}

/** Build memory of `ramBytes` with the x86_64-sim layout and release all of it (minus pfn 0). */
export function testMachine(
  ramBytes: number,
  opts: {
    hooks?: PageAllocHooks<number>;
    cpus?: number;
    nodes?: number;
    reserved?: Array<[number, number]>;
  } = {},
): TestMachine {
  const preset = getPageFlagsPreset('x86_64-sim');
  const layout = computePageFlagsLayout(preset.inputs);
  const memmap = new MemMap(
    {
      ramBytes,
      zones: countZones(preset.kconfig).zones,
      nrNodes: opts.nodes ?? 1,
      sectionSizeBits: preset.inputs.SECTION_SIZE_BITS ?? 0,
    },
    layout,
  );
  const dmesg = new Dmesg();
  const ctx = new TaskContext(opts.cpus ?? 2);
  const pg = countPageflags(preset.kconfig).PG;
  const o = { memmap, ctx, printk: dmesg, pgHead: pg.PG_head!, pgReserved: pg.PG_reserved! };
  const alloc = opts.hooks ? new HookedPageAllocator(o, opts.hooks) : new NoHooksPageAllocator(o);
  alloc.memblockFreeAll(opts.reserved ?? [[0, 1]]);
  return { memmap, alloc, ctx, dmesg };
}
