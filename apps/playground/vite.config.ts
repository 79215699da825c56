import { defaultClientConditions, defineConfig } from 'vite';

/**
 * A static site: relative base so the built files work from any directory or host path;
 * workspace packages are read from their sources (`@allocprof/source`), so no package needs
 * to be built first; the benchmark worker is an ES module.
 */
export default defineConfig({
  base: './',
  resolve: { conditions: ['@allocprof/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  preview: { port: 4173, strictPort: false },
});
