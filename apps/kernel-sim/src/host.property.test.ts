import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryFiles } from './host';

/** The reference: a set of file paths; a directory is any proper prefix ending at a `/`. */
function modelDirs(files: ReadonlyMap<string, string>): Set<string> {
  const dirs = new Set<string>(['.']);
  for (const p of files.keys()) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return dirs;
}

const segment = fc.constantFrom('a', 'b', 'mods', 'x.json', 'y.config');
const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
const op = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), path, text: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('remove' as const), path }),
);

describe('MemoryFiles against a map of paths', () => {
  it('reads, lists and refuses exactly what the map says', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.array(path, { maxLength: 10 }), (ops, probes) => {
        const f = new MemoryFiles();
        const model = new Map<string, string>();
        for (const o of ops) {
          if (o.kind === 'remove') {
            f.remove(o.path);
            model.delete(o.path);
            continue;
          }
          // A directory cannot become a file, nor can anything go below a file.
          const dirs = modelDirs(model);
          if (dirs.has(o.path)) {
            expect(() => f.write(o.path, o.text)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
            continue;
          }
          if ([...model.keys()].some((p) => o.path.startsWith(`${p}/`))) {
            expect(() => f.write(o.path, o.text)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
            continue;
          }
          f.write(o.path, o.text);
          model.set(o.path, o.text);
        }
        const dirs = modelDirs(model);
        for (const p of [...probes, ...model.keys()]) {
          expect(f.exists(p)).toBe(model.has(p) || dirs.has(p));
          if (model.has(p)) expect(f.readText(p)).toBe(model.get(p));
          else if (dirs.has(p))
            expect(() => f.readText(p)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
          else expect(() => f.readText(p)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
        }
        for (const d of dirs) {
          const expected = new Map<string, boolean>();
          for (const p of model.keys()) {
            const rel = d === '.' ? p : p.startsWith(`${d}/`) ? p.slice(d.length + 1) : null;
            if (rel === null) continue;
            const slash = rel.indexOf('/');
            const name = slash < 0 ? rel : rel.slice(0, slash);
            expected.set(name, (expected.get(name) ?? false) || slash >= 0);
          }
          const listed = f.list(d);
          expect(new Map(listed.map((e) => [e.name, e.directory]))).toEqual(expected);
          expect(listed.map((e) => e.name)).toEqual([...listed.map((e) => e.name)].sort());
        }
      }),
    );
  });
});
