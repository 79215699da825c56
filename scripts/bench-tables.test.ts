import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without declarations
import { BenchTablesError, extractRegion, measuredLine, refreshPage } from './bench-tables.mjs';

const script = path.join(import.meta.dirname, 'bench-tables.mjs');

function reader(files: Record<string, string>) {
  return (f: string) => {
    const text = files[f];
    if (text === undefined) throw new BenchTablesError(`${f}: no such results file`);
    return text;
  };
}

describe('refreshPage', () => {
  it('replaces each block with its results file and leaves the prose alone', () => {
    const page = [
      '# Benchmarks',
      'Prose before.',
      '<!-- bench-table: a/results.md -->',
      'old table',
      '<!-- /bench-table -->',
      'Prose between.',
      '<!-- bench-table: b/results.md -->',
      '<!-- /bench-table -->',
      '',
    ].join('\n');
    const { text, blocks } = refreshPage(
      page,
      reader({ 'a/results.md': '| x |\n|---|\n| 1 |\n\n', 'b/results.md': 'B' }),
    );
    expect(blocks).toBe(2);
    expect(text).toBe(
      [
        '# Benchmarks',
        'Prose before.',
        '<!-- bench-table: a/results.md -->',
        '| x |\n|---|\n| 1 |',
        '<!-- /bench-table -->',
        'Prose between.',
        '<!-- bench-table: b/results.md -->',
        'B',
        '<!-- /bench-table -->',
        '',
      ].join('\n'),
    );
  });

  it('takes a region of a README and puts a measured line from a results JSON first', () => {
    const page = '<!-- bench-table: pkg/README.md#bench meta=pkg/r.json -->\n<!-- /bench-table -->\n';
    const readme = 'intro\n<!-- bench:start -->\n| t |\n<!-- bench:end -->\nmore\n';
    const meta = JSON.stringify({ machine: { date: '2026-11-25', node: 'v20.20.2', cpu: 'AMD EPYC' } });
    const { text } = refreshPage(page, reader({ 'pkg/README.md': readme, 'pkg/r.json': meta }));
    expect(text).toBe(
      '<!-- bench-table: pkg/README.md#bench meta=pkg/r.json -->\n' +
        'Measured 2026-11-25 with Node v20.20.2 on AMD EPYC.\n\n| t |\n<!-- /bench-table -->\n',
    );
  });

  it('is idempotent', () => {
    const files = reader({ 'r.md': 'T' });
    const once = refreshPage('<!-- bench-table: r.md -->\nx\n<!-- /bench-table -->\n', files).text;
    expect(refreshPage(once, files).text).toBe(once);
  });

  it('fails on a missing file, a missing region, missing metadata and an unclosed block', () => {
    const files = reader({ 'r.md': 'no markers', 'r.json': '{"date":"2026-01-01"}' });
    expect(() => refreshPage('<!-- bench-table: gone.md -->\n<!-- /bench-table -->', files)).toThrow(
      /gone\.md: no such results file/,
    );
    expect(() => refreshPage('<!-- bench-table: r.md#bench -->\n<!-- /bench-table -->', files)).toThrow(
      /r\.md: no region 'bench'/,
    );
    expect(() => refreshPage('<!-- bench-table: r.md meta=r.json -->\n<!-- /bench-table -->', files)).toThrow(
      /r\.json: no date and node version/,
    );
    expect(() => refreshPage('<!-- bench-table: r.md -->\nno end\n', files)).toThrow(
      /1 bench-table block\(s\) are malformed or not closed/,
    );
  });
});

describe('helpers', () => {
  it('extractRegion needs both markers in order', () => {
    expect(extractRegion('a<!-- x:start -->b<!-- x:end -->c', 'x', 'f')).toBe('b');
    expect(() => extractRegion('<!-- x:end --><!-- x:start -->', 'x', 'f')).toThrow(BenchTablesError);
  });

  it('measuredLine reads the top level, environment or machine', () => {
    expect(measuredLine({ date: '2026-11-25T22:44:52.497Z', node: 'v20', cpu: 'EPYC' }, 'f')).toBe(
      'Measured 2026-11-25 with Node v20 on EPYC.',
    );
    expect(measuredLine({ environment: { date: '2026-11-25', node: 'v20' } }, 'f')).toBe(
      'Measured 2026-11-25 with Node v20.',
    );
  });
});

describe('the command', () => {
  const page = (body: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tables-'));
    const file = path.join(dir, 'page.md');
    fs.writeFileSync(file, `# B\n<!-- bench-table: LICENSE -->\n${body}\n<!-- /bench-table -->\n`);
    return file;
  };
  const run = (...args: string[]) =>
    execFileSync(process.execPath, [script, ...args], { encoding: 'utf8', stdio: 'pipe' });

  it('--check fails on a stale page and changes nothing', () => {
    const file = page('stale');
    expect(() => run('--check', file)).toThrow(/older than the results/);
    expect(fs.readFileSync(file, 'utf8')).toContain('stale');
  });

  it('refreshes a page from the repository files, after which --check passes', () => {
    const file = page('stale');
    expect(run(file)).toMatch(/1 table\(s\) refreshed/);
    expect(fs.readFileSync(file, 'utf8')).toContain('MIT License');
    expect(run('--check', file)).toMatch(/1 table\(s\) up to date/);
  });
});
