//! One calamine cell → a [`Value`].
//!
//! A number that a cell's format calls a date, a time or a duration is
//! checked against the range Excel can show before it is converted:
//! calamine's own conversion (`ExcelDateTime::as_datetime`) panics on a huge
//! serial such as `-99999999999999999999`, and anyone can type one into a
//! date column. Out of range, the cell is read as its number and the sheet
//! is warned ([`CellIssue`]).

use calamine::{Data, DataRef, ExcelDateTime};

use super::grid::{column_letter, number_text, Value};
use crate::dates;

/// A cell whose value could not be taken as its format says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellIssue {
    /// A date-formatted number outside 0 ≤ serial < 9999-12-31 + 1.
    DateOutOfRange(f64),
    /// A duration-formatted number too large (or not a number) to show.
    DurationOutOfRange(f64),
}

impl CellIssue {
    /// The sheet warning for the cell at 0-based `(row, col)`.
    pub fn message(&self, row: u32, col: u32) -> String {
        let at = format!("{}{}", column_letter(col), u64::from(row) + 1);
        let v = match self {
            CellIssue::DateOutOfRange(v) | CellIssue::DurationOutOfRange(v) => number_text(*v),
        };
        match self {
            CellIssue::DateOutOfRange(_) => format!(
                "{at} のセル: 日付の書式ですが、値（{v}）が Excel で表示できる日付（1900年1月1日〜9999年12月31日）の範囲外なので、数値として読みました"
            ),
            CellIssue::DurationOutOfRange(_) => format!(
                "{at} のセル: 時間の書式ですが、値（{v}）が大きすぎて時間として表せないので、数値として読みました"
            ),
        }
    }
}

/// A cell read: its value, and why it was not read as its format says.
pub type Read = (Value, Option<CellIssue>);

/// A streamed xlsx cell; `None` for an empty, blank or error cell.
pub fn from_data_ref(d: &DataRef<'_>, is_1904: bool) -> Option<Read> {
    Some(match d {
        DataRef::Int(i) => (Value::Number(*i as f64), None),
        DataRef::Float(f) => (Value::Number(*f), None),
        DataRef::String(s) => (text(s)?, None),
        DataRef::SharedString(s) => (text(s)?, None),
        DataRef::Bool(b) => (Value::Bool(*b), None),
        DataRef::DateTime(dt) => date_time(dt, is_1904),
        DataRef::DateTimeIso(s) => (iso_date(s)?, None),
        DataRef::DurationIso(s) => (text(s)?, None),
        DataRef::Error(_) | DataRef::Empty => return None,
    })
}

/// A cell of an xls or ods range; `None` for an empty or error cell.
pub fn from_data(d: &Data, is_1904: bool) -> Option<Read> {
    Some(match d {
        Data::Int(i) => (Value::Number(*i as f64), None),
        Data::Float(f) => (Value::Number(*f), None),
        Data::String(s) => (text(s)?, None),
        Data::Bool(b) => (Value::Bool(*b), None),
        Data::DateTime(dt) => date_time(dt, is_1904),
        Data::DateTimeIso(s) => (iso_date(s)?, None),
        Data::DurationIso(s) => (text(s)?, None),
        Data::Error(_) | Data::Empty => return None,
    })
}

/// Largest serial Excel shows as a date (9999-12-31, 1900 system), plus
/// the day it stands for.
const SERIAL_END: f64 = dates::MAX_SERIAL + 1.0;

/// A date, time or duration cell, converted without calamine's chrono path.
/// A serial below 1 is a time of day (Excel shows `10:00`, not a date);
/// one with a date part is the date (the meeting date needs no time).
fn date_time(dt: &ExcelDateTime, is_1904: bool) -> Read {
    let v = dt.as_f64();
    if dt.is_duration() {
        return match clock(v) {
            Some(t) => (Value::Text(t), None),
            None => (Value::Number(v), Some(CellIssue::DurationOutOfRange(v))),
        };
    }
    if !(0.0..SERIAL_END).contains(&v) {
        return (Value::Number(v), Some(CellIssue::DateOutOfRange(v)));
    }
    if v < 1.0 {
        return (Value::Text(clock(v).unwrap_or_default()), None);
    }
    match dates::from_serial(v, is_1904) {
        Some(d) => (Value::Date(d), None),
        // Excel's fictitious 1900-02-29, or past 9999 in the 1904 system.
        None => (Value::Number(v), None),
    }
}

/// Days as `h:mm` (or `h:mm:ss`), hours not wrapped at 24, as Excel's
/// `[h]:mm` shows them. `None` past the date range or for NaN.
fn clock(days: f64) -> Option<String> {
    // The range also rejects NaN.
    if !(-SERIAL_END..SERIAL_END).contains(&days) {
        return None;
    }
    let secs = (days * 86_400.0).round() as i64;
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.unsigned_abs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    Some(if s == 0 {
        format!("{sign}{h}:{m:02}")
    } else {
        format!("{sign}{h}:{m:02}:{s:02}")
    })
}

/// Whitespace-only cells count as empty: staff often leave a space behind.
fn text(s: &str) -> Option<Value> {
    if s.trim().is_empty() {
        None
    } else {
        Some(Value::Text(s.to_string()))
    }
}

fn iso_date(s: &str) -> Option<Value> {
    match chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
        Ok(d) => Some(Value::Date(d)),
        Err(_) => text(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
    use chrono::NaiveDate;

    fn date(v: f64) -> Read {
        date_time(&ExcelDateTime::new(v, DateTime, false), false)
    }

    #[test]
    fn dates_in_and_out_of_range() {
        assert_eq!(
            date(44_652.0).0,
            Value::Date(NaiveDate::from_ymd_opt(2022, 4, 1).unwrap())
        );
        assert_eq!(
            date(2_958_465.9).0,
            Value::Date(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap())
        );
        // The value that made calamine panic, and its kin: read as numbers, warned.
        for v in [
            -99_999_999_999_999_999_999.0,
            99_999_999_999_999_999_999.0,
            -1.0,
            2_958_466.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
        ] {
            let (value, issue) = date(v);
            assert!(matches!(value, Value::Number(_)), "{v}");
            assert!(matches!(issue, Some(CellIssue::DateOutOfRange(_))), "{v}");
        }
        // A time of day is not a date.
        assert_eq!(date(0.5).0, Value::Text("12:00".into()));
        assert_eq!(date(0.0).0, Value::Text("0:00".into()));
        // Excel's 1900-02-29 does not exist: the number, no warning.
        assert_eq!(date(60.0), (Value::Number(60.0), None));
        // The 1904 system counts from 1904-01-01.
        assert_eq!(
            date_time(&ExcelDateTime::new(0.0 + 1.0, DateTime, true), true).0,
            Value::Date(NaiveDate::from_ymd_opt(1904, 1, 2).unwrap())
        );
    }

    #[test]
    fn durations() {
        let dur = |v| date_time(&ExcelDateTime::new(v, TimeDelta, false), false);
        assert_eq!(dur(1.5).0, Value::Text("36:00".into()));
        assert_eq!(dur(-0.25).0, Value::Text("-6:00".into()));
        assert_eq!(dur(1.0 / 86_400.0).0, Value::Text("0:00:01".into()));
        let (value, issue) = dur(1e300);
        assert_eq!(value, Value::Number(1e300));
        assert_eq!(issue, Some(CellIssue::DurationOutOfRange(1e300)));
    }

    #[test]
    fn messages_name_the_cell() {
        let m = CellIssue::DateOutOfRange(-1e20).message(1, 0);
        assert!(m.starts_with("A2 のセル"), "{m}");
        assert!(m.contains("（-1e20）"), "{m}");
    }
}
