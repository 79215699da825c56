import type { CodeTagModule, SymbolLookup, TagMemory } from './codetag';
import { CodeTagError } from './errors';
import { type CodeTag, formatCodetagAddress } from './tag';

/**
 * A plain tag memory for examples and tests: tag objects placed at their addresses; reading any
 * other address faults. alloc-tag provides the real one (kernel image section, module tag area).
 */
export class SectionMemory<T extends CodeTag> implements TagMemory<T> {
  readonly #tags = new Map<number, T>();

  /** Number of tags placed. */
  get size(): number {
    return this.#tags.size;
  }

  /** Place tags at their `address`; throws EEXIST (placing none) if an address is taken. */
  place(tags: Iterable<T>): void {
    const list = [...tags];
    const seen = new Set<number>();
    for (const ct of list) {
      if (this.#tags.has(ct.address) || seen.has(ct.address)) {
        throw new CodeTagError('EEXIST', `a tag already lives at ${formatCodetagAddress(ct.address)}`);
      }
      seen.add(ct.address);
    }
    for (const ct of list) this.#tags.set(ct.address, ct);
  }

  /** Remove the tags in [start, stop) (the memory is freed); returns how many were removed. */
  remove(start: number, stop: number): number {
    let removed = 0;
    for (const address of [...this.#tags.keys()]) {
      if (address >= start && address < stop) {
        this.#tags.delete(address);
        removed++;
      }
    }
    return removed;
  }

  tagAt(address: number): T {
    const ct = this.#tags.get(address);
    if (ct === undefined) {
      throw new CodeTagError(
        'EFAULT',
        `BUG: unable to handle page fault for address: ${formatCodetagAddress(address)} (no code tag there)`,
      );
    }
    return ct;
  }
}

/** A symbol table (kallsyms or a module's own) backed by a Map. */
export class SymbolTable implements SymbolLookup {
  readonly #symbols: Map<string, number>;

  constructor(symbols?: Record<string, number> | Iterable<readonly [string, number]>) {
    this.#symbols = new Map(
      symbols === undefined
        ? []
        : Symbol.iterator in symbols
          ? (symbols as Iterable<readonly [string, number]>)
          : Object.entries(symbols),
    );
  }

  /** Define (or redefine) symbols. */
  define(symbols: Record<string, number>): this {
    for (const [name, value] of Object.entries(symbols)) this.#symbols.set(name, value);
    return this;
  }

  /** Forget a symbol. */
  undefine(name: string): boolean {
    return this.#symbols.delete(name);
  }

  lookupSymbol(name: string): number | undefined {
    return this.#symbols.get(name);
  }
}

/** A minimal module for examples and tests: a name and its symbol table. */
export class SimpleModule extends SymbolTable implements CodeTagModule {
  readonly name: string;

  constructor(name: string, symbols?: Record<string, number>) {
    super(symbols);
    this.name = name;
  }
}
