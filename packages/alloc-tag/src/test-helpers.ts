import { Codetag, SimpleModule, SymbolTable } from '@allocprof/codetag';
import { ExecmemType, type PageProvider, VMALLOC_START, Vmalloc } from '@allocprof/execmem-vmalloc';
import {
  computePageFlagsLayout,
  getPageFlagsPreset,
  PageFlagsArray,
  type PageFlagsLayout,
} from '@allocprof/page-flags-layout';
import { PageExtTagRefs, PageFlagsTagRefs, SparsePageExt } from '@allocprof/pgalloc-tag';
import type { AllocTag, AllocTagSite } from './alloc_tag';
import type { AllocTagKconfig } from './state';
import { AllocTagSubsystem } from './subsystem';
import {
  ALLOC_TAG_MODULE_SECTION,
  ALLOC_TAG_SIZE,
  type LogLevel,
  type PrDebugSite,
  type Printk,
} from './types';

/** Printk that keeps every line (and also appends it to a shared event log, if given). */
export class CapturePrintk implements Printk {
  readonly lines: { level: LogLevel; message: string }[] = [];
  constructor(private readonly log: string[] | null = null) {}
  printk(level: LogLevel, message: string): void {
    this.lines.push({ level, message });
    this.log?.push(`${level}: ${message}`);
  }
  get messages(): string[] {
    return this.lines.map((l) => l.message);
  }
  clear(): void {
    this.lines.length = 0;
  }
}

/** CapturePrintk that also prints every pr_debug() (a kernel with all of them enabled), recording its site. */
export class PrDebugCapturePrintk extends CapturePrintk {
  readonly prDebugSites: PrDebugSite[] = [];
  prDebug(site: PrDebugSite, message: string): void {
    this.prDebugSites.push(site);
    this.printk('debug', message);
  }
}

/** A buddy allocator stand-in: hands out increasing pfns; `shortfall` pages fewer on the next bulk call. */
export class FakePageProvider implements PageProvider {
  next = 0x1000;
  shortfall = 0;
  readonly freed: number[] = [];
  allocated = 0;
  allocPagesBulk(nrPages: number, out: number[]): number {
    const n = Math.max(0, nrPages - this.shortfall);
    this.shortfall = 0;
    for (let i = 0; i < n; i++) out.push(this.next++);
    this.allocated += n;
    return n;
  }
  freePage(pfn: number): void {
    this.freed.push(pfn);
  }
}

/** The x86_64-numa64 layout (12 free bits at 24 page flags) with NR_PAGEFLAGS set so that N = n. */
export function layoutWithFreeBits(n: number): PageFlagsLayout {
  return computePageFlagsLayout({ ...getPageFlagsPreset('x86_64-numa64').inputs, NR_PAGEFLAGS: 36 - n });
}

export const KERNEL_TAGS_BASE = 0xffff82000000;

export function kernelSites(n: number): AllocTagSite[] {
  return Array.from({ length: n }, (_, i) => ({
    filename: `mm/k${i}.c`,
    lineno: 100 + i,
    function: `kfn${i}`,
  }));
}

export function moduleSites(name: string, n: number): AllocTagSite[] {
  return Array.from({ length: n }, (_, i) => ({
    filename: `drivers/${name}/${name}.c`,
    lineno: 10 + i,
    function: `${name}_fn${i}`,
    modname: name,
  }));
}

export interface TestKernelOptions {
  cmdline?: (string | null)[];
  kconfig?: AllocTagKconfig;
  /** NR_UNUSED_PAGEFLAG_BITS (default 13). */
  n?: number;
  kernelTags?: number;
  nrPages?: number;
  nrCpus?: number;
  /** Skip allocTagInit (default false). */
  noInit?: boolean;
  /** Report this NR_UNUSED_PAGEFLAG_BITS to alloc-tag instead of the layout's (e.g. <= 0, as with a pushed-out last_cpupid). */
  reportedN?: number;
  /** Make execmem_vmap fail (module area reservation). */
  vmapFails?: boolean;
  /** Make codetag_register_type fail (missing kernel section symbols). */
  noKernelSymbols?: boolean;
  /** Make /proc/allocinfo creation fail. */
  procfsFails?: boolean;
  /** Print pr_debug()s (every site enabled) instead of dropping them. */
  prDebug?: boolean;
}

/** A loaded module as a test loader tracks it. */
export interface LoadedModule {
  mod: SimpleModule;
  tags: AllocTag[];
  address: number;
  /** The tags stayed in the module's data (support was false at load). */
  inData: boolean;
}

/** A small simulated kernel: boot in init/main.c's order, and a module loader as kernel/module/main.c: load_module() runs it. */
export class TestKernel {
  /** printk lines and state changes, in order (`key off`, `support off`, `allocinfo removed`). */
  readonly log: string[] = [];
  readonly printk: CapturePrintk;
  readonly pages = new FakePageProvider();
  readonly kallsyms = new SymbolTable();
  readonly codetag: Codetag;
  readonly vmalloc: Vmalloc;
  readonly at: AllocTagSubsystem;
  readonly flags: PageFlagsArray;
  /** The SPARSEMEM page_ext of a page_ext boot (null in compressed mode). */
  pageExt: SparsePageExt | null = null;
  readonly layout: PageFlagsLayout;
  readonly kernelTags: AllocTag[];
  procfsRemoved = 0;

  constructor(o: TestKernelOptions = {}) {
    this.printk = o.prDebug ? new PrDebugCapturePrintk(this.log) : new CapturePrintk(this.log);
    this.layout = layoutWithFreeBits(o.n ?? 13);
    const nrPages = o.nrPages ?? 4096;
    this.codetag = new Codetag({ kernelSymbols: this.kallsyms, printk: this.printk });
    this.vmalloc = new Vmalloc({
      pageProvider: this.pages,
      printk: this.printk,
      // A 1 MiB vmalloc space without an execmem table: the 4 MB module tag area cannot fit.
      ...(o.vmapFails
        ? { execmemRanges: null, vmallocStart: VMALLOC_START, vmallocEnd: VMALLOC_START + 2 ** 20 }
        : {}),
    });
    this.at = new AllocTagSubsystem({
      printk: this.printk,
      nrCpus: o.nrCpus ?? 4,
      ...(o.kconfig !== undefined ? { kconfig: o.kconfig } : {}),
      codetag: this.codetag,
      kernelSymbols: this.kallsyms,
      pageFlagsLayout:
        o.reportedN === undefined ? this.layout : { ...this.layout, NR_UNUSED_PAGEFLAG_BITS: o.reportedN },
      vmalloc: this.vmalloc,
      procfs: {
        createAllocinfo: () => !o.procfsFails,
        removeAllocinfo: () => {
          this.procfsRemoved++;
          this.log.push('allocinfo removed');
        },
      },
      onEvent: (e) => {
        if (e.type === 'key') this.log.push(`key ${e.enabled ? 'on' : 'off'}`);
        else if (e.type === 'support') this.log.push(`support ${e.support ? 'on' : 'off'}`);
        else this.log.push(`compressed ${e.compressed ? 'on' : 'off'}`);
      },
    });
    const k = o.kernelTags ?? 16;
    this.kernelTags = this.at.installKernelTags(KERNEL_TAGS_BASE, kernelSites(k));
    if (!o.noKernelSymbols) {
      this.kallsyms.define({
        __start_alloc_tags: KERNEL_TAGS_BASE,
        __stop_alloc_tags: KERNEL_TAGS_BASE + k * ALLOC_TAG_SIZE,
      });
    }

    for (const v of o.cmdline ?? []) {
      const err = this.at.setupEarlyMemProfiling(v);
      if (err !== null) this.printk.printk('warning', "Malformed early option 'sysctl.vm.mem_profiling'");
    }
    this.flags = new PageFlagsArray(this.layout, nrPages);
    if (this.at.compressed) {
      this.at.setPageTagRefs(
        new PageFlagsTagRefs({ flags: this.flags, tagIndex: this.at.tagIndex, printk: this.printk }),
      );
    } else {
      this.pageExt = new SparsePageExt({ nrPages, pagesPerSection: 1024 });
      this.at.setPageTagRefs(new PageExtTagRefs({ pageExt: this.pageExt, printk: this.printk }));
    }
    this.at.allocTagSecInit();
    // page_ext_init(): tables only when a client needs them (here page_alloc_tagging alone: 8 bytes).
    if (this.pageExt !== null && this.at.pageExtNeeded()) {
      this.pageExt.setup(8);
      this.pageExt.pageExtInit();
    }
    if (!o.noInit) this.at.allocTagInit();
  }

  /** kernel/module/main.c load_module(): layout, move (reserve + copy), replace, record. */
  load(name: string, nTags: number, opts: { align?: number; prepend?: number } = {}): LoadedModule {
    const sites = moduleSites(name, nTags);
    const size = nTags * ALLOC_TAG_SIZE;
    const tmp = new SimpleModule(name);
    let address: number;
    let inData = false;
    if (this.codetag.needsModuleSection(tmp, ALLOC_TAG_MODULE_SECTION, size)) {
      address = this.codetag.allocModuleSectionMem(
        tmp,
        ALLOC_TAG_MODULE_SECTION,
        size,
        opts.prepend ?? 0,
        opts.align ?? 8,
      );
    } else {
      // Not moved: the section stays in the module's own data.
      address = this.vmalloc.execmemAlloc(ExecmemType.EXECMEM_MODULE_DATA, Math.max(size, 8), 'load_module');
      inData = true;
    }
    const tags = this.at.writeModuleTags(address, sites);
    const mod = new SimpleModule(name, { __start_alloc_tags: address, __stop_alloc_tags: address + size });
    this.codetag.moduleReplaced(tmp, mod);
    this.codetag.loadModule(mod);
    return { mod, tags, address, inData };
  }

  /** kernel/module/main.c free_module() → codetag_unload_module(). */
  unload(m: LoadedModule): void {
    this.codetag.unloadModule(m.mod);
    if (m.inData) {
      this.at.freeModuleTagMemory(m.address, m.address + m.tags.length * ALLOC_TAG_SIZE);
      this.vmalloc.execmemFree(m.address);
    }
  }

  /** Allocate `2^order` pages at `pfn` charged to `tag` (post_alloc_hook under alloc_hooks). */
  alloc(pfn: number, tag: AllocTag, order = 0): void {
    this.at.allocHooks(tag, () => this.at.pgallocTagAdd(pfn, this.at.current, 2 ** order));
  }

  /** Free `2^order` pages at `pfn` (free_pages_prepare). */
  free(pfn: number, order = 0): void {
    this.at.pgallocTagSub(pfn, 2 ** order);
  }

  /** Module area offsets (relative to start_addr) of a loaded module. */
  offsetOf(m: LoadedModule): number {
    return m.address - this.at.moduleTags!.startAddr;
  }
}
