#!/usr/bin/env node
/**
 * Copies the latest benchmark tables into docs/benchmarks.md, so that page never has to be edited
 * by hand after `pnpm bench`. Each block of the page between
 *
 *   <!-- bench-table: <file>[#<region>] [meta=<json>] -->
 *   …
 *   <!-- /bench-table -->
 *
 * is replaced by the contents of <file> (repository path), or by the part of it between
 * `<!-- <region>:start -->` and `<!-- <region>:end -->`. With `meta=<json>`, a line "Measured <date>
 * with Node <version> on <cpu>." taken from that results file comes first (for tables that do not
 * carry their own date).
 *
 * Usage: node scripts/bench-tables.mjs [--check] [page]   (default page: docs/benchmarks.md)
 * --check: change nothing, exit 1 if the page is not up to date with the results.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BLOCK_RE =
  /^(<!-- bench-table: ([^\s#]+)(?:#([\w-]+))?(?: meta=(\S+))? -->\n)([\s\S]*?)(<!-- \/bench-table -->)/gm;

/** A typed failure naming the block at fault. */
export class BenchTablesError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BenchTablesError';
  }
}

/** The text between `<!-- region:start -->` and `<!-- region:end -->` of `text`. */
export function extractRegion(text, region, file) {
  const start = `<!-- ${region}:start -->`;
  const end = `<!-- ${region}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new BenchTablesError(`${file}: no region '${region}' (${start} … ${end})`);
  return text.slice(i + start.length, j);
}

/** "Measured <date> with Node <version> on <cpu>." from a results JSON (top level, `environment` or `machine`). */
export function measuredLine(results, file) {
  for (const o of [results, results?.environment, results?.machine]) {
    if (o && typeof o.date === 'string' && typeof o.node === 'string') {
      const date = o.date.slice(0, 10);
      const cpu = typeof o.cpu === 'string' ? ` on ${o.cpu}` : '';
      return `Measured ${date} with Node ${o.node}${cpu}.`;
    }
  }
  throw new BenchTablesError(`${file}: no date and node version to quote`);
}

/**
 * The page with every block refreshed. `read(path)` returns a repository file's text (throws if it
 * does not exist).
 */
export function refreshPage(page, read) {
  let blocks = 0;
  const out = page.replace(BLOCK_RE, (_all, open, file, region, meta, _old, close) => {
    blocks++;
    let body = read(file);
    if (region) body = extractRegion(body, region, file);
    body = body.trim();
    if (meta) body = `${measuredLine(JSON.parse(read(meta)), meta)}\n\n${body}`;
    return `${open}${body}\n${close}`;
  });
  const opened = (page.match(/^<!-- bench-table: /gm) ?? []).length;
  if (opened !== blocks)
    throw new BenchTablesError(`${opened - blocks} bench-table block(s) are malformed or not closed`);
  return { text: out, blocks };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const pagePath = path.resolve(repoRoot, args.find((a) => !a.startsWith('--')) ?? 'docs/benchmarks.md');
  const read = (f) => {
    const p = path.join(repoRoot, f);
    if (!fs.existsSync(p)) throw new BenchTablesError(`${f}: no such results file`);
    return fs.readFileSync(p, 'utf8');
  };
  try {
    const before = fs.readFileSync(pagePath, 'utf8');
    const { text, blocks } = refreshPage(before, read);
    const rel = path.relative(repoRoot, pagePath);
    if (check) {
      if (text !== before) {
        console.error(`bench-tables: ${rel} is older than the results; run node scripts/bench-tables.mjs`);
        process.exit(1);
      }
      console.log(`bench-tables: ${rel}: ${blocks} table(s) up to date`);
    } else {
      if (text !== before) fs.writeFileSync(pagePath, text);
      console.log(
        `bench-tables: ${rel}: ${blocks} table(s) ${text !== before ? 'refreshed' : 'already up to date'}`,
      );
    }
  } catch (e) {
    if (!(e instanceof BenchTablesError)) throw e;
    console.error(`bench-tables: ${e.message}`);
    process.exit(1);
  }
}
