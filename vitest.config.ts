import { defineConfig } from 'vitest/config';

/** One root config; each package is a project (`pnpm vitest run --project maple-tree`). */
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'scripts'],
  },
});
