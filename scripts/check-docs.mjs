#!/usr/bin/env node
/**
 * Documentation check: the repository stands alone.
 *
 * 1. Every relative link in a tracked Markdown file — inline links, image links, reference
 *    definitions, HTML `href`/`src`, and links to this repository's own GitHub URLs (as npm READMEs
 *    must use) — resolves to a tracked file or directory inside the repository, and a `#anchor`
 *    into a Markdown file names one of its headings.
 * 2. No tracked text file points outside the repository: into the development machine's sibling
 *    folders (the `shared` folder next to the checkout), at absolute paths of that machine, at section marks or
 *    worked-example labels of outside design documents, or at those documents by name. Cite the
 *    kernel (file and function) or link into docs/ instead.
 *
 * Usage: node scripts/check-docs.mjs [repo-root]   (exit 1 and one line per problem)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's canonical URL; links to it are checked like relative links. */
export const REPO_URL = 'https://github.com/allocprof/allocprof';

/** Files never scanned for outside references: generated or third-party content. */
const SKIP_TEXT = new Set(['pnpm-lock.yaml']);

/** Names of the outside design documents; a mention must resolve to a file of this repository. */
const DOC_NAME_RE = /([\w./:-]*?)\b(architecture|benchmarks|kernel-sim|maple-tree|page-flags-layout)\.md\b/g;

/**
 * Outside references, each with the reason it is one. The patterns are written so that this file
 * does not match them itself (`\u00a7` for the section sign, a character class in the document
 * name, escaped slashes).
 */
const OUTSIDE_PATTERNS = [
  {
    re: /\.\.\/shared\b|\bshared\/spec\b/,
    why: 'points into the shared folder next to the checkout, outside the repository',
  },
  { re: /(^|[\s'"`([<=])\/work\//, why: 'absolute path of the development machine' },
  { re: /\u00a7 ?\d/, why: 'section mark of an outside document' },
  { re: /kernel-semantic[s]/, why: 'names an outside design document' },
  { re: /\bspec\/[a-z-]+\.md\b/, why: 'names an outside design document' },
  { re: /\bexamples? [A-C]\b(?![\w-])/, why: 'worked-example label of an outside document' },
];

/** Files of the repository: tracked or not ignored (git), or every file outside build output without git. */
export function listFiles(root) {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return out.split('\0').filter((f) => f !== '' && fs.existsSync(path.join(root, f)));
  } catch {
    const acc = [];
    const skip = new Set(['node_modules', 'dist', '.tsbuild', '.turbo', '.git', 'coverage']);
    const walk = (dir) => {
      for (const ent of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = dir === '' ? ent.name : `${dir}/${ent.name}`;
        if (ent.isDirectory()) {
          if (!skip.has(ent.name)) walk(rel);
        } else acc.push(rel);
      }
    };
    walk('');
    return acc.sort();
  }
}

/** GitHub's anchor for a heading text: lower case, punctuation dropped, each space a hyphen. */
export function githubSlug(text) {
  return text
    .trim()
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Splits Markdown into lines, marking those inside fenced code blocks. */
function markdownLines(text) {
  const lines = text.split('\n');
  const out = [];
  let fence = null;
  for (const line of lines) {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === null && m) {
      fence = m[1][0].repeat(m[1].length);
      out.push({ line, code: true });
    } else if (fence !== null) {
      if (m?.[1].startsWith(fence)) fence = null;
      out.push({ line, code: true });
    } else out.push({ line, code: false });
  }
  return out;
}

/** Every anchor a Markdown file defines: its headings (GitHub slugs, duplicates numbered) and HTML ids. */
export function headingAnchors(text) {
  const anchors = new Set();
  const seen = new Map();
  for (const { line, code } of markdownLines(text)) {
    if (code) continue;
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = githubSlug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const a of line.matchAll(/<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g)) anchors.add(a[1]);
  }
  return anchors;
}

/** Link targets of one Markdown file with their line numbers (code blocks and code spans skipped). */
export function markdownLinks(text) {
  const links = [];
  markdownLines(text).forEach(({ line, code }, i) => {
    if (code) return;
    const plain = line.replace(/(`+)[\s\S]*?\1/g, (s) => ' '.repeat(s.length));
    const push = (target) => links.push({ line: i + 1, target: target.trim() });
    for (const m of plain.matchAll(
      /!?\[(?:[^\]\\]|\\.)*\]\(\s*(?:<([^>]*)>|([^)\s]*))(?:\s+"[^"]*")?\s*\)/g,
    )) {
      push(m[1] ?? m[2]);
    }
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(plain);
    if (def) push(def[1]);
    for (const m of plain.matchAll(/<(?:a|img)\s+[^>]*?(?:href|src)="([^"]*)"/g)) push(m[1]);
  });
  return links;
}

/** The repository path a link target names, relative to the root, or null if it is not one of ours. */
function repoPathOf(from, target) {
  if (target.startsWith(`${REPO_URL}/`)) {
    const m = /^(?:blob|tree|raw)\/[^/]+\/(.*)$/.exec(target.slice(REPO_URL.length + 1));
    return m ? { path: m[1], external: false } : { path: null, external: false };
  }
  if (target === REPO_URL || target.startsWith(`${REPO_URL}#`)) return { path: '', external: false };
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return { path: null, external: true };
  if (target.startsWith('/')) return { path: target.slice(1), external: false, absolute: true };
  return { path: path.posix.join(path.posix.dirname(from), target), external: false };
}

/**
 * Check one Markdown file's links. `files` is the set of tracked paths, `dirs` the directories
 * they imply, `anchorsOf(path)` the anchors of a Markdown file. Returns problems as
 * `{ file, line, message }`.
 */
export function checkLinks(file, text, files, dirs, anchorsOf) {
  const problems = [];
  for (const { line, target } of markdownLinks(text)) {
    if (target === '') continue;
    const hash = target.indexOf('#');
    const bare = hash >= 0 ? target.slice(0, hash) : target;
    const anchor = hash >= 0 ? decodeURIComponent(target.slice(hash + 1)) : '';
    const where = bare === '' ? { path: file, external: false } : repoPathOf(file, bare);
    if (where.external) continue;
    const report = (message) => problems.push({ file, line, message: `link '${target}' ${message}` });
    if (where.path === null) {
      report('is a repository URL that names no file');
      continue;
    }
    let p = path.posix.normalize(decodeURIComponent(where.path)).replace(/\/$/, '');
    if (p === '.') p = '';
    if (p.startsWith('../') || p === '..') {
      report('leaves the repository');
      continue;
    }
    if (where.absolute && !files.has(p) && !dirs.has(p)) {
      report('is an absolute path outside the repository');
      continue;
    }
    if (p !== '' && !files.has(p) && !dirs.has(p)) {
      report('does not resolve to a tracked file or directory');
      continue;
    }
    if (anchor !== '' && p.endsWith('.md') && files.has(p) && !anchorsOf(p).has(anchor.toLowerCase())) {
      report(`names no heading '#${anchor}' in ${p}`);
    }
  }
  return problems;
}

/** Outside references in one text file, as `{ file, line, message }` (one per line at most). */
export function findOutsideReferences(file, text, files) {
  const problems = [];
  const resolves = (prefix, name) => {
    const full = `${prefix}${name}.md`.replace(
      /^https?:\/\/github\.com\/allocprof\/allocprof\/(?:blob|tree)\/[^/]+\//,
      '',
    );
    if (/^[a-z]+:/.test(full)) return false;
    const candidates = [
      path.posix.normalize(path.posix.join(path.posix.dirname(file), full)),
      path.posix.normalize(full.replace(/^\/+/, '')),
    ];
    return candidates.some((c) => files.has(c));
  };
  text.split('\n').forEach((line, i) => {
    for (const { re, why } of OUTSIDE_PATTERNS) {
      if (re.test(line)) {
        problems.push({ file, line: i + 1, message: `${why}: ${line.trim().slice(0, 160)}` });
        return;
      }
    }
    for (const m of line.matchAll(DOC_NAME_RE)) {
      if (!resolves(m[1], m[2])) {
        problems.push({
          file,
          line: i + 1,
          message: `'${m[1]}${m[2]}.md' names no file of this repository (link into docs/ or cite the kernel): ${line.trim().slice(0, 160)}`,
        });
        return;
      }
    }
  });
  return problems;
}

/**
 * Check a set of files: `texts` maps repository paths to their text (binary files omitted),
 * `all` lists every tracked path. Returns `{ problems }`.
 */
export function checkFiles(texts, all = [...texts.keys()]) {
  const files = new Set(all);
  const dirs = new Set(['']);
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const anchorCache = new Map();
  const anchorsOf = (p) => {
    if (!anchorCache.has(p)) anchorCache.set(p, headingAnchors(texts.get(p) ?? ''));
    return anchorCache.get(p);
  };
  const problems = [];
  for (const [file, text] of texts) {
    if (file.endsWith('.md')) problems.push(...checkLinks(file, text, files, dirs, anchorsOf));
    if (!SKIP_TEXT.has(file)) problems.push(...findOutsideReferences(file, text, files));
  }
  return { problems };
}

/** Read a checkout and check it. */
export function checkRepo(root) {
  const all = listFiles(root);
  const texts = new Map();
  for (const f of all) {
    const buf = fs.readFileSync(path.join(root, f));
    if (buf.subarray(0, 8000).includes(0)) continue;
    texts.set(f, buf.toString('utf8'));
  }
  return { ...checkFiles(texts, all), files: all.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const rootArg = process.argv[2];
  const root = path.resolve(rootArg ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const { problems, files } = checkRepo(root);
  if (problems.length > 0) {
    for (const p of problems) console.error(`check-docs: ${p.file}:${p.line}: ${p.message}`);
    console.error(`check-docs: ${problems.length} problem(s) in ${files} files`);
    process.exit(1);
  }
  console.log(`check-docs: ${files} files; every Markdown link resolves, no reference leaves the repository`);
}
