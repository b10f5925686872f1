//! Scores the rules alone, the model alone and the two combined on a labeled
//! set (`renkei eval`), and the same by k-fold cross-validation of the model
//! on that set (`--cv K`): each fold is predicted by a model trained on the
//! other folds only, so the file's own labels never score a model that saw
//! them.

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use super::combine::Classifier;
use super::examples::{from_labeled, Example, Origin};
use super::TrainSettings;
use crate::classify::Input;
use crate::model::Labels;
use crate::normalize::normalize;
use crate::rules::eval::{score, Labeled, Report};
use crate::rules::Rules;

/// The three scores of one labeled set.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Folds of the cross-validation, when one was run.
    pub cv: Option<usize>,
    pub rules: Report,
    pub model: Report,
    pub combined: Report,
}

/// Scores `set` with the model `run` uses: the shipped one, trained
/// further on `office` examples (the rule folder's TSVs).
pub fn compare(rules: &Rules, set: &[Labeled], office: &[Example]) -> Comparison {
    let classifier = Classifier::for_run(rules, office);
    let (model, combined) = predict(&classifier, set);
    Comparison {
        cv: None,
        rules: score(rules, set, &predict_rules(rules, set)),
        model: score(rules, set, &model),
        combined: score(rules, set, &combined),
    }
}

/// Scores `set` by `k`-fold cross-validation of the model on it alone.
pub fn cross_validate(rules: &Rules, set: &[Labeled], k: usize) -> Comparison {
    let k = k.clamp(2, set.len().max(2));
    let fold_of = |i: usize| i % k;
    let mut model = vec![None; set.len()];
    let mut combined = vec![None; set.len()];
    for fold in 0..k {
        let train: Vec<Labeled> = set
            .iter()
            .enumerate()
            .filter(|(i, _)| fold_of(*i) != fold)
            .map(|(_, l)| l.clone())
            .collect();
        let test: Vec<(usize, &Labeled)> = set
            .iter()
            .enumerate()
            .filter(|(i, _)| fold_of(*i) == fold)
            .collect();
        let examples = from_labeled(&train, 1.0, |l| Origin::Shipped(l.id.clone()));
        let classifier = Classifier::train(rules, &examples, &TrainSettings::default());
        let part: Vec<Labeled> = test.iter().map(|(_, l)| (*l).clone()).collect();
        let (m, c) = predict(&classifier, &part);
        for ((i, _), (m, c)) in test.iter().zip(m.into_iter().zip(c)) {
            model[*i] = Some(m);
            combined[*i] = Some(c);
        }
    }
    let unwrap = |v: Vec<Option<Labels>>| {
        v.into_iter()
            .map(|x| x.expect("every fold predicted"))
            .collect::<Vec<_>>()
    };
    Comparison {
        cv: Some(k),
        rules: score(rules, set, &predict_rules(rules, set)),
        model: score(rules, set, &unwrap(model)),
        combined: score(rules, set, &unwrap(combined)),
    }
}

fn predict_rules(rules: &Rules, set: &[Labeled]) -> Vec<Labels> {
    let c = Classifier::rules_only(rules);
    predict_with(set, |input| c.classify(input).0)
}

/// (model alone, combined) for every remark of `set`.
fn predict(c: &Classifier, set: &[Labeled]) -> (Vec<Labels>, Vec<Labels>) {
    let model = predict_with(set, |input| {
        c.model_alone(input).unwrap_or_else(|| c.classify(input).0)
    });
    let combined = predict_with(set, |input| c.classify(input).0);
    (model, combined)
}

fn predict_with(set: &[Labeled], f: impl Fn(&Input) -> Labels + Sync) -> Vec<Labels> {
    set.par_iter()
        .map(|l| {
            let text = normalize(&l.text).text;
            f(&Input::new(&text, &l.profession))
        })
        .collect()
}

impl Comparison {
    /// The three side by side, then the combination's full report.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let how = match self.cv {
            Some(k) => format!("学習モデルは {k} 分割の交差検証（その分割を除いた残りだけで学習）"),
            None => {
                "学習モデルは同梱のもの（data/labeled/train.tsv で学習。--rules のフォルダの TSV があればそれでも学習）".to_string()
            }
        };
        let _ = writeln!(o, "評価した意見: {} 件（{how}）\n", self.rules.remarks);
        let _ = writeln!(
            o,
            "                カテゴリ    カテゴリ   課題/      所在   関係職種\n                マイクロF1  マクロF1   アイデア          マイクロF1"
        );
        for (name, r) in [
            ("ルールだけ    ", &self.rules),
            ("学習モデルだけ", &self.model),
            ("組み合わせ    ", &self.combined),
        ] {
            let _ = writeln!(
                o,
                "{name}  {:>8.3}  {:>8.3}  {:>8.3}  {:>8.3}  {:>8.3}",
                r.categories.micro.f1,
                r.categories.macro_f1,
                r.kind.accuracy,
                r.location.accuracy,
                r.related.f1
            );
        }
        let _ = writeln!(
            o,
            "\n■ カテゴリ別 F1（ルールだけ / 学習モデルだけ / 組み合わせ）"
        );
        for (i, c) in self.rules.categories.per_category.iter().enumerate() {
            let f = |r: &Report| r.categories.per_category.get(i).map_or(0.0, |c| c.prf.f1);
            let _ = writeln!(
                o,
                "{}  {:.3} / {:.3} / {:.3}（正解 {} 件）",
                crate::rules::eval::pad(&c.name, 24),
                c.prf.f1,
                f(&self.model),
                f(&self.combined),
                c.support
            );
        }
        let _ = writeln!(o, "\n■ 組み合わせの詳細");
        o.push_str(&self.combined.render());
        o
    }
}
