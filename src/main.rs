//! The thin binary: parse arguments, call the library, map to an exit code.

use std::process::ExitCode;

use renkei::cli::{self, Command};
use renkei::commands::{self, Status};

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(report_panic));
    renkei::memory::keep_large_blocks_mapped();
    let cli = cli::parse();
    let status = match &cli.command {
        Some(Command::Run(a)) => commands::run::execute(a),
        Some(Command::Check(a)) => commands::check::execute(a),
        Some(Command::Explain(a)) => commands::explain::execute(a),
        Some(Command::Template(a)) => commands::template::execute(a),
        Some(Command::Rules(a)) => commands::rules::execute(a),
        Some(Command::Eval(a)) => commands::eval::execute(a),
        Some(Command::Help(a)) => help(a.command.as_deref()),
        None => commands::run::execute_default(&cli.paths),
    };
    status.into()
}

/// `renkei help [COMMAND]`.
fn help(name: Option<&str>) -> Status {
    match cli::help_of(name) {
        Some(text) => {
            print!("{text}");
            Status::Ok
        }
        None => {
            eprintln!(
                "エラー: 「{}」というコマンドはありません。renkei --help でコマンドの一覧を見られます。",
                name.unwrap_or_default()
            );
            Status::Failed
        }
    }
}

/// A bug: say so in Japanese, with where it happened for whoever fixes it,
/// and keep a double-clicked window open so it can be read.
fn report_panic(info: &std::panic::PanicHookInfo) {
    let payload = info.payload();
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("");
    let place = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default();
    eprintln!(
        "エラー: renkei の中で思いがけない問題が起きたため、止まりました。お手数ですが、この表示を担当者に知らせてください。\n（{place} {what}）"
    );
    renkei::os::console::pause_if_double_clicked();
}
