/**
 * The Node host of the benchmark: the clocks of the rounds, where the run happens (date, Node,
 * CPU), and the size of the host's last-level cache — what the platform-neutral harness and
 * report take as input. Everything that needs `node:` modules or `process` lives here, so the
 * rest of src/bench runs in a browser worker too.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, freemem, platform } from 'node:os';
import { memparse } from '../lib/cmdline';
import { type Clock, type ClockKind, DEFAULT_LLC_BYTES } from './harness';
import type { BenchEnvironment } from './report';

/**
 * CPU time of this process (user + system, getrusage: microsecond resolution, precise on Linux).
 * The loops are single-threaded and allocate nothing, so on an idle machine it equals wall time;
 * on a shared one it leaves out the time other processes held the CPU, which wall time counts.
 */
export const cpuClock: Clock = () => {
  const u = process.cpuUsage();
  return BigInt(u.user + u.system) * 1000n;
};

/** Monotonic wall time (hrtime). */
export const wallClock: Clock = () => process.hrtime.bigint();

/** The clock of a kind. */
export function clockOf(kind: ClockKind): Clock {
  return kind === 'cpu' ? cpuClock : wallClock;
}

/**
 * Host memory the simulator may use: what the system has available, within any cgroup limit,
 * and within KERNEL_SIM_MEM_LIMIT (a size such as `4G`) when that is set.
 */
export function hostAvailableBytes(env: Readonly<Record<string, string | undefined>> = process.env): number {
  let bytes = freemem();
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  if (limit !== undefined && limit > 0 && limit < bytes) bytes = limit;
  const cap = env.KERNEL_SIM_MEM_LIMIT;
  if (cap !== undefined && cap !== '') bytes = Math.min(bytes, memparse(cap, 'KERNEL_SIM_MEM_LIMIT'));
  return bytes;
}

/** The environment of this process. */
export function benchEnvironment(now: Date = new Date()): BenchEnvironment {
  const list = cpus();
  return {
    date: now.toISOString(),
    node: process.version,
    cpu: list[0]?.model.trim() ?? 'unknown',
    logicalCpus: list.length,
    platform: `${platform()} ${process.arch}`,
  };
}

/** `lscpu`'s model name, CPU count and hypervisor (the environment line of the results README). */
export function cpuDescription(): string {
  try {
    const text = execFileSync('lscpu', { encoding: 'utf8' });
    const field = (name: string): string | undefined =>
      new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
    const parts = [field('Model name') ?? 'unknown CPU', `${field('CPU\\(s\\)') ?? '?'} CPUs`];
    const hv = field('Hypervisor vendor');
    if (hv !== undefined) parts.push(`${hv} guest`);
    return parts.join(', ');
  } catch {
    return 'unknown CPU (no lscpu)';
  }
}

/** The host's last-level cache, and where the figure came from. */
export interface HostLlc {
  readonly bytes: number;
  /** `sysfs` when read from the host, `assumed` for the 32 MiB default. */
  readonly source: 'sysfs' | 'assumed';
}

/** The file reads hostLlc() makes (tests pass their own). */
export interface SysfsReader {
  readdir(path: string): string[];
  readFile(path: string): string;
}

const NODE_SYSFS: SysfsReader = {
  readdir: (path) => readdirSync(path),
  readFile: (path) => readFileSync(path, 'utf8'),
};

const CACHE_DIR = '/sys/devices/system/cpu/cpu0/cache';

/** A sysfs cache size ("32768K", "32M", "1048576") in bytes, or null. */
export function parseCacheSize(text: string): number | null {
  const m = /^\s*(\d+)\s*([KMG]?)\s*$/i.exec(text);
  if (m === null) return null;
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2]!.toUpperCase()]!;
  const bytes = Number(m[1]) * unit;
  return bytes > 0 ? bytes : null;
}

/**
 * The last-level cache of CPU 0 from /sys/devices/system/cpu/cpu0/cache/index*: the data or
 * unified cache of the highest level. Where sysfs has no cache information (some virtual
 * machines, other systems) the benchmark assumes 32 MiB.
 */
export function hostLlc(fs: SysfsReader = NODE_SYSFS): HostLlc {
  let best: { level: number; bytes: number } | null = null;
  try {
    for (const dir of fs.readdir(CACHE_DIR)) {
      if (!/^index\d+$/.test(dir)) continue;
      const at = (f: string): string => fs.readFile(`${CACHE_DIR}/${dir}/${f}`).trim();
      const type = at('type');
      if (type !== 'Data' && type !== 'Unified') continue;
      const level = Number(at('level'));
      const bytes = parseCacheSize(at('size'));
      if (!Number.isInteger(level) || bytes === null) continue;
      if (best === null || level > best.level || (level === best.level && bytes > best.bytes))
        best = { level, bytes };
    }
  } catch {
    // No sysfs or no cache directory: the default below.
  }
  return best === null
    ? { bytes: DEFAULT_LLC_BYTES, source: 'assumed' }
    : { bytes: best.bytes, source: 'sysfs' };
}
