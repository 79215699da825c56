import { PageFlagsLayoutError } from './errors';
import type { PageFlagsLayoutInputs } from './layout';

/**
 * One Kconfig symbol's value as a `.config` writes it: `true` for `=y`, `'m'` for `=m`, `false`
 * for `# CONFIG_X is not set` (or `=n`), a number for int and hex symbols, a string for string
 * symbols. Hex values beyond 2^53 stay strings (`'0xdead000000000000'`) so nothing is rounded.
 */
export type KconfigValue = boolean | 'm' | number | string;

/** A kernel configuration: `CONFIG_*` name → value. Absent symbols are not set. */
export type Kconfig = Readonly<Record<string, KconfigValue>>;

/** Architectures whose asm/sparsemem.h constants this package knows. */
export type KernelArch = 'x86_64' | 'x86_32' | 'arm64' | 'arm' | 'riscv64' | 'mips';

export const KERNEL_ARCHES: readonly KernelArch[] = Object.freeze([
  'x86_64',
  'x86_32',
  'arm64',
  'arm',
  'riscv64',
  'mips',
]);

/** True for `=y` and `=m` (tristate "enabled in some form"). */
export function kconfigEnabled(kconfig: Kconfig, name: string): boolean {
  const value = kconfig[name];
  return value === true || value === 'm';
}

/** The `enum pageflags` members that are always present (v6.12/v6.13), in enum order. */
const PAGEFLAGS_ALWAYS = [
  'PG_locked',
  'PG_writeback',
  'PG_referenced',
  'PG_uptodate',
  'PG_dirty',
  'PG_lru',
  'PG_head',
  'PG_waiters',
  'PG_active',
  'PG_workingset',
  'PG_owner_priv_1',
  'PG_owner_2',
  'PG_arch_1',
  'PG_reserved',
  'PG_private',
  'PG_private_2',
  'PG_reclaim',
  'PG_swapbacked',
  'PG_unevictable',
] as const;

/** Members of `enum pageflags` present in every configuration, and their aliases. */
export type UnconditionalPageflag = (typeof PAGEFLAGS_ALWAYS)[number] | (typeof PAGEFLAG_ALIASES)[number][0];

/** Aliases declared after `__NR_PAGEFLAGS`: they reuse a bit and do not count. */
const PAGEFLAG_ALIASES = [
  ['PG_readahead', 'PG_reclaim'],
  ['PG_swapcache', 'PG_owner_priv_1'],
  ['PG_checked', 'PG_owner_priv_1'],
  ['PG_anon_exclusive', 'PG_owner_2'],
  ['PG_mappedtodisk', 'PG_owner_2'],
  ['PG_fscache', 'PG_private_2'],
  ['PG_pinned', 'PG_owner_priv_1'],
  ['PG_savepinned', 'PG_dirty'],
  ['PG_foreign', 'PG_owner_priv_1'],
  ['PG_xen_remapped', 'PG_owner_priv_1'],
  ['PG_isolated', 'PG_reclaim'],
  ['PG_reported', 'PG_uptodate'],
  ['PG_has_hwpoisoned', 'PG_active'],
  ['PG_large_rmappable', 'PG_workingset'],
  ['PG_partially_mapped', 'PG_reclaim'],
] as const satisfies ReadonlyArray<readonly [string, (typeof PAGEFLAGS_ALWAYS)[number]]>;

/** Result of countPageflags. */
export interface PageflagsCount {
  /** The counted members in enum order (index = bit number). */
  readonly pageflags: readonly string[];
  /** `__NR_PAGEFLAGS`. */
  readonly NR_PAGEFLAGS: number;
  /** Bit number of every member and alias for this configuration. */
  readonly PG: Readonly<Record<string, number>>;
}

function pageflagBits(pageflags: readonly string[]): Record<string, number> {
  const bits: Record<string, number> = {};
  pageflags.forEach((name, bit) => {
    bits[name] = bit;
  });
  for (const [alias, target] of PAGEFLAG_ALIASES) bits[alias] = bits[target]!;
  return bits;
}

/**
 * include/linux/page-flags.h `enum pageflags` (v6.12/v6.13): which `PG_*` members exist for a
 * configuration, i.e. the `NR_PAGEFLAGS` that kernel/bounds.c generates.
 */
export function countPageflags(kconfig: Kconfig): PageflagsCount {
  const pageflags: string[] = [...PAGEFLAGS_ALWAYS];
  if (kconfigEnabled(kconfig, 'CONFIG_MMU')) pageflags.push('PG_mlocked');
  if (kconfigEnabled(kconfig, 'CONFIG_ARCH_USES_PG_UNCACHED')) pageflags.push('PG_uncached');
  if (kconfigEnabled(kconfig, 'CONFIG_MEMORY_FAILURE')) pageflags.push('PG_hwpoison');
  if (kconfigEnabled(kconfig, 'CONFIG_PAGE_IDLE_FLAG') && kconfigEnabled(kconfig, 'CONFIG_64BIT')) {
    pageflags.push('PG_young', 'PG_idle');
  }
  if (kconfigEnabled(kconfig, 'CONFIG_ARCH_USES_PG_ARCH_2')) pageflags.push('PG_arch_2');
  if (kconfigEnabled(kconfig, 'CONFIG_ARCH_USES_PG_ARCH_3')) pageflags.push('PG_arch_3');
  return Object.freeze({
    pageflags: Object.freeze(pageflags),
    NR_PAGEFLAGS: pageflags.length,
    PG: Object.freeze(pageflagBits(pageflags)),
  });
}

/**
 * Bit numbers of the `enum pageflags` members present in every configuration (they come first,
 * so their numbers never change) and of the aliases of those. Configuration-dependent members
 * (PG_mlocked, PG_hwpoison, ...) are in `countPageflags(kconfig).PG`.
 */
export const PG: Readonly<Record<UnconditionalPageflag, number>> & Readonly<Record<string, number>> =
  Object.freeze(pageflagBits(PAGEFLAGS_ALWAYS) as Record<UnconditionalPageflag, number>);

/** Result of countZones. */
export interface ZonesCount {
  /** `enum zone_type` members in order. */
  readonly zones: readonly string[];
  /** `__MAX_NR_ZONES`. */
  readonly MAX_NR_ZONES: number;
}

/** include/linux/mmzone.h `enum zone_type`: ZONE_NORMAL and ZONE_MOVABLE always, the rest by option. */
export function countZones(kconfig: Kconfig): ZonesCount {
  const zones: string[] = [];
  if (kconfigEnabled(kconfig, 'CONFIG_ZONE_DMA')) zones.push('ZONE_DMA');
  if (kconfigEnabled(kconfig, 'CONFIG_ZONE_DMA32')) zones.push('ZONE_DMA32');
  zones.push('ZONE_NORMAL');
  if (kconfigEnabled(kconfig, 'CONFIG_HIGHMEM')) zones.push('ZONE_HIGHMEM');
  zones.push('ZONE_MOVABLE');
  if (kconfigEnabled(kconfig, 'CONFIG_ZONE_DEVICE')) zones.push('ZONE_DEVICE');
  return Object.freeze({ zones: Object.freeze(zones), MAX_NR_ZONES: zones.length });
}

/** Where a symbol came from, for error messages. */
interface Origin {
  readonly filename: string | undefined;
  readonly lines: ReadonlyMap<string, number> | undefined;
}

function symbolError(origin: Origin, field: string, message: string): PageFlagsLayoutError {
  const line = origin.lines?.get(field);
  if (origin.filename !== undefined && line !== undefined) {
    return new PageFlagsLayoutError('EINVAL', `${origin.filename}:${line}: ${field}: ${message}`, {
      field,
      line,
    });
  }
  const where = origin.filename !== undefined ? `${origin.filename}: ` : '';
  return new PageFlagsLayoutError('EINVAL', `${where}${field}: ${message}`, { field });
}

function describeValue(value: KconfigValue): string {
  if (value === true) return 'y';
  if (value === false) return 'n';
  return typeof value === 'string' && value !== 'm' ? JSON.stringify(value) : String(value);
}

function kconfigInt(
  kconfig: Kconfig,
  origin: Origin,
  name: string,
  min: number,
  max: number,
  why: string,
): number | undefined {
  const value = kconfig[name];
  if (value === undefined || value === false) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw symbolError(origin, name, `expected a number, got ${describeValue(value)}`);
  }
  if (value < min || value > max)
    throw symbolError(origin, name, `${value} is out of range (${min}..${max}) ${why}`);
  return value;
}

/** asm/sparsemem.h constants of one architecture for a configuration. */
export interface ArchSparsemem {
  readonly SECTION_SIZE_BITS: number;
  readonly MAX_PHYSMEM_BITS: number;
}

/** Options that choose between run-time alternatives of an architecture. */
export interface ArchOptions {
  /**
   * x86_64 only: whether 5-level paging is active. The kernel decides at boot
   * (`pgtable_l5_enabled()`); default: active iff CONFIG_X86_5LEVEL=y (i.e. LA57 hardware).
   */
  readonly pgtableL5?: boolean;
}

const ARCH_SYMBOL: Readonly<Record<KernelArch, string>> = {
  x86_64: 'CONFIG_X86_64',
  x86_32: 'CONFIG_X86_32',
  arm64: 'CONFIG_ARM64',
  arm: 'CONFIG_ARM',
  riscv64: 'CONFIG_RISCV',
  mips: 'CONFIG_MIPS',
};

/** true = must be 64-bit, false = must be 32-bit, undefined = either. */
const ARCH_64BIT: Readonly<Record<KernelArch, boolean | undefined>> = {
  x86_64: true,
  x86_32: false,
  arm64: true,
  arm: false,
  riscv64: true,
  mips: undefined,
};

function isKernelArch(arch: string): arch is KernelArch {
  return (KERNEL_ARCHES as readonly string[]).includes(arch);
}

function checkArch(arch: string, origin: Origin): KernelArch {
  if (!isKernelArch(arch)) {
    throw new PageFlagsLayoutError(
      'EINVAL',
      `${origin.filename !== undefined ? `${origin.filename}: ` : ''}arch: unknown architecture ${JSON.stringify(arch)} (known: ${KERNEL_ARCHES.join(', ')})`,
      { field: 'arch' },
    );
  }
  return arch;
}

/** The architecture a configuration was made for, from its arch symbols; undefined if none is set. */
export function detectKernelArch(kconfig: Kconfig): KernelArch | undefined {
  if (kconfigEnabled(kconfig, 'CONFIG_X86_64')) return 'x86_64';
  if (kconfigEnabled(kconfig, 'CONFIG_X86_32')) return 'x86_32';
  if (kconfigEnabled(kconfig, 'CONFIG_ARM64')) return 'arm64';
  if (kconfigEnabled(kconfig, 'CONFIG_ARM')) return 'arm';
  if (kconfigEnabled(kconfig, 'CONFIG_RISCV') && kconfigEnabled(kconfig, 'CONFIG_64BIT')) return 'riscv64';
  if (kconfigEnabled(kconfig, 'CONFIG_MIPS')) return 'mips';
  return undefined;
}

function archSparsememChecked(
  arch: KernelArch,
  kconfig: Kconfig,
  origin: Origin,
  options: ArchOptions,
): ArchSparsemem {
  switch (arch) {
    case 'x86_64': {
      // MAX_PHYSMEM_BITS is (pgtable_l5_enabled() ? 52 : 46): decided at boot, not at build time.
      const l5 = options.pgtableL5 ?? kconfigEnabled(kconfig, 'CONFIG_X86_5LEVEL');
      return { SECTION_SIZE_BITS: 27, MAX_PHYSMEM_BITS: l5 ? 52 : 46 };
    }
    case 'x86_32':
      return kconfigEnabled(kconfig, 'CONFIG_X86_PAE')
        ? { SECTION_SIZE_BITS: 29, MAX_PHYSMEM_BITS: 36 }
        : { SECTION_SIZE_BITS: 26, MAX_PHYSMEM_BITS: 32 };
    case 'arm64': {
      const paBits = kconfigInt(kconfig, origin, 'CONFIG_ARM64_PA_BITS', 36, 52, 'for arm64');
      if (paBits === undefined) {
        throw symbolError(
          origin,
          'CONFIG_ARM64_PA_BITS',
          'required on arm64 (MAX_PHYSMEM_BITS = CONFIG_ARM64_PA_BITS)',
        );
      }
      return {
        SECTION_SIZE_BITS: kconfigEnabled(kconfig, 'CONFIG_ARM64_64K_PAGES') ? 29 : 27,
        MAX_PHYSMEM_BITS: paBits,
      };
    }
    case 'arm':
      // The generic ARM defaults; a few old machines override them in mach/memory.h.
      return { SECTION_SIZE_BITS: 28, MAX_PHYSMEM_BITS: 36 };
    case 'riscv64':
      // v6.13 hard-codes 56 for 64-bit; some trees take CONFIG_PA_BITS (same value).
      return {
        SECTION_SIZE_BITS: 27,
        MAX_PHYSMEM_BITS: kconfigInt(kconfig, origin, 'CONFIG_PA_BITS', 32, 64, 'for riscv') ?? 56,
      };
    case 'mips':
      return {
        SECTION_SIZE_BITS:
          kconfigEnabled(kconfig, 'CONFIG_MIPS_HUGE_TLB_SUPPORT') &&
          kconfigEnabled(kconfig, 'CONFIG_PAGE_SIZE_64KB')
            ? 29
            : 28,
        MAX_PHYSMEM_BITS: 48,
      };
  }
}

/** arch/<arch>/include/asm/sparsemem.h: SECTION_SIZE_BITS and MAX_PHYSMEM_BITS for a configuration. */
export function archSparsemem(arch: KernelArch, kconfig: Kconfig, options: ArchOptions = {}): ArchSparsemem {
  const origin: Origin = { filename: undefined, lines: undefined };
  return archSparsememChecked(checkArch(arch, origin), kconfig, origin, options);
}

function layoutInputsFrom(
  kconfig: Kconfig,
  arch: KernelArch,
  origin: Origin,
  options: ArchOptions,
): PageFlagsLayoutInputs {
  const is64 = kconfigEnabled(kconfig, 'CONFIG_64BIT');
  const want64 = ARCH_64BIT[arch];
  if (want64 !== undefined && want64 !== is64) {
    throw symbolError(
      origin,
      'CONFIG_64BIT',
      `${arch} is ${want64 ? '64' : '32'}-bit but CONFIG_64BIT is ${is64 ? 'set' : 'not set'}`,
    );
  }
  const detected = detectKernelArch(kconfig);
  if (detected !== undefined && detected !== arch) {
    throw symbolError(origin, ARCH_SYMBOL[detected], `the configuration is for ${detected}, not ${arch}`);
  }

  const smp = kconfigEnabled(kconfig, 'CONFIG_SMP');
  const sparsemem = kconfigEnabled(kconfig, 'CONFIG_SPARSEMEM');
  const inputs: PageFlagsLayoutInputs = {
    BITS_PER_LONG: is64 ? 64 : 32,
    NR_PAGEFLAGS: countPageflags(kconfig).NR_PAGEFLAGS,
    MAX_NR_ZONES: countZones(kconfig).MAX_NR_ZONES,
    CONFIG_NODES_SHIFT:
      kconfigInt(kconfig, origin, 'CONFIG_NODES_SHIFT', 0, 10, '(Kconfig allows 1..10)') ?? 0,
    CONFIG_SPARSEMEM: sparsemem,
    CONFIG_SPARSEMEM_VMEMMAP: sparsemem && kconfigEnabled(kconfig, 'CONFIG_SPARSEMEM_VMEMMAP'),
    CONFIG_SMP: smp,
    CONFIG_NUMA_BALANCING: kconfigEnabled(kconfig, 'CONFIG_NUMA_BALANCING'),
    CONFIG_KASAN_SW_TAGS: kconfigEnabled(kconfig, 'CONFIG_KASAN_SW_TAGS'),
    CONFIG_KASAN_HW_TAGS: kconfigEnabled(kconfig, 'CONFIG_KASAN_HW_TAGS'),
    CONFIG_LRU_GEN: kconfigEnabled(kconfig, 'CONFIG_LRU_GEN'),
  };
  if (sparsemem) {
    const constants = archSparsememChecked(arch, kconfig, origin, options);
    inputs.MAX_PHYSMEM_BITS = constants.MAX_PHYSMEM_BITS;
    inputs.SECTION_SIZE_BITS = constants.SECTION_SIZE_BITS;
  }
  if (smp) {
    const nrCpus = kconfigInt(kconfig, origin, 'CONFIG_NR_CPUS', 1, 65536, '');
    if (nrCpus === undefined) throw symbolError(origin, 'CONFIG_NR_CPUS', 'required with CONFIG_SMP=y');
    inputs.CONFIG_NR_CPUS = nrCpus;
  }
  return inputs;
}

/**
 * The calculator inputs of a configuration (as kernel/bounds.c and the headers would see them)
 * for architecture `arch`; the configuration's own arch symbols must agree with it.
 */
export function kconfigToLayoutInputs(
  kconfig: Kconfig,
  arch: KernelArch,
  options: ArchOptions = {},
): PageFlagsLayoutInputs {
  const origin: Origin = { filename: undefined, lines: undefined };
  return layoutInputsFrom(kconfig, checkArch(arch, origin), origin, options);
}

/** Options of parseKconfig. */
export interface ParseKconfigOptions extends ArchOptions {
  /** Architecture; default: detected from the arch symbols (CONFIG_X86_64, CONFIG_ARM64, ...). */
  readonly arch?: KernelArch | string;
  /** Name used in error messages; default `.config`. */
  readonly filename?: string;
}

/** Result of parseKconfig. */
export interface ParsedKconfig {
  readonly arch: KernelArch;
  readonly kconfig: Kconfig;
  /** The calculator's inputs for this configuration. */
  readonly inputs: PageFlagsLayoutInputs;
  readonly pageflags: PageflagsCount;
  readonly zones: ZonesCount;
  /** 1-based line of each symbol's (last) assignment. */
  readonly lines: ReadonlyMap<string, number>;
  /** Non-fatal remarks (a symbol assigned twice: the later value wins, as in Kconfig). */
  readonly warnings: readonly string[];
}

const ASSIGNMENT = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^#\s*(CONFIG_[A-Za-z0-9_]+) is not set$/;
const DECIMAL = /^-?[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;

function parseString(raw: string): string | undefined {
  if (raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) return undefined;
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      i++;
      if (i >= raw.length - 1) return undefined;
      out += raw[i]!;
    } else if (c === '"') {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Reads a `.config` file as scripts/kconfig writes it: `CONFIG_X=y`, `=m`, decimal and hex
 * numbers, quoted strings, `# CONFIG_X is not set`, other `#` comments and blank lines. A
 * malformed line or value throws PageFlagsLayoutError naming file, line and symbol. Then derives
 * the calculator's inputs for the architecture (given, or detected from the arch symbols).
 */
export function parseKconfig(text: string, options: ParseKconfigOptions = {}): ParsedKconfig {
  const filename = options.filename ?? '.config';
  if (typeof text !== 'string') {
    throw new PageFlagsLayoutError('EINVAL', `${filename}: expected the text of a .config file`, {
      field: 'text',
    });
  }
  const kconfig: Record<string, KconfigValue> = {};
  const lines = new Map<string, number>();
  const warnings: string[] = [];
  const textLines = text.split('\n');

  textLines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const line = rawLine.trim();
    if (line === '') return;
    let name: string;
    let value: KconfigValue;
    if (line.startsWith('#')) {
      const unset = NOT_SET.exec(line);
      if (unset === null) return;
      name = unset[1]!;
      value = false;
    } else {
      const assignment = ASSIGNMENT.exec(line);
      if (assignment === null) {
        const shown = line.length > 60 ? `${line.slice(0, 57)}...` : line;
        throw new PageFlagsLayoutError(
          'EINVAL',
          `${filename}:${lineNo}: malformed line ${JSON.stringify(shown)} (expected CONFIG_NAME=value or a # comment)`,
          { line: lineNo, field: 'line' },
        );
      }
      name = assignment[1]!;
      const raw = assignment[2]!;
      const fail = (why: string) =>
        new PageFlagsLayoutError('EINVAL', `${filename}:${lineNo}: ${name}: ${why}`, {
          line: lineNo,
          field: name,
        });
      if (raw === 'y') value = true;
      else if (raw === 'm') value = 'm';
      else if (raw === 'n') value = false;
      else if (DECIMAL.test(raw)) {
        const parsed = Number(raw);
        if (!Number.isSafeInteger(parsed)) throw fail(`number ${raw} is too large`);
        value = parsed;
      } else if (HEX.test(raw)) {
        const parsed = Number.parseInt(raw.slice(2), 16);
        value = Number.isSafeInteger(parsed) ? parsed : raw.toLowerCase();
      } else if (raw.startsWith('"')) {
        const parsed = parseString(raw);
        if (parsed === undefined) throw fail(`unterminated or malformed string ${raw}`);
        value = parsed;
      } else if (raw === '') {
        throw fail('empty value');
      } else {
        throw fail(
          `non-numeric value ${JSON.stringify(raw)} (expected y, m, n, a number or a quoted string)`,
        );
      }
    }
    const previous = lines.get(name);
    if (previous !== undefined) {
      warnings.push(`${filename}:${lineNo}: ${name} overrides the value on line ${previous}`);
    }
    kconfig[name] = value;
    lines.set(name, lineNo);
  });

  const origin: Origin = { filename, lines };
  let arch: KernelArch;
  if (options.arch !== undefined) {
    arch = checkArch(options.arch, origin);
  } else {
    const detected = detectKernelArch(kconfig);
    if (detected === undefined) {
      throw new PageFlagsLayoutError(
        'EINVAL',
        `${filename}: arch: cannot tell the architecture from the configuration; pass one of ${KERNEL_ARCHES.join(', ')}`,
        { field: 'arch' },
      );
    }
    arch = detected;
  }
  const frozen = Object.freeze(kconfig);
  const archOptions: ArchOptions = options.pgtableL5 === undefined ? {} : { pgtableL5: options.pgtableL5 };
  return Object.freeze({
    arch,
    kconfig: frozen,
    inputs: Object.freeze(layoutInputsFrom(frozen, arch, origin, archOptions)),
    pageflags: countPageflags(frozen),
    zones: countZones(frozen),
    lines,
    warnings: Object.freeze(warnings),
  });
}
