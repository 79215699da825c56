/**
 * @allocprof/codetag — the Linux kernel's code tagging framework (lib/codetag.c,
 * include/linux/codetag.h) with the module section hooks of patch 3 of "page allocation tag
 * compression" (v4).
 */

export {
  CodeTagIterator,
  type CodeTagModule,
  type CodeTagModuleRecord,
  CodeTagType,
  type CodeTagTypeDesc,
  Codetag,
  type CodetagOptions,
  type LogLevel,
  type Printk,
  type SymbolLookup,
  type TagMemory,
} from './codetag';
export { CodeTagBugError, CodeTagError, type ErrnoName } from './errors';
export {
  codetagAllocModuleSectionMem,
  codetagFreeModuleSections,
  codetagGetCtIter,
  codetagLoadModule,
  codetagLockModuleList,
  codetagModuleReplaced,
  codetagNeedsModuleSection,
  codetagNextCt,
  codetagRegisterType,
  codetagTrylockModuleList,
  codetagUnloadModule,
} from './functions';
export { Idr } from './idr';
export { Mutex, RwSemaphore, type RwSemState } from './locks';
export { SectionMemory, SimpleModule, SymbolTable } from './memory';
export {
  CODETAG_EMPTY,
  CODETAG_ID_EMPTY,
  CODETAG_ID_FIRST,
  CODETAG_ID_NULL,
  CODETAG_SECTION_PREFIX,
  CODETAG_SECTION_START_PREFIX,
  CODETAG_SECTION_STOP_PREFIX,
  type CodeTag,
  type CodeTagRef,
  codetagSectionName,
  codetagSectionSymbols,
  codetagSectionType,
  codetagStartSymbol,
  codetagStopSymbol,
  codetagToText,
  formatCodetagAddress,
  isCodetagEmpty,
  KSYM_NAME_LEN,
  SIZEOF_CODETAG,
  SIZEOF_CODETAG_REF,
} from './tag';
export {
  CUT_HERE,
  DEFAULT_WARN_ENVIRONMENT,
  formatWarning,
  KernelWarn,
  printTainted,
  type WarnEnvironment,
  type WarnSite,
  type WarnTask,
} from './warn';
