import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AllocTag } from './alloc_tag';
import { AllocTagCounters } from './counters';
import { AllocTagMemory } from './tag_memory';
import { KERNEL_TAGS_BASE, kernelSites, moduleSites } from './test-helpers';
import { ALLOC_TAG_SIZE, AllocTagError } from './types';

const AREA = 0xffffa0000000;
const AREA_END = AREA + 4_000_000;

function memory() {
  const counters = new AllocTagCounters(2);
  const mem = new AllocTagMemory(counters);
  return { mem, counters };
}

describe('AllocTagMemory.resolve (reference → tag without a Map for kernel and area slots)', () => {
  it('kernel section: every tag start resolves, offsets inside a tag and outside the section do not', () => {
    const { mem } = memory();
    const tags = mem.installKernelTags(KERNEL_TAGS_BASE, kernelSites(5));
    for (const [i, t] of tags.entries()) expect(mem.resolve(KERNEL_TAGS_BASE + i * ALLOC_TAG_SIZE)).toBe(t);
    expect(mem.resolve(KERNEL_TAGS_BASE + 8)).toBeUndefined();
    expect(mem.resolve(KERNEL_TAGS_BASE - ALLOC_TAG_SIZE)).toBeUndefined();
    expect(mem.resolve(KERNEL_TAGS_BASE + 5 * ALLOC_TAG_SIZE)).toBeUndefined();
    expect(mem.resolve(0)).toBeUndefined();
    expect(mem.resolve(1)).toBeUndefined();
  });

  it('a kernel section of 2 GiB or more is refused, nothing installed', () => {
    const { mem } = memory();
    const sites = { length: 2 ** 31 / ALLOC_TAG_SIZE + 1 } as unknown as ReturnType<typeof kernelSites>;
    expect(() => mem.installKernelTags(KERNEL_TAGS_BASE, sites)).toThrow(AllocTagError);
    expect(mem.kernelRange).toEqual({ start: 0, stop: 0 });
    expect(mem.installKernelTags(KERNEL_TAGS_BASE, kernelSites(1))).toHaveLength(1);
  });

  it('module area: slot-aligned copies resolve through the slot index, misaligned ones through the map', () => {
    const { mem } = memory();
    mem.setModuleArea(AREA, AREA_END, (a) => a);
    const aligned = mem.writeModuleTags(AREA + 3 * ALLOC_TAG_SIZE, moduleSites('a', 2));
    const odd = mem.writeModuleTags(AREA + 1000 * ALLOC_TAG_SIZE + 12, moduleSites('b', 2));
    expect(mem.resolve(AREA + 3 * ALLOC_TAG_SIZE)).toBe(aligned[0]);
    expect(mem.resolve(AREA + 4 * ALLOC_TAG_SIZE)).toBe(aligned[1]);
    expect(mem.resolve(AREA + 5 * ALLOC_TAG_SIZE)).toBeUndefined();
    expect(mem.resolve(AREA + 1000 * ALLOC_TAG_SIZE + 12)).toBe(odd[0]);
    expect(mem.resolve(AREA + 1001 * ALLOC_TAG_SIZE + 12)).toBe(odd[1]);
    expect(mem.resolve(AREA + 1000 * ALLOC_TAG_SIZE)).toBeUndefined();
  });

  it('removal clears the slot; a new area setting re-indexes the tags already in memory', () => {
    const { mem, counters } = memory();
    mem.setModuleArea(AREA, AREA_END, (a) => a);
    const [t] = mem.writeModuleTags(AREA, moduleSites('a', 1));
    const id = t!.id;
    expect(mem.removeTags(AREA, AREA + ALLOC_TAG_SIZE)).toBe(1);
    expect(mem.resolve(AREA)).toBeUndefined();
    expect(counters.allocated).toBe(0);
    expect(t!.id).toBe(0);
    expect(id).toBeGreaterThan(0);

    // Tags written while no area was declared (module data), then found in a declared area.
    const other = memory().mem;
    const tags = other.writeModuleTags(AREA + ALLOC_TAG_SIZE, moduleSites('c', 2));
    other.setModuleArea(AREA, AREA_END, (a) => a);
    expect(other.resolve(AREA + ALLOC_TAG_SIZE)).toBe(tags[0]);
    other.setModuleArea(0, 0, null);
    expect(other.resolve(AREA + 2 * ALLOC_TAG_SIZE)).toBe(tags[1]);
  });

  it('matches a Map of every written tag (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            slot: fc.integer({ min: 0, max: 400 }),
            skew: fc.constantFrom(0, 0, 8, 12),
            n: fc.integer({ min: 1, max: 3 }),
          }),
          { maxLength: 12 },
        ),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 6 }),
        (writes, removals) => {
          const { mem } = memory();
          mem.setModuleArea(AREA, AREA_END, (a) => a);
          const model = new Map<number, AllocTag>();
          for (const w of writes) {
            const start = AREA + w.slot * ALLOC_TAG_SIZE + w.skew;
            try {
              for (const t of mem.writeModuleTags(start, moduleSites(`m${w.slot}`, w.n)))
                model.set(t.address, t);
            } catch (e) {
              expect((e as AllocTagError).code).toBe('EEXIST');
            }
          }
          for (const r of removals) {
            const a = AREA + r * ALLOC_TAG_SIZE;
            mem.removeTags(a, a + 2 * ALLOC_TAG_SIZE);
            // removeTags() walks the tag array from `start` in 40-byte steps (a module's range starts at its first tag).
            for (const key of [...model.keys()]) {
              if (key >= a && key < a + 2 * ALLOC_TAG_SIZE && (key - a) % ALLOC_TAG_SIZE === 0)
                model.delete(key);
            }
          }
          for (let off = 0; off < 405 * ALLOC_TAG_SIZE; off += 4) {
            expect(mem.resolve(AREA + off)).toBe(model.get(AREA + off));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
