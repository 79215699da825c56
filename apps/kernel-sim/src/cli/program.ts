/**
 * The `kernel-sim` command line: commands, options, help and exit statuses (0 success, 1 invalid
 * input or a failed script command, 2 usage error), built on commander.
 */

import { KERNEL_ARCHES } from '@allocprof/page-flags-layout';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { HostFiles } from '../host';
import { MAX_KERNEL_ALLOC_TAGS } from '../kernel/vmlinux_alloc_tags';
import { parseArgs } from '../lib/cmdline';
import { validateRamSize } from '../mm/memmap';
import { parseAllocinfoText } from './allocinfo-file';
import type { LiveTopOptions } from './allocinfo-live';
import { allocinfoDiff, allocinfoTop, formatDiff, formatTop } from './allocinfo-tools';
import { CliError, EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import { readInputFile } from './files';
import type { Io } from './io';
import { kernelConfigOf } from './machine';
import { helpText } from './session';
import { parseSize } from './size';

/** Option values of the commands that boot a machine. */
export interface MachineOptions {
  cmdline: string;
  config?: string;
  configFile?: string;
  arch?: string;
  mem: number;
  cpus: number;
  kernelTags: number;
  json: boolean;
}

/** The handlers the program dispatches to (the booting commands live in their own modules). */
export interface Handlers {
  demo(opts: MachineOptions & { timings: boolean }, io: Io): Promise<number>;
  run(script: string, opts: MachineOptions & { keepGoing: boolean }, io: Io): Promise<number>;
  shell(opts: MachineOptions, io: Io): Promise<number>;
  bench(opts: MachineOptions & { rounds?: number; smoke: boolean }, io: Io): Promise<number>;
  layout(
    opts: {
      config?: string;
      configFile?: string;
      arch?: string;
      list: boolean;
      format: 'text' | 'svg' | 'json';
    },
    io: Io,
  ): Promise<number>;
  /** `allocinfo top --interval`: the live view (it needs the terminal and the keyboard). */
  liveTop(file: string, opts: LiveTopOptions, io: Io): Promise<number>;
}

function sizeArg(value: string): number {
  try {
    return parseSize(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** `--interval`: seconds, fractions allowed, from 0.1 (top(1) accepts tenths) to a day. */
function secondsArg(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError(`expected seconds, got '${value}'`);
  const s = Number(value);
  if (s < 0.1 || s > 86_400) throw new InvalidArgumentError('must be between 0.1 and 86400 seconds');
  return s;
}

function intArg(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected an integer, got '${value}'`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`must be between ${min} and ${max}`);
    return n;
  };
}

/** `--mem`: a size the memory model accepts (mm/memmap.ts: validateRamSize, 64M and up). */
function memArg(value: string): number {
  const bytes = sizeArg(value);
  try {
    validateRamSize(bytes, '--mem');
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--mem: /, ''));
  }
  return bytes;
}

/**
 * Whether a command line sets vm.mem_profiling, as the early parameter (init/main.c:
 * do_early_param() compares names with parameq(), `-` = `_`) or as a late sysctl argument
 * (fs/proc/proc_sysctl.c: process_sysctl_arg() takes `.` or `/` between the parts).
 */
export function setsMemProfiling(cmdline: string): boolean {
  return parseArgs(cmdline).some((p) => /^sysctl[./]vm[./]mem[-_]profiling$/.test(p.name));
}

/** `--cmdline` of demo and bench, which boot every mode with its own vm.mem_profiling value. */
function perModeCmdlineArg(command: string) {
  return (value: string): string => {
    if (setsMemProfiling(value))
      throw new InvalidArgumentError(
        `kernel-sim ${command} boots each mode with its own sysctl.vm.mem_profiling; ` +
          'to choose one, use kernel-sim run or kernel-sim shell',
      );
    return value;
  };
}

/** An example `--cmdline` for each kind of command; usage.test.ts runs each one. */
export const CMDLINE_EXAMPLE = {
  oneMode: 'sysctl.vm.mem_profiling=1,compressed',
  perMode: 'loglevel=7',
} as const;

function addMachineOptions(cmd: Command, perMode = false): Command {
  const cmdline = perMode
    ? new Option(
        '--cmdline <str>',
        `kernel command line, e.g. "${CMDLINE_EXAMPLE.perMode}" (each mode sets sysctl.vm.mem_profiling itself)`,
      )
        .argParser(perModeCmdlineArg(cmd.name()))
        .default('', 'empty')
    : new Option('--cmdline <str>', `kernel command line, e.g. "${CMDLINE_EXAMPLE.oneMode}"`).default(
        '',
        'empty',
      );
  return cmd
    .addOption(cmdline)
    .addOption(
      new Option('--config <name>', 'kernel config preset (see `kernel-sim layout --list`)').conflicts(
        'configFile',
      ),
    )
    .option('--config-file <file>', 'a kernel .config file (with --arch)')
    .addOption(archOption())
    .addOption(new Option('--mem <size>', 'RAM, e.g. 512M, 4G, 64G').argParser(memArg).default(2 ** 30, '1G'))
    .option('--cpus <n>', 'simulated CPUs', intArg(1, 256), 4)
    .option(
      '--kernel-tags <n>',
      'allocation tags in the kernel image',
      intArg(0, MAX_KERNEL_ALLOC_TAGS),
      4096,
    )
    .option('--json', 'machine-readable output instead of text');
}

function archOption(): Option {
  return new Option(
    '--arch <arch>',
    'architecture of --config-file (default: detected from its CONFIG_<ARCH> symbol)',
  ).choices(KERNEL_ARCHES);
}

/** `--arch` describes a `.config` file; a preset names its own architecture. */
function checkArch(o: Record<string, unknown>): void {
  if (o.arch !== undefined && o.configFile === undefined)
    throw new UsageError(
      "option '--arch <arch>' needs '--config-file <file>' (a preset names its own architecture)",
    );
}

/**
 * The machine options of a command, checked before the command prints anything: `--arch` only
 * with `--config-file`, a known preset, a readable and well-formed config file.
 */
function machineOptions(o: Record<string, unknown>, files: HostFiles): MachineOptions {
  checkArch(o);
  const m: MachineOptions = {
    cmdline: o.cmdline as string,
    mem: o.mem as number,
    cpus: o.cpus as number,
    kernelTags: o.kernelTags as number,
    json: o.json === true,
  };
  if (typeof o.config === 'string') m.config = o.config;
  if (typeof o.configFile === 'string') {
    m.configFile = o.configFile;
    if (typeof o.arch === 'string') m.arch = o.arch;
  }
  kernelConfigOf(m, files);
  return m;
}

/** `kernel-sim allocinfo top`, `kernel-sim run`, ...: the name a user types for `cmd`. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Build the program; `setExit` receives the exit status of the command that ran. `version` (the
 * package's) enables `--version`/`-V`.
 */
export function buildProgram(
  io: Io,
  handlers: Handlers,
  setExit: (code: number) => void,
  version?: string,
): Command {
  const program = new Command('kernel-sim');
  if (version !== undefined) program.version(version, '-V, --version', 'print the version of kernel-sim');
  program
    .description(
      'A simulated Linux kernel with memory allocation profiling and the page allocation tag ' +
        'compression series: boot it, drive it with scripts or a shell, inspect /proc/allocinfo. ' +
        'Without a command it runs the demo.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(io.errColor.red(s)),
    })
    .addHelpText(
      'after',
      '\nExit status: 0 success, 1 invalid input or a failed script command, 2 usage error.\n' +
        'Colour only on a terminal and never with NO_COLOR.',
    );

  const demo = addMachineOptions(
    program
      .command('demo')
      .description('the narrated default scenario: every patch of the series at work (default command)'),
    true,
  ).option('--no-timings', 'hide measured timings (for reproducible output)');
  demo.action(
    guarded(demo, async (o: Record<string, unknown>) => {
      const timings = o.timings !== false && !isSet(io.env.KERNEL_SIM_NO_TIMINGS);
      setExit(await handlers.demo({ ...machineOptions(o, io.host.files), timings }, io));
    }),
  );

  const run = addMachineOptions(
    program
      .command('run')
      .description('boot, execute a script of shell commands and print the transcript')
      .argument('<script>', "script file, '-' for standard input"),
  )
    .option('-k, --keep-going', 'continue after a failed command (exit status stays 1)')
    .addHelpText('after', `\n${scriptHelp()}`);
  run.action(
    guarded(run, async (script: string, o: Record<string, unknown>) => {
      setExit(
        await handlers.run(
          script,
          { ...machineOptions(o, io.host.files), keepGoing: o.keepGoing === true },
          io,
        ),
      );
    }),
  );

  const shell = addMachineOptions(
    program.command('shell').description('the script commands interactively (history, help, tab completion)'),
  );
  shell.action(
    guarded(shell, async (o: Record<string, unknown>) => {
      setExit(await handlers.shell(machineOptions(o, io.host.files), io));
    }),
  );

  const bench = addMachineOptions(
    program
      .command('bench')
      .description('page-allocation overhead of profiling: the baseline build and four profiling modes'),
    true,
  )
    .option('--rounds <n>', 'measured rounds per mode (median reported)', intArg(1, 1000))
    .option('--smoke', 'tiny sizes, finishes in seconds (also BENCH_SMOKE=1)');
  bench.action(
    guarded(bench, async (o: Record<string, unknown>) => {
      const opts: MachineOptions & { rounds?: number; smoke: boolean } = {
        ...machineOptions(o, io.host.files),
        smoke: o.smoke === true || isSet(io.env.BENCH_SMOKE),
      };
      if (typeof o.rounds === 'number') opts.rounds = o.rounds;
      setExit(await handlers.bench(opts, io));
    }),
  );

  const layout = program
    .command('layout')
    .description("page-flags layout of a kernel config: which bits hold what, and what's free for tags")
    .addOption(new Option('--config <name>', 'config preset').conflicts(['configFile', 'list']))
    .option('--config-file <file>', 'a kernel .config file, e.g. /boot/config-$(uname -r)')
    .addOption(archOption())
    .option('--list', 'list the config presets')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'svg', 'json']).default('text'),
    );
  layout.action(
    guarded(layout, async (o: Record<string, unknown>) => {
      checkArch(o);
      const opts: Parameters<Handlers['layout']>[0] = {
        list: o.list === true,
        format: o.format as 'text' | 'svg' | 'json',
      };
      if (typeof o.config === 'string') opts.config = o.config;
      if (typeof o.configFile === 'string') {
        opts.configFile = o.configFile;
        if (typeof o.arch === 'string') opts.arch = o.arch;
      }
      setExit(await handlers.layout(opts, io));
    }),
  );

  const allocinfo = program
    .command('allocinfo')
    .description("read /proc/allocinfo files (ours or a real kernel's, versions 1.0 and 2.0)");
  const top = allocinfo
    .command('top')
    .description('top call sites of an allocinfo file')
    .argument('<file>', "allocinfo file, '-' for standard input")
    .addOption(new Option('-s, --sort <key>', 'sort by').choices(['bytes', 'calls']).default('bytes'))
    .option('-m, --min <size>', 'only sites holding at least SIZE bytes, e.g. 1M (default: all)', sizeArg)
    .option('-n, --lines <n>', 'show at most N rows (0 = all)', intArg(0, 1e9), 20)
    .option('-t, --tree', 'sum by source path prefix (directories, then files)')
    .option('-d, --depth <n>', 'with --tree: directory levels to expand', intArg(1, 64), 2)
    .addOption(new Option('--json', 'machine-readable output').conflicts('interval'))
    .option(
      '-i, --interval <seconds>',
      're-read FILE every SECONDS (e.g. /proc/allocinfo): a live view with the change of each row',
      secondsArg,
    )
    .option('--once', 'with --interval: read twice, SECONDS apart, print the changes and exit')
    .addHelpText(
      'after',
      '\nOn a terminal --interval redraws in place until q is pressed; otherwise each read is\n' +
        'appended as plain text.',
    );
  top.action(
    guarded(top, async (file: string, o: Record<string, unknown>) => {
      if (top.getOptionValueSource('depth') === 'cli' && o.tree !== true)
        throw new UsageError("option '-d, --depth <n>' needs '-t, --tree'");
      if (o.once === true && o.interval === undefined)
        throw new UsageError("option '--once' needs '-i, --interval <seconds>'");
      if (o.interval !== undefined && file === '-')
        throw new UsageError("option '-i, --interval <seconds>' needs a FILE to read again, not '-'");
      const opts = {
        sort: o.sort as 'bytes' | 'calls',
        minBytes: typeof o.min === 'number' ? o.min : null,
        lines: o.lines as number,
        tree: o.tree === true,
        depth: o.depth as number,
      };
      if (typeof o.interval === 'number') {
        setExit(
          await handlers.liveTop(file, { ...opts, intervalMs: o.interval * 1000, once: o.once === true }, io),
        );
        return;
      }
      const report = allocinfoTop(
        parseAllocinfoText(readInputFile(io.host.files, file), file === '-' ? '<stdin>' : file),
        opts,
      );
      io.out(o.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatTop(report, io.color));
      setExit(EXIT_OK);
    }),
  );
  const diff = allocinfo
    .command('diff')
    .description('what grew, shrank, appeared and vanished between two allocinfo snapshots')
    .argument('<old>', 'earlier snapshot')
    .argument('<new>', 'later snapshot')
    .option('-m, --min <size>', 'hide changes smaller than SIZE bytes', sizeArg, 0)
    .option('--json', 'machine-readable output');
  diff.action(
    guarded(diff, (oldPath: string, newPath: string, o: Record<string, unknown>) => {
      const a = parseAllocinfoText(readInputFile(io.host.files, oldPath), oldPath);
      const b = parseAllocinfoText(readInputFile(io.host.files, newPath), newPath);
      const report = allocinfoDiff(a, b, o.min as number);
      io.out(o.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatDiff(report, io.color));
      setExit(EXIT_OK);
    }),
  );

  for (const cmd of [program, ...allCommands(program)]) {
    cmd.helpOption('-h, --help', 'show help for this command');
    // A mistake in `kernel-sim run ...` is explained by `kernel-sim run --help`.
    cmd.showHelpAfterError(`(run '${commandPath(cmd)} --help' for usage)`);
  }
  return program;
}

/**
 * An action whose UsageErrors (a bad option combination found after parsing) are reported like
 * commander's own usage errors: `error: ...`, the pointer to this command's help, exit status 2.
 */
function guarded<A extends unknown[]>(cmd: Command, action: (...args: A) => void | Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await action(...args);
    } catch (e) {
      if (e instanceof UsageError) cmd.error(`error: ${e.message}`, { exitCode: EXIT_USAGE });
      throw e;
    }
  };
}

const TOP_LEVEL_FLAGS = new Set(['-h', '--help', '-V', '--version']);

/** No command (only machine options, or nothing) means `demo`, as `pnpm start` expects. */
function withDefaultCommand(argv: readonly string[]): string[] {
  const first = argv[0];
  if (first === undefined || (first.startsWith('-') && !TOP_LEVEL_FLAGS.has(first))) return ['demo', ...argv];
  return [...argv];
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

function isSet(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0';
}

/** The script-language summary shown by `kernel-sim run --help`. */
export function scriptHelp(): string {
  return [
    'Script language: one command per line, # starts a comment, blank lines are ignored.',
    "Each command is echoed as '$ <command>' followed by its output; an error prints",
    "'SCRIPT:LINE: <message>' on stderr and stops with status 1 (unless --keep-going).",
    '',
    helpText([]),
  ].join('\n');
}

/**
 * Run the command line `argv` (without node and script path); resolves to the exit status.
 * `version` is what `--version` prints.
 */
export async function runCli(
  argv: readonly string[],
  io: Io,
  handlers: Handlers,
  version?: string,
): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(
    io,
    handlers,
    (c) => {
      code = c;
    },
    version,
  );
  try {
    await program.parseAsync(withDefaultCommand(argv), { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      io.err(`${io.errColor.red(e.message)}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
