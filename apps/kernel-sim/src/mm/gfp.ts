/**
 * include/linux/gfp_types.h: the GFP flag bits the simulated page allocator understands, with the
 * kernel's values (so `mode:0xcc0(GFP_KERNEL)` reads as on a real machine), and gfp_zone().
 */

export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
export const __GFP_DMA32 = 0x04;
export const __GFP_MOVABLE = 0x08;
export const __GFP_RECLAIMABLE = 0x10;
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_KSWAPD_RECLAIM = 0x800;
export const __GFP_NOWARN = 0x2000;
export const __GFP_RETRY_MAYFAIL = 0x4000;
export const __GFP_NOFAIL = 0x8000;
export const __GFP_NORETRY = 0x10000;
export const __GFP_COMP = 0x40000;
export const __GFP_HARDWALL = 0x100000;
export const __GFP_THISNODE = 0x200000;

export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
export const GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
export const GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOWARN) & ~__GFP_RECLAIM;

const COMPOSITE: ReadonlyArray<readonly [string, number]> = [
  ['GFP_TRANSHUGE_LIGHT', GFP_TRANSHUGE_LIGHT],
  ['GFP_HIGHUSER_MOVABLE', GFP_HIGHUSER_MOVABLE],
  ['GFP_HIGHUSER', GFP_HIGHUSER],
  ['GFP_USER', GFP_USER],
  ['GFP_KERNEL', GFP_KERNEL],
  ['GFP_ATOMIC', GFP_ATOMIC],
  ['GFP_NOWAIT', GFP_NOWAIT],
];

const SINGLE: ReadonlyArray<readonly [string, number]> = [
  ['GFP_DMA', __GFP_DMA],
  ['__GFP_HIGHMEM', __GFP_HIGHMEM],
  ['GFP_DMA32', __GFP_DMA32],
  ['__GFP_MOVABLE', __GFP_MOVABLE],
  ['__GFP_RECLAIMABLE', __GFP_RECLAIMABLE],
  ['__GFP_HIGH', __GFP_HIGH],
  ['__GFP_IO', __GFP_IO],
  ['__GFP_FS', __GFP_FS],
  ['__GFP_ZERO', __GFP_ZERO],
  ['__GFP_DIRECT_RECLAIM', __GFP_DIRECT_RECLAIM],
  ['__GFP_KSWAPD_RECLAIM', __GFP_KSWAPD_RECLAIM],
  ['__GFP_NOWARN', __GFP_NOWARN],
  ['__GFP_RETRY_MAYFAIL', __GFP_RETRY_MAYFAIL],
  ['__GFP_NOFAIL', __GFP_NOFAIL],
  ['__GFP_NORETRY', __GFP_NORETRY],
  ['__GFP_COMP', __GFP_COMP],
  ['__GFP_HARDWALL', __GFP_HARDWALL],
  ['__GFP_THISNODE', __GFP_THISNODE],
];

/** lib/vsprintf.c: %pGg — the flag names of a gfp mask (`GFP_KERNEL|__GFP_COMP`). */
export function formatGfp(gfp: number): string {
  const parts: string[] = [];
  let rest = gfp;
  for (const [name, bits] of COMPOSITE) {
    if ((rest & bits) === bits) {
      parts.push(name);
      rest &= ~bits;
      break;
    }
  }
  for (const [name, bit] of SINGLE) {
    if (rest & bit) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length === 0 ? 'none' : parts.join('|');
}

/** Zone types gfp_zone() can ask for, as indices of enum zone_type. */
export const ZONE_TYPE_DMA = 0;
export const ZONE_TYPE_DMA32 = 1;
export const ZONE_TYPE_NORMAL = 2;
export const ZONE_TYPE_HIGHMEM = 3;
export const ZONE_TYPE_MOVABLE = 4;

/**
 * include/linux/gfp.h: gfp_zone() — the highest zone type an allocation may use (the caller maps
 * it onto the configured zones: a type that is not configured means the next one below).
 */
export function gfpZoneType(gfp: number): number {
  if (gfp & __GFP_DMA) return ZONE_TYPE_DMA;
  if (gfp & __GFP_DMA32) return ZONE_TYPE_DMA32;
  if (gfp & __GFP_HIGHMEM) return gfp & __GFP_MOVABLE ? ZONE_TYPE_MOVABLE : ZONE_TYPE_HIGHMEM;
  return ZONE_TYPE_NORMAL;
}
