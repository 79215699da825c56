import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAGE_SHIFT, PAGE_SIZE, VM_ALLOC, VM_NO_GUARD, VMALLOC_START } from './constants';
import { VmallocError } from './errors';
import { CountingProvider, RecordingPrintk } from './test-helpers';
import { Vmalloc, type VmStruct } from './vmalloc';

const WINDOW_PAGES = 96;
const START = VMALLOC_START;
const END = START + WINDOW_PAGES * PAGE_SIZE;

/** Reference allocator: a sorted list of busy [start, end) intervals, lowest aligned fit by scanning gaps. */
class ReferenceSpace {
  busy: { start: number; end: number }[] = [];

  lowestFit(size: number, align: number, start: number, end: number): number {
    let gapStart = start;
    for (const b of [...this.busy, { start: end, end }]) {
      const gapEnd = Math.min(b.start, end);
      const a = Math.ceil(gapStart / align) * align;
      if (a + size <= gapEnd) return a;
      gapStart = Math.max(gapStart, b.end);
    }
    return -1;
  }

  add(start: number, size: number): void {
    this.busy.push({ start, end: start + size });
    this.busy.sort((x, y) => x.start - y.start);
  }

  remove(start: number): void {
    this.busy = this.busy.filter((b) => b.start !== start);
  }
}

type Op =
  | { kind: 'reserve'; pages: number; alignShift: number; noGuard: boolean }
  | { kind: 'vmalloc'; pages: number; budget: number }
  | { kind: 'populate'; pick: number; pages: number }
  | { kind: 'free'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('reserve' as const),
    pages: fc.integer({ min: 0, max: 12 }),
    alignShift: fc.constantFrom(0, 12, 12, 13, 14, 15, 16),
    noGuard: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('vmalloc' as const),
    pages: fc.integer({ min: 1, max: 20 }),
    budget: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({
    kind: fc.constant('populate' as const),
    pick: fc.nat(),
    pages: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
);

describe('Vmalloc against a reference model', () => {
  it('allocates the lowest aligned fit, never overlaps, maps exactly the owned pages and frees everything', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const provider = new CountingProvider(10_000);
        const vm = new Vmalloc({
          pageProvider: provider,
          printk: new RecordingPrintk(),
          vmallocStart: START,
          vmallocEnd: END,
          execmemRanges: null,
        });
        const model = new ReferenceSpace();
        const live: { area: VmStruct; kind: 'reserve' | 'vmalloc' }[] = [];

        for (const op of ops) {
          if (op.kind === 'reserve') {
            const align = 2 ** op.alignShift;
            const size = op.pages * PAGE_SIZE + (op.noGuard || op.pages === 0 ? 0 : PAGE_SIZE);
            const flags = VM_ALLOC | (op.noGuard ? VM_NO_GUARD : 0);
            const area = vm.getVmAreaNode(op.pages * PAGE_SIZE, align, PAGE_SHIFT, flags, START, END, 'r');
            const expected = op.pages === 0 ? -1 : model.lowestFit(size, align, START, END);
            expect(area === null ? -1 : area.addr).toBe(expected);
            if (area !== null) {
              expect(area.size).toBe(size);
              model.add(area.addr, size);
              live.push({ area, kind: 'reserve' });
            }
          } else if (op.kind === 'vmalloc') {
            provider.budget = op.budget;
            const size = (op.pages + 1) * PAGE_SIZE;
            const fit = model.lowestFit(size, 1, START, END);
            const outstanding = provider.outstanding;
            try {
              const area = vm.vmalloc(op.pages * PAGE_SIZE, 'v');
              expect(area.addr).toBe(fit);
              expect(op.budget).toBeGreaterThanOrEqual(op.pages);
              model.add(area.addr, size);
              live.push({ area, kind: 'vmalloc' });
            } catch (e) {
              expect(e).toBeInstanceOf(VmallocError);
              expect((e as VmallocError).code).toBe('ENOMEM');
              expect(fit === -1 || op.budget < op.pages).toBe(true);
              expect(provider.outstanding).toBe(outstanding);
            }
            provider.budget = Number.POSITIVE_INFINITY;
          } else if (op.kind === 'populate' && live.length > 0) {
            const { area, kind } = live[op.pick % live.length]!;
            if (kind !== 'reserve') continue;
            const usable = (area.flags & VM_NO_GUARD) !== 0 ? area.size : area.size - PAGE_SIZE;
            const room = usable / PAGE_SIZE - area.nrPages;
            const n = Math.min(room, op.pages);
            if (n === 0) continue;
            const fresh: number[] = [];
            provider.allocPagesBulk(n, fresh);
            const at = area.addr + area.nrPages * PAGE_SIZE;
            expect(vm.vmapPagesRange(at, at + n * PAGE_SIZE, fresh)).toBe(0);
            area.pages.push(...fresh);
            area.nrPages += n;
          } else if (op.kind === 'free' && live.length > 0) {
            const idx = op.pick % live.length;
            const { area, kind } = live[idx]!;
            live.splice(idx, 1);
            // vfree frees the pages of either kind of area; freeVmArea leaves them to their owner
            if (kind === 'vmalloc' || op.pick % 2 === 0) {
              vm.vfree(area.addr);
            } else {
              vm.freeVmArea(area);
              for (let i = 0; i < area.nrPages; i++) provider.freePage(area.pages[i]!);
            }
            model.remove(area.addr);
          }

          const areas = [...vm.areas()];
          expect(areas.map((a) => [a.addr, a.addr + a.size])).toEqual(
            model.busy.map((b) => [b.start, b.end]),
          );
          let owned = 0;
          for (const a of areas) owned += a.nrPages;
          expect(provider.outstanding).toBe(owned);
          expect(vm.nrMappedPages).toBe(owned);
        }

        for (const { area } of live) {
          for (let i = 0; i < area.nrPages; i++)
            expect(vm.translate(area.addr + i * PAGE_SIZE)).toBe(area.pages[i]);
          if (area.nrPages * PAGE_SIZE < area.size)
            expect(vm.isMapped(area.addr + area.nrPages * PAGE_SIZE)).toBe(false);
          vm.vfree(area.addr);
        }
        expect(provider.outstanding).toBe(0);
        expect(vm.nrMappedPages).toBe(0);
        expect(vm.vmallocNrPages()).toBe(0);
        expect(vm.vmallocinfo()).toBe('');
      }),
      { numRuns: 150 },
    );
  });
});
