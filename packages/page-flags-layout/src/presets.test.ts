import { describe, expect, it } from 'vitest';
import { PageFlagsLayoutError } from './errors';
import { kconfigToLayoutInputs } from './kconfig';
import { computePageFlagsLayout } from './layout';
import { getPageFlagsPreset, PAGE_FLAGS_PRESETS } from './presets';

const N = (name: string) => computePageFlagsLayout(getPageFlagsPreset(name).inputs).NR_UNUSED_PAGEFLAG_BITS;

describe('PAGE_FLAGS_PRESETS', () => {
  it('has unique names and every preset computes', () => {
    const names = PAGE_FLAGS_PRESETS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const preset of PAGE_FLAGS_PRESETS) {
      expect(preset.description.length).toBeGreaterThan(20);
      expect(() => computePageFlagsLayout(preset.inputs)).not.toThrow();
      expect(preset.inputs).toEqual(kconfigToLayoutInputs(preset.kconfig, preset.arch));
    }
  });

  it('every kconfig carries the profiling, module and SMP symbols', () => {
    for (const { kconfig, name } of PAGE_FLAGS_PRESETS) {
      for (const symbol of [
        'CONFIG_MEM_ALLOC_PROFILING',
        'CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT',
        'CONFIG_MEM_ALLOC_PROFILING_DEBUG',
        'CONFIG_MODULES',
        'CONFIG_SMP',
        'CONFIG_NR_CPUS',
      ]) {
        expect(typeof kconfig[symbol], `${name} ${symbol}`).toMatch(/^(boolean|number)$/);
      }
    }
  });

  it('x86_64-sim is the kernel-sim default: 64-bit with at least 13 free bits', () => {
    const l = computePageFlagsLayout(getPageFlagsPreset('x86_64-sim').inputs);
    expect(l.BITS_PER_LONG).toBe(64);
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBeGreaterThanOrEqual(13);
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(13);
    expect(2 ** l.NR_UNUSED_PAGEFLAG_BITS).toBeGreaterThan(4096 + 2);
    expect(getPageFlagsPreset('x86_64-sim').kconfig.CONFIG_MEM_ALLOC_PROFILING).toBe(true);
  });

  it('x86_64-distro (NR_CPUS 8192, NODES_SHIFT 10) has N = 1, too few bits for 4096 tags', () => {
    const l = computePageFlagsLayout(getPageFlagsPreset('x86_64-distro').inputs);
    expect(l.NR_UNUSED_PAGEFLAG_BITS).toBe(1);
    expect(2 ** l.NR_UNUSED_PAGEFLAG_BITS).toBeLessThan(4096);
  });

  it('the documented N of each preset', () => {
    expect(
      Object.fromEntries(
        PAGE_FLAGS_PRESETS.map((p) => [p.name, computePageFlagsLayout(p.inputs).NR_UNUSED_PAGEFLAG_BITS]),
      ),
    ).toEqual({
      'x86_64-sim': 13,
      'x86_64-numa64': 12,
      'x86_64-distro': 1,
      'x86_64-nonuma': 32,
      'arm64-defconfig': 18,
      'arm64-64k-52bit': 18,
      'arm64-kasan-sw-tags': -6,
      'riscv64-defconfig': 40,
      'mips64-loongson3': 16,
      'x86_32-pae': 4,
      'x86_32-pae-sparsemem': 2,
      'arm-embedded-flatmem': 11,
      'x86_64-sim-debug': 13,
      'x86_64-sim-nomodules': 13,
    });
    for (const p of PAGE_FLAGS_PRESETS) {
      const n = computePageFlagsLayout(p.inputs).NR_UNUSED_PAGEFLAG_BITS;
      expect(p.description, p.name).toContain(`N = ${n}`);
    }
  });

  it('covers the requested kinds of configuration', () => {
    expect(N('x86_64-numa64')).toBe(12);
    const arm64 = getPageFlagsPreset('arm64-defconfig');
    expect(arm64.arch).toBe('arm64');
    const pae = getPageFlagsPreset('x86_32-pae');
    expect(pae.inputs.BITS_PER_LONG).toBe(32);
    expect(pae.kconfig.CONFIG_X86_PAE).toBe(true);
    const embedded = getPageFlagsPreset('arm-embedded-flatmem');
    expect(embedded.inputs.CONFIG_SPARSEMEM).toBe(false);
    expect(embedded.inputs.CONFIG_SMP).toBe(false);
    const kasan = computePageFlagsLayout(getPageFlagsPreset('arm64-kasan-sw-tags').inputs);
    expect(kasan.LAST_CPUPID_NOT_IN_PAGE_FLAGS).toBe(true);
    expect(kasan.warnings).toHaveLength(1);
    expect(computePageFlagsLayout(getPageFlagsPreset('mips64-loongson3').inputs).SECTIONS_WIDTH).toBe(20);
    expect(getPageFlagsPreset('x86_64-sim-debug').kconfig.CONFIG_MEM_ALLOC_PROFILING_DEBUG).toBe(true);
    expect(getPageFlagsPreset('x86_64-sim-nomodules').kconfig.CONFIG_MODULES).toBe(false);
  });

  it('presets are frozen', () => {
    const p = getPageFlagsPreset('x86_64-sim');
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.kconfig)).toBe(true);
    expect(Object.isFrozen(p.inputs)).toBe(true);
    expect(Object.isFrozen(PAGE_FLAGS_PRESETS)).toBe(true);
  });
});

describe('getPageFlagsPreset', () => {
  it('throws ENOENT listing the known names', () => {
    try {
      getPageFlagsPreset('x86_64-nope');
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(PageFlagsLayoutError);
      expect((error as PageFlagsLayoutError).code).toBe('ENOENT');
      expect((error as Error).message).toMatch(
        /^unknown page-flags preset "x86_64-nope" \(known: x86_64-sim, /,
      );
    }
  });
});
