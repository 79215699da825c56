/**
 * The Node host of the core (host.ts): files through node:fs (`-` is standard input), the
 * process's CPU time, and the runtime, CPU and platform from node:os. Only the command line and
 * the Node scripts use it; nothing platform-neutral imports this file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, platform } from 'node:os';
import type { Host, HostDirEntry, HostFiles, HostInfo } from '../host';

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

/** The host the command line runs on. */
export const nodeHost: Host = { files: nodeFiles, cpuClock, info: nodeHostInfo };
