import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PageFlagsLayoutError } from './errors';
import { computePageFlagsLayout } from './layout';
import { getPageFlagsPreset, PAGE_FLAGS_PRESETS } from './presets';
import {
  compressionCapacity,
  layoutSegments,
  layoutToJSON,
  renderLayoutSvg,
  renderLayoutText,
} from './render';

const layoutOf = (name: string) => computePageFlagsLayout(getPageFlagsPreset(name).inputs);

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '__golden__');

/**
 * Compare `actual` with the golden file `name`. UPDATE_GOLDEN=1 writes it first; without it a
 * missing file fails, instead of being created from the very output it is meant to check.
 */
function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
  } else if (!existsSync(path)) {
    throw new Error(
      `golden file ${path} is missing: run with UPDATE_GOLDEN=1 to write it, then review the diff`,
    );
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/**
 * Minimal XML well-formedness check: one root element, balanced and properly nested tags,
 * quoted attributes, no raw `<` or `&` in text.
 */
function checkWellFormedXml(xml: string): string[] {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const roots: string[] = [];
  const token = /<\/?([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let pos = 0;
  while (pos < body.length) {
    token.lastIndex = pos;
    const m = token.exec(body);
    if (m === null) throw new Error(`not well-formed at offset ${pos}: ${body.slice(pos, pos + 40)}`);
    pos = token.lastIndex;
    if (m[4] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[4])) throw new Error(`raw & in text: ${m[4]}`);
      if (stack.length === 0 && m[4].trim() !== '') throw new Error('text outside the root element');
      continue;
    }
    const name = m[1]!;
    if (m[0].startsWith('</')) {
      if (stack.pop() !== name) throw new Error(`mismatched </${name}>`);
    } else if (m[3] === '/') {
      if (stack.length === 0) roots.push(name);
    } else {
      if (stack.length === 0) roots.push(name);
      stack.push(name);
    }
  }
  if (stack.length !== 0) throw new Error(`unclosed <${stack.join('> <')}>`);
  return roots;
}

describe('layoutSegments', () => {
  it('tiles the whole word for every preset, top to bottom', () => {
    for (const preset of PAGE_FLAGS_PRESETS) {
      const l = computePageFlagsLayout(preset.inputs);
      for (const tagBits of [undefined, 0, 5, 64]) {
        const segments = layoutSegments(l, tagBits);
        let next: number = l.BITS_PER_LONG;
        for (const s of segments) {
          expect(s.width).toBeGreaterThan(0);
          expect(s.lsb + s.width).toBe(next);
          next = s.lsb;
        }
        expect(next).toBe(0);
      }
    }
  });

  it('splits the free field into used tag bits and spare bits', () => {
    const kinds = layoutSegments(layoutOf('x86_64-sim'), 12).map((s) => [s.kind, s.lsb, s.width]);
    expect(kinds).toEqual([
      ['node', 58, 6],
      ['zone', 55, 3],
      ['last_cpupid', 42, 13],
      ['lru_gen', 39, 3],
      ['lru_refs', 37, 2],
      ['free', 36, 1],
      ['alloc_tag', 24, 12],
      ['flags', 0, 24],
    ]);
    expect(() => layoutSegments(layoutOf('x86_64-sim'), -1)).toThrow(PageFlagsLayoutError);
    expect(() => layoutSegments(layoutOf('x86_64-sim'), 2.5)).toThrow(/tagBits/);
  });

  it('shows the bits a pushed-out last_cpupid still reserves', () => {
    const segments = layoutSegments(layoutOf('arm64-kasan-sw-tags'));
    expect(segments.find((s) => s.kind === 'reserved')).toMatchObject({ lsb: 25, width: 14 });
    expect(segments.some((s) => s.kind === 'alloc_tag')).toBe(false);
  });
});

describe('compressionCapacity', () => {
  it('follows the boot check and the u16 index type', () => {
    expect(compressionCapacity(layoutOf('x86_64-sim'))).toEqual({
      N: 13,
      bits: 13,
      maxKernelTags: 8192,
      indices: 8192,
      tagIndices: 8190,
    });
    expect(compressionCapacity(layoutOf('x86_64-distro')).maxKernelTags).toBe(2);
    expect(compressionCapacity(layoutOf('riscv64-defconfig'))).toMatchObject({ bits: 40, indices: 65536 });
    expect(compressionCapacity(layoutOf('arm64-kasan-sw-tags'))).toMatchObject({
      N: -6,
      bits: 0,
      maxKernelTags: 1,
      tagIndices: 0,
    });
  });
});

describe('renderLayoutText', () => {
  it('draws x86_64-sim (golden file)', () => {
    expectGolden('x86_64-sim.txt', renderLayoutText(layoutOf('x86_64-sim'), { title: 'x86_64-sim' }));
  });

  it('states the capacity without contradicting itself: indices, the NULL/EMPTY pair, the boot check', () => {
    const lines = (preset: string) =>
      renderLayoutText(layoutOf(preset))
        .split('\n')
        .filter((l) => /tag indices|alloc_tag_sec_init/.test(l));
    expect(lines('x86_64-distro')).toEqual([
      '2 tag indices (1 bit): 0 is NULL, 1 is EMPTY, so no tag gets an index of its own.',
      'alloc_tag_sec_init() boots with up to 2 kernel tags (it refuses more than 2^1); indices past 1 wrap around to 0 (NULL) and 1 (EMPTY).',
    ]);
    expect(lines('riscv64-defconfig')).toEqual([
      '65536 tag indices (pgalloc_tag_idx is u16: 16 of the 40 bits): 0 is NULL, 1 is EMPTY, so 65534 tags get indices of their own.',
      `alloc_tag_sec_init() boots with up to ${2 ** 40} kernel tags (it refuses more than 2^40); indices past 65535 wrap around to 0 (NULL) and 1 (EMPTY).`,
    ]);
  });

  it('draws a 32-bit layout with the section at the top (golden file)', () => {
    expectGolden('x86_32-pae-sparsemem.txt', renderLayoutText(layoutOf('x86_32-pae-sparsemem')));
  });

  it('has one cell per bit and no colour unless asked', () => {
    const text = renderLayoutText(layoutOf('x86_64-distro'));
    expect(text).not.toContain('\x1b[');
    const cells = text.split('\n')[4]!.trim();
    expect(cells).toHaveLength(64);
    expect(cells).toBe(`${'N'.repeat(10)}ZZZ${'C'.repeat(21)}GGGRRT${'f'.repeat(24)}`);
    const coloured = renderLayoutText(layoutOf('x86_64-distro'), { color: true });
    expect(coloured).toContain('\x1b[');
    const stripped = coloured
      .split('\x1b[')
      .map((part, i) => (i === 0 ? part : part.slice(part.indexOf('m') + 1)))
      .join('');
    expect(stripped).toBe(text);
  });

  it('says when compression does not fit', () => {
    expect(renderLayoutText(layoutOf('x86_64-distro'), { tagBits: 13 })).toContain(
      'Tag indices need 13 bits but only 1 is free: compression does not fit.',
    );
    const kasan = renderLayoutText(layoutOf('arm64-kasan-sw-tags'));
    expect(kasan).toContain('NR_UNUSED_PAGEFLAG_BITS = -6: no free bits');
    expect(kasan).toContain(
      'warning: Unfortunate NUMA and NUMA Balancing config, growing page-frame for last_cpupid.',
    );
    expect(renderLayoutText(layoutOf('riscv64-defconfig'))).toContain(
      'pgalloc_tag_idx is u16: 16 of the 40 bits',
    );
  });
});

describe('renderLayoutSvg', () => {
  it('is a well-formed standalone SVG document for every preset', () => {
    for (const preset of PAGE_FLAGS_PRESETS) {
      const svg = renderLayoutSvg(computePageFlagsLayout(preset.inputs), { title: preset.name });
      expect(
        svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'),
      ).toBe(true);
      expect(checkWellFormedXml(svg)).toEqual(['svg']);
    }
  });

  it('labels fields and highlights the tag bits', () => {
    const svg = renderLayoutSvg(layoutOf('x86_64-sim'));
    expect(svg).toContain('>last_cpupid 13<');
    expect(svg).toContain('<g class="alloc_tag">');
    expect(svg).toContain('page-&gt;flags');
    expect(svg).toMatch(/stroke="#2b7a0b" stroke-width="3"/);
  });

  it('escapes the title', () => {
    const svg = renderLayoutSvg(layoutOf('x86_64-sim'), { title: '<a & b>' });
    expect(svg).toContain('&lt;a &amp; b&gt;');
    expect(checkWellFormedXml(svg)).toEqual(['svg']);
  });
});

describe('layoutToJSON', () => {
  it('round-trips through JSON with every value, the segments and the mminit lines', () => {
    const l = layoutOf('arm64-defconfig');
    const json = JSON.parse(JSON.stringify(layoutToJSON(l)));
    expect(json.layout.NR_UNUSED_PAGEFLAG_BITS).toBe(18);
    expect(json.layout.inputs.CONFIG_NR_CPUS).toBe(512);
    expect(json.segments.map((s: { kind: string }) => s.kind)).toEqual([
      'node',
      'zone',
      'last_cpupid',
      'alloc_tag',
      'flags',
    ]);
    expect(json.compression.indices).toBe(65536);
    expect(json.mminit[0]).toMatch(/^mminit::pageflags_layout_widths /);
  });
});
