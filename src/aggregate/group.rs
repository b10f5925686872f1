//! Opinion groups (SPEC §2): remarks with the same match key are one opinion,
//! and so are near-duplicates whose keys are similar enough.
//!
//! Grouping runs once over the whole run, so a group id means the same
//! opinion on every sheet; scopes restrict these groups to their remarks.
//!
//! Near-duplicates are joined greedily in first-appearance order: each new
//! distinct key is compared with the *representative* key of every group
//! formed so far (not with every member, so groups don't drift by chaining)
//! and joins the most similar one at or above the threshold (the earliest on a
//! tie); otherwise it starts a group. A run can hold 60,000 remarks, so the
//! comparisons are narrowed first, without losing any pair that passes:
//! - a length filter (Dice ≥ t needs `t·n/(2−t) ≤ m ≤ (2−t)·n/t` bigrams);
//! - prefix filtering (Bayardo et al., "Scaling up all pairs similarity
//!   search", 2007, with the ℓ-prefix of Wang et al., 2012): bigram
//!   occurrences are ordered rarest first, and two keys needing overlap α
//!   share their c rarest common bigrams within the first `len − α + c` of
//!   each, so only those of each representative are indexed and probed, and
//!   a candidate must be found c times (`PREFIX_SHARED`);
//! - positional filtering (Xiao et al., PPJoin, 2008): at each shared prefix
//!   bigram, the bigrams left after it bound the overlap still possible;
//! - an exact count of shared bigrams (a merge of two sorted lists).
//!
//! Only pairs that pass all of them reach [`similarity`], which decides.
//! The filters assume Dice over the *multiset* of character bigrams
//! (`2·|X∩Y| / (|X|+|Y|)`, a repeated bigram counts each time), which is what
//! [`similarity`] computes; a property test checks the indexed grouping against
//! plain pairwise grouping, so a change of that definition shows.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::OpinionGroup;
use crate::model::Remark;
use crate::normalize::similarity;

/// Run-wide opinion groups.
#[derive(Debug, Clone)]
pub struct Grouping {
    /// In order of first appearance.
    pub groups: Vec<OpinionGroup>,
    /// Remark index → group index.
    pub remark_group: Vec<usize>,
}

/// Groups remarks by match key and near-duplicate similarity (see the module
/// doc). Every remark ends in exactly one group.
pub fn group(remarks: &[Remark], threshold: f64) -> Grouping {
    // 1. Distinct keys, in first-appearance order.
    let mut key_index: HashMap<&str, usize> = HashMap::new();
    let mut keys: Vec<&str> = Vec::new();
    let remark_key: Vec<usize> = remarks
        .iter()
        .map(|r| {
            *key_index.entry(r.match_key.as_str()).or_insert_with(|| {
                keys.push(r.match_key.as_str());
                keys.len() - 1
            })
        })
        .collect();

    // 2. Keys into groups; a group's index is the index of its first key in
    // key order, which is also the order of the groups' first remarks.
    let (key_group, rep_key) = group_keys(&keys, threshold);

    // 3. Remarks into groups.
    let mut groups: Vec<OpinionGroup> = rep_key
        .iter()
        .enumerate()
        .map(|(g, _)| OpinionGroup {
            id: group_id(g),
            representative: usize::MAX,
            members: Vec::new(),
            near_members: Vec::new(),
            near_duplicate: false,
        })
        .collect();
    let mut remark_group = Vec::with_capacity(remarks.len());
    for (r, &k) in remark_key.iter().enumerate() {
        let g = key_group[k];
        let group = &mut groups[g];
        if group.members.is_empty() {
            group.representative = r;
        }
        group.members.push(r);
        if k != rep_key[g] {
            group.near_members.push(r);
            group.near_duplicate = true;
        }
        remark_group.push(g);
    }
    Grouping {
        groups,
        remark_group,
    }
}

/// `G001` … `G999`, then `G1000` ….
fn group_id(index: usize) -> String {
    format!("G{:03}", index + 1)
}

/// Whether a threshold turns near-duplicate grouping on (see `Settings`).
fn near_enabled(threshold: f64) -> bool {
    threshold > 0.0 && threshold <= 1.0
}

/// Guards the filters against rounding: they may let a few more candidates
/// through to the exact check, never fewer.
const EPS: f64 = 1e-9;

/// Smallest bigram overlap a key of `n` bigrams needs with any other key for
/// Dice ≥ t: from `o ≥ t(n+m)/2` and `o ≤ m`.
fn min_overlap(n: usize, t: f64) -> usize {
    ((t * n as f64 / (2.0 - t)) - EPS).ceil().max(1.0) as usize
}

/// Overlap two keys of `n` and `m` bigrams need for Dice ≥ t.
fn pair_overlap(n: usize, m: usize, t: f64) -> usize {
    (t * (n + m) as f64 / 2.0 - EPS).ceil().max(1.0) as usize
}

/// How many tokens two similar keys must share in their prefixes: with
/// overlap ≥ α, the first `len − α + c` tokens of each share at least `c`
/// (the ℓ-prefix of Wang et al., 2012: the c rarest shared tokens lie there).
/// 3 rather than 1 reads two more tokens per prefix and drops most
/// candidates that share only a common word or two (measured: 1 → 3 takes a
/// 60,000-remark worst case from 1.45 s to 0.8 s).
const PREFIX_SHARED: usize = 3;

/// Tokens that must hold `min(PREFIX_SHARED, α)` of the shared ones, for a
/// key of `n` tokens and a pair needing overlap `need`.
fn prefix_len(n: usize, need: usize) -> usize {
    if n == 0 {
        0
    } else {
        (n + PREFIX_SHARED.min(need)).saturating_sub(need).min(n)
    }
}

/// A representative's state while one key probes the index: shared prefix
/// tokens counted so far, or [`PRUNED`] once the overlap cannot be reached.
/// Valid only when `stamp` is the probing key's; one 8-byte cell, so the hot
/// loop touches one cache line per posting.
#[derive(Clone, Copy)]
struct Probe {
    stamp: u32,
    overlap: u32,
}

const PRUNED: u32 = u32::MAX;

/// The index of representatives: token → buckets by representative length
/// (ascending) → (group, position of the token in the representative's
/// list), for the prefix tokens of every representative. Tokens are dense
/// ranks, so finding a token is an array access, and a probe reads only the
/// length buckets that can pass.
struct Index {
    by_token: Vec<Vec<Bucket>>,
}

/// Representatives of one length: (length, [(group, position)]).
type Bucket = (u32, Vec<(u32, u32)>);

impl Index {
    fn new(token_count: usize) -> Index {
        Index {
            by_token: vec![Vec::new(); token_count],
        }
    }

    /// The buckets of `token` for lengths `lo..=hi`.
    fn buckets(&self, token: u32, lo: usize, hi: usize) -> &[Bucket] {
        let buckets = &self.by_token[token as usize];
        let start = buckets.partition_point(|b| (b.0 as usize) < lo);
        let end = buckets.partition_point(|b| (b.0 as usize) <= hi);
        &buckets[start..end.max(start)]
    }

    fn insert(&mut self, group: usize, tokens: &[u32], prefix: usize) {
        let len = tokens.len() as u32;
        for (j, &tok) in tokens[..prefix].iter().enumerate() {
            let buckets = &mut self.by_token[tok as usize];
            let at = match buckets.binary_search_by_key(&len, |b| b.0) {
                Ok(at) => at,
                Err(at) => {
                    buckets.insert(at, (len, Vec::new()));
                    at
                }
            };
            buckets[at].1.push((group as u32, j as u32));
        }
    }
}

/// A multiplicative hash for the u64 bigram tokens (SipHash is needlessly
/// slow here, and the keys are not attacker-chosen).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        let h = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 32);
    }
}

/// Assigns each distinct key (in first-appearance order) a group. Returns
/// key → group and group → representative key.
fn group_keys(keys: &[&str], threshold: f64) -> (Vec<usize>, Vec<usize>) {
    if !near_enabled(threshold) {
        return ((0..keys.len()).collect(), (0..keys.len()).collect());
    }
    let t = threshold;
    let tokens = ordered_tokens(keys);
    let token_count = tokens.iter().flatten().max().map_or(0, |&m| m as usize + 1);
    let mut index = Index::new(token_count);
    let mut rep_key: Vec<usize> = Vec::new();
    // Per group, the probe state of the current key; the groups it touched.
    let mut state: Vec<Probe> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    let mut key_group: Vec<usize> = Vec::with_capacity(keys.len());
    // Overlap needed per partner length, for the current key.
    let mut needs: Vec<usize> = Vec::new();

    for (k, x) in tokens.iter().enumerate() {
        let n = x.len();
        let stamp = k as u32;
        touched.clear();
        // 1. Probe, one representative length `m` at a time. With overlap
        //    `need`, the PREFIX_SHARED rarest shared tokens sit within the
        //    first `len − need + PREFIX_SHARED` of each key, so only those
        //    positions are read; at each match the tokens left bound the
        //    overlap still possible (PPJoin's positional filter).
        if n > 0 {
            let shortest = (t * n as f64 / (2.0 - t) - EPS).ceil().max(1.0) as usize;
            let longest = ((2.0 - t) * n as f64 / t + EPS).floor() as usize;
            needs.clear();
            needs.extend((shortest..=longest).map(|m| pair_overlap(n, m, t)));
            for (i, &tok) in x[..prefix_len(n, min_overlap(n, t))].iter().enumerate() {
                for (m, postings) in index.buckets(tok, shortest, longest) {
                    let m = *m as usize;
                    let need = needs[m - shortest];
                    if need > n.min(m) || i >= prefix_len(n, need) {
                        continue;
                    }
                    for &(g, j) in postings {
                        let probe = &mut state[g as usize];
                        if probe.stamp != stamp {
                            *probe = Probe { stamp, overlap: 0 };
                        }
                        let before = probe.overlap;
                        if before == PRUNED {
                            continue;
                        }
                        let left = (n - i - 1).min(m - j as usize - 1);
                        if before as usize + 1 + left < need {
                            probe.overlap = PRUNED;
                            continue;
                        }
                        if before == 0 {
                            touched.push(g as usize);
                        }
                        probe.overlap = before + 1;
                    }
                }
            }
        }
        // 2. Verify the survivors: exact overlap of the token lists, then the
        //    similarity itself decides; the most similar wins, the earliest on
        //    a tie.
        let mut best: Option<(f64, usize)> = None;
        for &g in &touched {
            let y = &tokens[rep_key[g]];
            let need = pair_overlap(n, y.len(), t);
            let overlap = state[g].overlap;
            if overlap == PRUNED
                || (overlap as usize) < PREFIX_SHARED.min(need)
                || !overlap_at_least(x, y, need)
            {
                continue;
            }
            let s = similarity(keys[rep_key[g]], keys[k]);
            let better = match best {
                None => true,
                Some((bs, bg)) => s > bs || (s == bs && g < bg),
            };
            if s >= t && better {
                best = Some((s, g));
            }
        }
        // 3. Join, or start a group and index its prefix.
        match best {
            Some((_, g)) => key_group.push(g),
            None => {
                let g = rep_key.len();
                rep_key.push(k);
                state.push(Probe {
                    stamp: u32::MAX,
                    overlap: 0,
                });
                // Long enough for the smallest overlap any partner needs.
                index.insert(g, x, prefix_len(n, min_overlap(n, t)));
                key_group.push(g);
            }
        }
    }
    (key_group, rep_key)
}

/// Whether two ascending lists share at least `need` values; stops as soon
/// as the answer is known.
fn overlap_at_least(x: &[u32], y: &[u32], need: usize) -> bool {
    let (mut i, mut j, mut overlap) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        if overlap >= need {
            return true;
        }
        if overlap + (x.len() - i).min(y.len() - j) < need {
            return false;
        }
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                overlap += 1;
                i += 1;
                j += 1;
            }
        }
    }
    overlap >= need
}

/// Each key's bigram occurrences as tokens, ascending, where a token's value
/// is its rank in one global order: rarest first (fewest keys), then first
/// seen. A repeated bigram becomes distinct tokens (`(bigram, 0)`,
/// `(bigram, 1)` …) so the overlap of token sets is the overlap of bigram
/// multisets.
fn ordered_tokens(keys: &[&str]) -> Vec<Vec<u32>> {
    // (bigram << 22) | occurrence: a bigram takes 42 bits, and no key has
    // 2^22 characters (a cell holds at most 32,767).
    let mut ids: HashMap<u64, u32, BuildHasherDefault<KeyHasher>> = HashMap::default();
    let mut freq: Vec<u32> = Vec::new();
    let mut tokens: Vec<Vec<u32>> = keys
        .iter()
        .map(|key| {
            let mut grams = bigrams(key);
            grams.sort_unstable();
            let mut toks = Vec::with_capacity(grams.len());
            let mut occurrence = 0u32;
            for (i, &g) in grams.iter().enumerate() {
                occurrence = if i > 0 && grams[i - 1] == g {
                    occurrence + 1
                } else {
                    0
                };
                let next = ids.len() as u32;
                let id = *ids.entry((g << 22) | u64::from(occurrence)).or_insert(next);
                if id as usize == freq.len() {
                    freq.push(0);
                }
                freq[id as usize] += 1;
                toks.push(id);
            }
            toks
        })
        .collect();
    let mut by_rarity: Vec<u32> = (0..freq.len() as u32).collect();
    by_rarity.sort_unstable_by_key(|&id| (freq[id as usize], id));
    let mut rank = vec![0u32; freq.len()];
    for (r, &id) in by_rarity.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    for toks in &mut tokens {
        for tok in toks.iter_mut() {
            *tok = rank[*tok as usize];
        }
        toks.sort_unstable();
    }
    tokens
}

/// Character bigrams of a key, each packed in a u64 (a char fits in 21 bits).
fn bigrams(key: &str) -> Vec<u64> {
    let chars: Vec<char> = key.chars().collect();
    chars
        .windows(2)
        .map(|w| ((w[0] as u64) << 21) | w[1] as u64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::remark;
    use super::*;
    use proptest::prelude::*;

    /// The definition the indexed grouping must match: every new key against
    /// every representative, no filter.
    fn naive_group_keys(keys: &[&str], t: f64) -> Vec<usize> {
        let mut reps: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        for k in 0..keys.len() {
            let mut best: Option<(f64, usize)> = None;
            if near_enabled(t) {
                for (g, &rk) in reps.iter().enumerate() {
                    let s = similarity(keys[rk], keys[k]);
                    if s >= t && best.is_none_or(|(bs, _)| s > bs) {
                        best = Some((s, g));
                    }
                }
            }
            match best {
                Some((_, g)) => out.push(g),
                None => {
                    reps.push(k);
                    out.push(reps.len() - 1);
                }
            }
        }
        out
    }

    #[test]
    fn near_duplicates_join_the_representative_and_are_flagged() {
        let texts = [
            "在宅側の準備が整っていない",
            "顔の見える連携が弱い",
            "在宅側の準備が整っていない。",         // equal key
            "在宅側の準備が整っていないと思う",     // 0.88 to the first
            "在宅側の準備が整っていないと思うけど", // 0.93 to the one above, 0.81 to the first
        ];
        let remarks: Vec<Remark> = texts.iter().map(|t| remark(0, t)).collect();
        let grouping = group(&remarks, 0.85);
        // Compared with representatives only: no chaining into group 0.
        assert_eq!(grouping.remark_group, vec![0, 1, 0, 0, 2]);
        let ids: Vec<&str> = grouping.groups.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, vec!["G001", "G002", "G003"]);
        assert_eq!(grouping.groups[0].members, vec![0, 2, 3]);
        assert_eq!(grouping.groups[0].near_members, vec![3]);
        assert!(grouping.groups[0].near_duplicate);
        assert!(!grouping.groups[1].near_duplicate);
        // Off: only equal keys group.
        let grouping = group(&remarks, 0.0);
        assert_eq!(grouping.remark_group, vec![0, 1, 0, 2, 3]);
        assert!(grouping.groups.iter().all(|g| !g.near_duplicate));
    }

    #[test]
    fn group_ids_widen_past_999() {
        assert_eq!(group_id(0), "G001");
        assert_eq!(group_id(998), "G999");
        assert_eq!(group_id(999), "G1000");
    }

    fn key_strategy() -> impl Strategy<Value = String> {
        // A tiny alphabet makes similar keys (and repeated bigrams) common.
        proptest::collection::vec(
            prop_oneof![Just('あ'), Just('い'), Just('う'), Just('情')],
            0..12,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    /// Keys of 15–45 characters made by a few edits of three bases: many
    /// pairs sit near any threshold, and prefixes are long.
    fn edited_keys() -> impl Strategy<Value = Vec<String>> {
        let alphabet: Vec<char> = "医師薬剤看護連携情報共有".chars().collect();
        let base = proptest::collection::vec(proptest::sample::select(alphabet.clone()), 15..45);
        let edit = (any::<usize>(), 0u8..3, proptest::sample::select(alphabet));
        let key = (0usize..3, proptest::collection::vec(edit, 0..5));
        (
            proptest::collection::vec(base, 3),
            proptest::collection::vec(key, 0..40),
        )
            .prop_map(|(bases, keys)| {
                keys.into_iter()
                    .map(|(b, edits)| {
                        let mut cs = bases[b].clone();
                        for (at, op, c) in edits {
                            let at = at % cs.len();
                            match op {
                                0 => cs[at] = c,
                                1 => cs.insert(at, c),
                                _ => {
                                    cs.remove(at);
                                }
                            }
                        }
                        cs.into_iter().collect()
                    })
                    .collect()
            })
    }

    fn distinct(keys: &[String]) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for k in keys {
            if !out.contains(&k.as_str()) {
                out.push(k);
            }
        }
        out
    }

    proptest! {
        #[test]
        fn indexed_grouping_equals_pairwise_on_long_keys(
            keys in edited_keys(),
            t in prop_oneof![Just(0.85), Just(0.9), Just(0.6), 0.05f64..1.0],
        ) {
            let keys = distinct(&keys);
            let (kg, _) = group_keys(&keys, t);
            prop_assert_eq!(kg, naive_group_keys(&keys, t));
        }

        #[test]
        fn indexed_grouping_equals_pairwise(
            keys in proptest::collection::vec(key_strategy(), 0..40),
            t in prop_oneof![Just(0.85), Just(0.5), Just(0.7), Just(1.0), 0.05f64..1.0],
        ) {
            // group_keys expects distinct keys in first-appearance order.
            let keys = distinct(&keys);
            let (kg, _) = group_keys(&keys, t);
            prop_assert_eq!(kg, naive_group_keys(&keys, t));
        }
    }

    /// Not a timed test: run it by hand to see how grouping scales.
    /// `cargo test --release --lib bench_group_60k -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench_group_60k() {
        use super::super::bench_data::{measure, templated_remarks, vocabulary_remarks};
        for (name, remarks) in [
            ("vocabulary", vocabulary_remarks(60_000, 0.3, 7)),
            ("templated (worst case)", templated_remarks(60_000, 0.3, 7)),
        ] {
            let distinct: std::collections::HashSet<&str> =
                remarks.iter().map(|r| r.match_key.as_str()).collect();
            let (grouping, took) = measure(|| group(&remarks, 0.85));
            let members: usize = grouping.groups.iter().map(|g| g.members.len()).sum();
            assert_eq!(members, remarks.len());
            let near = grouping.groups.iter().filter(|g| g.near_duplicate).count();
            eprintln!(
                "{name}: {} remarks, {} distinct keys → {} groups ({} with near-duplicates) in {took}",
                remarks.len(),
                distinct.len(),
                grouping.groups.len(),
                near,
            );
        }
    }
}
