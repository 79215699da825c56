import type { AllocTag } from '@allocprof/alloc-tag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel/errno';
import { __GFP_COMP, GFP_KERNEL } from '../mm/gfp';
import { PAGE_SIZE } from '../mm/memmap';
import { Kernel } from './main';

type Op =
  | { k: 'alloc'; site: number; order: number; comp: boolean }
  | { k: 'free'; i: number }
  | { k: 'split'; i: number; to: number }
  | { k: 'migrate'; i: number }
  | { k: 'insmod'; m: number }
  | { k: 'rmmod'; m: number }
  | { k: 'cpu'; cpu: number };

const MODULES = ['demo_drv', 'loop', 'e1000e', 'nf_conntrack'];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('alloc' as const),
      site: fc.nat(),
      order: fc.integer({ min: 0, max: 4 }),
      comp: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('free' as const), i: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('split' as const),
      i: fc.nat(),
      to: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('migrate' as const), i: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('insmod' as const), m: fc.nat({ max: MODULES.length - 1 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('rmmod' as const), m: fc.nat({ max: MODULES.length - 1 }) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cpu' as const), cpu: fc.nat({ max: 1 }) }) },
);

interface Block {
  order: number;
  comp: boolean;
  tag: AllocTag;
}

function runSequence(cmdline: string, ops: Op[]): void {
  const k = Kernel.boot({ mem: '64M', cpus: 2, kernelTags: 256, cmdline });
  const at = k.allocTag!;
  const alloc = k.alloc;
  const bytes = (t: AllocTag): number => at.counters.sumBytes(t.id);
  const calls = (t: AllocTag): number => at.counters.sumCalls(t.id);
  const baseline = new Map<AllocTag, [number, number]>();
  const base = (t: AllocTag): [number, number] => {
    let b = baseline.get(t);
    if (b === undefined) {
      b = [bytes(t), calls(t)];
      baseline.set(t, b);
    }
    return b;
  };
  for (const t of k.kernelTags) base(t);
  const bootAllocated = alloc.stats().allocatedPages;
  const live = new Map<number, Block>();
  const everCharged = new Set<AllocTag>();

  const check = (): void => {
    alloc.checkInvariants();
    const perTag = new Map<AllocTag, [number, number]>();
    for (const [pfn, b] of live) {
      // The page references exactly the tag the model charged, and that tag exists.
      expect(at.pgallocTagGet(pfn)).toBe(b.tag);
      expect(at.tagAt(b.tag.address)).toBe(b.tag);
      const e = perTag.get(b.tag) ?? [0, 0];
      perTag.set(b.tag, [e[0] + (PAGE_SIZE << b.order), e[1] + 1]);
    }
    for (const t of everCharged) {
      const [b0, c0] = base(t);
      const [b1, c1] = perTag.get(t) ?? [0, 0];
      expect(bytes(t)).toBe(b0 + b1);
      expect(calls(t)).toBe(c0 + c1);
    }
  };

  for (const op of ops) {
    const heads = [...live.keys()];
    switch (op.k) {
      case 'alloc': {
        const sites = [...k.kernelTags.slice(0, 16), ...k.modules.list().flatMap((m) => m.tags)];
        const tag = sites[op.site % sites.length]!;
        base(tag);
        const site = k.site(`${tag.filename}:${tag.lineno}`);
        const [pfn] = k.allocPages(site, op.order, { gfp: op.comp ? GFP_KERNEL | __GFP_COMP : GFP_KERNEL });
        live.set(pfn!, { order: op.order, comp: op.comp && op.order > 0, tag });
        everCharged.add(tag);
        break;
      }
      case 'free': {
        if (heads.length === 0) break;
        const pfn = heads[op.i % heads.length]!;
        k.freePages(pfn, live.get(pfn)!.order);
        live.delete(pfn);
        break;
      }
      case 'split': {
        if (heads.length === 0) break;
        const pfn = heads[op.i % heads.length]!;
        const b = live.get(pfn)!;
        if (op.to >= b.order) {
          expect(() => k.splitPage(pfn, op.to)).toThrowError(KernelError);
          break;
        }
        k.splitPage(pfn, op.to);
        live.delete(pfn);
        for (let p = pfn; p < pfn + (1 << b.order); p += 1 << op.to)
          live.set(p, { order: op.to, comp: b.comp && op.to > 0, tag: b.tag });
        break;
      }
      case 'migrate': {
        if (heads.length === 0) break;
        const pfn = heads[op.i % heads.length]!;
        const b = live.get(pfn)!;
        const dst = k.migratePage(pfn);
        live.delete(pfn);
        live.set(dst, b);
        break;
      }
      case 'insmod': {
        const name = MODULES[op.m]!;
        if (k.modules.find(name)) expect(() => k.insmod(name)).toThrowError(/already loaded/);
        else k.insmod(name);
        break;
      }
      case 'rmmod': {
        const name = MODULES[op.m]!;
        if (k.modules.find(name)) k.rmmod(name);
        else expect(() => k.rmmod(name)).toThrowError(KernelError);
        break;
      }
      case 'cpu':
        k.setCpu(op.cpu);
        break;
    }
    check();
  }
  for (const [pfn, b] of live) k.freePages(pfn, b.order);
  live.clear();
  check();
  // No leak: with every block freed and every module unloaded, only the module tag area's
  // populated pages (the area never shrinks) remain beyond what boot allocated.
  for (const m of k.modules.list()) k.rmmod(m.name);
  expect(alloc.stats().allocatedPages).toBe(bootAllocated + (at.moduleTags?.nrPages ?? 0));
}

describe('Kernel under random operation sequences', () => {
  for (const cmdline of ['sysctl.vm.mem_profiling=1', 'sysctl.vm.mem_profiling=1,compressed']) {
    it(`keeps pages, references and counters consistent (${cmdline})`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => runSequence(cmdline, ops)),
        { numRuns: 25 },
      );
    });
  }
});
