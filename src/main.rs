//! The thin binary: parse arguments, call the library, map to an exit code.

use std::process::ExitCode;

use clap::Parser;
use renkei::cli::{Cli, Command};
use renkei::commands;

fn main() -> ExitCode {
    renkei::memory::keep_large_blocks_mapped();
    let cli = Cli::parse();
    let status = commands::crash::guarded(|| match &cli.command {
        Some(Command::Run(a)) => commands::run::execute(a),
        Some(Command::Check(a)) => commands::check::execute(a),
        Some(Command::Explain(a)) => commands::explain::execute(a),
        Some(Command::Template(a)) => commands::template::execute(a),
        Some(Command::Rules(a)) => commands::rules::execute(a),
        Some(Command::Eval(a)) => commands::eval::execute(a),
        None => commands::run::execute_default(&cli.paths),
    });
    status.into()
}
