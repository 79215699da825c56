/** Profiling driver for storeRange (store-seq and store-rand at 1e6): `node --cpu-prof`. */
import { MapleTree } from '../src/index';

const N = Number(process.env.N ?? 1_000_000);
const WHICH = process.env.W ?? 'both';
let seed = 0x2545f491;
function rand(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}
const perm = new Int32Array(N);
for (let i = 0; i < N; i++) perm[i] = i;
for (let i = N - 1; i > 0; i--) {
  const j = rand(i + 1);
  const t = perm[i]!;
  perm[i] = perm[j]!;
  perm[j] = t;
}
for (let r = 0; r < 5; r++) {
  if (WHICH !== 'rand') {
    const t = new MapleTree<number>();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) t.storeRange(i * 10, i * 10 + 9, i);
    const ms = performance.now() - t0;
    console.log(`seq  ${(((N / ms) * 1e3) / 1e6).toFixed(2)} M/s`);
  }
  if (WHICH !== 'seq') {
    const t = new MapleTree<number>();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const k = perm[i]!;
      t.storeRange(k * 10, k * 10 + 4, k);
    }
    const ms = performance.now() - t0;
    console.log(`rand ${(((N / ms) * 1e3) / 1e6).toFixed(2)} M/s`);
  }
}
