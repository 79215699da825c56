#!/usr/bin/env node
/**
 * Layering check: fails on any workspace import that the layer table (docs/architecture.md) forbids,
 * on deep imports into another package (`@allocprof/x/src/...`), on relative imports that leave
 * their package, on package.json dependencies outside the table, and on any import cycle —
 * between packages and between the files of one package (type-only imports excluded).
 *
 * It also keeps the core platform-neutral, so that it runs in a browser (apps/playground) as in
 * Node: see isPlatformNeutral() for which files that covers and nodeUses() for what they may not do.
 *
 * Usage: node scripts/check-layers.mjs [repo-root]   (exit 1 and one line per problem on failure)
 */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Which workspace packages each package may import (docs/architecture.md, "Packages and layers");
 * the playground app sits above kernel-sim.
 */
export const ALLOWED = {
  'maple-tree': [],
  codetag: [],
  'page-flags-layout': [],
  'execmem-vmalloc': ['maple-tree'],
  'pgalloc-tag': ['codetag', 'page-flags-layout'],
  'alloc-tag': ['maple-tree', 'codetag', 'execmem-vmalloc', 'page-flags-layout', 'pgalloc-tag'],
  'kernel-sim': ['maple-tree', 'codetag', 'execmem-vmalloc', 'page-flags-layout', 'pgalloc-tag', 'alloc-tag'],
  playground: [
    'maple-tree',
    'codetag',
    'execmem-vmalloc',
    'page-flags-layout',
    'pgalloc-tag',
    'alloc-tag',
    'kernel-sim',
  ],
};

/** Command-line entry points: Node-only files outside `src/node/`. */
export const NODE_ENTRIES = { 'kernel-sim': ['src/cli.ts'] };

/**
 * Whether a file must be platform-neutral. The core is every source file under a package's or
 * app's `src/`, except the Node-only files: tests (`*.test.ts`, `*.test-d.ts`, they run under
 * Node), the files under `src/node/` (the Node implementations of injected interfaces: files,
 * terminal, process, host info), and the entries of NODE_ENTRIES. Files outside `src/` (bench
 * scripts, configs, browser tests) are Node tooling and not checked.
 */
export function isPlatformNeutral(pkg, file) {
  if (!file.startsWith('src/')) return false;
  if (/\.test(-d)?\.[cm]?tsx?$/.test(file)) return false;
  return !isNodeOnlyFile(pkg, file);
}

/** Whether a source file (path relative to its package, extension optional) is Node-only code. */
function isNodeOnlyFile(pkg, file) {
  if (file.startsWith('src/node/')) return true;
  return (NODE_ENTRIES[pkg] ?? []).some((e) => e === file || e.replace(/\.[cm]?tsx?$/, '') === file);
}

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** Whether a module specifier names a Node builtin (`node:fs`, or `fs`, `fs/promises` without the prefix). */
export function isNodeBuiltin(spec) {
  return spec.startsWith('node:') || NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0]);
}

/** Node's globals and types a platform-neutral file may not use (outside comments). */
const NODE_GLOBALS = [
  [/(?<![\w$.])process\s*\.\s*[A-Za-z_$]/, "Node's global 'process'"],
  [/(?<![\w$.])Buffer\s*\.\s*[A-Za-z_$]|\bnew\s+Buffer\b/, "Node's global 'Buffer'"],
  [/(?<![\w$.])(__dirname|__filename)(?![\w$])/, "Node's '__dirname'/'__filename'"],
  [/(?<![\w$.])NodeJS\s*\./, "Node's 'NodeJS' types"],
];

/** What in a source text only Node has: builtin imports and Node globals, one line each. */
export function nodeUses(text) {
  const uses = [];
  for (const { spec } of parseImports(text))
    if (isNodeBuiltin(spec)) uses.push(`imports the Node builtin '${spec}'`);
  const code = stripComments(text);
  for (const [re, what] of NODE_GLOBALS) if (re.test(code)) uses.push(`uses ${what}`);
  return uses;
}

const SCOPE = '@allocprof/';
const IMPORT_RE =
  /(?:^|[;\s}])(import|export)\s+(type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier of a source text, with whether the import is type-only. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

export function parseImports(text) {
  const stripped = stripComments(text);
  const out = [];
  for (const m of stripped.matchAll(IMPORT_RE)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (!spec) continue;
    const typeOnly =
      Boolean(m[2]) || /^import\s+type\s*\{/.test(m[0].trim()) || /^export\s+type\s*\{/.test(m[0].trim());
    out.push({ spec, typeOnly });
  }
  return out;
}

/**
 * Check a set of source files. `files`: [{ pkg, file, text }] where `file` is the path relative to
 * the package root (e.g. `src/index.ts`); `manifests`: { pkg: [declared workspace deps] }.
 * Returns a list of human-readable problems (empty when the layering holds).
 */
export function checkSources(files, manifests = {}) {
  const problems = [];
  const pkgGraph = new Map();
  const fileGraphs = new Map();
  const known = new Set(Object.keys(ALLOWED));
  for (const { pkg, file, text } of files) {
    const where = `${pkg}/${file}`;
    if (!known.has(pkg)) {
      problems.push(`${where}: package '${pkg}' is not in the layer table of docs/architecture.md`);
      continue;
    }
    if (!pkgGraph.has(pkg)) pkgGraph.set(pkg, new Set());
    if (!fileGraphs.has(pkg)) fileGraphs.set(pkg, new Map());
    const fileEdges = new Set();
    fileGraphs.get(pkg).set(file, fileEdges);
    const neutral = isPlatformNeutral(pkg, file);
    if (neutral)
      for (const use of nodeUses(text))
        problems.push(`${where}: ${use}, but it is platform-neutral code (Node-only code goes in src/node/)`);
    for (const { spec, typeOnly } of parseImports(text)) {
      if (spec.startsWith(SCOPE)) {
        const rest = spec.slice(SCOPE.length).split('/');
        const target = rest[0];
        if (rest.length > 1) {
          problems.push(`${where}: deep import '${spec}' (import '${SCOPE}${target}' only)`);
        }
        if (target === pkg) {
          problems.push(`${where}: imports its own package by name ('${spec}'); use a relative import`);
          continue;
        }
        if (!ALLOWED[pkg].includes(target)) {
          problems.push(
            `${where}: '${pkg}' may not import '${SCOPE}${target}' (allowed: ${ALLOWED[pkg].join(', ') || 'nothing from the workspace'})`,
          );
        }
        if (manifests[pkg] && !manifests[pkg].includes(target)) {
          problems.push(
            `${where}: imports '${SCOPE}${target}' which is not a dependency in ${pkg}/package.json`,
          );
        }
        pkgGraph.get(pkg).add(target);
      } else if (spec.startsWith('.')) {
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        if (resolved.startsWith('..')) {
          problems.push(`${where}: relative import '${spec}' leaves the package`);
          continue;
        }
        if (!typeOnly) fileEdges.add(resolved.replace(/\.(js|ts|mjs)$/, ''));
        if (neutral && !typeOnly && isNodeOnlyFile(pkg, resolved.replace(/\.(js|ts|mjs)$/, '')))
          problems.push(`${where}: imports the Node-only file '${spec}', but it is platform-neutral code`);
      }
    }
  }
  for (const [pkg, deps] of Object.entries(manifests)) {
    for (const dep of deps) {
      if (ALLOWED[pkg] && !ALLOWED[pkg].includes(dep)) {
        problems.push(`${pkg}/package.json: dependency '${SCOPE}${dep}' is forbidden by the layer table`);
      }
    }
  }
  for (const cycle of findCycles(pkgGraph)) problems.push(`package import cycle: ${cycle.join(' -> ')}`);
  for (const [pkg, graph] of fileGraphs) {
    const byModule = new Map();
    for (const [file, edges] of graph) byModule.set(file.replace(/\.(ts|mts)$/, ''), edges);
    const resolvedGraph = new Map();
    for (const [mod, edges] of byModule) {
      resolvedGraph.set(
        mod,
        new Set(
          [...edges]
            .map((e) => (byModule.has(e) ? e : byModule.has(`${e}/index`) ? `${e}/index` : e))
            .filter((e) => byModule.has(e)),
        ),
      );
    }
    for (const cycle of findCycles(resolvedGraph))
      problems.push(`${pkg}: file import cycle: ${cycle.join(' -> ')}`);
  }
  return problems;
}

/** Elementary cycles found by DFS (each reported once, starting at its smallest node). */
export function findCycles(graph) {
  const cycles = [];
  const seen = new Set();
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 1) {
        const cyc = stack.slice(stack.indexOf(next));
        const min = [...cyc].sort()[0];
        const rot = [...cyc.slice(cyc.indexOf(min)), ...cyc.slice(0, cyc.indexOf(min))];
        const key = rot.join('>');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rot, rot[0]]);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

function walk(dir, acc = []) {
  if (!fs.existsSync(dir)) return acc;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      if (ent.name !== 'node_modules' && ent.name !== 'dist' && ent.name !== '.tsbuild') walk(p, acc);
    } else if (/\.(ts|tsx|mts|mjs|js)$/.test(ent.name) && !ent.name.endsWith('.d.ts')) acc.push(p);
  }
  return acc;
}

/** Read every package of a repository checkout and check it. */
export function checkRepo(root) {
  const files = [];
  const manifests = {};
  for (const group of ['packages', 'apps']) {
    const base = path.join(root, group);
    if (!fs.existsSync(base)) continue;
    for (const dir of fs.readdirSync(base)) {
      const pkgRoot = path.join(base, dir);
      const manifestPath = path.join(pkgRoot, 'package.json');
      if (!fs.existsSync(manifestPath)) continue;
      const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
      const pkg = manifest.name.startsWith(SCOPE) ? manifest.name.slice(SCOPE.length) : manifest.name;
      manifests[pkg] = Object.keys({
        ...manifest.dependencies,
        ...manifest.devDependencies,
        ...manifest.peerDependencies,
      })
        .filter((d) => d.startsWith(SCOPE))
        .map((d) => d.slice(SCOPE.length));
      for (const sub of ['src', 'bench']) {
        for (const f of walk(path.join(pkgRoot, sub))) {
          files.push({
            pkg,
            file: path.relative(pkgRoot, f).split(path.sep).join('/'),
            text: fs.readFileSync(f, 'utf8'),
          });
        }
      }
    }
  }
  return { problems: checkSources(files, manifests), files: files.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const { problems, files } = checkRepo(root);
  if (problems.length) {
    for (const p of problems) console.error(`check-layers: ${p}`);
    console.error(`check-layers: ${problems.length} problem(s) in ${files} files`);
    process.exit(1);
  }
  console.log(`check-layers: ${files} files follow the layer table, no cycles`);
}
