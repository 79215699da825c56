/** The narrated default scenario (placeholder until written below). */
import type { Io } from './io';
import type { MachineOptions } from './program';

export async function demoCommand(_opts: MachineOptions & { timings: boolean }, _io: Io): Promise<number> {
  return 0;
}
