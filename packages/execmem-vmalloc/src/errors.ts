import { formatKernelAddress } from './address';

/** The errno names a VmallocError can carry. */
export type VmallocErrorCode = 'EINVAL' | 'ENOMEM' | 'EBUSY' | 'EPERM' | 'ENOENT';

/** A failed vmalloc/execmem operation or a rejected argument; `code` is the errno name. */
export class VmallocError extends Error {
  override readonly name = 'VmallocError';
  readonly code: VmallocErrorCode;

  constructor(code: VmallocErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * arch/x86/mm/fault.c: page_fault_oops(). An access to a kernel virtual address with no page
 * mapped. The kernel prints the address with %px (no 0x); the simulation uses the canonical
 * 0xffff… form it uses for every other kernel address.
 */
export class PageFault extends Error {
  override readonly name = 'PageFault';
  /** The faulting address (stored form, without the 0xffff prefix). */
  readonly address: number;

  constructor(address: number) {
    super(`BUG: unable to handle page fault for address: ${describeAddress(address)}`);
    this.address = address;
  }
}

function describeAddress(address: number): string {
  return Number.isSafeInteger(address) && address >= 0 && address < 2 ** 48
    ? formatKernelAddress(address)
    : String(address);
}
