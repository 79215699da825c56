/**
 * Process-level test helpers: build `.test-build/cli.js` once when the sources are newer, then run it
 * as a child process with colour off, capturing stdout, stderr and the exit status.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The binary the tests run: the app bundled from the sources (test/tsup.source.config.ts). */
export const CLI = join(APP_DIR, '.test-build', 'cli.js');
export const FIXTURES = join(APP_DIR, 'test', 'fixtures');
const REPO = resolve(APP_DIR, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function sourcesMtime(): number {
  let newest = newestMtime(join(APP_DIR, 'src'));
  for (const pkg of readdirSync(join(REPO, 'packages')))
    newest = Math.max(newest, newestMtime(join(REPO, 'packages', pkg, 'src')));
  return newest;
}

/** Build the binary if it is missing or older than any source it bundles (serialized across workers). */
export function ensureBuilt(): void {
  // Beside the build it guards (ignored by git), so that two checkouts never wait on each other.
  mkdirSync(join(APP_DIR, '.test-build'), { recursive: true });
  const lock = join(APP_DIR, '.test-build', 'build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held for too long`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (!existsSync(CLI) || statSync(CLI).mtimeMs < sourcesMtime())
      execFileSync(join(REPO, 'node_modules', '.bin', 'tsup'), ['--config', 'test/tsup.source.config.ts'], {
        cwd: APP_DIR,
        stdio: 'pipe',
      });
  } finally {
    rmdirSync(lock);
  }
}

/** The result of one run of the binary. */
export interface CliResult {
  stdout: string;
  stderr: string;
  status: number;
}

/** Run `kernel-sim ARGS` with NO_COLOR, optional stdin and extra environment. */
export function kernelSim(
  args: readonly string[],
  opts: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: opts.input ?? '',
    cwd: opts.cwd ?? APP_DIR,
    env: { ...process.env, NO_COLOR: '1', KERNEL_SIM_HISTFILE: '', ...opts.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error !== undefined) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/**
 * Compare `actual` with the golden file at `path`. With `update` (UPDATE_GOLDEN=1) the file is
 * written first; without it a missing golden file fails, instead of being created from the very
 * output it is meant to check.
 */
export function expectGolden(path: string, actual: string, update = process.env.UPDATE_GOLDEN === '1'): void {
  if (update) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  } else if (!existsSync(path)) {
    throw new Error(
      `golden file ${path} is missing: run with UPDATE_GOLDEN=1 to write it, then review the diff`,
    );
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
