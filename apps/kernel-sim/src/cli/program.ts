/**
 * The `kernel-sim` command line: commands, options, help and exit statuses (0 success, 1 invalid
 * input or a failed script command, 2 usage error), built on commander.
 */

import { KERNEL_ARCHES } from '@allocprof/page-flags-layout';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { validateRamSize } from '../mm/memmap';
import { parseAllocinfoText } from './allocinfo-file';
import { allocinfoDiff, allocinfoTop, formatDiff, formatTop } from './allocinfo-tools';
import { CliError, EXIT_OK, EXIT_USAGE } from './errors';
import { readInputFile } from './files';
import type { Io } from './io';
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
}

function sizeArg(value: string): number {
  try {
    return parseSize(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
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

function addMachineOptions(cmd: Command): Command {
  return cmd
    .option('--cmdline <str>', 'kernel command line, e.g. "sysctl.vm.mem_profiling=1,compressed"', '')
    .addOption(
      new Option('--config <name>', 'kernel config preset (see `kernel-sim layout --list`)').conflicts(
        'configFile',
      ),
    )
    .option('--config-file <file>', 'a kernel .config file (with --arch)')
    .addOption(
      new Option(
        '--arch <arch>',
        'architecture of --config-file (default: detected from its CONFIG_<ARCH> symbol)',
      ).choices(KERNEL_ARCHES),
    )
    .option('--mem <size>', 'RAM, e.g. 512M, 4G, 64G', memArg, 2 ** 30)
    .option('--cpus <n>', 'simulated CPUs', intArg(1, 256), 4)
    .option('--kernel-tags <n>', 'allocation tags in the kernel image', intArg(0, 1_000_000), 4096)
    .option('--json', 'machine-readable output instead of text');
}

function machineOptions(o: Record<string, unknown>): MachineOptions {
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
    m.arch = o.arch as string;
  }
  return m;
}

/** Build the program; `setExit` receives the exit status of the command that ran. */
export function buildProgram(io: Io, handlers: Handlers, setExit: (code: number) => void): Command {
  const program = new Command('kernel-sim');
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
    .showHelpAfterError("(run 'kernel-sim --help' for usage)")
    .addHelpText(
      'after',
      '\nExit status: 0 success, 1 invalid input or a failed script command, 2 usage error.\n' +
        'Colour only on a terminal and never with NO_COLOR.',
    );

  addMachineOptions(
    program
      .command('demo')
      .description('the narrated default scenario: every patch of the series at work (default command)'),
  )
    .option('--no-timings', 'hide measured timings (for reproducible output)')
    .action(async (o: Record<string, unknown>) => {
      const timings = o.timings !== false && !isSet(io.env.KERNEL_SIM_NO_TIMINGS);
      setExit(await handlers.demo({ ...machineOptions(o), timings }, io));
    });

  addMachineOptions(
    program
      .command('run')
      .description('boot, execute a script of shell commands and print the transcript')
      .argument('<script>', "script file, '-' for standard input"),
  )
    .option('-k, --keep-going', 'continue after a failed command (exit status stays 1)')
    .addHelpText('after', `\n${scriptHelp()}`)
    .action(async (script: string, o: Record<string, unknown>) => {
      setExit(await handlers.run(script, { ...machineOptions(o), keepGoing: o.keepGoing === true }, io));
    });

  addMachineOptions(
    program.command('shell').description('the script commands interactively (history, help, tab completion)'),
  ).action(async (o: Record<string, unknown>) => {
    setExit(await handlers.shell(machineOptions(o), io));
  });

  addMachineOptions(
    program
      .command('bench')
      .description('page-allocation overhead of profiling across modes (see docs/benchmarks.md)'),
  )
    .option('--rounds <n>', 'measured rounds per mode (median reported)', intArg(1, 1000))
    .option('--smoke', 'tiny sizes, finishes in seconds (also BENCH_SMOKE=1)')
    .action(async (o: Record<string, unknown>) => {
      const opts: MachineOptions & { rounds?: number; smoke: boolean } = {
        ...machineOptions(o),
        smoke: o.smoke === true || isSet(io.env.BENCH_SMOKE),
      };
      if (typeof o.rounds === 'number') opts.rounds = o.rounds;
      setExit(await handlers.bench(opts, io));
    });

  program
    .command('layout')
    .description("page-flags layout of a kernel config: which bits hold what, and what's free for tags")
    .addOption(new Option('--config <name>', 'config preset').conflicts(['configFile', 'list']))
    .option('--config-file <file>', 'a kernel .config file, e.g. /boot/config-$(uname -r)')
    .addOption(
      new Option(
        '--arch <arch>',
        'architecture of --config-file (default: detected from its CONFIG_<ARCH> symbol)',
      ).choices(KERNEL_ARCHES),
    )
    .option('--list', 'list the config presets')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'svg', 'json']).default('text'),
    )
    .action(async (o: Record<string, unknown>) => {
      const opts: Parameters<Handlers['layout']>[0] = {
        list: o.list === true,
        format: o.format as 'text' | 'svg' | 'json',
      };
      if (typeof o.config === 'string') opts.config = o.config;
      if (typeof o.configFile === 'string') {
        opts.configFile = o.configFile;
        opts.arch = o.arch as string;
      }
      setExit(await handlers.layout(opts, io));
    });

  const allocinfo = program
    .command('allocinfo')
    .description("read /proc/allocinfo files (ours or a real kernel's, versions 1.0 and 2.0)");
  allocinfo
    .command('top')
    .description('top call sites of an allocinfo file')
    .argument('<file>', "allocinfo file, '-' for standard input")
    .addOption(new Option('-s, --sort <key>', 'sort by').choices(['bytes', 'calls']).default('bytes'))
    .option('-m, --min <size>', 'only sites holding at least SIZE bytes (e.g. 1M)', sizeArg, 0)
    .option('-n, --lines <n>', 'show at most N rows (0 = all)', intArg(0, 1e9), 20)
    .option('-t, --tree', 'sum by source path prefix (directories, then files)')
    .option('-d, --depth <n>', 'with --tree: directory levels to expand', intArg(1, 64), 2)
    .option('--json', 'machine-readable output')
    .action((file: string, o: Record<string, unknown>) => {
      const parsed = parseAllocinfoText(readInputFile(io.host.files, file), file === '-' ? '<stdin>' : file);
      const report = allocinfoTop(parsed, {
        sort: o.sort as 'bytes' | 'calls',
        minBytes: o.min as number,
        lines: o.lines as number,
        tree: o.tree === true,
        depth: o.depth as number,
      });
      io.out(o.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatTop(report, io.color));
      setExit(EXIT_OK);
    });
  allocinfo
    .command('diff')
    .description('what grew, shrank, appeared and vanished between two allocinfo snapshots')
    .argument('<old>', 'earlier snapshot')
    .argument('<new>', 'later snapshot')
    .option('-m, --min <size>', 'hide changes smaller than SIZE bytes', sizeArg, 0)
    .option('--json', 'machine-readable output')
    .action((oldPath: string, newPath: string, o: Record<string, unknown>) => {
      const a = parseAllocinfoText(readInputFile(io.host.files, oldPath), oldPath);
      const b = parseAllocinfoText(readInputFile(io.host.files, newPath), newPath);
      const report = allocinfoDiff(a, b, o.min as number);
      io.out(o.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatDiff(report, io.color));
      setExit(EXIT_OK);
    });

  for (const cmd of [program, ...allCommands(program)])
    cmd.helpOption('-h, --help', 'show help for this command');
  return program;
}

const TOP_LEVEL_FLAGS = new Set(['-h', '--help']);

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

/** Run the command line `argv` (without node and script path); resolves to the exit status. */
export async function runCli(argv: readonly string[], io: Io, handlers: Handlers): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, handlers, (c) => {
    code = c;
  });
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
