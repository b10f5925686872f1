//! `renkei run`.

use super::Status;
use crate::cli::RunArgs;

pub fn execute(_args: &RunArgs) -> Status {
    eprintln!("renkei run: まだ実装されていません");
    Status::Failed
}

/// `renkei PATHS...` (dropped on the icon) or `renkei` alone.
pub fn execute_default(_paths: &[std::path::PathBuf]) -> Status {
    eprintln!("renkei: まだ実装されていません");
    Status::Failed
}
