import { CODETAG_EMPTY, type KernelWarn, type WarnSite } from '@allocprof/codetag';
import type { AllocTag } from './alloc_tag';
import type { AllocTagCounters } from './counters';
import type { MemProfilingState } from './state';
import type { AllocTagMemory } from './tag_memory';

/** include/linux/alloc_tag.h (6.13): lines of the WARN_ONCE()s of alloc_tag_add_check()/alloc_tag_sub_check(). */
const ALLOC_TAG_H = 'include/linux/alloc_tag.h';
const LINE_NOT_CLEARED = 143;
const LINE_NO_CURRENT = 147;
const LINE_NOT_SET = 152;

/**
 * The three DEBUG WARN_ONCE()s as compiled into one caller: alloc_tag_add_check() and
 * alloc_tag_sub_check() are static inline, so each file that uses them has its own once-flags.
 */
export interface RefCheckSites {
  /** alloc_tag_add_check(): `alloc_tag was not cleared (got tag for <file>:<line>)`. */
  readonly notCleared: WarnSite;
  /** alloc_tag_add_check(): `current->alloc_tag not set`. */
  readonly noCurrent: WarnSite;
  /** alloc_tag_sub_check(): `alloc_tag was not set`. */
  readonly notSet: WarnSite;
}

/** The check sites inlined into `fn` of translation unit `unit`, reached through `callers`. */
export function refCheckSites(fn: string, unit: string, callers: readonly string[]): RefCheckSites {
  const at = (line: number): WarnSite =>
    Object.freeze({ file: ALLOC_TAG_H, line, function: fn, unit, callers: Object.freeze([...callers]) });
  return Object.freeze({
    notCleared: at(LINE_NOT_CLEARED),
    noCurrent: at(LINE_NO_CURRENT),
    notSet: at(LINE_NOT_SET),
  });
}

/**
 * The package's reference-operation API, for callers outside the page allocator: the checks as
 * out-of-line copies of __alloc_tag_ref_set() and alloc_tag_sub() (the kernel test robot's 6.13
 * report names `__alloc_tag_ref_set` as the WARN's function).
 */
const GENERIC_SITES: RefCheckSites = Object.freeze({
  notCleared: refCheckSites('__alloc_tag_ref_set', ALLOC_TAG_H, []).notCleared,
  noCurrent: refCheckSites('__alloc_tag_ref_set', ALLOC_TAG_H, []).noCurrent,
  notSet: refCheckSites('alloc_tag_sub', ALLOC_TAG_H, []).notSet,
});

/**
 * include/linux/alloc_tag.h: the reference operations (alloc_tag_ref_set(), alloc_tag_add(),
 * alloc_tag_sub()) on raw codetag_ref values (0 NULL, 1 CODETAG_EMPTY, else a tag address), with
 * the DEBUG checks alloc_tag_add_check() and alloc_tag_sub_check() reported through
 * kernel/panic.c: __warn() once per call site. Each takes the slot's current value and
 * returns its new value, so the page hooks can run them on a reused handle without allocating.
 * Counter updates go to the current CPU's slot.
 *
 * The boolean `alloc_tag_ref_set` of 6.12 is implemented (a NULL tag is a no-op, not a crash).
 */
export class AllocTagOps {
  /** smp_processor_id() for this_cpu_*() updates. */
  cpu = 0;
  private readonly memory: AllocTagMemory;
  private readonly counters: AllocTagCounters;
  private readonly debug: boolean;
  private readonly warn: KernelWarn;

  constructor(
    state: MemProfilingState,
    memory: AllocTagMemory,
    counters: AllocTagCounters,
    warn: KernelWarn,
  ) {
    this.memory = memory;
    this.counters = counters;
    this.debug = state.debug;
    this.warn = warn;
  }

  /** The tag a non-NULL, non-EMPTY reference names (undefined if its memory holds no tag). */
  resolve(ref: number): AllocTag | undefined {
    return this.memory.resolve(ref);
  }

  /**
   * include/linux/alloc_tag.h: alloc_tag_add_check() (DEBUG). EMPTY is exempt: "mm/codetag: clear
   * tags before swap" (in 6.13) stopped it from warning about, and dereferencing, address 1.
   */
  addCheck(ref: number, tag: AllocTag | null, sites: RefCheckSites = GENERIC_SITES): void {
    if (ref !== 0 && ref !== CODETAG_EMPTY && !this.warn.warnedOnce(sites.notCleared)) {
      const old = this.memory.resolve(ref);
      this.warn.warnOnce(
        sites.notCleared,
        `alloc_tag was not cleared (got tag for ${old?.filename ?? '?'}:${(old?.lineno ?? 0) >>> 0})`,
      );
    }
    if (tag === null) this.warn.warnOnce(sites.noCurrent, 'current->alloc_tag not set');
  }

  /** include/linux/alloc_tag.h: alloc_tag_sub_check() (DEBUG). */
  subCheck(ref: number, sites: RefCheckSites = GENERIC_SITES): void {
    if (ref === 0) this.warn.warnOnce(sites.notSet, 'alloc_tag was not set');
  }

  /** __alloc_tag_ref_set(): the new slot value (unchanged when `tag` is NULL); counters untouched. */
  refSetNoCount(ref: number, tag: AllocTag | null, sites: RefCheckSites = GENERIC_SITES): number {
    if (this.debug) this.addCheck(ref, tag, sites);
    return tag === null ? ref : tag.address;
  }

  /** alloc_tag_ref_set(): as __alloc_tag_ref_set() plus `calls += 1` on success. */
  refSet(ref: number, tag: AllocTag | null, sites: RefCheckSites = GENERIC_SITES): number {
    if (this.debug) this.addCheck(ref, tag, sites);
    if (tag === null) return ref;
    this.counters.calls[tag.id * this.counters.nrCpus + this.cpu]! += 1;
    return tag.address;
  }

  /** alloc_tag_add(): ref_set, then `bytes += bytes` on success. */
  add(ref: number, tag: AllocTag | null, bytes: number): number {
    if (this.debug) this.addCheck(ref, tag);
    if (tag === null) return ref;
    const c = this.counters;
    const i = tag.id * c.nrCpus + this.cpu;
    c.calls[i]! += 1;
    c.bytes[i]! += bytes;
    return tag.address;
  }

  /**
   * alloc_tag_sub(): NULL → nothing; EMPTY (DEBUG) → consumed, counters untouched; else
   * `bytes -= bytes`, `calls -= 1` on the referenced tag, and the slot becomes NULL. A reference
   * to memory that no longer holds a tag (only reachable by writing the sysctl after a shutdown)
   * is dropped without accounting where the kernel would write to freed memory.
   */
  sub(ref: number, bytes: number): number {
    if (this.debug) this.subCheck(ref);
    if (ref === 0) return 0;
    if (this.debug && ref === CODETAG_EMPTY) return 0;
    const tag = this.memory.resolve(ref);
    if (tag !== undefined) {
      const c = this.counters;
      const i = tag.id * c.nrCpus + this.cpu;
      c.calls[i]! -= 1;
      c.bytes[i]! -= bytes;
    }
    return 0;
  }

  /** this_cpu_sub(tag->counters->bytes, bytes) */
  subBytes(tag: AllocTag, bytes: number): void {
    const c = this.counters;
    c.bytes[tag.id * c.nrCpus + this.cpu]! -= bytes;
  }

  /** set_codetag_empty(): DEBUG → EMPTY; otherwise NULL (6.13; v4 left the slot unchanged). */
  setEmpty(_ref: number): number {
    return this.debug ? CODETAG_EMPTY : 0;
  }

  /** is_codetag_empty(): only DEBUG builds have the sentinel. */
  isEmpty(ref: number): boolean {
    return this.debug && ref === CODETAG_EMPTY;
  }
}
