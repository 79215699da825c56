#!/usr/bin/env node
/**
 * `pnpm kernel-sim ARGS`: the `kernel-sim` command inside the repository, as an installed
 * `@allocprof/kernel-sim` provides it. Builds the app and the packages it imports first (turbo,
 * cached; its output goes to stderr, and only when the build fails), then runs `dist/cli.js`
 * in the directory pnpm was started from, so relative paths mean what they say.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './workspace.mjs';

const build = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'build', '--filter=@allocprof/kernel-sim...', '--output-logs=errors-only'],
  { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
);
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
  process.stderr.write('kernel-sim: building the app failed (see above)\n');
  process.exit(build.status ?? 1);
}
const cli = path.join(repoRoot, 'apps', 'kernel-sim', 'dist', 'cli.js');
const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by pnpm (where it was started), not a turbo input
  cwd: process.env.INIT_CWD ?? process.cwd(),
  stdio: 'inherit',
});
// The terminal sends Ctrl-C to the whole process group: the command decides what it means
// (the shell clears its line), this wrapper only waits for it.
for (const sig of ['SIGINT', 'SIGQUIT', 'SIGTERM']) process.on(sig, () => {});
child.on('exit', (code, signal) => {
  if (signal !== null) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
