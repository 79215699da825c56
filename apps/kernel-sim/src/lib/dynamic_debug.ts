/**
 * lib/dynamic_debug.c (6.13): the pr_debug() call sites of the kernel image and the query
 * language that switches them — `dyndbg="QUERY"` and `<module>.dyndbg="QUERY"` on the boot line,
 * and writes to /proc/dynamic_debug/control.
 *
 * A site prints if its `p` flag is set when it runs. Its flags start as the build left them
 * (`p` where the file defines DEBUG, as init/main.c does) and boot queries are applied by
 * dynamic_debug_init(), an early initcall: a pr_debug() that runs before it, in start_kernel()
 * and mm_core_init(), can only be seen in a build that defines DEBUG for its file.
 */

import { KernelError } from '../kernel/errno';
import type { Printk } from '../kernel/printk';
import type { KernelParam } from './cmdline';

/** include/linux/dynamic_debug.h: struct _ddebug — one pr_debug() call site. */
export interface DdebugSite {
  /** KBUILD_MODNAME of the object file (`alloc_tag`, `main`). */
  readonly modname: string;
  readonly function: string;
  /** Path from the source root, e.g. `lib/alloc_tag.c`. */
  readonly filename: string;
  readonly lineno: number;
  /** The format string, with its trailing newline. */
  readonly format: string;
}

/** include/linux/dynamic_debug.h: _DPRINTK_FLAGS_*. */
const FLAG_PRINT = 1 << 0;
const FLAG_INCL_MODNAME = 1 << 1;
const FLAG_INCL_FUNCNAME = 1 << 2;
const FLAG_INCL_LINENO = 1 << 3;
const FLAG_INCL_TID = 1 << 4;
const FLAG_INCL_SOURCENAME = 1 << 5;

/** lib/dynamic_debug.c: opt_array[] — flag letters in the order the control file shows them. */
const OPT_ARRAY: ReadonlyArray<readonly [number, string]> = [
  [FLAG_PRINT, 'p'],
  [FLAG_INCL_MODNAME, 'm'],
  [FLAG_INCL_FUNCNAME, 'f'],
  [FLAG_INCL_SOURCENAME, 's'],
  [FLAG_INCL_LINENO, 'l'],
  [FLAG_INCL_TID, 't'],
  [0, '_'],
];

/** lib/dynamic_debug.c: MAXWORDS of ddebug_exec_query(). */
const MAXWORDS = 9;

/** struct ddebug_query. */
interface Query {
  filename?: string;
  module?: string;
  function?: string;
  format?: string;
  classString?: string;
  firstLineno: number;
  lastLineno: number;
}

/** A query step failed; the kernel has already logged why (pr_err). */
class QueryError extends Error {}

/** lib/parser.c: match_wildcard() — `*` any run, `?` any one character. */
export function matchWildcard(pattern: string, s: string): boolean {
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < s.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === s[i])) {
      p++;
      i++;
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starI = i;
    } else if (starP >= 0) {
      p = starP + 1;
      i = ++starI;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** lib/string_helpers.c: string_unescape_inplace(UNESCAPE_SPACE | UNESCAPE_OCTAL | UNESCAPE_SPECIAL). */
function stringUnescape(s: string): string {
  return s.replace(
    /\\(?:([0-7]{1,3})|([nrtvf\\"ae]))/g,
    (_m, oct: string | undefined, c: string | undefined) => {
      if (oct !== undefined) return String.fromCharCode(Number.parseInt(oct, 8) & 0xff);
      const map: Record<string, string> = {
        n: '\n',
        r: '\r',
        t: '\t',
        v: '\v',
        f: '\f',
        '\\': '\\',
        '"': '"',
        a: '\x07',
        e: '\x1b',
      };
      return map[c!]!;
    },
  );
}

/** lib/string_helpers.c: string_escape_str(ESCAPE_SPACE) with `\t\r\n"` only, as the control file shows formats. */
function escapeFormat(s: string): string {
  return s.replace(/[\t\r\n"]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : '\\"',
  );
}

/** One kernel's dynamic debug: the sites of its image, their flags, queries, and pr_debug() itself. */
export class DynamicDebug {
  private readonly printk: Printk;
  private readonly sites: DdebugSite[] = [];
  private flags: number[] = [];
  private readonly siteIndex = new Map<DdebugSite, number>();
  private initialized = false;
  /** The running task's pid for the `t` flag. */
  private readonly pid: () => number;

  constructor(printk: Printk, pid: () => number) {
    this.printk = printk;
    this.pid = pid;
  }

  /**
   * The __dyndbg section of the image: `sites` of one object file. With `debug` (the file defines
   * DEBUG) each starts with `p` set (_DPRINTK_FLAGS_DEFAULT), otherwise with no flags.
   */
  addSites(sites: readonly DdebugSite[], debug: boolean): void {
    for (const s of sites) {
      if (this.siteIndex.has(s)) continue;
      this.siteIndex.set(s, this.sites.length);
      this.sites.push(s);
      this.flags.push(debug ? FLAG_PRINT : 0);
    }
  }

  /** include/linux/dynamic_debug.h: pr_debug() through dynamic_pr_debug() — prints at KERN_DEBUG if the site's `p` is set. */
  prDebug(site: DdebugSite, message: string): void {
    const i = this.siteIndex.get(site);
    if (i === undefined) return;
    const f = this.flags[i]!;
    if ((f & FLAG_PRINT) === 0) return;
    this.printk.printk('debug', this.emitPrefix(site, f) + message);
  }

  /** lib/dynamic_debug.c: __dynamic_emit_prefix(). */
  private emitPrefix(site: DdebugSite, f: number): string {
    let tid = '';
    if (f & FLAG_INCL_TID) tid = `[${this.pid()}] `;
    let p = '';
    if (f & FLAG_INCL_MODNAME) p += `${site.modname}:`;
    if (f & FLAG_INCL_FUNCNAME) p += `${site.function}:`;
    if (f & FLAG_INCL_SOURCENAME) p += `${site.filename}:`;
    if (f & FLAG_INCL_LINENO) p += `${site.lineno}:`;
    return p === '' ? tid : `${tid}${p} `;
  }

  /**
   * lib/dynamic_debug.c: dynamic_debug_init() (early_initcall) — every `dyndbg=` and
   * `<module>.dyndbg=` of the command line, in order. Bad queries are reported and skipped; boot
   * goes on.
   */
  init(params: readonly KernelParam[]): void {
    if (this.initialized) throw new KernelError('EBUSY', 'dynamic_debug_init() already ran');
    this.initialized = true;
    for (const p of params) {
      // ddebug_dyndbg_param_cb(): `dyndbg` alone means "+p"; a dotted prefix names the module.
      const dot = p.name.indexOf('.');
      const modname = dot >= 0 ? p.name.slice(0, dot) : null;
      const param = dot >= 0 ? p.name.slice(dot + 1) : p.name;
      if (param !== 'dyndbg') continue;
      this.execQueries(p.value ?? '+p', modname);
    }
  }

  /** /proc/dynamic_debug/control: ddebug_proc_show() of every site. */
  control(): string {
    let s = '# filename:lineno [module]function flags format\n';
    for (let i = 0; i < this.sites.length; i++) {
      const d = this.sites[i]!;
      s += `${d.filename}:${d.lineno} [${d.modname}]${d.function} =${describeFlags(this.flags[i]!)} "${escapeFormat(d.format)}"\n`;
    }
    return s;
  }

  /** lib/dynamic_debug.c: ddebug_proc_write() — EINVAL if any query failed (after applying the others). */
  writeControl(text: string): void {
    if (text.length === 0) return;
    if (text.length > 4095) throw new KernelError('E2BIG', 'dynamic_debug/control: query too long');
    if (this.execQueries(text, null) < 0)
      throw new KernelError('EINVAL', 'dynamic_debug/control: Invalid argument');
  }

  /**
   * lib/dynamic_debug.c: ddebug_exec_queries() — queries separated by `;`, `%` or newlines,
   * `#` comments; each failure is logged and the rest still run. The last error, or the number
   * of matching sites.
   */
  execQueries(text: string, modname: string | null): number {
    let exitcode = 0;
    let nfound = 0;
    for (const raw of text.split(/[%;\n]/)) {
      const q = raw.replace(/^\s+/, '');
      if (q === '' || q.startsWith('#')) continue;
      try {
        nfound += this.execQuery(q, modname);
      } catch (e) {
        if (!(e instanceof QueryError)) throw e;
        exitcode = -22;
      }
    }
    return exitcode !== 0 ? exitcode : nfound;
  }

  /** lib/dynamic_debug.c: ddebug_exec_query() — flags first (the last word), then the match spec. */
  private execQuery(text: string, modname: string | null): number {
    const words = this.tokenize(text);
    if (words.length === 0) this.fail('tokenize failed');
    const mods = this.parseFlags(words[words.length - 1]!);
    if (mods === null) this.fail('flags parse failed');
    const query = this.parseQuery(words.slice(0, -1), modname);
    if (query === null) this.fail('query parse failed');
    return this.change(query!, mods!.flags, mods!.mask);
  }

  private fail(message: string): never {
    this.err(message);
    throw new QueryError(message);
  }

  private err(message: string): void {
    this.printk.printk('err', `dyndbg: ${message}`);
  }

  /** lib/dynamic_debug.c: ddebug_tokenize() — blank-separated words, `"` or `'` quoting, `#` ends the query. */
  private tokenize(text: string): string[] {
    const words: string[] = [];
    let i = 0;
    while (i < text.length) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (i >= text.length || text[i] === '#') break;
      let word: string;
      const c = text[i]!;
      if (c === '"' || c === "'") {
        const end = text.indexOf(c, i + 1);
        if (end < 0) this.fail(`unclosed quote: ${text.slice(i + 1)}`);
        word = text.slice(i + 1, end);
        i = end + 1;
      } else {
        let end = i;
        while (end < text.length && !/\s/.test(text[end]!)) end++;
        word = text.slice(i, end);
        i = end;
      }
      if (words.length === MAXWORDS) this.fail(`too many words, legal max <=${MAXWORDS}`);
      words.push(word);
    }
    return words;
  }

  /** lib/dynamic_debug.c: ddebug_parse_flags() — `[+-=]` then flag letters; null after logging the error. */
  private parseFlags(word: string): { flags: number; mask: number } | null {
    const op = word[0];
    if (op !== '+' && op !== '-' && op !== '=') {
      this.err(`bad flag-op ${op ?? ''}, at start of ${word}`);
      return null;
    }
    let flags = 0;
    for (const ch of word.slice(1)) {
      const opt = OPT_ARRAY.find(([, c]) => c === ch);
      if (opt === undefined) {
        this.err(`unknown flag '${ch}'`);
        return null;
      }
      flags |= opt[0];
    }
    if (op === '=') return { flags, mask: 0 };
    if (op === '+') return { flags, mask: ~0 };
    return { flags: 0, mask: ~flags };
  }

  /** lib/dynamic_debug.c: ddebug_parse_query() — pairs of match-spec and value; null after logging. */
  private parseQuery(words: string[], modname: string | null): Query | null {
    if (words.length % 2 !== 0) {
      this.err('expecting pairs of match-spec <value>');
      return null;
    }
    const q: Query = { firstLineno: 0, lastLineno: 0 };
    const set = (
      key: 'function' | 'filename' | 'module' | 'format' | 'classString',
      name: string,
      v: string,
    ) => {
      const old = q[key];
      q[key] = v;
      if (old !== undefined) {
        this.err(`match-spec:${name} val:${old} overridden by ${v}`);
        return false;
      }
      return true;
    };
    for (let i = 0; i < words.length; i += 2) {
      const keyword = words[i]!;
      const arg = words[i + 1]!;
      let ok = true;
      if (keyword === 'func') ok = set('function', 'func', arg);
      else if (keyword === 'file') {
        // A `:tail` is a function name or a line range.
        const colon = arg.indexOf(':');
        if (!set('filename', 'file', colon < 0 ? arg : arg.slice(0, colon))) return null;
        if (colon >= 0) {
          const tail = arg.slice(colon + 1);
          if (/^[A-Za-z*?]/.test(tail)) ok = set('function', 'func', tail);
          else ok = this.parseLineRange(q, tail);
        }
      } else if (keyword === 'module') ok = set('module', 'module', arg);
      else if (keyword === 'format') ok = set('format', 'format', stringUnescape(arg));
      else if (keyword === 'line') ok = this.parseLineRange(q, arg);
      else if (keyword === 'class') ok = set('classString', 'class', arg);
      else {
        this.err(`unknown keyword "${keyword}"`);
        return null;
      }
      if (!ok) return null;
    }
    if (q.module === undefined && modname !== null) q.module = modname;
    return q;
  }

  /** lib/dynamic_debug.c: parse_linerange() — `N`, `N-M`, `N-` or `-M`. */
  private parseLineRange(q: Query, text: string): boolean {
    if (q.firstLineno !== 0 || q.lastLineno !== 0) {
      this.err('match-spec: line used 2x');
      return false;
    }
    const dash = text.indexOf('-');
    const first = dash < 0 ? text : text.slice(0, dash);
    const last = dash < 0 ? null : text.slice(dash + 1);
    const parse = (s: string): number | null => {
      if (s === '') return 0;
      if (!/^\+?\d+$/.test(s) || Number(s) > 0xffffffff) {
        this.err(`bad line-number: ${s}`);
        return null;
      }
      return Number(s);
    };
    const f = parse(first);
    if (f === null) return false;
    q.firstLineno = f;
    if (last === null) {
      q.lastLineno = f;
      return true;
    }
    const l = parse(last);
    if (l === null) return false;
    q.lastLineno = l === 0 ? 0xffffffff : l;
    if (q.lastLineno < q.firstLineno) {
      this.err(`last-line:${q.lastLineno} < 1st-line:${q.firstLineno}`);
      return false;
    }
    return true;
  }

  /** lib/dynamic_debug.c: ddebug_change() — apply to every matching site; the number matched. */
  private change(q: Query, flags: number, mask: number): number {
    let nfound = 0;
    for (let i = 0; i < this.sites.length; i++) {
      const d = this.sites[i]!;
      if (q.module !== undefined && !matchWildcard(q.module, d.modname)) continue;
      // No built-in site has a class: a class query skips them all.
      if (q.classString !== undefined) continue;
      if (
        q.filename !== undefined &&
        !matchWildcard(q.filename, d.filename) &&
        !matchWildcard(q.filename, d.filename.slice(d.filename.lastIndexOf('/') + 1))
      )
        continue;
      if (q.function !== undefined && !matchWildcard(q.function, d.function)) continue;
      if (q.format !== undefined) {
        if (q.format.startsWith('^')) {
          if (!d.format.startsWith(q.format.slice(1))) continue;
        } else if (!d.format.includes(q.format)) continue;
      }
      if (q.firstLineno !== 0 && d.lineno < q.firstLineno) continue;
      if (q.lastLineno !== 0 && d.lineno > q.lastLineno) continue;
      nfound++;
      this.flags[i] = ((this.flags[i]! & mask) | flags) & 0x3f;
    }
    return nfound;
  }
}

/** lib/dynamic_debug.c: ddebug_describe_flags(). */
function describeFlags(f: number): string {
  let s = '';
  for (const [bit, c] of OPT_ARRAY) if (bit !== 0 && f & bit) s += c;
  return s === '' ? '_' : s;
}
