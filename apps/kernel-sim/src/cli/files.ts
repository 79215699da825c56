/** Reading input files with one clear message when they cannot be read. */
import { readFileSync } from 'node:fs';
import { CliError } from './errors';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
};

/** Read a text file (`-` = standard input); throws CliError `cannot read 'FILE': reason`. */
export function readInputFile(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new CliError(`cannot read '${path}': ${REASONS[code] ?? (e as Error).message}`);
  }
}
