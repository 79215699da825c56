import { describe, expect, it } from 'vitest';
import { allocTagRead, CodetagRef } from './alloc_tag';
import { TestKernel } from './test-helpers';

const read = (t: Parameters<typeof allocTagRead>[0]) => allocTagRead(t);

describe.each([
  ['page_ext', '1'],
  ['page_flags', '1,compressed'],
])('page hooks, %s backend (include/linux/pgalloc_tag.h)', (kind, value) => {
  const boot = (debug = false) =>
    new TestKernel({ cmdline: [value], kconfig: { CONFIG_MEM_ALLOC_PROFILING_DEBUG: debug } });

  it('add charges the head page to current->alloc_tag, sub uncharges it', () => {
    const k = boot();
    expect(k.at.pageTagRefs.kind).toBe(kind);
    const t = k.kernelTags[3]!;
    k.alloc(64, t, 3);
    expect(read(t)).toEqual({ bytes: 8 * 4096, calls: 1 });
    expect(k.at.pgallocTagGet(64)).toBe(t);
    expect(k.at.pgallocTagGet(65)).toBeNull();
    k.free(64, 3);
    expect(read(t)).toEqual({ bytes: 0, calls: 0 });
    expect(k.at.pgallocTagGet(64)).toBeNull();
  });

  it('per-CPU slots: a free on another CPU makes slots go negative, the sums are right', () => {
    const k = boot();
    const t = k.kernelTags[0]!;
    k.at.setCpu(1);
    k.alloc(10, t);
    k.at.setCpu(3);
    k.free(10);
    const c = k.at.counters;
    expect([c.bytes[t.id * 4 + 1], c.bytes[t.id * 4 + 3]]).toEqual([4096, -4096]);
    expect(read(t)).toEqual({ bytes: 0, calls: 0 });
    expect(() => k.at.setCpu(4)).toThrow(/outside/);
  });

  it('split: each new piece references the tag (calls += 1), each piece frees its own bytes', () => {
    const k = boot();
    const t = k.kernelTags[1]!;
    k.alloc(128, t, 3);
    k.at.pgallocTagSplit(128, 3, 1);
    expect(read(t)).toEqual({ bytes: 8 * 4096, calls: 4 });
    for (const pfn of [128, 130, 132, 134]) expect(k.at.pgallocTagGet(pfn)).toBe(t);
    expect(k.at.pgallocTagGet(129)).toBeNull();
    for (const pfn of [128, 130, 132, 134]) k.free(pfn, 1);
    expect(read(t)).toEqual({ bytes: 0, calls: 0 });
  });

  // lib/alloc_tag.c: pgalloc_tag_swap() as folio_migrate_flags() calls it.
  it('swap (migration): the folios exchange references, no counter changes, the old free removes the target charge', () => {
    const k = boot();
    const orig = k.kernelTags[2]!;
    const migrate = k.kernelTags[5]!;
    k.alloc(200, orig, 2);
    k.alloc(300, migrate, 2);
    k.at.pgallocTagSwap(300, 200);
    expect(read(orig)).toEqual({ bytes: 4 * 4096, calls: 1 });
    expect(read(migrate)).toEqual({ bytes: 4 * 4096, calls: 1 });
    expect(k.at.pgallocTagGet(300)).toBe(orig);
    expect(k.at.pgallocTagGet(200)).toBe(migrate);
    k.free(200, 2);
    expect(read(migrate)).toEqual({ bytes: 0, calls: 0 });
    expect(read(orig)).toEqual({ bytes: 4 * 4096, calls: 1 });
    k.free(300, 2);
    expect(read(orig)).toEqual({ bytes: 0, calls: 0 });
  });

  it('swap moves nothing when either folio has no tag', () => {
    const k = boot();
    const t = k.kernelTags[2]!;
    k.alloc(200, t, 1);
    // The target was allocated with no current->alloc_tag: its reference is NULL.
    k.at.pgallocTagAdd(300, k.at.current, 2);
    k.at.pgallocTagSwap(300, 200);
    expect(k.at.pgallocTagGet(200)).toBe(t);
    expect(k.at.pgallocTagGet(300)).toBeNull();
    k.at.pgallocTagSwap(200, 400);
    expect(k.at.pgallocTagGet(200)).toBe(t);
    expect(k.at.pgallocTagGet(400)).toBeNull();
    expect(read(t)).toEqual({ bytes: 2 * 4096, calls: 1 });
  });

  it('swap of module-area tags keeps each reference decodable', () => {
    const k = boot();
    const m = k.load('drv', 3);
    const kt = k.kernelTags[1]!;
    k.alloc(60, m.tags[2]!, 0);
    k.alloc(70, kt, 0);
    k.at.pgallocTagSwap(70, 60);
    expect(k.at.pgallocTagGet(70)).toBe(m.tags[2]);
    expect(k.at.pgallocTagGet(60)).toBe(kt);
    k.free(60);
    k.free(70);
    expect([read(m.tags[2]!), read(kt)]).toEqual([
      { bytes: 0, calls: 0 },
      { bytes: 0, calls: 0 },
    ]);
  });

  it('DEBUG: swap clears both references first, so the add-check does not warn', () => {
    const k = boot(true);
    k.alloc(200, k.kernelTags[2]!, 0);
    k.alloc(300, k.kernelTags[5]!, 0);
    k.printk.clear();
    k.at.pgallocTagSwap(300, 200);
    expect(k.printk.lines).toEqual([]);
    expect(k.at.pgallocTagGet(300)).toBe(k.kernelTags[2]);
  });

  it('partial free of a non-compound block: get, sub_pages for the tail, sub for the head', () => {
    const k = boot();
    const t = k.kernelTags[4]!;
    k.alloc(400, t, 2);
    const tag = k.at.pgallocTagGet(400);
    k.at.pgallocTagSubPages(tag, 3);
    expect(read(t)).toEqual({ bytes: 4096, calls: 1 });
    k.free(400, 0);
    expect(read(t)).toEqual({ bytes: 0, calls: 0 });
    k.at.pgallocTagSubPages(null, 3);
  });

  it('every hook is a no-op while the key is off', () => {
    const k = boot();
    const t = k.kernelTags[0]!;
    k.at.writeSysctl('0');
    k.alloc(1, t);
    k.at.pgallocTagSplit(1, 1, 0);
    k.at.pgallocTagSwap(2, 1);
    k.at.pgallocTagSubPages(t, 1);
    k.at.clearPageTagRef(1);
    expect(read(t)).toEqual({ bytes: 0, calls: 0 });
    expect(k.at.pgallocTagGet(1)).toBeNull();
  });

  it('runtime toggling: pages freed while off keep stale refs and inflated counters', () => {
    const k = boot();
    const t = k.kernelTags[0]!;
    const u = k.kernelTags[1]!;
    k.alloc(9, t);
    k.at.writeSysctl('0');
    k.free(9);
    k.at.writeSysctl('1');
    expect(read(t)).toEqual({ bytes: 4096, calls: 1 });
    k.alloc(9, u);
    expect(k.at.pgallocTagGet(9)).toBe(u);
    expect(read(t)).toEqual({ bytes: 4096, calls: 1 });
  });

  it('clear_page_tag_ref: NULL without DEBUG, EMPTY with DEBUG (first free then does not warn)', () => {
    const plain = boot();
    plain.at.clearPageTagRef(7);
    plain.free(7);
    expect(plain.printk.messages.filter((m) => m.startsWith('alloc_tag'))).toEqual([]);

    const k = boot(true);
    k.at.clearPageTagRef(7);
    const h = { ref: 0, handle: -1 };
    k.at.pageTagRefs.getPageTagRef(7, h);
    k.at.pageTagRefs.putPageTagRef(h);
    expect(h.ref).toBe(1);
    k.free(7);
    expect(k.printk.messages.filter((m) => m.startsWith('alloc_tag'))).toEqual([]);
  });

  // include/linux/alloc_tag.h: alloc_tag_add_check()/alloc_tag_sub_check() WARN_ONCE()s, reported
  // by kernel/panic.c: __warn() with 6.13's line numbers, once per inlined call site.
  it('DEBUG warnings: the __warn() report, once per call site and translation unit', () => {
    const k = boot(true);
    const t = k.kernelTags[0]!;
    const warnings = () => k.printk.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    k.at.pgallocTagAdd(1, k.at.current, 1);
    expect(warnings()).toEqual([
      '------------[ cut here ]------------',
      'current->alloc_tag not set',
      'WARNING: CPU: 0 PID: 0 at include/linux/alloc_tag.h:147 post_alloc_hook+0x0/0x0',
      'Modules linked in:',
      'CPU: 0 UID: 0 PID: 0 Comm: swapper/0 Not tainted 6.13.0 #1',
      'RIP: 0010:post_alloc_hook+0x0/0x0',
      'Call Trace:',
      ' <TASK>',
      ' get_page_from_freelist+0x0/0x0',
      ' __alloc_pages_noprof+0x0/0x0',
      ' </TASK>',
      '---[ end trace 0000000000000000 ]---',
    ]);
    k.printk.clear();
    k.at.pgallocTagAdd(2, k.at.current, 1);
    expect(warnings()).toEqual([]);
    k.at.setCpu(2);
    k.free(3);
    k.free(4);
    k.alloc(5, t);
    k.alloc(5, k.kernelTags[1]!);
    k.alloc(6, t);
    k.alloc(6, t);
    const reports = warnings().filter((m) => m.startsWith('WARNING: '));
    expect(reports).toEqual([
      'WARNING: CPU: 2 PID: 0 at include/linux/alloc_tag.h:152 free_unref_page+0x0/0x0',
      'WARNING: CPU: 2 PID: 0 at include/linux/alloc_tag.h:143 post_alloc_hook+0x0/0x0',
    ]);
    expect(warnings()).toContain('alloc_tag was not cleared (got tag for mm/k0.c:100)');
    expect(warnings()).toContain(
      'CPU: 2 UID: 0 PID: 0 Comm: swapper/0 Tainted: G        W          6.13.0 #1',
    );
    expect(warnings()).toContain('Tainted: [W]=WARN');
    // The same check inlined into lib/alloc_tag.c has a flag of its own.
    k.printk.clear();
    k.at.pgallocTagSplit(1, 1, 0);
    k.at.pgallocTagSplit(2, 1, 0);
    expect(warnings().filter((m) => m.startsWith('WARNING: '))).toEqual([
      'WARNING: CPU: 2 PID: 0 at include/linux/alloc_tag.h:152 pgalloc_tag_split+0x0/0x0',
    ]);
  });

  it('without DEBUG the checks do not exist', () => {
    const k = boot();
    k.at.pgallocTagAdd(1, k.at.current, 1);
    k.free(3);
    k.alloc(5, k.kernelTags[0]!);
    k.alloc(5, k.kernelTags[1]!);
    expect(k.printk.lines.filter((l) => l.level === 'warning')).toEqual([]);
  });

  it('a reference to module-area tags survives unload; the later free is accounted to the copy', () => {
    const k = boot();
    const m = k.load('drv', 2);
    k.alloc(50, m.tags[0]!, 1);
    k.unload(m);
    expect(k.at.pgallocTagGet(50)).toBe(m.tags[0]);
    k.free(50, 1);
    expect(read(m.tags[0]!)).toEqual({ bytes: 0, calls: 0 });
  });
});

describe('alloc_hooks and the current task (include/linux/alloc_tag.h)', () => {
  it('nests: the innermost tag is charged, the previous one restored', () => {
    const k = new TestKernel();
    const [outer, inner] = [k.kernelTags[0]!, k.kernelTags[1]!];
    k.at.allocHooks(outer, () => {
      k.at.allocHooks(inner, () => k.at.pgallocTagAdd(1, k.at.current, 1));
      expect(k.at.current.allocTag).toBe(outer);
      k.at.pgallocTagAdd(2, k.at.current, 1);
    });
    expect(k.at.current.allocTag).toBeNull();
    expect([read(outer).calls, read(inner).calls]).toEqual([1, 1]);
  });

  // include/linux/alloc_tag.h (6.13): alloc_hooks_tag() saves and restores unconditionally.
  it('the tag is installed and restored even while the key is off; nothing is charged', () => {
    const k = new TestKernel({ cmdline: ['0'] });
    const t = k.kernelTags[0]!;
    let inside: unknown = null;
    k.at.allocHooks(t, () => {
      inside = k.at.current.allocTag;
      k.at.pgallocTagAdd(1, k.at.current, 1);
    });
    expect(inside).toBe(t);
    expect(k.at.current.allocTag).toBeNull();
    expect(read(t)).toEqual({ bytes: 0, calls: 0 });
    expect(k.at.pgallocTagGet(1)).toBeNull();
  });

  it('restores the previous tag when the allocation throws', () => {
    const k = new TestKernel();
    const [outer, inner] = [k.kernelTags[0]!, k.kernelTags[1]!];
    k.at.allocHooks(outer, () => {
      expect(() =>
        k.at.allocHooks(inner, () => {
          throw new Error('allocation failed');
        }),
      ).toThrow('allocation failed');
      expect(k.at.current.allocTag).toBe(outer);
    });
    expect(k.at.current.allocTag).toBeNull();
  });

  it('DEBUG: WARN when current->alloc_tag was changed inside', () => {
    const k = new TestKernel({ kconfig: { CONFIG_MEM_ALLOC_PROFILING_DEBUG: true } });
    k.at.allocHooks(k.kernelTags[0]!, () => {
      k.at.current.allocTag = k.kernelTags[1]!;
    });
    expect(k.printk.messages).toContain('current->alloc_tag was changed:');
    expect(k.at.current.allocTag).toBeNull();
  });
});

describe('alloc_tag_top_users (lib/alloc_tag.c)', () => {
  it('sorted by bytes, ties keep iteration order, limited to count', () => {
    const k = new TestKernel({ kernelTags: 6 });
    const t = k.kernelTags;
    k.alloc(1, t[4]!, 2);
    k.alloc(10, t[1]!, 1);
    k.alloc(20, t[3]!, 1);
    k.alloc(30, t[5]!, 0);
    const top = k.at.allocTagTopUsers(3);
    expect(top.map((e) => [e.ct.function, e.bytes])).toEqual([
      ['kfn4', 16384],
      ['kfn1', 8192],
      ['kfn3', 8192],
    ]);
    expect(k.at.allocTagTopUsers(0)).toEqual([]);
    expect(k.at.allocTagTopUsers(10, false)).toHaveLength(6);
  });

  it('is empty before the type is registered', () => {
    expect(new TestKernel({ noInit: true }).at.allocTagTopUsers(10)).toEqual([]);
  });
});

describe('reference operations (include/linux/alloc_tag.h, boolean form)', () => {
  it('ref_set / add / sub / set_codetag_empty', () => {
    const k = new TestKernel();
    const t = k.kernelTags[0]!;
    const ref = new CodetagRef();
    expect(k.at.allocTagRefSet(ref, null)).toBe(false);
    expect(ref.ct).toBe(0);
    expect(k.at.allocTagRefSet(ref, t)).toBe(true);
    expect(read(t)).toEqual({ bytes: 0, calls: 1 });
    k.at.allocTagSub(ref, 0);
    k.at.allocTagAdd(ref, t, 100);
    k.at.allocTagAdd(new CodetagRef(), null, 100);
    expect(read(t)).toEqual({ bytes: 100, calls: 1 });
    k.at.allocTagSub(ref, 100);
    expect([ref.ct, read(t).bytes, read(t).calls]).toEqual([0, 0, 0]);
    k.at.allocTagAdd(ref, t, 8);
    k.at.setCodetagEmpty(ref);
    expect([ref.ct, k.at.isCodetagEmpty(ref)]).toEqual([0, false]);
  });

  it('DEBUG: EMPTY is consumed by sub without touching counters', () => {
    const k = new TestKernel({ kconfig: { CONFIG_MEM_ALLOC_PROFILING_DEBUG: true } });
    const ref = new CodetagRef();
    k.at.setCodetagEmpty(ref);
    expect(k.at.isCodetagEmpty(ref)).toBe(true);
    k.at.allocTagSub(ref, 4096);
    expect(ref.ct).toBe(0);
    k.at.setCodetagEmpty(ref);
    k.at.allocTagAdd(ref, k.kernelTags[0]!, 1);
    expect(k.printk.messages.filter((m) => m.startsWith('alloc_tag was not cleared'))).toEqual([]);
  });
});
