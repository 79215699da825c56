/**
 * init/main.c: start_kernel() and kernel_init() for the simulated machine — the boot timeline
 * (early params, core mm init with alloc_tag_sec_init, page_ext and the memblock release, the
 * early initcall of dynamic debug, alloc_tag_init, the late sysctl arguments) — and `Kernel`, the
 * running system: page allocations charged to call sites, split and migration, vmalloc, modules,
 * /proc and sysctl.
 *
 * Where things live (as in the kernel tree):
 *   init/cmdline.ts        boot command line, early params, unknown params for init
 *   kernel/printk.ts       dmesg ring, log levels, virtual clock
 *   lib/dynamic_debug.ts   pr_debug() call sites, dyndbg= queries, /proc/dynamic_debug/control
 *   kernel/vmlinux_alloc_tags.ts  the image's alloc_tags section (call sites)
 *   kernel/module/         module loader (main.ts), descriptors, built-in catalog
 *   mm/mm_types.ts         struct page: one 32-byte record per page frame
 *   mm/memmap.ts           nodes, zones, the memmap (zone/node/section fields of page->flags)
 *   mm/mmzone.ts           struct zone, struct per_cpu_pages
 *   mm/page_alloc.ts       buddy allocator, per-CPU lists, watermarks; hooked and nohooks builds
 *   mm/pgalloc_tag.ts      the hooked allocator of each backend over alloc-tag's pgalloc_tag_*() hooks
 *   mm/page_ext.ts         page_ext framework; mm/migrate.ts, mm/vmalloc-pages.ts, mm/show_mem.ts
 *   mm/kmem_addresses.ts   simulated addresses for the memory-traffic accounting
 *   mm/host_memory.ts      host memory of a boot, known before booting
 *   sched/current.ts       current task and CPU
 *   fs/proc/               /proc files and their modes, /proc/meminfo
 *
 * Following one page allocation: Kernel.allocPages() sets current->alloc_tag to the call site's
 * tag (alloc_hooks) → the hooked allocator takes a block from the per-CPU or buddy lists and
 * calls pgallocTagAdd() (post_alloc_hook) on alloc-tag's hooks for the boot's backend, which
 * store the reference (page_ext entry or page-flags index) and add to the tag's per-CPU
 * counters → reading /proc/allocinfo sums them per tag.
 */

import {
  ALLOC_TAG_PR_DEBUG_SITES,
  type AllocTag,
  type AllocTagSite,
  AllocTagSubsystem,
  allocTagRead,
} from '@allocprof/alloc-tag';
import { Codetag, KernelWarn, SymbolTable } from '@allocprof/codetag';
import { VMALLOC_SIZE, Vmalloc, type VmStruct } from '@allocprof/execmem-vmalloc';
import {
  computePageFlagsLayout,
  countPageflags,
  countZones,
  getPageFlagsPreset,
  type Kconfig,
  type KernelArch,
  kconfigEnabled,
  kconfigToLayoutInputs,
  mminitVerifyPageflagsLayout,
  type PageFlagsLayout,
} from '@allocprof/page-flags-layout';
import { PageExtTagRefs, PageFlagsTagRefs, type PageTagRefs } from '@allocprof/pgalloc-tag';
import { formatMeminfo } from '../fs/proc/meminfo';
import { type Cred, ProcFs, ROOT } from '../fs/proc/procfs';
import { ERRNO, type Errno, KernelError } from '../kernel/errno';
import { catalogModule } from '../kernel/module/catalog';
import type { ModuleDescriptor } from '../kernel/module/descriptor';
import { type Module, ModuleLoader } from '../kernel/module/main';
import { Dmesg, formatTimestamp, type LogLevel, VirtualClock } from '../kernel/printk';
import { generateKernelAllocTags, KERNEL_SITES } from '../kernel/vmlinux_alloc_tags';
import { formatSize, memparse } from '../lib/cmdline';
import { type DdebugSite, DynamicDebug } from '../lib/dynamic_debug';
import { __GFP_COMP, __GFP_NOWARN, GFP_HIGHUSER_MOVABLE, GFP_KERNEL } from '../mm/gfp';
import { MemMap, PAGE_SIZE, STRUCT_PAGE_SIZE, validateRamSize, ZONE_TYPES } from '../mm/memmap';
import { migrateFolio } from '../mm/migrate';
import { type BuddyAllocator, NoHooksPageAllocator } from '../mm/page_alloc';
import { PageExt } from '../mm/page_ext';
import { hookedPageAllocator } from '../mm/pgalloc_tag';
import { showMemAllocations } from '../mm/show_mem';
import { BuddyPageProvider } from '../mm/vmalloc-pages';
import { TaskContext } from '../sched/current';
import { BootCommandLine, type EarlyParam } from './cmdline';

/** A kernel configuration: a page-flags-layout preset or a parsed `.config`. */
export interface KernelConfig {
  readonly name: string;
  readonly arch: KernelArch;
  readonly kconfig: Kconfig;
}

/** How to build and boot the machine. */
export interface KernelOptions {
  /** Kernel command line (default empty). */
  cmdline?: string;
  /** Preset name (default `x86_64-sim`) or a configuration. */
  config?: string | KernelConfig;
  /** RAM: bytes or a size such as `512M`, `4G`, `64G` (default 1G). */
  mem?: number | string;
  /** Simulated CPUs (default 4). */
  cpus?: number;
  /** NUMA nodes (default 1; more need CONFIG_NUMA and a node field). */
  nodes?: number;
  /** Allocation tags of the kernel image (default 4096). */
  kernelTags?: number;
  /**
   * Override CONFIG_MEM_ALLOC_PROFILING: false builds the kernel without it (the `nohooks`
   * baseline: no hooks, no tags, no /proc/allocinfo).
   */
  profiling?: boolean;
  /** Receives each kernel log line below the console log level as it is printed. */
  console?: (line: string) => void;
  /**
   * Called while the struct pages are initialised (the part of a boot that grows with RAM),
   * with the pages done and the total, so a caller can show progress on long boots.
   */
  onProgress?: (pagesDone: number, nrPages: number) => void;
  /** Boot-time failures to inject: `allocinfoCreate` makes proc_create("allocinfo") fail. */
  faults?: { allocinfoCreate?: boolean };
  /**
   * Source files built with DEBUG defined (kbuild `CFLAGS_<object> += -DDEBUG`): their pr_debug()
   * call sites print from the start, before dynamic debug exists. init/main.c defines DEBUG
   * itself; `lib/alloc_tag.c` here shows alloc_tag_sec_init()'s message.
   */
  debugSources?: readonly string[];
}

/** A call site allocations can be charged to. */
export interface CallSite {
  readonly filename: string;
  readonly lineno: number;
  readonly function: string;
  /** Module name, null for the kernel image. */
  readonly modname: string | null;
  /** The tag object; null in a kernel without allocation profiling. */
  readonly tag: AllocTag | null;
}

/** Physical start of the kernel image (x86_64 CONFIG_PHYSICAL_START). */
const KERNEL_PHYS_START = 0x1000000;
/** Link address of _text (0xffffffff81000000, stored without the sign extension). */
const KERNEL_TEXT_ADDR = 0xffff81000000;
/** The vmlinux image as `Memory:` reports it (a distro-sized x86_64 kernel). */
const IMAGE = {
  code: 16384 * 1024,
  rwdata: 2776 * 1024,
  rodata: 7236 * 1024,
  init: 3280 * 1024,
  bss: 5548 * 1024,
};
/** The alloc_tags section sits at the start of .data (after text and rodata). */
const KERNEL_ALLOC_TAGS_ADDR = KERNEL_TEXT_ADDR + IMAGE.code + IMAGE.rodata;
const ALLOC_TAG_SIZE = 40;
/** include/generated/utsrelease.h: the release this kernel simulates (6.13) with its local version. */
const UTS_RELEASE = '6.13.0-allocprof';
/** init_utsname()->version: build number and build options. */
const UTS_VERSION = '#1 SMP PREEMPT_DYNAMIC';

/** init/main.c (6.13, which defines DEBUG): run_init_process()'s pr_debug() call sites. */
const runInitProcessSite = (lineno: number, format: string): DdebugSite =>
  Object.freeze({ modname: 'main', function: 'run_init_process', filename: 'init/main.c', lineno, format });
const INIT_WITH_ARGUMENTS = runInitProcessSite(1381, '  with arguments:\n');
const INIT_ARGUMENT = runInitProcessSite(1383, '    %s\n');
const INIT_WITH_ENVIRONMENT = runInitProcessSite(1384, '  with environment:\n');
const INIT_ENVIRONMENT = runInitProcessSite(1386, '    %s\n');

const hex18 = (v: number): string => `0x${v.toString(16).padStart(16, '0')}`;
const kb = (pages: number): number => pages * (PAGE_SIZE >> 10);

function errnoOf(e: unknown): Errno | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code in ERRNO ? (code as Errno) : undefined;
}

/** Errors of the packages (AllocTagError, VmallocError, CodeTagError …) as KernelError. */
function asKernelError(e: unknown): unknown {
  if (e instanceof KernelError) return e;
  const code = errnoOf(e);
  return code === undefined ? e : new KernelError(code, (e as Error).message);
}

/** Resolve a configuration option to a KernelConfig. */
export function resolveKernelConfig(config: string | KernelConfig | undefined): KernelConfig {
  if (config === undefined || typeof config === 'string') {
    try {
      const p = getPageFlagsPreset(config ?? 'x86_64-sim');
      return { name: p.name, arch: p.arch, kconfig: p.kconfig };
    } catch (e) {
      throw new KernelError('EINVAL', (e as Error).message);
    }
  }
  return config;
}

/** The simulated machine after boot. */
export class Kernel {
  readonly clock: VirtualClock;
  readonly dmesg: Dmesg;
  readonly cmdline: BootCommandLine;
  readonly config: KernelConfig;
  readonly layout: PageFlagsLayout;
  readonly memmap: MemMap;
  readonly alloc: BuddyAllocator;
  readonly ctx: TaskContext;
  /** CONFIG_MEM_ALLOC_PROFILING=y: tags, hooks and /proc/allocinfo exist. */
  readonly profilingBuilt: boolean;
  /** Allocation profiling (null when not built in). */
  readonly allocTag: AllocTagSubsystem | null;
  /** The code tagging framework (null when profiling is not built in). */
  readonly codetag: Codetag | null;
  /** The page tag reference backend chosen at boot (null when profiling is not built in). */
  readonly pageTagRefs: PageTagRefs | null;
  readonly vmalloc: Vmalloc;
  readonly pageExt: PageExt;
  readonly modules: ModuleLoader;
  readonly procfs: ProcFs;
  /** lib/dynamic_debug.c: the image's pr_debug() call sites and their flags. */
  readonly dynamicDebug: DynamicDebug;
  /** kallsyms of vmlinux. */
  readonly kallsyms: SymbolTable;
  /** The kernel image's call sites (alloc_tags section order). */
  readonly kernelSites: readonly AllocTagSite[];
  /** Their tags (empty without profiling). */
  readonly kernelTags: readonly AllocTag[];
  /** RAM size in bytes. */
  readonly ramBytes: number;
  private readonly siteTags = new Map<string, AllocTag>();
  private mminitLoglevel = 0;
  private initProcess = '/sbin/init';

  /** start_kernel() through kernel_init(): boots the machine. */
  static boot(options: KernelOptions = {}): Kernel {
    try {
      return new Kernel(options);
    } catch (e) {
      throw asKernelError(e);
    }
  }

  private constructor(o: KernelOptions) {
    this.clock = new VirtualClock();
    this.dmesg = new Dmesg({ clock: this.clock, ...(o.console ? { console: o.console } : {}) });
    const printk = this.dmesg;
    this.config = resolveKernelConfig(o.config);
    const kconfig = this.config.kconfig;
    const inputs = kconfigToLayoutInputs(kconfig, this.config.arch);
    this.layout = computePageFlagsLayout(inputs);
    this.profilingBuilt = o.profiling ?? kconfigEnabled(kconfig, 'CONFIG_MEM_ALLOC_PROFILING');
    const cpus = o.cpus ?? 4;
    this.ctx = new TaskContext(cpus);
    let ramBytes = typeof o.mem === 'string' ? memparse(o.mem, 'memory size') : (o.mem ?? 2 ** 30);
    validateRamSize(ramBytes);
    this.cmdline = new BootCommandLine(o.cmdline ?? '');
    this.kallsyms = new SymbolTable();
    this.procfs = new ProcFs();
    this.procfs.failAllocinfoCreate = o.faults?.allocinfoCreate === true;
    const debugSources = o.debugSources ?? [];
    if (!Array.isArray(debugSources) || !debugSources.every((f) => typeof f === 'string'))
      throw new KernelError('EINVAL', 'debugSources must be a list of source file names');
    this.dynamicDebug = new DynamicDebug(printk, () => this.ctx.current.pid);
    this.dynamicDebug.addSites(
      [INIT_WITH_ARGUMENTS, INIT_ARGUMENT, INIT_WITH_ENVIRONMENT, INIT_ENVIRONMENT],
      true,
    );

    printk.printk(
      'notice',
      `Linux version ${UTS_RELEASE} (kernel-sim@allocprof) (gcc (GCC) 14.2.0, GNU ld (GNU Binutils) 2.43.1) ${UTS_VERSION}`,
    );
    printk.printk('info', `Command line: ${this.cmdline.raw}`);

    // The image's alloc_tags section exists before anything runs.
    this.kernelSites = generateKernelAllocTags(o.kernelTags ?? 4096);
    const modulesBuilt = kconfigEnabled(kconfig, 'CONFIG_MODULES');
    // kernel/panic.c: one WARN() machinery (taint, once-flags) for every package of this kernel.
    const ctx = this.ctx;
    const warn = new KernelWarn(printk, {
      task: () => ({ cpu: ctx.cpu, pid: ctx.current.pid, uid: 0, comm: ctx.current.comm }),
      modules: () => this.modules?.list().map((m) => m.name) ?? [],
      release: UTS_RELEASE,
      version: UTS_VERSION.slice(0, UTS_VERSION.indexOf(' ')),
    });
    if (this.profilingBuilt) {
      this.codetag = new Codetag({ kernelSymbols: this.kallsyms, printk, warn });
    } else {
      this.codetag = null;
    }

    // setup_arch() → parse_early_param().
    let movableBytes = 0;
    let at: AllocTagSubsystem | null = null;
    const early: EarlyParam[] = [
      {
        name: 'mem',
        setup: (v) => {
          if (v === null) return -ERRNO.EINVAL;
          try {
            const limit = memparse(v, 'mem=');
            validateRamSize(Math.floor(Math.min(limit, ramBytes) / PAGE_SIZE) * PAGE_SIZE, 'mem=');
            ramBytes = Math.floor(Math.min(limit, ramBytes) / PAGE_SIZE) * PAGE_SIZE;
            return 0;
          } catch {
            return -ERRNO.EINVAL;
          }
        },
      },
      {
        name: 'movablecore',
        setup: (v) => {
          if (v === null) return -ERRNO.EINVAL;
          try {
            movableBytes = memparse(v, 'movablecore=');
            return 0;
          } catch {
            return -ERRNO.EINVAL;
          }
        },
      },
      {
        name: 'loglevel',
        setup: (v) => {
          const n = v === null ? Number.NaN : Number(v);
          if (!Number.isInteger(n) || n < 0) return -ERRNO.EINVAL;
          printk.consoleLoglevel = n;
          return 0;
        },
      },
      {
        name: 'quiet',
        setup: () => {
          printk.consoleLoglevel = 4;
          return 0;
        },
      },
      {
        name: 'debug',
        setup: () => {
          printk.consoleLoglevel = 10;
          return 0;
        },
      },
      {
        name: 'mminit_loglevel',
        setup: (v) => {
          const n = v === null ? Number.NaN : Number(v);
          if (!Number.isInteger(n) || n < 0) return -ERRNO.EINVAL;
          this.mminitLoglevel = n;
          return 0;
        },
      },
    ];
    const pageProvider = new BuddyPageProvider();
    this.vmalloc = new Vmalloc({
      pageProvider,
      printk,
      clock: () => Math.floor(this.clock.now() / 1e6),
      totalRamPages: () => this.alloc.stats().managedPages,
    });
    if (this.profilingBuilt) {
      const akconfig = {
        CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT: kconfigEnabled(
          kconfig,
          'CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT',
        ),
        CONFIG_MEM_ALLOC_PROFILING_DEBUG: kconfigEnabled(kconfig, 'CONFIG_MEM_ALLOC_PROFILING_DEBUG'),
        CONFIG_MODULES: modulesBuilt,
        CONFIG_SYSCTL: true,
      };
      this.dynamicDebug.addSites(ALLOC_TAG_PR_DEBUG_SITES, debugSources.includes('lib/alloc_tag.c'));
      const ddebug = this.dynamicDebug;
      at = new AllocTagSubsystem({
        printk: {
          printk: (level, message) => printk.printk(level, message),
          prDebug: (site, message) => ddebug.prDebug(site, message),
        },
        nrCpus: cpus,
        kconfig: akconfig,
        codetag: this.codetag!,
        kernelSymbols: this.kallsyms,
        pageFlagsLayout: this.layout,
        ...(modulesBuilt ? { vmalloc: this.vmalloc, pageProvider } : {}),
        procfs: this.procfs,
        warn,
      });
      at.current = this.ctx.current;
      this.ctx.onTaskSwitch((task) => {
        at!.current = task;
      });
      this.ctx.onCpuChange((cpu) => at!.setCpu(cpu));
      this.kernelTags = at.installKernelTags(KERNEL_ALLOC_TAGS_ADDR, this.kernelSites);
      for (const t of this.kernelTags) this.siteTags.set(`${t.filename}:${t.lineno}`, t);
      early.unshift({
        name: 'sysctl.vm.mem_profiling',
        setup: (v) => (at!.setupEarlyMemProfiling(v) === null ? 0 : -ERRNO.EINVAL),
      });
    } else {
      this.kernelTags = [];
    }
    this.allocTag = at;
    this.kallsyms.define({
      _text: KERNEL_TEXT_ADDR,
      __start_alloc_tags: KERNEL_ALLOC_TAGS_ADDR,
      __stop_alloc_tags:
        KERNEL_ALLOC_TAGS_ADDR + (this.profilingBuilt ? this.kernelSites.length : 0) * ALLOC_TAG_SIZE,
    });
    this.cmdline.parseEarlyParams(early, printk);
    this.ramBytes = ramBytes;

    // setup_arch() → paging_init() → free_area_init(): nodes, zones, the memmap.
    const zones = countZones(kconfig).zones;
    const sparse = inputs.CONFIG_SPARSEMEM === true;
    const nodes = o.nodes ?? 1;
    if (nodes > 1 && this.layout.NODES_SHIFT === 0)
      throw new KernelError('EINVAL', `${nodes} NUMA nodes need CONFIG_NUMA in the configuration`);
    if (nodes > 2 ** this.layout.NODES_SHIFT)
      throw new KernelError(
        'EINVAL',
        `${nodes} NUMA nodes exceed CONFIG_NODES_SHIFT=${this.layout.NODES_SHIFT}`,
      );
    this.memmap = new MemMap(
      {
        ramBytes,
        zones,
        nrNodes: nodes,
        movableBytes,
        sectionSizeBits: sparse ? (inputs.SECTION_SIZE_BITS ?? 27) : 0,
      },
      this.layout,
      o.onProgress,
    );
    const mm = this.memmap;
    this.printZoneRanges();
    this.clock.advance(mm.nrPages * 25);
    if (kconfigEnabled(kconfig, 'CONFIG_DEBUG_MEMORY_INIT'))
      mminitVerifyPageflagsLayout(this.layout, printk, this.mminitLoglevel >= 3);

    printk.printk('notice', `Kernel command line: ${this.cmdline.raw}`);
    const known = [
      ...early.map((e) => e.name),
      // lib/dynamic_debug.c: dyndbg_setup(), a no-op __setup() so the parameter is not "unknown".
      'dyndbg',
      'root',
      'ro',
      'rw',
      'init',
      'rdinit',
      'console',
      'panic',
      'nokaslr',
      'earlyprintk',
    ];
    this.cmdline.printUnknown(known, printk);
    const init = this.cmdline.get('init');
    if (typeof init === 'string' && init !== '') this.initProcess = init;

    // mm_core_init(): zonelists, the page tag backend, alloc_tag_sec_init, page_ext, memblock release.
    const pg = countPageflags(kconfig).PG;
    const allocOpts = {
      memmap: mm,
      ctx: this.ctx,
      printk,
      pgHead: pg.PG_head!,
      pgReserved: pg.PG_reserved!,
      ...(pg.PG_hwpoison !== undefined ? { pgHwpoison: pg.PG_hwpoison } : {}),
    };
    const longBytes = this.layout.BITS_PER_LONG / 8;
    this.pageExt = new PageExt({
      printk,
      nrPages: mm.nrPages,
      pagesPerSection: sparse ? mm.pagesPerSection : 0,
      nodes: mm.nodes,
      headerSize: longBytes,
      ...(sparse && inputs.MAX_PHYSMEM_BITS !== undefined && inputs.SECTION_SIZE_BITS !== undefined
        ? { nrSectionRoots: nrSectionRoots(inputs.MAX_PHYSMEM_BITS - inputs.SECTION_SIZE_BITS, longBytes) }
        : {}),
    });
    let refs: PageTagRefs | null = null;
    if (at !== null) {
      refs = at.compressed
        ? new PageFlagsTagRefs({ flags: mm.flags, tagIndex: at.tagIndex, printk })
        : new PageExtTagRefs({ pageExt: this.pageExt.storage, printk });
      at.setPageTagRefs(refs);
    }
    this.pageTagRefs = refs;
    const reserved = this.memblockReserved();
    const reservedPages = reserved.reduce((n, [s, e]) => n + (e - s), 0);
    printk.printk(
      'info',
      `Built ${mm.nodes.length} zonelists, mobility grouping on.  Total pages: ${mm.nrPages - reservedPages}`,
    );
    at?.allocTagSecInit();
    // The page allocator calls the hooks alloc_tag_sec_init() settled on (include/linux/pgalloc_tag.h).
    this.alloc = at !== null ? hookedPageAllocator(allocOpts, at) : new NoHooksPageAllocator(allocOpts);
    if (at !== null && refs instanceof PageExtTagRefs) {
      const extRefs = refs;
      this.pageExt.register({
        name: 'page_alloc_tagging',
        // sizeof(union codetag_ref): one pointer; page_alloc_tagging_ops does not share page_ext's flags.
        size: longBytes,
        needSharedFlags: false,
        need: () => at.pageExtNeeded(),
        get offset() {
          return extRefs.offset;
        },
        set offset(bytes: number) {
          extRefs.setOffset(bytes);
        },
      });
    }
    const flatmemPageExt: Array<[number, number]> = [];
    if (!sparse) {
      // page_ext_init_flatmem(): one table per node from memblock, below the node's memmap,
      // before the buddy allocator exists.
      this.pageExt.init({
        allocTable: (nid, bytes) => {
          const node = mm.nodes[nid]!;
          const pages = Math.ceil(bytes / PAGE_SIZE);
          const memmapPages = Math.ceil(((node.endPfn - node.startPfn) * STRUCT_PAGE_SIZE) / PAGE_SIZE);
          const top = node.endPfn - memmapPages;
          if (top - pages <= Math.max(node.startPfn, KERNEL_PHYS_START / PAGE_SIZE)) return -1;
          flatmemPageExt.push([top - pages, top]);
          return top - pages;
        },
      });
    }
    this.alloc.memblockFreeAll([...reserved, ...flatmemPageExt]);
    this.clock.advance(mm.nrPages * 5);
    const s = this.alloc.stats();
    printk.printk(
      'info',
      `Memory: ${kb(s.freePages)}K/${kb(mm.nrPages)}K available (${IMAGE.code >> 10}K kernel code, ${(IMAGE.rwdata + this.kernelTags.length * ALLOC_TAG_SIZE) >> 10}K rwdata, ${IMAGE.rodata >> 10}K rodata, ${IMAGE.init >> 10}K init, ${IMAGE.bss >> 10}K bss, ${kb(mm.nrPages - s.managedPages)}K reserved, 0K cma-reserved)`,
    );

    pageProvider.attach(this.alloc);
    if (at !== null) this.alloc.showMem = () => showMemAllocations(at, printk);
    this.modules = new ModuleLoader({
      vmalloc: this.vmalloc,
      codetag: this.codetag,
      allocTag: at,
      charges: {
        execmem: (fn) => this.charge(KERNEL_SITES.execmemAlloc, fn),
        moduleTags: (fn) => this.charge(KERNEL_SITES.vmModuleTagsPopulate, fn),
      },
    });

    // page_ext_init() (SPARSEMEM): after the buddy allocator, tables from alloc_pages_exact_nid().
    if (sparse) {
      this.pageExt.init({
        allocTable: (_nr, bytes) =>
          this.charge(KERNEL_SITES.allocPageExt, () =>
            this.alloc.allocPagesExact(Math.ceil(bytes / PAGE_SIZE)),
          ),
      });
      this.clock.advance(this.pageExt.bytes);
    }

    this.bootAllocations();
    this.createProcFiles();

    // do_pre_smp_initcalls(): dynamic_debug_init() applies the dyndbg= queries now, after every
    // pr_debug() of start_kernel() and mm_core_init() has already run.
    this.dynamicDebug.init(this.cmdline.params);

    // do_initcalls(): alloc_tag_init.
    if (at !== null) {
      const err = at.allocTagInit();
      this.clock.advance(150_000);
      if (err !== 0) printk.printk('warning', `initcall alloc_tag_init+0x0/0x1a0 returned ${err}`);
    }

    // free_initmem(): the image's init sections go back to the allocator.
    const initStart = (KERNEL_PHYS_START + IMAGE.code + IMAGE.rodata + IMAGE.rwdata) / PAGE_SIZE;
    const initEnd = initStart + IMAGE.init / PAGE_SIZE;
    for (let pfn = initStart; pfn < initEnd; pfn++) this.alloc.freeReservedPage(pfn);
    printk.printk('info', `Freeing unused kernel image (initmem) memory: ${IMAGE.init >> 10}K`);
    this.clock.advance(2_000_000);

    // kernel_init(): do_sysctl_args(), then userspace.
    for (const arg of this.cmdline.sysctlArgs()) {
      if (arg.key === 'vm.mem_profiling' && at !== null) at.processSysctlArg(arg.value);
      else
        printk.printk(
          'err',
          `Failed to set sysctl parameter '${arg.key}=${arg.value ?? ''}': parameter not found`,
        );
    }
    printk.printk('info', `Run ${this.initProcess} as init process`);
    const unknown = this.cmdline.unknownParams(known);
    const dd = this.dynamicDebug;
    dd.prDebug(INIT_WITH_ARGUMENTS, '  with arguments:');
    dd.prDebug(INIT_ARGUMENT, `    ${this.initProcess}`);
    for (const p of unknown.filter((x) => x.value === null)) dd.prDebug(INIT_ARGUMENT, `    ${p.name}`);
    dd.prDebug(INIT_WITH_ENVIRONMENT, '  with environment:');
    for (const env of [
      'HOME=/',
      'TERM=linux',
      ...unknown.filter((x) => x.value !== null).map((x) => `${x.name}=${x.value}`),
    ])
      dd.prDebug(INIT_ENVIRONMENT, `    ${env}`);
    this.clock.advance(1_000_000);
  }

  /** memblock.reserved at the end of setup_arch(): page 0, the kernel image, the memmap of each node. */
  private memblockReserved(): Array<[number, number]> {
    const mm = this.memmap;
    const imageBytes =
      IMAGE.code +
      IMAGE.rodata +
      IMAGE.rwdata +
      IMAGE.init +
      IMAGE.bss +
      this.kernelSites.length * ALLOC_TAG_SIZE;
    const kStart = KERNEL_PHYS_START / PAGE_SIZE;
    const out: Array<[number, number]> = [
      [0, 1],
      [kStart, kStart + Math.ceil(imageBytes / PAGE_SIZE)],
    ];
    for (const n of mm.nodes) {
      const memmapPages = Math.ceil(((n.endPfn - n.startPfn) * STRUCT_PAGE_SIZE) / PAGE_SIZE);
      out.push([n.endPfn - memmapPages, n.endPfn]);
    }
    return out;
  }

  /** free_area_init(): the `Zone ranges:` / `Early memory node ranges` report. */
  private printZoneRanges(): void {
    const p = this.dmesg;
    const mm = this.memmap;
    p.printk('info', 'Zone ranges:');
    for (const type of ZONE_TYPES) {
      if (type === 'Movable') continue;
      const spans = mm.zones.filter((z) => z.type === type);
      if (spans.length === 0) continue;
      const start = Math.min(...spans.map((z) => z.startPfn));
      const end = Math.max(...spans.map((z) => z.endPfn));
      const range = spans.every((z) => z.endPfn === z.startPfn)
        ? 'empty'
        : `[mem ${hex18(start * PAGE_SIZE)}-${hex18(end * PAGE_SIZE - 1)}]`;
      p.printk('info', `  ${type.padEnd(8, ' ')} ${range}`);
    }
    p.printk('info', 'Movable zone start for each node');
    for (const z of mm.zones)
      if (z.type === 'Movable' && z.endPfn > z.startPfn)
        p.printk('info', `  Node ${z.nid}: ${hex18(z.startPfn * PAGE_SIZE)}`);
    p.printk('info', 'Early memory node ranges');
    for (const n of mm.nodes)
      p.printk(
        'info',
        `  node ${String(n.nid).padStart(3, ' ')}: [mem ${hex18(n.startPfn * PAGE_SIZE)}-${hex18(n.endPfn * PAGE_SIZE - 1)}]`,
      );
    for (const n of mm.nodes)
      p.printk(
        'info',
        `Initmem setup node ${n.nid} [mem ${hex18(n.startPfn * PAGE_SIZE)}-${hex18(n.endPfn * PAGE_SIZE - 1)}]`,
      );
  }

  /**
   * What the rest of boot allocates, charged to the kernel's call sites: idle and kthread
   * stacks, per-CPU chunks, page tables, slab pages and the initramfs page cache, scaled by
   * CPUs and RAM. Deterministic; a site missing from a small alloc_tags section allocates
   * uncharged.
   */
  private bootAllocations(): void {
    const pages = this.memmap.nrPages;
    const cpus = this.ctx.nrCpus;
    const plan: Array<[AllocTagSite, number, number, number]> = [
      [KERNEL_SITES.pgdAlloc, 0, 0, 1],
      [KERNEL_SITES.pteAllocOne, 0, 0, 16],
      [KERNEL_SITES.dupTaskStruct, 2, 0, cpus + 32],
      [KERNEL_SITES.pcpuAllocPages, 0, 0, cpus * 8],
      [KERNEL_SITES.allocateSlab, 3, __GFP_COMP, Math.max(8, pages >> 11)],
      [KERNEL_SITES.allocateSlab, 0, 0, Math.max(64, pages >> 9)],
      [KERNEL_SITES.kmallocLarge, 2, __GFP_COMP, 6],
      [KERNEL_SITES.filemapGetFolio, 0, 0, Math.min(pages >> 6, 4096)],
      [KERNEL_SITES.readahead, 2, __GFP_COMP, Math.min(pages >> 9, 256)],
      [KERNEL_SITES.shmemAllocFolio, 0, 0, 24],
    ];
    for (const [site, order, gfp, count] of plan) {
      this.charge(site, () => {
        for (let i = 0; i < count; i++)
          if (this.alloc.allocPages(order, GFP_KERNEL | gfp | __GFP_NOWARN) < 0) break;
      });
    }
    this.clock.advance(3_000_000);
  }

  /** The /proc files this kernel serves (allocinfo is created by alloc_tag_init). */
  private createProcFiles(): void {
    const fs = this.procfs;
    fs.create({ path: '/proc/meminfo', mode: () => 0o444, read: () => this.meminfo() });
    fs.create({ path: '/proc/vmallocinfo', mode: () => 0o400, read: () => this.vmalloc.vmallocinfo() });
    fs.create({ path: '/proc/modules', mode: () => 0o444, read: () => this.modules.procModules() });
    fs.create({ path: '/proc/buddyinfo', mode: () => 0o444, read: () => this.alloc.buddyinfo() });
    fs.create({ path: '/proc/cmdline', mode: () => 0o444, read: () => `${this.cmdline.raw}\n` });
    // lib/dynamic_debug.c: dynamic_debug_init_control() — root may read and write it.
    fs.create({
      path: '/proc/dynamic_debug/control',
      mode: () => 0o644,
      read: () => this.dynamicDebug.control(),
      write: (text, cred) => {
        if (cred.euid !== 0)
          throw new KernelError('EACCES', '/proc/dynamic_debug/control: Permission denied');
        this.dynamicDebug.writeControl(text);
      },
    });
    const at = this.allocTag;
    if (at !== null) {
      fs.create({
        path: '/proc/sys/vm/mem_profiling',
        mode: () => at.sysctl.mode,
        read: () => at.readSysctl(),
        write: (text, cred) => at.writeSysctl(text, cred),
      });
    }
  }

  /** alloc_hooks(): run `fn` with current->alloc_tag set to the tag of `site` (when there is one). */
  private charge<T>(site: AllocTagSite | CallSite | null, fn: () => T): T {
    const at = this.allocTag;
    if (at === null || site === null) return fn();
    const tag = 'tag' in site ? site.tag : (this.siteTags.get(`${site.filename}:${site.lineno}`) ?? null);
    return tag === null ? fn() : at.allocHooks(tag, fn);
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw asKernelError(e);
    }
  }

  // ------------------------------------------------------------------ call sites

  /**
   * A call site by `file:line`, `function` (if unique), or `module:function`, among the kernel's
   * tags and those of loaded modules. ENOENT if none matches, EINVAL if a function is ambiguous.
   */
  site(spec: string): CallSite {
    const all: CallSite[] = [];
    if (this.allocTag !== null) {
      for (const t of this.kernelTags) all.push(siteOf(t));
      for (const m of this.modules.list()) for (const t of m.tags) all.push(siteOf(t));
    } else {
      // No tags exist without profiling; the call sites still do (allocations go uncharged).
      for (const s of this.kernelSites) all.push({ ...s, modname: null, tag: null });
      for (const m of this.modules.list())
        for (const t of m.descriptor.tags)
          all.push({ filename: t.file, lineno: t.line, function: t.function, modname: m.name, tag: null });
    }
    const fileLine = /^(.+):(\d+)$/.exec(spec);
    let found: CallSite[];
    if (fileLine !== null) {
      found = all.filter((s) => s.filename === fileLine[1] && s.lineno === Number(fileLine[2]));
    } else {
      const colon = spec.indexOf(':');
      found =
        colon > 0
          ? all.filter((s) => s.modname === spec.slice(0, colon) && s.function === spec.slice(colon + 1))
          : all.filter((s) => s.function === spec);
    }
    if (found.length === 0) throw new KernelError('ENOENT', `no allocation call site '${spec}'`);
    if (found.length > 1 && fileLine === null) {
      const first = found[0]!;
      if (!found.every((s) => s.modname === first.modname && s.function === first.function))
        throw new KernelError(
          'EINVAL',
          `call site '${spec}' is ambiguous (${found.length} matches); use file:line`,
        );
      throw new KernelError(
        'EINVAL',
        `function '${spec}' has ${found.length} call sites: ${found
          .slice(0, 4)
          .map((s) => `${s.filename}:${s.lineno}`)
          .join(', ')}${found.length > 4 ? ', …' : ''}`,
      );
    }
    return found[0]!;
  }

  /** Bytes and calls of a call site's tag (zeros without profiling). */
  siteCounters(site: CallSite): { bytes: number; calls: number } {
    return site.tag === null ? { bytes: 0, calls: 0 } : allocTagRead(site.tag);
  }

  // ------------------------------------------------------------------ pages

  /**
   * alloc_pages() from `site`: `count` blocks of 2^order pages. All or nothing: if one fails,
   * the ones already allocated are freed and ENOMEM is thrown.
   */
  allocPages(
    site: CallSite | string | null,
    order = 0,
    opts: { count?: number; gfp?: number } = {},
  ): number[] {
    return this.call(() => {
      const s = typeof site === 'string' ? this.site(site) : site;
      const count = opts.count ?? 1;
      if (!Number.isInteger(order) || order < 0 || order > 10)
        throw new KernelError('EINVAL', `order must be 0..10, got ${order}`);
      if (!Number.isInteger(count) || count < 1)
        throw new KernelError('EINVAL', `count must be >= 1, got ${count}`);
      const gfp = opts.gfp ?? (order > 0 ? GFP_KERNEL | __GFP_COMP : GFP_KERNEL);
      const out: number[] = [];
      this.charge(s, () => {
        for (let i = 0; i < count; i++) {
          const pfn = this.alloc.allocPages(order, gfp);
          if (pfn < 0) break;
          out.push(pfn);
        }
      });
      if (out.length < count) {
        for (const pfn of out) this.alloc.freePages(pfn, order);
        throw new KernelError('ENOMEM', `cannot allocate ${count} block(s) of order ${order}`);
      }
      return out;
    });
  }

  /** __free_pages(). */
  freePages(pfn: number, order = 0): void {
    this.call(() => this.alloc.freePages(pfn, order));
  }

  /** split_page() / folio split into blocks of 2^newOrder pages (pgalloc_tag_split). */
  splitPage(pfn: number, newOrder = 0): void {
    this.call(() => this.alloc.splitPage(pfn, newOrder));
  }

  /**
   * Migrate the block at `pfn`: the target is allocated charged to mm/migrate.c
   * (alloc_migration_target), pgalloc_tag_swap() exchanges the two folios' references, and the
   * free of the old folio takes the target's charge away.
   */
  migratePage(pfn: number): number {
    return this.call(() =>
      this.charge(KERNEL_SITES.allocMigrationTarget, () =>
        migrateFolio(this.alloc, pfn, GFP_HIGHUSER_MOVABLE),
      ),
    );
  }

  /** memory_failure(): poison an allocated order-0 page; its last free keeps it out of use. */
  memoryFailure(pfn: number): void {
    this.call(() => this.alloc.memoryFailure(pfn));
  }

  /** fail_page_alloc: the next `n` page allocations fail (after `spaceBytes` of allocations pass). */
  failPageAlloc(n: number, spaceBytes = 0): void {
    this.call(() => this.alloc.failPageAlloc(n, spaceBytes));
  }

  /** Move the running task to `cpu` (per-CPU lists and counter slots follow). */
  setCpu(cpu: number): void {
    this.call(() => this.ctx.setCpu(cpu));
  }

  // ------------------------------------------------------------------ vmalloc

  /** vmalloc() from `site`; pages come from the buddy allocator charged to the site. */
  vmallocAlloc(site: CallSite | string | null, size: number): VmStruct {
    return this.call(() => {
      const s = typeof site === 'string' ? this.site(site) : site;
      const caller =
        s === null
          ? 'vmalloc'
          : `${s.function}+0x${((s.lineno * 37) % 0x400).toString(16)}/0x${(0x400).toString(16)}`;
      return this.charge(s, () => this.vmalloc.vmalloc(size, caller));
    });
  }

  /** vfree(). */
  vfree(addr: number): void {
    this.call(() => this.vmalloc.vfree(addr));
  }

  // ------------------------------------------------------------------ modules

  /** insmod: a catalog module by name (ENOENT if none) or a descriptor; ENOSYS without CONFIG_MODULES. */
  insmod(module: string | ModuleDescriptor): Module {
    return this.call(() => {
      if (!kconfigEnabled(this.config.kconfig, 'CONFIG_MODULES'))
        throw new KernelError('ENOSYS', 'init_module: the kernel was built without CONFIG_MODULES');
      if (typeof module === 'string') {
        const d = catalogModule(module);
        if (d === undefined) throw new KernelError('ENOENT', `module ${module} not found in the catalog`);
        return this.modules.load(d, module);
      }
      return this.modules.load(module, module.name);
    });
  }

  /** rmmod. */
  rmmod(name: string): Module {
    return this.call(() => this.modules.unload(name));
  }

  /** lsmod output. */
  lsmod(): string {
    return this.modules.lsmod();
  }

  // ------------------------------------------------------------------ files

  /** read a /proc file (ENOENT, EACCES as KernelError). */
  readFile(path: string, cred: Cred = ROOT): string {
    return this.call(() => this.procfs.read(path, cred));
  }

  /** write a /proc file (the sysctl with its permission rules). */
  writeFile(path: string, text: string, cred: Cred = ROOT): void {
    this.call(() => this.procfs.write(path, text, cred));
  }

  /** sysctl vm.mem_profiling[=value]: the value after the operation. */
  sysctl(name: string, value?: string, cred: Cred = ROOT): string {
    const path = `/proc/sys/${name.replaceAll('.', '/')}`;
    if (value !== undefined) this.writeFile(path, value, cred);
    return this.readFile(path, cred).trim();
  }

  /** /proc/meminfo text. */
  meminfo(): string {
    const s = this.alloc.stats();
    const lowSum = this.alloc.zones.reduce((n, z) => n + z.wmarkLow, 0);
    return formatMeminfo({
      totalPages: s.managedPages,
      freePages: s.freePages,
      availablePages: Math.max(0, s.freePages + s.pcpPages - lowSum),
      vmallocTotalBytes: VMALLOC_SIZE,
      vmallocUsedPages: this.vmalloc.vmallocNrPages(),
      pageExtBytes: this.pageExt.bytes,
      pageTagRefBytes: this.pageTagRefs?.bytes ?? 0,
    });
  }

  /** dmesg text (`[%5lu.%06lu] message` lines), optionally only levels up to `maxLevel`. */
  dmesgText(maxLevel: LogLevel = 'debug'): string {
    return this.dmesg.text(maxLevel);
  }

  /** One line describing the machine (for banners). */
  describe(): string {
    const mode =
      this.allocTag === null
        ? 'profiling not built in'
        : !this.allocTag.support
          ? 'profiling unsupported'
          : this.allocTag.compressed
            ? 'compressed (page flags)'
            : 'page_ext';
    return `${this.config.name}, ${formatSize(this.ramBytes)} RAM, ${this.ctx.nrCpus} CPUs, ${this.kernelSites.length} kernel tags, ${mode}`;
  }

  /** Virtual time since boot as dmesg prints it. */
  uptime(): string {
    return formatTimestamp(this.clock.now()).slice(1, -2).trim();
  }

  /** Bytes of host memory the per-page state takes: the struct page record of each page frame. */
  get perPageHostBytes(): number {
    return this.memmap.hostBytes / this.memmap.nrPages;
  }
}

function siteOf(t: AllocTag): CallSite {
  return { filename: t.filename, lineno: t.lineno, function: t.function, modname: t.modname, tag: t };
}

/**
 * NR_SECTION_ROOTS = NR_MEM_SECTIONS / SECTIONS_PER_ROOT (include/linux/mmzone.h,
 * SPARSEMEM_EXTREME): 2^SECTIONS_SHIFT sections, PAGE_SIZE / sizeof(struct mem_section) per root.
 */
function nrSectionRoots(sectionsShift: number, longBytes: number): number {
  const perRoot = PAGE_SIZE / (4 * longBytes);
  return Math.max(1, Math.ceil(2 ** sectionsShift / perRoot));
}
