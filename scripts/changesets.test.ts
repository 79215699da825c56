import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without declarations
import { parseChangesetText, readChangesets } from './changesets.mjs';
// @ts-expect-error plain ESM script without declarations
import { workspacePackages } from './workspace.mjs';

const repoRoot = path.join(import.meta.dirname, '..');
const packages = new Map([
  ['@allocprof/codetag', true],
  ['@allocprof/secret', false],
]);

describe('changesets', () => {
  it('parses every changeset of the repository', () => {
    const published = new Map(
      workspacePackages(repoRoot).map((p: { name: string; manifest: { private?: boolean } }) => [
        p.name,
        p.manifest.private !== true,
      ]),
    );
    const all = readChangesets(path.join(repoRoot, '.changeset'), published);
    expect(all.length).toBeGreaterThan(0);
    for (const c of all) expect(c.summary.trim(), c.file).not.toBe('');
  });

  it('reads the packages, bumps and summary of a well-formed changeset', () => {
    const c = parseChangesetText(
      '---\n"@allocprof/codetag": minor\n---\n\nFirst release.\n',
      'x.md',
      packages,
    );
    expect(c.releases).toEqual([{ name: '@allocprof/codetag', type: 'minor' }]);
    expect(c.summary).toBe('First release.');
  });

  it('names the file whose frontmatter is a heading instead of YAML', () => {
    const text = '---\n\n## "@allocprof/codetag": minor\n\nFirst release.\n';
    expect(() => parseChangesetText(text, '.changeset/codetag-initial.md', packages)).toThrow(
      /^\.changeset\/codetag-initial\.md: could not parse changeset - missing or invalid frontmatter/,
    );
  });

  it('rejects unknown bumps, unknown and private packages, and a release without a summary', () => {
    const bad: [string, RegExp][] = [
      ['---\n"@allocprof/codetag": huge\n---\n\nx\n', /a\.md: .*invalid version type "huge"/],
      ['---\n"@allocprof/nosuch": patch\n---\n\nx\n', /a\.md: '@allocprof\/nosuch' is not a package/],
      ['---\n"@allocprof/secret": patch\n---\n\nx\n', /a\.md: '@allocprof\/secret' is private/],
      ['---\n"@allocprof/codetag": patch\n---\n', /a\.md: no summary/],
    ];
    for (const [text, re] of bad) expect(() => parseChangesetText(text, 'a.md', packages), text).toThrow(re);
  });

  it('accepts an empty changeset (no release, as `changeset --empty` writes it)', () => {
    expect(parseChangesetText('---\n---\n\nDocs only.\n', 'e.md', packages).releases).toEqual([]);
  });
});
