//! `renkei explain`.

use super::Status;
use crate::cli::ExplainArgs;

pub fn execute(_args: &ExplainArgs) -> Status {
    eprintln!("renkei explain: まだ実装されていません");
    Status::Failed
}
