import type { CodeTagModule } from '@allocprof/codetag';
import { getVmAreaSize, type PageProvider, type Vmalloc, type VmStruct } from '@allocprof/execmem-vmalloc';
import { type MapleState, MapleTree } from '@allocprof/maple-tree';
import type { MemProfilingState } from './state';
import type { AllocTagIndex } from './tag_index';
import type { AllocTagMemory } from './tag_memory';
import { ALLOC_TAG_SIZE, AllocTagError, MODULE_ALLOC_TAG_VMAP_SIZE, PAGE_SHIFT, PAGE_SIZE } from './types';

function markerModule(name: string): CodeTagModule {
  return Object.freeze({ name, lookupSymbol: (): number | undefined => undefined });
}

/** lib/alloc_tag.c: unloaded_mod — marks the area of an unloaded module whose tags are still referenced. */
export const unloadedMod: CodeTagModule = markerModule('unloaded_mod');
/** lib/alloc_tag.c: prepend_mod — marks padding placed before a module's area. */
export const prependMod: CodeTagModule = markerModule('prepend_mod');

/** One range of the module tag area as a map shows it (offsets relative to `module_tags.start_addr`). */
export interface ModuleAreaRange {
  start: number;
  last: number;
  kind: 'module' | 'unloaded' | 'padding' | 'free';
  /** Module name for `module` ranges, else null. */
  module: string | null;
}

/** Dependencies of the module tag area. */
export interface ModuleTagAreaDeps {
  state: MemProfilingState;
  memory: AllocTagMemory;
  index: AllocTagIndex;
  vmalloc: Vmalloc;
  pageProvider: PageProvider;
  /** NR_UNUSED_PAGEFLAG_BITS of the booted layout (may be <= 0). */
  nrUnusedPageflagBits: number;
}

const isPow2 = (v: number): boolean => Number.isSafeInteger(v) && v > 0 && (v & (v - 1)) === 0;
const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/**
 * The module tag area of patches 3 and 4 (lib/alloc_tag.c, CONFIG_MODULES): 4,000,000 bytes of
 * virtual space reserved with execmem_vmap(), physical pages added on demand, and a maple tree
 * (`mod_area_mt`, MT_FLAGS_ALLOC_RANGE) of byte offsets whose values are module handles or the
 * `unloaded_mod` / `prepend_mod` markers.
 *
 * The simulation is single-threaded, so `mas_lock` and codetag's locks need no counterpart here;
 * every method runs as if it held them.
 */
export class ModuleTagArea {
  /** vm_module_tags */
  vm: VmStruct | null = null;
  /** Length of vm_module_tags->pages: one slot per page of the usable area (977). */
  maxPages = 0;
  /** module_tags.start_addr (= first_tag): area address, rounded up to a multiple of 40 in compressed mode. */
  startAddr = 0;
  /** module_tags.end_addr */
  endAddr = 0;
  /** module_tags.size: high-water mark of reserved bytes from start_addr; never decreases. */
  size = 0;
  /** mod_area_mt */
  readonly tree = new MapleTree<CodeTagModule>({ allocRange: true });
  /** How many times clean_unused_module_areas_locked() ran. */
  cleanups = 0;
  private readonly d: ModuleTagAreaDeps;
  private treeStoreFailAfter = -1;

  constructor(deps: ModuleTagAreaDeps) {
    this.d = deps;
  }

  /** section_size = end_addr - start_addr: usable bytes (up to 39 short of 4,000,000 in compressed mode). */
  get sectionSize(): number {
    return this.endAddr - this.startAddr;
  }

  /** vm_module_tags->nr_pages: pages populated so far (the area never shrinks). */
  get nrPages(): number {
    return this.vm === null ? 0 : this.vm.nrPages;
  }

  /** vm_module_tags->pages[0 .. nr_pages): the pfns backing the area from its page-aligned base. */
  get pages(): readonly number[] {
    return this.vm === null ? [] : this.vm.pages.slice(0, this.vm.nrPages);
  }

  /** Whether the area was reserved. */
  get reserved(): boolean {
    return this.vm !== null;
  }

  /**
   * Make one maple-tree store of reserve_module_tags() fail as a node allocation failure would
   * (-ENOMEM), after `skip` successful ones: the port's stores cannot fail, the kernel's can
   * (open question 8).
   */
  injectTreeStoreFailure(skip = 0): void {
    this.treeStoreFailAfter = skip;
  }

  /** lib/alloc_tag.c: alloc_tag_align() */
  allocTagAlign(v: number): number {
    return this.d.state.compressed ? alignUp(v, ALLOC_TAG_SIZE) : v;
  }

  /** lib/alloc_tag.c: ensure_alignment() — null when `align` cannot keep tags index-aligned, else the adjusted prepend. */
  ensureAlignment(align: number, prepend: number): number | null {
    if (!this.d.state.compressed) return prepend;
    if (ALLOC_TAG_SIZE % align !== 0) return null;
    return prepend !== 0 ? this.allocTagAlign(prepend) : prepend;
  }

  /** 1 << NR_UNUSED_PAGEFLAG_BITS (NR_INDEXED_TAGS); a field of <= 0 bits is taken as 0 bits. */
  get nrIndexedTags(): number {
    const n = this.d.nrUnusedPageflagBits;
    return n <= 0 ? 1 : 2 ** n;
  }

  /** lib/alloc_tag.c: tags_addressable() — CODETAG_ID_FIRST + K + size/40 < 2^N in compressed mode. */
  tagsAddressable(): boolean {
    if (!this.d.state.compressed) return true;
    const count = 2 + this.d.index.kernelCount + Math.floor(this.size / ALLOC_TAG_SIZE);
    return count < this.nrIndexedTags;
  }

  /** lib/alloc_tag.c: needs_section_mem() */
  needsSectionMem(_mod: CodeTagModule | null, size: number): boolean {
    if (!this.d.state.support) return false;
    return size >= ALLOC_TAG_SIZE;
  }

  /**
   * lib/alloc_tag.c: alloc_mod_tags_mem() — reserve MODULE_ALLOC_TAG_VMAP_SIZE of virtual space
   * (no pages), allocate the page array, set start/end. Returns 0 or -ENOMEM (with the message).
   */
  allocModTagsMem(): number {
    const vm = this.d.vmalloc.execmemVmap(MODULE_ALLOC_TAG_VMAP_SIZE, 'alloc_mod_tags_mem');
    if (vm === null) {
      this.d.state.printk.printk(
        'err',
        `Failed to map ${MODULE_ALLOC_TAG_VMAP_SIZE} bytes for module allocation tags`,
      );
      this.startAddr = 0;
      return -12;
    }
    this.vm = vm;
    // The kernel kmalloc's the page array here; vm.pages is that array, grown by population.
    this.maxPages = getVmAreaSize(vm) >> PAGE_SHIFT;
    vm.nrPages = 0;
    this.startAddr = vm.addr;
    this.endAddr = this.startAddr + MODULE_ALLOC_TAG_VMAP_SIZE;
    this.startAddr = this.allocTagAlign(this.startAddr);
    this.d.index.moduleFirst = this.startAddr;
    this.d.memory.setModuleArea(this.startAddr, this.endAddr, (a) => this.d.vmalloc.translate(a));
    return 0;
  }

  /** lib/alloc_tag.c: free_mod_tags_mem() — only when registering the tag type failed. */
  freeModTagsMem(): void {
    const vm = this.vm;
    if (vm === null) return;
    this.startAddr = 0;
    for (let i = 0; i < vm.nrPages; i++) this.d.pageProvider.freePage(vm.pages[i]!);
    vm.pages.length = 0;
    vm.nrPages = 0;
    this.maxPages = 0;
    this.d.vmalloc.freeVmArea(vm);
    this.vm = null;
    this.d.memory.setModuleArea(0, 0, null);
  }

  /**
   * lib/alloc_tag.c: vm_module_tags_populate() (6.13) — map pages so that
   * [start_addr, start_addr + size) is backed, counting from the page-aligned base. All or
   * nothing: a short bulk allocation or a mapping failure frees exactly this call's pages.
   * Returns 0 or -ENOMEM.
   */
  vmModuleTagsPopulate(): number {
    const vm = this.vm;
    if (vm === null) return -12;
    const physEnd = Math.floor(this.startAddr / PAGE_SIZE) * PAGE_SIZE + vm.nrPages * PAGE_SIZE;
    const newEnd = this.startAddr + this.size;
    if (physEnd >= newEnd) return 0;
    const more = Math.ceil((newEnd - physEnd) / PAGE_SIZE);
    const got: number[] = [];
    const nr = Math.min(this.d.pageProvider.allocPagesBulk(more, got), got.length);
    if (nr < more || this.d.vmalloc.vmapPagesRange(physEnd, physEnd + nr * PAGE_SIZE, got) < 0) {
      for (const pfn of got) this.d.pageProvider.freePage(pfn);
      return -12;
    }
    vm.pages.length = vm.nrPages;
    for (let i = 0; i < nr; i++) vm.pages.push(got[i]!);
    vm.nrPages += nr;
    return 0;
  }

  /** lib/alloc_tag.c: clean_unused_module_areas_locked() — erase "unloaded" ranges whose tags all have zero bytes. */
  cleanUnusedModuleAreasLocked(): void {
    this.cleanups++;
    const mas = this.tree.state(0, this.size);
    for (const val of mas.forEach(this.size)) {
      if (val !== unloadedMod) continue;
      const start = this.startAddr + mas.index;
      const end = this.startAddr + mas.last + 1;
      if (this.firstUsedTag(start, end) !== undefined) continue;
      mas.erase();
      this.d.memory.removeTags(start, end);
    }
  }

  /**
   * lib/alloc_tag.c: find_aligned_area() — lowest gap of prepend + size; if misaligned, lowest gap
   * of size + prepend + align - 1; if nothing suits, one cleanup pass and one more try.
   */
  findAlignedArea(mas: MapleState<CodeTagModule>, size: number, prepend: number, align: number): boolean {
    const sectionSize = this.sectionSize;
    let cleanupDone = false;
    for (;;) {
      if (prepend + size <= sectionSize && mas.emptyArea(0, sectionSize - 1, prepend + size)) {
        if ((mas.index + prepend) % align === 0) return true;
        mas.reset();
        const wide = size + prepend + align - 1;
        if (wide <= sectionSize && mas.emptyArea(0, sectionSize - 1, wide)) return true;
      }
      if (cleanupDone) return false;
      this.cleanUnusedModuleAreasLocked();
      cleanupDone = true;
      mas.reset();
    }
  }

  /**
   * lib/alloc_tag.c: reserve_module_tags() — the `alloc_section_mem` callback. Returns the
   * address where the loader copies the module's tag section; throws AllocTagError EINVAL (no
   * tags, alignment incompatible with indexing) or ENOMEM (no room, tree store failure, population
   * failure), with shutdown_mem_profiling(true) and its message in the kernel's order.
   */
  reserveModuleTags(mod: CodeTagModule, size: number, prepend: number, align: number): number {
    if (this.vm === null) throw new AllocTagError('ENOMEM', 'the module tag area is not reserved');
    if (!Number.isSafeInteger(size) || size < 0)
      throw new AllocTagError('EINVAL', `bad section size ${size}`);
    if (!Number.isSafeInteger(prepend) || prepend < 0)
      throw new AllocTagError('EINVAL', `bad prepend ${prepend}`);
    if (align !== 0 && !isPow2(align))
      throw new AllocTagError('EINVAL', `alignment ${align} is not a power of two`);
    if (size < ALLOC_TAG_SIZE)
      throw new AllocTagError('EINVAL', `${mod.name}: no allocation tags to reserve`);
    if (align === 0) align = 1;
    const adjusted = this.ensureAlignment(align, prepend);
    if (adjusted === null) {
      this.d.state.shutdownMemProfiling(true);
      this.d.state.printk.printk(
        'err',
        `${mod.name}: alignment ${align} is incompatible with allocation tag indexing. Memory allocation profiling is disabled!`,
      );
      throw new AllocTagError(
        'EINVAL',
        `${mod.name}: alignment ${align} is incompatible with allocation tag indexing`,
      );
    }
    prepend = adjusted;

    const mas = this.tree.state(0, this.sectionSize - 1);
    if (!this.findAlignedArea(mas, size, prepend, align)) {
      throw new AllocTagError(
        'ENOMEM',
        `${mod.name}: no room for ${size} bytes of tags in the module tag area`,
      );
    }
    const offset = alignUp(mas.index + prepend, align);
    if (offset !== mas.index) {
      const padStart = mas.index;
      mas.last = offset - 1;
      this.treeStore(mas, prependMod);
      mas.index = offset;
      mas.last = offset + size - 1;
      try {
        this.treeStore(mas, mod);
      } catch (e) {
        mas.index = padStart;
        mas.last = padStart;
        mas.erase();
        throw e;
      }
    } else {
      mas.last = offset + size - 1;
      this.treeStore(mas, mod);
    }

    if (this.size < offset + size) {
      this.size = offset + size;
      if (this.d.state.key && !this.tagsAddressable()) {
        this.d.state.shutdownMemProfiling(true);
        this.d.state.printk.printk(
          'warning',
          `With module ${mod.name} there are too many tags to fit in ${this.d.nrUnusedPageflagBits} page flag bits. Memory allocation profiling is disabled!`,
        );
      }
      if (this.vmModuleTagsPopulate() !== 0) {
        this.d.state.shutdownMemProfiling(true);
        this.d.state.printk.printk(
          'err',
          `Failed to allocate memory for allocation tags in the module ${mod.name}. Memory allocation profiling is disabled!`,
        );
        throw new AllocTagError('ENOMEM', `${mod.name}: failed to populate the module tag area`);
      }
    }
    return this.startAddr + offset;
  }

  /**
   * lib/alloc_tag.c: release_module_tags() — the `free_section_mem` callback. Walks backwards from
   * `size` to the module's range; at unload (`used`) a range with live bytes becomes
   * `unloaded_mod` (first used tag reported), otherwise it is freed together with its tags'
   * counters; padding before it is always freed.
   */
  releaseModuleTags(mod: CodeTagModule, used: boolean): void {
    const mas = this.tree.state(this.size, this.size);
    let found: CodeTagModule | undefined;
    for (const val of mas.forEachRev(0)) {
      if (val === mod) {
        found = val;
        break;
      }
    }
    if (found === undefined) return;
    const start = this.startAddr + mas.index;
    const end = this.startAddr + mas.last + 1;
    if (used) {
      const tag = this.firstUsedTag(start, end);
      if (tag !== undefined) {
        const bytes = tag.counters.sumBytes(tag.id);
        this.d.state.printk.printk(
          'info',
          `${tag.filename}:${tag.lineno >>> 0} module ${tag.modname} func:${tag.function} has ${bytes >= 0 ? bytes : BigInt.asUintN(64, BigInt(bytes))} allocated at module unload`,
        );
      } else {
        used = false;
      }
    }
    mas.store(used ? unloadedMod : undefined);
    if (!used) this.d.memory.removeTags(start, end);
    if (mas.prevRange(0) === prependMod) mas.store(undefined);
  }

  /** lib/alloc_tag.c: replace_module() — re-key the first range of `mod` to `newMod`. */
  replaceModule(mod: CodeTagModule, newMod: CodeTagModule): void {
    const mas = this.tree.state(0, this.size);
    for (const val of mas.forEach(this.size)) {
      if (val !== mod) continue;
      mas.store(newMod);
      break;
    }
  }

  /** The area as a list of ranges, free gaps included, over [0, section_size). */
  map(): ModuleAreaRange[] {
    const out: ModuleAreaRange[] = [];
    const end = this.sectionSize;
    let next = 0;
    for (const { index, last, value } of this.tree) {
      if (index > next) out.push({ start: next, last: index - 1, kind: 'free', module: null });
      const kind = value === unloadedMod ? 'unloaded' : value === prependMod ? 'padding' : 'module';
      out.push({ start: index, last, kind, module: kind === 'module' ? value.name : null });
      next = last + 1;
    }
    if (next < end) out.push({ start: next, last: end - 1, kind: 'free', module: null });
    return out;
  }

  private firstUsedTag(start: number, end: number) {
    for (const tag of this.d.memory.tagsIn(start, end)) {
      if (tag.counters.sumBytes(tag.id) !== 0) return tag;
    }
    return undefined;
  }

  private treeStore(mas: MapleState<CodeTagModule>, value: CodeTagModule): void {
    if (this.treeStoreFailAfter >= 0 && this.treeStoreFailAfter-- === 0) {
      throw new AllocTagError('ENOMEM', 'maple tree node allocation failed');
    }
    mas.store(value);
  }
}
