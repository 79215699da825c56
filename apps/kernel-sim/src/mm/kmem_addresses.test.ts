import { describe, expect, it } from 'vitest';
import { bootBenchMachine } from '../bench/kernel-machine';
import type { BenchMachineOptions } from '../bench/machine';
import { NO_HOST } from '../host';
import { Kernel } from '../init/main';
import {
  type KmemRegion,
  PAGE_OFFSET,
  structPageAddress,
  traceKernelMemory,
  VMEMMAP_START,
} from './kmem_addresses';

const OPTS: BenchMachineOptions = { cmdline: '', mem: 256 * 2 ** 20, cpus: 2, kernelTags: 64 };

interface Access {
  addr: number;
  region: KmemRegion;
  write: boolean;
  flagsView: boolean;
}

function traced(cmdline: string): { k: Kernel; log: Access[] } {
  const k = Kernel.boot({ mem: OPTS.mem, cpus: 2, kernelTags: 64, cmdline });
  const log: Access[] = [];
  traceKernelMemory(
    {
      alloc: k.alloc,
      pageExt: k.pageExt,
      pageTagRefs: k.pageTagRefs,
      counters: k.allocTag?.counters ?? null,
      nrCpus: 2,
    },
    { access: (addr, region, write, flagsView) => log.push({ addr, region, write, flagsView }) },
  );
  return { k, log };
}

describe('simulated kernel addresses', () => {
  it('put struct page fields at the vmemmap with the kernel offsets', () => {
    expect(structPageAddress(5 * 8 + 6)).toBe(VMEMMAP_START + 5 * 64 + 52);
    expect(structPageAddress(5 * 8)).toBe(VMEMMAP_START + 5 * 64);
  });

  it('record an allocation of the page_ext kernel: its record, its page_ext entry, the section walk', () => {
    const { k, log } = traced('sysctl.vm.mem_profiling=1');
    const calls = k.siteCounters(k.site('mm/filemap.c:1919')).calls;
    const pfn = k.allocPages('mm/filemap.c:1919', 0)[0]!;
    const lines = new Set(log.map((a) => Math.floor(a.addr / 64)));
    expect(lines.has(Math.floor((VMEMMAP_START + pfn * 64) / 64))).toBe(true);
    const ext = log.filter((a) => a.region === 'page_ext');
    expect(ext.length).toBeGreaterThan(0);
    // The entry is in the direct map of the pages alloc_pages_exact() gave the section's table.
    const nr = Math.floor(pfn / k.memmap.pagesPerSection);
    const table = PAGE_OFFSET + k.pageExt.tablePfn[nr]! * 4096;
    expect(ext.every((a) => a.addr >= table && a.addr < table + 8 * k.memmap.pagesPerSection)).toBe(true);
    expect(ext.some((a) => a.write && a.addr === table + 8 * (pfn % k.memmap.pagesPerSection))).toBe(true);
    expect(log.some((a) => a.region === 'mem_section')).toBe(true);
    expect(log.some((a) => a.region === 'current' && a.write)).toBe(true);
    expect(log.some((a) => a.flagsView)).toBe(false);
    // Behaviour is unchanged: the recording views are views of the same memory.
    expect(k.siteCounters(k.site('mm/filemap.c:1919')).calls).toBe(calls + 1);
    k.alloc.checkInvariants();
  });

  it("record the compressed kernel's tag update as stores through the page-flags view, in the page's record", () => {
    const { k, log } = traced('sysctl.vm.mem_profiling=1,compressed');
    const calls = k.siteCounters(k.site('mm/filemap.c:1919')).calls;
    const pfn = k.allocPages('mm/filemap.c:1919', 0)[0]!;
    const flagStores = log.filter((a) => a.flagsView && a.write);
    expect(flagStores.length).toBeGreaterThan(0);
    for (const a of flagStores)
      expect(Math.floor(a.addr / 64)).toBe(Math.floor((VMEMMAP_START + pfn * 64) / 64));
    expect(log.some((a) => a.region === 'page_ext' || a.region === 'mem_section')).toBe(false);
    expect(k.siteCounters(k.site('mm/filemap.c:1919')).calls).toBe(calls + 1);
    k.freePages(pfn, 0);
    expect(k.siteCounters(k.site('mm/filemap.c:1919')).calls).toBe(calls);
  });

  it('make a bench machine traceable', () => {
    const m = bootBenchMachine('nohooks', OPTS, NO_HOST.files);
    const seen: KmemRegion[] = [];
    m.traceMemory!({ access: (_a, region) => seen.push(region) });
    const pfn = m.pageAlloc.allocPages(0, m.gfp);
    m.pageAlloc.freePages(pfn, 0);
    expect(new Set(seen)).toEqual(new Set(['memmap', 'zone', 'pcp']));
  });
});
