import { defineProject } from 'vitest/config';

/** Source-first: workspace imports resolve to `src/index.ts`, so tests need no build. */
export const SOURCE_CONDITION = '@allocprof/source';

export function packageProject(name: string) {
  return defineProject({
    resolve: { conditions: [SOURCE_CONDITION, 'import', 'node', 'default'] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, 'import', 'node', 'default'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
    },
  });
}
