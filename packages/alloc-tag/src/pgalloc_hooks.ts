import { type PageTagRefs, PgtagRefHandle } from '@allocprof/pgalloc-tag';
import type { AllocTag, TaskStruct } from './alloc_tag';
import type { AllocTagOps } from './ref_ops';
import type { MemProfilingState } from './state';
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

/**
 * include/linux/pgalloc_tag.h and lib/alloc_tag.c (6.13): the page allocator's hooks of §6.6,
 * through pgalloc-tag's get/update/put protocol on reused handles. Every hook tests the key first
 * and is a no-op while it is off. Nothing is allocated per call.
 */
export class PgallocTagHooks {
  refs: PageTagRefs = NO_PAGE_TAG_REFS;
  private readonly state: MemProfilingState;
  private readonly ops: AllocTagOps;
  private readonly h = new PgtagRefHandle();
  private readonly h2 = new PgtagRefHandle();

  constructor(state: MemProfilingState, ops: AllocTagOps) {
    this.state = state;
    this.ops = ops;
  }

  /** pgalloc_tag_add(): charge `nr` pages at `pfn` (the block's head) to `task->alloc_tag`. */
  add(pfn: number, task: TaskStruct, nr: number): void {
    if (!this.state.key) return;
    const refs = this.refs;
    const h = this.h;
    if (refs.getPageTagRef(pfn, h)) {
      h.ref = this.ops.add(h.ref, task.allocTag, PAGE_SIZE * nr);
      refs.updatePageTagRef(h);
      refs.putPageTagRef(h);
    }
  }

  /** pgalloc_tag_sub(): uncharge `nr` pages freed at `pfn`; the reference becomes NULL. */
  sub(pfn: number, nr: number): void {
    if (!this.state.key) return;
    const refs = this.refs;
    const h = this.h;
    if (refs.getPageTagRef(pfn, h)) {
      h.ref = this.ops.sub(h.ref, PAGE_SIZE * nr);
      refs.updatePageTagRef(h);
      refs.putPageTagRef(h);
    }
  }

  /**
   * pgalloc_tag_get(): the tag the page at `pfn` is charged to, or null. An EMPTY reference reads
   * as null (the kernel would hand back the sentinel pointer).
   */
  get(pfn: number): AllocTag | null {
    if (!this.state.key) return null;
    const refs = this.refs;
    const h = this.h;
    let tag: AllocTag | null = null;
    if (refs.getPageTagRef(pfn, h)) {
      if (this.state.debug) this.ops.subCheck(h.ref);
      if (h.ref !== 0 && !this.ops.isEmpty(h.ref)) tag = this.ops.resolve(h.ref) ?? null;
      refs.putPageTagRef(h);
    }
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
    const tag = this.get(pfn);
    if (tag === null) return;
    const refs = this.refs;
    const h = this.h;
    const step = 2 ** newOrder;
    const end = 2 ** oldOrder;
    for (let i = step; i < end; i += step) {
      if (refs.getPageTagRef(pfn + i, h)) {
        h.ref = this.ops.refSet(h.ref, tag);
        refs.updatePageTagRef(h);
        refs.putPageTagRef(h);
      }
    }
  }

  /**
   * pgalloc_tag_copy() (6.13, folio_size): migration of a `2^order` folio from `oldPfn` to `newPfn` —
   * the old page's reference is cleared, the charge made when the target was allocated is removed
   * (bytes), and the target points at the original tag without counter changes.
   */
  copy(newPfn: number, oldPfn: number, order: number): void {
    const tag = this.get(oldPfn);
    if (tag === null) return;
    const refs = this.refs;
    const h = this.h;
    if (!refs.getPageTagRef(newPfn, h)) return;
    this.clearWith(oldPfn, this.h2);
    h.ref = this.ops.sub(h.ref, PAGE_SIZE * 2 ** order);
    h.ref = this.ops.refSetNoCount(h.ref, tag);
    refs.updatePageTagRef(h);
    refs.putPageTagRef(h);
  }

  private clearWith(pfn: number, h: PgtagRefHandle): void {
    if (!this.state.key) return;
    const refs = this.refs;
    if (refs.getPageTagRef(pfn, h)) {
      h.ref = this.ops.setEmpty(h.ref);
      refs.updatePageTagRef(h);
      refs.putPageTagRef(h);
    }
  }
}
