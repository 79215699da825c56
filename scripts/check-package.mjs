#!/usr/bin/env node
/**
 * `check:package` for one library (run from its directory): pack it the way it will be published
 * (`pnpm pack`, which applies publishConfig and rewrites `workspace:^`), then lint the tarball with
 * `publint --strict` and check its types with `attw` (ESM-only profile: the packages ship ESM).
 * Also asserts that the published manifest exposes no source-first condition and no `src/` file.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packPackage } from './workspace.mjs';

const cwd = process.cwd();
const manifest = JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8'));
if (manifest.private) {
  console.log(`check:package: ${manifest.name} is private, nothing to publish`);
  process.exit(0);
}
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'allocprof-pack-'));
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd, stdio: 'inherit', ...opts });
try {
  const { tarball: file, files: listed } = packPackage(cwd, out);
  execFileSync('tar', ['-xzf', file, '-C', out]);
  const packed = JSON.parse(fs.readFileSync(path.join(out, 'package', 'package.json'), 'utf8'));
  const problems = [];
  if (JSON.stringify(packed.exports).includes('@allocprof/source'))
    problems.push('published exports still contain the @allocprof/source condition');
  if (listed.some((f) => f.startsWith('package/src/'))) problems.push('tarball contains src/');
  if (!listed.includes('package/README.md')) problems.push('tarball has no README.md');
  if (!listed.includes('package/dist/index.js') || !listed.includes('package/dist/index.d.ts'))
    problems.push('tarball lacks dist/index.js or dist/index.d.ts');
  for (const [dep, range] of Object.entries(packed.dependencies ?? {})) {
    if (String(range).startsWith('workspace:')) problems.push(`dependency ${dep} still says ${range}`);
  }
  if (problems.length) {
    for (const p of problems) console.error(`check:package: ${manifest.name}: ${p}`);
    process.exit(1);
  }
  run('publint', ['run', file, '--strict']);
  run('attw', [file, '--profile', 'esm-only', '--no-emoji', '--format', 'table-flipped']);
  console.log(`check:package: ${manifest.name}@${packed.version} OK (${listed.length} files)`);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
