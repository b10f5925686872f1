//! `renkei eval LABELED.tsv [--json] [--rules DIR]`: scores the rules
//! against labeled remarks (see [`crate::rules::eval`]).

use super::rules::print_stdout;
use super::Status;
use crate::cli::EvalArgs;
use crate::os::error::{describe, Access};
use crate::rules::eval::{evaluate, parse_labeled};
use crate::rules::Rules;

pub fn execute(args: &EvalArgs) -> Status {
    let rules = match Rules::load(args.rules.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return Status::Failed;
        }
    };
    let shown = args.labeled.display();
    let src = match std::fs::read(&args.labeled) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => {
                eprintln!("{shown}: 文字コードが UTF-8 ではありません。UTF-8 で保存してください");
                return Status::Failed;
            }
        },
        Err(e) => {
            eprintln!("{}", describe(&e, "", &args.labeled, Access::Read));
            return Status::Failed;
        }
    };
    let set = match parse_labeled(&src) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{shown} の {e}");
            return Status::Failed;
        }
    };
    let report = evaluate(&rules, &set);
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(j) => print_stdout(&(j + "\n")),
            Err(e) => {
                eprintln!("JSON を作れません（{e}）");
                Status::Failed
            }
        }
    } else {
        print_stdout(&report.render())
    }
}
