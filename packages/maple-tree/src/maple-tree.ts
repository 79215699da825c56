/**
 * lib/maple_tree.c, include/linux/maple_tree.h: the maple tree, a range B-tree.
 *
 * Nodes live in slabs of parallel typed arrays (struct-of-arrays) addressed by node id, so a
 * node costs its pivots, its slots and a few bytes of metadata, and no lookup allocates. As in
 * the kernel, a node's metadata `end` sits inside the node: in the pivot cell no node uses
 * (pivot 15), so a walk reads it from the cache line it reads pivots from. Internal nodes keep
 * their children in a typed array; only leaf values live in ordinary JS arrays.
 * Leaves are `maple_leaf_64` (16 slots, 15 pivots); internal nodes are `maple_range_64`
 * (16 slots) or, in trees made with `allocRange: true`, `maple_arange_64` (10 slots, 9 pivots,
 * a gap per child and the offset of the largest gap in the metadata).
 */
import { MapleTreeCorruptionError, MapleTreeError } from './errors';

/** ULONG_MAX of the kernel: the largest index, `Number.MAX_SAFE_INTEGER` (2^53 − 1). */
export const MAX_INDEX: number = Number.MAX_SAFE_INTEGER;

/** One stored range: every index in `[index, last]` maps to `value`. */
export interface MapleEntry<T> {
  index: number;
  last: number;
  value: T;
}

/** Options of `new MapleTree()`. */
export interface MapleTreeOptions {
  /** MT_FLAGS_ALLOC_RANGE: track gaps in internal nodes, enabling `emptyArea*` and `allocRange*`. */
  allocRange?: boolean;
}

/** include/linux/maple_tree.h: MAPLE_RANGE64_SLOTS */
const MAPLE_RANGE64_SLOTS = 16;
/** include/linux/maple_tree.h: MAPLE_ARANGE64_SLOTS */
const MAPLE_ARANGE64_SLOTS = 10;
/** include/linux/maple_tree.h: MAPLE_HEIGHT_MAX */
const MAPLE_HEIGHT_MAX = 31;
/** lib/maple_tree.c: mt_min_slots[] as slot counts (end + 1) for leaf/range and arange nodes. */
const RANGE64_MIN_SLOTS = 7;
const ARANGE64_MIN_SLOTS = 5;

/** Every node id owns this many pivot and slot cells. */
const STRIDE = MAPLE_RANGE64_SLOTS;
/**
 * Pivot cell holding the node's metadata `end` (offset of the last used slot). A node has at
 * most 15 pivots (0..14): the 16th slot's end is implied by the parent, so cell 15 is free.
 */
const META_END = STRIDE - 1;
/**
 * Nodes come from slabs of this many nodes (kernel: the maple_node kmem_cache): node `id` owns
 * cells `(id & SLAB_MASK) * STRIDE ...` of slab `id >> SLAB_SHIFT`'s arrays, so the pool grows
 * by adding slabs and never copies a whole pool. The first slabs start with room for
 * SLAB_FIRST nodes and double up to SLAB_NODES, so that a small tree stays small.
 */
const SLAB_SHIFT = 9;
const SLAB_MASK = (1 << SLAB_SHIFT) - 1;
const SLAB_NODES = 1 << SLAB_SHIFT;
/** Room of a new small slab; it doubles as its nodes are handed out, up to SLAB_NODES. */
const SLAB_FIRST = 8;
/** Gap cells per node id in allocation trees. */
const GAP_STRIDE = MAPLE_ARANGE64_SLOTS;
/** Enough for a leaf plus both neighbours plus a spanning store (kernel: MAPLE_BIG_NODE_SLOTS). */
const BUF_SLOTS = 160;

/** Slab kinds: the first slab serves both; later ones hold leaves only or internal nodes only. */
const SLAB_MIXED = 0;
const SLAB_LEAF = 1;
const SLAB_INNER = 2;

const MARK_CONSUMED = 1;
const MARK_FREE = 2;

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

/** Value cells of a full slab, all empty (built by push, so the elements are PACKED). */
const EMPTY_SLOT_SLAB: unknown[] = [];
for (let i = 0; i < SLAB_NODES * STRIDE; i++) EMPTY_SLOT_SLAB.push(undefined);

/** Value cells for `nodes` nodes, the first of them copied from `from` (a flat copy, still PACKED). */
function newSlotSlab(nodes: number, from?: unknown[]): unknown[] {
  const slab = EMPTY_SLOT_SLAB.slice(0, nodes * STRIDE);
  if (from !== undefined) for (let i = 0; i < from.length; i++) slab[i] = from[i];
  return slab;
}

/**
 * Offset of the slot containing `index` in the node whose cells start at `base`: a binary
 * search over its used pivots (random lookups mispredict a linear scan's exit). The first
 * probe is pivot 7, read together with the end: neither load waits for the other, so both
 * cache lines of the node's pivots are fetched at once.
 */
function searchNode(piv: Float64Array, base: number, index: number): number {
  const e = piv[base + META_END]! | 0;
  let k = 0;
  for (let j = 0; j < e; j++) k += Number(piv[base + j]! < index);
  return k;
}

const NO_PIVOTS = new Float64Array(STRIDE);
/** The cells a slab kind does not use (never written). */
const NO_SLOTS: unknown[] = [];
const NO_KIDS = new Int32Array(0);
const NO_GAPS = new Float64Array(0);

function checkIndex(what: string, i: number): void {
  if (!Number.isSafeInteger(i) || i < 0) {
    throw new MapleTreeError('EINVAL', `${what} must be an integer in 0..MAX_INDEX, got ${String(i)}`);
  }
}

function checkRange(first: number, last: number): void {
  checkIndex('first index', first);
  checkIndex('last index', last);
  if (first > last) throw new MapleTreeError('EINVAL', `first index ${first} > last index ${last}`);
}

/**
 * lib/maple_tree.c: struct maple_tree and the mtree_* API.
 *
 * Maps every index of `0..MAX_INDEX` to a value or to nothing (`undefined`, the kernel's NULL).
 */
export class MapleTree<T> implements Iterable<MapleEntry<T>> {
  /** MT_FLAGS_ALLOC_RANGE */
  readonly allocRangeEnabled: boolean;

  /** @internal per slab: pivots 0..14 and the metadata end in cell META_END, STRIDE per node */
  pivS!: Float64Array[];
  /** @internal per slab: leaf slots (values), STRIDE per node; all undefined in internal nodes */
  slotS!: unknown[][];
  /** @internal per slab: internal-node slots (child ids), STRIDE per node, 0 past end; unused in leaves */
  kidS!: Int32Array[];
  /** @internal per slab: arange_64 per-child gaps, GAP_STRIDE per node (allocation trees only) */
  gapS!: Float64Array[];
  /** @internal parent node id, -1 for the root */
  parent!: Int32Array;
  /** @internal slot of this node in its parent */
  parentSlot!: Uint8Array;
  /** @internal arange_64 metadata gap: offset of the largest gap */
  gapOffset!: Uint8Array;
  /** @internal write bookkeeping and free-list marks */
  marks!: Uint8Array;
  /** Kind of each slab: SLAB_MIXED (the first), SLAB_LEAF or SLAB_INNER. */
  private slabKind: number[] = [];
  /** Per slab: room (nodes), and how many of its ids were handed out. */
  private slabCap: number[] = [];
  private slabUsed: number[] = [];
  /** Per slab kind: the slab fresh ids of that kind come from (-1: none yet). */
  private openSlab: number[] = [];
  /** Per slab kind: freed node ids. */
  private freeIds: number[][] = [];

  /** @internal root node id, -1 for an empty tree */
  root = -1;
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
  /** @internal number of levels; 0 when empty, 1 when the root is a leaf */
  height = 0;
  /** @internal modification counter; states re-walk when it moved */
  seq = 0;
  /** seq at which the recorded left path (lNode...) was last known to match the tree */
  private pathSeq = -1;

  private readonly internalSlots: number;
  private readonly internalMin: number;

  // Write scratch (one per tree: single-threaded, writes never nest).
  private readonly lNode = new Int32Array(MAPLE_HEIGHT_MAX + 1);
  private readonly lSlot = new Int32Array(MAPLE_HEIGHT_MAX + 1);
  private readonly lMin = new Float64Array(MAPLE_HEIGHT_MAX + 1);
  private readonly lMax = new Float64Array(MAPLE_HEIGHT_MAX + 1);
  private readonly rNode = new Int32Array(MAPLE_HEIGHT_MAX + 1);
  private readonly rSlot = new Int32Array(MAPLE_HEIGHT_MAX + 1);
  private readonly rMin = new Float64Array(MAPLE_HEIGHT_MAX + 1);
  private readonly rMax = new Float64Array(MAPLE_HEIGHT_MAX + 1);
  private readonly bufPiv = new Float64Array(BUF_SLOTS);
  private readonly bufSlot: unknown[] = Array.from({ length: BUF_SLOTS }, () => undefined);
  private readonly bufGap = new Float64Array(BUF_SLOTS);
  private bufLen = 0;
  private bufHigh = 0;
  private readonly splitSizes = new Int32Array(BUF_SLOTS);
  private readonly newIds = new Int32Array(BUF_SLOTS);
  private readonly newMax = new Float64Array(BUF_SLOTS);
  private readonly newGap = new Float64Array(BUF_SLOTS);
  private newCount = 0;
  /** Nodes emptied or dropped by the running write, freed when it ends (ids stay unique meanwhile). */
  private readonly dead: number[] = [];
  private nDead = 0;
  /** Nodes of the level being rebuilt whose contents are in the buffer (see consume()). */
  private readonly spare: number[] = [];
  private nSpare = 0;
  /** Consumed nodes given a new life as output nodes by the running write. */
  private readonly reused: number[] = [];
  private nReused = 0;
  /** Ancestor and slot found by climb(). */
  private climbParent = 0;
  private climbSlot = 0;
  /** Slot bounds found by the last lookupSlot(). */
  private foundStart = 0;
  private foundEnd = 0;
  /** The cursor of forEach()/forEachRev() (one per tree: they allocate nothing). */
  private readonly cursor: MapleState<T> = new MapleState<T>(this, 0, 0);
  /** Sum of the cells touchSibling() read (kept, so that the compiler keeps the reads). */
  private touched = 0;

  constructor(options: MapleTreeOptions = {}) {
    this.allocRangeEnabled = options.allocRange === true;
    this.internalSlots = this.allocRangeEnabled ? MAPLE_ARANGE64_SLOTS : MAPLE_RANGE64_SLOTS;
    this.internalMin = this.allocRangeEnabled ? ARANGE64_MIN_SLOTS : RANGE64_MIN_SLOTS;
    this.resetPool();
  }

  private resetPool(): void {
    this.pivS = [];
    this.slotS = [];
    this.kidS = [];
    this.gapS = [];
    this.slabKind = [];
    this.slabCap = [];
    this.slabUsed = [];
    this.openSlab = [-1, -1, -1];
    this.parent = new Int32Array(0);
    this.parentSlot = new Uint8Array(0);
    this.gapOffset = new Uint8Array(0);
    this.marks = new Uint8Array(0);
    this.freeIds = [[], [], []];
    this.openSlab[SLAB_MIXED] = this.addSlab(SLAB_MIXED);
    this.root = -1;
    this.height = 0;
  }

  /**
   * A new slab. The first slab serves both kinds of node; after it, a leaf slab has no child
   * or gap cells and an internal slab no value cells, which also packs the internal nodes that
   * every walk goes through into few pages. The first three slabs start with room for
   * SLAB_FIRST nodes and double as needed, so that a small tree stays small; a pool that
   * already has three gets full-size slabs (no copying as they fill).
   */
  private addSlab(kind: number): number {
    const slab = this.slabKind.length;
    const room = slab < 3 ? SLAB_FIRST : SLAB_NODES;
    const leaves = kind !== SLAB_INNER;
    const inner = kind !== SLAB_LEAF;
    this.pivS.push(new Float64Array(room * STRIDE));
    this.slotS.push(leaves ? newSlotSlab(room) : NO_SLOTS);
    this.kidS.push(inner ? new Int32Array(room * STRIDE) : NO_KIDS);
    this.gapS.push(inner && this.allocRangeEnabled ? new Float64Array(room * GAP_STRIDE) : NO_GAPS);
    this.slabKind.push(kind);
    this.slabCap.push(room);
    this.slabUsed.push(0);
    this.ensureMeta(slab * SLAB_NODES + room);
    return slab;
  }

  /** Double a slab's room (up to SLAB_NODES); its nodes keep their ids. */
  private growSlab(slab: number): void {
    const cap = this.slabCap[slab]! * 2;
    const piv = new Float64Array(cap * STRIDE);
    piv.set(this.pivS[slab]!);
    this.pivS[slab] = piv;
    const kind = this.slabKind[slab]!;
    if (kind !== SLAB_INNER) this.slotS[slab] = newSlotSlab(cap, this.slotS[slab]);
    if (kind !== SLAB_LEAF) {
      const kids = new Int32Array(cap * STRIDE);
      kids.set(this.kidS[slab]!);
      this.kidS[slab] = kids;
      if (this.allocRangeEnabled) {
        const gaps = new Float64Array(cap * GAP_STRIDE);
        gaps.set(this.gapS[slab]!);
        this.gapS[slab] = gaps;
      }
    }
    this.slabCap[slab] = cap;
    this.ensureMeta(slab * SLAB_NODES + cap);
  }

  /** Per-node metadata arrays (7 bytes a node) for at least `ids` node ids. */
  private ensureMeta(ids: number): void {
    if (ids <= this.parent.length) return;
    const cap = Math.max(ids, Math.ceil(this.parent.length * 1.25));
    const parent = new Int32Array(cap);
    parent.set(this.parent);
    this.parent = parent;
    const pslot = new Uint8Array(cap);
    pslot.set(this.parentSlot);
    this.parentSlot = pslot;
    const marks = new Uint8Array(cap);
    marks.set(this.marks);
    this.marks = marks;
    if (this.allocRangeEnabled) {
      const goff = new Uint8Array(cap);
      goff.set(this.gapOffset);
      this.gapOffset = goff;
    }
  }

  /** lib/maple_tree.c: mas_pop_node() — a node from the pool (the port never fails for memory). */
  private allocNode(isLeaf: boolean): number {
    const kind = isLeaf ? SLAB_LEAF : SLAB_INNER;
    let id = this.freeIds[kind]!.pop();
    if (id === undefined) id = this.freeIds[SLAB_MIXED]!.pop();
    if (id === undefined) {
      // Fresh ids come from the first slab while it has room, then from the kind's own slab.
      let slab = this.openSlab[SLAB_MIXED]!;
      if (this.slabUsed[slab] === SLAB_NODES) {
        slab = this.openSlab[kind]!;
        if (slab < 0 || this.slabUsed[slab] === SLAB_NODES) {
          slab = this.addSlab(kind);
          this.openSlab[kind] = slab;
        }
      }
      const used = this.slabUsed[slab]!;
      if (used === this.slabCap[slab]) this.growSlab(slab);
      this.slabUsed[slab] = used + 1;
      id = slab * SLAB_NODES + used;
    }
    this.marks[id] = 0;
    return id;
  }

  /** lib/maple_tree.c: ma_free_rcu() — back to the pool, values dropped so they can be collected. */
  private freeNode(id: number): void {
    // Pivots and children are left as they are: writeNode() sets every cell when the id is
    // used again, and leaving them spares the cache misses of touching cold cells.
    const kind = this.slabKind[id >> SLAB_SHIFT]!;
    if (kind !== SLAB_INNER) {
      const sl = this.slotS[id >> SLAB_SHIFT]!;
      const o = (id & SLAB_MASK) * STRIDE;
      for (let i = 0; i < STRIDE; i++) sl[o + i] = undefined;
    }
    this.marks[id] = MARK_FREE;
    this.freeIds[kind]!.push(id);
  }

  /** Whether `id` names a node handed out by the pool (free or not). */
  private isNodeId(id: number): boolean {
    const slab = id >> SLAB_SHIFT;
    return id >= 0 && slab < this.slabKind.length && (id & SLAB_MASK) < this.slabUsed[slab]!;
  }

  /** Slot `k` of a node: a value in a leaf, a child id in an internal node. */
  private slot(node: number, k: number, isLeaf: boolean): unknown {
    return isLeaf ? this.valueAt(node, k) : this.childAt(node, k);
  }

  /** Value in slot `k` of leaf `node`. */
  private valueAt(node: number, k: number): unknown {
    return this.slotS[node >> SLAB_SHIFT]![(node & SLAB_MASK) * STRIDE + k];
  }

  /** Child in slot `k` of internal node `node`. */
  private childAt(node: number, k: number): number {
    return this.kidS[node >> SLAB_SHIFT]![(node & SLAB_MASK) * STRIDE + k]!;
  }

  /** Pivot `k` of `node` (cell META_END: its end). */
  private pivotAt(node: number, k: number): number {
    return this.pivS[node >> SLAB_SHIFT]![(node & SLAB_MASK) * STRIDE + k]!;
  }

  /** Metadata end of `node`: offset of its last used slot. */
  private endOf(node: number): number {
    return this.pivS[node >> SLAB_SHIFT]![(node & SLAB_MASK) * STRIDE + META_END]! | 0;
  }

  // ---------------------------------------------------------------- reads

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
  private lookupSlot(index: number): T | undefined {
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
  private walkToSlot(index: number): T | undefined {
    const leafD = this.height - 1;
    const v = this.walkPath(index, this.lNode, this.lSlot, this.lMin, this.lMax);
    this.pathSeq = this.seq;
    const node = this.lNode[leafD]!;
    const k = this.lSlot[leafD]!;
    this.foundStart = k > 0 ? this.pivotAt(node, k - 1) + 1 : this.lMin[leafD]!;
    this.foundEnd = k < this.endOf(node) ? this.pivotAt(node, k) : this.lMax[leafD]!;
    return v as T | undefined;
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

  /** mt_for_each(): every non-empty range, ascending. */
  [Symbol.iterator](): Iterator<MapleEntry<T>> {
    const mas = new MapleState<T>(this, 0, 0);
    return {
      next(): IteratorResult<MapleEntry<T>> {
        const value = mas.find(MAX_INDEX);
        if (value === undefined) return { done: true, value: undefined };
        return { done: false, value: { index: mas.index, last: mas.last, value } };
      },
    };
  }

  /**
   * Every entry intersecting `[first, last]`, ascending: `callback(value, index, last)` with
   * the entry's full range; returning `false` stops. The loop runs over each leaf's pivots and
   * slots and climbs only at leaf ends (lib/maple_tree.c: mas_next_slot(), mas_next_node()).
   * Writes from inside the callback are allowed: the walk then resumes after the entry it
   * reported.
   */
  forEach(
    callback: (value: T, index: number, last: number) => unknown,
    first = 0,
    last: number = MAX_INDEX,
  ): void {
    checkIndex('first', first);
    checkIndex('last', last);
    if (first > last || this.root < 0) return;
    const mas = this.cursor;
    this.locate(mas, first);
    for (;;) {
      const piv = mas.leafPiv;
      const sl = mas.leafSlots;
      const base = mas.base;
      const end = piv[base + META_END]! | 0;
      const node = mas.node;
      const nodeMax = mas.nodeMax;
      const seq = this.seq;
      let off = mas.offset;
      let start = off > 0 ? piv[base + off - 1]! + 1 : mas.nodeMin;
      let stop = -1;
      for (; off <= end; off++) {
        const e = off < end ? piv[base + off]! : nodeMax;
        const v = sl[base + off];
        if (v !== undefined) {
          if (callback(v as T, start, e) === false) return;
          if (this.seq !== seq) {
            stop = e;
            break;
          }
        }
        if (e >= last) return;
        start = e + 1;
      }
      if (stop >= 0) {
        if (stop >= last || this.root < 0) return;
        this.locate(mas, stop + 1);
      } else {
        // A forEach() nested in the callback moved the shared cursor: step from this leaf.
        mas.node = node;
        mas.nodeMax = nodeMax;
        this.nextLeaf(mas);
      }
    }
  }

  /**
   * Every entry intersecting `[first, last]`, descending (the callback form of
   * mas_for_each_rev()): `callback(value, index, last)`; returning `false` stops.
   */
  forEachRev(
    callback: (value: T, index: number, last: number) => unknown,
    first = 0,
    last: number = MAX_INDEX,
  ): void {
    checkIndex('first', first);
    checkIndex('last', last);
    if (first > last || this.root < 0) return;
    const mas = this.cursor;
    this.locate(mas, last);
    for (;;) {
      const piv = mas.leafPiv;
      const sl = mas.leafSlots;
      const base = mas.base;
      const end = piv[base + META_END]! | 0;
      const node = mas.node;
      const nodeMin = mas.nodeMin;
      const seq = this.seq;
      let off = mas.offset;
      let e = off < end ? piv[base + off]! : mas.nodeMax;
      let stop = -1;
      for (; off >= 0; off--) {
        const s = off > 0 ? piv[base + off - 1]! + 1 : nodeMin;
        const v = sl[base + off];
        if (v !== undefined) {
          if (callback(v as T, s, e) === false) return;
          if (this.seq !== seq) {
            stop = s;
            break;
          }
        }
        if (s <= first) return;
        e = s - 1;
      }
      if (stop >= 0) {
        if (stop <= first || this.root < 0) return;
        this.locate(mas, stop - 1);
      } else {
        mas.node = node;
        mas.nodeMin = nodeMin;
        this.prevLeaf(mas);
      }
    }
  }

  // ---------------------------------------------------------------- writes

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

  /**
   * @internal mtree_erase() after the argument checks: walk to the entry containing `index`
   * and store NULL over all of it; returns the old value.
   */
  eraseEntry(index: number): T | undefined {
    if (this.root < 0) return undefined;
    const v = this.walkToSlot(index);
    if (v !== undefined && !this.eraseInLeaf()) this.write(this.foundStart, this.foundEnd, undefined);
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
    const base = (node & SLAB_MASK) * STRIDE;
    const piv = this.pivS[node >> SLAB_SHIFT]!;
    const sl = this.slotS[node >> SLAB_SHIFT]!;
    const e = piv[base + META_END]! | 0;
    if (ls === e && leafMax !== MAX_INDEX) return false;
    const lo = ls > 0 && sl[base + ls - 1] === undefined ? ls - 1 : ls;
    const hi = ls < e && sl[base + ls + 1] === undefined ? ls + 1 : ls;
    const shift = hi - lo;
    const newEnd = e - shift;
    if (newEnd === 0) return false;
    if (newEnd < RANGE64_MIN_SLOTS - 1 && leafD > 0 && leafMax !== MAX_INDEX) return false;
    this.seq++;
    sl[base + lo] = undefined;
    if (lo < META_END) piv[base + lo] = hi < e ? piv[base + hi]! : leafMax;
    if (shift > 0) {
      for (let i = hi + 1; i <= e; i++) {
        sl[base + i - shift] = sl[base + i];
        piv[base + i - shift] = i < e ? piv[base + i]! : leafMax;
      }
      for (let i = newEnd + 1; i <= e; i++) {
        sl[base + i] = undefined;
        if (i < META_END) piv[base + i] = 0;
      }
      piv[base + META_END] = newEnd;
    }
    if (this.allocRangeEnabled) this.propagateGap(leafD);
    this.pathSeq = this.seq;
    return true;
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
    const piv = this.pivS[node >> SLAB_SHIFT]!;
    const base = (node & SLAB_MASK) * STRIDE;
    const e = piv[base + META_END]! | 0;
    let s = nMin;
    if (depth === this.height - 1) {
      const sl = this.slotS[node >> SLAB_SHIFT]!;
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
    const gaps = this.gapS[node >> SLAB_SHIFT]!;
    const gbase = (node & SLAB_MASK) * GAP_STRIDE;
    const kids = this.kidS[node >> SLAB_SHIFT]!;
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
    const piv = this.pivS[node >> SLAB_SHIFT]!;
    const base = (node & SLAB_MASK) * STRIDE;
    const e = piv[base + META_END]! | 0;
    if (depth === this.height - 1) {
      const sl = this.slotS[node >> SLAB_SHIFT]!;
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
    const gaps = this.gapS[node >> SLAB_SHIFT]!;
    const gbase = (node & SLAB_MASK) * GAP_STRIDE;
    const kids = this.kidS[node >> SLAB_SHIFT]!;
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

  /**
   * Walk to the leaf containing `index`, recording node, slot, min and max per level; returns
   * the value of the slot found.
   */
  private walkPath(index: number, N: Int32Array, S: Int32Array, Mn: Float64Array, Mx: Float64Array): unknown {
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

  /**
   * lib/maple_tree.c: mas_wr_store_entry() — write `value` over `[first, last]`.
   * NULL writes first grow over adjacent NULL slots (mas_wr_extend_null()).
   * @internal
   */
  write(first: number, last: number, value: T | undefined): void {
    const pathValid = this.pathSeq === this.seq;
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
      const base = (node & SLAB_MASK) * STRIDE;
      const pv = this.pivS[node >> SLAB_SHIFT]!;
      const e = pv[base + META_END]! | 0;
      let k = e;
      if (e > 0 && pv[base + e - 1]! >= first) {
        k = 0;
        while (pv[base + k]! < first) k++;
      }
      LS[leafD] = k;
      cur = this.slotS[node >> SLAB_SHIFT]![base + k];
    } else {
      cur = this.walkPath(first, LN, LS, this.lMin, this.lMax);
    }
    const lnode = LN[leafD]!;
    const lbase = (lnode & SLAB_MASK) * STRIDE;
    const piv = this.pivS[lnode >> SLAB_SHIFT]!;
    const lsl = this.slotS[lnode >> SLAB_SHIFT]!;
    const lso = lbase;
    let ls = LS[leafD]!;
    let a = first;
    let b = last;
    const leafMax = this.lMax[leafD]!;
    const e = piv[lbase + META_END]! | 0;
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
          this.rewriteLeafInPlace(lnode, ls, ls, e, e + pieces - 1, ss, se, first, last, value, leafMax);
          if (this.allocRangeEnabled) this.propagateGap(leafD);
          this.pathSeq = this.seq;
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
      if (
        value !== undefined &&
        leafMax === MAX_INDEX &&
        leafD > 0 &&
        e === MAPLE_RANGE64_SLOTS - 1 &&
        ls === e &&
        ss === a &&
        b < MAX_INDEX &&
        cur === undefined &&
        !this.allocRangeEnabled &&
        this.endOf(LN[leafD - 1]!) < this.internalSlots - 1
      ) {
        this.splitAppend(leafD, a, b, value);
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
      const e = piv[lbase + META_END]! | 0;
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
      const rbase = (rnode & SLAB_MASK) * STRIDE;
      const rpiv = this.pivS[rnode >> SLAB_SHIFT]!;
      const rsl = this.slotS[rnode >> SLAB_SHIFT]!;
      const rso = rbase;
      const e = rpiv[rbase + META_END]! | 0;
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
    const base = (node & SLAB_MASK) * STRIDE;
    const piv = this.pivS[node >> SLAB_SHIFT]!;
    const sl = this.slotS[node >> SLAB_SHIFT]!;
    const e = piv[base + META_END]! | 0;
    const ss = ls > 0 ? piv[base + ls - 1]! + 1 : this.lMin[leafD]!;
    const keep = ss < a ? 1 : 0;
    const newEnd = ls - 1 + keep;
    if (newEnd < RANGE64_MIN_SLOTS - 1) return false;
    let d = leafD - 1;
    while (d >= 0 && this.lSlot[d] === this.endOf(this.lNode[d]!)) d--;
    if (d < 0) return false;
    const newMax = a - 1;
    for (let i = newEnd + 1; i <= e; i++) {
      sl[base + i] = undefined;
      if (i < META_END) piv[base + i] = 0;
    }
    if (keep === 1 && ls < META_END) piv[base + ls] = newMax;
    piv[base + META_END] = newEnd;
    for (let q = d + 1; q < leafD; q++) {
      const nd = this.lNode[q]!;
      const ne = this.endOf(nd);
      if (ne < META_END) this.pivS[nd >> SLAB_SHIFT]![(nd & SLAB_MASK) * STRIDE + ne] = newMax;
    }
    const sep = this.lNode[d]!;
    this.pivS[sep >> SLAB_SHIFT]![(sep & SLAB_MASK) * STRIDE + this.lSlot[d]!] = newMax;
    return true;
  }

  /**
   * lib/maple_tree.c: mas_split() of the commonest kind, done in place: `[a, b]` is stored at
   * the start of the trailing NULL of a full rightmost leaf whose parent has room (a tree
   * growing by appends). As rebuild() would, the leaf keeps its first 15 slots, a new leaf
   * takes `[a, b]` and the NULL after it, and the parent gains that leaf as its last child;
   * the recorded path moves to the new leaf, so the next append does not walk.
   */
  private splitAppend(leafD: number, a: number, b: number, value: T): void {
    const leaf = this.lNode[leafD]!;
    // Its pivot 14 already ends at a - 1, its slot 15 is the NULL being replaced.
    this.pivS[leaf >> SLAB_SHIFT]![(leaf & SLAB_MASK) * STRIDE + META_END] = MAPLE_RANGE64_SLOTS - 2;
    const id = this.allocNode(true);
    this.bufPiv[0] = b;
    this.bufSlot[0] = value;
    this.bufPiv[1] = MAX_INDEX;
    this.bufSlot[1] = undefined;
    this.writeNode(id, true, 0, 2, a, MAPLE_RANGE64_SLOTS);
    this.bufSlot[0] = undefined;
    // The parent's last child becomes these two (the caller checked it has room).
    const p = leafD - 1;
    this.newIds[0] = leaf;
    this.newMax[0] = a - 1;
    this.newIds[1] = id;
    this.newMax[1] = MAX_INDEX;
    this.newCount = 2;
    this.rNode[p] = this.lNode[p]!;
    this.rSlot[p] = this.lSlot[p]!;
    this.replaceChildrenInPlace(p, leafD);
    this.lSlot[p] = this.rSlot[p]! + 1;
    this.lNode[leafD] = id;
    this.lSlot[leafD] = 0;
    this.lMin[leafD] = a;
    this.pathSeq = this.seq;
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
    const base = (node & SLAB_MASK) * STRIDE;
    const piv = this.pivS[node >> SLAB_SHIFT]!;
    const sl = this.slotS[node >> SLAB_SHIFT]!;
    const so = base;
    const oldLeft = sl[so + ls];
    const oldRight = sl[so + k];
    const shift = newEnd - e;
    if (shift > 0) {
      for (let i = e; i > k; i--) {
        sl[so + i + shift] = sl[so + i];
        piv[base + i + shift] = i < e ? piv[base + i]! : leafMax;
      }
    } else if (shift < 0) {
      for (let i = k + 1; i <= e; i++) {
        sl[so + i + shift] = sl[so + i];
        piv[base + i + shift] = i < e ? piv[base + i]! : leafMax;
      }
      for (let i = newEnd + 1; i <= e; i++) {
        sl[so + i] = undefined;
        piv[base + i] = 0;
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
    // Cells past the new end hold 0 (a full leaf's pivot 15 is the end's cell).
    piv[base + META_END] = newEnd;
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
    this.parent[id] = -1;
    this.parentSlot[id] = 0;
    this.root = id;
    this.height = 1;
  }

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
   * dropped. The loop stops at the first level rewritten in place or at the root.
   */
  private rebuild(leafD: number, newPos: number): void {
    const LN = this.lNode;
    const LS = this.lSlot;
    const RN = this.rNode;
    const RS = this.rSlot;
    const alloc = this.allocRangeEnabled;
    this.nDead = 0;
    this.nSpare = 0;
    this.nReused = 0;

    for (let d = leafD; ; d--) {
      const isLeaf = d === leafD;
      const lnode = LN[d]!;
      if (!isLeaf && this.replaceChildrenInPlace(d, leafD)) break;
      if (!isLeaf) {
        // Parents' buffer: children left of the old left node, the new nodes, children right
        // of the old right node. Everything in between is covered by the write.
        this.bufLen = 0;
        const lbase = (lnode & SLAB_MASK) * STRIDE;
        const lpiv = this.pivS[lnode >> SLAB_SHIFT]!;
        const lkids = this.kidS[lnode >> SLAB_SHIFT]!;
        const lgaps = this.gapS[lnode >> SLAB_SHIFT]!;
        const ls = LS[d]!;
        const gb = (lnode & SLAB_MASK) * GAP_STRIDE;
        for (let k = 0; k < ls; k++)
          this.pushEntry(lpiv[lbase + k]!, lkids[lbase + k]!, alloc ? lgaps[gb + k]! : 0);
        newPos = this.bufLen;
        for (let i = 0; i < this.newCount; i++)
          this.pushEntry(this.newMax[i]!, this.newIds[i], this.newGap[i]!);
        const rnode = RN[d]!;
        const rbase = (rnode & SLAB_MASK) * STRIDE;
        const rpiv = this.pivS[rnode >> SLAB_SHIFT]!;
        const rkids = this.kidS[rnode >> SLAB_SHIFT]!;
        const rgaps = this.gapS[rnode >> SLAB_SHIFT]!;
        const rs = RS[d]!;
        const re = rpiv[rbase + META_END]! | 0;
        const rgb = (rnode & SLAB_MASK) * GAP_STRIDE;
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
          const le = lpiv[lbase + META_END]! | 0;
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
    for (let i = 0; i < this.nReused; i++) this.marks[this.reused[i]!] = 0;
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
    const base = (node & SLAB_MASK) * STRIDE;
    const piv = this.pivS[node >> SLAB_SHIFT]!;
    const kids = this.kidS[node >> SLAB_SHIFT]!;
    const end = piv[base + META_END]! | 0;
    const newEnd = end - (rs - ls + 1) + count;
    const nodeMax = this.lMax[d]!;
    if (newEnd >= this.internalSlots || kids[base + ls] !== this.newIds[0]) return false;
    if (d === 0 ? newEnd === 0 : newEnd + 1 < this.internalMin && nodeMax !== MAX_INDEX) return false;
    for (let k = ls + 1; k < rs; k++) this.dropSubtree(kids[base + k]!, d + 1, leafD);
    const pslot = this.parentSlot;
    const shift = newEnd - end;
    // Children rs+1..end move by `shift`; pivot cells exist for slots below META_END only.
    if (shift > 0) {
      for (let i = end; i > rs; i--) this.moveChild(piv, kids, base, i, i + shift, end, nodeMax);
    } else if (shift < 0) {
      for (let i = rs + 1; i <= end; i++) this.moveChild(piv, kids, base, i, i + shift, end, nodeMax);
    }
    for (let i = 0; i < count; i++) {
      const id = this.newIds[i]!;
      const slot = ls + i;
      kids[base + slot] = id;
      this.parent[id] = node;
      pslot[id] = slot;
      if (slot < META_END) piv[base + slot] = this.newMax[i]!;
    }
    for (let i = newEnd + 1; i <= end; i++) {
      kids[base + i] = 0;
      if (i < META_END) piv[base + i] = 0;
    }
    piv[base + META_END] = newEnd;
    return true;
  }

  /** Move child `from` of a node to slot `to` (its pivot too: the node max for the last one). */
  private moveChild(
    piv: Float64Array,
    kids: Int32Array,
    base: number,
    from: number,
    to: number,
    end: number,
    nodeMax: number,
  ): void {
    const child = kids[base + from]!;
    kids[base + to] = child;
    this.parentSlot[child] = to;
    if (to < META_END) piv[base + to] = from < end ? piv[base + from]! : nodeMax;
  }

  /**
   * A node of the level being rebuilt whose contents went into the buffer: its id is reused
   * for an output node of that level or freed when the write ends. Until then it stays marked,
   * so that no covered-subtree walk frees it a second time.
   */
  private consume(node: number): void {
    this.marks[node] = MARK_CONSUMED;
    this.spare[this.nSpare++] = node;
  }

  /** Queue a subtree fully covered by a spanning write for freeing (lib/maple_tree.c: mas_topiary_node()). */
  private dropSubtree(node: number, depth: number, leafD: number): void {
    if (this.marks[node] === MARK_CONSUMED) return;
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
    const piv = this.pivS[sib >> SLAB_SHIFT]!;
    const base = (sib & SLAB_MASK) * STRIDE;
    const gb = (sib & SLAB_MASK) * GAP_STRIDE;
    const gaps = this.allocRangeEnabled && !isLeaf;
    const sgaps = this.gapS[sib >> SLAB_SHIFT]!;
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
    const base = (nb & SLAB_MASK) * STRIDE;
    const piv = this.pivS[nb >> SLAB_SHIFT]!;
    const e = piv[base + META_END]! | 0;
    const nodeMax = this.rMax[d]!;
    const gaps = this.gapS[nb >> SLAB_SHIFT]!;
    const gb = (nb & SLAB_MASK) * GAP_STRIDE;
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
      this.parent[root] = -1;
      this.parentSlot[root] = 0;
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
    this.parent[newRoot] = -1;
    this.parentSlot[newRoot] = 0;
    this.root = newRoot;
    this.height++;
  }

  /** lib/maple_tree.c: mas_rebalance() at the top — a root with one child is replaced by it. */
  private collapseRoot(): void {
    let root = this.root;
    while (this.height > 1 && this.endOf(root) === 0) {
      const child = this.childAt(root, 0);
      this.dead[this.nDead++] = root;
      this.marks[root] = MARK_CONSUMED;
      root = child;
      this.parent[root] = -1;
      this.parentSlot[root] = 0;
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
   * pivot cells past the end hold 0, cell META_END the end. The first `kept` children, and
   * those from `tail` on, already sit in this node at the same offsets, so their parent links
   * are left alone (they are scattered in memory: rewriting them costs cache misses).
   */
  private writeNode(
    id: number,
    isLeaf: boolean,
    from: number,
    cnt: number,
    nodeMin: number,
    cap: number,
    kept = 0,
    tail = cnt,
  ): number {
    const base = (id & SLAB_MASK) * STRIDE;
    const piv = this.pivS[id >> SLAB_SHIFT]!;
    const bp = this.bufPiv;
    const bs = this.bufSlot;
    const stored = cnt < cap ? cnt : cap - 1;
    for (let i = 0; i < stored; i++) piv[base + i] = bp[from + i]!;
    for (let i = stored; i < META_END; i++) piv[base + i] = 0;
    piv[base + META_END] = cnt - 1;
    if (isLeaf) {
      const sl = this.slotS[id >> SLAB_SHIFT]!;
      const so = base;
      for (let i = 0; i < cnt; i++) sl[so + i] = bs[from + i];
      for (let i = cnt; i < STRIDE; i++) sl[so + i] = undefined;
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
    const kids = this.kidS[id >> SLAB_SHIFT]!;
    for (let i = 0; i < cnt; i++) kids[base + i] = bs[from + i] as number;
    for (let i = cnt; i < STRIDE; i++) kids[base + i] = 0;
    const parent = this.parent;
    const pslot = this.parentSlot;
    for (let i = kept; i < tail; i++) {
      const child = bs[from + i] as number;
      parent[child] = id;
      pslot[child] = i;
    }
    if (!this.allocRangeEnabled) return 0;
    const gaps = this.gapS[id >> SLAB_SHIFT]!;
    const gb = (id & SLAB_MASK) * GAP_STRIDE;
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
    this.gapOffset[id] = off;
    return best;
  }

  /** Largest NULL slot of a leaf (lib/maple_tree.c: mas_leaf_max_gap()). */
  private leafMaxGap(node: number, nodeMin: number, nodeMax: number): number {
    const base = (node & SLAB_MASK) * STRIDE;
    const piv = this.pivS[node >> SLAB_SHIFT]!;
    const e = piv[base + META_END]! | 0;
    const sl = this.slotS[node >> SLAB_SHIFT]!;
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
  private propagateGap(leafD: number): void {
    const leaf = this.lNode[leafD]!;
    this.propagateGapFrom(leafD, this.leafMaxGap(leaf, this.lMin[leafD]!, this.lMax[leafD]!));
  }

  /** lib/maple_tree.c: mas_parent_gap() — push a child's new max gap up while maxima change. */
  private propagateGapFrom(d: number, g: number): void {
    const goff = this.gapOffset;
    for (let p = d - 1; p >= 0; p--) {
      const node = this.lNode[p]!;
      const gaps = this.gapS[node >> SLAB_SHIFT]!;
      const gb = (node & SLAB_MASK) * GAP_STRIDE;
      const slot = this.lSlot[p]!;
      if (gaps[gb + slot] === g) return;
      const oldMax = gaps[gb + goff[node]!]!;
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
      goff[node] = off;
      if (best === oldMax) return;
      g = best;
    }
  }

  // ---------------------------------------------------------------- validation

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
    if (this.parent[this.root] !== -1) throw new MapleTreeCorruptionError('root has a parent', this.root, 0);
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
      for (let i = 0; i < this.slabUsed[slab]!; i++) if (this.marks[slab * SLAB_NODES + i] === 0) live++;
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
    if (!this.isNodeId(node) || this.marks[node] !== 0) fail('reference to a free or invalid node');
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
    const e = piv[base + META_END]!;
    const sl = this.slotS[node >> SLAB_SHIFT]!;
    const kids = this.kidS[node >> SLAB_SHIFT]!;
    if (!Number.isInteger(e) || e < 0) fail(`metadata end ${e} is not a slot offset`);
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
      if (k < META_END && piv[base + k] !== 0) fail(`pivot ${k} past end ${e} is not 0`);
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
    const gb = (node & SLAB_MASK) * GAP_STRIDE;
    const gaps = this.gapS[node >> SLAB_SHIFT]!;
    for (let k = 0; k <= e; k++) {
      const ke = k < e ? piv[base + k]! : max;
      const c = kids[base + k]!;
      if (!this.isNodeId(c)) fail(`slot ${k} holds invalid node id ${c}`);
      if (this.parent[c] !== node || this.parentSlot[c] !== k) {
        fail(`child in slot ${k} points back to node ${this.parent[c]} slot ${this.parentSlot[c]}`);
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
      const off = this.gapOffset[node]!;
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

/**
 * include/linux/maple_tree.h: struct ma_state — a cursor over one tree.
 *
 * `index`/`last` are public and writable, as kernel code assigns them before `mas_store()`.
 */
export class MapleState<T> {
  /** First index of the range the state describes. */
  index: number;
  /** Last index of the range the state describes. */
  last: number;
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
  leafPiv: Float64Array = NO_PIVOTS;
  /** @internal the leaf's slot slab */
  leafSlots: unknown[] = NO_SLOTS;
  /** @internal the leaf's first cell in those slabs */
  base = 0;
  /** @internal tree.seq when positioned; -1 = never */
  seq = -1;
  private readonly tree: MapleTree<T>;

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
    return off < (piv[this.base + META_END]! | 0) ? piv[this.base + off]! : this.nodeMax;
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
    let end = piv[base + META_END]! | 0;
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
        end = piv[base + META_END]! | 0;
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
      const end = piv[base + META_END]! | 0;
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
 * The loop behind forEach(): each step is one find() on the same state. One result object per
 * loop, refilled at every step (for..of reads it before asking for the next one), so a step
 * allocates nothing. Forward and reverse loops are separate classes so that each `next()`
 * call site sees one shape and inlines one find.
 */
class ForEachLoop<T> implements IterableIterator<T> {
  private readonly mas: MapleState<T>;
  private readonly limit: number;
  private done = false;
  private readonly result: { done: false; value: T } = { done: false, value: undefined as T };

  constructor(mas: MapleState<T>, limit: number) {
    this.mas = mas;
    this.limit = limit;
  }

  next(): IteratorResult<T> {
    if (this.done) return DONE;
    const v = this.mas.find(this.limit);
    if (v === undefined) {
      this.done = true;
      return DONE;
    }
    const r = this.result;
    r.value = v;
    return r;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }
}

/** The loop behind forEachRev(): each step is one findRev() on the same state. */
class ForEachRevLoop<T> implements IterableIterator<T> {
  private readonly mas: MapleState<T>;
  private readonly limit: number;
  private done = false;
  private readonly result: { done: false; value: T } = { done: false, value: undefined as T };

  constructor(mas: MapleState<T>, limit: number) {
    this.mas = mas;
    this.limit = limit;
  }

  next(): IteratorResult<T> {
    if (this.done) return DONE;
    const v = this.mas.findRev(this.limit);
    if (v === undefined) {
      this.done = true;
      return DONE;
    }
    const r = this.result;
    r.value = v;
    return r;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }
}
