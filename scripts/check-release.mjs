#!/usr/bin/env node
/**
 * Proves per-package releases end to end (run by `pnpm verify`, after the build):
 * 1. In a scratch copy of the workspace manifests, a changeset that touches only
 *    @allocprof/maple-tree bumps maple-tree, writes its CHANGELOG, updates the dependents' ranges
 *    per `updateInternalDependencies`, and leaves every package that does not depend on it alone.
 * 2. The packed tarball of every library installs into an empty project with plain npm (offline,
 *    tarballs only) and imports as ESM, with types that resolve under `moduleResolution: nodenext`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packPackage, publicPackages, repoRoot, workspacePackages } from './workspace.mjs';

const fail = (msg) => {
  console.error(`check-release: ${msg}`);
  process.exit(1);
};
const bin = (name) => path.join(repoRoot, 'node_modules', '.bin', name);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'allocprof-check-release-'));

try {
  // 1. changeset version in a scratch workspace
  const ws = path.join(tmp, 'ws');
  for (const f of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
    fs.mkdirSync(path.dirname(path.join(ws, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(ws, f));
  }
  const pkgs = workspacePackages();
  for (const p of pkgs) {
    fs.mkdirSync(path.join(ws, p.rel), { recursive: true });
    fs.copyFileSync(path.join(p.dir, 'package.json'), path.join(ws, p.rel, 'package.json'));
  }
  fs.writeFileSync(
    path.join(ws, '.changeset', 'check-release.md'),
    '---\n"@allocprof/maple-tree": patch\n---\n\ncheck-release: a maple-tree-only change.\n',
  );
  execFileSync('git', ['init', '-q'], { cwd: ws });
  execFileSync(bin('changeset'), ['version'], { cwd: ws, stdio: 'pipe' });
  const after = Object.fromEntries(
    pkgs.map((p) => [p.name, JSON.parse(fs.readFileSync(path.join(ws, p.rel, 'package.json'), 'utf8'))]),
  );
  const bump = (v) => v.replace(/(\d+)$/, (d) => String(Number(d) + 1));
  const mt = pkgs.find((p) => p.name === '@allocprof/maple-tree');
  if (after['@allocprof/maple-tree'].version !== bump(mt.manifest.version)) {
    fail(
      `maple-tree should go ${mt.manifest.version} -> ${bump(mt.manifest.version)}, got ${after['@allocprof/maple-tree'].version}`,
    );
  }
  const changelog = path.join(ws, mt.rel, 'CHANGELOG.md');
  if (!fs.existsSync(changelog) || !fs.readFileSync(changelog, 'utf8').includes('a maple-tree-only change')) {
    fail('maple-tree CHANGELOG.md was not written');
  }
  const dependsOnMaple = (name, seen = new Set()) => {
    const m = pkgs.find((p) => p.name === name).manifest;
    return Object.keys(m.dependencies ?? {}).some(
      (d) =>
        d === '@allocprof/maple-tree' ||
        (!seen.has(d) && pkgs.some((p) => p.name === d) && dependsOnMaple(d, seen.add(d))),
    );
  };
  for (const p of pkgs) {
    if (p.name === '@allocprof/maple-tree') continue;
    const changed = after[p.name].version !== p.manifest.version;
    if (!dependsOnMaple(p.name) && changed) fail(`${p.name} does not depend on maple-tree but was bumped`);
    if (fs.existsSync(path.join(ws, p.rel, 'CHANGELOG.md')) && !dependsOnMaple(p.name))
      fail(`${p.name} got a CHANGELOG entry`);
  }
  const summary = pkgs.map((p) => `${p.name} ${p.manifest.version} -> ${after[p.name].version}`).join('\n  ');
  console.log(
    `check-release: a maple-tree changeset versions only maple-tree and its dependents:\n  ${summary}`,
  );

  // 2. install the packed tarballs into an empty npm project
  const packs = path.join(tmp, 'packs');
  fs.mkdirSync(packs);
  const tarballs = [];
  for (const p of publicPackages()) {
    if (!fs.existsSync(path.join(p.dir, 'dist', 'index.js')))
      fail(`${p.name} is not built (run pnpm build first)`);
    tarballs.push(packPackage(p.dir, packs).tarball);
  }
  const app = path.join(tmp, 'consumer');
  fs.mkdirSync(app);
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs], {
    cwd: app,
    stdio: 'pipe',
  });
  const names = publicPackages().map((p) => p.name);
  const imports = names.map((n, i) => `import * as m${i} from '${n}';`).join('\n');
  const checks = names
    .map((n, i) => `if (Object.keys(m${i}).length === 0) throw new Error('${n} exports nothing');`)
    .join('\n');
  fs.writeFileSync(
    path.join(app, 'index.mjs'),
    `${imports}\n${checks}\nconsole.log('imported ${names.length} packages');\n`,
  );
  const out = execFileSync(process.execPath, ['index.mjs'], { cwd: app, encoding: 'utf8' });
  fs.writeFileSync(
    path.join(app, 'index.ts'),
    `${imports}\nexport const all = [${names.map((_, i) => `m${i}`).join(', ')}];\n`,
  );
  fs.writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      files: ['index.ts'],
    }),
  );
  execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: app, stdio: 'inherit' });
  console.log(`check-release: ${out.trim()} from packed tarballs with plain npm; types resolve (nodenext)`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
