import { KERNEL_ADDRESS_LIMIT } from './constants';

const SIGN_EXTENSION = 'ffff';

/**
 * The canonical 64-bit form of a stored kernel address: '0xffff' followed by the 48-bit address in
 * 12 lower-case hex digits (what %px/%pK print, with the 0x the proc files put in front).
 */
export function formatKernelAddress(addr: number): string {
  if (!Number.isSafeInteger(addr) || addr < 0 || addr >= KERNEL_ADDRESS_LIMIT) {
    throw new RangeError(`not a simulated kernel address: ${addr}`);
  }
  return `0x${SIGN_EXTENSION}${addr.toString(16).padStart(12, '0')}`;
}

/**
 * Inverse of formatKernelAddress: accepts '0xffffc90000000000' or 'ffffc90000000000' (16 hex
 * digits, upper-half canonical) and returns the stored 48-bit number.
 */
export function parseKernelAddress(text: string): number {
  const m = /^(?:0x)?ffff([0-9a-f]{12})$/i.exec(text.trim());
  if (m === null) {
    throw new RangeError(`not a canonical kernel address (0xffff followed by 12 hex digits): '${text}'`);
  }
  return Number.parseInt(m[1] as string, 16);
}
