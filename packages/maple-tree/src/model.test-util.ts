/**
 * A naive reference model of the maple tree for property tests: a sorted array of non-NULL
 * ranges, and a cursor that follows the kernel's ma_state rules (lib/maple_tree.c: mas_find(),
 * mas_next_slot(), mas_prev_slot() and their setup functions) over the full slot sequence
 * (NULL ranges included).
 */
import { MAX_INDEX } from './index';

export interface Range {
  s: number;
  e: number;
  v: number;
}

export class ModelTree {
  ranges: Range[] = [];
  seq = 0;

  private indexOf(i: number): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid]!.e < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  load(i: number): number | undefined {
    const r = this.ranges[this.indexOf(i)];
    return r && r.s <= i ? r.v : undefined;
  }

  storeRange(a: number, b: number, v: number | undefined): void {
    this.seq++;
    const out: Range[] = [];
    let k = this.indexOf(a);
    const head = this.ranges.slice(0, k);
    while (k < this.ranges.length && this.ranges[k]!.s <= b) {
      const r = this.ranges[k]!;
      if (r.s < a) out.push({ s: r.s, e: a - 1, v: r.v });
      if (r.e > b) out.push({ s: b + 1, e: r.e, v: r.v });
      k++;
    }
    const mid: Range[] = [];
    const left = out.filter((r) => r.e < a);
    const right = out.filter((r) => r.s > b);
    mid.push(...left);
    if (v !== undefined) mid.push({ s: a, e: b, v });
    mid.push(...right);
    this.ranges = head.concat(mid, this.ranges.slice(k));
  }

  erase(i: number): number | undefined {
    const k = this.indexOf(i);
    const r = this.ranges[k];
    if (!r || r.s > i) return undefined;
    this.seq++;
    this.ranges.splice(k, 1);
    return r.v;
  }

  /** Every slot, NULL ranges included, covering 0..MAX. */
  slots(): { s: number; e: number; v: number | undefined }[] {
    const out: { s: number; e: number; v: number | undefined }[] = [];
    let next = 0;
    for (const r of this.ranges) {
      if (r.s > next) out.push({ s: next, e: r.s - 1, v: undefined });
      out.push(r);
      next = r.e + 1;
    }
    if (next <= MAX_INDEX) out.push({ s: next, e: MAX_INDEX, v: undefined });
    return out;
  }

  /** NULL ranges clipped to [min, max]: lowest (or highest) start of a window of `size`, or -1. */
  emptyArea(min: number, max: number, size: number, rev: boolean): number {
    const holes = this.slots().filter((x) => x.v === undefined);
    if (rev) holes.reverse();
    for (const h of holes) {
      const lo = Math.max(h.s, min);
      const hi = Math.min(h.e, max);
      if (hi - lo + 1 >= size) return rev ? hi - size + 1 : lo;
    }
    return -1;
  }
}

const START = 'start';
const ACTIVE = 'active';
const PAUSE = 'pause';
const OVERFLOW = 'overflow';
const UNDERFLOW = 'underflow';

export class ModelState {
  index: number;
  last: number;
  status = START;
  /** start of the slot the state sits on */
  private pos = 0;
  private seq = -1;

  constructor(
    private readonly tree: ModelTree,
    index: number,
    last: number,
  ) {
    this.index = index;
    this.last = last;
  }

  private slot(): {
    s: number;
    e: number;
    v: number | undefined;
    k: number;
    all: ReturnType<ModelTree['slots']>;
  } {
    const all = this.tree.slots();
    const k = all.findIndex((x) => x.s <= this.pos && this.pos <= x.e);
    const x = all[k]!;
    return { ...x, k, all };
  }

  private locate(i: number): void {
    this.pos = i;
    this.pos = this.slot().s;
    this.seq = this.tree.seq;
  }

  private sync(): void {
    if (this.seq === this.tree.seq) return;
    if (this.status === ACTIVE) this.status = PAUSE;
    else if (this.status === OVERFLOW || this.status === UNDERFLOW) this.locate(this.index);
  }

  private walkInternal(): number | undefined {
    this.locate(this.index);
    const x = this.slot();
    this.index = x.s;
    this.last = x.e;
    this.status = ACTIVE;
    return x.v;
  }

  walk(): number | undefined {
    return this.walkInternal();
  }

  private stepNext(max: number, skip: boolean): number | undefined {
    this.status = ACTIVE;
    for (;;) {
      const x = this.slot();
      if (x.e >= max) {
        this.status = OVERFLOW;
        return undefined;
      }
      const n = x.all[x.k + 1]!;
      this.pos = n.s;
      this.index = n.s;
      this.last = n.e;
      if (n.v !== undefined || !skip) return n.v;
      if (n.e >= max) {
        this.status = OVERFLOW;
        return undefined;
      }
    }
  }

  private stepPrev(min: number, skip: boolean): number | undefined {
    this.status = ACTIVE;
    for (;;) {
      const x = this.slot();
      if (x.s <= min) {
        this.status = UNDERFLOW;
        return undefined;
      }
      const p = x.all[x.k - 1]!;
      this.pos = p.s;
      this.index = p.s;
      this.last = p.e;
      if (p.v !== undefined || !skip) return p.v;
      if (p.s <= min) {
        this.status = UNDERFLOW;
        return undefined;
      }
    }
  }

  next(max: number, skip = true): number | undefined {
    this.sync();
    if (this.last >= max) {
      this.status = OVERFLOW;
      return undefined;
    }
    if (this.status === OVERFLOW) this.status = ACTIVE;
    else if (this.status === UNDERFLOW) {
      const v = this.walkInternal();
      if (v !== undefined) return v;
    } else if (this.status !== ACTIVE) this.walkInternal();
    return this.stepNext(max, skip);
  }

  prev(min: number, skip = true): number | undefined {
    this.sync();
    if (this.index <= min) {
      this.status = UNDERFLOW;
      return undefined;
    }
    if (this.status === UNDERFLOW) this.status = ACTIVE;
    else if (this.status === OVERFLOW) {
      const v = this.walkInternal();
      if (v !== undefined) return v;
    } else if (this.status !== ACTIVE) this.walkInternal();
    return this.stepPrev(min, skip);
  }

  find(max: number, skip = true): number | undefined {
    this.sync();
    switch (this.status) {
      case ACTIVE: {
        if (this.last >= max) return undefined;
        const v = this.stepNext(max, skip);
        if (skip) this.status = ACTIVE;
        return v;
      }
      case PAUSE:
        if (this.last >= max) return undefined;
        this.index = this.last + 1;
        this.status = START;
        break;
      case UNDERFLOW: {
        if (this.index >= max) {
          this.status = OVERFLOW;
          return undefined;
        }
        const v = this.walkInternal();
        if (v !== undefined) return v;
        break;
      }
      case OVERFLOW: {
        if (this.last >= max) return undefined;
        const v = this.walkInternal();
        if (v !== undefined) return v;
        break;
      }
    }
    if (this.status === START) {
      if (this.index > max) return undefined;
      const v = this.walkInternal();
      if (v !== undefined) return v;
    }
    if (this.index === max) return undefined;
    const v = this.stepNext(max, skip);
    if (skip) this.status = ACTIVE;
    return v;
  }

  findRev(min: number, skip = true): number | undefined {
    this.sync();
    switch (this.status) {
      case ACTIVE:
        if (this.index < min) return undefined;
        return this.stepPrev(min, skip);
      case PAUSE:
        if (this.index <= min) {
          this.status = UNDERFLOW;
          return undefined;
        }
        this.index = this.index - 1;
        this.last = this.index;
        this.status = START;
        break;
      case OVERFLOW:
      case UNDERFLOW:
        if (this.index <= min) {
          this.status = UNDERFLOW;
          return undefined;
        }
        this.status = ACTIVE;
        if (this.index < min) return undefined;
        return this.stepPrev(min, skip);
    }
    if (this.index < min) return undefined;
    const v = this.walkInternal();
    if (v !== undefined) return v;
    if (this.index < min) return undefined;
    return this.stepPrev(min, skip);
  }

  store(v: number | undefined): void {
    this.tree.storeRange(this.index, this.last, v);
    this.locate(this.index);
    this.status = ACTIVE;
    if (v === undefined) {
      const x = this.slot();
      this.index = x.s;
      this.last = x.e;
    }
  }

  erase(): number | undefined {
    const v = this.walkInternal();
    if (v === undefined) return undefined;
    this.store(undefined);
    return v;
  }

  pause(): void {
    this.status = PAUSE;
  }

  reset(): void {
    this.status = START;
  }

  set(i: number): void {
    this.index = i;
    this.last = i;
    this.status = START;
  }

  emptyArea(min: number, max: number, size: number, rev: boolean): boolean {
    const start = this.tree.emptyArea(min, max, size, rev);
    if (start < 0) {
      this.status = START;
      return false;
    }
    this.locate(start);
    this.index = start;
    this.last = start + size - 1;
    this.status = ACTIVE;
    return true;
  }
}
