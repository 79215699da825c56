/**
 * `kernel-sim`: boot the simulated kernel and drive it (demo, run, shell, bench), draw page-flags
 * layouts, read /proc/allocinfo files. See `kernel-sim --help`.
 */
import { handlers } from './cli/handlers';
import { processIo } from './cli/io';
import { runCli } from './cli/program';

runCli(process.argv.slice(2), processIo(), handlers).then(
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
