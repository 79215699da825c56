/** The workspace's packages as the release scripts see them (name, dir, manifest). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export function workspacePackages(root = repoRoot) {
  const out = [];
  for (const group of ['packages', 'apps']) {
    const base = path.join(root, group);
    if (!fs.existsSync(base)) continue;
    for (const dir of fs.readdirSync(base).sort()) {
      const manifestPath = path.join(base, dir, 'package.json');
      if (!fs.existsSync(manifestPath)) continue;
      const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
      out.push({ name: manifest.name, dir: path.join(base, dir), rel: `${group}/${dir}`, manifest });
    }
  }
  return out;
}

export const publicPackages = (root = repoRoot) => workspacePackages(root).filter((p) => !p.manifest.private);

/**
 * Pack the package in `dir` exactly as it would be published (`pnpm pack`: publishConfig applied,
 * `workspace:^` rewritten, the `prepack` build run) into `dest`; returns the tarball's path and
 * the files it holds. `scripts: false` skips the lifecycle scripts, for callers that have just
 * built the package.
 */
export function packPackage(dir, dest, { scripts = true } = {}) {
  const before = new Set(fs.readdirSync(dest));
  const flags = scripts ? [] : ['--ignore-scripts'];
  execFileSync('pnpm', [...flags, 'pack', '--pack-destination', dest], { cwd: dir, stdio: 'pipe' });
  const name = fs.readdirSync(dest).find((f) => f.endsWith('.tgz') && !before.has(f));
  if (!name) throw new Error(`pnpm pack in ${dir} produced no tarball`);
  const tarball = path.join(dest, name);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return { tarball, files };
}
