import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CodeTagModule } from './codetag';
import { CodeTagBugError } from './errors';
import {
  codetagGetCtIter,
  codetagLockModuleList,
  codetagNextCt,
  codetagTrylockModuleList,
} from './functions';
import { SimpleModule } from './memory';
import { type CodeTag, codetagSectionSymbols } from './tag';
import { KERNEL_START, makeTag, names, SECTION, TAG, TestKernel } from './test-helpers';

function setup(kernelTags: number) {
  const k = new TestKernel(kernelTags);
  const type = k.codetag.registerType({ section: SECTION, tagSize: TAG, memory: k.memory });
  return { k, type, codetag: k.codetag };
}

/** Unload and free the module's tag memory, so a stale read would fault. */
function rmmod(k: TestKernel, mod: CodeTagModule): void {
  const start = mod.lookupSymbol('__start_alloc_tags')!;
  const stop = mod.lookupSymbol('__stop_alloc_tags')!;
  k.codetag.unloadModule(mod);
  k.memory.remove(start, stop);
}

describe('iteration order (lib/codetag.c: codetag_next_ct())', () => {
  it('walks the kernel image first, then modules by id, each by ascending address', () => {
    const { k, type, codetag } = setup(2);
    codetag.loadModule(k.module('a', 2));
    codetag.loadModule(k.module('b', 1));
    expect(names(type.tags())).toEqual(['vmlinux:1', 'vmlinux:2', 'a:1', 'a:2', 'b:1']);
    expect(type.records().map(([id, r]) => [id, r.mod?.name ?? null])).toEqual([
      [0, null],
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('gives a module loaded later the lowest free id, so it iterates before earlier ones', () => {
    const { k, type, codetag } = setup(1);
    const a = k.module('a', 1);
    codetag.loadModule(a);
    codetag.loadModule(k.module('b', 1));
    codetag.loadModule(k.module('c', 1));
    rmmod(k, a);
    codetag.loadModule(k.module('d', 2));
    expect(names(type.tags())).toEqual(['vmlinux:1', 'd:1', 'd:2', 'b:1', 'c:1']);
    expect(type.count).toBe(5);
  });

  it('handles unload and reload of the same module name as a new module', () => {
    const { k, type, codetag } = setup(1);
    const a1 = k.module('a', 2);
    const b = k.module('b', 1);
    codetag.loadModule(a1);
    codetag.loadModule(b);
    rmmod(k, a1);
    rmmod(k, b);
    codetag.loadModule(k.module('c', 1));
    codetag.loadModule(k.module('a', 3));
    expect(names(type.tags())).toEqual(['vmlinux:1', 'c:1', 'a:1', 'a:2', 'a:3']);
    expect(type.count).toBe(5);
  });

  it('gives id 0 to the first module when the kernel image has no tags', () => {
    const { k, type, codetag } = setup(0);
    const a = k.module('a', 1);
    codetag.loadModule(a);
    codetag.loadModule(k.module('b', 1));
    expect(type.records().map(([id]) => id)).toEqual([0, 1]);
    rmmod(k, a);
    expect(names(type.tags())).toEqual(['b:1']);
    codetag.loadModule(k.module('c', 1));
    expect(names(type.tags())).toEqual(['c:1', 'b:1']);
  });

  it('skips modules with empty sections (no record, no id)', () => {
    const { k, type, codetag } = setup(1);
    codetag.loadModule(k.module('empty', 0));
    codetag.loadModule(k.module('b', 1));
    expect(type.records().map(([id, r]) => [id, r.mod?.name ?? null])).toEqual([
      [0, null],
      [1, 'b'],
    ]);
    expect(k.log).toEqual([]);
  });

  it('reads tags through the type memory, stepping by tagSize', () => {
    const k = new TestKernel(0);
    const reads: number[] = [];
    const type = k.codetag.registerType({
      section: SECTION,
      tagSize: 24,
      memory: {
        tagAt: (address) => {
          reads.push(address - 0x1000);
          return makeTag(address, address - 0x1000, 'm');
        },
      },
    });
    k.codetag.loadModule(new SimpleModule('m', codetagSectionSymbols(SECTION, 0x1000, 0x1000 + 3 * 24)));
    expect([...type.tags()].map((t) => t.lineno)).toEqual([0, 24, 48]);
    expect(reads).toEqual([0, 24, 48]);
  });

  it('lets a page fault of the tag memory through and releases mod_lock', () => {
    const { k, type, codetag } = setup(1);
    const a = k.module('a', 2);
    codetag.loadModule(a);
    k.memory.remove(a.lookupSymbol('__start_alloc_tags')!, a.lookupSymbol('__stop_alloc_tags')!);
    const it = type.tags();
    expect(it.next().value?.lineno).toBe(1);
    expect(() => it.next()).toThrow(expect.objectContaining({ code: 'EFAULT' }));
    expect(type.modLockState).toBe('unlocked');
  });

  it('BUGs when the memory returns a tag of another address', () => {
    const k = new TestKernel(0);
    k.kernelSymbols.define(codetagSectionSymbols(SECTION, 0x1000, 0x1000 + TAG));
    const type = k.codetag.registerType({
      section: SECTION,
      tagSize: TAG,
      memory: { tagAt: () => makeTag(0x2000, 1, null) },
    });
    const it = type.tags();
    expect(() => it.next()).toThrow(CodeTagBugError);
    expect(type.modLockState).toBe('unlocked');
  });
});

describe('CodeTagIterator (codetag_get_ct_iter / codetag_next_ct)', () => {
  it('starts with no record, id 0 and no tag, and reports the current record', () => {
    const { k, type, codetag } = setup(1);
    const a = k.module('a', 2);
    codetag.loadModule(a);
    const iter = codetagGetCtIter(type);
    expect([iter.cmod, iter.modId, iter.ct]).toEqual([null, 0, null]);
    codetagLockModuleList(type, true);
    const seen: Array<[string, number, string]> = [];
    for (let ct = codetagNextCt(iter); ct !== null; ct = iter.nextCt()) {
      expect(iter.ct).toBe(ct);
      seen.push([
        `${ct.modname ?? 'vmlinux'}:${ct.lineno}`,
        iter.modId,
        iter.cmod?.mod?.name ?? '(built-in)',
      ]);
    }
    expect(iter.nextCt()).toBeNull();
    codetagLockModuleList(type, false);
    expect(seen).toEqual([
      ['vmlinux:1', 0, '(built-in)'],
      ['a:1', 1, 'a'],
      ['a:2', 1, 'a'],
    ]);
    expect(iter.cttype).toBe(type);
  });

  it('returns null on an empty type', () => {
    const { type } = setup(0);
    const iter = type.getCtIter();
    type.lockModuleList(true);
    expect(iter.nextCt()).toBeNull();
    type.lockModuleList(false);
  });

  it('requires mod_lock to be held (lockdep)', () => {
    const { type } = setup(1);
    expect(() => type.getCtIter().nextCt()).toThrow(CodeTagBugError);
  });

  it('trylockModuleList takes the read lock unless a writer holds it', () => {
    const { k, type, codetag } = setup(1);
    expect(codetagTrylockModuleList(type)).toBe(true);
    expect(type.modLockState).toBe('read');
    expect(type.getCtIter().nextCt()?.lineno).toBe(1);
    type.lockModuleList(false);
    let during: boolean | undefined;
    const k2 = new TestKernel(1);
    const t2 = k2.codetag.registerType({
      section: SECTION,
      tagSize: TAG,
      memory: k2.memory,
      moduleLoad: (t, cmod) => {
        if (cmod.mod !== null) during = t.trylockModuleList();
      },
    });
    k2.codetag.loadModule(k2.module('m', 1));
    expect(during).toBe(false);
    expect(t2.modLockState).toBe('unlocked');
    expect(codetag.locked || k.codetag.locked).toBe(false);
  });
});

describe('iterators across module load and unload', () => {
  it('tags() holds mod_lock only within a step', () => {
    const { k, type, codetag } = setup(2);
    const it = type.tags();
    expect(it.next().value?.lineno).toBe(1);
    expect(type.modLockState).toBe('unlocked');
    codetag.loadModule(k.module('a', 1));
    expect(names(it)).toEqual(['vmlinux:2', 'a:1']);
    expect(it.next()).toEqual({ value: undefined, done: true });
  });

  it('never reads the tags of a range unloaded under a live cursor; moves on to the next id', () => {
    const { k, type, codetag } = setup(1);
    const a = k.module('a', 3);
    codetag.loadModule(a);
    codetag.loadModule(k.module('b', 2));
    const it = type.tags();
    expect(names([it.next().value!, it.next().value!])).toEqual(['vmlinux:1', 'a:1']);
    rmmod(k, a);
    expect(() => k.memory.tagAt(a.lookupSymbol('__start_alloc_tags')! + TAG)).toThrow(/page fault/);
    expect(names(it)).toEqual(['b:1', 'b:2']);
  });

  it('starts a module that took over the cursor’s id from its first tag', () => {
    const { k, type, codetag } = setup(1);
    const a = k.module('a', 3);
    codetag.loadModule(a);
    codetag.loadModule(k.module('b', 1));
    const it = type.tags();
    it.next();
    it.next();
    rmmod(k, a);
    codetag.loadModule(k.module('c', 2));
    expect(names(it)).toEqual(['c:1', 'c:2', 'b:1']);
  });

  it('visits modules inserted above the cursor, not below it', () => {
    const { k, type, codetag } = setup(1);
    const a = k.module('a', 1);
    codetag.loadModule(a);
    codetag.loadModule(k.module('b', 2));
    const it = type.tags();
    expect(names([it.next().value!, it.next().value!, it.next().value!])).toEqual([
      'vmlinux:1',
      'a:1',
      'b:1',
    ]);
    rmmod(k, a);
    codetag.loadModule(k.module('low', 1)); // takes id 1, behind the cursor
    codetag.loadModule(k.module('high', 1)); // takes id 3, ahead of it
    expect(names(it)).toEqual(['b:2', 'high:1']);
    expect(names(type.tags())).toEqual(['vmlinux:1', 'low:1', 'b:1', 'b:2', 'high:1']);
  });

  it('continues past the end when a module is loaded after a low-level cursor ran out', () => {
    const { k, type, codetag } = setup(1);
    const iter = type.getCtIter();
    type.lockModuleList(true);
    expect(iter.nextCt()?.lineno).toBe(1);
    expect(iter.nextCt()).toBeNull();
    type.lockModuleList(false);
    codetag.loadModule(k.module('a', 1));
    type.lockModuleList(true);
    expect(iter.nextCt()?.modname).toBe('a');
    type.lockModuleList(false);
  });

  it('a writer while a reader holds mod_lock fails loudly (EDEADLK) and changes nothing', () => {
    const { k, type, codetag } = setup(1);
    const a = k.module('a', 1);
    codetag.loadModule(a);
    type.lockModuleList(true);
    const before = type.records();
    expect(() => codetag.loadModule(k.module('b', 1))).toThrow(expect.objectContaining({ code: 'EDEADLK' }));
    expect(() => codetag.unloadModule(a)).toThrow(expect.objectContaining({ code: 'EDEADLK' }));
    expect(type.records()).toEqual(before);
    expect(type.count).toBe(2);
    expect(codetag.locked).toBe(false);
    type.lockModuleList(false);
    codetag.unloadModule(a);
    expect(type.count).toBe(1);
  });
});

describe('property: module records against a reference model', () => {
  type Op = { kind: 'load'; tags: number } | { kind: 'unload'; pick: number } | { kind: 'step'; n: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('load' as const), tags: fc.nat(3) }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('unload' as const), pick: fc.nat(20) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('step' as const), n: fc.nat(4) }), weight: 1 },
  );

  it('ids are lowest-free, count and full iteration match; a live cursor never faults', () => {
    fc.assert(
      fc.property(fc.nat(2), fc.array(op, { maxLength: 40 }), (kernelTags, ops) => {
        const { k, type, codetag } = setup(kernelTags);
        // Reference: id → [name, tag count]; the kernel image holds id 0 when it has tags.
        const model = new Map<number, [string, number]>();
        if (kernelTags > 0) model.set(0, ['vmlinux', kernelTags]);
        const loaded: SimpleModule[] = [];
        const idOf = new Map<SimpleModule, number>();
        const cursor = type.tags();
        let serial = 0;
        for (const o of ops) {
          if (o.kind === 'load') {
            const mod = k.module(`m${serial++}`, o.tags);
            codetag.loadModule(mod);
            loaded.push(mod);
            if (o.tags > 0) {
              let id = 0;
              while (model.has(id)) id++;
              model.set(id, [mod.name, o.tags]);
              idOf.set(mod, id);
            }
          } else if (o.kind === 'unload' && loaded.length > 0) {
            const [mod] = loaded.splice(o.pick % loaded.length, 1);
            rmmod(k, mod!);
            const id = idOf.get(mod!);
            if (id !== undefined) model.delete(id);
          } else if (o.kind === 'step') {
            for (let i = 0; i < o.n; i++) cursor.next();
          }
          const ids = [...model.keys()].sort((a, b) => a - b);
          expect(type.records().map(([id, r]) => [id, r.mod?.name ?? 'vmlinux'])).toEqual(
            ids.map((id) => [id, model.get(id)![0]]),
          );
          expect(type.count).toBe([...model.values()].reduce((s, [, n]) => s + n, 0));
        }
        const expected = [...model.keys()]
          .sort((a, b) => a - b)
          .flatMap((id) => {
            const [name, n] = model.get(id)!;
            return Array.from({ length: n }, (_, i) => `${name}:${i + 1}`);
          });
        expect(names(type.tags())).toEqual(expected);
        for (const ct of cursor) expect(ct.address).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('kernel image range', () => {
  it('is iterated from __start_ to __stop_', () => {
    const { type } = setup(4);
    const addrs = [...type.tags()].map((t: CodeTag) => t.address - KERNEL_START);
    expect(addrs).toEqual([0, TAG, 2 * TAG, 3 * TAG]);
  });
});
