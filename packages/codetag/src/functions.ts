/*
 * The kernel's free functions, for readers who follow lib/codetag.c by name. Each forwards to the
 * method of the same meaning on Codetag, CodeTagType or CodeTagIterator.
 */
import type { CodeTagIterator, CodeTagModule, CodeTagType, CodeTagTypeDesc, Codetag } from './codetag';
import type { CodeTag } from './tag';

/** lib/codetag.c: codetag_register_type() */
export function codetagRegisterType<T extends CodeTag>(
  codetag: Codetag,
  desc: CodeTagTypeDesc<T>,
): CodeTagType<T> {
  return codetag.registerType(desc);
}

/** lib/codetag.c: codetag_get_ct_iter() */
export function codetagGetCtIter<T extends CodeTag>(cttype: CodeTagType<T>): CodeTagIterator<T> {
  return cttype.getCtIter();
}

/** lib/codetag.c: codetag_next_ct() */
export function codetagNextCt<T extends CodeTag>(iter: CodeTagIterator<T>): T | null {
  return iter.nextCt();
}

/** lib/codetag.c: codetag_lock_module_list() */
export function codetagLockModuleList<T extends CodeTag>(cttype: CodeTagType<T>, lock: boolean): void {
  cttype.lockModuleList(lock);
}

/** lib/codetag.c: codetag_trylock_module_list() */
export function codetagTrylockModuleList<T extends CodeTag>(cttype: CodeTagType<T>): boolean {
  return cttype.trylockModuleList();
}

/** lib/codetag.c: codetag_needs_module_section() */
export function codetagNeedsModuleSection(
  codetag: Codetag,
  mod: CodeTagModule,
  name: string,
  size: number,
): boolean {
  return codetag.needsModuleSection(mod, name, size);
}

/** lib/codetag.c: codetag_alloc_module_section() (named for what it returns: the section's memory) */
export function codetagAllocModuleSectionMem(
  codetag: Codetag,
  mod: CodeTagModule,
  name: string,
  size: number,
  prepend: number,
  align: number,
): number {
  return codetag.allocModuleSectionMem(mod, name, size, prepend, align);
}

/** lib/codetag.c: codetag_free_module_sections() */
export function codetagFreeModuleSections(codetag: Codetag, mod: CodeTagModule): void {
  codetag.freeModuleSections(mod);
}

/** lib/codetag.c: codetag_module_replaced() */
export function codetagModuleReplaced(codetag: Codetag, mod: CodeTagModule, newMod: CodeTagModule): void {
  codetag.moduleReplaced(mod, newMod);
}

/** lib/codetag.c: codetag_load_module() */
export function codetagLoadModule(codetag: Codetag, mod: CodeTagModule | null): void {
  codetag.loadModule(mod);
}

/** lib/codetag.c: codetag_unload_module() */
export function codetagUnloadModule(codetag: Codetag, mod: CodeTagModule | null): void {
  codetag.unloadModule(mod);
}
