import { defineConfig } from 'tsup';

/**
 * The one build configuration every library shares, from `src/index.ts`: ESM (`dist/index.js`)
 * and CommonJS (`dist/index.cjs`), each with its declarations (`index.d.ts`, `index.d.cts`), so
 * that `import` and `require` consumers both get code and types. A package's own
 * `tsup.config.ts` only re-exports this.
 */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  splitting: false,
});
