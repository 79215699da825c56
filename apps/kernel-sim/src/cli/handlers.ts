/** The handlers of the commands that boot a kernel or draw layouts. */
import { benchCommand } from '../bench/command';
import { bootBenchMachine } from '../bench/kernel-machine';
import { type LiveTopDeps, type LiveTopOptions, runLiveTop } from './allocinfo-live';
import { demoCommand } from './demo';
import { readInputFile } from './files';
import type { Io } from './io';
import { layoutCommand } from './layout';
import { bootKernel, KernelMachine } from './machine';
import type { Handlers, MachineOptions } from './program';
import { runScriptLines } from './runner';
import { parseScript } from './script';
import { Session } from './session';
import { runShell } from './shell';

/** `kernel-sim run SCRIPT`. */
export async function runCommand(
  script: string,
  opts: MachineOptions & { keepGoing: boolean },
  io: Io,
): Promise<number> {
  const lines = parseScript(readInputFile(script));
  const machine = new KernelMachine(bootKernel(opts));
  const session = new Session(machine, io.colorOn);
  const result = runScriptLines(lines, session, io, {
    scriptName: script === '-' ? '<stdin>' : script,
    keepGoing: opts.keepGoing,
    json: opts.json,
  });
  if (opts.json)
    io.out(
      `${JSON.stringify({ machine: machine.describe(), status: result.status, steps: result.steps }, null, 2)}\n`,
    );
  return result.status;
}

/** `kernel-sim shell`. */
export async function shellCommand(opts: MachineOptions, io: Io): Promise<number> {
  const machine = new KernelMachine(bootKernel(opts));
  const session = new Session(machine, io.colorOn);
  return runShell(session, io, `kernel-sim shell: ${machine.describe()}`, { json: opts.json });
}

/** The live view's surroundings in this process: the file, the clock, the terminal, the q key. */
export function processLiveTopDeps(file: string): LiveTopDeps {
  const stdin = process.stdin;
  const onTerminal = process.stdout.isTTY === true;
  const keys = onTerminal && stdin.isTTY === true;
  let quitRequested = false;
  let wake: (() => void) | null = null;
  const quit = () => {
    quitRequested = true;
    wake?.();
  };
  const onKey = (d: Buffer) => {
    // q, Q, or Ctrl-C (0x03), which raw mode delivers as a byte instead of a signal.
    if (d.includes(0x71) || d.includes(0x51) || d.includes(0x03)) quit();
  };
  if (keys) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  // On a terminal the screen must be restored however the view ends.
  if (onTerminal) for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, quit);
  return {
    read: () => readInputFile(file),
    now: () => Date.now(),
    wait(ms) {
      if (quitRequested) return Promise.resolve('quit');
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          wake = null;
          resolve('timeout');
        }, ms);
        wake = () => {
          clearTimeout(timer);
          wake = null;
          resolve('quit');
        };
      });
    },
    // A terminal of unknown size (a pty nobody sized) reports 0 rows: do not cut the frame then.
    terminalRows: () => (onTerminal ? process.stdout.rows || Number.POSITIVE_INFINITY : null),
    close() {
      if (keys) {
        stdin.off('data', onKey);
        stdin.setRawMode(false);
        stdin.pause();
      }
      if (onTerminal) for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, quit);
    },
  };
}

export const handlers: Handlers = {
  demo: demoCommand,
  run: runCommand,
  shell: shellCommand,
  bench: (opts, io) =>
    benchCommand(opts, io, { boot: bootBenchMachine, stderrIsTTY: process.stderr.isTTY === true }),
  layout: layoutCommand,
  liveTop: (file: string, opts: LiveTopOptions, io: Io) =>
    runLiveTop(file, opts, io, processLiveTopDeps(file)),
};
