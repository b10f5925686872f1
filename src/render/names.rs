//! Names the renderers invent from user data: worksheet names (one ranking
//! sheet per profession) and feedback file names (`フィードバック/<職種>.xlsx`).
//!
//! A profession comes from a cell someone typed, so it can hold anything:
//! `/`, `..`, `CON`, 200 characters. Both kinds of name are made valid here,
//! before the writer or the file system sees them, and made unique the way
//! Excel and Windows compare names (ignoring case), so two professions never
//! overwrite each other.

use unicode_normalization::UnicodeNormalization;

/// Excel's limit for a sheet name, in UTF-16 code units.
const SHEET_NAME_MAX: usize = 31;

/// Characters Excel refuses in a sheet name.
const SHEET_FORBIDDEN: &[char] = &['[', ']', ':', '*', '?', '/', '\\'];

/// Longest feedback file stem, in characters (without `.xlsx`, `(2)`).
const FILE_STEM_MAX: usize = 60;

/// Characters Windows refuses in a file name.
const FILE_FORBIDDEN: &[char] = &['<', '>', ':', '"', '/', '\\', '|', '?', '*'];

/// The stem used when a profession's name sanitizes to nothing.
const UNKNOWN_PROFESSION: &str = "職種不明";

/// Windows device names: a file called `CON.xlsx` or `nul.txt.xlsx` cannot be
/// opened. COM¹ … are reserved too.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "COM¹", "COM²", "COM³", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8",
    "LPT9", "LPT¹", "LPT²", "LPT³",
];

/// Key under which Excel and Windows consider two names equal: case folded
/// (and width folded, to be safe: a needless `(2)` is harmless, a clash is not).
fn fold(name: &str) -> String {
    name.nfkc().collect::<String>().to_lowercase()
}

/// The longest prefix of `s` of at most `max` UTF-16 code units.
fn truncate_utf16(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += c.len_utf16();
        if used > max {
            return &s[..i];
        }
    }
    s
}

/// The longest prefix of `s` of at most `max` characters.
fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A valid sheet name for `wanted`: forbidden characters and control
/// characters become `_`, apostrophes at either end (Excel refuses them) and
/// surrounding spaces are removed, at most 31 UTF-16 units, never empty.
pub(crate) fn sanitize_sheet_name(wanted: &str) -> String {
    let replaced: String = wanted
        .chars()
        .map(|c| {
            if SHEET_FORBIDDEN.contains(&c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = replaced.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    let cut = truncate_utf16(trimmed, SHEET_NAME_MAX).trim_end_matches('\'');
    if cut.is_empty() {
        UNKNOWN_PROFESSION.to_string()
    } else {
        cut.to_string()
    }
}

/// Hands out the sheet names of one workbook: each valid and unique ignoring
/// case; `History` (reserved by Excel) is never given out.
#[derive(Debug)]
pub(crate) struct SheetNames {
    used: Vec<String>,
}

impl SheetNames {
    pub(crate) fn new() -> SheetNames {
        SheetNames {
            used: vec![fold("History")],
        }
    }

    /// A valid name for `wanted` not yet given out: `名前`, then `名前(2)` …,
    /// shortened so the suffix still fits in 31 units.
    pub(crate) fn claim(&mut self, wanted: &str) -> String {
        let base = sanitize_sheet_name(wanted);
        let mut n = 1;
        loop {
            let candidate = if n == 1 {
                base.clone()
            } else {
                let suffix = format!("({n})");
                let room = SHEET_NAME_MAX - suffix.len();
                let stem = truncate_utf16(&base, room).trim_end_matches('\'');
                format!("{stem}{suffix}")
            };
            let key = fold(&candidate);
            if !self.used.contains(&key) {
                self.used.push(key);
                return candidate;
            }
            n += 1;
        }
    }
}

/// The feedback file name of a profession: `<職種>.xlsx`, made safe.
///
/// Path separators and the characters Windows forbids (`<>:"/\|?*`, control
/// characters) become `_`; runs of dots (`..`) and leading dots are removed,
/// as are trailing dots and spaces; the stem is cut to 60 characters; a
/// Windows device name (`CON`, `nul.txt`, `COM1` …, any case) gets a leading
/// `_`; an empty result becomes `職種不明`.
pub fn feedback_file_name(profession: &str) -> String {
    format!("{}.xlsx", feedback_stem(profession))
}

fn feedback_stem(profession: &str) -> String {
    let replaced: String = profession
        .chars()
        .map(|c| {
            if FILE_FORBIDDEN.contains(&c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    // `..` anywhere, then dots at the start: no parent reference, no hidden file.
    let mut no_dots = String::with_capacity(replaced.len());
    let mut chars = replaced.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '.' && chars.peek() == Some(&'.') {
            while chars.peek() == Some(&'.') {
                chars.next();
            }
            continue;
        }
        no_dots.push(c);
    }
    let tidy = |s: &str| -> String {
        s.trim_start_matches(|c: char| c == '.' || c.is_whitespace())
            .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
            .to_string()
    };
    let stem = tidy(&no_dots);
    let stem = tidy(truncate_chars(&stem, FILE_STEM_MAX));
    if stem.is_empty() {
        return UNKNOWN_PROFESSION.to_string();
    }
    let device = stem.split('.').next().unwrap_or_default().trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(device)) {
        format!("_{stem}")
    } else {
        stem
    }
}

/// Hands out feedback file names, unique ignoring case (Windows file names
/// are): `薬剤師.xlsx`, then `薬剤師(2).xlsx`.
#[derive(Debug, Default)]
pub(crate) struct FileNames {
    used: Vec<String>,
}

impl FileNames {
    pub(crate) fn claim(&mut self, profession: &str) -> String {
        let stem = feedback_stem(profession);
        let mut n = 1;
        loop {
            let candidate = if n == 1 {
                format!("{stem}.xlsx")
            } else {
                format!("{stem}({n}).xlsx")
            };
            let key = fold(&candidate);
            if !self.used.contains(&key) {
                self.used.push(key);
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::style::utf16_len;

    #[test]
    fn feedback_file_names_are_safe() {
        let long = "あ".repeat(200);
        let cases: &[(&str, String)] = &[
            ("薬剤師", "薬剤師.xlsx".into()),
            ("../x", "_x.xlsx".into()),
            ("..", "職種不明.xlsx".into()),
            ("", "職種不明.xlsx".into()),
            ("   ", "職種不明.xlsx".into()),
            ("CON", "_CON.xlsx".into()),
            ("con", "_con.xlsx".into()),
            ("nul.txt", "_nul.txt.xlsx".into()),
            ("LPT9", "_LPT9.xlsx".into()),
            ("COM10", "COM10.xlsx".into()),
            ("CONSOLE", "CONSOLE.xlsx".into()),
            ("a/b:c", "a_b_c.xlsx".into()),
            ("a\\b", "a_b.xlsx".into()),
            ("<>\"|?*", "______.xlsx".into()),
            ("tab\there", "tab_here.xlsx".into()),
            ("看護師. ", "看護師.xlsx".into()),
            (".hidden", "hidden.xlsx".into()),
            ("a..b", "ab.xlsx".into()),
            ("..\\..\\windows", "__windows.xlsx".into()),
            (&long, format!("{}.xlsx", "あ".repeat(60))),
        ];
        for (input, want) in cases {
            let got = feedback_file_name(input);
            assert_eq!(&got, want, "input {input:?}");
            assert!(!got.contains('/') && !got.contains('\\') && !got.contains(".."));
        }
    }

    #[test]
    fn feedback_file_names_are_unique_ignoring_case() {
        let mut names = FileNames::default();
        assert_eq!(names.claim("PT"), "PT.xlsx");
        assert_eq!(names.claim("pt"), "pt(2).xlsx");
        assert_eq!(names.claim("a/b"), "a_b.xlsx");
        assert_eq!(names.claim("a:b"), "a_b(2).xlsx");
        assert_eq!(names.claim(""), "職種不明.xlsx");
        assert_eq!(names.claim("職種不明"), "職種不明(2).xlsx");
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut names = SheetNames::new();
        assert_eq!(names.claim("全体"), "全体");
        assert_eq!(names.claim("全体"), "全体(2)");
        assert_eq!(names.claim("History"), "History(2)");
        assert_eq!(names.claim("history"), "history(3)");
        assert_eq!(names.claim("a[b]:c*d?e/f\\g"), "a_b__c_d_e_f_g");
        assert_eq!(names.claim(""), "職種不明");
        assert_eq!(names.claim("'引用'"), "引用");
        assert_eq!(names.claim("ABC"), "ABC");
        assert_eq!(names.claim("abc"), "abc(2)");
        assert_eq!(names.claim("ＡＢＣ"), "ＡＢＣ(3)");

        let long = "職".repeat(40);
        let first = names.claim(&long);
        assert_eq!(first, "職".repeat(31));
        let second = names.claim(&long);
        assert_eq!(second, format!("{}(2)", "職".repeat(28)));
        // Astral characters count two units each.
        let astral = names.claim(&"𠮷".repeat(20));
        assert_eq!(utf16_len(&astral), 30);
        for n in [&first, &second, &astral] {
            assert!(utf16_len(n) <= SHEET_NAME_MAX);
        }
    }
}
