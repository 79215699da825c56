import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel/errno';
import { computeZoneSpans, validateRamSize } from './memmap';

const X86_64 = ['ZONE_DMA', 'ZONE_DMA32', 'ZONE_NORMAL', 'ZONE_MOVABLE', 'ZONE_DEVICE'];
const GiB = 2 ** 30;
const spans = (ram: number, extra: object = {}, zones = X86_64) =>
  computeZoneSpans({ ramBytes: ram, zones, sectionSizeBits: 27, ...extra }).zones.map((z) => [
    z.nid,
    z.type,
    z.startPfn,
    z.endPfn,
  ]);

describe('zones and nodes', () => {
  it('places DMA below 16M, DMA32 below 4G and the rest in Normal', () => {
    expect(spans(8 * GiB)).toEqual([
      [0, 'DMA', 0, 4096],
      [0, 'DMA32', 4096, 1 << 20],
      [0, 'Normal', 1 << 20, 2 << 20],
      [0, 'Movable', 2 << 20, 2 << 20],
      [0, 'Device', 2 << 20, 2 << 20],
    ]);
  });

  it('gives a missing zone type to the next configured zone', () => {
    expect(spans(GiB, {}, ['ZONE_DMA32', 'ZONE_NORMAL', 'ZONE_MOVABLE'])).toEqual([
      [0, 'DMA32', 0, 262144],
      [0, 'Normal', 262144, 262144],
      [0, 'Movable', 262144, 262144],
    ]);
  });

  it('puts 32-bit memory above 896M in HighMem', () => {
    expect(
      spans(2 * GiB, { sectionSizeBits: 0 }, ['ZONE_DMA', 'ZONE_NORMAL', 'ZONE_HIGHMEM', 'ZONE_MOVABLE']),
    ).toEqual([
      [0, 'DMA', 0, 4096],
      [0, 'Normal', 4096, 229376],
      [0, 'HighMem', 229376, 524288],
      [0, 'Movable', 524288, 524288],
    ]);
  });

  it('movablecore= takes the top of every node, at most half of it', () => {
    const z = computeZoneSpans({
      ramBytes: 8 * GiB,
      zones: X86_64,
      nrNodes: 2,
      movableBytes: GiB,
      sectionSizeBits: 27,
    });
    expect(z.nodes.map((n) => [n.startPfn, n.endPfn])).toEqual([
      [0, 1 << 20],
      [1 << 20, 2 << 20],
    ]);
    const movable = z.zones.filter((x) => x.type === 'Movable').map((x) => [x.nid, x.endPfn - x.startPfn]);
    expect(movable).toEqual([
      [0, 262144],
      [1, 262144],
    ]);
    expect(() => computeZoneSpans({ ramBytes: GiB, zones: ['ZONE_NORMAL'], movableBytes: GiB })).toThrowError(
      /movablecore= needs ZONE_MOVABLE/,
    );
  });

  it('validates its inputs', () => {
    expect(() => validateRamSize(1000)).toThrowError(/not a multiple of the page size/);
    expect(() => validateRamSize(2 ** 41)).toThrowError(/at most 1T/);
    expect(() => validateRamSize(Number.NaN)).toThrowError(KernelError);
    expect(() => computeZoneSpans({ ramBytes: GiB, zones: ['ZONE_NORMAL', 'ZONE_DMA'] })).toThrowError(
      /enum zone_type order/,
    );
    expect(() => computeZoneSpans({ ramBytes: GiB, zones: ['ZONE_DMA'] })).toThrowError(/ZONE_NORMAL/);
    expect(() => computeZoneSpans({ ramBytes: GiB, zones: ['ZONE_BOGUS'] })).toThrowError(/unknown zone/);
    expect(() =>
      computeZoneSpans({ ramBytes: 128 * 2 ** 20, zones: X86_64, nrNodes: 4, sectionSizeBits: 27 }),
    ).toThrowError(/at least one memory section/);
  });
});
