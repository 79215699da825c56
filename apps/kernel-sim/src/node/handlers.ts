/** The handlers of the commands that boot a kernel or draw layouts, wired to Node's shell and terminal. */
import { benchCommand } from '../bench/command';
import { bootBenchMachine } from '../bench/kernel-machine';
import { demoCommand } from '../cli/demo';
import { readInputFile } from '../cli/files';
import type { Io } from '../cli/io';
import { layoutCommand } from '../cli/layout';
import { bootGuardOf, bootKernel, KernelMachine } from '../cli/machine';
import type { Handlers, MachineOptions } from '../cli/program';
import { runScriptLines } from '../cli/runner';
import { parseScript } from '../cli/script';
import { Session } from '../cli/session';
import type { ShellBackend } from '../cli/shell';
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
  const backend: ShellBackend = opts.json
    ? {
        execute(argv) {
          try {
            return JSON.stringify({ command: argv.join(' '), output: session.execute(argv) });
          } catch (e) {
            io.out(`${JSON.stringify({ command: argv.join(' '), error: (e as Error).message })}\n`);
            throw e;
          }
        },
        complete: (before, partial) => session.complete(before, partial),
      }
    : session;
  return runShell(backend, io, `kernel-sim shell: ${machine.describe()}`);
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
};
