import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageFlagsLayoutError } from './errors';
import {
  archSparsemem,
  countPageflags,
  countZones,
  detectKernelArch,
  type Kconfig,
  kconfigToLayoutInputs,
  PG,
  parseKconfig,
} from './kconfig';
import { computePageFlagsLayout } from './layout';

const DISTRO_CONFIG = readFileSync(
  new URL('../test/fixtures/config-6.13-distro-x86_64', import.meta.url),
  'utf8',
);

function parseError(fn: () => unknown): PageFlagsLayoutError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PageFlagsLayoutError);
    return error as PageFlagsLayoutError;
  }
  throw new Error('expected PageFlagsLayoutError');
}

describe('countPageflags (enum pageflags, v6.13)', () => {
  it('has the 19 unconditional members with PG_head at 6 and PG_waiters at 7', () => {
    const { pageflags, NR_PAGEFLAGS } = countPageflags({});
    expect(NR_PAGEFLAGS).toBe(19);
    expect(pageflags[6]).toBe('PG_head');
    expect(pageflags[7]).toBe('PG_waiters');
    expect(PG.PG_locked).toBe(0);
    expect(PG.PG_reserved).toBe(13);
    expect(PG.PG_unevictable).toBe(18);
    expect(PG.PG_mlocked).toBeUndefined();
  });

  it('typical 64-bit x86 (MMU, PAT, MEMORY_FAILURE, PAGE_IDLE_FLAG) has 24', () => {
    const k: Kconfig = {
      CONFIG_64BIT: true,
      CONFIG_MMU: true,
      CONFIG_ARCH_USES_PG_UNCACHED: true,
      CONFIG_MEMORY_FAILURE: true,
      CONFIG_PAGE_IDLE_FLAG: true,
    };
    const result = countPageflags(k);
    expect(result.NR_PAGEFLAGS).toBe(24);
    expect(result.pageflags.slice(19)).toEqual([
      'PG_mlocked',
      'PG_uncached',
      'PG_hwpoison',
      'PG_young',
      'PG_idle',
    ]);
    expect(result.PG.PG_hwpoison).toBe(21);
    expect(result.PG.PG_idle).toBe(23);
  });

  it('PG_young/PG_idle only on 64-bit; PG_arch_2/3 by option; aliases reuse bits', () => {
    expect(countPageflags({ CONFIG_PAGE_IDLE_FLAG: true }).NR_PAGEFLAGS).toBe(19);
    const arm = countPageflags({
      CONFIG_MMU: true,
      CONFIG_ARCH_USES_PG_ARCH_2: true,
      CONFIG_ARCH_USES_PG_ARCH_3: 'm',
    });
    expect(arm.pageflags.slice(19)).toEqual(['PG_mlocked', 'PG_arch_2', 'PG_arch_3']);
    expect(PG.PG_readahead).toBe(PG.PG_reclaim);
    expect(PG.PG_swapcache).toBe(PG.PG_owner_priv_1);
    expect(arm.PG.PG_readahead).toBe(16);
  });
});

describe('countZones (enum zone_type)', () => {
  it('always has NORMAL and MOVABLE, in kernel order', () => {
    expect(countZones({})).toEqual({ zones: ['ZONE_NORMAL', 'ZONE_MOVABLE'], MAX_NR_ZONES: 2 });
    expect(
      countZones({
        CONFIG_ZONE_DMA: true,
        CONFIG_ZONE_DMA32: true,
        CONFIG_HIGHMEM: true,
        CONFIG_ZONE_DEVICE: true,
      }).zones,
    ).toEqual(['ZONE_DMA', 'ZONE_DMA32', 'ZONE_NORMAL', 'ZONE_HIGHMEM', 'ZONE_MOVABLE', 'ZONE_DEVICE']);
    expect(countZones({ CONFIG_ZONE_DMA: false }).MAX_NR_ZONES).toBe(2);
  });
});

describe('archSparsemem (asm/sparsemem.h)', () => {
  it('knows each architecture', () => {
    expect(archSparsemem('x86_64', {})).toEqual({ SECTION_SIZE_BITS: 27, MAX_PHYSMEM_BITS: 46 });
    expect(archSparsemem('x86_64', { CONFIG_X86_5LEVEL: true })).toEqual({
      SECTION_SIZE_BITS: 27,
      MAX_PHYSMEM_BITS: 52,
    });
    expect(archSparsemem('x86_64', { CONFIG_X86_5LEVEL: true }, { pgtableL5: false }).MAX_PHYSMEM_BITS).toBe(
      46,
    );
    expect(archSparsemem('x86_32', { CONFIG_X86_PAE: true })).toEqual({
      SECTION_SIZE_BITS: 29,
      MAX_PHYSMEM_BITS: 36,
    });
    expect(archSparsemem('x86_32', {})).toEqual({ SECTION_SIZE_BITS: 26, MAX_PHYSMEM_BITS: 32 });
    expect(archSparsemem('arm64', { CONFIG_ARM64_4K_PAGES: true, CONFIG_ARM64_PA_BITS: 48 })).toEqual({
      SECTION_SIZE_BITS: 27,
      MAX_PHYSMEM_BITS: 48,
    });
    expect(
      archSparsemem('arm64', { CONFIG_ARM64_16K_PAGES: true, CONFIG_ARM64_PA_BITS: 52 }).SECTION_SIZE_BITS,
    ).toBe(27);
    expect(archSparsemem('arm64', { CONFIG_ARM64_64K_PAGES: true, CONFIG_ARM64_PA_BITS: 52 })).toEqual({
      SECTION_SIZE_BITS: 29,
      MAX_PHYSMEM_BITS: 52,
    });
    expect(archSparsemem('arm', {})).toEqual({ SECTION_SIZE_BITS: 28, MAX_PHYSMEM_BITS: 36 });
    expect(archSparsemem('riscv64', {})).toEqual({ SECTION_SIZE_BITS: 27, MAX_PHYSMEM_BITS: 56 });
    expect(archSparsemem('mips', {})).toEqual({ SECTION_SIZE_BITS: 28, MAX_PHYSMEM_BITS: 48 });
    expect(
      archSparsemem('mips', { CONFIG_MIPS_HUGE_TLB_SUPPORT: true, CONFIG_PAGE_SIZE_64KB: true })
        .SECTION_SIZE_BITS,
    ).toBe(29);
  });

  it('rejects an unknown architecture and a missing arm64 PA size', () => {
    const e = parseError(() => archSparsemem('sparc64' as 'arm', {}));
    expect(e.message).toBe(
      'arch: unknown architecture "sparc64" (known: x86_64, x86_32, arm64, arm, riscv64, mips)',
    );
    expect(e.field).toBe('arch');
    expect(parseError(() => archSparsemem('arm64', {})).field).toBe('CONFIG_ARM64_PA_BITS');
  });
});

describe('parseKconfig on a distribution .config', () => {
  const parsed = parseKconfig(DISTRO_CONFIG, { filename: 'config-6.13-distro-x86_64' });

  it('reads y, m, numbers, hex, strings and unset lines', () => {
    const k = parsed.kconfig;
    expect(k.CONFIG_SMP).toBe(true);
    expect(k.CONFIG_X86_MSR).toBe('m');
    expect(k.CONFIG_NR_CPUS).toBe(8192);
    expect(k.CONFIG_NODES_SHIFT).toBe(10);
    expect(k.CONFIG_PHYSICAL_START).toBe(0x1000000);
    expect(k.CONFIG_ILLEGAL_POINTER_VALUE).toBe('0xdead000000000000');
    expect(k.CONFIG_CC_VERSION_TEXT).toBe('gcc (GCC) 14.2.1 20250110 (Red Hat 14.2.1-7)');
    expect(k.CONFIG_LOCALVERSION).toBe('');
    expect(k.CONFIG_KASAN).toBe(false);
    expect(k.CONFIG_MEM_ALLOC_PROFILING).toBe(true);
    expect(k.CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT).toBe(false);
    expect(k['General setup']).toBeUndefined();
    expect(parsed.lines.get('CONFIG_NR_CPUS')).toBe(78);
    expect(parsed.warnings).toEqual([]);
  });

  it('detects x86_64 and derives the distribution layout: N = 1', () => {
    expect(parsed.arch).toBe('x86_64');
    expect(parsed.pageflags.NR_PAGEFLAGS).toBe(24);
    expect(parsed.zones.MAX_NR_ZONES).toBe(5);
    expect(parsed.inputs).toEqual({
      BITS_PER_LONG: 64,
      NR_PAGEFLAGS: 24,
      MAX_NR_ZONES: 5,
      CONFIG_NODES_SHIFT: 10,
      CONFIG_SPARSEMEM: true,
      CONFIG_SPARSEMEM_VMEMMAP: true,
      MAX_PHYSMEM_BITS: 52,
      SECTION_SIZE_BITS: 27,
      CONFIG_SMP: true,
      CONFIG_NR_CPUS: 8192,
      CONFIG_NUMA_BALANCING: true,
      CONFIG_KASAN_SW_TAGS: false,
      CONFIG_KASAN_HW_TAGS: false,
      CONFIG_LRU_GEN: true,
    });
    const layout = computePageFlagsLayout(parsed.inputs);
    expect(layout.NR_UNUSED_PAGEFLAG_BITS).toBe(1);
    expect(layout.SECTIONS_SHIFT).toBe(25);
  });

  it('accepts CRLF line endings, blank lines and later overrides', () => {
    const text =
      'CONFIG_X86_64=y\r\nCONFIG_64BIT=y\r\n\r\nCONFIG_NR_CPUS=4\r\nCONFIG_SMP=y\r\nCONFIG_NR_CPUS=16\r\n';
    const p = parseKconfig(text);
    expect(p.kconfig.CONFIG_NR_CPUS).toBe(16);
    expect(p.inputs.CONFIG_NR_CPUS).toBe(16);
    expect(p.warnings).toEqual(['.config:6: CONFIG_NR_CPUS overrides the value on line 4']);
    expect(p.inputs.CONFIG_SPARSEMEM).toBe(false);
  });

  it('handles escaped quotes in strings', () => {
    const p = parseKconfig('CONFIG_X86_64=y\nCONFIG_64BIT=y\nCONFIG_CMDLINE="a \\"b\\" c\\\\"\n');
    expect(p.kconfig.CONFIG_CMDLINE).toBe('a "b" c\\');
  });
});

describe('parseKconfig: other architectures', () => {
  it('arm64 with 64K pages and 52-bit PA', () => {
    const p = parseKconfig(
      [
        'CONFIG_ARM64=y',
        'CONFIG_64BIT=y',
        'CONFIG_MMU=y',
        'CONFIG_ARM64_64K_PAGES=y',
        'CONFIG_ARM64_PA_BITS_52=y',
        'CONFIG_ARM64_PA_BITS=52',
        'CONFIG_SPARSEMEM=y',
        'CONFIG_SPARSEMEM_VMEMMAP=y',
        'CONFIG_ZONE_DMA=y',
        'CONFIG_ZONE_DMA32=y',
        '# CONFIG_SMP is not set',
      ].join('\n'),
    );
    expect(p.arch).toBe('arm64');
    expect(p.inputs.SECTION_SIZE_BITS).toBe(29);
    expect(p.inputs.MAX_PHYSMEM_BITS).toBe(52);
    expect(computePageFlagsLayout(p.inputs).SECTIONS_SHIFT).toBe(23);
  });

  it('x86_32 with and without PAE, classic sparsemem', () => {
    const base = ['CONFIG_X86_32=y', 'CONFIG_MMU=y', 'CONFIG_SPARSEMEM=y', 'CONFIG_HIGHMEM=y'];
    const pae = computePageFlagsLayout(parseKconfig([...base, 'CONFIG_X86_PAE=y'].join('\n')).inputs);
    expect([pae.SECTIONS_SHIFT, pae.SECTIONS_WIDTH, pae.BITS_PER_LONG]).toEqual([7, 7, 32]);
    const nopae = computePageFlagsLayout(parseKconfig(base.join('\n')).inputs);
    expect(nopae.SECTIONS_SHIFT).toBe(6);
  });

  it('riscv64 and mips', () => {
    const riscv = parseKconfig(
      'CONFIG_RISCV=y\nCONFIG_64BIT=y\nCONFIG_SPARSEMEM=y\nCONFIG_SPARSEMEM_VMEMMAP=y\n',
    );
    expect(riscv.arch).toBe('riscv64');
    expect(riscv.inputs.MAX_PHYSMEM_BITS).toBe(56);
    const mips = parseKconfig('CONFIG_MIPS=y\nCONFIG_SPARSEMEM=y\n');
    expect(mips.arch).toBe('mips');
    expect(mips.inputs.BITS_PER_LONG).toBe(32);
    expect(mips.inputs.SECTION_SIZE_BITS).toBe(28);
  });

  it('the arch option overrides detection but must agree with the configuration', () => {
    expect(parseKconfig('CONFIG_64BIT=y\n', { arch: 'riscv64' }).arch).toBe('riscv64');
    const e = parseError(() => parseKconfig(DISTRO_CONFIG, { arch: 'arm64', filename: 'distro' }));
    expect(e.message).toBe('distro:46: CONFIG_X86_64: the configuration is for x86_64, not arm64');
    const bits = parseError(() => parseKconfig('CONFIG_X86_64=y\n'));
    expect(bits.message).toBe('.config: CONFIG_64BIT: x86_64 is 64-bit but CONFIG_64BIT is not set');
  });
});

describe('parseKconfig: bad input', () => {
  it('unknown or undetectable architecture', () => {
    const e = parseError(() => parseKconfig('CONFIG_64BIT=y\n', { arch: 'ia64' }));
    expect(e.message).toBe(
      '.config: arch: unknown architecture "ia64" (known: x86_64, x86_32, arm64, arm, riscv64, mips)',
    );
    expect(e.code).toBe('EINVAL');
    expect(parseError(() => parseKconfig('CONFIG_64BIT=y\n')).message).toBe(
      '.config: arch: cannot tell the architecture from the configuration; pass one of x86_64, x86_32, arm64, arm, riscv64, mips',
    );
  });

  it('malformed lines name the line', () => {
    const e = parseError(() => parseKconfig('CONFIG_X86_64=y\nNR_CPUS=64\n', { filename: 'my.config' }));
    expect(e.message).toBe(
      'my.config:2: malformed line "NR_CPUS=64" (expected CONFIG_NAME=value or a # comment)',
    );
    expect(e.line).toBe(2);
    expect(parseError(() => parseKconfig('CONFIG_SMP y\n')).line).toBe(1);
  });

  it('non-numeric, empty and unterminated values name line and symbol', () => {
    const nonNumeric = parseError(() =>
      parseKconfig('CONFIG_X86_64=y\nCONFIG_64BIT=y\nCONFIG_NR_CPUS=lots\n'),
    );
    expect(nonNumeric.message).toBe(
      '.config:3: CONFIG_NR_CPUS: non-numeric value "lots" (expected y, m, n, a number or a quoted string)',
    );
    expect(nonNumeric.field).toBe('CONFIG_NR_CPUS');
    expect(nonNumeric.line).toBe(3);
    expect(parseError(() => parseKconfig('CONFIG_NR_CPUS=\n')).message).toBe(
      '.config:1: CONFIG_NR_CPUS: empty value',
    );
    expect(parseError(() => parseKconfig('CONFIG_LOCALVERSION="abc\n')).message).toMatch(
      /^\.config:1: CONFIG_LOCALVERSION: unterminated or malformed string/,
    );
    expect(parseError(() => parseKconfig('CONFIG_X=99999999999999999999\n')).message).toMatch(/too large/);
  });

  it('a layout number with the wrong type or range names its line', () => {
    const quoted = parseError(() =>
      parseKconfig('CONFIG_X86_64=y\nCONFIG_64BIT=y\nCONFIG_SMP=y\nCONFIG_NR_CPUS="64"\n'),
    );
    expect(quoted.message).toBe('.config:4: CONFIG_NR_CPUS: expected a number, got "64"');
    expect(quoted.line).toBe(4);
    const range = parseError(() => parseKconfig('CONFIG_X86_64=y\nCONFIG_64BIT=y\nCONFIG_NODES_SHIFT=12\n'));
    expect(range.message).toBe(
      '.config:3: CONFIG_NODES_SHIFT: 12 is out of range (0..10) (Kconfig allows 1..10)',
    );
    const missing = parseError(() => parseKconfig('CONFIG_X86_64=y\nCONFIG_64BIT=y\nCONFIG_SMP=y\n'));
    expect(missing.message).toBe('.config: CONFIG_NR_CPUS: required with CONFIG_SMP=y');
    const pa = parseError(() => parseKconfig('CONFIG_ARM64=y\nCONFIG_64BIT=y\nCONFIG_SPARSEMEM=y\n'));
    expect(pa.field).toBe('CONFIG_ARM64_PA_BITS');
  });

  it('rejects non-string text', () => {
    expect(parseError(() => parseKconfig(42 as unknown as string)).message).toBe(
      '.config: expected the text of a .config file',
    );
  });
});

describe('kconfigToLayoutInputs and detectKernelArch', () => {
  it('derive inputs from a Kconfig object', () => {
    const k: Kconfig = { CONFIG_ARM: true, CONFIG_MMU: true, CONFIG_FLATMEM: true };
    expect(detectKernelArch(k)).toBe('arm');
    expect(kconfigToLayoutInputs(k, 'arm')).toEqual({
      BITS_PER_LONG: 32,
      NR_PAGEFLAGS: 20,
      MAX_NR_ZONES: 2,
      CONFIG_NODES_SHIFT: 0,
      CONFIG_SPARSEMEM: false,
      CONFIG_SPARSEMEM_VMEMMAP: false,
      CONFIG_SMP: false,
      CONFIG_NUMA_BALANCING: false,
      CONFIG_KASAN_SW_TAGS: false,
      CONFIG_KASAN_HW_TAGS: false,
      CONFIG_LRU_GEN: false,
    });
    expect(detectKernelArch({})).toBeUndefined();
  });
});

/** Writes a Kconfig object the way scripts/kconfig writes .config lines. */
function writeConfig(k: Record<string, string | number | boolean>): string {
  const lines = ['#', '# Automatically generated file; DO NOT EDIT.', '#'];
  for (const [name, value] of Object.entries(k)) {
    if (value === false) lines.push(`# ${name} is not set`);
    else if (value === true) lines.push(`${name}=y`);
    else if (value === 'm') lines.push(`${name}=m`);
    else if (typeof value === 'number') lines.push(`${name}=${value}`);
    else lines.push(`${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  }
  return `${lines.join('\n')}\n`;
}

describe('parseKconfig round trip', () => {
  it('reads back whatever a .config writer produces', () => {
    const symbol = fc.stringMatching(/^CONFIG_[A-Z0-9_]{1,20}$/);
    const value = fc.oneof(
      fc.boolean(),
      fc.constant('m' as const),
      fc.integer({ min: -(2 ** 31), max: 2 ** 40 }),
      fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n') && !s.includes('\r') && s !== 'm'),
    );
    fc.assert(
      fc.property(fc.dictionary(symbol, value, { maxKeys: 30 }), (extra) => {
        const k = { CONFIG_X86_64: true, CONFIG_64BIT: true, ...extra, CONFIG_SMP: false } as Record<
          string,
          string | number | boolean
        >;
        delete k.CONFIG_X86_32;
        delete k.CONFIG_ARM64;
        delete k.CONFIG_ARM;
        delete k.CONFIG_MIPS;
        delete k.CONFIG_RISCV;
        delete k.CONFIG_NODES_SHIFT;
        delete k.CONFIG_NR_CPUS;
        const parsed = parseKconfig(writeConfig(k));
        expect(parsed.kconfig).toEqual(k);
        expect(parsed.arch).toBe('x86_64');
      }),
      { numRuns: 200 },
    );
  });
});
