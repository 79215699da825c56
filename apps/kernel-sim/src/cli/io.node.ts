/** The Io of the running Node process: its standard streams, environment and host. */
import { nodeHost } from '../host.node';
import { colorEnabled, colorsFor } from './colors';
import type { Io } from './io';

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
