import { AllocTagError } from './types';

/**
 * include/linux/alloc_tag.h: struct alloc_tag_counters, per CPU, for every tag of one simulated
 * kernel — struct-of-arrays pools indexed by `id * nrCpus + cpu`.
 *
 * The kernel keeps u64 `bytes` and `calls` and reads `bytes` back as s64. Here each per-CPU slot
 * is a double: every value the simulation can produce (below 2^53 bytes = 8 PiB) is exact, a slot
 * may go negative exactly as a u64 slot "goes negative" when a free runs on another CPU than the
 * allocation, and the sum printed as %lli/%llu equals the kernel's wrapped u64 sum. No BigInt
 * is needed on the per-page path.
 *
 * Slot 0 is a sink: tags whose counters were freed point at it, so a stray update after the free
 * (which the kernel would make to freed per-CPU memory) lands nowhere observable.
 */
export class AllocTagCounters {
  readonly nrCpus: number;
  /** Per-CPU `bytes`; reallocated when the pool grows, so read it through this object. */
  bytes: Float64Array;
  /** Per-CPU `calls`. */
  calls: Float64Array;
  private capacity: number;
  private nextId = 1;
  private readonly freeIds: number[] = [];
  private live = 0;

  constructor(nrCpus: number, initialCapacity = 1024) {
    if (!Number.isInteger(nrCpus) || nrCpus < 1 || nrCpus > 8192) {
      throw new AllocTagError('EINVAL', `nrCpus must be an integer in [1, 8192], got ${nrCpus}`);
    }
    this.nrCpus = nrCpus;
    this.capacity = Math.max(2, initialCapacity);
    this.bytes = new Float64Array(this.capacity * nrCpus);
    this.calls = new Float64Array(this.capacity * nrCpus);
  }

  /** Number of counter sets currently allocated. */
  get allocated(): number {
    return this.live;
  }

  /** Bytes the simulated kernel spends on these counters (16 per CPU per tag). */
  get percpuBytes(): number {
    return this.live * this.nrCpus * 16;
  }

  /** alloc_percpu(struct alloc_tag_counters): a zeroed counter set. */
  alloc(): number {
    let id = this.freeIds.pop();
    if (id === undefined) {
      if (this.nextId === this.capacity) this.grow();
      id = this.nextId++;
    }
    this.live++;
    return id;
  }

  /** free_percpu(): the set is zeroed so a later alloc() starts clean. */
  free(id: number): void {
    if (id <= 0) return;
    const base = id * this.nrCpus;
    this.bytes.fill(0, base, base + this.nrCpus);
    this.calls.fill(0, base, base + this.nrCpus);
    this.freeIds.push(id);
    this.live--;
  }

  /** Sum of the per-CPU `bytes` of set `id` (for_each_possible_cpu). */
  sumBytes(id: number): number {
    const b = this.bytes;
    const base = id * this.nrCpus;
    let sum = 0;
    for (let cpu = 0; cpu < this.nrCpus; cpu++) sum += b[base + cpu]!;
    return sum;
  }

  /** Sum of the per-CPU `calls` of set `id`. */
  sumCalls(id: number): number {
    const c = this.calls;
    const base = id * this.nrCpus;
    let sum = 0;
    for (let cpu = 0; cpu < this.nrCpus; cpu++) sum += c[base + cpu]!;
    return sum;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const bytes = new Float64Array(capacity * this.nrCpus);
    const calls = new Float64Array(capacity * this.nrCpus);
    bytes.set(this.bytes);
    calls.set(this.calls);
    this.bytes = bytes;
    this.calls = calls;
    this.capacity = capacity;
  }
}
