//! The thin binary: parse arguments, call the library, map to an exit code.

use std::process::ExitCode;

use renkei::cli::{self, Command};
use renkei::commands::{self, Status};

fn main() -> ExitCode {
    renkei::memory::keep_large_blocks_mapped();
    let cli = cli::parse();
    let status = commands::crash::guarded(|| match &cli.command {
        Some(Command::Run(a)) => commands::run::execute(a),
        Some(Command::Check(a)) => commands::check::execute(a),
        Some(Command::Explain(a)) => commands::explain::execute(a),
        Some(Command::Template(a)) => commands::template::execute(a),
        Some(Command::Rules(a)) => commands::rules::execute(a),
        Some(Command::Eval(a)) => commands::eval::execute(a),
        Some(Command::Help(a)) => help(a.command.as_deref()),
        None => commands::run::execute_default(&cli.paths),
    });
    // A bug stopped the command before its own pause: keep a double-clicked
    // window open so the message can be read.
    if commands::crash::happened() {
        renkei::os::console::pause_if_double_clicked();
    }
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
