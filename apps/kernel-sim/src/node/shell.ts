/**
 * `kernel-sim shell`: the script commands interactively, on node:readline — line editing,
 * history (kept in ~/.kernel_sim_history on a terminal), `help`, and tab completion of commands,
 * call sites, module names, variables and paths. Fed from a pipe it reads commands like a
 * script and reports errors as `<stdin>:LINE: message`. What a line does is cli/shell.ts's.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { EXIT_FAILURE, EXIT_OK } from '../cli/errors';
import type { Env, Io } from '../cli/io';
import { completeLine, runShellLine, type ShellBackend } from '../cli/shell';

/** Streams and surroundings of a shell session. */
export interface ShellStreams {
  input: Readable & { isTTY?: boolean };
  output: Writable & { isTTY?: boolean };
  /** History file; undefined = no persistent history. */
  historyFile?: string;
  /**
   * One JSON object per command on the output, `{command, output}` or `{command, error}`: an
   * error is reported there only, not again on stderr.
   */
  json?: boolean;
}

const HISTORY_SIZE = 1000;

function defaultHistoryFile(env: Env): string | undefined {
  if (env.KERNEL_SIM_HISTFILE !== undefined)
    return env.KERNEL_SIM_HISTFILE === '' ? undefined : env.KERNEL_SIM_HISTFILE;
  try {
    return join(homedir(), '.kernel_sim_history');
  } catch {
    return undefined;
  }
}

function loadHistory(file: string | undefined): string[] {
  if (file === undefined) return [];
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-HISTORY_SIZE)
      .reverse();
  } catch {
    return [];
  }
}

/** Run the shell until `exit`, `quit` or end of input; resolves to the exit status. */
export async function runShell(
  backend: ShellBackend,
  io: Io,
  banner: string,
  streams?: Partial<ShellStreams>,
): Promise<number> {
  const input = streams?.input ?? process.stdin;
  const output = streams?.output ?? process.stdout;
  const interactive = input.isTTY === true && output.isTTY === true;
  const historyFile = interactive ? (streams?.historyFile ?? defaultHistoryFile(io.env)) : undefined;
  const json = streams?.json === true;
  const rl: Interface = createInterface({
    input,
    output: interactive ? output : undefined,
    terminal: interactive,
    completer: (line: string) => completeLine(backend, line),
    history: loadHistory(historyFile),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    prompt: `${io.color.green('kernel-sim')}${io.color.dim('#')} `,
  });
  if (interactive)
    io.out(`${banner}\nType 'help' for the commands, 'exit' or Ctrl-D to leave; Tab completes.\n`);
  let status = EXIT_OK;
  let lineno = 0;
  if (interactive) rl.prompt();
  for await (const raw of rl) {
    lineno++;
    const result = runShellLine(backend, raw, lineno);
    if (result.kind !== 'empty' && historyFile !== undefined) {
      try {
        appendFileSync(historyFile, `${raw}\n`);
      } catch {
        // A read-only home directory costs the history, not the session.
      }
    }
    if (result.kind === 'exit') break;
    if (result.kind === 'output') {
      status = EXIT_OK;
      if (json) io.out(`${JSON.stringify({ command: result.command, output: result.output })}\n`);
      else if (result.output !== '')
        io.out(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
    } else if (result.kind === 'error') {
      status = EXIT_FAILURE;
      if (json) io.out(`${JSON.stringify({ command: result.command, error: result.error })}\n`);
      else io.err(`${io.errColor.red(interactive ? result.error : `<stdin>:${lineno}: ${result.error}`)}\n`);
    }
    if (interactive) rl.prompt();
  }
  rl.close();
  if (interactive) io.out('\n');
  return status;
}
