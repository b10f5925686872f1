//! Features of one remark for the learned model: the character n-grams of
//! its normalized text (with start and end marks, so sentence endings such
//! as `たい$` and `ない$` are features of their own), the meeting's
//! profession, that profession crossed with the remark's content
//! characters, and the n-grams of its last clause. (The parties the lexicon
//! finds and the rules' own labels were tried as features too: they added
//! nothing in cross-validation; the crossing and the last clause did:
//! `docs/notes/issue11-classification.md`, round 5.)
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

/// One feature of a remark, before it is hashed.
enum Feature<'a> {
    /// A character n-gram of the text framed by `^` and `$`.
    Gram(&'a str),
    /// The meeting's profession.
    Profession(&'a str),
    /// The profession crossed with a content character or pair of
    /// characters (kanji, katakana, Latin): the same words mean another
    /// 所在 and other parties in another profession's mouth (its own
    /// profession named is about its members, another's is 職種間).
    Crossed(&'a str, &'a str),
    /// An n-gram (up to 2) of the last clause, when there are several: in
    /// "a problem, then a proposal" the final clause decides
    /// 課題/アイデア (LABELS.md edge case 5).
    Final(&'a str),
}

impl Feature<'_> {
    fn name(&self) -> String {
        match self {
            Feature::Gram(g) => g.to_string(),
            Feature::Profession(p) => format!("（職種: {p}）"),
            Feature::Crossed(p, g) => format!("（{p}の発言で）{g}"),
            Feature::Final(g) => format!("（最後の節）{g}"),
        }
    }
}

/// Calls `f` with every feature of a remark and its hash (repeats
/// included): the n-grams up to `max_n` characters (the marks alone are
/// not n-grams), the profession, and the crossed and last-clause features
/// of the n-grams up to 2. A crossed or last-clause feature's hash mixes
/// its n-gram's hash with one of the remark, so each n-gram is hashed once.
fn each(text: &str, profession: &str, max_n: usize, mut f: impl FnMut(u64, Feature<'_>)) {
    let mut framed = String::with_capacity(text.len() + 2);
    framed.push('^');
    framed.extend(text.chars().map(fold));
    framed.push('$');
    let (bounds, chars): (Vec<usize>, Vec<char>) = framed.char_indices().unzip();
    let count = chars.len();
    let at = |i: usize| bounds.get(i).copied().unwrap_or(framed.len());
    // The last clause starts after the last separator that text follows.
    let last_text = (1..count - 1).rev().find(|&i| !is_separator(chars[i]));
    let last_clause = last_text
        .and_then(|end| (1..end).rev().find(|&i| is_separator(chars[i])))
        .map(|i| i + 1);
    let crossed = hash(&("crossed", profession));
    let last = hash(&"final");
    f(
        hash(&("profession", profession)),
        Feature::Profession(profession),
    );
    for n in 1..=max_n {
        for start in 0..count.saturating_sub(n - 1) {
            if n == 1 && (start == 0 || start == count - 1) {
                continue;
            }
            let g = &framed[at(start)..at(start + n)];
            let h = hash(g);
            f(h, Feature::Gram(g));
            if n > 2 {
                continue;
            }
            if chars[start..start + n].iter().all(|&c| is_content(c)) {
                f(mix(crossed, h), Feature::Crossed(profession, g));
            }
            if last_clause.is_some_and(|c| start >= c) {
                f(mix(last, h), Feature::Final(g));
            }
        }
    }
}

/// Two hashes into one (a multiply-rotate mix: a crossed feature never
/// lands on its plain n-gram).
fn mix(a: u64, b: u64) -> u64 {
    (a ^ b.rotate_left(23)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

fn is_separator(c: char) -> bool {
    matches!(c, '、' | '。' | '，' | ',' | '　' | ' ')
}

/// Kanji, katakana and Latin letters: the characters that carry a
/// remark's words (kana endings are left to the plain n-grams).
fn is_content(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{30a0}'..='\u{30ff}' | 'a'..='z')
}

/// The raw features of a remark, as hashes, each once.
pub fn raw(text: &str, profession: &str, max_n: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() * max_n + 8);
    push_raw(text, profession, max_n, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// Appends the hashes of a remark's features to `out`, a feature as often
/// as it occurs.
fn push_raw(text: &str, profession: &str, max_n: usize, out: &mut Vec<u64>) {
    each(text, profession, max_n, |h, _| out.push(h));
}

/// The name of a raw feature, for explanations: rebuilt by hashing the
/// candidates again (only done for the few features an explanation shows).
pub fn names(text: &str, profession: &str, max_n: usize) -> HashMap<u64, String> {
    let mut out = HashMap::new();
    each(text, profession, max_n, |h, f| {
        out.entry(h).or_insert_with(|| f.name());
    });
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
    /// The features occurring in at least `min_count` of `examples`, the
    /// most frequent first.
    pub fn build<'a>(examples: impl Iterator<Item = &'a [u64]>, min_count: usize) -> Vocabulary {
        let mut counts: HashMap<u64, usize, rustc_hash::FxBuildHasher> = HashMap::default();
        for e in examples {
            for &f in e {
                *counts.entry(f).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<(u64, usize)> = counts
            .into_iter()
            .filter(|&(_, c)| c >= min_count)
            .collect();
        // The most frequent first: their weights, read for nearly every
        // remark, then sit together in the cache.
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let kept: Vec<u64> = kept.into_iter().map(|(f, _)| f).collect();
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

    /// The unit-length vector of known features (unknown ones and repeats
    /// dropped).
    pub fn vector(&self, raw: &[u64]) -> Sparse {
        let mut idx = Vec::new();
        let v = self.known(raw, &mut idx);
        Sparse {
            val: vec![v; idx.len()],
            idx,
        }
    }

    /// The indices of the known features among `raw` into `idx`, ascending
    /// and each once, and the value each has in the unit-length vector.
    pub fn known(&self, raw: &[u64], idx: &mut Vec<u32>) -> f32 {
        idx.clear();
        idx.extend(raw.iter().filter_map(|f| self.index.get(f).copied()));
        idx.sort_unstable();
        idx.dedup();
        if idx.is_empty() {
            0.0
        } else {
            1.0 / (idx.len() as f32).sqrt()
        }
    }

    /// The known features of a remark (see [`Vocabulary::known`]), with
    /// buffers kept per thread: predicting a run's remarks allocates
    /// nothing per remark.
    pub fn with_known<T>(
        &self,
        text: &str,
        profession: &str,
        max_n: usize,
        f: impl FnOnce(&[u32], f32) -> T,
    ) -> T {
        thread_local! {
            static BUFFERS: std::cell::RefCell<(Vec<u64>, Vec<u32>)> = Default::default();
        }
        BUFFERS.with_borrow_mut(|(raw, idx)| {
            raw.clear();
            push_raw(text, profession, max_n, raw);
            let v = self.known(raw, idx);
            f(idx, v)
        })
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
    fn the_profession_crosses_content_words_and_the_last_clause_stands_apart() {
        let by = |p: &str| raw("薬剤師に連絡", p, MAX_N);
        let (a, b) = (by("薬剤師"), by("看護師"));
        let shared = a.iter().filter(|f| b.contains(f)).count();
        // The n-grams are shared; the profession and its crossings are not.
        assert!(shared > 0 && shared < a.len(), "{shared} of {}", a.len());
        let names = names("残薬が多い、一包化してほしい", "薬剤師", MAX_N);
        let named: Vec<&String> = names.values().collect();
        assert!(
            named.iter().any(|n| *n == "（薬剤師の発言で）残薬"),
            "{named:?}"
        );
        assert!(named.iter().any(|n| *n == "（最後の節）い$"), "{named:?}");
        assert!(
            !named.iter().any(|n| *n == "（薬剤師の発言で）が"),
            "{named:?}"
        );
        // One clause: no last-clause features.
        let one = super::names("残薬が多い", "薬剤師", MAX_N);
        assert!(!one.values().any(|n| n.starts_with("（最後の節）")));
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
