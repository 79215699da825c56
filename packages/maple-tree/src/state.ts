/**
 * The ma_state cursor and iteration (include/linux/maple_tree.h: struct ma_state, mas_for_each(),
 * mas_for_each_rev(); lib/maple_tree.c: mas_walk(), mas_find(), mas_find_rev(), mas_next(),
 * mas_prev(), mas_next_slot(), mas_prev_slot(), mas_store(), mas_erase(), mas_pause()).
 */
import { checkIndex, checkRange } from './errors';
import type { MapleTree } from './maple-tree';
import { MAX_INDEX, type MapleEntry, NO_PIVOTS, NO_SLOTS } from './node';

// ma_status
const ST_START = 0;

const ST_ACTIVE = 1;

const ST_PAUSE = 2;

const ST_NONE = 3;

const ST_OVERFLOW = 4;

const ST_UNDERFLOW = 5;

/** Status of a {@link MapleState} (kernel `enum maple_status`, minus ROOT and ERROR). */
export type MapleStatus = 'start' | 'active' | 'pause' | 'none' | 'overflow' | 'underflow';

const STATUS_NAMES: readonly MapleStatus[] = ['start', 'active', 'pause', 'none', 'overflow', 'underflow'];

/**
 * include/linux/maple_tree.h: struct ma_state — a cursor over one tree.
 *
 * `index`/`last` are public and writable, as kernel code assigns them before `mas_store()`.
 */
export class MapleState<T> {
  /** First index of the range the state describes. */
  index = 0;
  /** Last index of the range the state describes. */
  last = 0;
  /** @internal ma_status */
  st = ST_START;
  /** @internal leaf the state sits on (-1: empty tree) */
  node = -1;
  /** @internal slot offset in that leaf */
  offset = 0;
  /** @internal leaf minimum */
  nodeMin = 0;
  /** @internal leaf maximum */
  nodeMax = MAX_INDEX;
  /** @internal the leaf's pivot slab (tree.pivS entry) while positioned on an unchanged tree */
  leafPiv: number[] = NO_PIVOTS;
  /** @internal the leaf's slot slab */
  leafSlots: unknown[] = NO_SLOTS;
  /** @internal the leaf's first cell in those slabs */
  base = 0;
  /** @internal tree.seq when positioned; -1 = never */
  seq = -1;
  /** @internal */
  readonly tree: MapleTree<T>;

  /** @internal use `tree.state()` */
  constructor(tree: MapleTree<T>, index: number, last: number) {
    this.tree = tree;
    this.index = index;
    this.last = last;
  }

  /** The kernel `ma_status` of this state, for inspection. */
  get status(): MapleStatus {
    return STATUS_NAMES[this.st]!;
  }

  /** @internal first index of the current slot */
  slotStart(): number {
    const off = this.offset;
    if (this.node < 0 || off === 0) return this.nodeMin;
    return this.leafPiv[this.base + off - 1]! + 1;
  }

  /** @internal last index of the current slot */
  slotEnd(): number {
    const node = this.node;
    if (node < 0) return this.nodeMax;
    const off = this.offset;
    const piv = this.leafPiv;
    return off < (piv[this.base + 15]! & 15) ? piv[this.base + off]! : this.nodeMax;
  }

  private slotValue(): T | undefined {
    if (this.node < 0) return undefined;
    return this.leafSlots[this.base + this.offset] as T | undefined;
  }

  /** The tree changed under a positioned state: continue as if paused (ACTIVE) or re-walk. */
  private sync(): void {
    if (this.seq === this.tree.seq) return;
    if (this.st === ST_ACTIVE) this.st = ST_PAUSE;
    else if (this.st === ST_OVERFLOW || this.st === ST_UNDERFLOW) this.tree.locate(this, this.index);
  }

  private walkInternal(): T | undefined {
    checkIndex('index', this.index);
    this.tree.locate(this, this.index);
    this.index = this.slotStart();
    this.last = this.slotEnd();
    this.st = ST_ACTIVE;
    return this.slotValue();
  }

  /** lib/maple_tree.c: mas_next_slot() */
  private stepNext(max: number, skipNull: boolean): T | undefined {
    const tree = this.tree;
    this.st = ST_ACTIVE;
    if (this.node < 0) {
      this.st = ST_OVERFLOW;
      return undefined;
    }
    let piv = this.leafPiv;
    let sl = this.leafSlots;
    let base = this.base;
    let off = this.offset;
    let end = piv[base + 15]! & 15;
    let last = off < end ? piv[base + off]! : this.nodeMax;
    for (;;) {
      if (last >= max) {
        this.st = ST_OVERFLOW;
        return undefined;
      }
      const start = last + 1;
      if (off < end) off++;
      else {
        tree.nextLeaf(this);
        piv = this.leafPiv;
        sl = this.leafSlots;
        base = this.base;
        off = this.offset;
        end = piv[base + 15]! & 15;
      }
      last = off < end ? piv[base + off]! : this.nodeMax;
      const v = sl[base + off] as T | undefined;
      // The state lands here when this slot is the answer or the limit stops the walk on it.
      if (v !== undefined || !skipNull || last >= max) {
        this.offset = off;
        this.index = start;
        this.last = last;
        if (v !== undefined || !skipNull) return v;
        this.st = ST_OVERFLOW;
        return undefined;
      }
    }
  }

  /** lib/maple_tree.c: mas_prev_slot() */
  private stepPrev(min: number, skipNull: boolean): T | undefined {
    const tree = this.tree;
    this.st = ST_ACTIVE;
    if (this.node < 0) {
      this.st = ST_UNDERFLOW;
      return undefined;
    }
    let piv = this.leafPiv;
    let sl = this.leafSlots;
    let base = this.base;
    let off = this.offset;
    let start = off > 0 ? piv[base + off - 1]! + 1 : this.nodeMin;
    for (;;) {
      if (start <= min) {
        this.st = ST_UNDERFLOW;
        return undefined;
      }
      const last = start - 1;
      if (off > 0) off--;
      else {
        tree.prevLeaf(this);
        piv = this.leafPiv;
        sl = this.leafSlots;
        base = this.base;
        off = this.offset;
      }
      start = off > 0 ? piv[base + off - 1]! + 1 : this.nodeMin;
      const v = sl[base + off] as T | undefined;
      if (v !== undefined || !skipNull || start <= min) {
        this.offset = off;
        this.index = start;
        this.last = last;
        if (v !== undefined || !skipNull) return v;
        this.st = ST_UNDERFLOW;
        return undefined;
      }
    }
  }

  /** lib/maple_tree.c: mas_walk() — value at `index`; `index`/`last` become its slot. */
  walk(): T | undefined {
    return this.walkInternal();
  }

  /** lib/maple_tree.c: mas_next_setup(); true = done, result in `setupResult`. */
  private nextSetup(max: number): boolean {
    checkIndex('max', max);
    this.sync();
    this.setupResult = undefined;
    if (this.last >= max) {
      this.st = ST_OVERFLOW;
      return true;
    }
    switch (this.st) {
      case ST_ACTIVE:
        return false;
      case ST_OVERFLOW:
        this.st = ST_ACTIVE;
        return false;
      case ST_UNDERFLOW: {
        const v = this.walkInternal();
        if (v !== undefined) {
          this.setupResult = v;
          return true;
        }
        return false;
      }
      default:
        this.walkInternal();
        return false;
    }
  }

  private setupResult: T | undefined = undefined;

  /** lib/maple_tree.c: mas_next() — the next entry after the one at `index`, up to `max`. */
  next(max: number): T | undefined {
    if (this.nextSetup(max)) return this.setupResult;
    return this.stepNext(max, true);
  }

  /** lib/maple_tree.c: mas_next_range() — the next range, NULL ranges included. */
  nextRange(max: number): T | undefined {
    if (this.nextSetup(max)) return this.setupResult;
    return this.stepNext(max, false);
  }

  /** lib/maple_tree.c: mas_prev_setup() */
  private prevSetup(min: number): boolean {
    checkIndex('min', min);
    this.sync();
    this.setupResult = undefined;
    if (this.index <= min) {
      this.st = ST_UNDERFLOW;
      return true;
    }
    switch (this.st) {
      case ST_ACTIVE:
        return false;
      case ST_UNDERFLOW:
        this.st = ST_ACTIVE;
        return false;
      case ST_OVERFLOW: {
        const v = this.walkInternal();
        if (v !== undefined) {
          this.setupResult = v;
          return true;
        }
        return false;
      }
      default:
        this.walkInternal();
        return false;
    }
  }

  /** lib/maple_tree.c: mas_prev() — the entry before the one at `index`, down to `min`. */
  prev(min: number): T | undefined {
    if (this.prevSetup(min)) return this.setupResult;
    return this.stepPrev(min, true);
  }

  /** lib/maple_tree.c: mas_prev_range() — the previous range, NULL ranges included. */
  prevRange(min: number): T | undefined {
    if (this.prevSetup(min)) return this.setupResult;
    return this.stepPrev(min, false);
  }

  /** lib/maple_tree.c: mas_find_setup() */
  private findSetup(max: number): boolean {
    checkIndex('max', max);
    this.sync();
    this.setupResult = undefined;
    switch (this.st) {
      case ST_ACTIVE:
        return this.last >= max;
      case ST_START:
        break;
      case ST_PAUSE:
        if (this.last >= max) return true;
        this.index = this.last + 1;
        this.st = ST_START;
        break;
      case ST_NONE:
        if (this.last >= max) return true;
        this.index = this.last;
        this.st = ST_START;
        break;
      case ST_UNDERFLOW: {
        if (this.index >= max) {
          this.st = ST_OVERFLOW;
          return true;
        }
        const v = this.walkInternal();
        if (v !== undefined) {
          this.setupResult = v;
          return true;
        }
        break;
      }
      case ST_OVERFLOW: {
        if (this.last >= max) return true;
        const v = this.walkInternal();
        if (v !== undefined) {
          this.setupResult = v;
          return true;
        }
        break;
      }
    }
    if (this.st === ST_START) {
      if (this.index > max) return true;
      const v = this.walkInternal();
      if (v !== undefined) {
        this.setupResult = v;
        return true;
      }
    }
    return this.index === max;
  }

  /** lib/maple_tree.c: mas_find() — the entry at or after `index` first, then the next ones. */
  find(max: number): T | undefined {
    // The common step of a loop: an active state on an unchanged tree moves on within its
    // leaf (mas_next_slot() without the climb); anything else takes the general path.
    if (this.st === ST_ACTIVE && this.seq === this.tree.seq && this.last < max && Number.isSafeInteger(max)) {
      const piv = this.leafPiv;
      const sl = this.leafSlots;
      const base = this.base;
      const end = piv[base + 15]! & 15;
      let off = this.offset;
      while (off < end) {
        const start = piv[base + off]! + 1;
        if (start > max) break;
        off++;
        const v = sl[base + off] as T | undefined;
        if (v !== undefined) {
          this.offset = off;
          this.index = start;
          this.last = off < end ? piv[base + off]! : this.nodeMax;
          return v;
        }
      }
      const v = this.stepNext(max, true);
      this.st = ST_ACTIVE;
      return v;
    }
    if (this.findSetup(max)) return this.setupResult;
    const v = this.stepNext(max, true);
    this.st = ST_ACTIVE;
    return v;
  }

  /** lib/maple_tree.c: mas_find_range() — as find(), later calls visit NULL ranges too. */
  findRange(max: number): T | undefined {
    if (this.findSetup(max)) return this.setupResult;
    return this.stepNext(max, false);
  }

  /** lib/maple_tree.c: mas_find_rev_setup() */
  private findRevSetup(min: number): boolean {
    checkIndex('min', min);
    this.sync();
    this.setupResult = undefined;
    switch (this.st) {
      case ST_ACTIVE:
        return this.index < min;
      case ST_START:
        break;
      case ST_PAUSE:
        if (this.index <= min) {
          this.st = ST_UNDERFLOW;
          return true;
        }
        this.index = this.index - 1;
        this.last = this.index;
        this.st = ST_START;
        break;
      case ST_NONE:
        if (this.index <= min) return true;
        this.last = this.index;
        this.st = ST_START;
        break;
      case ST_OVERFLOW:
        if (this.index <= min) {
          this.st = ST_UNDERFLOW;
          return true;
        }
        this.st = ST_ACTIVE;
        return this.index < min;
      case ST_UNDERFLOW:
        if (this.index <= min) return true;
        this.st = ST_ACTIVE;
        return this.index < min;
    }
    if (this.index < min) return true;
    const v = this.walkInternal();
    if (v !== undefined) {
      this.setupResult = v;
      return true;
    }
    return this.index < min;
  }

  /** lib/maple_tree.c: mas_find_rev() — the entry at or below `index` first, then earlier ones. */
  findRev(min: number): T | undefined {
    if (
      this.st === ST_ACTIVE &&
      this.seq === this.tree.seq &&
      this.index >= min &&
      Number.isSafeInteger(min)
    ) {
      // Mirror of find(): step back within the leaf, the rest through stepPrev().
      const piv = this.leafPiv;
      const sl = this.leafSlots;
      const base = this.base;
      let off = this.offset;
      while (off > 0) {
        const last = piv[base + off - 1]!;
        if (last < min) break;
        off--;
        const v = sl[base + off] as T | undefined;
        if (v !== undefined) {
          this.offset = off;
          this.index = off > 0 ? piv[base + off - 1]! + 1 : this.nodeMin;
          this.last = last;
          return v;
        }
      }
      return this.stepPrev(min, true);
    }
    if (this.findRevSetup(min)) return this.setupResult;
    return this.stepPrev(min, true);
  }

  /** lib/maple_tree.c: mas_find_range_rev() — as findRev(), later calls visit NULL ranges too. */
  findRangeRev(min: number): T | undefined {
    if (this.findRevSetup(min)) return this.setupResult;
    return this.stepPrev(min, false);
  }

  /** include/linux/maple_tree.h: mas_for_each() — live loop of find(max). */
  forEach(max: number): IterableIterator<T> {
    return new ForEachLoop<T>(this, max);
  }

  /** include/linux/maple_tree.h: mas_for_each_rev() (patch 1) — live loop of findRev(min). */
  forEachRev(min: number): IterableIterator<T> {
    return new ForEachRevLoop<T>(this, min);
  }

  /**
   * lib/maple_tree.c: mas_store() — write `value` over `[index, last]`. Afterwards the state is
   * ACTIVE on the written slot; a NULL write leaves `index`/`last` on the merged empty range.
   */
  store(value: T | undefined): void {
    checkRange(this.index, this.last);
    this.tree.write(this.index, this.last, value);
    this.tree.locate(this, this.index);
    this.st = ST_ACTIVE;
    if (value === undefined) {
      this.index = this.slotStart();
      this.last = this.slotEnd();
    }
  }

  /** lib/maple_tree.c: mas_erase() — remove the range containing `index`, return its value. */
  erase(): T | undefined {
    checkIndex('index', this.index);
    const v = this.tree.eraseEntry(this.index);
    this.tree.locate(this, this.index);
    this.index = this.slotStart();
    this.last = this.slotEnd();
    this.st = ST_ACTIVE;
    return v;
  }

  /** lib/maple_tree.c: mas_reset() */
  reset(): void {
    this.st = ST_START;
  }

  /** lib/maple_tree.c: mas_pause() */
  pause(): void {
    this.st = ST_PAUSE;
  }

  /** include/linux/maple_tree.h: mas_set() */
  set(index: number): void {
    checkIndex('index', index);
    this.index = index;
    this.last = index;
    this.st = ST_START;
  }

  /** include/linux/maple_tree.h: mas_set_range() */
  setRange(first: number, last: number): void {
    checkIndex('first', first);
    checkIndex('last', last);
    this.index = first;
    this.last = last;
    this.st = ST_START;
  }

  /** lib/maple_tree.c: mas_empty_area() — lowest free window; true and `[index, last]` = it. */
  emptyArea(min: number, max: number, size: number): boolean {
    return this.gapResult(this.tree.emptyAreaSearch(min, max, size, false), size);
  }

  /** lib/maple_tree.c: mas_empty_area_rev() — highest free window. */
  emptyAreaRev(min: number, max: number, size: number): boolean {
    return this.gapResult(this.tree.emptyAreaSearch(min, max, size, true), size);
  }

  private gapResult(start: number, size: number): boolean {
    if (start < 0) {
      this.st = ST_START;
      return false;
    }
    this.tree.locate(this, start);
    this.index = start;
    this.last = start + size - 1;
    this.st = ST_ACTIVE;
    return true;
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * What the loops behind mas.forEach(), mas.forEachRev() and `for (const e of tree)` share: the
 * state they step, their limit, and one result object per loop, refilled at every step
 * (for..of reads it before asking for the next one), so that a step allocates nothing. Each
 * loop has its own `next()`, so that its call site sees one shape and inlines one find.
 */
abstract class StateLoop<T, R> implements IterableIterator<R> {
  protected readonly mas: MapleState<T>;
  // Initialised here so that the field holds doubles unboxed (declared bare, it would start
  // as undefined and hold every number boxed).
  protected readonly limit: number = 0;
  protected done = false;
  /** The limit passed a find()'s checks: the loop may step on its own. */
  protected checked = false;
  private readonly result: { done: false; value: R } = { done: false, value: undefined as R };

  constructor(mas: MapleState<T>, limit: number) {
    this.mas = mas;
    this.limit = limit;
  }

  abstract next(): IteratorResult<R>;

  /** The step's result: `value`, or the end of the loop for undefined. */
  protected deliver(value: R | undefined): IteratorResult<R> {
    if (value === undefined) {
      this.done = true;
      return DONE;
    }
    const r = this.result;
    r.value = value;
    return r;
  }

  [Symbol.iterator](): IterableIterator<R> {
    return this;
  }
}

/**
 * The loop behind mas.forEach(): each step is what find() on the same state returns. While the
 * state is the loop's own (active, on an unchanged tree, the limit checked by a first find()),
 * a step scans the leaf's slots from the state's offset, and at the leaf's end moves to the
 * parent's next child without climbing (lib/maple_tree.c: mas_next_slot(), mas_next_node());
 * anything else is find()'s. next() holds only the scan within the leaf, so that the compiler
 * inlines it into the caller's for..of loop (with the leaf step inside, it did not, and every
 * step cost a call).
 */
class ForEachLoop<T> extends StateLoop<T, T> {
  next(): IteratorResult<T> {
    const mas = this.mas;
    let off = -1;
    if (this.checked && mas.st === ST_ACTIVE && mas.seq === mas.tree.seq) {
      const piv = mas.leafPiv;
      const sl = mas.leafSlots;
      const base = mas.base;
      const end = piv[base + 15]! & 15;
      const max = this.limit;
      for (off = mas.offset; off < end; ) {
        const start = piv[base + off]! + 1;
        if (start > max) return this.findNext();
        off++;
        const v = sl[base + off] as T | undefined;
        if (v !== undefined) {
          mas.offset = off;
          mas.index = start;
          mas.last = off < end ? piv[base + off]! : mas.nodeMax;
          return this.deliver(v);
        }
      }
    }
    return off < 0 ? this.findNext() : this.nextLeaf();
  }

  /**
   * The leaf's slots after the state's are NULL (or there are none): the next leaf, when it
   * is the parent's next child but not its last (whose maximum may be the parent's own) and
   * the leaf ends below the limit.
   */
  private nextLeaf(): IteratorResult<T> {
    const mas = this.mas;
    const tree = mas.tree;
    const max = this.limit;
    const nodeMax = mas.nodeMax;
    const lw = mas.leafPiv[mas.base + 15]!;
    const parent = Math.floor(lw / 16384) - 1;
    if (nodeMax >= max || parent < 0) return this.findNext();
    const slot = ((lw >> 4) & 15) + 1;
    const pb = (parent & 511) << 4;
    const ppiv = tree.pivS[parent >> 9]!;
    if (slot >= (ppiv[pb + 15]! & 15)) return this.findNext();
    const node = tree.kidS[parent >> 9]![pb + slot]!;
    const piv = tree.pivS[node >> 9]!;
    const sl = tree.slotS[node >> 9]!;
    const base = (node & 511) << 4;
    const nmax = ppiv[pb + slot]!;
    const end = piv[base + 15]! & 15;
    // The first slot, else the second: two NULL slots never sit side by side.
    const off = sl[base] !== undefined ? 0 : 1;
    if (off > end) return this.findNext();
    const start = off > 0 ? piv[base]! + 1 : nodeMax + 1;
    // A NULL first slot reaching the limit ends the loop on it: find()'s to do.
    if (start > max) return this.findNext();
    const v = sl[base + off] as T | undefined;
    if (v === undefined) return this.findNext();
    tree.placeOnLeaf(mas, node, off, nodeMax + 1, nmax);
    mas.index = start;
    mas.last = off < end ? piv[base + off]! : nmax;
    return this.deliver(v);
  }

  private findNext(): IteratorResult<T> {
    if (this.done) return DONE;
    const v = this.mas.find(this.limit);
    // The limit is valid once find() did not throw; after the last entry only find() runs.
    this.checked = v !== undefined;
    return this.deliver(v);
  }
}

/** The loop behind mas.forEachRev(): mirror of ForEachLoop, each step what findRev() returns. */
class ForEachRevLoop<T> extends StateLoop<T, T> {
  next(): IteratorResult<T> {
    const mas = this.mas;
    let off = -1;
    if (this.checked && mas.st === ST_ACTIVE && mas.seq === mas.tree.seq) {
      const piv = mas.leafPiv;
      const sl = mas.leafSlots;
      const base = mas.base;
      const min = this.limit;
      for (off = mas.offset; off > 0; ) {
        const last = piv[base + off - 1]!;
        if (last < min) return this.findPrev();
        off--;
        const v = sl[base + off] as T | undefined;
        if (v !== undefined) {
          mas.offset = off;
          mas.index = off > 0 ? piv[base + off - 1]! + 1 : mas.nodeMin;
          mas.last = last;
          return this.deliver(v);
        }
      }
    }
    return off < 0 ? this.findPrev() : this.prevLeaf();
  }

  /**
   * The leaf's slots before the state's are NULL (or there are none): the previous leaf, when
   * it is the parent's previous child but not its first (whose minimum is the parent's own)
   * and the leaf starts above the limit. The leaf before that one is read ahead (see
   * MapleWalk.touchLeaf()).
   */
  private prevLeaf(): IteratorResult<T> {
    const mas = this.mas;
    const tree = mas.tree;
    const min = this.limit;
    const nodeMin = mas.nodeMin;
    const lw = mas.leafPiv[mas.base + 15]!;
    const parent = Math.floor(lw / 16384) - 1;
    if (nodeMin <= min || parent < 0) return this.findPrev();
    const slot = ((lw >> 4) & 15) - 1;
    if (slot < 1) return this.findPrev();
    const pb = (parent & 511) << 4;
    const ppiv = tree.pivS[parent >> 9]!;
    const kids = tree.kidS[parent >> 9]!;
    const node = kids[pb + slot]!;
    const piv = tree.pivS[node >> 9]!;
    const sl = tree.slotS[node >> 9]!;
    const base = (node & 511) << 4;
    const nmin = ppiv[pb + slot - 1]! + 1;
    const end = piv[base + 15]! & 15;
    // The last slot, else the one before: two NULL slots never sit side by side.
    const off = sl[base + end] !== undefined ? end : end - 1;
    if (off < 0) return this.findPrev();
    const last = off < end ? piv[base + off]! : nodeMin - 1;
    // A NULL last slot reaching the limit ends the loop on it: findRev()'s to do.
    if (last < min) return this.findPrev();
    const v = sl[base + off] as T | undefined;
    if (v === undefined) return this.findPrev();
    if (slot > 1) tree.touchLeaf(kids[pb + slot - 1]!);
    tree.placeOnLeaf(mas, node, off, nmin, nodeMin - 1);
    mas.index = off > 0 ? piv[base + off - 1]! + 1 : nmin;
    mas.last = last;
    return this.deliver(v);
  }

  private findPrev(): IteratorResult<T> {
    if (this.done) return DONE;
    const v = this.mas.findRev(this.limit);
    this.checked = v !== undefined;
    return this.deliver(v);
  }
}

/**
 * The loop behind `for (const e of tree)`: the steps of mas.forEach() (ForEachLoop), each
 * entry as a new object, as callers keep them.
 */
export class EntryLoop<T> extends StateLoop<T, MapleEntry<T>> {
  private readonly steps: ForEachLoop<T>;

  constructor(mas: MapleState<T>, limit: number) {
    super(mas, limit);
    this.steps = new ForEachLoop<T>(mas, limit);
  }

  next(): IteratorResult<MapleEntry<T>> {
    const r = this.steps.next();
    if (r.done) return DONE;
    const mas = this.mas;
    return this.deliver({ index: mas.index, last: mas.last, value: r.value });
  }
}

/**
 * Every entry intersecting `[first, last]`, ascending: `callback(value, index, last)` with
 * the entry's full range; returning `false` stops. The loop runs over each leaf's pivots and
 * slots, steps to the next leaf through the parent's children, to the next parent through
 * the grandparent's, and climbs only past the grandparent's last child (lib/maple_tree.c:
 * mas_next_slot(), mas_next_node()). Writes from inside the callback are allowed: the walk
 * then resumes after the entry it reported.
 */
export function eachEntry<T>(
  mt: MapleTree<T>,
  mas: MapleState<T>,
  callback: (value: T, index: number, last: number) => unknown,
  first: number,
  last: number,
): void {
  checkIndex('first', first);
  checkIndex('last', last);
  if (first > last || mt.root < 0) return;
  mt.locate(mas, first);
  const pivS = mt.pivS;
  const slotS = mt.slotS;
  const full = mt.internalSlots - 1;
  for (;;) {
    // Positioned on a leaf (by locate() or nextLeaf()); the parent's children after it are
    // the next leaves.
    const seq = mt.seq;
    let node = mas.node;
    let piv = mas.leafPiv;
    let sl = mas.leafSlots;
    let base = mas.base;
    let off = mas.offset;
    let nodeMax = mas.nodeMax;
    let start = off > 0 ? piv[base + off - 1]! + 1 : mas.nodeMin;
    let parent = node === mt.root ? -1 : mt.parentOf(node);
    let ps = parent < 0 ? 0 : mt.parentSlotOf(node);
    let pb = (parent & 511) << 4;
    let ppiv = parent < 0 ? piv : pivS[parent >> 9]!;
    let pkids = parent < 0 ? NO_CHILDREN : mt.kidS[parent >> 9]!;
    let pe = parent < 0 ? 0 : ppiv[pb + 15]! & 15;
    // A full parent does not store its last child's maximum: it is the parent's own.
    let lastMax = pe === full ? mt.childEdge(parent, pe, 1) : 0;
    // The grandparent: its children after the parent hold the next leaves' parents.
    const grand = parent < 0 || parent === mt.root ? -1 : mt.parentOf(parent);
    let gs = grand < 0 ? 0 : mt.parentSlotOf(parent);
    const gb = (grand & 511) << 4;
    const gkids = grand < 0 ? NO_CHILDREN : mt.kidS[grand >> 9]!;
    const ge = grand < 0 ? 0 : pivS[grand >> 9]![gb + 15]! & 15;
    let stop = -1;
    for (;;) {
      const end = piv[base + 15]! & 15;
      if (nodeMax <= last) {
        // The rest of the leaf lies inside the window: no limit check per slot.
        for (; off < end; off++) {
          const e = piv[base + off]!;
          const v = sl[base + off];
          if (v !== undefined) {
            if (callback(v as T, start, e) === false) return;
            if (mt.seq !== seq) {
              stop = e;
              break;
            }
          }
          start = e + 1;
        }
        if (stop >= 0) break;
        const v = sl[base + end];
        if (v !== undefined) {
          if (callback(v as T, start, nodeMax) === false) return;
          if (mt.seq !== seq) {
            stop = nodeMax;
            break;
          }
        }
        if (nodeMax >= last) return;
      } else {
        for (; off <= end; off++) {
          const e = off < end ? piv[base + off]! : nodeMax;
          const v = sl[base + off];
          if (v !== undefined) {
            if (callback(v as T, start, e) === false) return;
            if (mt.seq !== seq) {
              stop = e;
              break;
            }
          }
          if (e >= last) return;
          start = e + 1;
        }
        if (stop >= 0) break;
      }
      // The next leaf: the parent's next child, whose last index is its pivot (or the
      // parent's maximum, stored in the pivot cell of a parent with room); past the parent's
      // last child, the first child of the grandparent's next child (lib/maple_tree.c:
      // mas_next_node() climbs no higher than it must). Only beyond the grandparent's last
      // child does the walk climb from the leaf.
      if (++ps > pe) {
        if (++gs > ge) break;
        parent = gkids[gb + gs]!;
        pb = (parent & 511) << 4;
        ppiv = pivS[parent >> 9]!;
        pkids = mt.kidS[parent >> 9]!;
        pe = ppiv[pb + 15]! & 15;
        lastMax = pe === full ? mt.childEdge(grand, gs, 1) : 0;
        ps = 0;
      }
      node = pkids[pb + ps]!;
      start = nodeMax + 1;
      nodeMax = ps < full ? ppiv[pb + ps]! : lastMax;
      piv = pivS[node >> 9]!;
      sl = slotS[node >> 9]!;
      base = (node & 511) << 4;
      off = 0;
    }
    if (stop >= 0) {
      if (stop >= last || mt.root < 0) return;
      mt.locate(mas, stop + 1);
    } else {
      // Past the grandparent's children: climb from this leaf. A loop nested in the callback
      // may have moved the shared cursor, so it is set to this leaf first.
      mas.node = node;
      mas.nodeMax = nodeMax;
      mt.nextLeaf(mas);
    }
  }
}

/** Children of no parent (the root leaf's). */
const NO_CHILDREN = new Int32Array(1);

/**
 * Every entry intersecting `[first, last]`, descending (the callback form of
 * mas_for_each_rev()): `callback(value, index, last)`; returning `false` stops.
 */
export function eachEntryRev<T>(
  mt: MapleTree<T>,
  mas: MapleState<T>,
  callback: (value: T, index: number, last: number) => unknown,
  first: number,
  last: number,
): void {
  checkIndex('first', first);
  checkIndex('last', last);
  if (first > last || mt.root < 0) return;
  mt.locate(mas, last);
  const pivS = mt.pivS;
  const slotS = mt.slotS;
  for (;;) {
    // Mirror of eachEntry(): the parent's children before this leaf are the previous leaves,
    // the grandparent's children before the parent their parents.
    const seq = mt.seq;
    let node = mas.node;
    let piv = mas.leafPiv;
    let sl = mas.leafSlots;
    let base = mas.base;
    let off = mas.offset;
    let nodeMin = mas.nodeMin;
    let e = off < (piv[base + 15]! & 15) ? piv[base + off]! : mas.nodeMax;
    let parent = node === mt.root ? -1 : mt.parentOf(node);
    let ps = parent < 0 ? 0 : mt.parentSlotOf(node);
    let pb = (parent & 511) << 4;
    let ppiv = parent < 0 ? piv : pivS[parent >> 9]!;
    let pkids = parent < 0 ? NO_CHILDREN : mt.kidS[parent >> 9]!;
    // The parent's first child starts at the parent's minimum, which the parent does not store.
    let firstMin = ps > 0 ? mt.childEdge(parent, 0, -1) : 0;
    // The grandparent: its children before the parent hold the previous leaves' parents.
    const grand = parent < 0 || parent === mt.root ? -1 : mt.parentOf(parent);
    let gs = grand < 0 ? 0 : mt.parentSlotOf(parent);
    const gkids = grand < 0 ? NO_CHILDREN : mt.kidS[grand >> 9]!;
    const gb = (grand & 511) << 4;
    let stop = -1;
    for (;;) {
      if (nodeMin >= first) {
        // The rest of the leaf lies inside the window.
        for (; off > 0; off--) {
          const s = piv[base + off - 1]! + 1;
          const v = sl[base + off];
          if (v !== undefined) {
            if (callback(v as T, s, e) === false) return;
            if (mt.seq !== seq) {
              stop = s;
              break;
            }
          }
          e = s - 1;
        }
        if (stop >= 0) break;
        const v = sl[base];
        if (v !== undefined) {
          if (callback(v as T, nodeMin, e) === false) return;
          if (mt.seq !== seq) {
            stop = nodeMin;
            break;
          }
        }
        if (nodeMin <= first) return;
      } else {
        for (; off >= 0; off--) {
          const s = off > 0 ? piv[base + off - 1]! + 1 : nodeMin;
          const v = sl[base + off];
          if (v !== undefined) {
            if (callback(v as T, s, e) === false) return;
            if (mt.seq !== seq) {
              stop = s;
              break;
            }
          }
          if (s <= first) return;
          e = s - 1;
        }
        if (stop >= 0) break;
      }
      // The previous leaf: the parent's previous child, which starts after the pivot before it;
      // before the parent's first child, the last child of the grandparent's previous child.
      if (--ps < 0) {
        if (--gs < 0) break;
        parent = gkids[gb + gs]!;
        pb = (parent & 511) << 4;
        ppiv = pivS[parent >> 9]!;
        pkids = mt.kidS[parent >> 9]!;
        ps = ppiv[pb + 15]! & 15;
        firstMin = mt.childEdge(grand, gs, -1);
      }
      node = pkids[pb + ps]!;
      e = nodeMin - 1;
      nodeMin = ps > 0 ? ppiv[pb + ps - 1]! + 1 : firstMin;
      piv = pivS[node >> 9]!;
      sl = slotS[node >> 9]!;
      base = (node & 511) << 4;
      off = piv[base + 15]! & 15;
      // Leaves sit in the pool in allocation order, not index order: the previous one's cells
      // are read now, so that its cache misses overlap the work on this one (measured: going
      // down it pays, 1.1-1.4x; going up the same reads cost more than they save).
      if (ps > 0) mt.touchLeaf(pkids[pb + ps - 1]!);
    }
    if (stop >= 0) {
      if (stop <= first || mt.root < 0) return;
      mt.locate(mas, stop - 1);
    } else {
      mas.node = node;
      mas.nodeMin = nodeMin;
      mt.prevLeaf(mas);
    }
  }
}
