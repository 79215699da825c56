import { describe, expect, it } from 'vitest';
import { Kernel, resolveKernelConfig } from '../init/main';
import { KernelError } from '../kernel/errno';
import { PAGE_SIZE } from './memmap';
import { migrateFolio } from './migrate';

const counters = (k: Kernel, spec: string) => k.siteCounters(k.site(spec));

// mm/migrate.c: folio_migrate_flags() → lib/alloc_tag.c: pgalloc_tag_swap(), through the real
// hooks of both page tag reference backends.
describe.each([
  ['page_ext', 'sysctl.vm.mem_profiling=1'],
  ['page flags', 'sysctl.vm.mem_profiling=1,compressed'],
])('folio migration, %s references', (_kind, cmdline) => {
  const boot = (debug = false): Kernel => {
    const base = resolveKernelConfig('x86_64-sim');
    const kconfig = { ...base.kconfig, CONFIG_MEM_ALLOC_PROFILING_DEBUG: debug };
    return Kernel.boot({ mem: '128M', cpus: 2, cmdline, config: { ...base, kconfig } });
  };

  it('the new folio carries the original tag; the target charge goes away with the old folio', () => {
    const k = boot();
    const site = k.site('mm/shmem.c:1775');
    const mig = k.site('mm/migrate.c:2172');
    const before = { site: counters(k, 'mm/shmem.c:1775'), mig: counters(k, 'mm/migrate.c:2172') };
    const [pfn] = k.allocPages(site, 2);
    const dst = k.migratePage(pfn!);
    expect(dst).not.toBe(pfn);
    expect(k.alloc.allocatedOrder(pfn!)).toBe(-1);
    expect(k.alloc.allocatedOrder(dst)).toBe(2);
    expect(k.allocTag!.pgallocTagGet(dst)).toBe(site.tag);
    expect(counters(k, 'mm/shmem.c:1775')).toEqual({
      bytes: before.site.bytes + 4 * PAGE_SIZE,
      calls: before.site.calls + 1,
    });
    expect(counters(k, 'mm/migrate.c:2172')).toEqual(before.mig);
    expect(mig.tag).not.toBeNull();
    k.freePages(dst, 2);
    expect(counters(k, 'mm/shmem.c:1775')).toEqual(before.site);
  });

  it('an uncharged target swaps nothing: the original charge leaves with the old folio', () => {
    const k = boot();
    const site = k.site('mm/shmem.c:1775');
    const before = counters(k, 'mm/shmem.c:1775');
    const [pfn] = k.allocPages(site, 0);
    // Called outside alloc_hooks(): current->alloc_tag is NULL when the target is allocated.
    const dst = migrateFolio(k.alloc, pfn!);
    expect(k.allocTag!.pgallocTagGet(dst)).toBeNull();
    expect(counters(k, 'mm/shmem.c:1775')).toEqual(before);
    k.freePages(dst, 0);
    expect(counters(k, 'mm/shmem.c:1775')).toEqual(before);
  });

  it('DEBUG: migration prints no warning (both references are emptied before the swap)', () => {
    const k = boot(true);
    const [pfn] = k.allocPages('mm/shmem.c:1775', 0);
    const seq = k.dmesg.seq;
    k.migratePage(pfn!);
    expect(k.dmesg.text('debug', seq)).toBe('');
  });

  it('refuses a shared block (EBUSY) and a pfn that is not a block head (EINVAL), changing nothing', () => {
    const k = boot();
    const [pfn] = k.allocPages('mm/shmem.c:1775', 1);
    k.alloc.getPage(pfn!);
    const stats = JSON.stringify(k.alloc.stats());
    expect(() => migrateFolio(k.alloc, pfn!)).toThrowError(expect.objectContaining({ code: 'EBUSY' }));
    expect(() => migrateFolio(k.alloc, pfn! + 1)).toThrowError(KernelError);
    expect(JSON.stringify(k.alloc.stats())).toBe(stats);
    expect(k.allocTag!.pgallocTagGet(pfn!)).toBe(k.site('mm/shmem.c:1775').tag);
  });
});
