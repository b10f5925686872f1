//! Features of one remark for the learned model: the character n-grams of
//! its normalized text (with start and end marks, so sentence endings such
//! as `たい$` and `ない$` are features of their own) and the meeting's
//! profession. (The parties the lexicon finds and the rules' own labels
//! were tried as features too: they added nothing in cross-validation.)
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

    /// Sorts the indices (for [`Sparse::cosine`]).
    pub fn sorted(mut self) -> Sparse {
        let mut pairs: Vec<(u32, f32)> = self
            .idx
            .iter()
            .copied()
            .zip(self.val.iter().copied())
            .collect();
        pairs.sort_unstable_by_key(|p| p.0);
        (self.idx, self.val) = pairs.into_iter().unzip();
        self
    }

    /// Cosine similarity of two unit vectors with sorted indices.
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

/// Longest character n-gram taken by default.
pub const MAX_N: usize = 3;

/// Calls `f` with every character n-gram of `text` up to `max_n`
/// characters, the text framed by `^` and `$` (the marks alone are not
/// n-grams).
fn grams(text: &str, max_n: usize, mut f: impl FnMut(&str)) {
    let mut framed = String::with_capacity(text.len() + 2);
    framed.push('^');
    framed.extend(text.chars().map(fold));
    framed.push('$');
    let bounds: Vec<usize> = framed
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(framed.len()))
        .collect();
    let chars = bounds.len() - 1;
    for n in 1..=max_n {
        for start in 0..chars.saturating_sub(n - 1) {
            if n == 1 && (start == 0 || start == chars - 1) {
                continue;
            }
            f(&framed[bounds[start]..bounds[start + n]]);
        }
    }
}

/// The raw features of a remark, as hashes, each once: n-grams up to
/// `max_n` characters.
pub fn raw(text: &str, profession: &str, max_n: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() * max_n / 2 + 8);
    grams(text, max_n, |g| out.push(hash(g)));
    out.push(hash(&("profession", profession)));
    out.sort_unstable();
    out.dedup();
    out
}

/// The name of a raw feature, for explanations: rebuilt by hashing the
/// candidates again (only done for the few features an explanation shows).
pub fn names(text: &str, profession: &str, max_n: usize) -> HashMap<u64, String> {
    let mut out = HashMap::new();
    grams(text, max_n, |g| {
        out.insert(hash(g), g.to_string());
    });
    out.insert(
        hash(&("profession", profession)),
        format!("（職種: {profession}）"),
    );
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
#[derive(Debug, Clone, Default, PartialEq)]
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

    /// A vocabulary of exactly these raw features, in this order.
    pub fn from_raw(raw: Vec<u64>) -> Vocabulary {
        Vocabulary {
            index: raw
                .iter()
                .enumerate()
                .map(|(i, &f)| (f, i as u32))
                .collect(),
            raw,
        }
    }

    /// Adds every feature of `rows` not yet known, after the known ones.
    pub fn extend<'a>(&mut self, rows: impl Iterator<Item = &'a [u64]>) {
        for r in rows {
            for &f in r {
                if !self.index.contains_key(&f) {
                    self.index.insert(f, self.raw.len() as u32);
                    self.raw.push(f);
                }
            }
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

    #[test]
    fn the_same_text_gives_the_same_features_and_endings_are_marked() {
        let a = raw("残薬が多い", "薬剤師", MAX_N);
        assert_eq!(a, raw("残薬が多い", "薬剤師", MAX_N));
        let names = names("残薬が多い", "薬剤師", MAX_N);
        let named: Vec<&String> = a.iter().filter_map(|f| names.get(f)).collect();
        assert!(named.iter().any(|n| *n == "多い$"), "{named:?}");
        assert!(named.iter().any(|n| *n == "^残薬"), "{named:?}");
        assert!(!named.iter().any(|n| *n == "^"), "{named:?}");
        // Digits and letter case fold.
        assert_eq!(raw("PT2名", "薬剤師", MAX_N), raw("pt3名", "薬剤師", MAX_N));
    }

    #[test]
    fn vectors_have_unit_length_and_drop_unknown_features() {
        let seen = raw("残薬が多い", "薬剤師", MAX_N);
        let vocab = Vocabulary::build([seen.as_slice()].into_iter(), 1);
        let v = vocab.vector(&raw("残薬が少ない", "薬剤師", MAX_N));
        let norm: f32 = v.val.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v.idx.len() < seen.len());
        let v = v.sorted();
        assert!((v.cosine(&v) - 1.0).abs() < 1e-5);
        assert!(v.cosine(&vocab.vector(&seen).sorted()) > 0.3);
    }
}
