import { KERNEL_ADDRESS_LIMIT, MODULE_ALIGN, MODULES_END, MODULES_VADDR, PAGE_SIZE } from './constants';
import { VmallocError } from './errors';
import { type PgProt, pgprotCode } from './page-table';
import type { Printk } from './printk';

/** include/linux/execmem.h: enum execmem_type. */
export enum ExecmemType {
  EXECMEM_DEFAULT = 0,
  EXECMEM_MODULE_TEXT = EXECMEM_DEFAULT,
  EXECMEM_KPROBES = 1,
  EXECMEM_FTRACE = 2,
  EXECMEM_BPF = 3,
  EXECMEM_MODULE_DATA = 4,
  EXECMEM_TYPE_MAX = 5,
}

const EXECMEM_TYPE_NAMES: readonly string[] = [
  'EXECMEM_DEFAULT',
  'EXECMEM_KPROBES',
  'EXECMEM_FTRACE',
  'EXECMEM_BPF',
  'EXECMEM_MODULE_DATA',
];

/** The kernel name of an execmem type ('EXECMEM_DEFAULT' for MODULE_TEXT, which is the same value). */
export function execmemTypeName(type: ExecmemType): string {
  const name = EXECMEM_TYPE_NAMES[type];
  if (name === undefined) throw new VmallocError('EINVAL', `invalid execmem type ${type}`);
  return name;
}

/** include/linux/execmem.h: enum execmem_range_flags. */
export const EXECMEM_KASAN_SHADOW = 1 << 0;
export const EXECMEM_ROX_CACHE = 1 << 1;

/** include/linux/execmem.h: struct execmem_range (a fallback range is absent when fallbackStart is 0). */
export interface ExecmemRange {
  readonly start: number;
  readonly end: number;
  readonly fallbackStart: number;
  readonly fallbackEnd: number;
  readonly pgprot: PgProt;
  readonly alignment: number;
  readonly flags: number;
}

/** One entry of an architecture's execmem table; omitted fields are 0 as in a C initialiser. */
export interface ExecmemRangeInit {
  start: number;
  end: number;
  fallbackStart?: number;
  fallbackEnd?: number;
  pgprot: PgProt;
  alignment: number;
  flags?: number;
}

/** What execmem_arch_setup() returns: ranges for the types the architecture sets; the rest are filled in. */
export type ExecmemArchRanges = Partial<Record<ExecmemType, ExecmemRangeInit>>;

/**
 * arch/x86/mm/init.c: execmem_arch_setup() as of v6.12 (the series' base), booted with nokaslr
 * so the module range starts exactly at MODULES_VADDR: one DEFAULT range over the module area,
 * PAGE_KERNEL (x86 makes module text executable later with set_memory_x), MODULE_ALIGN.
 */
export function x86_64ExecmemRanges(): ExecmemArchRanges {
  return {
    [ExecmemType.EXECMEM_DEFAULT]: {
      start: MODULES_VADDR,
      end: MODULES_END,
      pgprot: 'PAGE_KERNEL',
      alignment: MODULE_ALIGN,
      flags: EXECMEM_KASAN_SHADOW,
    },
  };
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

function checkRange(type: ExecmemType, r: ExecmemRangeInit): void {
  const name = execmemTypeName(type);
  const addrOk = (a: number) => Number.isSafeInteger(a) && a >= 0 && a < KERNEL_ADDRESS_LIMIT;
  if (!addrOk(r.start) || !addrOk(r.end) || r.start >= r.end || r.start % PAGE_SIZE !== 0) {
    throw new VmallocError('EINVAL', `${name}: invalid range [${r.start}, ${r.end})`);
  }
  const fs = r.fallbackStart ?? 0;
  const fe = r.fallbackEnd ?? 0;
  if (fs !== 0 && (!addrOk(fs) || !addrOk(fe) || fs >= fe || fs % PAGE_SIZE !== 0)) {
    throw new VmallocError('EINVAL', `${name}: invalid fallback range [${fs}, ${fe})`);
  }
  if (!isPowerOfTwo(r.alignment)) {
    throw new VmallocError('EINVAL', `${name}: alignment ${r.alignment} is not a power of two`);
  }
  if (pgprotCode(r.pgprot) < 0) {
    throw new VmallocError('EINVAL', `${name}: unknown pgprot '${String(r.pgprot)}'`);
  }
  const flags = r.flags ?? 0;
  if (!Number.isInteger(flags) || (flags & ~(EXECMEM_KASAN_SHADOW | EXECMEM_ROX_CACHE)) !== 0) {
    throw new VmallocError('EINVAL', `${name}: unknown flags ${flags}`);
  }
}

function toRange(r: ExecmemRangeInit, flags: number): ExecmemRange {
  return {
    start: r.start,
    end: r.end,
    fallbackStart: r.fallbackStart ?? 0,
    fallbackEnd: r.fallbackEnd ?? 0,
    pgprot: r.pgprot,
    alignment: r.alignment,
    flags,
  };
}

/**
 * mm/execmem.c: execmem_init() — execmem_arch_setup() (here: `arch`, or null for an architecture
 * without a table), the generic default, execmem_validate() and execmem_init_missing(). Returns
 * one range per type. Invalid tables are rejected up front instead of leaving execmem
 * uninitialised (the kernel's pr_crit path), so nothing half-initialised can exist.
 */
export function execmemInit(
  arch: ExecmemArchRanges | null,
  vmallocStart: number,
  vmallocEnd: number,
  printk: Printk,
): ExecmemRange[] {
  const table: (ExecmemRangeInit | undefined)[] = [];
  if (arch === null) {
    table[ExecmemType.EXECMEM_DEFAULT] = {
      start: vmallocStart,
      end: vmallocEnd,
      pgprot: 'PAGE_KERNEL_EXEC',
      alignment: 1,
    };
  } else {
    for (const key of Object.keys(arch)) {
      const type = Number(key);
      if (!Number.isInteger(type) || type < 0 || type >= ExecmemType.EXECMEM_TYPE_MAX) {
        throw new VmallocError('EINVAL', `invalid execmem type ${key} in the architecture table`);
      }
    }
    for (let t = 0; t < ExecmemType.EXECMEM_TYPE_MAX; t++) table[t] = arch[t as ExecmemType];
  }

  const def = table[ExecmemType.EXECMEM_DEFAULT];
  if (def === undefined) {
    throw new VmallocError('EINVAL', 'Invalid parameters for execmem allocator, module loading will fail');
  }
  for (let t = 0; t < ExecmemType.EXECMEM_TYPE_MAX; t++) {
    const r = table[t];
    if (r !== undefined) checkRange(t, r);
  }

  // The simulated kernel has no ARCH_HAS_EXECMEM_ROX, so execmem_validate() drops the ROX cache.
  let roxWarned = false;
  const flagsOf = (r: ExecmemRangeInit): number => {
    const flags = r.flags ?? 0;
    if ((flags & EXECMEM_ROX_CACHE) === 0) return flags;
    if (!roxWarned) {
      printk.printk('warning', 'ROX cache is not supported');
      roxWarned = true;
    }
    return flags & ~EXECMEM_ROX_CACHE;
  };

  const defRange = toRange(def, flagsOf(def));
  const ranges: ExecmemRange[] = [defRange];
  for (let t = 1; t < ExecmemType.EXECMEM_TYPE_MAX; t++) {
    const r = table[t];
    if (r !== undefined) {
      ranges.push(toRange(r, flagsOf(r)));
    } else {
      ranges.push({
        ...defRange,
        pgprot: t === ExecmemType.EXECMEM_MODULE_DATA ? 'PAGE_KERNEL' : defRange.pgprot,
      });
    }
  }
  return ranges;
}
