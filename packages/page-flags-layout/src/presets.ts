import { PageFlagsLayoutError } from './errors';
import { type Kconfig, type KernelArch, kconfigToLayoutInputs } from './kconfig';
import type { PageFlagsLayoutInputs } from './layout';

/** A named, documented kernel configuration (kernel-sim's `--config NAME`). */
export interface PageFlagsPreset {
  readonly name: string;
  readonly description: string;
  readonly arch: KernelArch;
  /**
   * The Kconfig symbols that matter here: everything the layout depends on, plus
   * CONFIG_MEM_ALLOC_PROFILING, _ENABLED_BY_DEFAULT, _DEBUG, CONFIG_MODULES, CONFIG_SMP,
   * CONFIG_NR_CPUS, CONFIG_DEBUG_MEMORY_INIT.
   */
  readonly kconfig: Kconfig;
  /** Derived from `kconfig` with kconfigToLayoutInputs (never written by hand). */
  readonly inputs: PageFlagsLayoutInputs;
}

/** Symbols every 64-bit x86 preset shares: PAT (PG_uncached), MEMORY_FAILURE, PAGE_IDLE_FLAG → 24 flags. */
const X86_64_BASE: Kconfig = {
  CONFIG_64BIT: true,
  CONFIG_X86_64: true,
  CONFIG_X86: true,
  CONFIG_MMU: true,
  CONFIG_X86_PAT: true,
  CONFIG_ARCH_USES_PG_UNCACHED: true,
  CONFIG_MEMORY_FAILURE: true,
  CONFIG_PAGE_IDLE_FLAG: true,
  CONFIG_IDLE_PAGE_TRACKING: true,
  CONFIG_ZONE_DMA: true,
  CONFIG_ZONE_DMA32: true,
  CONFIG_ZONE_DEVICE: true,
  CONFIG_SPARSEMEM: true,
  CONFIG_SPARSEMEM_VMEMMAP: true,
  CONFIG_SMP: true,
  CONFIG_NUMA: true,
  CONFIG_NUMA_BALANCING: true,
  CONFIG_LRU_GEN: true,
  CONFIG_MODULES: true,
  CONFIG_PAGE_EXTENSION: true,
  CONFIG_MEM_ALLOC_PROFILING: true,
  CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: true,
  CONFIG_MEM_ALLOC_PROFILING_DEBUG: false,
  CONFIG_DEBUG_MEMORY_INIT: true,
};

/** arm64 defconfig-like base: MTE selects ARCH_USES_PG_ARCH_2/3; no PAGE_IDLE_FLAG → 23 flags. */
const ARM64_BASE: Kconfig = {
  CONFIG_64BIT: true,
  CONFIG_ARM64: true,
  CONFIG_MMU: true,
  CONFIG_ARM64_4K_PAGES: true,
  CONFIG_ARM64_PA_BITS_48: true,
  CONFIG_ARM64_PA_BITS: 48,
  CONFIG_ARM64_MTE: true,
  CONFIG_ARCH_USES_PG_ARCH_2: true,
  CONFIG_ARCH_USES_PG_ARCH_3: true,
  CONFIG_MEMORY_FAILURE: true,
  CONFIG_ZONE_DMA: true,
  CONFIG_ZONE_DMA32: true,
  CONFIG_SPARSEMEM: true,
  CONFIG_SPARSEMEM_VMEMMAP: true,
  CONFIG_SMP: true,
  CONFIG_NR_CPUS: 512,
  CONFIG_NUMA: true,
  CONFIG_NODES_SHIFT: 4,
  CONFIG_NUMA_BALANCING: true,
  CONFIG_MODULES: true,
  CONFIG_PAGE_EXTENSION: true,
  CONFIG_MEM_ALLOC_PROFILING: true,
  CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: true,
  CONFIG_MEM_ALLOC_PROFILING_DEBUG: false,
  CONFIG_DEBUG_MEMORY_INIT: true,
};

function preset(name: string, arch: KernelArch, description: string, kconfig: Kconfig): PageFlagsPreset {
  const frozen = Object.freeze({ ...kconfig });
  return Object.freeze({
    name,
    description,
    arch,
    kconfig: frozen,
    inputs: Object.freeze(kconfigToLayoutInputs(frozen, arch)),
  });
}

/**
 * The documented configurations. Values in the descriptions are what computePageFlagsLayout
 * derives (the tests check them); N = NR_UNUSED_PAGEFLAG_BITS.
 */
export const PAGE_FLAGS_PRESETS: readonly PageFlagsPreset[] = Object.freeze([
  preset(
    'x86_64-sim',
    'x86_64',
    "kernel-sim's default: a 32-CPU NUMA x86_64 (NODES_SHIFT 6, NR_CPUS 32, NUMA balancing, MGLRU, " +
      'SPARSEMEM_VMEMMAP, 24 page flags, 5 zones). N = 13: 8192 indices, room for the default 4096 ' +
      'kernel tags and module tags ("13 bits should be more than enough").',
    { ...X86_64_BASE, CONFIG_NR_CPUS: 32, CONFIG_NODES_SHIFT: 6 },
  ),
  preset(
    'x86_64-numa64',
    'x86_64',
    'x86_64 with NR_CPUS 64 and NODES_SHIFT 6 (otherwise as x86_64-sim): last_cpupid takes 14 bits. ' +
      'N = 12: 4096 indices, a bit over 4000 kernel tags just fit.',
    { ...X86_64_BASE, CONFIG_NR_CPUS: 64, CONFIG_NODES_SHIFT: 6 },
  ),
  preset(
    'x86_64-distro',
    'x86_64',
    'A distribution kernel (MAXSMP: NR_CPUS 8192, NODES_SHIFT 10, ' +
      'NUMA balancing, MGLRU, 24 page flags, 5 zones). last_cpupid takes 21 bits, N = 1: too few bits ' +
      'for 4096 tags, so compressed mode disables profiling at boot.',
    {
      ...X86_64_BASE,
      CONFIG_MAXSMP: true,
      CONFIG_NR_CPUS: 8192,
      CONFIG_NODES_SHIFT: 10,
      CONFIG_X86_5LEVEL: true,
      CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: false,
    },
  ),
  preset(
    'x86_64-nonuma',
    'x86_64',
    'A desktop/VM x86_64 without NUMA (NR_CPUS 64, no NUMA balancing, MGLRU). Only zone, MGLRU and ' +
      'flag bits are used: N = 32.',
    {
      ...X86_64_BASE,
      CONFIG_NUMA: false,
      CONFIG_NUMA_BALANCING: false,
      CONFIG_NR_CPUS: 64,
    },
  ),
  preset(
    'arm64-defconfig',
    'arm64',
    'arm64 defconfig-like: 4K pages, 48-bit PA, NR_CPUS 512, NODES_SHIFT 4, NUMA balancing, MTE ' +
      '(PG_arch_2/3), no MGLRU, 23 page flags, 4 zones. last_cpupid takes 17 bits, N = 18: more ' +
      'indices than the u16 index type can use.',
    ARM64_BASE,
  ),
  preset(
    'arm64-64k-52bit',
    'arm64',
    'arm64 with 64K pages and 52-bit physical addresses (SECTION_SIZE_BITS 29, MAX_PHYSMEM_BITS 52, ' +
      'SECTIONS_SHIFT 23), otherwise as arm64-defconfig. With SPARSEMEM_VMEMMAP the section number ' +
      'is not in page->flags, so N = 18 as there.',
    {
      ...ARM64_BASE,
      CONFIG_ARM64_4K_PAGES: false,
      CONFIG_ARM64_64K_PAGES: true,
      CONFIG_ARM64_PA_BITS_48: false,
      CONFIG_ARM64_PA_BITS_52: true,
      CONFIG_ARM64_PA_BITS: 52,
    },
  ),
  preset(
    'arm64-kasan-sw-tags',
    'arm64',
    'arm64 with KASAN software tags, NODES_SHIFT 10, ' +
      'NR_CPUS 4096, MGLRU, page idle tracking, 25 page flags. The 8-bit KASAN tag pushes last_cpupid ' +
      'out of page->flags (build warning) and N = -6: compression is impossible.',
    {
      ...ARM64_BASE,
      CONFIG_NR_CPUS: 4096,
      CONFIG_NODES_SHIFT: 10,
      CONFIG_LRU_GEN: true,
      CONFIG_PAGE_IDLE_FLAG: true,
      CONFIG_IDLE_PAGE_TRACKING: true,
      CONFIG_KASAN: true,
      CONFIG_KASAN_SW_TAGS: true,
    },
  ),
  preset(
    'riscv64-defconfig',
    'riscv64',
    'riscv64 defconfig-like: NR_CPUS 64, NODES_SHIFT 2, no NUMA balancing, no MGLRU, ZONE_DMA32, ' +
      '20 page flags, 3 zones. Almost all of the word is free: N = 40.',
    {
      CONFIG_64BIT: true,
      CONFIG_RISCV: true,
      CONFIG_MMU: true,
      CONFIG_ZONE_DMA32: true,
      CONFIG_SPARSEMEM: true,
      CONFIG_SPARSEMEM_VMEMMAP: true,
      CONFIG_SMP: true,
      CONFIG_NR_CPUS: 64,
      CONFIG_NUMA: true,
      CONFIG_NODES_SHIFT: 2,
      CONFIG_MODULES: true,
      CONFIG_PAGE_EXTENSION: true,
      CONFIG_MEM_ALLOC_PROFILING: true,
      CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: true,
      CONFIG_MEM_ALLOC_PROFILING_DEBUG: false,
    },
  ),
  preset(
    'mips64-loongson3',
    'mips',
    'A 64-bit MIPS Loongson-3 style NUMA config with classic SPARSEMEM (no vmemmap): the 20-bit ' +
      'section number (MAX_PHYSMEM_BITS 48 - SECTION_SIZE_BITS 28) sits in page->flags above the ' +
      'node and zone. NR_CPUS 64, NODES_SHIFT 6, 20 page flags, 3 zones: N = 16.',
    {
      CONFIG_64BIT: true,
      CONFIG_MIPS: true,
      CONFIG_MACH_LOONGSON64: true,
      CONFIG_MMU: true,
      CONFIG_PAGE_SIZE_16KB: true,
      CONFIG_ZONE_DMA32: true,
      CONFIG_SPARSEMEM: true,
      CONFIG_SMP: true,
      CONFIG_NR_CPUS: 64,
      CONFIG_NUMA: true,
      CONFIG_NODES_SHIFT: 6,
      CONFIG_MODULES: true,
      CONFIG_PAGE_EXTENSION: true,
      CONFIG_MEM_ALLOC_PROFILING: true,
      CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: true,
      CONFIG_MEM_ALLOC_PROFILING_DEBUG: false,
    },
  ),
  preset(
    'x86_32-pae',
    'x86_32',
    'A 32-bit x86 distribution kernel with PAE and HIGHMEM (686-pae style): FLATMEM, SMP with ' +
      'NR_CPUS 8, MGLRU, PAT, 21 page flags, 4 zones (DMA, NORMAL, HIGHMEM, MOVABLE). In a 32-bit word ' +
      'only N = 4 bits are free: 16 indices.',
    {
      CONFIG_X86_32: true,
      CONFIG_X86: true,
      CONFIG_MMU: true,
      CONFIG_X86_PAE: true,
      CONFIG_HIGHMEM: true,
      CONFIG_HIGHMEM64G: true,
      CONFIG_X86_PAT: true,
      CONFIG_ARCH_USES_PG_UNCACHED: true,
      CONFIG_ZONE_DMA: true,
      CONFIG_FLATMEM: true,
      CONFIG_SMP: true,
      CONFIG_NR_CPUS: 8,
      CONFIG_LRU_GEN: true,
      CONFIG_MODULES: true,
      CONFIG_PAGE_EXTENSION: true,
      CONFIG_MEM_ALLOC_PROFILING: true,
      CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: false,
      CONFIG_MEM_ALLOC_PROFILING_DEBUG: false,
    },
  ),
  preset(
    'x86_32-pae-sparsemem',
    'x86_32',
    'x86_32-pae with SPARSEMEM instead of FLATMEM (and so without MGLRU, which Kconfig forbids on ' +
      '32-bit classic sparsemem): the 7-bit section number (36 - 29) lives in page->flags, N = 2.',
    {
      CONFIG_X86_32: true,
      CONFIG_X86: true,
      CONFIG_MMU: true,
      CONFIG_X86_PAE: true,
      CONFIG_HIGHMEM: true,
      CONFIG_HIGHMEM64G: true,
      CONFIG_X86_PAT: true,
      CONFIG_ARCH_USES_PG_UNCACHED: true,
      CONFIG_ZONE_DMA: true,
      CONFIG_SPARSEMEM: true,
      CONFIG_SMP: true,
      CONFIG_NR_CPUS: 8,
      CONFIG_MODULES: true,
      CONFIG_PAGE_EXTENSION: true,
      CONFIG_MEM_ALLOC_PROFILING: true,
      CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: false,
      CONFIG_MEM_ALLOC_PROFILING_DEBUG: false,
    },
  ),
  preset(
    'arm-embedded-flatmem',
    'arm',
    'A small 32-bit ARM board: uniprocessor, FLATMEM, no NUMA, no MGLRU, zones NORMAL and MOVABLE ' +
      'only, 20 page flags. One zone bit: N = 11 (2048 indices), enough for a trimmed kernel.',
    {
      CONFIG_ARM: true,
      CONFIG_MMU: true,
      CONFIG_FLATMEM: true,
      CONFIG_SMP: false,
      CONFIG_NR_CPUS: 1,
      CONFIG_MODULES: true,
      CONFIG_PAGE_EXTENSION: true,
      CONFIG_MEM_ALLOC_PROFILING: true,
      CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: false,
      CONFIG_MEM_ALLOC_PROFILING_DEBUG: false,
    },
  ),
  preset(
    'x86_64-sim-debug',
    'x86_64',
    'x86_64-sim with CONFIG_MEM_ALLOC_PROFILING_DEBUG (EMPTY references and the debug warnings); N = 13.',
    { ...X86_64_BASE, CONFIG_NR_CPUS: 32, CONFIG_NODES_SHIFT: 6, CONFIG_MEM_ALLOC_PROFILING_DEBUG: true },
  ),
  preset(
    'x86_64-sim-nomodules',
    'x86_64',
    'x86_64-sim without CONFIG_MODULES (module tag indices are invalid: "invalid page tag reference"); N = 13.',
    { ...X86_64_BASE, CONFIG_NR_CPUS: 32, CONFIG_NODES_SHIFT: 6, CONFIG_MODULES: false },
  ),
]);

/** The preset called `name`; PageFlagsLayoutError ENOENT (listing the names) if there is none. */
export function getPageFlagsPreset(name: string): PageFlagsPreset {
  const found = PAGE_FLAGS_PRESETS.find((p) => p.name === name);
  if (found === undefined) {
    throw new PageFlagsLayoutError(
      'ENOENT',
      `unknown page-flags preset ${JSON.stringify(name)} (known: ${PAGE_FLAGS_PRESETS.map((p) => p.name).join(', ')})`,
      { field: 'name' },
    );
  }
  return found;
}
