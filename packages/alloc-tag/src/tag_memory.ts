import type { TagMemory } from '@allocprof/codetag';
import { AllocTag, type AllocTagSite, checkAllocTagSites } from './alloc_tag';
import type { AllocTagCounters } from './counters';
import { ALLOC_TAG_SIZE, AllocTagError, formatTagAddress } from './types';

const ADDRESS_LIMIT = 2 ** 48;
/** Largest kernel tag section: offsets into it stay int32 on the per-page path. */
const KERNEL_SECTION_LIMIT = 2 ** 31 - 1;

/**
 * The simulated memory that holds struct alloc_tag records: the kernel image's `alloc_tags`
 * section, the module tag area (patch 3) and, when profiling is unsupported at load time, a
 * module's own data. Codetag iterates through {@link tagAt}; the page hooks resolve references
 * through {@link resolve}.
 *
 * Writing a tag is the loader's memcpy of the section; reading a tag in the module tag area goes
 * through the area's page tables first, so touching a page that was never populated raises the
 * execmem PageFault instead of returning something.
 */
export class AllocTagMemory implements TagMemory<AllocTag> {
  private readonly byAddress = new Map<number, AllocTag>();
  private readonly counters: AllocTagCounters;
  /**
   * Start address of the kernel image's tag section (0 before it is installed). Read by the page
   * hooks, which resolve kernel tags in their own locals; only installKernelTags() writes it.
   */
  kernelStart = 0;
  private kernelEnd = 0;
  /** The kernel section's tags in address order (tag i at kernelStart + 40·i); written only here. */
  kernelTags: AllocTag[] = [];
  /** kernelEnd - kernelStart: the section's byte size, for the one-compare range test of resolve(). */
  kernelBytes = 0;
  private areaStart = 0;
  private areaEnd = 0;
  private areaTranslate: ((address: number) => number) | null = null;
  /**
   * Module tag area slot `s` (the 40-byte slot at areaStart + s·40) → its tag, or null. An index
   * over `byAddress`, which stays the record of every module tag: a tag copied to an address
   * that is not slot-aligned (page_ext mode allows any prepend/align) is only found there.
   */
  private areaSlots: (AllocTag | null)[] = [];

  constructor(counters: AllocTagCounters) {
    this.counters = counters;
  }

  /** Number of tags currently in memory. */
  get size(): number {
    return this.byAddress.size;
  }

  /** [start, stop) of the kernel image's tag section, once installed. */
  get kernelRange(): { start: number; stop: number } {
    return { start: this.kernelStart, stop: this.kernelEnd };
  }

  /**
   * Declare the module tag area: reads of addresses in [start, end) translate through `translate`
   * (the vmalloc page tables), which throws the execmem PageFault on an unpopulated page.
   */
  setModuleArea(start: number, end: number, translate: ((address: number) => number) | null): void {
    this.areaStart = start;
    this.areaEnd = end;
    this.areaTranslate = translate;
    this.areaSlots = [];
    for (const tag of this.byAddress.values()) this.indexSlot(tag.address, tag);
  }

  /** The kernel image's `alloc_tags` section, linked at `address` (DEFINE_ALLOC_TAG for every built-in site). */
  installKernelTags(address: number, sites: readonly AllocTagSite[]): AllocTag[] {
    if (this.kernelEnd !== 0)
      throw new AllocTagError('EEXIST', 'kernel allocation tags are already installed');
    if (sites.length * ALLOC_TAG_SIZE > KERNEL_SECTION_LIMIT) {
      throw new AllocTagError('EINVAL', `${sites.length} kernel allocation tags exceed a 2 GiB section`);
    }
    const tags = this.writeTags(address, sites, true);
    this.kernelStart = address;
    this.kernelEnd = address + tags.length * ALLOC_TAG_SIZE;
    this.kernelBytes = this.kernelEnd - this.kernelStart;
    this.kernelTags = tags;
    return tags;
  }

  /**
   * kernel/module/main.c: move_module()'s copy of a module's tag section to `address` (the module
   * tag area slot reserve_module_tags() returned, or the module's own data). Each tag gets a fresh
   * zeroed counter set owned by this copy. Validates everything first; nothing is written on error.
   */
  writeModuleTags(address: number, sites: readonly AllocTagSite[]): AllocTag[] {
    return this.writeTags(address, sites, false);
  }

  /**
   * Forget the tags whose start lies in [start, end) and free their counters — the copy's memory
   * is being reused (module area range released or cleaned, or module data freed).
   */
  removeTags(start: number, end: number): number {
    let removed = 0;
    for (let a = start; a < end; a += ALLOC_TAG_SIZE) {
      const tag = this.byAddress.get(a);
      if (tag === undefined) continue;
      this.byAddress.delete(a);
      this.indexSlot(a, null);
      this.counters.free(tag.id);
      tag.id = 0;
      removed++;
    }
    return removed;
  }

  /**
   * The tag a page reference names, or undefined if no tag lives there (hot path, no fault checks).
   * The kernel turns a reference into its tag for free (it is the pointer); here the kernel section
   * and the module area are arrays indexed by (address − start) / 40, and only a tag outside both
   * (left in a module's data, or copied off the slot grid) costs a Map lookup.
   */
  resolve(address: number): AllocTag | undefined {
    // Both ranges are below 2 GiB, so inside one the offset is an int32, and `(off / 40) | 0` with
    // the literal 40 (ALLOC_TAG_SIZE) compiles to a multiply and shift; an imported constant is a
    // load V8 does not fold, which leaves a hardware division on every page.
    const k = address - this.kernelStart;
    if (k >= 0 && k < this.kernelBytes) {
      const off = k | 0;
      const i = (off / 40) | 0;
      if (i * 40 === off) return this.kernelTags[i];
    }
    const a = address - this.areaStart;
    if (a >= 0 && a < this.areaSlots.length * 40) {
      const off = a | 0;
      const s = (off / 40) | 0;
      if (s * 40 === off) return this.areaSlots[s] ?? undefined;
    }
    return this.byAddress.get(address);
  }

  /** codetag's view of tag memory: the tag at `address`; faults on an unpopulated module-area page. */
  tagAt(address: number): AllocTag {
    if (address >= this.areaStart && address < this.areaEnd && this.areaTranslate !== null) {
      this.areaTranslate(address);
      this.areaTranslate(address + ALLOC_TAG_SIZE - 1);
    }
    const tag = this.resolve(address);
    if (tag === undefined) {
      throw new AllocTagError('EFAULT', `no allocation tag at ${formatTagAddress(address)}`);
    }
    return tag;
  }

  /**
   * The tags of an array starting at `start` whose start lies before `end`, ascending — the
   * `for (tag = start; tag <= last; tag++)` scans of lib/alloc_tag.c. Slots never written (a
   * reservation whose copy did not happen) are skipped.
   */
  *tagsIn(start: number, end: number): IterableIterator<AllocTag> {
    for (let a = start; a < end; a += ALLOC_TAG_SIZE) {
      if (a >= this.areaStart && a < this.areaEnd && this.areaTranslate !== null) this.areaTranslate(a);
      const tag = this.resolve(a);
      if (tag !== undefined) yield tag;
    }
  }

  private writeTags(address: number, sites: readonly AllocTagSite[], kernel: boolean): AllocTag[] {
    // x86 tolerates a misaligned copy (a section placed with align < 8 after an odd prepend).
    if (!Number.isSafeInteger(address) || address <= 0) {
      throw new AllocTagError('EINVAL', `tag section address ${address} must be a positive integer`);
    }
    checkAllocTagSites(sites);
    const end = address + sites.length * ALLOC_TAG_SIZE;
    if (end > ADDRESS_LIMIT) {
      throw new AllocTagError(
        'EINVAL',
        `tag section at ${formatTagAddress(address)} runs past the address space`,
      );
    }
    for (let a = address; a < end; a += ALLOC_TAG_SIZE) {
      if (this.resolve(a) !== undefined) {
        throw new AllocTagError('EEXIST', `an allocation tag already lives at ${formatTagAddress(a)}`);
      }
      if (a >= this.areaStart && a < this.areaEnd && this.areaTranslate !== null) {
        this.areaTranslate(a);
        this.areaTranslate(a + ALLOC_TAG_SIZE - 1);
      }
    }
    const tags: AllocTag[] = [];
    for (let i = 0; i < sites.length; i++) {
      const site = sites[i]!;
      const tag = new AllocTag(
        address + i * ALLOC_TAG_SIZE,
        kernel ? { ...site, modname: null } : site,
        this.counters,
      );
      if (!kernel) {
        this.byAddress.set(tag.address, tag);
        this.indexSlot(tag.address, tag);
      }
      tags.push(tag);
    }
    return tags;
  }

  /** Record `tag` (or its removal) in the module area slot index, if `address` is a slot of the area. */
  private indexSlot(address: number, tag: AllocTag | null): void {
    const a = address - this.areaStart;
    if (a < 0 || address >= this.areaEnd || a % ALLOC_TAG_SIZE !== 0) return;
    const s = a / ALLOC_TAG_SIZE;
    const slots = this.areaSlots;
    if (tag === null) {
      if (s < slots.length) slots[s] = null;
      return;
    }
    while (slots.length <= s) slots.push(null);
    slots[s] = tag;
  }
}
