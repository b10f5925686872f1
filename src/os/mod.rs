//! What differs on the system staff use (Windows) from the one renkei is
//! built and tested on: operating-system errors put into Japanese with the
//! path the user gave ([`error`]), the console that closes when a
//! double-clicked program ends ([`console`]), and the path separator.

pub mod console;
pub mod error;

use std::borrow::Cow;
use std::path::MAIN_SEPARATOR;

/// A path recorded `/`-separated (the batch keeps that form, so 分類一覧's
/// IDs and 出典 are the same on every system) written with this system's
/// separator, for messages: `broken\HTMLを保存.xls` on Windows.
pub fn native_separators(path: &str) -> Cow<'_, str> {
    with_separator(path, MAIN_SEPARATOR)
}

fn with_separator(path: &str, separator: char) -> Cow<'_, str> {
    if separator == '/' || !path.contains('/') {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(path.replace('/', &separator.to_string()))
    }
}

/// Peak resident memory of this process so far (Linux; 0 elsewhere): for
/// `RENKEI_TIMINGS` and the fuzzer's report.
pub fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators() {
        assert_eq!(with_separator("broken/HTML.xls", '/'), "broken/HTML.xls");
        assert_eq!(
            with_separator("令和6年/4月/薬剤師.xlsx", '\\'),
            "令和6年\\4月\\薬剤師.xlsx"
        );
        assert_eq!(with_separator("薬剤師.xlsx", '\\'), "薬剤師.xlsx");
        #[cfg(unix)]
        assert_eq!(native_separators("a/b.xlsx"), "a/b.xlsx");
        #[cfg(windows)]
        assert_eq!(native_separators("a/b.xlsx"), "a\\b.xlsx");
    }
}
