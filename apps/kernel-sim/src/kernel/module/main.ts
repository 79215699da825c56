/**
 * kernel/module/main.c: load_module() and free_module() as the series changed them — the name
 * check of early_mod_check() before anything is allocated, layout without the codetag sections,
 * the move of `alloc_tags` into the module tag area (codetag_alloc_module_section), replace,
 * record (codetag_load_module); and unload (codetag_unload_module, then the module's memory).
 * Every failure frees what the load took, including the area reserved by the move and the
 * module memory allocated before a failed move (both leaked by 6.13 itself and fixed upstream in
 * 2025: "module: release codetag section when module load fails", "module: Fix memory
 * deallocation on error path in move_module()"), and reports the errno.
 */

import {
  ALLOC_TAG_MODULE_SECTION,
  ALLOC_TAG_SECTION_NAME,
  ALLOC_TAG_SIZE,
  type AllocTag,
  type AllocTagSubsystem,
} from '@allocprof/alloc-tag';
import {
  CodeTagError,
  type CodeTagModule,
  type Codetag,
  codetagStartSymbol,
  codetagStopSymbol,
  SymbolTable,
} from '@allocprof/codetag';
import { ExecmemType, formatKernelAddress, type Vmalloc } from '@allocprof/execmem-vmalloc';
import { ERRNO, type Errno, KernelError } from '../errno';
import { checkModuleDescriptor, type ModuleDescriptor } from './descriptor';

/** Where the loader's allocations are charged: the kernel's own call sites. */
export interface ModuleLoaderCharges {
  /** mm/execmem.c: module text and data (execmem_alloc → __vmalloc_node_range). */
  execmem<T>(fn: () => T): T;
  /** lib/alloc_tag.c: vm_module_tags_populate() pages of the module tag area. */
  moduleTags<T>(fn: () => T): T;
}

/** What the loader works with. */
export interface ModuleLoaderDeps {
  vmalloc: Vmalloc;
  /** The codetag framework; null in a kernel without CONFIG_MEM_ALLOC_PROFILING (no code tagging). */
  codetag: Codetag | null;
  /** Allocation profiling; null without CONFIG_MEM_ALLOC_PROFILING. */
  allocTag: AllocTagSubsystem | null;
  charges: ModuleLoaderCharges;
}

/** enum module_state. */
export type ModuleState = 'live' | 'coming' | 'going' | 'unformed';

/** struct module as the simulation keeps it. */
export class Module implements CodeTagModule {
  readonly name: string;
  readonly descriptor: ModuleDescriptor;
  /** mod->mem[MOD_TEXT].base (0 if the module has no text). */
  readonly textAddr: number;
  /** mod->mem[MOD_DATA].base (0 if the module has no data). */
  readonly dataAddr: number;
  /** Address of the module's alloc_tags section (in the module tag area or in its data). */
  readonly tagsAddr: number;
  /** Whether the section was moved into the module tag area. */
  readonly tagsInArea: boolean;
  /** The module's tags (empty without allocation profiling). */
  readonly tags: readonly AllocTag[];
  state: ModuleState = 'unformed';
  private readonly symbols: SymbolTable;

  constructor(
    d: ModuleDescriptor,
    text: number,
    data: number,
    tagsAddr: number,
    inArea: boolean,
    tags: AllocTag[],
  ) {
    this.name = d.name;
    this.descriptor = d;
    this.textAddr = text;
    this.dataAddr = data;
    this.tagsAddr = tagsAddr;
    this.tagsInArea = inArea;
    this.tags = tags;
    this.symbols = new SymbolTable({
      [codetagStartSymbol(ALLOC_TAG_SECTION_NAME)]: tagsAddr,
      [codetagStopSymbol(ALLOC_TAG_SECTION_NAME)]: tagsAddr + d.tags.length * ALLOC_TAG_SIZE,
    });
  }

  /** kallsyms of the module (find_kallsyms_symbol_value). */
  lookupSymbol(name: string): number | undefined {
    return this.symbols.lookupSymbol(name);
  }

  /** Bytes of module memory (what lsmod shows): text, data, and the tags if they stayed in data. */
  get size(): number {
    const d = this.descriptor;
    return d.textSize + d.dataSize + (this.tagsInArea ? 0 : d.tags.length * ALLOC_TAG_SIZE);
  }
}

/** The load_info's temporary module: the ELF image's struct module before it moves. */
class LoadInfoModule implements CodeTagModule {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  lookupSymbol(): number | undefined {
    return undefined;
  }
}

function errnoOf(e: unknown): Errno | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code in ERRNO ? (code as Errno) : undefined;
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** The module list and load_module()/delete_module(). */
export class ModuleLoader {
  private readonly d: ModuleLoaderDeps;
  private readonly mods = new Map<string, Module>();

  constructor(deps: ModuleLoaderDeps) {
    this.d = deps;
  }

  /** Loaded modules, most recently loaded first (the order of /proc/modules). */
  list(): Module[] {
    return [...this.mods.values()].reverse();
  }

  /** find_module(). */
  find(name: string): Module | undefined {
    return this.mods.get(name);
  }

  /**
   * load_module(). Throws KernelError with the errno of the failing step, in the kernel's order:
   * ENOEXEC (bad descriptor: elf_validity_cache_copy), EEXIST (a module of that name is loaded:
   * early_mod_check), ENOMEM (module memory: move_module), EINVAL (alignment incompatible with tag
   * indexing) or ENOMEM (tree node, module tag area population) from the codetag section's move.
   */
  load(descriptor: unknown, source?: string): Module {
    const d = checkModuleDescriptor(descriptor, source ?? 'module');
    // early_mod_check() → module_patient_check_exists(): a live module of the same name fails the
    // load with -EEXIST before layout_and_allocate(), so nothing below (module memory, the tag
    // area, its pages, module_tags.size, the "too many tags" shutdown) happens. Loads are
    // serialized here, so add_unformed_module()'s second check, which catches a concurrent load
    // of the same name, has nothing left to find.
    if (this.mods.has(d.name)) throw new KernelError('EEXIST', `module ${d.name} is already loaded`);
    const { vmalloc, codetag, allocTag, charges } = this.d;
    const tagsSize = d.tags.length * ALLOC_TAG_SIZE;
    const info = new LoadInfoModule(d.name);

    // layout_sections(): a section the codetag type wants moved takes no module memory.
    const moved = codetag?.needsModuleSection(info, ALLOC_TAG_MODULE_SECTION, tagsSize) === true;
    const inDataTags = moved ? 0 : alignUp(tagsSize, d.align);
    const dataOffsetOfTags = alignUp(d.dataSize, d.align);

    // move_module(): module_memory_alloc() of each region.
    let text = 0;
    let data = 0;
    const freeMem = (): void => {
      if (text !== 0) charges.execmem(() => vmalloc.execmemFree(text));
      if (data !== 0) charges.execmem(() => vmalloc.execmemFree(data));
    };
    try {
      if (d.textSize > 0)
        text = charges.execmem(() => vmalloc.execmemAlloc(ExecmemType.EXECMEM_MODULE_TEXT, d.textSize));
      const dataBytes = (inDataTags > 0 ? dataOffsetOfTags : d.dataSize) + inDataTags;
      if (dataBytes > 0)
        data = charges.execmem(() => vmalloc.execmemAlloc(ExecmemType.EXECMEM_MODULE_DATA, dataBytes));
    } catch (e) {
      freeMem();
      throw new KernelError(errnoOf(e) ?? 'ENOMEM', `${d.name}: cannot allocate module memory`);
    }

    // move_module(): the alloc_tags section goes to codetag_alloc_module_section().
    let tagsAddr = data + dataOffsetOfTags;
    if (moved) {
      try {
        tagsAddr = charges.moduleTags(() =>
          codetag!.allocModuleSectionMem(info, ALLOC_TAG_MODULE_SECTION, tagsSize, d.prepend, d.align),
        );
      } catch (e) {
        freeMem();
        if (e instanceof CodeTagError || errnoOf(e) !== undefined)
          throw new KernelError(errnoOf(e) ?? 'EINVAL', `${d.name}: ${(e as Error).message}`);
        throw e;
      }
    }
    const tags =
      allocTag !== null && d.tags.length > 0
        ? allocTag.writeModuleTags(
            tagsAddr,
            d.tags.map((t) => ({ filename: t.file, lineno: t.line, function: t.function, modname: d.name })),
          )
        : [];
    const mod = new Module(d, text, data, tagsAddr, moved, tags);
    if (moved) codetag!.moduleReplaced(info, mod);

    // do_init_module() → codetag_load_module(): the tags become visible.
    mod.state = 'coming';
    codetag?.loadModule(mod);
    mod.state = 'live';
    this.mods.set(d.name, mod);
    return mod;
  }

  /**
   * delete_module() → free_module(): codetag_unload_module() (which releases the module's tag
   * area, keeping it while its tags are still referenced), then the module's memory.
   */
  unload(name: string): Module {
    const mod = this.mods.get(name);
    if (mod === undefined) throw new KernelError('ENOENT', `Module ${name} is not currently loaded`);
    const { vmalloc, codetag, allocTag, charges } = this.d;
    mod.state = 'going';
    codetag?.unloadModule(mod);
    if (!mod.tagsInArea && mod.tags.length > 0)
      allocTag!.freeModuleTagMemory(mod.tagsAddr, mod.tagsAddr + mod.tags.length * ALLOC_TAG_SIZE);
    if (mod.textAddr !== 0) charges.execmem(() => vmalloc.execmemFree(mod.textAddr));
    if (mod.dataAddr !== 0) charges.execmem(() => vmalloc.execmemFree(mod.dataAddr));
    this.mods.delete(name);
    return mod;
  }

  /** /proc/modules: `name size refcnt deps state address`. */
  procModules(): string {
    let s = '';
    for (const m of this.list())
      s += `${m.name} ${m.size} 0 - ${m.state === 'live' ? 'Live' : m.state === 'coming' ? 'Loading' : 'Unloading'} ${formatKernelAddress(m.textAddr || m.dataAddr)}\n`;
    return s;
  }

  /** lsmod(8) output. */
  lsmod(): string {
    let s = 'Module                  Size  Used by\n';
    for (const m of this.list()) s += `${m.name.padEnd(19, ' ')} ${String(m.size).padStart(8, ' ')}  0\n`;
    return s;
  }
}
