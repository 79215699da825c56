import { countPageflags, getPageFlagsPreset } from '@allocprof/page-flags-layout';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel/errno';
import { __GFP_COMP, __GFP_HIGH, __GFP_NOWARN, GFP_DMA, GFP_KERNEL } from './gfp';
import { MAX_PAGE_ORDER, PAGE_SIZE } from './memmap';
import {
  type BuddyAllocator,
  NoHooksPageAllocator,
  PAGE_STATE_ALLOCATED,
  type PageAllocHooks,
} from './page_alloc';
import { testMachine } from './testing';

const MiB = 2 ** 20;

/** A reference model of include/linux/pgalloc_tag.h's hooks on Maps, for the allocator's property test. */
class ModelHooks implements PageAllocHooks<number> {
  readonly ref = new Map<number, number>();
  readonly bytes = new Map<number, number>();
  readonly calls = new Map<number, number>();
  readonly log: string[] = [];
  constructor(private readonly currentTag: () => number) {}
  private add(tag: number, bytes: number, calls: number): void {
    this.bytes.set(tag, (this.bytes.get(tag) ?? 0) + bytes);
    this.calls.set(tag, (this.calls.get(tag) ?? 0) + calls);
  }
  pgallocTagAdd(pfn: number, _task: unknown, nr: number): void {
    const order = Math.log2(nr);
    this.log.push(`add ${pfn}/${order}`);
    const tag = this.currentTag();
    if (tag === 0) return;
    this.ref.set(pfn, tag);
    this.add(tag, PAGE_SIZE << order, 1);
  }
  pgallocTagSub(pfn: number, nr: number): void {
    const order = Math.log2(nr);
    this.log.push(`sub ${pfn}/${order}`);
    const tag = this.ref.get(pfn);
    if (tag === undefined) return;
    this.ref.delete(pfn);
    this.add(tag, -(PAGE_SIZE << order), -1);
  }
  pgallocTagGet(pfn: number): number {
    return this.ref.get(pfn) ?? 0;
  }
  pgallocTagSubPages(tag: number, nrPages: number): void {
    this.log.push(`sub_pages ${tag} ${nrPages}`);
    if (tag !== 0) this.add(tag, -PAGE_SIZE * nrPages, 0);
  }
  pgallocTagSplit(pfn: number, oldOrder: number, newOrder: number): void {
    this.log.push(`split ${pfn} ${oldOrder}->${newOrder}`);
    const tag = this.ref.get(pfn);
    if (tag === undefined) return;
    for (let i = 1 << newOrder; i < 1 << oldOrder; i += 1 << newOrder) {
      this.ref.set(pfn + i, tag);
      this.add(tag, 0, 1);
    }
  }
  pgallocTagSwap(newPfn: number, oldPfn: number): void {
    this.log.push(`swap ${newPfn} ${oldPfn}`);
    const tagOld = this.ref.get(oldPfn);
    const tagNew = this.ref.get(newPfn);
    if (tagOld === undefined || tagNew === undefined) return;
    this.ref.set(oldPfn, tagNew);
    this.ref.set(newPfn, tagOld);
  }
  clearPageTagRef(pfn: number): void {
    this.ref.delete(pfn);
  }
}

function snapshot(a: BuddyAllocator): string {
  a.drainAllPages();
  return `${JSON.stringify(a.stats())}\n${a.buddyinfo()}`;
}

describe('buddy allocator', () => {
  it('releases boot memory in max-order blocks and accounts every page', () => {
    const { alloc } = testMachine(64 * MiB, {
      reserved: [
        [0, 1],
        [100, 200],
      ],
    });
    const s = alloc.stats();
    expect(s.totalPages).toBe(16384);
    expect(s.reservedPages).toBe(101);
    expect(s.managedPages).toBe(16384 - 101);
    expect(s.freePages).toBe(s.managedPages);
    expect(s.allocatedPages).toBe(0);
    alloc.checkInvariants();
    expect(() => alloc.memblockFreeAll([])).toThrowError(expect.objectContaining({ code: 'EBUSY' }));
    expect(alloc.zones.map((z) => [z.name, z.managedPages])).toEqual([
      ['DMA', 4096 - 101],
      ['DMA32', 12288],
      ['Normal', 0],
      ['Movable', 0],
      ['Device', 0],
    ]);
  });

  it('hands out naturally aligned blocks of every order and merges them back on free', () => {
    const { alloc } = testMachine(128 * MiB);
    const before = snapshot(alloc);
    const blocks: Array<[number, number]> = [];
    for (let order = 0; order <= MAX_PAGE_ORDER; order++) {
      for (let i = 0; i < 3; i++) {
        const pfn = alloc.allocPages(order);
        expect(pfn).toBeGreaterThanOrEqual(0);
        expect(pfn % (1 << order)).toBe(0);
        blocks.push([pfn, order]);
      }
    }
    const total = blocks.reduce((n, [, o]) => n + (1 << o), 0);
    expect(alloc.stats().allocatedPages).toBe(total);
    alloc.checkInvariants();
    for (const [pfn, order] of blocks.reverse()) alloc.freePages(pfn, order);
    alloc.checkInvariants();
    expect(snapshot(alloc)).toBe(before);
  });

  it('rejects a double free and a wrong order with EINVAL and changes nothing', () => {
    const { alloc } = testMachine(64 * MiB);
    const pfn = alloc.allocPages(2);
    const keep = alloc.allocPages(0);
    expect(() => alloc.freePages(pfn, 1)).toThrowError(/allocated with order 2, freed with order 1/);
    alloc.freePages(pfn, 2);
    const before = JSON.stringify(alloc.stats());
    let err: unknown;
    try {
      alloc.freePages(pfn, 2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).code).toBe('EINVAL');
    expect((err as KernelError).message).toMatch(/double free/);
    expect(JSON.stringify(alloc.stats())).toBe(before);
    expect(() => alloc.freePages(pfn + 1, 0)).toThrowError(KernelError);
    expect(() => alloc.freePages(-1, 0)).toThrowError(/outside physical memory/);
    expect(() => alloc.freePages(0, 0)).toThrowError(/reserved page/);
    alloc.freePages(keep, 0);
    alloc.checkInvariants();
  });

  it('rejects pfns that are not whole page numbers on the free and reference paths', () => {
    const { alloc } = testMachine(64 * MiB);
    const pfn = alloc.allocPages(0);
    const before = JSON.stringify(alloc.stats());
    for (const bad of [pfn + 0.5, Number.NaN, 2 ** 32 + pfn, alloc.nrPages]) {
      expect(() => alloc.freePages(bad, 0)).toThrowError(/outside physical memory/);
      expect(() => alloc.putPage(bad)).toThrowError(/not an allocated block head/);
      expect(() => alloc.getPage(bad)).toThrowError(expect.objectContaining({ code: 'EINVAL' }));
    }
    expect(JSON.stringify(alloc.stats())).toBe(before);
    alloc.freePages(pfn, 0);
    alloc.checkInvariants();
  });

  it('marks boot-reserved pages PG_reserved and clears PG_head when a compound block splits to order 0', () => {
    const { alloc, memmap } = testMachine(64 * MiB, { reserved: [[0, 4]] });
    const pgReserved = countPageflags(getPageFlagsPreset('x86_64-sim').kconfig).PG.PG_reserved!;
    for (let p = 0; p < 4; p++) expect(memmap.flags.testFlag(p, pgReserved)).toBe(true);
    expect(memmap.flags.testFlag(4, pgReserved)).toBe(false);
    const big = alloc.allocPages(3, GFP_KERNEL | __GFP_COMP);
    expect(alloc.isHead(big)).toBe(true);
    alloc.splitPage(big, 0);
    for (let i = 0; i < 8; i++) {
      expect(alloc.isHead(big + i)).toBe(false);
      alloc.freePages(big + i, 0);
    }
    alloc.checkInvariants();
  });

  it('refuses a PG_reserved bit outside the flags word', () => {
    const { memmap, ctx, dmesg } = testMachine(64 * MiB);
    for (const bad of [-1, 64, 1.5])
      expect(
        () => new NoHooksPageAllocator({ memmap, ctx, printk: dmesg, pgHead: 6, pgReserved: bad }),
      ).toThrowError(/PG_reserved must be bit 0\.\.63/);
  });

  it('fails cleanly at the watermarks, lets __GFP_HIGH dip lower, and recovers after frees', () => {
    const { alloc, dmesg } = testMachine(64 * MiB);
    const pages: number[] = [];
    for (;;) {
      const pfn = alloc.allocPages(0);
      if (pfn < 0) break;
      pages.push(pfn);
    }
    alloc.checkInvariants();
    const s = alloc.stats();
    expect(s.freePages + s.pcpPages).toBeGreaterThan(0);
    // Each zone stops at its min watermark plus what it keeps back for GFP_KERNEL (ZONE_NORMAL = 2).
    const floor = alloc.zones.reduce(
      (n, z) => n + (z.managedPages ? z.wmarkMin + z.lowmemReserve[2]! + 1 : 0),
      0,
    );
    expect(s.freePages).toBeLessThanOrEqual(floor);
    expect(dmesg.messages().at(-1)).toBe(
      'swapper/0: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)',
    );
    expect(alloc.allocPages(0, GFP_KERNEL | __GFP_HIGH | __GFP_NOWARN)).toBeGreaterThanOrEqual(0);
    const n = dmesg.seq;
    expect(alloc.allocPages(0, GFP_KERNEL | __GFP_NOWARN)).toBe(-1);
    expect(dmesg.seq).toBe(n);
    for (const p of pages.splice(0, 64)) alloc.freePages(p, 0);
    expect(alloc.allocPages(0)).toBeGreaterThanOrEqual(0);
    alloc.checkInvariants();
  });

  it('refuses orders above MAX_PAGE_ORDER', () => {
    const { alloc } = testMachine(64 * MiB);
    expect(alloc.allocPages(MAX_PAGE_ORDER + 1, GFP_KERNEL | __GFP_NOWARN)).toBe(-1);
    expect(alloc.stats().allocatedPages).toBe(0);
  });

  it('serves GFP_DMA from ZONE_DMA and GFP_KERNEL from the highest zone with memory', () => {
    const { alloc } = testMachine(256 * MiB);
    const dma = alloc.allocPages(0, GFP_DMA);
    expect(dma).toBeLessThan(4096);
    const normal = alloc.allocPages(0);
    expect(normal).toBeGreaterThanOrEqual(4096);
  });

  it('fault injection fails exactly the next n allocations, bulk ones included', () => {
    const { alloc, dmesg } = testMachine(64 * MiB);
    alloc.failPageAlloc(2);
    expect(alloc.allocPages(0)).toBe(-1);
    expect(alloc.pendingFailures).toBe(1);
    expect(dmesg.messages().slice(-2)).toEqual([
      'FAULT_INJECTION: forcing a failure.',
      'name fail_page_alloc, interval 1, probability 100, space 0, times 2',
    ]);
    const out: number[] = [];
    expect(alloc.allocPagesBulk(4, out)).toBe(0);
    expect(out).toEqual([]);
    expect(alloc.allocPagesBulk(4, out)).toBe(4);
    alloc.failPageAlloc(1);
    expect(alloc.allocPagesBulk(4, out)).toBe(0);
    expect(() => alloc.failPageAlloc(-1)).toThrowError(KernelError);
    for (const p of out) alloc.freePage(p);
    alloc.checkInvariants();
  });

  it('split_page turns one block into independently freeable pages', () => {
    const { alloc } = testMachine(64 * MiB);
    const before = snapshot(alloc);
    const pfn = alloc.allocPages(3);
    alloc.splitPage(pfn);
    expect(() => alloc.freePages(pfn, 3)).toThrowError(/allocated with order 0/);
    for (let i = 7; i >= 0; i--) {
      expect(alloc.allocatedOrder(pfn + i)).toBe(0);
      alloc.freePages(pfn + i, 0);
    }
    expect(snapshot(alloc)).toBe(before);
    const big = alloc.allocPages(4, GFP_KERNEL | __GFP_COMP);
    alloc.splitPage(big, 2);
    for (let i = 0; i < 16; i += 4) {
      expect(alloc.isHead(big + i)).toBe(true);
      alloc.freePages(big + i, 2);
    }
    expect(() => alloc.splitPage(big, 0)).toThrowError(KernelError);
    const one = alloc.allocPages(0);
    expect(() => alloc.splitPage(one, 0)).toThrowError(/cannot split an order-0 block/);
    alloc.getPage(one);
    const two = alloc.allocPages(1);
    alloc.getPage(two);
    expect(() => alloc.splitPage(two, 0)).toThrowError(expect.objectContaining({ code: 'EBUSY' }));
  });

  it('__free_pages of a shared non-compound block frees the tail, the last put frees the head', () => {
    const hooks = new ModelHooks(() => 0x1000);
    const { alloc } = testMachine(64 * MiB, { hooks });
    const before = snapshot(alloc);
    const pfn = alloc.allocPages(3);
    alloc.getPage(pfn);
    alloc.freePages(pfn, 3);
    expect(alloc.stats().allocatedPages).toBe(1);
    expect(alloc.pageCount(pfn)).toBe(1);
    expect(hooks.bytes.get(0x1000)).toBe(PAGE_SIZE);
    expect(hooks.log).toContain('sub_pages 4096 7');
    alloc.putPage(pfn);
    expect(alloc.stats().allocatedPages).toBe(0);
    expect(hooks.bytes.get(0x1000)).toBe(0);
    expect(hooks.calls.get(0x1000)).toBe(0);
    expect(snapshot(alloc)).toBe(before);
  });

  it('a shared compound block is freed whole by the last put', () => {
    const { alloc, memmap } = testMachine(64 * MiB);
    const pfn = alloc.allocPages(2, GFP_KERNEL | __GFP_COMP);
    expect(alloc.isHead(pfn)).toBe(true);
    alloc.getPage(pfn);
    alloc.freePages(pfn, 2);
    expect(alloc.stats().allocatedPages).toBe(4);
    alloc.putPage(pfn);
    expect(alloc.stats().allocatedPages).toBe(0);
    expect(memmap.flags.testFlag(pfn, 6)).toBe(false);
    alloc.checkInvariants();
  });

  it('allocates from the local node first and falls back to the other node', () => {
    const { alloc, ctx, memmap } = testMachine(256 * MiB, { nodes: 2, cpus: 2 });
    ctx.setCpu(1);
    const local = alloc.allocPages(0);
    expect(memmap.pageToNid(local)).toBe(1);
    ctx.setCpu(0);
    expect(memmap.pageToNid(alloc.allocPages(0))).toBe(0);
    ctx.setCpu(1);
    const node1: number[] = [];
    for (;;) {
      const pfn = alloc.allocPages(0, GFP_KERNEL | __GFP_NOWARN);
      if (pfn < 0 || memmap.pageToNid(pfn) === 0) {
        expect(pfn).toBeGreaterThanOrEqual(0);
        break;
      }
      node1.push(pfn);
    }
    expect(node1.length).toBeGreaterThan(1000);
    alloc.checkInvariants();
  });

  it('per-CPU lists are per CPU and drain back to the buddy lists', () => {
    const { alloc, ctx } = testMachine(256 * MiB, { cpus: 4 });
    const before = snapshot(alloc);
    ctx.setCpu(0);
    const a = alloc.allocPage();
    ctx.setCpu(3);
    const b = alloc.allocPage();
    const zone = alloc.zones.find((z) => z.managedPages > 0 && a >= z.startPfn && a < z.endPfn)!;
    expect(zone.pcpCount(0)).toBeGreaterThan(0);
    expect(zone.pcpCount(3)).toBeGreaterThan(0);
    alloc.freePage(a);
    alloc.freePage(b);
    alloc.checkInvariants();
    expect(snapshot(alloc)).toBe(before);
    expect(() => ctx.setCpu(4)).toThrowError(KernelError);
  });

  it('boot release and frees call the hooks where mm/page_alloc.c does', () => {
    const hooks = new ModelHooks(() => 7);
    const { alloc } = testMachine(64 * MiB, { hooks });
    hooks.log.length = 0;
    const p = alloc.allocPages(1);
    alloc.splitPage(p);
    alloc.freePages(p, 0);
    alloc.freePages(p + 1, 0);
    expect(hooks.log).toEqual([`add ${p}/1`, `split ${p} 1->0`, `sub ${p}/0`, `sub ${p + 1}/0`]);
    expect(hooks.calls.get(7)).toBe(0);
    expect(hooks.bytes.get(7)).toBe(0);
  });

  it('the nohooks build has no hooks at all', () => {
    const { alloc } = testMachine(64 * MiB);
    expect('hooks' in alloc).toBe(false);
  });

  it('is deterministic: the same operations give the same pfns', () => {
    const run = (): number[] => {
      const { alloc } = testMachine(64 * MiB);
      const out: number[] = [];
      for (let i = 0; i < 200; i++) {
        const pfn = alloc.allocPages(i % 5);
        out.push(pfn);
        if (i % 3 === 0) alloc.freePages(pfn, i % 5);
      }
      return out;
    };
    expect(run()).toEqual(run());
  });

  it('alloc_pages_exact gives exactly n pages and frees the rest', () => {
    const hooks = new ModelHooks(() => 9);
    const { alloc } = testMachine(64 * MiB, { hooks });
    const pfn = alloc.allocPagesExact(5);
    expect(alloc.stats().allocatedPages).toBe(5);
    expect(hooks.bytes.get(9)).toBe(5 * PAGE_SIZE);
    alloc.freePagesExact(pfn, 5);
    expect(hooks.bytes.get(9)).toBe(0);
    expect(() => alloc.allocPagesExact(0)).toThrowError(KernelError);
  });

  it('random alloc/free/split/share sequences match a reference model', () => {
    type Op =
      | { k: 'alloc'; order: number; comp: boolean; tag: number }
      | { k: 'free'; i: number }
      | { k: 'split'; i: number; to: number }
      | { k: 'share'; i: number }
      | { k: 'cpu'; cpu: number }
      | { k: 'fail'; n: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          k: fc.constant('alloc' as const),
          order: fc.integer({ min: 0, max: 6 }),
          comp: fc.boolean(),
          tag: fc.integer({ min: 0, max: 3 }),
        }),
      },
      { weight: 4, arbitrary: fc.record({ k: fc.constant('free' as const), i: fc.nat() }) },
      {
        weight: 2,
        arbitrary: fc.record({
          k: fc.constant('split' as const),
          i: fc.nat(),
          to: fc.integer({ min: 0, max: 5 }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('share' as const), i: fc.nat() }) },
      {
        weight: 1,
        arbitrary: fc.record({ k: fc.constant('cpu' as const), cpu: fc.integer({ min: 0, max: 1 }) }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ k: fc.constant('fail' as const), n: fc.integer({ min: 0, max: 2 }) }),
      },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        let tag = 0;
        const hooks = new ModelHooks(() => tag);
        const m = testMachine(64 * MiB, { hooks });
        const { alloc } = m;
        const initial = snapshot(alloc);
        // Model: live blocks (head pfn -> order, compound, extra refs), tag of each head.
        const live = new Map<number, { order: number; comp: boolean }>();
        const expectModel = (): void => {
          let pages = 0;
          const perTag = new Map<number, number>();
          const owner = new Set<number>();
          for (const [pfn, b] of live) {
            pages += 1 << b.order;
            expect(alloc.pageState(pfn)).toBe(PAGE_STATE_ALLOCATED);
            expect(alloc.allocatedOrder(pfn)).toBe(b.order);
            for (let p = pfn; p < pfn + (1 << b.order); p++) {
              expect(owner.has(p)).toBe(false);
              owner.add(p);
            }
            const t = hooks.ref.get(pfn);
            if (t !== undefined) perTag.set(t, (perTag.get(t) ?? 0) + (PAGE_SIZE << b.order));
          }
          expect(alloc.stats().allocatedPages).toBe(pages);
          for (const [t, bytes] of hooks.bytes) expect(bytes).toBe(perTag.get(t) ?? 0);
          alloc.checkInvariants();
        };
        for (const o of ops) {
          const heads = [...live.keys()];
          switch (o.k) {
            case 'alloc': {
              tag = o.tag === 0 ? 0 : o.tag * 0x1000;
              const pfn = alloc.allocPages(o.order, o.comp ? GFP_KERNEL | __GFP_COMP : GFP_KERNEL);
              if (pfn >= 0) live.set(pfn, { order: o.order, comp: o.comp && o.order > 0 });
              else expect(alloc.pendingFailures >= 0).toBe(true);
              break;
            }
            case 'free': {
              if (heads.length === 0) break;
              const pfn = heads[o.i % heads.length]!;
              alloc.freePages(pfn, live.get(pfn)!.order);
              live.delete(pfn);
              break;
            }
            case 'split': {
              if (heads.length === 0) break;
              const pfn = heads[o.i % heads.length]!;
              const b = live.get(pfn)!;
              if (o.to >= b.order) {
                expect(() => alloc.splitPage(pfn, o.to)).toThrowError(KernelError);
                break;
              }
              alloc.splitPage(pfn, o.to);
              live.delete(pfn);
              for (let p = pfn; p < pfn + (1 << b.order); p += 1 << o.to)
                live.set(p, { order: o.to, comp: b.comp && o.to > 0 });
              break;
            }
            case 'share': {
              if (heads.length === 0) break;
              const pfn = heads[o.i % heads.length]!;
              const b = live.get(pfn)!;
              alloc.getPage(pfn);
              alloc.freePages(pfn, b.order);
              if (b.comp) {
                expect(alloc.allocatedOrder(pfn)).toBe(b.order);
              } else {
                live.set(pfn, { order: 0, comp: false });
              }
              alloc.putPage(pfn);
              live.delete(pfn);
              break;
            }
            case 'cpu':
              m.ctx.setCpu(o.cpu);
              break;
            case 'fail':
              alloc.failPageAlloc(o.n);
              break;
          }
          expectModel();
        }
        for (const [pfn, b] of live) alloc.freePages(pfn, b.order);
        live.clear();
        expectModel();
        alloc.failPageAlloc(0);
        expect(snapshot(alloc)).toBe(initial);
        for (const bytes of hooks.bytes.values()) expect(bytes).toBe(0);
        for (const calls of hooks.calls.values()) expect(calls).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
