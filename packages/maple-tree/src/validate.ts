/**
 * Validation and dump of the node structure (lib/maple_tree.c: mt_validate(), mt_validate_nulls(),
 * mas_validate_gaps(), mas_validate_limits(), mas_validate_child_slot(), mt_dump()).
 */
import { MapleTreeCorruptionError } from './errors';
import {
  GAP_STRIDE,
  MAPLE_HEIGHT_MAX,
  MAPLE_RANGE64_SLOTS,
  MAX_INDEX,
  META_END,
  RANGE64_MIN_SLOTS,
  SLAB_INNER,
  SLAB_LEAF,
  SLAB_MASK,
  SLAB_NODES,
  SLAB_SHIFT,
  STRIDE,
} from './node';
import { MapleStore } from './store';

/** mt_validate() and mt_dump() over the node structure. */
export class MapleCheck<T> extends MapleStore<T> {
  /** lib/maple_tree.c: mt_validate() — throws MapleTreeCorruptionError on the first violation. */
  validate(): void {
    if (this.root < 0) {
      if (this.height !== 0)
        throw new MapleTreeCorruptionError(`empty tree with height ${this.height}`, -1, 0);
      this.checkNoLeak(0);
      return;
    }
    if (this.height < 1 || this.height > MAPLE_HEIGHT_MAX) {
      throw new MapleTreeCorruptionError(`height ${this.height} out of range`, this.root, 0);
    }
    if (this.parentOf(this.root) !== -1)
      throw new MapleTreeCorruptionError('root has a parent', this.root, 0);
    const ctx = { seen: new Set<number>(), prevNull: false, leaves: 0 };
    this.validateNode(this.root, 0, 0, MAX_INDEX, ctx);
    this.checkNoLeak(ctx.seen.size);
    if (this.height === 1 && this.endOf(this.root) === 0 && this.valueAt(this.root, 0) === undefined) {
      throw new MapleTreeCorruptionError('root leaf holds only NULL (should be an empty tree)', this.root, 0);
    }
  }

  /** The pool: every node handed out and not freed is one of the `reached` nodes of the tree. */
  private checkNoLeak(reached: number): void {
    let live = 0;
    for (let slab = 0; slab < this.slabKind.length; slab++) {
      for (let i = 0; i < this.slabUsed[slab]!; i++) if (this.markOf(slab * SLAB_NODES + i) === 0) live++;
    }
    if (live !== reached) {
      throw new MapleTreeCorruptionError(`${live - reached} nodes in use but not in the tree`, -1, 0);
    }
  }

  private validateNode(
    node: number,
    depth: number,
    min: number,
    max: number,
    ctx: { seen: Set<number>; prevNull: boolean; leaves: number },
  ): number {
    const fail = (msg: string): never => {
      throw new MapleTreeCorruptionError(msg, node, depth);
    };
    if (!this.isNodeId(node) || this.markOf(node) !== 0) fail('reference to a free or invalid node');
    if (ctx.seen.has(node)) fail('node referenced twice');
    ctx.seen.add(node);
    const isLeaf = depth === this.height - 1;
    if (depth >= this.height) fail(`node below the recorded height ${this.height}`);
    if (this.slabKind[node >> SLAB_SHIFT] === (isLeaf ? SLAB_INNER : SLAB_LEAF)) {
      fail(`${isLeaf ? 'leaf' : 'internal node'} in a slab of the other kind`);
    }
    const cap = isLeaf ? MAPLE_RANGE64_SLOTS : this.internalSlots;
    const minSlots = isLeaf ? RANGE64_MIN_SLOTS : this.internalMin;
    const base = (node & SLAB_MASK) * STRIDE;
    const piv = this.pivS[node >> SLAB_SHIFT]!;
    const e = this.endOf(node);
    const sl = this.slotS[node >> SLAB_SHIFT]!;
    const kids = this.kidS[node >> SLAB_SHIFT]!;
    if (!Number.isSafeInteger(piv[base + META_END]) || piv[base + META_END]! < 0) {
      fail(`metadata word ${piv[base + META_END]} is not a non-negative integer`);
    }
    if (e >= cap) fail(`end ${e} beyond ${cap} slots`);
    // 1. pivots
    let prev = min - 1;
    for (let k = 0; k < e; k++) {
      const p = piv[base + k]!;
      if (k > 0 && p === 0) fail(`pivot ${k} is 0`);
      if (p <= prev) fail(`pivot ${k} = ${p} does not increase (previous end ${prev})`);
      if (p < min || p > max) fail(`pivot ${k} = ${p} outside [${min}, ${max}]`);
      if (p >= max) fail(`slot ${k} ends at node max ${max} but is not the last slot`);
      prev = p;
    }
    if (e < cap - 1 && piv[base + e] !== max) {
      fail(`last slot ${e} ends at ${piv[base + e]} instead of node max ${max}`);
    }
    // 2. past end (internal nodes keep no values at all)
    for (let k = isLeaf ? e + 1 : 0; k < STRIDE; k++) {
      if (sl[base + k] !== undefined) fail(`slot ${k} past end ${e} is not empty`);
    }
    for (let k = e + 1; k < STRIDE; k++) {
      if (k < META_END && piv[base + k] !== MAX_INDEX) fail(`pivot ${k} past end ${e} is not MAX_INDEX`);
      if (!isLeaf && kids[base + k] !== 0) fail(`child slot ${k} past end ${e} is not empty`);
    }
    // 4. occupancy
    if (node !== this.root && max !== MAX_INDEX && e + 1 < minSlots) {
      fail(`${e + 1} slots used, minimum is ${minSlots}`);
    }
    if (isLeaf) {
      ctx.leaves++;
      let best = 0;
      let s = min;
      for (let k = 0; k <= e; k++) {
        const ke = k < e ? piv[base + k]! : max;
        const isNull = sl[base + k] === undefined;
        if (isNull) {
          if (ctx.prevNull) fail(`two consecutive NULL slots at index ${s}`);
          if (ke - s + 1 > best) best = ke - s + 1;
        }
        ctx.prevNull = isNull;
        s = ke + 1;
      }
      if (max !== MAX_INDEX && sl[base + e] === undefined) fail('non-rightmost leaf ends with NULL');
      return best;
    }
    // 3. children
    let best = 0;
    let s = min;
    const gb = (node & SLAB_MASK) * STRIDE;
    const gaps = this.gapS[node >> SLAB_SHIFT]!;
    for (let k = 0; k <= e; k++) {
      const ke = k < e ? piv[base + k]! : max;
      const c = kids[base + k]!;
      if (!this.isNodeId(c)) fail(`slot ${k} holds invalid node id ${c}`);
      if (this.parentOf(c) !== node || this.parentSlotOf(c) !== k) {
        fail(`child in slot ${k} points back to node ${this.parentOf(c)} slot ${this.parentSlotOf(c)}`);
      }
      const g = this.validateNode(c, depth + 1, s, ke, ctx);
      if (this.allocRangeEnabled) {
        if (gaps[gb + k] !== g) fail(`gap[${k}] = ${gaps[gb + k]} but child's largest gap is ${g}`);
        if (g > ke - s + 1) fail(`gap[${k}] larger than the child's span`);
      }
      if (g > best) best = g;
      s = ke + 1;
    }
    if (this.allocRangeEnabled) {
      for (let k = e + 1; k < GAP_STRIDE; k++) if (gaps[gb + k] !== 0) fail(`gap[${k}] past end is not 0`);
      const off = this.gapOffsetOf(node);
      if (off > e || gaps[gb + off] !== best)
        fail(`metadata gap offset ${off} does not point at the largest gap`);
    }
    return best;
  }

  /** lib/maple_tree.c: mt_dump() — free-format text of the node structure. */
  dump(): string {
    const out: string[] = [];
    const rec = (node: number, depth: number, min: number, max: number): void => {
      const e = this.endOf(node);
      const isLeaf = depth === this.height - 1;
      out.push(`${'  '.repeat(depth)}${isLeaf ? 'leaf' : 'node'} ${node} [${min}, ${max}] end ${e}`);
      let s = min;
      for (let k = 0; k <= e; k++) {
        const ke = k < e ? this.pivotAt(node, k) : max;
        if (isLeaf) out.push(`${'  '.repeat(depth + 1)}[${s}, ${ke}] ${String(this.valueAt(node, k))}`);
        else rec(this.childAt(node, k), depth + 1, s, ke);
        s = ke + 1;
      }
    };
    if (this.root >= 0) rec(this.root, 0, 0, MAX_INDEX);
    return out.join('\n');
  }
}
