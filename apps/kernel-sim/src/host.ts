/**
 * What the simulator needs from the machine it runs on — files to read, a CPU-time clock, a
 * description of the runtime — as small interfaces the caller passes in, so that the core (the
 * kernel, the script commands, layouts, the benchmark) runs unchanged in Node and in a browser.
 * Node's implementation is node/host.ts; the playground brings its own; tests use MemoryFiles.
 */

/** An entry of a directory listing. */
export interface HostDirEntry {
  readonly name: string;
  readonly directory: boolean;
}

/** Read access to the host's files (scripts, module descriptors, `.config`, allocinfo snapshots). */
export interface HostFiles {
  /**
   * The text of a file (`-`: standard input, where the host has one). Throws an Error whose
   * `code` is the errno name (ENOENT, EACCES, EISDIR, ENOTDIR …) when the file cannot be read.
   */
  readText(path: string): string;
  /** Whether `path` names an existing file or directory. */
  exists(path: string): boolean;
  /** Entries of a directory (for completion); empty when it cannot be listed. */
  list(dir: string): readonly HostDirEntry[];
}

/** What the benchmark report says about where it ran. */
export interface HostInfo {
  /** Runtime and version, e.g. `v20.20.2` (Node) or a browser's name and version. */
  readonly runtime: string;
  readonly cpu: string;
  readonly logicalCpus: number;
  readonly platform: string;
}

/** Everything the core takes from its host. */
export interface Host {
  readonly files: HostFiles;
  /**
   * Nanoseconds of CPU time this process has used, or null where the runtime cannot tell (a
   * browser): the benchmark then times its rounds with the wall clock.
   */
  readonly cpuClock: (() => bigint) | null;
  info(): HostInfo;
  /**
   * Bytes of memory the host can give the simulator now. Absent where the runtime cannot tell (a
   * browser): a boot is then not checked against it beforehand.
   */
  availableMemory?(): number;
  /**
   * Bytes of the host CPU's last-level cache, or null when the host does not report it (the
   * benchmark's cold working set then assumes 32 MiB).
   */
  llcBytes?(): number | null;
}

/** An error of a host file operation, carrying the errno name like Node's fs errors do. */
export class HostFileError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'HostFileError';
    this.code = code;
  }
}

/** `a//b/` → `a/b`, `./a` → `a`, `./` → `.`. */
function normalize(path: string): string {
  const p = path.replace(/\/+/g, '/').replace(/^(\.\/)+/, '');
  if (p === '') return path === '' ? '' : '.';
  return p.length > 1 ? p.replace(/\/$/, '') : p;
}

/**
 * Files held in memory: the browser's files (a pasted `.config`, a module descriptor) and the
 * tests'. Directories exist implicitly as the parents of the files.
 */
export class MemoryFiles implements HostFiles {
  private readonly files = new Map<string, string>();

  constructor(files: Readonly<Record<string, string>> = {}) {
    for (const [path, text] of Object.entries(files)) this.write(path, text);
  }

  /** Create or replace a file. */
  write(path: string, text: string): void {
    const p = normalize(path);
    if (p === '' || p === '.' || p === '/' || p === '-')
      throw new HostFileError('EINVAL', `invalid file name '${path}'`);
    if (this.isDirectory(p)) throw new HostFileError('EISDIR', `'${path}' is a directory`);
    for (let slash = p.indexOf('/'); slash > 0; slash = p.indexOf('/', slash + 1))
      if (this.files.has(p.slice(0, slash)))
        throw new HostFileError('ENOTDIR', `'${p.slice(0, slash)}' is a file, not a directory`);
    this.files.set(p, text);
  }

  /** Remove a file (nothing happens when there is none). */
  remove(path: string): void {
    this.files.delete(normalize(path));
  }

  readText(path: string): string {
    const p = normalize(path);
    const text = this.files.get(p);
    if (text !== undefined) return text;
    if (this.isDirectory(p)) throw new HostFileError('EISDIR', `'${path}' is a directory`);
    throw new HostFileError('ENOENT', `no file '${path}'`);
  }

  exists(path: string): boolean {
    const p = normalize(path);
    return this.files.has(p) || this.isDirectory(p);
  }

  list(dir: string): readonly HostDirEntry[] {
    const d = normalize(dir);
    const seen = new Map<string, boolean>();
    for (const path of this.files.keys()) {
      const rel = d === '.' ? path : path.startsWith(`${d}/`) ? path.slice(d.length + 1) : null;
      if (rel === null || rel === '') continue;
      const slash = rel.indexOf('/');
      const name = slash < 0 ? rel : rel.slice(0, slash);
      seen.set(name, (seen.get(name) ?? false) || slash >= 0);
    }
    return [...seen].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, directory]) => ({ name, directory }));
  }

  private isDirectory(p: string): boolean {
    if (p === '.' || p === '/') return true;
    for (const path of this.files.keys()) if (path.startsWith(`${p}/`)) return true;
    return false;
  }
}

/** A host without files, CPU clock or details (what a caller passes when it has none to offer). */
export const NO_HOST: Host = {
  files: new MemoryFiles(),
  cpuClock: null,
  info: () => ({ runtime: 'unknown', cpu: 'unknown', logicalCpus: 1, platform: 'unknown' }),
};
