/**
 * The maple tree's public API (lib/maple_tree.c: mtree_store_range(), mtree_insert_range(),
 * mtree_erase(), mtree_alloc_range(), mtree_alloc_rrange(), mtree_destroy(), mt_for_each()).
 * The layers it stands on are node.ts (node storage and pool), walk.ts (read path), gap.ts
 * (gap tracking and search), rebuild.ts and store.ts (write path), validate.ts (validation
 * and dump); state.ts has the ma_state cursor and iteration.
 */

export type { MapleEntry, MapleTreeOptions } from './node';
export { MAX_INDEX } from './node';
export type { MapleStatus } from './state';
export { MapleState } from './state';

import { checkIndex, checkRange, MapleTreeError } from './errors';
import { MAX_INDEX, type MapleEntry } from './node';
import { EntryLoop, eachEntry, eachEntryRev, MapleState } from './state';
import { MapleCheck } from './validate';

/**
 * lib/maple_tree.c: struct maple_tree and the mtree_* API.
 *
 * Maps every index of `0..MAX_INDEX` to a value or to nothing (`undefined`, the kernel's NULL).
 */
export class MapleTree<T> extends MapleCheck<T> implements Iterable<MapleEntry<T>> {
  /** The cursor of forEachEntry()/forEachEntryRev(), made on first use (then they allocate nothing). */
  private cursor: MapleState<T> | undefined = undefined;

  /** lib/maple_tree.c: mtree_empty() */
  get isEmpty(): boolean {
    return this.root < 0;
  }

  /** MA_STATE(): a cursor at `[index, last]`, status START. */
  state(index = 0, last: number = index): MapleState<T> {
    checkIndex('index', index);
    checkIndex('last', last);
    return new MapleState<T>(this, index, last);
  }

  /**
   * mt_for_each(): every non-empty range, ascending. Each step is one find() on a state of its
   * own; the entry yielded is a new object (callers keep them), the iterator result is not.
   */
  [Symbol.iterator](): Iterator<MapleEntry<T>> {
    return new EntryLoop<T>(new MapleState<T>(this, 0, 0), MAX_INDEX);
  }

  /**
   * Every entry intersecting `[first, last]`, ascending: `callback(value, index, last)` with
   * the entry's full range; returning `false` stops. The fastest way through a tree: one loop
   * per leaf over its pivots and slots, no object per entry (see eachEntry() in state.ts).
   */
  forEachEntry(
    callback: (value: T, index: number, last: number) => unknown,
    first = 0,
    last: number = MAX_INDEX,
  ): void {
    eachEntry(this, this.loopCursor(), callback, first, last);
  }

  /**
   * Every entry intersecting `[first, last]`, descending (the callback form of
   * mas_for_each_rev()); returning `false` stops.
   */
  forEachEntryRev(
    callback: (value: T, index: number, last: number) => unknown,
    first = 0,
    last: number = MAX_INDEX,
  ): void {
    eachEntryRev(this, this.loopCursor(), callback, first, last);
  }

  private loopCursor(): MapleState<T> {
    if (this.cursor === undefined) this.cursor = new MapleState<T>(this, 0, 0);
    return this.cursor;
  }

  /** lib/maple_tree.c: mtree_store() */
  store(index: number, value: T | undefined): void {
    checkIndex('index', index);
    this.write(index, index, value);
  }

  /** lib/maple_tree.c: mtree_store_range() */
  storeRange(first: number, last: number, value: T | undefined): void {
    checkRange(first, last);
    this.write(first, last, value);
  }

  /** lib/maple_tree.c: mtree_insert() */
  insert(index: number, value: T): void {
    this.insertRange(index, index, value);
  }

  /** lib/maple_tree.c: mtree_insert_range() */
  insertRange(first: number, last: number, value: T): void {
    checkRange(first, last);
    if (value === undefined) throw new MapleTreeError('EINVAL', 'cannot insert undefined (NULL)');
    if (this.root >= 0 && (this.walkToSlot(first) !== undefined || this.foundEnd < last)) {
      throw new MapleTreeError('EEXIST', `[${first}, ${last}] is not empty`);
    }
    this.write(first, last, value);
  }

  /** lib/maple_tree.c: mtree_erase() — removes the whole range containing `index`. */
  erase(index: number): T | undefined {
    checkIndex('index', index);
    return this.eraseEntry(index);
  }

  /** lib/maple_tree.c: mtree_alloc_range() — lowest free window of `size` in `[min, max]`. */
  allocRange(size: number, value: T, min: number, max: number): number {
    return this.allocCommon(size, value, min, max, false);
  }

  /** lib/maple_tree.c: mtree_alloc_rrange() — highest free window of `size` in `[min, max]`. */
  allocRangeRev(size: number, value: T, min: number, max: number): number {
    return this.allocCommon(size, value, min, max, true);
  }

  private allocCommon(size: number, value: T, min: number, max: number, rev: boolean): number {
    if (value === undefined) throw new MapleTreeError('EINVAL', 'cannot allocate a range for undefined');
    const start = this.emptyAreaSearch(min, max, size, rev);
    if (start < 0) {
      throw new MapleTreeError('EBUSY', `no free window of ${size} in [${min}, ${max}]`);
    }
    this.write(start, start + size - 1, value);
    return start;
  }

  /** lib/maple_tree.c: mtree_destroy() */
  clear(): void {
    this.resetPool();
    this.seq++;
  }
}
