/**
 * Gap tracking and gap search of allocation trees (lib/maple_tree.c: mas_empty_area(),
 * mas_empty_area_rev(), mas_awalk(), mas_rev_awalk(), mas_leaf_max_gap(), mas_update_gap(),
 * mas_parent_gap(), ma_max_gap()).
 */
import { checkIndex, MapleTreeError } from './errors';
import { MAX_INDEX } from './node';
import { MapleWalk } from './walk';

/** Gap upkeep after writes and the gap searches of allocation trees. */
export class MapleGaps<T> extends MapleWalk<T> {
  /**
   * lib/maple_tree.c: mas_empty_area() / mas_empty_area_rev() — validation and the search;
   * returns the window start or -1 (kernel -EBUSY).
   * @internal
   */
  emptyAreaSearch(min: number, max: number, size: number, rev: boolean): number {
    checkIndex('min', min);
    checkIndex('max', max);
    if (min > max) throw new MapleTreeError('EINVAL', `min ${min} > max ${max}`);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new MapleTreeError('EINVAL', `size must be a positive integer, got ${String(size)}`);
    }
    if (size === 0) throw new MapleTreeError('EINVAL', 'size is 0');
    if (max - min < size - 1) {
      throw new MapleTreeError('EINVAL', `window [${min}, ${max}] is smaller than size ${size}`);
    }
    if (!this.allocRangeEnabled) {
      throw new MapleTreeError('EINVAL', 'gap search needs a tree made with { allocRange: true }');
    }
    if (this.root < 0) return rev ? max - size + 1 : min;
    return rev
      ? this.gapRev(this.root, 0, 0, MAX_INDEX, min, max, size)
      : this.gapFwd(this.root, 0, 0, MAX_INDEX, min, max, size);
  }

  /** lib/maple_tree.c: mas_awalk() — descend only into children whose gap can hold `size`. */
  private gapFwd(
    node: number,
    depth: number,
    nMin: number,
    nMax: number,
    min: number,
    max: number,
    size: number,
  ): number {
    const piv = this.pivS[node >> 9]!;
    const base = (node & 511) << 4;
    const e = piv[base + 15]! & 15;
    let s = nMin;
    if (depth === this.height - 1) {
      const sl = this.slotS[node >> 9]!;
      for (let k = 0; k <= e; k++) {
        const ke = k < e ? piv[base + k]! : nMax;
        if (ke >= min && sl[base + k] === undefined) {
          const lo = Math.max(s, min);
          const hi = Math.min(ke, max);
          if (hi - lo + 1 >= size) return lo;
        }
        if (ke >= max) return -1;
        s = ke + 1;
      }
      return -1;
    }
    const gaps = this.gapS[node >> 9]!;
    const gbase = (node & 511) << 4;
    const kids = this.kidS[node >> 9]!;
    for (let k = 0; k <= e; k++) {
      const ke = k < e ? piv[base + k]! : nMax;
      if (ke >= min && gaps[gbase + k]! >= size) {
        const r = this.gapFwd(kids[base + k]!, depth + 1, s, ke, min, max, size);
        if (r >= 0) return r;
      }
      if (ke >= max) return -1;
      s = ke + 1;
    }
    return -1;
  }

  /** lib/maple_tree.c: mas_rev_awalk() — mirror of gapFwd, highest window first. */
  private gapRev(
    node: number,
    depth: number,
    nMin: number,
    nMax: number,
    min: number,
    max: number,
    size: number,
  ): number {
    const piv = this.pivS[node >> 9]!;
    const base = (node & 511) << 4;
    const e = piv[base + 15]! & 15;
    if (depth === this.height - 1) {
      const sl = this.slotS[node >> 9]!;
      for (let k = e; k >= 0; k--) {
        const ks = k > 0 ? piv[base + k - 1]! + 1 : nMin;
        const ke = k < e ? piv[base + k]! : nMax;
        if (ks <= max && sl[base + k] === undefined) {
          const lo = Math.max(ks, min);
          const hi = Math.min(ke, max);
          if (hi - lo + 1 >= size) return hi - size + 1;
        }
        if (ks <= min) return -1;
      }
      return -1;
    }
    const gaps = this.gapS[node >> 9]!;
    const gbase = (node & 511) << 4;
    const kids = this.kidS[node >> 9]!;
    for (let k = e; k >= 0; k--) {
      const ks = k > 0 ? piv[base + k - 1]! + 1 : nMin;
      const ke = k < e ? piv[base + k]! : nMax;
      if (ks <= max && gaps[gbase + k]! >= size) {
        const r = this.gapRev(kids[base + k]!, depth + 1, ks, ke, min, max, size);
        if (r >= 0) return r;
      }
      if (ks <= min) return -1;
    }
    return -1;
  }

  /** Largest NULL slot of a leaf (lib/maple_tree.c: mas_leaf_max_gap()). */
  private leafMaxGap(node: number, nodeMin: number, nodeMax: number): number {
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const e = piv[base + 15]! & 15;
    const sl = this.slotS[node >> 9]!;
    let best = 0;
    let s = nodeMin;
    for (let k = 0; k <= e; k++) {
      const ke = k < e ? piv[base + k]! : nodeMax;
      if (sl[base + k] === undefined && ke - s + 1 > best) best = ke - s + 1;
      s = ke + 1;
    }
    return best;
  }

  /** lib/maple_tree.c: mas_update_gap() for the leaf on the left path. */
  protected propagateGap(leafD: number): void {
    const leaf = this.lNode[leafD]!;
    this.propagateGapFrom(leafD, this.leafMaxGap(leaf, this.lMin[leafD]!, this.lMax[leafD]!));
  }

  /** lib/maple_tree.c: mas_parent_gap() — push a child's new max gap up while maxima change. */
  protected propagateGapFrom(d: number, g: number): void {
    for (let p = d - 1; p >= 0; p--) {
      const node = this.lNode[p]!;
      const gaps = this.gapS[node >> 9]!;
      const gb = (node & 511) << 4;
      const slot = this.lSlot[p]!;
      if (gaps[gb + slot] === g) return;
      const oldMax = gaps[gb + this.gapOffsetOf(node)]!;
      gaps[gb + slot] = g;
      const e = this.endOf(node);
      let best = -1;
      let off = 0;
      for (let i = e; i >= 0; i--) {
        if (gaps[gb + i]! > best) {
          best = gaps[gb + i]!;
          off = i;
        }
      }
      this.setGapOffset(node, off);
      if (best === oldMax) return;
      g = best;
    }
  }
}
