//! Meeting metadata as staff write it in a sheet's title block (SPEC §1).
//! Takes free text (`令和4年4月1日(金)`, `日時：R4.4.1 18:30～`, `2022/4/1`,
//! `第一回`, `【一次連携】`) or an Excel serial number, and gives a
//! [`NaiveDate`], a round number or a [`Tier`]. Text is NFKC-folded and kanji
//! numerals turned into digits first, because staff mix full-width digits,
//! 和暦 and 漢数字 freely. A date that does not exist, or an era date outside
//! its era (`平成31年5月1日`), gives `None` so ingest can leave it blank and
//! warn rather than guess. Pure functions, no panic on any input.

use std::sync::LazyLock;

use chrono::{Days, NaiveDate};
use regex::{Captures, Regex};
use unicode_normalization::UnicodeNormalization;

use crate::model::Tier;

/// The value of one kanji digit (`〇` included, so `令和〇年` reads as year 0
/// and is rejected, and `二〇二二` reads as 2022).
fn kanji_digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn kanji_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// Reads a run of kanji numerals: with units as 十二 = 12, 二十三 = 23,
/// 二千二十二 = 2022; without units digit by digit (二〇二二 = 2022).
/// `None` for a malformed or overlong run, which is then left as written.
fn kanji_number(run: &[char]) -> Option<u64> {
    if run.iter().any(|&c| kanji_unit(c).is_some()) {
        let mut total: u64 = 0;
        let mut pending: Option<u64> = None;
        let mut last_unit = u64::MAX;
        for &c in run {
            if let Some(d) = kanji_digit(c) {
                if pending.is_some() {
                    return None;
                }
                pending = Some(d);
            } else {
                let unit = kanji_unit(c)?;
                // Units must fall: 二千二十 yes, 十百 no.
                if unit >= last_unit {
                    return None;
                }
                last_unit = unit;
                total += pending.take().unwrap_or(1) * unit;
            }
        }
        Some(total + pending.unwrap_or(0))
    } else {
        run.iter().try_fold(0u64, |acc, &c| {
            acc.checked_mul(10)?.checked_add(kanji_digit(c)?)
        })
    }
}

/// NFKC, then every run of kanji numerals replaced by its digits.
fn fold_numerals(s: &str) -> String {
    let chars: Vec<char> = s.nfkc().collect();
    let is_numeral = |c: char| kanji_digit(c).is_some() || kanji_unit(c).is_some();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_numeral(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_numeral(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        match kanji_number(run) {
            Some(n) => out.push_str(&n.to_string()),
            None => out.extend(run),
        }
    }
    out
}

/// A Japanese era: its name, one-letter abbreviation, the Gregorian year of
/// its year 1, and its first day.
struct Era {
    name: &'static str,
    letter: char,
    year_one: i32,
    start: (i32, u32, u32),
}

/// In order; each era ends the day before the next one starts.
const ERAS: [Era; 5] = [
    Era {
        name: "明治",
        letter: 'M',
        year_one: 1868,
        start: (1868, 10, 23),
    },
    Era {
        name: "大正",
        letter: 'T',
        year_one: 1912,
        start: (1912, 7, 30),
    },
    Era {
        name: "昭和",
        letter: 'S',
        year_one: 1926,
        start: (1926, 12, 25),
    },
    Era {
        name: "平成",
        letter: 'H',
        year_one: 1989,
        start: (1989, 1, 8),
    },
    Era {
        name: "令和",
        letter: 'R',
        year_one: 2019,
        start: (2019, 5, 1),
    },
];

/// The date pattern, run on [`fold_numerals`] output. Two alternatives:
/// an era (`令和` or a letter not inside a word) with year `元` or 1–2
/// digits; or a 4-digit Western year not inside a longer number. Each takes
/// `年 月 日` or two separators. A separated day must not run on into more
/// digits (`R4.4.123` is not a date). Two-digit Western years never match.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let sep = r"\s*[./\-‐−]\s*";
    let tail = |m: &str, d: &str| {
        format!(
            r"(?:\s*年\s*(?P<{m}1>[0-9]{{1,2}})\s*月\s*(?P<{d}1>[0-9]{{1,2}})\s*日|{sep}(?P<{m}2>[0-9]{{1,2}}){sep}(?P<{d}2>[0-9]{{1,2}})(?:[^0-9]|$))"
        )
    };
    let pattern = format!(
        r"(?:(?P<era>明治|大正|昭和|平成|令和)|(?:^|[^A-Za-z])(?P<letter>[MTSHRmtshr]))\s*(?P<ey>[0-9]{{1,2}}|元){}|(?:^|[^0-9])(?P<y>[0-9]{{4}}){}",
        tail("em", "ed"),
        tail("m", "d"),
    );
    Regex::new(&pattern).expect("static regex")
});

fn number(caps: &Captures, names: [&str; 2]) -> Option<u32> {
    names
        .iter()
        .find_map(|n| caps.name(n))
        .and_then(|m| m.as_str().parse().ok())
}

fn era_date(caps: &Captures) -> Option<NaiveDate> {
    let index = if let Some(name) = caps.name("era") {
        ERAS.iter().position(|e| e.name == name.as_str())?
    } else {
        let letter = caps.name("letter")?.as_str().chars().next()?;
        ERAS.iter()
            .position(|e| e.letter == letter.to_ascii_uppercase())?
    };
    let era = &ERAS[index];
    let year: i32 = match caps.name("ey")?.as_str() {
        "元" => 1,
        y => y.parse().ok()?,
    };
    if year < 1 {
        return None;
    }
    let month = number(caps, ["em1", "em2"])?;
    let day = number(caps, ["ed1", "ed2"])?;
    let date = NaiveDate::from_ymd_opt(era.year_one + year - 1, month, day)?;
    let (y, m, d) = era.start;
    if date < NaiveDate::from_ymd_opt(y, m, d)? {
        return None;
    }
    if let Some(next) = ERAS.get(index + 1) {
        let (y, m, d) = next.start;
        if date >= NaiveDate::from_ymd_opt(y, m, d)? {
            return None;
        }
    }
    Some(date)
}

/// The first date written in `s` (a title cell, a `日時：` line …): 和暦 with
/// era names or letters (`令和4年4月1日`, `R元.5.1`, `H31.4.30`), Western
/// (`2022/4/1`, `2022-04-01`, `2022年4月1日`, `2022.4.1`), full-width or
/// kanji numerals, spaces between the parts. The first date-shaped text
/// decides: if it is impossible (`2月30日`) or outside its era, the answer
/// is `None`, never a later date in the same cell, which might be a 作成日.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let text = fold_numerals(s);
    let caps = DATE.captures(&text)?;
    if caps.name("y").is_some() {
        let year = number(&caps, ["y", "y"])? as i32;
        let month = number(&caps, ["m1", "m2"])?;
        let day = number(&caps, ["d1", "d2"])?;
        NaiveDate::from_ymd_opt(year, month, day)
    } else {
        era_date(&caps)
    }
}

/// Largest serial Excel shows as a date: 9999-12-31 in the 1900 system.
pub const MAX_SERIAL: f64 = 2_958_465.0;

/// An Excel serial day number to a date; the time of day is dropped. In the
/// 1900 system serial 1 is 1900-01-01 and serial 60 is Excel's fictitious
/// 1900-02-29 (`None`), so from 61 on the count is shifted by one day. In
/// the 1904 system (old Mac workbooks) serial 0 is 1904-01-01.
pub fn from_serial(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    // The range also rejects NaN and infinities.
    if !(0.0..MAX_SERIAL + 1.0).contains(&serial) {
        return None;
    }
    let day = serial.floor() as u64;
    let (base, offset) = if is_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, day)
    } else {
        match day {
            0 | 60 => return None,
            1..=59 => (NaiveDate::from_ymd_opt(1899, 12, 31)?, day),
            _ => (NaiveDate::from_ymd_opt(1899, 12, 30)?, day),
        }
    };
    let last = NaiveDate::from_ymd_opt(9999, 12, 31)?;
    base.checked_add_days(Days::new(offset))
        .filter(|d| *d <= last)
}

/// Serial of 1990-01-01 in the 1900 system.
const FIRST_MEETING_SERIAL: f64 = 32_874.0;
/// Serial of 2100-12-31 in the 1900 system.
const LAST_MEETING_SERIAL: f64 = 73_415.0;

/// True for a number that is most likely a meeting date: a serial (time of
/// day allowed) from 1990-01-01 to 2100-12-31. Japanese Excel's 和暦 and
/// `yyyy年m月d日` formats reach calamine as plain numbers; this tells such a
/// cell from a count or a round number in the title block.
pub fn plausible_meeting_serial(serial: f64) -> bool {
    (FIRST_MEETING_SERIAL..LAST_MEETING_SERIAL + 1.0).contains(&serial)
}

static ROUND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"第\s*([0-9]+)\s*回").expect("static regex"));

/// The round of a meeting: `第1回`, `第１回`, `第 1 回`, `第一回`, `第十二回`.
/// `第〇回` (an unfilled form) and `第0回` give `None`.
pub fn parse_round(s: &str) -> Option<u32> {
    let text = fold_numerals(s);
    let n: u32 = ROUND.captures(&text)?.get(1)?.as_str().parse().ok()?;
    (n > 0).then_some(n)
}

static TIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^0-9])([123])\s*次\s*連携").expect("static regex"));

/// The tier marker: `【一次連携】`, `一次連携`, `1次連携`, `１次連携` (and 二次,
/// 三次), brackets optional.
pub fn parse_tier(s: &str) -> Option<Tier> {
    let text = fold_numerals(s);
    match TIER.captures(&text)?.get(1)?.as_str() {
        "1" => Some(Tier::Primary),
        "2" => Some(Tier::Secondary),
        "3" => Some(Tier::Tertiary),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn parse_date_table() {
        let rows: &[(&str, Option<NaiveDate>)] = &[
            ("令和4年4月1日(金)", ymd(2022, 4, 1)),
            ("日時：R4.4.1 18:30～", ymd(2022, 4, 1)),
            ("2022/4/1", ymd(2022, 4, 1)),
            ("2022-04-01", ymd(2022, 4, 1)),
            ("2022年4月1日", ymd(2022, 4, 1)),
            ("2022.4.1", ymd(2022, 4, 1)),
            ("開催日 2022/04/01 18:30", ymd(2022, 4, 1)),
            ("令和４年４月１日", ymd(2022, 4, 1)),
            ("令和四年四月一日", ymd(2022, 4, 1)),
            ("令和四年十二月二十三日", ymd(2022, 12, 23)),
            ("二〇二二年十月十日", ymd(2022, 10, 10)),
            ("令和 4 年 4 月 1 日", ymd(2022, 4, 1)),
            ("Ｒ４．４．１", ymd(2022, 4, 1)),
            ("r4/4/1", ymd(2022, 4, 1)),
            ("R4年4月1日", ymd(2022, 4, 1)),
            ("第1回薬剤師会との打合せ会 令和4年4月1日", ymd(2022, 4, 1)),
            ("令和4年度 第2回 令和4年7月15日", ymd(2022, 7, 15)),
            ("平成31年4月30日", ymd(2019, 4, 30)),
            ("平成31年5月1日", None),
            ("H31.4.30", ymd(2019, 4, 30)),
            ("令和元年5月1日", ymd(2019, 5, 1)),
            ("R元.5.1", ymd(2019, 5, 1)),
            ("令和1年4月1日", None),
            ("令和元年4月30日", None),
            ("平成元年1月8日", ymd(1989, 1, 8)),
            ("平成元年1月7日", None),
            ("昭和64年1月7日", ymd(1989, 1, 7)),
            ("S64.1.7", ymd(1989, 1, 7)),
            ("昭和64年1月8日", None),
            ("昭和元年12月25日", ymd(1926, 12, 25)),
            ("大正15年12月24日", ymd(1926, 12, 24)),
            ("大正15年12月25日", None),
            ("T1.7.30", ymd(1912, 7, 30)),
            ("明治45年7月29日", ymd(1912, 7, 29)),
            ("M45.7.30", None),
            ("㍻31年4月1日", ymd(2019, 4, 1)),
            ("令和4年2月30日", None),
            ("2022/2/29", None),
            ("2024/2/29", ymd(2024, 2, 29)),
            ("22/4/1", None),
            ("22年4月1日", None),
            ("令和〇年〇月〇日", None),
            ("令和○年○月○日", None),
            ("令和4年4月", None),
            ("4月1日(金)", None),
            ("R4.4.123", None),
            ("VER4.4.1", None),
            ("令和4年2月30日 作成 2022/3/1", None),
            ("", None),
        ];
        for &(input, want) in rows {
            assert_eq!(parse_date(input), want, "input {input:?}");
        }
    }

    #[test]
    fn from_serial_table() {
        let rows: &[(f64, bool, Option<NaiveDate>)] = &[
            (1.0, false, ymd(1900, 1, 1)),
            (59.0, false, ymd(1900, 2, 28)),
            (60.0, false, None),
            (61.0, false, ymd(1900, 3, 1)),
            (36526.0, false, ymd(2000, 1, 1)),
            (44652.0, false, ymd(2022, 4, 1)),
            (44652.770833, false, ymd(2022, 4, 1)),
            (43586.0, false, ymd(2019, 5, 1)),
            (0.0, false, None),
            (0.75, false, None),
            (-1.0, false, None),
            (f64::NAN, false, None),
            (f64::INFINITY, false, None),
            (2_958_465.0, false, ymd(9999, 12, 31)),
            (2_958_466.0, false, None),
            (0.0, true, ymd(1904, 1, 1)),
            (43190.0, true, ymd(2022, 4, 1)),
        ];
        for &(serial, is_1904, want) in rows {
            assert_eq!(from_serial(serial, is_1904), want, "{serial} {is_1904}");
        }
    }

    #[test]
    fn plausible_meeting_serial_table() {
        let rows: &[(f64, bool)] = &[
            (FIRST_MEETING_SERIAL, true),
            (FIRST_MEETING_SERIAL - 1.0, false),
            (LAST_MEETING_SERIAL, true),
            (LAST_MEETING_SERIAL + 0.5, true),
            (LAST_MEETING_SERIAL + 1.0, false),
            (44652.0, true),
            (44652.770833, true),
            (1.0, false),
            (12.0, false),
            (2022.0, false),
            (-44652.0, false),
            (f64::NAN, false),
            (f64::INFINITY, false),
        ];
        for &(serial, want) in rows {
            assert_eq!(plausible_meeting_serial(serial), want, "{serial}");
        }
        assert_eq!(from_serial(FIRST_MEETING_SERIAL, false), ymd(1990, 1, 1));
        assert_eq!(from_serial(LAST_MEETING_SERIAL, false), ymd(2100, 12, 31));
    }

    #[test]
    fn parse_round_table() {
        let rows: &[(&str, Option<u32>)] = &[
            ("第1回", Some(1)),
            ("第１回", Some(1)),
            ("第 1 回", Some(1)),
            ("第　２　回", Some(2)),
            ("第一回", Some(1)),
            ("第十回", Some(10)),
            ("第十二回", Some(12)),
            ("第二十回", Some(20)),
            ("第二十一回", Some(21)),
            ("【一次連携】第3回薬剤師会との打合せ会", Some(3)),
            ("第〇回", None),
            ("第0回", None),
            ("薬剤師会との打合せ会", None),
            ("月2回", None),
            ("第99999999999回", None),
            ("", None),
        ];
        for &(input, want) in rows {
            assert_eq!(parse_round(input), want, "input {input:?}");
        }
    }

    #[test]
    fn parse_tier_table() {
        let rows: &[(&str, Option<Tier>)] = &[
            ("【一次連携】", Some(Tier::Primary)),
            ("【二次連携】", Some(Tier::Secondary)),
            ("【三次連携】", Some(Tier::Tertiary)),
            ("一次連携", Some(Tier::Primary)),
            ("1次連携", Some(Tier::Primary)),
            ("１次連携", Some(Tier::Primary)),
            ("2 次 連携", Some(Tier::Secondary)),
            (
                "【一次連携】第1回 薬剤師会との打合せ会",
                Some(Tier::Primary),
            ),
            ("三次連携（地域全体）", Some(Tier::Tertiary)),
            ("四次連携", None),
            ("13次連携", None),
            ("連携会議", None),
            ("一次", None),
            ("", None),
        ];
        for &(input, want) in rows {
            assert_eq!(parse_tier(input), want, "input {input:?}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in any::<String>()) {
            let _ = parse_date(&s);
            let _ = parse_round(&s);
            let _ = parse_tier(&s);
        }

        #[test]
        fn date_like_text_never_panics(
            s in "[令和平成昭大正明治元年月日第回次連携RHSTM0-9０-９〇一二三四五六七八九十百千./\\- ]{0,24}"
        ) {
            let _ = parse_date(&s);
            let _ = parse_round(&s);
            let _ = parse_tier(&s);
        }

        #[test]
        fn any_serial_never_panics(serial in any::<f64>(), is_1904 in any::<bool>()) {
            let _ = from_serial(serial, is_1904);
            let _ = plausible_meeting_serial(serial);
        }

        #[test]
        fn serials_round_trip(day in 61u32..2_958_465) {
            let date = from_serial(f64::from(day), false).unwrap();
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
            prop_assert_eq!((date - base).num_days(), i64::from(day));
        }
    }
}
