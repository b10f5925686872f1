//! Pure text functions: NFKC, bullets, 【再掲】, match keys (SPEC §2).
