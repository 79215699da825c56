/** Source-first: workspace imports resolve to `src/index.ts`, so tests need no build. */
export declare const SOURCE_CONDITION = "@allocprof/source";
export declare function packageProject(name: string): import("vitest/config").UserWorkspaceConfig;
//# sourceMappingURL=vitest.shared.d.ts.map