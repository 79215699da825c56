import { describe, expect, it } from 'vitest';
import { MODULES_END, MODULES_VADDR, PAGE_SIZE, VMALLOC_END, VMALLOC_START } from './constants';
import { VmallocError } from './errors';
import {
  EXECMEM_KASAN_SHADOW,
  EXECMEM_ROX_CACHE,
  ExecmemType,
  execmemInit,
  execmemTypeName,
  x86_64ExecmemRanges,
} from './execmem';
import { RecordingPrintk } from './test-helpers';

describe('execmem_init', () => {
  it('enumerates the types like include/linux/execmem.h', () => {
    expect(ExecmemType.EXECMEM_MODULE_TEXT).toBe(ExecmemType.EXECMEM_DEFAULT);
    expect([
      ExecmemType.EXECMEM_DEFAULT,
      ExecmemType.EXECMEM_KPROBES,
      ExecmemType.EXECMEM_FTRACE,
      ExecmemType.EXECMEM_BPF,
      ExecmemType.EXECMEM_MODULE_DATA,
      ExecmemType.EXECMEM_TYPE_MAX,
    ]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(execmemTypeName(ExecmemType.EXECMEM_MODULE_DATA)).toBe('EXECMEM_MODULE_DATA');
    expect(() => execmemTypeName(ExecmemType.EXECMEM_TYPE_MAX)).toThrow(VmallocError);
  });

  it('without an architecture table: DEFAULT is the vmalloc range, executable, alignment 1; MODULE_DATA is PAGE_KERNEL', () => {
    const ranges = execmemInit(null, VMALLOC_START, VMALLOC_END, new RecordingPrintk());
    expect(ranges).toHaveLength(ExecmemType.EXECMEM_TYPE_MAX);
    for (let t = 0; t < ExecmemType.EXECMEM_TYPE_MAX; t++) {
      const r = ranges[t]!;
      expect([r.start, r.end, r.alignment, r.fallbackStart, r.fallbackEnd, r.flags]).toEqual([
        VMALLOC_START,
        VMALLOC_END,
        1,
        0,
        0,
        0,
      ]);
      expect(r.pgprot).toBe(t === ExecmemType.EXECMEM_MODULE_DATA ? 'PAGE_KERNEL' : 'PAGE_KERNEL_EXEC');
    }
  });

  it('x86_64 table: every type in the module range with MODULE_ALIGN', () => {
    const ranges = execmemInit(x86_64ExecmemRanges(), VMALLOC_START, VMALLOC_END, new RecordingPrintk());
    for (const r of ranges) {
      expect(r).toMatchObject({
        start: MODULES_VADDR,
        end: MODULES_END,
        alignment: PAGE_SIZE,
        pgprot: 'PAGE_KERNEL',
      });
      expect(r.flags).toBe(EXECMEM_KASAN_SHADOW);
    }
  });

  it('keeps ranges the architecture set and copies DEFAULT (incl. fallback) into the others', () => {
    const ranges = execmemInit(
      {
        [ExecmemType.EXECMEM_DEFAULT]: {
          start: 0x1000_0000,
          end: 0x2000_0000,
          fallbackStart: 0x3000_0000,
          fallbackEnd: 0x4000_0000,
          pgprot: 'PAGE_KERNEL_EXEC',
          alignment: 0x10000,
        },
        [ExecmemType.EXECMEM_BPF]: {
          start: 0x5000_0000,
          end: 0x5100_0000,
          pgprot: 'PAGE_KERNEL_ROX',
          alignment: 1,
        },
      },
      VMALLOC_START,
      VMALLOC_END,
      new RecordingPrintk(),
    );
    expect(ranges[ExecmemType.EXECMEM_BPF]).toEqual({
      start: 0x5000_0000,
      end: 0x5100_0000,
      fallbackStart: 0,
      fallbackEnd: 0,
      pgprot: 'PAGE_KERNEL_ROX',
      alignment: 1,
      flags: 0,
    });
    expect(ranges[ExecmemType.EXECMEM_KPROBES]).toEqual(ranges[ExecmemType.EXECMEM_DEFAULT]);
    expect(ranges[ExecmemType.EXECMEM_MODULE_DATA]).toEqual({
      ...ranges[ExecmemType.EXECMEM_DEFAULT],
      pgprot: 'PAGE_KERNEL',
    });
    expect(ranges[ExecmemType.EXECMEM_MODULE_DATA]!.fallbackStart).toBe(0x3000_0000);
  });

  it('drops the ROX cache flag with one warning (no ARCH_HAS_EXECMEM_ROX)', () => {
    const log = new RecordingPrintk();
    const ranges = execmemInit(
      {
        [ExecmemType.EXECMEM_DEFAULT]: {
          start: MODULES_VADDR,
          end: MODULES_END,
          pgprot: 'PAGE_KERNEL_ROX',
          alignment: PAGE_SIZE,
          flags: EXECMEM_KASAN_SHADOW | EXECMEM_ROX_CACHE,
        },
        [ExecmemType.EXECMEM_BPF]: {
          start: MODULES_VADDR,
          end: MODULES_END,
          pgprot: 'PAGE_KERNEL',
          alignment: PAGE_SIZE,
          flags: EXECMEM_ROX_CACHE,
        },
      },
      VMALLOC_START,
      VMALLOC_END,
      log,
    );
    expect(ranges.map((r) => r.flags & EXECMEM_ROX_CACHE)).toEqual([0, 0, 0, 0, 0]);
    expect(log.lines).toEqual(['warning: ROX cache is not supported']);
  });

  it('rejects invalid tables with EINVAL', () => {
    const log = new RecordingPrintk();
    const ok = {
      start: MODULES_VADDR,
      end: MODULES_END,
      pgprot: 'PAGE_KERNEL' as const,
      alignment: PAGE_SIZE,
    };
    const bad: unknown[] = [
      {},
      { [ExecmemType.EXECMEM_BPF]: ok },
      { 0: { ...ok, alignment: 3 } },
      { 0: { ...ok, alignment: 0 } },
      { 0: { ...ok, start: ok.end } },
      { 0: { ...ok, start: ok.start + 1 } },
      { 0: { ...ok, end: 2 ** 48 } },
      { 0: { ...ok, pgprot: 'PAGE_SHARED' } },
      { 0: { ...ok, flags: 4 } },
      { 0: { ...ok, fallbackStart: 0x1000, fallbackEnd: 0x1000 } },
      { 0: ok, 7: ok },
    ];
    for (const table of bad) {
      const e = (() => {
        try {
          execmemInit(table as never, VMALLOC_START, VMALLOC_END, log);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(VmallocError);
      expect((e as VmallocError).code).toBe('EINVAL');
    }
    expect(log.lines).toEqual([]);
  });
});
