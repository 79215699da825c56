/**
 * `kernel-sim run`: execute a script against a booted kernel and print the transcript — each
 * command echoed as `$ <command>` and followed by its output; an error prints
 * `SCRIPT:LINE: <message>` on stderr and stops the run with status 1 unless `--keep-going`.
 */
import { EXIT_FAILURE, EXIT_OK } from './errors';
import type { Io } from './io';
import { isSyntaxError, type ScriptLine } from './script';

/** What a script runs against: one command's words in, its output text out, or a thrown error. */
export interface CommandExecutor {
  execute(argv: readonly string[]): string;
}

/** One step of a `--json` transcript. */
export interface TranscriptStep {
  line: number;
  command: string;
  output: string;
  error?: string;
}

/** Options of a script run. */
export interface RunScriptOptions {
  /** Shown in error messages (`SCRIPT:LINE:`). */
  scriptName: string;
  keepGoing: boolean;
  json: boolean;
}

/** The result of a run: exit status and, for `--json`, the steps. */
export interface RunResult {
  status: number;
  steps: TranscriptStep[];
}

/** Execute the lines of a script; text output is streamed to `io` unless `json`. */
export function runScriptLines(
  lines: readonly ScriptLine[],
  exec: CommandExecutor,
  io: Io,
  opts: RunScriptOptions,
): RunResult {
  const steps: TranscriptStep[] = [];
  let status = EXIT_OK;
  for (const line of lines) {
    if (!opts.json) io.out(`${io.color.dim('$')} ${io.color.bold(line.text)}\n`);
    let output = '';
    let error: string | undefined;
    if (isSyntaxError(line)) {
      error = line.error;
    } else {
      try {
        output = exec.execute(line.argv);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    if (!opts.json && output !== '') io.out(output.endsWith('\n') ? output : `${output}\n`);
    const step: TranscriptStep = { line: line.lineno, command: line.text, output };
    if (error !== undefined) {
      step.error = error;
      status = EXIT_FAILURE;
      io.err(`${io.errColor.red(`${opts.scriptName}:${line.lineno}: ${error}`)}\n`);
    }
    steps.push(step);
    if (error !== undefined && !opts.keepGoing) break;
  }
  return { status, steps };
}
