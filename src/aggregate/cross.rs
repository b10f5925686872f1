//! Run-wide tables: the category × profession cross-table (`集計`) and the
//! 二次連携 pair candidates (`二次連携候補`).

use super::hash::FastMap;
use super::{Context, CrossTable, PairCandidate};
use crate::model::Location;

/// Examples kept per direction of a pair.
const PAIR_EXAMPLES: usize = 3;

/// Counts remarks per category and profession (see [`CrossTable`]).
pub(super) fn cross_table(ctx: &Context<'_>) -> CrossTable {
    let n_cat = ctx.categories.len();
    let n_prof = ctx.professions.len();
    let mut counts = vec![vec![0usize; n_prof]; n_cat];
    let mut remarks_per_profession = vec![0usize; n_prof];
    for (r, cats) in ctx.remark_categories.iter().enumerate() {
        let p = ctx.remark_profession[r];
        if p >= n_prof {
            continue; // a remark without a meeting: not a valid batch
        }
        remarks_per_profession[p] += 1;
        for &c in cats {
            counts[c][p] += 1;
        }
    }
    let row_totals: Vec<usize> = counts.iter().map(|row| row.iter().sum()).collect();
    let col_totals: Vec<usize> = (0..n_prof)
        .map(|p| counts.iter().map(|row| row[p]).sum())
        .collect();
    CrossTable {
        categories: ctx.categories.to_vec(),
        professions: ctx.professions.to_vec(),
        grand_total: row_totals.iter().sum(),
        counts,
        row_totals,
        col_totals,
        remarks_per_profession,
        remarks_total: ctx.batch.remarks.len(),
    }
}

/// Pairs of professions whose 職種間 remarks name each other (see
/// [`PairCandidate`]), best first.
pub(super) fn pairs(ctx: &Context<'_>) -> Vec<PairCandidate> {
    // Directed (from, to) → remarks, ascending.
    let mut directed: FastMap<(&str, &str), Vec<usize>> = FastMap::default();
    for (r, labels) in ctx.labels.iter().enumerate() {
        if labels.location != Location::BetweenProfessions {
            continue;
        }
        let Some(own) = ctx.own_profession(r) else {
            continue;
        };
        let mut named: Vec<&str> = labels.related.iter().map(String::as_str).collect();
        named.sort_unstable();
        named.dedup();
        for to in named {
            if to != own && ctx.is_partner_profession(to) {
                directed.entry((own, to)).or_default().push(r);
            }
        }
    }

    let order = |name: &str| (ctx.profession_rank(name), name.to_string());
    let mut unordered: Vec<(&str, &str)> = directed
        .keys()
        .map(|&(x, y)| if order(x) <= order(y) { (x, y) } else { (y, x) })
        .collect();
    unordered.sort_by_key(|&(a, b)| (order(a), order(b)));
    unordered.dedup();

    let mut pairs: Vec<PairCandidate> = unordered
        .into_iter()
        .map(|(a, b)| {
            let ab = directed.get(&(a, b)).map_or(&[][..], Vec::as_slice);
            let ba = directed.get(&(b, a)).map_or(&[][..], Vec::as_slice);
            PairCandidate {
                a: a.to_string(),
                b: b.to_string(),
                a_to_b: ab.len(),
                b_to_a: ba.len(),
                mutual: ab.len().min(ba.len()),
                total: ab.len() + ba.len(),
                examples_a_to_b: ab.iter().copied().take(PAIR_EXAMPLES).collect(),
                examples_b_to_a: ba.iter().copied().take(PAIR_EXAMPLES).collect(),
            }
        })
        .collect();
    // Stable sort: equal (mutual, total) keep the profession order.
    pairs.sort_by_key(|p| (std::cmp::Reverse(p.mutual), std::cmp::Reverse(p.total)));
    pairs
}
