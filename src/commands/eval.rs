//! `renkei eval`.

use super::Status;
use crate::cli::EvalArgs;

pub fn execute(_args: &EvalArgs) -> Status {
    eprintln!("renkei eval: まだ実装されていません");
    Status::Failed
}
