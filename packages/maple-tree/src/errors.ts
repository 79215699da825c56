/** errno names a maple tree operation can fail with (the kernel returns them negated). */
export type MapleErrno = 'EINVAL' | 'EEXIST' | 'EBUSY';

/** A failed tree or state operation; nothing was changed. `code` is the kernel errno name. */
export class MapleTreeError extends Error {
  readonly code: MapleErrno;

  constructor(code: MapleErrno, message: string) {
    super(`${code}: ${message}`);
    this.name = 'MapleTreeError';
    this.code = code;
  }
}

/** lib/maple_tree.c: mt_validate() — an invariant of the node structure does not hold. */
export class MapleTreeCorruptionError extends Error {
  /** Node id (internal pool index) where the violation was found, -1 for tree-wide checks. */
  readonly node: number;
  /** Depth of that node, 0 = root. */
  readonly depth: number;

  constructor(message: string, node: number, depth: number) {
    super(`maple tree corrupt: ${message} (node ${node}, depth ${depth})`);
    this.name = 'MapleTreeCorruptionError';
    this.node = node;
    this.depth = depth;
  }
}

/** An index argument: an integer in 0..MAX_INDEX, else EINVAL. */
export function checkIndex(what: string, i: number): void {
  if (!Number.isSafeInteger(i) || i < 0) {
    throw new MapleTreeError('EINVAL', `${what} must be an integer in 0..MAX_INDEX, got ${String(i)}`);
  }
}

/** A range argument: two indices, first <= last, else EINVAL. */
export function checkRange(first: number, last: number): void {
  checkIndex('first index', first);
  checkIndex('last index', last);
  if (first > last) throw new MapleTreeError('EINVAL', `first index ${first} > last index ${last}`);
}
