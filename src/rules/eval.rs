//! `renkei eval`: scores the rules against remarks a person labeled
//! (LABELS.md's TSV: `id profession text categories kind tier related`).
//!
//! Each remark is normalized and classified as a 例① remark of a meeting with
//! its profession (no 備考, nothing given), then compared with the labels:
//!
//! - カテゴリ (multi-label): per-category precision, recall, F1 and Cohen's
//!   κ over the remark × category yes/no decisions; micro P/R/F1 over all
//!   those decisions; macro F1 and mean κ over the categories that occur in
//!   the labels or the predictions (a category nobody used says nothing).
//! - 課題/アイデア and 所在: accuracy, κ, and the confusion table.
//! - 関係職種: micro P/R/F1 over remark × party.
//!
//! A precision or recall with nothing to count (0/0) is 0; a κ whose chance
//! agreement is 1 (every decision the same on both sides) is 1.

use std::collections::HashSet;
use std::fmt;
use std::fmt::Write as _;

use serde::Serialize;

use super::Rules;
use crate::classify::{classify, Input};
use crate::model::{Kind, Labels, Location};
use crate::normalize::normalize;

/// The header of the TSV, in its usual order (any order is read).
pub const COLUMNS: [&str; 7] = [
    "id",
    "profession",
    "text",
    "categories",
    "kind",
    "tier",
    "related",
];

/// A labeled set that cannot be read: one Japanese line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{l} 行目: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for EvalError {}

/// One labeled remark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labeled {
    pub line: usize,
    pub id: String,
    pub profession: String,
    pub text: String,
    pub labels: Labels,
}

fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ','])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The lines of a labeled TSV that hold something, with their line
/// numbers: the header, then one remark each (blank lines and lines
/// starting with `#` skipped, a BOM and `\r` dropped).
pub fn content_lines(src: &str) -> impl Iterator<Item = (usize, &str)> {
    src.strip_prefix('\u{feff}')
        .unwrap_or(src)
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
}

/// Reads the TSV. Blank lines and lines starting with `#` are skipped; a
/// line may lack its last (related) column when it is empty.
pub fn parse_labeled(src: &str) -> Result<Vec<Labeled>, EvalError> {
    let mut lines = content_lines(src);
    let Some((hline, header)) = lines.next() else {
        return Err(EvalError {
            line: None,
            message: "ファイルが空です".into(),
        });
    };
    let names: Vec<&str> = header.split('\t').map(str::trim).collect();
    let mut col = [0usize; 7];
    for (k, want) in COLUMNS.iter().enumerate() {
        col[k] = names
            .iter()
            .position(|n| n == want)
            .ok_or_else(|| EvalError {
                line: Some(hline),
                message: format!(
                    "見出しに「{want}」の列がありません（見出しは {} をタブで区切ります）",
                    COLUMNS.join(" ")
                ),
            })?;
    }
    let mut out: Vec<Labeled> = Vec::new();
    let mut seen = HashSet::new();
    for (line, l) in lines {
        let err = |message: String| EvalError {
            line: Some(line),
            message,
        };
        let fields: Vec<&str> = l.split('\t').collect();
        let need = col.iter().max().copied().unwrap_or(0) + 1;
        let related_last = col[6] == need - 1;
        if fields.len() < need && !(related_last && fields.len() == need - 1) {
            return Err(err(format!(
                "列が {} 個しかありません（{} 個の列をタブで区切ります）",
                fields.len(),
                need
            )));
        }
        let get = |k: usize| fields.get(col[k]).copied().unwrap_or("").trim();
        let id = get(0).to_string();
        if id.is_empty() {
            return Err(err("id が空です".into()));
        }
        if !seen.insert(id.clone()) {
            return Err(err(format!("id「{id}」が二度あります")));
        }
        let text = get(2);
        if text.is_empty() {
            return Err(err(format!("{id} の text（意見）が空です")));
        }
        let kind = Kind::from_label(get(4)).ok_or_else(|| {
            err(format!(
                "{id} の kind「{}」は 課題 か アイデア にしてください",
                get(4)
            ))
        })?;
        let location = Location::from_label(get(5)).ok_or_else(|| {
            err(format!(
                "{id} の tier「{}」は 職種内・職種間・地域全体 のどれかにしてください",
                get(5)
            ))
        })?;
        out.push(Labeled {
            line,
            profession: get(1).to_string(),
            text: text.to_string(),
            labels: Labels {
                categories: split_list(get(3)),
                kind,
                location,
                related: split_list(get(6)),
            },
            id,
        });
    }
    if out.is_empty() {
        return Err(EvalError {
            line: None,
            message: "見出しの下に意見が一行もありません".into(),
        });
    }
    Ok(out)
}

/// Precision, recall, F1 with their counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Prf {
    fn from_counts(tp: usize, fp: usize, fn_: usize) -> Prf {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf {
            precision,
            recall,
            f1,
            tp,
            fp,
            fn_,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryScore {
    pub name: String,
    #[serde(flatten)]
    pub prf: Prf,
    /// Remarks the labels put in this category.
    pub support: usize,
    /// Remarks the rules put in this category.
    pub predicted: usize,
    pub kappa: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryReport {
    pub per_category: Vec<CategoryScore>,
    pub micro: Prf,
    /// Mean F1 over the categories with support or predictions.
    pub macro_f1: f64,
    /// Mean κ over the same categories.
    pub mean_kappa: f64,
    /// How many categories the macro figures average over.
    pub macro_over: usize,
}

/// Accuracy, κ and the confusion table (rows: labels, columns: predicted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassReport {
    pub labels: Vec<String>,
    pub accuracy: f64,
    pub correct: usize,
    pub kappa: f64,
    pub confusion: Vec<Vec<usize>>,
}

/// A remark the rules got wrong somewhere.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub id: String,
    pub line: usize,
    pub profession: String,
    pub text: String,
    /// (family, labeled, predicted) for each family that differs.
    pub diffs: Vec<Diff>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub family: String,
    pub labeled: String,
    pub predicted: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub remarks: usize,
    pub categories: CategoryReport,
    pub kind: ClassReport,
    pub location: ClassReport,
    pub related: Prf,
    pub misses: Vec<Miss>,
}

/// Cohen's κ of a square confusion table.
fn kappa(table: &[Vec<usize>]) -> f64 {
    let n: usize = table.iter().flatten().sum();
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    let po = (0..table.len()).map(|i| table[i][i]).sum::<usize>() as f64 / n;
    let pe: f64 = (0..table.len())
        .map(|i| {
            let row: usize = table[i].iter().sum();
            let col: usize = table.iter().map(|r| r[i]).sum();
            (row as f64 / n) * (col as f64 / n)
        })
        .sum();
    if (1.0 - pe).abs() < 1e-12 {
        if (po - 1.0).abs() < 1e-12 {
            1.0
        } else {
            0.0
        }
    } else {
        (po - pe) / (1.0 - pe)
    }
}

fn class_report<T: PartialEq + Copy>(
    all: &[T],
    label: impl Fn(T) -> &'static str,
    pairs: &[(T, T)],
) -> ClassReport {
    let idx = |v: T| all.iter().position(|&a| a == v).unwrap_or(0);
    let mut confusion = vec![vec![0usize; all.len()]; all.len()];
    for &(gold, pred) in pairs {
        confusion[idx(gold)][idx(pred)] += 1;
    }
    let correct = (0..all.len()).map(|i| confusion[i][i]).sum();
    ClassReport {
        labels: all.iter().map(|&v| label(v).to_string()).collect(),
        accuracy: if pairs.is_empty() {
            0.0
        } else {
            correct as f64 / pairs.len() as f64
        },
        correct,
        kappa: kappa(&confusion),
        confusion,
    }
}

/// Classifies every labeled remark with the rules and scores the result.
pub fn evaluate(rules: &Rules, set: &[Labeled]) -> Report {
    let predicted: Vec<Labels> = set
        .iter()
        .map(|l| {
            let text = normalize(&l.text).text;
            classify(rules, &Input::new(&text, &l.profession))
        })
        .collect();
    score(rules, set, &predicted)
}

/// Scores `predicted` (one per labeled remark, same order) against the labels.
pub fn score(rules: &Rules, set: &[Labeled], predicted: &[Labels]) -> Report {
    // Category names: the rules' order, then any other name the labels use.
    let mut names: Vec<String> = rules.categories().iter().map(|c| c.name.clone()).collect();
    for l in set {
        for c in &l.labels.categories {
            if !names.contains(c) {
                names.push(c.clone());
            }
        }
    }
    let mut per_category = Vec::new();
    let (mut tp_all, mut fp_all, mut fn_all) = (0, 0, 0);
    for name in &names {
        let mut t = [[0usize; 2]; 2];
        for (l, p) in set.iter().zip(predicted) {
            let g = l.labels.categories.contains(name) as usize;
            let q = p.categories.contains(name) as usize;
            t[1 - g][1 - q] += 1;
        }
        let (tp, fn_, fp) = (t[0][0], t[0][1], t[1][0]);
        tp_all += tp;
        fp_all += fp;
        fn_all += fn_;
        per_category.push(CategoryScore {
            name: name.clone(),
            prf: Prf::from_counts(tp, fp, fn_),
            support: tp + fn_,
            predicted: tp + fp,
            kappa: kappa(&t.iter().map(|r| r.to_vec()).collect::<Vec<_>>()),
        });
    }
    let used: Vec<&CategoryScore> = per_category
        .iter()
        .filter(|c| c.support + c.predicted > 0)
        .collect();
    let mean = |f: fn(&CategoryScore) -> f64| {
        if used.is_empty() {
            0.0
        } else {
            used.iter().map(|c| f(c)).sum::<f64>() / used.len() as f64
        }
    };
    let categories = CategoryReport {
        micro: Prf::from_counts(tp_all, fp_all, fn_all),
        macro_f1: mean(|c| c.prf.f1),
        mean_kappa: mean(|c| c.kappa),
        macro_over: used.len(),
        per_category,
    };

    let kind_pairs: Vec<(Kind, Kind)> = set
        .iter()
        .zip(predicted)
        .map(|(l, p)| (l.labels.kind, p.kind))
        .collect();
    let kind = class_report(&[Kind::Issue, Kind::Idea], Kind::label, &kind_pairs);
    let loc_pairs: Vec<(Location, Location)> = set
        .iter()
        .zip(predicted)
        .map(|(l, p)| (l.labels.location, p.location))
        .collect();
    let location = class_report(&Location::ALL, Location::label, &loc_pairs);

    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (l, p) in set.iter().zip(predicted) {
        tp += p
            .related
            .iter()
            .filter(|r| l.labels.related.contains(r))
            .count();
        fp += p
            .related
            .iter()
            .filter(|r| !l.labels.related.contains(r))
            .count();
        fn_ += l
            .labels
            .related
            .iter()
            .filter(|r| !p.related.contains(r))
            .count();
    }
    let related = Prf::from_counts(tp, fp, fn_);

    let misses = set
        .iter()
        .zip(predicted)
        .filter_map(|(l, p)| {
            let diffs = diffs(&l.labels, p);
            (!diffs.is_empty()).then(|| Miss {
                id: l.id.clone(),
                line: l.line,
                profession: l.profession.clone(),
                text: l.text.clone(),
                diffs,
            })
        })
        .collect();

    Report {
        remarks: set.len(),
        categories,
        kind,
        location,
        related,
        misses,
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

fn diffs(gold: &Labels, pred: &Labels) -> Vec<Diff> {
    let mut out = Vec::new();
    let mut push = |family: &str, labeled: String, predicted: String| {
        out.push(Diff {
            family: family.to_string(),
            labeled,
            predicted,
        })
    };
    let join = |v: &[String]| {
        if v.is_empty() {
            "（なし）".to_string()
        } else {
            v.join("、")
        }
    };
    if !same_set(&gold.categories, &pred.categories) {
        push("カテゴリ", join(&gold.categories), join(&pred.categories));
    }
    if gold.kind != pred.kind {
        push(
            "課題/アイデア",
            gold.kind.label().into(),
            pred.kind.label().into(),
        );
    }
    if gold.location != pred.location {
        push(
            "所在",
            gold.location.label().into(),
            pred.location.label().into(),
        );
    }
    if !same_set(&gold.related, &pred.related) {
        push("関係職種", join(&gold.related), join(&pred.related));
    }
    out
}

impl Report {
    /// The short summary (one line a family), also the head of [`Report::render`].
    pub fn summary(&self) -> String {
        let c = &self.categories;
        format!(
            "カテゴリ: マイクロF1 {:.3}（適合率 {:.3}・再現率 {:.3}）、マクロF1 {:.3}（{} カテゴリの平均）、κ平均 {:.3}\n\
             課題/アイデア: 正解率 {:.3}（{}/{}）、κ {:.3}\n\
             所在: 正解率 {:.3}（{}/{}）、κ {:.3}\n\
             関係職種: マイクロF1 {:.3}（適合率 {:.3}・再現率 {:.3}）\n",
            c.micro.f1,
            c.micro.precision,
            c.micro.recall,
            c.macro_f1,
            c.macro_over,
            c.mean_kappa,
            self.kind.accuracy,
            self.kind.correct,
            self.remarks,
            self.kind.kappa,
            self.location.accuracy,
            self.location.correct,
            self.remarks,
            self.location.kappa,
            self.related.f1,
            self.related.precision,
            self.related.recall,
        )
    }

    /// The full text report, in Japanese, for staff.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "評価した意見: {} 件\n", self.remarks);
        o.push_str(&self.summary());

        let _ = writeln!(
            o,
            "\n■ カテゴリ別（正解件数 = ラベルの件数、予測件数 = ルールの件数）"
        );
        let width = self
            .categories
            .per_category
            .iter()
            .map(|c| display_width(&c.name))
            .max()
            .unwrap_or(8);
        let _ = writeln!(
            o,
            "{}  適合率  再現率    F1      κ  正解件数  予測件数",
            pad("カテゴリ", width)
        );
        for c in &self.categories.per_category {
            let _ = writeln!(
                o,
                "{}  {:>6.3}  {:>6.3}  {:>5.3}  {:>6.3}  {:>8}  {:>8}",
                pad(&c.name, width),
                c.prf.precision,
                c.prf.recall,
                c.prf.f1,
                c.kappa,
                c.support,
                c.predicted
            );
        }
        let _ = writeln!(
            o,
            "（マクロF1 と κ平均は、正解か予測に1件以上ある {} カテゴリの平均です）",
            self.categories.macro_over
        );

        for (title, r) in [("課題/アイデア", &self.kind), ("所在", &self.location)] {
            let _ = writeln!(o, "\n■ {title}（行 = 正解、列 = 予測）");
            let _ = write!(o, "{}", pad("", 10));
            for l in &r.labels {
                let _ = write!(o, "{}", pad_left(l, 10));
            }
            o.push('\n');
            for (l, row) in r.labels.iter().zip(&r.confusion) {
                let _ = write!(o, "{}", pad(l, 10));
                for n in row {
                    let _ = write!(o, "{}", pad_left(&n.to_string(), 10));
                }
                o.push('\n');
            }
        }
        let r = &self.related;
        let _ = writeln!(
            o,
            "\n■ 関係職種: 正しく付けた {}、余計に付けた {}、付け漏れ {}",
            r.tp, r.fp, r.fn_
        );

        let _ = writeln!(o, "\n■ 間違えた意見（{} 件）", self.misses.len());
        for m in &self.misses {
            let _ = writeln!(o, "{} [{}] {}", m.id, m.profession, m.text);
            for d in &m.diffs {
                let _ = writeln!(
                    o,
                    "    {}: 正解 {} ／ 予測 {}",
                    d.family, d.labeled, d.predicted
                );
            }
        }
        o
    }
}

/// Columns of a terminal: full-width characters take two.
fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

pub(crate) fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

fn pad_left(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(display_width(s))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "id\tprofession\ttext\tcategories\tkind\ttier\trelated\n";

    #[test]
    fn reads_lists_and_a_missing_last_column() {
        let src = format!(
            "{HEAD}A1\t薬剤師\t残薬が多い。\t服薬・薬剤、その他\t課題\t職種内\t\nA2\t医師\t研修をしたい\t人材育成・研修\tアイデア\t職種内\n"
        );
        let set = parse_labeled(&src).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set[0].labels.categories, vec!["服薬・薬剤", "その他"]);
        assert!(set[1].labels.related.is_empty());
        assert_eq!(set[1].line, 3);
    }

    #[test]
    fn bad_lines_name_their_line() {
        for (body, line, needle) in [
            (
                "A1\t薬剤師\t残薬\t服薬・薬剤\t問題\t職種内\t\n",
                2,
                "課題 か アイデア",
            ),
            (
                "A1\t薬剤師\t残薬\t服薬・薬剤\t課題\t一次\t\n",
                2,
                "職種内・職種間・地域全体",
            ),
            ("A1\t薬剤師\t残薬\n", 2, "列が 3 個"),
            (
                "A1\t薬剤師\t残薬\t\t課題\t職種内\t\n\nA1\t医師\tx\t\t課題\t職種内\t\n",
                4,
                "二度",
            ),
            ("A1\t薬剤師\t\t\t課題\t職種内\t\n", 2, "空です"),
        ] {
            let e = parse_labeled(&format!("{HEAD}{body}")).unwrap_err();
            assert_eq!(e.line, Some(line), "{body}: {e}");
            assert!(e.message.contains(needle), "{body}: {e}");
        }
        let e = parse_labeled("id\ttext\n").unwrap_err();
        assert_eq!(e.line, Some(1));
    }

    /// The shipped rules on the training part of the shipped labeled data
    /// (`data/labeled/train.tsv`; never the frozen test part or the blind
    /// set, see `data/README.md`): floors a little under today's figures,
    /// so an edit that breaks a family shows here. Measured on the remarks
    /// of the sets before W30 (7,531), so that adding training data, which
    /// the rules were never tuned on, does not move the floor.
    #[test]
    fn shipped_rules_keep_their_scores_on_the_training_part() {
        let rules = Rules::builtin();
        let set: Vec<Labeled> = parse_labeled(include_str!("../../data/labeled/train.tsv"))
            .unwrap()
            .into_iter()
            .filter(|l| {
                let writer = l.id.strip_prefix('W').and_then(|r| r.split('-').next());
                writer
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_none_or(|n| n < 30)
            })
            .collect();
        assert_eq!(set.len(), 7531);
        let r = evaluate(&rules, &set);
        assert!(r.categories.micro.f1 >= 0.70, "{}", r.summary());
        assert!(r.categories.macro_f1 >= 0.71, "{}", r.summary());
        assert!(r.kind.accuracy >= 0.90, "{}", r.summary());
        assert!(r.location.accuracy >= 0.77, "{}", r.summary());
        assert!(r.related.f1 >= 0.90, "{}", r.summary());
    }

    #[test]
    fn kappa_of_known_tables() {
        assert!((kappa(&[vec![5, 0], vec![0, 5]]) - 1.0).abs() < 1e-9);
        assert!(kappa(&[vec![5, 5], vec![5, 5]]).abs() < 1e-9);
        assert_eq!(kappa(&[vec![10, 0], vec![0, 0]]), 1.0);
    }

    #[test]
    fn perfect_labels_score_one() {
        let rules = Rules::builtin();
        let text = "残薬が多く、飲み忘れも目立つ";
        let labels = classify(&rules, &Input::new(text, "介護支援専門員"));
        let set = vec![Labeled {
            line: 2,
            id: "X".into(),
            profession: "介護支援専門員".into(),
            text: text.into(),
            labels,
        }];
        let r = evaluate(&rules, &set);
        assert_eq!(r.categories.micro.f1, 1.0);
        assert_eq!(r.kind.accuracy, 1.0);
        assert!(r.misses.is_empty());
    }
}
