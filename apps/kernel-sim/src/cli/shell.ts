/**
 * `kernel-sim shell`: the script commands interactively, on node:readline — line editing,
 * history (kept in ~/.kernel_sim_history on a terminal), `help`, and tab completion of commands,
 * call sites, module names, variables and paths. Fed from a pipe it reads commands like a
 * script and reports errors as `<stdin>:LINE: message`.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { EXIT_FAILURE, EXIT_OK } from './errors';
import type { Io } from './io';
import type { CommandExecutor } from './runner';
import { isSyntaxError, splitCommandLine } from './script';

/** What the shell drives: commands, completion and help. */
export interface ShellBackend extends CommandExecutor {
  /** Candidates for the word being typed, given the complete words before it. */
  complete(before: readonly string[], partial: string): string[];
}

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

/** The tab completer: completes the last word of `line`. */
export function completeLine(backend: ShellBackend, line: string): [string[], string] {
  const m = /(\S*)$/.exec(line)!;
  const partial = m[1]!;
  const head = line.slice(0, line.length - partial.length);
  const words = head.trim() === '' ? [] : head.trim().split(/\s+/);
  const hits = backend
    .complete(words, partial)
    .filter((c) => c.startsWith(partial))
    .sort();
  return [[...new Set(hits)], partial];
}

function defaultHistoryFile(env: NodeJS.ProcessEnv): string | undefined {
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
    const parsed = splitCommandLine(raw, lineno);
    if (parsed !== null) {
      if (historyFile !== undefined) {
        try {
          appendFileSync(historyFile, `${raw}\n`);
        } catch {
          // A read-only home directory costs the history, not the session.
        }
      }
      if (!isSyntaxError(parsed) && (parsed.argv[0] === 'exit' || parsed.argv[0] === 'quit')) break;
      let error: string | undefined;
      let output = '';
      if (isSyntaxError(parsed)) error = parsed.error;
      else {
        try {
          output = backend.execute(parsed.argv);
          status = EXIT_OK;
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
      }
      if (error !== undefined) status = EXIT_FAILURE;
      if (json) {
        const command = isSyntaxError(parsed) ? raw.trim() : parsed.argv.join(' ');
        io.out(`${JSON.stringify(error === undefined ? { command, output } : { command, error })}\n`);
      } else if (error !== undefined)
        io.err(`${io.errColor.red(interactive ? error : `<stdin>:${lineno}: ${error}`)}\n`);
      else if (output !== '') io.out(output.endsWith('\n') ? output : `${output}\n`);
    }
    if (interactive) rl.prompt();
  }
  rl.close();
  if (interactive) io.out('\n');
  return status;
}
