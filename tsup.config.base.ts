import { defineConfig } from 'tsup';

/**
 * The one build configuration every library shares: ESM + declarations from `src/index.ts`.
 * A package's own `tsup.config.ts` only re-exports this.
 */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  splitting: false,
});
