/**
 * Errors of the command line. Every failure the CLI reports is one of these, carrying the exit
 * status it maps to: 1 for invalid input or a failed script command, 2 for a usage error.
 */

/** Exit statuses of `kernel-sim`. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad input (a file's contents, a script command, a kernel error): exit status 1. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Wrong command-line usage (unknown option, bad option value): exit status 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}
