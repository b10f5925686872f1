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
//! - an exact count of shared bigrams (a merge of two sorted lists, from
//!   the last shared prefix bigram on: every one before it was counted).
//!
//! The exact count of the pairs that pass all of them decides: Dice over the
//! *multiset* of character bigrams (`2·|X∩Y| / (|X|+|Y|)`, a repeated bigram
//! counts each time), which is what [`similarity`] computes from the keys.
//! The filters assume that definition; a property test checks the indexed
//! grouping against plain pairwise grouping, so a change of it shows.

use super::hash::FastMap;
use super::OpinionGroup;
use crate::model::Remark;
#[cfg(doc)]
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
    let mut key_index: FastMap<&str, usize> = FastMap::default();
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
/// tokens counted so far (or [`PRUNED`] once the overlap cannot be reached)
/// and the positions of the last one in the key (`i`) and in the
/// representative (`j`). Valid only when `stamp` is the probing key's; one
/// 16-byte cell, so the hot loop touches one cache line per posting.
#[derive(Clone, Copy)]
struct Probe {
    stamp: u32,
    overlap: u32,
    i: u32,
    j: u32,
}

const PRUNED: u32 = u32::MAX;

impl Probe {
    const UNUSED: Probe = Probe {
        stamp: u32::MAX,
        overlap: 0,
        i: 0,
        j: 0,
    };
}

/// A representative: its tokens (in [`Groups::rep_tokens`]) and a 128-bit
/// signature of them, one bit per token hash ([`bit`]). A token of the key
/// whose bit the signature lacks is not shared, which bounds the overlap
/// without reading the representative's tokens.
#[derive(Clone, Copy)]
struct Rep {
    sig: [u64; 2],
    start: u32,
    len: u32,
}

/// A token's bit in a [`Rep`] signature.
fn bit(token: u32) -> u8 {
    (token.wrapping_mul(0x9E37_79B1) >> 25) as u8
}

fn has_bit(sig: &[u64; 2], b: u8) -> bool {
    sig[usize::from(b >> 6)] >> (b & 63) & 1 == 1
}

/// The index of representatives: token → postings (representative length,
/// position of the token in the representative's list, group) for the
/// prefix tokens of every representative, sorted by length, then position,
/// then group. Tokens are dense ranks, so finding a token is an array
/// access; a probe reads only the lengths that can pass, one contiguous run,
/// and skips the positions past the prefix the pair needs.
struct Index {
    by_token: Vec<Vec<Posting>>,
    /// Tokens with postings, for [`Index::clear`].
    used: Vec<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Posting {
    len: u32,
    pos: u32,
    group: u32,
}

impl Index {
    fn new(token_count: usize) -> Index {
        Index {
            by_token: vec![Vec::new(); token_count],
            used: Vec::new(),
        }
    }

    /// The postings of `token` from length `shortest` on.
    fn postings(&self, token: u32, shortest: usize) -> &[Posting] {
        let postings = &self.by_token[token as usize];
        let start = postings.partition_point(|p| (p.len as usize) < shortest);
        &postings[start..]
    }

    /// The postings of a representative's first `prefix` tokens.
    fn postings_of(
        group: usize,
        tokens: &[u32],
        prefix: usize,
    ) -> impl Iterator<Item = (u32, Posting)> + '_ {
        let len = tokens.len() as u32;
        tokens[..prefix].iter().enumerate().map(move |(j, &tok)| {
            (
                tok,
                Posting {
                    len,
                    pos: j as u32,
                    group: group as u32,
                },
            )
        })
    }

    /// Adds one representative (few postings, into short lists).
    fn insert(&mut self, group: usize, tokens: &[u32], prefix: usize) {
        for (tok, posting) in Index::postings_of(group, tokens, prefix) {
            let postings = &mut self.by_token[tok as usize];
            if postings.is_empty() {
                self.used.push(tok);
            }
            let at = postings.partition_point(|p| *p <= posting);
            postings.insert(at, posting);
        }
    }

    /// Adds many postings at once: each list touched is merged once.
    fn extend(&mut self, mut new: Vec<(u32, Posting)>) {
        new.sort_unstable();
        for run in new.chunk_by(|a, b| a.0 == b.0) {
            let tok = run[0].0 as usize;
            let postings = &mut self.by_token[tok];
            if postings.is_empty() {
                self.used.push(tok as u32);
            }
            let old = std::mem::take(postings);
            let mut merged = Vec::with_capacity(old.len() + run.len());
            let (mut i, mut j) = (0, 0);
            while i < old.len() && j < run.len() {
                if old[i] <= run[j].1 {
                    merged.push(old[i]);
                    i += 1;
                } else {
                    merged.push(run[j].1);
                    j += 1;
                }
            }
            merged.extend_from_slice(&old[i..]);
            merged.extend(run[j..].iter().map(|&(_, p)| p));
            *postings = merged;
        }
    }

    /// Empties the index, in time proportional to what it holds.
    fn clear(&mut self) {
        for tok in self.used.drain(..) {
            self.by_token[tok as usize].clear();
        }
    }
}

/// The grouping so far: the keys' tokens, the threshold, the
/// representatives and their indexes.
struct Groups<'a> {
    tokens: &'a [Vec<u32>],
    t: f64,
    /// The representatives of the blocks before the current one.
    index: Index,
    /// The representatives the current block has formed so far.
    recent: Index,
    /// Group → its representative key.
    rep_key: Vec<usize>,
    /// Group → its representative's tokens and signature.
    reps: Vec<Rep>,
    /// The representatives' tokens, one after the other in group order.
    rep_tokens: Vec<u32>,
}

/// What a pair of lengths (the key's, a representative's) needs: the
/// overlap, the prefix of each in which the first [`PREFIX_SHARED`] shared
/// tokens lie, and how many of them make a candidate. All 0 when the pair
/// cannot pass.
#[derive(Clone, Copy)]
struct LengthRule {
    need: u32,
    x_prefix: u32,
    y_prefix: u32,
    want: u32,
}

/// One thread's scratch space for probing.
#[derive(Default)]
struct Scratch {
    /// Per group, the probe state of the current key.
    state: Vec<Probe>,
    /// Groups whose shared prefix tokens reached the count a candidate needs.
    candidates: Vec<u32>,
    /// Per partner length (from the shortest that can pass), what a pair
    /// needs, for the current key.
    rules: Vec<LengthRule>,
    /// The [`bit`] of each token of the current key.
    bits: Vec<u8>,
}

impl Groups<'_> {
    /// The most similar representative of `index` at or above the
    /// threshold (the earliest on a tie) for key `k`, as (similarity, group).
    fn best(&self, k: usize, index: &Index, scratch: &mut Scratch) -> Option<(f64, usize)> {
        let x = &self.tokens[k];
        let n = x.len();
        if n == 0 || index.used.is_empty() {
            return None;
        }
        let t = self.t;
        let stamp = k as u32;
        let Scratch {
            state,
            candidates,
            rules,
            bits,
        } = scratch;
        if state.len() < self.rep_key.len() {
            state.resize(self.rep_key.len(), Probe::UNUSED);
        }
        candidates.clear();
        // 1. Probe, one representative length `m` at a time. With overlap
        //    `need`, the PREFIX_SHARED rarest shared tokens sit within the
        //    first `len − need + PREFIX_SHARED` of each key, so only those
        //    positions are read (the representative's are the posting's
        //    position); at each match the tokens left bound the overlap still
        //    possible (PPJoin's positional filter). A representative becomes
        //    a candidate when the shared prefix tokens reach PREFIX_SHARED.
        let shortest = (t * n as f64 / (2.0 - t) - EPS).ceil().max(1.0) as usize;
        let longest = ((2.0 - t) * n as f64 / t + EPS).floor() as usize;
        rules.clear();
        rules.extend((shortest..=longest).map(|m| {
            let need = pair_overlap(n, m, t);
            if need > n.min(m) {
                // Longer than either key: no key of this length can pass.
                LengthRule {
                    need: 0,
                    x_prefix: 0,
                    y_prefix: 0,
                    want: 0,
                }
            } else {
                LengthRule {
                    need: need as u32,
                    x_prefix: prefix_len(n, need) as u32,
                    y_prefix: prefix_len(m, need) as u32,
                    want: PREFIX_SHARED.min(need) as u32,
                }
            }
        }));
        for (i, &tok) in x[..prefix_len(n, min_overlap(n, t))].iter().enumerate() {
            let i32 = i as u32;
            for &Posting {
                len,
                pos: j,
                group: g,
            } in index.postings(tok, shortest)
            {
                let m = len as usize;
                if m > longest {
                    break;
                }
                let rule = rules[m - shortest];
                if i32 >= rule.x_prefix || j >= rule.y_prefix {
                    continue;
                }
                let need = rule.need as usize;
                let probe = &mut state[g as usize];
                if probe.stamp != stamp {
                    *probe = Probe {
                        stamp,
                        overlap: 0,
                        i: 0,
                        j: 0,
                    };
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
                probe.overlap = before + 1;
                probe.i = i32;
                probe.j = j;
                if before + 1 == rule.want {
                    candidates.push(g);
                }
            }
        }
        // 2. Verify the candidates: every shared token up to the last shared
        //    prefix token was counted, so the overlap is that count plus the
        //    overlap of what follows. The signature bounds the latter; if it
        //    can pass, an exact merge decides. The most similar wins, the
        //    earliest on a tie.
        let mut best: Option<(f64, usize)> = None;
        if !candidates.is_empty() {
            bits.clear();
            bits.extend(x.iter().map(|&tok| bit(tok)));
        }
        for &g in candidates.iter() {
            let probe = state[g as usize];
            if probe.overlap == PRUNED {
                continue;
            }
            let rep = &self.reps[g as usize];
            let m = rep.len as usize;
            let need = pair_overlap(n, m, t);
            let (i, j, counted) = (probe.i as usize, probe.j as usize, probe.overlap as usize);
            let mut x_left = n - i - 1;
            for &b in &bits[i + 1..] {
                if counted + x_left.min(m - j - 1) < need {
                    break;
                }
                if !has_bit(&rep.sig, b) {
                    x_left -= 1;
                }
            }
            if counted + x_left.min(m - j - 1) < need {
                continue;
            }
            let start = rep.start as usize;
            let y = &self.rep_tokens[start..start + m];
            let Some(overlap) = overlap_if_at_least(&x[i + 1..], &y[j + 1..], counted, need) else {
                continue;
            };
            // Dice over the bigram multisets, exactly as `similarity`
            // computes it from the keys.
            let s = 2.0 * overlap as f64 / (n + m) as f64;
            let g = g as usize;
            let better = match best {
                None => true,
                Some((bs, bg)) => s > bs || (s == bs && g < bg),
            };
            if s >= t && better {
                best = Some((s, g));
            }
        }
        best
    }

    /// Makes key `k` the representative of a new group, indexed in
    /// `recent` until the block ends.
    fn start_group(&mut self, k: usize) -> usize {
        let g = self.rep_key.len();
        self.rep_key.push(k);
        let x = &self.tokens[k];
        let mut sig = [0u64; 2];
        for &tok in x {
            let b = bit(tok);
            sig[usize::from(b >> 6)] |= 1 << (b & 63);
        }
        self.reps.push(Rep {
            sig,
            start: self.rep_tokens.len() as u32,
            len: x.len() as u32,
        });
        self.rep_tokens.extend_from_slice(x);
        self.recent.insert(g, x, self.indexed_prefix(x.len()));
        g
    }

    /// Moves the groups from `first` on from `recent` into `index`.
    fn end_block(&mut self, first: usize) {
        let mut new = Vec::new();
        for g in first..self.rep_key.len() {
            let x = &self.tokens[self.rep_key[g]];
            new.extend(Index::postings_of(g, x, self.indexed_prefix(x.len())));
        }
        self.index.extend(new);
        self.recent.clear();
    }

    /// A representative's tokens indexed: long enough for the smallest
    /// overlap any partner needs.
    fn indexed_prefix(&self, n: usize) -> usize {
        prefix_len(n, min_overlap(n, self.t))
    }
}

/// Keys handled per parallel step (see [`group_keys`]).
const BLOCK: usize = 1024;

/// Assigns each distinct key (in first-appearance order) a group. Returns
/// key → group and group → representative key.
///
/// Keys go in blocks: first every key of a block probes, in parallel, the
/// representatives formed before the block (the index does not change
/// meanwhile); then, in key order, each probes only the representatives its
/// block has formed so far, takes the better of the two answers (the earlier
/// group on a tie, as the earlier groups are the old ones) and joins that
/// group or starts its own. That is exactly the one-key-at-a-time greedy
/// result, on all cores.
fn group_keys(keys: &[&str], threshold: f64) -> (Vec<usize>, Vec<usize>) {
    group_keys_in_blocks(keys, threshold, BLOCK)
}

/// [`group_keys`] with blocks of `block` keys (tests use small ones).
fn group_keys_in_blocks(keys: &[&str], threshold: f64, block: usize) -> (Vec<usize>, Vec<usize>) {
    use rayon::prelude::*;

    if !near_enabled(threshold) {
        return ((0..keys.len()).collect(), (0..keys.len()).collect());
    }
    let tokens = ordered_tokens(keys);
    let token_count = tokens.iter().flatten().max().map_or(0, |&m| m as usize + 1);
    let mut groups = Groups {
        tokens: &tokens,
        t: threshold,
        index: Index::new(token_count),
        recent: Index::new(token_count),
        rep_key: Vec::new(),
        reps: Vec::new(),
        rep_tokens: Vec::new(),
    };
    let mut key_group: Vec<usize> = Vec::with_capacity(keys.len());
    let mut scratch = Scratch::default();
    // A few slices per thread, each with its own scratch for the whole run.
    let mut workers: Vec<Scratch> = (0..4 * rayon::current_num_threads())
        .map(|_| Scratch::default())
        .collect();
    let mut start = 0;
    while start < keys.len() {
        let end = (start + block.max(1)).min(keys.len());
        let old = groups.rep_key.len();
        let frozen = &groups;
        let chunk = (end - start).div_ceil(workers.len());
        let before: Vec<Option<(f64, usize)>> = workers
            .par_iter_mut()
            .enumerate()
            .flat_map_iter(|(w, scratch)| {
                let from = (start + w * chunk).min(end);
                let to = (from + chunk).min(end);
                (from..to)
                    .map(|k| frozen.best(k, &frozen.index, scratch))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (k, old_best) in (start..end).zip(before) {
            let new_best = groups.best(k, &groups.recent, &mut scratch);
            let best = match (old_best, new_best) {
                (Some((so, go)), Some((sn, gn))) => Some(if sn > so { gn } else { go }),
                (Some((_, g)), None) | (None, Some((_, g))) => Some(g),
                (None, None) => None,
            };
            key_group.push(match best {
                Some(g) => g,
                None => groups.start_group(k),
            });
        }
        groups.end_block(old);
        start = end;
    }
    (key_group, groups.rep_key)
}

/// The overlap of two ascending lists plus `counted`, when it reaches
/// `need`; `None` as soon as it cannot.
fn overlap_if_at_least(x: &[u32], y: &[u32], counted: usize, need: usize) -> Option<usize> {
    let (mut i, mut j, mut overlap) = (0, 0, counted);
    while i < x.len() && j < y.len() {
        if overlap + (x.len() - i).min(y.len() - j) < need {
            return None;
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
    (overlap >= need).then_some(overlap)
}

/// Each key's bigram occurrences as tokens, ascending, where a token's value
/// is its rank in one global order: rarest first (fewest keys), then first
/// seen. A repeated bigram becomes distinct tokens (`(bigram, 0)`,
/// `(bigram, 1)` …) so the overlap of token sets is the overlap of bigram
/// multisets.
fn ordered_tokens(keys: &[&str]) -> Vec<Vec<u32>> {
    // (bigram << 22) | occurrence: a bigram takes 42 bits, and no key has
    // 2^22 characters (a cell holds at most 32,767).
    let mut ids: FastMap<u64, u32> = FastMap::default();
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
    use crate::normalize::similarity;
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
            block in 1usize..12,
        ) {
            let keys = distinct(&keys);
            let want = naive_group_keys(&keys, t);
            let (kg, _) = group_keys(&keys, t);
            prop_assert_eq!(&kg, &want);
            // Blocks of any size give the same groups.
            let (kg, _) = group_keys_in_blocks(&keys, t, block);
            prop_assert_eq!(&kg, &want);
        }

        #[test]
        fn indexed_grouping_equals_pairwise(
            keys in proptest::collection::vec(key_strategy(), 0..40),
            t in prop_oneof![Just(0.85), Just(0.5), Just(0.7), Just(1.0), 0.05f64..1.0],
            block in 1usize..12,
        ) {
            // group_keys expects distinct keys in first-appearance order.
            let keys = distinct(&keys);
            let want = naive_group_keys(&keys, t);
            let (kg, _) = group_keys(&keys, t);
            prop_assert_eq!(&kg, &want);
            let (kg, _) = group_keys_in_blocks(&keys, t, block);
            prop_assert_eq!(&kg, &want);
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
