//! Trains the shipped learned model on `data/labeled/train.tsv` when renkei
//! is built, so a run only loads it (`src/learn/mod.rs`). The model code is
//! compiled here from the same files as in the program, so the features a
//! run computes are the ones the model was trained on.

use std::path::Path;

#[allow(dead_code)]
#[path = "src/normalize.rs"]
mod normalize;

#[allow(dead_code)]
#[path = "src/learn"]
mod learn {
    pub mod features;
    pub mod logistic;
    pub mod model;
}

use learn::model::{Model, TrainExample, TrainSettings};

const TRAIN: &str = "data/labeled/train.tsv";

fn main() {
    for f in [
        TRAIN,
        "src/normalize.rs",
        "src/learn/features.rs",
        "src/learn/logistic.rs",
        "src/learn/model.rs",
        "build.rs",
    ] {
        println!("cargo:rerun-if-changed={f}");
    }
    let src = std::fs::read_to_string(TRAIN).expect("data/labeled/train.tsv is readable");
    let examples = parse(&src);
    let model = Model::train(&examples, &TrainSettings::default());
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("model.bin"), model.to_bytes())
        .expect("OUT_DIR is writable");
}

/// The labeled TSV (LABELS.md's format; `renkei eval` checks it strictly and
/// a test reads it through that parser): its labels as the model takes them.
fn parse(src: &str) -> Vec<TrainExample> {
    let mut lines = src
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("a header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .unwrap_or_else(|| panic!("{TRAIN} has no column {name}"))
    };
    let (profession, text, categories, kind, tier) = (
        col("profession"),
        col("text"),
        col("categories"),
        col("kind"),
        col("tier"),
    );
    lines
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| c.get(i).copied().unwrap_or("").trim();
            TrainExample {
                text: normalize::normalize(get(text)).text,
                profession: get(profession).to_string(),
                categories: Some(
                    get(categories)
                        .split(['、', ','])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                ),
                idea: Some(get(kind) == "アイデア"),
                location: ["職種内", "職種間", "地域全体"]
                    .iter()
                    .position(|t| *t == get(tier))
                    .map(|i| i as u8),
                weight: 1.0,
            }
        })
        .collect()
}
