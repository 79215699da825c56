import { chmod } from 'node:fs/promises';
import { defineConfig, type Options } from 'tsup';
import app from '../tsup.config';

/** The app's command build (the tests run the binary; the library entry they import from source). */
const cli = (app as Options[]).find((o) => JSON.stringify(o.entry) === '["src/cli.ts"]');
if (cli === undefined) throw new Error('tsup.config.ts has no build of src/cli.ts');

/**
 * The command's own build, but with the workspace packages bundled from their sources
 * (`@allocprof/source` condition) so the tests can build the binary without building every
 * package's dist first. It goes to `.test-build/`, not `dist/`: turbo may run the real build
 * while the tests run, and each would otherwise clean away the other's file.
 */
export default defineConfig({
  ...cli,
  outDir: '.test-build',
  noExternal: [/^@allocprof\//],
  async onSuccess() {
    await chmod('.test-build/cli.js', 0o755);
  },
  esbuildOptions(options) {
    options.conditions = ['@allocprof/source', 'import', 'node', 'default'];
  },
});
