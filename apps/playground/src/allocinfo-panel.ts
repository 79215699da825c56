/** The live /proc/allocinfo table: sortable by bytes and calls, filterable, module call sites marked. */
import { formatBytes, type Session } from '@allocprof/kernel-sim';
import { type AllocinfoRow, allocinfoRows, filterRows, type SortKey, sortRows } from './allocinfo-table';

/** Rows drawn at most (the rest is one filter away). */
const MAX_ROWS = 200;

export class AllocinfoPanel {
  private rows: AllocinfoRow[] = [];
  private sortKey: SortKey = 'bytes';
  private ascending = false;
  private readonly table: HTMLTableElement;
  private readonly filter: HTMLInputElement;
  private readonly summary: HTMLElement;
  private unavailable: string | null = null;

  constructor(table: HTMLTableElement, filter: HTMLInputElement, summary: HTMLElement) {
    this.table = table;
    this.filter = filter;
    this.summary = summary;
    filter.addEventListener('input', () => this.draw());
    for (const b of table.querySelectorAll<HTMLButtonElement>('thead button[data-sort]'))
      b.addEventListener('click', () => this.sortBy(b.dataset.sort as SortKey));
  }

  /** Read /proc/allocinfo again (as `cat` does) and redraw. */
  update(session: Session | null): void {
    this.rows = [];
    this.unavailable = null;
    if (session === null) this.unavailable = 'no kernel running';
    else {
      try {
        const loaded = session.kernel.loadedModules().map((m) => m.name);
        this.rows = allocinfoRows(session.execute(['cat', '/proc/allocinfo']), loaded);
      } catch (e) {
        // No allocinfo in this kernel (profiling not built in, or shut down at boot): cat's message.
        this.unavailable = e instanceof Error ? e.message : String(e);
      }
    }
    this.draw();
  }

  /** Sort by `key`; the same key again reverses the order. */
  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.ascending = !this.ascending;
    else {
      this.sortKey = key;
      this.ascending = false;
    }
    for (const th of this.table.querySelectorAll<HTMLElement>('thead th[aria-sort]')) {
      const k = th.querySelector<HTMLButtonElement>('button')?.dataset.sort;
      th.setAttribute('aria-sort', k === key ? (this.ascending ? 'ascending' : 'descending') : 'none');
    }
    this.draw();
  }

  private draw(): void {
    const body = this.table.tBodies[0]!;
    body.replaceChildren();
    if (this.unavailable !== null) {
      this.summary.textContent = this.unavailable;
      return;
    }
    const shown = sortRows(filterRows(this.rows, this.filter.value), this.sortKey, this.ascending);
    const frag = document.createDocumentFragment();
    for (const r of shown.slice(0, MAX_ROWS)) {
      const tr = document.createElement('tr');
      if (r.module !== null) tr.className = r.unloaded ? 'mod unloaded' : 'mod';
      tr.append(
        cell(String(r.bytes), 'num', formatBytes(Math.max(0, r.bytes))),
        cell(String(r.calls), 'num'),
        cell(r.where, 'site'),
        cell(r.func, 'func'),
        moduleCell(r),
      );
      frag.append(tr);
    }
    body.append(frag);
    const total = this.rows.reduce((a, r) => a + Math.max(0, r.bytes), 0);
    const live = this.rows.filter((r) => r.calls > 0).length;
    this.summary.textContent =
      `${this.rows.length} call sites, ${live} with live allocations, ${formatBytes(total)} in all. ` +
      `Showing ${Math.min(shown.length, MAX_ROWS)} of ${shown.length}` +
      `${shown.length > MAX_ROWS ? ' (filter to see others)' : ''}, by ${this.sortKey} ${this.ascending ? 'ascending' : 'descending'}.`;
  }
}

function cell(text: string, cls: string, title?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = cls;
  td.textContent = text;
  if (title !== undefined) td.title = title;
  return td;
}

function moduleCell(r: AllocinfoRow): HTMLTableCellElement {
  const td = document.createElement('td');
  if (r.module !== null) {
    const mark = document.createElement('span');
    mark.className = r.unloaded ? 'mark unloaded' : 'mark';
    mark.textContent = r.unloaded ? `${r.module} (unloaded)` : r.module;
    td.append(mark);
  }
  return td;
}
