//! `renkei check`.

use super::Status;
use crate::cli::CheckArgs;

pub fn execute(_args: &CheckArgs) -> Status {
    eprintln!("renkei check: まだ実装されていません");
    Status::Failed
}
