//! `--since` / `--until`: the period of meetings a run uses. A reversed
//! period is a usage error; meetings outside it are left out, and the
//! identities of their remarks are kept so their corrections can be shown as
//! waiting for a run that reads them, not as missing.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::dates;
use crate::identity::RemarkKey;
use crate::model::{Batch, SheetOutcome};

/// The period asked for; both ends included, either may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Period {
    /// Parses the two options; a date that cannot be read or a reversed
    /// period is a message for staff.
    pub fn parse(since: Option<&str>, until: Option<&str>) -> Result<Period, String> {
        let period = Period {
            since: parse_bound(since, "--since")?,
            until: parse_bound(until, "--until")?,
        };
        if let (Some(s), Some(u)) = (period.since, period.until) {
            if s > u {
                return Err(format!(
                    "期間の指定が逆です: --since（{}）が --until（{}）より後の日付になっています。--since に始まりの日、--until に終わりの日を指定してください",
                    s.format("%Y-%m-%d"),
                    u.format("%Y-%m-%d")
                ));
            }
        }
        Ok(period)
    }

    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    fn contains(&self, d: NaiveDate) -> bool {
        self.since.is_none_or(|s| d >= s) && self.until.is_none_or(|u| d <= u)
    }

    /// `2024-04-01 〜 2024-06-30`, `2024-04-01 以降`, `2024-06-30 まで`.
    pub fn describe(&self) -> String {
        let f = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        match (self.since, self.until) {
            (Some(s), Some(u)) => format!("{} 〜 {}", f(s), f(u)),
            (Some(s), None) => format!("{} 以降", f(s)),
            (None, Some(u)) => format!("{} まで", f(u)),
            (None, None) => "指定なし".to_string(),
        }
    }
}

fn parse_bound(s: Option<&str>, flag: &str) -> Result<Option<NaiveDate>, String> {
    match s {
        None => Ok(None),
        Some(s) => dates::parse_date(s).map(Some).ok_or_else(|| {
            format!("{flag} の日付「{s}」を読めません（例: 2024-04-01、令和6年4月1日）")
        }),
    }
}

/// What [`filter`] left out.
#[derive(Debug, Default)]
pub struct LeftOut {
    pub remarks: usize,
    /// Identities of the remarks left out.
    pub keys: HashSet<RemarkKey>,
    /// The dates of all dated meetings read, first and last, so a message
    /// can say which period the inputs cover.
    pub span: Option<(NaiveDate, NaiveDate)>,
}

/// Keeps the meetings inside the period; undated meetings are left out when
/// a period is given (their date cannot be compared) and counted.
pub fn filter(batch: Batch, period: Period) -> (Batch, LeftOut) {
    let mut left = LeftOut {
        span: batch
            .meetings
            .iter()
            .filter_map(|m| m.date)
            .fold(None, |s, d| {
                Some(s.map_or((d, d), |(a, b): (NaiveDate, NaiveDate)| {
                    (a.min(d), b.max(d))
                }))
            }),
        ..LeftOut::default()
    };
    if period.is_open() {
        return (batch, left);
    }
    let keep: Vec<bool> = batch
        .meetings
        .iter()
        .map(|m| m.date.is_some_and(|d| period.contains(d)))
        .collect();
    let mut new_index = vec![usize::MAX; batch.meetings.len()];
    let mut out = Batch {
        files: batch.files,
        meetings: Vec::new(),
        remarks: Vec::new(),
    };
    let old_meetings = batch.meetings;
    for (m, k) in old_meetings.iter().zip(&keep) {
        if *k {
            new_index[m.index] = out.meetings.len();
            let mut m = m.clone();
            m.index = out.meetings.len();
            out.meetings.push(m);
        }
    }
    for mut r in batch.remarks {
        if keep[r.meeting] {
            r.meeting = new_index[r.meeting];
            out.remarks.push(r);
        } else {
            left.remarks += 1;
            left.keys.insert(old_meetings[r.meeting].key_of(&r));
        }
    }
    for f in &mut out.files {
        for s in &mut f.sheets {
            if let SheetOutcome::Meeting(i) = s.outcome {
                s.outcome = if keep[i] {
                    SheetOutcome::Meeting(new_index[i])
                } else {
                    SheetOutcome::Skipped(
                        "指定した期間（--since / --until）の外の会議なので使いません".into(),
                    )
                };
            }
        }
    }
    (out, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reversed_period_is_refused_and_one_day_is_fine() {
        let e = Period::parse(Some("2024-06-01"), Some("2024-01-01")).unwrap_err();
        assert!(e.contains("逆"), "{e}");
        let p = Period::parse(Some("2024-06-01"), Some("令和6年6月1日")).unwrap();
        assert_eq!(p.describe(), "2024-06-01 〜 2024-06-01");
        assert!(Period::parse(Some("そのうち"), None).is_err());
        assert!(Period::parse(None, None).unwrap().is_open());
    }
}
