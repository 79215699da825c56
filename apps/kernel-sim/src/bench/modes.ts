/**
 * The five builds/modes of one machine that the page-allocation benchmark compares
 * (docs/benchmarks.md): the kernel without CONFIG_MEM_ALLOC_PROFILING, and the profiling kernel booted
 * with each meaningful `sysctl.vm.mem_profiling=` value.
 */

import { KernelError } from '../kernel/errno';

/** A benchmark mode, in report order. */
export type BenchMode = 'nohooks' | 'never' | 'off' | 'page_ext' | 'compressed';

/** Every mode in report order; `nohooks` is the baseline. */
export const BENCH_MODES: readonly BenchMode[] = ['nohooks', 'never', 'off', 'page_ext', 'compressed'];

/** How a mode is built and booted. */
export interface BenchModeSpec {
  readonly mode: BenchMode;
  /** CONFIG_MEM_ALLOC_PROFILING: false only for the baseline build, whose allocator has no hooks at all. */
  readonly profiling: boolean;
  /** The `sysctl.vm.mem_profiling=` boot value, null when the parameter is not given. */
  readonly param: string | null;
  /** One line of what the mode means. */
  readonly description: string;
}

const SPECS: Readonly<Record<BenchMode, BenchModeSpec>> = {
  nohooks: {
    mode: 'nohooks',
    profiling: false,
    param: null,
    description: 'built without CONFIG_MEM_ALLOC_PROFILING (no hooks) — the baseline',
  },
  never: {
    mode: 'never',
    profiling: true,
    param: 'never',
    description: 'built in, sysctl.vm.mem_profiling=never',
  },
  off: {
    mode: 'off',
    profiling: true,
    param: '0',
    description: 'built in, sysctl.vm.mem_profiling=0 (page_ext reserved, key off)',
  },
  page_ext: {
    mode: 'page_ext',
    profiling: true,
    param: '1',
    description: 'sysctl.vm.mem_profiling=1 (references in page_ext)',
  },
  compressed: {
    mode: 'compressed',
    profiling: true,
    param: '1,compressed',
    description: 'sysctl.vm.mem_profiling=1,compressed (references in page flags)',
  },
};

/** Whether `name` is a benchmark mode. */
export function isBenchMode(name: string): name is BenchMode {
  return Object.hasOwn(SPECS, name);
}

/** The build and boot value of a mode. */
export function benchModeSpec(mode: BenchMode): BenchModeSpec {
  if (!isBenchMode(mode)) throw new KernelError('EINVAL', `unknown benchmark mode '${String(mode)}'`);
  return SPECS[mode];
}

/**
 * The kernel command line a mode boots with: the user's line, then the mode's
 * `sysctl.vm.mem_profiling=` value last, since the last valid occurrence of the early parameter
 * wins (lib/alloc_tag.c: setup_early_mem_profiling() runs for each occurrence). A user line that sets the parameter itself cannot be honoured per mode, so it is
 * refused instead of being silently overridden.
 */
export function modeCmdline(mode: BenchMode, userCmdline = ''): string {
  const spec = benchModeSpec(mode);
  const base = userCmdline.trim();
  if (/(^|\s)sysctl[./]vm[./]mem[-_]profiling(=|\s|$)/.test(base))
    throw new KernelError(
      'EINVAL',
      'bench: the command line must not set sysctl.vm.mem_profiling, each mode sets its own',
    );
  if (spec.param === null) return base;
  const param = `sysctl.vm.mem_profiling=${spec.param}`;
  return base === '' ? param : `${base} ${param}`;
}
