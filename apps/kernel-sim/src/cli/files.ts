/** Reading input files through the host, with one clear message when they cannot be read. */
import type { HostFiles } from '../host';
import { CliError } from './errors';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
};

/** Read a text file (`-` = standard input); throws CliError `cannot read 'FILE': reason`. */
export function readInputFile(files: HostFiles, path: string): string {
  try {
    return files.readText(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const reason = typeof code === 'string' ? REASONS[code] : undefined;
    throw new CliError(`cannot read '${path}': ${reason ?? (e as Error).message}`);
  }
}
