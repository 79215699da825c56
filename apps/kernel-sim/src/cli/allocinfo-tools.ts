/**
 * `kernel-sim allocinfo top|diff`: the questions people ask of `/proc/allocinfo` — who holds the
 * memory (flat, or summed by source directory like Android's alloctop `--tree`), and what changed
 * between two snapshots.
 */
import { type AllocinfoFile, type SiteTotal, totalsBySite } from './allocinfo-file';
import type { Colors } from './colors';
import { countOf, formatBytes } from './size';

export type SortKey = 'bytes' | 'calls';

/** Options of `allocinfo top`. */
export interface TopOptions {
  sort: SortKey;
  /**
   * Only sites (or tree nodes) holding at least this many bytes; null shows every site, those
   * with negative sums included (lib/alloc_tag.c prints bytes with `%12lli`).
   */
  minBytes: number | null;
  /** At most this many rows; 0 = all. */
  lines: number;
  /** Aggregate by path prefix down to `depth` directory levels. */
  tree: boolean;
  depth: number;
}

/** A row of `top`: a call site, or in tree mode a directory / file. */
export interface TopRow {
  readonly name: string;
  readonly bytes: number;
  readonly calls: number;
  /** Tree mode: nesting level (0 = everything). */
  readonly level: number;
  /**
   * False when a tag of the row is marked ` accurate:no` (format 2.0: the kernel could not
   * account some of its allocations, lib/alloc_tag.c: alloc_tag_is_inaccurate()).
   */
  readonly accurate: boolean;
}

/** The result of `top`, as printed and as emitted by `--json`. */
export interface TopReport {
  readonly file: string;
  readonly version: string | null;
  readonly sites: number;
  /** Call sites marked ` accurate:no`. */
  readonly inaccurate: number;
  readonly totalBytes: number;
  readonly totalCalls: number;
  readonly sort: SortKey;
  readonly tree: boolean;
  readonly rows: readonly TopRow[];
}

function compareBy(sort: SortKey) {
  return (
    a: { bytes: number; calls: number; name: string },
    b: { bytes: number; calls: number; name: string },
  ) => {
    const pa = sort === 'bytes' ? a.bytes : a.calls;
    const pb = sort === 'bytes' ? b.bytes : b.calls;
    if (pa !== pb) return pb - pa;
    const sa = sort === 'bytes' ? a.calls : a.bytes;
    const sb = sort === 'bytes' ? b.calls : b.bytes;
    if (sa !== sb) return sb - sa;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

interface TreeNode {
  name: string;
  bytes: number;
  calls: number;
  accurate: boolean;
  children: Map<string, TreeNode>;
}

/** Build the report of `allocinfo top`. */
export function allocinfoTop(file: AllocinfoFile, opts: TopOptions): TopReport {
  const totals = [...totalsBySite(file).values()];
  let totalBytes = 0;
  let totalCalls = 0;
  let inaccurate = 0;
  for (const t of totals) {
    totalBytes += t.bytes;
    totalCalls += t.calls;
    if (!t.accurate) inaccurate++;
  }
  const min = opts.minBytes ?? Number.NEGATIVE_INFINITY;
  const cmp = compareBy(opts.sort);
  let rows: TopRow[];
  if (!opts.tree) {
    rows = totals
      .map((t) => ({ name: t.site, bytes: t.bytes, calls: t.calls, level: 0, accurate: t.accurate }))
      .filter((r) => r.bytes >= min)
      .sort(cmp);
    if (opts.lines > 0) rows = rows.slice(0, opts.lines);
  } else {
    const root: TreeNode = { name: '(all)', bytes: 0, calls: 0, accurate: true, children: new Map() };
    for (const t of totals) addToTree(root, t, opts.depth);
    rows = [];
    const walk = (node: TreeNode, level: number): void => {
      if (node.bytes < min && level > 0) return;
      rows.push({ name: node.name, bytes: node.bytes, calls: node.calls, level, accurate: node.accurate });
      const kids = [...node.children.values()].sort(cmp);
      for (const k of kids) walk(k, level + 1);
    };
    walk(root, 0);
    if (opts.lines > 0) rows = rows.slice(0, opts.lines);
  }
  return {
    file: file.name,
    version: file.version,
    sites: totals.length,
    inaccurate,
    totalBytes,
    totalCalls,
    sort: opts.sort,
    tree: opts.tree,
    rows,
  };
}

/** Charge a site to every path prefix of its file, down to `depth` directories, then the file. */
function addToTree(root: TreeNode, t: SiteTotal, depth: number): void {
  const parts = t.file.split('/');
  const dirs = parts.slice(0, -1);
  const charge = (node: TreeNode) => {
    node.bytes += t.bytes;
    node.calls += t.calls;
    node.accurate &&= t.accurate;
  };
  let node = root;
  charge(node);
  let prefix = '';
  const levels = Math.min(dirs.length, depth);
  for (let i = 0; i < levels; i++) {
    prefix += `${dirs[i]}/`;
    node = child(node, prefix);
    charge(node);
  }
  if (dirs.length < depth || depth === Number.POSITIVE_INFINITY) {
    node = child(node, t.file);
    charge(node);
  }
}

function child(node: TreeNode, name: string): TreeNode {
  let c = node.children.get(name);
  if (c === undefined) {
    c = { name, bytes: 0, calls: 0, accurate: true, children: new Map() };
    node.children.set(name, c);
  }
  return c;
}

/** The header line of a `top` report: the file and what it holds. */
export function topSummary(r: TopReport): string {
  const marked = r.inaccurate === 0 ? '' : ` (${r.inaccurate} accurate:no)`;
  return `${r.file}: allocinfo ${r.version ?? '(no header)'}, ${countOf(r.sites, 'call site')}${marked}, ${formatBytes(r.totalBytes)} in ${countOf(r.totalCalls, 'allocation')}`;
}

/** A row's name as printed: indented in tree mode, the kernel's ` accurate:no` kept. */
export function rowName(r: TopReport, row: TopRow): string {
  const name = r.tree ? `${'  '.repeat(row.level)}${row.name}` : row.name;
  return row.accurate ? name : `${name} accurate:no`;
}

/** The note under a report with inaccurate rows. */
export const INACCURATE_NOTE =
  'accurate:no: the kernel could not account every allocation of the call sites in that row; its counts may be low.';

/** Text form of a `top` report. */
export function formatTop(r: TopReport, c: Colors): string {
  const out: string[] = [];
  out.push(c.bold(topSummary(r)));
  out.push(c.dim(`${'SIZE'.padStart(11)} ${'CALLS'.padStart(10)}  ${r.tree ? 'PATH' : 'CALL SITE'}`));
  for (const row of r.rows) {
    const line = `${formatBytes(row.bytes).padStart(11)} ${String(row.calls).padStart(10)}  ${rowName(r, row)}`;
    out.push(row.accurate ? line : c.yellow(line));
  }
  if (r.rows.some((row) => !row.accurate)) out.push(c.dim(INACCURATE_NOTE));
  return `${out.join('\n')}\n`;
}

export type DiffKind = 'grew' | 'shrank' | 'appeared' | 'vanished';

/** One changed call site between two snapshots. */
export interface DiffRow {
  readonly site: string;
  readonly kind: DiffKind;
  readonly oldBytes: number;
  readonly newBytes: number;
  readonly oldCalls: number;
  readonly newCalls: number;
  readonly deltaBytes: number;
  readonly deltaCalls: number;
}

/** The result of `allocinfo diff`. */
export interface DiffReport {
  readonly old: string;
  readonly new: string;
  readonly deltaBytes: number;
  readonly deltaCalls: number;
  readonly grew: readonly DiffRow[];
  readonly shrank: readonly DiffRow[];
  readonly appeared: readonly DiffRow[];
  readonly vanished: readonly DiffRow[];
}

/**
 * Compare two snapshots by call-site text. A site present in both with different counters grew
 * or shrank (by bytes; by calls when the bytes are equal); sites only in NEW appeared (a module
 * loaded), only in OLD vanished (a module unloaded and its area reclaimed). `minBytes` hides
 * changes smaller than that many bytes.
 */
export function allocinfoDiff(oldFile: AllocinfoFile, newFile: AllocinfoFile, minBytes = 0): DiffReport {
  const a = totalsBySite(oldFile);
  const b = totalsBySite(newFile);
  const rows: DiffRow[] = [];
  const mk = (site: string, o: SiteTotal | undefined, n: SiteTotal | undefined): DiffRow | null => {
    const ob = o?.bytes ?? 0;
    const nb = n?.bytes ?? 0;
    const oc = o?.calls ?? 0;
    const nc = n?.calls ?? 0;
    let kind: DiffKind;
    if (o === undefined) kind = 'appeared';
    else if (n === undefined) kind = 'vanished';
    else if (nb !== ob) kind = nb > ob ? 'grew' : 'shrank';
    else if (nc !== oc) kind = nc > oc ? 'grew' : 'shrank';
    else return null;
    return {
      site,
      kind,
      oldBytes: ob,
      newBytes: nb,
      oldCalls: oc,
      newCalls: nc,
      deltaBytes: nb - ob,
      deltaCalls: nc - oc,
    };
  };
  for (const [site, o] of a) {
    const r = mk(site, o, b.get(site));
    if (r !== null) rows.push(r);
  }
  for (const [site, n] of b) {
    if (a.has(site)) continue;
    const r = mk(site, undefined, n);
    if (r !== null) rows.push(r);
  }
  let deltaBytes = 0;
  let deltaCalls = 0;
  for (const r of rows) {
    deltaBytes += r.deltaBytes;
    deltaCalls += r.deltaCalls;
  }
  const shown = rows.filter((r) => Math.abs(r.deltaBytes) >= minBytes);
  const order = (x: DiffRow, y: DiffRow) =>
    Math.abs(y.deltaBytes) - Math.abs(x.deltaBytes) ||
    Math.abs(y.deltaCalls) - Math.abs(x.deltaCalls) ||
    (x.site < y.site ? -1 : x.site > y.site ? 1 : 0);
  const pick = (k: DiffKind) => shown.filter((r) => r.kind === k).sort(order);
  return {
    old: oldFile.name,
    new: newFile.name,
    deltaBytes,
    deltaCalls,
    grew: pick('grew'),
    shrank: pick('shrank'),
    appeared: pick('appeared'),
    vanished: pick('vanished'),
  };
}

function signed(n: number, f: (n: number) => string): string {
  return n > 0 ? `+${f(n)}` : n < 0 ? `-${f(-n)}` : f(0);
}

/** Text form of a diff report. */
export function formatDiff(r: DiffReport, c: Colors): string {
  const out: string[] = [];
  out.push(
    c.bold(
      `${r.old} -> ${r.new}: ${signed(r.deltaBytes, formatBytes)} in ${signed(r.deltaCalls, String)} allocations`,
    ),
  );
  const section = (title: string, rows: readonly DiffRow[], paint: (s: string) => string) => {
    out.push(`${title} (${rows.length}):`);
    for (const row of rows) {
      const delta = `${signed(row.deltaBytes, formatBytes).padStart(12)} ${signed(row.deltaCalls, String).padStart(9)}`;
      const span = `${formatBytes(row.oldBytes)} -> ${formatBytes(row.newBytes)}`;
      out.push(`${paint(delta)}  ${row.site}  (${span})`);
    }
  };
  section('grew', r.grew, c.red);
  section('shrank', r.shrank, c.green);
  section('appeared', r.appeared, c.yellow);
  section('vanished', r.vanished, c.cyan);
  return `${out.join('\n')}\n`;
}
