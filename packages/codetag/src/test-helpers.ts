/** Fixtures shared by this package's tests (not part of the public surface). */
import { Codetag, type LogLevel } from './codetag';
import { SectionMemory, SimpleModule, SymbolTable } from './memory';
import { type CodeTag, codetagSectionSymbols } from './tag';

export const TAG = 40;
export const SECTION = 'alloc_tags';
export const KERNEL_START = 0x8200_0000_0000 + 0x10_0000;

export function makeTag(address: number, lineno: number, modname: string | null): CodeTag {
  return {
    address,
    flags: 0,
    lineno,
    modname,
    function: `fn_${lineno}`,
    filename: modname === null ? 'mm/test.c' : `drivers/${modname}.c`,
  };
}

/** A kernel with `kernelTags` tags in its image and a Codetag instance that logs into `log`. */
export class TestKernel {
  readonly memory = new SectionMemory<CodeTag>();
  readonly kernelSymbols = new SymbolTable();
  readonly log: Array<[LogLevel, string]> = [];
  readonly codetag: Codetag;
  #next = 0xc900_0000_0000;

  constructor(kernelTags: number, section = SECTION, tagSize = TAG) {
    this.memory.place(tagRange(KERNEL_START, kernelTags, null, tagSize));
    this.kernelSymbols.define(
      codetagSectionSymbols(section, KERNEL_START, KERNEL_START + kernelTags * tagSize),
    );
    this.codetag = new Codetag({
      kernelSymbols: this.kernelSymbols,
      printk: { printk: (level, message) => this.log.push([level, message]) },
    });
  }

  /** A module whose `nTags` tags are placed in memory of their own, with its section symbols. */
  module(name: string, nTags: number, section = SECTION, tagSize = TAG): SimpleModule {
    const start = this.#next;
    this.#next += 0x10_0000;
    this.memory.place(tagRange(start, nTags, name, tagSize));
    return new SimpleModule(name, codetagSectionSymbols(section, start, start + nTags * tagSize));
  }

  messages(): string[] {
    return this.log.map(([level, message]) => `${level}: ${message}`);
  }
}

export function tagRange(start: number, n: number, modname: string | null, tagSize = TAG): CodeTag[] {
  const tags: CodeTag[] = [];
  for (let i = 0; i < n; i++) tags.push(makeTag(start + i * tagSize, i + 1, modname));
  return tags;
}

/** `modname:lineno` of every tag, in iteration order. */
export function names(tags: Iterable<CodeTag>): string[] {
  return [...tags].map((t) => `${t.modname ?? 'vmlinux'}:${t.lineno}`);
}
