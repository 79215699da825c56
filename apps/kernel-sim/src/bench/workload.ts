/**
 * The page-allocation loops of the benchmark, shaped like the in-kernel test behind the series'
 * numbers (the memory allocation profiling cover letter's get_free_page()/free_page() loop): one
 * task pinned to one CPU calling alloc_page()/free_page() many times on a hot page (`order0`), a
 * mixed-order variant that also exercises buddy splitting and merging (`mixed`), and `cold`:
 * order-0 frees and allocations in random order over a working set of pages several times the
 * host's last-level cache, so that every struct page and page_ext access is a miss, as on a busy
 * machine.
 *
 * Each booted machine gets its own compiled copy of the loops ({@link compileWorkload}). One
 * shared function would see every mode's allocator class at its call sites and V8 would make
 * them polymorphic for all modes alike, blurring the difference between a kernel built with and
 * without the hooks — separately built kernels do not share machine code either.
 */

import { KernelError } from '../kernel/errno';
import { MAX_PAGE_ORDER } from '../mm/memmap';

/** alloc_pages()/__free_pages() of one booted kernel: all the loops touch. */
export interface PageAllocator {
  /** alloc_pages(gfp, order): head pfn of a 2^order block, or -1. */
  allocPages(order: number, gfp?: number): number;
  /** __free_pages(page, order). */
  freePages(pfn: number, order: number): void;
}

/**
 * The cold variant's working set: `held` pages in random order, each alone in its 64-byte line of
 * struct page records (one page of every pair stays allocated, the other was freed), and the
 * position the loop continues from.
 */
export interface ColdWorkingSet {
  readonly held: Int32Array;
  /** cursor[0]: the next slot of `held` to cycle. */
  readonly cursor: Int32Array;
}

/** The order sequence and free permutation of the mixed-order variant. */
export interface MixedOrderPlan {
  /** Blocks held at once before they are freed. */
  readonly batch: number;
  /** Order of each allocation, cycled through. */
  readonly orders: Uint8Array;
  /** Free order within a batch: a permutation of 0..batch-1. */
  readonly freeOrder: Uint16Array;
}

/**
 * Loops compiled for one machine: each returns a checksum of the pfns (30 bits, never negative) so
 * no work is dead, or -1 when an allocation failed.
 */
export interface Workload {
  /** `iterations` × (alloc_page(); free_page()). */
  order0(alloc: PageAllocator, iterations: number, gfp: number): number;
  /** `batches` × (allocate `plan.batch` blocks of the plan's orders, free them in `plan.freeOrder`). */
  mixed(alloc: PageAllocator, batches: number, gfp: number, plan: MixedOrderPlan, pfns: Int32Array): number;
  /**
   * `iterations` × (free the page in the next slot of the working set, allocate a page, keep it
   * in that slot): every free and allocation touches a page last touched a whole cycle earlier.
   */
  cold(alloc: PageAllocator, iterations: number, gfp: number, ws: ColdWorkingSet): number;
}

/** Distribution of the mixed-order variant: mostly small orders (per-CPU lists), some buddy-only ones. */
const MIXED_ORDER_WEIGHTS: readonly (readonly [order: number, weight: number])[] = [
  [0, 48],
  [1, 16],
  [2, 12],
  [3, 8],
  [4, 6],
  [5, 4],
  [6, 3],
  [8, 2],
  [MAX_PAGE_ORDER, 1],
];

/** A 32-bit xorshift generator: the plan is the same on every run. */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** The mixed-order plan: `length` orders drawn from the fixed distribution, a shuffled free order. */
export function mixedOrderPlan(batch = 64, length = 1024, seed = 0x9e3779b9): MixedOrderPlan {
  if (!Number.isInteger(batch) || batch < 1 || batch > 0xffff)
    throw new KernelError('EINVAL', `mixed-order batch must be 1..65535, got ${batch}`);
  if (!Number.isInteger(length) || length < batch)
    throw new KernelError(
      'EINVAL',
      `mixed-order plan length must be an integer >= the batch (${batch}), got ${length}`,
    );
  const rnd = xorshift32(seed);
  const total = MIXED_ORDER_WEIGHTS.reduce((n, [, w]) => n + w, 0);
  const orders = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    let r = rnd() * total;
    let k = 0;
    while (r >= MIXED_ORDER_WEIGHTS[k]![1]) r -= MIXED_ORDER_WEIGHTS[k++]![1];
    orders[i] = MIXED_ORDER_WEIGHTS[k]![0];
  }
  const freeOrder = new Uint16Array(batch);
  for (let i = 0; i < batch; i++) freeOrder[i] = i;
  for (let i = batch - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = freeOrder[i]!;
    freeOrder[i] = freeOrder[j]!;
    freeOrder[j] = t;
  }
  return { batch, orders, freeOrder };
}

/** Pages one batch of the plan holds at most: the largest sum over `batch` consecutive orders (cyclic). */
export function mixedBatchPages(plan: MixedOrderPlan): number {
  const { orders, batch } = plan;
  const n = orders.length;
  let sum = 0;
  for (let i = 0; i < batch; i++) sum += 1 << orders[i % n]!;
  let max = sum;
  for (let start = 1; start < n; start++) {
    sum += (1 << orders[(start + batch - 1) % n]!) - (1 << orders[start - 1]!);
    if (sum > max) max = sum;
  }
  return max;
}

const ORDER0_SRC = `
  let sum = 0;
  for (let i = 0; i < iterations; i++) {
    const pfn = alloc.allocPages(0, gfp);
    if (pfn < 0) return -1;
    alloc.freePages(pfn, 0);
    sum = (sum + pfn) & 0x3fffffff;
  }
  return sum;
`;

const MIXED_SRC = `
  const batch = plan.batch;
  const orders = plan.orders;
  const freeOrder = plan.freeOrder;
  const nOrders = orders.length;
  let o = 0;
  let sum = 0;
  for (let b = 0; b < batches; b++) {
    const first = o;
    for (let i = 0; i < batch; i++) {
      const pfn = alloc.allocPages(orders[o], gfp);
      if (pfn < 0) return -1;
      pfns[i] = pfn;
      sum = (sum + pfn) & 0x3fffffff;
      o = o + 1 === nOrders ? 0 : o + 1;
    }
    for (let i = 0; i < batch; i++) {
      const k = freeOrder[i];
      let ok = first + k;
      if (ok >= nOrders) ok -= nOrders;
      alloc.freePages(pfns[k], orders[ok]);
    }
  }
  return sum;
`;

const COLD_SRC = `
  const held = ws.held;
  const n = held.length;
  let j = ws.cursor[0];
  let sum = 0;
  for (let i = 0; i < iterations; i++) {
    alloc.freePages(held[j], 0);
    const pfn = alloc.allocPages(0, gfp);
    if (pfn < 0) return -1;
    held[j] = pfn;
    j = j + 1 === n ? 0 : j + 1;
    sum = (sum + pfn) & 0x3fffffff;
  }
  ws.cursor[0] = j;
  return sum;
`;

/**
 * A fresh copy of the loops with their own inline caches (see the module comment). The bodies
 * are plain JavaScript compiled once per machine, never per round.
 */
export function compileWorkload(): Workload {
  const order0 = new Function('alloc', 'iterations', 'gfp', ORDER0_SRC) as Workload['order0'];
  const mixed = new Function('alloc', 'batches', 'gfp', 'plan', 'pfns', MIXED_SRC) as Workload['mixed'];
  const cold = new Function('alloc', 'iterations', 'gfp', 'ws', COLD_SRC) as Workload['cold'];
  return { order0, mixed, cold };
}

/** Bytes of one line of struct page records (two 32-byte records): one held page per line. */
export const COLD_BYTES_PER_PAGE = 64;
/** The working set is at least this many times the last-level cache. */
export const COLD_LLC_MULTIPLE = 4;

/** Pages the cold working set aims for: COLD_LLC_MULTIPLE × the LLC, one page per line. */
export function coldTargetPages(llcBytes: number): number {
  if (!Number.isSafeInteger(llcBytes) || llcBytes <= 0)
    throw new KernelError('EINVAL', `bench: LLC size must be a positive number of bytes, got ${llcBytes}`);
  return Math.ceil((COLD_LLC_MULTIPLE * llcBytes) / COLD_BYTES_PER_PAGE);
}

/**
 * Build the cold working set (not timed): allocate order-0 pages until `2 × targetPages` are held
 * or the allocator refuses (watermarks), free the odd pfns — so each held page is alone in its
 * line of records, and the free pages in between fragment memory as on a busy machine — and
 * shuffle the held ones with a fixed seed. Returns fewer than `targetPages` when memory is short.
 */
export function buildColdWorkingSet(
  alloc: PageAllocator,
  gfp: number,
  targetPages: number,
  seed = 0x2545f491,
): ColdWorkingSet {
  if (!Number.isSafeInteger(targetPages) || targetPages < 1)
    throw new KernelError('EINVAL', `bench: cold working set must be at least one page, got ${targetPages}`);
  const all = new Int32Array(2 * targetPages);
  let n = 0;
  while (n < all.length) {
    const pfn = alloc.allocPages(0, gfp);
    if (pfn < 0) break;
    all[n++] = pfn;
  }
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const pfn = all[i]!;
    if ((pfn & 1) === 0 && kept < targetPages) all[kept++] = pfn;
    else alloc.freePages(pfn, 0);
  }
  if (kept === 0) throw new KernelError('ENOMEM', 'bench: no page left for the cold working set');
  const held = all.slice(0, kept);
  const rnd = xorshift32(seed);
  for (let i = kept - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = held[i]!;
    held[i] = held[j]!;
    held[j] = t;
  }
  return { held, cursor: new Int32Array(1) };
}

/** Give the working set's pages back. */
export function releaseColdWorkingSet(alloc: PageAllocator, ws: ColdWorkingSet): void {
  for (let i = 0; i < ws.held.length; i++) alloc.freePages(ws.held[i]!, 0);
}
