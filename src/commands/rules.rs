//! `renkei rules`.

use super::Status;
use crate::cli::RulesArgs;

pub fn execute(_args: &RulesArgs) -> Status {
    eprintln!("renkei rules: まだ実装されていません");
    Status::Failed
}
