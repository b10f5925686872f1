//! `renkei rules [--rules DIR]` prints the effective rules as TOML (like
//! typos `--dump-config`); `renkei rules --check DIR` validates a folder of
//! rule files and says which line is wrong.

use super::Status;
use crate::cli::RulesArgs;
use crate::rules::{Origin, Rules};

pub fn execute(args: &RulesArgs) -> Status {
    if let Some(dir) = &args.check {
        return match Rules::load_dir(dir) {
            Ok(rules) => {
                for (name, origin) in rules.origins() {
                    match origin {
                        Origin::File(p) => println!("  {name}: {}", p.display()),
                        Origin::Builtin => println!("  {name}: フォルダにないので組み込みのものを使います"),
                    }
                }
                println!("ルールに問題はありません");
                Status::Ok
            }
            Err(e) => {
                eprintln!("{e}");
                Status::Failed
            }
        };
    }
    match Rules::load(args.rules.as_deref()) {
        Ok(rules) => {
            print!("{}", rules.dump());
            Status::Ok
        }
        Err(e) => {
            eprintln!("{e}");
            Status::Failed
        }
    }
}
