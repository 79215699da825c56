/**
 * Read path of the maple tree (lib/maple_tree.c: mtree_load(), mas_walk(), mas_descend(),
 * mtree_lookup_walk(), mas_next_node(), mas_prev_node(), mt_find()).
 */
import { checkIndex, MapleTreeCorruptionError } from './errors';
import {
  MAPLE_HEIGHT_MAX,
  MAX_INDEX,
  type MapleEntry,
  MapleNodes,
  META_END,
  SLAB_MASK,
  SLAB_SHIFT,
  STRIDE,
  searchNode,
} from './node';
import type { MapleState } from './state';

/** The read path of a tree, and the left/right path records a write starts from. */
export class MapleWalk<T> extends MapleNodes {
  /** seq at which the recorded left path (lNode...) was last known to match the tree */
  protected pathSeq = -1;
  // The left and right paths of a write, recorded by walkPath() (one per tree: single-threaded,
  // writes never nest).
  protected readonly lNode = new Int32Array(MAPLE_HEIGHT_MAX + 1);
  protected readonly lSlot = new Int32Array(MAPLE_HEIGHT_MAX + 1);
  protected readonly lMin = new Float64Array(MAPLE_HEIGHT_MAX + 1);
  protected readonly lMax = new Float64Array(MAPLE_HEIGHT_MAX + 1);
  protected readonly rNode = new Int32Array(MAPLE_HEIGHT_MAX + 1);
  protected readonly rSlot = new Int32Array(MAPLE_HEIGHT_MAX + 1);
  protected readonly rMin = new Float64Array(MAPLE_HEIGHT_MAX + 1);
  protected readonly rMax = new Float64Array(MAPLE_HEIGHT_MAX + 1);
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
      const o = (node & SLAB_MASK) * STRIDE;
      const kids = kidS[node >> SLAB_SHIFT]!;
      // The first child is read before the search so that the children's cache line is on
      // its way while the pivots are searched (it is the answer whenever the search says 0).
      const first = kids[o]!;
      const k = searchNode(pivS[node >> SLAB_SHIFT]!, o, index);
      node = k === 0 ? first : kids[o + k]!;
    }
    const o = (node & SLAB_MASK) * STRIDE;
    const sl = this.slotS[node >> SLAB_SHIFT]!;
    const first = sl[o];
    const k = searchNode(pivS[node >> SLAB_SHIFT]!, o, index);
    return (k === 0 ? first : sl[o + k]) as T | undefined;
  }

  /** Value of the slot containing `index`; its last index goes to `foundEnd`. */
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
      const base = (node & SLAB_MASK) * STRIDE;
      const piv = this.pivS[node >> SLAB_SHIFT]!;
      const e = piv[base + META_END]! | 0;
      let k = 0;
      while (k < e && piv[base + k]! < index) k++;
      if (k > 0) min = piv[base + k - 1]! + 1;
      if (k < e) max = piv[base + k]!;
      if (--h === 0) {
        this.foundStart = min;
        this.foundEnd = max;
        return this.valueAt(node, k) as T | undefined;
      }
      node = this.childAt(node, k);
    }
  }

  /**
   * Walk to the slot containing `index` recording the path, so that a write starting in the
   * same leaf right after does not walk again; slot bounds go to foundStart/foundEnd.
   */
  protected walkToSlot(index: number): T | undefined {
    const leafD = this.height - 1;
    const v = this.walkPath(index, this.lNode, this.lSlot, this.lMin, this.lMax);
    this.pathSeq = this.seq;
    const node = this.lNode[leafD]!;
    const k = this.lSlot[leafD]!;
    this.foundStart = k > 0 ? this.pivotAt(node, k - 1) + 1 : this.lMin[leafD]!;
    this.foundEnd = k < this.endOf(node) ? this.pivotAt(node, k) : this.lMax[leafD]!;
    return v as T | undefined;
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
    const pivS = this.pivS;
    const kidS = this.kidS;
    const leafDepth = this.height - 1;
    let node = this.root;
    let min = 0;
    let max = MAX_INDEX;
    for (let d = 0; d < leafDepth; d++) {
      const base = (node & SLAB_MASK) * STRIDE;
      const piv = pivS[node >> SLAB_SHIFT]!;
      const kids = kidS[node >> SLAB_SHIFT]!;
      // As in load(): the first child is read early so its cache line overlaps the search.
      const first = kids[base]!;
      const k = searchNode(piv, base, index);
      N[d] = node;
      S[d] = k;
      Mn[d] = min;
      Mx[d] = max;
      if (k > 0) min = piv[base + k - 1]! + 1;
      if (k < (piv[base + META_END]! | 0)) max = piv[base + k]!;
      node = k === 0 ? first : kids[base + k]!;
    }
    const o = (node & SLAB_MASK) * STRIDE;
    const sl = this.slotS[node >> SLAB_SHIFT]!;
    const first = sl[o];
    const k = searchNode(pivS[node >> SLAB_SHIFT]!, o, index);
    N[leafDepth] = node;
    S[leafDepth] = k;
    Mn[leafDepth] = min;
    Mx[leafDepth] = max;
    return k === 0 ? first : sl[o + k];
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
      const base = (node & SLAB_MASK) * STRIDE;
      const piv = this.pivS[node >> SLAB_SHIFT]!;
      const e = piv[base + META_END]! | 0;
      let k = e;
      if (e > 0 && piv[base + e - 1]! >= index) {
        k = 0;
        while (piv[base + k]! < index) k++;
      }
      if (--h === 0) {
        this.placeOnLeaf(mas, node, k, min, max);
        return;
      }
      if (k > 0) min = piv[base + k - 1]! + 1;
      if (k < e) max = piv[base + k]!;
      node = this.childAt(node, k);
    }
  }

  /**
   * lib/maple_tree.c: mas_next_node() — move a state from its leaf to the next one (the
   * leaf's maximum is below MAX_INDEX), up the parent links to the first ancestor with a slot
   * after ours and down its leftmost path. The state sits on the new leaf's slot 0.
   * @internal
   */
  nextLeaf(mas: MapleState<T>): void {
    const up = this.climb(mas.node, 1);
    const parent = this.climbParent;
    const slot = this.climbSlot;
    let max = slot < this.endOf(parent) ? this.pivotAt(parent, slot) : this.maxOf(parent);
    let node = this.childAt(parent, slot);
    for (let d = 1; d < up; d++) {
      if (this.endOf(node) > 0) max = this.pivotAt(node, 0);
      node = this.childAt(node, 0);
    }
    this.placeOnLeaf(mas, node, 0, mas.nodeMax + 1, max);
    this.touchSibling(node, 1);
  }

  /**
   * lib/maple_tree.c: mas_prev_node() — mirror of nextLeaf(): to the previous leaf (the leaf's
   * minimum is above 0), on its last slot.
   * @internal
   */
  prevLeaf(mas: MapleState<T>): void {
    const up = this.climb(mas.node, -1);
    const parent = this.climbParent;
    const slot = this.climbSlot;
    let min = slot > 0 ? this.pivotAt(parent, slot - 1) + 1 : this.minOf(parent);
    let node = this.childAt(parent, slot);
    for (let d = 1; d < up; d++) {
      const e = this.endOf(node);
      if (e > 0) min = this.pivotAt(node, e - 1) + 1;
      node = this.childAt(node, e);
    }
    this.placeOnLeaf(mas, node, this.endOf(node), min, mas.nodeMin - 1);
    this.touchSibling(node, -1);
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
      const parent = this.parent[node]!;
      const slot = this.parentSlot[node]! + dir;
      if (slot >= 0 && slot <= this.endOf(parent)) {
        this.climbParent = parent;
        this.climbSlot = slot;
        return up;
      }
      node = parent;
    }
  }

  private placeOnLeaf(mas: MapleState<T>, node: number, offset: number, min: number, max: number): void {
    mas.node = node;
    mas.offset = offset;
    mas.nodeMin = min;
    mas.nodeMax = max;
    mas.leafPiv = this.pivS[node >> SLAB_SHIFT]!;
    mas.leafSlots = this.slotS[node >> SLAB_SHIFT]!;
    mas.base = (node & SLAB_MASK) * STRIDE;
  }

  /**
   * Read the first and last cells of the leaf after (`dir` 1) or before (-1) `node` when it
   * hangs off the same parent, so that a walk through the leaves has the next leaf's cache
   * misses under way while it works on this one (leaves sit in the pool in allocation order,
   * not in index order, so the hardware prefetcher cannot guess them).
   */
  private touchSibling(node: number, dir: 1 | -1): void {
    const up = this.parent[node]!;
    if (up < 0) return;
    const slot = this.parentSlot[node]! + dir;
    const ub = (up & SLAB_MASK) * STRIDE;
    if (slot < 0 || slot > (this.pivS[up >> SLAB_SHIFT]![ub + META_END]! | 0)) return;
    const nx = this.kidS[up >> SLAB_SHIFT]![ub + slot]!;
    const nb = (nx & SLAB_MASK) * STRIDE;
    const piv = this.pivS[nx >> SLAB_SHIFT]!;
    const sl = this.slotS[nx >> SLAB_SHIFT]!;
    this.touched += piv[nb]! + piv[nb + META_END]! + (sl[nb] === sl[nb + META_END] ? 1 : 0);
  }

  /** Last index covered by `node`: its pivot in the first ancestor where it is not the last slot. */
  private maxOf(node: number): number {
    while (node !== this.root) {
      const parent = this.parent[node]!;
      const slot = this.parentSlot[node]!;
      if (slot < this.endOf(parent)) return this.pivotAt(parent, slot);
      node = parent;
    }
    return MAX_INDEX;
  }

  /** First index covered by `node`, found the same way. */
  private minOf(node: number): number {
    while (node !== this.root) {
      const parent = this.parent[node]!;
      const slot = this.parentSlot[node]!;
      if (slot > 0) return this.pivotAt(parent, slot - 1) + 1;
      node = parent;
    }
    return 0;
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
