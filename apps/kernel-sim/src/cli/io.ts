/**
 * The process surroundings a command runs in: output streams, their colour, the environment.
 * Commands write through this instead of `process` so that their output is a plain function of
 * their inputs.
 */
import { type Colors, colorEnabled, colorsFor } from './colors';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colours for stdout / stderr (identity functions off a terminal or with NO_COLOR). */
  readonly color: Colors;
  readonly errColor: Colors;
  /** Whether `color` is on (for renderers that take a boolean). */
  readonly colorOn: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stdout is an interactive terminal (progress output, shell prompt). */
  readonly isTTY: boolean;
}

/** The Io of the running process. */
export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: colorsFor(process.stdout),
    errColor: colorsFor(process.stderr),
    colorOn: colorEnabled(process.stdout),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
  };
}
