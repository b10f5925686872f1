//! Rule files: load the TOML staff edit, validate it at start, compile it once.
//!
//! Defaults live in `templates/` and are compiled into the binary; `--rules DIR`
//! replaces them. Every error names the file and line and says, in Japanese,
//! what to fix, so a typo stops the run before anything is read.

pub mod lexicon;

use std::fmt;

/// A rule file that cannot be used. Shown to staff as one Japanese line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "ルールファイル {} の {} 行目: {}", self.file, line, self.message),
            None => write!(f, "ルールファイル {}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for RuleError {}

impl RuleError {
    /// Wraps a TOML parse error with the line it points at.
    pub fn from_toml(file: &str, src: &str, err: &toml::de::Error) -> RuleError {
        let line = err.span().map(|s| line_of(src, s.start));
        RuleError {
            file: file.to_string(),
            line,
            message: translate_toml_message(err.message()),
        }
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

/// serde/toml messages are English; say the common ones in Japanese and keep
/// the original after it so nothing is lost.
fn translate_toml_message(msg: &str) -> String {
    let msg = msg.trim();
    let ja = if msg.starts_with("unknown field") {
        "知らない項目名です（綴りを確認してください）"
    } else if msg.starts_with("missing field") {
        "必要な項目がありません"
    } else if msg.starts_with("invalid type") {
        "値の種類が違います（文字は \"…\" で囲み、一覧は [\"…\", \"…\"] と書きます）"
    } else if msg.contains("duplicate key") {
        "同じ項目が二度書かれています"
    } else {
        "書き方に誤りがあります"
    };
    format!("{ja}（{msg}）")
}
