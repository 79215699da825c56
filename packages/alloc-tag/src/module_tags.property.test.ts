import { SimpleModule } from '@allocprof/codetag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestKernel } from './test-helpers';
import { AllocTagError } from './types';

const TAG = 40;
const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;

type Owner = SimpleModule | 'unloaded' | 'padding';
interface Range {
  start: number;
  last: number;
  owner: Owner;
  /** The module whose tags live here (module and unloaded ranges). */
  mod: SimpleModule | null;
}

/** A plain reference model of the module tag area (lib/alloc_tag.c: find_aligned_area() through clean_unused_module_areas_locked()), on a sorted array. */
class AreaModel {
  ranges: Range[] = [];
  size = 0;
  key = true;
  readonly live = new Map<SimpleModule, number>();
  constructor(
    readonly sectionSize: number,
    readonly compressed: boolean,
    readonly maxIndexedSlots: number,
  ) {}

  private lowestGap(len: number): number {
    let next = 0;
    for (const r of this.ranges) {
      if (r.start - next >= len) return next;
      next = r.last + 1;
    }
    return this.sectionSize - next >= len ? next : -1;
  }

  private insert(r: Range): void {
    this.ranges.push(r);
    this.ranges.sort((a, b) => a.start - b.start);
  }

  private cleanup(): void {
    this.ranges = this.ranges.filter((r) => !(r.owner === 'unloaded' && (this.live.get(r.mod!) ?? 0) === 0));
  }

  reserve(mod: SimpleModule, size: number, prepend: number, align: number): number | 'ENOMEM' {
    if (align === 0) align = 1;
    if (this.compressed && prepend !== 0) prepend = alignUp(prepend, TAG);
    let start = -1;
    for (let pass = 0; pass < 2 && start < 0; pass++) {
      const g = this.lowestGap(prepend + size);
      if (g >= 0) {
        if ((g + prepend) % align === 0) start = g;
        else start = this.lowestGap(size + prepend + align - 1);
      }
      if (start < 0 && pass === 0) this.cleanup();
    }
    if (start < 0) return 'ENOMEM';
    const offset = alignUp(start + prepend, align);
    if (offset !== start) this.insert({ start, last: offset - 1, owner: 'padding', mod: null });
    this.insert({ start: offset, last: offset + size - 1, owner: mod, mod });
    if (offset + size > this.size) {
      this.size = offset + size;
      if (this.compressed && this.key && Math.floor(this.size / TAG) >= this.maxIndexedSlots)
        this.key = false;
    }
    return offset;
  }

  release(mod: SimpleModule): void {
    const i = this.ranges.findIndex((r) => r.owner === mod);
    if (i < 0) return;
    const r = this.ranges[i]!;
    if ((this.live.get(mod) ?? 0) > 0) r.owner = 'unloaded';
    else this.ranges.splice(i, 1);
    const p = this.ranges.findIndex((q) => q.owner === 'padding' && q.last === r.start - 1);
    if (p >= 0) this.ranges.splice(p, 1);
  }

  view(): string[] {
    return this.ranges.map(
      (r) => `${typeof r.owner === 'string' ? r.owner : r.owner.name}[${r.start},${r.last}]`,
    );
  }
}

/** What a set of runs exercised (so a weak generator shows up as a failure). */
interface Coverage {
  enomem: number;
  cleanups: number;
  unloaded: number;
  padding: number;
}
const noCoverage = (): Coverage => ({ enomem: 0, cleanups: 0, unloaded: 0, padding: 0 });

type Op =
  | { op: 'load'; tags: number; align: number; prepend: number }
  | { op: 'unload'; i: number }
  | { op: 'alloc'; i: number }
  | { op: 'free'; i: number };

const opArb = (aligns: number[]): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant('load' as const),
        tags: fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: 1, max: 40 }) },
          { weight: 1, arbitrary: fc.integer({ min: 20000, max: 60000 }) },
        ),
        align: fc.constantFrom(...aligns),
        prepend: fc.constantFrom(0, 0, 4, 8, 12, 40),
      }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('unload' as const), i: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('alloc' as const), i: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('free' as const), i: fc.nat() }) },
  );

function run(compressed: boolean, ops: Op[], seen: Coverage = noCoverage()): void {
  const k = new TestKernel({ cmdline: [compressed ? '1,compressed' : '1'], n: 16, kernelTags: 16 });
  const area = k.at.moduleTags!;
  const model = new AreaModel(area.sectionSize, compressed, 2 ** 16 - 2 - 16);
  const loaded: { mod: SimpleModule; address: number }[] = [];
  const pages: { pfn: number; mod: SimpleModule }[] = [];
  let nextPfn = 0;
  let n = 0;
  for (const o of ops) {
    if (o.op === 'load') {
      const mod = new SimpleModule(`m${n++}`);
      let got: number | 'ENOMEM';
      try {
        got = area.reserveModuleTags(mod, o.tags * TAG, o.prepend, o.align) - area.startAddr;
      } catch (e) {
        expect(e).toBeInstanceOf(AllocTagError);
        got = (e as AllocTagError).code as 'ENOMEM';
      }
      expect(got).toBe(model.reserve(mod, o.tags * TAG, o.prepend, o.align));
      if (got === 'ENOMEM') seen.enomem++;
      if (got !== 'ENOMEM') {
        // Only the first tag is copied: the others read as unused slots.
        k.at.writeModuleTags(area.startAddr + got, [
          { filename: 'm.c', lineno: 1, function: 'f', modname: mod.name },
        ]);
        loaded.push({ mod, address: area.startAddr + got });
      }
    } else if (o.op === 'unload') {
      if (loaded.length === 0) continue;
      const { mod } = loaded.splice(o.i % loaded.length, 1)[0]!;
      area.releaseModuleTags(mod, true);
      model.release(mod);
    } else if (o.op === 'alloc') {
      if (loaded.length === 0) continue;
      const { mod, address } = loaded[o.i % loaded.length]!;
      const pfn = nextPfn++;
      k.alloc(pfn, k.at.tagAt(address)!);
      if (model.key) {
        pages.push({ pfn, mod });
        model.live.set(mod, (model.live.get(mod) ?? 0) + 1);
      }
    } else {
      if (pages.length === 0) continue;
      const { pfn, mod } = pages.splice(o.i % pages.length, 1)[0]!;
      if (!model.key) continue;
      k.free(pfn);
      model.live.set(mod, model.live.get(mod)! - 1);
    }
    expect(k.at.enabled).toBe(model.key);
    expect(area.size).toBe(model.size);
    expect(
      area
        .map()
        .filter((r) => r.kind !== 'free')
        .map((r) => `${r.kind === 'module' ? r.module : r.kind}[${r.start},${r.last}]`),
    ).toEqual(model.view());
    area.tree.validate();
  }
  seen.cleanups += area.cleanups;
  seen.unloaded += area.map().filter((r) => r.kind === 'unloaded').length;
  seen.padding += area.map().filter((r) => r.kind === 'padding').length;
}

describe('module tag area against a reference model (property)', () => {
  const pageExtOps = fc.array(opArb([0, 1, 2, 4, 8, 16, 32, 64]), { minLength: 10, maxLength: 60 });
  const compressedOps = fc.array(opArb([0, 1, 2, 4, 8]), { minLength: 10, maxLength: 60 });

  it('page_ext mode: any alignment', () => {
    fc.assert(
      fc.property(pageExtOps, (ops) => run(false, ops)),
      { numRuns: 60 },
    );
  });

  it('compressed mode: tag-aligned ranges, prepend rounded to 40', () => {
    fc.assert(
      fc.property(compressedOps, (ops) => run(true, ops)),
      { numRuns: 60 },
    );
  });

  // On its own (no state from the tests above): the same generators, a fixed seed.
  it('the generators reach exhaustion, cleanup, unloaded ranges and padding', () => {
    const seen = noCoverage();
    for (const ops of fc.sample(pageExtOps, { numRuns: 60, seed: 19 })) run(false, ops, seen);
    for (const ops of fc.sample(compressedOps, { numRuns: 60, seed: 613 })) run(true, ops, seen);
    expect(seen.enomem).toBeGreaterThan(0);
    expect(seen.cleanups).toBeGreaterThan(0);
    expect(seen.unloaded).toBeGreaterThan(0);
    expect(seen.padding).toBeGreaterThan(0);
  });
});
