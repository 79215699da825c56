/**
 * @allocprof/alloc-tag — the Linux kernel's memory allocation profiling (lib/alloc_tag.c,
 * include/linux/alloc_tag.h, include/linux/pgalloc_tag.h) with patches 2, 3, 4 and 6 of
 * "page allocation tag compression" (v4, with the 6.13 fixes).
 */

export {
  /** include/linux/alloc_tag.h: struct alloc_tag (40 bytes, per-CPU counters). */
  AllocTag,
  /** alloc_tag_counters sums as alloc_tag_read() returns them. */
  type AllocTagCountersSnapshot,
  /** One call site of an `alloc_tags` section. */
  type AllocTagSite,
  /** include/linux/alloc_tag.h: alloc_tag_read(). */
  allocTagRead,
  /** Bytes of a tag section of n tags (n × 40). */
  allocTagSectionSize,
  /** union codetag_ref as a reusable box. */
  CodetagRef,
  /** task_struct's `alloc_tag` (current). */
  TaskStruct,
} from './alloc_tag';
export {
  /** The format 1.0 header lines. */
  ALLOCINFO_HEADER,
  /** A parsed allocinfo file. */
  type Allocinfo,
  /** One call-site line of an allocinfo file. */
  type AllocinfoEntry,
  /** lib/alloc_tag.c: alloc_tag_to_text() — one /proc/allocinfo line. */
  allocTagLine,
  /** The /proc/allocinfo text for a list of tags. */
  formatAllocinfo,
  /** Parse allocinfo text of format 1.0 or 2.0 (ours or a real kernel's). */
  parseAllocinfo,
} from './allocinfo';
export {
  /** lib/kstrtox.c: kstrtobool(). */
  kstrtobool,
  /** Meaning of a well-formed `sysctl.vm.mem_profiling=` value. */
  type MemProfilingParam,
  /** The `sysctl.vm.mem_profiling=` grammar without side effects. */
  parseMemProfilingParam,
} from './boot_param';
export {
  /** Per-CPU counter pools (Float64Array, id × CPU). */
  AllocTagCounters,
} from './counters';
export {
  /** One range of the module tag area map. */
  type ModuleAreaRange,
  /** The module tag area of patches 3 and 4. */
  ModuleTagArea,
  /** lib/alloc_tag.c: prepend_mod marker. */
  prependMod,
  /** lib/alloc_tag.c: unloaded_mod marker. */
  unloadedMod,
} from './module_tags';
export {
  /** The hooks of a page_ext boot (page_ext_get/lookup/put written out). */
  PageExtPgallocTagHooks,
  /** The hooks of a compressed boot (page->flags read/written in place). */
  PageFlagsPgallocTagHooks,
  /** The page allocator's hooks (include/linux/pgalloc_tag.h) on the get/update/put protocol. */
  PgallocTagHooks,
} from './pgalloc_hooks';
export {
  /** procfs hooks for /proc/allocinfo. */
  type AllocinfoProcfs,
  /** Build options of the simulated kernel. */
  type AllocTagKconfig,
  /** A change of the key, support or compressed key. */
  type MemProfilingEvent,
  /** The three state variables and shutdown_mem_profiling(). */
  MemProfilingState,
} from './state';
export {
  /** lib/alloc_tag.c's pr_debug() call sites (its `__dyndbg` entries). */
  ALLOC_TAG_PR_DEBUG_SITES,
  /** Options of AllocTagSubsystem. */
  type AllocTagPageFlagsLayout,
  /** One simulated kernel's allocation profiling. */
  AllocTagSubsystem,
  /** Options of AllocTagSubsystem. */
  type AllocTagSubsystemOptions,
  /** struct codetag_bytes of alloc_tag_top_users(). */
  type CodetagBytes,
} from './subsystem';
export {
  /** /proc/sys/vm/mem_profiling. */
  MemProfilingSysctl,
  /** proc_dointvec_minmax() for one int in [0, 1]. */
  parseSysctlBool,
  /** Root with CAP_SYS_ADMIN. */
  ROOT_CRED,
  /** A writer's credentials. */
  type SysctlCred,
} from './sysctl';
export {
  /** idx_to_ref()/ref_to_idx() (TagIndex for pgalloc-tag). */
  AllocTagIndex,
} from './tag_index';
export {
  /** The simulated memory holding struct alloc_tag records (codetag TagMemory). */
  AllocTagMemory,
} from './tag_memory';
export {
  /** ALLOC_TAG_MODULE_SECTION = `.codetag.alloc_tags`. */
  ALLOC_TAG_MODULE_SECTION,
  /** ALLOC_TAG_SECTION_NAME = `alloc_tags`. */
  ALLOC_TAG_SECTION_NAME,
  /** sizeof(struct alloc_tag) = 40. */
  ALLOC_TAG_SIZE,
  /** ALLOCINFO_FILE_NAME = `allocinfo`. */
  ALLOCINFO_FILE_NAME,
  /** errno names of AllocTagError. */
  type AllocTagErrno,
  /** The package's typed error. */
  AllocTagError,
  /** Kernel log level. */
  type LogLevel,
  /** `sysctl.vm.mem_profiling` */
  MEM_PROFILING_PARAM,
  /** `vm.mem_profiling` */
  MEM_PROFILING_SYSCTL,
  /** MODULE_ALLOC_TAG_VMAP_SIZE = 4,000,000. */
  MODULE_ALLOC_TAG_VMAP_SIZE,
  /** `Malformed early option '…'` */
  malformedEarlyOptionMessage,
  /** struct _ddebug: a pr_debug() call site. */
  type PrDebugSite,
  /** Kernel log sink. */
  type Printk,
} from './types';
