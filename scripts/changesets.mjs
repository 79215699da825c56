/**
 * The repository's changesets, read the way `changeset version` reads them, but one file at a
 * time so that a broken one is named: each `.changeset/*.md` (README.md aside) must have its YAML
 * frontmatter with known bumps, name only published packages of the workspace and carry a summary.
 * (An empty changeset, `changeset --empty`, names no package and is fine.)
 */
import fs from 'node:fs';
import path from 'node:path';
import parseChangeset from '@changesets/parse';

/** The changeset files of `dir`, sorted by name. */
export function changesetFiles(dir) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort();
}

/**
 * Parse one changeset's text. `file` names it in errors; `packages` maps each workspace package
 * name to whether it is published. Returns `{ releases, summary }`; throws an Error whose
 * message starts with `file: ` on the first problem.
 */
export function parseChangesetText(text, file, packages) {
  let parsed;
  try {
    parsed = parseChangeset(text);
  } catch (e) {
    const first = String(e instanceof Error ? e.message : e).split('\n')[0];
    throw new Error(`${file}: ${first}`);
  }
  for (const r of parsed.releases) {
    if (!packages.has(r.name)) throw new Error(`${file}: '${r.name}' is not a package of this workspace`);
    if (packages.get(r.name) === false)
      throw new Error(`${file}: '${r.name}' is private, it has no releases`);
  }
  if (parsed.releases.length > 0 && parsed.summary.trim() === '')
    throw new Error(`${file}: no summary for the CHANGELOG`);
  return parsed;
}

/** Parse every changeset of `dir` (see parseChangesetText); returns `{ file, releases, summary }[]`. */
export function readChangesets(dir, packages) {
  return changesetFiles(dir).map((file) => ({
    file,
    ...parseChangesetText(
      fs.readFileSync(path.join(dir, file), 'utf8'),
      path.join('.changeset', file),
      packages,
    ),
  }));
}
