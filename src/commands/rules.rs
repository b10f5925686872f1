//! `renkei rules [--rules DIR]` prints the effective rules as TOML (like
//! typos `--dump-config`); `renkei rules --check DIR` validates a folder of
//! rule files and says which line is wrong.

use std::io::Write as _;

use super::Status;
use crate::cli::RulesArgs;
use crate::os::error::describe_stdout;
use crate::rules::{Origin, Rules};

/// Prints a command's report. A reader that stops early (`| head`, `| more`
/// closed) is not an error; anything else is said in Japanese.
pub(crate) fn print_stdout(text: &str) -> Status {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Status::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Status::Ok,
        Err(e) => {
            eprintln!("結果を書き出せませんでした。{}", describe_stdout(&e));
            Status::Failed
        }
    }
}

pub fn execute(args: &RulesArgs) -> Status {
    if let Some(dir) = &args.check {
        return match Rules::load_dir(dir) {
            Ok(rules) => {
                for (name, origin) in rules.origins() {
                    match origin {
                        Origin::File(p) => println!("  {name}: {}", p.display()),
                        Origin::Builtin => {
                            println!("  {name}: フォルダにないので組み込みのものを使います")
                        }
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
        Ok(rules) => print_stdout(&rules.dump()),
        Err(e) => {
            eprintln!("{e}");
            Status::Failed
        }
    }
}
