import { defineConfig } from 'tsup';
import base from '../../tsup.config.base.ts';

/** The app bundles every workspace package into one executable file; no declarations. */
export default defineConfig({
  ...base,
  entry: ['src/cli.ts'],
  dts: false,
  noExternal: [/^@allocprof\//],
  banner: { js: '#!/usr/bin/env node' },
});
