/** errno names this package reports. */
export type PageFlagsLayoutErrorCode = 'EINVAL' | 'ENOENT' | 'ERANGE';

/**
 * Every failure of this package: bad calculator inputs, a configuration the kernel's preprocessor
 * rejects with `#error` (then `message` is the kernel's text exactly), a malformed `.config`,
 * an unknown preset, or an out-of-range flags-word access.
 */
export class PageFlagsLayoutError extends Error {
  override readonly name = 'PageFlagsLayoutError';
  /** errno name: EINVAL for bad input and build errors, ENOENT for unknown names, ERANGE for pfn/bit ranges. */
  readonly code: PageFlagsLayoutErrorCode;
  /** The input field, Kconfig symbol or access parameter at fault, when there is one. */
  readonly field: string | undefined;
  /** 1-based line of a `.config` text, when the error comes from one. */
  readonly line: number | undefined;

  constructor(
    code: PageFlagsLayoutErrorCode,
    message: string,
    options: { field?: string; line?: number } = {},
  ) {
    super(message);
    this.code = code;
    this.field = options.field;
    this.line = options.line;
  }
}
