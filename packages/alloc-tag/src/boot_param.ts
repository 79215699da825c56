import type { MemProfilingState } from './state';
import { AllocTagError } from './types';

/**
 * lib/kstrtox.c: kstrtobool() — only the first one or two characters matter:
 * y/Y/t/T/1 → true, n/N/f/F/0 → false, o/O + n/N → true, o/O + f/F → false, else error.
 */
export function kstrtobool(s: string): boolean | undefined {
  switch (s[0]) {
    case 'y':
    case 'Y':
    case 't':
    case 'T':
    case '1':
      return true;
    case 'n':
    case 'N':
    case 'f':
    case 'F':
    case '0':
      return false;
    case 'o':
    case 'O':
      switch (s[1]) {
        case 'n':
        case 'N':
          return true;
        case 'f':
        case 'F':
          return false;
        default:
          return undefined;
      }
    default:
      return undefined;
  }
}

/** The meaning of a well-formed `sysctl.vm.mem_profiling=` value. */
export type MemProfilingParam =
  | { readonly never: true; readonly enable: false; readonly compressed: false }
  | { readonly never: false; readonly enable: boolean; readonly compressed: boolean };

/**
 * The grammar setup_early_mem_profiling() accepts: `never…` (prefix of 5, case-sensitive) or
 * `kstrtobool-token[,compressed]`.
 * Returns undefined for a malformed value (absent, empty, bad boolean, bad suffix).
 */
export function parseMemProfilingParam(value: string | null | undefined): MemProfilingParam | undefined {
  if (value === null || value === undefined || value.length === 0) return undefined;
  if (value.startsWith('never')) return { never: true, enable: false, compressed: false };
  const comma = value.indexOf(',');
  const token = comma < 0 ? value : value.slice(0, comma);
  const enable = kstrtobool(token);
  if (enable === undefined) return undefined;
  if (comma >= 0 && value.slice(comma + 1) !== 'compressed') return undefined;
  return { never: false, enable, compressed: comma >= 0 };
}

/**
 * lib/alloc_tag.c: setup_early_mem_profiling() — early_param("sysctl.vm.mem_profiling").
 * Returns null on success; on a malformed value returns an EINVAL error and changes nothing (the
 * early-param dispatcher then prints `Malformed early option 'sysctl.vm.mem_profiling'`).
 */
export function setupEarlyMemProfiling(
  state: MemProfilingState,
  value: string | null | undefined,
): AllocTagError | null {
  const p = parseMemProfilingParam(value);
  if (p === undefined) {
    return new AllocTagError(
      'EINVAL',
      `malformed value ${value === null || value === undefined ? '(none)' : JSON.stringify(value)} for sysctl.vm.mem_profiling`,
    );
  }
  if (p.never) {
    state.setSupport(false);
    state.printk.printk('info', 'Memory allocation profiling is disabled!');
  } else {
    state.setSupport(true);
    state.printk.printk(
      'info',
      `Memory allocation profiling is enabled ${p.compressed ? 'with' : 'without'} compression and is turned ${p.enable ? 'on' : 'off'}!`,
    );
  }
  state.setKey(p.enable);
  state.setCompressed(p.compressed);
  return null;
}
