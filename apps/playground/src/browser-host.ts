/**
 * The kernel-sim core's host in a browser: files held in memory (a pasted `.config`), no CPU
 * clock (the benchmark times with performance.now()), and the browser as the runtime.
 */
import { type Host, type HostInfo, MemoryFiles } from '@allocprof/kernel-sim';

/** The runtime as the user agent names it, e.g. `Chrome/156.0.8078.73`. */
function runtime(ua: string): string {
  const m = /(Firefox|Edg|Chrome|Version)\/[\d.]+/.exec(ua);
  return m === null ? 'browser' : `browser ${m[0]}`;
}

/** A host over `files`; works in the page and in a worker. */
export function browserHost(files: MemoryFiles = new MemoryFiles()): Host {
  return {
    files,
    cpuClock: null,
    info: (): HostInfo => ({
      runtime: runtime(navigator.userAgent),
      cpu: 'unknown (browser)',
      logicalCpus: navigator.hardwareConcurrency ?? 1,
      platform: navigator.platform || 'unknown',
    }),
  };
}
