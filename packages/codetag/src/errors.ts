/** Errno names a code tag operation can fail with (the kernel's negative return values). */
export type ErrnoName =
  | 'EINVAL'
  | 'ENOMEM'
  | 'EEXIST'
  | 'EBUSY'
  | 'EACCES'
  | 'EPERM'
  | 'ENOENT'
  | 'ENOSPC'
  | 'EFAULT'
  | 'EDEADLK';

/**
 * A failed code tag operation. `code` is the errno name the kernel would return
 * (`-EINVAL` → `'EINVAL'`). Tag type callbacks (`allocSectionMem`) throw it to fail a module load.
 */
export class CodeTagError extends Error {
  readonly code: ErrnoName;

  constructor(code: ErrnoName, message: string) {
    super(message);
    this.name = 'CodeTagError';
    this.code = code;
  }
}

/**
 * A condition on which the kernel calls BUG() (or lockdep splats): a programming error of the
 * caller, not a runtime failure. Carries `EINVAL` so generic handlers still see an errno.
 */
export class CodeTagBugError extends CodeTagError {
  constructor(message: string) {
    super('EINVAL', `kernel BUG at lib/codetag.c: ${message}`);
    this.name = 'CodeTagBugError';
  }
}
