/**
 * The line discipline of `kernel-sim shell`, apart from any terminal: what one typed line does
 * (a command's output, an error, nothing, or leaving) and tab completion of its last word. The
 * Node shell (node/shell.ts, on node:readline) and the browser playground's console both drive
 * a session through these, so they accept the same commands and print the same messages.
 */
import type { CommandExecutor } from './runner';
import { isSyntaxError, splitCommandLine } from './script';

/** What the shell drives: commands, completion and help. */
export interface ShellBackend extends CommandExecutor {
  /** Candidates for the word being typed, given the complete words before it. */
  complete(before: readonly string[], partial: string): string[];
}

/** What one line of input did. */
export type ShellLineResult =
  /** Blank or comment only: nothing ran. */
  | { readonly kind: 'empty' }
  /** `exit` or `quit`. */
  | { readonly kind: 'exit' }
  /** A command ran; `output` is its text (may be empty). */
  | { readonly kind: 'output'; readonly command: string; readonly output: string }
  /** The line could not be split or the command failed: `error` is the message the shell prints. */
  | { readonly kind: 'error'; readonly command: string; readonly error: string };

/** Execute one line of shell input against `backend`. */
export function runShellLine(backend: ShellBackend, raw: string, lineno = 1): ShellLineResult {
  const parsed = splitCommandLine(raw, lineno);
  if (parsed === null) return { kind: 'empty' };
  if (isSyntaxError(parsed)) return { kind: 'error', command: parsed.text, error: parsed.error };
  if (parsed.argv[0] === 'exit' || parsed.argv[0] === 'quit') return { kind: 'exit' };
  try {
    return { kind: 'output', command: parsed.text, output: backend.execute(parsed.argv) };
  } catch (e) {
    return { kind: 'error', command: parsed.text, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The tab completer: completes the last word of `line`; returns the candidates and that word. */
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
