import type { TagAreaState } from '@allocprof/kernel-sim';
import { describe, expect, it } from 'vitest';
import { mapSegments, tagAreaSvg, usedExtent } from './tag-area-map';

const AREA: TagAreaState = {
  startAddr: 0xffffa0000000,
  size: 4_000_000,
  populatedPages: 1,
  totalPages: 977,
  ranges: [
    { start: 0, last: 399, kind: 'unloaded', module: 'demo_drv' },
    { start: 400, last: 407, kind: 'padding', module: null },
    { start: 408, last: 6407, kind: 'module', module: 'net_drv' },
    { start: 6408, last: 3_999_999, kind: 'free', module: null },
  ],
};

describe('module tag area map', () => {
  it('shows the used part: up to the last non-free range, at least the populated pages', () => {
    expect(usedExtent(AREA)).toBe(6408);
    expect(usedExtent({ ...AREA, populatedPages: 2 })).toBe(8192);
    expect(usedExtent({ ...AREA, populatedPages: 0, ranges: [] })).toBe(0);
  });

  it('scales ranges to the width, each at least 3 pixels, free space cut at the used end', () => {
    const segs = mapSegments(AREA, 6408);
    expect(segs.map((s) => [s.kind, s.x, s.width])).toEqual([
      ['unloaded', 0, 400],
      ['padding', 400, 8],
      ['module', 408, 6000],
    ]);
    expect(mapSegments({ ...AREA, populatedPages: 2 }, 8192).at(-1)).toMatchObject({
      kind: 'free',
      last: 8191,
    });
    expect(mapSegments(AREA, 10).find((s) => s.kind === 'padding')?.width).toBe(3);
  });

  it('draws modules, kept tags and pages, escaping names', () => {
    const svg = tagAreaSvg({
      ...AREA,
      ranges: [{ ...AREA.ranges[0]!, module: '<x>' }, ...AREA.ranges.slice(1)],
    });
    expect(svg).toContain('class="ta-unloaded"');
    expect(svg).toContain('class="ta-module"');
    expect(svg).toContain('class="ta-populated"');
    expect(svg).toContain('&#60;x&#62;');
    expect(svg).not.toContain('<x>');
    expect(tagAreaSvg({ ...AREA, populatedPages: 0, ranges: [] })).toContain('empty');
  });
});
