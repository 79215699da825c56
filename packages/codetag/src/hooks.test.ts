import { describe, expect, it } from 'vitest';
import {
  type CodeTagModule,
  type CodeTagModuleRecord,
  type CodeTagType,
  type CodeTagTypeDesc,
  Codetag,
} from './codetag';
import { CodeTagError } from './errors';
import {
  codetagAllocModuleSectionMem,
  codetagFreeModuleSections,
  codetagLoadModule,
  codetagModuleReplaced,
  codetagNeedsModuleSection,
  codetagUnloadModule,
} from './functions';
import { SimpleModule } from './memory';
import { type CodeTag, codetagSectionName, codetagSectionSymbols } from './tag';
import { names, SECTION, TAG, TestKernel } from './test-helpers';

const SEC = codetagSectionName(SECTION);

/** A tag type whose callbacks record what they were called with and the lock state at that moment. */
class FakeType implements CodeTagTypeDesc<CodeTag> {
  readonly section = SECTION;
  readonly tagSize = TAG;
  readonly events: string[] = [];
  type: CodeTagType<CodeTag> | undefined;
  nextAddr = 0xa000_0000_0000;
  failAlloc: CodeTagError | null = null;

  constructor(readonly k: TestKernel) {}

  get memory() {
    return this.k.memory;
  }

  #locks(): string {
    return `mutex=${this.k.codetag.locked} mod_lock=${this.type?.modLockState ?? 'n/a'}`;
  }

  #name(mod: CodeTagModule | null): string {
    return mod === null ? '(built-in)' : mod.name;
  }

  moduleLoad(type: CodeTagType<CodeTag>, cmod: CodeTagModuleRecord): void {
    this.type = type;
    this.events.push(`load ${this.#name(cmod.mod)} count=${type.count} ${this.#locks()}`);
  }

  moduleUnload(type: CodeTagType<CodeTag>, cmod: CodeTagModuleRecord): void {
    this.events.push(
      `unload ${this.#name(cmod.mod)} count=${type.count} listed=${type.recordOf(cmod.mod) === cmod} ${this.#locks()}`,
    );
  }

  moduleReplaced(mod: CodeTagModule, newMod: CodeTagModule): void {
    this.events.push(`replaced ${mod.name}->${newMod.name} ${this.#locks()}`);
  }

  needsSectionMem(mod: CodeTagModule, size: number): boolean {
    this.events.push(`needs ${mod.name} ${size} ${this.#locks()}`);
    return size >= TAG;
  }

  allocSectionMem(mod: CodeTagModule, size: number, prepend: number, align: number): number {
    this.events.push(`alloc ${mod.name} ${size} ${prepend} ${align} ${this.#locks()}`);
    if (this.failAlloc !== null) throw this.failAlloc;
    const addr = this.nextAddr;
    this.nextAddr += 0x1000;
    return addr;
  }

  freeSectionMem(mod: CodeTagModule, used: boolean): void {
    this.events.push(`free ${mod.name} used=${used} ${this.#locks()}`);
  }
}

function setup(kernelTags = 2) {
  const k = new TestKernel(kernelTags);
  const fake = new FakeType(k);
  const type = k.codetag.registerType(fake);
  fake.type = type;
  fake.events.length = 0;
  return { k, fake, type, codetag: k.codetag };
}

describe('module hooks: callback protocol', () => {
  it('needsModuleSection asks the matching type under mutex + mod_lock (write)', () => {
    const { codetag, fake, k } = setup();
    const m = k.module('m', 1);
    expect(codetag.needsModuleSection(m, SEC, 80)).toBe(true);
    expect(codetag.needsModuleSection(m, SEC, 0)).toBe(false);
    expect(fake.events).toEqual([
      'needs m 80 mutex=true mod_lock=write',
      'needs m 0 mutex=true mod_lock=write',
    ]);
    expect(codetag.locked).toBe(false);
  });

  it('needsModuleSection is false for other sections, unknown types and types without the callback', () => {
    const { codetag, fake, k } = setup();
    const m = k.module('m', 1);
    expect(codetag.needsModuleSection(m, '.data', 80)).toBe(false);
    expect(codetag.needsModuleSection(m, 'alloc_tags', 80)).toBe(false);
    expect(codetag.needsModuleSection(m, '.codetag.alloc_tag', 80)).toBe(false);
    expect(codetag.needsModuleSection(m, '.codetag.alloc_tags_x', 80)).toBe(false);
    expect(fake.events).toEqual([]);
    const k2 = new TestKernel(1);
    k2.codetag.registerType({ section: SECTION, tagSize: TAG, memory: k2.memory });
    expect(k2.codetag.needsModuleSection(m, SEC, 80)).toBe(false);
  });

  it('allocModuleSectionMem returns the type’s address, called under mutex + mod_lock (write)', () => {
    const { codetag, fake, k } = setup();
    const m = k.module('m', 1);
    expect(codetagAllocModuleSectionMem(codetag, m, SEC, 120, 0, 8)).toBe(0xa000_0000_0000);
    expect(fake.events).toEqual(['alloc m 120 0 8 mutex=true mod_lock=write']);
  });

  it('allocModuleSectionMem passes the type’s error through and releases the locks', () => {
    const { codetag, fake, k, type } = setup();
    fake.failAlloc = new CodeTagError('ENOMEM', 'no room in the module tag area');
    expect(() => codetag.allocModuleSectionMem(k.module('m', 1), SEC, 120, 0, 8)).toThrow(fake.failAlloc);
    expect(codetag.locked).toBe(false);
    expect(type.modLockState).toBe('unlocked');
  });

  it('allocModuleSectionMem: a type without allocSectionMem WARNs (no text) and fails with EINVAL', () => {
    const k = new TestKernel(1);
    k.codetag.registerType({ section: SECTION, tagSize: TAG, memory: k.memory, needsSectionMem: () => true });
    expect(() => k.codetag.allocModuleSectionMem(k.module('m', 1), SEC, 40, 0, 8)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    // kernel/panic.c: __warn() for the WARN_ON() at lib/codetag.c:252 (6.13).
    expect(k.messages()).toEqual([
      'warning: ------------[ cut here ]------------',
      'warning: WARNING: CPU: 0 PID: 0 at lib/codetag.c:252 codetag_alloc_module_section+0x0/0x0',
      'warning: Modules linked in:',
      'warning: CPU: 0 UID: 0 PID: 0 Comm: swapper/0 Not tainted 6.13.0 #1',
      'warning: RIP: 0010:codetag_alloc_module_section+0x0/0x0',
      'warning: Call Trace:',
      'warning:  <TASK>',
      'warning:  move_module+0x0/0x0',
      'warning:  layout_and_allocate+0x0/0x0',
      'warning:  load_module+0x0/0x0',
      'warning:  </TASK>',
      'warning: ---[ end trace 0000000000000000 ]---',
    ]);
    expect(k.codetag.locked).toBe(false);
  });

  it('allocModuleSectionMem fails with EINVAL for unknown types and non-codetag sections, without a WARN', () => {
    const { codetag, fake, k } = setup();
    const m = k.module('m', 1);
    expect(() => codetag.allocModuleSectionMem(m, '.codetag.other', 40, 0, 8)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(() => codetag.allocModuleSectionMem(m, '.data', 40, 0, 8)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(fake.events).toEqual([]);
    expect(k.log).toEqual([]);
  });

  it('freeModuleSections calls freeSectionMem(used=false) under mutex + mod_lock (write)', () => {
    const { codetag, fake, k } = setup();
    codetagFreeModuleSections(codetag, k.module('m', 1));
    expect(fake.events).toEqual(['free m used=false mutex=true mod_lock=write']);
  });

  it('moduleReplaced forwards old and new module under mutex + mod_lock (write)', () => {
    const { codetag, fake, k } = setup();
    codetagModuleReplaced(codetag, new SimpleModule('tmp'), k.module('final', 1));
    expect(fake.events).toEqual(['replaced tmp->final mutex=true mod_lock=write']);
  });

  it('loadModule records the range and calls moduleLoad after counting, under mutex + mod_lock (write)', () => {
    const { codetag, fake, k, type } = setup(2);
    const m = k.module('m', 3);
    codetagLoadModule(codetag, m);
    expect(fake.events).toEqual(['load m count=5 mutex=true mod_lock=write']);
    expect(type.count).toBe(5);
    expect(type.recordOf(m)).toMatchObject({ mod: m });
  });

  it('unloadModule: moduleUnload under mod_lock while still listed, then freeSectionMem(used=true) without it', () => {
    const { codetag, fake, k, type } = setup(2);
    const m = k.module('m', 3);
    codetag.loadModule(m);
    fake.events.length = 0;
    codetagUnloadModule(codetag, m);
    expect(fake.events).toEqual([
      'unload m count=5 listed=true mutex=true mod_lock=write',
      'free m used=true mutex=true mod_lock=unlocked',
    ]);
    expect(type.count).toBe(2);
    expect(type.recordOf(m)).toBeUndefined();
    expect(names(type.tags())).toEqual(['vmlinux:1', 'vmlinux:2']);
  });

  it('unloadModule waits for deferred frees first', () => {
    const k = new TestKernel(1);
    const order: string[] = [];
    const codetag: Codetag = new Codetag({
      kernelSymbols: k.kernelSymbols,
      printk: { printk() {} },
      kvfreeRcuBarrier: () => order.push(`rcu_barrier mutex=${codetag.locked}`),
    });
    codetag.registerType({
      section: SECTION,
      tagSize: TAG,
      memory: k.memory,
      moduleUnload: (_t, cmod) => order.push(`unload ${cmod.mod?.name}`),
    });
    const m = k.module('m', 1);
    codetag.loadModule(m);
    codetag.unloadModule(m);
    expect(order).toEqual(['rcu_barrier mutex=false', 'unload m']);
  });

  it('unloadModule of a module with no record calls neither moduleUnload nor freeSectionMem', () => {
    const { codetag, fake, k, type } = setup(1);
    const empty = k.module('empty', 0);
    const broken = new SimpleModule('broken');
    codetag.loadModule(empty);
    codetag.loadModule(broken);
    expect(k.messages()).toEqual([
      'warning: Failed to load code tags of type alloc_tags from the module broken',
    ]);
    expect(type.moduleCount).toBe(1);
    codetag.unloadModule(empty);
    codetag.unloadModule(broken);
    codetag.unloadModule(new SimpleModule('never_loaded'));
    expect(fake.events).toEqual([]);
  });

  it('null module is a no-op for load and unload', () => {
    const { codetag, fake, type } = setup(2);
    codetag.loadModule(null);
    codetag.unloadModule(null);
    expect(fake.events).toEqual([]);
    expect(type.count).toBe(2);
    expect(type.recordOf(null)).toBeDefined();
  });

  it('validates module and sizes at the edge', () => {
    const { codetag, fake, k } = setup();
    const m = k.module('m', 1);
    const notMod = { name: 'x' } as unknown as CodeTagModule;
    expect(() => codetag.needsModuleSection(notMod, SEC, 40)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(() => codetag.needsModuleSection(m, SEC, -1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => codetag.needsModuleSection(m, 5 as unknown as string, 40)).toThrow(CodeTagError);
    expect(() => codetagNeedsModuleSection(codetag, m, SEC, 1.5)).toThrow(CodeTagError);
    expect(() => codetag.allocModuleSectionMem(m, SEC, 40, -8, 8)).toThrow(CodeTagError);
    expect(() => codetag.allocModuleSectionMem(m, SEC, 40, 0, Number.NaN)).toThrow(CodeTagError);
    expect(() => codetag.allocModuleSectionMem(m, 1 as unknown as string, 40, 0, 8)).toThrow(CodeTagError);
    expect(() => codetag.freeModuleSections(null as unknown as CodeTagModule)).toThrow(CodeTagError);
    expect(() => codetag.moduleReplaced(m, undefined as unknown as CodeTagModule)).toThrow(CodeTagError);
    expect(() => codetag.loadModule({} as CodeTagModule)).toThrow(CodeTagError);
    expect(() => codetag.unloadModule({ name: 'x', lookupSymbol: 1 } as unknown as CodeTagModule)).toThrow(
      CodeTagError,
    );
    expect(fake.events).toEqual([]);
  });

  it('refuses to record the same module twice (EEXIST, nothing changed)', () => {
    const { codetag, fake, k, type } = setup(1);
    const m = k.module('m', 2);
    codetag.loadModule(m);
    fake.events.length = 0;
    expect(() => codetag.loadModule(m)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(type.count).toBe(3);
    expect(fake.events).toEqual([]);
  });

  it('refuses re-entry from a callback with EDEADLK before changing anything', () => {
    const k = new TestKernel(1);
    const other = k.module('other', 2);
    const errors: unknown[] = [];
    const type = k.codetag.registerType({
      section: SECTION,
      tagSize: TAG,
      memory: k.memory,
      moduleLoad(t, cmod) {
        if (cmod.mod === null) return;
        for (const reenter of [
          () => k.codetag.loadModule(other),
          () => k.codetag.unloadModule(cmod.mod),
          () => k.codetag.freeModuleSections(other),
          () => k.codetag.moduleReplaced(other, other),
          () => k.codetag.needsModuleSection(other, SEC, 80),
          () => k.codetag.allocModuleSectionMem(other, SEC, 80, 0, 8),
          () => [...t.tags()],
          () => t.lockModuleList(true),
        ]) {
          try {
            reenter();
          } catch (e) {
            errors.push(e);
          }
        }
        errors.push(t.trylockModuleList());
      },
    });
    k.codetag.loadModule(k.module('m', 1));
    expect(errors.slice(0, 8).map((e) => (e as CodeTagError).code)).toEqual(Array(8).fill('EDEADLK'));
    expect(errors[8]).toBe(false);
    expect(type.count).toBe(2);
    expect(type.recordOf(other)).toBeUndefined();
    expect(type.modLockState).toBe('unlocked');
    expect(k.codetag.locked).toBe(false);
  });
});

describe('module loader flow (kernel/module/main.c: load_module(), free_module())', () => {
  interface Section {
    name: string;
    size: number;
    align: number;
    addr?: number;
  }

  /** layout + move_module + layout_and_allocate + load_module's tail, as the loader drives the hooks. */
  function insmod(k: TestKernel, tmp: SimpleModule, final: SimpleModule, sections: Section[]): void {
    const codetag = k.codetag;
    const separate = sections.filter((s) => codetag.needsModuleSection(tmp, s.name, s.size));
    let reserved = false;
    for (const s of sections) {
      if (!separate.includes(s) || !codetag.needsModuleSection(tmp, s.name, s.size)) continue;
      try {
        s.addr = codetag.allocModuleSectionMem(tmp, s.name, s.size, 0, s.align);
      } catch (e) {
        if (reserved) codetag.freeModuleSections(tmp);
        throw e;
      }
      reserved = true;
    }
    codetag.moduleReplaced(tmp, final);
    codetag.loadModule(final);
  }

  it('runs the hooks in loader order for a successful load', () => {
    const { k, fake, type } = setup(1);
    const final = k.module('drv', 2);
    const tmp = new SimpleModule('drv');
    insmod(k, tmp, final, [
      { name: '.text', size: 4096, align: 16 },
      { name: SEC, size: 80, align: 8 },
    ]);
    expect(fake.events.map((e) => e.replace(/ mutex.*/, ''))).toEqual([
      'needs drv 80',
      'needs drv 80',
      'alloc drv 80 0 8',
      'replaced drv->drv',
      'load drv count=3',
    ]);
    expect(type.count).toBe(3);
  });

  it('a failed section allocation aborts the load and releases the sections reserved before it', () => {
    const k = new TestKernel(1);
    k.kernelSymbols.define(codetagSectionSymbols('b_tags', 0x6000, 0x6000));
    const events: string[] = [];
    const mk = (section: string, fail: boolean): CodeTagTypeDesc<CodeTag> => ({
      section,
      tagSize: TAG,
      memory: k.memory,
      needsSectionMem: () => true,
      allocSectionMem: (mod) => {
        events.push(`alloc ${section} ${mod.name}`);
        if (fail) throw new CodeTagError('ENOMEM', 'area full');
        return 0xb000_0000_0000;
      },
      freeSectionMem: (mod, used) => events.push(`free ${section} ${mod.name} used=${used}`),
      moduleLoad: (_t, cmod) => events.push(`load ${section} ${cmod.mod?.name ?? '(built-in)'}`),
    });
    const a = k.codetag.registerType(mk(SECTION, false));
    k.codetag.registerType(mk('b_tags', true));
    events.length = 0;
    const tmp = new SimpleModule('drv');
    expect(() =>
      insmod(k, tmp, k.module('drv', 1), [
        { name: SEC, size: 40, align: 8 },
        { name: '.codetag.b_tags', size: 40, align: 8 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'ENOMEM' }));
    expect(events).toEqual([
      'alloc alloc_tags drv',
      'alloc b_tags drv',
      'free alloc_tags drv used=false',
      'free b_tags drv used=false',
    ]);
    expect(a.count).toBe(1);
    expect(k.codetag.locked).toBe(false);
  });
});

describe('standalone kernel-named functions', () => {
  it('forward to the Codetag methods', () => {
    const { codetag, k, type } = setup(0);
    const m = k.module('m', 2);
    expect(codetagNeedsModuleSection(codetag, m, SEC, 80)).toBe(true);
    codetagLoadModule(codetag, m);
    expect(type.count).toBe(2);
    codetagUnloadModule(codetag, m);
    expect(type.count).toBe(0);
  });
});
