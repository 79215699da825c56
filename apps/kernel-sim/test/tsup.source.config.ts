import { defineConfig } from 'tsup';
import app from '../tsup.config';

/**
 * The app's own build, but with the workspace packages bundled from their sources
 * (`@allocprof/source` condition) so the tests can build the binary without building every
 * package's dist first.
 */
export default defineConfig({
  ...(app as object),
  noExternal: [/^@allocprof\//],
  esbuildOptions(options) {
    options.conditions = ['@allocprof/source', 'import', 'node', 'default'];
  },
});
