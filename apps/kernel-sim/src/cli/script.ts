/**
 * The script language of `kernel-sim run` and `shell`: one command per line, `#` starts a
 * comment, blank lines are ignored, words are separated by blanks and may be quoted with '…' or
 * "…" (needed only for values with blanks or `#`).
 */

/** A command line of a script, split into words. */
export interface ScriptCommand {
  /** 1-based line number in the script. */
  readonly lineno: number;
  /** The command as written, without comment and surrounding blanks (what `$ ` echoes). */
  readonly text: string;
  readonly argv: readonly string[];
}

/** A line that could not be split into words (an unterminated quote). */
export interface ScriptSyntaxError {
  readonly lineno: number;
  readonly text: string;
  readonly error: string;
}

export type ScriptLine = ScriptCommand | ScriptSyntaxError;

/** Whether a parsed line is a syntax error. */
export function isSyntaxError(line: ScriptLine): line is ScriptSyntaxError {
  return 'error' in line;
}

/**
 * Split one line into words. Returns null for a blank or comment-only line, a syntax error for
 * an unterminated quote. `>` is a word of its own (`echo 1>/proc/sys/vm/mem_profiling` works).
 */
export function splitCommandLine(line: string, lineno = 1): ScriptLine | null {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let end = line.length;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '#') {
      end = i;
      break;
    }
    if (ch === "'" || ch === '"') {
      const close = line.indexOf(ch, i + 1);
      if (close < 0)
        return { lineno, text: line.trim(), error: `unterminated ${ch === '"' ? 'double' : 'single'} quote` };
      word += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (ch === '>') {
      if (inWord) argv.push(word);
      argv.push('>');
      word = '';
      inWord = false;
      i++;
      continue;
    }
    word += ch;
    inWord = true;
    i++;
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return null;
  return { lineno, text: line.slice(0, end).trim(), argv };
}

/** Every command and syntax error of a script, in order; blank and comment lines are dropped. */
export function parseScript(text: string): ScriptLine[] {
  const out: ScriptLine[] = [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = splitCommandLine(lines[i]!, i + 1);
    if (l !== null) out.push(l);
  }
  return out;
}

/**
 * Split `key=value` options off the words after the positional ones: `order=2 count=4 as=buf`.
 * Unknown keys, repeated keys and stray positional words are errors naming the word.
 */
export function parseKeywordArgs(
  words: readonly string[],
  allowed: readonly string[],
): { positional: string[]; options: Map<string, string> } {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) {
      if (options.size > 0) throw new Error(`unexpected argument '${w}' after options`);
      positional.push(w);
      continue;
    }
    const key = w.slice(0, eq);
    if (!allowed.includes(key))
      throw new Error(`unknown option '${key}' (expected ${allowed.map((a) => `${a}=`).join(', ')})`);
    if (options.has(key)) throw new Error(`option '${key}' given twice`);
    options.set(key, w.slice(eq + 1));
  }
  return { positional, options };
}
