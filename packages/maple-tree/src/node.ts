/**
 * Node storage of the maple tree: the node layout (include/linux/maple_tree.h: struct
 * maple_node, maple_range_64, maple_arange_64, MAPLE_*_SLOTS) and the node pool (lib/maple_tree.c:
 * the maple_node kmem_cache, mas_pop_node(), ma_free_rcu(), ma_data_end() and the mte_/ma_
 * accessors).
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

/** ULONG_MAX of the kernel: the largest index, `Number.MAX_SAFE_INTEGER` (2^53 − 1). */
export const MAX_INDEX: number = Number.MAX_SAFE_INTEGER;

/** Options of `new MapleTree()`. */
/** One stored range: every index in `[index, last]` maps to `value`. */
export interface MapleEntry<T> {
  index: number;
  last: number;
  value: T;
}

export interface MapleTreeOptions {
  /** MT_FLAGS_ALLOC_RANGE: track gaps in internal nodes, enabling `emptyArea*` and `allocRange*`. */
  allocRange?: boolean;
}

/** include/linux/maple_tree.h: MAPLE_RANGE64_SLOTS */
export const MAPLE_RANGE64_SLOTS = 16;

/** include/linux/maple_tree.h: MAPLE_ARANGE64_SLOTS */
export const MAPLE_ARANGE64_SLOTS = 10;

/** include/linux/maple_tree.h: MAPLE_HEIGHT_MAX */
export const MAPLE_HEIGHT_MAX = 31;

/** lib/maple_tree.c: mt_min_slots[] as slot counts (end + 1) for leaf/range and arange nodes. */
export const RANGE64_MIN_SLOTS = 7;

export const ARANGE64_MIN_SLOTS = 5;

/** Every node id owns this many pivot and slot cells. */
export const STRIDE = MAPLE_RANGE64_SLOTS;

/**
 * Pivot cell holding the node's metadata `end` (offset of the last used slot). A node has at
 * most 15 pivots (0..14): the 16th slot's end is implied by the parent, so cell 15 is free.
 */
export const META_END = STRIDE - 1;

/**
 * Nodes come from slabs of this many nodes (kernel: the maple_node kmem_cache): node `id` owns
 * cells `(id & SLAB_MASK) * STRIDE ...` of slab `id >> SLAB_SHIFT`'s arrays, so the pool grows
 * by adding slabs and never copies a whole pool. The first slab of each kind starts with room
 * for SLAB_FIRST nodes and grows by a quarter up to SLAB_NODES, so that a small tree stays small.
 */
export const SLAB_SHIFT = 9;

export const SLAB_MASK = (1 << SLAB_SHIFT) - 1;

export const SLAB_NODES = 1 << SLAB_SHIFT;

/** Room of a new small slab; it grows by a quarter as its nodes are handed out, up to SLAB_NODES. */
export const SLAB_FIRST = 8;

/** Gap cells per node id in allocation trees. */
export const GAP_STRIDE = MAPLE_ARANGE64_SLOTS;

/**
 * Slab kinds: a slab holds leaves only (no child or gap cells) or internal nodes only (no value
 * cells), which also packs the internal nodes every walk goes through into few pages.
 */
export const SLAB_LEAF = 0;

export const SLAB_INNER = 1;

export const MARK_CONSUMED = 1;

export const MARK_FREE = 2;

/** Value cells of a full slab, all empty (built by push, so the elements are PACKED). */
export const EMPTY_SLOT_SLAB: unknown[] = [];

for (let i = 0; i < SLAB_NODES * STRIDE; i++) EMPTY_SLOT_SLAB.push(undefined);

/** Value cells for `nodes` nodes, the first of them copied from `from` (a flat copy, still PACKED). */
export function newSlotSlab(nodes: number, from?: unknown[]): unknown[] {
  const slab = EMPTY_SLOT_SLAB.slice(0, nodes * STRIDE);
  if (from !== undefined) for (let i = 0; i < from.length; i++) slab[i] = from[i];
  return slab;
}

/** `to` (a larger array) with the cells of `from` copied to its start. */
function grown<A extends Int32Array | Uint8Array>(to: A, from: A): A {
  to.set(from);
  return to;
}

/** Metadata cells of slabs that do not use them. */
export const NO_META = new Uint8Array(0);

/**
 * Offset of the slot containing `index` in the node whose cells start at `base`: a binary
 * search over its used pivots (random lookups mispredict a linear scan's exit). The first
 * probe is pivot 7, read together with the end: neither load waits for the other, so both
 * cache lines of the node's pivots are fetched at once.
 */
export function searchNode(piv: Float64Array, base: number, index: number): number {
  const e = piv[base + META_END]! | 0;
  let k = 0;
  for (let j = 0; j < e; j++) k += Number(piv[base + j]! < index);
  return k;
}

export const NO_PIVOTS = new Float64Array(STRIDE);

/** The cells a slab kind does not use (never written). */
export const NO_SLOTS: unknown[] = [];

export const NO_KIDS = new Int32Array(0);

export const NO_GAPS = new Float64Array(0);

/**
 * lib/maple_tree.c: the node pool of a tree and the accessors of a node's cells. The layers
 * above it add the read path (MapleWalk), gap tracking (MapleGaps), the rebuild of nodes
 * (MapleRebuild), the write entry points (MapleStore) and validation (MapleCheck); MapleTree
 * is the public API on top.
 */
export class MapleNodes {
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
  /** @internal per slab: parent node id per node, -1 for the root */
  parentS!: Int32Array[];
  /** @internal per slab, two cells per node: its slot in its parent, and its pool mark */
  metaS!: Uint8Array[];
  /** @internal per slab: arange_64 metadata gap, offset of the largest gap (internal nodes of allocation trees) */
  goffS!: Uint8Array[];
  /** Kind of each slab: SLAB_LEAF or SLAB_INNER. */
  protected slabKind: number[] = [];
  /** Per slab: room (nodes), and how many of its ids were handed out. */
  private slabCap: number[] = [];
  protected slabUsed: number[] = [];
  /** Per slab kind: the slab fresh ids of that kind come from (-1: none yet). */
  private openSlab: number[] = [];
  /** Per slab kind: how many slabs it has. */
  private kindSlabs: number[] = [];
  /** Per slab kind: freed node ids. */
  private freeIds: number[][] = [];
  /** @internal root node id, -1 for an empty tree */
  root = -1;
  /** @internal number of levels; 0 when empty, 1 when the root is a leaf */
  height = 0;
  /** @internal modification counter; states re-walk when it moved */
  seq = 0;
  protected readonly internalSlots: number;
  protected readonly internalMin: number;
  constructor(options: MapleTreeOptions = {}) {
    this.allocRangeEnabled = options.allocRange === true;
    this.internalSlots = this.allocRangeEnabled ? MAPLE_ARANGE64_SLOTS : MAPLE_RANGE64_SLOTS;
    this.internalMin = this.allocRangeEnabled ? ARANGE64_MIN_SLOTS : RANGE64_MIN_SLOTS;
    this.resetPool();
  }

  protected resetPool(): void {
    this.pivS = [];
    this.slotS = [];
    this.kidS = [];
    this.gapS = [];
    this.slabKind = [];
    this.slabCap = [];
    this.slabUsed = [];
    this.openSlab = [-1, -1];
    this.kindSlabs = [0, 0];
    this.parentS = [];
    this.metaS = [];
    this.goffS = [];
    this.freeIds = [[], []];
    this.root = -1;
    this.height = 0;
  }

  /**
   * A new slab of one kind, when the kind's open slab is full. It starts with room for half
   * as many nodes as the kind already has (SLAB_FIRST for the first, a full slab from the
   * third on) and grows as needed: a small tree stays small, a large one copies little. An
   * empty tree has no slab.
   */
  private addSlab(kind: number): number {
    const slab = this.slabKind.length;
    const have = this.kindSlabs[kind]! * SLAB_NODES;
    const room = Math.min(SLAB_NODES, Math.max(SLAB_FIRST, have >> 1));
    this.kindSlabs[kind]!++;
    const leaves = kind === SLAB_LEAF;
    const inner = kind === SLAB_INNER;
    this.pivS.push(new Float64Array(room * STRIDE));
    this.slotS.push(leaves ? newSlotSlab(room) : NO_SLOTS);
    this.kidS.push(inner ? new Int32Array(room * STRIDE) : NO_KIDS);
    this.gapS.push(inner && this.allocRangeEnabled ? new Float64Array(room * GAP_STRIDE) : NO_GAPS);
    this.slabKind.push(kind);
    this.slabCap.push(room);
    this.slabUsed.push(0);
    this.parentS.push(new Int32Array(room));
    this.metaS.push(new Uint8Array(room * 2));
    this.goffS.push(inner && this.allocRangeEnabled ? new Uint8Array(room) : NO_META);
    return slab;
  }

  /** Grow a slab's room by a quarter (up to SLAB_NODES); its nodes keep their ids. */
  private growSlab(slab: number): void {
    const cap = Math.min(SLAB_NODES, (this.slabCap[slab]! * 5) >> 2);
    const piv = new Float64Array(cap * STRIDE);
    piv.set(this.pivS[slab]!);
    this.pivS[slab] = piv;
    const kind = this.slabKind[slab]!;
    if (kind === SLAB_LEAF) this.slotS[slab] = newSlotSlab(cap, this.slotS[slab]);
    else {
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
    this.parentS[slab] = grown(new Int32Array(cap), this.parentS[slab]!);
    this.metaS[slab] = grown(new Uint8Array(cap * 2), this.metaS[slab]!);
    if (kind === SLAB_INNER && this.allocRangeEnabled)
      this.goffS[slab] = grown(new Uint8Array(cap), this.goffS[slab]!);
  }

  /** Parent of node `id` (-1 for the root). */
  parentOf(id: number): number {
    return this.parentS[id >> SLAB_SHIFT]![id & SLAB_MASK]!;
  }

  /** Slot of node `id` in its parent. */
  parentSlotOf(id: number): number {
    return this.metaS[id >> SLAB_SHIFT]![(id & SLAB_MASK) << 1]!;
  }

  /** Hang node `id` in slot `slot` of `parent` (-1 and 0 for the root). */
  setParent(id: number, parent: number, slot: number): void {
    this.parentS[id >> SLAB_SHIFT]![id & SLAB_MASK] = parent;
    this.metaS[id >> SLAB_SHIFT]![(id & SLAB_MASK) << 1] = slot;
  }

  /** Move node `id` to slot `slot` of the parent it has. */
  setParentSlot(id: number, slot: number): void {
    this.metaS[id >> SLAB_SHIFT]![(id & SLAB_MASK) << 1] = slot;
  }

  /** Pool mark of node `id`: 0 in use, MARK_CONSUMED during a write, MARK_FREE. */
  markOf(id: number): number {
    return this.metaS[id >> SLAB_SHIFT]![((id & SLAB_MASK) << 1) + 1]!;
  }

  setMark(id: number, mark: number): void {
    this.metaS[id >> SLAB_SHIFT]![((id & SLAB_MASK) << 1) + 1] = mark;
  }

  /** arange_64 metadata gap of internal node `id`: offset of its largest gap. */
  gapOffsetOf(id: number): number {
    return this.goffS[id >> SLAB_SHIFT]![id & SLAB_MASK]!;
  }

  setGapOffset(id: number, off: number): void {
    this.goffS[id >> SLAB_SHIFT]![id & SLAB_MASK] = off;
  }

  /** lib/maple_tree.c: mas_pop_node() — a node from the pool (the port never fails for memory). */
  protected allocNode(isLeaf: boolean): number {
    const kind = isLeaf ? SLAB_LEAF : SLAB_INNER;
    let id = this.freeIds[kind]!.pop();
    if (id === undefined) {
      let slab = this.openSlab[kind]!;
      if (slab < 0 || this.slabUsed[slab] === SLAB_NODES) {
        slab = this.addSlab(kind);
        this.openSlab[kind] = slab;
      }
      const used = this.slabUsed[slab]!;
      if (used === this.slabCap[slab]) this.growSlab(slab);
      this.slabUsed[slab] = used + 1;
      id = slab * SLAB_NODES + used;
    }
    this.setMark(id, 0);
    return id;
  }

  /** lib/maple_tree.c: ma_free_rcu() — back to the pool, values dropped so they can be collected. */
  protected freeNode(id: number): void {
    // Pivots and children are left as they are: writeNode() sets every cell when the id is
    // used again, and leaving them spares the cache misses of touching cold cells.
    const kind = this.slabKind[id >> SLAB_SHIFT]!;
    if (kind !== SLAB_INNER) {
      const sl = this.slotS[id >> SLAB_SHIFT]!;
      const o = (id & SLAB_MASK) * STRIDE;
      for (let i = 0; i < STRIDE; i++) sl[o + i] = undefined;
    }
    this.setMark(id, MARK_FREE);
    this.freeIds[kind]!.push(id);
  }

  /** Whether `id` names a node handed out by the pool (free or not). */
  protected isNodeId(id: number): boolean {
    const slab = id >> SLAB_SHIFT;
    return id >= 0 && slab < this.slabKind.length && (id & SLAB_MASK) < this.slabUsed[slab]!;
  }

  /** Slot `k` of a node: a value in a leaf, a child id in an internal node. */
  protected slot(node: number, k: number, isLeaf: boolean): unknown {
    return isLeaf ? this.valueAt(node, k) : this.childAt(node, k);
  }

  /** Value in slot `k` of leaf `node`. */
  protected valueAt(node: number, k: number): unknown {
    return this.slotS[node >> SLAB_SHIFT]![(node & SLAB_MASK) * STRIDE + k];
  }

  /** Child in slot `k` of internal node `node`. */
  protected childAt(node: number, k: number): number {
    return this.kidS[node >> SLAB_SHIFT]![(node & SLAB_MASK) * STRIDE + k]!;
  }

  /** Pivot `k` of `node` (cell META_END: its end). */
  protected pivotAt(node: number, k: number): number {
    return this.pivS[node >> SLAB_SHIFT]![(node & SLAB_MASK) * STRIDE + k]!;
  }

  /** Metadata end of `node`: offset of its last used slot. */
  protected endOf(node: number): number {
    return this.pivS[node >> SLAB_SHIFT]![(node & SLAB_MASK) * STRIDE + META_END]! | 0;
  }
}
