import { CodeTagError } from './errors';

/** include/linux/pgalloc_tag.h: CODETAG_ID_NULL, the index of "no tag" in compressed references. */
export const CODETAG_ID_NULL = 0;
/** Index of the DEBUG "intentionally empty" reference. */
export const CODETAG_ID_EMPTY = 1;
/** First index that names a real tag. */
export const CODETAG_ID_FIRST = 2;

/** include/linux/alloc_tag.h: CODETAG_EMPTY, the DEBUG sentinel reference (the address 1). */
export const CODETAG_EMPTY = 1;

/** `sizeof(struct codetag)` on 64-bit. */
export const SIZEOF_CODETAG = 32;
/** `sizeof(union codetag_ref)` on 64-bit. */
export const SIZEOF_CODETAG_REF = 8;

/** include/linux/codetag.h: CODETAG_SECTION_START_PREFIX. */
export const CODETAG_SECTION_START_PREFIX = '__start_';
/** include/linux/codetag.h: CODETAG_SECTION_STOP_PREFIX. */
export const CODETAG_SECTION_STOP_PREFIX = '__stop_';
/** lib/codetag.c: CODETAG_SECTION_PREFIX, the prefix of a module's separate tag section. */
export const CODETAG_SECTION_PREFIX = '.codetag.';

/** include/linux/kallsyms.h: KSYM_NAME_LEN; a symbol name must fit with its terminating NUL. */
export const KSYM_NAME_LEN = 512;

/**
 * include/linux/codetag.h: struct codetag — one static record per tagged call site.
 * `address` is where the record lives in simulated kernel memory (48-bit, without the 0xffff prefix).
 */
export interface CodeTag {
  readonly address: number;
  /** Always 0 in v4 ("used in later patches"). */
  flags: number;
  lineno: number;
  /** The module's build name, or null for the kernel image. */
  modname: string | null;
  function: string;
  filename: string;
}

/**
 * include/linux/codetag.h: union codetag_ref — the address of the referenced tag;
 * 0 is NULL, {@link CODETAG_EMPTY} the DEBUG "intentionally empty" value.
 */
export type CodeTagRef = number;

/** include/linux/alloc_tag.h: is_codetag_empty() */
export function isCodetagEmpty(ref: CodeTagRef): boolean {
  return ref === CODETAG_EMPTY;
}

/** lib/codetag.c: codetag_to_text() — `file:line [module] func:function`, no `[module]` for built-in tags. */
export function codetagToText(ct: CodeTag): string {
  // %u: the C format prints lineno as an unsigned 32-bit value.
  const line = ct.lineno >>> 0;
  return ct.modname !== null
    ? `${ct.filename}:${line} [${ct.modname}] func:${ct.function}`
    : `${ct.filename}:${line} func:${ct.function}`;
}

function checkSection(section: string): void {
  if (typeof section !== 'string' || section.length === 0) {
    throw new CodeTagError('EINVAL', `invalid code tag section name ${JSON.stringify(section)}`);
  }
}

/** scripts/module.lds.S: the output section of a separate tag type in a module (`.codetag.alloc_tags`). */
export function codetagSectionName(section: string): string {
  checkSection(section);
  return CODETAG_SECTION_PREFIX + section;
}

/** lib/codetag.c: the prefix test of codetag_needs_module_section() — the type a module section names, or null. */
export function codetagSectionType(name: string): string | null {
  return name.startsWith(CODETAG_SECTION_PREFIX) ? name.slice(CODETAG_SECTION_PREFIX.length) : null;
}

/** include/asm-generic/codetag.lds.h: the linker symbol before a tag section (`__start_alloc_tags`). */
export function codetagStartSymbol(section: string): string {
  checkSection(section);
  return CODETAG_SECTION_START_PREFIX + section;
}

/** include/asm-generic/codetag.lds.h: the linker symbol after a tag section (`__stop_alloc_tags`). */
export function codetagStopSymbol(section: string): string {
  checkSection(section);
  return CODETAG_SECTION_STOP_PREFIX + section;
}

/** The `__start_`/`__stop_` symbol pair the linker emits around a tag section at [start, stop). */
export function codetagSectionSymbols(section: string, start: number, stop: number): Record<string, number> {
  return { [codetagStartSymbol(section)]: start, [codetagStopSymbol(section)]: stop };
}

/** How the kernel prints a kernel virtual address: the stored 48-bit value with its 0xffff sign extension. */
export function formatCodetagAddress(address: number): string {
  return `0xffff${address.toString(16).padStart(12, '0')}`;
}
