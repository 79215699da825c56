import { codetagToText } from '@allocprof/codetag';
import type { AllocTag } from './alloc_tag';
import { AllocTagError, formatU64 } from './types';

/** lib/alloc_tag.c: print_allocinfo_header() — the two header lines of format 1.0. */
export const ALLOCINFO_HEADER = 'allocinfo - version: 1.0\n#     <size>  <calls> <tag info>\n';

/** The second header line, identical in formats 1.0 and 2.0. */
const COLUMNS_LINE = '#     <size>  <calls> <tag info>';

/**
 * lib/alloc_tag.c: alloc_tag_to_text() — `%12lli %8llu `, the codetag text, one trailing space,
 * newline. `bytes` is the signed sum; `calls` prints as u64.
 */
export function allocTagLine(tag: AllocTag): string {
  const bytes = tag.counters.sumBytes(tag.id);
  const calls = tag.counters.sumCalls(tag.id);
  return `${String(bytes).padStart(12)} ${formatU64(calls).padStart(8)} ${codetagToText(tag)} \n`;
}

/** The whole /proc/allocinfo text for these tags (read from position 0: header first). */
export function formatAllocinfo(tags: Iterable<AllocTag>): string {
  let out = ALLOCINFO_HEADER;
  for (const tag of tags) out += allocTagLine(tag);
  return out;
}

/** One call-site line of an allocinfo file. */
export interface AllocinfoEntry {
  /** Bytes currently allocated (signed: a real kernel can print negative sums). */
  bytes: number;
  /** Live allocation count. */
  calls: number;
  filename: string;
  lineno: number;
  /** `[module]` of a loadable module's call site, else null. */
  modname: string | null;
  function: string;
  /** False when the line carries `accurate:no` (format 2.0). */
  accurate: boolean;
  /** Every `key:value` pair after the function (format 2.0), including `accurate`. */
  extra: Readonly<Record<string, string>>;
  /** True when the size column was human-readable (`numfmt --to=iec`), so `bytes` is rounded. */
  approximate: boolean;
  /** 1-based line number in the text. */
  line: number;
}

/** A parsed allocinfo file. */
export interface Allocinfo {
  /** `1.0`, `2.0`…, or null when the text has no version header (e.g. `tail -n +3 | sort`). */
  version: string | null;
  entries: AllocinfoEntry[];
}

const VERSION_RE = /^allocinfo - version: (\d+)\.(\d+)$/;
const SIZE_RE = /^-?\d+$/;
const HUMAN_RE = /^(\d+(?:\.\d+)?)([KMGTPE])(i?)$/;
const TAG_RE = /^(.+):(\d+)(?: \[([^\]\s]+)\])? func:(\S+)((?: [A-Za-z_][A-Za-z0-9_]*:\S*)*)$/;
const UNITS = 'KMGTPE';

/**
 * A counter column: `%12lli` bytes (`signed`) or `%8llu` calls. A u64 image of a negative s64 sum
 * (18446744073709547520 for -4096) is read back as the signed value the kernel summed. Returns
 * undefined when the token is not a 64-bit integer, and a string saying why when it is one but
 * lies beyond ±2^53, where a JavaScript number would silently round it.
 */
function parseCounter(tok: string, signed: boolean): number | string | undefined {
  if (!SIZE_RE.test(tok) || (!signed && tok[0] === '-')) return undefined;
  const big = BigInt(tok);
  if (big > 0xffffffffffffffffn || big < -0x8000000000000000n) return undefined;
  const v = signed || big > 0x7fffffffffffffffn ? BigInt.asIntN(64, big) : big;
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
    return `${JSON.stringify(tok)} (${v} as s64) is beyond ±2^53 and cannot be held exactly`;
  return Number(v);
}

/**
 * Parse an allocinfo text: ours, or a real kernel's /proc/allocinfo in format 1.0 or 2.0 — with or
 * without the header (sorted/trimmed copies), module call sites `[name]`, absolute source paths,
 * negative byte counts, `key:value` pairs such as ` accurate:no` (2.0), and the human-readable
 * size column of `numfmt --to=iec`. Blank lines are skipped. Any other line is an error naming the
 * source, the line number and the field at fault.
 */
export function parseAllocinfo(text: string, source = 'allocinfo'): Allocinfo {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let version: string | null = null;
  let major = 0;
  const entries: AllocinfoEntry[] = [];
  const fail = (line: number, what: string): never => {
    throw new AllocTagError('EINVAL', `${source}:${line}: ${what}`, { line });
  };
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    if (raw.startsWith('allocinfo')) {
      const m = VERSION_RE.exec(raw.trimEnd());
      if (m === null) fail(n, `malformed version header ${JSON.stringify(raw)}`);
      if (entries.length > 0 || version !== null) fail(n, 'version header after the first line');
      major = Number(m![1]);
      if (major < 1 || major > 2)
        fail(n, `unsupported allocinfo version ${m![1]}.${m![2]} (1.x and 2.x are known)`);
      version = `${m![1]}.${m![2]}`;
      continue;
    }
    if (raw.trimEnd() === COLUMNS_LINE) continue;
    const cols = /^\s*(\S+)\s+(\S+)\s+(.*?)\s*$/.exec(raw);
    if (cols === null) fail(n, `expected "<size> <calls> <tag info>", got ${JSON.stringify(raw)}`);
    const [, sizeTok, callsTok, tagText] = cols!;
    let bytes = parseCounter(sizeTok!, true);
    if (typeof bytes === 'string') fail(n, `size: ${bytes}`);
    let approximate = false;
    if (bytes === undefined) {
      const h = HUMAN_RE.exec(sizeTok!);
      if (h === null) fail(n, `size: ${JSON.stringify(sizeTok)} is not a byte count`);
      bytes = Math.round(Number(h![1]) * 1024 ** (UNITS.indexOf(h![2]!) + 1));
      approximate = true;
    }
    const calls = parseCounter(callsTok!, false);
    if (calls === undefined) fail(n, `calls: ${JSON.stringify(callsTok)} is not a call count`);
    if (typeof calls === 'string') fail(n, `calls: ${calls}`);
    const t = TAG_RE.exec(tagText!);
    if (t === null) {
      fail(n, `tag info: expected "file:line [module] func:function", got ${JSON.stringify(tagText)}`);
    }
    const [, filename, lineno, modname, fn, pairs] = t!;
    const extra: Record<string, string> = {};
    if (pairs !== undefined && pairs.length > 0) {
      if (major === 1) fail(n, `tag info: key:value pairs ("${pairs.trim()}") need format 2.0`);
      for (const pair of pairs.trim().split(' ')) {
        const c = pair.indexOf(':');
        extra[pair.slice(0, c)] = pair.slice(c + 1);
      }
    }
    const lineNo = Number(lineno);
    if (lineNo > 0xffffffff) fail(n, `tag info: line number ${lineno} does not fit in u32`);
    entries.push({
      bytes: bytes as number,
      calls: calls as number,
      filename: filename!,
      lineno: lineNo,
      modname: modname ?? null,
      function: fn!,
      accurate: extra.accurate !== 'no',
      extra,
      approximate,
      line: n,
    });
  }
  return { version, entries };
}
