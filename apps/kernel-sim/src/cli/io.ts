/**
 * The surroundings a command runs in: output streams, their colour, the environment, and the
 * host (files, CPU clock, runtime details). Commands write and read through this instead of
 * `process` so that their output is a plain function of their inputs and the same commands run
 * outside Node; the process's own Io is node/io.ts.
 */
import type { Host } from '../host';
import type { Colors } from './colors';

/** Environment variables as the commands read them. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colours for stdout / stderr (identity functions off a terminal or with NO_COLOR). */
  readonly color: Colors;
  readonly errColor: Colors;
  /** Whether `color` is on (for renderers that take a boolean). */
  readonly colorOn: boolean;
  readonly env: Env;
  /** Whether stdout is an interactive terminal (progress output, shell prompt). */
  readonly isTTY: boolean;
  /** Files, CPU clock and runtime details of the machine the commands run on. */
  readonly host: Host;
}
