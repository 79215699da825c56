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
      // CI runs several packages' suites at once on 2 cores: property tests must not fail for time.
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  });
}
