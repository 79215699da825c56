/**
 * Read path of the maple tree (lib/maple_tree.c: mtree_load(), mas_walk(), mas_descend(),
 * mtree_lookup_walk(), mas_next_node(), mas_prev_node(), mt_find()).
 */
import { checkIndex, MapleTreeCorruptionError } from './errors';
import { MAPLE_HEIGHT_MAX, MAX_INDEX, type MapleEntry, MapleNodes, searchNode } from './node';
import type { MapleState } from './state';

/**
 * The path records of writes, shared by every tree: JavaScript runs one write at a time and a
 * write calls no user code, so one set serves all trees, and a small tree does not carry its
 * own. `owner` is the number (pathOwner) of the tree whose path the left arrays hold (see
 * MapleStore.write()): a number, not the tree, because storing a young tree into this old
 * object costs a write barrier's remembered-set entry at every walk.
 */
export const PATHS = {
  owner: 0,
  lNode: new Int32Array(MAPLE_HEIGHT_MAX + 1),
  lSlot: new Int32Array(MAPLE_HEIGHT_MAX + 1),
  lMin: new Float64Array(MAPLE_HEIGHT_MAX + 1),
  lMax: new Float64Array(MAPLE_HEIGHT_MAX + 1),
  rNode: new Int32Array(MAPLE_HEIGHT_MAX + 1),
  rSlot: new Int32Array(MAPLE_HEIGHT_MAX + 1),
  rMin: new Float64Array(MAPLE_HEIGHT_MAX + 1),
  rMax: new Float64Array(MAPLE_HEIGHT_MAX + 1),
};

/** The last pathOwner handed out. */
let lastOwner = 0;

/** The read path of a tree, and the left/right path records a write starts from. */
export class MapleWalk<T> extends MapleNodes {
  /** This tree's number in PATHS.owner (unique for the process: 2^53 trees are never made). */
  protected readonly pathOwner = ++lastOwner;
  /** seq at which the recorded left path (lNode...) was last known to match the tree */
  protected pathSeq = -1;
  // The left and right paths of a write, recorded by walkPath(): the arrays every tree shares.
  protected readonly lNode = PATHS.lNode;
  protected readonly lSlot = PATHS.lSlot;
  protected readonly lMin = PATHS.lMin;
  protected readonly lMax = PATHS.lMax;
  protected readonly rNode = PATHS.rNode;
  protected readonly rSlot = PATHS.rSlot;
  protected readonly rMin = PATHS.rMin;
  protected readonly rMax = PATHS.rMax;
  /** Ancestor and slot found by climb(). */
  private climbParent = 0;
  private climbSlot = 0;
  /** Slot bounds found by the last lookupSlot(). */
  protected foundStart = 0;
  protected foundEnd = 0;
  /** Sum of the cells touchSibling() read (kept, so that the compiler keeps the reads). */
  private touched = 0;

  /** lib/maple_tree.c: mtree_load() */
  load(index: number): T | undefined {
    checkIndex('index', index);
    let node = this.root;
    if (node < 0) return undefined;
    const pivS = this.pivS;
    const kidS = this.kidS;
    for (let h = this.height - 1; h > 0; h--) {
      const b = (node & 511) << 4;
      const piv = pivS[node >> 9]!;
      const kids = kidS[node >> 9]!;
      // The first child is read before the search so that the children's cache line is on
      // its way while the pivots are searched (it is the answer whenever the search says 0).
      const first = kids[b]!;
      const k = searchNode(piv, b, index);
      node = k === 0 ? first : kids[b + k]!;
    }
    const b = (node & 511) << 4;
    const piv = pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const first = sl[b];
    const k = searchNode(piv, b, index);
    return (k === 0 ? first : sl[b + k]) as T | undefined;
  }

  /** Value of the slot containing `index`; its first and last index go to `foundStart`/`foundEnd`. */
  protected lookupSlot(index: number): T | undefined {
    let node = this.root;
    if (node < 0) {
      this.foundStart = 0;
      this.foundEnd = MAX_INDEX;
      return undefined;
    }
    let min = 0;
    let max = MAX_INDEX;
    for (let h = this.height; ; ) {
      const b = (node & 511) << 4;
      const piv = this.pivS[node >> 9]!;
      const e = piv[b + 15]! & 15;
      const k = searchNode(piv, b, index);
      if (k > 0) min = piv[b + k - 1]! + 1;
      if (k < e) max = piv[b + k]!;
      if (--h === 0) {
        this.foundStart = min;
        this.foundEnd = max;
        return this.slotS[node >> 9]![b + k] as T | undefined;
      }
      node = this.kidS[node >> 9]![b + k]!;
    }
  }

  /**
   * Walk to the slot containing `index` recording the path, so that a write starting in the
   * same leaf right after does not walk again; slot bounds go to foundStart/foundEnd.
   */
  protected walkToSlot(index: number): T | undefined {
    const v = this.walkPath(index, this.lNode, this.lSlot, this.lMin, this.lMax);
    this.pathSeq = this.seq;
    this.recordedSlotBounds();
    return v as T | undefined;
  }

  /** First and last index of the slot on the recorded path's leaf, to foundStart/foundEnd. */
  protected recordedSlotBounds(): void {
    const leafD = this.height - 1;
    const node = this.lNode[leafD]!;
    const k = this.lSlot[leafD]!;
    const b = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    this.foundStart = k > 0 ? piv[b + k - 1]! + 1 : this.lMin[leafD]!;
    this.foundEnd = k < (piv[b + 15]! & 15) ? piv[b + k]! : this.lMax[leafD]!;
  }

  /**
   * Walk to the leaf containing `index`, recording node, slot, min and max per level; returns
   * the value of the slot found.
   */
  protected walkPath(
    index: number,
    N: Int32Array,
    S: Int32Array,
    Mn: Float64Array,
    Mx: Float64Array,
  ): unknown {
    if (N === this.lNode) PATHS.owner = this.pathOwner;
    const pivS = this.pivS;
    const kidS = this.kidS;
    const leafDepth = this.height - 1;
    let node = this.root;
    let min = 0;
    let max = MAX_INDEX;
    // One loop for every level, the leaf included: a single searchNode() call site keeps the
    // walk small enough for the compiler to inline it and the write's in-leaf store together.
    for (let d = 0; ; d++) {
      const b = (node & 511) << 4;
      const piv = pivS[node >> 9]!;
      const k = searchNode(piv, b, index);
      N[d] = node;
      S[d] = k;
      Mn[d] = min;
      Mx[d] = max;
      if (d === leafDepth) return this.slotS[node >> 9]![b + k];
      const e = piv[b + 15]! & 15;
      if (k > 0) min = piv[b + k - 1]! + 1;
      if (k < e) max = piv[b + k]!;
      node = kidS[node >> 9]![b + k]!;
    }
  }

  /** @internal Position a state on the slot containing `index` (lib/maple_tree.c: mas_walk()). */
  locate(mas: MapleState<T>, index: number): void {
    mas.seq = this.seq;
    let node = this.root;
    if (node < 0) {
      mas.node = -1;
      mas.offset = 0;
      mas.nodeMin = 0;
      mas.nodeMax = MAX_INDEX;
      return;
    }
    let min = 0;
    let max = MAX_INDEX;
    for (let h = this.height; ; ) {
      const b = (node & 511) << 4;
      const piv = this.pivS[node >> 9]!;
      const k = searchNode(piv, b, index);
      if (--h === 0) {
        this.placeOnLeaf(mas, node, k, min, max);
        return;
      }
      const e = piv[b + 15]! & 15;
      if (k > 0) min = piv[b + k - 1]! + 1;
      if (k < e) max = piv[b + k]!;
      node = this.kidS[node >> 9]![b + k]!;
    }
  }

  /**
   * lib/maple_tree.c: mas_next_node() — move a state from its leaf to the next one (the
   * leaf's maximum is below MAX_INDEX). The state sits on the new leaf's slot 0.
   * @internal
   */
  nextLeaf(mas: MapleState<T>): void {
    this.stepLeaf(mas, 1);
  }

  /**
   * lib/maple_tree.c: mas_prev_node() — to the previous leaf (the leaf's minimum is above 0),
   * on its last slot.
   * @internal
   */
  prevLeaf(mas: MapleState<T>): void {
    this.stepLeaf(mas, -1);
  }

  /**
   * Both directions of the leaf step: up the parent links to the first ancestor with a slot
   * after (`dir` 1) or before (-1) ours, then down that child's leftmost (rightmost) path.
   * The new leaf's near edge is one past the old leaf's; its far edge is the child's edge at
   * the lowest level where the path does not run along the subtree's border.
   */
  private stepLeaf(mas: MapleState<T>, dir: 1 | -1): void {
    // Most steps stay under the same parent, away from its far end: both edges of the sibling
    // are then the parent's pivots around it, and nothing needs to climb. The leaf's metadata
    // word and the parent's cells are read once here: through parentOf(), parentSlotOf(),
    // endOf() and pivotAt() each reloads them, and iteration measured 13 % slower that way.
    const leaf = mas.node;
    const lw = this.pivS[leaf >> 9]![((leaf & 511) << 4) + 15]!;
    const parent = Math.floor(lw / 16384) - 1;
    if (parent >= 0) {
      const slot = ((lw >> 4) & 15) + dir;
      const pb = (parent & 511) << 4;
      const ppiv = this.pivS[parent >> 9]!;
      if (dir > 0 ? slot < (ppiv[pb + 15]! & 15) : slot > 0) {
        const node = this.kidS[parent >> 9]![pb + slot]!;
        if (dir > 0) this.placeOnLeaf(mas, node, 0, mas.nodeMax + 1, ppiv[pb + slot]!);
        else this.placeOnLeaf(mas, node, this.endOf(node), ppiv[pb + slot - 1]! + 1, mas.nodeMin - 1);
        if (dir < 0) this.touchSibling(node, dir);
        return;
      }
    }
    const up = this.climb(leaf, dir);
    let node = this.climbParent;
    let slot = this.climbSlot;
    let edge = this.childEdge(node, slot, dir);
    for (let d = 1; d < up; d++) {
      node = this.childAt(node, slot);
      const e = this.endOf(node);
      slot = dir > 0 ? 0 : e;
      if (e > 0) edge = dir > 0 ? this.pivotAt(node, 0) : this.pivotAt(node, e - 1) + 1;
    }
    node = this.childAt(node, slot);
    if (dir > 0) this.placeOnLeaf(mas, node, 0, mas.nodeMax + 1, edge);
    else this.placeOnLeaf(mas, node, this.endOf(node), edge, mas.nodeMin - 1);
    if (dir < 0) this.touchSibling(node, dir);
  }

  /**
   * Up the parent links from `leaf` to the first ancestor with a slot after it (`dir` 1) or
   * before it (`dir` -1); that ancestor and slot go to climbParent/climbSlot. Returns how many
   * levels were climbed.
   */
  private climb(leaf: number, dir: 1 | -1): number {
    let node = leaf;
    for (let up = 1; ; up++) {
      if (node === this.root)
        throw new MapleTreeCorruptionError(`no leaf ${dir > 0 ? 'after' : 'before'} this one`, leaf, 0);
      const parent = this.parentOf(node);
      const slot = this.parentSlotOf(node) + dir;
      if (slot >= 0 && slot <= this.endOf(parent)) {
        this.climbParent = parent;
        this.climbSlot = slot;
        return up;
      }
      node = parent;
    }
  }

  /** @internal Put state `mas` on slot `offset` of leaf `node`, which spans `[min, max]`. */
  placeOnLeaf(mas: MapleState<T>, node: number, offset: number, min: number, max: number): void {
    mas.node = node;
    mas.offset = offset;
    mas.nodeMin = min;
    mas.nodeMax = max;
    mas.leafPiv = this.pivS[node >> 9]!;
    mas.leafSlots = this.slotS[node >> 9]!;
    mas.base = (node & 511) << 4;
  }

  /**
   * Read the first and last cells of the leaf after (`dir` 1) or before (-1) `node` when it
   * hangs off the same parent, so that a walk through the leaves has the next leaf's cache
   * misses under way while it works on this one (leaves sit in the pool in allocation order,
   * not in index order, so the hardware prefetcher cannot guess them).
   */
  private touchSibling(node: number, dir: 1 | -1): void {
    const up = this.parentOf(node);
    if (up < 0) return;
    const slot = this.parentSlotOf(node) + dir;
    const ub = (up & 511) << 4;
    if (slot < 0 || slot > (this.pivS[up >> 9]![ub + 15]! & 15)) return;
    this.touchLeaf(this.kidS[up >> 9]![ub + slot]!);
  }

  /**
   * Read the first, middle and last cells of leaf `node`'s pivots and the first and middle of
   * its values, so that their cache lines are on their way before a loop gets there (the sum
   * is kept, so that the compiler keeps the reads).
   * @internal
   */
  touchLeaf(node: number): void {
    const b = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    this.touched += piv[b]! + piv[b + 8]! + piv[b + 15]! + (sl[b] === sl[b + 8] ? 1 : 0);
  }

  /**
   * The last (`dir` 1) or first (-1) index covered by child `slot` of `node`: its own pivot
   * (the previous one + 1) when it has one, else the same edge of `node` in its parent.
   * @internal
   */
  childEdge(node: number, slot: number, dir: 1 | -1): number {
    if (dir > 0) {
      if (slot < this.endOf(node)) return this.pivotAt(node, slot);
    } else if (slot > 0) return this.pivotAt(node, slot - 1) + 1;
    if (node === this.root) return dir > 0 ? MAX_INDEX : 0;
    return this.childEdge(this.parentOf(node), this.parentSlotOf(node), dir);
  }

  /** lib/maple_tree.c: mt_find() — first entry intersecting `[start, max]`, or undefined. */
  find(start: number, max: number): MapleEntry<T> | undefined {
    checkIndex('start', start);
    checkIndex('max', max);
    if (start > max) return undefined;
    const v = this.lookupSlot(start);
    if (v !== undefined) {
      const last = this.foundEnd;
      return { index: this.foundStart, last, value: v };
    }
    const nullEnd = this.foundEnd;
    if (nullEnd >= max) return undefined;
    const next = this.lookupSlot(nullEnd + 1);
    if (next === undefined) return undefined;
    return { index: nullEnd + 1, last: this.foundEnd, value: next };
  }
}
