#!/usr/bin/env node
/**
 * Proves per-package releases end to end, as a user of a fresh clone and a consumer of the
 * published packages meet them (run by `pnpm verify`):
 * 1. Every changeset in .changeset parses (a broken one is named).
 * 2. In a scratch copy of the workspace manifests, a changeset that touches only
 *    @allocprof/maple-tree bumps maple-tree, writes its CHANGELOG, updates the dependents' ranges
 *    per `updateInternalDependencies`, and leaves every package that does not depend on it alone.
 * 3. A fresh copy of the repository (the files git tracks or would track, as they are now; no
 *    dist/, no node_modules/) installs offline, and `pnpm -r pack` there gives every published
 *    package's tarball with the dist/ its `prepack` built.
 * 4. In that copy `pnpm version-packages` applies every pending changeset: each package a
 *    changeset names gets a new version and a CHANGELOG entry with the changeset's text.
 * 5. The tarballs install into an empty project with plain npm (offline, tarballs only): every
 *    library loads with `import` and with `require` (same exports; maple-tree and kernel-sim's
 *    library entry are also used through `require`), its types resolve from a
 *    `.ts` (ESM) and a `.cts` (CommonJS) file under `moduleResolution: nodenext`, and
 *    `npx @allocprof/kernel-sim` runs the installed command (`--version`, `demo`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readChangesets } from './changesets.mjs';
import { publicPackages, repoRoot, workspacePackages } from './workspace.mjs';

const fail = (msg) => {
  console.error(`check-release: ${msg}`);
  process.exit(1);
};
const bin = (name) => path.join(repoRoot, 'node_modules', '.bin', name);
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
/** Run a command; on failure print what it printed and stop. */
const sh = (cmd, args, cwd, what) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    fail(`${what} failed (${cmd} ${args.join(' ')}, status ${r.status ?? r.signal})`);
  }
  return r.stdout;
};
/**
 * Tarballs of the registry packages the published ones depend on (commander, zod, ...), made
 * from the copies pnpm installed, so that the consumer installs offline from tarballs
 * only, as it would from the registry.
 */
function thirdParty(dest) {
  const seen = new Map();
  const visit = (name, fromDir) => {
    const dir = fs.realpathSync(path.join(fromDir, 'node_modules', name));
    const m = readJson(path.join(dir, 'package.json'));
    const id = `${m.name}@${m.version}`;
    if (seen.has(id)) return;
    // npm strips the tarball's top directory whatever its name (`npm pack` of some of these
    // directories crashes in npm itself, so tar them as they are). pnpm hard-links identical
    // files to one store copy, and npm left such hard-link entries out: store them as files.
    const file = path.join(dest, `${m.name.replace(/^@/, '').replace('/', '-')}-${m.version}.tgz`);
    execFileSync('tar', ['--hard-dereference', '-czf', file, '-C', path.dirname(dir), path.basename(dir)]);
    seen.set(id, file);
    // pnpm installs a package's own dependencies beside it: .pnpm/<id>/node_modules/<dep>
    const nodeModules = dir.slice(0, dir.length - m.name.length - 1);
    for (const d of Object.keys(m.dependencies ?? {})) visit(d, path.dirname(nodeModules));
  };
  for (const p of published)
    for (const d of Object.keys(p.manifest.dependencies ?? {}))
      if (!d.startsWith('@allocprof/')) visit(d, p.dir);
  return [...seen.values()];
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'allocprof-check-release-'));
const pkgs = workspacePackages();
const published = publicPackages();

try {
  // 1. every changeset parses
  let changesets;
  try {
    changesets = readChangesets(
      path.join(repoRoot, '.changeset'),
      new Map(pkgs.map((p) => [p.name, !p.manifest.private])),
    );
  } catch (e) {
    fail(e.message);
  }
  console.log(`check-release: ${changesets.length} changesets parse`);

  // 2. a maple-tree-only changeset in a scratch workspace of manifests
  const ws = path.join(tmp, 'ws');
  for (const f of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
    fs.mkdirSync(path.dirname(path.join(ws, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(ws, f));
  }
  for (const p of pkgs) {
    fs.mkdirSync(path.join(ws, p.rel), { recursive: true });
    fs.copyFileSync(path.join(p.dir, 'package.json'), path.join(ws, p.rel, 'package.json'));
  }
  fs.writeFileSync(
    path.join(ws, '.changeset', 'check-release.md'),
    '---\n"@allocprof/maple-tree": patch\n---\n\ncheck-release: a maple-tree-only change.\n',
  );
  execFileSync('git', ['init', '-q'], { cwd: ws });
  sh(bin('changeset'), ['version'], ws, 'changeset version (maple-tree only)');
  const after = Object.fromEntries(pkgs.map((p) => [p.name, readJson(path.join(ws, p.rel, 'package.json'))]));
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

  // 3. a fresh copy: install offline, `pnpm -r pack` (each prepack builds its dist/)
  const fresh = path.join(tmp, 'fresh');
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f !== '' && fs.existsSync(path.join(repoRoot, f)));
  for (const f of tracked) {
    fs.mkdirSync(path.dirname(path.join(fresh, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(fresh, f));
  }
  sh('pnpm', ['install', '--offline', '--frozen-lockfile'], fresh, 'pnpm install in a fresh copy');
  const packs = path.join(tmp, 'packs');
  fs.mkdirSync(packs);
  sh('pnpm', ['-r', 'pack', '--pack-destination', packs], fresh, 'pnpm -r pack in a fresh copy');
  const tarballs = [];
  for (const p of published) {
    const base = `${p.name.replace(/^@/, '').replace('/', '-')}-${p.manifest.version}.tgz`;
    const file = path.join(packs, base);
    if (!fs.existsSync(file)) fail(`pnpm -r pack gave no ${base}`);
    const files = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n');
    if (!files.some((f) => f.startsWith('package/dist/')))
      fail(`${base} has no dist/ (prepack did not build)`);
    tarballs.push(file);
  }
  console.log(`check-release: pnpm -r pack in a fresh copy built and packed ${tarballs.length} packages`);

  // 4. `pnpm version-packages` applies every real changeset
  execFileSync('git', ['init', '-q'], { cwd: fresh });
  sh('pnpm', ['version-packages'], fresh, 'pnpm version-packages');
  for (const c of changesets) {
    for (const r of c.releases) {
      if (r.type === 'none') continue;
      const p = pkgs.find((x) => x.name === r.name);
      const version = readJson(path.join(fresh, p.rel, 'package.json')).version;
      if (version === p.manifest.version)
        fail(`${c.file} asks for a ${r.type} of ${r.name}, still ${version}`);
      const log = path.join(fresh, p.rel, 'CHANGELOG.md');
      if (!fs.existsSync(log)) fail(`${r.name} got no CHANGELOG.md from ${c.file}`);
      // changesets formats the CHANGELOG with prettier, which escapes or rewrites markdown it
      // reads as emphasis (`lib/maple_tree.c` outside backticks became `maple*tree.c`): the
      // entry must still say, word for word, what the changeset says.
      const words = (t) => t.replaceAll('\\', '').split(/\s+/).join(' ');
      const want = words(c.summary);
      const text = words(fs.readFileSync(log, 'utf8'));
      if (!text.includes(want)) {
        const at = text.indexOf(want.slice(0, 40));
        let i = 0;
        while (at >= 0 && i < want.length && want[i] === text[at + i]) i++;
        fail(
          at < 0
            ? `${r.name}'s CHANGELOG.md lacks the entry of ${c.file}`
            : `${r.name}'s CHANGELOG.md garbles ${c.file} at "${want.slice(Math.max(0, i - 20), i + 20)}" ` +
                `(written "${text.slice(at + Math.max(0, i - 20), at + i + 20)}"): put code in backticks`,
        );
      }
    }
  }
  const versioned = published
    .map(
      (p) =>
        `${p.name} ${p.manifest.version} -> ${readJson(path.join(fresh, p.rel, 'package.json')).version}`,
    )
    .join('\n  ');
  console.log(`check-release: pnpm version-packages applies every changeset:\n  ${versioned}`);

  // 5. install the tarballs into an empty npm project
  const app = path.join(tmp, 'consumer');
  fs.mkdirSync(app);
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  sh(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      ...tarballs,
      ...thirdParty(packs),
    ],
    app,
    'npm install of the tarballs',
  );
  const libraries = published.filter((p) => p.manifest.exports?.['.'] !== undefined).map((p) => p.name);
  const keysOf = (expr) =>
    `Object.fromEntries([${libraries.map((n, i) => `['${n}', Object.keys(${expr(n, i)}).sort()]`).join(', ')}])`;
  fs.writeFileSync(
    path.join(app, 'esm.mjs'),
    `${libraries.map((n, i) => `import * as m${i} from '${n}';`).join('\n')}\n` +
      `console.log(JSON.stringify(${keysOf((_, i) => `m${i}`)}));\n`,
  );
  fs.writeFileSync(
    path.join(app, 'cjs.cjs'),
    `const { MapleTree } = require('@allocprof/maple-tree');\n` +
      `const t = new MapleTree();\nt.storeRange(100, 199, 'user');\n` +
      `if (t.load(150) !== 'user') throw new Error('MapleTree from require() does not work');\n` +
      // kernel-sim's library entry: boot the core and run shell lines, as its README shows.
      `const sim = require('@allocprof/kernel-sim');\n` +
      `const files = new sim.MemoryFiles({});\n` +
      `const shell = new sim.Session(new sim.KernelMachine(sim.bootKernel(` +
      `{ cmdline: '', mem: 2 ** 28, cpus: 2, kernelTags: 64, json: false }, files)), false, files);\n` +
      `sim.runShellLine(shell, 'insmod demo_drv');\n` +
      `const r = sim.runShellLine(shell, 'cat /proc/allocinfo');\n` +
      `if (r.kind !== 'output' || !r.output.includes('[demo_drv]'))\n` +
      `  throw new Error('kernel-sim from require() does not boot and run commands');\n` +
      `console.log(JSON.stringify(${keysOf((n) => `require('${n}')`)}));\n`,
  );
  const esm = JSON.parse(sh(process.execPath, ['esm.mjs'], app, 'import of the libraries'));
  const cjs = JSON.parse(sh(process.execPath, ['cjs.cjs'], app, 'require() of the libraries'));
  for (const n of libraries) {
    if (esm[n].length === 0) fail(`${n} exports nothing`);
    if (JSON.stringify(esm[n]) !== JSON.stringify(cjs[n]))
      fail(`${n}: require() gives other exports than import (${cjs[n].length} vs ${esm[n].length})`);
  }
  const imports = libraries.map((n, i) => `import * as m${i} from '${n}';`).join('\n');
  const uses = `export const all = [${libraries.map((_, i) => `m${i}`).join(', ')}];\n`;
  fs.writeFileSync(path.join(app, 'index.ts'), `${imports}\n${uses}`);
  fs.writeFileSync(
    path.join(app, 'index.cts'),
    `${imports}\nimport { MapleTree } from '@allocprof/maple-tree';\n` +
      `export const tree: MapleTree<string> = new MapleTree<string>();\n${uses}`,
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
      files: ['index.ts', 'index.cts'],
    }),
  );
  sh(bin('tsc'), ['-p', 'tsconfig.json'], app, 'typecheck of an ESM (.ts) and a CommonJS (.cts) consumer');
  console.log(
    `check-release: ${libraries.length} libraries from packed tarballs with plain npm: import and require ` +
      'give the same exports; types resolve from .ts and .cts (nodenext)',
  );

  const sim = published.find((p) => p.name === '@allocprof/kernel-sim');
  if (sim === undefined) fail('@allocprof/kernel-sim is not published');
  const npx = (args, what) =>
    sh('npx', ['--offline', '--no-install', '@allocprof/kernel-sim', ...args], app, what);
  const version = npx(['--version'], 'npx @allocprof/kernel-sim --version').trim();
  if (version !== sim.manifest.version)
    fail(`kernel-sim --version says '${version}', not ${sim.manifest.version}`);
  const demo = npx(['demo', '--no-timings', '--mem', '256M'], 'npx @allocprof/kernel-sim demo');
  if (!demo.includes('== 6/6')) fail('kernel-sim demo did not reach its last part');
  const help = sh(
    path.join(app, 'node_modules', '.bin', 'kernel-sim'),
    ['--help'],
    app,
    'the kernel-sim bin',
  );
  if (!help.startsWith('Usage: kernel-sim')) fail('node_modules/.bin/kernel-sim --help printed no usage');
  console.log(
    `check-release: npx @allocprof/kernel-sim runs the packed command (version ${version}, demo, --help)`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
