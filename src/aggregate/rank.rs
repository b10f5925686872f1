//! One scope's 例② table: category counts, competition ranks, the listings of
//! each category (課題 then アイデア, ×N, 【再掲】) and each category's 所在.
//!
//! Everything here is computed from the scope's own remarks only; the
//! run-wide grouping contributes nothing but which remarks belong together.

use super::group::Grouping;
use super::hash::FastMap;
use super::{
    location_index, Context, Listing, LocationSummary, Partner, RankedCategory, Ranking, Scope,
};
use crate::model::{Kind, Location};

/// A run-wide group as seen inside one scope.
struct LocalGroup {
    group: usize,
    /// First remark of the group in the scope.
    representative: usize,
}

/// Ranks one scope. `remarks` must be ascending.
pub(super) fn ranking(
    ctx: &Context<'_>,
    grouping: &Grouping,
    scope: Scope,
    scope_label: String,
    meetings: Vec<usize>,
    remarks: &[usize],
) -> Ranking {
    debug_assert!(remarks.windows(2).all(|w| w[0] < w[1]));
    let n_cat = ctx.categories.len();

    // 1. The scope's groups, in first-appearance order, and per category the
    //    (local group, remark) pairs in remark order.
    let mut local_of: FastMap<usize, usize> = FastMap::default();
    let mut locals: Vec<LocalGroup> = Vec::new();
    let mut entries: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_cat];
    for &r in remarks {
        let g = grouping.remark_group[r];
        let local = *local_of.entry(g).or_insert_with(|| {
            locals.push(LocalGroup {
                group: g,
                representative: r,
            });
            locals.len() - 1
        });
        for &c in &ctx.remark_categories[r] {
            entries[c].push((local, r));
        }
    }

    // 2. Categories with remarks, by count then category order; competition ranks.
    let mut order: Vec<usize> = (0..n_cat).filter(|&c| !entries[c].is_empty()).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(entries[c].len()), c));
    let mut ranks: Vec<u32> = Vec::with_capacity(order.len());
    for (i, &c) in order.iter().enumerate() {
        let rank = if i > 0 && entries[order[i - 1]].len() == entries[c].len() {
            ranks[i - 1]
        } else {
            i as u32 + 1
        };
        ranks.push(rank);
    }

    // 3. Listings in rank order; a group already listed is 【再掲】.
    let mut listed = vec![false; locals.len()];
    let mut categories = Vec::with_capacity(order.len());
    for (&c, &rank) in order.iter().zip(&ranks) {
        let mut pairs = std::mem::take(&mut entries[c]);
        let category_remarks: Vec<usize> = pairs.iter().map(|&(_, r)| r).collect();
        pairs.sort_by_key(|&(local, _)| local); // stable: remarks stay ascending
        let mut issues: Vec<(usize, Listing)> = Vec::new();
        let mut ideas: Vec<(usize, Listing)> = Vec::new();
        for chunk in pairs.chunk_by(|a, b| a.0 == b.0) {
            let local = chunk[0].0;
            let lg = &locals[local];
            let rep = lg.representative;
            let rep_key = &ctx.batch.remarks[rep].match_key;
            let members: Vec<usize> = chunk.iter().map(|&(_, r)| r).collect();
            let listing = Listing {
                group: lg.group,
                kind: ctx.labels[rep].kind,
                representative: rep,
                count: members.len(),
                relisted: listed[local],
                near_duplicate: members
                    .iter()
                    .any(|&r| r != rep && &ctx.batch.remarks[r].match_key != rep_key),
                remarks: members,
            };
            match listing.kind {
                Kind::Issue => issues.push((local, listing)),
                Kind::Idea => ideas.push((local, listing)),
            }
        }
        for list in [&issues, &ideas] {
            for (local, _) in list {
                listed[*local] = true;
            }
        }
        categories.push(RankedCategory {
            rank,
            name: ctx.categories[c].clone(),
            count: category_remarks.len(),
            issues: sort_listings(issues),
            ideas: sort_listings(ideas),
            location: location_summary(ctx, &category_remarks),
        });
    }

    Ranking {
        scope,
        scope_label,
        meetings,
        remark_count: remarks.len(),
        categories,
    }
}

/// By count (descending), then plain before 【再掲】, then first appearance
/// in the scope. The middle key reproduces the manual's 例②, where a
/// category lists its own remarks first and the re-listed ones after them.
fn sort_listings(mut list: Vec<(usize, Listing)>) -> Vec<Listing> {
    list.sort_by_key(|(local, l)| (std::cmp::Reverse(l.count), l.relisted, *local));
    // Into a new, exact allocation: `collect` would reuse `list`'s buffer,
    // grown by pushes and wider per item, and a run keeps thousands of these.
    let mut out = Vec::with_capacity(list.len());
    out.extend(list.into_iter().map(|(_, l)| l));
    out
}

/// 所在 counts, the main 所在 and the 職種間 partners of a category's remarks.
fn location_summary(ctx: &Context<'_>, remarks: &[usize]) -> LocationSummary {
    let mut counts = [0usize; 3];
    let mut partner_counts: FastMap<&str, usize> = FastMap::default();
    for &r in remarks {
        let labels = &ctx.labels[r];
        counts[location_index(labels.location)] += 1;
        if labels.location != Location::BetweenProfessions {
            continue;
        }
        let own = ctx.own_profession(r);
        let mut named: Vec<&str> = labels.related.iter().map(String::as_str).collect();
        named.sort_unstable();
        named.dedup();
        for party in named {
            if Some(party) != own {
                *partner_counts.entry(party).or_default() += 1;
            }
        }
    }
    // Ascending tiers: `>=` lets the higher tier win a tie.
    let mut main = 0;
    for i in 1..3 {
        if counts[i] >= counts[main] {
            main = i;
        }
    }
    let mut partners: Vec<Partner> = partner_counts
        .into_iter()
        .map(|(name, count)| Partner {
            name: name.to_string(),
            count,
            profession: ctx.is_partner_profession(name),
        })
        .collect();
    partners.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| {
                ctx.profession_rank(&a.name)
                    .cmp(&ctx.profession_rank(&b.name))
            })
            .then_with(|| a.name.cmp(&b.name))
    });
    LocationSummary {
        counts,
        main: Location::ALL[main],
        partners,
    }
}
