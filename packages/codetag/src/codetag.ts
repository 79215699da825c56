import { CodeTagBugError, CodeTagError } from './errors';
import { Idr } from './idr';
import { Mutex, RwSemaphore, type RwSemState } from './locks';
import {
  CODETAG_SECTION_START_PREFIX,
  CODETAG_SECTION_STOP_PREFIX,
  type CodeTag,
  codetagSectionType,
  formatCodetagAddress,
  KSYM_NAME_LEN,
} from './tag';
import { KernelWarn, type WarnSite } from './warn';

/** Kernel log levels (printk KERN_*). */
export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** A kernel log sink (kernel-sim's dmesg implements it). */
export interface Printk {
  printk(level: LogLevel, message: string): void;
}

/** A symbol table: kallsyms for the kernel image, the module's own table for a module. */
export interface SymbolLookup {
  lookupSymbol(name: string): number | undefined;
}

/** "struct module" as codetag sees it. The kernel image is represented by `null`. */
export interface CodeTagModule extends SymbolLookup {
  readonly name: string;
}

/** Where tags live: returns the tag object at a simulated address (may throw a page fault). */
export interface TagMemory<T extends CodeTag> {
  tagAt(address: number): T;
}

/** include/linux/codetag.h: struct codetag_module — one recorded range of tags. */
export interface CodeTagModuleRecord {
  /** The module, or null for the kernel image. */
  readonly mod: CodeTagModule | null;
  /** Address of the first tag. */
  readonly start: number;
  /** Address just past the last tag. */
  readonly stop: number;
}

/** include/linux/codetag.h: struct codetag_type_desc — what a tag type registers. */
export interface CodeTagTypeDesc<T extends CodeTag> {
  /** Section name without prefix, e.g. `alloc_tags`. */
  section: string;
  /** Bytes per tag (> 0). */
  tagSize: number;
  memory: TagMemory<T>;
  /** Called under mod_lock (write) after a range was recorded. */
  moduleLoad?(type: CodeTagType<T>, cmod: CodeTagModuleRecord): void;
  /** Called under mod_lock (write) before a module's range is removed. */
  moduleUnload?(type: CodeTagType<T>, cmod: CodeTagModuleRecord): void;
  /** The loader moved the module struct: `mod` is the temporary copy, `newMod` the final one. */
  moduleReplaced?(mod: CodeTagModule, newMod: CodeTagModule): void;
  /** Whether the module's section of this type gets memory of its own (not the module's). */
  needsSectionMem?(mod: CodeTagModule, size: number): boolean;
  /** Memory for the module's section: the address the loader copies it to; throw CodeTagError(errno) on failure. */
  allocSectionMem?(mod: CodeTagModule, size: number, prepend: number, align: number): number;
  /** Release the module's section memory; `used` is false on load failure, true at unload. */
  freeSectionMem?(mod: CodeTagModule, used: boolean): void;
}

/** Options of a {@link Codetag}. */
export interface CodetagOptions {
  /** kallsyms: resolves the kernel image's `__start_<section>`/`__stop_<section>`. */
  kernelSymbols: SymbolLookup;
  printk: Printk;
  /** kvfree_rcu_barrier(): waits for deferred frees; called first thing at module unload. */
  kvfreeRcuBarrier?: () => void;
  /** The kernel's WARN() reporting (shared with the other packages of the kernel); default: one of its own on `printk`. */
  warn?: KernelWarn;
}

/** lib/codetag.c (6.13): the WARN_ON() of codetag_alloc_module_section() for a type without alloc_section_mem. */
const ALLOC_SECTION_WARN: WarnSite = Object.freeze({
  file: 'lib/codetag.c',
  line: 252,
  function: 'codetag_alloc_module_section',
  unit: 'lib/codetag.c',
  callers: Object.freeze(['move_module', 'layout_and_allocate', 'load_module']),
});

type AnyType = CodeTagType<CodeTag>;

class CodetagModuleRec implements CodeTagModuleRecord {
  readonly mod: CodeTagModule | null;
  readonly start: number;
  readonly stop: number;

  constructor(mod: CodeTagModule | null, start: number, stop: number) {
    this.mod = mod;
    this.start = start;
    this.stop = stop;
    Object.freeze(this);
  }
}

/** lib/codetag.c: struct codetag_type — the private state behind a {@link CodeTagType}. */
class TypeCore<T extends CodeTag> {
  readonly section: string;
  readonly tagSize: number;
  readonly memory: TagMemory<T>;
  readonly modIdr = new Idr<CodetagModuleRec>();
  readonly modLock: RwSemaphore;
  count = 0;

  constructor(desc: CodeTagTypeDesc<T>) {
    this.section = desc.section;
    this.tagSize = desc.tagSize;
    this.memory = desc.memory;
    this.modLock = new RwSemaphore(`${desc.section}.mod_lock`);
  }

  /** range_size() */
  rangeSize(cmod: CodeTagModuleRecord): number {
    return Math.floor((cmod.stop - cmod.start) / this.tagSize);
  }

  readTag(address: number): T {
    const ct = this.memory.tagAt(address);
    if (ct.address !== address) {
      throw new CodeTagBugError(
        `${this.section}: memory returned the tag at ${formatCodetagAddress(ct.address)} for ${formatCodetagAddress(address)}`,
      );
    }
    return ct;
  }
}

interface Internals {
  createType<T extends CodeTag>(desc: CodeTagTypeDesc<T>, core: TypeCore<T>): CodeTagType<T>;
  coreOf<T extends CodeTag>(type: CodeTagType<T>): TypeCore<T>;
}

// Filled in by CodeTagType's static block: lets this module reach the type's private state
// without exposing it on the public surface.
let internals: Internals;

/**
 * lib/codetag.c: struct codetag_iterator with codetag_next_ct().
 *
 * The cursor is (`modId`, `cmod`, `ct`). The kernel code re-finds the record by id on every step
 * and compares it with the remembered one by identity, so a cursor carried across a module load or
 * unload stays valid: a removed record is never read again (the walk moves on to whatever now has
 * that id, or the next id), records inserted above the cursor are visited, records inserted at a
 * lower id are not.
 */
export class CodeTagIterator<T extends CodeTag> {
  readonly cttype: CodeTagType<T>;
  readonly #core: TypeCore<T>;
  #cmod: CodetagModuleRec | null = null;
  #modId = 0;
  #ct: T | null = null;

  /** lib/codetag.c: codetag_get_ct_iter() — no current record, id 0, no tag. */
  constructor(cttype: CodeTagType<T>) {
    this.cttype = cttype;
    this.#core = internals.coreOf(cttype);
  }

  /** The record the cursor is in (null before the first step). */
  get cmod(): CodeTagModuleRecord | null {
    return this.#cmod;
  }

  /** The id of the record the cursor is in. */
  get modId(): number {
    return this.#modId;
  }

  /** The tag last returned, or null. */
  get ct(): T | null {
    return this.#ct;
  }

  /** lib/codetag.c: codetag_next_ct() — the next tag in id, then address order; null at the end. Caller holds mod_lock. */
  nextCt(): T | null {
    const core = this.#core;
    const idr = core.modIdr;
    const modLock = core.modLock;
    if (modLock.readers === 0 && !modLock.writeLocked) {
      throw new CodeTagBugError(`codetag_next_ct() without ${modLock.name} held`);
    }
    if (idr.isEmpty()) return null;

    let ct: T | null = null;
    for (;;) {
      let cmod = idr.find(this.#modId);
      if (cmod === undefined) {
        const id = idr.nextId(this.#modId);
        if (id < 0) break;
        this.#modId = id;
        cmod = idr.find(id)!;
      }
      if (cmod !== this.#cmod) {
        this.#cmod = cmod;
        this.#ct = null;
        ct = cmod.start < cmod.stop ? core.readTag(cmod.start) : null;
      } else if (this.#ct !== null) {
        // Same record object ⇒ still registered, so its range is still valid memory.
        const next = this.#ct.address + core.tagSize;
        ct = next < cmod.stop ? core.readTag(next) : null;
      } else {
        ct = null;
      }
      if (ct !== null) break;
      this.#modId++;
    }
    this.#ct = ct;
    return ct;
  }
}

class TagsIterator<T extends CodeTag> implements IterableIterator<T> {
  readonly #iter: CodeTagIterator<T>;
  readonly #lock: RwSemaphore;
  #done = false;

  constructor(type: CodeTagType<T>) {
    this.#iter = new CodeTagIterator(type);
    this.#lock = internals.coreOf(type).modLock;
  }

  next(): IteratorResult<T, undefined> {
    if (this.#done) return { value: undefined, done: true };
    this.#lock.downRead();
    let ct: T | null;
    try {
      ct = this.#iter.nextCt();
    } finally {
      this.#lock.upRead();
    }
    if (ct === null) {
      this.#done = true;
      return { value: undefined, done: true };
    }
    return { value: ct, done: false };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * A registered code tag type (lib/codetag.c: struct codetag_type). Created by
 * {@link Codetag.registerType}; holds the module records and the `mod_lock` semaphore.
 */
export class CodeTagType<T extends CodeTag> {
  /** The descriptor passed at registration (held by reference: callbacks run with it as `this`). */
  readonly desc: CodeTagTypeDesc<T>;
  readonly #core: TypeCore<T>;

  static {
    internals = {
      createType: (desc, core) => new CodeTagType(desc, core),
      coreOf: (type) => type.#core,
    };
  }

  private constructor(desc: CodeTagTypeDesc<T>, core: TypeCore<T>) {
    this.desc = desc;
    this.#core = core;
  }

  /** The section name (e.g. `alloc_tags`), as it was at registration. */
  get section(): string {
    return this.#core.section;
  }

  /** Bytes per tag, as it was at registration. */
  get tagSize(): number {
    return this.#core.tagSize;
  }

  /** Total number of tags in all recorded ranges. */
  get count(): number {
    return this.#core.count;
  }

  /** Number of recorded ranges (kernel image included when it has tags). */
  get moduleCount(): number {
    return this.#core.modIdr.size;
  }

  /** Who holds `mod_lock` right now. */
  get modLockState(): RwSemState {
    return this.#core.modLock.state;
  }

  /** Recorded ranges in id order, as [id, record] (a snapshot for inspection; takes no lock). */
  records(): Array<[id: number, record: CodeTagModuleRecord]> {
    return [...this.#core.modIdr.entries()];
  }

  /** The record of `mod` (null = kernel image), if its range is recorded. */
  recordOf(mod: CodeTagModule | null): CodeTagModuleRecord | undefined {
    for (const [, cmod] of this.#core.modIdr.entries()) {
      if (cmod.mod === mod) return cmod;
    }
    return undefined;
  }

  /**
   * Every tag of every recorded range in codetag_next_ct() order (ascending id, then address). Each step runs
   * under `mod_lock` (read), which is dropped while the consumer runs — like a seq_file read — so
   * module loads and unloads may happen mid-iteration; the cursor then behaves as
   * {@link CodeTagIterator} describes and never returns a tag of a removed range.
   */
  tags(): IterableIterator<T> {
    return new TagsIterator(this);
  }

  /** lib/codetag.c: codetag_get_ct_iter() — a cursor for {@link CodeTagIterator.nextCt}, which needs `mod_lock` held. */
  getCtIter(): CodeTagIterator<T> {
    return new CodeTagIterator(this);
  }

  /** lib/codetag.c: codetag_lock_module_list() — take (`true`) or release (`false`) `mod_lock` for reading. */
  lockModuleList(lock: boolean): void {
    if (lock) this.#core.modLock.downRead();
    else this.#core.modLock.upRead();
  }

  /** lib/codetag.c: codetag_trylock_module_list() — take `mod_lock` for reading unless a writer holds it. */
  trylockModuleList(): boolean {
    return this.#core.modLock.downReadTrylock();
  }
}

function isSafeAddress(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function checkModule(mod: unknown, what: string): asserts mod is CodeTagModule {
  if (
    typeof mod !== 'object' ||
    mod === null ||
    typeof (mod as CodeTagModule).name !== 'string' ||
    typeof (mod as CodeTagModule).lookupSymbol !== 'function'
  ) {
    throw new CodeTagError('EINVAL', `${what}: not a module (needs a name and lookupSymbol())`);
  }
}

function checkSize(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new CodeTagError('EINVAL', `${what} must be a non-negative integer, got ${String(value)}`);
  }
}

const CALLBACKS = [
  'moduleLoad',
  'moduleUnload',
  'moduleReplaced',
  'needsSectionMem',
  'allocSectionMem',
  'freeSectionMem',
] as const;

/**
 * The code tagging framework of one simulated kernel (lib/codetag.c): the list of registered
 * types under the global `codetag_lock` mutex, and the module loader hooks of patch 3.
 */
export class Codetag {
  readonly #kernelSymbols: SymbolLookup;
  readonly #printk: Printk;
  readonly #warn: KernelWarn;
  readonly #rcuBarrier: (() => void) | undefined;
  readonly #types: AnyType[] = [];
  readonly #lock = new Mutex('codetag_lock');

  constructor(options: CodetagOptions) {
    if (typeof options?.kernelSymbols?.lookupSymbol !== 'function') {
      throw new CodeTagError('EINVAL', 'Codetag: kernelSymbols.lookupSymbol() is required');
    }
    if (typeof options.printk?.printk !== 'function') {
      throw new CodeTagError('EINVAL', 'Codetag: printk.printk() is required');
    }
    this.#kernelSymbols = options.kernelSymbols;
    this.#printk = options.printk;
    this.#rcuBarrier = options.kvfreeRcuBarrier;
    this.#warn = options.warn ?? new KernelWarn(options.printk);
  }

  /** Whether the global `codetag_lock` mutex is held (it is during every type callback). */
  get locked(): boolean {
    return this.#lock.locked;
  }

  /** Registered types in registration order. */
  get types(): readonly CodeTagType<CodeTag>[] {
    return this.#types.slice();
  }

  /** The registered type with this section name. */
  findType(section: string): CodeTagType<CodeTag> | undefined {
    return this.#types.find((t) => t.section === section);
  }

  /**
   * lib/codetag.c: codetag_register_type() — records the kernel image's range of the section
   * (found through the kernel symbol table) and appends the type. Throws CodeTagError EINVAL when
   * the section symbols are missing (after logging the kernel's warning), CodeTagBugError when
   * `tagSize` ≤ 0; nothing is registered on failure.
   */
  registerType<T extends CodeTag>(desc: CodeTagTypeDesc<T>): CodeTagType<T> {
    if (typeof desc !== 'object' || desc === null) {
      throw new CodeTagError('EINVAL', 'codetag_register_type: descriptor must be an object');
    }
    if (typeof desc.section !== 'string' || desc.section.length === 0) {
      throw new CodeTagError('EINVAL', 'codetag_register_type: section must be a non-empty string');
    }
    if (typeof desc.tagSize !== 'number' || Number.isNaN(desc.tagSize)) {
      throw new CodeTagError('EINVAL', `codetag_register_type: tagSize of ${desc.section} must be a number`);
    }
    if (desc.tagSize <= 0) {
      throw new CodeTagBugError(`codetag_register_type: tag_size ${desc.tagSize} <= 0 for ${desc.section}`);
    }
    if (!Number.isSafeInteger(desc.tagSize)) {
      throw new CodeTagError(
        'EINVAL',
        `codetag_register_type: tagSize of ${desc.section} must be an integer`,
      );
    }
    if (typeof desc.memory?.tagAt !== 'function') {
      throw new CodeTagError(
        'EINVAL',
        `codetag_register_type: memory.tagAt() is required for ${desc.section}`,
      );
    }
    for (const name of CALLBACKS) {
      if (desc[name] !== undefined && typeof desc[name] !== 'function') {
        throw new CodeTagError(
          'EINVAL',
          `codetag_register_type: ${name} of ${desc.section} must be a function`,
        );
      }
    }
    if (this.#lock.locked) {
      throw new CodeTagError('EDEADLK', 'codetag_register_type: codetag_lock is held by this context');
    }
    // The kernel does not check this; two types on one section would both claim its symbols and
    // the hooks would only ever reach the first, so the simulation refuses it up front.
    if (this.findType(desc.section) !== undefined) {
      throw new CodeTagError('EEXIST', `codetag_register_type: type ${desc.section} is already registered`);
    }

    const core = new TypeCore(desc);
    const type = internals.createType(desc, core);
    const err = this.#moduleInit(type, core, null);
    if (err !== null) {
      throw new CodeTagError(
        err,
        `codetag_register_type: no code tags of type ${desc.section} in the kernel image`,
      );
    }
    this.#lock.lock();
    this.#types.push(type as AnyType);
    this.#lock.unlock();
    return type;
  }

  /** lib/codetag.c: get_section_range() with a kallsyms lookup per symbol. */
  #lookup(mod: CodeTagModule | null, name: string): number | undefined {
    // snprintf into a KSYM_NAME_LEN buffer: a longer name is truncated and cannot match.
    if (name.length >= KSYM_NAME_LEN) return undefined;
    const value = mod === null ? this.#kernelSymbols.lookupSymbol(name) : mod.lookupSymbol(name);
    return isSafeAddress(value) ? value : undefined;
  }

  /** lib/codetag.c: codetag_module_init() — returns the errno name on failure (the kernel's -errno). */
  #moduleInit<T extends CodeTag>(type: CodeTagType<T>, core: TypeCore<T>, mod: CodeTagModule | null) {
    const start = this.#lookup(mod, CODETAG_SECTION_START_PREFIX + core.section);
    const stop = this.#lookup(mod, CODETAG_SECTION_STOP_PREFIX + core.section);
    if (start === undefined || stop === undefined) {
      this.#printk.printk(
        'warning',
        `Failed to load code tags of type ${core.section} from the module ${mod === null ? '(built-in)' : mod.name}`,
      );
      return 'EINVAL' as const;
    }
    if (start === stop) return null;
    if (start > stop) {
      throw new CodeTagBugError(
        `${core.section} of ${mod === null ? '(built-in)' : mod.name}: start ${formatCodetagAddress(start)} > stop ${formatCodetagAddress(stop)}`,
      );
    }
    const cmod = new CodetagModuleRec(mod, start, stop);
    core.modLock.downWrite();
    try {
      core.modIdr.alloc(cmod);
      core.count += core.rangeSize(cmod);
      type.desc.moduleLoad?.(type, cmod);
    } finally {
      core.modLock.upWrite();
    }
    return null;
  }

  /** The type named by a `.codetag.<type>` section (lib/codetag.c: list walk with strcmp). */
  #typeOfSection(typeName: string): AnyType | undefined {
    return this.#types.find((t) => t.section === typeName);
  }

  /** Throws EDEADLK unless codetag_lock and the given types' mod_locks are free: checked before any change. */
  #assertLockable(types: readonly AnyType[], hook: string): void {
    if (this.#lock.locked) {
      throw new CodeTagError('EDEADLK', `${hook}: codetag_lock is held by this context`);
    }
    for (const t of types) {
      const state = t.modLockState;
      if (state !== 'unlocked') {
        throw new CodeTagError(
          'EDEADLK',
          `${hook}: ${t.section}.mod_lock is ${state}-locked by this context`,
        );
      }
    }
  }

  /** Runs `fn` for the types under codetag_lock, each call under its mod_lock (write). */
  #underLocks(hook: string, types: readonly AnyType[], fn: (type: AnyType) => void): void {
    this.#assertLockable(types, hook);
    this.#lock.lock();
    try {
      for (const type of types) {
        const modLock = internals.coreOf(type).modLock;
        modLock.downWrite();
        try {
          fn(type);
        } finally {
          modLock.upWrite();
        }
      }
    } finally {
      this.#lock.unlock();
    }
  }

  /**
   * lib/codetag.c: codetag_needs_module_section() — whether the module section `name`
   * (`.codetag.<type>`) is placed by its tag type instead of in module memory.
   */
  needsModuleSection(mod: CodeTagModule, name: string, size: number): boolean {
    checkModule(mod, 'codetag_needs_module_section');
    if (typeof name !== 'string') throw new CodeTagError('EINVAL', 'codetag_needs_module_section: bad name');
    checkSize(size, 'codetag_needs_module_section: size');
    const typeName = codetagSectionType(name);
    if (typeName === null) return false;
    this.#assertLockable([], 'codetag_needs_module_section');
    const type = this.#typeOfSection(typeName);
    if (type?.desc.needsSectionMem === undefined) return false;
    let ret = false;
    this.#underLocks('codetag_needs_module_section', [type], (t) => {
      ret = t.desc.needsSectionMem!(mod, size) === true;
    });
    return ret;
  }

  /**
   * lib/codetag.c: codetag_alloc_module_section() — the address the loader copies the section to.
   * Throws CodeTagError EINVAL when no type owns the section or the type cannot allocate
   * (after a WARN), and whatever the type's `allocSectionMem` throws.
   */
  allocModuleSectionMem(
    mod: CodeTagModule,
    name: string,
    size: number,
    prepend: number,
    align: number,
  ): number {
    checkModule(mod, 'codetag_alloc_module_section');
    if (typeof name !== 'string') throw new CodeTagError('EINVAL', 'codetag_alloc_module_section: bad name');
    checkSize(size, 'codetag_alloc_module_section: size');
    checkSize(prepend, 'codetag_alloc_module_section: prepend');
    checkSize(align, 'codetag_alloc_module_section: align');
    const typeName = codetagSectionType(name);
    if (typeName === null) {
      throw new CodeTagError('EINVAL', `codetag_alloc_module_section: ${name} is not a code tag section`);
    }
    this.#assertLockable([], 'codetag_alloc_module_section');
    const type = this.#typeOfSection(typeName);
    if (type === undefined) {
      throw new CodeTagError('EINVAL', `codetag_alloc_module_section: no code tag type ${typeName}`);
    }
    if (type.desc.allocSectionMem === undefined) {
      this.#warn.warn(ALLOC_SECTION_WARN, null);
      throw new CodeTagError(
        'EINVAL',
        `codetag_alloc_module_section: type ${typeName} cannot allocate section memory`,
      );
    }
    let addr = 0;
    this.#underLocks('codetag_alloc_module_section', [type], (t) => {
      addr = t.desc.allocSectionMem!(mod, size, prepend, align);
    });
    return addr;
  }

  /** lib/codetag.c: codetag_free_module_sections() — load failed: every type releases the module's sections (`used` = false). */
  freeModuleSections(mod: CodeTagModule): void {
    checkModule(mod, 'codetag_free_module_sections');
    const types = this.#types.filter((t) => t.desc.freeSectionMem !== undefined);
    this.#underLocks('codetag_free_module_sections', types, (t) => t.desc.freeSectionMem!(mod, false));
  }

  /** lib/codetag.c: codetag_module_replaced() — the loader's module struct moved from `mod` to `newMod`. */
  moduleReplaced(mod: CodeTagModule, newMod: CodeTagModule): void {
    checkModule(mod, 'codetag_module_replaced');
    checkModule(newMod, 'codetag_module_replaced');
    const types = this.#types.filter((t) => t.desc.moduleReplaced !== undefined);
    this.#underLocks('codetag_module_replaced', types, (t) => t.desc.moduleReplaced!(mod, newMod));
  }

  /**
   * lib/codetag.c: codetag_load_module() — records the module's range of every type (codetag_module_init()).
   * Failures (missing section symbols) are logged and ignored, as in v4. Null is a no-op.
   */
  loadModule(mod: CodeTagModule | null): void {
    if (mod === null || mod === undefined) return;
    checkModule(mod, 'codetag_load_module');
    const types = this.#types;
    this.#assertLockable(types, 'codetag_load_module');
    for (const t of types) {
      if (t.recordOf(mod) !== undefined) {
        throw new CodeTagError('EEXIST', `codetag_load_module: module ${mod.name} is already recorded`);
      }
    }
    this.#lock.lock();
    try {
      for (const t of types) this.#moduleInit(t, internals.coreOf(t), mod);
    } finally {
      this.#lock.unlock();
    }
  }

  /**
   * lib/codetag.c: codetag_unload_module() — removes the module's ranges (calling `moduleUnload`
   * under mod_lock) and then, for each type where a range was found, calls `freeSectionMem(mod,
   * true)` without mod_lock. Null is a no-op.
   */
  unloadModule(mod: CodeTagModule | null): void {
    if (mod === null || mod === undefined) return;
    checkModule(mod, 'codetag_unload_module');
    const types = this.#types;
    this.#assertLockable(types, 'codetag_unload_module');
    this.#rcuBarrier?.();
    this.#lock.lock();
    try {
      for (const type of types) {
        const core = internals.coreOf(type);
        let found: CodetagModuleRec | undefined;
        core.modLock.downWrite();
        try {
          for (const [id, cmod] of core.modIdr.entries()) {
            if (cmod.mod !== null && cmod.mod === mod) {
              found = cmod;
              type.desc.moduleUnload?.(type, cmod);
              core.count -= core.rangeSize(cmod);
              core.modIdr.remove(id);
              break;
            }
          }
        } finally {
          core.modLock.upWrite();
        }
        if (found !== undefined) type.desc.freeSectionMem?.(mod, true);
      }
    } finally {
      this.#lock.unlock();
    }
  }
}
