import { describe, expect, it } from 'vitest';
import { PageFlagsLayoutError } from './errors';
import { computePageFlagsLayout, type PageFlagsLayout } from './layout';
import { type LogLevel, mminitPageflagsLayoutLines, mminitVerifyPageflagsLayout } from './mminit';
import { getPageFlagsPreset, PAGE_FLAGS_PRESETS } from './presets';

class Recorder {
  readonly lines: Array<[LogLevel, string]> = [];
  printk(level: LogLevel, message: string): void {
    this.lines.push([level, message]);
  }
}

describe('mminitPageflagsLayoutLines', () => {
  it('prints the mminit::pageflags_layout_* lines of x86_64-numa64', () => {
    const l = computePageFlagsLayout(getPageFlagsPreset('x86_64-numa64').inputs);
    expect(mminitPageflagsLayoutLines(l)).toEqual([
      'mminit::pageflags_layout_widths Section 0 Node 6 Zone 3 Lastcpupid 14 Kasantag 0 Gen 3 Tier 2 Flags 24',
      'mminit::pageflags_layout_shifts Section 19 Node 6 Zone 3 Lastcpupid 14 Kasantag 0',
      'mminit::pageflags_layout_pgshifts Section 0 Node 58 Zone 55 Lastcpupid 41 Kasantag 0',
      'mminit::pageflags_layout_nodezoneid Node/Zone ID: 64 -> 55',
      'mminit::pageflags_layout_usage location: 64 -> 36 layout 36 -> 24 unused 24 -> 0 page-flags',
    ]);
  });

  it('adds the "not in page flags" lines', () => {
    const kasan = computePageFlagsLayout(getPageFlagsPreset('arm64-kasan-sw-tags').inputs);
    const lines = mminitPageflagsLayoutLines(kasan);
    expect(lines.at(-1)).toBe('mminit::pageflags_layout_nodeflags Last cpupid not in page flags');
    expect(lines[0]).toBe(
      'mminit::pageflags_layout_widths Section 0 Node 10 Zone 2 Lastcpupid 0 Kasantag 8 Gen 3 Tier 2 Flags 25',
    );
    expect(lines[2]).toBe(
      'mminit::pageflags_layout_pgshifts Section 0 Node 54 Zone 52 Lastcpupid 0 Kasantag 44',
    );
    // width = 64 - NR_NON_PAGEFLAG_BITS (45) = 19 < NR_PAGEFLAGS: the kernel prints it as is.
    expect(lines[4]).toBe(
      'mminit::pageflags_layout_usage location: 64 -> 19 layout 19 -> 25 unused 25 -> 0 page-flags',
    );

    const nodeOut = computePageFlagsLayout({
      BITS_PER_LONG: 32,
      NR_PAGEFLAGS: 24,
      MAX_NR_ZONES: 4,
      CONFIG_NODES_SHIFT: 6,
      CONFIG_SPARSEMEM: true,
      SECTIONS_SHIFT: 3,
    });
    expect(mminitPageflagsLayoutLines(nodeOut)).toContain(
      'mminit::pageflags_layout_nodeflags Node not in page flags',
    );
    expect(mminitPageflagsLayoutLines(nodeOut)).toContain(
      'mminit::pageflags_layout_nodezoneid Node/Zone ID: 32 -> 27',
    );
  });
});

describe('mminitVerifyPageflagsLayout', () => {
  it('prints at debug level and passes for every preset', () => {
    for (const preset of PAGE_FLAGS_PRESETS) {
      const rec = new Recorder();
      const l = computePageFlagsLayout(preset.inputs);
      mminitVerifyPageflagsLayout(l, rec);
      expect(rec.lines.map(([, m]) => m)).toEqual(mminitPageflagsLayoutLines(l));
      expect(rec.lines.every(([level]) => level === 'debug')).toBe(true);
    }
    const quiet = new Recorder();
    mminitVerifyPageflagsLayout(
      computePageFlagsLayout(getPageFlagsPreset('x86_64-sim').inputs),
      quiet,
      false,
    );
    expect(quiet.lines).toEqual([]);
  });

  it('BUGs on a layout whose PGSHIFTs disagree with the widths', () => {
    const good = computePageFlagsLayout(getPageFlagsPreset('mips64-loongson3').inputs);
    const badNode: PageFlagsLayout = { ...good, NODES_PGSHIFT: good.NODES_PGSHIFT + 1 };
    expect(() => mminitVerifyPageflagsLayout(badNode, new Recorder(), false)).toThrow(
      'kernel BUG in mminit_verify_pageflags_layout: NODES_PGSHIFT 39 != 38',
    );
    const badZone: PageFlagsLayout = { ...good, ZONES_PGSHIFT: 0 };
    expect(() => mminitVerifyPageflagsLayout(badZone, new Recorder(), false)).toThrow(PageFlagsLayoutError);
  });
});
