//! Giving freed memory back to the system between stages.
//!
//! glibc's allocator returns freed memory only from the top of its heaps;
//! space freed in the middle stays with the process. Reading thousands of
//! workbooks frees large buffers between small strings that stay, so a
//! run's resident memory grows far past what it uses unless that space is
//! released now and then.

/// Keeps large blocks out of the heaps for the whole run. glibc serves
/// blocks of 128 KiB and more with their own mapping, returned to the system
/// when freed, but by default raises that bound (up to 32 MiB) whenever such
/// a block is freed; from then on multi-megabyte buffers (sort buffers,
/// indexes, a sheet's cells) come from the heaps, and small strings that stay
/// are carved from them once they are freed. Fixing the bound at its default
/// lowers a 60,000-remark run's peak from ~295 to ~263 MiB for ~1% more time
/// (the system maps and unmaps those blocks). A no-op elsewhere.
pub fn keep_large_blocks_mapped() {
    // SAFETY: mallopt takes no pointers; it only sets an allocator parameter,
    // and is called before the run allocates in earnest.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Returns the free pages of every heap to the system (glibc's
/// `malloc_trim`); the memory in use is not touched. A no-op elsewhere.
pub fn release_free_memory() {
    // SAFETY: malloc_trim takes no pointers and only reorganizes the
    // allocator's free lists under its own locks.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::malloc_trim(0);
    }
}
