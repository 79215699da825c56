/**
 * include/linux/idr.h: struct idr — an integer id → value map that hands out the lowest free id.
 * Code tag types keep their module records in one (`mod_idr`).
 */
export class Idr<V> {
  readonly #slots: (V | undefined)[] = [];
  #size = 0;
  /** No id below this is free. */
  #freeHint = 0;

  /** Number of ids in use. */
  get size(): number {
    return this.#size;
  }

  /** idr_is_empty() */
  isEmpty(): boolean {
    return this.#size === 0;
  }

  /** idr_alloc(idr, value, 0, 0): store `value` under the lowest free id ≥ 0 and return that id. */
  alloc(value: V): number {
    if (value === undefined) throw new TypeError('Idr cannot store undefined');
    const slots = this.#slots;
    let id = this.#freeHint;
    while (id < slots.length && slots[id] !== undefined) id++;
    slots[id] = value;
    this.#size++;
    this.#freeHint = id + 1;
    return id;
  }

  /** idr_find() */
  find(id: number): V | undefined {
    return this.#slots[id];
  }

  /** idr_get_next(): the lowest id ≥ `from` in use, or -1. */
  nextId(from: number): number {
    const slots = this.#slots;
    for (let id = Math.max(0, from); id < slots.length; id++) {
      if (slots[id] !== undefined) return id;
    }
    return -1;
  }

  /** idr_remove(): the value that was stored under `id`, if any. */
  remove(id: number): V | undefined {
    const slots = this.#slots;
    const value = slots[id];
    if (value === undefined) return undefined;
    slots[id] = undefined;
    this.#size--;
    if (id < this.#freeHint) this.#freeHint = id;
    // Trimming keeps nextId() and alloc() bounded by the highest id in use.
    while (slots.length > 0 && slots[slots.length - 1] === undefined) slots.pop();
    return value;
  }

  /** idr_for_each_entry(): [id, value] pairs in ascending id order. */
  *entries(): IterableIterator<[number, V]> {
    const slots = this.#slots;
    for (let id = 0; id < slots.length; id++) {
      const value = slots[id];
      if (value !== undefined) yield [id, value];
    }
  }
}
