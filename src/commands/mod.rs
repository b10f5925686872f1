//! One module a subcommand: each takes its parsed arguments, calls the
//! pipeline stages and returns the exit status (SPEC §6).

pub mod check;
pub mod crash;
pub mod eval;
pub mod explain;
pub mod rules;
pub mod run;
pub mod skipped;
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

use crate::rules::lexicon::Lexicon;
use crate::rules::{RuleError, Rules};

/// The lexicon from `--rules DIR` (its professions.toml, validated like every
/// rule file), or the built-in one.
pub fn load_lexicon(dir: Option<&std::path::Path>) -> Result<Lexicon, RuleError> {
    Ok(Rules::load(dir)?.lexicon().clone())
}
