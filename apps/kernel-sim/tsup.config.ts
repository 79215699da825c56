import { defineConfig } from 'tsup';
import base from '../../tsup.config.base.ts';

/**
 * Two builds: the `kernel-sim` executable, which bundles every workspace package into one file,
 * and the library entry (`src/index.ts`, the platform-neutral core) with its declarations,
 * which imports its dependencies.
 */
export default defineConfig([
  {
    ...base,
    entry: ['src/cli.ts'],
    dts: false,
    noExternal: [/^@allocprof\//],
    banner: { js: '#!/usr/bin/env node' },
    // The two builds run side by side: each cleans only its own files.
    clean: ['cli.*'],
  },
  { ...base, entry: ['src/index.ts'], clean: ['index.*'] },
]);
