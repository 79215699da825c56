import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AllocTag } from './alloc_tag';
import { ALLOCINFO_HEADER, allocTagLine, formatAllocinfo, parseAllocinfo } from './allocinfo';
import { AllocTagCounters } from './counters';
import { AllocTagError } from './types';

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8');

function tag(c: AllocTagCounters, address: number, site: ConstructorParameters<typeof AllocTag>[1]) {
  return new AllocTag(address, site, c);
}

describe('/proc/allocinfo text (format 1.0, lib/alloc_tag.c: allocinfo_show())', () => {
  it('header is byte-exact', () => {
    expect(ALLOCINFO_HEADER).toBe('allocinfo - version: 1.0\n#     <size>  <calls> <tag info>\n');
  });

  it('a built-in tag holding 8 MiB in 2048 pages, summed over two CPUs', () => {
    const c = new AllocTagCounters(2);
    const t = tag(c, 0x1000, { filename: 'mm/filemap.c', lineno: 1919, function: '__filemap_get_folio' });
    c.bytes[t.id * 2] = 4 * 1024 * 1024;
    c.bytes[t.id * 2 + 1] = 4 * 1024 * 1024;
    c.calls[t.id * 2] = 2048;
    expect(allocTagLine(t)).toBe('     8388608     2048 mm/filemap.c:1919 func:__filemap_get_folio \n');
  });

  it('golden file: widths, signed bytes, per-CPU sums, module names, wide numbers', () => {
    const c = new AllocTagCounters(4);
    const set = (t: AllocTag, perCpuBytes: number[], perCpuCalls: number[]) => {
      perCpuBytes.forEach((b, cpu) => {
        c.bytes[t.id * 4 + cpu] = b;
      });
      perCpuCalls.forEach((n, cpu) => {
        c.calls[t.id * 4 + cpu] = n;
      });
    };
    const tags = [
      tag(c, 0x1000, { filename: 'mm/filemap.c', lineno: 1919, function: '__filemap_get_folio' }),
      tag(c, 0x1028, { filename: 'mm/slub.c', lineno: 2259, function: 'alloc_slab_page' }),
      tag(c, 0x1050, { filename: 'mm/percpu.c', lineno: 512, function: 'pcpu_mem_zalloc' }),
      tag(c, 0x2000, {
        filename: 'drivers/demo/demo.c',
        lineno: 42,
        function: 'demo_probe',
        modname: 'demo_drv',
      }),
      tag(c, 0x2028, {
        filename: 'lib/very/long/path/that/keeps/going.c',
        lineno: 4294967295,
        function: 'f',
        modname: 'a_module_with_a_long_name',
      }),
    ];
    set(tags[0]!, [4194304, 0, 4194304, 0], [1024, 1024, 0, 0]);
    set(tags[1]!, [4096, -4096], [1, -1]);
    set(tags[2]!, [0, 0, 0, -4096], [0, 0, 0, 1]);
    set(tags[3]!, [163840], [40]);
    set(tags[4]!, [123456789012345], [4294967296]);
    expect(formatAllocinfo(tags)).toBe(fixture('allocinfo-v1.golden.txt'));
  });

  it('a negative calls sum prints as u64', () => {
    const c = new AllocTagCounters(1);
    const t = tag(c, 0x1000, { filename: 'a.c', lineno: 1, function: 'f' });
    c.calls[t.id] = -1;
    expect(allocTagLine(t)).toBe('           0 18446744073709551615 a.c:1 func:f \n');
  });
});

describe('parseAllocinfo', () => {
  it('round-trips our golden file', () => {
    const p = parseAllocinfo(fixture('allocinfo-v1.golden.txt'));
    expect(p.version).toBe('1.0');
    expect(
      p.entries.map((e) => [e.bytes, e.calls, e.filename, e.lineno, e.modname, e.function, e.line]),
    ).toEqual([
      [8388608, 2048, 'mm/filemap.c', 1919, null, '__filemap_get_folio', 3],
      [0, 0, 'mm/slub.c', 2259, null, 'alloc_slab_page', 4],
      [-4096, 1, 'mm/percpu.c', 512, null, 'pcpu_mem_zalloc', 5],
      [163840, 40, 'drivers/demo/demo.c', 42, 'demo_drv', 'demo_probe', 6],
      [
        123456789012345,
        4294967296,
        'lib/very/long/path/that/keeps/going.c',
        4294967295,
        'a_module_with_a_long_name',
        'f',
        7,
      ],
    ]);
    expect(p.entries.every((e) => e.accurate && !e.approximate)).toBe(true);
  });

  it('kernel documentation example (Documentation/filesystems/proc.rst: tail -n +3 | sort -rn)', () => {
    const text = [
      '   127664128    31168 mm/page_ext.c:270 func:alloc_page_ext',
      '    56373248     4737 mm/slub.c:2259 func:alloc_slab_page',
      '     4136960     1010 drivers/staging/ctagmod/ctagmod.c:20 [ctagmod] func:ctagmod_start',
      '     2894464    22613 fs/kernfs/dir.c:615 func:__kernfs_new_node',
    ].join('\n');
    const p = parseAllocinfo(text);
    expect(p.version).toBeNull();
    expect(p.entries[0]).toMatchObject({
      bytes: 127664128,
      calls: 31168,
      filename: 'mm/page_ext.c',
      lineno: 270,
    });
    expect(p.entries[2]).toMatchObject({
      modname: 'ctagmod',
      function: 'ctagmod_start',
      filename: 'drivers/staging/ctagmod/ctagmod.c',
    });
  });

  it('kernel documentation example (Documentation/mm/allocation-profiling.rst: sort -g | numfmt --to=iec)', () => {
    const text = [
      '        2.8M    22648 fs/kernfs/dir.c:615 func:__kernfs_new_node',
      '        4.0M     1010 drivers/staging/ctagmod/ctagmod.c:20 [ctagmod] func:ctagmod_start',
      '         13M      234 block/blk-mq.c:3421 func:blk_mq_alloc_rqs',
      '        122M    31168 mm/page_ext.c:270 func:alloc_page_ext',
    ].join('\n');
    const p = parseAllocinfo(text);
    expect(p.entries.map((e) => [e.bytes, e.approximate])).toEqual([
      [Math.round(2.8 * 1024 ** 2), true],
      [4 * 1024 ** 2, true],
      [13 * 1024 ** 2, true],
      [122 * 1024 ** 2, true],
    ]);
  });

  it('format 2.0 with accurate:no (the 2025 change log example)', () => {
    const text = [
      'allocinfo - version: 2.0',
      '#     <size>  <calls> <tag info>',
      '           0        0 arch/x86/kernel/alternative.c:127 func:__its_alloc accurate:no ',
      '       49152       48 arch/x86/kernel/cpu/mce/core.c:2709 func:mce_device_create accurate:no ',
      '       32768        1 arch/x86/kernel/cpu/mce/genpool.c:132 func:mce_gen_pool_create ',
      '',
    ].join('\n');
    const p = parseAllocinfo(text);
    expect(p.version).toBe('2.0');
    expect(p.entries.map((e) => [e.bytes, e.calls, e.function, e.accurate, e.extra])).toEqual([
      [0, 0, '__its_alloc', false, { accurate: 'no' }],
      [49152, 48, 'mce_device_create', false, { accurate: 'no' }],
      [32768, 1, 'mce_gen_pool_create', true, {}],
    ]);
  });

  it('absolute paths (out-of-tree modules), colons in paths, CRLF and u64 wrap of negative sums', () => {
    const text =
      '       -8192 18446744073709551615 /home/me/src/drv/x.c:77 [x] func:x_init \r\n' +
      '        4096        1 /tmp/a:b/c.c:3 func:g \n';
    const p = parseAllocinfo(text);
    expect(p.entries[0]).toMatchObject({
      bytes: -8192,
      calls: -1,
      filename: '/home/me/src/drv/x.c',
      modname: 'x',
    });
    expect(p.entries[1]).toMatchObject({ filename: '/tmp/a:b/c.c', lineno: 3, function: 'g' });
    // The u64 image of -4096 in the bytes column, as a tool printing %llu would write it.
    expect(parseAllocinfo('18446744073709547520        2 a.c:1 func:f \n').entries[0]).toMatchObject({
      bytes: -4096,
      calls: 2,
    });
    expect(parseAllocinfo('9007199254740991 1 a.c:1 func:f\n').entries[0]!.bytes).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it.each([
    ['allocinfo - version: 3.0\n', 1, 'unsupported allocinfo version 3.0'],
    ['allocinfo - version 1.0\n', 1, 'malformed version header'],
    [`${ALLOCINFO_HEADER}       x        1 a.c:1 func:f \n`, 3, 'size: "x"'],
    [`${ALLOCINFO_HEADER}       1       -1 a.c:1 func:f \n`, 3, 'calls: "-1"'],
    [
      `${ALLOCINFO_HEADER}9007199254740993        1 a.c:1 func:f \n`,
      3,
      'size: "9007199254740993" (9007199254740993 as s64) is beyond ±2^53',
    ],
    [
      `${ALLOCINFO_HEADER}9223372036854775808        1 a.c:1 func:f \n`,
      3,
      'size: "9223372036854775808" (-9223372036854775808 as s64) is beyond',
    ],
    [
      `${ALLOCINFO_HEADER}       1 9007199254740993 a.c:1 func:f \n`,
      3,
      'calls: "9007199254740993" (9007199254740993 as s64) is beyond',
    ],
    [`${ALLOCINFO_HEADER}       1        1 a.c func:f \n`, 3, 'tag info'],
    [`${ALLOCINFO_HEADER}       1        1 a.c:1 fn:f \n`, 3, 'tag info'],
    [`${ALLOCINFO_HEADER}       1        1 a.c:1 func:f accurate:no \n`, 3, 'need format 2.0'],
    [`${ALLOCINFO_HEADER}\n\n       1 \n`, 5, 'expected "<size> <calls> <tag info>"'],
    [`       1        1 a.c:1 func:f \n${ALLOCINFO_HEADER}`, 2, 'version header after the first line'],
  ])('malformed input %#: error names the line', (text, line, what) => {
    try {
      parseAllocinfo(text, 'snap.txt');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AllocTagError);
      expect((e as AllocTagError).code).toBe('EINVAL');
      expect((e as AllocTagError).line).toBe(line);
      expect((e as Error).message).toContain(`snap.txt:${line}: `);
      expect((e as Error).message).toContain(what);
    }
  });
});
