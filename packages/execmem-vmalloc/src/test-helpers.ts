import type { LogLevel, Printk } from './printk';
import type { PageProvider } from './vmalloc';

/**
 * A PageProvider over a fixed pool of pfns that counts everything: which pages are out, how many
 * bulk calls were made, and double frees. `shortBy` makes the next bulk calls return fewer pages.
 */
export class CountingProvider implements PageProvider {
  private readonly free: number[] = [];
  readonly allocated = new Set<number>();
  bulkCalls = 0;
  frees = 0;
  /** Remaining pages the provider will hand out before it reports exhaustion (Infinity = pool size). */
  budget = Number.POSITIVE_INFINITY;

  constructor(readonly nrPages: number) {
    for (let pfn = nrPages - 1; pfn >= 0; pfn--) this.free.push(pfn);
  }

  allocPagesBulk(nrPages: number, out: number[]): number {
    this.bulkCalls++;
    let got = 0;
    while (got < nrPages && this.free.length > 0 && this.budget > 0) {
      const pfn = this.free.pop()!;
      this.allocated.add(pfn);
      out.push(pfn);
      got++;
      this.budget--;
    }
    return got;
  }

  freePage(pfn: number): void {
    if (!this.allocated.delete(pfn)) throw new Error(`double or foreign free of pfn ${pfn}`);
    this.frees++;
    this.free.push(pfn);
  }

  get outstanding(): number {
    return this.allocated.size;
  }
}

/** A Printk that records lines as `level: message`. */
export class RecordingPrintk implements Printk {
  readonly lines: string[] = [];

  printk(level: LogLevel, message: string): void {
    this.lines.push(`${level}: ${message}`);
  }
}
