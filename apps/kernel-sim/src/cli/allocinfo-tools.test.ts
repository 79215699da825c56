import fc from 'fast-check';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { type AllocinfoFile, parseAllocinfoText } from './allocinfo-file';
import { allocinfoDiff, allocinfoTop, formatTop } from './allocinfo-tools';
import { CliError } from './errors';

const plain = pc.createColors(false);

function file(name: string, rows: readonly [number, number, string][], version = '1.0'): AllocinfoFile {
  const text = `allocinfo - version: ${version}\n#     <size>  <calls> <tag info>\n${rows
    .map(([b, c, t]) => `${String(b).padStart(12)} ${String(c).padStart(8)} ${t} \n`)
    .join('')}`;
  return parseAllocinfoText(text, name);
}

const A = file('a', [
  [8192, 2, 'mm/a.c:1 func:fa'],
  [4096, 1, 'mm/sub/b.c:2 func:fb'],
  [0, 0, 'drivers/x/y.c:3 [mod] func:fy'],
  [4096, 1, 'include/linux/mm.h:9 func:inl'],
  [4096, 1, 'include/linux/mm.h:9 func:inl'],
]);

describe('allocinfoTop', () => {
  it('sorts by bytes, sums tags of the same text, applies --min and -n', () => {
    const r = allocinfoTop(A, { sort: 'bytes', minBytes: 1, lines: 0, tree: false, depth: 2 });
    expect(r.rows.map((x) => [x.name, x.bytes, x.calls])).toEqual([
      ['include/linux/mm.h:9 func:inl', 8192, 2],
      ['mm/a.c:1 func:fa', 8192, 2],
      ['mm/sub/b.c:2 func:fb', 4096, 1],
    ]);
    expect(r.sites).toBe(4);
    expect(r.totalBytes).toBe(20480);
    expect(
      allocinfoTop(A, { sort: 'calls', minBytes: 0, lines: 1, tree: false, depth: 2 }).rows,
    ).toHaveLength(1);
  });

  it('sums by path prefix in tree mode', () => {
    const r = allocinfoTop(A, { sort: 'bytes', minBytes: 0, lines: 0, tree: true, depth: 1 });
    expect(r.rows.map((x) => [x.level, x.name, x.bytes])).toEqual([
      [0, '(all)', 20480],
      [1, 'mm/', 12288],
      [1, 'include/', 8192],
      [1, 'drivers/', 0],
    ]);
    expect(formatTop(r, plain)).toContain('\n   12.0 KiB          3    mm/\n');
  });
});

describe('allocinfoDiff', () => {
  it('classifies changes', () => {
    const B = file('b', [
      [4096, 1, 'mm/a.c:1 func:fa'],
      [4096, 2, 'mm/sub/b.c:2 func:fb'],
      [8192, 2, 'include/linux/mm.h:9 func:inl'],
      [100, 1, 'net/n.c:4 [newmod] func:fn'],
    ]);
    const d = allocinfoDiff(A, B);
    expect(d.shrank.map((r) => r.site)).toEqual(['mm/a.c:1 func:fa']);
    expect(d.grew.map((r) => [r.site, r.deltaBytes, r.deltaCalls])).toEqual([['mm/sub/b.c:2 func:fb', 0, 1]]);
    expect(d.appeared.map((r) => r.site)).toEqual(['net/n.c:4 [newmod] func:fn']);
    expect(d.vanished.map((r) => r.site)).toEqual(['drivers/x/y.c:3 [mod] func:fy']);
    expect(d.deltaBytes).toBe(16484 - 20480);
  });

  it('is empty against itself and adds up to the totals (property)', () => {
    const row = fc.tuple(
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.integer({ min: 0, max: 2 ** 20 }),
      fc.integer({ min: 1, max: 30 }),
    );
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), fc.array(row, { maxLength: 20 }), (ra, rb) => {
        const mk = (name: string, rows: [number, number, number][]) =>
          file(
            name,
            rows.map(([b, c, l]) => [b, c, `mm/f${l}.c:${l} func:f${l}`] as [number, number, string]),
          );
        const fa = mk('a', ra);
        const fb = mk('b', rb);
        const self = allocinfoDiff(fa, fa);
        expect(self.grew.length + self.shrank.length + self.appeared.length + self.vanished.length).toBe(0);
        const d = allocinfoDiff(fa, fb);
        const total = (f: AllocinfoFile) => f.entries.reduce((s, e) => s + e.bytes, 0);
        expect(d.deltaBytes).toBe(total(fb) - total(fa));
      }),
      { numRuns: 100 },
    );
  });
});

describe('parseAllocinfoText', () => {
  it('reads 2.0 files with accurate:no and rejects broken ones with FILE:LINE', () => {
    const f = file('v2', [[4096, 1, 'mm/a.c:1 func:fa accurate:no']], '2.0');
    expect(f.version).toBe('2.0');
    expect(f.entries[0]?.accurate).toBe(false);
    expect(() => parseAllocinfoText('allocinfo - version: 1.0\n   1 2 nonsense\n', 'x.txt')).toThrow(
      CliError,
    );
    expect(() => parseAllocinfoText('allocinfo - version: 1.0\n   1 2 nonsense\n', 'x.txt')).toThrow(
      /^x\.txt:2: /,
    );
    expect(() => parseAllocinfoText('', 'empty.txt')).toThrow('empty.txt:1: not an allocinfo file');
  });
});
