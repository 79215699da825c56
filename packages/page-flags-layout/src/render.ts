import { PageFlagsLayoutError } from './errors';
import type { PageFlagsLayout } from './layout';
import { mminitPageflagsLayoutLines } from './mminit';

/** What a run of bits holds. */
export type LayoutSegmentKind =
  | 'section'
  | 'node'
  | 'zone'
  | 'last_cpupid'
  | 'kasan_tag'
  | 'lru_gen'
  | 'lru_refs'
  | 'alloc_tag'
  | 'free'
  | 'reserved'
  | 'flags';

/** A run of bits [lsb, lsb + width) of the flags word. */
export interface LayoutSegment {
  readonly kind: LayoutSegmentKind;
  readonly lsb: number;
  readonly width: number;
  /** Kernel macro the width comes from. */
  readonly macro: string;
  /** One character used for this segment's cells in the text diagram. */
  readonly letter: string;
  readonly description: string;
}

/**
 * How many tag indices the free bits give: lib/alloc_tag.c: alloc_tag_sec_init() and the index
 * encoding of include/linux/pgalloc_tag.h (u16 pgalloc_tag_idx, CODETAG_ID_NULL/EMPTY/FIRST).
 */
export interface CompressionCapacity {
  /** NR_UNUSED_PAGEFLAG_BITS (the kernel's value). */
  readonly N: number;
  /** Bits the simulation uses: max(N, 0). */
  readonly bits: number;
  /** alloc_tag_sec_init() accepts K kernel tags iff K <= 2^bits. */
  readonly maxKernelTags: number;
  /** Distinct indices a page can store: 2^bits, capped at 65536 by the u16 pgalloc_tag_idx. */
  readonly indices: number;
  /** Indices left for tags after CODETAG_ID_NULL (0) and CODETAG_ID_EMPTY (1). */
  readonly tagIndices: number;
}

/** The capacity of compressed mode for a layout. */
export function compressionCapacity(layout: PageFlagsLayout): CompressionCapacity {
  const bits = layout.allocTagRefBits;
  const indices = 2 ** Math.min(bits, 16);
  return Object.freeze({
    N: layout.NR_UNUSED_PAGEFLAG_BITS,
    bits,
    maxKernelTags: 2 ** bits,
    indices,
    tagIndices: Math.max(indices - 2, 0),
  });
}

function checkTagBits(tagBits: number | undefined): void {
  if (tagBits !== undefined && (!Number.isInteger(tagBits) || tagBits < 0 || tagBits > 64)) {
    throw new PageFlagsLayoutError('EINVAL', `tagBits: expected an integer 0..64, got ${String(tagBits)}`, {
      field: 'tagBits',
    });
  }
}

/**
 * The flags word as runs of bits from the top (bit BITS_PER_LONG-1) down to bit 0: the fields of
 * include/linux/mm.h, the allocation-tag field `[LRU_REFS_PGOFF - N, LRU_REFS_PGOFF)` (its low
 * `tagBits` bits marked `alloc_tag`, the rest `free`; default: all N), the bits a pushed-out
 * last_cpupid still reserves (`reserved`), and the NR_PAGEFLAGS flag bits.
 */
export function layoutSegments(layout: PageFlagsLayout, tagBits?: number): LayoutSegment[] {
  checkTagBits(tagBits);
  const segments: LayoutSegment[] = [];
  const add = (
    kind: LayoutSegmentKind,
    lsb: number,
    width: number,
    macro: string,
    letter: string,
    description: string,
  ) => {
    if (width > 0) segments.push(Object.freeze({ kind, lsb, width, macro, letter, description }));
  };
  add(
    'section',
    layout.SECTIONS_PGOFF,
    layout.SECTIONS_WIDTH,
    'SECTIONS_WIDTH',
    'S',
    'memory section number',
  );
  add('node', layout.NODES_PGOFF, layout.NODES_WIDTH, 'NODES_WIDTH', 'N', 'NUMA node id');
  add('zone', layout.ZONES_PGOFF, layout.ZONES_WIDTH, 'ZONES_WIDTH', 'Z', 'zone index');
  add(
    'last_cpupid',
    layout.LAST_CPUPID_PGOFF,
    layout.LAST_CPUPID_WIDTH,
    'LAST_CPUPID_WIDTH',
    'C',
    'NUMA balancing last cpu+pid',
  );
  add('kasan_tag', layout.KASAN_TAG_PGOFF, layout.KASAN_TAG_WIDTH, 'KASAN_TAG_WIDTH', 'K', 'KASAN tag');
  add(
    'lru_gen',
    layout.LRU_GEN_PGOFF,
    layout.LRU_GEN_WIDTH,
    'LRU_GEN_WIDTH',
    'G',
    'multi-gen LRU generation',
  );
  add(
    'lru_refs',
    layout.LRU_REFS_PGOFF,
    layout.LRU_REFS_WIDTH,
    'LRU_REFS_WIDTH',
    'R',
    'multi-gen LRU tier refs',
  );

  const n = layout.allocTagRefBits;
  const used = Math.min(tagBits ?? n, n);
  add(
    'free',
    layout.allocTagRefOffs + used,
    n - used,
    'NR_UNUSED_PAGEFLAG_BITS',
    '.',
    'free, not needed for tag indices',
  );
  add(
    'alloc_tag',
    layout.allocTagRefOffs,
    used,
    'NR_UNUSED_PAGEFLAG_BITS',
    'T',
    'allocation tag index (compression)',
  );
  add(
    'reserved',
    layout.NR_PAGEFLAGS,
    layout.allocTagRefOffs - layout.NR_PAGEFLAGS,
    'LAST_CPUPID_SHIFT',
    '-',
    'counted as used for last_cpupid, which lives outside page->flags',
  );
  add('flags', 0, layout.NR_PAGEFLAGS, 'NR_PAGEFLAGS', 'f', 'PG_* flag bits');
  return segments;
}

/** Options of the diagram renderers. */
export interface RenderLayoutOptions {
  /** ANSI colours (only when asked: the caller decides from isTTY / NO_COLOR). */
  readonly color?: boolean;
  /** Bits the tag index actually needs (e.g. order_base_2(tags + 2)); default: all N free bits. */
  readonly tagBits?: number;
  /** Title, e.g. the preset or file name. */
  readonly title?: string;
}

const ANSI: Readonly<Record<LayoutSegmentKind, string>> = {
  section: '\x1b[45;97m',
  node: '\x1b[44;97m',
  zone: '\x1b[46;30m',
  last_cpupid: '\x1b[43;30m',
  kasan_tag: '\x1b[41;97m',
  lru_gen: '\x1b[105;30m',
  lru_refs: '\x1b[104;30m',
  alloc_tag: '\x1b[1;42;30m',
  free: '\x1b[1;102;30m',
  reserved: '\x1b[100;97m',
  flags: '\x1b[47;30m',
};
const RESET = '\x1b[0m';

function bitRange(segment: LayoutSegment): string {
  const msb = segment.lsb + segment.width - 1;
  return segment.width === 1 ? `${msb}` : `${msb}..${segment.lsb}`;
}

function summaryLines(layout: PageFlagsLayout, tagBits: number | undefined): string[] {
  const cap = compressionCapacity(layout);
  const lines: string[] = [];
  if (cap.N <= 0) {
    lines.push(
      `NR_UNUSED_PAGEFLAG_BITS = ${cap.N}: no free bits, compression cannot be used (alloc_tag_sec_init disables profiling for more than 1 tag).`,
    );
  } else {
    lines.push(
      `NR_UNUSED_PAGEFLAG_BITS = ${cap.N}: tag field bit${cap.bits === 1 ? ` ${layout.allocTagRefOffs}` : `s ${layout.LRU_REFS_PGOFF - 1}..${layout.allocTagRefOffs}`} (alloc_tag_ref_offs ${layout.allocTagRefOffs}, mask 0x${layout.allocTagRefMask.toString(16)}).`,
    );
    const width =
      cap.bits > 16
        ? `pgalloc_tag_idx is u16: 16 of the ${cap.bits} bits`
        : `${cap.bits} bit${cap.bits === 1 ? '' : 's'}`;
    const own =
      cap.tagIndices === 0
        ? 'no tag gets an index of its own'
        : `${cap.tagIndices} tags get indices of their own`;
    lines.push(`${cap.indices} tag indices (${width}): 0 is NULL, 1 is EMPTY, so ${own}.`);
    lines.push(
      `alloc_tag_sec_init() boots with up to ${cap.maxKernelTags} kernel tags (it refuses more than 2^${cap.bits}); ` +
        `indices past ${cap.indices - 1} wrap around to 0 (NULL) and 1 (EMPTY).`,
    );
  }
  if (tagBits !== undefined && tagBits > cap.bits) {
    lines.push(
      `Tag indices need ${tagBits} bits but only ${cap.bits} ${cap.bits === 1 ? 'is' : 'are'} free: compression does not fit.`,
    );
  }
  for (const warning of layout.warnings) lines.push(`warning: ${warning}`);
  return lines;
}

/**
 * A terminal diagram of the flags word: one cell per bit from bit BITS_PER_LONG-1 down to 0
 * (letters per field), a bit ruler, a legend with every field's bits and width, and a summary
 * of what compression can use. Colour only when `color` is true.
 */
export function renderLayoutText(layout: PageFlagsLayout, options: RenderLayoutOptions = {}): string {
  const { color = false, tagBits, title } = options;
  const segments = layoutSegments(layout, tagBits);
  const bpl = layout.BITS_PER_LONG;
  const indent = '  ';

  const ruler = Array.from({ length: bpl + 2 }, () => ' ');
  for (let bit = bpl - 1; bit >= 0; bit--) {
    if (bit !== bpl - 1 && bit % 8 !== 0) continue;
    const label = String(bit);
    const col = bpl - 1 - bit;
    for (let i = 0; i < label.length; i++) ruler[col + i] = label[i]!;
  }
  const ticks = Array.from({ length: bpl }, (_, col) =>
    (bpl - 1 - col) % 8 === 0 || col === 0 ? '|' : ' ',
  ).join('');

  let cells = '';
  for (const segment of segments) {
    const run = segment.letter.repeat(segment.width);
    cells += color ? `${ANSI[segment.kind]}${run}${RESET}` : run;
  }

  const out: string[] = [];
  out.push(
    `${title !== undefined ? `${title}: ` : ''}page->flags layout, BITS_PER_LONG ${bpl}, NR_PAGEFLAGS ${layout.NR_PAGEFLAGS}, NR_UNUSED_PAGEFLAG_BITS ${layout.NR_UNUSED_PAGEFLAG_BITS}`,
  );
  out.push('');
  out.push(`${indent}${ruler.join('').trimEnd()}`);
  out.push(`${indent}${ticks}`);
  out.push(`${indent}${cells}`);
  out.push('');
  const rangeWidth = Math.max(...segments.map((s) => bitRange(s).length), 4);
  const kindWidth = Math.max(...segments.map((s) => s.kind.length));
  out.push(`${indent}  ${'bits'.padEnd(rangeWidth)}  width  ${'field'.padEnd(kindWidth)}  macro`);
  for (const segment of segments) {
    const highlight = segment.kind === 'alloc_tag' || segment.kind === 'free';
    const name = segment.kind.padEnd(kindWidth);
    const letter = color ? `${ANSI[segment.kind]}${segment.letter}${RESET}` : segment.letter;
    const rest = `${bitRange(segment).padEnd(rangeWidth)}  ${String(segment.width).padStart(5)}  ${name}  ${segment.macro.padEnd(23)}  ${segment.description}`;
    out.push(`${indent}${letter} ${color && highlight ? `\x1b[1m${rest}${RESET}` : rest}`);
  }
  out.push('');
  for (const line of summaryLines(layout, tagBits)) out.push(line);
  return `${out.join('\n')}\n`;
}

const SVG_FILL: Readonly<Record<LayoutSegmentKind, string>> = {
  section: '#c678dd',
  node: '#61afef',
  zone: '#56b6c2',
  last_cpupid: '#e5c07b',
  kasan_tag: '#e06c75',
  lru_gen: '#d19a66',
  lru_refs: '#be9e7c',
  alloc_tag: '#98c379',
  free: '#d7f5c4',
  reserved: '#9da5b4',
  flags: '#dcdfe4',
};

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A standalone SVG document of the flags word: a row of BITS_PER_LONG cells (bit 63 or 31 on the
 * left), one coloured box per field labelled with its name and width, the allocation-tag bits
 * highlighted, a bit ruler, a legend and the compression summary.
 */
export function renderLayoutSvg(
  layout: PageFlagsLayout,
  options: Omit<RenderLayoutOptions, 'color'> = {},
): string {
  const { tagBits, title } = options;
  const segments = layoutSegments(layout, tagBits);
  const bpl = layout.BITS_PER_LONG;
  const cell = 16;
  const margin = 20;
  const rowY = 60;
  const rowH = 44;
  const width = margin * 2 + bpl * cell;
  const legendY = rowY + rowH + 40;
  const summary = summaryLines(layout, tagBits);
  const height = legendY + segments.length * 20 + 16 + summary.length * 18 + margin;
  const x = (bit: number) => margin + (bpl - 1 - bit) * cell;

  const parts: string[] = [];
  parts.push('<?xml version="1.0" encoding="UTF-8"?>');
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="12">`,
  );
  const heading = `${title !== undefined ? `${title}: ` : ''}page->flags, BITS_PER_LONG ${bpl}, NR_PAGEFLAGS ${layout.NR_PAGEFLAGS}, NR_UNUSED_PAGEFLAG_BITS ${layout.NR_UNUSED_PAGEFLAG_BITS}`;
  parts.push(`<title>${xmlEscape(heading)}</title>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${margin}" y="24" font-size="14" font-weight="bold">${xmlEscape(heading)}</text>`);

  for (let bit = bpl - 1; bit >= 0; bit--) {
    if (bit === bpl - 1 || bit % 8 === 0) {
      parts.push(
        `<text x="${x(bit) + cell / 2}" y="${rowY - 8}" text-anchor="middle" font-size="10">${bit}</text>`,
      );
    }
  }
  for (const segment of segments) {
    const left = x(segment.lsb + segment.width - 1);
    const w = segment.width * cell;
    const highlight = segment.kind === 'alloc_tag' || segment.kind === 'free';
    parts.push(
      `<g class="${segment.kind}"><title>${xmlEscape(`${segment.kind}: bits ${bitRange(segment)}, ${segment.width} (${segment.macro}) - ${segment.description}`)}</title>`,
    );
    parts.push(
      `<rect x="${left}" y="${rowY}" width="${w}" height="${rowH}" fill="${SVG_FILL[segment.kind]}" stroke="${highlight ? '#2b7a0b' : '#282c34'}" stroke-width="${highlight ? 3 : 1}"/>`,
    );
    for (let i = 1; i < segment.width; i++) {
      parts.push(
        `<line x1="${left + i * cell}" y1="${rowY + rowH - 6}" x2="${left + i * cell}" y2="${rowY + rowH}" stroke="#282c34" stroke-width="0.5"/>`,
      );
    }
    const label = `${segment.kind} ${segment.width}`;
    const text =
      label.length * 7.2 <= w - 4
        ? label
        : segment.width * cell >= 24
          ? String(segment.width)
          : segment.letter;
    parts.push(
      `<text x="${left + w / 2}" y="${rowY + rowH / 2 + 4}" text-anchor="middle"${highlight ? ' font-weight="bold"' : ''}>${xmlEscape(text)}</text>`,
    );
    parts.push('</g>');
  }

  segments.forEach((segment, i) => {
    const y = legendY + i * 20;
    parts.push(
      `<rect x="${margin}" y="${y - 11}" width="14" height="14" fill="${SVG_FILL[segment.kind]}" stroke="#282c34"/>`,
    );
    parts.push(
      `<text x="${margin + 22}" y="${y}">${xmlEscape(`${bitRange(segment).padEnd(7)} ${String(segment.width).padStart(2)}  ${segment.kind.padEnd(11)} ${segment.macro.padEnd(23)} ${segment.description}`)}</text>`,
    );
  });
  summary.forEach((line, i) => {
    parts.push(
      `<text x="${margin}" y="${legendY + segments.length * 20 + 16 + i * 18}">${xmlEscape(line)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Plain-object form of a layout for `--format json`. */
export interface PageFlagsLayoutJSON {
  readonly layout: PageFlagsLayout;
  readonly segments: readonly LayoutSegment[];
  readonly compression: CompressionCapacity;
  readonly mminit: readonly string[];
}

/** A JSON-ready description: every layout value, the segments, the compression capacity, the mminit lines. */
export function layoutToJSON(
  layout: PageFlagsLayout,
  options: { tagBits?: number } = {},
): PageFlagsLayoutJSON {
  return {
    layout,
    segments: layoutSegments(layout, options.tagBits),
    compression: compressionCapacity(layout),
    mminit: mminitPageflagsLayoutLines(layout),
  };
}
