//! The model itself: one-vs-rest logistic regression (NB-LR) over the
//! character n-grams of a remark and its meeting's profession, one output
//! per category, one for 課題/アイデア and three for 所在.
//!
//! This file depends on nothing of renkei but [`super::features`] and
//! [`super::logistic`], so `build.rs` compiles it too and trains the
//! shipped model when renkei is built: a run only loads it, and trains
//! only on the office's own labels ([`Model::fine_tune`]).

use super::features::{self, Sparse, Vocabulary};
use half::bf16;

use super::logistic::{self, Binary, Params, Sample, Start};

mod file;

/// How a model is built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainSettings {
    pub params: Params,
    /// Longest character n-gram.
    pub max_n: usize,
    /// A feature is kept when at least this many examples have it.
    pub min_count: usize,
    /// A category is learned when its examples weigh at least this much.
    pub min_positive_weight: f32,
    /// A label whose examples weigh less than this share of all is
    /// weighted up to it (at most 40 times): a category only the office
    /// uses, with a handful of examples among thousands, is still learned.
    pub min_positive_share: f32,
    /// NB-LR smoothing (0: plain logistic regression).
    pub nb: f32,
    /// Epochs and step size when fine-tuning on the office's labels.
    pub fine_tune: Params,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            params: Params::default(),
            max_n: features::MAX_N,
            min_count: 5,
            min_positive_weight: 2.0,
            min_positive_share: 0.05,
            nb: 0.5,
            fine_tune: Params {
                epochs: 4,
                eta0: 0.5,
                ..Params::default()
            },
        }
    }
}

/// One labeled remark; `None` where a label is not known.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainExample {
    /// Normalized text.
    pub text: String,
    pub profession: String,
    pub categories: Option<Vec<String>>,
    /// アイデア (true) or 課題 (false).
    pub idea: Option<bool>,
    /// 0 職種内, 1 職種間, 2 地域全体.
    pub location: Option<u8>,
    /// 関係職種 (canonical names).
    pub related: Option<Vec<String>>,
    pub weight: f32,
}

/// What one output predicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Category(String),
    /// P(アイデア).
    Idea,
    /// P(the 所在 of this index).
    Location(u8),
    /// P(this party is a 関係職種).
    Party(String),
    /// P(the speaker's own profession is a 関係職種): one output for every
    /// profession, because what decides it is the same whoever speaks
    /// (LABELS.md: only when the remark is about other members of it:
    /// 会員, 若手, 〜によって差).
    Own,
}

impl Output {
    /// The output's target for an example (`None`: the example does not
    /// know this label).
    fn target(&self, e: &TrainExample) -> Option<bool> {
        match self {
            Output::Category(c) => Some(e.categories.as_ref()?.contains(c)),
            Output::Idea => e.idea,
            Output::Location(l) => Some(e.location? == *l),
            Output::Party(p) => Some(e.related.as_ref()?.contains(p)),
            Output::Own => Some(e.related.as_ref()?.contains(&e.profession)),
        }
    }
}

/// A trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    max_n: usize,
    vocab: Vocabulary,
    outputs: Vec<Output>,
    /// Feature-major: the weights of feature `f` are
    /// `weights[f * outputs.len()..][..outputs.len()]`, so one pass over a
    /// remark's features scores every output. Kept as bfloat16 (the top
    /// half of an f32: three significant digits, far finer than the
    /// weights mean): half the memory and half the model compiled into
    /// the binary, at no cost in cross-validated accuracy.
    weights: Vec<bf16>,
    biases: Vec<f32>,
}

impl Model {
    /// Trains a model on `examples` from scratch.
    pub fn train(examples: &[TrainExample], s: &TrainSettings) -> Model {
        let raws = raws(examples, s.max_n);
        let vocab = Vocabulary::build(raws.iter().map(Vec::as_slice), s.min_count);
        let vectors: Vec<Sparse> = raws.iter().map(|r| vocab.vector(r)).collect();
        let outputs = outputs(examples, s, &[]);
        let dim = vocab.len();
        let trained = per_output(&outputs, |k, out| {
            let mut samples = samples(out, examples, &vectors);
            boost_rare(&mut samples, s.min_positive_share);
            // NB-LR: each feature scaled by its log-count ratio.
            let r = (s.nb > 0.0).then(|| log_count_ratio(&samples, dim, s.nb));
            logistic::train(
                &samples,
                dim,
                s.params,
                0x5eed + k as u64,
                r.as_deref(),
                None,
            )
        });
        Model::assemble(s.max_n, vocab, outputs, &trained)
    }

    /// This model, trained further on the office's `office` examples with
    /// `replay` (some of its own training examples) beside them so it does
    /// not forget: n-grams new in the office's examples are added, and so
    /// are categories only the office uses.
    pub fn fine_tune(
        &self,
        office: &[TrainExample],
        replay: &[TrainExample],
        s: &TrainSettings,
    ) -> Model {
        let all: Vec<TrainExample> = office.iter().chain(replay).cloned().collect();
        let raws = raws(&all, self.max_n);
        let mut vocab = self.vocab.clone();
        vocab.extend(raws[..office.len()].iter().map(Vec::as_slice));
        let vectors: Vec<Sparse> = raws.iter().map(|r| vocab.vector(r)).collect();
        let outputs = outputs(&all, s, &self.outputs);
        let dim = vocab.len();
        let trained = per_output(&outputs, |k, out| {
            let start = self.outputs.iter().position(|o| o == out).map(|j| Start {
                weights: (0..dim)
                    .map(|f| {
                        if f < self.vocab.len() {
                            self.weight(f, j)
                        } else {
                            0.0
                        }
                    })
                    .collect(),
                bias: self.biases[j],
            });
            // An output none of the office's examples labels (所在 and
            // 関係職種 are not in 例② sheets) keeps its shipped weights:
            // the replay alone would only shake them.
            let start = match start {
                Some(st) if !office.iter().any(|e| out.target(e).is_some()) => {
                    return Binary {
                        weights: st.weights,
                        bias: st.bias,
                    };
                }
                start => start,
            };
            let mut samples = samples(out, &all, &vectors);
            boost_rare(&mut samples, s.min_positive_share);
            // A category only the office uses starts from nothing: NB-LR
            // scaling lets the fine-tuning epochs learn it from the
            // office's examples and the replay.
            let r = match start {
                Some(_) => None,
                None => (s.nb > 0.0).then(|| log_count_ratio(&samples, dim, s.nb)),
            };
            logistic::train(
                &samples,
                dim,
                s.fine_tune,
                0xf1e + k as u64,
                r.as_deref(),
                start,
            )
        });
        Model::assemble(self.max_n, vocab, outputs, &trained)
    }

    fn assemble(
        max_n: usize,
        vocab: Vocabulary,
        outputs: Vec<Output>,
        trained: &[Binary],
    ) -> Model {
        let n = outputs.len();
        let mut weights = vec![bf16::ZERO; vocab.len() * n];
        for (k, b) in trained.iter().enumerate() {
            for (f, &w) in b.weights.iter().enumerate() {
                weights[f * n + k] = bf16::from_f32(w);
            }
        }
        Model {
            max_n,
            vocab,
            biases: trained.iter().map(|b| b.bias).collect(),
            outputs,
            weights,
        }
    }

    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }

    /// The weight of feature `f` toward output `k`.
    fn weight(&self, f: usize, k: usize) -> f32 {
        self.weights[f * self.outputs.len() + k].to_f32()
    }

    /// The remark's feature vector.
    pub fn vector(&self, text: &str, profession: &str) -> Sparse {
        self.vocab
            .vector(&features::raw(text, profession, self.max_n))
    }

    /// The probability of every output, in [`Model::outputs`]' order. (The
    /// vector's values are all equal, so the rows are summed first.)
    pub fn probabilities(&self, text: &str, profession: &str) -> Vec<f32> {
        let n = self.outputs.len();
        let mut z = vec![0.0f32; n];
        let v = self
            .vocab
            .with_known(text, profession, self.max_n, |idx, v| {
                for &f in idx {
                    let row = &self.weights[f as usize * n..][..n];
                    for (zk, &w) in z.iter_mut().zip(row) {
                        *zk += w.to_f32();
                    }
                }
                v
            });
        z.iter()
            .zip(&self.biases)
            .map(|(&s, &b)| logistic::sigmoid(s * v + b))
            .collect()
    }

    /// The features of `text` that weigh most toward output `k` (or away
    /// from it, with `sign` −1): (name, contribution), largest first.
    pub fn strongest(
        &self,
        text: &str,
        profession: &str,
        k: usize,
        sign: f32,
        n: usize,
    ) -> Vec<(String, f32)> {
        let names = features::names(text, profession, self.max_n);
        let x = self.vector(text, profession);
        let mut contributions: Vec<(String, f32)> = x
            .idx
            .iter()
            .zip(&x.val)
            .filter_map(|(&f, &v)| {
                let c = sign * self.weight(f as usize, k) * v;
                let name = names.get(&self.vocab.raw[f as usize])?;
                (c > 0.0).then(|| (name.clone(), c))
            })
            .collect();
        contributions.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        contributions.truncate(n);
        contributions
    }
}

fn raws(examples: &[TrainExample], max_n: usize) -> Vec<Vec<u64>> {
    examples
        .iter()
        .map(|e| features::raw(&e.text, &e.profession, max_n))
        .collect()
}

/// `known`'s outputs, then every other category with enough weight of
/// examples (in order of first appearance), then the kind and the three
/// 所在 when known and not yet there.
fn outputs(examples: &[TrainExample], s: &TrainSettings, known: &[Output]) -> Vec<Output> {
    let mut out = known.to_vec();
    let mut weights: Vec<(String, f32)> = Vec::new();
    for e in examples {
        for c in e.categories.iter().flatten() {
            match weights.iter_mut().find(|(n, _)| n == c) {
                Some((_, w)) => *w += e.weight,
                None => weights.push((c.clone(), e.weight)),
            }
        }
    }
    for (c, w) in weights {
        let o = Output::Category(c);
        // その他 is what no category means: not learned as one.
        if w >= s.min_positive_weight && !out.contains(&o) && o != Output::Category("その他".into())
        {
            out.push(o);
        }
    }
    let mut add = |o: Output| {
        if !out.contains(&o) {
            out.push(o);
        }
    };
    if examples.iter().any(|e| e.idea.is_some()) {
        add(Output::Idea);
    }
    if examples.iter().any(|e| e.location.is_some()) {
        for l in 0..3 {
            add(Output::Location(l));
        }
    }
    let mut parties: Vec<(String, f32)> = Vec::new();
    for e in examples {
        for p in e.related.iter().flatten() {
            match parties.iter_mut().find(|(n, _)| n == p) {
                Some((_, w)) => *w += e.weight,
                None => parties.push((p.clone(), e.weight)),
            }
        }
    }
    let own = !parties.is_empty();
    for (p, w) in parties {
        if w >= s.min_positive_weight {
            add(Output::Party(p));
        }
    }
    if own {
        add(Output::Own);
    }
    out
}

fn samples<'a>(out: &Output, examples: &[TrainExample], vectors: &'a [Sparse]) -> Vec<Sample<'a>> {
    examples
        .iter()
        .zip(vectors)
        .filter_map(|(e, x)| {
            Some(Sample {
                x,
                y: out.target(e)?,
                weight: e.weight,
            })
        })
        .collect()
}

/// Trains every output on the machine's cores (each output alone on one).
fn per_output(outputs: &[Output], train: impl Fn(usize, &Output) -> Binary + Sync) -> Vec<Binary> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<std::sync::OnceLock<Binary>> =
        outputs.iter().map(|_| Default::default()).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(outputs.len()) {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(out) = outputs.get(k) else { break };
                let _ = done[k].set(train(k, out));
            });
        }
    });
    done.into_iter()
        .map(|d| d.into_inner().expect("every output trained"))
        .collect()
}

/// Weights the positive samples up so they make at least `share` of the
/// total weight (at most 40 times their own weight).
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

/// Log-count ratio of every feature between the positive and negative
/// samples, smoothed by `alpha` (Wang & Manning 2012).
fn log_count_ratio(samples: &[Sample<'_>], dim: usize, alpha: f32) -> Vec<f32> {
    let mut p = vec![alpha; dim];
    let mut q = vec![alpha; dim];
    for s in samples {
        let side = if s.y { &mut p } else { &mut q };
        for &f in &s.x.idx {
            side[f as usize] += s.weight;
        }
    }
    let (sp, sq): (f32, f32) = (p.iter().sum(), q.iter().sum());
    p.iter()
        .zip(&q)
        .map(|(a, b)| ((a / sp) / (b / sq)).ln().abs().max(0.05))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(text: &str, category: &str, idea: bool) -> TrainExample {
        TrainExample {
            text: text.into(),
            profession: "薬剤師".into(),
            categories: Some(vec![category.into()]),
            idea: Some(idea),
            location: Some(1),
            related: None,
            weight: 1.0,
        }
    }

    fn set() -> Vec<TrainExample> {
        let mut v = Vec::new();
        for i in 0..20 {
            v.push(example(&format!("残薬が多い患者{i}"), "服薬・薬剤", false));
            v.push(example(
                &format!("研修会を開きたい{i}"),
                "人材育成・研修",
                true,
            ));
        }
        v
    }

    #[test]
    fn weights_keep_three_significant_digits_as_bfloat16() {
        for x in [0.0f32, 1.0, -2.5, 0.123_456, -7.891e-3, 42.42] {
            let back = bf16::from_f32(x).to_f32();
            assert!((back - x).abs() <= x.abs() / 256.0, "{x} → {back}");
        }
        // Rounded to nearest, not truncated.
        assert_eq!(
            bf16::from_f32(1.0 + 3.0 / 512.0).to_f32(),
            1.0 + 1.0 / 128.0
        );
    }

    #[test]
    fn a_model_survives_its_bytes_and_predicts_what_it_learned() {
        let m = Model::train(&set(), &TrainSettings::default());
        let again = Model::from_bytes(&m.to_bytes()).expect("bytes read back");
        assert_eq!(again, m);
        let p = m.probabilities("残薬が多い", "薬剤師");
        let k = |o: Output| m.outputs().iter().position(|x| *x == o).unwrap();
        assert!(p[k(Output::Category("服薬・薬剤".into()))] > 0.5);
        assert!(p[k(Output::Idea)] < 0.5);
        assert!(Model::from_bytes(b"junk").is_none());
        assert!(Model::from_bytes(&m.to_bytes()[..100]).is_none());
    }

    #[test]
    fn fine_tuning_learns_an_office_category_and_keeps_the_rest() {
        let base = set();
        let m = Model::train(&base, &TrainSettings::default());
        let office: Vec<TrainExample> = [
            "年金暮らしでサービスを増やせない",
            "医療費の自己負担が重い",
            "お金の心配で訪問を断る",
        ]
        .iter()
        .map(|t| TrainExample {
            weight: 3.0,
            ..example(t, "経済的な負担", false)
        })
        .collect();
        let tuned = m.fine_tune(&office, &base, &TrainSettings::default());
        let k = |o: Output| tuned.outputs().iter().position(|x| *x == o).unwrap();
        let p = tuned.probabilities("自己負担が重くて受診を控える", "薬剤師");
        assert!(p[k(Output::Category("経済的な負担".into()))] > 0.5, "{p:?}");
        let p = tuned.probabilities("残薬が多い", "薬剤師");
        assert!(p[k(Output::Category("服薬・薬剤".into()))] > 0.5, "{p:?}");
    }
}
