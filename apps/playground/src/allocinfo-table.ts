/**
 * The /proc/allocinfo panel's rows: the file the running kernel serves, parsed with the same
 * reader as `kernel-sim allocinfo`, filtered by text, sorted by bytes or calls, with each
 * module's call sites marked (and marked unloaded when the module is gone but its tags stay).
 */
import { type AllocinfoEntry, parseAllocinfoText } from '@allocprof/kernel-sim';

export type SortKey = 'bytes' | 'calls';

/** One row of the table. */
export interface AllocinfoRow {
  readonly bytes: number;
  readonly calls: number;
  /** `file:line`. */
  readonly where: string;
  readonly func: string;
  /** Module name, null for the kernel image. */
  readonly module: string | null;
  /** Module tags still listed after their module was unloaded (live allocations keep them). */
  readonly unloaded: boolean;
}

/** Rows of an allocinfo text; `loaded` names the modules currently loaded. */
export function allocinfoRows(text: string, loaded: readonly string[]): AllocinfoRow[] {
  const file = parseAllocinfoText(text, '/proc/allocinfo');
  const live = new Set(loaded);
  return file.entries.map((e: AllocinfoEntry) => ({
    bytes: e.bytes,
    calls: e.calls,
    where: `${e.file}:${e.line}`,
    func: e.func,
    module: e.module,
    unloaded: e.module !== null && !live.has(e.module),
  }));
}

/** The rows whose text contains every blank-separated word of `filter` (case-insensitive). */
export function filterRows(rows: readonly AllocinfoRow[], filter: string): AllocinfoRow[] {
  const words = filter
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const text = `${r.where} ${r.func} ${r.module ?? ''}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** Sort by `key`, largest first unless `ascending`; ties keep file order (the sort is stable). */
export function sortRows(rows: readonly AllocinfoRow[], key: SortKey, ascending = false): AllocinfoRow[] {
  const sign = ascending ? 1 : -1;
  return [...rows].sort((a, b) => sign * (a[key] - b[key]));
}
