//! `renkei template`.

use super::Status;
use crate::cli::TemplateArgs;

pub fn execute(_args: &TemplateArgs) -> Status {
    eprintln!("renkei template: まだ実装されていません");
    Status::Failed
}
