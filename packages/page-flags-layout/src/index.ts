/**
 * @allocprof/page-flags-layout — patch 6 of "page allocation tag compression":
 * include/linux/page-flags-layout.h (NR_NON_PAGEFLAG_BITS, NR_UNUSED_PAGEFLAG_BITS), the PGOFF
 * macros of include/linux/mm.h / mmzone.h, mm/mm_init.c mminit_verify_pageflags_layout(), plus the
 * Kconfig rules that feed them and fast access to page->flags words for a simulated memmap.
 */

/** Typed error of this package (`code` = errno name, `field`, `line`). */
export { PageFlagsLayoutError, type PageFlagsLayoutErrorCode } from './errors';
/** Flags words of a simulated memmap: fields, PG_* bits and arbitrary bit ranges. */
export {
  PAGE_FLAGS_FIELDS,
  PageFlagsArray,
  type PageFlagsField,
  type PageFlagsStorage,
  pageFlagsFieldPositions,
} from './flags-array';
/** Kconfig: `enum pageflags`, `enum zone_type`, `.config` parsing, per-arch sparsemem constants. */
export {
  type ArchOptions,
  type ArchSparsemem,
  archSparsemem,
  countPageflags,
  countZones,
  detectKernelArch,
  type Kconfig,
  type KconfigValue,
  KERNEL_ARCHES,
  type KernelArch,
  kconfigEnabled,
  kconfigToLayoutInputs,
  type PageflagsCount,
  type ParsedKconfig,
  type ParseKconfigOptions,
  PG,
  parseKconfig,
  type UnconditionalPageflag,
  type ZonesCount,
} from './kconfig';
/** The page->flags layout calculator (include/linux/page-flags-layout.h, mm.h PGOFF macros). */
export {
  computePageFlagsLayout,
  LAST_CPUPID_WARNING,
  NOT_ENOUGH_BITS_ERROR,
  orderBase2,
  type PageFlagsLayout,
  type PageFlagsLayoutInputs,
  VMEMMAP_NODES_ERROR,
  ZONES_SHIFT_ERROR,
} from './layout';
/** mm/mm_init.c mminit_verify_pageflags_layout() and its `mminit::pageflags_layout_*` lines. */
export {
  type LogLevel,
  mminitPageflagsLayoutLines,
  mminitVerifyPageflagsLayout,
  type Printk,
} from './mminit';
/** Named configurations (kernel-sim `--config NAME`). */
export { getPageFlagsPreset, PAGE_FLAGS_PRESETS, type PageFlagsPreset } from './presets';

/** Pictures of a layout: terminal text, SVG, JSON. */
export {
  type CompressionCapacity,
  compressionCapacity,
  type LayoutSegment,
  type LayoutSegmentKind,
  layoutSegments,
  layoutToJSON,
  type PageFlagsLayoutJSON,
  type RenderLayoutOptions,
  renderLayoutSvg,
  renderLayoutText,
} from './render';
