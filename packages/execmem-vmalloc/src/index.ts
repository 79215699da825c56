/**
 * @allocprof/execmem-vmalloc — the kernel virtual address space of a simulated kernel: vmalloc
 * areas, page tables and execmem ranges (mm/vmalloc.c, mm/execmem.c), including patch 4's
 * execmem_vmap() and the now non-static __get_vm_area_node()/vmap_pages_range().
 */
export { formatKernelAddress, parseKernelAddress } from './address';
export {
  ERRNO,
  KERNEL_ADDRESS_LIMIT,
  MODULE_ALIGN,
  MODULES_END,
  MODULES_VADDR,
  PAGE_SHIFT,
  PAGE_SIZE,
  VM_ALLOC,
  VM_ALLOW_HUGE_VMAP,
  VM_DEFER_KMEMLEAK,
  VM_DMA_COHERENT,
  VM_FLUSH_RESET_PERMS,
  VM_IOREMAP,
  VM_KASAN,
  VM_MAP,
  VM_MAP_PUT_PAGES,
  VM_NO_GUARD,
  VM_SPARSE,
  VM_UNINITIALIZED,
  VM_USERMAP,
  VMALLOC_END,
  VMALLOC_SIZE,
  VMALLOC_START,
} from './constants';
export { PageFault, VmallocError, type VmallocErrorCode } from './errors';
export {
  EXECMEM_KASAN_SHADOW,
  EXECMEM_ROX_CACHE,
  type ExecmemArchRanges,
  type ExecmemRange,
  type ExecmemRangeInit,
  ExecmemType,
  execmemTypeName,
  x86_64ExecmemRanges,
} from './execmem';
export { PGPROTS, type PgProt, pgprotIsExecutable } from './page-table';
export type { LogLevel, Printk } from './printk';
export {
  getVmAreaSize,
  type PageProvider,
  Vmalloc,
  type VmallocOptions,
  type VmStruct,
} from './vmalloc';
