/**
 * Reading `/proc/allocinfo` files (lib/alloc_tag.c: allocinfo_show() output) written by this
 * simulator or by a real kernel: format version 1.0 (v6.10 … v6.15) and 2.0 (later kernels,
 * which append ` accurate:no` to tags whose counters may be incomplete).
 */
import { CliError } from './errors';

/** One call site of an allocinfo file. */
export interface AllocinfoEntry {
  /** Bytes currently allocated (signed: per-CPU counters can make a sum negative). */
  readonly bytes: number;
  /** Live allocations. */
  readonly calls: number;
  readonly file: string;
  readonly line: number;
  /** Module name, null for the kernel image. */
  readonly module: string | null;
  readonly func: string;
  /** False when a 2.0 file marks the tag ` accurate:no`. */
  readonly accurate: boolean;
  /** The tag text (lib/codetag.c: codetag_to_text()), the identity of a call site across files. */
  readonly site: string;
  /** 1-based line in the file. */
  readonly lineno: number;
}

/** A parsed allocinfo file. */
export interface AllocinfoFile {
  readonly name: string;
  readonly version: '1.0' | '2.0';
  readonly entries: readonly AllocinfoEntry[];
}

const HEADER = /^allocinfo - version: (\d+\.\d+)\s*$/;
const ENTRY = /^\s*(-?\d+)\s+(\d+)\s+(\S+):(\d+)(?:\s+\[([^\]\s]+)\])?\s+func:(\S+)(\s+accurate:no)?\s*$/;

/**
 * Parse the text of an allocinfo file. `name` is used in errors, which read
 * `NAME:LINE: message` and are thrown as CliError (exit status 1).
 */
export function parseAllocinfoText(text: string, name: string): AllocinfoFile {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const first = lines[0];
  if (first === undefined) throw new CliError(`${name}:1: empty file, expected 'allocinfo - version: 1.0'`);
  const h = HEADER.exec(first);
  if (h === null)
    throw new CliError(
      `${name}:1: not an allocinfo file: expected 'allocinfo - version: 1.0' or '2.0', got '${clip(first)}'`,
    );
  const version = h[1];
  if (version !== '1.0' && version !== '2.0')
    throw new CliError(`${name}:1: unsupported allocinfo version ${version} (known: 1.0, 2.0)`);
  const entries: AllocinfoEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.startsWith('#') || raw.trim() === '') continue;
    const m = ENTRY.exec(raw);
    if (m === null)
      throw new CliError(
        `${name}:${i + 1}: malformed line, expected '<size> <calls> file:line [module] func:name': '${clip(raw)}'`,
      );
    if (m[7] !== undefined && version === '1.0')
      throw new CliError(`${name}:${i + 1}: 'accurate:no' is not part of allocinfo version 1.0`);
    const bytes = Number(m[1]);
    const calls = Number(m[2]);
    if (!Number.isSafeInteger(bytes) || !Number.isSafeInteger(calls))
      throw new CliError(`${name}:${i + 1}: counter out of range: '${clip(raw)}'`);
    const module = m[5] ?? null;
    const file = m[3]!;
    const line = Number(m[4]);
    const func = m[6]!;
    entries.push({
      bytes,
      calls,
      file,
      line,
      module,
      func,
      accurate: m[7] === undefined,
      site: `${file}:${line}${module === null ? '' : ` [${module}]`} func:${func}`,
      lineno: i + 1,
    });
  }
  return { name, version, entries };
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Per-site totals: call sites with the same text (a header inline expanded in several files) are summed. */
export interface SiteTotal {
  readonly site: string;
  readonly file: string;
  readonly module: string | null;
  bytes: number;
  calls: number;
  /** How many tags of the file carry this text. */
  tags: number;
  accurate: boolean;
}

/** Sum the entries of a file by call-site text, in first-appearance order. */
export function totalsBySite(file: AllocinfoFile): Map<string, SiteTotal> {
  const out = new Map<string, SiteTotal>();
  for (const e of file.entries) {
    const t = out.get(e.site);
    if (t === undefined) {
      out.set(e.site, {
        site: e.site,
        file: e.file,
        module: e.module,
        bytes: e.bytes,
        calls: e.calls,
        tags: 1,
        accurate: e.accurate,
      });
    } else {
      t.bytes += e.bytes;
      t.calls += e.calls;
      t.tags++;
      t.accurate &&= e.accurate;
    }
  }
  return out;
}
