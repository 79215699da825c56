/**
 * Write entry points of the maple tree (lib/maple_tree.c: mas_wr_store_entry(),
 * mas_wr_store_type(), mas_wr_extend_null(), mas_wr_slot_store(), mas_wr_append(),
 * mas_wr_node_store(), mas_wr_spanning_store(), mas_erase()): the in-place fast paths, and the
 * hand-over to MapleRebuild for everything that changes the node structure.
 */
import { MAPLE_RANGE64_SLOTS, MAX_INDEX, RANGE64_MIN_SLOTS, searchNode, setEndAt } from './node';
import { MapleRebuild } from './rebuild';
import { PATHS } from './walk';

/** Where every write starts: the walk, NULL extension, in-place stores, else a rebuild. */
export class MapleStore<T> extends MapleRebuild<T> {
  /**
   * lib/maple_tree.c: mas_wr_store_entry() — write `value` over `[first, last]`.
   * NULL writes first grow over adjacent NULL slots (mas_wr_extend_null()).
   * @internal
   */
  write(first: number, last: number, value: T | undefined): void {
    const pathValid = this.pathSeq === this.seq && PATHS.owner === this.pathOwner;
    this.seq++;
    if (this.root < 0) {
      if (value !== undefined) this.storeIntoEmpty(first, last, value);
      return;
    }
    const leafD = this.height - 1;
    const LN = this.lNode;
    const LS = this.lSlot;
    const RN = this.rNode;
    const RS = this.rSlot;
    // Value of the slot containing `first`.
    let cur: unknown;
    if (pathValid && first >= this.lMin[leafD]! && first <= this.lMax[leafD]!) {
      // The last write changed only the leaf it landed in, and this one starts in the same
      // leaf: the recorded path still holds, only the slot needs finding.
      const node = LN[leafD]!;
      const base = (node & 511) << 4;
      const pv = this.pivS[node >> 9]!;
      const e = pv[base + 15]! & 15;
      const sl = this.slotS[node >> 9]!;
      let k = e;
      if (e > 0 && pv[base + e - 1]! >= first) {
        k = 0;
        while (pv[base + k]! < first) k++;
      } else if (
        value !== undefined &&
        last < MAX_INDEX &&
        this.lMax[leafD] === MAX_INDEX &&
        sl[base + e] === undefined &&
        (e > 0 ? pv[base + e - 1]! + 1 : this.lMin[leafD]!) === first &&
        !this.allocRangeEnabled
      ) {
        // mas_wr_append(): the store starts the trailing NULL of the rightmost leaf. With
        // room, the NULL moves one slot on, after the value (its cells past the end already
        // hold undefined; a leaf that is not full stores its last pivot).
        if (e < 15) {
          sl[base + e] = value;
          pv[base + e] = last;
          if (e + 1 < 15) pv[base + e + 1] = MAX_INDEX;
          pv[base + 15] = pv[base + 15]! + 1;
          this.pathSeq = this.seq;
          return;
        }
        // A full leaf whose parent has room: mas_split() as splitAppend() does it.
        if (leafD > 0 && (this.pivS[LN[leafD - 1]! >> 9]![((LN[leafD - 1]! & 511) << 4) + 15]! & 15) < 15) {
          this.splitAppend(leafD, first, last, value);
          return;
        }
        // A full parent: the split goes up the right edge in place (splitAppendUp()).
        if (this.splitAppendUp(leafD, first, last, value)) return;
      }
      LS[leafD] = k;
      cur = sl[base + k];
    } else {
      // walkPath() written out, with the slot store (lib/maple_tree.c: mas_wr_slot_store())
      // decided at the leaf before anything else: a value that fills exactly the slot it
      // lands in changes only that slot. Exact overwrites measured 5-11 % faster than with
      // the call and the general checks after it, random stores no slower.
      PATHS.owner = this.pathOwner;
      const Mn = this.lMin;
      const Mx = this.lMax;
      const pivS = this.pivS;
      const kidS = this.kidS;
      let node = this.root;
      let min = 0;
      let max = MAX_INDEX;
      for (let d = 0; d < leafD; d++) {
        const b = (node & 511) << 4;
        const piv = pivS[node >> 9]!;
        const kids = kidS[node >> 9]!;
        const firstKid = kids[b]!;
        const e = piv[b + 15]! & 15;
        const k = searchNode(piv, b, first);
        LN[d] = node;
        LS[d] = k;
        Mn[d] = min;
        Mx[d] = max;
        if (k > 0) min = piv[b + k - 1]! + 1;
        if (k < e) max = piv[b + k]!;
        node = k === 0 ? firstKid : kids[b + k]!;
      }
      const b = (node & 511) << 4;
      const piv = pivS[node >> 9]!;
      const sl = this.slotS[node >> 9]!;
      // As in walkPath(): the first value is read before the search, so that the values'
      // cache line is on its way while the pivots are searched.
      const firstVal = sl[b];
      const k = searchNode(piv, b, first);
      LN[leafD] = node;
      LS[leafD] = k;
      Mn[leafD] = min;
      Mx[leafD] = max;
      cur = k === 0 ? firstVal : sl[b + k];
      if (
        value !== undefined &&
        (k > 0 ? piv[b + k - 1]! + 1 : min) === first &&
        (k < (piv[b + 15]! & 15) ? piv[b + k]! : max) === last
      ) {
        sl[b + k] = value;
        if (this.allocRangeEnabled && cur === undefined) this.propagateGap(leafD);
        this.pathSeq = this.seq;
        return;
      }
    }
    const lnode = LN[leafD]!;
    const lbase = (lnode & 511) << 4;
    const piv = this.pivS[lnode >> 9]!;
    const lsl = this.slotS[lnode >> 9]!;
    const lso = lbase;
    let ls = LS[leafD]!;
    let a = first;
    let b = last;
    const leafMax = this.lMax[leafD]!;
    const e = piv[lbase + 15]! & 15;
    if (value !== undefined) {
      // A value stored inside one slot (mas_wr_slot_store() when it fills the slot,
      // mas_wr_append() / mas_wr_node_store() when it cuts it): no NULL to merge, the leaf
      // only grows, so it is rewritten in place whenever the pieces fit.
      const ss = ls > 0 ? piv[lbase + ls - 1]! + 1 : this.lMin[leafD]!;
      const se = ls < e ? piv[lbase + ls]! : leafMax;
      if (last <= se) {
        const pieces = (ss < first ? 1 : 0) + 1 + (last < se ? 1 : 0);
        if (pieces === 1) {
          lsl[lso + ls] = value;
          if (this.allocRangeEnabled && cur === undefined) this.propagateGap(leafD);
          this.pathSeq = this.seq;
          return;
        }
        if (e + pieces - 1 < MAPLE_RANGE64_SLOTS) {
          this.insertInLeaf(lnode, ls, e, ss, se, first, last, value, leafMax);
          if (this.allocRangeEnabled) this.propagateGap(leafD);
          this.pathSeq = this.seq;
          return;
        }
        if (leafD > 0 && !this.allocRangeEnabled && this.endOf(LN[leafD - 1]!) < MAPLE_RANGE64_SLOTS - 1) {
          // mas_split() with room in the parent: an append starting the trailing NULL of the
          // last leaf moves only that NULL, any other store splits the leaf from its slots.
          if (leafMax === MAX_INDEX && ls === e && ss === first && cur === undefined && last < MAX_INDEX) {
            this.splitAppend(leafD, first, last, value);
            return;
          }
          if (!this.pushLeaves) {
            this.splitLeaf(leafD, ls, e, ss, se, first, last, value);
            return;
          }
        } else if (
          leafMax === MAX_INDEX &&
          ls === e &&
          ss === first &&
          cur === undefined &&
          last < MAX_INDEX &&
          this.splitAppendUp(leafD, first, last, value)
        ) {
          return;
        } else if (
          leafD > 0 &&
          !this.allocRangeEnabled &&
          !this.pushLeaves &&
          (ls < e || leafMax !== MAX_INDEX)
        ) {
          // A full parent: the leaf splits from its slots all the same, the parent level on
          // takes the general rebuild (see splitLeaf()). Stores into the trailing NULL of the
          // last leaf (appends) keep the general path.
          this.splitLeaf(leafD, ls, e, ss, se, first, last, value);
          return;
        }
      }
    } else {
      const ss = ls > 0 ? piv[lbase + ls - 1]! + 1 : this.lMin[leafD]!;
      if (cur === undefined) a = ss;
      else if (ss === first && ls > 0 && lsl[lso + ls - 1] === undefined) {
        ls--;
        a = ls > 0 ? piv[lbase + ls - 1]! + 1 : this.lMin[leafD]!;
      }
      LS[leafD] = ls;
      if (last < leafMax) {
        let k = ls;
        while (k < e && piv[lbase + k]! < last) k++;
        const ke = k < e ? piv[lbase + k]! : leafMax;
        if (lsl[lso + k] === undefined) b = ke;
        else if (ke === last && lsl[lso + k + 1] === undefined) b = k + 1 < e ? piv[lbase + k + 1]! : leafMax;
      } else if (last < MAX_INDEX && this.lookupSlot(last + 1) === undefined) {
        b = this.foundEnd;
      }
    }
    if (b <= leafMax) {
      let k = ls;
      while (k < e && piv[lbase + k]! < b) k++;
      if (k === ls) {
        const ss = ls > 0 ? piv[lbase + ls - 1]! + 1 : this.lMin[leafD]!;
        const se = ls < e ? piv[lbase + ls]! : leafMax;
        if (ss === a && se === b) {
          // Exact fit (mas_wr_slot_store() of one slot): replace in place.
          const old = lsl[lso + ls];
          if (value !== undefined) {
            lsl[lso + ls] = value;
            if (this.allocRangeEnabled && old === undefined) this.propagateGap(leafD);
            this.pathSeq = this.seq;
            return;
          }
          if (old === undefined) {
            this.pathSeq = this.seq;
            return;
          }
          if ((ls < e || leafMax === MAX_INDEX) && !(leafD === 0 && e === 0)) {
            lsl[lso + ls] = undefined;
            if (this.allocRangeEnabled) this.propagateGap(leafD);
            this.pathSeq = this.seq;
            return;
          }
        }
      }
      // Everything inside this leaf (mas_wr_append(), mas_wr_slot_store(), mas_wr_node_store()):
      // rewrite slots ls..k in place when the leaf keeps between its minimum and 16 slots and
      // does not end in NULL unless it is the rightmost leaf.
      const ss = ls > 0 ? piv[lbase + ls - 1]! + 1 : this.lMin[leafD]!;
      const se = k < e ? piv[lbase + k]! : leafMax;
      const pieces = (ss < a ? 1 : 0) + 1 + (b < se ? 1 : 0);
      const newEnd = e - (k - ls) + pieces - 1;
      if (
        newEnd < MAPLE_RANGE64_SLOTS &&
        (newEnd >= RANGE64_MIN_SLOTS - 1 || leafD === 0 || leafMax === MAX_INDEX) &&
        (value !== undefined || ((b < leafMax || leafMax === MAX_INDEX) && newEnd > 0))
      ) {
        this.rewriteLeafInPlace(lnode, ls, k, e, newEnd, ss, se, a, b, value, leafMax);
        if (this.allocRangeEnabled) this.propagateGap(leafD);
        this.pathSeq = this.seq;
        return;
      }
      for (let d = 0; d <= leafD; d++) {
        RN[d] = LN[d]!;
        RS[d] = LS[d]!;
        this.rMin[d] = this.lMin[d]!;
        this.rMax[d] = this.lMax[d]!;
      }
      RS[leafD] = k;
    } else {
      if (value === undefined && last === leafMax && this.eraseIntoNextLeaf(leafD, ls, a)) return;
      this.walkPath(b, RN, RS, this.rMin, this.rMax);
    }

    // Leaf buffer: left part of the first leaf, the new entry, right part of the last leaf.
    const bp = this.bufPiv;
    const bs = this.bufSlot;
    let n = 0;
    {
      const e = piv[lbase + 15]! & 15;
      const nodeMax = this.lMax[leafD]!;
      let s = this.lMin[leafD]!;
      for (let k = 0; k <= e; k++) {
        const ke = k < e ? piv[lbase + k]! : nodeMax;
        if (ke < a) {
          bp[n] = ke;
          bs[n++] = lsl[lso + k];
        } else {
          if (s < a) {
            bp[n] = a - 1;
            bs[n++] = lsl[lso + k];
          }
          break;
        }
        s = ke + 1;
      }
    }
    const newPos = n;
    bp[n] = b;
    bs[n++] = value;
    {
      const rnode = RN[leafD]!;
      const rbase = (rnode & 511) << 4;
      const rpiv = this.pivS[rnode >> 9]!;
      const rsl = this.slotS[rnode >> 9]!;
      const rso = rbase;
      const e = rpiv[rbase + 15]! & 15;
      const nodeMax = this.rMax[leafD]!;
      for (let k = RS[leafD]!; k <= e; k++) {
        const ke = k < e ? rpiv[rbase + k]! : nodeMax;
        if (ke > b) {
          bp[n] = ke;
          bs[n++] = rsl[rso + k];
        }
      }
    }
    this.bufLen = n;
    this.bufHigh = n;
    this.rebuild(leafD, newPos);
  }

  /**
   * @internal mtree_erase() after the argument checks: walk to the entry containing `index`
   * and store NULL over all of it; returns the old value.
   */
  eraseEntry(index: number): T | undefined {
    if (this.root < 0) return undefined;
    // The walk of walkToSlot() without the slot bounds, which only the general write needs
    // (the erase in place finds them itself): a smaller walk for the compiler to inline whole.
    const v = this.walkPath(index, this.lNode, this.lSlot, this.lMin, this.lMax) as T | undefined;
    this.pathSeq = this.seq;
    if (v !== undefined && !this.eraseInLeaf()) {
      this.recordedSlotBounds();
      this.write(this.foundStart, this.foundEnd, undefined);
    }
    return v;
  }

  /**
   * The erase just walked (walkToSlot()) done in place when it stays inside the leaf
   * (lib/maple_tree.c: mas_wr_node_store() of a NULL): the entry's slot becomes NULL, merged
   * with a NULL slot on either side, and the slots after it shift down. Declined, for the
   * general write, when the leaf would fall below its minimum occupancy (rebalance) or the
   * entry is the last slot of a leaf other than the rightmost (its NULL merges with the next
   * leaf's data).
   */
  private eraseInLeaf(): boolean {
    const leafD = this.height - 1;
    const node = this.lNode[leafD]!;
    const ls = this.lSlot[leafD]!;
    const leafMax = this.lMax[leafD]!;
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const e = piv[base + 15]! & 15;
    if (ls === e && leafMax !== MAX_INDEX) return this.eraseLastEntry(leafD, ls);
    const lo = ls > 0 && sl[base + ls - 1] === undefined ? ls - 1 : ls;
    const hi = ls < e && sl[base + ls + 1] === undefined ? ls + 1 : ls;
    const shift = hi - lo;
    const newEnd = e - shift;
    if (newEnd === 0) return false;
    const short = newEnd < RANGE64_MIN_SLOTS - 1 && leafD > 0 && leafMax !== MAX_INDEX;
    // A leaf that falls below its minimum rebalances with its right sibling in place, or its
    // left one when it is its parent's last child (see siblingFits()); otherwise the general
    // write rebalances.
    let sibling = short ? this.siblingFits(leafD, newEnd) : -1;
    if (short && sibling < 0) {
      sibling = this.mergeSibling(leafD, newEnd);
      if (sibling < 0) return false;
    }
    this.seq++;
    sl[base + lo] = undefined;
    if (lo < 15) piv[base + lo] = hi < e ? piv[base + hi]! : leafMax;
    if (shift > 0) {
      // The last slot's pivot is the leaf's maximum: moved after the loop, which then copies
      // cells only. The clearing may overwrite the metadata cell of a full leaf: rewritten last.
      const meta = piv[base + 15]!;
      if (hi < e) {
        for (let i = hi + 1; i < e; i++) {
          sl[base + i - shift] = sl[base + i];
          piv[base + i - shift] = piv[base + i]!;
        }
        sl[base + e - shift] = sl[base + e];
        piv[base + e - shift] = leafMax;
      }
      for (let i = newEnd + 1; i <= e; i++) {
        sl[base + i] = undefined;
        piv[base + i] = MAX_INDEX;
      }
      piv[base + 15] = meta - (meta & 15) + newEnd;
    }
    if (short) {
      if (this.rebalanceTake < 0) this.mergeRightThenRebuild(leafD, node, newEnd, sibling);
      else if (this.rebalanceLeft) this.rebalanceWithLeft(leafD, node, newEnd, sibling);
      else this.rebalanceRight(leafD, node, newEnd, sibling);
      return true;
    }
    if (this.allocRangeEnabled) this.propagateGap(leafD);
    this.pathSeq = this.seq;
    return true;
  }

  /** Set by siblingFits(): the sibling is the left one, and how many of its slots move. */
  private rebalanceLeft = false;
  private rebalanceTake = 0;

  /**
   * The sibling (same parent) of the leaf on the recorded path with which a leaf left with
   * `newEnd` rebalances in place, in a tree without gap data: the right one, or the left one
   * when the leaf is its parent's last child. The two merge when they fit in one leaf and
   * the parent keeps its own minimum without the child; else the leaf takes slots from the
   * sibling until both hold about half (lib/maple_tree.c: mas_rebalance(), mab_calc_split()),
   * when both then keep their minimum and the one that gives does not end on NULL. Returns
   * -1 when neither works; rebalanceLeft and rebalanceTake say how.
   */
  private siblingFits(leafD: number, newEnd: number): number {
    if (this.allocRangeEnabled) return -1;
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    const pe = this.endOf(parent);
    const left = ps === pe;
    if (left && ps === 0) return -1;
    const sib = this.childAt(parent, left ? ps - 1 : ps + 1);
    const sb = (sib & 511) << 4;
    const se = this.pivS[sib >> 9]![sb + 15]! & 15;
    const total = newEnd + 1 + se + 1;
    this.rebalanceLeft = left;
    if (total <= MAPLE_RANGE64_SLOTS) {
      // A merge: the parent loses a child.
      const parentEnd = pe - 1;
      const parentShort =
        p === 0 ? parentEnd < 1 : parentEnd + 1 < this.internalMin && this.lMax[p] !== MAX_INDEX;
      if (!parentShort) {
        this.rebalanceTake = se + 1;
        return sib;
      }
    }
    const ssl = this.slotS[sib >> 9]!;
    let take = (total >> 1) - (newEnd + 1);
    // The slot that becomes the giver's last (left sibling) or the leaf's last (right one);
    // none when nothing would move (take 0 is no rebalance: the general write merges).
    if (take >= 1 && take <= se && ssl[sb + (left ? se - take : take - 1)] === undefined) take++;
    const sibRightmost = !left && ps + 1 === pe && this.lMax[p] === MAX_INDEX;
    if (take < 1 || take > se || newEnd + 1 + take < RANGE64_MIN_SLOTS) return -1;
    if (se + 1 - take < RANGE64_MIN_SLOTS && !sibRightmost) return -1;
    this.rebalanceTake = take;
    return sib;
  }

  /**
   * When siblingFits() found no in-place rebalance: the right sibling (same parent) with which
   * the general write would merge the leaf, its parent then left short. The write's rebuild()
   * pulls the next leaf into a buffer below the minimum and makes one leaf of the two when
   * they fit; that leaf level is done in place (mergeRightThenRebuild()), and only the parent
   * level on takes the rebuild. -1 (the general write) when the leaf is its parent's last
   * child (the next leaf is a cousin), when the two do not fit in one leaf, or when the
   * merged leaf would still be short and not the last one (the rebuild would pull again).
   * Sets rebalanceTake to -1 for eraseInLeaf().
   */
  private mergeSibling(leafD: number, newEnd: number): number {
    if (this.allocRangeEnabled) return -1;
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    const pe = this.endOf(parent);
    if (ps >= pe) return -1;
    const sib = this.childAt(parent, ps + 1);
    const total = newEnd + 1 + this.endOf(sib) + 1;
    const sibMax = ps + 1 < pe ? this.pivotAt(parent, ps + 1) : this.lMax[p]!;
    if (total > MAPLE_RANGE64_SLOTS || (total < RANGE64_MIN_SLOTS && sibMax !== MAX_INDEX)) return -1;
    this.rebalanceTake = -1;
    return sib;
  }

  /**
   * The leaf on the recorded path (end `end`) takes all the slots of its right sibling `sib`,
   * which is freed, and rebuild() goes on from the parent level, where the two children
   * become one (see mergeSibling()).
   */
  private mergeRightThenRebuild(leafD: number, node: number, end: number, sib: number): void {
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    const pe = this.endOf(parent);
    const sibMax = ps + 1 < pe ? this.pivotAt(parent, ps + 1) : this.lMax[p]!;
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const sbase = (sib & 511) << 4;
    const spiv = this.pivS[sib >> 9]!;
    const ssl = this.slotS[sib >> 9]!;
    const se = spiv[sbase + 15]! & 15;
    for (let k = 0; k <= se; k++) {
      const to = end + 1 + k;
      sl[base + to] = ssl[sbase + k];
      if (to < 15) piv[base + to] = k < se ? spiv[sbase + k]! : sibMax;
    }
    setEndAt(piv, base + 15, end + 1 + se);
    this.afterRightMerge(leafD, ps, sib, sibMax);
  }

  /**
   * The leaf on the recorded path has taken all of its right sibling `sib` (up to `sibMax`),
   * which leaves the parent short: the sibling is freed, and the parent rebalances in place
   * (mergeParent()) or rebuild() goes on from the parent level.
   */
  private afterRightMerge(leafD: number, ps: number, sib: number, sibMax: number): void {
    this.freeNode(sib);
    if (!this.mergeParent(leafD, ps, sibMax)) this.rebuildParents(leafD, ps + 1, 1, sibMax);
  }

  /**
   * mas_rebalance() of the leaf on the recorded path, its parent's last child, with its left
   * sibling, in place: the sibling absorbs the leaf (which leaves the parent), or gives the
   * leaf its last rebalanceTake slots, and the pivot between them moves.
   */
  private rebalanceWithLeft(leafD: number, node: number, end: number, sib: number): void {
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    const pbase = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    const pkids = this.kidS[parent >> 9]!;
    const leafMax = this.lMax[leafD]!;
    const sibMax = this.lMin[leafD]! - 1;
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const sbase = (sib & 511) << 4;
    const spiv = this.pivS[sib >> 9]!;
    const ssl = this.slotS[sib >> 9]!;
    const se = spiv[sbase + 15]! & 15;
    const take = this.rebalanceTake;
    if (take === se + 1) {
      // Merged: the leaf's slots follow the sibling's (whose last pivot, its maximum, is
      // stored: it had room), and the leaf leaves the parent as its last child.
      for (let k = 0; k <= end; k++) {
        const to = se + 1 + k;
        ssl[sbase + to] = sl[base + k];
        if (to < 15) spiv[sbase + to] = k < end ? piv[base + k]! : leafMax;
      }
      setEndAt(spiv, sbase + 15, se + 1 + end);
      if (ps - 1 < 15) ppiv[pbase + ps - 1] = leafMax;
      pkids[pbase + ps] = 0;
      if (ps < 15) ppiv[pbase + ps] = MAX_INDEX;
      setEndAt(ppiv, pbase + 15, ps - 1);
      this.freeNode(node);
      return;
    }
    // Redistributed: the leaf's slots move up, the sibling's last ones fill its front.
    for (let i = end; i >= 0; i--) {
      sl[base + i + take] = sl[base + i];
      if (i + take < 15) piv[base + i + take] = i < end ? piv[base + i]! : leafMax;
    }
    const from = se + 1 - take;
    for (let k = 0; k < take; k++) {
      sl[base + k] = ssl[sbase + from + k];
      piv[base + k] = from + k < se ? spiv[sbase + from + k]! : sibMax;
    }
    setEndAt(piv, base + 15, end + take);
    for (let k = from; k <= se; k++) {
      ssl[sbase + k] = undefined;
      if (k < 15) spiv[sbase + k] = MAX_INDEX;
    }
    // The sibling's new last slot's pivot (cell from - 1) is its new maximum.
    setEndAt(spiv, sbase + 15, from - 1);
    ppiv[pbase + ps - 1] = spiv[sbase + from - 1]!;
  }

  /**
   * lib/maple_tree.c: mas_rebalance() of a leaf and its right sibling, done in place. When the
   * two fit in one node the sibling's slots are appended to the leaf and the sibling leaves the
   * parent (its later children shift down); else the leaf takes the sibling's first slots
   * until both hold about half, never ending on NULL, and only the pivot between them moves.
   */
  private rebalanceRight(leafD: number, node: number, end: number, sib: number): void {
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    const pbase = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    const pkids = this.kidS[parent >> 9]!;
    const pe = ppiv[pbase + 15]! & 15;
    const parentMax = this.lMax[p]!;
    const sibMax = ps + 1 < pe ? ppiv[pbase + ps + 1]! : parentMax;
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const sbase = (sib & 511) << 4;
    const spiv = this.pivS[sib >> 9]!;
    const ssl = this.slotS[sib >> 9]!;
    const se = spiv[sbase + 15]! & 15;
    // Slots of the sibling that move into the leaf (all of them: a merge).
    const take = this.rebalanceTake;
    // The leaf ends at slot end + take <= 15: the slots before its last have stored pivots,
    // which are the sibling's own (only the sibling's last slot has its maximum for pivot).
    for (let k = 0; k < take - 1; k++) {
      sl[base + end + 1 + k] = ssl[sbase + k];
      piv[base + end + 1 + k] = spiv[sbase + k]!;
    }
    const last = end + take;
    sl[base + last] = ssl[sbase + take - 1];
    if (last < 15) piv[base + last] = take - 1 < se ? spiv[sbase + take - 1]! : sibMax;
    setEndAt(piv, base + 15, last);
    if (take === se + 1) {
      this.dropRightSibling(ppiv, pkids, pbase, ps, pe, parentMax, sib, sibMax);
      return;
    }
    // Redistributed: the sibling's remaining slots move to its front.
    const newMax = spiv[sbase + take - 1]!;
    this.shiftLeafFront(spiv, ssl, sbase, se, take, sibMax);
    ppiv[pbase + ps] = newMax;
  }

  /**
   * A merge took all the slots of child `ps + 1` of the parent (cells at `pbase`, end `pe`,
   * maximum `parentMax`) into child `ps`: the sibling `sib` (up to `sibMax`) leaves the parent,
   * whose later children shift down one slot, and goes back to the pool.
   */
  private dropRightSibling(
    ppiv: number[],
    pkids: Int32Array,
    pbase: number,
    ps: number,
    pe: number,
    parentMax: number,
    sib: number,
    sibMax: number,
  ): void {
    if (ps + 1 < pe) {
      // The last child's pivot is the parent's maximum: moved after the loop, which then
      // copies cells only.
      for (let i = ps + 1; i < pe - 1; i++) {
        const child = pkids[pbase + i + 1]!;
        pkids[pbase + i] = child;
        this.setParentSlot(child, i);
        ppiv[pbase + i] = ppiv[pbase + i + 1]!;
      }
      this.moveChild(ppiv, pkids, pbase, pe, pe - 1, pe, parentMax);
    }
    ppiv[pbase + ps] = sibMax;
    pkids[pbase + pe] = 0;
    if (pe < 15) ppiv[pbase + pe] = MAX_INDEX;
    setEndAt(ppiv, pbase + 15, pe - 1);
    this.freeNode(sib);
  }

  /**
   * Leaf slots `g..se` (its end `se`, its maximum `sibMax`) move to the front of the leaf at
   * `sbase`, after its first `g` slots went to its left neighbour; the cells they leave hold
   * MAX_INDEX and undefined.
   */
  private shiftLeafFront(
    spiv: number[],
    ssl: unknown[],
    sbase: number,
    se: number,
    g: number,
    sibMax: number,
  ): void {
    const meta = spiv[sbase + 15]!;
    for (let k = g; k < se; k++) {
      ssl[sbase + k - g] = ssl[sbase + k];
      spiv[sbase + k - g] = spiv[sbase + k]!;
    }
    ssl[sbase + se - g] = ssl[sbase + se];
    spiv[sbase + se - g] = sibMax;
    // The clearing may overwrite the metadata cell of a full leaf: rewritten last.
    for (let k = se - g + 1; k <= se; k++) {
      ssl[sbase + k] = undefined;
      spiv[sbase + k] = MAX_INDEX;
    }
    spiv[sbase + 15] = meta - (meta & 15) + se - g;
  }

  /**
   * The erase of the last entry of a leaf other than the last one, in place: the entry's NULL,
   * merged with a NULL before it, may not end the leaf (the kernel takes the erase as a
   * spanning store). When the leaf keeps its minimum occupancy, the leaf gives that NULL to
   * the next leaf: it joins the next leaf's first slot when that is NULL (see
   * eraseIntoNextLeaf()), or becomes its new first slot when the next leaf has room; the
   * pivot separating the two leaves moves down to the NULL's start. A leaf that falls below
   * its minimum rebalances with its right sibling (eraseLastWithSibling()), or, when it ends
   * its parent, gives its NULL as above and rebalances with its left sibling
   * (rebalanceWithLeft()), as the general write's rebalance would. Not for allocation trees,
   * whose gaps change on both paths.
   */
  private eraseLastEntry(leafD: number, ls: number): boolean {
    if (this.allocRangeEnabled || leafD === 0) return false;
    const node = this.lNode[leafD]!;
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const lo = ls > 0 && sl[base + ls - 1] === undefined ? ls - 1 : ls;
    const short = lo - 1 < RANGE64_MIN_SLOTS - 1;
    if (short && this.eraseLastWithSibling(leafD, lo)) return true;
    const d = this.partingLevel(leafD);
    if (d < 0) return false;
    // The next leaf: down the leftmost path of the next child at the parting level.
    let next = this.childAt(this.lNode[d]!, this.lSlot[d]! + 1);
    for (let q = d + 1; q < leafD; q++) next = this.childAt(next, 0);
    const nb = (next & 511) << 4;
    const npiv = this.pivS[next >> 9]!;
    const nsl = this.slotS[next >> 9]!;
    const a = piv[base + lo - 1]! + 1;
    // A leaf left short that is its parent's last child (the next leaf is a cousin): it gives
    // its NULL to the next leaf as below, then rebalances with its left sibling in place, as
    // a short leaf that ends its parent does (rebalanceWithLeft()). Without a left sibling
    // that can, the general write.
    const sib = short ? this.leftSiblingFits(leafD, lo - 1) : -1;
    if (short && sib < 0) return false;
    if (nsl[nb] !== undefined) {
      const ne = npiv[nb + 15]! & 15;
      if (ne === MAPLE_RANGE64_SLOTS - 1) return false;
      // Its slots move up one; a full leaf does not store its last pivot (cell 15 is the word,
      // read first and rewritten last, so that the loop copies cells without a test).
      const meta = npiv[nb + 15]!;
      for (let i = ne; i >= 0; i--) {
        nsl[nb + i + 1] = nsl[nb + i];
        npiv[nb + i + 1] = npiv[nb + i]!;
      }
      nsl[nb] = undefined;
      npiv[nb] = this.lMax[leafD]!;
      npiv[nb + 15] = meta - (meta & 15) + ne + 1;
    }
    this.seq++;
    this.dropLeafTail(leafD, d, lo, a);
    if (short) this.rebalanceWithLeft(leafD, node, lo - 1, sib);
    return true;
  }

  /**
   * siblingFits() for a leaf that is its parent's last child with a left sibling (the sibling
   * it returns is that one, rebalanceTake set), -1 otherwise.
   */
  private leftSiblingFits(leafD: number, newEnd: number): number {
    const p = leafD - 1;
    const ps = this.lSlot[p]!;
    if (ps === 0 || ps !== this.endOf(this.lNode[p]!)) return -1;
    return this.siblingFits(leafD, newEnd);
  }

  /**
   * eraseLastEntry() when the leaf would fall below its minimum and its next leaf is its right
   * sibling: lib/maple_tree.c: mas_rebalance() of the two, in place. Their slots, the leaf's
   * up to `lo` (exclusive), the freed NULL (joined with the sibling's first slot when that is
   * NULL) and the sibling's, go into the write buffer; they are written back as one leaf when
   * they fit and the parent keeps its minimum without the sibling, else as two leaves cut where
   * mab_calc_split() would cut them, both at their minimum and the first not ending on NULL
   * (the pivot between them moves). When they fit in one leaf but the parent would fall short
   * and they cannot share evenly, they merge and the parent level goes on as after
   * mergeRightThenRebuild() (afterRightMerge()). False, with nothing changed, when none of these works.
   */
  private eraseLastWithSibling(leafD: number, lo: number): boolean {
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    const pbase = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    const pkids = this.kidS[parent >> 9]!;
    const pe = ppiv[pbase + 15]! & 15;
    if (ps >= pe) return false;
    const node = this.lNode[leafD]!;
    const sib = pkids[pbase + ps + 1]!;
    const parentMax = this.lMax[p]!;
    const sibMax = ps + 1 < pe ? ppiv[pbase + ps + 1]! : parentMax;
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const sbase = (sib & 511) << 4;
    const spiv = this.pivS[sib >> 9]!;
    const ssl = this.slotS[sib >> 9]!;
    const se = spiv[sbase + 15]! & 15;
    // The slots, without a buffer: slot v is the leaf's before `lo`, the freed NULL at `lo` (up
    // to the leaf's end, or through the sibling's first slot when that is NULL), then the
    // sibling's slots from j0 on.
    const joins = ssl[sbase] === undefined;
    const j0 = joins ? 1 : 0;
    const nullEnd = joins ? (se > 0 ? spiv[sbase]! : sibMax) : this.lMax[leafD]!;
    const n = lo + 1 + se + 1 - j0;
    const sibRightmost = sibMax === MAX_INDEX;
    let left = n;
    const parentShort = p === 0 ? pe - 1 < 1 : pe < this.internalMin && parentMax !== MAX_INDEX;
    // A merge that leaves the parent short, when the two cannot split evenly (afterRightMerge()).
    let viaParent = false;
    if (n > MAPLE_RANGE64_SLOTS || parentShort) {
      left = (n + 1) >> 1;
      if (this.joinedIsNull(sl, base, ssl, sbase, lo, j0, left - 1))
        left += left - 1 >= RANGE64_MIN_SLOTS ? -1 : 1;
      const right = n - left;
      if (
        left < RANGE64_MIN_SLOTS ||
        left > MAPLE_RANGE64_SLOTS ||
        right > MAPLE_RANGE64_SLOTS ||
        this.joinedIsNull(sl, base, ssl, sbase, lo, j0, left - 1)
      ) {
        left = -1;
      } else if (right < RANGE64_MIN_SLOTS && !sibRightmost) left = -1;
      if (left < 0 || right < 1) {
        if (n > MAPLE_RANGE64_SLOTS || p === 0 || (n < RANGE64_MIN_SLOTS && !sibRightmost)) return false;
        left = n;
        viaParent = true;
      }
    }
    this.seq++;
    // The leaf keeps its slots before lo and takes the NULL and the sibling's first slots
    // (left >= RANGE64_MIN_SLOTS > lo: the leaf never gives). A leaf of 16 slots does not
    // store its last pivot; cells past its old end hold MAX_INDEX already.
    const e = piv[base + 15]! & 15;
    const meta = piv[base + 15]!;
    sl[base + lo] = undefined;
    piv[base + lo] = nullEnd;
    for (let v = lo + 1; v < left; v++) {
      const k = j0 + v - lo - 1;
      sl[base + v] = ssl[sbase + k];
      if (v < 15) piv[base + v] = k < se ? spiv[sbase + k]! : sibMax;
    }
    for (let i = left; i <= e; i++) {
      sl[base + i] = undefined;
      piv[base + i] = MAX_INDEX;
    }
    piv[base + 15] = meta - (meta & 15) + left - 1;
    if (viaParent) {
      this.afterRightMerge(leafD, ps, sib, sibMax);
    } else if (left === n) {
      this.dropRightSibling(ppiv, pkids, pbase, ps, pe, parentMax, sib, sibMax);
    } else {
      // Redistributed: the sibling's first g slots went to the leaf, the rest move to its front.
      const g = left - lo - 1 + j0;
      if (g > 0) this.shiftLeafFront(spiv, ssl, sbase, se, g, sibMax);
      // The leaf's new maximum, its last pivot (stored: the leaf is not full, left <= n / 2 + 1).
      ppiv[pbase + ps] = piv[base + left - 1]!;
    }
    return true;
  }

  /** Whether slot `v` of eraseLastWithSibling()'s joined sequence (see there) is NULL. */
  private joinedIsNull(
    sl: unknown[],
    base: number,
    ssl: unknown[],
    sbase: number,
    lo: number,
    j0: number,
    v: number,
  ): boolean {
    if (v < lo) return sl[base + v] === undefined;
    if (v === lo) return true;
    return ssl[sbase + j0 + v - lo - 1] === undefined;
  }

  /**
   * The lowest level of the recorded path where the path does not run along the right border
   * of its node (the leaf's next leaf hangs off the next slot there), -1 when it always does.
   */
  private partingLevel(leafD: number): number {
    let d = leafD - 1;
    while (d >= 0 && this.lSlot[d] === this.endOf(this.lNode[d]!)) d--;
    return d;
  }

  /**
   * The leaf on the recorded path ends at `a - 1`: its slots from `from` on go, and the pivot
   * separating it from the next leaf, at parting level `d`, becomes `a - 1`. Nodes between that
   * level and the leaf are last children whose stored last pivot (when not full) is their
   * maximum, so it moves too; the next leaf's first slot grows down to `a`. The recorded
   * path's maxima follow, for the in-place rebalance that may come next.
   */
  private dropLeafTail(leafD: number, d: number, from: number, a: number): void {
    const node = this.lNode[leafD]!;
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const e = piv[base + 15]! & 15;
    const newMax = a - 1;
    for (let i = from; i <= e; i++) {
      sl[base + i] = undefined;
      if (i < 15) piv[base + i] = MAX_INDEX;
    }
    const newEnd = from - 1;
    if (newEnd < 15) piv[base + newEnd] = newMax;
    setEndAt(piv, base + 15, newEnd);
    this.lMax[leafD] = newMax;
    for (let q = d + 1; q < leafD; q++) {
      const nd = this.lNode[q]!;
      const ne = this.endOf(nd);
      if (ne < 15) this.pivS[nd >> 9]![((nd & 511) << 4) + ne] = newMax;
      this.lMax[q] = newMax;
    }
    const sep = this.lNode[d]!;
    this.pivS[sep >> 9]![((sep & 511) << 4) + this.lSlot[d]!] = newMax;
  }

  /**
   * A NULL store that ends at the end of a leaf whose next leaf starts with NULL: the two
   * NULL ranges merge, so the kernel takes it as a spanning store (mas_wr_spanning_store()).
   * When the leaf keeps its minimum occupancy the result needs no rebuild: the leaf drops its
   * slots from `ls` on (keeping `[ss, a - 1]` of slot `ls` when the store starts inside it), and
   * the pivot that separates it from the next leaf, in the lowest ancestor where the two
   * paths part, becomes `a - 1`, which extends the next leaf's first slot down to `a`. Nodes
   * between that ancestor and the leaf are last children whose stored last pivot (when not
   * full) is their maximum, so it moves too. Not for allocation trees, whose gaps change on
   * both paths.
   */
  private eraseIntoNextLeaf(leafD: number, ls: number, a: number): boolean {
    if (this.allocRangeEnabled) return false;
    const node = this.lNode[leafD]!;
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const ss = ls > 0 ? piv[base + ls - 1]! + 1 : this.lMin[leafD]!;
    // A store starting inside slot ls keeps that slot's head [ss, a - 1].
    const from = ss < a ? ls + 1 : ls;
    if (from - 1 < RANGE64_MIN_SLOTS - 1) return false;
    const d = this.partingLevel(leafD);
    if (d < 0) return false;
    this.dropLeafTail(leafD, d, from, a);
    return true;
  }

  /**
   * rewriteLeafInPlace() of a value cutting slot `ls` (`[ss, se]`) of a leaf with room into two
   * or three pieces (mas_wr_node_store() growing the leaf by one or two slots), the commonest
   * write of random stores: small enough for the compiler to take it into write(). The slots
   * after `ls` move up, and the head piece keeps its value cell.
   */
  private insertInLeaf(
    node: number,
    ls: number,
    e: number,
    ss: number,
    se: number,
    a: number,
    b: number,
    value: T,
    leafMax: number,
  ): void {
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const meta = piv[base + 15]!;
    const at = ss < a ? ls + 1 : ls;
    const tail = b < se;
    const shift = at - ls + (tail ? 1 : 0);
    if (ls < e) {
      // A leaf that fills writes its last pivot into the metadata cell: rewritten below.
      sl[base + e + shift] = sl[base + e];
      piv[base + e + shift] = leafMax;
      for (let i = e - 1; i > ls; i--) {
        sl[base + i + shift] = sl[base + i];
        piv[base + i + shift] = piv[base + i]!;
      }
    }
    if (tail) {
      sl[base + at + 1] = sl[base + ls];
      piv[base + at + 1] = se;
    }
    if (at > ls) piv[base + ls] = a - 1;
    sl[base + at] = value;
    piv[base + at] = b;
    piv[base + 15] = meta - (meta & 15) + e + shift;
  }

  /**
   * Replace slots `ls..k` of a leaf by [ss, a-1]=old(ls), [a, b]=value, [b+1, se]=old(k),
   * shifting the slots after `k`. A full leaf has no room for its last pivot (implied by the
   * parent): cell 15 holds the end.
   */
  private rewriteLeafInPlace(
    node: number,
    ls: number,
    k: number,
    e: number,
    newEnd: number,
    ss: number,
    se: number,
    a: number,
    b: number,
    value: T | undefined,
    leafMax: number,
  ): void {
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const sl = this.slotS[node >> 9]!;
    const so = base;
    const oldLeft = sl[so + ls];
    const oldRight = sl[so + k];
    // A full leaf's last slot would write its (implied) pivot into the metadata word's cell.
    const meta = piv[base + 15]!;
    const shift = newEnd - e;
    if (shift > 0) {
      // The last slot's pivot is the leaf's maximum (not stored when the leaf is full): it
      // is moved outside the loop, which then copies cells only.
      if (k < e) {
        sl[so + e + shift] = sl[so + e];
        piv[base + e + shift] = leafMax;
        for (let i = e - 1; i > k; i--) {
          sl[so + i + shift] = sl[so + i];
          piv[base + i + shift] = piv[base + i]!;
        }
      }
    } else if (shift < 0) {
      for (let i = k + 1; i <= e; i++) {
        sl[so + i + shift] = sl[so + i];
        piv[base + i + shift] = i < e ? piv[base + i]! : leafMax;
      }
      for (let i = newEnd + 1; i <= e; i++) {
        sl[so + i] = undefined;
        piv[base + i] = MAX_INDEX;
      }
    }
    let j = ls;
    if (ss < a) {
      sl[so + j] = oldLeft;
      piv[base + j++] = a - 1;
    }
    sl[so + j] = value;
    piv[base + j++] = b;
    if (b < se) {
      sl[so + j] = oldRight;
      piv[base + j] = se;
    }
    // Cells past the new end hold MAX_INDEX; the metadata word gets the new end.
    piv[base + 15] = meta - (meta & 15) + newEnd;
  }

  private storeIntoEmpty(first: number, last: number, value: T): void {
    const id = this.allocNode(true);
    let n = 0;
    const bp = this.bufPiv;
    const bs = this.bufSlot;
    if (first > 0) {
      bp[n] = first - 1;
      bs[n++] = undefined;
    }
    bp[n] = last;
    bs[n++] = value;
    if (last < MAX_INDEX) {
      bp[n] = MAX_INDEX;
      bs[n++] = undefined;
    }
    this.writeNode(id, true, 0, n, 0, MAPLE_RANGE64_SLOTS);
    for (let i = 0; i < n; i++) bs[i] = undefined;
    this.setParent(id, -1, 0);
    this.root = id;
    this.height = 1;
  }
}
