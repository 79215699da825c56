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

/** What every hook set is built from (one AllocTagSubsystem's parts). */
export interface PgallocTagHooksContext {
  readonly state: MemProfilingState;
  readonly ops: AllocTagOps;
  readonly memory: AllocTagMemory;
  readonly counters: AllocTagCounters;
  readonly tagIndex: AllocTagIndex;
}

/**
 * include/linux/pgalloc_tag.h and lib/alloc_tag.c (6.13): the page allocator's hooks —
 * pgalloc_tag_add/sub/get/sub_pages, clear_page_tag_ref, pgalloc_tag_split and the migration
 * hook — written on the get/update/put handle protocol of pgalloc-tag: get_page_tag_ref() into a
 * local codetag_ref and a handle, change the local copy, update_page_tag_ref(), put_page_tag_ref().
 * Every public hook tests mem_alloc_profiling_key first and is a no-op while it is off.
 *
 * This class runs the protocol through the `refs` interface and is what DEBUG builds, foreign
 * backends and the state before boot use. The two backends of a production boot get their own
 * subclass ({@link PageExtPgallocTagHooks}, {@link PageFlagsPgallocTagHooks}), chosen once at
 * boot ({@link choosePgallocTagHooks}) as the kernel's mem_profiling_compressed key chooses a
 * branch: their add/sub/get are the same sequence with the backend's storage operations written
 * out, so that each fast path is one small monomorphic function V8 inlines into the page
 * allocator. Per page they allocate nothing and pass no tag address across a call (which would
 * box the double).
 */
export class PgallocTagHooks {
  /** The page tag reference storage in use. */
  readonly refs: PageTagRefs;
  protected readonly state: MemProfilingState;
  protected readonly ops: AllocTagOps;
  protected readonly memory: AllocTagMemory;
  protected readonly counters: AllocTagCounters;
  protected readonly tagIndex: AllocTagIndex;
  protected readonly debug: boolean;
  private readonly h = new PgtagRefHandle();
  private readonly h2 = new PgtagRefHandle();

  constructor(ctx: PgallocTagHooksContext, refs: PageTagRefs) {
    this.state = ctx.state;
    this.ops = ctx.ops;
    this.memory = ctx.memory;
    this.counters = ctx.counters;
    this.tagIndex = ctx.tagIndex;
    this.debug = ctx.state.debug;
    this.refs = refs;
  }

  /** pgalloc_tag_add(): charge `nr` pages at `pfn` (the block's head) to `task->alloc_tag`. */
  pgallocTagAdd(pfn: number, task: TaskStruct, nr: number): void {
    if (!this.state.key) return;
    const h = this.h;
    if (!this.getRef(pfn, h)) return;
    const tag = task.allocTag;
    if (this.debug) this.ops.addCheck(h.ref, tag, ADD_SITES);
    // alloc_tag_add(): ref_set succeeds only with a tag; then this_cpu_inc(calls), this_cpu_add(bytes).
    if (tag !== null) {
      tagCountersAdd(this.counters, tag.id, this.ops.cpu, 1, PAGE_SIZE * nr);
      h.ref = tag.address;
    }
    this.updateRef(h);
    this.putRef(h);
  }

  /** pgalloc_tag_sub(): uncharge `nr` pages freed at `pfn`; the reference becomes NULL. */
  pgallocTagSub(pfn: number, nr: number): void {
    if (!this.state.key) return;
    const h = this.h;
    if (!this.getRef(pfn, h)) return;
    this.subRef(h, PAGE_SIZE * nr);
    this.updateRef(h);
    this.putRef(h);
  }

  /**
   * pgalloc_tag_get(): the tag the page at `pfn` is charged to, or null. An EMPTY reference reads
   * as null (the kernel would hand back the sentinel pointer).
   */
  pgallocTagGet(pfn: number): AllocTag | null {
    if (!this.state.key) return null;
    return this.tagOf(pfn, GET_SITES);
  }

  /** pgalloc_tag_sub_pages(): `bytes -= PAGE_SIZE * nr` only (tail pages of a non-compound block). */
  pgallocTagSubPages(tag: AllocTag | null, nr: number): void {
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
  pgallocTagSplit(pfn: number, oldOrder: number, newOrder: number): void {
    if (!this.state.key) return;
    const tag = this.tagOf(pfn, SPLIT_SITES);
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
  pgallocTagSwap(newPfn: number, oldPfn: number): void {
    if (!this.state.key) return;
    const tagOld = this.tagOf(oldPfn, SWAP_SITES);
    if (tagOld === null) return;
    const tagNew = this.tagOf(newPfn, SWAP_SITES);
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
   * __pgalloc_tag_get() through the protocol (no key test). `sites`: whose inlined DEBUG check
   * reports a NULL reference (__free_pages() unless split or swap asks).
   */
  protected tagOf(pfn: number, sites = GET_SITES): AllocTag | null {
    const h = this.h;
    if (!this.getRef(pfn, h)) return null;
    const ref = h.ref;
    if (this.debug) this.ops.subCheck(ref, sites);
    let tag: AllocTag | null = null;
    if (ref !== 0 && !(this.debug && ref === CODETAG_EMPTY)) tag = this.memory.resolve(ref) ?? null;
    this.putRef(h);
    return tag;
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
    if (tag !== undefined) tagCountersAdd(this.counters, tag.id, this.ops.cpu, -1, -bytes);
  }

  private clearWith(pfn: number, h: PgtagRefHandle): void {
    if (this.getRef(pfn, h)) {
      h.ref = this.ops.setEmpty(h.ref);
      this.updateRef(h);
      this.putRef(h);
    }
  }

  /** get_page_tag_ref() */
  protected getRef(pfn: number, h: PgtagRefHandle): boolean {
    return this.refs.getPageTagRef(pfn, h);
  }

  /** update_page_tag_ref() */
  protected updateRef(h: PgtagRefHandle): void {
    this.refs.updatePageTagRef(h);
  }

  /** put_page_tag_ref() */
  protected putRef(h: PgtagRefHandle): void {
    this.refs.putPageTagRef(h);
  }
}

/** this_cpu_add(tag->counters->calls, calls); this_cpu_add(tag->counters->bytes, bytes). */
function tagCountersAdd(c: AllocTagCounters, id: number, cpu: number, calls: number, bytes: number): void {
  const i = id * c.nrCpus + cpu;
  c.calls[i]! += calls;
  c.bytes[i]! += bytes;
}

/**
 * The hooks of a boot with references in page_ext (compressed key off, no DEBUG): each of
 * add/sub/get is get_page_tag_ref() — page_ext_get(): the RCU read lock and lookup_page_ext()'s
 * mem_section walk — the client's offset into the entry, the reference read or written in place,
 * and page_ext_put(). The tag behind a reference is found from its address (the kernel
 * dereferences the pointer; here kernel tags are an array indexed by (address − start) / 40).
 */
export class PageExtPgallocTagHooks extends PgallocTagHooks {
  private readonly ext: PageExtTagRefs;

  constructor(ctx: PgallocTagHooksContext, refs: PageExtTagRefs) {
    super(ctx, refs);
    this.ext = refs;
  }

  /** page_ext_get() of the page at `pfn`: its entry, or -1 (no such page, no page_ext). */
  private pageExtGet(pfn: number): number {
    const pe = this.ext.pageExt;
    return pfn >>> 0 !== pfn || pfn >= pe.nrPages ? -1 : pe.pageExtGet(pfn);
  }

  override pgallocTagAdd(pfn: number, task: TaskStruct, nr: number): void {
    if (!this.state.key) return;
    const e = this.pageExtGet(pfn);
    if (e < 0) return;
    const refs = this.ext;
    const tag = task.allocTag;
    if (tag !== null) {
      tagCountersAdd(this.counters, tag.id, this.ops.cpu, 1, PAGE_SIZE * nr);
      refs.pageExt.entries[e + refs.offsetSlots] = tag.address;
    }
    refs.pageExt.pageExtPut(e);
  }

  override pgallocTagSub(pfn: number, nr: number): void {
    if (!this.state.key) return;
    const e = this.pageExtGet(pfn);
    if (e < 0) return;
    const refs = this.ext;
    const pe = refs.pageExt;
    const slot = e + refs.offsetSlots;
    const ref = pe.entries[slot]!;
    if (ref !== 0) {
      const id = this.counterIdOf(ref);
      if (id > 0) tagCountersAdd(this.counters, id, this.ops.cpu, -1, -PAGE_SIZE * nr);
    }
    pe.entries[slot] = 0;
    pe.pageExtPut(e);
  }

  override pgallocTagGet(pfn: number): AllocTag | null {
    if (!this.state.key) return null;
    const e = this.pageExtGet(pfn);
    if (e < 0) return null;
    const refs = this.ext;
    const pe = refs.pageExt;
    const ref = pe.entries[e + refs.offsetSlots]!;
    pe.pageExtPut(e);
    if (ref === 0) return null;
    const m = this.memory;
    const k = ref - m.kernelStart;
    const kOff = k | 0;
    const kIdx = (kOff / 40) | 0;
    if (k >= 0 && k < m.kernelBytes && kIdx * 40 === kOff) return m.kernelTags[kIdx]!;
    return m.resolve(ref) ?? null;
  }

  /**
   * tag->counters of the tag at `ref` (0 when no tag lives there any more). Kernel tags by
   * arithmetic (the literal 40 is sizeof(struct alloc_tag): a multiply and shift, where a loaded
   * constant would be a division), anything else through AllocTagMemory.resolve().
   */
  private counterIdOf(ref: number): number {
    const m = this.memory;
    const k = ref - m.kernelStart;
    const kOff = k | 0;
    const kIdx = (kOff / 40) | 0;
    if (k >= 0 && k < m.kernelBytes && kIdx * 40 === kOff) return m.kernelTags[kIdx]!.id;
    return m.resolve(ref)?.id ?? 0;
  }
}

/**
 * The hooks of a boot with references in page flags (compressed, no DEBUG), chosen only after
 * alloc_tag_sec_init() has set the field and the index mapping is this subsystem's own with the
 * kernel section it installed — checked once here, at boot, so no hook validates anything. Each
 * of add/sub/get reads the page's flags word once — `(flags >> offs) & mask` — maps the u16 index
 * to its tag (idx_to_ref: kernel tags by position, module-area tags through the area's slots),
 * and add/sub write the new index back into the field with a read-modify-write of the word. In
 * the kernel that write is a try_cmpxchg() loop on page->flags; this simulator is
 * single-threaded, so a plain read-modify-write has the same effect and is counted as one atomic
 * operation by the memory-traffic accounting (a 64-bit Atomics.compareExchange would box its
 * operands as BigInts).
 */
export class PageFlagsPgallocTagHooks extends PgallocTagHooks {
  private readonly flags: PageFlagsTagRefs;
  /** K: kernel tags the indices 2 .. K + 1 name (kernel_tags.count). */
  private readonly kernelCount: number;
  /** kernel_tags.first_tag. */
  private readonly kernelFirst: number;

  constructor(ctx: PgallocTagHooksContext, refs: PageFlagsTagRefs) {
    super(ctx, refs);
    this.flags = refs;
    this.kernelCount = ctx.tagIndex.kernelCount;
    this.kernelFirst = ctx.tagIndex.kernelFirst;
  }

  /**
   * Whether these hooks serve `refs`: the backend maps indices through `ctx.tagIndex`, and that
   * mapping's kernel tags are the kernel section AllocTagMemory holds (idx − 2 is a position in
   * memory.kernelTags).
   */
  static serves(ctx: PgallocTagHooksContext, refs: PageFlagsTagRefs): boolean {
    const t = ctx.tagIndex;
    return (
      refs.tagIndexUsed === t &&
      t.kernelFirst === ctx.memory.kernelStart &&
      t.kernelCount <= ctx.memory.kernelTags.length &&
      t.kernelCount * 40 <= 0x7fffffff
    );
  }

  /**
   * pgalloc_tag_add(): with a tag, the reference get_page_tag_ref() would decode is overwritten
   * unread (alloc_tag_add() looks at it only in DEBUG builds), so page->flags is read once, by
   * the read-modify-write of update_page_tag_ref(), as in the compiled kernel.
   */
  override pgallocTagAdd(pfn: number, task: TaskStruct, nr: number): void {
    if (!this.state.key) return;
    const tag = task.allocTag;
    if (tag === null) {
      this.keepPageTagRef(pfn);
      return;
    }
    if (pfn >>> 0 !== pfn || pfn >= this.flags.nrPages) return;
    tagCountersAdd(this.counters, tag.id, this.ops.cpu, 1, PAGE_SIZE * nr);
    // ref_to_idx(&tag->ct): the kernel section by pointer arithmetic, else the module area.
    const k = tag.address - this.kernelFirst;
    const next =
      k >= 0 && k < this.kernelCount * 40 ? 2 + (((k | 0) / 40) | 0) : this.tagIndex.refToIdx(tag.address);
    this.flags.writePageTagIdx(pfn, next);
  }

  /** pgalloc_tag_add() with no tag: the reference is written back as read (EMPTY reads as NULL without DEBUG). */
  private keepPageTagRef(pfn: number): void {
    const idx = this.flags.readPageTagIdx(pfn);
    if (idx >= 0) this.flags.writePageTagIdx(pfn, idx === 1 ? 0 : idx);
  }

  override pgallocTagSub(pfn: number, nr: number): void {
    if (!this.state.key) return;
    const pf = this.flags;
    const idx = pf.readPageTagIdx(pfn);
    if (idx < 0) return;
    if (idx > 1) {
      const tag = this.idxToTag(idx);
      if (tag !== null) tagCountersAdd(this.counters, tag.id, this.ops.cpu, -1, -PAGE_SIZE * nr);
    }
    pf.writePageTagIdx(pfn, 0);
  }

  override pgallocTagGet(pfn: number): AllocTag | null {
    if (!this.state.key) return null;
    const idx = this.flags.readPageTagIdx(pfn);
    return idx > 1 ? this.idxToTag(idx) : null;
  }

  /** idx_to_ref() + ct_to_alloc_tag() for an index >= 2 (CODETAG_ID_FIRST). */
  private idxToTag(idx: number): AllocTag | null {
    const j = idx - 2;
    if (j < this.kernelCount) return this.memory.kernelTags[j]!;
    return this.moduleIdxToTag(idx);
  }

  /** module_idx_to_tag(): module-area slots (a warning and NULL without CONFIG_MODULES). */
  private moduleIdxToTag(idx: number): AllocTag | null {
    const ref = this.tagIndex.idxToRef(idx);
    return ref === 0 ? null : (this.memory.resolve(ref) ?? null);
  }
}

/**
 * The hooks for a boot's backend: the backend's own fast class when the build has no DEBUG
 * checks and (page flags) the index mapping is this subsystem's, the protocol-only class
 * otherwise. Called when the backend is installed and again after alloc_tag_sec_init().
 */
export function choosePgallocTagHooks(ctx: PgallocTagHooksContext, refs: PageTagRefs): PgallocTagHooks {
  if (!ctx.state.debug) {
    if (refs instanceof PageExtTagRefs) return new PageExtPgallocTagHooks(ctx, refs);
    if (refs instanceof PageFlagsTagRefs && refs.nrBits > 0 && PageFlagsPgallocTagHooks.serves(ctx, refs))
      return new PageFlagsPgallocTagHooks(ctx, refs);
  }
  return new PgallocTagHooks(ctx, refs);
}
