//! Giving freed memory back to the system between stages.
//!
//! glibc's allocator returns freed memory only from the top of its heaps;
//! space freed in the middle stays with the process. Reading thousands of
//! workbooks frees large buffers between small strings that stay, so a
//! run's resident memory grows far past what it uses unless that space is
//! released now and then.

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
