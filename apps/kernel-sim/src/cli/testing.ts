/** Test support for the commands: an Io that keeps what they print. */
import pc from 'picocolors';
import { NO_HOST } from '../host';
import type { Io } from './io';

/** An Io off a terminal, without colour, files or clock, collecting stdout and stderr. */
export function captureIo(): Io & { stdout: string; stderr: string } {
  const plain = pc.createColors(false);
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    color: plain,
    errColor: plain,
    colorOn: false,
    env: {},
    isTTY: false,
    host: NO_HOST,
  };
  return io;
}
