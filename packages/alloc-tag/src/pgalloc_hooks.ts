import { CODETAG_EMPTY } from '@allocprof/codetag';
import { PageExtTagRefs, PageFlagsTagRefs, type PageTagRefs, PgtagRefHandle } from '@allocprof/pgalloc-tag';
import type { AllocTag, TaskStruct } from './alloc_tag';
import type { AllocTagCounters } from './counters';
import { type AllocTagOps, refCheckSites } from './ref_ops';
import type { MemProfilingState } from './state';
import type { AllocTagIndex } from './tag_index';
import type { AllocTagMemory } from './tag_memory';
import { PAGE_SIZE } from './types';

/** The backend before one is chosen at boot: no page has a reference (get fails). */
class NoPageTagRefs implements PageTagRefs {
  readonly kind = 'page_ext' as const;
  readonly bytes = 0;
  getPageTagRef(): boolean {
    return false;
  }
  updatePageTagRef(): void {}
  putPageTagRef(): void {}
}

/** A backend that gives no page a reference (before boot selects the real one). */
export const NO_PAGE_TAG_REFS: PageTagRefs = new NoPageTagRefs();

/** The DEBUG checks as each hook's kernel caller has them inlined (mm/page_alloc.c, lib/alloc_tag.c). */
const ADD_SITES = refCheckSites('post_alloc_hook', 'mm/page_alloc.c', [
  'get_page_from_freelist',
  '__alloc_pages_noprof',
]);
const SUB_SITES = refCheckSites('free_unref_page', 'mm/page_alloc.c', ['__free_pages']);
const GET_SITES = refCheckSites('__free_pages', 'mm/page_alloc.c', []);
const SPLIT_SITES = refCheckSites('pgalloc_tag_split', 'lib/alloc_tag.c', ['split_page']);
const SWAP_SITES = refCheckSites('pgalloc_tag_swap', 'lib/alloc_tag.c', [
  'folio_migrate_flags',
  'migrate_folio',
]);

/** Which class `refs` is: each get/update/put call site then only ever sees that one class. */
const BACKEND_OTHER = 0;
const BACKEND_PAGE_EXT = 1;
const BACKEND_PAGE_FLAGS = 2;

/**
 * include/linux/pgalloc_tag.h and lib/alloc_tag.c (6.13): the page allocator's hooks
 * through pgalloc-tag's get/update/put protocol on reused handles. Every hook tests the key first
 * and is a no-op while it is off.
 *
 * Per-page cost is the kernel's work and nothing else: no allocation, no closure, no Map lookup
 * for a kernel or module-area tag (tag_memory resolves those by arithmetic), the counter update
 * written out here on the per-CPU Float64Array slot, and the backend reached the way
 * get_page_tag_ref() reaches it — a branch on which storage this boot uses, then a direct call, so
 * V8 sees one class per call site even when kernels of both modes run in one process. Tag
 * addresses exceed the small-integer range; they only travel through the handle's field and
 * locals, never as an argument or return value of a call that might not be inlined (which would
 * box them on the heap).
 */
export class PgallocTagHooks {
  private backend = BACKEND_OTHER;
  private pageExt: PageExtTagRefs | null = null;
  private pageFlags: PageFlagsTagRefs | null = null;
  private other: PageTagRefs = NO_PAGE_TAG_REFS;
  private readonly state: MemProfilingState;
  private readonly ops: AllocTagOps;
  private readonly memory: AllocTagMemory;
  private readonly counters: AllocTagCounters;
  private readonly tagIndex: AllocTagIndex;
  private readonly debug: boolean;
  /** The page-flags backend maps indices through this subsystem's tagIndex (index fast path allowed). */
  private flagsOwnIndex = false;
  private readonly h = new PgtagRefHandle();
  private readonly h2 = new PgtagRefHandle();

  constructor(
    state: MemProfilingState,
    ops: AllocTagOps,
    memory: AllocTagMemory,
    counters: AllocTagCounters,
    tagIndex: AllocTagIndex,
  ) {
    this.state = state;
    this.ops = ops;
    this.memory = memory;
    this.counters = counters;
    this.tagIndex = tagIndex;
    this.debug = state.debug;
  }

  /** The page tag reference storage in use. */
  get refs(): PageTagRefs {
    if (this.backend === BACKEND_PAGE_EXT) return this.pageExt!;
    if (this.backend === BACKEND_PAGE_FLAGS) return this.pageFlags!;
    return this.other;
  }

  set refs(refs: PageTagRefs) {
    this.pageExt = null;
    this.pageFlags = null;
    this.other = NO_PAGE_TAG_REFS;
    this.flagsOwnIndex = false;
    if (refs instanceof PageExtTagRefs) {
      this.backend = BACKEND_PAGE_EXT;
      this.pageExt = refs;
    } else if (refs instanceof PageFlagsTagRefs) {
      this.backend = BACKEND_PAGE_FLAGS;
      this.pageFlags = refs;
      this.flagsOwnIndex = refs.tagIndexUsed === this.tagIndex;
    } else {
      this.backend = BACKEND_OTHER;
      this.other = refs;
    }
  }

  /** pgalloc_tag_add(): charge `nr` pages at `pfn` (the block's head) to `task->alloc_tag`. */
  add(pfn: number, task: TaskStruct, nr: number): void {
    if (!this.state.key) return;
    if (!this.debug) {
      if (this.backend === BACKEND_PAGE_EXT) {
        this.addPageExt(pfn, task.allocTag, nr);
        return;
      }
      if (this.backend === BACKEND_PAGE_FLAGS && this.addPageFlags(pfn, task.allocTag, nr)) return;
    }
    const h = this.h;
    if (!this.getRef(pfn, h)) return;
    const tag = task.allocTag;
    if (this.debug) this.ops.addCheck(h.ref, tag, ADD_SITES);
    // alloc_tag_add(): ref_set succeeds only with a tag; then this_cpu_inc(calls), this_cpu_add(bytes).
    if (tag !== null) {
      const c = this.counters;
      const i = tag.id * c.nrCpus + this.ops.cpu;
      c.calls[i]! += 1;
      c.bytes[i]! += PAGE_SIZE * nr;
      h.ref = tag.address;
    }
    this.updateRef(h);
    this.putRef(h);
  }

  /** pgalloc_tag_sub(): uncharge `nr` pages freed at `pfn`; the reference becomes NULL. */
  sub(pfn: number, nr: number): void {
    if (!this.state.key) return;
    if (!this.debug) {
      if (this.backend === BACKEND_PAGE_EXT) {
        this.subPageExt(pfn, PAGE_SIZE * nr);
        return;
      }
      if (this.backend === BACKEND_PAGE_FLAGS && this.subPageFlags(pfn, PAGE_SIZE * nr)) return;
    }
    const h = this.h;
    if (!this.getRef(pfn, h)) return;
    this.subRef(h, PAGE_SIZE * nr);
    this.updateRef(h);
    this.putRef(h);
  }

  /**
   * pgalloc_tag_get(): the tag the page at `pfn` is charged to, or null. An EMPTY reference reads
   * as null (the kernel would hand back the sentinel pointer). `sites`: whose inlined DEBUG check
   * reports a NULL reference (__free_pages() unless split or swap asks).
   */
  get(pfn: number, sites = GET_SITES): AllocTag | null {
    if (!this.state.key) return null;
    if (!this.debug) {
      if (this.backend === BACKEND_PAGE_EXT) return this.getPageExt(pfn);
      if (this.backend === BACKEND_PAGE_FLAGS) {
        const tag = this.getPageFlags(pfn);
        if (tag !== undefined) return tag;
      }
    }
    const h = this.h;
    if (!this.getRef(pfn, h)) return null;
    const ref = h.ref;
    if (this.debug) this.ops.subCheck(ref, sites);
    let tag: AllocTag | null = null;
    if (ref !== 0 && !(this.debug && ref === CODETAG_EMPTY)) tag = this.memory.resolve(ref) ?? null;
    this.putRef(h);
    return tag;
  }

  /** pgalloc_tag_sub_pages(): `bytes -= PAGE_SIZE * nr` only (tail pages of a non-compound block). */
  subPages(tag: AllocTag | null, nr: number): void {
    if (this.state.key && tag !== null) this.ops.subBytes(tag, PAGE_SIZE * nr);
  }

  /** clear_page_tag_ref(): mark a page that never went through the allocator (EMPTY / NULL). */
  clearPageTagRef(pfn: number): void {
    if (!this.state.key) return;
    this.clearWith(pfn, this.h);
  }

  /**
   * pgalloc_tag_split(): every new sub-block head of a split `2^oldOrder` block at `pfn` gets a
   * reference to the original tag (`calls += 1` each; bytes unchanged).
   */
  split(pfn: number, oldOrder: number, newOrder: number): void {
    if (!this.state.key) return;
    const tag = this.get(pfn, SPLIT_SITES);
    if (tag === null) return;
    const h = this.h;
    const step = 2 ** newOrder;
    const end = 2 ** oldOrder;
    for (let i = step; i < end; i += step) {
      if (this.getRef(pfn + i, h)) {
        h.ref = this.ops.refSet(h.ref, tag, SPLIT_SITES);
        this.updateRef(h);
        this.putRef(h);
      }
    }
  }

  /**
   * lib/alloc_tag.c: pgalloc_tag_swap() — folio_migrate_flags() hands the old folio's reference
   * to the new folio and the new folio's (its allocation by the migration) to the old one, so
   * freeing the old folio removes the migration target's charge. Nothing moves when either folio
   * has no tag; no counter changes. Both references are emptied before they are set ("mm/codetag:
   * clear tags before swap"), so DEBUG's add-check does not warn.
   */
  swap(newPfn: number, oldPfn: number): void {
    const tagOld = this.get(oldPfn, SWAP_SITES);
    if (tagOld === null) return;
    const tagNew = this.get(newPfn, SWAP_SITES);
    if (tagNew === null) return;
    const hOld = this.h;
    const hNew = this.h2;
    if (!this.getRef(oldPfn, hOld)) return;
    if (!this.getRef(newPfn, hNew)) {
      this.putRef(hOld);
      return;
    }
    hOld.ref = this.ops.setEmpty(hOld.ref);
    hNew.ref = this.ops.setEmpty(hNew.ref);
    hOld.ref = this.ops.refSetNoCount(hOld.ref, tagNew, SWAP_SITES);
    this.updateRef(hOld);
    hNew.ref = this.ops.refSetNoCount(hNew.ref, tagOld, SWAP_SITES);
    this.updateRef(hNew);
    this.putRef(hOld);
    this.putRef(hNew);
  }

  /**
   * alloc_tag_sub() on the handle's reference: NULL → nothing; EMPTY (DEBUG) → consumed; else the
   * referenced tag's counters drop on this CPU. The reference becomes NULL. A reference to memory
   * that no longer holds a tag (reachable only by switching the key back on through the sysctl
   * after a shutdown, which the kernel allows) is dropped without accounting where the kernel
   * would write to freed memory.
   */
  private subRef(h: PgtagRefHandle, bytes: number): void {
    const ref = h.ref;
    if (this.debug) this.ops.subCheck(ref, SUB_SITES);
    if (ref === 0) return;
    h.ref = 0;
    if (this.debug && ref === CODETAG_EMPTY) return;
    const tag = this.memory.resolve(ref);
    if (tag === undefined) return;
    const c = this.counters;
    const i = tag.id * c.nrCpus + this.ops.cpu;
    c.calls[i]! -= 1;
    c.bytes[i]! -= bytes;
  }

  // ---- index / slot fast paths (no DEBUG) -----------------------------------------------------
  // The same get/update/put sequence as the general path, with the reference kept where V8 holds
  // it unboxed: a double only in a Float64Array slot or a local, a tag index as a small integer.
  // Calls between these helpers pass pfns, indices, byte counts and objects, never a tag address,
  // so nothing is boxed per page even where the page allocator's caller is too big for V8 to
  // inline all of the hook. Anything outside the common cases (module tags, EMPTY, foreign index
  // mappings) goes to the general path, which has the kernel's side effects (warnings) for them.

  /** pgalloc_tag_add() on page_ext: slot := tag address, counters of `tag` on this CPU. */
  private addPageExt(pfn: number, tag: AllocTag | null, nr: number): void {
    const pe = this.pageExt!;
    const slots = pe.pageExtSlots(pfn);
    const off = pfn & pe.slotMask;
    if (off >= slots.length || tag === null) return;
    const c = this.counters;
    const i = tag.id * c.nrCpus + this.ops.cpu;
    c.calls[i]! += 1;
    c.bytes[i]! += PAGE_SIZE * nr;
    slots[off] = tag.address;
  }

  /** pgalloc_tag_sub() on page_ext: alloc_tag_sub() of the slot's reference, slot := NULL. */
  private subPageExt(pfn: number, bytes: number): void {
    const pe = this.pageExt!;
    const slots = pe.pageExtSlots(pfn);
    const off = pfn & pe.slotMask;
    if (off >= slots.length) return;
    const ref = slots[off]!;
    if (ref === 0) return;
    slots[off] = 0;
    // resolve() with the kernel section worked out here: `ref` must not cross a call.
    const m = this.memory;
    const k = ref - m.kernelStart;
    const kOff = k | 0;
    const kIdx = (kOff / 40) | 0;
    const tag = k >= 0 && k < m.kernelBytes && kIdx * 40 === kOff ? m.kernelTags[kIdx] : m.resolve(ref);
    if (tag === undefined) return;
    const c = this.counters;
    const i = tag.id * c.nrCpus + this.ops.cpu;
    c.calls[i]! -= 1;
    c.bytes[i]! -= bytes;
  }

  /** pgalloc_tag_get() on page_ext. */
  private getPageExt(pfn: number): AllocTag | null {
    const pe = this.pageExt!;
    const slots = pe.pageExtSlots(pfn);
    const off = pfn & pe.slotMask;
    if (off >= slots.length) return null;
    const ref = slots[off]!;
    if (ref === 0) return null;
    const m = this.memory;
    const k = ref - m.kernelStart;
    const kOff = k | 0;
    const kIdx = (kOff / 40) | 0;
    if (k >= 0 && k < m.kernelBytes && kIdx * 40 === kOff) return m.kernelTags[kIdx]!;
    // Off the kernel grid (module tags): the rare call that carries the address.
    return m.resolve(ref) ?? null;
  }

  /**
   * Number of kernel tag indices (2 .. 1 + n) whose idx_to_ref() is the kernel section's tag
   * at position idx − 2; 0 when the page-flags backend uses another mapping or the mapping does
   * not match the installed section (then every page-flags hook takes the general path).
   */
  private kernelIdxCount(): number {
    if (!this.flagsOwnIndex) return 0;
    const t = this.tagIndex;
    const m = this.memory;
    if (t.kernelFirst !== m.kernelStart || t.kernelCount > m.kernelTags.length) return 0;
    return t.kernelCount;
  }

  /** ref_to_idx() of a tag (never NULL), its kernel branch worked out here; only with flagsOwnIndex. */
  private tagIdx(tag: AllocTag): number {
    const t = this.tagIndex;
    const k = tag.address - t.kernelFirst;
    if (k >= 0 && k < t.kernelCount * 40 && k <= 0x7fffffff) return (2 + (((k | 0) / 40) | 0)) & 0xffff;
    return t.refToIdx(tag.address);
  }

  /** pgalloc_tag_add() on page flags; false = not a common case, take the general path. */
  private addPageFlags(pfn: number, tag: AllocTag | null, nr: number): boolean {
    const kc = this.kernelIdxCount();
    if (kc === 0) return false;
    const pf = this.pageFlags!;
    const idx = pf.readPageTagIdx(pfn);
    if (idx < 0) return true;
    if (idx > 1 && idx - 2 >= kc) return false;
    if (tag === null) {
      // The reference read back is written back: EMPTY decodes to NULL without DEBUG.
      pf.writePageTagIdx(pfn, idx === 1 ? 0 : idx);
      return true;
    }
    const c = this.counters;
    const i = tag.id * c.nrCpus + this.ops.cpu;
    c.calls[i]! += 1;
    c.bytes[i]! += PAGE_SIZE * nr;
    pf.writePageTagIdx(pfn, this.tagIdx(tag));
    return true;
  }

  /** pgalloc_tag_sub() on page flags; false = not a common case, take the general path. */
  private subPageFlags(pfn: number, bytes: number): boolean {
    const kc = this.kernelIdxCount();
    if (kc === 0) return false;
    const pf = this.pageFlags!;
    const idx = pf.readPageTagIdx(pfn);
    if (idx < 0) return true;
    if (idx > 1) {
      const j = idx - 2;
      if (j >= kc) return false;
      const tag = this.memory.kernelTags[j]!;
      const c = this.counters;
      const i = tag.id * c.nrCpus + this.ops.cpu;
      c.calls[i]! -= 1;
      c.bytes[i]! -= bytes;
    }
    pf.writePageTagIdx(pfn, 0);
    return true;
  }

  /** pgalloc_tag_get() on page flags; undefined = not a common case, take the general path. */
  private getPageFlags(pfn: number): AllocTag | null | undefined {
    const kc = this.kernelIdxCount();
    if (kc === 0) return undefined;
    const idx = this.pageFlags!.readPageTagIdx(pfn);
    if (idx <= 1) return null;
    const j = idx - 2;
    if (j >= kc) return undefined;
    return this.memory.kernelTags[j]!;
  }

  private clearWith(pfn: number, h: PgtagRefHandle): void {
    if (!this.state.key) return;
    if (this.getRef(pfn, h)) {
      h.ref = this.ops.setEmpty(h.ref);
      this.updateRef(h);
      this.putRef(h);
    }
  }

  /** get_page_tag_ref(): `if (mem_alloc_profiling_compressed()) … else …` of include/linux/pgalloc_tag.h. */
  private getRef(pfn: number, h: PgtagRefHandle): boolean {
    const backend = this.backend;
    if (backend === BACKEND_PAGE_FLAGS) return this.pageFlags!.getPageTagRef(pfn, h);
    if (backend === BACKEND_PAGE_EXT) return this.pageExt!.getPageTagRef(pfn, h);
    return this.other.getPageTagRef(pfn, h);
  }

  /** update_page_tag_ref() */
  private updateRef(h: PgtagRefHandle): void {
    const backend = this.backend;
    if (backend === BACKEND_PAGE_FLAGS) this.pageFlags!.updatePageTagRef(h);
    else if (backend === BACKEND_PAGE_EXT) this.pageExt!.updatePageTagRef(h);
    else this.other.updatePageTagRef(h);
  }

  /** put_page_tag_ref() */
  private putRef(h: PgtagRefHandle): void {
    const backend = this.backend;
    if (backend === BACKEND_PAGE_FLAGS) this.pageFlags!.putPageTagRef(h);
    else if (backend === BACKEND_PAGE_EXT) this.pageExt!.putPageTagRef(h);
    else this.other.putPageTagRef(h);
  }
}
