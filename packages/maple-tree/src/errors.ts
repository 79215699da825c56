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
