/**
 * The kernel image's `alloc_tags` section (include/asm-generic/codetag.lds.h): one static
 * struct alloc_tag per annotated allocation call site of vmlinux, in link order. The simulator
 * has no C sources, so the sites are generated deterministically from a table of real kernel
 * files and the page-allocating functions they contain; the same count always gives the same
 * sites, so /proc/allocinfo reads like a real one and is reproducible.
 */

/** A call site: what DEFINE_ALLOC_TAG records (codetag filename/lineno/function). */
export interface AllocTagSite {
  readonly filename: string;
  readonly lineno: number;
  readonly function: string;
}

/**
 * Sites the simulated kernel itself allocates through at boot and at run time; they are always
 * part of the section (when it holds at least this many tags), so boot is charged to them.
 */
export const KERNEL_SITES = {
  filemapGetFolio: { filename: 'mm/filemap.c', lineno: 1919, function: '__filemap_get_folio' },
  allocateSlab: { filename: 'mm/slub.c', lineno: 2437, function: 'allocate_slab' },
  dupTaskStruct: { filename: 'kernel/fork.c', lineno: 311, function: 'alloc_thread_stack_node' },
  pcpuAllocPages: { filename: 'mm/percpu-vm.c', lineno: 95, function: 'pcpu_alloc_pages' },
  pteAllocOne: { filename: 'arch/x86/mm/pgtable.c', lineno: 34, function: 'pte_alloc_one' },
  pgdAlloc: { filename: 'arch/x86/mm/pgtable.c', lineno: 427, function: 'pgd_alloc' },
  allocPageExt: { filename: 'mm/page_ext.c', lineno: 271, function: 'alloc_page_ext' },
  vmallocAreaNode: { filename: 'mm/vmalloc.c', lineno: 3671, function: '__vmalloc_area_node' },
  vmModuleTagsPopulate: { filename: 'lib/alloc_tag.c', lineno: 422, function: 'vm_module_tags_populate' },
  doAnonymousPage: { filename: 'mm/memory.c', lineno: 1101, function: 'folio_prealloc' },
  readahead: { filename: 'mm/readahead.c', lineno: 264, function: 'page_cache_ra_unbounded' },
  shmemAllocFolio: { filename: 'mm/shmem.c', lineno: 1775, function: 'shmem_alloc_folio' },
  allocMigrationTarget: { filename: 'mm/migrate.c', lineno: 2172, function: 'alloc_migration_target' },
  kmallocLarge: { filename: 'mm/slub.c', lineno: 4237, function: '___kmalloc_large_node' },
  pagePoolAlloc: { filename: 'net/core/page_pool.c', lineno: 528, function: '__page_pool_alloc_pages_slow' },
  blockDevCache: { filename: 'block/bio.c', lineno: 1234, function: 'bio_alloc_bioset' },
  dmaDirectAlloc: { filename: 'kernel/dma/direct.c', lineno: 143, function: '__dma_direct_alloc_pages' },
  execmemAlloc: { filename: 'mm/execmem.c', lineno: 33, function: '__execmem_alloc' },
} as const satisfies Record<string, AllocTagSite>;

/**
 * Real kernel files with functions that allocate pages or call annotated allocators:
 * `path|largest line|function,function,…`.
 */
const FILE_TABLE = `
init/main.c|1550|start_kernel,do_initcalls,kernel_init_freeable,setup_command_line
init/initramfs.c|780|unpack_to_rootfs,do_copy,populate_initrd_image
init/do_mounts.c|520|mount_root_generic,prepare_namespace
arch/x86/mm/pgtable.c|900|pte_alloc_one,pgd_alloc,pmd_alloc_one,preallocate_pmds
arch/x86/mm/init_64.c|1650|vmemmap_alloc_block_zero,alloc_low_page,spp_getpage
arch/x86/mm/pat/set_memory.c|2400|alloc_pte_page,alloc_pmd_page,split_large_page
arch/x86/kernel/ldt.c|700|alloc_ldt_struct,map_ldt_struct
arch/x86/kernel/fpu/xstate.c|1900|fpstate_realloc,xstate_alloc_buffer
arch/x86/kernel/alternative.c|2300|text_poke_bp_batch,__text_poke
arch/x86/kernel/irq_64.c|120|map_irq_stack,irq_init_percpu_irqstack
arch/x86/kvm/mmu/mmu.c|7400|kvm_mmu_memory_cache_alloc,mmu_alloc_root,alloc_mmu_pages
arch/x86/kvm/x86.c|13800|kvm_arch_vcpu_create,kvm_alloc_emulator_cache
arch/x86/events/intel/ds.c|2700|dsalloc_pages,alloc_pebs_buffer,alloc_bts_buffer
kernel/fork.c|3600|alloc_thread_stack_node,dup_task_struct,copy_process,mm_alloc,dup_mm
kernel/dma/direct.c|700|__dma_direct_alloc_pages,dma_direct_alloc,dma_direct_alloc_pages
kernel/dma/pool.c|330|atomic_pool_expand,__dma_atomic_pool_init
kernel/dma/swiotlb.c|1800|swiotlb_alloc_tlb,swiotlb_memblock_alloc,alloc_dma_pages
kernel/bpf/ringbuf.c|700|bpf_ringbuf_area_alloc,bpf_ringbuf_alloc
kernel/bpf/core.c|3000|bpf_prog_alloc_no_stats,bpf_jit_binary_alloc,bpf_prog_pack_alloc
kernel/bpf/arena.c|600|arena_alloc_pages,arena_vm_fault
kernel/bpf/syscall.c|6000|bpf_map_area_alloc,__bpf_map_area_alloc
kernel/trace/ring_buffer.c|7000|__rb_allocate_pages,rb_allocate_cpu_buffer,ring_buffer_alloc_read_page
kernel/trace/trace.c|10800|allocate_trace_buffer,trace_buffered_event_enable,tracing_buffers_open
kernel/events/core.c|14000|rb_alloc,perf_mmap_alloc_page,perf_event_alloc
kernel/events/ring_buffer.c|900|rb_alloc_aux_page,perf_mmap_alloc_page,rb_alloc
kernel/kexec_core.c|1300|kimage_alloc_pages,kimage_alloc_normal_control_pages
kernel/power/snapshot.c|2900|alloc_image_page,get_image_page,alloc_highmem_pages
kernel/module/main.c|3800|module_memory_alloc,load_module,layout_and_allocate
kernel/workqueue.c|7900|alloc_workqueue,alloc_unbound_pwq
kernel/scs.c|160|__scs_alloc,scs_alloc
kernel/kcov.c|1100|kcov_mmap,kcov_ioctl_locked
kernel/relay.c|1300|relay_alloc_buf,relay_alloc_page_array
certs/blacklist.c|380|mark_raw_hash_blacklisted
mm/filemap.c|4300|__filemap_get_folio,filemap_alloc_folio,filemap_create_folio,do_read_cache_folio,page_cache_ra_order
mm/slub.c|7400|allocate_slab,alloc_slab_page,___kmalloc_large_node,kmalloc_large_noprof,__kmalloc_cache_noprof
mm/page_alloc.c|7100|alloc_pages_exact_noprof,get_zeroed_page_noprof,__get_free_pages_noprof,alloc_contig_range_noprof
mm/memory.c|6800|folio_prealloc,alloc_anon_folio,do_anonymous_page,wp_page_copy,__pte_alloc,__pmd_alloc,__pud_alloc
mm/huge_memory.c|4400|vma_alloc_anon_folio_pmd,__do_huge_pmd_anonymous_page,do_huge_pmd_wp_page
mm/hugetlb.c|7700|alloc_buddy_hugetlb_folio,alloc_fresh_hugetlb_folio,alloc_surplus_hugetlb_folio,demote_free_hugetlb_folios
mm/khugepaged.c|2900|hpage_collapse_alloc_folio,alloc_charge_folio
mm/shmem.c|5400|shmem_alloc_folio,shmem_alloc_and_add_folio,shmem_get_folio_gfp
mm/readahead.c|800|page_cache_ra_unbounded,ra_alloc_folio,page_cache_ra_order
mm/swap_state.c|950|__read_swap_cache_async,swap_cluster_readahead
mm/swapfile.c|3800|alloc_swap_info,swap_cgroup_swapon,setup_clusters
mm/vmalloc.c|5200|__vmalloc_area_node,vm_area_alloc_pages,vmalloc_huge_node,alloc_vmap_area
mm/percpu-vm.c|400|pcpu_alloc_pages,pcpu_get_pages
mm/percpu.c|3400|pcpu_mem_zalloc,pcpu_alloc_chunk,pcpu_create_chunk
mm/page_ext.c|560|alloc_page_ext,init_section_page_ext
mm/migrate.c|2700|alloc_migration_target,alloc_misplaced_dst_folio,migrate_pages_batch
mm/mempolicy.c|3400|alloc_pages_mpol,folio_alloc_mpol,vma_alloc_folio,alloc_migration_target_by_mpol
mm/compaction.c|3300|compaction_alloc,isolate_freepages_block
mm/zsmalloc.c|2300|alloc_zpdesc,alloc_zspage,zs_malloc
mm/zswap.c|1800|zswap_cpu_comp_prepare,zswap_pool_create
mm/execmem.c|300|__execmem_alloc,execmem_vmalloc,execmem_vmap
mm/gup.c|3600|folio_alloc_gigantic,gup_fast_fallback
mm/sparse-vmemmap.c|560|vmemmap_alloc_block,vmemmap_pte_populate,vmemmap_populate_address
mm/ksm.c|3800|ksm_might_need_to_copy,alloc_stable_node
mm/userfaultfd.c|1800|mfill_atomic_pte_copy,mfill_atomic_pte_zeropage
mm/dmapool.c|540|pool_alloc_page,dma_pool_alloc
mm/mmu_gather.c|420|tlb_next_batch,__tlb_remove_folio_pages_size
mm/pgtable-generic.c|420|pte_alloc_one_kernel
mm/balloon_compaction.c|260|balloon_page_alloc
mm/cma.c|620|cma_alloc,cma_alloc_folio
mm/kasan/shadow.c|650|kasan_populate_vmalloc_pte
mm/kfence/core.c|1300|kfence_init_pool_early
mm/list_lru.c|620|memcg_init_list_lru_one
mm/memcontrol.c|5100|mem_cgroup_alloc,alloc_mem_cgroup_per_node_info
mm/hugetlb_vmemmap.c|900|alloc_vmemmap_page_list,vmemmap_remap_split
fs/exec.c|2200|bprm_mm_init,get_arg_page,copy_strings
fs/pipe.c|1500|anon_pipe_write,alloc_pipe_info
fs/splice.c|2000|iter_file_splice_write,splice_grow_spd
fs/buffer.c|3200|folio_alloc_buffers,grow_dev_folio,alloc_page_buffers
fs/mpage.c|740|do_mpage_readpage,mpage_readahead
fs/dcache.c|3250|__d_alloc,d_alloc_parallel
fs/inode.c|2950|alloc_inode,inode_init_always_gfp
fs/namei.c|5400|page_get_link,page_symlink
fs/select.c|1450|core_sys_select,do_sys_poll
fs/seq_file.c|1150|seq_buf_alloc,seq_read_iter
fs/proc/vmcore.c|1700|vmcore_alloc_buf,mmap_vmcore
fs/aio.c|2400|aio_setup_ring,ioctx_alloc
fs/eventpoll.c|2500|ep_alloc,ep_insert
fs/iomap/buffered-io.c|2100|iomap_page_create,__iomap_get_folio
fs/fuse/dev.c|2550|fuse_copy_fill,fuse_try_move_page
fs/fuse/file.c|3300|fuse_fill_write_pages,fuse_get_user_pages
fs/ext4/inode.c|6300|ext4_write_begin,ext4_da_write_begin,ext4_block_write_begin,ext4_mpage_readpages
fs/ext4/extents.c|6100|ext4_ext_insert_extent,ext4_find_extent,ext4_split_extent_at
fs/ext4/mballoc.c|7000|ext4_mb_init_cache,ext4_mb_load_buddy_gfp,ext4_mb_init_group
fs/ext4/super.c|7400|ext4_fill_super,ext4_group_desc_init,ext4_load_super
fs/ext4/page-io.c|600|ext4_bio_write_folio,ext4_init_io_end
fs/ext4/readpage.c|420|ext4_mpage_readpages,mpage_end_io
fs/ext4/xattr.c|3200|ext4_xattr_block_set,ext4_xattr_inode_write
fs/jbd2/journal.c|3200|jbd2_alloc,jbd2_journal_write_metadata_buffer,journal_init_common
fs/jbd2/transaction.c|2800|jbd2_journal_get_undo_access,do_get_write_access
fs/xfs/xfs_buf.c|2300|xfs_buf_alloc_pages,xfs_buf_alloc_kmem,_xfs_buf_alloc
fs/btrfs/extent_io.c|4800|btrfs_alloc_page_array,alloc_extent_buffer,btrfs_alloc_folio_array
fs/nfs/pagelist.c|1550|nfs_page_create,nfs_pageio_do_add_request
fs/overlayfs/copy_up.c|1350|ovl_copy_up_file,ovl_copy_up_data
fs/squashfs/page_actor.c|140|squashfs_page_actor_init_special
fs/kernfs/file.c|1100|kernfs_fop_read_iter,kernfs_get_open_node
fs/hugetlbfs/inode.c|1700|hugetlbfs_fallocate,hugetlbfs_read_iter
fs/erofs/zdata.c|1850|z_erofs_bind_cache,z_erofs_pcluster_begin
ipc/msgutil.c|190|alloc_msg,load_msg
ipc/shm.c|1800|newseg,shm_get_unmapped_area
security/selinux/ss/services.c|3900|security_get_bools,security_load_policy
security/apparmor/policy_unpack.c|1600|aa_unpack,unpack_profile
crypto/scatterwalk.c|160|scatterwalk_copychunks
crypto/testmgr.c|5900|testmgr_alloc_buf,alloc_xbufs
crypto/algif_skcipher.c|450|_skcipher_recvmsg
crypto/af_alg.c|1300|af_alg_alloc_tsgl,af_alg_sendmsg
block/bio.c|1900|bio_alloc_bioset,bio_copy_user_iov,bio_alloc_rescue,bio_copy_kern
block/blk-mq.c|5200|blk_mq_alloc_rqs,blk_mq_alloc_hctx,blk_mq_alloc_rq_map
block/blk-map.c|800|bio_copy_user_iov,bio_copy_kern
block/partitions/core.c|750|read_part_sector,add_partition
io_uring/io_uring.c|3900|io_mem_alloc,io_allocate_scq_urings,io_rings_map
io_uring/kbuf.c|750|io_register_pbuf_ring,io_pbuf_mmap
io_uring/rsrc.c|1200|io_sqe_buffer_register,io_buffer_account_pin
drivers/base/devres.c|1250|devm_get_free_pages,devm_kmalloc
drivers/base/firmware_loader/main.c|1650|fw_grow_paged_buf,alloc_lookup_fw_priv
drivers/block/loop.c|2300|loop_add,lo_rw_aio
drivers/block/zram/zram_drv.c|2700|zram_meta_alloc,zram_write_page,zram_recompress
drivers/block/virtio_blk.c|1750|virtblk_probe,init_vq
drivers/nvme/host/pci.c|3600|nvme_alloc_queue,nvme_alloc_host_mem,nvme_setup_prp_pools
drivers/nvme/host/core.c|5100|nvme_alloc_ns,nvme_init_identify
drivers/scsi/scsi_lib.c|3300|scsi_alloc_sgtables,scsi_init_command
drivers/scsi/sg.c|2600|sg_build_indirect,sg_build_reserve
drivers/md/dm-bufio.c|2900|alloc_buffer_data,alloc_buffer
drivers/md/raid5.c|9000|grow_buffers,alloc_stripe,raid5_alloc_percpu
drivers/md/dm-crypt.c|3700|crypt_alloc_buffer,crypt_alloc_req_skcipher
drivers/iommu/iommu-pages.h|170|iommu_alloc_pages_node,__iommu_alloc_pages
drivers/iommu/intel/iommu.c|4900|alloc_pgtable_page,iommu_alloc_root_entry
drivers/iommu/dma-iommu.c|1850|__iommu_dma_alloc_pages,iommu_dma_alloc_remap
drivers/gpu/drm/drm_gem.c|1500|drm_gem_get_pages,drm_gem_object_init
drivers/gpu/drm/drm_gem_shmem_helper.c|900|drm_gem_shmem_get_pages,drm_gem_shmem_vmap
drivers/gpu/drm/ttm/ttm_pool.c|1300|ttm_pool_alloc_page,ttm_pool_alloc,ttm_pool_type_take
drivers/char/random.c|1700|extract_entropy,get_random_bytes_user
drivers/char/mem.c|750|read_mem,write_mem
drivers/tty/tty_buffer.c|650|tty_buffer_alloc,__tty_buffer_request_room
drivers/tty/n_tty.c|2550|n_tty_open
drivers/usb/core/hcd.c|3200|hcd_buffer_alloc,usb_hcd_map_urb_for_dma
drivers/usb/host/xhci-mem.c|2600|xhci_segment_alloc,xhci_alloc_container_ctx
drivers/net/virtio_net.c|6800|add_recvbuf_big,get_a_page,add_recvbuf_mergeable
drivers/net/ethernet/intel/e1000e/netdev.c|7900|e1000_alloc_rx_buffers,e1000_setup_rx_resources
drivers/net/tun.c|3700|tun_build_skb,tun_alloc_skb
drivers/virtio/virtio_ring.c|3300|vring_alloc_queue,virtqueue_add_split
drivers/virtio/virtio_balloon.c|1200|fill_balloon,get_free_page_and_send
drivers/xen/balloon.c|850|alloc_xenballooned_pages
drivers/dma-buf/heaps/system_heap.c|450|alloc_largest_available,system_heap_allocate
drivers/dma-buf/udmabuf.c|520|udmabuf_create
drivers/hv/channel.c|900|vmbus_alloc_ring
drivers/infiniband/core/umem.c|350|ib_umem_get
drivers/firmware/efi/efi.c|1150|efi_mem_reserve_persistent
drivers/acpi/osl.c|1800|acpi_os_allocate_zeroed,acpi_os_map_iomem
drivers/pci/msi/msi.c|900|msi_setup_msi_desc,msix_setup_msi_descs
sound/core/memalloc.c|900|do_alloc_pages,snd_dma_continuous_alloc,snd_dma_noncontig_alloc
sound/core/pcm_memory.c|550|do_alloc_pages,preallocate_pcm_pages
net/core/skbuff.c|7000|__alloc_skb,__netdev_alloc_skb,skb_page_frag_refill,pskb_expand_head,alloc_skb_with_frags
net/core/page_pool.c|1200|__page_pool_alloc_pages_slow,__page_pool_alloc_page_order,page_pool_refill_alloc_cache
net/core/sock.c|4300|skb_page_frag_refill,sk_page_frag_refill,sock_alloc_send_pskb
net/core/dev.c|12200|netdev_alloc_frag,napi_alloc_frag
net/ipv4/tcp.c|4900|tcp_stream_alloc_skb,tcp_sendmsg_locked
net/ipv4/tcp_input.c|7300|tcp_collapse,tcp_try_coalesce
net/ipv4/udp.c|3800|udp_sendmsg,udp_rmem_release
net/ipv4/ip_output.c|1700|__ip_append_data,ip_setup_cork
net/ipv6/ip6_output.c|2000|__ip6_append_data,ip6_setup_cork
net/netlink/af_netlink.c|2900|netlink_alloc_large_skb,netlink_sendmsg
net/packet/af_packet.c|4700|alloc_one_pg_vec_page,alloc_pg_vec,packet_set_ring
net/unix/af_unix.c|3700|unix_stream_sendmsg,unix_dgram_sendmsg
net/xdp/xdp_umem.c|300|xdp_umem_pin_pages,xdp_umem_create
net/sunrpc/svc.c|1700|svc_init_buffer,svc_rqst_alloc
net/sunrpc/xdr.c|2300|xdr_alloc_bvec,xdr_buf_pagecount
net/9p/trans_virtio.c|850|p9_get_mapped_pages
net/ceph/pagevec.c|120|ceph_alloc_page_vector
virt/kvm/kvm_main.c|6500|kvm_create_vm,kvm_vm_ioctl_create_vcpu,kvm_mmu_topup_memory_cache
lib/alloc_tag.c|800|vm_module_tags_populate,alloc_tag_top_users,reserve_module_tags
lib/radix-tree.c|1600|radix_tree_node_alloc,__radix_tree_preload
lib/xarray.c|2400|xas_alloc,xas_nomem
lib/scatterlist.c|1300|sg_kmalloc,sgl_alloc_order
lib/iov_iter.c|1900|iov_iter_extract_pages,want_pages_array
lib/test_vmalloc.c|620|fix_size_alloc_test
lib/stackdepot.c|800|depot_init_pool,stack_depot_save_flags
lib/genalloc.c|900|gen_pool_add_owner
lib/kfifo.c|580|__kfifo_alloc
lib/bitmap.c|800|bitmap_alloc
lib/objpool.c|280|objpool_init_percpu_slots
`;

/** Top-level link order of vmlinux (Makefile core-y, drivers-y, net-y, libs-y). */
const LINK_ORDER = [
  'init/',
  'usr/',
  'arch/',
  'kernel/',
  'certs/',
  'mm/',
  'fs/',
  'ipc/',
  'security/',
  'crypto/',
  'block/',
  'io_uring/',
  'drivers/',
  'sound/',
  'net/',
  'virt/',
  'lib/',
];

interface FileEntry {
  readonly path: string;
  readonly maxLine: number;
  readonly functions: readonly string[];
}

const FILES: readonly FileEntry[] = FILE_TABLE.trim()
  .split('\n')
  .map((line) => {
    const [path, maxLine, funcs] = line.split('|') as [string, string, string];
    return { path, maxLine: Number(maxLine), functions: funcs.split(',') };
  });

/** mulberry32: a small deterministic PRNG (the generator must not depend on the host). */
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

function linkRank(path: string): number {
  const i = LINK_ORDER.findIndex((p) => path.startsWith(p));
  return i < 0 ? LINK_ORDER.length : i;
}

/** Sort into link order: directory rank, then path, then line. */
function compareLinkOrder(a: AllocTagSite, b: AllocTagSite): number {
  return (
    linkRank(a.filename) - linkRank(b.filename) ||
    (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0) ||
    a.lineno - b.lineno
  );
}

/**
 * Largest K accepted: the u16 index space of compressed mode (65536); the file table has room
 * for several times that many distinct file:line pairs, so drawing stays quick.
 */
export const MAX_KERNEL_ALLOC_TAGS = 65536;

/**
 * The kernel image's alloc_tags section for `count` tags (default 4096, "a bit over 4000" in
 * 2024 kernels): the KERNEL_SITES first, the rest drawn from the file table with distinct
 * file:line pairs, all in link order. Deterministic in `count`.
 */
export function generateKernelAllocTags(count = 4096): AllocTagSite[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_KERNEL_ALLOC_TAGS)
    throw new RangeError(`kernel tag count must be an integer in 0..${MAX_KERNEL_ALLOC_TAGS}, got ${count}`);
  const out: AllocTagSite[] = [];
  const seen = new Set<string>();
  const add = (s: AllocTagSite): void => {
    const key = `${s.filename}:${s.lineno}`;
    if (seen.has(key) || out.length >= count) return;
    seen.add(key);
    out.push(s);
  };
  for (const s of Object.values(KERNEL_SITES)) add(s);
  // Weight files by size: big subsystems have more allocation sites.
  const weights = FILES.map((f) => f.maxLine);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  // The named sites' functions stay unique, so a script can name them by function alone.
  const named = new Set<string>(Object.values(KERNEL_SITES).map((x) => x.function));
  const rnd = prng(0x5eed_a11c);
  while (out.length < count) {
    let r = rnd() * totalWeight;
    let fi = 0;
    while (r >= weights[fi]! && fi < FILES.length - 1) r -= weights[fi++]!;
    const f = FILES[fi]!;
    const choices = f.functions.filter((x) => !named.has(x));
    if (choices.length === 0) continue;
    const fn = choices[Math.floor(rnd() * choices.length)]!;
    const lineno = 20 + Math.floor(rnd() * Math.max(1, f.maxLine - 20));
    add({ filename: f.path, lineno, function: fn });
  }
  return out.sort(compareLinkOrder);
}
