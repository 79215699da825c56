/** The Io of the running Node process: its standard streams, environment and host. */

import { colorEnabled, colorsFor } from '../cli/colors';
import type { Io } from '../cli/io';
import { nodeHost } from './host';

/** The Io of the running process. */
export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: colorsFor(process.stdout, process.env),
    errColor: colorsFor(process.stderr, process.env),
    colorOn: colorEnabled(process.stdout, process.env),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    host: nodeHost,
  };
}
