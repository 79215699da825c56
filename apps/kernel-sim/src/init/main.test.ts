import { getPageFlagsPreset } from '@allocprof/page-flags-layout';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel/errno';
import { catalogModule } from '../kernel/module/catalog';
import type { ModuleDescriptor } from '../kernel/module/descriptor';
import { GFP_KERNEL } from '../mm/gfp';
import { PAGE_SIZE } from '../mm/memmap';
import { TaskStruct } from '../sched/current';
import { type CallSite, Kernel, type KernelOptions } from './main';

const boot = (o: KernelOptions = {}): Kernel => Kernel.boot({ mem: '128M', cpus: 2, ...o });
const msgs = (k: Kernel): string[] => k.dmesg.messages();
const bytesOf = (k: Kernel, s: CallSite): number => k.siteCounters(s).bytes;
const callsOf = (k: Kernel, s: CallSite): number => k.siteCounters(s).calls;
/** The first kernel call site in `file`. */
const siteIn = (k: Kernel, file: string): CallSite => {
  const t = k.kernelTags.find((x) => x.filename === file)!;
  return k.site(`${t.filename}:${t.lineno}`);
};

function errOf(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KernelError);
    return e as KernelError;
  }
  throw new Error('expected a KernelError');
}

/** The x86_64-sim preset with some options changed, under a name of its own. */
function simWith(name: string, changes: Record<string, boolean>) {
  const p = getPageFlagsPreset('x86_64-sim');
  return { name, arch: p.arch, kconfig: { ...p.kconfig, ...changes } };
}
const distroNoDefault = () =>
  simWith('sim-off-by-default', { CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: false });

describe('boot', () => {
  it('announces the 6.13 release it simulates (init/version.c: linux_banner)', () => {
    const first = msgs(boot())[0]!;
    expect(first).toMatch(/^Linux version 6\.13\.0-allocprof \(/);
  });

  it.each([
    ['', true, '1', false, true],
    ['sysctl.vm.mem_profiling=never', false, '0', false, false],
    ['sysctl.vm.mem_profiling=0', true, '0', false, true],
    ['sysctl.vm.mem_profiling=1', true, '1', false, true],
    ['sysctl.vm.mem_profiling=1,compressed', true, '1', true, false],
    ['sysctl.vm.mem_profiling=0,compressed', true, '0', true, false],
    ['sysctl.vm.mem_profiling=maybe', true, '1', false, true],
    ['sysctl.vm.mem_profiling=1,compressed sysctl.vm.mem_profiling=on', true, '1', false, true],
  ])('follows the boot table for %j', (cmdline, support, key, compressed, pageExt) => {
    const k = boot({ cmdline });
    const at = k.allocTag!;
    expect(at.support).toBe(support);
    expect(k.sysctl('vm.mem_profiling')).toBe(key);
    expect(at.compressed).toBe(compressed);
    expect(k.pageExt.allocated).toBe(pageExt);
    expect(msgs(k).some((m) => /^allocated \d+ bytes of page_ext$/.test(m))).toBe(pageExt);
    expect(k.procfs.exists('/proc/allocinfo')).toBe(support);
    if (cmdline.endsWith('maybe'))
      expect(msgs(k)).toContain("Malformed early option 'sysctl.vm.mem_profiling'");
  });

  it('prints the late sysctl failures of do_sysctl_args() (fs/proc/proc_sysctl.c)', () => {
    expect(msgs(boot({ cmdline: 'sysctl.vm.mem_profiling=never' }))).toContain(
      "Failed to set sysctl parameter 'vm.mem_profiling=never': permission denied (read-only?)",
    );
    expect(msgs(boot({ cmdline: 'sysctl.vm.mem_profiling=1,compressed' }))).toContain(
      "Failed to set sysctl parameter 'vm.mem_profiling=1,compressed': invalid value",
    );
    expect(
      msgs(boot({ cmdline: 'sysctl.vm.mem_profiling=1' })).some((m) => m.startsWith('Failed to set')),
    ).toBe(false);
  });

  it('without ENABLED_BY_DEFAULT nothing is supported and the sysctl is read-only', () => {
    const k = boot({ config: distroNoDefault() });
    expect(k.allocTag!.support).toBe(false);
    expect(k.procfs.exists('/proc/allocinfo')).toBe(false);
    expect(k.pageExt.allocated).toBe(false);
    expect(k.allocTag!.sysctl.mode).toBe(0o444);
    expect(errOf(() => k.sysctl('vm.mem_profiling', '1')).code).toBe('EACCES');
  });

  it('DEBUG builds boot without warnings, keep the sysctl read-only and warn on unannotated allocations', () => {
    const p = getPageFlagsPreset('x86_64-sim');
    for (const cmdline of ['', 'sysctl.vm.mem_profiling=1,compressed']) {
      const k = boot({
        cmdline,
        config: {
          name: 'debug',
          arch: p.arch,
          kconfig: { ...p.kconfig, CONFIG_MEM_ALLOC_PROFILING_DEBUG: true },
        },
      });
      expect(msgs(k).filter((m) => m.includes('WARNING') || m.includes('alloc_tag'))).toEqual([]);
      expect(errOf(() => k.sysctl('vm.mem_profiling', '0')).code).toBe('EACCES');
      const s = k.site('mm/shmem.c:1775');
      const [pfn] = k.allocPages(s, 1);
      k.freePages(pfn!, 1);
      expect(msgs(k).filter((m) => m.includes('alloc_tag'))).toEqual([]);
      const [anon] = k.allocPages(null, 0);
      expect(msgs(k)).toContain('current->alloc_tag not set');
      k.freePages(anon!, 0);
    }
  });

  it('a failed /proc/allocinfo creation shuts profiling down but leaves the sysctl writable', () => {
    const k = boot({ faults: { allocinfoCreate: true } });
    expect(msgs(k)).toContain('Failed to create allocinfo file');
    expect(k.allocTag!.support).toBe(false);
    expect(k.sysctl('vm.mem_profiling')).toBe('0');
    expect(k.sysctl('vm.mem_profiling', '1')).toBe('1');
    expect(errOf(() => k.readFile('/proc/allocinfo')).code).toBe('ENOENT');
  });

  it('compressed mode with too few page-flag bits shuts profiling down before procfs exists', () => {
    const k = boot({ config: 'x86_64-distro', cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    expect(msgs(k)).toContain(
      '4096 allocation tags cannot be references using 1 available page flag bits. Memory allocation profiling is disabled!',
    );
    expect(errOf(() => k.readFile('/proc/allocinfo')).code).toBe('ENOENT');
    expect(k.pageExt.allocated).toBe(false);
    expect(k.sysctl('vm.mem_profiling')).toBe('0');
    expect(errOf(() => k.sysctl('vm.mem_profiling', '1')).code).toBe('EACCES');
  });

  it('compressed mode passes with exactly 2^N kernel tags', () => {
    const k = boot({ cmdline: 'sysctl.vm.mem_profiling=1,compressed', kernelTags: 8192 });
    expect(k.allocTag!.support).toBe(true);
    expect(k.readFile('/proc/allocinfo').split('\n').length).toBe(8192 + 3);
  });

  it('page_ext mode spends memory on tag references, compressed mode spends none', () => {
    const ext = boot({ mem: '1G' });
    const cmp = boot({ mem: '1G', cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    // page_alloc_tagging_ops does not use page_ext's shared flags: an entry is the 8-byte reference.
    expect(ext.pageExt.bytes).toBe(8 * (2 ** 30 / PAGE_SIZE));
    expect(ext.pageExt.size).toBe(8);
    expect(ext.pageTagRefs!.bytes).toBe(8 * (2 ** 30 / PAGE_SIZE));
    expect(cmp.pageExt.bytes).toBe(0);
    expect(cmp.pageTagRefs!.bytes).toBe(0);
    expect(ext.readFile('/proc/meminfo')).toMatch(/^PageTagRefs: +2048 kB$/m);
    expect(cmp.readFile('/proc/meminfo')).toMatch(/^PageExt: +0 kB$/m);
    const free = (k: Kernel) => Number(/^MemFree: +(\d+) kB$/m.exec(k.readFile('/proc/meminfo'))![1]);
    expect(free(cmp) - free(ext)).toBe(2048);
    expect(msgs(ext)).toContain('allocated 2097152 bytes of page_ext');
  });

  it('the nohooks build has no tags, no allocinfo and no page_ext', () => {
    const k = boot({ profiling: false, cmdline: 'sysctl.vm.mem_profiling=1' });
    expect(k.allocTag).toBeNull();
    expect(k.alloc.constructor.name).toBe('NoHooksPageAllocator');
    expect(errOf(() => k.readFile('/proc/allocinfo')).code).toBe('ENOENT');
    expect(k.pageExt.allocated).toBe(false);
    expect(msgs(k)).toContain("Failed to set sysctl parameter 'vm.mem_profiling=1': parameter not found");
    const [pfn] = k.allocPages('mm/filemap.c:1919', 2);
    k.freePages(pfn!, 2);
    k.insmod('e1000e');
    const site = k.site('e1000e:e1000_alloc_rx_buffers');
    expect(site.tag).toBeNull();
    k.freePages(k.allocPages(site, 0)[0]!, 0);
    k.rmmod('e1000e');
  });

  it('charges boot allocations to kernel call sites', () => {
    const k = boot();
    const filemap = k.site('mm/filemap.c:1919');
    expect(filemap.function).toBe('__filemap_get_folio');
    expect(bytesOf(k, filemap)).toBe(512 * PAGE_SIZE);
    expect(k.readFile('/proc/allocinfo')).toContain(
      `     2097152      512 mm/filemap.c:1919 func:__filemap_get_folio \n`,
    );
  });

  it('is deterministic', () => {
    const a = boot({ cmdline: 'foo=bar sysctl.vm.mem_profiling=1,compressed' });
    const b = boot({ cmdline: 'foo=bar sysctl.vm.mem_profiling=1,compressed' });
    for (const k of [a, b]) {
      const t = k.insmod('kvm').tags[5]!;
      k.allocPages(`${t.filename}:${t.lineno}`, 1, { count: 3 });
    }
    expect(a.dmesgText()).toBe(b.dmesgText());
    expect(a.readFile('/proc/allocinfo')).toBe(b.readFile('/proc/allocinfo'));
    expect(a.readFile('/proc/meminfo')).toBe(b.readFile('/proc/meminfo'));
  });

  it('handles early params and reports unknown ones', () => {
    const k = boot({
      mem: '1G',
      cmdline: 'mem=256M quiet foo=bar nosmt=force mem=junk some.module=1 init=/bin/sh',
    });
    expect(k.ramBytes).toBe(256 * 2 ** 20);
    expect(msgs(k)).toContain("Malformed early option 'mem'");
    expect(msgs(k)).toContain(
      'Unknown kernel command line parameters "foo=bar nosmt=force", will be passed to user space.',
    );
    expect(msgs(k)).toContain('Run /bin/sh as init process');
    expect(k.dmesg.consoleLoglevel).toBe(4);
  });

  it('rejects bad machine options with EINVAL', () => {
    expect(errOf(() => boot({ mem: '12Q' })).message).toMatch(/invalid memory size '12Q'/);
    expect(errOf(() => boot({ mem: '32M' })).message).toMatch(/at least 64M/);
    expect(errOf(() => boot({ cpus: 0 })).code).toBe('EINVAL');
    expect(errOf(() => boot({ config: 'no-such-config' })).code).toBe('EINVAL');
    expect(errOf(() => boot({ nodes: 128 })).code).toBe('EINVAL');
  });

  it('sets zone, node and section fields for every page', () => {
    const k = boot({ mem: '512M', nodes: 2 });
    const mm = k.memmap;
    for (const z of mm.zones)
      for (let pfn = z.startPfn; pfn < z.endPfn; pfn++) {
        if (mm.flags.getField(pfn, 'zone') !== z.zoneIdx || mm.flags.getField(pfn, 'node') !== z.nid)
          throw new Error(`pfn ${pfn}: zone/node fields not set`);
      }
    expect(mm.pageToNid(mm.nrPages - 1)).toBe(1);
    expect(mm.zones.reduce((n, z) => n + z.endPfn - z.startPfn, 0)).toBe(mm.nrPages);
  });

  it('sets the section field when the section number lives in page flags', () => {
    const p = getPageFlagsPreset('x86_64-sim');
    const k = boot({
      config: {
        name: 'nonvmemmap',
        arch: p.arch,
        kconfig: { ...p.kconfig, CONFIG_SPARSEMEM_VMEMMAP: false },
      },
    });
    expect(k.layout.SECTIONS_WIDTH).toBeGreaterThan(0);
    for (let pfn = 0; pfn < k.memmap.nrPages; pfn += 97)
      expect(k.memmap.flags.getField(pfn, 'section')).toBe(k.memmap.pfnToSectionNr(pfn));
  });

  it('boots 64G with one 32-byte struct page record per page frame', () => {
    const k = Kernel.boot({ mem: '64G', cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    expect(k.memmap.nrPages).toBe(16 * 2 ** 20);
    expect(k.perPageHostBytes).toBe(32);
    expect(k.memmap.pages.byteLength).toBe(32 * 16 * 2 ** 20);
    const s = k.site('mm/slub.c:2437');
    const before = bytesOf(k, s);
    const pfns = k.allocPages(s, 10, { count: 4 });
    expect(bytesOf(k, s) - before).toBe(4 * 4 * 2 ** 20);
    for (const p of pfns) k.freePages(p, 10);
    expect(bytesOf(k, s)).toBe(before);
  }, 30_000);
});

describe('page allocations and tags', () => {
  for (const mode of ['1', '1,compressed']) {
    describe(`mode ${mode}`, () => {
      const mk = () => boot({ cmdline: `sysctl.vm.mem_profiling=${mode}` });

      it('charges, splits and frees', () => {
        const k = mk();
        const s = siteIn(k, 'mm/huge_memory.c');
        const [pfn] = k.allocPages(s, 3);
        expect(bytesOf(k, s)).toBe(8 * PAGE_SIZE);
        expect(callsOf(k, s)).toBe(1);
        k.splitPage(pfn!, 1);
        expect(callsOf(k, s)).toBe(4);
        expect(bytesOf(k, s)).toBe(8 * PAGE_SIZE);
        for (let i = 0; i < 8; i += 2) k.freePages(pfn! + i, 1);
        expect(bytesOf(k, s)).toBe(0);
        expect(callsOf(k, s)).toBe(0);
      });

      it('partial free of a shared non-compound block', () => {
        const k = mk();
        const s = k.site('mm/filemap.c:1919');
        const base = bytesOf(k, s);
        const [pfn] = k.allocPages(s, 2, { gfp: GFP_KERNEL });
        k.alloc.getPage(pfn!);
        k.freePages(pfn!, 2);
        expect(bytesOf(k, s) - base).toBe(PAGE_SIZE);
        k.alloc.putPage(pfn!);
        expect(bytesOf(k, s)).toBe(base);
      });

      it('migration moves the reference and keeps the charge', () => {
        const k = mk();
        const s = k.site('mm/shmem.c:1775');
        const mig = k.site('mm/migrate.c:2172');
        const base = bytesOf(k, s);
        const [pfn] = k.allocPages(s, 1);
        const dst = k.migratePage(pfn!);
        expect(dst).not.toBe(pfn);
        expect(bytesOf(k, s) - base).toBe(2 * PAGE_SIZE);
        expect(bytesOf(k, mig)).toBe(0);
        expect(callsOf(k, mig)).toBe(0);
        expect(k.allocTag!.pgallocTagGet(dst)).toBe(s.tag);
        expect(k.allocTag!.pgallocTagGet(pfn!)).toBeNull();
        k.freePages(dst, 1);
        expect(bytesOf(k, s)).toBe(base);
      });

      it('vmalloc charges the caller and vfree uncharges it', () => {
        const k = mk();
        const s = siteIn(k, 'kernel/bpf/syscall.c');
        const area = k.vmallocAlloc(s, 8 * PAGE_SIZE);
        expect(bytesOf(k, s)).toBe(8 * PAGE_SIZE);
        expect(k.readFile('/proc/vmallocinfo')).toContain(s.function);
        k.vfree(area.addr);
        expect(bytesOf(k, s)).toBe(0);
      });
    });
  }

  it('a hardware-poisoned page is uncharged, cleared and kept out of the allocator when freed', () => {
    for (const cmdline of ['sysctl.vm.mem_profiling=1', 'sysctl.vm.mem_profiling=1,compressed']) {
      const k = boot({ cmdline });
      const s = k.site('mm/shmem.c:1775');
      const base = bytesOf(k, s);
      const [pfn, big] = [k.allocPages(s, 0)[0]!, k.allocPages(s, 2)[0]!];
      expect(errOf(() => k.memoryFailure(big)).code).toBe('EINVAL');
      k.memoryFailure(pfn);
      const before = k.alloc.stats();
      k.freePages(pfn, 0);
      const after = k.alloc.stats();
      expect(after.poisonedPages - before.poisonedPages).toBe(1);
      expect(after.freePages + after.pcpPages).toBe(before.freePages + before.pcpPages);
      expect(bytesOf(k, s) - base).toBe(4 * PAGE_SIZE);
      expect(k.allocTag!.pgallocTagGet(pfn)).toBeNull();
      expect(errOf(() => k.freePages(pfn, 0)).code).toBe('EINVAL');
      k.alloc.checkInvariants();
    }
    expect(errOf(() => boot({ config: 'arm-embedded-flatmem' }).memoryFailure(1)).code).toBe('ENOSYS');
  });

  it('allocation failure is all or nothing and fault injection reaches every allocation', () => {
    const k = boot();
    const s = k.site('mm/shmem.c:1775');
    const before = k.alloc.stats();
    k.failPageAlloc(1, 2 * PAGE_SIZE + 1);
    const e = errOf(() => k.allocPages(s, 0, { count: 5 }));
    expect(e.code).toBe('ENOMEM');
    expect(k.alloc.stats().allocatedPages).toBe(before.allocatedPages);
    // vmalloc retries page by page after a short bulk allocation, so fail more than once.
    k.failPageAlloc(100);
    expect(errOf(() => k.vmallocAlloc(s, 4 * PAGE_SIZE)).code).toBe('ENOMEM');
    k.failPageAlloc(0);
    expect(k.alloc.stats().allocatedPages).toBe(before.allocatedPages);
    expect(errOf(() => k.allocPages(s, 11)).code).toBe('EINVAL');
    expect(errOf(() => k.allocPages('no_such_function', 0)).code).toBe('ENOENT');
  });

  it('an allocation failure reports the top call sites', () => {
    const k = boot();
    const s = siteIn(k, 'mm/hugetlb.c');
    expect(errOf(() => k.allocPages(s, 10, { count: 1000 })).code).toBe('ENOMEM');
    const m = msgs(k);
    const at = m.indexOf('Memory allocations:');
    expect(m[at - 1]).toBe(
      'swapper/0: page allocation failure: order:10, mode:0x40cc0(GFP_KERNEL|__GFP_COMP), nodemask=(null)',
    );
    expect(m[at + 1]).toMatch(
      new RegExp(`^ +\\d+\\.?\\d* MiB +\\d+ ${s.filename}:${s.lineno} func:${s.function}$`),
    );
    expect(bytesOf(k, s)).toBe(0);
  });

  it('runtime sysctl toggling leaves stale references as the spec describes', () => {
    const k = boot();
    const s = k.site('mm/shmem.c:1775');
    const base = bytesOf(k, s);
    const [a] = k.allocPages(s, 0);
    k.sysctl('vm.mem_profiling', '0');
    const [b] = k.allocPages(s, 0);
    k.freePages(a!, 0);
    k.sysctl('vm.mem_profiling', '1');
    // a was freed while off: its charge stays; b was allocated while off: its free is ignored.
    expect(bytesOf(k, s) - base).toBe(PAGE_SIZE);
    k.freePages(b!, 0);
    expect(bytesOf(k, s) - base).toBe(PAGE_SIZE);
    // a's page still holds the stale reference: reusing it overwrites the reference.
    const [c, d] = k.allocPages(s, 0, { count: 2 });
    expect([c, d]).toEqual([b, a]);
    expect(bytesOf(k, s) - base).toBe(3 * PAGE_SIZE);
    k.freePages(c!, 0);
    k.freePages(d!, 0);
    expect(bytesOf(k, s) - base).toBe(PAGE_SIZE);
    expect(errOf(() => k.sysctl('vm.mem_profiling', '1,compressed')).code).toBe('EINVAL');
    expect(errOf(() => k.sysctl('vm.mem_profiling', '1', { euid: 1000, capSysAdmin: false })).code).toBe(
      'EACCES',
    );
    expect(errOf(() => k.readFile('/proc/allocinfo', { euid: 1000, capSysAdmin: false })).code).toBe(
      'EACCES',
    );
  });
});

describe('modules', () => {
  it('unload with live allocations, free, cleanup and reload', () => {
    const k = boot({ cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    const at = k.allocTag!;
    const m = k.insmod('e1000e');
    expect(m.tagsInArea).toBe(true);
    const t = m.tags[0]!;
    const site = k.site(`${t.filename}:${t.lineno}`);
    expect(site.modname).toBe('e1000e');
    expect(k.readFile('/proc/allocinfo')).toContain(`${t.filename}:${t.lineno} [e1000e] func:${t.function} `);
    const [pfn] = k.allocPages(site, 1);
    k.rmmod('e1000e');
    expect(msgs(k)).toContain(
      `${t.filename}:${t.lineno} module e1000e func:${t.function} has ${2 * PAGE_SIZE} allocated at module unload`,
    );
    expect(k.readFile('/proc/allocinfo')).not.toContain('[e1000e]');
    expect(at.moduleTags!.map().some((r) => r.kind === 'unloaded')).toBe(true);
    expect(bytesOf(k, site)).toBe(2 * PAGE_SIZE);
    k.freePages(pfn!, 1);
    expect(bytesOf(k, site)).toBe(0);
    const again = k.insmod('e1000e');
    expect(again.tagsAddr).not.toBe(m.tagsAddr);
    expect(k.readFile('/proc/modules')).toMatch(/^e1000e \d+ 0 - Live 0xffff/m);
    expect(k.lsmod()).toContain('e1000e');
    expect(errOf(() => k.insmod('e1000e')).code).toBe('EEXIST');
    expect(errOf(() => k.rmmod('loop')).code).toBe('ENOENT');
    expect(errOf(() => k.insmod('no_such_module')).code).toBe('ENOENT');
  });

  it('a full module tag area is cleaned once and the unloaded range reused', () => {
    const k = boot();
    const big = (name: string): ModuleDescriptor => ({
      name,
      tags: Array.from({ length: 24000 }, (_, i) => ({
        file: `drivers/${name}/${name}.c`,
        line: i + 1,
        function: `${name}_alloc`,
      })),
      align: 8,
      prepend: 0,
      textSize: 4096,
      dataSize: 4096,
    });
    const [m1] = ['m1', 'm2', 'm3', 'm4'].map((n) => k.insmod(big(n)));
    const t = m1!.tags[0]!;
    const [pfn] = k.allocPages(k.site(`${t.filename}:${t.lineno}`), 0);
    k.rmmod('m1');
    const area = k.allocTag!.moduleTags!;
    expect(area.map().filter((r) => r.kind === 'unloaded')).toHaveLength(1);
    k.freePages(pfn!, 0);
    const cleanups = area.cleanups;
    const m5 = k.insmod(big('m5'));
    expect(area.cleanups).toBe(cleanups + 1);
    expect(m5.tagsAddr).toBe(m1!.tagsAddr);
    expect(area.map().some((r) => r.kind === 'unloaded')).toBe(false);
  });

  it('a failed load releases everything it took', () => {
    const k = boot({ cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    k.insmod('loop');
    const area = k.allocTag!.moduleTags!;
    const before = { pages: k.alloc.stats().allocatedPages, map: JSON.stringify(area.map()) };
    expect(errOf(() => k.insmod('loop')).code).toBe('EEXIST');
    expect(k.alloc.stats().allocatedPages).toBe(before.pages);
    expect(JSON.stringify(area.map())).toBe(before.map);
  });

  it('alignment 16 cannot be indexed: load fails, profiling is disabled', () => {
    const k = boot({ cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    const e = errOf(() => k.insmod('zfs'));
    expect(e.code).toBe('EINVAL');
    expect(msgs(k)).toContain(
      'zfs: alignment 16 is incompatible with allocation tag indexing. Memory allocation profiling is disabled!',
    );
    expect(k.allocTag!.support).toBe(false);
    expect(k.procfs.exists('/proc/allocinfo')).toBe(false);
    expect(k.lsmod()).not.toContain('zfs');
    const ext = boot();
    expect(ext.insmod('zfs').tagsInArea).toBe(true);
  });

  it('population failure fails the load and disables profiling', () => {
    const k = boot({ cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    const d = catalogModule('demo_drv')!;
    const modulePages = (d.textSize + d.dataSize) / PAGE_SIZE;
    const before = k.alloc.stats().allocatedPages;
    k.failPageAlloc(1, modulePages * PAGE_SIZE + 1);
    expect(errOf(() => k.insmod('demo_drv')).code).toBe('ENOMEM');
    expect(msgs(k)).toContain(
      'Failed to allocate memory for allocation tags in the module demo_drv. Memory allocation profiling is disabled!',
    );
    expect(k.allocTag!.support).toBe(false);
    expect(k.alloc.stats().allocatedPages).toBe(before);
  });

  it('too many tags: the load succeeds, profiling is off, the sysctl stays writable', () => {
    const k = boot({
      config: 'x86_64-numa64',
      kernelTags: 4000,
      cmdline: 'sysctl.vm.mem_profiling=1,compressed',
    });
    k.insmod('i915');
    expect(msgs(k)).toContain(
      'With module i915 there are too many tags to fit in 12 page flag bits. Memory allocation profiling is disabled!',
    );
    expect(k.sysctl('vm.mem_profiling')).toBe('0');
    expect(k.sysctl('vm.mem_profiling', '1')).toBe('1');
  });

  it('module memory and tree-node failures fail the load and release everything', () => {
    const k = boot({ cmdline: 'sysctl.vm.mem_profiling=1,compressed' });
    const before = k.alloc.stats().allocatedPages;
    k.failPageAlloc(100);
    expect(errOf(() => k.insmod('loop')).code).toBe('ENOMEM');
    k.failPageAlloc(0);
    expect(k.alloc.stats().allocatedPages).toBe(before);
    k.allocTag!.moduleTags!.injectTreeStoreFailure();
    expect(errOf(() => k.insmod('loop')).code).toBe('ENOMEM');
    expect(k.lsmod()).not.toContain('loop');
    expect(k.insmod('loop').name).toBe('loop');
    expect(k.allocTag!.support).toBe(true);
  });

  it('a kernel without CONFIG_MODULES has no init_module', () => {
    const k = boot({ config: 'x86_64-sim-nomodules' });
    expect(errOf(() => k.insmod('loop')).code).toBe('ENOSYS');
  });

  it('tags stay in module data when profiling is not supported', () => {
    const k = boot({ cmdline: 'sysctl.vm.mem_profiling=never' });
    const m = k.insmod('kvm');
    expect(m.tagsInArea).toBe(false);
    k.rmmod('kvm');
    expect(errOf(() => k.insmod({ ...catalogModule('loop')!, align: 3 })).code).toBe('ENOEXEC');
  });
});

describe('DEBUG warnings (CONFIG_MEM_ALLOC_PROFILING_DEBUG)', () => {
  const debugConfig = () => simWith('sim-debug', { CONFIG_MEM_ALLOC_PROFILING_DEBUG: true });

  // include/linux/alloc_tag.h: alloc_tag_add_check() → kernel/panic.c: __warn(), as 6.13 prints it.
  it('report the running task, the loaded modules and the release, once per call site', () => {
    const k = boot({ config: debugConfig(), cpus: 4 });
    k.insmod('loop');
    k.insmod('e1000e');
    k.setCpu(3);
    const seq = k.dmesg.seq;
    // An allocation outside alloc_hooks(): current->alloc_tag is NULL.
    const pfn = k.alloc.allocPages(0, GFP_KERNEL);
    k.alloc.freePages(pfn, 0);
    const again = k.alloc.allocPages(0, GFP_KERNEL);
    k.alloc.freePages(again, 0);
    const lines = k.dmesg
      .entries()
      .filter((r) => r.seq >= seq)
      .map((r) => `${r.level}: ${r.text}`);
    expect(lines).toEqual([
      'warning: ------------[ cut here ]------------',
      'warning: current->alloc_tag not set',
      'warning: WARNING: CPU: 3 PID: 0 at include/linux/alloc_tag.h:147 post_alloc_hook+0x0/0x0',
      'warning: Modules linked in: e1000e loop',
      'warning: CPU: 3 UID: 0 PID: 0 Comm: swapper/0 Not tainted 6.13.0-allocprof #1',
      'warning: RIP: 0010:post_alloc_hook+0x0/0x0',
      'warning: Call Trace:',
      'warning:  <TASK>',
      'warning:  get_page_from_freelist+0x0/0x0',
      'warning:  __alloc_pages_noprof+0x0/0x0',
      'warning:  </TASK>',
      'warning: ---[ end trace 0000000000000000 ]---',
      'warning: ------------[ cut here ]------------',
      'warning: alloc_tag was not set',
      // __free_pages() reads the tag (pgalloc_tag_get) before free_pages_prepare() subtracts it;
      // both inline the same alloc_tag_sub_check() of mm/page_alloc.c, so only the first reports.
      'warning: WARNING: CPU: 3 PID: 0 at include/linux/alloc_tag.h:152 __free_pages+0x0/0x0',
      'warning: Modules linked in: e1000e loop',
      'warning: CPU: 3 UID: 0 PID: 0 Comm: swapper/0 Tainted: G        W          6.13.0-allocprof #1',
      'warning: Tainted: [W]=WARN',
      'warning: RIP: 0010:__free_pages+0x0/0x0',
      'warning: Call Trace:',
      'warning:  <TASK>',
      'warning:  </TASK>',
      'warning: ---[ end trace 0000000000000000 ]---',
    ]);
  });
});

describe('context switch', () => {
  it('charges page allocations to the tag of the task switched in', () => {
    const k = boot({ cmdline: 'sysctl.vm.mem_profiling=1' });
    const site = k.site('mm/filemap.c:1919');
    const before = k.siteCounters(site);
    const task = new TaskStruct('kworker/0:1');
    task.allocTag = site.tag;
    k.ctx.switchTo(task);
    const pfn = k.alloc.allocPages(0, GFP_KERNEL);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(k.siteCounters(site)).toEqual({ bytes: before.bytes + PAGE_SIZE, calls: before.calls + 1 });
    k.alloc.freePages(pfn, 0);
    expect(k.siteCounters(site)).toEqual(before);
  });
});
