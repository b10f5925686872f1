//! clap in Japanese. clap writes its own labels and errors in English
//! (`Usage:`, `Options:`, `Print help`, `error: unexpected argument '--foo'
//! found`) and has no translations; staff read only Japanese. So the
//! command tree is relabelled here ([`command`]) and parse errors are
//! rendered by [`Japanese`], clap's hook for formatting its errors.

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use super::Cli;

/// What staff type; also the first word of every usage line.
const BIN: &str = "renkei";
const ARGUMENTS: &str = "引数";
const OPTIONS: &str = "オプション";
const COMMANDS: &str = "コマンド";
/// `使い方: ` is 8 columns wide; a second usage line is indented as far.
const USAGE_INDENT: &str = "        ";
const TEMPLATE: &str =
    "{before-help}{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

/// The whole command tree with Japanese labels, usage lines and help flags.
pub fn command() -> Command {
    localize(Cli::command(), BIN)
}

/// Parses the process's arguments. A mistake prints a Japanese message with
/// the usage and exits with 2; `--help` and `--version` print and exit 0.
pub fn parse() -> Cli {
    try_parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
}

/// [`parse`] without exiting, for tests.
pub fn try_parse_from<I, T>(args: I) -> Result<Cli, clap::error::Error<Japanese>>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = command()
        .try_get_matches_from(args)
        .map_err(clap::Error::apply::<Japanese>)?;
    Cli::from_arg_matches(&matches).map_err(clap::Error::apply::<Japanese>)
}

/// The help of `renkei help [COMMAND]`: the command's long help, or `None`
/// when there is no such command.
pub fn help_of(name: Option<&str>) -> Option<String> {
    let mut root = command();
    let cmd = match name {
        None => &mut root,
        Some(n) => root.find_subcommand_mut(n)?,
    };
    let mut text = cmd.render_long_help().to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Some(text)
}

/// Relabels `cmd` (reached as `path`, e.g. `renkei run`) and its subcommands.
fn localize(cmd: Command, path: &str) -> Command {
    let has_version = cmd.get_version().is_some();
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading(COMMANDS)
        .subcommand_value_name(COMMANDS)
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                ARGUMENTS
            } else {
                OPTIONS
            };
            a.help_heading(heading)
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("この説明を表示します")
                .help_heading(OPTIONS),
        );
    if has_version {
        cmd = cmd.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("版（バージョン）を表示します")
                .help_heading(OPTIONS),
        );
    }
    let usage = usage(path, &cmd);
    cmd.override_usage(usage).mut_subcommands(|sub| {
        let sub_path = format!("{path} {}", sub.get_name());
        localize(sub, &sub_path)
    })
}

/// `renkei run [オプション] [入力]...`, from the arguments themselves so it
/// never goes stale; a command with subcommands gets a second line.
fn usage(path: &str, cmd: &Command) -> String {
    let mut line = path.to_string();
    let has_options = cmd
        .get_arguments()
        .any(|a| !a.is_positional() && !matches!(a.get_id().as_str(), "help" | "version"));
    if has_options {
        line.push_str(&format!(" [{OPTIONS}]"));
    }
    for a in cmd.get_positionals() {
        let name = a
            .get_value_names()
            .and_then(|v| v.first())
            .map_or_else(|| a.get_id().to_string(), ToString::to_string);
        let shown = if a.is_required_set() {
            format!(" <{name}>")
        } else {
            format!(" [{name}]")
        };
        line.push_str(&shown);
        if matches!(a.get_action(), ArgAction::Append) {
            line.push_str("...");
        }
    }
    if cmd.has_subcommands() {
        line.push_str(&format!("\n{USAGE_INDENT}{path} <{COMMANDS}> …"));
    }
    line
}

/// clap's errors in Japanese: what is wrong, the usage, where to read more.
#[derive(Debug)]
pub struct Japanese;

impl ErrorFormatter for Japanese {
    fn format_error(error: &clap::error::Error<Self>) -> StyledStr {
        let mut out = format!("エラー: {}", message(error));
        let usage = match error.get(ContextKind::Usage) {
            Some(ContextValue::StyledStr(u)) => Some(u.to_string()),
            _ => None,
        };
        if let Some(u) = &usage {
            let u = u.trim_start().trim_start_matches("Usage:").trim();
            out.push_str(&format!("\n\n使い方: {u}"));
        }
        out.push_str("\n\n詳しい説明は、--help を付けて実行すると表示されます。\n");
        StyledStr::from(out)
    }
}

fn message(error: &clap::error::Error<Japanese>) -> String {
    let text = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        _ => None,
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    // `--out <出力フォルダ>` → (`--out`, `出力フォルダ`)
    let (flag, value_name) = match arg.split_once(' ') {
        Some((f, v)) => (f.to_string(), v.trim_matches(['<', '>', '.']).to_string()),
        None => (arg.clone(), String::new()),
    };
    match error.kind() {
        ErrorKind::UnknownArgument if arg.starts_with('-') => {
            let mut m = format!("「{arg}」というオプションはありません。");
            if let Some(s) = text(ContextKind::SuggestedArg) {
                m.push_str(&format!("「{s}」のことですか？"));
            } else if top_level(error) {
                m.push_str(&format!(
                    "オプションはコマンドの後に書きます（例: {BIN} run 入力 -o 出力）。"
                ));
            }
            m
        }
        ErrorKind::UnknownArgument => {
            format!("「{arg}」は余分です。このコマンドに指定できる数より多く書かれています。")
        }
        ErrorKind::InvalidValue if value.is_empty() => {
            if value_name.is_empty() {
                format!("「{flag}」の後に値を書いてください。")
            } else {
                format!("「{flag}」の後に{value_name}を書いてください。")
            }
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let mut m = format!("「{flag}」に「{value}」は指定できません。");
            if let Some(valid) = text(ContextKind::ValidValue) {
                m.push_str(&format!("指定できるのは {valid} です。"));
            }
            m
        }
        ErrorKind::MissingRequiredArgument => format!("{arg} を指定してください。"),
        ErrorKind::InvalidSubcommand => {
            let sub = text(ContextKind::InvalidSubcommand).unwrap_or_default();
            let mut m = format!("「{sub}」というコマンドはありません。");
            if let Some(s) = text(ContextKind::SuggestedSubcommand) {
                m.push_str(&format!("「{s}」のことですか？"));
            }
            m
        }
        ErrorKind::ArgumentConflict => match text(ContextKind::PriorArg) {
            Some(prior) if prior != arg => {
                format!("「{arg}」と「{prior}」は一緒に指定できません。")
            }
            _ => format!("「{flag}」は一度だけ指定してください。"),
        },
        ErrorKind::TooManyValues => {
            format!("「{value}」は余分です。「{flag}」に指定できる値は一つです。")
        }
        ErrorKind::NoEquals | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("「{flag}」の値の書き方が違います。")
        }
        ErrorKind::MissingSubcommand => "コマンドを指定してください。".to_string(),
        ErrorKind::InvalidUtf8 => {
            "引数に、読めない文字が入っています。ファイルやフォルダの名前を確かめてください。"
                .to_string()
        }
        _ => "コマンドの書き方が違います。".to_string(),
    }
}

/// True when the error is about `renkei` itself, not one of its commands.
fn top_level(error: &clap::error::Error<Japanese>) -> bool {
    matches!(error.get(ContextKind::Usage),
        Some(ContextValue::StyledStr(u)) if u.to_string().contains(&format!("<{COMMANDS}>")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What staff would read after typing `args`.
    fn said(args: &[&str]) -> String {
        let e = try_parse_from(std::iter::once("renkei").chain(args.iter().copied()))
            .expect_err("a mistake");
        e.render().to_string()
    }

    #[test]
    fn the_tree_is_well_formed() {
        command().debug_assert();
    }

    #[test]
    fn common_mistakes_in_japanese() {
        for (args, want) in [
            (
                &["run", "--foo"][..],
                "エラー: 「--foo」というオプションはありません。",
            ),
            (&["run", "--outt", "x"], "「--out」のことですか？"),
            (&["-o", "出力"], "オプションはコマンドの後に書きます"),
            (
                &["run", "-o"],
                "エラー: 「--out」の後に出力フォルダを書いてください。",
            ),
            (&["explain"], "エラー: <意見> を指定してください。"),
            (&["explain", "a", "b"], "エラー: 「b」は余分です。"),
            (
                &["run", "-o", "a", "-o", "b"],
                "「--out」は一度だけ指定してください。",
            ),
        ] {
            let s = said(args);
            assert!(s.contains(want), "{args:?}:\n{s}");
            assert!(
                s.ends_with("--help を付けて実行すると表示されます。\n"),
                "{s}"
            );
            assert!(!has_english_words(&s), "{args:?}:\n{s}");
        }
    }

    #[test]
    fn help_has_no_english_labels() {
        let mut texts = vec![help_of(None).unwrap()];
        for sub in command().get_subcommands() {
            texts.push(help_of(Some(sub.get_name())).unwrap());
        }
        for t in texts {
            assert!(t.contains("使い方: renkei"), "{t}");
            assert!(t.contains("オプション:"), "{t}");
            for english in [
                "Usage",
                "Options",
                "Arguments",
                "Commands",
                "Print",
                "OPTIONS",
                "COMMAND",
                "default:",
            ] {
                assert!(!t.contains(english), "{english} in:\n{t}");
            }
        }
        assert!(help_of(Some("ない")).is_none());
    }

    #[test]
    fn usage_lines_follow_the_arguments() {
        let root = command();
        let usage_of = |name: &str| {
            root.find_subcommand(name)
                .and_then(Command::get_overridden_usage)
                .map(ToString::to_string)
                .unwrap()
        };
        assert_eq!(usage_of("run"), "renkei run [オプション] [入力]...");
        assert_eq!(usage_of("explain"), "renkei explain [オプション] <意見>");
        assert_eq!(
            root.get_overridden_usage().unwrap().to_string(),
            format!("renkei [入力]...\n{USAGE_INDENT}renkei <コマンド> …")
        );
    }

    /// A run of three or more ASCII letters other than option names, the
    /// program's own name and file extensions.
    fn has_english_words(s: &str) -> bool {
        s.split(|c: char| !c.is_ascii_alphabetic() && c != '-' && c != '.')
            .filter(|w| !w.starts_with('-') && !w.starts_with('.'))
            .any(|w| w.len() >= 3 && w != "renkei" && w != "run" && w != "explain")
    }
}
