//! Chooses the learned model's settings by cross-validation on the training
//! part only (`data/labeled/train.tsv`; never the test part or the blind
//! set): for each training setting, a K-fold run predicts every remark with
//! a model that did not see it, then the thresholds of settings.toml's
//! `[model]` are swept over those predictions.
//!
//!   cargo run --release --example tune_model [K=5] [--sweep]

use renkei::classify::{classify_with_sources, Input};
use renkei::learn::combine::Classifier;
use renkei::learn::examples::{from_labeled, Origin};
use renkei::learn::logistic::Params;
use renkei::learn::{Prediction, TrainSettings};
use renkei::model::{Labels, Sources};
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
    let mut rows: Vec<Option<Row>> = (0..set.len()).map(|_| None).collect();
    for fold in 0..k {
        let train: Vec<Labeled> = set
            .iter()
            .enumerate()
            .filter(|(i, _)| i % k != fold)
            .filter(|(i, _)| ((i / k) as f64) < fraction * (set.len() / k) as f64)
            .map(|(_, l)| l.clone())
            .collect();
        let examples = from_labeled(&train, 1.0, |l| Origin::Shipped(l.id.clone()));
        let c = Classifier::train(rules, &examples, ts);
        for (i, l) in set.iter().enumerate().filter(|(i, _)| i % k == fold) {
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
    let c = Classifier::rules_only(rules).with_settings(s);
    rows.iter()
        .map(|r| {
            let input = Input::new(&r.text, &r.profession);
            let (mut l, mut so) = (r.labels.clone(), r.sources.clone());
            c.combine(&input, &r.prediction, &mut l, &mut so);
            l
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
    if args.iter().any(|a| a == "--curve") {
        let s = ModelSettings {
            category_add: 0.4,
            category_drop: 0.1,
            category_fallback: 0.2,
            kind: 0.6,
            location: 0.5,
            ..base
        };
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
    if let Some(nb) = args.iter().find_map(|a| a.strip_prefix("--nb=")) {
        let ts = TrainSettings {
            nb: nb.parse().unwrap(),
            ..TrainSettings::default()
        };
        let rows = cv(&rules, &set, k, &ts, 1.0);
        let r = score(&rules, &set, &combined(&rules, &rows, base));
        let m = score(&rules, &set, &model_alone(&rows));
        println!(
            "nb {nb} | combined cat micro {:.3} macro {:.3} kind {:.3} loc {:.3} | model alone cat micro {:.3}",
            r.categories.micro.f1, r.categories.macro_f1, r.kind.accuracy, r.location.accuracy, m.categories.micro.f1
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
        for drop in [0.0, 0.05, 0.1, 0.2] {
            for add in [0.3, 0.4, 0.5, 0.6] {
                for fallback in [0.15, 0.2, 0.3, 0.4] {
                    for kind in [0.6, 0.7, 0.8, 0.9, 1.01] {
                        for location in [0.5, 0.6, 0.7, 0.8, 1.01] {
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
