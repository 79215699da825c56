import { chmod } from 'node:fs/promises';
import { defineConfig } from 'tsup';
import base from '../../tsup.config.base.ts';

/**
 * The `kernel-sim` command: one ESM file with a shebang, executable, importing the published
 * @allocprof packages it depends on (they stay separate packages, so a fix in one reaches the
 * command through a dependency bump).
 */
export default defineConfig({
  ...base,
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  banner: { js: '#!/usr/bin/env node' },
  async onSuccess() {
    await chmod('dist/cli.js', 0o755);
  },
});
