import { describe, expect, it } from 'vitest';
import { readInputFile } from './cli/files';
import { MemoryFiles, NO_HOST } from './host';

describe('MemoryFiles (the host files of a browser and of tests)', () => {
  it('reads what was written and lists directories implied by the paths', () => {
    const f = new MemoryFiles({ 'mods/a.json': '{}', 'mods/sub/b.json': '[]', 'x.config': 'CONFIG_X=y' });
    expect(f.readText('mods/a.json')).toBe('{}');
    expect(f.readText('./x.config')).toBe('CONFIG_X=y');
    expect(f.exists('mods')).toBe(true);
    expect(f.exists('mods/sub/')).toBe(true);
    expect(f.exists('nope.json')).toBe(false);
    expect(f.list('.')).toEqual([
      { name: 'mods', directory: true },
      { name: 'x.config', directory: false },
    ]);
    expect(f.list('mods/')).toEqual([
      { name: 'a.json', directory: false },
      { name: 'sub', directory: true },
    ]);
    expect(f.list('missing')).toEqual([]);
    f.write('x.config', 'CONFIG_Y=y');
    expect(f.readText('x.config')).toBe('CONFIG_Y=y');
    f.remove('x.config');
    expect(f.exists('x.config')).toBe(false);
  });

  it('fails like a file system: ENOENT, EISDIR, and no file named like a directory', () => {
    const f = new MemoryFiles({ 'mods/a.json': '{}' });
    expect(() => f.readText('b.json')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => f.readText('mods')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => f.write('mods', 'x')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => f.write('', 'x')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => f.write('mods/a.json/x', 'x')).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(f.readText('mods/a.json')).toBe('{}');
  });

  it('gives the command line its one-line messages through readInputFile', () => {
    const f = new MemoryFiles({ 'mods/a.json': '{}' });
    expect(readInputFile(f, 'mods/a.json')).toBe('{}');
    expect(() => readInputFile(f, 'b.json')).toThrow("cannot read 'b.json': No such file or directory");
    expect(() => readInputFile(f, 'mods')).toThrow("cannot read 'mods': Is a directory");
    expect(() => readInputFile(NO_HOST.files, '-')).toThrow("cannot read '-': No such file or directory");
  });
});
