//! `renkei eval FILE --patterns`: how often each rule, and each word a rule
//! matched, fires rightly and wrongly on a labeled set, so over-broad
//! patterns can be narrowed or dropped (run it on the training part only).
//!
//! A category rule fires rightly when the remark's labels have its
//! category; a 課題/アイデア or 所在 rule when it decided the label and the
//! label is right; a dictionary word when its party is among the labels'
//! related parties.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::eval::{pad, Labeled};
use super::Rules;
use crate::classify::{explain, Family, Input};
use crate::normalize::normalize;

/// How one rule (or one word of it) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Firing {
    pub family: String,
    pub label: String,
    pub rule: String,
    /// The word matched, for word-level rows (empty for rule rows).
    pub word: String,
    pub right: usize,
    pub wrong: usize,
}

/// Every rule's and every matched word's firings on `set`, the most wrong
/// first; only rows with at least one wrong firing.
pub fn audit(rules: &Rules, set: &[Labeled]) -> Vec<Firing> {
    let mut rows: BTreeMap<(String, String, String, String), (usize, usize)> = BTreeMap::new();
    for l in set {
        let text = normalize(&l.text).text;
        let ex = explain(rules, &Input::new(&text, &l.profession));
        for s in &ex.steps {
            let right = match s.family {
                Family::Category => l.labels.categories.contains(&s.label),
                Family::Related => l.labels.related.contains(&s.label),
                Family::Kind if s.decisive => s.label == l.labels.kind.label(),
                Family::Location if s.decisive => s.label == l.labels.location.label(),
                _ => continue,
            };
            // The fallback and the defaults are not patterns.
            if s.rule == "どの規則にも当たらない" || s.rule.starts_with("話した職種自身")
            {
                continue;
            }
            let family = s.family.label().to_string();
            let mut keys = vec![String::new()];
            keys.extend(s.matched.iter().cloned());
            for word in keys {
                let e = rows
                    .entry((family.clone(), s.label.clone(), s.rule.clone(), word))
                    .or_default();
                if right {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
        }
    }
    let mut out: Vec<Firing> = rows
        .into_iter()
        .filter(|(_, (_, wrong))| *wrong > 0)
        .map(|((family, label, rule, word), (right, wrong))| Firing {
            family,
            label,
            rule,
            word,
            right,
            wrong,
        })
        .collect();
    out.sort_by(|a, b| {
        let worse = |f: &Firing| f.wrong as i64 - f.right as i64;
        worse(b).cmp(&worse(a)).then(b.wrong.cmp(&a.wrong))
    });
    out
}

/// The rows that fire more often wrongly than rightly, as a table.
pub fn render(rows: &[Firing]) -> String {
    let mut o = String::new();
    let bad: Vec<&Firing> = rows.iter().filter(|f| f.wrong > f.right).collect();
    let _ = writeln!(
        o,
        "正しいより間違いが多いルール・言葉: {} 件（正 = ラベルどおり、誤 = ラベルと違う）\n",
        bad.len()
    );
    let _ = writeln!(
        o,
        "  正   誤  種類          ラベル                  ルール（一致した言葉）"
    );
    for f in bad {
        let what = if f.word.is_empty() {
            format!("{}（ルール全体）", f.rule)
        } else {
            format!("{}（「{}」）", f.rule, f.word)
        };
        let _ = writeln!(
            o,
            "{:>4} {:>4}  {}  {}  {what}",
            f.right,
            f.wrong,
            pad(&f.family, 12),
            pad(&f.label, 22)
        );
    }
    o
}
