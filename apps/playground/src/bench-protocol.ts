/** The messages between the page and the benchmark's Web Worker. */
import type { BenchView } from './bench-view';

/** Page → worker: run the benchmark. */
export interface BenchRequest {
  readonly type: 'run';
  /** RAM of each mode's machine, bytes. */
  readonly mem: number;
  /** Few, short rounds (as `kernel-sim bench --smoke`). */
  readonly quick: boolean;
}

/** Worker → page. */
export type BenchMessage =
  | { readonly type: 'booting'; readonly mode: string; readonly index: number; readonly count: number }
  | { readonly type: 'progress'; readonly done: number; readonly total: number; readonly text: string }
  | { readonly type: 'done'; readonly view: BenchView; readonly ms: number }
  | { readonly type: 'error'; readonly message: string };
