import { PageFlagsLayoutError } from './errors';
import type { PageFlagsLayout } from './layout';

export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';
export interface Printk {
  printk(level: LogLevel, message: string): void;
}

/**
 * The lines mm/mm_init.c: mminit_verify_pageflags_layout() prints through mminit_dprintk() at
 * MMINIT_TRACE, as patch 6 left it (the usage line's width is BITS_PER_LONG -
 * NR_NON_PAGEFLAG_BITS). Each string is the message text including the `mminit::<tag> ` prefix
 * that mminit_dprintk() adds; the caller adds what printk adds: the KERN_DEBUG level and, in a
 * log, the `[%5lu.%06lu] ` timestamp. The kernel only prints them with CONFIG_DEBUG_MEMORY_INIT
 * and `mminit_loglevel=3` or higher on the command line; that decision is the caller's.
 */
export function mminitPageflagsLayoutLines(layout: PageFlagsLayout): string[] {
  const shift = layout.BITS_PER_LONG;
  const width = shift - layout.NR_NON_PAGEFLAG_BITS;
  const lines = [
    `mminit::pageflags_layout_widths Section ${layout.SECTIONS_WIDTH} Node ${layout.NODES_WIDTH} Zone ${layout.ZONES_WIDTH} Lastcpupid ${layout.LAST_CPUPID_WIDTH} Kasantag ${layout.KASAN_TAG_WIDTH} Gen ${layout.LRU_GEN_WIDTH} Tier ${layout.LRU_REFS_WIDTH} Flags ${layout.NR_PAGEFLAGS}`,
    `mminit::pageflags_layout_shifts Section ${layout.SECTIONS_SHIFT} Node ${layout.NODES_SHIFT} Zone ${layout.ZONES_SHIFT} Lastcpupid ${layout.LAST_CPUPID_SHIFT} Kasantag ${layout.KASAN_TAG_WIDTH}`,
    `mminit::pageflags_layout_pgshifts Section ${layout.SECTIONS_PGSHIFT} Node ${layout.NODES_PGSHIFT} Zone ${layout.ZONES_PGSHIFT} Lastcpupid ${layout.LAST_CPUPID_PGSHIFT} Kasantag ${layout.KASAN_TAG_PGSHIFT}`,
    `mminit::pageflags_layout_nodezoneid Node/Zone ID: ${layout.ZONEID_PGOFF + layout.ZONEID_SHIFT} -> ${layout.ZONEID_PGOFF}`,
    `mminit::pageflags_layout_usage location: ${shift} -> ${width} layout ${width} -> ${layout.NR_PAGEFLAGS} unused ${layout.NR_PAGEFLAGS} -> 0 page-flags`,
  ];
  if (layout.NODE_NOT_IN_PAGE_FLAGS) lines.push('mminit::pageflags_layout_nodeflags Node not in page flags');
  if (layout.LAST_CPUPID_NOT_IN_PAGE_FLAGS)
    lines.push('mminit::pageflags_layout_nodeflags Last cpupid not in page flags');
  return lines;
}

/**
 * mm/mm_init.c: mminit_verify_pageflags_layout(). Prints the lines above at debug level (pass
 * `print: false` for a kernel without CONFIG_DEBUG_MEMORY_INIT / mminit_loglevel < 3), then
 * performs the function's BUG_ON checks: walking down from BITS_PER_LONG by the section, node and
 * zone widths must meet each PGSHIFT, and the three shifted masks must not overlap. A failed
 * check throws (the kernel would BUG); a layout from computePageFlagsLayout always passes.
 */
export function mminitVerifyPageflagsLayout(layout: PageFlagsLayout, printk: Printk, print = true): void {
  if (print) for (const line of mminitPageflagsLayoutLines(layout)) printk.printk('debug', line);

  let shift = layout.BITS_PER_LONG;
  const walk: ReadonlyArray<readonly [string, number, number]> = [
    ['SECTIONS', layout.SECTIONS_WIDTH, layout.SECTIONS_PGSHIFT],
    ['NODES', layout.NODES_WIDTH, layout.NODES_PGSHIFT],
    ['ZONES', layout.ZONES_WIDTH, layout.ZONES_PGSHIFT],
  ];
  let orMask = 0n;
  let addMask = 0n;
  for (const [name, width, pgshift] of walk) {
    if (width !== 0) {
      shift -= width;
      if (shift !== pgshift) {
        throw new PageFlagsLayoutError(
          'EINVAL',
          `kernel BUG in mminit_verify_pageflags_layout: ${name}_PGSHIFT ${pgshift} != ${shift}`,
          {
            field: `${name}_PGSHIFT`,
          },
        );
      }
    }
    const mask = ((1n << BigInt(width)) - 1n) << BigInt(pgshift);
    orMask |= mask;
    addMask += mask;
  }
  if (orMask !== addMask) {
    throw new PageFlagsLayoutError(
      'EINVAL',
      'kernel BUG in mminit_verify_pageflags_layout: zone/node/section masks overlap',
    );
  }
}
