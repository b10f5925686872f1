//! The labeled remarks the model learns from: those shipped with renkei
//! (`data/labeled/train.tsv`, written from LABELS.md by people who never saw
//! the rules; see `data/README.md`) and the office's own, which count more:
//! the categories and kinds staff gave in the run's 例② sheets, the
//! corrections in the ledger, and labeled TSVs in the `--rules` folder.
//!
//! An example may know only some of its labels (a 例② sheet has no 所在, a
//! correction may fix only the kind): each label is learned from the
//! examples that know it.

use std::collections::HashSet;
use std::path::Path;

use crate::ledger::apply::split_categories;
use crate::ledger::Ledger;
use crate::model::{Batch, Kind, Location};
use crate::normalize;
use crate::rules::eval::{content_lines, parse_labeled, Labeled};

/// The shipped training part.
pub static SHIPPED: &str = include_str!("../../data/labeled/train.tsv");

/// Where an example comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped with renkei (its id in the TSV).
    Shipped(String),
    /// A 例② sheet of this run (file!sheet!row).
    Sheet(String),
    /// A correction in the ledger.
    Correction,
    /// A labeled TSV of the rule folder (file name and id).
    Tsv(String),
}

impl Origin {
    /// For explanations.
    pub fn describe(&self) -> String {
        match self {
            Origin::Shipped(id) => format!("同梱のラベル付き意見 {id}"),
            Origin::Sheet(at) => format!("例②のシート {at}"),
            Origin::Correction => "修正の台帳".to_string(),
            Origin::Tsv(at) => format!("ルールのフォルダの {at}"),
        }
    }

    pub fn is_office(&self) -> bool {
        !matches!(self, Origin::Shipped(_))
    }
}

/// One labeled remark; `None` where a label is not known.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Normalized text.
    pub text: String,
    /// Canonical profession of the meeting.
    pub profession: String,
    pub categories: Option<Vec<String>>,
    pub kind: Option<Kind>,
    pub location: Option<Location>,
    /// 関係職種, when known.
    pub related: Option<Vec<String>>,
    pub weight: f32,
    pub origin: Origin,
}

impl Example {
    /// The example as the model takes it.
    pub fn to_train(&self) -> super::model::TrainExample {
        super::model::TrainExample {
            text: self.text.clone(),
            profession: self.profession.clone(),
            categories: self.categories.clone(),
            idea: self.kind.map(|k| k == Kind::Idea),
            location: self
                .location
                .and_then(|l| Location::ALL.iter().position(|&a| a == l))
                .map(|i| i as u8),
            related: self.related.clone(),
            weight: self.weight,
        }
    }
}

/// The shipped examples.
pub fn shipped() -> Vec<Example> {
    shipped_sample(usize::MAX)
}

/// About `at_most` shipped examples, taken evenly through the file (every
/// `len / at_most`-th, all when there are fewer): the replay of
/// fine-tuning. Only the lines taken are parsed and normalized (parsing
/// all 32,000 cost a run 0.1 s).
pub fn shipped_sample(at_most: usize) -> Vec<Example> {
    let mut lines = content_lines(SHIPPED).map(|(_, l)| l);
    let header = lines.next().unwrap_or_default();
    let data: Vec<&str> = lines.collect();
    let step = (data.len() / at_most.max(1)).max(1);
    let mut chosen = String::from(header);
    for l in data.into_iter().step_by(step) {
        chosen.push('\n');
        chosen.push_str(l);
    }
    let set = parse_labeled(&chosen).expect("the shipped labeled set is valid");
    from_labeled(&set, 1.0, |l| Origin::Shipped(l.id.clone()))
}

/// Examples from a labeled set (LABELS.md's TSV).
pub fn from_labeled(
    set: &[Labeled],
    weight: f32,
    origin: impl Fn(&Labeled) -> Origin,
) -> Vec<Example> {
    set.iter()
        .map(|l| Example {
            text: normalize::normalize(&l.text).text,
            profession: l.profession.clone(),
            categories: Some(l.labels.categories.clone()),
            kind: Some(l.labels.kind),
            location: Some(l.labels.location),
            related: Some(l.labels.related.clone()),
            weight,
            origin: origin(l),
        })
        .collect()
}

/// At most this many remarks of 例② sheets are learned from in one run:
/// they are trained on at every run, and a prefecture's archive can hold
/// tens of thousands. Beyond it, remarks are taken evenly from the whole
/// batch.
pub const SHEET_EXAMPLES_CAP: usize = 1500;

/// The human labels of the batch's 例② sheets: each remark's categories
/// and kind as staff gave them. The same words with the same labels are
/// taken once; at most [`SHEET_EXAMPLES_CAP`] are kept.
pub fn from_sheets(batch: &Batch, weight: f32) -> Vec<Example> {
    let all = sheet_examples(batch, weight);
    if all.len() <= SHEET_EXAMPLES_CAP {
        return all;
    }
    let step = all.len() as f64 / SHEET_EXAMPLES_CAP as f64;
    (0..SHEET_EXAMPLES_CAP)
        .map(|i| all[(i as f64 * step) as usize].clone())
        .collect()
}

fn sheet_examples(batch: &Batch, weight: f32) -> Vec<Example> {
    let mut seen = HashSet::new();
    batch
        .remarks
        .iter()
        .filter(|r| !r.given_categories.is_empty() || r.given_kind.is_some())
        .filter_map(|r| {
            let profession = &batch.meetings[r.meeting].profession;
            let categories = (!r.given_categories.is_empty()).then(|| r.given_categories.clone());
            let key = (
                profession.clone(),
                r.match_key.clone(),
                categories.clone(),
                r.given_kind,
            );
            seen.insert(key).then(|| Example {
                text: r.normalized.clone(),
                profession: profession.clone(),
                categories,
                kind: r.given_kind,
                location: None,
                related: None,
                weight,
                origin: Origin::Sheet(r.source.display()),
            })
        })
        .collect()
}

/// The corrections of the ledger that are valid labels (`categories`: the
/// names a correction may use).
pub fn from_ledger(ledger: &Ledger, categories: &[String], weight: f32) -> Vec<Example> {
    ledger
        .entries()
        .iter()
        .filter_map(|e| {
            let c = e.correction();
            let cats = split_categories(&c.category);
            let categories =
                (!cats.is_empty() && cats.iter().all(|n| categories.contains(n))).then_some(cats);
            let kind = Kind::from_label(&c.kind);
            let location = Location::from_label(&c.location);
            (categories.is_some() || kind.is_some() || location.is_some()).then(|| Example {
                text: e.text.clone(),
                profession: e.key.profession.clone(),
                categories,
                kind,
                location,
                related: None,
                weight,
                origin: Origin::Correction,
            })
        })
        .collect()
}

/// Why a labeled TSV of the rule folder cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("ルールのフォルダの {file} を読めません: {message}")]
pub struct TsvError {
    pub file: String,
    pub message: String,
}

/// Every labeled TSV (`*.tsv`) in the rule folder `dir`, in name order.
pub fn from_rules_dir(dir: &Path, weight: f32) -> Result<Vec<Example>, TsvError> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| TsvError {
            file: dir.display().to_string(),
            message: e.to_string(),
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("tsv")))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let err = |message: String| TsvError {
            file: name.clone(),
            message,
        };
        let bytes = std::fs::read(&path).map_err(|e| err(e.to_string()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| err("文字コードが UTF-8 ではありません".into()))?;
        let set = parse_labeled(&text).map_err(|e| err(e.to_string()))?;
        out.extend(from_labeled(&set, weight, |l| {
            Origin::Tsv(format!("{name} {}", l.id))
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_set_reads_and_knows_every_label() {
        let s = shipped();
        assert!(s.len() > 1000, "{}", s.len());
        assert!(s
            .iter()
            .all(|e| e.categories.is_some() && e.kind.is_some() && e.location.is_some()));
    }

    #[test]
    fn the_replay_takes_every_nth_parsed_example() {
        let all = parse_labeled(SHIPPED).unwrap();
        use crate::learn::REPLAY;
        let sample = shipped_sample(REPLAY);
        let step = all.len() / REPLAY;
        let want: Vec<&str> = all.iter().step_by(step).map(|l| l.id.as_str()).collect();
        let got: Vec<String> = sample
            .iter()
            .map(|e| match &e.origin {
                Origin::Shipped(id) => id.clone(),
                o => panic!("{o:?}"),
            })
            .collect();
        assert_eq!(got, want);
        assert!(sample.len() >= REPLAY, "{}", sample.len());
    }
}
