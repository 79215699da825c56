import { countPageflags, getPageFlagsPreset } from '@allocprof/page-flags-layout';
import { describe, expect, it } from 'vitest';
import { __GFP_COMP, GFP_KERNEL } from './gfp';
import {
  memmapHostBytes,
  PAGE_RECORD_BYTES,
  PAGE_RECORD_WORDS,
  PR_FLAGS,
  PR_LRU_NEXT,
  PR_LRU_PREV,
  PR_PAGE_TYPE,
  PR_PRIVATE,
  PR_REFCOUNT,
  STRUCT_PAGE_OFFSETS,
  STRUCT_PAGE_SIZE,
} from './mm_types';
import { PCP_LISTS, PCP_TAILS, PCP_WORDS } from './mmzone';
import { PAGE_STATE_ALLOCATED, PAGE_STATE_BUDDY, PAGE_STATE_PCP } from './page_alloc';
import { testMachine } from './testing';

const PG = countPageflags(getPageFlagsPreset('x86_64-sim').kconfig).PG;

describe('struct page records', () => {
  it('are 32 bytes, one ArrayBuffer for the whole memmap, records never straddle a 64-byte line', () => {
    expect(PAGE_RECORD_BYTES).toBe(32);
    expect(PAGE_RECORD_WORDS * 4).toBe(PAGE_RECORD_BYTES);
    expect(64 % PAGE_RECORD_BYTES).toBe(0);
    const { memmap } = testMachine(64 * 2 ** 20);
    expect(memmap.pages.byteLength).toBe(memmapHostBytes(memmap.nrPages));
    expect(memmap.mem.buffer).toBe(memmap.pages);
    expect(memmap.flags.words.buffer).toBe(memmap.pages);
    expect(memmap.flags.stride).toBe(PAGE_RECORD_WORDS);
  });

  it('hold flags, list links, order, state and refcount of a page together', () => {
    const { memmap, alloc } = testMachine(64 * 2 ** 20);
    const mem = memmap.mem;
    const rec = (pfn: number, w: number): number => mem[pfn * PAGE_RECORD_WORDS + w]!;
    const pfn = alloc.allocPages(2, GFP_KERNEL | __GFP_COMP);
    expect(rec(pfn, PR_PAGE_TYPE)).toBe(PAGE_STATE_ALLOCATED);
    expect(rec(pfn, PR_PRIVATE)).toBe(2);
    expect(rec(pfn, PR_REFCOUNT)).toBe(1);
    // PG_head is bit PG_head of the record's first word, the same word PageFlagsArray reads.
    expect((rec(pfn, PR_FLAGS) >>> PG.PG_head!) & 1).toBe(1);
    expect(memmap.flags.testFlag(pfn, PG.PG_head!)).toBe(true);
    // The zone field of page->flags sits in the same record.
    expect(memmap.pageZonenum(pfn)).toBe(
      alloc.zones.find((z) => pfn >= z.startPfn && pfn < z.endPfn)!.zoneIdx,
    );
    alloc.getPage(pfn);
    expect(rec(pfn, PR_REFCOUNT)).toBe(2);
    alloc.putPage(pfn);
    alloc.freePages(pfn, 2);
    expect((rec(pfn, PR_FLAGS) >>> PG.PG_head!) & 1).toBe(0);
  });

  it('link the free lists through lru.next/lru.prev of the block heads', () => {
    const { memmap, alloc } = testMachine(64 * 2 ** 20);
    const mem = memmap.mem;
    const rec = (pfn: number, w: number): number => mem[pfn * PAGE_RECORD_WORDS + w]!;
    for (const z of alloc.zones) {
      for (let o = 0; o < z.freeHead.length; o++) {
        let prev = -1;
        for (let p = z.freeHead[o]!; p !== -1; p = rec(p, PR_LRU_NEXT)) {
          expect(rec(p, PR_PAGE_TYPE)).toBe(PAGE_STATE_BUDDY);
          expect(rec(p, PR_PRIVATE)).toBe(o);
          expect(rec(p, PR_LRU_PREV)).toBe(prev);
          prev = p;
        }
      }
    }
  });

  it('per-CPU lists keep head and tail in the per_cpu_pages record', () => {
    const { alloc, memmap } = testMachine(64 * 2 ** 20);
    const a = alloc.allocPage();
    const b = alloc.allocPage();
    alloc.freePage(a);
    alloc.freePage(b);
    const z = alloc.zones.find((x) => x.pcpCount(0) > 0)!;
    expect(PCP_WORDS).toBe(PCP_TAILS + (PCP_TAILS - PCP_LISTS));
    expect(z.pcpListHead(0, 0)).toBe(b);
    expect(memmap.mem[b * PAGE_RECORD_WORDS + PR_LRU_NEXT]).toBe(a);
    expect(memmap.mem[b * PAGE_RECORD_WORDS + PR_PAGE_TYPE]).toBe(PAGE_STATE_PCP);
    const tail = z.pcpListTail(0, 0);
    expect(memmap.mem[tail * PAGE_RECORD_WORDS + PR_LRU_NEXT]).toBe(-1);
    alloc.checkInvariants();
  });

  it('name the kernel offsets of the fields for simulated addresses (all in one 64-byte struct page)', () => {
    for (const w of Object.keys(STRUCT_PAGE_OFFSETS).map(Number)) {
      expect(STRUCT_PAGE_OFFSETS[w]!).toBeGreaterThanOrEqual(0);
      expect(STRUCT_PAGE_OFFSETS[w]!).toBeLessThan(STRUCT_PAGE_SIZE);
    }
    expect(STRUCT_PAGE_OFFSETS[PR_REFCOUNT]).toBe(52);
    expect(STRUCT_PAGE_OFFSETS[PR_LRU_NEXT]).toBe(8);
  });
});
