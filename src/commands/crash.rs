//! A panic outside the reading of a file (classify, aggregate, render) is a
//! bug renkei cannot work around: the command stops with one Japanese line
//! instead of an English backtrace, and exit status 2 (SPEC §6: nothing
//! written). The panic unwinds first, so the temporary files of workbooks
//! being written are removed and no partial output is left; a workbook is
//! only put in place when every one of them was built (`render::save`).
//!
//! Reading a file has its own containment (`ingest::contain`): a panic
//! there skips that file and the run goes on.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use super::Status;
use crate::ingest::contain;

/// Whether a command panicked (outside the reading of a file).
static PANICKED: AtomicBool = AtomicBool::new(false);

/// True once [`guarded`] caught a panic.
pub fn happened() -> bool {
    PANICKED.load(Ordering::Relaxed)
}

/// Runs a command; a panic in it prints [`message`] and gives
/// [`Status::Failed`].
pub fn guarded(command: impl FnOnce() -> Status) -> Status {
    let previous = panic::take_hook();
    // A bug may panic on many threads at once (one per remark): one line.
    panic::set_hook(Box::new(|info| {
        if contain::take_if_inside(info) || PANICKED.swap(true, Ordering::Relaxed) {
            return;
        }
        let mut detail = contain::message(info.payload());
        if let Some(at) = info.location() {
            detail.push_str(&format!(" at {}:{}", at.file(), at.line()));
        }
        eprintln!("{}", message(&detail));
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(command));
    panic::set_hook(previous);
    result.unwrap_or(Status::Failed)
}

/// The line staff see.
pub fn message(detail: &str) -> String {
    format!(
        "エラー: renkei の内部で想定外の問題（プログラムの不具合）が起きたため、途中で止めました。書きかけのファイルは残していません（前回の出力はそのままです）。お手数ですが、この表示を担当者に知らせてください。（詳細: {detail}）"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // `guarded` itself is tested through the binary
    // (tests/it/panics.rs): it swaps the process's panic hook, which would
    // race with the hook tests of `ingest::contain` in this test binary.
    #[test]
    fn the_line_is_japanese_and_says_what_to_do() {
        let m = message("boom at src/x.rs:1");
        assert!(m.starts_with("エラー: renkei の内部で想定外の問題"), "{m}");
        assert!(m.contains("担当者に知らせてください"), "{m}");
        assert!(m.ends_with("（詳細: boom at src/x.rs:1）"), "{m}");
    }
}
