/**
 * The script commands of `run` and `shell` over a booted kernel: argument checking, call-site
 * and variable lookup, kernel-tool wording of failures (`insmod: ERROR: …`), and completion.
 * A command validates everything before it touches the kernel and the kernel operations it
 * calls are all or nothing (`alloc_pages … count=N` included), so a failed command changes no
 * state; the one exception is `migrate`, where blocks already moved stay moved, as in the kernel.
 * Module descriptors (`insmod FILE.json`) are read through the host's files.
 */
import { formatKernelAddress } from '@allocprof/execmem-vmalloc';
import { renderLayoutText } from '@allocprof/page-flags-layout';
import { type HostFiles, NO_HOST } from '../host';
import { KernelError, strerror } from '../kernel/errno';
import { readModuleDescriptor } from './descriptor';
import { type CallSite, callSiteText, type SimKernel } from './kernel-api';
import { parseKeywordArgs } from './script';
import { countOf, formatBytes, parseSize } from './size';
import { formatTagArea } from './tag-area';

/** MAX_PAGE_ORDER of the simulated buddy allocator. */
const MAX_ORDER = 10;
const MAX_COUNT = 1 << 20;

/** What a variable names: page blocks or one vmalloc area. */
type Binding =
  | { kind: 'pages'; site: string; blocks: { pfn: number; order: number }[] }
  | { kind: 'vmalloc'; site: string; addr: number; size: number };

type ArgKind = 'command' | 'site' | 'catalog' | 'loaded' | 'var' | 'path' | 'sysctl' | 'none';

interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** Completion of positional arguments by position (the last repeats). */
  readonly args: readonly ArgKind[];
  readonly keywords?: readonly string[];
  run(this: void, s: Session, args: readonly string[]): string;
}

/** A command failure: the message is printed as is (after `SCRIPT:LINE: ` in a script). */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

function fail(message: string): never {
  throw new CommandError(message);
}

function parseIntArg(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) fail(`${name}: expected an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) fail(`${name}: ${n} is out of range ${min}..${max}`);
  return n;
}

function checkVarName(v: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) fail(`as: invalid variable name '${v}' (letters, digits, _)`);
  return v;
}

function errnoText(e: unknown): string {
  if (e instanceof KernelError) return strerror(e.code);
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return strerror(code);
  return e instanceof Error ? e.message : String(e);
}

function pfnList(blocks: readonly { pfn: number }[]): string {
  const shown = blocks.slice(0, 8).map((b) => `0x${b.pfn.toString(16)}`);
  return blocks.length > 8 ? `${shown.join(' ')} … (${blocks.length} blocks)` : shown.join(' ');
}

const PROC_SYSCTL = '/proc/sys/vm/mem_profiling';

/** A kernel plus the variables a script has bound. */
export class Session {
  readonly kernel: SimKernel;
  /** Colour in `layout` diagrams. */
  readonly color: boolean;
  /** Where `insmod FILE.json` reads descriptors (none by default). */
  readonly files: HostFiles;
  private readonly vars = new Map<string, Binding>();
  private autoName = 0;

  constructor(kernel: SimKernel, color = false, files: HostFiles = NO_HOST.files) {
    this.kernel = kernel;
    this.color = color;
    this.files = files;
  }

  /** Execute one command; returns its output text. Throws CommandError / CliError on failure. */
  execute(argv: readonly string[]): string {
    const [name, ...args] = argv;
    if (name === undefined) return '';
    const cmd = COMMANDS.find((c) => c.name === name);
    if (cmd === undefined) fail(`unknown command '${name}' (try 'help')`);
    return cmd.run(this, args);
  }

  /** Resolve SITE: `file:line`, a unique `function`, or `module:function`. */
  resolveSite(spec: string): CallSite {
    try {
      return this.kernel.site(spec);
    } catch (e) {
      if (e instanceof KernelError && e.code === 'ENOENT')
        fail(`unknown call site '${spec}' (file:line, function or module:function)`);
      if (e instanceof KernelError) fail(e.message);
      throw e;
    }
  }

  private binding(name: string): Binding {
    const b = this.vars.get(name);
    if (b === undefined) fail(`unknown variable '${name}'`);
    return b;
  }

  private newVar(requested: string | undefined, prefix: string): string {
    if (requested !== undefined) {
      checkVarName(requested);
      if (this.vars.has(requested)) fail(`variable '${requested}' is already in use (free it first)`);
      return requested;
    }
    let v: string;
    do v = `${prefix}${++this.autoName}`;
    while (this.vars.has(v));
    return v;
  }

  allocPages(args: readonly string[]): string {
    const { positional, options } = kw(args, ['order', 'count', 'as']);
    if (positional.length !== 1) fail('usage: alloc_pages SITE [order=N] [count=N] [as=VAR]');
    const order = parseIntArg('order', options.get('order') ?? '0', 0, MAX_ORDER);
    const count = parseIntArg('count', options.get('count') ?? '1', 1, MAX_COUNT);
    const site = this.resolveSite(positional[0]!);
    const name = this.newVar(options.get('as'), 'p');
    let blocks: { pfn: number; order: number }[];
    try {
      blocks = this.kernel.allocPages(site, order, count).map((pfn) => ({ pfn, order }));
    } catch (e) {
      fail(`alloc_pages: ${errnoText(e)}`);
    }
    this.vars.set(name, { kind: 'pages', site: callSiteText(site), blocks });
    const pages = count << order;
    const charge = this.kernel.profiling().enabled ? 'charged to' : 'not accounted (profiling is off), site';
    return `${name}: ${countOf(count, 'block')} of order ${order} (${countOf(pages, 'page')}, ${formatBytes(pages * 4096)}) ${charge} ${callSiteText(site)}: pfn ${pfnList(blocks)}`;
  }

  freePages(args: readonly string[]): string {
    if (args.length !== 1) fail('usage: free_pages VAR');
    const b = this.binding(args[0]!);
    if (b.kind !== 'pages') fail(`'${args[0]}' is a vmalloc area: use vfree`);
    let pages = 0;
    for (const blk of b.blocks) {
      this.kernel.freePages(blk.pfn, blk.order);
      pages += 1 << blk.order;
    }
    this.vars.delete(args[0]!);
    return `${args[0]}: freed ${countOf(b.blocks.length, 'block')} (${countOf(pages, 'page')})`;
  }

  splitPage(args: readonly string[]): string {
    const { positional, options } = kw(args, ['order']);
    if (positional.length !== 1) fail('usage: split_page VAR [order=N]');
    const b = this.binding(positional[0]!);
    if (b.kind !== 'pages') fail(`'${positional[0]}' is a vmalloc area, not pages`);
    const newOrder = parseIntArg('order', options.get('order') ?? '0', 0, MAX_ORDER);
    for (const blk of b.blocks)
      if (blk.order <= newOrder)
        fail(
          `split_page: block at pfn 0x${blk.pfn.toString(16)} has order ${blk.order}, nothing to split to order ${newOrder}`,
        );
    const out: { pfn: number; order: number }[] = [];
    for (const blk of b.blocks) {
      this.kernel.splitPage(blk.pfn, blk.order, newOrder);
      for (let off = 0; off < 1 << blk.order; off += 1 << newOrder)
        out.push({ pfn: blk.pfn + off, order: newOrder });
    }
    const before = b.blocks.length;
    b.blocks = out;
    return `${positional[0]}: split ${countOf(before, 'block')} into ${out.length} of order ${newOrder}`;
  }

  migrate(args: readonly string[]): string {
    if (args.length !== 1) fail('usage: migrate VAR');
    const b = this.binding(args[0]!);
    if (b.kind !== 'pages') fail(`'${args[0]}' is a vmalloc area, not pages`);
    const moved: { pfn: number; order: number }[] = [];
    const lines: string[] = [];
    try {
      for (const blk of b.blocks) {
        const to = this.kernel.migratePages(blk.pfn);
        moved.push({ pfn: to, order: blk.order });
        lines.push(`0x${blk.pfn.toString(16)} -> 0x${to.toString(16)}`);
      }
    } catch (e) {
      if (moved.length === 0) fail(`migrate: ${errnoText(e)}`);
      // Blocks already moved stay moved (migration is not undone in the kernel either).
      b.blocks = [...moved, ...b.blocks.slice(moved.length)];
      fail(`migrate: ${moved.length} of ${b.blocks.length} blocks moved, then: ${errnoText(e)}`);
    }
    b.blocks = moved;
    return `${args[0]}: migrated ${countOf(moved.length, 'block')}: ${lines.slice(0, 8).join(', ')}${lines.length > 8 ? ', …' : ''}`;
  }

  vmalloc(args: readonly string[]): string {
    const { positional, options } = kw(args, ['as']);
    if (positional.length !== 2) fail('usage: vmalloc SITE SIZE [as=VAR]');
    let size: number;
    try {
      size = parseSize(positional[1]!);
    } catch (e) {
      fail(`vmalloc: ${(e as Error).message}`);
    }
    if (size === 0) fail('vmalloc: size must be > 0');
    const site = this.resolveSite(positional[0]!);
    const name = this.newVar(options.get('as'), 'v');
    let addr: number;
    try {
      addr = this.kernel.vmalloc(site, size);
    } catch (e) {
      fail(`vmalloc: ${errnoText(e)}`);
    }
    this.vars.set(name, { kind: 'vmalloc', site: callSiteText(site), addr, size });
    return `${name}: ${formatBytes(size)} at ${formatKernelAddress(addr)} charged to ${callSiteText(site)}`;
  }

  vfree(args: readonly string[]): string {
    if (args.length !== 1) fail('usage: vfree VAR');
    const b = this.binding(args[0]!);
    if (b.kind !== 'vmalloc') fail(`'${args[0]}' holds pages: use free_pages`);
    this.kernel.vfree(b.addr);
    this.vars.delete(args[0]!);
    return `${args[0]}: freed ${formatBytes(b.size)} at ${formatKernelAddress(b.addr)}`;
  }

  insmod(args: readonly string[]): string {
    if (args.length !== 1) fail('usage: insmod NAME|FILE.json');
    const arg = args[0]!;
    let module: string | ReturnType<typeof readModuleDescriptor>;
    let name: string;
    if (arg.endsWith('.json') || arg.includes('/')) {
      if (!this.files.exists(arg))
        fail(`insmod: ERROR: could not load module ${arg}: No such file or directory`);
      try {
        module = readModuleDescriptor(this.files, arg);
      } catch (e) {
        fail(`insmod: ERROR: ${(e as Error).message}`);
      }
      name = module.name;
    } else {
      if (!this.kernel.catalogModules().includes(arg))
        fail(`insmod: ERROR: could not load module ${arg}: No such file or directory`);
      module = arg;
      name = arg;
    }
    try {
      this.kernel.insmod(module);
    } catch (e) {
      fail(`insmod: ERROR: could not insert module ${name}: ${errnoText(e)}`);
    }
    return '';
  }

  rmmod(args: readonly string[]): string {
    if (args.length !== 1) fail('usage: rmmod NAME');
    const name = args[0]!;
    const mod = this.kernel.loadedModules().find((m) => m.name === name);
    if (mod === undefined) fail(`rmmod: ERROR: Module ${name} is not currently loaded`);
    if (mod.refcount > 0) fail(`rmmod: ERROR: Module ${name} is in use`);
    try {
      this.kernel.rmmod(name);
    } catch (e) {
      fail(`rmmod: ERROR: could not remove module ${name}: ${errnoText(e)}`);
    }
    return '';
  }

  lsmod(args: readonly string[]): string {
    if (args.length !== 0) fail('usage: lsmod');
    const rows = ['Module                  Size  Used by'];
    for (const m of this.kernel.loadedModules())
      rows.push(`${m.name.padEnd(19)} ${String(m.size).padStart(8)}  ${m.refcount}`);
    return rows.join('\n');
  }

  cat(args: readonly string[]): string {
    if (args.length === 0) fail('usage: cat PATH...');
    let out = '';
    for (const path of args) {
      try {
        out += this.kernel.readFile(path);
      } catch (e) {
        fail(`cat: ${path}: ${errnoText(e)}`);
      }
    }
    return out.endsWith('\n') ? out.slice(0, -1) : out;
  }

  echo(args: readonly string[]): string {
    const gt = args.indexOf('>');
    if (gt < 0) return args.join(' ');
    if (gt !== args.length - 2) fail('usage: echo VALUE > PATH');
    const value = args.slice(0, gt).join(' ');
    const path = args[gt + 1]!;
    try {
      this.kernel.writeFile(path, `${value}\n`);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT') fail(`echo: ${path}: ${errnoText(e)}`);
      fail(`echo: write error: ${errnoText(e)}`);
    }
    return '';
  }

  sysctl(args: readonly string[]): string {
    if (args.length !== 1) fail('usage: sysctl vm.mem_profiling[=VALUE]');
    const arg = args[0]!;
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    const path = `/proc/sys/${key.replaceAll('.', '/')}`;
    if (!this.kernel.files().includes(path)) fail(`sysctl: cannot stat ${path}: No such file or directory`);
    if (eq >= 0) {
      const value = arg.slice(eq + 1);
      try {
        this.kernel.writeFile(path, `${value}\n`);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code === 'EACCES' || code === 'EPERM') fail(`sysctl: permission denied on key "${key}"`);
        fail(`sysctl: setting key "${key}": ${errnoText(e)}`);
      }
      return `${key} = ${value}`;
    }
    try {
      return `${key} = ${this.kernel.readFile(path).trim()}`;
    } catch (e) {
      fail(`sysctl: reading key "${key}": ${errnoText(e)}`);
    }
  }

  dmesg(args: readonly string[]): string {
    if (args.length !== 0) fail('usage: dmesg');
    const t = this.kernel.dmesg();
    return t.endsWith('\n') ? t.slice(0, -1) : t;
  }

  failPageAlloc(args: readonly string[]): string {
    if (args.length !== 1) fail('usage: fail_page_alloc N');
    const n = parseIntArg('N', args[0]!, 0, 1_000_000);
    this.kernel.failPageAlloc(n);
    return `the next ${countOf(n, 'page allocation')} will fail`;
  }

  layout(args: readonly string[]): string {
    if (args.length !== 0) fail('usage: layout');
    return renderLayoutText(this.kernel.layout, { color: this.color, title: 'running kernel' }).trimEnd();
  }

  tagArea(args: readonly string[]): string {
    if (args.length !== 0) fail('usage: tag_area');
    const area = this.kernel.tagArea();
    if (area === null) return 'no module tag area (CONFIG_MODULES off or profiling not supported at boot)';
    return formatTagArea(area).trimEnd();
  }

  vars_(args: readonly string[]): string {
    if (args.length !== 0) fail('usage: vars');
    const rows: string[] = [];
    for (const [name, b] of this.vars) {
      if (b.kind === 'pages') {
        const pages = b.blocks.reduce((a, blk) => a + (1 << blk.order), 0);
        rows.push(`${name}: ${countOf(b.blocks.length, 'block')}, ${countOf(pages, 'page')}, ${b.site}`);
      } else
        rows.push(`${name}: vmalloc ${formatBytes(b.size)} at ${formatKernelAddress(b.addr)}, ${b.site}`);
    }
    return rows.join('\n');
  }

  /** Names bound to variables (completion). */
  varNames(): string[] {
    return [...this.vars.keys()];
  }

  /** Completion candidates for the word `partial` after the words `before`. */
  complete(before: readonly string[], partial: string): string[] {
    if (before.length === 0) return COMMANDS.map((c) => c.name);
    const cmd = COMMANDS.find((c) => c.name === before[0]);
    if (cmd === undefined) return [];
    if (cmd.name === 'echo' && before[before.length - 1] === '>') return this.candidates('path', partial);
    if (cmd.name === 'help') return COMMANDS.map((c) => c.name);
    const positional = before.slice(1).filter((w) => !w.includes('=')).length;
    const kind = cmd.args[Math.min(positional, cmd.args.length - 1)] ?? 'none';
    const kws = (cmd.keywords ?? []).map((k) => `${k}=`);
    if (positional >= cmd.args.length && kws.length > 0) return kws;
    return [...this.candidates(kind, partial), ...(positional >= 1 ? kws : [])];
  }

  private candidates(kind: ArgKind, partial: string): string[] {
    switch (kind) {
      case 'site': {
        const sites = this.kernel.callSites();
        const out: string[] = [];
        const fnCount = new Map<string, number>();
        for (const s of sites) fnCount.set(s.function, (fnCount.get(s.function) ?? 0) + 1);
        for (const s of sites) {
          out.push(`${s.filename}:${s.lineno}`);
          if (s.modname !== null) out.push(`${s.modname}:${s.function}`);
          else if (fnCount.get(s.function) === 1) out.push(s.function);
        }
        return out;
      }
      case 'catalog':
        return [...this.kernel.catalogModules(), ...jsonFiles(this.files, partial)];
      case 'loaded':
        return this.kernel.loadedModules().map((m) => m.name);
      case 'var':
        return this.varNames();
      case 'path':
        return this.kernel.files();
      case 'sysctl':
        return ['vm.mem_profiling', 'vm.mem_profiling=0', 'vm.mem_profiling=1'];
      default:
        return [];
    }
  }
}

/** `*.json` files and directories under the directory part of `partial`, for `insmod FILE.json`. */
function jsonFiles(files: HostFiles, partial: string): string[] {
  // The directory part as typed (`mods/`, `./`, `/tmp/`), kept in the candidates so they match it.
  const prefix = partial.slice(0, partial.lastIndexOf('/') + 1);
  return files
    .list(prefix === '' ? '.' : prefix)
    .filter((e) => e.directory || e.name.endsWith('.json'))
    .map((e) => `${prefix}${e.name}${e.directory ? '/' : ''}`);
}

function kw(args: readonly string[], allowed: readonly string[]) {
  try {
    return parseKeywordArgs(args, allowed);
  } catch (e) {
    fail((e as Error).message);
  }
}

/** The command table: usage, one-line help, completion kinds. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'insmod',
    usage: 'insmod NAME|FILE.json',
    summary: 'load a module from the catalog or a descriptor',
    args: ['catalog'],
    run: (s, a) => s.insmod(a),
  },
  {
    name: 'rmmod',
    usage: 'rmmod NAME',
    summary: 'unload a module',
    args: ['loaded'],
    run: (s, a) => s.rmmod(a),
  },
  { name: 'lsmod', usage: 'lsmod', summary: 'loaded modules', args: [], run: (s, a) => s.lsmod(a) },
  {
    name: 'alloc_pages',
    usage: 'alloc_pages SITE [order=N] [count=N] [as=VAR]',
    summary: 'allocate count blocks of 2^order pages charged to SITE',
    args: ['site'],
    keywords: ['order', 'count', 'as'],
    run: (s, a) => s.allocPages(a),
  },
  {
    name: 'free_pages',
    usage: 'free_pages VAR',
    summary: 'free every block named VAR',
    args: ['var'],
    run: (s, a) => s.freePages(a),
  },
  {
    name: 'split_page',
    usage: 'split_page VAR [order=N]',
    summary: 'split each block of VAR into blocks of 2^order pages (pgalloc_tag_split)',
    args: ['var'],
    keywords: ['order'],
    run: (s, a) => s.splitPage(a),
  },
  {
    name: 'migrate',
    usage: 'migrate VAR',
    summary: 'move each block of VAR to new pages (pgalloc_tag_swap)',
    args: ['var'],
    run: (s, a) => s.migrate(a),
  },
  {
    name: 'vmalloc',
    usage: 'vmalloc SITE SIZE [as=VAR]',
    summary: 'virtually contiguous allocation charged to SITE',
    args: ['site', 'none'],
    keywords: ['as'],
    run: (s, a) => s.vmalloc(a),
  },
  {
    name: 'vfree',
    usage: 'vfree VAR',
    summary: 'free a vmalloc area',
    args: ['var'],
    run: (s, a) => s.vfree(a),
  },
  {
    name: 'cat',
    usage: 'cat PATH',
    summary: 'read /proc/allocinfo, /proc/meminfo, /proc/vmallocinfo, /proc/modules, the sysctl',
    args: ['path'],
    run: (s, a) => s.cat(a),
  },
  {
    name: 'echo',
    usage: 'echo VALUE > PATH',
    summary: 'write a file (kernel permission rules)',
    args: ['none'],
    run: (s, a) => s.echo(a),
  },
  {
    name: 'sysctl',
    usage: 'sysctl vm.mem_profiling[=VALUE]',
    summary: 'read or write the sysctl',
    args: ['sysctl'],
    run: (s, a) => s.sysctl(a),
  },
  { name: 'dmesg', usage: 'dmesg', summary: 'the kernel log so far', args: [], run: (s, a) => s.dmesg(a) },
  {
    name: 'fail_page_alloc',
    usage: 'fail_page_alloc N',
    summary: 'the next N page allocations fail (fault injection)',
    args: ['none'],
    run: (s, a) => s.failPageAlloc(a),
  },
  {
    name: 'layout',
    usage: 'layout',
    summary: 'page-flags layout of the running kernel',
    args: [],
    run: (s, a) => s.layout(a),
  },
  {
    name: 'tag_area',
    usage: 'tag_area',
    summary: 'map of the module tag area and its populated pages',
    args: [],
    run: (s, a) => s.tagArea(a),
  },
  {
    name: 'vars',
    usage: 'vars',
    summary: 'variables bound with as=VAR',
    args: [],
    run: (s, a) => s.vars_(a),
  },
  {
    name: 'help',
    usage: 'help [COMMAND]',
    summary: 'list commands',
    args: ['command'],
    run: (_s, a) => helpText(a),
  },
];

/** `help` / `help COMMAND`. */
export function helpText(args: readonly string[]): string {
  if (args.length > 0) {
    const c = COMMANDS.find((x) => x.name === args[0]);
    if (c === undefined) fail(`help: no command '${args[0]}'`);
    return `${c.usage}\n  ${c.summary}`;
  }
  const w = Math.max(...COMMANDS.map((c) => c.usage.length));
  const rows = COMMANDS.map((c) => `  ${c.usage.padEnd(w)}  ${c.summary}`);
  return [
    'Commands (one per line, # starts a comment):',
    ...rows,
    '',
    'SITE is a call site: file:line, a unique function name, or module:function.',
    `SIZE takes K, M, G suffixes. The sysctl is ${PROC_SYSCTL}.`,
    'In the shell, exit or quit (or Ctrl-D) leaves; Tab completes commands, sites, modules, variables, paths.',
  ].join('\n');
}
