/**
 * Node storage of the maple tree: the node layout (include/linux/maple_tree.h: struct
 * maple_node, maple_range_64, maple_arange_64, MAPLE_*_SLOTS) and the node pool (lib/maple_tree.c:
 * the maple_node kmem_cache, mas_pop_node(), ma_free_rcu(), ma_data_end() and the mte_/ma_
 * accessors).
 *
 * Nodes live in slabs of parallel arrays (struct-of-arrays) addressed by node id, so a node
 * costs its pivots and its slots, and no lookup allocates. As in the kernel, a node's metadata
 * sits inside the node: the pivot cell no node uses (pivot 15, the 16th slot's end is implied by
 * the parent) holds a metadata word with the node's end, its parent and its slot in the parent,
 * so a walk reads it from the cache line it reads pivots from and a leaf step finds the parent
 * without touching anything else. Leaves are `maple_leaf_64` (16 slots, 15 pivots); internal
 * nodes are `maple_range_64` (16 slots) or, in trees made with `allocRange: true`,
 * `maple_arange_64` (10 slots, 9 pivots, a gap per child and the offset of the largest gap in the
 * metadata).
 *
 * Pivots, gaps and values are ordinary JavaScript arrays (packed doubles for the first two),
 * not typed arrays: V8 allocates those in its heap with a pointer bump, where every typed array
 * costs a separate zeroed allocation outside the heap, several microseconds each, and a small
 * tree grows its leaf slabs many times. Child ids are an Int32Array per internal slab: those
 * slabs are few, and a node's 16 children then fit one cache line instead of two.
 *
 * The hot paths spell the layout as literal numbers (`id >> 9` for the slab, `(id & 511) << 4`
 * for the first cell, `+ 15` for the metadata word): V8 reads a module constant from a cell with
 * a check at every use, a literal is folded into the instruction.
 */

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
export const MAPLE_RANGE64_SLOTS = 16;

/** include/linux/maple_tree.h: MAPLE_ARANGE64_SLOTS */
export const MAPLE_ARANGE64_SLOTS = 10;

/** include/linux/maple_tree.h: MAPLE_HEIGHT_MAX */
export const MAPLE_HEIGHT_MAX = 31;

/** lib/maple_tree.c: mt_min_slots[] as slot counts (end + 1) for leaf/range and arange nodes. */
export const RANGE64_MIN_SLOTS = 7;

export const ARANGE64_MIN_SLOTS = 5;

/** Every node id owns this many pivot, slot and gap cells (hot paths: `<< 4`). */
export const STRIDE = MAPLE_RANGE64_SLOTS;

/**
 * Pivot cell holding the node's metadata word. A node has at most 15 pivots (0..14): the 16th
 * slot's end is implied by the parent, so cell 15 is free. The word is
 * `end + 16 × slot in parent + 256 × pool mark + 1024 × gap offset + 16384 × (parent + 1)`,
 * an integer below 2^53; the small fields are read with 32-bit masks (`w & 15` is the end).
 */
export const META_END = STRIDE - 1;

/**
 * Nodes come from slabs of at most this many nodes (kernel: the maple_node kmem_cache): node
 * `id` owns cells `(id & SLAB_MASK) * STRIDE ...` of slab `id >> SLAB_SHIFT`'s arrays, so the
 * pool of leaves grows by adding slabs and never copies one. A slab may hold fewer nodes than
 * that (its ids then stop short of the next slab's): a kind's first slabs are small,
 * SLAB_FIRST nodes, so that a small tree stays small; an internal slab doubles in place.
 */
export const SLAB_SHIFT = 9;

export const SLAB_MASK = (1 << SLAB_SHIFT) - 1;

export const SLAB_NODES = 1 << SLAB_SHIFT;

/** Room of a kind's first slabs. */
export const SLAB_FIRST = 8;

/** Gap cells used per node id in allocation trees (the node's base is shared with its pivots). */
export const GAP_STRIDE = MAPLE_ARANGE64_SLOTS;

/**
 * Slab kinds: a slab holds leaves only (no child or gap cells) or internal nodes only (no value
 * cells), which also packs the internal nodes every walk goes through into few pages.
 */
export const SLAB_LEAF = 0;

export const SLAB_INNER = 1;

export const MARK_CONSUMED = 1;

export const MARK_FREE = 2;

/** A full slab's cells, all 0, as doubles (a packed array of doubles: slices keep the kind). */
const ZERO_DOUBLES: number[] = [0.5];

/**
 * A full slab's pivot cells: MAX_INDEX in every node's pivot cells (none is in use yet, see
 * searchNode()) and 0 in its metadata word.
 */
const EMPTY_PIVOTS: number[] = [0.5];

/** A full slab's value cells, all empty (built by push, so the elements are packed). */
const EMPTY_VALUES: unknown[] = [];

for (let i = 0; i < SLAB_NODES * STRIDE; i++) {
  if (i > 0) {
    ZERO_DOUBLES.push(0);
    EMPTY_PIVOTS.push(0);
  }
  EMPTY_PIVOTS[i] = (i & 15) === META_END ? 0 : MAX_INDEX;
  EMPTY_VALUES.push(undefined);
}
ZERO_DOUBLES[0] = 0;

/** The cells a slab kind does not use (never written). */
export const NO_PIVOTS: number[] = ZERO_DOUBLES.slice(0, STRIDE);

export const NO_SLOTS: unknown[] = [undefined];

const NO_KIDS = new Int32Array(1);

const NO_GAPS: number[] = [0.5];

/**
 * lib/maple_tree.c: the node pool of a tree and the accessors of a node's cells. The layers
 * above it add the read path (MapleWalk), gap tracking (MapleGaps), the rebuild of nodes
 * (MapleRebuild), the write entry points (MapleStore) and validation (MapleCheck); MapleTree
 * is the public API on top.
 */
export class MapleNodes {
  /** MT_FLAGS_ALLOC_RANGE */
  readonly allocRangeEnabled: boolean;
  /** @internal per slab: pivots 0..14 and the metadata word in cell META_END, STRIDE per node */
  pivS!: number[][];
  /** @internal per slab: leaf slots (values), STRIDE per node; NO_SLOTS for internal slabs */
  slotS!: unknown[][];
  /** @internal per slab: internal-node slots (child ids), STRIDE per node, 0 past end; NO_KIDS for leaf slabs */
  kidS!: Int32Array[];
  /** @internal per slab: arange_64 per-child gaps, STRIDE per node (allocation trees' internal slabs) */
  gapS!: number[][];
  /** Kind of each slab: SLAB_LEAF or SLAB_INNER. */
  protected slabKind: number[] = [];
  /** Per slab: room (nodes), and how many of its ids were handed out. */
  private slabCap: number[] = [];
  protected slabUsed: number[] = [];
  /** Per slab kind: the slab fresh ids of that kind come from (-1: none yet). */
  private openSlab: number[] = [];
  /** Per slab kind: the room of all its slabs (nodes). */
  private kindRoom: number[] = [];
  /** Per slab kind: freed node ids. */
  private freeIds: number[][] = [];
  /** @internal root node id, -1 for an empty tree */
  root = -1;
  /** @internal number of levels; 0 when empty, 1 when the root is a leaf */
  height = 0;
  /** @internal modification counter; states re-walk when it moved */
  seq = 0;
  /** @internal slots of an internal node: 16 (maple_range_64) or 10 (maple_arange_64) */
  readonly internalSlots: number;
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
    this.kindRoom = [0, 0];
    this.freeIds = [[], []];
    this.root = -1;
    this.height = 0;
  }

  /**
   * A new slab of one kind, when the kind's open slab is full (an internal one only once it
   * has grown to SLAB_NODES, see growInnerSlab()). Its room is a quarter of the room the kind
   * already has (at least SLAB_FIRST, at most SLAB_NODES nodes), or a half while that is below
   * 32 nodes: the leaves grow by an eighth to a third, so the pool never holds much more than
   * the tree needs, and no leaf is ever copied to grow it (a tree built from nothing does not
   * pay for its leaves twice). An empty tree has no slab.
   */
  private addSlab(kind: number): number {
    const slab = this.slabKind.length;
    const have = this.kindRoom[kind]!;
    const room = Math.min(SLAB_NODES, Math.max(SLAB_FIRST, have >> (have < 32 ? 1 : 2)));
    const cells = room * STRIDE;
    this.kindRoom[kind] = have + room;
    const leaves = kind === SLAB_LEAF;
    this.pivS.push(EMPTY_PIVOTS.slice(0, cells));
    this.slotS.push(leaves ? EMPTY_VALUES.slice(0, cells) : NO_SLOTS);
    this.kidS.push(leaves ? NO_KIDS : new Int32Array(cells));
    this.gapS.push(!leaves && this.allocRangeEnabled ? ZERO_DOUBLES.slice(0, cells) : NO_GAPS);
    this.slabKind.push(kind);
    this.slabCap.push(room);
    this.slabUsed.push(0);
    return slab;
  }

  /**
   * Double the room of an internal slab (up to SLAB_NODES); its nodes keep their ids. Every
   * walk goes through the internal nodes, so they stay together in few slabs; they are about
   * a tenth of the nodes, so the copies cost little.
   */
  private growInnerSlab(slab: number): void {
    const old = this.slabCap[slab]! * STRIDE;
    const cap = Math.min(SLAB_NODES, this.slabCap[slab]! * 2);
    const cells = cap * STRIDE;
    this.pivS[slab] = this.pivS[slab]!.concat(EMPTY_PIVOTS.slice(0, cells - old));
    const kids = new Int32Array(cells);
    kids.set(this.kidS[slab]!);
    this.kidS[slab] = kids;
    if (this.allocRangeEnabled) this.gapS[slab] = this.gapS[slab]!.concat(ZERO_DOUBLES.slice(0, cells - old));
    this.kindRoom[SLAB_INNER] = this.kindRoom[SLAB_INNER]! + cap - this.slabCap[slab]!;
    this.slabCap[slab] = cap;
  }

  /** Metadata word of node `id` (see META_END). */
  protected metaOf(id: number): number {
    return this.pivS[id >> 9]![((id & 511) << 4) + 15]!;
  }

  /** Parent of node `id` (-1 for the root). */
  parentOf(id: number): number {
    const w = this.pivS[id >> 9]![((id & 511) << 4) + 15]!;
    return Math.floor(w / 16384) - 1;
  }

  /** Slot of node `id` in its parent. */
  parentSlotOf(id: number): number {
    return (this.pivS[id >> 9]![((id & 511) << 4) + 15]! >> 4) & 15;
  }

  /** Hang node `id` in slot `slot` of `parent` (-1 and 0 for the root). */
  setParent(id: number, parent: number, slot: number): void {
    const piv = this.pivS[id >> 9]!;
    const c = ((id & 511) << 4) + 15;
    const w = piv[c]!;
    piv[c] = (w & 16383) - (w & 240) + slot * 16 + (parent + 1) * 16384;
  }

  /** Replace the bits `mask` of node `id`'s metadata word by `bits`. */
  private setMetaBits(id: number, mask: number, bits: number): void {
    const piv = this.pivS[id >> 9]!;
    const c = ((id & 511) << 4) + 15;
    const w = piv[c]!;
    piv[c] = w - (w & mask) + bits;
  }

  /** Move node `id` to slot `slot` of the parent it has. */
  setParentSlot(id: number, slot: number): void {
    this.setMetaBits(id, 240, slot * 16);
  }

  /** Pool mark of node `id`: 0 in use, MARK_CONSUMED during a write, MARK_FREE. */
  markOf(id: number): number {
    return (this.pivS[id >> 9]![((id & 511) << 4) + 15]! >> 8) & 3;
  }

  setMark(id: number, mark: number): void {
    this.setMetaBits(id, 768, mark * 256);
  }

  /** arange_64 metadata gap of internal node `id`: offset of its largest gap. */
  gapOffsetOf(id: number): number {
    return (this.pivS[id >> 9]![((id & 511) << 4) + 15]! >> 10) & 15;
  }

  setGapOffset(id: number, off: number): void {
    this.setMetaBits(id, 15360, off * 1024);
  }

  /** lib/maple_tree.c: mas_pop_node() — a node from the pool (the port never fails for memory). */
  protected allocNode(isLeaf: boolean): number {
    const kind = isLeaf ? SLAB_LEAF : SLAB_INNER;
    let id = this.freeIds[kind]!.pop();
    if (id === undefined) {
      let slab = this.openSlab[kind]!;
      if (slab < 0 || this.slabUsed[slab] === this.slabCap[slab]) {
        if (slab >= 0 && kind === SLAB_INNER && this.slabCap[slab]! < SLAB_NODES) this.growInnerSlab(slab);
        else {
          slab = this.addSlab(kind);
          this.openSlab[kind] = slab;
        }
      }
      const used = this.slabUsed[slab]!;
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
    // Value cells past the end are empty already (every write keeps them so, validate()
    // checks it): only those up to the end are emptied.
    const kind = this.slabKind[id >> 9]!;
    if (kind !== SLAB_INNER) {
      const sl = this.slotS[id >> 9]!;
      const o = (id & 511) << 4;
      const e = this.pivS[id >> 9]![o + 15]! & 15;
      for (let i = 0; i <= e; i++) sl[o + i] = undefined;
    }
    this.setMark(id, MARK_FREE);
    this.freeIds[kind]!.push(id);
  }

  /** Whether `id` names a node handed out by the pool (free or not). */
  protected isNodeId(id: number): boolean {
    const slab = id >> SLAB_SHIFT;
    return (
      Number.isInteger(id) &&
      id >= 0 &&
      slab < this.slabKind.length &&
      (id & SLAB_MASK) < this.slabUsed[slab]!
    );
  }

  /** Slot `k` of a node: a value in a leaf, a child id in an internal node. */
  protected slot(node: number, k: number, isLeaf: boolean): unknown {
    return isLeaf ? this.valueAt(node, k) : this.childAt(node, k);
  }

  /** Value in slot `k` of leaf `node`. */
  protected valueAt(node: number, k: number): unknown {
    return this.slotS[node >> 9]![((node & 511) << 4) + k];
  }

  /** Child in slot `k` of internal node `node`. */
  protected childAt(node: number, k: number): number {
    return this.kidS[node >> 9]![((node & 511) << 4) + k]!;
  }

  /** Pivot `k` of `node`. */
  protected pivotAt(node: number, k: number): number {
    return this.pivS[node >> 9]![((node & 511) << 4) + k]!;
  }

  /** Metadata end of `node`: offset of its last used slot. */
  protected endOf(node: number): number {
    return this.pivS[node >> 9]![((node & 511) << 4) + 15]! & 15;
  }
}

/** Set the end in the metadata word at cell `c` of `piv` (the node's other fields unchanged). */
export function setEndAt(piv: number[], c: number, end: number): void {
  const w = piv[c]!;
  piv[c] = w - (w & 15) + end;
}

/**
 * Offset of the slot containing `index` in the node whose cells start at `b`, without the
 * node's end: the slot's offset is the number of pivots below `index`, and the pivot cells past
 * the last stored pivot hold MAX_INDEX, which no index is above, so every cell can be counted
 * without knowing where the node ends. Two rounds of three independent comparisons (the quarter
 * from cells 3, 7 and 11, then the cells of that quarter), summed without branches: random
 * lookups mispredict the branches of a binary search, and the loads of one round do not wait
 * for each other. Cell 15, the metadata word, is never read.
 */
export function searchNode(piv: number[], b: number, index: number): number {
  const k = (+(piv[b + 3]! < index) + +(piv[b + 7]! < index) + +(piv[b + 11]! < index)) << 2;
  return k + +(piv[b + k]! < index) + +(piv[b + k + 1]! < index) + +(piv[b + k + 2]! < index);
}
