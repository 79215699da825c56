/**
 * The built-in module catalog: a handful of realistic modules whose `alloc_tags` sections name
 * real source files and functions of their drivers, sized from a few tags to a few hundred, and
 * one out-of-tree module built with 16-byte section alignment (incompatible with tag indexing).
 */

import type { ModuleDescriptor, ModuleTagSite } from './descriptor';

interface CatalogEntry {
  readonly name: string;
  readonly description: string;
  readonly nrTags: number;
  readonly align: number;
  readonly textSize: number;
  readonly dataSize: number;
  /** `path|largest line|function,function,…` per source file. */
  readonly files: readonly string[];
}

const ENTRIES: readonly CatalogEntry[] = [
  {
    name: 'demo_drv',
    description: 'the example driver of the descriptor format',
    nrTags: 1,
    align: 8,
    textSize: 16384,
    dataSize: 4096,
    files: ['drivers/demo/demo.c|42|demo_probe'],
  },
  {
    name: 'loop',
    description: 'loopback block device',
    nrTags: 3,
    align: 8,
    textSize: 45056,
    dataSize: 8192,
    files: ['drivers/block/loop.c|2300|loop_add,lo_rw_aio,loop_configure'],
  },
  {
    name: 'e1000e',
    description: 'Intel PRO/1000 PCI-Express network driver',
    nrTags: 14,
    align: 8,
    textSize: 262144,
    dataSize: 40960,
    files: [
      'drivers/net/ethernet/intel/e1000e/netdev.c|7900|e1000_alloc_rx_buffers,e1000_alloc_rx_buffers_ps,e1000_alloc_jumbo_rx_buffers,e1000e_setup_rx_resources,e1000e_setup_tx_resources',
      'drivers/net/ethernet/intel/e1000e/ethtool.c|2400|e1000_setup_desc_rings,e1000_loopback_test',
    ],
  },
  {
    name: 'nf_conntrack',
    description: 'connection tracking for netfilter',
    nrTags: 27,
    align: 8,
    textSize: 180224,
    dataSize: 20480,
    files: [
      'net/netfilter/nf_conntrack_core.c|2800|nf_ct_alloc_hashtable,__nf_conntrack_alloc,nf_conntrack_init_start',
      'net/netfilter/nf_conntrack_expect.c|760|nf_ct_expect_alloc,nf_conntrack_expect_init',
      'net/netfilter/nf_conntrack_extend.c|150|nf_ct_ext_add',
      'net/netfilter/nf_conntrack_helper.c|500|nf_conntrack_helper_init',
    ],
  },
  {
    name: 'kvm',
    description: 'kernel-based virtual machine',
    nrTags: 46,
    align: 8,
    textSize: 1392640,
    dataSize: 122880,
    files: [
      'arch/x86/kvm/mmu/mmu.c|7400|kvm_mmu_memory_cache_alloc,mmu_alloc_root,alloc_mmu_pages,mmu_alloc_special_roots',
      'arch/x86/kvm/x86.c|13800|kvm_arch_vcpu_create,kvm_alloc_emulator_cache,kvm_arch_init_vm',
      'arch/x86/kvm/mmu/tdp_mmu.c|1900|tdp_mmu_alloc_sp,tdp_mmu_alloc_sp_for_split',
      'virt/kvm/kvm_main.c|6500|kvm_create_vm,kvm_vm_ioctl_create_vcpu,kvm_mmu_topup_memory_cache,kvm_alloc_dirty_bitmap',
    ],
  },
  {
    name: 'i915',
    description: 'Intel integrated graphics',
    nrTags: 128,
    align: 8,
    textSize: 3932160,
    dataSize: 409600,
    files: [
      'drivers/gpu/drm/i915/gem/i915_gem_shmem.c|700|shmem_sg_alloc_table,shmem_get_pages',
      'drivers/gpu/drm/i915/gem/i915_gem_internal.c|250|i915_gem_object_get_pages_internal',
      'drivers/gpu/drm/i915/gem/i915_gem_pages.c|720|i915_gem_object_map_page,i915_gem_object_pin_map',
      'drivers/gpu/drm/i915/gt/intel_ring.c|320|intel_engine_create_ring',
      'drivers/gpu/drm/i915/gt/intel_gtt.c|680|alloc_pt_dma,setup_scratch_page',
      'drivers/gpu/drm/i915/i915_gpu_error.c|2400|pool_refill,compress_page,i915_vma_coredump_create',
      'drivers/gpu/drm/i915/gt/shmem_utils.c|180|shmem_pin_map,shmem_create_from_data',
      'drivers/gpu/drm/i915/i915_scatterlist.c|240|i915_rsgt_from_mm_node',
    ],
  },
  {
    name: 'xfs',
    description: 'XFS filesystem',
    nrTags: 210,
    align: 8,
    textSize: 2359296,
    dataSize: 163840,
    files: [
      'fs/xfs/xfs_buf.c|2300|xfs_buf_alloc_pages,xfs_buf_alloc_kmem,_xfs_buf_alloc,xfs_buf_get_map',
      'fs/xfs/xfs_log.c|3600|xlog_alloc_log,xlog_cil_alloc_shadow_bufs',
      'fs/xfs/xfs_log_cil.c|2000|xlog_cil_alloc_shadow_bufs,xlog_cil_ctx_alloc',
      'fs/xfs/xfs_log_recover.c|3500|xlog_alloc_buffer,xlog_recover_buf_commit_pass2',
      'fs/xfs/xfs_aops.c|700|xfs_vm_writepages,xfs_vm_read_folio',
      'fs/xfs/xfs_file.c|1600|xfs_file_buffered_write,xfs_file_fallocate',
      'fs/xfs/libxfs/xfs_da_btree.c|2700|xfs_da_grow_inode,xfs_da3_node_create',
      'fs/xfs/xfs_icache.c|2300|xfs_inode_alloc,xfs_iget_cache_miss',
      'fs/xfs/xfs_super.c|2100|xfs_init_percpu_counters,xfs_fs_fill_super',
    ],
  },
  {
    name: 'btrfs',
    description: 'Btrfs filesystem',
    nrTags: 312,
    align: 8,
    textSize: 1835008,
    dataSize: 131072,
    files: [
      'fs/btrfs/extent_io.c|4800|btrfs_alloc_page_array,alloc_extent_buffer,btrfs_alloc_folio_array,alloc_eb_folio_array',
      'fs/btrfs/compression.c|1700|btrfs_alloc_compr_folio,btrfs_compress_folios,alloc_compressed_bio',
      'fs/btrfs/zlib.c|500|zlib_alloc_workspace,zlib_compress_folios',
      'fs/btrfs/zstd.c|800|zstd_alloc_workspace,zstd_compress_folios',
      'fs/btrfs/lzo.c|500|lzo_alloc_workspace,lzo_compress_folios',
      'fs/btrfs/raid56.c|2900|alloc_rbio_pages,alloc_rbio_parity_pages,alloc_rbio',
      'fs/btrfs/scrub.c|3000|alloc_scrub_stripe,scrub_setup_ctx',
      'fs/btrfs/inode.c|10400|btrfs_alloc_inode,btrfs_encoded_read,cow_file_range',
      'fs/btrfs/send.c|8400|fs_path_alloc,send_extent_data,btrfs_ioctl_send',
      'fs/btrfs/disk-io.c|4900|btrfs_alloc_root,alloc_fs_info',
      'fs/btrfs/ioctl.c|5300|btrfs_ioctl_encoded_read,btrfs_ioctl_defrag',
    ],
  },
  {
    name: 'zfs',
    description: 'OpenZFS (out-of-tree; its toolchain aligns alloc_tags to 16 bytes)',
    nrTags: 84,
    align: 16,
    textSize: 4194304,
    dataSize: 524288,
    files: [
      'module/os/linux/zfs/abd_os.c|1300|abd_alloc_chunks,abd_alloc_zero_scatter,abd_alloc_linear_page',
      'module/os/linux/spl/spl-kmem-cache.c|1500|kv_alloc,spl_slab_alloc,spl_emergency_alloc',
      'module/os/linux/spl/spl-vmem.c|100|spl_vmem_alloc,spl_vmem_zalloc',
      'module/zfs/arc.c|11000|arc_get_data_abd,arc_alloc_buf,arc_hdr_alloc_abd',
      'module/zfs/zio.c|5500|zio_buf_alloc,zio_data_buf_alloc',
      'module/zfs/dbuf.c|5300|dbuf_alloc_arcbuf,dbuf_read_impl',
    ],
  },
];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The tags of one catalog module: distinct file:line pairs, in file order then line order. */
function catalogTags(e: CatalogEntry): ModuleTagSite[] {
  const files = e.files.map((f) => {
    const [path, max, funcs] = f.split('|') as [string, string, string];
    return { path, max: Number(max), funcs: funcs.split(',') };
  });
  if (e.nrTags === files.length && files.every((f) => f.funcs.length === 1))
    return files.map((f) => ({ file: f.path, line: f.max, function: f.funcs[0]! }));
  const rnd = prng(seedOf(e.name));
  const seen = new Set<string>();
  const out: ModuleTagSite[] = [];
  let i = 0;
  while (out.length < e.nrTags) {
    const k = i++;
    const f = files[k % files.length]!;
    const line = 20 + Math.floor(rnd() * (f.max - 20));
    const key = `${f.path}:${line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // Each file's first function has exactly one site (so `module:function` names it); the
    // others repeat at several lines, as allocation sites in one function do.
    const rest = f.funcs.length > 1 ? f.funcs.slice(1) : f.funcs;
    const fn = k < files.length ? f.funcs[0]! : rest[Math.floor(rnd() * rest.length)]!;
    out.push({ file: f.path, line, function: fn });
  }
  const order = new Map(files.map((f, k) => [f.path, k]));
  return out.sort((a, b) => order.get(a.file)! - order.get(b.file)! || a.line - b.line);
}

/** Name and one-line description of every catalog module. */
export const MODULE_CATALOG: ReadonlyArray<{
  readonly name: string;
  readonly description: string;
  readonly nrTags: number;
}> = ENTRIES.map((e) => ({ name: e.name, description: e.description, nrTags: e.nrTags }));

/** The descriptor of a catalog module, or undefined if there is none of that name. */
export function catalogModule(name: string): ModuleDescriptor | undefined {
  const e = ENTRIES.find((x) => x.name === name);
  if (e === undefined) return undefined;
  return {
    name: e.name,
    tags: catalogTags(e),
    align: e.align,
    prepend: 0,
    textSize: e.textSize,
    dataSize: e.dataSize,
  };
}
