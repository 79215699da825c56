import { chmod } from 'node:fs/promises';
import { defineConfig } from 'tsup';
import base from '../../tsup.config.base.ts';

/**
 * Two builds, run side by side, so each cleans only its own files:
 * - the `kernel-sim` command: one ESM file with a shebang, executable, importing the published
 *   @allocprof packages it depends on (they stay separate packages, so a fix in one reaches the
 *   command through a dependency bump);
 * - the library entry (`src/index.ts`, the platform-neutral core) from the shared base: ESM and
 *   CommonJS, each with its declarations.
 */
export default defineConfig([
  {
    ...base,
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    banner: { js: '#!/usr/bin/env node' },
    clean: ['cli.*'],
    async onSuccess() {
      await chmod('dist/cli.js', 0o755);
    },
  },
  { ...base, entry: ['src/index.ts'], clean: ['index.*'] },
]);
