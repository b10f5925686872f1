//! Pure text functions for remarks (SPEC §2). Takes cell text exactly as
//! ingest read it and gives: the remarks a cell holds ([`split_remarks`]), a
//! normalized text per remark ([`normalize`]: bullet stripped, NFKC, spaces
//! folded, 【再掲】 recorded, trailing 。 dropped), a match key that equates
//! the same opinion written twice ([`match_key`]), a near-duplicate score
//! ([`similarity`]) and a test for form placeholders ([`is_placeholder`]).
//! Bullets are handled on the raw text, before NFKC, because NFKC turns `①`
//! into `1` and `⑳㉑` into `2021`, after which a numbering can no longer be
//! told from a year. Every function is total: no I/O, no panic on any input.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// Spaces that may sit around a bullet on one line (not line breaks).
fn is_inline_space(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\t')
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Circles doubled (`○○さん`) are an anonymized name or a placeholder, not a
/// bullet, so a circle is a bullet only when no other circle follows it.
fn is_circle(c: char) -> bool {
    matches!(c, '○' | '◯' | '〇')
}

/// Bullets stripped whatever follows them.
const PLAIN_BULLETS: &[char] = &[
    '・', '･', '•', '●', '◎', '■', '□', '◆', '◇', '▪', '＊', '*', '※', '✓', '✔', '>', '＞', '☆',
    '★', '▶', '▷', '◦', '‣',
];

/// Circled and otherwise self-contained numberings: `①`–`⑳`, `㉑`–`㉟`,
/// `㊱`–`㊿`, `❶`–`❿`, `⑴`–`⒇`, `⒈`–`⒛`.
fn is_number_sign(c: char) -> bool {
    matches!(c,
        '\u{2460}'..='\u{2473}'
        | '\u{3251}'..='\u{325F}'
        | '\u{32B1}'..='\u{32BF}'
        | '\u{2776}'..='\u{277F}'
        | '\u{2474}'..='\u{249B}')
}

/// Byte length of the bullet or numbering at the very start of `s`, if any.
fn marker_len(s: &str) -> Option<usize> {
    let mut chars = s.chars();
    let c = chars.next()?;
    let next = chars.next();
    let one = Some(c.len_utf8());
    if PLAIN_BULLETS.contains(&c) || is_number_sign(c) {
        return one;
    }
    match c {
        // A dash before a digit is a minus sign or a date (`-5度`, `-4/1`).
        '-' | '‐' | '−' | '－' => (!next.is_some_and(is_digit)).then_some(c.len_utf8()),
        // Alone, `ー` is the katakana long mark; only `ー ` is a dash bullet.
        'ー' | 'ｰ' => next.is_some_and(is_inline_space).then_some(c.len_utf8()),
        _ if is_circle(c) => (!next.is_some_and(is_circle)).then_some(c.len_utf8()),
        '(' | '（' => {
            let inner = &s[c.len_utf8()..];
            let digits = digits_len(inner)?;
            let close = inner[digits..].chars().next()?;
            matches!(close, ')' | '）').then(|| c.len_utf8() + digits + close.len_utf8())
        }
        _ if is_digit(c) => {
            let digits = digits_len(s)?;
            let mut after = s[digits..].chars();
            let stop = after.next()?;
            let ok = match stop {
                ')' | '）' => true,
                // Not `1.5倍`: a digit after the point makes it a decimal.
                '.' | '．' => !after.next().is_some_and(is_digit),
                _ => false,
            };
            ok.then_some(digits + stop.len_utf8())
        }
        _ => None,
    }
}

/// Byte length of 1–3 leading digits: list numbers are short, and a 4-digit
/// run is a year (`2021.`), never a numbering.
fn digits_len(s: &str) -> Option<usize> {
    let count = s.chars().take_while(|&c| is_digit(c)).count();
    if !(1..=3).contains(&count) {
        return None;
    }
    Some(s.chars().take(count).map(char::len_utf8).sum())
}

/// Byte offset where the content starts after leading spaces, one bullet or
/// numbering, and the spaces after it; `None` when the line has no bullet.
fn bullet_end(line: &str) -> Option<usize> {
    let rest = line.trim_start_matches(is_inline_space);
    let start = line.len() - rest.len();
    let marker = marker_len(rest)?;
    let after = &rest[marker..];
    let content = after.trim_start_matches(is_inline_space);
    Some(start + marker + (after.len() - content.len()))
}

/// Removes one leading bullet or numbering (and the spaces around it). A line
/// without one is returned unchanged. Works on raw text, before NFKC.
pub fn strip_bullet(line: &str) -> &str {
    match bullet_end(line) {
        Some(end) => &line[end..],
        None => line,
    }
}

/// True when [`strip_bullet`] would strip something.
pub fn has_bullet(line: &str) -> bool {
    bullet_end(line).is_some()
}

/// One remark cut from a cell by [`split_remarks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The lines verbatim (bullet included), joined with `\n`.
    pub text: String,
    /// 0-based index of the cell line where the piece starts.
    pub line: usize,
    /// The piece starts with a bullet or numbering.
    pub bulleted: bool,
    /// Nothing but bullets and spaces (`・` alone, `・ ・`): not a remark.
    pub empty: bool,
}

/// Splits on `\r\n`, `\r` and `\n` (Excel on Windows writes all three).
fn split_lines(cell: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = cell.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&cell[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&cell[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines.push(&cell[start..]);
    lines
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// True when nothing but bullets and spaces remains once every leading
/// bullet is stripped (`・ ・` is a placeholder with two bullets).
fn is_bullets_only(text: &str) -> bool {
    let mut rest = text.trim();
    loop {
        let next = strip_bullet(rest).trim();
        if next.len() == rest.len() {
            return rest.is_empty();
        }
        rest = next;
    }
}

fn piece(lines: &[&str], line: usize, bulleted: bool) -> Piece {
    let text = lines.join("\n");
    let empty = is_bullets_only(&text);
    Piece {
        text,
        line,
        bulleted,
        empty,
    }
}

/// Cuts a cell into remarks (SPEC §1). With bullets: one remark per bullet
/// line, following unbulleted lines continuing it, lines before the first
/// bullet forming a remark of their own, blank lines dropped. Without any
/// bullet: the whole cell is one remark, trimmed of blank lines around it.
/// A blank cell gives no piece.
pub fn split_remarks(cell: &str) -> Vec<Piece> {
    let lines = split_lines(cell);
    if !lines.iter().any(|l| has_bullet(l)) {
        let Some(first) = lines.iter().position(|l| !is_blank(l)) else {
            return Vec::new();
        };
        let last = lines.iter().rposition(|l| !is_blank(l)).unwrap_or(first);
        return vec![piece(&lines[first..=last], first, false)];
    }
    let mut pieces = Vec::new();
    // (start line, lines, bulleted) of the piece being built.
    let mut current: Option<(usize, Vec<&str>, bool)> = None;
    for (i, &line) in lines.iter().enumerate() {
        if is_blank(line) {
            continue;
        }
        if has_bullet(line) {
            if let Some((at, ls, b)) = current.take() {
                pieces.push(piece(&ls, at, b));
            }
            current = Some((i, vec![line], true));
        } else if let Some((_, ls, _)) = current.as_mut() {
            ls.push(line);
        } else {
            current = Some((i, vec![line], false));
        }
    }
    if let Some((at, ls, b)) = current {
        pieces.push(piece(&ls, at, b));
    }
    pieces
}

/// The result of [`normalize`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// A 【再掲】-style marker was present (and removed).
    pub relisted: bool,
}

/// `【再掲】` and its bracket variants, after NFKC (so `（再掲）` is `(再掲)`).
static RELISTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[【\[(〔<〈《]\s*再\s*掲\s*[】\])〕>〉》]").expect("static regex")
});

/// Invisible characters pasted in from the web or Word; they would make two
/// identical-looking remarks differ.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// Whitespace runs (line breaks included) become one space, invisible
/// characters go, and the ends are trimmed; a word of only invisible
/// characters leaves no extra space.
fn fold_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        let before = out.len();
        if before > 0 {
            out.push(' ');
        }
        let start = out.len();
        out.extend(word.chars().filter(|&c| !is_invisible(c)));
        if out.len() == start {
            out.truncate(before);
        }
    }
    out
}

/// Kana, kanji and Japanese closing brackets: after these a `.` is a
/// sentence stop typed in the wrong width, not part of `Ver.` or `etc.`.
fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}'
        | '々' | '〆' | '〇' | '」' | '』' | '】' | '〕')
}

fn strip_trailing_stops(s: &str) -> String {
    let mut t = s.trim_end();
    loop {
        if let Some(rest) = t.strip_suffix('。') {
            t = rest.trim_end();
        } else if let Some(rest) = t.strip_suffix('.') {
            if rest.chars().next_back().is_some_and(is_japanese) {
                t = rest.trim_end();
            } else {
                break;
            }
        } else {
            break;
        }
    }
    t.to_string()
}

/// The normalized text of one remark (SPEC §2): leading bullet stripped on
/// the raw text, then NFKC (full-width ASCII → half-width, half-width kana →
/// full-width), whitespace runs and line breaks folded to one space,
/// 【再掲】 markers removed and recorded, trailing `。` removed.
pub fn normalize(original: &str) -> Normalized {
    let body = strip_bullet(original.trim_start());
    let folded = fold_spaces(&nfkc(body));
    let relisted = RELISTED.is_match(&folded);
    let folded = if relisted {
        fold_spaces(&RELISTED.replace_all(&folded, ""))
    } else {
        folded
    };
    Normalized {
        text: strip_trailing_stops(&folded),
        relisted,
    }
}

/// Whitespace, punctuation (P*), symbols (S*, so `~` and `○`), and format
/// or control characters. `ー` is a letter (Lm) and stays: `ケアマネージャー`.
static KEY_DROP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\s\p{P}\p{S}\p{Cf}\p{Cc}]+").expect("static regex"));

/// The duplicate key: NFKC, ASCII lower-cased, without whitespace,
/// punctuation or symbols, so `訪問看護との連携が必要。` and
/// `訪問看護との、連携が必要` are the same opinion. Meant for [`normalize`]d
/// text; NFKC is applied again so any text gives a comparable key.
pub fn match_key(normalized: &str) -> String {
    KEY_DROP
        .replace_all(&nfkc(normalized), "")
        .to_ascii_lowercase()
}

/// NFKC of `s`, borrowed when `s` is already normalized: first a plain
/// check for the characters most remarks are made of, then the quick check
/// of the standard, and only then the full normalization.
fn nfkc(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_nfkc_stable) {
        return Cow::Borrowed(s);
    }
    match unicode_normalization::is_nfkc_quick(s.chars()) {
        unicode_normalization::IsNormalized::Yes => Cow::Borrowed(s),
        _ => Cow::Owned(s.nfkc().collect()),
    }
}

/// Characters NFKC leaves as they are and that never combine with a
/// neighbour: printable ASCII, hiragana and katakana (without the voicing
/// marks), common kanji, ー・、。々 and 「」『』【】. A text of only these is
/// its own NFKC.
fn is_nfkc_stable(c: char) -> bool {
    matches!(c,
        ' '..='~'
        | '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FA}'
        | 'ー' | '・' | '、' | '。' | '々'
        | '「'..='】'
        | '\u{4E00}'..='\u{9FFF}')
}

fn bigrams(s: &str) -> HashMap<(char, char), usize> {
    let chars: Vec<char> = s.chars().collect();
    let mut counts = HashMap::new();
    for pair in chars.windows(2) {
        *counts.entry((pair[0], pair[1])).or_insert(0) += 1;
    }
    counts
}

/// Dice coefficient over character bigrams (as multisets) of two match keys:
/// 1.0 for equal keys, 0.0 when either has no bigram. Bigrams because
/// Japanese has no spaces between words: two characters are the smallest
/// unit that still carries meaning (訪問, 看護), and they tolerate a
/// changed particle or ending (が必要 / を求む) without any dictionary.
pub fn similarity(a_key: &str, b_key: &str) -> f64 {
    if a_key == b_key {
        return 1.0;
    }
    let a = bigrams(a_key);
    let b = bigrams(b_key);
    let total: usize = a.values().sum::<usize>() + b.values().sum::<usize>();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared: usize = a
        .iter()
        .map(|(k, &n)| n.min(b.get(k).copied().unwrap_or(0)))
        .sum();
    2.0 * shared as f64 / total as f64
}

/// Nothing but punctuation, symbols, numbers, dashes and spaces.
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\s\p{P}\p{S}\p{N}\p{Cf}\p{Cc}ーｰ]*$").expect("static regex"));

/// True for what a form leaves in a remark cell when nobody wrote anything:
/// empty text, only punctuation, bullets or dashes (`・`, `-`, `ー`, `…`),
/// circles and crosses (`〇〇`, `○○`, `××`), or only numbers (a stray `No.`).
/// Words are never placeholders: `なし` and `特になし` are answers a
/// profession gave, and they are kept as remarks.
pub fn is_placeholder(normalized: &str) -> bool {
    PLACEHOLDER.is_match(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strip_bullet_table() {
        let rows: &[(&str, &str)] = &[
            ("・訪問看護との連携が必要", "訪問看護との連携が必要"),
            ("・ 退院時の情報共有", "退院時の情報共有"),
            ("　・　服薬管理が難しい", "服薬管理が難しい"),
            ("･ﾍﾙﾊﾟｰが足りない", "ﾍﾙﾊﾟｰが足りない"),
            ("• 多職種の顔の見える関係", "多職種の顔の見える関係"),
            ("● 夜間の往診", "夜間の往診"),
            ("○ケアマネとの情報共有", "ケアマネとの情報共有"),
            ("〇入退院支援ルールを作る", "入退院支援ルールを作る"),
            ("○○さんの事例を共有", "○○さんの事例を共有"),
            ("◎研修会を開く", "研修会を開く"),
            ("■課題", "課題"),
            ("◆ 連絡票の統一", "連絡票の統一"),
            ("- 主治医意見書が遅い", "主治医意見書が遅い"),
            ("-5度以下の日は訪問が難しい", "-5度以下の日は訪問が難しい"),
            ("ー 薬の一包化", "薬の一包化"),
            ("ーカー", "ーカー"),
            ("※特に夜間", "特に夜間"),
            ("＊ 要検討", "要検討"),
            ("> 返答待ち", "返答待ち"),
            ("✓ 済み", "済み"),
            ("1. 在宅医が少ない", "在宅医が少ない"),
            ("1．在宅医が少ない", "在宅医が少ない"),
            ("１．在宅医が少ない", "在宅医が少ない"),
            ("12) 口腔ケアの啓発", "口腔ケアの啓発"),
            ("3）口腔ケアの啓発", "口腔ケアの啓発"),
            ("(1) 看取りの体制", "看取りの体制"),
            ("（２）看取りの体制", "看取りの体制"),
            ("① 連絡先一覧が欲しい", "連絡先一覧が欲しい"),
            ("⑳連絡先一覧", "連絡先一覧"),
            ("㉑ 研修", "研修"),
            ("㊿ 研修", "研修"),
            ("⑴ 研修", "研修"),
            ("2021年度は研修を行った", "2021年度は研修を行った"),
            ("1.5倍に増えた", "1.5倍に増えた"),
            ("2022.4.1に開催", "2022.4.1に開催"),
            ("3人で訪問", "3人で訪問"),
            ("訪問看護・介護", "訪問看護・介護"),
            ("", ""),
            ("・", ""),
        ];
        for &(input, want) in rows {
            assert_eq!(strip_bullet(input), want, "input {input:?}");
        }
    }

    #[test]
    fn has_bullet_table() {
        let rows: &[(&str, bool)] = &[
            ("・訪問看護", true),
            ("  ・訪問看護", true),
            ("① 服薬", true),
            ("1) 服薬", true),
            ("（1）服薬", true),
            ("- 連携", true),
            ("-3℃", false),
            ("ー 連携", true),
            ("ーー", false),
            ("2021年度", false),
            ("1.5倍", false),
            ("○○病院", false),
            ("訪問看護", false),
            ("", false),
        ];
        for &(input, want) in rows {
            assert_eq!(has_bullet(input), want, "input {input:?}");
        }
    }

    /// (cell, [(text, line, bulleted, empty)])
    type SplitRow<'a> = (&'a str, &'a [(&'a str, usize, bool, bool)]);

    #[test]
    fn split_remarks_table() {
        let rows: &[SplitRow] = &[
            (
                "・訪問看護との連携\n・退院時カンファレンス",
                &[
                    ("・訪問看護との連携", 0, true, false),
                    ("・退院時カンファレンス", 1, true, false),
                ],
            ),
            (
                "・夜間の連絡先がわからない\n特に休日\n・薬の管理",
                &[
                    ("・夜間の連絡先がわからない\n特に休日", 0, true, false),
                    ("・薬の管理", 2, true, false),
                ],
            ),
            (
                "【課題】\n・人材不足\n・移動時間",
                &[
                    ("【課題】", 0, false, false),
                    ("・人材不足", 1, true, false),
                    ("・移動時間", 2, true, false),
                ],
            ),
            (
                "ケアマネとの連携が難しい\n特に退院時",
                &[("ケアマネとの連携が難しい\n特に退院時", 0, false, false)],
            ),
            (
                "\n\n 主治医との連絡\n\n",
                &[(" 主治医との連絡", 2, false, false)],
            ),
            (
                "・研修会\r\n\r\n・事例検討会\r・交流会",
                &[
                    ("・研修会", 0, true, false),
                    ("・事例検討会", 2, true, false),
                    ("・交流会", 3, true, false),
                ],
            ),
            (
                "・\n・ ・\n・口腔ケア",
                &[
                    ("・", 0, true, true),
                    ("・ ・", 1, true, true),
                    ("・口腔ケア", 2, true, false),
                ],
            ),
            (
                "①服薬指導\n②残薬確認",
                &[("①服薬指導", 0, true, false), ("②残薬確認", 1, true, false)],
            ),
            (
                "1. 在宅医\n2. 訪問看護",
                &[
                    ("1. 在宅医", 0, true, false),
                    ("2. 訪問看護", 1, true, false),
                ],
            ),
            (
                "2021年度は研修を行った\n来年度も継続",
                &[("2021年度は研修を行った\n来年度も継続", 0, false, false)],
            ),
            ("", &[]),
            ("　\n \n", &[]),
            (
                "・ヘルパー不足【再掲】",
                &[("・ヘルパー不足【再掲】", 0, true, false)],
            ),
        ];
        for &(cell, want) in rows {
            let got: Vec<(String, usize, bool, bool)> = split_remarks(cell)
                .into_iter()
                .map(|p| (p.text, p.line, p.bulleted, p.empty))
                .collect();
            let want: Vec<(String, usize, bool, bool)> = want
                .iter()
                .map(|&(t, l, b, e)| (t.to_string(), l, b, e))
                .collect();
            assert_eq!(got, want, "cell {cell:?}");
        }
    }

    #[test]
    fn normalize_table() {
        let rows: &[(&str, &str, bool)] = &[
            (
                "・訪問看護との連携が必要。",
                "訪問看護との連携が必要",
                false,
            ),
            ("① ＡＤＬの低下", "ADLの低下", false),
            ("ﾍﾙﾊﾟｰが足りない", "ヘルパーが足りない", false),
            (
                "夜間の連絡先が\nわからない",
                "夜間の連絡先が わからない",
                false,
            ),
            (
                "退院時　　カンファレンス\t開催",
                "退院時 カンファレンス 開催",
                false,
            ),
            ("・ヘルパー不足【再掲】", "ヘルパー不足", true),
            ("・ヘルパー不足。（再掲）", "ヘルパー不足", true),
            ("(再掲) 口腔ケア", "口腔ケア", true),
            ("［再掲］口腔ケア", "口腔ケア", true),
            ("〔再掲〕口腔ケア。", "口腔ケア", true),
            ("[再掲]多職種研修", "多職種研修", true),
            ("研修が必要．", "研修が必要", false),
            ("研修が必要。。", "研修が必要", false),
            ("ICTを使う etc.", "ICTを使う etc.", false),
            ("検討中…", "検討中...", false),
            ("2021年度は研修を行った。", "2021年度は研修を行った", false),
            ("  ", "", false),
            ("・", "", false),
            ("・ ・", "・", false),
            ("再掲された資料を見た", "再掲された資料を見た", false),
            ("\u{200B}主治医\u{FEFF}意見書", "主治医意見書", false),
        ];
        for &(input, text, relisted) in rows {
            let got = normalize(input);
            assert_eq!(
                got,
                Normalized {
                    text: text.to_string(),
                    relisted
                },
                "input {input:?}"
            );
        }
    }

    #[test]
    fn match_key_table() {
        let rows: &[(&str, &str)] = &[
            ("訪問看護との連携が必要", "訪問看護との連携が必要"),
            ("訪問看護との、連携が必要", "訪問看護との連携が必要"),
            ("「訪問看護」との連携が必要!", "訪問看護との連携が必要"),
            ("ケアマネージャーとの連携", "ケアマネージャーとの連携"),
            ("医療・介護の連携", "医療介護の連携"),
            ("ICT を 使う", "ictを使う"),
            ("ＩＣＴを使う", "ictを使う"),
            ("月1回〜2回", "月1回2回"),
            ("月1回~2回", "月1回2回"),
            ("検討中...", "検討中"),
            ("○○病院との連携", "病院との連携"),
            ("『在宅医療』(案)", "在宅医療案"),
            ("", ""),
        ];
        for &(input, want) in rows {
            assert_eq!(match_key(input), want, "input {input:?}");
        }
    }

    #[test]
    fn similarity_table() {
        let rows: &[(&str, &str, f64)] = &[
            ("訪問看護", "訪問看護", 1.0),
            ("", "", 1.0),
            ("訪", "訪", 1.0),
            ("訪", "問", 0.0),
            ("", "訪問", 0.0),
            ("訪問看護", "訪問介護", 2.0 * 1.0 / 6.0),
            ("あいう", "かきく", 0.0),
            ("ああああ", "ああ", 2.0 * 1.0 / 4.0),
            ("在宅医", "在宅医療", 2.0 * 2.0 / 5.0),
            (
                "夜間の連絡先がわからない",
                "夜間の連絡先が分からない",
                2.0 * 9.0 / 22.0,
            ),
        ];
        for &(a, b, want) in rows {
            let got = similarity(a, b);
            assert!((got - want).abs() < 1e-9, "{a:?} {b:?}: {got} != {want}");
            assert!(
                (similarity(b, a) - got).abs() < 1e-12,
                "symmetric {a:?} {b:?}"
            );
        }
        let near = similarity(
            &match_key("退院時カンファレンスに呼んでほしい"),
            &match_key("退院時カンファレンスに呼んで欲しい"),
        );
        assert!(near > 0.8 && near < 1.0, "near {near}");
    }

    #[test]
    fn is_placeholder_table() {
        let rows: &[(&str, bool)] = &[
            ("", true),
            ("  ", true),
            ("・", true),
            ("-", true),
            ("ー", true),
            ("...", true),
            ("…", true),
            ("〇〇", true),
            ("○○", true),
            ("××", true),
            ("――", true),
            ("3", true),
            ("12", true),
            ("特になし", false),
            ("なし", false),
            ("〇〇病院との連携", false),
            ("訪問看護", false),
            ("ADL", false),
        ];
        for &(input, want) in rows {
            assert_eq!(is_placeholder(input), want, "input {input:?}");
        }
    }

    #[test]
    fn every_stable_character_is_its_own_nfkc() {
        let all = (' '..='~')
            .chain('\u{3041}'..='\u{30FF}')
            .chain('\u{3000}'..='\u{303F}')
            .chain('\u{4E00}'..='\u{9FFF}');
        for c in all.filter(|&c| is_nfkc_stable(c)) {
            let s = c.to_string();
            let plain: String = s.nfkc().collect();
            assert_eq!(plain, s, "U+{:04X}", c as u32);
        }
        // Kana followed by a voicing mark composes: not the fast path.
        assert_eq!(nfkc("か\u{3099}"), "が");
    }

    /// The definition `fold_spaces` must keep.
    fn fold_spaces_plain(s: &str) -> String {
        s.split_whitespace()
            .map(|w| w.chars().filter(|&c| !is_invisible(c)).collect::<String>())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    proptest! {
        #[test]
        fn the_fast_paths_give_the_plain_results(
            s in prop_oneof![
                any::<String>(),
                "[あ-んア-ン漢字ｱ-ﾝﾞﾟＡ-Ｚａ-ｚ０-９A-z0-9、。，．・（）〜～①㈱㍻ 　\t\n\u{200B}\u{FEFF}\u{3099}\u{309A}゛゜「」【】ー々]{0,30}",
            ]
        ) {
            let plain: String = s.nfkc().collect();
            prop_assert_eq!(&*nfkc(&s), plain.as_str());
            prop_assert!(!s.chars().all(is_nfkc_stable) || plain == s);
            prop_assert_eq!(fold_spaces(&s), fold_spaces_plain(&s));
        }

        #[test]
        fn arbitrary_text_never_panics(s in any::<String>()) {
            let _ = strip_bullet(&s);
            let _ = has_bullet(&s);
            let _ = split_remarks(&s);
            let n = normalize(&s);
            let k = match_key(&n.text);
            let _ = similarity(&k, &match_key(&s));
            let _ = is_placeholder(&n.text);
        }

        #[test]
        fn japanese_like_text_never_panics(
            s in "[・･①⑳㉑㊿⑴0-9０-９.．)）(（ーｰ\\-－○〇 　\t\r\n再掲【】。あ漢]{0,24}"
        ) {
            let stripped = strip_bullet(&s);
            prop_assert!(s.ends_with(stripped));
            for p in split_remarks(&s) {
                prop_assert!(!p.text.is_empty());
            }
            let n = normalize(&s);
            prop_assert_eq!(n.text.trim(), n.text.as_str());
            let k = match_key(&n.text);
            let sim = similarity(&k, &match_key(&s));
            prop_assert!((0.0..=1.0).contains(&sim));
        }
    }
}
