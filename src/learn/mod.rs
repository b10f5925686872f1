//! The learned model beside the rules (SPEC §3): one-vs-rest logistic
//! regression over character n-grams ([`model`], [`features`],
//! [`logistic`]), trained on the labeled remarks shipped with renkei when
//! renkei is built (`build.rs`: a run only loads it), and trained further at
//! each run on the office's own labels (its 例② sheets, its corrections,
//! labeled TSVs in its rule folder), weighted above the shipped ones
//! ([`examples`]).
//!
//! Rules are phrases: they miss the same meaning in other words and fire on
//! look-alike words. The model generalizes from examples instead;
//! [`combine`] puts the two together (the rules still fire and are shown,
//! the model adds what it is confident of).

pub mod combine;
pub mod eval;
pub mod examples;
pub mod features;
pub mod logistic;
pub mod model;

use std::sync::Arc;

use crate::model::{Kind, Location};
pub use examples::Example;
pub use model::{Model, Output, TrainSettings};

/// The model trained on the shipped labeled remarks, by `build.rs` on
/// `data/labeled/train.tsv` when renkei was built. Read afresh at each
/// call (a few milliseconds) rather than kept for the whole run: a run
/// drops it once its remarks are classified, and renders its workbooks
/// without it.
pub fn shipped_model() -> Model {
    Model::from_bytes(include_bytes!(concat!(env!("OUT_DIR"), "/model.bin")))
        .expect("build.rs wrote a valid model")
}

/// At most this many shipped examples are trained on again beside the
/// office's when fine-tuning, so the model does not forget them.
pub const REPLAY: usize = 1500;

/// The shipped model trained further on the office's `office` examples
/// (none: the shipped model as it is).
pub fn with_office(office: &[Example], settings: &TrainSettings) -> Model {
    let base = shipped_model();
    if office.is_empty() {
        return base;
    }
    let replay: Vec<model::TrainExample> = examples::shipped_sample(REPLAY)
        .iter()
        .map(Example::to_train)
        .collect();
    let office: Vec<model::TrainExample> = office.iter().map(Example::to_train).collect();
    base.fine_tune(&office, &replay, settings)
}

/// The model's answer for one remark.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The model's categories (shared by all its predictions).
    names: Arc<[String]>,
    /// The probability of each of `names`.
    probabilities: Vec<f32>,
    /// P(アイデア), when the model learned 課題/アイデア.
    pub idea: Option<f32>,
    /// P(職種内), P(職種間), P(地域全体) (summing to 1), when learned.
    pub location: Option<[f32; 3]>,
    /// The model's 関係職種 (shared by all its predictions).
    party_names: Arc<[String]>,
    /// The probability of each of `party_names`.
    party_probabilities: Vec<f32>,
    /// P(the speaker's own profession is a 関係職種), when learned.
    pub own: Option<f32>,
}

impl Prediction {
    /// (category, probability), in the model's category order.
    pub fn categories(&self) -> impl Iterator<Item = (&str, f32)> + '_ {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.probabilities.iter().copied())
    }

    /// (関係職種, probability), in the model's party order.
    pub fn parties(&self) -> impl Iterator<Item = (&str, f32)> + '_ {
        self.party_names
            .iter()
            .map(String::as_str)
            .zip(self.party_probabilities.iter().copied())
    }

    /// The probability of `category` (`None`: the model does not know it).
    pub fn probability(&self, category: &str) -> Option<f32> {
        self.categories()
            .find(|(c, _)| *c == category)
            .map(|(_, p)| p)
    }

    /// The most likely 所在 and its probability.
    pub fn best_location(&self) -> Option<(Location, f32)> {
        let p = self.location?;
        let i = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b]))?;
        Some((Location::ALL[i], p[i]))
    }

    /// The more likely kind and its probability.
    pub fn best_kind(&self) -> Option<(Kind, f32)> {
        let p = self.idea?;
        Some(if p >= 0.5 {
            (Kind::Idea, p)
        } else {
            (Kind::Issue, 1.0 - p)
        })
    }
}

/// A model with its category names at hand, for predictions.
#[derive(Debug, Clone)]
pub struct Predictor {
    model: Model,
    names: Arc<[String]>,
    party_names: Arc<[String]>,
}

impl Predictor {
    pub fn new(model: Model) -> Predictor {
        let names = model
            .outputs()
            .iter()
            .filter_map(|o| match o {
                Output::Category(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        let party_names = model
            .outputs()
            .iter()
            .filter_map(|o| match o {
                Output::Party(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        Predictor {
            model,
            names,
            party_names,
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Predicts every label the model learned.
    pub fn predict(&self, text: &str, profession: &str) -> Prediction {
        let p = self.model.probabilities(text, profession);
        let mut out = Prediction {
            names: self.names.clone(),
            probabilities: Vec::with_capacity(self.names.len()),
            idea: None,
            location: None,
            party_names: self.party_names.clone(),
            party_probabilities: Vec::with_capacity(self.party_names.len()),
            own: None,
        };
        let mut loc = [0.0f32; 3];
        let mut has_location = false;
        for (o, &q) in self.model.outputs().iter().zip(&p) {
            match o {
                Output::Category(_) => out.probabilities.push(q),
                Output::Idea => out.idea = Some(q),
                Output::Location(l) => {
                    loc[usize::from(*l).min(2)] = q;
                    has_location = true;
                }
                Output::Party(_) => out.party_probabilities.push(q),
                Output::Own => out.own = Some(q),
            }
        }
        if has_location {
            let sum: f32 = loc.iter().sum::<f32>().max(1e-6);
            out.location = Some(loc.map(|p| p / sum));
        }
        out
    }

    /// The character sequences of `text` that weigh most toward `label` (a
    /// category, 課題, アイデア or a 所在's name), largest first.
    pub fn strongest(
        &self,
        text: &str,
        profession: &str,
        label: &str,
        n: usize,
    ) -> Vec<(String, f32)> {
        let found = self
            .model
            .outputs()
            .iter()
            .enumerate()
            .find_map(|(k, o)| match o {
                Output::Category(c) if c == label => Some((k, 1.0)),
                Output::Idea if label == Kind::Idea.label() => Some((k, 1.0)),
                Output::Idea if label == Kind::Issue.label() => Some((k, -1.0)),
                Output::Location(l)
                    if Location::ALL.get(usize::from(*l)).map(|x| x.label()) == Some(label) =>
                {
                    Some((k, 1.0))
                }
                _ => None,
            });
        match found {
            Some((k, sign)) => self.model.strongest(text, profession, k, sign, n),
            None => Vec::new(),
        }
    }

    /// The `n` examples nearest to `text` (cosine of their n-gram vectors),
    /// with their similarity: for explanations.
    pub fn nearest<'e>(
        &self,
        text: &str,
        profession: &str,
        examples: &'e [Example],
        n: usize,
    ) -> Vec<(&'e Example, f32)> {
        use rayon::prelude::*;
        let x = self.model.vector(text, profession).sorted();
        let mut scored: Vec<(&Example, f32)> = examples
            .par_iter()
            .map(|e| {
                let v = self.model.vector(&e.text, &e.profession).sorted();
                (e, v.cosine(&x))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(n);
        scored
    }
}
