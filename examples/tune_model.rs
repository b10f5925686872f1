//! Chooses the learned model's settings by cross-validation on the training
//! part only (`data/labeled/train.tsv`; never the test part or the blind
//! set): for each training setting, a K-fold run predicts every remark with
//! a model that did not see it, then the thresholds of settings.toml's
//! `[model]` are swept over those predictions.
//!
//!   cargo run --release --example tune_model [K=5] [--sweep | --parties |
//!       --curve | --curve-test | --per-category | --max-n=N | --nb=X]

use renkei::classify::{classify_with_sources, Input};
use renkei::learn::combine::Classifier;
use renkei::learn::examples::{from_labeled, Origin};
use renkei::learn::logistic::Params;
use renkei::learn::{Prediction, TrainSettings};
use renkei::model::{Labels, Source, Sources};
use renkei::normalize::normalize;
use renkei::rules::eval::{parse_labeled, score, Labeled};
use renkei::rules::{ModelSettings, Rules};

struct Row {
    text: String,
    profession: String,
    labels: Labels,
    sources: Sources,
    prediction: Prediction,
}

fn cv(rules: &Rules, set: &[Labeled], k: usize, ts: &TrainSettings, fraction: f64) -> Vec<Row> {
    cv_with(rules, set, k, ts, fraction, |i| i % k)
}

/// K-fold predictions; `fold_of` puts each remark in its fold.
fn cv_with(
    rules: &Rules,
    set: &[Labeled],
    k: usize,
    ts: &TrainSettings,
    fraction: f64,
    fold_of: impl Fn(usize) -> usize,
) -> Vec<Row> {
    let mut rows: Vec<Option<Row>> = (0..set.len()).map(|_| None).collect();
    for fold in 0..k {
        let train: Vec<Labeled> = set
            .iter()
            .enumerate()
            .filter(|(i, _)| fold_of(*i) != fold)
            .filter(|(i, _)| ((i / k) as f64) < fraction * (set.len() / k) as f64)
            .map(|(_, l)| l.clone())
            .collect();
        let examples = from_labeled(&train, 1.0, |l| Origin::Shipped(l.id.clone()));
        let c = Classifier::train(rules, &examples, ts);
        for (i, l) in set.iter().enumerate().filter(|(i, _)| fold_of(*i) == fold) {
            let text = normalize(&l.text).text;
            let input = Input::new(&text, &l.profession);
            let (labels, sources) = classify_with_sources(rules, &input);
            let prediction = c.predict(&input).expect("a model");
            rows[i] = Some(Row {
                text: text.clone(),
                profession: l.profession.clone(),
                labels,
                sources,
                prediction,
            });
        }
    }
    rows.into_iter().map(Option::unwrap).collect()
}

fn combined(rules: &Rules, rows: &[Row], s: ModelSettings) -> Vec<Labels> {
    combined_with_sources(rules, rows, s)
        .into_iter()
        .map(|(l, _)| l)
        .collect()
}

/// The combination's labels and where each came from.
fn combined_with_sources(rules: &Rules, rows: &[Row], s: ModelSettings) -> Vec<(Labels, Sources)> {
    let c = Classifier::rules_only(rules).with_settings(s);
    rows.iter()
        .map(|r| {
            let input = Input::new(&r.text, &r.profession);
            let (mut l, mut so) = (r.labels.clone(), r.sources.clone());
            c.combine(&input, &r.prediction, &mut l, &mut so);
            (l, so)
        })
        .collect()
}

/// The model's categories alone at 0.5 (its best one if none).
fn model_alone(rows: &[Row]) -> Vec<Labels> {
    rows.iter()
        .map(|r| {
            let mut cats: Vec<String> = r
                .prediction
                .categories()
                .filter(|(_, q)| *q >= 0.5)
                .map(|(c, _)| c.to_string())
                .collect();
            if cats.is_empty() {
                if let Some((c, _)) = r.prediction.categories().max_by(|a, b| a.1.total_cmp(&b.1)) {
                    cats.push(c.to_string());
                }
            }
            Labels {
                categories: cats,
                ..r.labels.clone()
            }
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let k: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let sweep = args.iter().any(|a| a == "--sweep");
    let rules = Rules::builtin();
    let set = parse_labeled(include_str!("../data/labeled/train.tsv")).unwrap();
    let base = *rules.model_settings();
    if args.iter().any(|a| a == "--parties") {
        let rows = cv(&rules, &set, k, &TrainSettings::default(), 1.0);
        for add in [0.5, 0.6, 0.7, 0.8, 0.9, 1.0] {
            for drop in [0.0, 0.05, 0.1, 0.2, 0.3] {
                let s = ModelSettings {
                    party_add: add,
                    party_drop: drop,
                    ..base
                };
                let r = score(&rules, &set, &combined(&rules, &rows, s));
                println!(
                    "party add {add} drop {drop} | related F1 {:.3} P {:.3} R {:.3}",
                    r.related.f1, r.related.precision, r.related.recall
                );
            }
        }
        // The speaker's own profession (one output for every speaker).
        for (own_add, own_drop) in [
            (1.0, 0.0),
            (0.5, 0.5),
            (0.6, 0.4),
            (0.7, 0.3),
            (0.8, 0.2),
            (0.9, 0.1),
            (0.8, 0.0),
            (1.0, 0.2),
        ] {
            let s = ModelSettings {
                own_add,
                own_drop,
                ..base
            };
            let r = score(&rules, &set, &combined(&rules, &rows, s));
            println!(
                "own add {own_add} drop {own_drop} | related F1 {:.4} P {:.3} R {:.3}",
                r.related.f1, r.related.precision, r.related.recall
            );
        }
        return;
    }
    if args.iter().any(|a| a == "--writer-folds") {
        // Whole writers (id prefixes) held out together: how the shipped
        // thresholds do on voices the model never saw.
        let writer = |i: usize| {
            let id = &set[i].id;
            let prefix: String = id.chars().take_while(|c| *c != '-').collect();
            prefix
                .bytes()
                .fold(7usize, |h, b| h.wrapping_mul(31).wrapping_add(b.into()))
                % k
        };
        let rows = cv_with(&rules, &set, k, &TrainSettings::default(), 1.0, writer);
        let r = score(&rules, &set, &combined(&rules, &rows, base));
        println!(
            "writer folds | combined cat micro {:.4} macro {:.4} kind {:.4} loc {:.4} rel {:.4}",
            r.categories.micro.f1,
            r.categories.macro_f1,
            r.kind.accuracy,
            r.location.accuracy,
            r.related.f1
        );
        return;
    }
    if let Some(path) = args.iter().find_map(|a| a.strip_prefix("--dump=")) {
        // Out-of-fold predictions, the rules' labels and the gold labels of
        // every training remark, as JSON Lines, for trying combinations
        // outside the program (still the training part only).
        let rows = cv(&rules, &set, k, &TrainSettings::default(), 1.0);
        let shipped = combined(&rules, &rows, base);
        let mut out = String::new();
        for ((r, l), c) in rows.iter().zip(&set).zip(&shipped) {
            let v = serde_json::json!({
                "id": l.id, "profession": l.profession, "text": r.text,
                "gold": {"cats": l.labels.categories, "kind": l.labels.kind.label(),
                         "loc": l.labels.location.label(), "rel": l.labels.related},
                "rules": {"cats": r.labels.categories, "kind": r.labels.kind.label(),
                          "loc": r.labels.location.label(), "rel": r.labels.related,
                          "ruled": r.sources.categories.iter().map(|s| matches!(s, Source::Rule(_))).collect::<Vec<_>>()},
                "shipped": {"cats": c.categories, "kind": c.kind.label(), "loc": c.location.label(), "rel": c.related},
                "p_cats": r.prediction.categories().map(|(c, q)| (c.to_string(), q)).collect::<std::collections::BTreeMap<_, _>>(),
                "p_idea": r.prediction.idea, "p_loc": r.prediction.location, "p_own": r.prediction.own,
                "p_rel": r.prediction.parties().map(|(c, q)| (c.to_string(), q)).collect::<std::collections::BTreeMap<_, _>>(),
            });
            out.push_str(&v.to_string());
            out.push('\n');
        }
        std::fs::write(path, out).unwrap();
        return;
    }
    if args.iter().any(|a| a == "--per-category") {
        // Per-category add thresholds, chosen on the other folds' rows and
        // scored on the held-out fold (nested), against one threshold.
        let rows = cv(&rules, &set, k, &TrainSettings::default(), 1.0);
        let low = ModelSettings {
            category_add: 0.2,
            ..base
        };
        let full = combined_with_sources(&rules, &rows, low);
        let names: Vec<String> = rules.categories().iter().map(|c| c.name.clone()).collect();
        let grid = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7];
        // Labels with category c's added-by-model kept only at >= t[c].
        let apply = |i: usize, t: &[f32]| -> Labels {
            let (l, so) = &full[i];
            let ruled = so.categories.iter().any(|x| matches!(x, Source::Rule(_)));
            let mut out = l.clone();
            if ruled {
                out.categories = l
                    .categories
                    .iter()
                    .zip(&so.categories)
                    .filter(|(c, src)| match src {
                        Source::Model(q) => {
                            let j = names.iter().position(|n| n == *c);
                            j.is_none_or(|j| *q >= t[j])
                        }
                        _ => true,
                    })
                    .map(|(c, _)| c.clone())
                    .collect();
            }
            out
        };
        let mut nested: Vec<Option<Labels>> = vec![None; rows.len()];
        for fold in 0..k {
            let train: Vec<usize> = (0..rows.len()).filter(|i| i % k != fold).collect();
            let sub: Vec<Labeled> = train.iter().map(|&i| set[i].clone()).collect();
            let mut t = vec![0.4f32; names.len()];
            for j in 0..names.len() {
                let mut best = (f64::MIN, 0.4f32);
                for &g in &grid {
                    t[j] = g;
                    let pred: Vec<Labels> = train.iter().map(|&i| apply(i, &t)).collect();
                    let r = score(&rules, &sub, &pred);
                    if r.categories.micro.f1 > best.0 {
                        best = (r.categories.micro.f1, g);
                    }
                }
                t[j] = best.1;
            }
            println!("fold {fold}: {:?}", t);
            for i in (0..rows.len()).filter(|i| i % k == fold) {
                nested[i] = Some(apply(i, &t));
            }
        }
        let nested: Vec<Labels> = nested.into_iter().map(Option::unwrap).collect();
        let r = score(&rules, &set, &nested);
        let one = score(&rules, &set, &combined(&rules, &rows, base));
        println!(
            "per-category (nested) cat micro {:.3} macro {:.3} | one threshold {:.3} {:.3}",
            r.categories.micro.f1,
            r.categories.macro_f1,
            one.categories.micro.f1,
            one.categories.macro_f1
        );
        return;
    }
    if args.iter().any(|a| a == "--curve-test") {
        // The learning curve measured on the frozen test part: models
        // trained on the first part of the training part, every setting as
        // shipped. Measurement only; nothing is chosen from it.
        let test = parse_labeled(include_str!("../data/labeled/test.tsv")).unwrap();
        for fraction in [0.125, 0.25, 0.5, 0.75, 1.0] {
            // Every writer's remarks in the same share (the file is in
            // writer order).
            let train: Vec<Labeled> = set
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 8 < (fraction * 8.0) as usize)
                .map(|(_, l)| l.clone())
                .collect();
            let n = train.len();
            let examples = from_labeled(&train, 1.0, |l| Origin::Shipped(l.id.clone()));
            let c =
                Classifier::train(&rules, &examples, &TrainSettings::default()).with_settings(base);
            let labels: Vec<Labels> = test
                .iter()
                .map(|l| {
                    let text = normalize(&l.text).text;
                    c.classify(&Input::new(&text, &l.profession)).0
                })
                .collect();
            let r = score(&rules, &test, &labels);
            println!(
                "train {n} | test part: combined cat micro {:.3} macro {:.3} kind {:.3} loc {:.3} rel {:.3}",
                r.categories.micro.f1, r.categories.macro_f1, r.kind.accuracy, r.location.accuracy, r.related.f1
            );
        }
        return;
    }
    if args.iter().any(|a| a == "--curve") {
        let s = base;
        for fraction in [0.125, 0.25, 0.5, 0.75, 1.0] {
            let rows = cv(&rules, &set, k, &TrainSettings::default(), fraction);
            let r = score(&rules, &set, &combined(&rules, &rows, s));
            let m = score(&rules, &set, &model_alone(&rows));
            println!(
                "train {:.0} | combined cat micro {:.3} macro {:.3} kind {:.3} loc {:.3} | model alone cat micro {:.3}",
                fraction * (set.len() as f64) * (k - 1) as f64 / k as f64,
                r.categories.micro.f1,
                r.categories.macro_f1,
                r.kind.accuracy,
                r.location.accuracy,
                m.categories.micro.f1
            );
        }
        return;
    }
    // One training setting changed (`--max-n=4`, `--nb=0.25`), the
    // shipped thresholds kept.
    let max_n = args.iter().find_map(|a| a.strip_prefix("--max-n="));
    let nb = args.iter().find_map(|a| a.strip_prefix("--nb="));
    let lambda = args.iter().find_map(|a| a.strip_prefix("--lambda="));
    let epochs = args.iter().find_map(|a| a.strip_prefix("--epochs="));
    let min_count = args.iter().find_map(|a| a.strip_prefix("--min-count="));
    if max_n.is_some()
        || nb.is_some()
        || lambda.is_some()
        || epochs.is_some()
        || min_count.is_some()
    {
        let d = TrainSettings::default();
        let ts = TrainSettings {
            max_n: max_n.map_or(d.max_n, |n| n.parse().unwrap()),
            nb: nb.map_or(d.nb, |n| n.parse().unwrap()),
            min_count: min_count.map_or(d.min_count, |n| n.parse().unwrap()),
            params: Params {
                lambda: lambda.map_or(d.params.lambda, |n| n.parse().unwrap()),
                epochs: epochs.map_or(d.params.epochs, |n| n.parse().unwrap()),
                ..d.params
            },
            ..d
        };
        let rows = cv(&rules, &set, k, &ts, 1.0);
        let r = score(&rules, &set, &combined(&rules, &rows, base));
        let m = score(&rules, &set, &model_alone(&rows));
        println!(
            "max_n {} nb {} lambda {:e} epochs {} min_count {} | combined cat micro {:.3} macro {:.3} kind {:.3} loc {:.3} rel {:.3} | model alone cat micro {:.3}",
            ts.max_n, ts.nb, ts.params.lambda, ts.params.epochs, ts.min_count, r.categories.micro.f1, r.categories.macro_f1, r.kind.accuracy, r.location.accuracy, r.related.f1, m.categories.micro.f1
        );
        return;
    }
    let grid: Vec<TrainSettings> = if sweep {
        let mut g = Vec::new();
        for epochs in [8, 12, 20] {
            for lambda in [1e-5, 3e-5] {
                for eta0 in [0.25, 0.5, 1.0] {
                    g.push(TrainSettings {
                        params: Params {
                            lambda,
                            epochs,
                            eta0,
                        },
                        ..TrainSettings::default()
                    });
                }
            }
        }
        g
    } else {
        vec![TrainSettings::default()]
    };
    for ts in grid {
        let rows = cv(&rules, &set, k, &ts, 1.0);
        // Model alone at 0.5 (as `eval` reports it) is the combination with
        // every threshold at 0.5 and no rule labels kept: approximated here
        // by the combination's best thresholds below.
        let mut best = (0.0, base);
        for drop in [0.1, 0.2, 0.25, 0.3, 0.35] {
            for add in [0.35, 0.4, 0.45, 0.5] {
                for fallback in [0.15, 0.2, 0.3] {
                    for kind in [0.5, 0.6, 0.7, 0.8] {
                        for location in [0.4, 0.5, 0.6, 0.7] {
                            let s = ModelSettings {
                                category_add: add,
                                category_drop: drop,
                                category_fallback: fallback,
                                kind,
                                location,
                                ..base
                            };
                            let r = score(&rules, &set, &combined(&rules, &rows, s));
                            let total = r.categories.micro.f1
                                + r.categories.macro_f1
                                + r.kind.accuracy
                                + r.location.accuracy;
                            if total > best.0 {
                                best = (total, s);
                            }
                        }
                    }
                }
            }
        }
        let r = score(&rules, &set, &combined(&rules, &rows, best.1));
        println!(
            "epochs {} eta0 {} lambda {:e} | drop {} add {} fallback {} kind {} location {} | cat micro {:.3} macro {:.3} kind {:.3} loc {:.3}",
            ts.params.epochs,
            ts.params.eta0,
            ts.params.lambda,
            best.1.category_drop,
            best.1.category_add,
            best.1.category_fallback,
            best.1.kind,
            best.1.location,
            r.categories.micro.f1,
            r.categories.macro_f1,
            r.kind.accuracy,
            r.location.accuracy
        );
    }
}
