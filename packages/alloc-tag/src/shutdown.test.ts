import { CodeTagError } from '@allocprof/codetag';
import { describe, expect, it } from 'vitest';
import { TestKernel } from './test-helpers';

/** Every caller of shutdown_mem_profiling() in lib/alloc_tag.c, with the order of message and shutdown. */
describe('shutdown_mem_profiling callers (lib/alloc_tag.c)', () => {
  const fails = (fn: () => unknown) => expect(fn).toThrow(CodeTagError);

  it('procfs creation at init: message, then shutdown(false)', () => {
    const k = new TestKernel({ noInit: true, procfsFails: true });
    k.log.length = 0;
    k.at.allocTagInit();
    expect(k.log).toEqual(['err: Failed to create allocinfo file', 'key off', 'support off']);
  });

  it('alloc_tag_sec_init, K > 2^N: shutdown(false), then message; no file to remove', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'], n: 3, kernelTags: 9, noInit: true });
    expect(k.log.slice(-3)).toEqual([
      'key off',
      'support off',
      'err: 9 allocation tags cannot be references using 3 available page flag bits. Memory allocation profiling is disabled!',
    ]);
    expect(k.procfsRemoved).toBe(0);
  });

  it('module alignment: shutdown(true) (file removed), then message; load fails', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'] });
    k.log.length = 0;
    fails(() => k.load('al32', 1, { align: 32 }));
    expect(k.log).toEqual([
      'key off',
      'allocinfo removed',
      'support off',
      'err: al32: alignment 32 is incompatible with allocation tag indexing. Memory allocation profiling is disabled!',
    ]);
  });

  it('too many tags: shutdown(true), then warning; load succeeds', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'], n: 5, kernelTags: 8 });
    k.log.length = 0;
    k.load('many', 30);
    expect(k.log).toEqual([
      'key off',
      'allocinfo removed',
      'support off',
      'warning: With module many there are too many tags to fit in 5 page flag bits. Memory allocation profiling is disabled!',
    ]);
  });

  it('population failure: shutdown(true), then message; load fails', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    k.pages.shortfall = 1;
    k.log.length = 0;
    fails(() => k.load('pop', 5));
    expect(k.log).toEqual([
      'key off',
      'allocinfo removed',
      'support off',
      'err: Failed to allocate memory for allocation tags in the module pop. Memory allocation profiling is disabled!',
    ]);
  });

  it('a second shutdown only turns the key off again (quirk: the key was switched back on)', () => {
    const k = new TestKernel({ cmdline: ['1'] });
    k.pages.shortfall = 1;
    fails(() => k.load('pop', 5));
    k.at.writeSysctl('1');
    k.pages.shortfall = 1;
    k.log.length = 0;
    // Support is false: the tags now stay in module data, the area is not touched.
    k.load('later', 200);
    expect(k.log).toEqual([]);
    k.at.shutdownMemProfiling(true);
    expect(k.log).toEqual(['key off']);
    expect(k.procfsRemoved).toBe(1);
  });
});

describe('modules while support is false', () => {
  it('tags stay in module data, are recorded and listed, and are freed with the module', () => {
    const k = new TestKernel({ cmdline: ['never'] });
    const before = k.at.counters.allocated;
    const m = k.load('plain', 2);
    expect(m.inData).toBe(true);
    expect(k.at.moduleTags!.map().filter((r) => r.kind !== 'free')).toEqual([]);
    expect(k.at.formatAllocinfo()).toContain('drivers/plain/plain.c:11 [plain] func:plain_fn1 \n');
    k.unload(m);
    expect(k.at.counters.allocated).toBe(before);
    expect(k.at.formatAllocinfo()).not.toContain('[plain]');
  });

  it('freeModuleTagMemory refuses the module tag area', () => {
    const k = new TestKernel();
    const m = k.load('a', 1);
    expect(() => k.at.freeModuleTagMemory(m.address, m.address + 40)).toThrow(/release_module_tags/);
  });
});

describe('CONFIG_MODULES=n', () => {
  it('no area, no section callbacks, modules keep their tags', () => {
    const k = new TestKernel({ kconfig: { CONFIG_MODULES: false } });
    expect(k.at.moduleTags).toBeNull();
    expect(k.at.codetagType!.desc.allocSectionMem).toBeUndefined();
    expect(k.vmalloc.vmallocinfo()).toBe('');
    expect(k.at.allocinfoExists).toBe(true);
  });
});

describe('replace_module', () => {
  it('re-keys only the first range of the temporary module', () => {
    const k = new TestKernel();
    const area = k.at.moduleTags!;
    const tmp = { name: 't', lookupSymbol: () => undefined };
    const other = { name: 'o', lookupSymbol: () => undefined };
    const fin = { name: 'f', lookupSymbol: () => undefined };
    area.reserveModuleTags(tmp, 40, 0, 8);
    area.reserveModuleTags(other, 40, 0, 8);
    area.reserveModuleTags(tmp, 40, 0, 8);
    area.replaceModule(tmp, fin);
    expect(area.map().map((r) => r.module)).toEqual(['f', 'o', 't', null]);
  });
});
