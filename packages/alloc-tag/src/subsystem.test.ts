import { describe, expect, it } from 'vitest';
import { ALLOC_TAG_PR_DEBUG_SITES } from './subsystem';
import { type PrDebugCapturePrintk, TestKernel } from './test-helpers';

describe('alloc_tag_init (lib/alloc_tag.c)', () => {
  it('default boot: area, codetag type with the kernel range, sysctl 0644, /proc/allocinfo', () => {
    const k = new TestKernel({ kernelTags: 3 });
    expect(k.at.moduleTags!.reserved).toBe(true);
    expect(k.at.codetagType!.count).toBe(3);
    expect(k.at.sysctl.mode).toBe(0o644);
    expect(k.at.readAllocinfo()).toBe(
      'allocinfo - version: 1.0\n#     <size>  <calls> <tag info>\n' +
        '           0        0 mm/k0.c:100 func:kfn0 \n' +
        '           0        0 mm/k1.c:101 func:kfn1 \n' +
        '           0        0 mm/k2.c:102 func:kfn2 \n',
    );
  });

  it('area reservation fails: message, error returned, nothing else done', () => {
    const k = new TestKernel({ cmdline: ['1'], noInit: true, vmapFails: true });
    k.log.length = 0;
    expect(k.at.allocTagInit()).toBe(-12);
    expect(k.log.filter((l) => !l.includes('vmap allocation'))).toEqual([
      'err: Failed to map 4000000 bytes for module allocation tags',
    ]);
    expect([k.at.codetagType, k.at.sysctl.registered, k.at.allocinfoExists]).toEqual([null, false, false]);
    expect([k.at.enabled, k.at.support]).toEqual([true, true]);
    expect(k.at.processSysctlArg('1')).toBe('ENOENT');
    expect(k.printk.messages.at(-1)).toBe(
      "Failed to set sysctl parameter 'vm.mem_profiling=1': parameter not found",
    );
  });

  it('codetag type registration fails: the area is released, the error returned', () => {
    const k = new TestKernel({ noInit: true, noKernelSymbols: true });
    expect(k.at.allocTagInit()).toBe(-22);
    expect(k.printk.messages).toContain(
      'Failed to load code tags of type alloc_tags from the module (built-in)',
    );
    expect(k.at.moduleTags!.reserved).toBe(false);
    expect(k.vmalloc.vmallocinfo()).toBe('');
    expect([k.at.codetagType, k.at.sysctl.registered, k.at.allocinfoExists]).toEqual([null, false, false]);
  });

  it('procfs creation fails: message, then shutdown(false); init succeeds; sysctl stays 0644', () => {
    const k = new TestKernel({ noInit: true, procfsFails: true });
    k.log.length = 0;
    expect(k.at.allocTagInit()).toBe(0);
    expect(k.log).toEqual(['err: Failed to create allocinfo file', 'key off', 'support off']);
    expect(k.at.sysctl.mode).toBe(0o644);
    expect(k.procfsRemoved).toBe(0);
    expect(() => k.at.readAllocinfo()).toThrow(/No such file/);
  });

  it('unsupported boot (never): no /proc/allocinfo, sysctl 0444, page_ext not needed', () => {
    const k = new TestKernel({ cmdline: ['never'] });
    expect([k.at.allocinfoExists, k.at.sysctl.mode, k.at.pageExtNeeded()]).toEqual([false, 0o444, false]);
    expect(k.at.codetagType).not.toBeNull();
  });

  it('runs once', () => {
    const k = new TestKernel();
    expect(() => k.at.allocTagInit()).toThrow(/already ran/);
  });
});

describe('alloc_tag_sec_init (lib/alloc_tag.c)', () => {
  it('K > 2^N: shutdown(false) then the message, before sysctl/procfs exist → the "never" row', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'], n: 4, kernelTags: 17, noInit: true });
    expect(k.log.slice(-3)).toEqual([
      'key off',
      'support off',
      'err: 17 allocation tags cannot be references using 4 available page flag bits. Memory allocation profiling is disabled!',
    ]);
    expect(k.at.pageTagRefs.kind).toBe('page_flags');
    expect((k.at.pageTagRefs as unknown as { mask: number }).mask).toBe(0);
    k.at.allocTagInit();
    expect([k.at.allocinfoExists, k.at.sysctl.mode, k.at.compressed, k.procfsRemoved]).toEqual([
      false,
      0o444,
      true,
      0,
    ]);
  });

  it('K = 2^N passes; offset and mask set; the bits used go to pr_debug() only', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'], n: 4, kernelTags: 16 });
    const refs = k.at.pageTagRefs as unknown as { mask: number; offs: number };
    expect([refs.mask, refs.offs]).toEqual([15, k.layout.LRU_REFS_PGOFF - 4]);
    expect(k.at.support).toBe(true);
    // lib/alloc_tag.c: alloc_tag_sec_init() uses pr_debug(): a plain printk sink never sees it.
    expect(k.printk.lines.filter((l) => l.level === 'debug')).toEqual([]);
  });

  it('the pr_debug() names its lib/alloc_tag.c call site, for a sink that enables it', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'], n: 4, kernelTags: 16, prDebug: true });
    expect(k.printk.lines).toContainEqual({
      level: 'debug',
      message: 'Memory allocation profiling compression is using 4 page flag bits!',
    });
    const sites = (k.printk as PrDebugCapturePrintk).prDebugSites;
    expect(sites).toEqual([ALLOC_TAG_PR_DEBUG_SITES[0]]);
    expect(sites[0]).toEqual({
      modname: 'alloc_tag',
      function: 'alloc_tag_sec_init',
      filename: 'lib/alloc_tag.c',
      lineno: 279,
      format: 'Memory allocation profiling compression is using %d page flag bits!\n',
    });
    expect(
      new TestKernel({ cmdline: ['1'], prDebug: true }).printk.lines.filter((l) => l.level === 'debug'),
    ).toEqual([]);
  });

  it('N <= 0 (last_cpupid pushed out of page flags) is taken as 0 bits: one kernel tag passes, two do not', () => {
    const one = new TestKernel({ cmdline: ['1,compressed'], reportedN: -6, kernelTags: 1 });
    expect(one.at.support).toBe(true);
    const two = new TestKernel({ cmdline: ['1,compressed'], reportedN: -6, kernelTags: 2 });
    expect(two.printk.messages).toContain(
      '2 allocation tags cannot be references using -6 available page flag bits. Memory allocation profiling is disabled!',
    );
  });

  it('compressed mode without the page_flags backend is a programming error', () => {
    const k = new TestKernel({ cmdline: ['1'], noInit: true });
    k.at.setupEarlyMemProfiling('1,compressed');
    expect(() => k.at.allocTagSecInit()).toThrow(/page_flags backend/);
  });

  // lib/alloc_tag.c: alloc_tag_sec_init() tests mem_profiling_support and the compressed key,
  // never mem_alloc_profiling_key.
  it('runs even when the key is off, and not at all without compression or support', () => {
    const tooMany =
      '17 allocation tags cannot be references using 4 available page flag bits. Memory allocation profiling is disabled!';
    const off = new TestKernel({ cmdline: ['0,compressed'], n: 4, kernelTags: 17 });
    expect(off.at.tagIndex.kernelCount).toBe(17);
    expect(off.printk.messages).toContain(tooMany);
    expect(off.at.support).toBe(false);

    for (const cmdline of [['1'], ['never']]) {
      const k = new TestKernel({ cmdline, n: 4, kernelTags: 17 });
      // kernel_tags is never filled in and no check is made.
      expect(k.at.tagIndex.kernelCount).toBe(0);
      expect(k.printk.messages).not.toContain(tooMany);
      expect(k.at.support).toBe(cmdline[0] === '1');
    }
  });
});

describe('compressed mode end to end', () => {
  it('the top kernel indices alias when K = 2^N (mask wraps K+1 to 1, K to 0)', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'], n: 4, kernelTags: 16 });
    const t13 = k.kernelTags[13]!;
    const t14 = k.kernelTags[14]!;
    k.alloc(1, t13);
    k.alloc(2, t14);
    expect(k.at.pgallocTagGet(1)).toBe(t13);
    // idx 2 + 14 = 16 → & 15 = 0: the page reads back untagged, its charge is never returned.
    expect(k.at.pgallocTagGet(2)).toBeNull();
    k.free(2);
    expect(t14.counters.sumBytes(t14.id)).toBe(4096);
  });

  it('module tags get indices after the kernel tags; old and new copies differ', () => {
    const k = new TestKernel({ cmdline: ['1,compressed'], kernelTags: 16 });
    const m = k.load('m', 2);
    expect(k.at.tagIndex.refToIdx(m.tags[1]!.address)).toBe(2 + 16 + 1);
    k.alloc(5, m.tags[1]!);
    expect(k.flags.getBits(5, (k.at.pageTagRefs as unknown as { offs: number }).offs, 13)).toBe(19);
    k.unload(m);
    const m2 = k.load('m', 2);
    expect(k.at.tagIndex.refToIdx(m2.tags[1]!.address)).toBe(2 + 16 + 3);
    expect(k.at.pgallocTagGet(5)).toBe(m.tags[1]);
  });
});
