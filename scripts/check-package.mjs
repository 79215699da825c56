#!/usr/bin/env node
/**
 * `check:package` for one published package (run from its directory): pack it the way it will be
 * published (`pnpm pack`, which applies publishConfig and rewrites `workspace:^`), then lint the
 * tarball with `publint --strict` and check its types with `attw` under its default profile, so
 * that ESM (`import`) and CommonJS (`require`) consumers, node10, node16 and bundler resolution
 * all see working types. Also asserts that the published manifest exposes no source-first
 * condition and no `src/` file, and that every file the manifest names is in the tarball.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packPackage } from './workspace.mjs';

/** Every file the manifest points at: main, types, bin targets and each export's targets. */
function manifestFiles(m) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') out.add(v);
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  for (const key of ['main', 'types', 'bin', 'exports']) walk(m[key]);
  return [...out];
}

const cwd = process.cwd();
const manifest = JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8'));
if (manifest.private) {
  console.log(`check:package: ${manifest.name} is private, nothing to publish`);
  process.exit(0);
}
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'allocprof-pack-'));
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd, stdio: 'inherit', ...opts });
try {
  // turbo runs `build` before this task, so the prepack build would only repeat it.
  const { tarball: file, files: listed } = packPackage(cwd, out, { scripts: false });
  execFileSync('tar', ['-xzf', file, '-C', out]);
  const packed = JSON.parse(fs.readFileSync(path.join(out, 'package', 'package.json'), 'utf8'));
  const problems = [];
  if (JSON.stringify(packed.exports).includes('@allocprof/source'))
    problems.push('published exports still contain the @allocprof/source condition');
  if (listed.some((f) => f.startsWith('package/src/'))) problems.push('tarball contains src/');
  if (!listed.includes('package/README.md')) problems.push('tarball has no README.md');
  for (const f of manifestFiles(packed)) {
    if (!listed.includes(`package/${f.replace(/^\.\//, '')}`)) problems.push(`tarball lacks ${f}`);
  }
  if (packed.bin === undefined && !packed.exports?.['.'])
    problems.push('neither a bin nor a "." export: nothing to use');
  for (const [dep, range] of Object.entries(packed.dependencies ?? {})) {
    if (String(range).startsWith('workspace:')) problems.push(`dependency ${dep} still says ${range}`);
  }
  if (problems.length) {
    for (const p of problems) console.error(`check:package: ${manifest.name}: ${p}`);
    process.exit(1);
  }
  run('publint', ['run', file, '--strict']);
  // attw checks entry points; a package that is only a command (a bin, no "." export) has none.
  if (packed.exports?.['.']) run('attw', [file, '--no-emoji', '--format', 'table-flipped']);
  console.log(`check:package: ${manifest.name}@${packed.version} OK (${listed.length} files)`);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
