import {
  CodeTagError,
  type CodeTagModule,
  type CodeTagType,
  type CodeTagTypeDesc,
  type Codetag,
  codetagStartSymbol,
  codetagStopSymbol,
  DEFAULT_WARN_ENVIRONMENT,
  KernelWarn,
  type SymbolLookup,
} from '@allocprof/codetag';
import type { PageProvider, Vmalloc } from '@allocprof/execmem-vmalloc';
import type { PageFlagsTagRefs, PageTagRefs } from '@allocprof/pgalloc-tag';
import { type AllocTag, type AllocTagSite, type CodetagRef, TaskStruct } from './alloc_tag';
import { formatAllocinfo } from './allocinfo';
import { setupEarlyMemProfiling } from './boot_param';
import { AllocTagCounters } from './counters';
import { ModuleTagArea } from './module_tags';
import {
  choosePgallocTagHooks,
  NO_PAGE_TAG_REFS,
  type PgallocTagHooks,
  type PgallocTagHooksContext,
} from './pgalloc_hooks';
import { AllocTagOps } from './ref_ops';
import {
  type AllocinfoProcfs,
  type AllocTagKconfig,
  type MemProfilingEvent,
  MemProfilingState,
} from './state';
import { MemProfilingSysctl, ROOT_CRED, type SysctlCred } from './sysctl';
import { AllocTagIndex } from './tag_index';
import { AllocTagMemory } from './tag_memory';
import {
  ALLOC_TAG_SECTION_NAME,
  ALLOC_TAG_SIZE,
  AllocTagError,
  type PrDebugSite,
  type Printk,
} from './types';

/** lib/alloc_tag.c (6.13): alloc_tag_sec_init()'s pr_debug(). */
const SEC_INIT_PR_DEBUG: PrDebugSite = Object.freeze({
  modname: 'alloc_tag',
  function: 'alloc_tag_sec_init',
  filename: 'lib/alloc_tag.c',
  lineno: 279,
  format: 'Memory allocation profiling compression is using %d page flag bits!\n',
});

/** The pr_debug() call sites of lib/alloc_tag.c (its `__dyndbg` entries), for a dynamic debug table. */
export const ALLOC_TAG_PR_DEBUG_SITES: readonly PrDebugSite[] = Object.freeze([SEC_INIT_PR_DEBUG]);

/** The two fields of the booted page-flags layout that compression uses (page-flags-layout's PageFlagsLayout has them). */
export interface AllocTagPageFlagsLayout {
  readonly NR_UNUSED_PAGEFLAG_BITS: number;
  readonly LRU_REFS_PGOFF: number;
}

/** Everything one simulated kernel's allocation profiling needs, injected by kernel-sim. */
export interface AllocTagSubsystemOptions {
  printk: Printk;
  /** Simulated CPUs (per-CPU counter slots). */
  nrCpus: number;
  /** Build options; defaults: ENABLED_BY_DEFAULT y, DEBUG n, MODULES y, SYSCTL y. */
  kconfig?: AllocTagKconfig;
  /** The codetag framework of this kernel (the "alloc_tags" type is registered into it). */
  codetag: Codetag;
  /** kallsyms: `__start_alloc_tags` / `__stop_alloc_tags` of the kernel image. */
  kernelSymbols: SymbolLookup;
  /** The page-flags layout of the booted configuration (N and LRU_REFS_PGOFF). */
  pageFlagsLayout: AllocTagPageFlagsLayout;
  /** The kernel's vmalloc space (module tag area reservation and mapping); required with CONFIG_MODULES. */
  vmalloc?: Vmalloc;
  /** Physical pages for the module tag area; default: the Vmalloc's provider. */
  pageProvider?: PageProvider;
  /** procfs hooks for /proc/allocinfo; default: tracked here, creation always succeeds. */
  procfs?: AllocinfoProcfs;
  /** Observer of key / support / compressed changes. */
  onEvent?: (e: MemProfilingEvent) => void;
  /**
   * The kernel's WARN() reporting (kernel/panic.c: __warn()), shared with codetag so the taint
   * and the once-flags are the kernel's; default: one of its own on `printk`, reporting the boot
   * CPU's idle task.
   */
  warn?: KernelWarn;
}

/** One entry of alloc_tag_top_users() (struct codetag_bytes). */
export interface CodetagBytes {
  ct: AllocTag;
  bytes: number;
}

/**
 * lib/alloc_tag.c + include/linux/alloc_tag.h + include/linux/pgalloc_tag.h for one simulated
 * kernel: the profiling state and boot option, the sysctl, shutdown, the tags and their per-CPU
 * counters, the module tag area registered as the "alloc_tags" codetag type, /proc/allocinfo, the
 * compressed-mode tag index and the page allocator hooks.
 *
 * Boot order (kernel-sim): construct → {@link installKernelTags} → {@link setupEarlyMemProfiling}
 * per occurrence on the command line → pick the backend ({@link pageExtNeeded},
 * {@link tagIndex}) and {@link setPageTagRefs} → {@link allocTagSecInit} → page_ext init →
 * {@link clearPageTagRef} for memblock pages → {@link allocTagInit} → {@link processSysctlArg}.
 */
export class AllocTagSubsystem {
  /** The three state variables and shutdown_mem_profiling(). */
  readonly state: MemProfilingState;
  /** The per-CPU counter pools of every tag. */
  readonly counters: AllocTagCounters;
  /** Where tags live (kernel image, module tag area, module data). */
  readonly memory: AllocTagMemory;
  /** idx_to_ref()/ref_to_idx() for pgalloc-tag's page-flags backend. */
  readonly tagIndex: AllocTagIndex;
  /** /proc/sys/vm/mem_profiling */
  readonly sysctl: MemProfilingSysctl;
  /** The module tag area (null without CONFIG_MODULES). */
  readonly moduleTags: ModuleTagArea | null;
  /** `current`: the task whose alloc_tag page allocations are charged to. */
  current: TaskStruct = new TaskStruct();
  private readonly ops: AllocTagOps;
  private hooks: PgallocTagHooks;
  private readonly hooksCtx: PgallocTagHooksContext;
  private readonly codetag: Codetag;
  private readonly kernelSymbols: SymbolLookup;
  private readonly layout: AllocTagPageFlagsLayout;
  private cttype: CodeTagType<AllocTag> | null = null;

  constructor(opts: AllocTagSubsystemOptions) {
    if (typeof opts?.printk?.printk !== 'function') throw new AllocTagError('EINVAL', 'printk sink required');
    if (opts.codetag === undefined || opts.codetag === null)
      throw new AllocTagError('EINVAL', 'codetag required');
    if (typeof opts.kernelSymbols?.lookupSymbol !== 'function') {
      throw new AllocTagError('EINVAL', 'kernelSymbols.lookupSymbol() required');
    }
    const layout = opts.pageFlagsLayout;
    if (!Number.isInteger(layout?.NR_UNUSED_PAGEFLAG_BITS) || !Number.isInteger(layout.LRU_REFS_PGOFF)) {
      throw new AllocTagError(
        'EINVAL',
        'pageFlagsLayout needs integer NR_UNUSED_PAGEFLAG_BITS and LRU_REFS_PGOFF',
      );
    }
    this.state = new MemProfilingState(
      opts.kconfig ?? {},
      opts.printk,
      opts.procfs ?? null,
      opts.onEvent ?? null,
    );
    this.counters = new AllocTagCounters(opts.nrCpus);
    this.memory = new AllocTagMemory(this.counters);
    this.tagIndex = new AllocTagIndex({
      debug: this.state.debug,
      modules: this.state.modules,
      printk: opts.printk,
    });
    this.sysctl = new MemProfilingSysctl(this.state);
    const warn =
      opts.warn ??
      new KernelWarn(opts.printk, {
        ...DEFAULT_WARN_ENVIRONMENT,
        task: () => ({ ...DEFAULT_WARN_ENVIRONMENT.task(), cpu: this.ops.cpu }),
      });
    this.ops = new AllocTagOps(this.state, this.memory, this.counters, warn);
    this.hooksCtx = {
      state: this.state,
      ops: this.ops,
      memory: this.memory,
      counters: this.counters,
      tagIndex: this.tagIndex,
    };
    this.hooks = choosePgallocTagHooks(this.hooksCtx, NO_PAGE_TAG_REFS);
    this.codetag = opts.codetag;
    this.kernelSymbols = opts.kernelSymbols;
    this.layout = layout;
    if (this.state.modules) {
      const vmalloc = opts.vmalloc;
      if (vmalloc === undefined) throw new AllocTagError('EINVAL', 'vmalloc required with CONFIG_MODULES');
      this.moduleTags = new ModuleTagArea({
        state: this.state,
        memory: this.memory,
        index: this.tagIndex,
        vmalloc,
        pageProvider: opts.pageProvider ?? vmalloc.pageProvider,
        nrUnusedPageflagBits: layout.NR_UNUSED_PAGEFLAG_BITS,
      });
    } else {
      this.moduleTags = null;
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  /** mem_alloc_profiling_enabled(): the key. */
  get enabled(): boolean {
    return this.state.key;
  }

  /** mem_profiling_support */
  get support(): boolean {
    return this.state.support;
  }

  /** static_key_enabled(&mem_profiling_compressed) */
  get compressed(): boolean {
    return this.state.compressed;
  }

  /** The registered "alloc_tags" codetag type (null before alloc_tag_init or if it failed). */
  get codetagType(): CodeTagType<AllocTag> | null {
    return this.cttype;
  }

  /** smp_processor_id() for counter updates. */
  get cpu(): number {
    return this.ops.cpu;
  }

  /** Run on `cpu` from now on (this_cpu_* counter updates go to its slot). */
  setCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.counters.nrCpus) {
      throw new AllocTagError('EINVAL', `cpu ${cpu} is outside [0, ${this.counters.nrCpus})`);
    }
    this.ops.cpu = cpu;
  }

  /** lib/alloc_tag.c: setup_early_mem_profiling() — null, or the error the early-param dispatcher reports as malformed. */
  setupEarlyMemProfiling(value: string | null | undefined): AllocTagError | null {
    return setupEarlyMemProfiling(this.state, value);
  }

  /** include/linux/alloc_tag.h: shutdown_mem_profiling() (patch 2). */
  shutdownMemProfiling(removeFile: boolean): void {
    this.state.shutdownMemProfiling(removeFile);
  }

  /** lib/alloc_tag.c: need_page_alloc_tagging() — whether page_ext must hold tag references. */
  pageExtNeeded(): boolean {
    return !this.state.compressed && this.state.support;
  }

  /**
   * The page tag reference backend chosen at boot (page_ext, or page flags built with
   * {@link tagIndex}); the page hooks for it are chosen with it, and again once
   * {@link allocTagSecInit} has set up compression.
   */
  setPageTagRefs(refs: PageTagRefs): void {
    if (typeof refs?.getPageTagRef !== 'function')
      throw new AllocTagError('EINVAL', 'not a PageTagRefs backend');
    this.hooks = choosePgallocTagHooks(this.hooksCtx, refs);
  }

  /** The page tag reference backend in use. */
  get pageTagRefs(): PageTagRefs {
    return this.hooks.refs;
  }

  /**
   * include/linux/pgalloc_tag.h for the page allocator: the hooks of the backend in use (a class
   * per backend, so each hook is one small monomorphic function). Take them after
   * {@link allocTagSecInit}; installing another backend replaces them.
   */
  get pageHooks(): PgallocTagHooks {
    return this.hooks;
  }

  // ---- tags ----------------------------------------------------------------------------------

  /** The kernel image's `alloc_tags` section at `address` (kernel-sim defines the matching symbols). */
  installKernelTags(address: number, sites: readonly AllocTagSite[]): AllocTag[] {
    return this.memory.installKernelTags(address, sites);
  }

  /** The loader's copy of a module's tag section to `address` (in the module tag area or the module's data). */
  writeModuleTags(address: number, sites: readonly AllocTagSite[]): AllocTag[] {
    return this.memory.writeModuleTags(address, sites);
  }

  /** Module memory holding tags (tags left in module data when support was off) is freed. */
  freeModuleTagMemory(start: number, stop: number): number {
    if (this.moduleTags !== null && start >= this.moduleTags.startAddr && start < this.moduleTags.endAddr) {
      throw new AllocTagError('EINVAL', 'module tag area memory is released by release_module_tags()');
    }
    return this.memory.removeTags(start, stop);
  }

  /** The tag at `address`, or undefined. */
  tagAt(address: number): AllocTag | undefined {
    return this.memory.resolve(address);
  }

  // ---- boot ----------------------------------------------------------------------------------

  /**
   * lib/alloc_tag.c: alloc_tag_sec_init() — in compressed mode, find the kernel tags through
   * kallsyms, check K <= 2^N (else shutdown(false) and the message), then set the page-flags
   * backend's offset and mask and report the bits used with pr_debug() — which only a sink with
   * `prDebug` that enables lib/alloc_tag.c's site prints.
   */
  allocTagSecInit(): void {
    const state = this.state;
    if (!state.support || !state.compressed) return;
    const start = this.kernelSymbols.lookupSymbol(codetagStartSymbol(ALLOC_TAG_SECTION_NAME)) ?? 0;
    const stop = this.kernelSymbols.lookupSymbol(codetagStopSymbol(ALLOC_TAG_SECTION_NAME)) ?? 0;
    const count = Math.trunc((stop - start) / ALLOC_TAG_SIZE);
    this.tagIndex.kernelFirst = start;
    this.tagIndex.kernelCount = count;
    const n = this.layout.NR_UNUSED_PAGEFLAG_BITS;
    // N <= 0 would be a negative shift in C; it is taken as a field of 0 bits (1 index value).
    const indexable = n <= 0 ? 1 : 2 ** n;
    if (count > indexable) {
      state.shutdownMemProfiling(false);
      state.printk.printk(
        'err',
        `${count} allocation tags cannot be references using ${n} available page flag bits. Memory allocation profiling is disabled!`,
      );
      return;
    }
    const refs = this.hooks.refs as PageTagRefs & Partial<Pick<PageFlagsTagRefs, 'init'>>;
    if (refs.kind !== 'page_flags' || typeof refs.init !== 'function') {
      throw new AllocTagError(
        'EINVAL',
        'compressed mode needs the page_flags backend: call setPageTagRefs() first',
      );
    }
    refs.init(this.layout.LRU_REFS_PGOFF - n, n);
    // The index mapping is now fixed: check it against the kernel section once, here.
    this.hooks = choosePgallocTagHooks(this.hooksCtx, refs);
    state.printk.prDebug?.(
      SEC_INIT_PR_DEBUG,
      `Memory allocation profiling compression is using ${n} page flag bits!`,
    );
  }

  /**
   * lib/alloc_tag.c: alloc_tag_init() — reserve the module tag area (failure: return
   * its error, nothing else done), register the "alloc_tags" codetag type (failure: free the area,
   * return the error), register the sysctl, create /proc/allocinfo if supported (failure: message,
   * then shutdown(false)). Returns 0 or a negative errno.
   */
  allocTagInit(): number {
    if (this.cttype !== null) throw new AllocTagError('EEXIST', 'alloc_tag_init() already ran');
    const area = this.moduleTags;
    if (area !== null) {
      const res = area.allocModTagsMem();
      if (res !== 0) return res;
    }
    try {
      this.cttype = this.codetag.registerType(this.typeDesc());
    } catch (e) {
      area?.freeModTagsMem();
      if (e instanceof CodeTagError) return -(ERRNO_VALUES[e.code] ?? 22);
      throw e;
    }
    this.sysctl.register();
    if (this.state.support && !this.state.createAllocinfo(() => this.formatAllocinfo())) {
      this.state.printk.printk('err', 'Failed to create allocinfo file');
      this.state.shutdownMemProfiling(false);
    }
    return 0;
  }

  /** fs/proc/proc_sysctl.c: process_sysctl_arg() for the command line's `sysctl.vm.mem_profiling=` at the end of init. */
  processSysctlArg(value: string | null | undefined): string | null {
    return this.sysctl.processSysctlArg(value);
  }

  /** read(2) of /proc/sys/vm/mem_profiling. */
  readSysctl(): string {
    return this.sysctl.read();
  }

  /** write(2) of /proc/sys/vm/mem_profiling (EACCES/EPERM/EINVAL/ENOENT as AllocTagError). */
  writeSysctl(text: string, cred: SysctlCred = ROOT_CRED): void {
    this.sysctl.write(text, cred);
  }

  // ---- /proc/allocinfo and reports -----------------------------------------------------------

  /** Whether /proc/allocinfo exists. */
  get allocinfoExists(): boolean {
    return this.state.allocinfoExists;
  }

  /** read(2) of /proc/allocinfo from position 0; ENOENT if the file does not exist. */
  readAllocinfo(): string {
    if (!this.state.allocinfoExists)
      throw new AllocTagError('ENOENT', '/proc/allocinfo: No such file or directory');
    return this.formatAllocinfo();
  }

  /** The /proc/allocinfo text (format 1.0) of every listed tag, whether or not the file exists. */
  formatAllocinfo(): string {
    return formatAllocinfo(this.cttype === null ? [] : this.cttype.tags());
  }

  /**
   * lib/alloc_tag.c: alloc_tag_top_users() — up to `count` tags by bytes, descending, ties in
   * iteration order. Without `canSleep` the walk only try-locks `mod_lock` and gives up (empty) if
   * a writer holds it. Empty before the type is registered (the later upstream guard).
   */
  allocTagTopUsers(count: number, canSleep = true): CodetagBytes[] {
    if (!Number.isInteger(count) || count < 0) throw new AllocTagError('EINVAL', `bad count ${count}`);
    const type = this.cttype;
    if (type === null || count === 0) return [];
    if (canSleep) type.lockModuleList(true);
    else if (!type.trylockModuleList()) return [];
    const out: CodetagBytes[] = [];
    try {
      const iter = type.getCtIter();
      for (let ct = iter.nextCt(); ct !== null; ct = iter.nextCt()) {
        const bytes = ct.counters.sumBytes(ct.id);
        let pos = 0;
        while (pos < out.length && out[pos]!.bytes >= bytes) pos++;
        if (pos < count) {
          out.splice(pos, 0, { ct, bytes });
          if (out.length > count) out.pop();
        }
      }
    } finally {
      type.lockModuleList(false);
    }
    return out;
  }

  // ---- reference operations ------------------------------------------------------------------

  /** include/linux/alloc_tag.h: alloc_tag_ref_set() — true and `calls += 1` unless `tag` is NULL. */
  allocTagRefSet(ref: CodetagRef, tag: AllocTag | null): boolean {
    ref.ct = this.ops.refSet(ref.ct, tag);
    return tag !== null;
  }

  /** include/linux/alloc_tag.h: alloc_tag_add() */
  allocTagAdd(ref: CodetagRef, tag: AllocTag | null, bytes: number): void {
    ref.ct = this.ops.add(ref.ct, tag, bytes);
  }

  /** include/linux/alloc_tag.h: alloc_tag_sub() */
  allocTagSub(ref: CodetagRef, bytes: number): void {
    ref.ct = this.ops.sub(ref.ct, bytes);
  }

  /** include/linux/alloc_tag.h: set_codetag_empty() (6.13: NULL outside DEBUG). */
  setCodetagEmpty(ref: CodetagRef): void {
    ref.ct = this.ops.setEmpty(ref.ct);
  }

  /** include/linux/alloc_tag.h: is_codetag_empty() */
  isCodetagEmpty(ref: CodetagRef): boolean {
    return this.ops.isEmpty(ref.ct);
  }

  /** include/linux/sched.h: alloc_tag_save() — `current->alloc_tag` := `tag`; returns the previous tag. */
  allocTagSave(tag: AllocTag): AllocTag | null {
    const old = this.current.allocTag;
    this.current.allocTag = tag;
    return old;
  }

  /** include/linux/sched.h: alloc_tag_restore() — DEBUG warns if `current->alloc_tag` is not `tag`. */
  allocTagRestore(tag: AllocTag, old: AllocTag | null): void {
    if (this.state.debug && this.current.allocTag !== tag) {
      this.state.printk.printk('warning', 'current->alloc_tag was changed:');
    }
    this.current.allocTag = old;
  }

  /**
   * include/linux/alloc_tag.h: alloc_hooks_tag(tag, expr) — run `alloc` with `current->alloc_tag`
   * set to `tag`, restoring the previous tag after. 6.13 does this whether or not profiling is
   * enabled; skipping it while the key is off came later ("alloc_tag: avoid current->alloc_tag
   * manipulations when profiling is disabled", 6.14).
   */
  allocHooks<R>(tag: AllocTag, alloc: () => R): R {
    const old = this.allocTagSave(tag);
    try {
      return alloc();
    } finally {
      this.allocTagRestore(tag, old);
    }
  }

  // ---- page hooks ----------------------------------------------------------------------------
  // The hooks of the backend in use (pageHooks); each tests mem_alloc_profiling_key itself.

  /** include/linux/pgalloc_tag.h: pgalloc_tag_add() — post_alloc_hook: charge `nr` pages at `pfn` to `task`. */
  pgallocTagAdd(pfn: number, task: TaskStruct, nr: number): void {
    this.hooks.pgallocTagAdd(pfn, task, nr);
  }

  /** include/linux/pgalloc_tag.h: pgalloc_tag_sub() — free_pages_prepare: uncharge `nr` pages at `pfn`. */
  pgallocTagSub(pfn: number, nr: number): void {
    this.hooks.pgallocTagSub(pfn, nr);
  }

  /** include/linux/pgalloc_tag.h: pgalloc_tag_get() — the tag charged for the page at `pfn`. */
  pgallocTagGet(pfn: number): AllocTag | null {
    return this.hooks.pgallocTagGet(pfn);
  }

  /** include/linux/pgalloc_tag.h: pgalloc_tag_sub_pages() — `bytes -= PAGE_SIZE * nr` on `tag`. */
  pgallocTagSubPages(tag: AllocTag | null, nr: number): void {
    this.hooks.pgallocTagSubPages(tag, nr);
  }

  /** lib/alloc_tag.c: pgalloc_tag_split() — split the `2^oldOrder` block at `pfn` into `2^newOrder` pieces. */
  pgallocTagSplit(pfn: number, oldOrder: number, newOrder: number): void {
    this.hooks.pgallocTagSplit(pfn, oldOrder, newOrder);
  }

  /** lib/alloc_tag.c: pgalloc_tag_swap() — folio migration: the folios at `newPfn` and `oldPfn` exchange tag references. */
  pgallocTagSwap(newPfn: number, oldPfn: number): void {
    this.hooks.pgallocTagSwap(newPfn, oldPfn);
  }

  /** include/linux/pgalloc_tag.h: clear_page_tag_ref() — a page handed to the allocator without allocation. */
  clearPageTagRef(pfn: number): void {
    this.hooks.clearPageTagRef(pfn);
  }

  // ---- codetag type --------------------------------------------------------------------------

  private typeDesc(): CodeTagTypeDesc<AllocTag> {
    const desc: CodeTagTypeDesc<AllocTag> = {
      section: ALLOC_TAG_SECTION_NAME,
      tagSize: ALLOC_TAG_SIZE,
      memory: this.memory,
    };
    const area = this.moduleTags;
    if (area !== null) {
      desc.needsSectionMem = (mod: CodeTagModule, size: number) => area.needsSectionMem(mod, size);
      desc.allocSectionMem = (mod: CodeTagModule, size: number, prepend: number, align: number) => {
        try {
          return area.reserveModuleTags(mod, size, prepend, align);
        } catch (e) {
          if (e instanceof AllocTagError) throw new CodeTagError(e.code, e.message);
          throw e;
        }
      };
      desc.freeSectionMem = (mod: CodeTagModule, used: boolean) => area.releaseModuleTags(mod, used);
      desc.moduleReplaced = (mod: CodeTagModule, newMod: CodeTagModule) => area.replaceModule(mod, newMod);
    }
    return desc;
  }
}

const ERRNO_VALUES: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  EFAULT: 14,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  EDEADLK: 35,
};
