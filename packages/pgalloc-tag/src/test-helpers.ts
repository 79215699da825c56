import { getPageFlagsPreset } from '@allocprof/page-flags-layout';
import type { LogLevel, Printk, TagIndex } from './types';

/** Printk that keeps every line, for asserting messages. */
export class CapturePrintk implements Printk {
  readonly lines: { level: LogLevel; message: string }[] = [];

  printk(level: LogLevel, message: string): void {
    this.lines.push({ level, message });
  }
}

/** sizeof(struct alloc_tag) on 64-bit. */
export const TAG_SIZE = 40;

/**
 * A small stand-in for alloc-tag's index mapping (include/linux/pgalloc_tag.h idx_to_ref()/ref_to_idx()): NULL = 0, EMPTY = 1, kernel tags from 2,
 * then module-area slots. It does not truncate, so the backend's u16 truncation is what tests see.
 */
export class FakeTagIndex implements TagIndex {
  refToIdxCalls = 0;

  constructor(
    readonly kernelFirst: number,
    readonly kernelCount: number,
    readonly moduleFirst: number,
    readonly debug = true,
  ) {}

  kernelTag(i: number): number {
    return this.kernelFirst + i * TAG_SIZE;
  }

  moduleTag(slot: number): number {
    return this.moduleFirst + slot * TAG_SIZE;
  }

  refToIdx(ref: number): number {
    this.refToIdxCalls++;
    if (ref === 0) return 0;
    if (ref === 1) return this.debug ? 1 : 0;
    if (ref >= this.kernelFirst && ref < this.kernelFirst + this.kernelCount * TAG_SIZE) {
      return 2 + (ref - this.kernelFirst) / TAG_SIZE;
    }
    return 2 + this.kernelCount + (ref - this.moduleFirst) / TAG_SIZE;
  }

  idxToRef(idx: number): number {
    if (idx === 0) return 0;
    if (idx === 1) return this.debug ? 1 : 0;
    const j = idx - 2;
    return j < this.kernelCount ? this.kernelTag(j) : this.moduleTag(j - this.kernelCount);
  }
}

/** Kernel image tags at 0xffffffff82000000 and the module tag area, both without the 0xffff prefix. */
export const KERNEL_TAGS_BASE = 0xffff82000000;
export const MODULE_TAGS_BASE = 0xc90000000000;

/**
 * The x86_64-numa64 preset: 64-bit, NR_PAGEFLAGS 24, 5 zones, NODES_SHIFT 6, VMEMMAP,
 * NUMA balancing with 64 CPUs, LRU_GEN — N = 12 free bits at offs 24 (mask 0xfff).
 */
export const EXAMPLE_A_INPUTS = getPageFlagsPreset('x86_64-numa64').inputs;
