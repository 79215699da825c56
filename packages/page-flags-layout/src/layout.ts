import { PageFlagsLayoutError } from './errors';

/**
 * Inputs of the page->flags layout, named by the kernel's own macros and Kconfig symbols
 * (include/linux/page-flags-layout.h, kernel/bounds.c, arch/<arch>/include/asm/sparsemem.h).
 * Absent booleans are false. Absent numbers are derived where the kernel derives them
 * (`SECTIONS_SHIFT` from the arch constants, `NR_CPUS_BITS` from `CONFIG_NR_CPUS`), else the
 * calculator throws naming the missing field.
 */
export interface PageFlagsLayoutInputs {
  /** 64 or 32. */
  BITS_PER_LONG: number;
  /** `__NR_PAGEFLAGS` of `enum pageflags` (generated/bounds.h); see `countPageflags`. */
  NR_PAGEFLAGS: number;
  /** `__MAX_NR_ZONES` of `enum zone_type` (generated/bounds.h); see `countZones`. */
  MAX_NR_ZONES: number;
  /** `NODES_SHIFT` (include/linux/numa.h): the Kconfig value with NUMA, 0 or absent without. */
  CONFIG_NODES_SHIFT?: number;
  CONFIG_SPARSEMEM?: boolean;
  /** Implies CONFIG_SPARSEMEM: the section number is not kept in page->flags. */
  CONFIG_SPARSEMEM_VMEMMAP?: boolean;
  /** Arch constant (asm/sparsemem.h); with SECTION_SIZE_BITS gives SECTIONS_SHIFT. */
  MAX_PHYSMEM_BITS?: number;
  /** Arch constant (asm/sparsemem.h): log2 of the memory-section size in bytes. */
  SECTION_SIZE_BITS?: number;
  /** `MAX_PHYSMEM_BITS - SECTION_SIZE_BITS`, if given directly. */
  SECTIONS_SHIFT?: number;
  CONFIG_SMP?: boolean;
  /** Required with CONFIG_SMP unless NR_CPUS_BITS is given. */
  CONFIG_NR_CPUS?: number;
  /** `order_base_2(CONFIG_NR_CPUS)` (kernel/bounds.c since v6.10), if given directly. */
  NR_CPUS_BITS?: number;
  CONFIG_NUMA_BALANCING?: boolean;
  CONFIG_KASAN_SW_TAGS?: boolean;
  CONFIG_KASAN_HW_TAGS?: boolean;
  CONFIG_LRU_GEN?: boolean;
}

/**
 * Every value include/linux/page-flags-layout.h and the PGOFF/PGSHIFT macros of include/linux/mm.h
 * (mmzone.h for LRU_GEN/LRU_REFS) compute for one configuration, plus the `#warning`s it emits.
 */
export interface PageFlagsLayout {
  /** The inputs, normalized: booleans explicit, derived numbers filled in. */
  readonly inputs: Readonly<Required<PageFlagsLayoutInputs>>;
  readonly BITS_PER_LONG: 32 | 64;
  readonly NR_PAGEFLAGS: number;
  readonly MAX_NR_ZONES: number;
  readonly NR_CPUS_BITS: number;

  readonly SECTIONS_SHIFT: number;
  readonly NODES_SHIFT: number;
  readonly ZONES_SHIFT: number;
  readonly LAST__PID_SHIFT: number;
  readonly LAST__CPU_SHIFT: number;
  readonly LAST_CPUPID_SHIFT: number;

  readonly SECTIONS_WIDTH: number;
  readonly NODES_WIDTH: number;
  readonly ZONES_WIDTH: number;
  readonly LAST_CPUPID_WIDTH: number;
  readonly KASAN_TAG_WIDTH: number;
  readonly LRU_GEN_WIDTH: number;
  readonly __LRU_REFS_WIDTH: number;
  readonly LRU_REFS_WIDTH: number;

  /** `#define NODE_NOT_IN_PAGE_FLAGS 1`: the node id is looked up through the section instead. */
  readonly NODE_NOT_IN_PAGE_FLAGS: boolean;
  /** `#define LAST_CPUPID_NOT_IN_PAGE_FLAGS`: last_cpupid moved to a separate struct page field. */
  readonly LAST_CPUPID_NOT_IN_PAGE_FLAGS: boolean;

  /** Patch 6: bits used by the non-flag fields (counts LAST_CPUPID_SHIFT, not its width). */
  readonly NR_NON_PAGEFLAG_BITS: number;
  /** Patch 6: bits left for the allocation-tag index. The kernel's value: can be 0 or negative. */
  readonly NR_UNUSED_PAGEFLAG_BITS: number;

  readonly SECTIONS_PGOFF: number;
  readonly NODES_PGOFF: number;
  readonly ZONES_PGOFF: number;
  readonly LAST_CPUPID_PGOFF: number;
  readonly KASAN_TAG_PGOFF: number;
  readonly LRU_GEN_PGOFF: number;
  readonly LRU_REFS_PGOFF: number;

  readonly SECTIONS_PGSHIFT: number;
  readonly NODES_PGSHIFT: number;
  readonly ZONES_PGSHIFT: number;
  readonly LAST_CPUPID_PGSHIFT: number;
  readonly KASAN_TAG_PGSHIFT: number;
  /** Not a kernel macro (the kernel shifts by LRU_GEN_PGOFF); same rule as the other PGSHIFTs. */
  readonly LRU_GEN_PGSHIFT: number;
  /** Not a kernel macro (the kernel shifts by LRU_REFS_PGOFF); same rule as the other PGSHIFTs. */
  readonly LRU_REFS_PGSHIFT: number;

  readonly ZONEID_SHIFT: number;
  readonly ZONEID_PGOFF: number;
  readonly ZONEID_PGSHIFT: number;

  /** Unshifted masks, `(1UL << X_WIDTH) - 1` (LAST_CPUPID_MASK and ZONEID_MASK use the shift). */
  readonly SECTIONS_MASK: number;
  readonly NODES_MASK: number;
  readonly ZONES_MASK: number;
  readonly LAST_CPUPID_MASK: number;
  readonly KASAN_TAG_MASK: number;
  readonly ZONEID_MASK: number;

  /**
   * What lib/alloc_tag.c: alloc_tag_sec_init() would store in `alloc_tag_ref_offs` for the
   * tag-reference field `[LRU_REFS_PGOFF - N, LRU_REFS_PGOFF)`. With N <= 0 the C code shifts by
   * a negative amount (undefined); the simulation treats that as a 0-bit field at LRU_REFS_PGOFF.
   */
  readonly allocTagRefOffs: number;
  /** max(N, 0): the tag-reference field width the simulation uses. */
  readonly allocTagRefBits: number;
  /** `alloc_tag_ref_mask` = 2^allocTagRefBits - 1. */
  readonly allocTagRefMask: number;

  /** Build warnings (`#warning` texts, exactly). */
  readonly warnings: readonly string[];
}

/** LAST__PID_SHIFT in include/linux/page-flags-layout.h. */
const LAST_PID_SHIFT = 8;
/** order_base_2(MAX_NR_GENS + 1) with MAX_NR_GENS = 4 (include/linux/mmzone.h). */
const LRU_GEN_BITS = 3;
/** MAX_NR_TIERS - 2 with MAX_NR_TIERS = 4. */
const LRU_REFS_BITS = 2;
/** KASAN_TAG_WIDTH for both tag modes in v6.13 (HW_TAGS became 4 only in 2025). */
const KASAN_TAG_BITS = 8;

export const ZONES_SHIFT_ERROR = 'ZONES_SHIFT "Too many zones configured"';
export const VMEMMAP_NODES_ERROR = 'Vmemmap: No space for nodes field in page flags';
export const NOT_ENOUGH_BITS_ERROR = 'Not enough bits in page flags';
/** mm/memory.c `#warning` when last_cpupid does not fit. */
export const LAST_CPUPID_WARNING =
  'Unfortunate NUMA and NUMA Balancing config, growing page-frame for last_cpupid.';

const BOOLEAN_INPUTS = [
  'CONFIG_SPARSEMEM',
  'CONFIG_SPARSEMEM_VMEMMAP',
  'CONFIG_SMP',
  'CONFIG_NUMA_BALANCING',
  'CONFIG_KASAN_SW_TAGS',
  'CONFIG_KASAN_HW_TAGS',
  'CONFIG_LRU_GEN',
] as const;

/** [min, max] of each numeric input; the bounds keep every field within one 32-bit access. */
const NUMBER_RANGES = {
  BITS_PER_LONG: [32, 64],
  NR_PAGEFLAGS: [0, 64],
  MAX_NR_ZONES: [1, 64],
  CONFIG_NODES_SHIFT: [0, 10],
  MAX_PHYSMEM_BITS: [12, 64],
  SECTION_SIZE_BITS: [12, 64],
  SECTIONS_SHIFT: [0, 32],
  CONFIG_NR_CPUS: [1, 65536],
  NR_CPUS_BITS: [0, 16],
} as const;

type NumberInput = keyof typeof NUMBER_RANGES;

const KNOWN_INPUTS: ReadonlySet<string> = new Set<string>([...BOOLEAN_INPUTS, ...Object.keys(NUMBER_RANGES)]);

function inputError(field: string, message: string): PageFlagsLayoutError {
  return new PageFlagsLayoutError('EINVAL', `${field}: ${message}`, { field });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeof value;
}

function readNumber(raw: Record<string, unknown>, field: NumberInput): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw inputError(field, `expected an integer, got ${describe(value)}`);
  }
  const [min, max] = NUMBER_RANGES[field];
  if (value < min || value > max) {
    throw inputError(field, `${value} is out of range (${min}..${max})`);
  }
  return value;
}

function readBoolean(raw: Record<string, unknown>, field: (typeof BOOLEAN_INPUTS)[number]): boolean {
  const value = raw[field];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw inputError(field, `expected a boolean, got ${describe(value)}`);
  return value;
}

/** include/linux/log2.h: order_base_2(n) = ceil(log2(n)), with order_base_2(1) = 0. */
export function orderBase2(n: number): number {
  let order = 0;
  while (2 ** order < n) order++;
  return order;
}

/** Validates raw inputs (from TypeScript or JSON) and fills in what the kernel derives. */
function normalizeInputs(inputs: PageFlagsLayoutInputs): Required<PageFlagsLayoutInputs> {
  if (typeof inputs !== 'object' || inputs === null) {
    throw new PageFlagsLayoutError(
      'EINVAL',
      `page-flags layout inputs must be an object, got ${describe(inputs)}`,
    );
  }
  const raw = inputs as unknown as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KNOWN_INPUTS.has(key)) throw inputError(key, 'unknown page-flags layout input');
  }

  const bitsPerLong = readNumber(raw, 'BITS_PER_LONG');
  if (bitsPerLong === undefined) throw inputError('BITS_PER_LONG', 'required (64 or 32)');
  if (bitsPerLong !== 32 && bitsPerLong !== 64)
    throw inputError('BITS_PER_LONG', `must be 64 or 32, got ${bitsPerLong}`);
  const nrPageflags = readNumber(raw, 'NR_PAGEFLAGS');
  if (nrPageflags === undefined) throw inputError('NR_PAGEFLAGS', 'required (see countPageflags)');
  if (nrPageflags > bitsPerLong) {
    throw inputError(
      'NR_PAGEFLAGS',
      `${nrPageflags} is out of range (0..${bitsPerLong} for BITS_PER_LONG ${bitsPerLong})`,
    );
  }
  const maxNrZones = readNumber(raw, 'MAX_NR_ZONES');
  if (maxNrZones === undefined) throw inputError('MAX_NR_ZONES', 'required (see countZones)');

  const sparsemem = readBoolean(raw, 'CONFIG_SPARSEMEM');
  const vmemmap = readBoolean(raw, 'CONFIG_SPARSEMEM_VMEMMAP');
  if (vmemmap && !sparsemem) throw inputError('CONFIG_SPARSEMEM_VMEMMAP', 'requires CONFIG_SPARSEMEM');

  const maxPhysmemBits = readNumber(raw, 'MAX_PHYSMEM_BITS');
  const sectionSizeBits = readNumber(raw, 'SECTION_SIZE_BITS');
  let sectionsShift = readNumber(raw, 'SECTIONS_SHIFT');
  if (maxPhysmemBits !== undefined && sectionSizeBits !== undefined) {
    if (sectionSizeBits > maxPhysmemBits) {
      throw inputError('SECTION_SIZE_BITS', `${sectionSizeBits} exceeds MAX_PHYSMEM_BITS ${maxPhysmemBits}`);
    }
    const derived = maxPhysmemBits - sectionSizeBits;
    if (sectionsShift !== undefined && sectionsShift !== derived) {
      throw inputError(
        'SECTIONS_SHIFT',
        `${sectionsShift} contradicts MAX_PHYSMEM_BITS - SECTION_SIZE_BITS = ${maxPhysmemBits} - ${sectionSizeBits} = ${derived}`,
      );
    }
    if (derived > NUMBER_RANGES.SECTIONS_SHIFT[1]) {
      throw inputError(
        'SECTIONS_SHIFT',
        `MAX_PHYSMEM_BITS - SECTION_SIZE_BITS = ${derived} is out of range (0..32)`,
      );
    }
    if (sparsemem) sectionsShift = derived;
  } else if (sparsemem && sectionsShift === undefined) {
    const missing = maxPhysmemBits === undefined ? 'MAX_PHYSMEM_BITS' : 'SECTION_SIZE_BITS';
    throw inputError(missing, 'required with CONFIG_SPARSEMEM (or give SECTIONS_SHIFT)');
  }
  if (!sparsemem) {
    if (sectionsShift !== undefined && sectionsShift !== 0) {
      throw inputError(
        'SECTIONS_SHIFT',
        `${sectionsShift} without CONFIG_SPARSEMEM (the kernel defines it as 0)`,
      );
    }
    sectionsShift = 0;
  }

  const smp = readBoolean(raw, 'CONFIG_SMP');
  let nrCpus = readNumber(raw, 'CONFIG_NR_CPUS');
  let nrCpusBits = readNumber(raw, 'NR_CPUS_BITS');
  if (smp) {
    if (nrCpus !== undefined) {
      const derived = orderBase2(nrCpus);
      if (nrCpusBits !== undefined && nrCpusBits !== derived) {
        throw inputError(
          'NR_CPUS_BITS',
          `${nrCpusBits} contradicts order_base_2(CONFIG_NR_CPUS=${nrCpus}) = ${derived}`,
        );
      }
      nrCpusBits = derived;
    } else if (nrCpusBits !== undefined) {
      nrCpus = 2 ** nrCpusBits;
    } else {
      throw inputError('CONFIG_NR_CPUS', 'required with CONFIG_SMP (or give NR_CPUS_BITS)');
    }
  } else {
    // kernel/bounds.c defines NR_CPUS_BITS only for SMP; Kconfig pins NR_CPUS to 1 without it.
    if (nrCpusBits !== undefined && nrCpusBits !== 0) {
      throw inputError('NR_CPUS_BITS', `${nrCpusBits} without CONFIG_SMP (the kernel uses 0)`);
    }
    if (nrCpus !== undefined && nrCpus !== 1) {
      throw inputError('CONFIG_NR_CPUS', `${nrCpus} without CONFIG_SMP (Kconfig fixes it to 1)`);
    }
    nrCpus = 1;
    nrCpusBits = 0;
  }

  const kasanSw = readBoolean(raw, 'CONFIG_KASAN_SW_TAGS');
  const kasanHw = readBoolean(raw, 'CONFIG_KASAN_HW_TAGS');
  if (kasanSw && kasanHw) {
    throw inputError(
      'CONFIG_KASAN_HW_TAGS',
      'CONFIG_KASAN_SW_TAGS and CONFIG_KASAN_HW_TAGS are one Kconfig choice',
    );
  }

  return {
    BITS_PER_LONG: bitsPerLong,
    NR_PAGEFLAGS: nrPageflags,
    MAX_NR_ZONES: maxNrZones,
    CONFIG_NODES_SHIFT: readNumber(raw, 'CONFIG_NODES_SHIFT') ?? 0,
    CONFIG_SPARSEMEM: sparsemem,
    CONFIG_SPARSEMEM_VMEMMAP: vmemmap,
    MAX_PHYSMEM_BITS: maxPhysmemBits ?? 0,
    SECTION_SIZE_BITS: sectionSizeBits ?? 0,
    SECTIONS_SHIFT: sectionsShift ?? 0,
    CONFIG_SMP: smp,
    CONFIG_NR_CPUS: nrCpus,
    NR_CPUS_BITS: nrCpusBits,
    CONFIG_NUMA_BALANCING: readBoolean(raw, 'CONFIG_NUMA_BALANCING'),
    CONFIG_KASAN_SW_TAGS: kasanSw,
    CONFIG_KASAN_HW_TAGS: kasanHw,
    CONFIG_LRU_GEN: readBoolean(raw, 'CONFIG_LRU_GEN'),
  };
}

function buildError(message: string): PageFlagsLayoutError {
  return new PageFlagsLayoutError('EINVAL', message);
}

/**
 * include/linux/page-flags-layout.h (with patch 6's NR_NON_PAGEFLAG_BITS and
 * NR_UNUSED_PAGEFLAG_BITS) and the PGOFF/PGSHIFT/ZONEID macros of include/linux/mm.h: evaluates the
 * preprocessor logic in the header's order. `#error` becomes a PageFlagsLayoutError whose message
 * is the kernel's text; `#warning`s are collected in `warnings`.
 */
export function computePageFlagsLayout(inputs: PageFlagsLayoutInputs): PageFlagsLayout {
  const n = normalizeInputs(inputs);
  const BITS_PER_LONG = n.BITS_PER_LONG as 32 | 64;
  const FREE = BITS_PER_LONG - n.NR_PAGEFLAGS;
  const warnings: string[] = [];

  const LRU_GEN_WIDTH = n.CONFIG_LRU_GEN ? LRU_GEN_BITS : 0;
  const __LRU_REFS_WIDTH = n.CONFIG_LRU_GEN ? LRU_REFS_BITS : 0;

  let ZONES_SHIFT: number;
  if (n.MAX_NR_ZONES < 2) ZONES_SHIFT = 0;
  else if (n.MAX_NR_ZONES <= 2) ZONES_SHIFT = 1;
  else if (n.MAX_NR_ZONES <= 4) ZONES_SHIFT = 2;
  else if (n.MAX_NR_ZONES <= 8) ZONES_SHIFT = 3;
  else throw buildError(ZONES_SHIFT_ERROR);
  const ZONES_WIDTH = ZONES_SHIFT;

  const SECTIONS_SHIFT = n.SECTIONS_SHIFT;
  const SECTIONS_WIDTH = n.CONFIG_SPARSEMEM && !n.CONFIG_SPARSEMEM_VMEMMAP ? SECTIONS_SHIFT : 0;

  const NODES_SHIFT = n.CONFIG_NODES_SHIFT;
  let NODES_WIDTH: number;
  if (ZONES_WIDTH + LRU_GEN_WIDTH + SECTIONS_WIDTH + NODES_SHIFT <= FREE) NODES_WIDTH = NODES_SHIFT;
  else if (n.CONFIG_SPARSEMEM_VMEMMAP) throw buildError(VMEMMAP_NODES_ERROR);
  else NODES_WIDTH = 0;
  const NODE_NOT_IN_PAGE_FLAGS = NODES_SHIFT !== 0 && NODES_WIDTH === 0;

  const KASAN_TAG_WIDTH = n.CONFIG_KASAN_SW_TAGS || n.CONFIG_KASAN_HW_TAGS ? KASAN_TAG_BITS : 0;

  const LAST__PID_SHIFT = n.CONFIG_NUMA_BALANCING ? LAST_PID_SHIFT : 0;
  const LAST__CPU_SHIFT = n.CONFIG_NUMA_BALANCING ? n.NR_CPUS_BITS : 0;
  const LAST_CPUPID_SHIFT = LAST__PID_SHIFT + LAST__CPU_SHIFT;
  const beforeCpupid = ZONES_WIDTH + LRU_GEN_WIDTH + SECTIONS_WIDTH + NODES_WIDTH + KASAN_TAG_WIDTH;
  const LAST_CPUPID_WIDTH = beforeCpupid + LAST_CPUPID_SHIFT <= FREE ? LAST_CPUPID_SHIFT : 0;
  const LAST_CPUPID_NOT_IN_PAGE_FLAGS = LAST_CPUPID_SHIFT !== 0 && LAST_CPUPID_WIDTH === 0;
  if (LAST_CPUPID_NOT_IN_PAGE_FLAGS) warnings.push(LAST_CPUPID_WARNING);

  if (beforeCpupid + LAST_CPUPID_WIDTH > FREE) throw buildError(NOT_ENOUGH_BITS_ERROR);

  const LRU_REFS_WIDTH = Math.min(__LRU_REFS_WIDTH, FREE - beforeCpupid - LAST_CPUPID_WIDTH);

  const NR_NON_PAGEFLAG_BITS =
    SECTIONS_WIDTH +
    NODES_WIDTH +
    ZONES_WIDTH +
    LAST_CPUPID_SHIFT +
    KASAN_TAG_WIDTH +
    LRU_GEN_WIDTH +
    LRU_REFS_WIDTH;
  const NR_UNUSED_PAGEFLAG_BITS = BITS_PER_LONG - (NR_NON_PAGEFLAG_BITS + n.NR_PAGEFLAGS);

  const SECTIONS_PGOFF = BITS_PER_LONG - SECTIONS_WIDTH;
  const NODES_PGOFF = SECTIONS_PGOFF - NODES_WIDTH;
  const ZONES_PGOFF = NODES_PGOFF - ZONES_WIDTH;
  const LAST_CPUPID_PGOFF = ZONES_PGOFF - LAST_CPUPID_WIDTH;
  const KASAN_TAG_PGOFF = LAST_CPUPID_PGOFF - KASAN_TAG_WIDTH;
  const LRU_GEN_PGOFF = KASAN_TAG_PGOFF - LRU_GEN_WIDTH;
  const LRU_REFS_PGOFF = LRU_GEN_PGOFF - LRU_REFS_WIDTH;
  const pgshift = (pgoff: number, width: number) => (width !== 0 ? pgoff : 0);

  const ZONEID_SHIFT = NODE_NOT_IN_PAGE_FLAGS ? SECTIONS_SHIFT + ZONES_SHIFT : NODES_SHIFT + ZONES_SHIFT;
  const ZONEID_PGOFF = NODE_NOT_IN_PAGE_FLAGS
    ? Math.min(SECTIONS_PGOFF, ZONES_PGOFF)
    : Math.min(NODES_PGOFF, ZONES_PGOFF);

  const allocTagRefBits = Math.max(NR_UNUSED_PAGEFLAG_BITS, 0);

  return Object.freeze({
    inputs: Object.freeze(n),
    BITS_PER_LONG,
    NR_PAGEFLAGS: n.NR_PAGEFLAGS,
    MAX_NR_ZONES: n.MAX_NR_ZONES,
    NR_CPUS_BITS: n.NR_CPUS_BITS,
    SECTIONS_SHIFT,
    NODES_SHIFT,
    ZONES_SHIFT,
    LAST__PID_SHIFT,
    LAST__CPU_SHIFT,
    LAST_CPUPID_SHIFT,
    SECTIONS_WIDTH,
    NODES_WIDTH,
    ZONES_WIDTH,
    LAST_CPUPID_WIDTH,
    KASAN_TAG_WIDTH,
    LRU_GEN_WIDTH,
    __LRU_REFS_WIDTH,
    LRU_REFS_WIDTH,
    NODE_NOT_IN_PAGE_FLAGS,
    LAST_CPUPID_NOT_IN_PAGE_FLAGS,
    NR_NON_PAGEFLAG_BITS,
    NR_UNUSED_PAGEFLAG_BITS,
    SECTIONS_PGOFF,
    NODES_PGOFF,
    ZONES_PGOFF,
    LAST_CPUPID_PGOFF,
    KASAN_TAG_PGOFF,
    LRU_GEN_PGOFF,
    LRU_REFS_PGOFF,
    SECTIONS_PGSHIFT: pgshift(SECTIONS_PGOFF, SECTIONS_WIDTH),
    NODES_PGSHIFT: pgshift(NODES_PGOFF, NODES_WIDTH),
    ZONES_PGSHIFT: pgshift(ZONES_PGOFF, ZONES_WIDTH),
    LAST_CPUPID_PGSHIFT: pgshift(LAST_CPUPID_PGOFF, LAST_CPUPID_WIDTH),
    KASAN_TAG_PGSHIFT: pgshift(KASAN_TAG_PGOFF, KASAN_TAG_WIDTH),
    LRU_GEN_PGSHIFT: pgshift(LRU_GEN_PGOFF, LRU_GEN_WIDTH),
    LRU_REFS_PGSHIFT: pgshift(LRU_REFS_PGOFF, LRU_REFS_WIDTH),
    ZONEID_SHIFT,
    ZONEID_PGOFF,
    ZONEID_PGSHIFT: ZONEID_SHIFT !== 0 ? ZONEID_PGOFF : 0,
    SECTIONS_MASK: 2 ** SECTIONS_WIDTH - 1,
    NODES_MASK: 2 ** NODES_WIDTH - 1,
    ZONES_MASK: 2 ** ZONES_WIDTH - 1,
    LAST_CPUPID_MASK: 2 ** LAST_CPUPID_SHIFT - 1,
    KASAN_TAG_MASK: 2 ** KASAN_TAG_WIDTH - 1,
    ZONEID_MASK: 2 ** ZONEID_SHIFT - 1,
    allocTagRefOffs: LRU_REFS_PGOFF - allocTagRefBits,
    allocTagRefBits,
    allocTagRefMask: 2 ** allocTagRefBits - 1,
    warnings: Object.freeze(warnings),
  });
}
