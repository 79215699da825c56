/**
 * include/uapi/asm-generic/errno-base.h: the errno values the simulated kernel reports, with the
 * strerror() texts userspace tools print (`insmod: ERROR: could not insert module x: <text>`).
 */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  ENOEXEC: 8,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
} as const;

/** An errno name, e.g. `'ENOMEM'`. */
export type Errno = keyof typeof ERRNO;

const STRERROR: Readonly<Record<Errno, string>> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  E2BIG: 'Argument list too long',
  ENOEXEC: 'Invalid module format',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  ERANGE: 'Numerical result out of range',
  ENOSYS: 'Function not implemented',
};

/** strerror(3) text of an errno name (glibc wording; ENOEXEC as kmod words it for modules). */
export function strerror(code: string): string {
  return (STRERROR as Record<string, string | undefined>)[code] ?? `Unknown error ${code}`;
}

/** Errno name of a negative or positive errno number, or undefined if unknown. */
export function errnoName(errno: number): Errno | undefined {
  const n = Math.abs(errno);
  for (const [name, value] of Object.entries(ERRNO)) if (value === n) return name as Errno;
  return undefined;
}

/** A failure of the simulated kernel: carries the errno name in `code`; nothing was changed. */
export class KernelError extends Error {
  readonly code: Errno;

  constructor(code: Errno, message: string) {
    super(message);
    this.name = 'KernelError';
    this.code = code;
  }

  /** The kernel's negative return value for this error (`-ENOMEM` = -12). */
  get errno(): number {
    return -ERRNO[this.code];
  }
}
