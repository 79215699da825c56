/**
 * Booting from the Boot panel: the same path as `kernel-sim shell --cmdline … --config …|
 * --config-file … --mem …` (bootKernel → KernelMachine → Session), with a pasted `.config`
 * served as the file `.config` from memory, so a bad one gets the CLI's message word for word.
 */
import {
  bootKernel,
  CliError,
  KernelMachine,
  type MachineOptions,
  type MemoryFiles,
  parseSize,
  Session,
  validateRamSize,
} from '@allocprof/kernel-sim';

/** The file name a pasted config is read under (it names the config in messages and titles). */
export const PASTED_CONFIG = '.config';

/** What the Boot panel asks for. */
export interface BootRequest {
  readonly cmdline: string;
  readonly preset: string;
  /** A pasted `.config`, used instead of the preset when not blank. */
  readonly configText: string;
  /** RAM, e.g. `1G`. */
  readonly mem: string;
}

/** A booted machine and its console session. */
export interface Booted {
  readonly ok: true;
  readonly machine: KernelMachine;
  readonly session: Session;
  /**
   * The kernel's messages about what the boot line and config did (malformed or unknown
   * parameters, profiling mode or shutdown, page_ext), shown next to the button.
   */
  readonly highlights: readonly string[];
  readonly ms: number;
}

/** A boot that failed: the message `kernel-sim` prints for the same options. */
export interface BootFailed {
  readonly ok: false;
  readonly message: string;
}

/** Kernel log lines about the boot line and the profiling mode it chose. */
const HIGHLIGHT =
  /Malformed early option|Unknown kernel command line parameters|Failed to set sysctl parameter|Memory allocation profiling|allocation tags cannot|bytes of page_ext/;

/** Boot a machine; `files` holds (and receives) the pasted config. */
export function bootMachine(req: BootRequest, files: MemoryFiles): Booted | BootFailed {
  const t0 = performance.now();
  let mem: number;
  try {
    mem = parseSize(req.mem);
    validateRamSize(mem, '--mem');
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  const opts: MachineOptions = { cmdline: req.cmdline, mem, cpus: 4, kernelTags: 4096, json: false };
  if (req.configText.trim() !== '') {
    files.write(PASTED_CONFIG, req.configText);
    opts.configFile = PASTED_CONFIG;
  } else opts.config = req.preset;
  try {
    const machine = new KernelMachine(bootKernel(opts, files));
    const session = new Session(machine, false, files);
    const highlights = machine
      .dmesg()
      .split('\n')
      .map((l) => l.replace(/^\[[\s\d.]+\]\s?/, ''))
      .filter((l) => HIGHLIGHT.test(l));
    return { ok: true, machine, session, highlights, ms: performance.now() - t0 };
  } catch (e) {
    if (e instanceof CliError) return { ok: false, message: e.message };
    return { ok: false, message: `boot failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
