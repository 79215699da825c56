import type { CodeTag } from '@allocprof/codetag';
import type { AllocTagCounters } from './counters';
import { ALLOC_TAG_SIZE, AllocTagError } from './types';

/** One call site as the compiler emits it into the `alloc_tags` section (DEFINE_ALLOC_TAG). */
export interface AllocTagSite {
  filename: string;
  lineno: number;
  function: string;
  /** KBUILD_MODNAME for a call site in a module; null/absent for the kernel image. */
  modname?: string | null;
}

/**
 * include/linux/alloc_tag.h: struct alloc_tag — the embedded codetag plus its per-CPU counters.
 * 40 bytes of simulated memory at `address`. `id` selects the counter set in the pools of
 * {@link AllocTagCounters}; 0 once the counters were freed.
 */
export class AllocTag implements CodeTag {
  readonly address: number;
  flags = 0;
  lineno: number;
  modname: string | null;
  function: string;
  filename: string;
  /** Counter set in `counters` (alloc_tag->counters). */
  id: number;
  readonly counters: AllocTagCounters;

  constructor(address: number, site: AllocTagSite, counters: AllocTagCounters) {
    this.address = address;
    this.lineno = site.lineno;
    this.modname = site.modname ?? null;
    this.function = site.function;
    this.filename = site.filename;
    this.counters = counters;
    this.id = counters.alloc();
  }
}

/** include/linux/alloc_tag.h: struct alloc_tag_counters as alloc_tag_read() returns it (sums). */
export interface AllocTagCountersSnapshot {
  /** Sum over CPUs, as the kernel reads it (s64). */
  bytes: number;
  /** Sum over CPUs (u64). */
  calls: number;
}

/** include/linux/alloc_tag.h: alloc_tag_read() — sum the per-CPU counters of every possible CPU. */
export function allocTagRead(tag: AllocTag): AllocTagCountersSnapshot {
  return { bytes: tag.counters.sumBytes(tag.id), calls: tag.counters.sumCalls(tag.id) };
}

/** include/linux/sched.h: the part of task_struct allocation profiling uses (`current->alloc_tag`). */
export class TaskStruct {
  /** The innermost alloc_hooks() tag; page allocations are charged to it. */
  allocTag: AllocTag | null = null;
  readonly comm: string;
  /** task->pid, as a warning report prints it. */
  readonly pid: number;

  constructor(comm = 'init', pid = 1) {
    this.comm = comm;
    this.pid = pid;
  }
}

/**
 * include/linux/codetag.h: union codetag_ref as a reusable box — `ct` is 0 (NULL), 1 (the DEBUG
 * CODETAG_EMPTY sentinel) or the address of the referenced tag.
 */
export class CodetagRef {
  ct = 0;
}

/** Validate call sites at the boundary (the loader's input). */
export function checkAllocTagSites(sites: readonly AllocTagSite[]): void {
  if (!Array.isArray(sites)) throw new AllocTagError('EINVAL', 'tag sites must be an array');
  sites.forEach((s, i) => {
    if (s === null || typeof s !== 'object') throw new AllocTagError('EINVAL', `tag ${i}: not an object`);
    if (typeof s.filename !== 'string' || s.filename.length === 0) {
      throw new AllocTagError('EINVAL', `tag ${i}: filename must be a non-empty string`);
    }
    if (!Number.isInteger(s.lineno) || s.lineno < 0 || s.lineno > 0xffffffff) {
      throw new AllocTagError('EINVAL', `tag ${i}: lineno must be a u32, got ${s.lineno}`);
    }
    if (typeof s.function !== 'string' || s.function.length === 0) {
      throw new AllocTagError('EINVAL', `tag ${i}: function must be a non-empty string`);
    }
    if (s.modname !== undefined && s.modname !== null && typeof s.modname !== 'string') {
      throw new AllocTagError('EINVAL', `tag ${i}: modname must be a string or null`);
    }
  });
}

/** Size in bytes of a tag section of `n` tags. */
export function allocTagSectionSize(n: number): number {
  return n * ALLOC_TAG_SIZE;
}
