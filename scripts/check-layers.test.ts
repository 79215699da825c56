import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without declarations
import {
  checkRepo,
  checkSources,
  findCycles,
  isPlatformNeutral,
  nodeUses,
  parseImports,
} from './check-layers.mjs';

const script = path.join(import.meta.dirname, 'check-layers.mjs');
const repoRoot = path.join(import.meta.dirname, '..');

function src(pkg: string, text: string, file = 'src/index.ts') {
  return { pkg, file, text };
}

describe('check-layers', () => {
  it('accepts every import the architecture table allows', () => {
    const problems = checkSources(
      [
        src(
          'alloc-tag',
          "import { MapleTree } from '@allocprof/maple-tree';\nimport type { CodeTag } from '@allocprof/codetag';",
        ),
        src('execmem-vmalloc', "export { MapleTree } from '@allocprof/maple-tree';"),
        src('kernel-sim', "const m = await import('@allocprof/alloc-tag');"),
      ],
      {
        'alloc-tag': ['maple-tree', 'codetag'],
        'execmem-vmalloc': ['maple-tree'],
        'kernel-sim': ['alloc-tag'],
      },
    );
    expect(problems).toEqual([]);
  });

  it('rejects a lower package importing a higher one', () => {
    const problems = checkSources([src('maple-tree', "import { x } from '@allocprof/alloc-tag';")]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/'maple-tree' may not import '@allocprof\/alloc-tag'/);
  });

  it('rejects imports between siblings of one layer and type-only imports alike', () => {
    const problems = checkSources([
      src('pgalloc-tag', "import type { Vmalloc } from '@allocprof/execmem-vmalloc';"),
      src('codetag', "export * from '@allocprof/page-flags-layout';"),
    ]);
    expect(problems).toHaveLength(2);
  });

  it('rejects deep imports into another package', () => {
    const problems = checkSources([
      src('alloc-tag', "import { MapleNode } from '@allocprof/maple-tree/src/node';"),
    ]);
    expect(problems.some((p: string) => p.includes('deep import'))).toBe(true);
  });

  it('rejects relative imports that leave the package', () => {
    const problems = checkSources([src('alloc-tag', "import { x } from '../../maple-tree/src/index';")]);
    expect(problems.some((p: string) => p.includes('leaves the package'))).toBe(true);
  });

  it('rejects a workspace import missing from package.json and a forbidden dependency', () => {
    const problems = checkSources([src('alloc-tag', "import { x } from '@allocprof/codetag';")], {
      'alloc-tag': [],
      codetag: ['alloc-tag'],
    });
    expect(problems.some((p: string) => p.includes('not a dependency'))).toBe(true);
    expect(problems.some((p: string) => p.includes("dependency '@allocprof/alloc-tag' is forbidden"))).toBe(
      true,
    );
  });

  it('finds file import cycles inside a package, ignoring type-only imports', () => {
    const problems = checkSources([
      src('codetag', "import { b } from './b';", 'src/a.ts'),
      src('codetag', "import { a } from './a';", 'src/b.ts'),
      src('codetag', "import type { a } from './a';", 'src/c.ts'),
      src('codetag', "import { c } from './c';", 'src/d.ts'),
    ]);
    expect(problems).toEqual(['codetag: file import cycle: src/a -> src/b -> src/a']);
  });

  it('finds package cycles', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('parses every import form and skips comments', () => {
    const imports = parseImports(`
      import a from 'x';
      import type { T } from 'y';
      export { b } from 'z';
      // import { no } from 'commented';
      /* import { no2 } from 'block'; */
      const c = await import('w');
      import 'side-effect';
    `);
    expect(imports).toEqual([
      { spec: 'x', typeOnly: false },
      { spec: 'y', typeOnly: true },
      { spec: 'z', typeOnly: false },
      { spec: 'w', typeOnly: false },
      { spec: 'side-effect', typeOnly: false },
    ]);
  });

  it('rejects Node builtins and globals in platform-neutral (core) files', () => {
    const problems = checkSources(
      [
        src('kernel-sim', "import { readFileSync } from 'node:fs';", 'src/cli/session.ts'),
        src(
          'kernel-sim',
          "import path from 'path';\nimport { promisify } from 'util';",
          'src/mm/page_alloc.ts',
        ),
        src('kernel-sim', "const { readdir } = await import('fs/promises');", 'src/bench/report.ts'),
        src('kernel-sim', 'export const t = () => process.cpuUsage();', 'src/bench/harness.ts'),
        src('kernel-sim', 'export type E = NodeJS.ProcessEnv;', 'src/cli/io.ts'),
        src('alloc-tag', 'export const b = Buffer.from([1]);'),
        src('playground', 'export const d = __dirname;', 'src/main.ts'),
      ],
      { 'kernel-sim': [], 'alloc-tag': [], playground: [] },
    );
    expect(problems).toEqual([
      "kernel-sim/src/cli/session.ts: imports the Node builtin 'node:fs', but it is platform-neutral code (Node-only code goes in src/node/)",
      "kernel-sim/src/mm/page_alloc.ts: imports the Node builtin 'path', but it is platform-neutral code (Node-only code goes in src/node/)",
      "kernel-sim/src/mm/page_alloc.ts: imports the Node builtin 'util', but it is platform-neutral code (Node-only code goes in src/node/)",
      "kernel-sim/src/bench/report.ts: imports the Node builtin 'fs/promises', but it is platform-neutral code (Node-only code goes in src/node/)",
      "kernel-sim/src/bench/harness.ts: uses Node's global 'process', but it is platform-neutral code (Node-only code goes in src/node/)",
      "kernel-sim/src/cli/io.ts: uses Node's 'NodeJS' types, but it is platform-neutral code (Node-only code goes in src/node/)",
      "alloc-tag/src/index.ts: uses Node's global 'Buffer', but it is platform-neutral code (Node-only code goes in src/node/)",
      "playground/src/main.ts: uses Node's '__dirname'/'__filename', but it is platform-neutral code (Node-only code goes in src/node/)",
    ]);
  });

  it('lets Node-only files (src/node/, tests, the CLI entry, files outside src/) use Node', () => {
    const fsImport = "import { readFileSync } from 'node:fs';\nexport const v = process.version;";
    const problems = checkSources(
      [
        src('kernel-sim', fsImport, 'src/node/host.ts'),
        src('kernel-sim', fsImport, 'src/node/shell.ts'),
        src('kernel-sim', fsImport, 'src/cli.ts'),
        src('kernel-sim', fsImport, 'src/cli/session.test.ts'),
        src('kernel-sim', fsImport, 'bench/index.ts'),
      ],
      { 'kernel-sim': [] },
    );
    expect(problems).toEqual([]);
    expect(isPlatformNeutral('kernel-sim', 'src/cli/session.ts')).toBe(true);
    expect(isPlatformNeutral('kernel-sim', 'src/cli.ts')).toBe(false);
    expect(isPlatformNeutral('maple-tree', 'src/cli.ts')).toBe(true);
    expect(isPlatformNeutral('kernel-sim', 'src/node/host.ts')).toBe(false);
    expect(isPlatformNeutral('kernel-sim', 'src/cli/session.test.ts')).toBe(false);
  });

  it('rejects a core file importing a Node-only file, except for its types', () => {
    const problems = checkSources(
      [
        src('kernel-sim', "import { nodeHost } from '../node/host';", 'src/cli/demo.ts'),
        src('kernel-sim', "import { handlers } from './cli';", 'src/index.ts'),
        src('kernel-sim', "import type { ShellStreams } from '../node/shell';", 'src/cli/session.ts'),
        src('kernel-sim', "import { runShell } from './shell';", 'src/node/handlers.ts'),
      ],
      { 'kernel-sim': [] },
    );
    expect(problems).toEqual([
      "kernel-sim/src/cli/demo.ts: imports the Node-only file '../node/host', but it is platform-neutral code",
      "kernel-sim/src/index.ts: imports the Node-only file './cli', but it is platform-neutral code",
    ]);
  });

  it('does not mistake words in comments or other names for Node globals', () => {
    expect(
      nodeUses(
        "// process.exit() is the CLI's\n/* Buffer.from */\nconst subprocess = { x: 1 };\nsubprocess.x;\nthis.process.y;\nimport { a } from './fs';\n",
      ),
    ).toEqual([]);
  });

  it('passes on this repository', () => {
    expect(checkRepo(repoRoot).problems).toEqual([]);
  });

  it('exits 1 from the command line when a forbidden import is fed in', () => {
    const r = runOnRepo({
      'packages/codetag/package.json': JSON.stringify({ name: '@allocprof/codetag' }),
      'packages/codetag/src/index.ts': "import { MapleTree } from '@allocprof/maple-tree';\n",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("'codetag' may not import '@allocprof/maple-tree'");
  });

  it('exits 1 from the command line when a core file of kernel-sim imports node:fs', () => {
    const r = runOnRepo({
      'apps/kernel-sim/package.json': JSON.stringify({ name: '@allocprof/kernel-sim' }),
      'apps/kernel-sim/src/node/host.ts': "import { readFileSync } from 'node:fs';\n",
      'apps/kernel-sim/src/cli/session.ts': "import { existsSync } from 'node:fs';\n",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("kernel-sim/src/cli/session.ts: imports the Node builtin 'node:fs'");
    expect(r.stderr).not.toContain('node/host.ts');
  });
});

/** Run the script on a repository made of `files` (path → text) in a temporary directory. */
function runOnRepo(files: Record<string, string>): { status: number; stderr: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  try {
    execFileSync(process.execPath, [script, root], { stdio: 'pipe' });
    return { status: 0, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stderr: Buffer };
    return { status: err.status, stderr: err.stderr.toString() };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
