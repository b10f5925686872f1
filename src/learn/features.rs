//! Features of one remark for the learned model: the character n-grams of
//! its normalized text (with start and end marks, so sentence endings such
//! as `たい$` and `ない$` are features of their own), the meeting's
//! profession, and *cues*: named facts from the dictionary and the rules
//! (the parties the lexicon finds, the categories, kind and 所在 the rules
//! gave), so the model learns when to trust each rule.
//!
//! Character n-grams need no word segmentation, which Japanese lacks, and
//! catch the same meaning in other inflections and compounds; the issue's
//! experiment found word lemmas add almost nothing over them.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

/// A sparse feature vector: (index, value) pairs, indices ascending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sparse {
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
}

impl Sparse {
    pub fn dot(&self, w: &[f32]) -> f32 {
        self.idx
            .iter()
            .zip(&self.val)
            .map(|(&i, &v)| w[i as usize] * v)
            .sum()
    }

    /// Cosine similarity of two unit vectors.
    pub fn cosine(&self, other: &Sparse) -> f32 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        while i < self.idx.len() && j < other.idx.len() {
            match self.idx[i].cmp(&other.idx[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.val[i] * other.val[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }
}

/// What a remark gives the model besides its text.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Canonical profession of the meeting.
    pub profession: &'a str,
    /// Named facts about the remark (`関係:看護師`, `規則:入退院支援` …),
    /// each a feature of its own.
    pub cues: &'a [String],
}

/// Longest character n-gram taken by default.
pub const MAX_N: usize = 3;

/// The raw features of a remark, as hashes, each once: n-grams up to
/// `max_n` characters.
pub fn raw(text: &str, ctx: Context<'_>, max_n: usize) -> Vec<u64> {
    let chars: Vec<char> = std::iter::once('^')
        .chain(text.chars().map(fold))
        .chain(std::iter::once('$'))
        .collect();
    let mut out = Vec::with_capacity(chars.len() * max_n + 8);
    for n in 1..=max_n {
        for w in chars.windows(n) {
            // The marks alone say nothing.
            if n == 1 && (w[0] == '^' || w[0] == '$') {
                continue;
            }
            out.push(hash(&(n as u8, w)));
        }
    }
    out.push(hash(&("profession", ctx.profession)));
    for c in ctx.cues {
        out.push(hash(&("cue", c.as_str())));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The name of a raw feature, for explanations: rebuilt by hashing the
/// candidates again (only done for the few features an explanation shows).
pub fn names(text: &str, ctx: Context<'_>, max_n: usize) -> HashMap<u64, String> {
    let chars: Vec<char> = std::iter::once('^')
        .chain(text.chars().map(fold))
        .chain(std::iter::once('$'))
        .collect();
    let mut out = HashMap::new();
    for n in 1..=max_n {
        for w in chars.windows(n) {
            out.insert(hash(&(n as u8, w)), w.iter().collect::<String>());
        }
    }
    out.insert(
        hash(&("profession", ctx.profession)),
        format!("（職種: {}）", ctx.profession),
    );
    for c in ctx.cues {
        out.insert(hash(&("cue", c.as_str())), format!("（{c}）"));
    }
    out
}

/// Digits to `0` and ASCII to lower case: a number or a letter case says
/// nothing of a remark's meaning.
fn fold(c: char) -> char {
    match c {
        '0'..='9' => '0',
        c => c.to_ascii_lowercase(),
    }
}

fn hash<T: Hash + ?Sized>(v: &T) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(v)
}

/// Raw features → indices: the features seen in training, each counted.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    index: HashMap<u64, u32, rustc_hash::FxBuildHasher>,
    /// The raw feature of each index.
    pub raw: Vec<u64>,
}

impl Vocabulary {
    /// The features occurring in at least `min_count` of `examples`.
    pub fn build<'a>(examples: impl Iterator<Item = &'a [u64]>, min_count: usize) -> Vocabulary {
        let mut counts: HashMap<u64, usize, rustc_hash::FxBuildHasher> = HashMap::default();
        for e in examples {
            for &f in e {
                *counts.entry(f).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<u64> = counts
            .into_iter()
            .filter(|&(_, c)| c >= min_count)
            .map(|(f, _)| f)
            .collect();
        kept.sort_unstable();
        Vocabulary {
            index: kept
                .iter()
                .enumerate()
                .map(|(i, &f)| (f, i as u32))
                .collect(),
            raw: kept,
        }
    }

    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The unit-length vector of known features (unknown ones dropped).
    pub fn vector(&self, raw: &[u64]) -> Sparse {
        let mut idx: Vec<u32> = raw
            .iter()
            .filter_map(|f| self.index.get(f).copied())
            .collect();
        idx.sort_unstable();
        let v = if idx.is_empty() {
            0.0
        } else {
            1.0 / (idx.len() as f32).sqrt()
        };
        Sparse {
            val: vec![v; idx.len()],
            idx,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context<'static> {
        Context {
            profession: "薬剤師",
            cues: &[],
        }
    }

    #[test]
    fn the_same_text_gives_the_same_features_and_endings_are_marked() {
        let a = raw("残薬が多い", ctx(), MAX_N);
        assert_eq!(a, raw("残薬が多い", ctx(), MAX_N));
        let names = names("残薬が多い", ctx(), MAX_N);
        let named: Vec<&String> = a.iter().filter_map(|f| names.get(f)).collect();
        assert!(named.iter().any(|n| *n == "多い$"), "{named:?}");
        assert!(named.iter().any(|n| *n == "^残薬"), "{named:?}");
        assert!(!named.iter().any(|n| *n == "^"), "{named:?}");
        // Digits and letter case fold.
        assert_eq!(raw("PT2名", ctx(), MAX_N), raw("pt3名", ctx(), MAX_N));
    }

    #[test]
    fn vectors_have_unit_length_and_drop_unknown_features() {
        let seen = raw("残薬が多い", ctx(), MAX_N);
        let vocab = Vocabulary::build([seen.as_slice()].into_iter(), 1);
        let v = vocab.vector(&raw("残薬が少ない", ctx(), MAX_N));
        let norm: f32 = v.val.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v.idx.len() < seen.len());
        assert!((v.cosine(&v) - 1.0).abs() < 1e-5);
        assert!(v.cosine(&vocab.vector(&seen)) > 0.3);
    }
}
