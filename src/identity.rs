//! A remark's identity: who said what, at which meeting, never where the
//! file lies. Corrections and staff columns are tied to it, so they follow
//! a remark across renamed and moved files, re-saved workbooks, inserted
//! columns and re-sorted rows.
//!
//! The identity is the meeting's profession (canonical, through the
//! lexicon), the remark's match key (normalized text without spaces and
//! punctuation) and the meeting's *occasion*: its date, else its round
//! (`第2回`), else nothing. The occasion tells apart one remark said at two
//! meetings (staff may label 「情報共有不足」 differently in April and in
//! October); the same remark twice in one meeting is one identity, shown as
//! `ID`, `ID-2` … in 一覧.

use std::fmt::Write as _;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

/// Who said what, at which meeting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RemarkKey {
    pub profession: String,
    pub match_key: String,
    pub occasion: String,
}

impl RemarkKey {
    /// The same remark at any meeting: profession and wording.
    pub fn wording(&self) -> (&str, &str) {
        (&self.profession, &self.match_key)
    }

    /// The `ID` column's value (before `-2` for a repeat in one meeting).
    pub fn id(&self) -> String {
        remark_id(&self.profession, &self.match_key, &self.occasion)
    }
}

/// The first 6 bytes of a SHA-256 of the three parts of a [`RemarkKey`], in
/// lowercase hex.
pub fn remark_id(profession: &str, match_key: &str, occasion: &str) -> String {
    let mut h = Sha256::new();
    for part in [profession, "\u{0}", match_key, "\u{0}", occasion] {
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut id = String::with_capacity(12);
    for b in &digest[..6] {
        let _ = write!(id, "{b:02x}");
    }
    id
}

/// The occasion of a meeting: `2024-04-01`, else `第2回`, else empty.
pub fn occasion(date: Option<NaiveDate>, round: Option<u32>) -> String {
    match (date, round) {
        (Some(d), _) => d.format("%Y-%m-%d").to_string(),
        (None, Some(r)) => format!("第{r}回"),
        (None, None) => String::new(),
    }
}

/// The ID without its `-2`, `-3` repeat suffix.
pub fn base_id(id: &str) -> &str {
    match id.split_once('-') {
        Some((base, n)) if n.parse::<u32>().is_ok() => base,
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: &str, k: &str, o: &str) -> RemarkKey {
        RemarkKey {
            profession: p.into(),
            match_key: k.into(),
            occasion: o.into(),
        }
    }

    #[test]
    fn the_id_depends_on_every_part_and_nothing_else() {
        let a = key("薬剤師", "残薬が多い", "2024-04-01");
        assert_eq!(a.id(), a.clone().id());
        assert_eq!(a.id().len(), 12);
        assert_ne!(a.id(), key("医師", "残薬が多い", "2024-04-01").id());
        assert_ne!(a.id(), key("薬剤師", "残薬が少ない", "2024-04-01").id());
        assert_ne!(a.id(), key("薬剤師", "残薬が多い", "2024-05-01").id());
        // Parts cannot run into each other.
        assert_ne!(key("ab", "c", "").id(), key("a", "bc", "").id());
    }

    #[test]
    fn occasion_prefers_the_date_then_the_round() {
        let d = NaiveDate::from_ymd_opt(2024, 4, 1);
        assert_eq!(occasion(d, Some(2)), "2024-04-01");
        assert_eq!(occasion(None, Some(2)), "第2回");
        assert_eq!(occasion(None, None), "");
    }

    #[test]
    fn base_id_drops_only_a_repeat_suffix() {
        assert_eq!(base_id("0b87794e1b05"), "0b87794e1b05");
        assert_eq!(base_id("0b87794e1b05-2"), "0b87794e1b05");
        assert_eq!(base_id("abc-x"), "abc-x");
    }
}
