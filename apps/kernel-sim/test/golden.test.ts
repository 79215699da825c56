import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectGolden } from './helpers';

describe('expectGolden', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'golden-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('fails on a missing golden file and writes nothing', () => {
    const path = join(tmp(), 'missing.out');
    expect(() => expectGolden(path, 'output\n', false)).toThrow(/missing: run with UPDATE_GOLDEN=1/);
    expect(existsSync(path)).toBe(false);
  });

  it('fails when the output differs from the golden file', () => {
    const path = join(tmp(), 'a.out');
    writeFileSync(path, 'expected\n');
    expect(() => expectGolden(path, 'actual\n', false)).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('expected\n');
  });

  it('passes on equal output; the update flag (re)writes the file, creating directories', () => {
    const path = join(tmp(), 'sub', 'b.out');
    expectGolden(path, 'new\n', true);
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expectGolden(path, 'new\n', false);
  });
});
