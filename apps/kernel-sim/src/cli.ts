/**
 * `kernel-sim`: boot the simulated kernel and drive it (demo, run, shell, bench), draw page-flags
 * layouts, read /proc/allocinfo files. See `kernel-sim --help`.
 */
import { readFileSync } from 'node:fs';
import { runCli } from './cli/program';
import { handlers } from './node/handlers';
import { processIo } from './node/io';

// `kernel-sim demo | head`: a reader that goes away ends the run quietly, as SIGPIPE would.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

// The built cli.js sits one directory below the package's manifest (dist/; .test-build/ for the tests).
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

runCli(process.argv.slice(2), processIo(), handlers, version).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(
      `kernel-sim: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = 70;
  },
);
