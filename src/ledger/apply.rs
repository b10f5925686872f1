//! Applies the ledger to the remarks of this run: each remark whose
//! identity has a correction gets it (shown in its 修正 cells), and a remark
//! whose wording was corrected at another meeting of the same profession
//! gets that correction's labels too (its 修正 cells stay empty: staff did
//! not type there). Values that are not valid labels are not applied; they
//! stay in their cell and are warned by name with the closest valid label.
//!
//! It also gives every ledger entry its state for this run (the 修正履歴
//! sheet) and the counts of the run's summary.

use std::collections::{HashMap, HashSet};

use super::{Correction, Entry, Ledger};
use crate::identity::RemarkKey;
use crate::model::{Batch, Kind, Labels, Location, Source, Sources};

/// What became of one ledger entry in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// Its remark was read: its correction applied.
    Applied,
    /// Its remark was not read, but the same words at another meeting of
    /// the same profession took its correction.
    AppliedToSameWording,
    /// Its remark was read, but a value is not a valid label.
    Invalid,
    /// Its remark was read; only staff columns, or withdrawn values.
    Shown,
    /// Its meeting is outside `--since` / `--until`.
    OutOfPeriod,
    /// Its remark is not among this run's inputs.
    NotInRun,
}

impl EntryState {
    pub fn label(self) -> &'static str {
        match self {
            EntryState::Applied => "反映した",
            EntryState::AppliedToSameWording => "反映した（同じ意見・別の会議）",
            EntryState::Invalid => "値の誤りがあり、その値は反映していない",
            EntryState::Shown => "一覧に表示（修正なし）",
            EntryState::OutOfPeriod => "期間外の会議なので今回は使っていない",
            EntryState::NotInRun => "今回の入力にない意見（台帳に保管）",
        }
    }

    fn kept(self) -> bool {
        matches!(self, EntryState::OutOfPeriod | EntryState::NotInRun)
    }
}

/// The ledger applied to one run.
#[derive(Debug, Default)]
pub struct Applied {
    /// Per remark: what its 修正 cells show (the values typed for it).
    pub per_remark: Vec<Correction>,
    /// Staff column headers shown after 一覧's own columns.
    pub staff_columns: Vec<String>,
    /// Per remark, per staff column: its value (empty when there are no
    /// staff columns).
    pub staff_values: Vec<Vec<String>>,
    /// Every entry of the ledger with its state, in ledger order.
    pub history: Vec<(Entry, EntryState)>,
    /// Corrections applied (entries), kept for remarks not read (of them,
    /// outside the period), and with an invalid value.
    pub applied: usize,
    pub kept: usize,
    pub out_of_period: usize,
    pub invalid: usize,
    /// Messages for staff: values that are not labels, by name.
    pub warnings: Vec<String>,
}

/// The valid labels a correction may use.
pub struct Vocabulary<'a> {
    /// The rules' categories and those of this run's 例② sheets.
    pub categories: &'a [String],
}

/// Applies `ledger` to `labels` (one per remark of `batch`). `filtered_out`
/// are the identities of remarks left out by `--since` / `--until`;
/// `staff_columns` the staff columns of the previous 一覧, in its order.
pub fn apply(
    batch: &Batch,
    labels: &mut [Labels],
    sources: &mut [Sources],
    ledger: &Ledger,
    vocabulary: &Vocabulary,
    filtered_out: &HashSet<RemarkKey>,
    staff_columns: &[String],
) -> Applied {
    let n = batch.remarks.len();
    let mut out = Applied {
        per_remark: vec![Correction::default(); n],
        ..Applied::default()
    };
    let keys: Vec<RemarkKey> = batch
        .remarks
        .iter()
        .map(|r| batch.meetings[r.meeting].key_of(r))
        .collect();

    // The newest correction of each wording, for remarks with none of their own.
    let mut by_wording: HashMap<(&str, &str), &Entry> = HashMap::new();
    for e in ledger.entries() {
        if e.correction().is_empty() {
            continue;
        }
        let slot = by_wording.entry(e.key.wording()).or_insert(e);
        if e.last_changed() > slot.last_changed() {
            *slot = e;
        }
    }

    let mut states: HashMap<&RemarkKey, EntryState> = HashMap::new();
    let mut warned: HashSet<&RemarkKey> = HashSet::new();
    for (i, key) in keys.iter().enumerate() {
        let (entry, own) = match ledger.get(key) {
            Some(e) => (e, true),
            None => match by_wording.get(&key.wording()) {
                Some(e) => (*e, false),
                None => continue,
            },
        };
        let correction = entry.correction();
        let checked = check(&correction, vocabulary);
        let state = if !checked.errors.is_empty() {
            EntryState::Invalid
        } else if correction.is_empty() {
            EntryState::Shown
        } else if own {
            EntryState::Applied
        } else {
            EntryState::AppliedToSameWording
        };
        if own {
            out.per_remark[i] = correction;
            if !checked.errors.is_empty() && warned.insert(&entry.key) {
                let remark = &batch.remarks[i];
                for error in &checked.errors {
                    out.warnings.push(format!(
                        "{error}（{}「{}」、ID {}）。分類一覧の「一覧」の修正の列を直してください",
                        entry.key.profession,
                        excerpt(&remark.normalized),
                        remark.id
                    ));
                }
            }
        }
        let source = if own {
            Source::Correction
        } else {
            Source::SameWording
        };
        checked.apply_to(&mut labels[i], sources.get_mut(i), source);
        if own || !states.contains_key(&entry.key) {
            states.insert(&entry.key, state);
        }
    }

    for e in ledger.entries() {
        let state = match states.get(&e.key) {
            Some(s) => *s,
            None if filtered_out.contains(&e.key) => EntryState::OutOfPeriod,
            None => EntryState::NotInRun,
        };
        if !e.correction().is_empty() {
            match state {
                EntryState::Applied | EntryState::AppliedToSameWording => out.applied += 1,
                EntryState::Invalid => out.invalid += 1,
                s if s.kept() => {
                    out.kept += 1;
                    if s == EntryState::OutOfPeriod {
                        out.out_of_period += 1;
                    }
                }
                _ => {}
            }
        }
        out.history.push((e.clone(), state));
    }

    // Staff columns: the previous 一覧's, then any other the ledger holds
    // a value of for a remark of this run.
    let mut columns: Vec<String> = staff_columns.to_vec();
    for c in ledger.staff_columns() {
        if !columns.contains(c)
            && keys
                .iter()
                .any(|k| ledger.get(k).is_some_and(|e| !e.get(c).is_empty()))
        {
            columns.push(c.clone());
        }
    }
    if !columns.is_empty() {
        out.staff_values = keys
            .iter()
            .map(|k| match ledger.get(k) {
                Some(e) => columns.iter().map(|c| e.get(c).to_string()).collect(),
                None => vec![String::new(); columns.len()],
            })
            .collect();
    }
    out.staff_columns = columns;
    out
}

/// A correction checked against the valid labels.
pub struct Checked {
    categories: Option<Vec<String>>,
    kind: Option<Kind>,
    location: Option<Location>,
    errors: Vec<String>,
}

impl Checked {
    /// Puts the valid values into `labels` (and `source` into `sources`).
    pub fn apply_to(&self, labels: &mut Labels, sources: Option<&mut Sources>, source: Source) {
        let mut scratch = Sources {
            categories: Vec::new(),
            kind: Source::Default,
            location: Source::Default,
            added_parties: Vec::new(),
            dropped_parties: Vec::new(),
        };
        let sources = sources.unwrap_or(&mut scratch);
        if let Some(c) = &self.categories {
            labels.categories = c.clone();
            sources.categories = vec![source; c.len()];
        }
        if let Some(k) = self.kind {
            labels.kind = k;
            sources.kind = source;
        }
        if let Some(l) = self.location {
            labels.location = l;
            sources.location = source;
        }
    }
}

/// Splits a typed category cell: `、` or `,` (either width) or `/` between
/// categories, or a line break.
pub fn split_categories(cell: &str) -> Vec<String> {
    cell.split(['、', ',', '，', '/', '／', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Checks a correction's values against the valid labels.
pub fn check(c: &Correction, vocabulary: &Vocabulary) -> Checked {
    let mut errors = Vec::new();
    let categories = if c.category.is_empty() {
        None
    } else {
        let names = split_categories(&c.category);
        let mut ok = true;
        for name in &names {
            if !vocabulary.categories.contains(name) {
                ok = false;
                let valid: Vec<&str> = vocabulary.categories.iter().map(String::as_str).collect();
                errors.push(unknown("カテゴリ", name, &valid));
            }
        }
        (ok && !names.is_empty()).then_some(names)
    };
    let kind = if c.kind.is_empty() {
        None
    } else {
        let k = Kind::from_label(&c.kind);
        if k.is_none() {
            errors.push(unknown(
                "課題/アイデア",
                &c.kind,
                &[Kind::Issue.label(), Kind::Idea.label()],
            ));
        }
        k
    };
    let location = if c.location.is_empty() {
        None
    } else {
        let l = Location::from_label(&c.location);
        if l.is_none() {
            errors.push(unknown(
                "所在",
                &c.location,
                &Location::ALL.map(Location::label),
            ));
        }
        l
    };
    Checked {
        categories,
        kind,
        location,
        errors,
    }
}

/// `「多職種連帯」はカテゴリにありません。「多職種連携」のことですか？`
fn unknown(what: &str, value: &str, valid: &[&str]) -> String {
    match closest(value, valid) {
        Some(best) => format!("「{value}」は{what}にありません。「{best}」のことですか？"),
        None => format!(
            "「{value}」は{what}にありません。「{}」から選んでください",
            valid.join("」「")
        ),
    }
}

/// The valid label nearest to `value` by edit distance over characters,
/// when it is near enough to be a typo of it (at most half its length).
pub fn closest<'a>(value: &str, valid: &[&'a str]) -> Option<&'a str> {
    let v: String = value.trim().chars().collect();
    valid
        .iter()
        .map(|&c| (strsim::levenshtein(&v, c), c))
        .min_by_key(|&(d, _)| d)
        .filter(|&(d, c)| d * 2 <= c.chars().count().max(v.chars().count()))
        .map(|(_, c)| c)
}

/// The first 20 characters of a remark, for a message.
fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(20).collect();
    if text.chars().count() > 20 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_the_closest_label() {
        let valid = ["多職種連携", "他職種への職能の周知", "情報共有ツール"];
        assert_eq!(closest("多職種連帯", &valid), Some("多職種連携"));
        assert_eq!(closest("まったく違う言葉です", &valid), None);
        assert_eq!(
            unknown("カテゴリ", "多職種連帯", &valid),
            "「多職種連帯」はカテゴリにありません。「多職種連携」のことですか？"
        );
        assert_eq!(
            closest("地域", &["職種内", "職種間", "地域全体"]),
            Some("地域全体")
        );
    }

    #[test]
    fn one_invalid_category_keeps_the_whole_cell_from_applying() {
        let categories = vec!["多職種連携".to_string(), "看取り".to_string()];
        let v = Vocabulary {
            categories: &categories,
        };
        let c = Correction {
            category: "看取り、多職種連帯".into(),
            kind: "アイデア".into(),
            location: "地域".into(),
        };
        let checked = check(&c, &v);
        assert!(checked.categories.is_none());
        assert_eq!(
            checked.kind,
            Some(Kind::Idea),
            "a valid field still applies"
        );
        assert!(checked.location.is_none());
        assert_eq!(checked.errors.len(), 2);
    }
}
