//! The learned model beside the rules (SPEC §3): one-vs-rest logistic
//! regression over character n-grams ([`features`]), trained at start-up
//! on the labeled remarks shipped with renkei and the office's own (its 例②
//! sheets, its corrections, labeled TSVs in its rule folder), the office's
//! weighted above the shipped ones ([`examples`]).
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

use rayon::prelude::*;

use crate::model::{Kind, Location};
pub use examples::Example;
use features::{Context, Sparse, Vocabulary};
use logistic::{Binary, Params, Sample};

/// How the model is built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainSettings {
    pub params: Params,
    /// Longest character n-gram.
    pub max_n: usize,
    /// A feature is kept when at least this many examples have it.
    pub min_count: usize,
    /// A category is learned when its examples weigh at least this much.
    pub min_positive_weight: f32,
    /// The rules' labels are cues (features) of the model.
    pub rule_cues: bool,
    /// A label whose examples weigh less than this share of all is
    /// weighted up to it (at most 20 times): a category only the office
    /// uses, with a handful of examples among thousands, is still learned.
    pub min_positive_share: f32,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            params: Params::default(),
            max_n: features::MAX_N,
            min_count: 2,
            min_positive_weight: 2.0,
            rule_cues: false,
            min_positive_share: 0.05,
        }
    }
}

/// What one output of the model predicts.
#[derive(Debug, Clone, PartialEq)]
enum Output {
    Category(String),
    /// P(アイデア).
    Idea,
    Location(Location),
}

/// A labeled remark kept for explanations (the nearest ones are shown).
#[derive(Debug, Clone)]
pub struct Remembered {
    pub text: String,
    pub profession: String,
    pub categories: Option<Vec<String>>,
    pub kind: Option<Kind>,
    pub location: Option<Location>,
    pub origin: examples::Origin,
    vector: Sparse,
}

/// The trained model.
#[derive(Debug, Clone)]
pub struct Model {
    max_n: usize,
    vocab: Vocabulary,
    outputs: Vec<Output>,
    /// Feature-major: the weights of feature `f` are
    /// `weights[f * outputs.len()..][..outputs.len()]`, so one pass over a
    /// remark's features scores every output.
    weights: Vec<f32>,
    biases: Vec<f32>,
    memory: Vec<Remembered>,
}

/// The model's answer for one remark.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// (category, probability), in the model's category order.
    pub categories: Vec<(String, f32)>,
    /// P(アイデア), when the model learned 課題/アイデア.
    pub idea: Option<f32>,
    /// P(職種内), P(職種間), P(地域全体) (summing to 1), when learned.
    pub location: Option<[f32; 3]>,
}

impl Prediction {
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

impl Model {
    /// Trains on `examples`; `cues` gives each example's cues (see
    /// [`features::Context`]), in the same order.
    pub fn train(examples: &[Example], cues: &[Vec<String>], settings: &TrainSettings) -> Model {
        let raws: Vec<Vec<u64>> = examples
            .par_iter()
            .zip(cues)
            .map(|(e, c)| {
                features::raw(
                    &e.text,
                    Context {
                        profession: &e.profession,
                        cues: c,
                    },
                    settings.max_n,
                )
            })
            .collect();
        let vocab = Vocabulary::build(raws.iter().map(Vec::as_slice), settings.min_count);
        let vectors: Vec<Sparse> = raws.iter().map(|r| vocab.vector(r)).collect();

        // Outputs: every category with enough weight of examples, in order
        // of first appearance, then the kind, then the three 所在.
        let mut categories: Vec<(String, f32)> = Vec::new();
        for e in examples {
            for c in e.categories.iter().flatten() {
                match categories.iter_mut().find(|(n, _)| n == c) {
                    Some((_, w)) => *w += e.weight,
                    None => categories.push((c.clone(), e.weight)),
                }
            }
        }
        let mut outputs: Vec<Output> = categories
            .into_iter()
            .filter(|(n, w)| {
                *w >= settings.min_positive_weight && n != crate::aggregate::OTHER_CATEGORY
            })
            .map(|(n, _)| Output::Category(n))
            .collect();
        if examples.iter().any(|e| e.kind.is_some()) {
            outputs.push(Output::Idea);
        }
        if examples.iter().any(|e| e.location.is_some()) {
            outputs.extend(Location::ALL.map(Output::Location));
        }

        let dim = vocab.len();
        let trained: Vec<Binary> = outputs
            .par_iter()
            .enumerate()
            .map(|(k, out)| {
                let mut samples: Vec<Sample> = examples
                    .iter()
                    .zip(&vectors)
                    .filter_map(|(e, x)| {
                        let y = match out {
                            Output::Category(c) => e.categories.as_ref()?.contains(c),
                            Output::Idea => e.kind? == Kind::Idea,
                            Output::Location(l) => e.location? == *l,
                        };
                        Some(Sample {
                            x,
                            y,
                            weight: e.weight,
                        })
                    })
                    .collect();
                boost_rare(&mut samples, settings.min_positive_share);
                logistic::train(&samples, dim, settings.params, 0x5eed + k as u64)
            })
            .collect();

        let n = outputs.len();
        let mut weights = vec![0.0f32; dim * n];
        for (k, b) in trained.iter().enumerate() {
            for (f, &w) in b.weights.iter().enumerate() {
                weights[f * n + k] = w;
            }
        }
        let memory = examples
            .iter()
            .zip(vectors)
            .map(|(e, vector)| Remembered {
                text: e.text.clone(),
                profession: e.profession.clone(),
                categories: e.categories.clone(),
                kind: e.kind,
                location: e.location,
                origin: e.origin.clone(),
                vector,
            })
            .collect();
        Model {
            max_n: settings.max_n,
            vocab,
            biases: trained.iter().map(|b| b.bias).collect(),
            outputs,
            weights,
            memory,
        }
    }

    /// The remark's feature vector.
    pub fn vector(&self, text: &str, ctx: Context<'_>) -> Sparse {
        self.vocab.vector(&features::raw(text, ctx, self.max_n))
    }

    /// Predicts every label the model learned.
    pub fn predict(&self, text: &str, ctx: Context<'_>) -> Prediction {
        let x = self.vector(text, ctx);
        let logits = self.logits(&x);
        let mut out = Prediction {
            categories: Vec::new(),
            idea: None,
            location: None,
        };
        let mut loc = [0.0f32; 3];
        for (o, &z) in self.outputs.iter().zip(&logits) {
            let p = logistic::sigmoid(z);
            match o {
                Output::Category(c) => out.categories.push((c.clone(), p)),
                Output::Idea => out.idea = Some(p),
                Output::Location(l) => {
                    loc[Location::ALL.iter().position(|a| a == l).unwrap_or(0)] = p
                }
            }
        }
        if self
            .outputs
            .iter()
            .any(|o| matches!(o, Output::Location(_)))
        {
            let sum: f32 = loc.iter().sum::<f32>().max(1e-6);
            out.location = Some(loc.map(|p| p / sum));
        }
        out
    }

    fn logits(&self, x: &Sparse) -> Vec<f32> {
        let n = self.outputs.len();
        let mut z = self.biases.clone();
        for (&f, &v) in x.idx.iter().zip(&x.val) {
            let row = &self.weights[f as usize * n..][..n];
            for (zk, &w) in z.iter_mut().zip(row) {
                *zk += w * v;
            }
        }
        z
    }

    /// The features of `text` that weigh most toward category `label` (or
    /// `アイデア`/`課題`, or a 所在's name): (name, contribution), largest
    /// first.
    pub fn strongest(
        &self,
        text: &str,
        ctx: Context<'_>,
        label: &str,
        n: usize,
    ) -> Vec<(String, f32)> {
        let Some((k, sign)) = self.output_of(label) else {
            return Vec::new();
        };
        let names = features::names(text, ctx, self.max_n);
        let raw = features::raw(text, ctx, self.max_n);
        let x = self.vocab.vector(&raw);
        let count = self.outputs.len();
        let mut contributions: Vec<(String, f32)> = x
            .idx
            .iter()
            .zip(&x.val)
            .filter_map(|(&f, &v)| {
                let c = sign * self.weights[f as usize * count + k] * v;
                let name = names.get(&self.vocab.raw[f as usize])?;
                (c > 0.0).then(|| (name.clone(), c))
            })
            .collect();
        contributions.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        contributions.truncate(n);
        contributions
    }

    /// The `n` labeled remarks nearest to `text` (cosine of the feature
    /// vectors), with their similarity.
    pub fn nearest(&self, text: &str, ctx: Context<'_>, n: usize) -> Vec<(&Remembered, f32)> {
        let x = self.vector(text, ctx);
        let mut scored: Vec<(&Remembered, f32)> = self
            .memory
            .iter()
            .map(|m| (m, m.vector.cosine(&x)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(n);
        scored
    }

    /// The categories the model learned, in its order.
    pub fn categories(&self) -> impl Iterator<Item = &str> {
        self.outputs.iter().filter_map(|o| match o {
            Output::Category(c) => Some(c.as_str()),
            _ => None,
        })
    }

    /// The output index of a label, and +1/−1 for which way it points.
    fn output_of(&self, label: &str) -> Option<(usize, f32)> {
        self.outputs.iter().enumerate().find_map(|(k, o)| match o {
            Output::Category(c) if c == label => Some((k, 1.0)),
            Output::Idea if label == Kind::Idea.label() => Some((k, 1.0)),
            Output::Idea if label == Kind::Issue.label() => Some((k, -1.0)),
            Output::Location(l) if l.label() == label => Some((k, 1.0)),
            _ => None,
        })
    }
}

/// Weights the positive samples up so they make at least `share` of the
/// total weight (at most 20 times their own weight).
fn boost_rare(samples: &mut [Sample<'_>], share: f32) {
    let positive: f32 = samples.iter().filter(|s| s.y).map(|s| s.weight).sum();
    let negative: f32 = samples.iter().filter(|s| !s.y).map(|s| s.weight).sum();
    if positive <= 0.0 || positive >= share * (positive + negative) {
        return;
    }
    let factor = (share * negative / ((1.0 - share) * positive)).min(40.0);
    for s in samples.iter_mut().filter(|s| s.y) {
        s.weight *= factor;
    }
}
