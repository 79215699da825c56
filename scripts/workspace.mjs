/** The workspace's packages as the release scripts see them (name, dir, manifest). */
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
