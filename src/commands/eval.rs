//! `renkei eval LABELED.tsv [--cv K] [--json] [--rules DIR]`: scores the
//! rules alone, the learned model alone and the two combined against
//! labeled remarks (see [`crate::learn::eval`]). The model is the one `run`
//! would train (shipped data and the rule folder's TSVs), or with `--cv K`
//! one trained on the other folds of the file itself.

use super::rules::print_stdout;
use super::Status;
use crate::cli::EvalArgs;
use crate::learn::{eval, examples};
use crate::os::error::{describe, Access};
use crate::rules::eval::parse_labeled;
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
    if args.patterns {
        let rows = crate::rules::audit::audit(&rules, &set);
        return if args.json {
            match serde_json::to_string_pretty(&rows) {
                Ok(j) => print_stdout(&(j + "\n")),
                Err(e) => {
                    eprintln!("JSON を作れません（{e}）");
                    Status::Failed
                }
            }
        } else {
            print_stdout(&crate::rules::audit::render(&rows))
        };
    }
    let comparison = match args.cv {
        Some(k) if k < 2 => {
            eprintln!("--cv には 2 以上の分割数を指定してください（例: --cv 5）");
            return Status::Failed;
        }
        Some(k) => eval::cross_validate(&rules, &set, k),
        None => {
            let mut training = Vec::new();
            if let Some(dir) = &args.rules {
                match examples::from_rules_dir(dir, rules.model_settings().office_weight as f32) {
                    Ok(e) => training.extend(e),
                    Err(e) => {
                        eprintln!("{e}");
                        return Status::Failed;
                    }
                }
            }
            eval::compare(&rules, &set, &training)
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&comparison) {
            Ok(j) => print_stdout(&(j + "\n")),
            Err(e) => {
                eprintln!("JSON を作れません（{e}）");
                Status::Failed
            }
        }
    } else {
        print_stdout(&comparison.render())
    }
}
