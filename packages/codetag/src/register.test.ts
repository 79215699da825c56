import { describe, expect, it } from 'vitest';
import { type CodeTagTypeDesc, Codetag } from './codetag';
import { CodeTagBugError, CodeTagError } from './errors';
import { SectionMemory, SimpleModule, SymbolTable } from './memory';
import { type CodeTag, codetagSectionSymbols, KSYM_NAME_LEN } from './tag';
import { KERNEL_START, names, SECTION, TAG, TestKernel } from './test-helpers';

function desc(k: TestKernel, extra: Partial<CodeTagTypeDesc<CodeTag>> = {}): CodeTagTypeDesc<CodeTag> {
  return { section: SECTION, tagSize: TAG, memory: k.memory, ...extra };
}

describe('Codetag.registerType (codetag_register_type)', () => {
  it('records the kernel image range as id 0 and counts its tags', () => {
    const k = new TestKernel(3);
    const type = k.codetag.registerType(desc(k));
    expect(type.count).toBe(3);
    expect(type.section).toBe(SECTION);
    expect(type.tagSize).toBe(TAG);
    expect(type.records()).toEqual([[0, { mod: null, start: KERNEL_START, stop: KERNEL_START + 3 * TAG }]]);
    expect(type.recordOf(null)?.start).toBe(KERNEL_START);
    expect(k.codetag.types).toEqual([type]);
    expect(k.codetag.findType(SECTION)).toBe(type);
    expect(names(type.tags())).toEqual(['vmlinux:1', 'vmlinux:2', 'vmlinux:3']);
    expect(k.log).toEqual([]);
  });

  it('calls moduleLoad for the kernel range before the type is listed and without codetag_lock', () => {
    const k = new TestKernel(2);
    const seen: unknown[] = [];
    const type = k.codetag.registerType(
      desc(k, {
        moduleLoad(t, cmod) {
          seen.push(cmod.mod, t.modLockState, k.codetag.locked, k.codetag.types.length, t.count);
        },
      }),
    );
    expect(seen).toEqual([null, 'write', false, 0, 2]);
    expect(type.modLockState).toBe('unlocked');
  });

  it('keeps no record for an empty kernel section', () => {
    const k = new TestKernel(0);
    const type = k.codetag.registerType(desc(k));
    expect(type.count).toBe(0);
    expect(type.moduleCount).toBe(0);
    expect([...type.tags()]).toEqual([]);
    k.codetag.loadModule(k.module('m', 1));
    expect(type.records().map(([id, r]) => [id, r.mod?.name])).toEqual([[0, 'm']]);
  });

  it('fails with EINVAL and the kernel warning when a section symbol is missing', () => {
    for (const missing of ['__start_alloc_tags', '__stop_alloc_tags']) {
      const k = new TestKernel(2);
      k.kernelSymbols.undefine(missing);
      expect(() => k.codetag.registerType(desc(k))).toThrow(
        expect.objectContaining({ name: 'CodeTagError', code: 'EINVAL' }),
      );
      expect(k.messages()).toEqual([
        'warning: Failed to load code tags of type alloc_tags from the module (built-in)',
      ]);
      expect(k.codetag.types).toEqual([]);
      expect(k.codetag.findType(SECTION)).toBeUndefined();
    }
  });

  it('treats a symbol at address 0 or a non-address as missing', () => {
    for (const bad of [0, -8, Number.NaN, 1.5]) {
      const k = new TestKernel(1);
      k.kernelSymbols.define({ __start_alloc_tags: bad });
      expect(() => k.codetag.registerType(desc(k))).toThrow(CodeTagError);
      expect(k.log).toHaveLength(1);
    }
  });

  it('cannot find section symbols longer than KSYM_NAME_LEN', () => {
    const section = 'x'.repeat(KSYM_NAME_LEN - '__stop_'.length);
    const k = new TestKernel(0);
    k.kernelSymbols.define(codetagSectionSymbols(section, KERNEL_START, KERNEL_START));
    expect(() => k.codetag.registerType({ section, tagSize: TAG, memory: k.memory })).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(k.messages()[0]).toBe(
      `warning: Failed to load code tags of type ${section} from the module (built-in)`,
    );
    const fits = 'y'.repeat(KSYM_NAME_LEN - 1 - '__start_'.length);
    k.kernelSymbols.define(codetagSectionSymbols(fits, KERNEL_START, KERNEL_START));
    expect(k.codetag.registerType({ section: fits, tagSize: TAG, memory: k.memory }).count).toBe(0);
  });

  it('BUGs on tagSize <= 0 and on a kernel range that ends before it starts', () => {
    const k = new TestKernel(1);
    expect(() => k.codetag.registerType(desc(k, { tagSize: 0 }))).toThrow(CodeTagBugError);
    expect(() => k.codetag.registerType(desc(k, { tagSize: -40 }))).toThrow(/BUG/);
    k.kernelSymbols.define({ __stop_alloc_tags: KERNEL_START - TAG });
    expect(() => k.codetag.registerType(desc(k))).toThrow(CodeTagBugError);
    expect(k.codetag.types).toEqual([]);
    expect(k.log).toEqual([]);
  });

  it('validates the descriptor and changes nothing on bad input', () => {
    const k = new TestKernel(1);
    const bad: unknown[] = [
      null,
      { ...desc(k), section: '' },
      { ...desc(k), section: 7 },
      { ...desc(k), tagSize: Number.NaN },
      { ...desc(k), tagSize: '40' },
      { ...desc(k), tagSize: 40.5 },
      { ...desc(k), memory: {} },
      { ...desc(k), moduleLoad: 'yes' },
      { ...desc(k), allocSectionMem: 1 },
    ];
    for (const d of bad) {
      expect(() => k.codetag.registerType(d as CodeTagTypeDesc<CodeTag>)).toThrow(
        expect.objectContaining({ code: 'EINVAL' }),
      );
    }
    expect(k.codetag.types).toEqual([]);
    expect(k.log).toEqual([]);
  });

  it('refuses a second type on the same section with EEXIST', () => {
    const k = new TestKernel(1);
    const first = k.codetag.registerType(desc(k));
    expect(() => k.codetag.registerType(desc(k))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(k.codetag.types).toEqual([first]);
  });

  it('refuses registration from inside a hook (codetag_lock held) with EDEADLK', () => {
    const k = new TestKernel(1);
    let inner: unknown;
    k.codetag.registerType(
      desc(k, {
        moduleLoad(_t, cmod) {
          if (cmod.mod === null) return;
          try {
            k.codetag.registerType({ section: 'other', tagSize: 8, memory: k.memory });
          } catch (e) {
            inner = e;
          }
        },
      }),
    );
    k.codetag.loadModule(k.module('m', 1));
    expect(inner).toMatchObject({ code: 'EDEADLK' });
    expect(k.codetag.types).toHaveLength(1);
  });

  it('keeps several types apart, each with its own section symbols', () => {
    const k = new TestKernel(2);
    const mem2 = new SectionMemory<CodeTag>();
    k.kernelSymbols.define(codetagSectionSymbols('other_tags', 0x5000, 0x5000));
    const a = k.codetag.registerType(desc(k));
    const b = k.codetag.registerType({ section: 'other_tags', tagSize: 16, memory: mem2 });
    const m = new SimpleModule('m', { ...codetagSectionSymbols(SECTION, 0x9000, 0x9000) });
    m.define(codetagSectionSymbols('other_tags', 0x7000, 0x7000 + 32));
    mem2.place([
      { address: 0x7000, flags: 0, lineno: 1, modname: 'm', function: 'f', filename: 'f.c' },
      { address: 0x7010, flags: 0, lineno: 2, modname: 'm', function: 'g', filename: 'f.c' },
    ]);
    k.codetag.loadModule(m);
    expect([a.count, b.count]).toEqual([2, 2]);
    expect(names(b.tags())).toEqual(['m:1', 'm:2']);
    expect(k.codetag.types.map((t) => t.section)).toEqual([SECTION, 'other_tags']);
  });

  it('requires a symbol table and a printk sink', () => {
    const printk = { printk() {} };
    expect(() => new Codetag({ kernelSymbols: {} as SymbolTable, printk })).toThrow(CodeTagError);
    expect(() => new Codetag({ kernelSymbols: new SymbolTable(), printk: {} as typeof printk })).toThrow(
      CodeTagError,
    );
  });
});
