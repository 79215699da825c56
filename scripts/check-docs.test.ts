import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkFiles,
  checkRepo,
  githubSlug,
  headingAnchors,
  markdownLinks,
  REPO_URL,
  // @ts-expect-error plain ESM script without declarations
} from './check-docs.mjs';

const script = path.join(import.meta.dirname, 'check-docs.mjs');
const repoRoot = path.join(import.meta.dirname, '..');

// The outside references are assembled from pieces so that this file does not contain them.
const SHARED = `../${'shared'}/${'spec'}/notes.md`;
const SECTION = `\u00a7${'6.7'}`;
const SEMANTICS = `kernel-${'semantics'}`;
const SPEC_DOC = `spec/${'benchmarks'}.md`;
const BENCH_DOC = `${'benchmarks'}.md`;
const ARCH_DOC = `${'architecture'}.md`;

type Problem = { file: string; line: number; message: string };

function check(files: Record<string, string>) {
  return checkFiles(new Map(Object.entries(files)), Object.keys(files)) as { problems: Problem[] };
}

describe('githubSlug', () => {
  it('lower-cases, drops punctuation and code marks, turns each space into a hyphen', () => {
    expect(githubSlug('Following one page allocation')).toBe('following-one-page-allocation');
    expect(githubSlug('`mas_for_each_rev` / `forEachRev`')).toBe('mas_for_each_rev--foreachrev');
    expect(githubSlug('Layers & allowed imports (v4)')).toBe('layers--allowed-imports-v4');
    expect(githubSlug('A [link](x.md) in it')).toBe('a-link-in-it');
    expect(githubSlug('Größe')).toBe('größe');
  });
});

describe('headingAnchors', () => {
  it('numbers repeated headings, skips code blocks, and takes HTML ids', () => {
    const md =
      '# Title\n## Usage\n```sh\n# not a heading\n```\n## Usage\n<a id="custom"></a>\n### Closing ###\n';
    expect([...headingAnchors(md)].sort()).toEqual(['closing', 'custom', 'title', 'usage', 'usage-1']);
  });
});

describe('markdownLinks', () => {
  it('finds inline, image, reference and HTML links, not those in code', () => {
    const md = [
      'See [the map](docs/kernel-map.md#x) and ![pic](img/a.png "title").',
      '`[not](a-link.md)` and [ok](<with space.md>)',
      '```',
      '[in code](nope.md)',
      '```',
      '[ref]: ../README.md',
      '<img src="logo.svg"> <a href="docs/">docs</a>',
    ].join('\n');
    expect(markdownLinks(md)).toEqual([
      { line: 1, target: 'docs/kernel-map.md#x' },
      { line: 1, target: 'img/a.png' },
      { line: 2, target: 'with space.md' },
      { line: 6, target: '../README.md' },
      { line: 7, target: 'logo.svg' },
      { line: 7, target: 'docs/' },
    ]);
  });
});

describe('links', () => {
  const base = {
    'README.md': '# allocprof\n',
    [`docs/${ARCH_DOC}`]: '# Architecture\n## Memory layout\n',
    'packages/x/src/index.ts': 'export {};\n',
  };

  it('accepts links to files, directories, headings and this repository on GitHub', () => {
    const { problems } = check({
      ...base,
      [`docs/${BENCH_DOC}`]: [
        '# Benchmarks',
        `[arch](${ARCH_DOC}#memory-layout) [up](../README.md) [dir](../packages/x)`,
        '[self](#benchmarks) [npm](https://www.npmjs.com/package/x) [mail](mailto:a@b.c)',
        `[gh](${REPO_URL}/blob/main/docs/${ARCH_DOC}#memory-layout) [tree](${REPO_URL}/tree/main/packages/x)`,
        `[home](${REPO_URL}#readme) [root](/docs/${ARCH_DOC})`,
      ].join('\n'),
    });
    expect(problems).toEqual([]);
  });

  it('rejects a missing file, a missing heading, a broken image and a link out of the repository', () => {
    const { problems } = check({
      ...base,
      'packages/x/README.md': [
        '[gone](../../docs/nothing.md)',
        `[bad anchor](../../docs/${ARCH_DOC}#no-such-heading)`,
        '![pic](shot.png)',
        '[out](../../../elsewhere/README.md)',
        `[gh](${REPO_URL}/blob/main/docs/missing.md)`,
        '[here](#nowhere)',
      ].join('\n'),
    });
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [1, "link '../../docs/nothing.md' does not resolve to a tracked file or directory"],
      [
        2,
        `link '../../docs/${ARCH_DOC}#no-such-heading' names no heading '#no-such-heading' in docs/${ARCH_DOC}`,
      ],
      [3, "link 'shot.png' does not resolve to a tracked file or directory"],
      [4, "link '../../../elsewhere/README.md' leaves the repository"],
      [5, `link '${REPO_URL}/blob/main/docs/missing.md' does not resolve to a tracked file or directory`],
      [6, "link '#nowhere' names no heading '#nowhere' in packages/x/README.md"],
    ]);
  });

  it('rejects the design documents of the development machine', () => {
    const { problems } = check({ ...base, 'README.md': `# allocprof\n[spec](${SHARED})\n` });
    expect(problems.map((p) => p.line)).toEqual([2, 2]);
    expect(problems[0]!.message).toMatch(/leaves the repository/);
    expect(problems[1]!.message).toMatch(/outside the repository/);
  });
});

describe('references that leave the repository', () => {
  it('finds section marks, outside document names and machine paths in any text file', () => {
    const { problems } = check({
      [`docs/${BENCH_DOC}`]: '# B\n',
      'src/a.ts': [
        `// the hooks of ${SECTION}`,
        `// see ${SEMANTICS} for the rules`,
        `// measured as ${SPEC_DOC} says`,
        `program.description('overhead across modes (${BENCH_DOC})');`,
        `const p = '/${'work'}/repo/x';`,
        `// the preset of ${'example'} B`,
        `// fine: docs/${BENCH_DOC} and the tables of docs/${BENCH_DOC}#scale`,
        '// fine: https://example.com/work/x and a §-less sentence',
      ].join('\n'),
    });
    expect(problems.map((p) => [p.line, p.message.split(':')[0]])).toEqual([
      [1, 'section mark of an outside document'],
      [2, 'names an outside design document'],
      [3, 'names an outside design document'],
      [4, `'${BENCH_DOC}' names no file of this repository (link into docs/ or cite the kernel)`],
      [5, 'absolute path of the development machine'],
      [6, 'worked-example label of an outside document'],
    ]);
  });

  it('accepts a document name that resolves from the file or from the root, and a repository URL', () => {
    const { problems } = check({
      [`docs/${BENCH_DOC}`]: '# B\n',
      [`docs/${ARCH_DOC}`]: `# A\nSee ${BENCH_DOC} next to this page.\n`,
      'packages/x/README.md': `[b](../../docs/${BENCH_DOC}) and ${REPO_URL}/blob/main/docs/${BENCH_DOC}\n`,
    });
    expect(problems).toEqual([]);
  });
});

describe('the command', () => {
  function tree(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-docs-'));
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), text);
    }
    return root;
  }

  it('exits 0 on a clean tree (no git: every file outside build output)', () => {
    const root = tree({
      'README.md': '[docs](docs/a.md)\n',
      'docs/a.md': '# A\n',
      'dist/x.md': `${SECTION}\n`,
    });
    const out = execFileSync(process.execPath, [script, root], { encoding: 'utf8' });
    expect(out).toMatch(/check-docs: 2 files; every Markdown link resolves/);
  });

  it('exits 1 naming file and line of each problem', () => {
    const root = tree({ 'README.md': '# R\n[docs](docs/a.md)\n' });
    let stderr = '';
    try {
      execFileSync(process.execPath, [script, root], { stdio: 'pipe' });
    } catch (e) {
      stderr = String((e as { stderr: Buffer }).stderr);
      expect((e as { status: number }).status).toBe(1);
    }
    expect(stderr).toMatch(/README\.md:2: link 'docs\/a\.md' does not resolve/);
  });

  it('exits 1 on a reference outside the repository in any file, source included', () => {
    const root = tree({
      'README.md': '# R\n',
      'apps/kernel-sim/src/a.ts': `// see ${SECTION}\n`,
      'packages/x/src/b.test.ts': `describe('${SPEC_DOC}', () => {});\n`,
    });
    let stderr = '';
    try {
      execFileSync(process.execPath, [script, root], { stdio: 'pipe' });
      expect.unreachable('check-docs passed a tree with outside references');
    } catch (e) {
      stderr = String((e as { stderr: Buffer }).stderr);
      expect((e as { status: number }).status).toBe(1);
    }
    expect(stderr).toMatch(/apps\/kernel-sim\/src\/a\.ts:1: section mark of an outside document/);
    expect(stderr).toMatch(/packages\/x\/src\/b\.test\.ts:1: names an outside design document/);
    expect(stderr).toMatch(/2 problem\(s\) in 3 files/);
  });

  it('passes on this repository', () => {
    expect(checkRepo(repoRoot).problems).toEqual([]);
  });
});
