/**
 * Node rebuilds of the write path (lib/maple_tree.c: mas_split(), mas_push_data(),
 * mas_rebalance(), mas_spanning_rebalance(), mab_calc_split(), mas_topiary_node(),
 * mas_wr_bnode()): the buffer of a write (the kernel's maple_big_node) cut into new nodes, and
 * the parents updated level by level; and the commonest of those cases done in place, without
 * the buffer: leaf splits (splitLeaf(), splitAppend(), splitAppendUp()) and, one level up,
 * parent splits, pushes into a sibling and merges (splitParent(), pushParentLeft(),
 * pushParentRight(), mergeParent()), which build the same nodes as the general rebuild.
 */
import { MapleTreeCorruptionError } from './errors';
import { MapleGaps } from './gap';
import {
  GAP_STRIDE,
  MAPLE_RANGE64_SLOTS,
  MARK_CONSUMED,
  MAX_INDEX,
  RANGE64_MIN_SLOTS,
  setEndAt,
} from './node';

/** Enough for a leaf plus both neighbours plus a spanning store (kernel: MAPLE_BIG_NODE_SLOTS). */
export const BUF_SLOTS = 160;

/**
 * The buffer of a write and its bookkeeping, shared by every tree for the same reason as the
 * path records (walk.ts: PATHS): one write at a time, and each write leaves the value cells
 * empty when it ends.
 */
const BUFFER = {
  piv: new Float64Array(BUF_SLOTS),
  slot: Array.from({ length: BUF_SLOTS }, (): unknown => undefined),
  gap: new Float64Array(BUF_SLOTS),
  splitSizes: new Int32Array(BUF_SLOTS),
  newIds: new Int32Array(BUF_SLOTS),
  newMax: new Float64Array(BUF_SLOTS),
  newGap: new Float64Array(BUF_SLOTS),
  dead: [] as number[],
  spare: [] as number[],
  reused: [] as number[],
};

/** The children of a full parent and the leaf it gains, with their maxima (see parentSeq()). */
const SEQ_KIDS = new Int32Array(2 * MAPLE_RANGE64_SLOTS);
const SEQ_PIV = new Float64Array(2 * MAPLE_RANGE64_SLOTS);

/** The buffer of a write and the node rebuilds that split, push, merge and collapse nodes. */
export class MapleRebuild<T> extends MapleGaps<T> {
  protected readonly bufPiv = BUFFER.piv;
  protected readonly bufSlot = BUFFER.slot;
  private readonly bufGap = BUFFER.gap;
  protected bufLen = 0;
  protected bufHigh = 0;
  private readonly splitSizes = BUFFER.splitSizes;
  private readonly newIds = BUFFER.newIds;
  private readonly newMax = BUFFER.newMax;
  private readonly newGap = BUFFER.newGap;
  private newCount = 0;
  /** Nodes emptied or dropped by the running write, freed when it ends (ids stay unique meanwhile). */
  private readonly dead = BUFFER.dead;
  private nDead = 0;
  /** Nodes of the level being rebuilt whose contents are in the buffer (see consume()). */
  private readonly spare = BUFFER.spare;
  private nSpare = 0;
  /** Consumed nodes given a new life as output nodes by the running write. */
  private readonly reused = BUFFER.reused;
  private nReused = 0;
  /**
   * @internal Whether an overflowing leaf first tries to push into a sibling, as the kernel's
   * mas_split() does at every level. Off: the port splits leaves and pushes internal nodes
   * only. A leaf pair pushed to the limit leaves both leaves full, so under random stores the
   * next store into either rebuilds them again, and each attempt reads a sibling that is rarely
   * cached; measured on 1e6 random ranges, pushing leaves costs a fifth of storeRange
   * throughput for 10 % fewer leaves. Appends are unaffected (the left sibling of the rightmost
   * leaf is full). Tests turn it on to keep the kernel's behaviour covered.
   */
  pushLeaves = false;
  private pushEntry(piv: number, slot: unknown, gap: number): void {
    const n = this.bufLen++;
    if (n >= this.bufHigh) this.bufHigh = n + 1;
    this.bufPiv[n] = piv;
    this.bufSlot[n] = slot;
    this.bufGap[n] = gap;
  }

  /**
   * lib/maple_tree.c: mas_spanning_rebalance() / mas_split() / mas_rebalance() in one loop.
   *
   * Level by level, the buffer replaces a run of adjacent nodes `[lNode[d] .. rNode[d]]`.
   * A buffer that would leave a node below minimum occupancy, or a leaf ending in NULL, pulls
   * in the next node of that level; then it is cut into as many nodes as needed, and the
   * parents' buffer is their untouched children around the new nodes. Covered subtrees are
   * dropped. The loop stops at the first level rewritten in place or at the root. A caller
   * that did a level in place starts the loop above it (`from` < leafD, see rebuildParents()):
   * that level's new nodes are then in newIds/newMax/newCount.
   */
  protected rebuild(leafD: number, newPos: number, from = leafD): void {
    const LN = this.lNode;
    const LS = this.lSlot;
    const RN = this.rNode;
    const RS = this.rSlot;
    const alloc = this.allocRangeEnabled;
    this.nDead = 0;
    this.nSpare = 0;
    this.nReused = 0;

    for (let d = from; ; d--) {
      const isLeaf = d === leafD;
      const lnode = LN[d]!;
      if (!isLeaf && (this.replaceChildrenInPlace(d, leafD) || this.rebalanceChildInPlace(d))) break;
      if (!isLeaf) {
        // Parents' buffer: children left of the old left node, the new nodes, children right
        // of the old right node. Everything in between is covered by the write.
        this.bufLen = 0;
        const lbase = (lnode & 511) << 4;
        const lpiv = this.pivS[lnode >> 9]!;
        const lkids = this.kidS[lnode >> 9]!;
        const lgaps = this.gapS[lnode >> 9]!;
        const ls = LS[d]!;
        const gb = (lnode & 511) << 4;
        for (let k = 0; k < ls; k++)
          this.pushEntry(lpiv[lbase + k]!, lkids[lbase + k]!, alloc ? lgaps[gb + k]! : 0);
        newPos = this.bufLen;
        for (let i = 0; i < this.newCount; i++)
          this.pushEntry(this.newMax[i]!, this.newIds[i], this.newGap[i]!);
        const rnode = RN[d]!;
        const rbase = (rnode & 511) << 4;
        const rpiv = this.pivS[rnode >> 9]!;
        const rkids = this.kidS[rnode >> 9]!;
        const rgaps = this.gapS[rnode >> 9]!;
        const rs = RS[d]!;
        const re = rpiv[rbase + 15]! & 15;
        const rgb = (rnode & 511) << 4;
        for (let k = rs + 1; k <= re; k++) {
          this.pushEntry(
            k < re ? rpiv[rbase + k]! : this.rMax[d]!,
            rkids[rbase + k]!,
            alloc ? rgaps[rgb + k]! : 0,
          );
        }
        if (lnode === rnode) {
          for (let k = ls + 1; k < rs; k++) this.dropSubtree(lkids[lbase + k]!, d + 1, leafD);
        } else {
          const le = lpiv[lbase + 15]! & 15;
          for (let k = ls + 1; k <= le; k++) this.dropSubtree(lkids[lbase + k]!, d + 1, leafD);
          for (let k = 0; k < rs; k++) this.dropSubtree(rkids[rbase + k]!, d + 1, leafD);
        }
      }
      if (RN[d] !== lnode) this.consume(RN[d]!);

      if (d === 0) {
        this.finishRoot(isLeaf, newPos);
        break;
      }

      const cap = isLeaf ? MAPLE_RANGE64_SLOTS : this.internalSlots;
      const minSlots = isLeaf ? RANGE64_MIN_SLOTS : this.internalMin;
      while (
        this.rMax[d] !== MAX_INDEX &&
        (this.bufLen < minSlots || (isLeaf && this.bufSlot[this.bufLen - 1] === undefined))
      ) {
        this.pullRight(d, isLeaf);
      }

      // Children of the first output node that already hang off it at the same offsets.
      let kept = isLeaf ? 0 : newPos;
      if (this.bufLen > cap && RN[d] === lnode && (this.pushLeaves || !isLeaf)) {
        // mas_push_data(): an overflowing node first shares with its left, then its right
        // sibling, when the two fit in two nodes with room to spare; no node is added.
        const sib = this.pushLeft(d, isLeaf, cap);
        if (sib >= 0) {
          kept = isLeaf ? 0 : sib;
          newPos += sib;
        } else this.pushRight(d, isLeaf, cap);
      }
      const first = LN[d]!;

      const rightmost = this.rMax[d] === MAX_INDEX;
      const k = this.planSplit(this.bufLen, cap, minSlots, isLeaf, rightmost, newPos);
      if (k === 1 && RN[d] === first) {
        // Rewritten in place from its own children only: when the new nodes replace as many
        // old ones, the children after them keep their offsets and need no new parent link.
        const tail = isLeaf || LS[d]! + this.newCount !== RS[d]! + 1 ? this.bufLen : newPos + this.newCount;
        const g = this.writeNode(first, isLeaf, 0, this.bufLen, this.lMin[d]!, cap, kept, tail);
        if (alloc) this.propagateGapFrom(d, g);
        break;
      }
      let pos = 0;
      let nodeMin = this.lMin[d]!;
      let spare = 0;
      for (let i = 0; i < k; i++) {
        // Output nodes after the first take the ids of the nodes this level consumed: their
        // cells were just read, so writing them hits the cache where a fresh node would miss.
        let id = first;
        if (i > 0) {
          if (spare < this.nSpare) {
            id = this.spare[spare++]!;
            this.reused[this.nReused++] = id;
          } else id = this.allocNode(isLeaf);
        }
        const cnt = this.splitSizes[i]!;
        const nodeMax = this.bufPiv[pos + cnt - 1]!;
        const g = this.writeNode(id, isLeaf, pos, cnt, nodeMin, cap, i === 0 ? Math.min(kept, cnt) : 0);
        this.newIds[i] = id;
        this.newMax[i] = nodeMax;
        this.newGap[i] = g;
        pos += cnt;
        nodeMin = nodeMax + 1;
      }
      this.newCount = k;
      while (spare < this.nSpare) this.dead[this.nDead++] = this.spare[spare++]!;
      this.nSpare = 0;
    }

    for (let i = 0; i < this.nSpare; i++) this.dead[this.nDead++] = this.spare[i]!;
    this.nSpare = 0;
    for (let i = 0; i < this.nDead; i++) this.freeNode(this.dead[i]!);
    for (let i = 0; i < this.nReused; i++) this.setMark(this.reused[i]!, 0);
    this.nReused = 0;
    const bs = this.bufSlot;
    const high = Math.max(this.bufHigh, this.bufLen);
    for (let i = 0; i < high; i++) bs[i] = undefined;
    this.bufHigh = 0;
  }

  /**
   * The parent level of a rebuild, done in place when it stays within one node that keeps
   * between its minimum and its full number of children: children `ls..rs` of node `LN[d]`
   * are replaced by the `newCount` nodes just written (a split gives one more, a merge one
   * less, a redistribution as many), the children after them shift, and the children in
   * between, covered by the write, are dropped. The buffer path would give the same node;
   * this one only touches the cells that change. Allocation trees take the buffer path (their
   * gaps change too), as do overflowing and underflowing parents and a root left with one child.
   */
  private replaceChildrenInPlace(d: number, leafD: number): boolean {
    const node = this.lNode[d]!;
    if (this.allocRangeEnabled || this.rNode[d] !== node) return false;
    const ls = this.lSlot[d]!;
    const rs = this.rSlot[d]!;
    const count = this.newCount;
    const base = (node & 511) << 4;
    const piv = this.pivS[node >> 9]!;
    const kids = this.kidS[node >> 9]!;
    const end = piv[base + 15]! & 15;
    const newEnd = end - (rs - ls + 1) + count;
    const nodeMax = this.lMax[d]!;
    if (newEnd >= this.internalSlots || kids[base + ls] !== this.newIds[0]) return false;
    if (d === 0 ? newEnd === 0 : newEnd + 1 < this.internalMin && nodeMax !== MAX_INDEX) return false;
    for (let k = ls + 1; k < rs; k++) this.dropSubtree(kids[base + k]!, d + 1, leafD);
    const shift = newEnd - end;
    // Children rs+1..end move by `shift`; pivot cells exist for slots below 15 only.
    if (shift > 0) {
      for (let i = end; i > rs; i--) this.moveChild(piv, kids, base, i, i + shift, end, nodeMax);
    } else if (shift < 0) {
      for (let i = rs + 1; i <= end; i++) this.moveChild(piv, kids, base, i, i + shift, end, nodeMax);
    }
    for (let i = 0; i < count; i++) {
      const id = this.newIds[i]!;
      const slot = ls + i;
      kids[base + slot] = id;
      this.setParent(id, node, slot);
      if (slot < 15) piv[base + slot] = this.newMax[i]!;
    }
    for (let i = newEnd + 1; i <= end; i++) {
      kids[base + i] = 0;
      if (i < 15) piv[base + i] = MAX_INDEX;
    }
    setEndAt(piv, base + 15, newEnd);
    return true;
  }

  /**
   * The parent level of a rebuild whose level below merged two adjacent children of one
   * node into the first (a leaf merge of the general write): the node, left short, takes its
   * right sibling in place as mergeParent() does, when the region stays under one
   * grandparent slot.
   */
  private rebalanceChildInPlace(d: number): boolean {
    if (d === 0 || this.newCount !== 1) return false;
    const node = this.lNode[d]!;
    const ls = this.lSlot[d]!;
    if (this.rNode[d] !== node || this.rSlot[d] !== ls + 1 || this.childAt(node, ls) !== this.newIds[0])
      return false;
    if (this.rNode[d - 1] !== this.lNode[d - 1] || this.rSlot[d - 1] !== this.lSlot[d - 1]) return false;
    return this.mergeParent(d + 1, ls, this.newMax[0]!, true);
  }

  /** Move child `from` of a node to slot `to` (its pivot too: the node max for the last one). */
  protected moveChild(
    piv: number[],
    kids: Int32Array,
    base: number,
    from: number,
    to: number,
    end: number,
    nodeMax: number,
  ): void {
    const child = kids[base + from]!;
    kids[base + to] = child;
    this.setParentSlot(child, to);
    if (to < 15) piv[base + to] = from < end ? piv[base + from]! : nodeMax;
  }

  /**
   * A node of the level being rebuilt whose contents went into the buffer: its id is reused
   * for an output node of that level or freed when the write ends. Until then it stays marked,
   * so that no covered-subtree walk frees it a second time.
   */
  private consume(node: number): void {
    this.setMark(node, MARK_CONSUMED);
    this.spare[this.nSpare++] = node;
  }

  /** Queue a subtree fully covered by a spanning write for freeing (lib/maple_tree.c: mas_topiary_node()). */
  private dropSubtree(node: number, depth: number, leafD: number): void {
    if (this.markOf(node) === MARK_CONSUMED) return;
    if (depth < leafD) {
      const e = this.endOf(node);
      for (let k = 0; k <= e; k++) this.dropSubtree(this.childAt(node, k), depth + 1, leafD);
    }
    this.dead[this.nDead++] = node;
  }

  /**
   * Largest combined size for which pushing into a sibling beats splitting (mas_push_data():
   * `2 × slots − 2`, one less for leaves, one less on the rightmost path).
   */
  private pushLimit(cap: number, isLeaf: boolean, rightmost: boolean): number {
    return 2 * cap - 2 - (isLeaf ? 1 : 0) - (rightmost ? 1 : 0);
  }

  /**
   * Prepend the left sibling (same parent) to the buffer if both fit; the sibling becomes the
   * left node of the region. Returns how many entries it brought, or -1.
   */
  private pushLeft(d: number, isLeaf: boolean, cap: number): number {
    const p = d - 1;
    const parent = this.lNode[p]!;
    const ls = this.lSlot[p]!;
    if (ls === 0) return -1;
    const sib = this.childAt(parent, ls - 1);
    const cnt = this.endOf(sib) + 1;
    const n = this.bufLen;
    if (cnt + n > this.pushLimit(cap, isLeaf, this.rMax[d] === MAX_INDEX)) return -1;
    const bp = this.bufPiv;
    const bs = this.bufSlot;
    const bg = this.bufGap;
    for (let i = n - 1; i >= 0; i--) {
      bp[i + cnt] = bp[i]!;
      bs[i + cnt] = bs[i];
      bg[i + cnt] = bg[i]!;
    }
    const piv = this.pivS[sib >> 9]!;
    const base = (sib & 511) << 4;
    const gb = (sib & 511) << 4;
    const gaps = this.allocRangeEnabled && !isLeaf;
    const sgaps = this.gapS[sib >> 9]!;
    const sibMax = this.lMin[d]! - 1;
    for (let k = 0; k < cnt; k++) {
      bp[k] = k < cnt - 1 ? piv[base + k]! : sibMax;
      bs[k] = this.slot(sib, k, isLeaf);
      bg[k] = gaps ? sgaps[gb + k]! : 0;
    }
    this.bufLen = n + cnt;
    if (this.bufLen > this.bufHigh) this.bufHigh = this.bufLen;
    const old = this.lNode[d]!;
    this.consume(old);
    this.lNode[d] = sib;
    this.lSlot[p] = ls - 1;
    this.lMin[d] = ls - 1 > 0 ? this.pivotAt(parent, ls - 2) + 1 : this.lMin[p]!;
    return cnt;
  }

  /** Append the right sibling (same parent) to the buffer if both fit. */
  private pushRight(d: number, isLeaf: boolean, cap: number): void {
    const p = d - 1;
    const parent = this.rNode[p]!;
    const rs = this.rSlot[p]!;
    const e = this.endOf(parent);
    if (rs >= e) return;
    const sib = this.childAt(parent, rs + 1);
    const sibMax = rs + 1 < e ? this.pivotAt(parent, rs + 1) : this.rMax[p]!;
    const limit = this.pushLimit(cap, isLeaf, sibMax === MAX_INDEX);
    if (this.endOf(sib) + 1 + this.bufLen > limit) return;
    this.pullRight(d, isLeaf);
  }

  /** Append the next node of level `d` to the buffer and move the right path onto it. */
  private pullRight(d: number, isLeaf: boolean): void {
    const RN = this.rNode;
    const RS = this.rSlot;
    let p = d - 1;
    while (p >= 0 && RS[p] === this.endOf(RN[p]!)) p--;
    if (p < 0) throw new MapleTreeCorruptionError('no right neighbour for a non-rightmost node', RN[d]!, d);
    RS[p]!++;
    for (let q = p + 1; q <= d; q++) {
      const parent = RN[q - 1]!;
      const s = RS[q - 1]!;
      this.rMin[q] = s > 0 ? this.pivotAt(parent, s - 1) + 1 : this.rMin[q - 1]!;
      this.rMax[q] = s < this.endOf(parent) ? this.pivotAt(parent, s) : this.rMax[q - 1]!;
      RN[q] = this.childAt(parent, s);
      if (q < d) RS[q] = 0;
    }
    const nb = RN[d]!;
    this.consume(nb);
    const base = (nb & 511) << 4;
    const piv = this.pivS[nb >> 9]!;
    const e = piv[base + 15]! & 15;
    const nodeMax = this.rMax[d]!;
    const gaps = this.gapS[nb >> 9]!;
    const gb = (nb & 511) << 4;
    const alloc = this.allocRangeEnabled && !isLeaf;
    for (let k = 0; k <= e; k++) {
      this.pushEntry(k < e ? piv[base + k]! : nodeMax, this.slot(nb, k, isLeaf), alloc ? gaps[gb + k]! : 0);
    }
  }

  /**
   * lib/maple_tree.c: mab_calc_split() — node sizes for `count` buffered entries into
   * `splitSizes`, returns how many nodes. Appends at the right edge keep the left node nearly
   * full; otherwise the split is even; a leaf other than the last never ends on NULL.
   */
  private planSplit(
    count: number,
    cap: number,
    min: number,
    isLeaf: boolean,
    rightmost: boolean,
    newPos: number,
  ): number {
    const sizes = this.splitSizes;
    if (count <= cap) {
      sizes[0] = count;
      return 1;
    }
    const bs = this.bufSlot;
    if (rightmost && newPos >= count - 2 && count <= 2 * cap - 1) {
      let left = cap - 1;
      if (isLeaf && bs[left - 1] === undefined) left--;
      const right = count - left;
      if (right <= cap) {
        sizes[0] = left;
        sizes[1] = right;
        return 2;
      }
    }
    for (let k = Math.ceil(count / cap); ; k++) {
      const base = Math.floor(count / k);
      const rem = count - base * k;
      for (let i = 0; i < k; i++) sizes[i] = i < rem ? base + 1 : base;
      if (!isLeaf) return k;
      let ok = true;
      let pos = 0;
      for (let i = 0; i < k - 1; i++) {
        pos += sizes[i]!;
        if (bs[pos - 1] !== undefined) continue;
        const nextMin = i + 1 === k - 1 && rightmost ? 1 : min;
        if (sizes[i]! - 1 >= min && sizes[i + 1]! + 1 <= cap) {
          sizes[i]!--;
          sizes[i + 1]!++;
          pos--;
        } else if (sizes[i]! + 1 <= cap && sizes[i + 1]! - 1 >= nextMin) {
          sizes[i]!++;
          sizes[i + 1]!--;
          pos++;
        } else {
          ok = false;
          break;
        }
      }
      if (ok) return k;
    }
  }

  /** The region reached the root: rewrite it, split it (one level more) or collapse it. */
  private finishRoot(isLeaf: boolean, newPos: number): void {
    const root = this.lNode[0]!;
    const n = this.bufLen;
    if (isLeaf && n === 1 && this.bufSlot[0] === undefined) {
      this.dead[this.nDead++] = root;
      this.root = -1;
      this.height = 0;
      return;
    }
    const cap = isLeaf ? MAPLE_RANGE64_SLOTS : this.internalSlots;
    if (n <= cap) {
      this.writeNode(root, isLeaf, 0, n, 0, cap);
      this.setParent(root, -1, 0);
      this.collapseRoot();
      return;
    }
    const minSlots = isLeaf ? RANGE64_MIN_SLOTS : this.internalMin;
    const k = this.planSplit(n, cap, minSlots, isLeaf, true, newPos);
    let pos = 0;
    let nodeMin = 0;
    for (let i = 0; i < k; i++) {
      const id = i === 0 ? root : this.allocNode(isLeaf);
      const cnt = this.splitSizes[i]!;
      const nodeMax = this.bufPiv[pos + cnt - 1]!;
      this.newIds[i] = id;
      this.newMax[i] = nodeMax;
      this.newGap[i] = this.writeNode(id, isLeaf, pos, cnt, nodeMin, cap);
      pos += cnt;
      nodeMin = nodeMax + 1;
    }
    for (let i = 0; i < n; i++) this.bufSlot[i] = undefined;
    this.bufLen = 0;
    for (let i = 0; i < k; i++) this.pushEntry(this.newMax[i]!, this.newIds[i], this.newGap[i]!);
    const newRoot = this.allocNode(false);
    this.writeNode(newRoot, false, 0, k, 0, this.internalSlots);
    this.setParent(newRoot, -1, 0);
    this.root = newRoot;
    this.height++;
  }

  /** lib/maple_tree.c: mas_rebalance() at the top — a root with one child is replaced by it. */
  private collapseRoot(): void {
    let root = this.root;
    while (this.height > 1 && this.endOf(root) === 0) {
      const child = this.childAt(root, 0);
      this.dead[this.nDead++] = root;
      this.setMark(root, MARK_CONSUMED);
      root = child;
      this.setParent(root, -1, 0);
      this.height--;
    }
    this.root = root;
    if (this.height === 1 && this.endOf(root) === 0 && this.valueAt(root, 0) === undefined) {
      this.dead[this.nDead++] = root;
      this.root = -1;
      this.height = 0;
    }
  }

  /**
   * Fill node `id` from buffer entries `[from, from + cnt)`; returns the node's largest gap
   * (allocation trees). A full node does not store its last pivot (implied by the parent);
   * pivot cells past the end hold MAX_INDEX, the metadata word the end. The first `kept` children, and
   * those from `tail` on, already sit in this node at the same offsets, so their parent links
   * are left alone (they are scattered in memory: rewriting them costs cache misses).
   */
  protected writeNode(
    id: number,
    isLeaf: boolean,
    from: number,
    cnt: number,
    nodeMin: number,
    cap: number,
    kept = 0,
    tail = cnt,
  ): number {
    const base = (id & 511) << 4;
    const piv = this.pivS[id >> 9]!;
    const bp = this.bufPiv;
    const bs = this.bufSlot;
    const stored = cnt < cap ? cnt : cap - 1;
    for (let i = 0; i < stored; i++) piv[base + i] = bp[from + i]!;
    for (let i = stored; i < 15; i++) piv[base + i] = MAX_INDEX;
    setEndAt(piv, base + 15, cnt - 1);
    if (isLeaf) {
      const sl = this.slotS[id >> 9]!;
      const so = base;
      for (let i = 0; i < cnt; i++) sl[so + i] = bs[from + i];
      for (let i = cnt; i < 16; i++) sl[so + i] = undefined;
      if (!this.allocRangeEnabled) return 0;
      let best = 0;
      let s = nodeMin;
      for (let i = 0; i < cnt; i++) {
        const e = bp[from + i]!;
        if (bs[from + i] === undefined && e - s + 1 > best) best = e - s + 1;
        s = e + 1;
      }
      return best;
    }
    const kids = this.kidS[id >> 9]!;
    for (let i = 0; i < cnt; i++) kids[base + i] = bs[from + i] as number;
    for (let i = cnt; i < 16; i++) kids[base + i] = 0;
    for (let i = kept; i < tail; i++) this.setParent(bs[from + i] as number, id, i);
    if (!this.allocRangeEnabled) return 0;
    const gaps = this.gapS[id >> 9]!;
    const gb = (id & 511) << 4;
    const bg = this.bufGap;
    let best = -1;
    let off = 0;
    for (let i = cnt - 1; i >= 0; i--) {
      const g = bg[from + i]!;
      gaps[gb + i] = g;
      if (g > best) {
        best = g;
        off = i;
      }
    }
    for (let i = cnt; i < GAP_STRIDE; i++) gaps[gb + i] = 0;
    this.setGapOffset(id, off);
    return best;
  }

  /**
   * lib/maple_tree.c: mas_split() of a leaf, done from the leaf itself:
   * the value `[a, b]` cuts slot `ls` (`[ss, se]`) of a leaf with end `e` into two or three
   * pieces, one or two more than the leaf holds. The 17 or 18 slots are cut where
   * mab_calc_split() would cut them (about half, appends at the right edge keep the left leaf
   * nearly full, the left leaf never ends on NULL); the leaf keeps the left part in place, a
   * new leaf takes the right part, and the parent gains it after the leaf. The recorded path
   * moves to the leaf that holds `a`, so that a write next to it does not walk. A full parent
   * takes the general rebuild from its level on (the leaf buffer and its rewrite are skipped).
   */
  protected splitLeaf(
    leafD: number,
    ls: number,
    e: number,
    ss: number,
    se: number,
    a: number,
    b: number,
    value: T,
  ): void {
    const leaf = this.lNode[leafD]!;
    // The new leaf first: growing the slab replaces its arrays.
    const id = this.allocNode(true);
    const base = (leaf & 511) << 4;
    const piv = this.pivS[leaf >> 9]!;
    const sl = this.slotS[leaf >> 9]!;
    const leafMax = this.lMax[leafD]!;
    // The 17 or 18 slots are the leaf's with slot ls cut into `pieces`: slot v of that
    // sequence is the leaf's slot v before ls, piece v - ls up to ls + pieces, then the leaf's
    // slot v - sh. They are copied from the leaf where they sit, without a buffer.
    const old = sl[base + ls];
    const newPos = ss < a ? ls + 1 : ls;
    const pEnd = b < se ? newPos + 2 : newPos + 1;
    const sh = pEnd - ls - 1;
    const n = e + 1 + sh;
    // mab_calc_split() for two leaves (see planSplit()): the left leaf must not end on NULL.
    let left: number;
    if (leafMax === MAX_INDEX && newPos >= n - 2) {
      left = MAPLE_RANGE64_SLOTS - 1;
      if (this.splitSlotIsNull(sl, base, ls, newPos, pEnd, sh, old, left - 1)) left--;
    } else {
      left = (n + 1) >> 1;
      if (this.splitSlotIsNull(sl, base, ls, newPos, pEnd, sh, old, left - 1)) {
        if (left - 1 >= RANGE64_MIN_SLOTS) left--;
        else left++;
      }
    }
    // The right part into the new leaf first (it reads cells the left part overwrites). Its
    // value cells are empty (freeNode() empties them); its pivots may be a former node's.
    const rb = (id & 511) << 4;
    const rpiv = this.pivS[id >> 9]!;
    const rsl = this.slotS[id >> 9]!;
    let j = 0;
    for (let v = left; v < ls; v++, j++) {
      rpiv[rb + j] = piv[base + v]!;
      rsl[rb + j] = sl[base + v];
    }
    for (let v = Math.max(left, ls); v < pEnd; v++, j++) {
      rpiv[rb + j] = v < newPos ? a - 1 : v === newPos ? b : se;
      rsl[rb + j] = v === newPos ? value : old;
    }
    for (let o = Math.max(left, pEnd) - sh; o <= e; o++, j++) {
      rpiv[rb + j] = o < e ? piv[base + o]! : leafMax;
      rsl[rb + j] = sl[base + o];
    }
    for (let q = j; q < 15; q++) rpiv[rb + q] = MAX_INDEX;
    setEndAt(rpiv, rb + 15, j - 1);
    // The left part in place: its cells before ls are unchanged; the slots after the pieces
    // move up by sh, last first.
    const meta = piv[base + 15]!;
    if (left > ls) {
      for (let v = left - 1; v >= pEnd; v--) {
        const o = v - sh;
        sl[base + v] = sl[base + o];
        piv[base + v] = o < e ? piv[base + o]! : leafMax;
      }
      for (let v = ls; v < pEnd && v < left; v++) {
        piv[base + v] = v < newPos ? a - 1 : v === newPos ? b : se;
        sl[base + v] = v === newPos ? value : old;
      }
    }
    const leftMax = piv[base + left - 1]!;
    // Cells past the new end hold MAX_INDEX (those past the old end already do).
    for (let i = left; i <= e; i++) {
      piv[base + i] = MAX_INDEX;
      sl[base + i] = undefined;
    }
    piv[base + 15] = meta - (meta & 15) + left - 1;
    const parent = this.lNode[leafD - 1]!;
    if ((this.pivS[parent >> 9]![((parent & 511) << 4) + 15]! & 15) < MAPLE_RANGE64_SLOTS - 1) {
      this.addLeafAfter(leafD, leftMax, id, leafMax, newPos >= left);
      return;
    }
    // A full parent: the two leaves are what rebuild() would make of the leaf's buffer (it
    // does not push leaves, see pushLeaves); it goes on from the parent level with them,
    // unless the parent splits in place (splitParent()).
    if (this.splitParent(leafD, leftMax, id, leafMax)) return;
    this.newIds[1] = id;
    this.newMax[1] = leafMax;
    this.newGap[1] = 0;
    this.rebuildParents(leafD, this.lSlot[leafD - 1]!, 2, leftMax);
  }

  /**
   * lib/maple_tree.c: mas_split() of a full parent (16 children) that gains leaf `id` (up to
   * `rightMax`) after the leaf on the recorded path (now ending at `leftMax`), done in place
   * as rebuild() would do it from the parent level. First mas_push_data(): when a sibling
   * and the 17 children fit in two nodes with room to spare, they are shared between the two
   * (pushParentLeft(), pushParentRight()). Else the 17 children are cut where
   * mab_calc_split() cuts them (see planSplit(): 9 and 8, or 15 and 2 for an append at the
   * right edge): the parent keeps the left part in place, a new node takes the right part
   * (its children get their parent links), and the grandparent gains it after the parent,
   * its later children shifting up one slot (as replaceChildrenInPlace() would); a full
   * grandparent gains it the same way, one level up, or through the rebuild from its level
   * when it is the root. A root parent declines (false): the general rebuild then goes on
   * from the parent level.
   */
  private splitParent(leafD: number, leftMax: number, id: number, rightMax: number): boolean {
    const p = leafD - 1;
    const g = p - 1;
    if (g < 0) return false;
    const gp = this.lNode[g]!;
    let gb = (gp & 511) << 4;
    const gEnd = this.pivS[gp >> 9]![gb + 15]! & 15;
    const gs = this.lSlot[g]!;
    const parentMax = this.lMax[p]!;
    const rightmost = parentMax === MAX_INDEX;
    // mas_push_data() of the parent (pushLeft(), then pushRight()): the 17 children and a
    // sibling's fit in two nodes with room to spare (pushLimit()); no node is added.
    if (gs > 0) {
      const sib = this.childAt(gp, gs - 1);
      const cnt = this.endOf(sib) + 1;
      if (cnt + 17 <= 30 - (rightmost ? 1 : 0)) {
        this.pushParentLeft(leafD, leftMax, id, rightMax, sib, cnt);
        return true;
      }
    }
    if (gs < gEnd) {
      const sib = this.childAt(gp, gs + 1);
      const cnt = this.endOf(sib) + 1;
      const sibMax = gs + 1 < gEnd ? this.pivotAt(gp, gs + 1) : this.lMax[g]!;
      if (cnt + 17 <= 30 - (sibMax === MAX_INDEX ? 1 : 0)) {
        this.pushParentRight(leafD, leftMax, id, rightMax, sib, cnt, sibMax);
        return true;
      }
    }
    // A split: the grandparent gains a child (a full one the same way, see the end).
    // The new node first: growing an internal slab replaces its arrays.
    const nn = this.allocNode(false);
    gb = (gp & 511) << 4;
    const gpiv = this.pivS[gp >> 9]!;
    const gkids = this.kidS[gp >> 9]!;
    const parent = this.lNode[p]!;
    const pb = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    const pkids = this.kidS[parent >> 9]!;
    const ps = this.lSlot[p]!;
    // Child v of the 17 is the parent's child v up to ps, leaf `id` at ps + 1, then the
    // parent's child v - 1. planSplit(): the append split when the leaf is among the last two
    // of the rightmost node (its buffer position ps, of 17), else the larger half on the left.
    const left = rightmost && ps >= 15 ? 15 : 9;
    const nb = (nn & 511) << 4;
    const npiv = this.pivS[nn >> 9]!;
    const nkids = this.kidS[nn >> 9]!;
    // The right part into the new node first (it reads cells the left part overwrites).
    for (let v = left; v < 17; v++) {
      const j = v - left;
      const child = v <= ps ? pkids[pb + v]! : v === ps + 1 ? id : pkids[pb + v - 1]!;
      nkids[nb + j] = child;
      npiv[nb + j] =
        v < ps
          ? ppiv[pb + v]!
          : v === ps
            ? leftMax
            : v === ps + 1
              ? rightMax
              : v - 1 < 15
                ? ppiv[pb + v - 1]!
                : parentMax;
      this.setParent(child, nn, j);
    }
    const rcnt = 17 - left;
    for (let j = rcnt; j < 15; j++) npiv[nb + j] = MAX_INDEX;
    for (let j = rcnt; j < 16; j++) nkids[nb + j] = 0;
    // Its metadata word: end, slot gs + 1 of the grandparent (under a full one, the level
    // above sets the link: slot 16 does not fit the field), pool mark 0.
    npiv[nb + 15] = rcnt - 1 + (gEnd < MAPLE_RANGE64_SLOTS - 1 ? (gs + 1) * 16 : 0) + (gp + 1) * 16384;
    // The left part in place: children after ps move up one slot, the new leaf follows ps.
    if (ps + 1 < left) {
      for (let v = left - 1; v > ps + 1; v--) {
        const child = pkids[pb + v - 1]!;
        pkids[pb + v] = child;
        ppiv[pb + v] = ppiv[pb + v - 1]!;
        this.setParentSlot(child, v);
      }
      pkids[pb + ps + 1] = id;
      ppiv[pb + ps + 1] = rightMax;
      this.setParent(id, parent, ps + 1);
    }
    if (ps < left) ppiv[pb + ps] = leftMax;
    const meta = ppiv[pb + 15]!;
    for (let v = left; v < 16; v++) {
      pkids[pb + v] = 0;
      ppiv[pb + v] = MAX_INDEX;
    }
    ppiv[pb + 15] = meta - (meta & 15) + left - 1;
    const splitMax = ppiv[pb + left - 1]!;
    if (gEnd >= MAPLE_RANGE64_SLOTS - 1) {
      // A full grandparent gains the new node the same way, one level up; at the root, the
      // rebuild goes on from the grandparent's level (finishRoot() adds a level).
      if (!this.splitParent(p, splitMax, nn, parentMax)) {
        this.newIds[1] = nn;
        this.newMax[1] = parentMax;
        this.newGap[1] = 0;
        this.rebuildParents(p, gs, 2, splitMax);
      }
      return true;
    }
    // The grandparent gains the new node after the parent (its last pivot is its maximum).
    const gMax = this.lMax[g]!;
    for (let i = gEnd; i > gs; i--) this.moveChild(gpiv, gkids, gb, i, i + 1, gEnd, gMax);
    gpiv[gb + gs] = splitMax;
    gkids[gb + gs + 1] = nn;
    if (gs + 1 < 15) gpiv[gb + gs + 1] = parentMax;
    setEndAt(gpiv, gb + 15, gEnd + 1);
    return true;
  }

  /**
   * The 17 children of a full parent gaining leaf `id` after its child ps (see splitParent())
   * into SEQ_KIDS / SEQ_PIV, each with its maximum.
   */
  private parentSeq(leafD: number, leftMax: number, id: number, rightMax: number): void {
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const pb = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    const pkids = this.kidS[parent >> 9]!;
    const ps = this.lSlot[p]!;
    const parentMax = this.lMax[p]!;
    const sk = SEQ_KIDS;
    const sp = SEQ_PIV;
    for (let v = 0; v < ps; v++) {
      sk[v] = pkids[pb + v]!;
      sp[v] = ppiv[pb + v]!;
    }
    sk[ps] = pkids[pb + ps]!;
    sp[ps] = leftMax;
    sk[ps + 1] = id;
    sp[ps + 1] = rightMax;
    for (let v = ps + 2; v < 17; v++) {
      sk[v] = pkids[pb + v - 1]!;
      sp[v] = v - 1 < 15 ? ppiv[pb + v - 1]! : parentMax;
    }
  }

  /**
   * mas_push_data() of a full parent into its left sibling `sib` (`cnt` children), in place:
   * the 17 children and the sibling's are cut as planSplit() cuts them after pushLeft()
   * (the larger half on the left, 15 on the left for an append at the right edge); the
   * sibling takes the first ones after its own, the parent keeps the rest from its slot 0,
   * and only the grandparent's pivot between the two moves. rebuild() would write the same
   * two nodes with the same ids (the sibling, then the parent's id reused).
   */
  private pushParentLeft(
    leafD: number,
    leftMax: number,
    id: number,
    rightMax: number,
    sib: number,
    cnt: number,
  ): void {
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    this.parentSeq(leafD, leftMax, id, rightMax);
    const sk = SEQ_KIDS;
    const sp = SEQ_PIV;
    const total = cnt + 17;
    const left = this.lMax[p] === MAX_INDEX && ps >= 15 ? 15 : (total + 1) >> 1;
    const m = left - cnt;
    const sb = (sib & 511) << 4;
    const spiv = this.pivS[sib >> 9]!;
    const skids = this.kidS[sib >> 9]!;
    for (let v = 0; v < m; v++) {
      skids[sb + cnt + v] = sk[v]!;
      spiv[sb + cnt + v] = sp[v]!;
      this.setParent(sk[v]!, sib, cnt + v);
    }
    setEndAt(spiv, sb + 15, left - 1);
    const right = 17 - m;
    const pb = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    const pkids = this.kidS[parent >> 9]!;
    for (let j = 0; j < right; j++) {
      pkids[pb + j] = sk[m + j]!;
      ppiv[pb + j] = sp[m + j]!;
      this.setParent(sk[m + j]!, parent, j);
    }
    for (let j = right; j < 15; j++) ppiv[pb + j] = MAX_INDEX;
    for (let j = right; j < 16; j++) pkids[pb + j] = 0;
    setEndAt(ppiv, pb + 15, right - 1);
    const gp = this.lNode[p - 1]!;
    this.pivS[gp >> 9]![((gp & 511) << 4) + this.lSlot[p - 1]! - 1] = sp[m - 1]!;
  }

  /**
   * mas_push_data() of a full parent into its right sibling `sib` (`cnt` children, up to
   * `sibMax`), in place: the parent keeps the first half of the 17 children and the
   * sibling's (the larger one), the sibling's children move up and it takes the parent's
   * last ones at its front; only the grandparent's pivot between the two moves.
   */
  private pushParentRight(
    leafD: number,
    leftMax: number,
    id: number,
    rightMax: number,
    sib: number,
    cnt: number,
    sibMax: number,
  ): void {
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    this.parentSeq(leafD, leftMax, id, rightMax);
    const sk = SEQ_KIDS;
    const sp = SEQ_PIV;
    const left = (cnt + 18) >> 1;
    const mv = 17 - left;
    const sb = (sib & 511) << 4;
    const spiv = this.pivS[sib >> 9]!;
    const skids = this.kidS[sib >> 9]!;
    for (let i = cnt - 1; i >= 0; i--) {
      const child = skids[sb + i]!;
      skids[sb + i + mv] = child;
      spiv[sb + i + mv] = i < cnt - 1 ? spiv[sb + i]! : sibMax;
      this.setParentSlot(child, i + mv);
    }
    for (let j = 0; j < mv; j++) {
      skids[sb + j] = sk[left + j]!;
      spiv[sb + j] = sp[left + j]!;
      this.setParent(sk[left + j]!, sib, j);
    }
    setEndAt(spiv, sb + 15, cnt + mv - 1);
    const pb = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    const pkids = this.kidS[parent >> 9]!;
    for (let v = ps; v < left; v++) {
      pkids[pb + v] = sk[v]!;
      ppiv[pb + v] = sp[v]!;
      if (v > ps) this.setParent(sk[v]!, parent, v);
    }
    for (let j = left; j < 15; j++) ppiv[pb + j] = MAX_INDEX;
    for (let j = left; j < 16; j++) pkids[pb + j] = 0;
    setEndAt(ppiv, pb + 15, left - 1);
    const gp = this.lNode[p - 1]!;
    this.pivS[gp >> 9]![((gp & 511) << 4) + this.lSlot[p - 1]!] = sp[left - 1]!;
  }

  /**
   * lib/maple_tree.c: mas_rebalance() of a parent left short by a leaf merge, done in place:
   * the parent's child ps + 1 (the right leaf of the merge, freed, up to `sibMax`) leaves it,
   * and the parent, below its minimum and not the last node of its level, takes its right
   * sibling (same grandparent) as rebuild()'s pullRight() would: all of it when the two fit
   * in one node (the sibling is freed and leaves the grandparent, whose later children shift
   * down), else the front of it up to the even cut of planSplit(); only the grandparent's
   * pivot between the two moves. Declines (false, nothing changed) when the parent keeps its
   * minimum, is its parent's last child or the root's child, or when the merge would leave
   * the grandparent short: the general rebuild does those.
   */
  protected mergeParent(leafD: number, ps: number, sibMax: number, inRebuild = false): boolean {
    const p = leafD - 1;
    const g = p - 1;
    if (g < 0 || this.allocRangeEnabled) return false;
    const parent = this.lNode[p]!;
    const pb = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    const pkids = this.kidS[parent >> 9]!;
    const pe = ppiv[pb + 15]! & 15;
    const parentMax = this.lMax[p]!;
    const cnt = pe;
    if (cnt >= this.internalMin || parentMax === MAX_INDEX) return false;
    const gp = this.lNode[g]!;
    const gb = (gp & 511) << 4;
    const gpiv = this.pivS[gp >> 9]!;
    const gkids = this.kidS[gp >> 9]!;
    const gEnd = gpiv[gb + 15]! & 15;
    const gs = this.lSlot[g]!;
    if (gs >= gEnd) return false;
    const gMax = this.lMax[g]!;
    const sib = gkids[gb + gs + 1]!;
    const sb = (sib & 511) << 4;
    const spiv = this.pivS[sib >> 9]!;
    const skids = this.kidS[sib >> 9]!;
    const se = spiv[sb + 15]! & 15;
    const rMax = gs + 1 < gEnd ? gpiv[gb + gs + 1]! : gMax;
    const total = cnt + se + 1;
    const merge = total <= MAPLE_RANGE64_SLOTS;
    if (merge && (g === 0 ? gEnd - 1 === 0 : gEnd < this.internalMin && gMax !== MAX_INDEX)) return false;
    // The children in order: the parent's without child ps + 1, then the sibling's.
    const sk = SEQ_KIDS;
    const sp = SEQ_PIV;
    for (let v = 0; v < cnt; v++) {
      const o = v <= ps ? v : v + 1;
      sk[v] = pkids[pb + o]!;
      sp[v] = v === ps ? sibMax : o < pe ? ppiv[pb + o]! : parentMax;
    }
    for (let k = 0; k <= se; k++) {
      sk[cnt + k] = skids[sb + k]!;
      sp[cnt + k] = k < se ? spiv[sb + k]! : rMax;
    }
    const left = merge ? total : (total + 1) >> 1;
    for (let j = ps + 1; j < left; j++) {
      pkids[pb + j] = sk[j]!;
      if (j < 15) ppiv[pb + j] = sp[j]!;
      this.setParent(sk[j]!, parent, j);
    }
    ppiv[pb + ps] = sp[ps]!;
    for (let j = left; j < 15; j++) ppiv[pb + j] = MAX_INDEX;
    for (let j = left; j < 16; j++) pkids[pb + j] = 0;
    setEndAt(ppiv, pb + 15, left - 1);
    if (!merge) {
      const right = total - left;
      for (let j = 0; j < right; j++) {
        skids[sb + j] = sk[left + j]!;
        spiv[sb + j] = sp[left + j]!;
        this.setParent(sk[left + j]!, sib, j);
      }
      for (let j = right; j <= se; j++) {
        skids[sb + j] = 0;
        if (j < 15) spiv[sb + j] = MAX_INDEX;
      }
      setEndAt(spiv, sb + 15, right - 1);
      gpiv[gb + gs] = sp[left - 1]!;
      return true;
    }
    // Merged: the sibling leaves the grandparent, whose later children shift down one slot.
    gpiv[gb + gs] = rMax;
    for (let i = gs + 2; i <= gEnd; i++) this.moveChild(gpiv, gkids, gb, i, i - 1, gEnd, gMax);
    gkids[gb + gEnd] = 0;
    if (gEnd < 15) gpiv[gb + gEnd] = MAX_INDEX;
    setEndAt(gpiv, gb + 15, gEnd - 1);
    // Inside rebuild() the sibling is freed with the write's other dead nodes, after them.
    if (inRebuild) this.dead[this.nDead++] = sib;
    else this.freeNode(sib);
    return true;
  }

  /**
   * rebuild() from the parent level of the recorded path, once the leaf level was done in
   * place: children `lSlot[p]..rs` of the parent are replaced by the `count` leaves in
   * newIds (the first is the path's leaf, ending at `max0`; a second was set by the caller).
   * Not for allocation trees (no gaps are computed).
   */
  protected rebuildParents(leafD: number, rs: number, count: number, max0: number): void {
    this.newIds[0] = this.lNode[leafD]!;
    this.newMax[0] = max0;
    this.newGap[0] = 0;
    this.newCount = count;
    for (let d = 0; d < leafD; d++) {
      this.rNode[d] = this.lNode[d]!;
      this.rSlot[d] = this.lSlot[d]!;
      this.rMin[d] = this.lMin[d]!;
      this.rMax[d] = this.lMax[d]!;
    }
    this.rSlot[leafD - 1] = rs;
    this.rebuild(leafD, 0, leafD - 1);
  }

  /** Whether slot `v` of splitLeaf()'s sequence (see there) is NULL. */
  private splitSlotIsNull(
    sl: unknown[],
    base: number,
    ls: number,
    newPos: number,
    pEnd: number,
    sh: number,
    old: unknown,
    v: number,
  ): boolean {
    if (v < ls) return sl[base + v] === undefined;
    if (v < pEnd) return v !== newPos && old === undefined;
    return sl[base + v - sh] === undefined;
  }

  /**
   * The leaf on the recorded path now ends at `leftMax`, and leaf `id` (up to `rightMax`)
   * follows it in the parent, which has room (the caller checked). The parent's later
   * children shift up one slot in place (lib/maple_tree.c: mas_wr_node_store() of the parent,
   * as replaceChildrenInPlace() would do it, without its generality). The recorded path moves
   * to the new leaf when `toNew`, so that a write next to the last one does not walk.
   */
  private addLeafAfter(leafD: number, leftMax: number, id: number, rightMax: number, toNew: boolean): void {
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    const pb = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    const pkids = this.kidS[parent >> 9]!;
    const pe = ppiv[pb + 15]! & 15;
    if (ps < pe) {
      // The last child's pivot is the parent's maximum (not stored when the parent fills).
      const c = pkids[pb + pe]!;
      pkids[pb + pe + 1] = c;
      this.setParentSlot(c, pe + 1);
      if (pe + 1 < 15) ppiv[pb + pe + 1] = this.lMax[p]!;
      for (let i = pe - 1; i > ps; i--) {
        const c = pkids[pb + i]!;
        pkids[pb + i + 1] = c;
        this.setParentSlot(c, i + 1);
        ppiv[pb + i + 1] = ppiv[pb + i]!;
      }
    }
    ppiv[pb + ps] = leftMax;
    pkids[pb + ps + 1] = id;
    this.setParent(id, parent, ps + 1);
    if (ps + 1 < 15) ppiv[pb + ps + 1] = rightMax;
    setEndAt(ppiv, pb + 15, pe + 1);
    if (toNew) {
      this.lSlot[p] = ps + 1;
      this.lNode[leafD] = id;
      this.lMin[leafD] = leftMax + 1;
    } else this.lMax[leafD] = leftMax;
    this.pathSeq = this.seq;
  }

  /**
   * lib/maple_tree.c: mas_split() of the commonest kind, done in place: `[a, b]` is stored at
   * the start of the trailing NULL of a full rightmost leaf whose parent has room (a tree
   * growing by appends). As rebuild() would, the leaf keeps its first 15 slots, a new leaf
   * takes `[a, b]` and the NULL after it, and the parent gains that leaf as its last child
   * (appended directly, as mas_wr_append() would: the parent's other children keep their
   * slots and parent links); the recorded path moves to the new leaf, so the next append does
   * not walk.
   */
  protected splitAppend(leafD: number, a: number, b: number, value: T): void {
    const leaf = this.lNode[leafD]!;
    // Its pivot 14 already ends at a - 1, its slot 15 is the NULL being replaced.
    setEndAt(this.pivS[leaf >> 9]!, ((leaf & 511) << 4) + 15, MAPLE_RANGE64_SLOTS - 2);
    // The new leaf first (growing the pool may replace an internal slab's arrays): [a, b] and
    // the NULL up to the end. Its value cells past slot 0 hold undefined (a fresh node's, or
    // cleared by freeNode()); its pivot cells may hold a former node's.
    const id = this.allocNode(true);
    const rb = (id & 511) << 4;
    const rpiv = this.pivS[id >> 9]!;
    // Pivot 1 is the NULL's end, the leaf's maximum; the cells past it hold MAX_INDEX too.
    rpiv[rb] = b;
    for (let i = 1; i < 15; i++) rpiv[rb + i] = MAX_INDEX;
    this.slotS[id >> 9]![rb] = value;
    // lib/maple_tree.c: mas_wr_append() at the parent: the leaf is its last child (the parent
    // has room, the caller checked), the new leaf follows it and ends the parent at MAX_INDEX.
    const p = leafD - 1;
    const parent = this.lNode[p]!;
    const ps = this.lSlot[p]!;
    const pb = (parent & 511) << 4;
    const ppiv = this.pivS[parent >> 9]!;
    ppiv[pb + ps] = a - 1;
    if (ps + 1 < 15) ppiv[pb + ps + 1] = MAX_INDEX;
    this.kidS[parent >> 9]![pb + ps + 1] = id;
    setEndAt(ppiv, pb + 15, ps + 1);
    // Metadata word of the new leaf: end 1, slot ps + 1 of `parent`, pool mark 0.
    rpiv[rb + 15] = 1 + (ps + 1) * 16 + (parent + 1) * 16384;
    // The recorded path moves to the new leaf, so the next append does not walk.
    this.lSlot[p] = ps + 1;
    this.lNode[leafD] = id;
    this.lMin[leafD] = a;
    this.pathSeq = this.seq;
  }

  /**
   * lib/maple_tree.c: mas_split() of an append whose parent is full, done in place: what
   * splitAppend() does at the leaf, then at each full rightmost ancestor what rebuild() would
   * do with its 17 children (mab_calc_split() at the right edge keeps the left node's first 15
   * children in place; a new node takes its last child and the new node from below), up to the
   * first ancestor with room, which gains the new node as its last child (mas_wr_append() at
   * that level), or to the root, which then gets a new root above it. Nodes are allocated and
   * written in rebuild()'s order, so the tree comes out identical. Returns false, having
   * changed nothing, where rebuild() would first push into a left sibling (mas_push_data()),
   * for allocation trees (gaps) and a leaf root; the recorded path is left stale, as rebuild()
   * leaves it (the next write walks).
   */
  protected splitAppendUp(leafD: number, a: number, b: number, value: T): boolean {
    if (leafD === 0 || this.allocRangeEnabled || this.pushLeaves) return false;
    const LN = this.lNode;
    const LS = this.lSlot;
    const full = this.internalSlots - 1;
    // The deepest ancestor with room (-1: none, the root splits too).
    let g = leafD - 1;
    while (g >= 0 && (this.pivS[LN[g]! >> 9]![((LN[g]! & 511) << 4) + 15]! & 15) === full) {
      // pushLeft() at this level: a left sibling taking part of the 17 children.
      if (g > 0 && LS[g - 1]! > 0) {
        const sib = this.childAt(LN[g - 1]!, LS[g - 1]! - 1);
        if (this.endOf(sib) + 1 + full + 2 <= this.pushLimit(full + 1, false, true)) return false;
      }
      g--;
    }
    const leaf = LN[leafD]!;
    // The leaf keeps its first 15 slots; its pivot 14 already ends at a - 1.
    setEndAt(this.pivS[leaf >> 9]!, ((leaf & 511) << 4) + 15, MAPLE_RANGE64_SLOTS - 2);
    let fresh = this.allocNode(true);
    {
      const rb = (fresh & 511) << 4;
      const rpiv = this.pivS[fresh >> 9]!;
      rpiv[rb] = b;
      for (let i = 1; i < 15; i++) rpiv[rb + i] = MAX_INDEX;
      setEndAt(rpiv, rb + 15, 1);
      this.slotS[fresh >> 9]![rb] = value;
    }
    let leftMax = a - 1;
    for (let d = leafD - 1; d > g; d--) {
      // Full node x keeps children 0..14; a new node takes child 15 (split below) and `fresh`.
      const y = this.allocNode(false);
      const x = LN[d]!;
      const xb = (x & 511) << 4;
      const xpiv = this.pivS[x >> 9]!;
      const xkids = this.kidS[x >> 9]!;
      const moved = xkids[xb + full]!;
      xkids[xb + full] = 0;
      setEndAt(xpiv, xb + 15, full - 1);
      const yb = (y & 511) << 4;
      const ypiv = this.pivS[y >> 9]!;
      const ykids = this.kidS[y >> 9]!;
      ypiv[yb] = leftMax;
      for (let i = 1; i < 15; i++) ypiv[yb + i] = MAX_INDEX;
      setEndAt(ypiv, yb + 15, 1);
      ykids[yb] = moved;
      ykids[yb + 1] = fresh;
      for (let i = 2; i < 16; i++) ykids[yb + i] = 0;
      this.setParent(moved, y, 0);
      this.setParent(fresh, y, 1);
      leftMax = xpiv[xb + full - 1]!;
      fresh = y;
    }
    if (g >= 0) {
      // replaceChildrenInPlace() at the ancestor with room: `fresh` after its last child.
      const node = LN[g]!;
      const nb = (node & 511) << 4;
      const npiv = this.pivS[node >> 9]!;
      const ls = LS[g]!;
      npiv[nb + ls] = leftMax;
      this.kidS[node >> 9]![nb + ls + 1] = fresh;
      this.setParent(fresh, node, ls + 1);
      if (ls + 1 < 15) npiv[nb + ls + 1] = MAX_INDEX;
      setEndAt(npiv, nb + 15, ls + 1);
      return true;
    }
    // finishRoot(): the old root and `fresh` under a new root, one level more.
    const old = this.root;
    const r = this.allocNode(false);
    const rb = (r & 511) << 4;
    const rpiv = this.pivS[r >> 9]!;
    const rkids = this.kidS[r >> 9]!;
    rpiv[rb] = leftMax;
    for (let i = 1; i < 15; i++) rpiv[rb + i] = MAX_INDEX;
    setEndAt(rpiv, rb + 15, 1);
    rkids[rb] = old;
    rkids[rb + 1] = fresh;
    for (let i = 2; i < 16; i++) rkids[rb + i] = 0;
    this.setParent(old, r, 0);
    this.setParent(fresh, r, 1);
    this.setParent(r, -1, 0);
    this.root = r;
    this.height++;
    return true;
  }
}
