/**
 * @allocprof/maple-tree — the Linux kernel's maple tree (lib/maple_tree.c) in TypeScript:
 * a range B-tree with gap tracking, the ma_state cursor API and mas_for_each_rev() (patch 1).
 */

export type { MapleErrno } from './errors';
export { MapleTreeCorruptionError, MapleTreeError } from './errors';
export type { MapleEntry, MapleStatus, MapleTreeOptions } from './maple-tree';
export { MAX_INDEX, MapleState, MapleTree } from './maple-tree';
