/**
 * Colour for terminal output: only when the stream is a terminal, never with NO_COLOR set
 * (https://no-color.org), so files, pipes and golden tests get plain bytes.
 */
import pc from 'picocolors';
import type { Env } from './io';

/** The colour functions the CLI uses; identity functions when colour is off. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Whether output to `stream` may be coloured. */
export function colorEnabled(stream: { isTTY?: boolean }, env: Env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Colour functions for `stream`. */
export function colorsFor(stream: { isTTY?: boolean }, env: Env): Colors {
  return pc.createColors(colorEnabled(stream, env));
}
