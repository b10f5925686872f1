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
//! - a 128-bit signature per key: a bit one key has and the other lacks
//!   stands for a bigram not shared, which bounds the overlap in O(1);
//! - an exact count of shared bigrams (a merge of two sorted lists, from
//!   the shared prefix bigram that made the candidate on: every one before
//!   it was counted).
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
/// More than 1 reads more tokens per prefix and drops most candidates that
/// share only a common word. Measured on 2,000 generated workbooks (61,000
/// remarks): 2 groups the realistic corpus in 0.64 s and the near-duplicate
/// worst case in 0.34 s, 3 in 0.73 s and 0.39 s. At most [`DONE`]: the probe
/// state counts shared tokens in two bits.
const PREFIX_SHARED: usize = 2;
const _: () = assert!(PREFIX_SHARED <= DONE as usize);

/// Tokens that must hold `min(PREFIX_SHARED, α)` of the shared ones, for a
/// key of `n` tokens and a pair needing overlap `need`.
fn prefix_len(n: usize, need: usize) -> usize {
    if n == 0 {
        0
    } else {
        (n + PREFIX_SHARED.min(need)).saturating_sub(need).min(n)
    }
}

/// The bits of a key's signature: one bit per token hash ([`bit`]), 128 in
/// all. A bit in one key's signature and not in the other's stands for at
/// least one token the other lacks, which bounds the overlap in O(1).
type Signature = [u64; 2];

/// A token's bit in a [`Signature`].
fn bit(token: u32) -> u32 {
    token.wrapping_mul(0x9E37_79B1) >> 25
}

fn signature(tokens: &[u32]) -> Signature {
    let mut sig = [0u64; 2];
    for &tok in tokens {
        let b = bit(tok);
        sig[(b >> 6) as usize] |= 1 << (b & 63);
    }
    sig
}

/// Tokens of `a` whose bit `b` lacks: a lower bound on `|a \ b|`.
fn missing(a: &Signature, b: &Signature) -> usize {
    ((a[0] & !b[0]).count_ones() + (a[1] & !b[1]).count_ones()) as usize
}

/// One entry of an index: partner `id` (a group or a key) holds a token at
/// position `pos` of its `len` tokens.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Posting {
    len: u32,
    pos: u32,
    id: u32,
}

/// Token → postings of the indexed prefixes, sorted by length, then
/// position, then id, in flat arrays. `runs` splits each token's postings
/// by length, so a probe jumps straight to the lengths that can pass and
/// stops at the first position past the prefix the pair needs.
struct Index {
    postings: Vec<Posting>,
    /// Per length run, in token order: (length, first posting).
    runs: Vec<(u32, u32)>,
    /// Token → its first run; `token_runs[t + 1]` ends it.
    token_runs: Vec<u32>,
}

impl Index {
    /// An index of `(token, posting)` entries sorted ascending.
    fn from_sorted(token_count: usize, entries: impl Iterator<Item = (u32, Posting)>) -> Index {
        let mut postings = Vec::with_capacity(entries.size_hint().0);
        let mut runs: Vec<(u32, u32)> = Vec::new();
        // Runs per token, then (prefix sums) each token's first run.
        let mut token_runs = vec![0u32; token_count + 1];
        let mut last: Option<(u32, u32)> = None;
        for (tok, p) in entries {
            if last != Some((tok, p.len)) {
                runs.push((p.len, postings.len() as u32));
                token_runs[tok as usize + 1] += 1;
                last = Some((tok, p.len));
            }
            postings.push(p);
        }
        for tok in 0..token_count {
            token_runs[tok + 1] += token_runs[tok];
        }
        Index {
            postings,
            runs,
            token_runs,
        }
    }

    /// The indexed prefixes of `keys` (ids `0..`), for a threshold `t`.
    fn of<'a>(token_count: usize, keys: impl Iterator<Item = &'a [u32]>, t: f64) -> Index {
        use rayon::slice::ParallelSliceMut;
        let mut entries: Vec<(u32, Posting)> = keys
            .enumerate()
            .flat_map(|(id, x)| prefix_postings(id, x, t))
            .collect();
        entries.par_sort_unstable_by_key(sort_key);
        Index::from_sorted(token_count, entries.into_iter())
    }

    /// This index with `new` (sorted) added: one linear merge per token.
    fn merged(&self, new: &[(u32, Posting)]) -> Index {
        let token_count = self.token_runs.len() - 1;
        let mut postings = Vec::with_capacity(self.postings.len() + new.len());
        let mut runs: Vec<(u32, u32)> = Vec::with_capacity(self.runs.len() + new.len());
        let mut token_runs = vec![0u32; token_count + 1];
        let mut rest = new;
        for tok in 0..token_count {
            let split = rest.partition_point(|e| e.0 as usize <= tok);
            let (add, later) = rest.split_at(split);
            rest = later;
            if add.is_empty() {
                // Nothing new for this token (most of them): copied whole.
                let (old_runs, end) = self.runs_of(tok);
                if let Some(&(_, first)) = old_runs.first() {
                    // Earlier tokens only gained postings: never negative.
                    let shift = postings.len() as u32 - first;
                    runs.extend(old_runs.iter().map(|&(len, at)| (len, at + shift)));
                    postings.extend_from_slice(&self.postings[first as usize..end]);
                }
                token_runs[tok + 1] = runs.len() as u32;
                continue;
            }
            let old = self.token_postings(tok);
            let first_run = runs.len();
            let (mut i, mut j) = (0, 0);
            while i < old.len() || j < add.len() {
                let p = if j == add.len() || (i < old.len() && old[i] <= add[j].1) {
                    i += 1;
                    old[i - 1]
                } else {
                    j += 1;
                    add[j - 1].1
                };
                if runs.len() == first_run || runs.last().is_some_and(|r| r.0 != p.len) {
                    runs.push((p.len, postings.len() as u32));
                }
                postings.push(p);
            }
            token_runs[tok + 1] = runs.len() as u32;
        }
        Index {
            postings,
            runs,
            token_runs,
        }
    }

    /// All postings of `token`.
    fn token_postings(&self, tok: usize) -> &[Posting] {
        let (runs, end) = self.runs_of(tok);
        runs.first()
            .map_or(&[], |r| &self.postings[r.1 as usize..end])
    }

    /// The length runs of token `tok`, and where its postings end.
    fn runs_of(&self, tok: usize) -> (&[(u32, u32)], usize) {
        let (from, to) = (
            self.token_runs[tok] as usize,
            self.token_runs[tok + 1] as usize,
        );
        let end = self
            .runs
            .get(to)
            .map_or(self.postings.len(), |r| r.1 as usize);
        (&self.runs[from..to], end)
    }

    /// The postings of `token`, one slice per length from `shortest` on,
    /// in ascending length.
    fn postings(&self, token: u32, shortest: usize) -> impl Iterator<Item = (usize, &[Posting])> {
        let (runs, end) = self.runs_of(token as usize);
        let first = runs.partition_point(|r| (r.0 as usize) < shortest);
        runs[first..]
            .iter()
            .enumerate()
            .map(move |(r, &(len, start))| {
                let stop = runs.get(first + r + 1).map_or(end, |next| next.1 as usize);
                (len as usize, &self.postings[start as usize..stop])
            })
    }
}

/// The order of index entries (token, then [`Posting`]'s) as one number,
/// which sorts faster than the tuple.
fn sort_key(&(tok, p): &(u32, Posting)) -> u128 {
    (u128::from(tok) << 96)
        | (u128::from(p.len) << 64)
        | (u128::from(p.pos) << 32)
        | u128::from(p.id)
}

/// The postings of a key's indexed prefix: long enough for the smallest
/// overlap any partner needs.
fn prefix_postings(id: usize, x: &[u32], t: f64) -> impl Iterator<Item = (u32, Posting)> + '_ {
    let len = x.len() as u32;
    x[..prefix_len(x.len(), min_overlap(x.len(), t))]
        .iter()
        .enumerate()
        .map(move |(pos, &tok)| {
            let (pos, id) = (pos as u32, id as u32);
            (tok, Posting { len, pos, id })
        })
}

/// What a pair of lengths (the key's, a partner's) needs: the overlap, the
/// prefix of each in which the first [`PREFIX_SHARED`] shared tokens lie,
/// and how many of them make a candidate. All 0 when the pair cannot pass.
#[derive(Clone, Copy)]
struct LengthRule {
    need: u32,
    x_prefix: u32,
    y_prefix: u32,
    want: u32,
}

/// A partner's probe state, in one `u32` so the states of every partner
/// fit in cache: the probe's stamp above two bits of shared prefix tokens
/// counted, or [`DONE`] once the partner became a candidate or cannot
/// reach the overlap.
const DONE: u32 = 3;

/// One thread's scratch space for probing.
#[derive(Default)]
struct Scratch {
    /// Partner id → probe state.
    state: Vec<u32>,
    /// The current probe's stamp (a count of probes, shifted past `DONE`).
    stamp: u32,
    /// Partners whose shared prefix tokens reached the count a candidate
    /// needs, with the positions of that last shared token in the key and
    /// in the partner: every shared token before them was counted.
    candidates: Vec<(u32, u32, u32)>,
    /// Per partner length (from the shortest that can pass), what a pair
    /// needs, for the current key.
    rules: Vec<LengthRule>,
}

/// The keys' tokens and signatures, and the threshold.
struct Keys {
    tokens: Vec<Vec<u32>>,
    sigs: Vec<Signature>,
    t: f64,
}

impl Keys {
    /// Every partner in `index` with an id below `below` whose similarity
    /// to key `k` is at or above the threshold, as (id, bigram overlap).
    /// `partner` gives a partner id's key.
    fn similar(
        &self,
        k: usize,
        index: &Index,
        below: u32,
        partner: impl Fn(u32) -> usize,
        scratch: &mut Scratch,
    ) -> Vec<(u32, u32)> {
        let x = &self.tokens[k];
        let n = x.len();
        if n == 0 || below == 0 || index.postings.is_empty() {
            return Vec::new();
        }
        let t = self.t;
        scratch.stamp += 1;
        assert!(scratch.stamp < 1 << 30, "too many probes");
        let stamp = scratch.stamp << 2;
        let Scratch {
            state,
            candidates,
            rules,
            ..
        } = scratch;
        if state.len() < below as usize {
            state.resize(below as usize, 0);
        }
        candidates.clear();
        // 1. Probe, one partner length `m` at a time. With overlap `need`,
        //    the PREFIX_SHARED rarest shared tokens sit within the first
        //    `len − need + PREFIX_SHARED` of each key, so only those
        //    positions are read; at each match the tokens left bound the
        //    overlap still possible (PPJoin's positional filter). A partner
        //    becomes a candidate when the shared prefix tokens reach
        //    PREFIX_SHARED.
        let shortest = (t * n as f64 / (2.0 - t) - EPS).ceil().max(1.0) as usize;
        let longest = ((2.0 - t) * n as f64 / t + EPS).floor() as usize;
        rules.clear();
        rules.extend((shortest..=longest).map(|m| {
            let need = pair_overlap(n, m, t);
            if need > n.min(m) {
                // More than either key holds: no key of this length can pass.
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
            for (m, postings) in index.postings(tok, shortest) {
                if m > longest {
                    break;
                }
                let rule = rules[m - shortest];
                // The key's prefix shrinks as partners grow longer: no
                // longer partner can use this token either.
                if i32 >= rule.x_prefix {
                    break;
                }
                let need = rule.need as usize;
                for &Posting { pos: j, id, .. } in postings {
                    // Sorted by position: the rest lie past the prefix.
                    if j >= rule.y_prefix {
                        break;
                    }
                    if id >= below {
                        continue;
                    }
                    let s = state[id as usize];
                    let counted = if s & !DONE == stamp {
                        if s & DONE == DONE {
                            continue;
                        }
                        s & DONE
                    } else {
                        0
                    };
                    let left = (n - i - 1).min(m - j as usize - 1);
                    state[id as usize] = if counted as usize + 1 + left < need {
                        stamp | DONE
                    } else if counted + 1 == rule.want {
                        candidates.push((id, i32, j));
                        stamp | DONE
                    } else {
                        stamp | (counted + 1)
                    };
                }
            }
        }
        // 2. Verify the candidates: the signatures bound the overlap; if it
        //    can pass, an exact merge of what follows the last counted
        //    shared token decides.
        let mut out = Vec::new();
        let sx = &self.sigs[k];
        for &(id, i, j) in candidates.iter() {
            let (i, j) = (i as usize, j as usize);
            let other = partner(id);
            let y = &self.tokens[other];
            let m = y.len();
            // A candidate's length is one the probe read, so it has a rule.
            let need = rules[m - shortest].need as usize;
            let sy = &self.sigs[other];
            if n - missing(sx, sy) < need || m - missing(sy, sx) < need {
                continue;
            }
            let counted = PREFIX_SHARED.min(need);
            let Some(overlap) = overlap_if_at_least(&x[i + 1..], &y[j + 1..], counted, need) else {
                continue;
            };
            if dice(overlap, n, m) >= t {
                out.push((id, overlap as u32));
            }
        }
        out.sort_unstable();
        out
    }
}

/// Dice over the bigram multisets, exactly as [`similarity`] computes it
/// from the keys.
fn dice(overlap: usize, n: usize, m: usize) -> f64 {
    2.0 * overlap as f64 / (n + m) as f64
}

/// A key's most similar old group: (similarity, group).
type Match = (f64, usize);

/// What a key found in its block's parallel step: its most similar old
/// group, and its similar earlier keys of the block (offset, overlap).
type Found = (Option<Match>, Vec<(u32, u32)>);

/// Keys handled per parallel step at least (see [`group_keys`]).
const BLOCK: usize = 1024;

/// Assigns each distinct key (in first-appearance order) a group. Returns
/// key → group and group → representative key.
fn group_keys(keys: &[&str], threshold: f64) -> (Vec<usize>, Vec<usize>) {
    group_keys_in_blocks(keys, threshold, BLOCK)
}

/// [`group_keys`] with blocks of at least `block` keys (tests use small
/// ones).
///
/// Keys go in blocks. First every key of a block, on all cores, finds its
/// most similar representative among the groups formed before the block
/// (their index does not change meanwhile) and its similar *earlier keys
/// of the block* (a self-join over an index of the block). Then, in key
/// order, each takes the better of the old group and the similar block
/// keys that became representatives (the earlier group on a tie) and joins
/// it or starts its own: exactly the one-key-at-a-time greedy result. The
/// block grows with the groups (a quarter of them), so the representatives'
/// index is rebuilt a few dozen times at most, not once per block.
fn group_keys_in_blocks(keys: &[&str], threshold: f64, block: usize) -> (Vec<usize>, Vec<usize>) {
    use rayon::prelude::*;

    if !near_enabled(threshold) {
        return ((0..keys.len()).collect(), (0..keys.len()).collect());
    }
    let tokens = ordered_tokens(keys);
    let token_count = tokens.iter().flatten().max().map_or(0, |&m| m as usize + 1);
    let keys_info = Keys {
        sigs: tokens.par_iter().map(|x| signature(x)).collect(),
        tokens,
        t: threshold,
    };
    let keys_info = &keys_info;
    let tokens = &keys_info.tokens;
    const NONE: usize = usize::MAX;
    let mut rep_group = vec![NONE; keys.len()];
    let mut rep_key: Vec<usize> = Vec::new();
    let mut reps = Index::from_sorted(token_count, std::iter::empty());
    let mut key_group: Vec<usize> = Vec::with_capacity(keys.len());
    let mut start = 0;
    while start < keys.len() {
        let end = (start + block.max(rep_key.len() / 4).max(1)).min(keys.len());
        let old = rep_key.len();
        let in_block = Index::of(
            token_count,
            tokens[start..end].iter().map(Vec::as_slice),
            threshold,
        );
        let (reps_ref, rep_key_ref) = (&reps, &rep_key);
        let found: Vec<Found> = (start..end)
            .into_par_iter()
            .with_min_len(32)
            .map_init(Scratch::default, |scratch, k| {
                let n = tokens[k].len();
                let before = keys_info
                    .similar(
                        k,
                        reps_ref,
                        old as u32,
                        |g| rep_key_ref[g as usize],
                        scratch,
                    )
                    .into_iter()
                    .map(|(g, o)| {
                        (
                            dice(o as usize, n, tokens[rep_key_ref[g as usize]].len()),
                            g as usize,
                        )
                    })
                    .fold(None, |best: Option<Match>, (s, g)| match best {
                        Some((bs, bg)) if bs > s || (bs == s && bg < g) => best,
                        _ => Some((s, g)),
                    });
                let within = keys_info.similar(
                    k,
                    &in_block,
                    (k - start) as u32,
                    |j| start + j as usize,
                    scratch,
                );
                (before, within)
            })
            .collect();
        for (k, (before, within)) in (start..end).zip(found) {
            let n = tokens[k].len();
            let mut best = before;
            // Block keys come after every old group, and in group order:
            // only a strictly better one replaces the best so far.
            for (j, overlap) in within {
                let other = start + j as usize;
                let group = rep_group[other];
                if group == NONE {
                    continue;
                }
                let s = dice(overlap as usize, n, tokens[other].len());
                if best.is_none_or(|(bs, _)| s > bs) {
                    best = Some((s, group));
                }
            }
            key_group.push(match best {
                Some((_, group)) => group,
                None => {
                    rep_group[k] = rep_key.len();
                    rep_key.push(k);
                    rep_key.len() - 1
                }
            });
        }
        if rep_key.len() > old {
            let mut new: Vec<(u32, Posting)> = (old..rep_key.len())
                .flat_map(|g| prefix_postings(g, &tokens[rep_key[g]], threshold))
                .collect();
            new.par_sort_unstable_by_key(sort_key);
            reps = reps.merged(&new);
        }
        start = end;
    }
    (key_group, rep_key)
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
