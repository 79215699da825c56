import { describe, expect, it } from 'vitest';
import {
  ERRNO,
  MODULES_END,
  MODULES_VADDR,
  PAGE_SHIFT,
  PAGE_SIZE,
  VM_ALLOC,
  VM_IOREMAP,
  VM_MAP,
  VM_NO_GUARD,
  VMALLOC_END,
  VMALLOC_START,
} from './constants';
import { PageFault, VmallocError } from './errors';
import { type ExecmemArchRanges, ExecmemType } from './execmem';
import { CountingProvider, RecordingPrintk } from './test-helpers';
import { getVmAreaSize, Vmalloc, type VmallocOptions, type VmStruct } from './vmalloc';

const VMAP_WARN = (size: number) =>
  `warning: vmap allocation for size ${size} failed: use vmalloc=<size> to increase size`;

function setup(nrPages = 4096, extra: Partial<VmallocOptions> = {}) {
  const provider = new CountingProvider(nrPages);
  const log = new RecordingPrintk();
  const vm = new Vmalloc({ pageProvider: provider, printk: log, ...extra });
  return { vm, provider, log };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function expectVmallocError(fn: () => unknown, code: string): VmallocError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(VmallocError);
  expect((e as VmallocError).code).toBe(code);
  return e as VmallocError;
}

/** What vm_module_tags_populate() does: bulk-allocate, map at the populated end, append (6.13 logic). */
function populate(vm: Vmalloc, area: VmStruct, neededEnd: number): number {
  const populatedEnd = area.addr + area.nrPages * PAGE_SIZE;
  if (populatedEnd >= neededEnd) return 0;
  const more = Math.ceil((neededEnd - populatedEnd) / PAGE_SIZE);
  const fresh: number[] = [];
  const got = vm.pageProvider.allocPagesBulk(more, fresh);
  if (got < more || vm.vmapPagesRange(populatedEnd, populatedEnd + got * PAGE_SIZE, fresh) < 0) {
    for (const pfn of fresh) vm.pageProvider.freePage(pfn);
    return -ERRNO.ENOMEM;
  }
  area.pages.push(...fresh);
  area.nrPages += got;
  return 0;
}

describe('__get_vm_area_node', () => {
  it('rounds the size up to 1 << shift and adds one guard page', () => {
    const { vm } = setup();
    const a = vm.getVmAreaNode(1, 1, PAGE_SHIFT, VM_ALLOC, VMALLOC_START, VMALLOC_END, 'a')!;
    expect(a).toMatchObject({
      addr: VMALLOC_START,
      size: 2 * PAGE_SIZE,
      flags: VM_ALLOC,
      caller: 'a',
      nrPages: 0,
    });
    expect(a.pages).toEqual([]);
    expect(getVmAreaSize(a)).toBe(PAGE_SIZE);
    const b = vm.getVmAreaNode(PAGE_SIZE + 1, 1, 21, VM_ALLOC, VMALLOC_START, VMALLOC_END, 'b')!;
    expect(b.size).toBe(2 ** 21 + PAGE_SIZE);
    expect(b.addr).toBe(VMALLOC_START + 2 * PAGE_SIZE);
    const c = vm.getVmAreaNode(
      3 * PAGE_SIZE,
      1,
      PAGE_SHIFT,
      VM_ALLOC | VM_NO_GUARD,
      VMALLOC_START,
      VMALLOC_END,
      'c',
    )!;
    expect(c.size).toBe(3 * PAGE_SIZE);
    expect(getVmAreaSize(c)).toBe(3 * PAGE_SIZE);
    expect(c.addr).toBe(b.addr + b.size);
  });

  it('returns null for size 0 and changes nothing', () => {
    const { vm, log } = setup();
    expect(vm.getVmAreaNode(0, 1, PAGE_SHIFT, VM_ALLOC, VMALLOC_START, VMALLOC_END, 'z')).toBeNull();
    expect(vm.vmallocinfo()).toBe('');
    expect(log.lines).toEqual([]);
  });

  it('places areas at the lowest aligned free address and reuses freed holes', () => {
    const { vm } = setup();
    const get = (size: number, align: number) =>
      vm.getVmAreaNode(size, align, PAGE_SHIFT, VM_ALLOC, VMALLOC_START, VMALLOC_END, 'x')!;
    const a = get(PAGE_SIZE, 1); // [0, 2 pages)
    const b = get(PAGE_SIZE, 0x10000); // next 64 KiB boundary
    expect(b.addr).toBe(VMALLOC_START + 0x10000);
    const c = get(PAGE_SIZE, 1); // fills the hole after a
    expect(c.addr).toBe(VMALLOC_START + 2 * PAGE_SIZE);
    const d = get(20 * PAGE_SIZE, 0x4000); // 21 pages do not fit below b (12 pages free) → after b
    expect(d.addr).toBe(VMALLOC_START + 0x14000);
    expect(d.addr % 0x4000).toBe(0);
    vm.freeVmArea(a);
    const e = get(PAGE_SIZE, 1);
    expect(e.addr).toBe(VMALLOC_START);
    for (const area of vm.areas()) expect(area.addr % PAGE_SIZE).toBe(0);
  });

  it('stays inside [start, end) and fails with the vmap warning when the range is full', () => {
    const { vm, log } = setup();
    const start = VMALLOC_START + 0x100000;
    const end = start + 8 * PAGE_SIZE;
    const a = vm.getVmAreaNode(3 * PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, start, end, 'a')!;
    const b = vm.getVmAreaNode(3 * PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, start, end, 'b')!;
    expect([a.addr, b.addr]).toEqual([start, start + 4 * PAGE_SIZE]);
    const before = vm.vmallocinfo();
    expect(vm.getVmAreaNode(1, 1, PAGE_SHIFT, VM_ALLOC, start, end, 'c')).toBeNull();
    expect(log.lines).toEqual([VMAP_WARN(2 * PAGE_SIZE)]);
    expect(vm.vmallocinfo()).toBe(before);
    // exactly fitting the remaining window once one area is freed
    vm.freeVmArea(b);
    const c = vm.getVmAreaNode(3 * PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, start, end, 'c')!;
    expect(c.addr).toBe(start + 4 * PAGE_SIZE);
    // a window smaller than the request
    expect(vm.getVmAreaNode(16 * PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, start, end, 'd')).toBeNull();
    expect(log.lines).toHaveLength(2);
  });

  it('honours alignment near the end of the range', () => {
    const { vm } = setup();
    const start = VMALLOC_START;
    const end = start + 0x40000;
    vm.getVmAreaNode(PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC | VM_NO_GUARD, start, end, 'pin');
    const a = vm.getVmAreaNode(0x1f000, 0x20000, PAGE_SHIFT, VM_ALLOC, start, end, 'a')!;
    expect(a.addr).toBe(start + 0x20000);
    expect(vm.getVmAreaNode(0x1f000, 0x20000, PAGE_SHIFT, VM_ALLOC, start, end, 'b')).toBeNull();
  });

  it('rate-limits the vmap warning like printk_ratelimit()', () => {
    let now = 0;
    const { vm, log } = setup(16, { clock: () => now });
    const start = VMALLOC_START;
    const end = start + PAGE_SIZE;
    for (let i = 0; i < 12; i++) vm.getVmAreaNode(PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, start, end, 'x');
    expect(log.lines).toHaveLength(10);
    now = 6000;
    vm.getVmAreaNode(PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, start, end, 'x');
    expect(log.lines.slice(10)).toEqual([
      'warning: alloc_vmap_area: 2 callbacks suppressed',
      VMAP_WARN(2 * PAGE_SIZE),
    ]);
  });

  it('rejects malformed arguments with EINVAL and changes nothing', () => {
    const { vm, log } = setup();
    vm.vmalloc(PAGE_SIZE, 'keep');
    const before = vm.vmallocinfo();
    const S = VMALLOC_START;
    const E = VMALLOC_END;
    const bad: [number, number, number, number, number, number][] = [
      [-1, 1, PAGE_SHIFT, VM_ALLOC, S, E],
      [1.5, 1, PAGE_SHIFT, VM_ALLOC, S, E],
      [Number.NaN, 1, PAGE_SHIFT, VM_ALLOC, S, E],
      [PAGE_SIZE, 0, PAGE_SHIFT, VM_ALLOC, S, E],
      [PAGE_SIZE, 3, PAGE_SHIFT, VM_ALLOC, S, E],
      [PAGE_SIZE, 1, 11, VM_ALLOC, S, E],
      [PAGE_SIZE, 1, PAGE_SHIFT, -1, S, E],
      [PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, E, S],
      [PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, S + 1, E],
      [PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, S, 2 ** 48],
      [PAGE_SIZE, 1, PAGE_SHIFT, VM_ALLOC, -PAGE_SIZE, E],
    ];
    for (const args of bad) expectVmallocError(() => vm.getVmAreaNode(...args, 'x'), 'EINVAL');
    expectVmallocError(() => vm.getVmAreaNode(1, 1, PAGE_SHIFT, VM_ALLOC, S, E, 5 as never), 'EINVAL');
    expect(vm.vmallocinfo()).toBe(before);
    expect(log.lines).toEqual([]);
  });
});

describe('freeVmArea / findVmArea', () => {
  it('unmaps and releases the range without freeing pages; refuses a dead area', () => {
    const { vm, provider } = setup();
    const area = vm.execmemVmap(3 * PAGE_SIZE)!;
    expect(populate(vm, area, area.addr + 3 * PAGE_SIZE)).toBe(0);
    expect(vm.findVmArea(area.addr + 2 * PAGE_SIZE)).toBe(area);
    expect(vm.findVmArea(area.addr + 3 * PAGE_SIZE)).toBe(area); // the guard page belongs to the area
    expect(vm.findVmArea(area.addr + 4 * PAGE_SIZE)).toBeNull();
    expect(vm.findVmArea(-1)).toBeNull();
    vm.freeVmArea(area);
    expect(vm.isMapped(area.addr)).toBe(false);
    expect(vm.nrMappedPages).toBe(0);
    expect(provider.outstanding).toBe(3);
    expect(vm.findVmArea(area.addr)).toBeNull();
    expectVmallocError(() => vm.freeVmArea(area), 'EINVAL');
    expectVmallocError(() => vm.freeVmArea({ ...area }), 'EINVAL');
    expectVmallocError(() => vm.freeVmArea(null as never), 'EINVAL');
    for (const pfn of area.pages) provider.freePage(pfn);
  });
});

describe('vmalloc / vfree', () => {
  it('allocates, maps every page and returns every page on vfree', () => {
    const { vm, provider, log } = setup();
    const area = vm.vmalloc(10000, 'test_fn+0x10/0x40');
    expect(area).toMatchObject({ addr: VMALLOC_START, size: 4 * PAGE_SIZE, flags: VM_ALLOC, nrPages: 3 });
    expect(area.pages).toHaveLength(3);
    expect(provider.outstanding).toBe(3);
    expect(vm.vmallocNrPages()).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(vm.translate(area.addr + i * PAGE_SIZE + 123)).toBe(area.pages[i]);
      expect(vm.pgprotAt(area.addr + i * PAGE_SIZE)).toBe('PAGE_KERNEL');
    }
    const guard = area.addr + 3 * PAGE_SIZE;
    expect(vm.isMapped(guard)).toBe(false);
    expect(() => vm.translate(guard)).toThrow(PageFault);
    vm.vfree(area.addr);
    expect(provider.outstanding).toBe(0);
    expect(provider.frees).toBe(3);
    expect(vm.vmallocNrPages()).toBe(0);
    expect(vm.nrMappedPages).toBe(0);
    expect(vm.vmallocinfo()).toBe('');
    expect(log.lines).toEqual([]);
  });

  it('vfree(0) is a no-op; other addresses that do not start an area are refused', () => {
    const { vm, provider } = setup();
    const area = vm.vmalloc(2 * PAGE_SIZE, 'x');
    vm.vfree(0);
    const before = vm.vmallocinfo();
    const e = expectVmallocError(() => vm.vfree(area.addr + PAGE_SIZE), 'EINVAL');
    expect(e.message).toBe('Trying to vfree() nonexistent vm area (0xffffc90000001000)');
    expectVmallocError(() => vm.vfree(VMALLOC_START + 0x100000), 'EINVAL');
    expectVmallocError(() => vm.vfree(-4096), 'EINVAL');
    expect(vm.vmallocinfo()).toBe(before);
    expect(provider.outstanding).toBe(2);
    vm.vfree(area.addr);
    expectVmallocError(() => vm.vfree(area.addr), 'EINVAL');
    expect(provider.outstanding).toBe(0);
  });

  it('rolls back a partial bulk allocation: ENOMEM, nothing leaked, nothing left reserved', () => {
    const { vm, provider, log } = setup(1000);
    provider.budget = 250;
    const e = expectVmallocError(() => vm.vmalloc(300 * PAGE_SIZE, 'big'), 'ENOMEM');
    expect(e.message).toContain('1228800');
    // bulk 100, 100, then a short one of 50, then a single-page attempt that fails
    expect(provider.bulkCalls).toBe(4);
    expect(provider.outstanding).toBe(0);
    expect(provider.frees).toBe(250);
    expect(vm.vmallocinfo()).toBe('');
    expect(vm.nrMappedPages).toBe(0);
    expect(vm.vmallocNrPages()).toBe(0);
    expect(log.lines).toEqual([
      'warning: vmalloc error: size 1024000, failed to allocate pages, mode:0xcc0(GFP_KERNEL), nodemask=(null)',
    ]);
    // the same space and pages are usable afterwards
    provider.budget = Number.POSITIVE_INFINITY;
    const ok = vm.vmalloc(300 * PAGE_SIZE, 'big');
    expect(ok.addr).toBe(VMALLOC_START);
    expect(provider.outstanding).toBe(300);
  });

  it('refuses sizes above totalram_pages() before reserving anything', () => {
    const { vm, provider, log } = setup(64, { totalRamPages: () => 64 });
    expectVmallocError(() => vm.vmalloc(65 * PAGE_SIZE, 'huge'), 'ENOMEM');
    expect(provider.bulkCalls).toBe(0);
    expect(log.lines).toEqual([
      `warning: vmalloc error: size ${65 * PAGE_SIZE}, exceeds total pages, mode:0xcc0(GFP_KERNEL), nodemask=(null)`,
    ]);
  });

  it('reports vm_struct allocation failure when the vmalloc range is full', () => {
    const { vm, log } = setup(64, { vmallocStart: VMALLOC_START, vmallocEnd: VMALLOC_START + 4 * PAGE_SIZE });
    vm.vmalloc(2 * PAGE_SIZE, 'a');
    expectVmallocError(() => vm.vmalloc(PAGE_SIZE, 'b'), 'ENOMEM');
    expect(log.lines).toEqual([
      VMAP_WARN(2 * PAGE_SIZE),
      'warning: vmalloc error: size 4096, vm_struct allocation failed, mode:0xcc0(GFP_KERNEL), nodemask=(null)',
    ]);
  });

  it('vmallocs the page array of a large area ("vpages") and frees it with the area', () => {
    const { vm, provider } = setup(2000);
    const area = vm.vmalloc(1024 * PAGE_SIZE, 'large');
    // 1024 pointers = 8 KiB of page array → a 2-page vmalloc area of its own, reserved after the area
    expect(vm.vmallocinfo()).toBe(
      '0xffffc90000000000-0xffffc90000401000 4198400 large pages=1024 vmalloc vpages\n' +
        '0xffffc90000401000-0xffffc90000404000   12288 large pages=2 vmalloc\n',
    );
    expect(area.addr).toBe(VMALLOC_START);
    expect(provider.outstanding).toBe(1026);
    expect(vm.vmallocNrPages()).toBe(1026);
    vm.vfree(area.addr);
    expect(provider.outstanding).toBe(0);
    expect(vm.vmallocinfo()).toBe('');
  });

  it('does not release a page array twice when it was vfree()d by its own address', () => {
    const { vm, provider } = setup(2000);
    const area = vm.vmalloc(1024 * PAGE_SIZE, 'large');
    const arrayArea = [...vm.areas()][1]!;
    vm.vfree(arrayArea.addr);
    const other = vm.vmalloc(2 * PAGE_SIZE, 'reuses the hole');
    expect(other.addr).toBe(arrayArea.addr);
    vm.vfree(area.addr);
    expect(vm.findVmArea(other.addr)).toBe(other);
    vm.vfree(other.addr);
    expect(provider.outstanding).toBe(0);
  });

  it('getVmArea reserves anywhere in the vmalloc range', () => {
    const { vm } = setup();
    const a = vm.getVmArea(5000, VM_MAP, 'get_vm_area_caller')!;
    expect(a).toMatchObject({ addr: VMALLOC_START, size: 3 * PAGE_SIZE, flags: VM_MAP, nrPages: 0 });
    expect(vm.vmallocNrPages()).toBe(0);
    expect(vm.vmallocinfo()).toBe('0xffffc90000000000-0xffffc90000003000   12288 get_vm_area_caller vmap\n');
  });

  it('rejects bad sizes with EINVAL', () => {
    const { vm, provider } = setup();
    for (const s of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectVmallocError(() => vm.vmalloc(s, 'x'), 'EINVAL');
    }
    expect(provider.bulkCalls).toBe(0);
  });
});

describe('vmap / vunmap', () => {
  it('maps caller pages in a VM_MAP area and never frees them', () => {
    const { vm, provider } = setup();
    const pfns: number[] = [];
    provider.allocPagesBulk(2, pfns);
    const area = vm.vmap(pfns, 2, 0, 'vmap_user')!;
    expect(area.flags).toBe(VM_MAP);
    expect(vm.translate(area.addr + PAGE_SIZE)).toBe(pfns[1]);
    expect(vm.vmallocinfo()).toBe('0xffffc90000000000-0xffffc90000003000   12288 vmap_user vmap\n');
    vm.vunmap(area.addr);
    expect(provider.outstanding).toBe(2);
    expect(vm.isMapped(area.addr)).toBe(false);
    expectVmallocError(() => vm.vunmap(area.addr), 'EINVAL');
    expectVmallocError(() => vm.vmap(pfns, 3, 0, 'x'), 'EINVAL');
    expectVmallocError(() => vm.vmap([1, -1], 2, 0, 'x'), 'EINVAL');
    expectVmallocError(() => vm.vmap(pfns, 0, 0, 'x'), 'EINVAL');
  });
});

describe('reserved area growth (execmem_vmap + vmap_pages_range)', () => {
  it('reserves MODULE_ALLOC_TAG_VMAP_SIZE without pages; every page faults until populated', () => {
    const { vm, provider, log } = setup();
    const area = vm.execmemVmap(4_000_000)!;
    expect(area.addr).toBe(MODULES_VADDR);
    expect(area.size).toBe(978 * PAGE_SIZE);
    expect(getVmAreaSize(area)).toBe(977 * PAGE_SIZE);
    expect(area.flags).toBe(VM_ALLOC);
    expect(area.nrPages).toBe(0);
    expect(provider.bulkCalls).toBe(0);
    for (const off of [0, 40, 4095, 4096, 3_999_999]) {
      const f = thrown(() => vm.translate(area.addr + off));
      expect(f).toBeInstanceOf(PageFault);
      expect((f as PageFault).address).toBe(area.addr + off);
      expect((f as PageFault).message).toBe(
        `BUG: unable to handle page fault for address: 0xffffffffa${off.toString(16).padStart(7, '0')}`,
      );
    }
    expect(log.lines).toEqual([]);
  });

  it('grows page by page; populated pages translate, the rest still fault', () => {
    const { vm, provider } = setup();
    const area = vm.execmemVmap(4_000_000)!;
    const tag = 40;
    for (let tags = 1; tags <= 300; tags++) {
      expect(populate(vm, area, area.addr + tags * tag)).toBe(0);
      expect(area.nrPages).toBe(Math.ceil((tags * tag) / PAGE_SIZE));
    }
    expect(area.nrPages).toBe(3);
    expect(provider.outstanding).toBe(3);
    for (let i = 0; i < 3; i++) expect(vm.translate(area.addr + i * PAGE_SIZE + 8)).toBe(area.pages[i]);
    expect(() => vm.translate(area.addr + 3 * PAGE_SIZE)).toThrow(PageFault);
    expect(vm.vmallocinfo()).toBe(
      '0xffffffffa0000000-0xffffffffa03d2000 4005888 execmem_vmap pages=3 vmalloc\n',
    );
  });

  it('a short bulk allocation leaves the area unchanged and leaks nothing', () => {
    const { vm, provider } = setup();
    const area = vm.execmemVmap(4_000_000)!;
    expect(populate(vm, area, area.addr + PAGE_SIZE)).toBe(0);
    provider.budget = 2;
    expect(populate(vm, area, area.addr + 5 * PAGE_SIZE)).toBe(-ERRNO.ENOMEM);
    expect(area.nrPages).toBe(1);
    expect(provider.outstanding).toBe(1);
    expect(vm.nrMappedPages).toBe(1);
    expect(vm.isMapped(area.addr + PAGE_SIZE)).toBe(false);
  });

  it('vmapPagesRange: 0 or -errno, all-or-nothing', () => {
    const { vm, provider } = setup();
    const area = vm.execmemVmap(4 * PAGE_SIZE)!;
    const pfns: number[] = [];
    provider.allocPagesBulk(5, pfns);
    const a = area.addr;
    const end = a + 4 * PAGE_SIZE;
    expect(vm.vmapPagesRange(a + 1, a + PAGE_SIZE, pfns)).toBe(-ERRNO.EINVAL);
    expect(vm.vmapPagesRange(a, a + 10, pfns)).toBe(-ERRNO.EINVAL);
    expect(vm.vmapPagesRange(a, a, pfns)).toBe(-ERRNO.EINVAL);
    expect(vm.vmapPagesRange(a + PAGE_SIZE, a, pfns)).toBe(-ERRNO.EINVAL);
    expect(vm.vmapPagesRange(a, end + PAGE_SIZE, pfns)).toBe(-ERRNO.EINVAL); // into the guard page
    expect(vm.vmapPagesRange(VMALLOC_START, VMALLOC_START + PAGE_SIZE, pfns)).toBe(-ERRNO.EINVAL); // no area
    expect(vm.vmapPagesRange(a, a + 2 * PAGE_SIZE, [1])).toBe(-ERRNO.EINVAL);
    expect(vm.vmapPagesRange(a, a + 2 * PAGE_SIZE, [1, -2])).toBe(-ERRNO.EINVAL);
    expect(vm.vmapPagesRange(a, a + 2 * PAGE_SIZE, [1, 2.5])).toBe(-ERRNO.EINVAL);
    expect(vm.vmapPagesRange(a, a + PAGE_SIZE, pfns, 'PAGE_SHARED' as never)).toBe(-ERRNO.EINVAL);
    expect(vm.nrMappedPages).toBe(0);
    expect(vm.vmapPagesRange(a + PAGE_SIZE, a + 2 * PAGE_SIZE, pfns)).toBe(0);
    expect(vm.vmapPagesRange(a, a + 3 * PAGE_SIZE, pfns.slice(1))).toBe(-ERRNO.EBUSY);
    expect(vm.isMapped(a)).toBe(false);
    expect(vm.nrMappedPages).toBe(1);
    expect(vm.vmapPagesRange(a + 2 * PAGE_SIZE, end, pfns.slice(2), 'PAGE_KERNEL_RO')).toBe(0);
    expect(vm.pgprotAt(end - 1)).toBe('PAGE_KERNEL_RO');
    vm.vunmapRange(a + 2 * PAGE_SIZE, end);
    expect(vm.nrMappedPages).toBe(1);
    expectVmallocError(() => vm.vunmapRange(a + 1, end), 'EINVAL');
    expectVmallocError(() => vm.vunmapRange(end, a), 'EINVAL');
    expect(() => vm.pgprotAt(end - 1)).toThrow(PageFault);
  });
});

describe('execmem', () => {
  const split: ExecmemArchRanges = {
    [ExecmemType.EXECMEM_DEFAULT]: {
      start: MODULES_VADDR,
      end: MODULES_VADDR + 16 * PAGE_SIZE,
      fallbackStart: MODULES_VADDR + 0x100000,
      fallbackEnd: MODULES_VADDR + 0x100000 + 16 * PAGE_SIZE,
      pgprot: 'PAGE_KERNEL_ROX',
      alignment: PAGE_SIZE,
    },
    [ExecmemType.EXECMEM_MODULE_DATA]: {
      start: MODULES_VADDR + 0x200000,
      end: MODULES_VADDR + 0x200000 + 8 * PAGE_SIZE,
      fallbackStart: MODULES_VADDR + 0x300000,
      fallbackEnd: MODULES_VADDR + 0x300000 + 8 * PAGE_SIZE,
      pgprot: 'PAGE_KERNEL',
      alignment: 4 * PAGE_SIZE,
    },
  };

  it('execmemVmap reserves in the MODULE_DATA range only, then its fallback, then null without a message of its own', () => {
    const { vm, log, provider } = setup(64, { execmemRanges: split });
    const a = vm.execmemVmap(3 * PAGE_SIZE)!;
    const b = vm.execmemVmap(3 * PAGE_SIZE)!;
    expect(a.addr).toBe(MODULES_VADDR + 0x200000);
    expect(b.addr).toBe(MODULES_VADDR + 0x200000 + 4 * PAGE_SIZE);
    const c = vm.execmemVmap(3 * PAGE_SIZE)!;
    expect(c.addr).toBe(MODULES_VADDR + 0x300000);
    expect(log.lines).toEqual([VMAP_WARN(4 * PAGE_SIZE)]);
    vm.execmemVmap(3 * PAGE_SIZE);
    expect(vm.execmemVmap(3 * PAGE_SIZE)).toBeNull();
    expect(log.lines.filter((l) => l.includes('execmem'))).toEqual([]);
    expect(provider.bulkCalls).toBe(0);
    expect(vm.execmemVmap(0)).toBeNull();
    expectVmallocError(() => vm.execmemVmap(-1), 'EINVAL');
    // the text range was never touched
    expect([...vm.areas()].every((v) => v.addr >= MODULES_VADDR + 0x200000)).toBe(true);
  });

  it('execmemAlloc maps with the range protection and falls back; failure prints the execmem message and throws ENOMEM', () => {
    const { vm, log, provider } = setup(64, { execmemRanges: split });
    const text = vm.execmemAlloc(ExecmemType.EXECMEM_MODULE_TEXT, 10 * PAGE_SIZE);
    expect(text).toBe(MODULES_VADDR);
    expect(vm.pgprotAt(text)).toBe('PAGE_KERNEL_ROX');
    const text2 = vm.execmemAlloc(ExecmemType.EXECMEM_KPROBES, 10 * PAGE_SIZE);
    expect(text2).toBe(MODULES_VADDR + 0x100000);
    const data = vm.execmemAlloc(ExecmemType.EXECMEM_MODULE_DATA, PAGE_SIZE);
    expect(data).toBe(MODULES_VADDR + 0x200000);
    expect(vm.pgprotAt(data)).toBe('PAGE_KERNEL');
    expect(log.lines).toEqual([]);
    const before = provider.outstanding;
    expectVmallocError(() => vm.execmemAlloc(ExecmemType.EXECMEM_BPF, 10 * PAGE_SIZE), 'ENOMEM');
    expect(log.lines).toEqual(['warning: execmem: unable to allocate memory']); // __GFP_NOWARN: nothing else
    expect(provider.outstanding).toBe(before);
    vm.execmemFree(text);
    vm.execmemFree(text2);
    vm.execmemFree(data);
    expect(provider.outstanding).toBe(0);
  });

  it('rate-limits the execmem message per call site (__execmem_alloc)', () => {
    let now = 1000;
    const { vm, log } = setup(0, { clock: () => now });
    for (let i = 0; i < 13; i++) {
      expectVmallocError(() => vm.execmemAlloc(ExecmemType.EXECMEM_FTRACE, PAGE_SIZE), 'ENOMEM');
    }
    expect(log.lines).toEqual(Array(10).fill('warning: execmem: unable to allocate memory'));
    now += 5001;
    expectVmallocError(() => vm.execmemAlloc(ExecmemType.EXECMEM_FTRACE, PAGE_SIZE), 'ENOMEM');
    expect(log.lines.slice(10)).toEqual([
      'warning: __execmem_alloc: 3 callbacks suppressed',
      'warning: execmem: unable to allocate memory',
    ]);
  });

  it('execmemAlloc rolls back when pages run out', () => {
    const { vm, log, provider } = setup(5);
    expectVmallocError(() => vm.execmemAlloc(ExecmemType.EXECMEM_DEFAULT, 8 * PAGE_SIZE), 'ENOMEM');
    expect(provider.outstanding).toBe(0);
    expect(vm.vmallocinfo()).toBe('');
    expect(log.lines).toEqual(['warning: execmem: unable to allocate memory']);
  });

  it('uses the x86_64 module range by default and the generic table with execmemRanges: null', () => {
    const x86 = setup().vm;
    expect(x86.execmemRange(ExecmemType.EXECMEM_MODULE_DATA)).toMatchObject({
      start: MODULES_VADDR,
      end: MODULES_END,
      pgprot: 'PAGE_KERNEL',
    });
    const generic = setup(64, { execmemRanges: null }).vm;
    const text = generic.execmemAlloc(ExecmemType.EXECMEM_DEFAULT, PAGE_SIZE);
    const data = generic.execmemAlloc(ExecmemType.EXECMEM_MODULE_DATA, PAGE_SIZE);
    expect(text).toBe(VMALLOC_START);
    expect(generic.pgprotAt(text)).toBe('PAGE_KERNEL_EXEC');
    expect(generic.pgprotAt(data)).toBe('PAGE_KERNEL');
    expect(generic.execmemVmap(PAGE_SIZE)!.addr).toBe(VMALLOC_START + 4 * PAGE_SIZE);
  });

  it('rejects bad types and sizes', () => {
    const { vm, provider } = setup();
    expectVmallocError(() => vm.execmemAlloc(ExecmemType.EXECMEM_TYPE_MAX, PAGE_SIZE), 'EINVAL');
    expectVmallocError(() => vm.execmemAlloc(-1 as ExecmemType, PAGE_SIZE), 'EINVAL');
    expectVmallocError(() => vm.execmemAlloc(ExecmemType.EXECMEM_BPF, 0), 'EINVAL');
    expectVmallocError(() => vm.execmemRange(9 as ExecmemType), 'EINVAL');
    expect(provider.bulkCalls).toBe(0);
  });
});

describe('vmallocinfo', () => {
  it('prints one line per area in address order like /proc/vmallocinfo', () => {
    const { vm } = setup();
    const a = vm.vmalloc(3 * PAGE_SIZE, 'alloc_large_system_hash+0x16a/0x260');
    vm.getVmAreaNode(PAGE_SIZE, 1, PAGE_SHIFT, VM_IOREMAP, VMALLOC_START, VMALLOC_END, 'pci_iomap+0x38/0x90');
    vm.getVmAreaNode(PAGE_SIZE, 1, PAGE_SHIFT, 0, VMALLOC_START, VMALLOC_END, '');
    vm.execmemAlloc(ExecmemType.EXECMEM_MODULE_TEXT, 5000);
    vm.vfree(a.addr);
    vm.vmalloc(PAGE_SIZE, 'second');
    expect(vm.vmallocinfo()).toBe(
      [
        '0xffffc90000000000-0xffffc90000002000    8192 second pages=1 vmalloc',
        '0xffffc90000004000-0xffffc90000006000    8192 pci_iomap+0x38/0x90 ioremap',
        '0xffffc90000006000-0xffffc90000008000    8192',
        '0xffffffffa0000000-0xffffffffa0003000   12288 execmem_alloc pages=2 vmalloc',
        '',
      ].join('\n'),
    );
  });
});

describe('Vmalloc construction', () => {
  it('validates options', () => {
    const provider = new CountingProvider(1);
    const printk = new RecordingPrintk();
    const bad: unknown[] = [
      undefined,
      {},
      { pageProvider: provider },
      { printk },
      { pageProvider: provider, printk, vmallocStart: VMALLOC_START + 1 },
      { pageProvider: provider, printk, vmallocStart: VMALLOC_START, vmallocEnd: VMALLOC_START },
      { pageProvider: provider, printk, vmallocEnd: 2 ** 48 },
      { pageProvider: provider, printk, clock: 5 },
      { pageProvider: provider, printk, totalRamPages: 5 },
      { pageProvider: provider, printk, execmemRanges: {} },
    ];
    for (const opts of bad) expectVmallocError(() => new Vmalloc(opts as VmallocOptions), 'EINVAL');
    const vm = new Vmalloc({ pageProvider: provider, printk });
    expect([vm.vmallocStart, vm.vmallocEnd]).toEqual([VMALLOC_START, VMALLOC_END]);
    expect(vm.pageProvider).toBe(provider);
  });
});
