import { expectTypeOf } from 'vitest';
import {
  computePageFlagsLayout,
  getPageFlagsPreset,
  type PageFlagsArray,
  type PageFlagsField,
  type PageFlagsLayout,
  type PageFlagsLayoutInputs,
  PG,
} from './index';

// Unconditional PG_* members are plain numbers; other names may be absent.
expectTypeOf(PG.PG_head).toEqualTypeOf<number>();
expectTypeOf(PG.PG_readahead).toEqualTypeOf<number>();
expectTypeOf(PG.PG_hwpoison).toEqualTypeOf<number | undefined>();

// Inputs are named by the kernel; a typo is a type error.
expectTypeOf(computePageFlagsLayout).parameter(0).toEqualTypeOf<PageFlagsLayoutInputs>();
// @ts-expect-error CONFIG_NODE_SHIFT is not an input (CONFIG_NODES_SHIFT is)
computePageFlagsLayout({ BITS_PER_LONG: 64, NR_PAGEFLAGS: 24, MAX_NR_ZONES: 5, CONFIG_NODE_SHIFT: 6 });

const layout = computePageFlagsLayout(getPageFlagsPreset('x86_64-sim').inputs);
expectTypeOf(layout).toEqualTypeOf<PageFlagsLayout>();
expectTypeOf(layout.BITS_PER_LONG).toEqualTypeOf<32 | 64>();
expectTypeOf(layout.NODE_NOT_IN_PAGE_FLAGS).toEqualTypeOf<boolean>();
expectTypeOf(layout.warnings).toEqualTypeOf<readonly string[]>();

expectTypeOf<PageFlagsArray['getField']>().parameter(1).toEqualTypeOf<PageFlagsField>();
expectTypeOf<PageFlagsArray['readWord']>().returns.toEqualTypeOf<bigint>();
