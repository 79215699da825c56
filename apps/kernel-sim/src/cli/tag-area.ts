/**
 * The module tag area (lib/alloc_tag.c, patches 3 and 4) as a map: which ranges hold a loaded
 * module's tags, which hold tags of unloaded modules still referenced by live allocations,
 * alignment padding, free space; and how many of the reserved pages are backed by memory.
 */
import { formatKernelAddress } from '@allocprof/execmem-vmalloc';
import type { TagAreaState } from './kernel-api';
import { countOf, formatBytes } from './size';

const TAG_SIZE = 40;
const BAR_WIDTH = 64;

function hex(n: number, width: number): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

/**
 * A one-line picture of the used part of the area (up to the end of the last non-free range,
 * at least the populated pages): `M` module tags, `u` unloaded module's tags, `p` padding,
 * `.` free; each cell covers an equal share of bytes.
 */
export function tagAreaBar(area: TagAreaState): string {
  let used = area.populatedPages * 4096;
  for (const r of area.ranges) if (r.kind !== 'free') used = Math.max(used, r.last + 1);
  if (used === 0) return '';
  const cells: string[] = [];
  const per = used / BAR_WIDTH;
  for (let i = 0; i < BAR_WIDTH; i++) {
    const lo = Math.floor(i * per);
    const hi = Math.max(lo, Math.floor((i + 1) * per) - 1);
    // The cell shows the most significant kind it overlaps: a module's tags beat padding beat free.
    let best = '.';
    for (const r of area.ranges) {
      if (r.last < lo || r.start > hi) continue;
      const c = r.kind === 'module' ? 'M' : r.kind === 'unloaded' ? 'u' : r.kind === 'padding' ? 'p' : '.';
      if (rank(c) > rank(best)) best = c;
    }
    cells.push(best);
  }
  return cells.join('');
}

function rank(c: string): number {
  return c === 'M' ? 3 : c === 'u' ? 2 : c === 'p' ? 1 : 0;
}

function tagCount(bytes: number): string {
  const n = Math.floor(bytes / TAG_SIZE);
  return n === 0 ? '' : `${countOf(n, 'tag')}, `;
}

/** Text map of the area: summary, bar, one line per range. */
export function formatTagArea(area: TagAreaState): string {
  const w = Math.max(6, (area.size - 1).toString(16).length);
  const out: string[] = [];
  out.push(
    `module tag area at ${formatKernelAddress(area.startAddr)}: ${formatBytes(area.size)} reserved, ` +
      `${area.populatedPages} of ${area.totalPages} pages populated (${formatBytes(area.populatedPages * 4096)})`,
  );
  const bar = tagAreaBar(area);
  if (bar !== '') out.push(`  [${bar}]  M module  u unloaded  p padding  . free`);
  for (const r of area.ranges) {
    const bytes = r.last - r.start + 1;
    const what =
      r.kind === 'module'
        ? `module    ${r.module ?? '?'} (${tagCount(bytes)}${formatBytes(bytes)})`
        : r.kind === 'unloaded'
          ? `unloaded  ${r.module ?? ''}${r.module === null ? '' : ' '}(tags kept after unload, ${formatBytes(bytes)})`
          : r.kind === 'padding'
            ? `padding   (${formatBytes(bytes)})`
            : `free      (${formatBytes(bytes)})`;
    out.push(`  ${hex(r.start, w)}-${hex(r.last, w)}  ${what}`);
  }
  return `${out.join('\n')}\n`;
}
