//! One module a subcommand: each takes its parsed arguments, calls the
//! pipeline stages and returns the exit status (SPEC §6).

pub mod check;
pub mod eval;
pub mod explain;
pub mod rules;
pub mod run;
pub mod template;

use std::process::ExitCode;

/// Exit status (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: every input read.
    Ok,
    /// 1: outputs written (or report printed) but some inputs were skipped.
    Partial,
    /// 2: nothing written: usage error, bad rules, no inputs, output not writable.
    Failed,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(match s {
            Status::Ok => 0,
            Status::Partial => 1,
            Status::Failed => 2,
        })
    }
}
