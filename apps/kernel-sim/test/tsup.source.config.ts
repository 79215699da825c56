import { defineConfig, type Options } from 'tsup';
import app from '../tsup.config';

/**
 * The app's own builds, but resolving workspace packages to their sources (`@allocprof/source`
 * condition) so the tests can build the binary without building every package's dist first.
 */
export default defineConfig(
  (app as Options[]).map((o) => ({
    ...o,
    esbuildOptions(options) {
      options.conditions = ['@allocprof/source', 'import', 'node', 'default'];
    },
  })),
);
