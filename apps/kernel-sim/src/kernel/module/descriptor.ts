/**
 * The module descriptor: the JSON stand-in for a module's ELF file (kernel/module/main.c:
 * load_module() reads these from the ELF headers) — its name, the call sites of its `alloc_tags`
 * section, that section's alignment (sh_addralign) and arch_mod_section_prepend(), and the sizes
 * of its text and data. The file format is described in the kernel-sim README, "Module
 * descriptors".
 */

import { KernelError } from '../errno';

/** One call site of a module's `alloc_tags` section. */
export interface ModuleTagSite {
  readonly file: string;
  readonly line: number;
  readonly function: string;
}

/** A module as `insmod` sees it. */
export interface ModuleDescriptor {
  readonly name: string;
  readonly tags: readonly ModuleTagSite[];
  /** sh_addralign of the module's `alloc_tags` section. */
  readonly align: number;
  /** arch_mod_section_prepend() for that section. */
  readonly prepend: number;
  readonly textSize: number;
  readonly dataSize: number;
}

/** include/linux/module.h: MODULE_NAME_LEN. */
export const MODULE_NAME_LEN = 56;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * The checks load_module() makes on what it is given (ENOEXEC: not a valid module), with a
 * message naming the field: `<source>: field 'tags[3].line' must be an integer >= 1`.
 * Returns a normalised copy (defaults: align 8, prepend 0, textSize/dataSize 4096).
 */
export function checkModuleDescriptor(value: unknown, source = 'module'): ModuleDescriptor {
  const fail = (field: string, what: string): never => {
    throw new KernelError('ENOEXEC', `${source}: field '${field}' ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('(top level)', 'must be an object');
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v))
    if (!['name', 'tags', 'align', 'prepend', 'textSize', 'dataSize'].includes(k))
      fail(k, 'is not a known field');
  const name = v.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name) || name.length >= MODULE_NAME_LEN)
    fail('name', `must be 1..${MODULE_NAME_LEN - 1} letters, digits, _ or -`);
  if (!Array.isArray(v.tags)) fail('tags', 'must be an array');
  const tags = (v.tags as unknown[]).map((t, i): ModuleTagSite => {
    if (typeof t !== 'object' || t === null) return fail(`tags[${i}]`, 'must be an object');
    const o = t as Record<string, unknown>;
    if (typeof o.file !== 'string' || !/^\S+$/.test(o.file))
      fail(`tags[${i}].file`, 'must be a path without blanks');
    if (!isInt(o.line) || o.line < 1 || o.line > 0xffffffff)
      fail(`tags[${i}].line`, 'must be an integer >= 1');
    if (typeof o.function !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(o.function))
      fail(`tags[${i}].function`, 'must be a C identifier');
    return { file: o.file as string, line: o.line as number, function: o.function as string };
  });
  const num = (field: string, dflt: number, min: number, max: number): number => {
    const x = v[field] ?? dflt;
    if (!isInt(x) || x < min || x > max) fail(field, `must be an integer in ${min}..${max}`);
    return x as number;
  };
  const align = num('align', 8, 1, 4096);
  if ((align & (align - 1)) !== 0) fail('align', 'must be a power of two');
  return {
    name: name as string,
    tags,
    align,
    prepend: num('prepend', 0, 0, 4096),
    textSize: num('textSize', 4096, 0, 2 ** 30),
    dataSize: num('dataSize', 4096, 0, 2 ** 30),
  };
}
