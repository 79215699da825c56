/**
 * Reading `/proc/allocinfo` files (lib/alloc_tag.c: allocinfo_show() output) written by this
 * simulator or by a real kernel: format version 1.0 and 2.0 (which appends ` accurate:no` to
 * tags whose counters may be incomplete), summed per call site for the top and diff tools.
 */
import { AllocTagError, parseAllocinfo } from '@allocprof/alloc-tag';
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
  /** `1.0`, `2.0`, or null for a copy without the header (e.g. `tail -n +3`). */
  readonly version: string | null;
  readonly entries: readonly AllocinfoEntry[];
}

/**
 * Parse the text of an allocinfo file with alloc-tag's parseAllocinfo. `name` is used in
 * errors, which read `NAME:LINE: message` and are thrown as CliError (exit status 1).
 */
export function parseAllocinfoText(text: string, name: string): AllocinfoFile {
  let parsed: ReturnType<typeof parseAllocinfo>;
  try {
    parsed = parseAllocinfo(text, name);
  } catch (e) {
    if (e instanceof AllocTagError) throw new CliError(e.message);
    throw e;
  }
  if (parsed.version === null && parsed.entries.length === 0)
    throw new CliError(
      `${name}:1: not an allocinfo file: no 'allocinfo - version:' header and no call sites`,
    );
  const entries = parsed.entries.map((e) => ({
    bytes: e.bytes,
    calls: e.calls,
    file: e.filename,
    line: e.lineno,
    module: e.modname,
    func: e.function,
    accurate: e.accurate,
    site: `${e.filename}:${e.lineno}${e.modname === null ? '' : ` [${e.modname}]`} func:${e.function}`,
    lineno: e.line,
  }));
  return { name, version: parsed.version, entries };
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
