/** arch/x86/include/asm/page_types.h: PAGE_SHIFT. */
export const PAGE_SHIFT = 12;
/** arch/x86/include/asm/page_types.h: PAGE_SIZE. */
export const PAGE_SIZE = 4096;

/**
 * Simulated addresses are the low 48 bits of a canonical upper-half kernel address; every stored
 * address is below this limit, and printing adds the 0xffff sign extension back.
 */
export const KERNEL_ADDRESS_LIMIT = 2 ** 48;

/** arch/x86/include/asm/pgtable_64_types.h: VMALLOC_START (4-level paging, no KASLR) = 0xffffc90000000000. */
export const VMALLOC_START = 0xc90000000000;
/** arch/x86/include/asm/pgtable_64_types.h: VMALLOC_SIZE_TB = 32 TiB. */
export const VMALLOC_SIZE = 32 * 2 ** 40;
/**
 * arch/x86/include/asm/pgtable_64_types.h: VMALLOC_END = 0xffffe8ffffffffff. Like the kernel, the
 * allocator uses it as an exclusive bound, so the very last page of the range is never handed out.
 */
export const VMALLOC_END = VMALLOC_START + VMALLOC_SIZE - 1;
/** arch/x86/include/asm/pgtable_64_types.h: MODULES_VADDR = __START_KERNEL_map + KERNEL_IMAGE_SIZE = 0xffffffffa0000000. */
export const MODULES_VADDR = 0xffffa0000000;
/** arch/x86/include/asm/pgtable_64_types.h: MODULES_END = 0xffffffffff000000. */
export const MODULES_END = 0xffffff000000;
/** include/linux/moduleloader.h: MODULE_ALIGN without KASAN. */
export const MODULE_ALIGN = PAGE_SIZE;

/** include/linux/vmalloc.h: vm_struct flags. */
export const VM_IOREMAP = 0x1;
export const VM_ALLOC = 0x2;
export const VM_MAP = 0x4;
export const VM_USERMAP = 0x8;
export const VM_DMA_COHERENT = 0x10;
export const VM_UNINITIALIZED = 0x20;
export const VM_NO_GUARD = 0x40;
export const VM_KASAN = 0x80;
export const VM_FLUSH_RESET_PERMS = 0x100;
export const VM_MAP_PUT_PAGES = 0x200;
export const VM_ALLOW_HUGE_VMAP = 0x400;
/** 0 because the simulated kernel is built without generic/software-tag KASAN. */
export const VM_DEFER_KMEMLEAK = 0;
export const VM_SPARSE = 0x1000;

/** include/uapi/asm-generic/errno-base.h: the errno values returned negated by int-returning functions. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ENOMEM: 12,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
} as const;
