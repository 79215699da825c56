#!/usr/bin/env node
/**
 * `pnpm release`: build every published package (the libraries and the `kernel-sim` command) and
 * publish the ones whose version is not on the registry yet (`changeset publish`). `pnpm release
 * --dry-run` works offline: it builds, packs each package exactly as it would be published and
 * prints each package's own version and tarball contents.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packPackage, publicPackages, repoRoot } from './workspace.mjs';

const dryRun = process.argv.includes('--dry-run');
execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
  cwd: repoRoot,
  stdio: 'inherit',
});
if (!dryRun) {
  execFileSync('pnpm', ['exec', 'changeset', 'publish'], { cwd: repoRoot, stdio: 'inherit' });
  process.exit(0);
}
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'allocprof-release-'));
try {
  console.log('release --dry-run: what `pnpm release` would publish (nothing is uploaded)\n');
  for (const pkg of publicPackages()) {
    const { tarball, files } = packPackage(pkg.dir, out, { scripts: false });
    const bytes = fs.statSync(tarball).size;
    console.log(
      `${pkg.name}@${pkg.manifest.version}  ${path.basename(tarball)}  ${files.length} files, ${bytes} bytes`,
    );
  }
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
