//! Integration tests: run the real binary on real workbooks and read what it
//! prints or writes. One test binary keeps link time down.

mod check;
mod common;
mod confidential;
mod fuzz;
mod hostile;
mod learning;
mod ledger;
mod panics;
mod printing;
mod regressions;
mod rules_cli;
mod run;
mod skipped;
mod staff;
mod template;

/// Counts each thread's allocations, for the fuzzer's per-file memory bound.
#[global_allocator]
static ALLOC: fuzz::alloc::Counting = fuzz::alloc::Counting;
