/**
 * The module tag area (lib/alloc_tag.c, patches 3 and 4) drawn as an SVG map from the kernel's
 * own data (`SimKernel.tagArea()`, the same ranges the CLI's `tag_area` prints): the used part
 * of the reserved space with each module's tags, tags kept after an unload, alignment padding
 * and free space, and under it which pages of that part are populated.
 */
import { formatBytes, type TagAreaState } from '@allocprof/kernel-sim';

const PAGE_SIZE = 4096;
const WIDTH = 640;
const BAR_Y = 24;
const BAR_H = 36;
const PAGES_Y = 72;
const PAGES_H = 12;

/** A drawn range: x and width in pixels over the used part. */
export interface MapSegment {
  readonly kind: 'module' | 'unloaded' | 'padding' | 'free';
  readonly module: string | null;
  readonly start: number;
  readonly last: number;
  readonly x: number;
  readonly width: number;
}

/** Bytes the map shows: up to the end of the last non-free range, at least the populated pages. */
export function usedExtent(area: TagAreaState): number {
  let used = area.populatedPages * PAGE_SIZE;
  for (const r of area.ranges) if (r.kind !== 'free') used = Math.max(used, r.last + 1);
  return used;
}

/** Narrowest drawn range: a module of one 40-byte tag in a populated 4 KiB page stays visible. */
const MIN_WIDTH = 3;

/** The ranges inside the used extent, scaled to `width` pixels (a non-empty range is at least MIN_WIDTH). */
export function mapSegments(area: TagAreaState, width = WIDTH): MapSegment[] {
  const used = usedExtent(area);
  if (used === 0) return [];
  const scale = width / used;
  const out: MapSegment[] = [];
  for (const r of area.ranges) {
    if (r.start >= used) continue;
    const last = Math.min(r.last, used - 1);
    const x = r.start * scale;
    out.push({
      kind: r.kind,
      module: r.module,
      start: r.start,
      last,
      x,
      width: Math.max(MIN_WIDTH, (last + 1 - r.start) * scale),
    });
  }
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const LABEL: Record<MapSegment['kind'], string> = {
  module: 'module tags',
  unloaded: 'tags kept after unload',
  padding: 'padding',
  free: 'free',
};

/** The SVG of the map (an empty area says so). */
export function tagAreaSvg(area: TagAreaState): string {
  const used = usedExtent(area);
  const parts: string[] = [];
  const h = PAGES_Y + PAGES_H + 30;
  const title = `Module tag area: ${area.populatedPages} of ${area.totalPages} pages populated`;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${h}" role="img" aria-label="${escapeXml(title)}">`,
  );
  parts.push(`<title>${escapeXml(title)}</title>`);
  if (used === 0) {
    parts.push(
      `<text x="0" y="${BAR_Y + 22}" class="ta-note">empty: no module has tags in the area yet</text>`,
    );
    parts.push('</svg>');
    return parts.join('');
  }
  parts.push(
    `<text x="0" y="14" class="ta-note">used part: ${escapeXml(formatBytes(used))} of ${escapeXml(formatBytes(area.size))} reserved</text>`,
  );
  for (const s of mapSegments(area)) {
    const what = `${LABEL[s.kind]}${s.module === null ? '' : ` ${s.module}`}: 0x${s.start.toString(16)}-0x${s.last.toString(16)} (${formatBytes(s.last - s.start + 1)})`;
    parts.push(
      `<rect class="ta-${s.kind}" x="${s.x.toFixed(2)}" y="${BAR_Y}" width="${s.width.toFixed(2)}" height="${BAR_H}"><title>${escapeXml(what)}</title></rect>`,
    );
    if (s.module !== null && s.width > 40)
      parts.push(
        `<text class="ta-label" x="${(s.x + 4).toFixed(2)}" y="${BAR_Y + BAR_H / 2 + 4}">${escapeXml(s.module)}</text>`,
      );
  }
  // One cell per page of the used part: populated (backed by memory) or only reserved.
  const pages = Math.ceil(used / PAGE_SIZE);
  const pw = WIDTH / pages;
  for (let p = 0; p < pages; p++)
    parts.push(
      `<rect class="${p < area.populatedPages ? 'ta-populated' : 'ta-unpopulated'}" x="${(p * pw).toFixed(2)}" y="${PAGES_Y}" width="${Math.max(1, pw - 1).toFixed(2)}" height="${PAGES_H}"><title>page ${p}: ${p < area.populatedPages ? 'populated' : 'not populated'}</title></rect>`,
    );
  parts.push(
    `<text x="0" y="${PAGES_Y + PAGES_H + 16}" class="ta-note">pages of the used part: ${Math.min(area.populatedPages, pages)} populated of ${pages}</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
