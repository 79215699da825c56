/**
 * The Node host of the core (host.ts): files through node:fs (`-` is standard input), the
 * process's CPU time, the runtime, CPU and platform from node:os, the memory available to the
 * process and the last-level cache from sysfs. Only the command line and
 * the Node scripts use it; nothing platform-neutral imports this file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, freemem, platform } from 'node:os';
import type { Host, HostDirEntry, HostFiles, HostInfo } from '../host';
import { memparse } from '../lib/cmdline';

/** The files of the machine Node runs on. */
export const nodeFiles: HostFiles = {
  readText: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
  exists: (path) => existsSync(path),
  list(dir): HostDirEntry[] {
    try {
      return readdirSync(dir, { withFileTypes: true }).map((e) => ({
        name: e.name,
        directory: e.isDirectory(),
      }));
    } catch {
      return [];
    }
  },
};

/**
 * CPU time of this process (user + system, getrusage: microsecond resolution, precise on Linux).
 * The benchmark loops are single-threaded and allocate nothing, so on an idle machine it equals
 * wall time; on a shared one it leaves out the time other processes held the CPU.
 */
export function cpuClock(): bigint {
  const u = process.cpuUsage();
  return BigInt(u.user + u.system) * 1000n;
}

/** Node's version, the first CPU's model, the logical CPU count, OS and architecture. */
export function nodeHostInfo(): HostInfo {
  const list = cpus();
  return {
    runtime: process.version,
    cpu: list[0]?.model.trim() ?? 'unknown',
    logicalCpus: list.length,
    platform: `${platform()} ${process.arch}`,
  };
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

/** The file reads hostLlcBytes() makes (tests pass their own). */
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
 * unified cache of the highest level; null where sysfs has no cache information (some virtual
 * machines, other systems).
 */
export function hostLlcBytes(fs: SysfsReader = NODE_SYSFS): number | null {
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
    // No sysfs or no cache directory: the caller's default.
  }
  return best?.bytes ?? null;
}

/** The host the command line runs on. */
export const nodeHost: Host = {
  files: nodeFiles,
  cpuClock,
  info: nodeHostInfo,
  availableMemory: () => hostAvailableBytes(),
  llcBytes: () => hostLlcBytes(),
};
