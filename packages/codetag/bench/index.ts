/**
 * Cost of the two codetag paths kernel-sim exercises: a full walk of every tag (a /proc/allocinfo
 * read) and a module load + unload with many modules recorded.
 * BENCH_SMOKE=1: tiny sizes, one round — only proves the benchmark still runs.
 */
import { cpus } from 'node:os';
import {
  type CodeTag,
  Codetag,
  codetagSectionSymbols,
  SectionMemory,
  SimpleModule,
  SymbolTable,
} from '../src/index';

const SMOKE = process.env.BENCH_SMOKE === '1';
const KERNEL_TAGS = SMOKE ? 64 : 4096;
const MODULES = SMOKE ? 4 : 100;
const TAGS_PER_MODULE = SMOKE ? 4 : 50;
const ROUNDS = SMOKE ? 1 : 7;
const WALKS = SMOKE ? 2 : 50;
const CYCLES = SMOKE ? 10 : 20_000;
const TAG = 40;
const SECTION = 'alloc_tags';

function tags(start: number, n: number, modname: string | null): CodeTag[] {
  return Array.from({ length: n }, (_, i) => ({
    address: start + i * TAG,
    flags: 0,
    lineno: i + 1,
    modname,
    function: `f${i}`,
    filename: 'bench.c',
  }));
}

const memory = new SectionMemory<CodeTag>();
const kernelStart = 0x8200_0000_0000;
memory.place(tags(kernelStart, KERNEL_TAGS, null));
const codetag = new Codetag({
  kernelSymbols: new SymbolTable(
    codetagSectionSymbols(SECTION, kernelStart, kernelStart + KERNEL_TAGS * TAG),
  ),
  printk: { printk() {} },
});
const type = codetag.registerType({ section: SECTION, tagSize: TAG, memory });
const modules: SimpleModule[] = [];
for (let m = 0; m < MODULES; m++) {
  const start = 0xa000_0000_0000 + m * 0x10_0000;
  memory.place(tags(start, TAGS_PER_MODULE, `mod${m}`));
  const mod = new SimpleModule(
    `mod${m}`,
    codetagSectionSymbols(SECTION, start, start + TAGS_PER_MODULE * TAG),
  );
  codetag.loadModule(mod);
  modules.push(mod);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function walk(): number {
  let n = 0;
  let sum = 0;
  for (const ct of type.tags()) {
    sum += ct.lineno;
    n++;
  }
  if (sum < 0) throw new Error('unreachable');
  return n;
}

function cycle(): void {
  for (let i = 0; i < CYCLES; i++) {
    const mod = modules[i % MODULES]!;
    codetag.unloadModule(mod);
    codetag.loadModule(mod);
  }
}

const walkNs: number[] = [];
const cycleNs: number[] = [];
let walked = 0;
for (let r = 0; r < ROUNDS; r++) {
  let t = process.hrtime.bigint();
  for (let w = 0; w < WALKS; w++) walked = walk();
  walkNs.push(Number(process.hrtime.bigint() - t) / (WALKS * walked));
  t = process.hrtime.bigint();
  cycle();
  cycleNs.push(Number(process.hrtime.bigint() - t) / CYCLES);
}

const expected = KERNEL_TAGS + MODULES * TAGS_PER_MODULE;
if (walked !== expected || type.count !== expected) {
  throw new Error(`walked ${walked} tags, count ${type.count}, expected ${expected}`);
}
console.log(
  `codetag bench (${SMOKE ? 'smoke' : 'full'}): Node ${process.version}, ${cpus()[0]?.model ?? 'cpu?'}`,
);
console.log(`${KERNEL_TAGS} kernel tags + ${MODULES} modules × ${TAGS_PER_MODULE} tags, median of ${ROUNDS}`);
console.log('| operation | time |');
console.log('|---|---|');
console.log(`| tags() walk, per tag | ${median(walkNs).toFixed(1)} ns |`);
console.log(`| unloadModule + loadModule | ${(median(cycleNs) / 1000).toFixed(2)} µs |`);
