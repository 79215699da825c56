/** The handlers of the commands that boot a kernel or draw layouts, wired to Node's shell and terminal. */
import { benchCommand } from '../bench/command';
import { bootBenchMachine } from '../bench/kernel-machine';
import { type LiveTopDeps, type LiveTopOptions, runLiveTop } from '../cli/allocinfo-live';
import { demoCommand } from '../cli/demo';
import { readInputFile } from '../cli/files';
import type { Io } from '../cli/io';
import { layoutCommand } from '../cli/layout';
import { bootGuardOf, bootKernel, KernelMachine } from '../cli/machine';
import type { Handlers, MachineOptions } from '../cli/program';
import { runScriptLines } from '../cli/runner';
import { parseScript } from '../cli/script';
import { Session } from '../cli/session';
import type { HostFiles } from '../host';
import { runShell } from './shell';

/** `kernel-sim run SCRIPT`. */
export async function runCommand(
  script: string,
  opts: MachineOptions & { keepGoing: boolean },
  io: Io,
): Promise<number> {
  const lines = parseScript(readInputFile(io.host.files, script));
  const machine = new KernelMachine(bootKernel(opts, io.host.files, {}, bootGuardOf(io)));
  const session = new Session(machine, io.colorOn, io.host.files);
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
  const machine = new KernelMachine(bootKernel(opts, io.host.files, {}, bootGuardOf(io)));
  const session = new Session(machine, io.colorOn, io.host.files);
  return runShell(session, io, `kernel-sim shell: ${machine.describe()}`, { json: opts.json });
}

/** The live view's surroundings in this process: the file, the clock, the terminal, the q key. */
export function processLiveTopDeps(files: HostFiles, file: string): LiveTopDeps {
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
    read: () => readInputFile(files, file),
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
    benchCommand(opts, io, {
      boot: (mode, o) => bootBenchMachine(mode, o, io.host.files),
      stderrIsTTY: process.stderr.isTTY === true,
    }),
  layout: layoutCommand,
  liveTop: (file: string, opts: LiveTopOptions, io: Io) =>
    runLiveTop(file, opts, io, processLiveTopDeps(io.host.files, file)),
};
