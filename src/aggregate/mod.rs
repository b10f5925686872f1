//! Aggregation: classified remarks in, plain ranked data out (SPEC §4).
//!
//! Takes the [`Batch`] ingest read and the [`Labels`] classification gave each
//! remark, and computes everything the workbooks show: opinion groups, counts
//! and competition ranks per scope (the whole run, each profession, each
//! meeting), the 例② listing of each category with ×N counts and 【再掲】, the
//! 所在 of each category, the category × profession cross-table and the
//! 二次連携 pair candidates. The renderers only copy these values into cells;
//! they never count, sort or group again, so every sheet agrees with every
//! other.
//!
//! Decisions the renderers can rely on:
//! - **Group ids are run-wide.** Opinion groups are computed once over all
//!   remarks ([`group`]); a scope's groups are the run-wide groups restricted
//!   to the scope's remarks, so `G012` means the same opinion on every sheet.
//! - **A scope shows only its own remarks.** A [`Listing`]'s text, kind and
//!   representative come from the group's first remark *inside the scope*,
//!   never from another profession's meeting: a feedback workbook built from
//!   [`Aggregate::by_profession`] holds no other profession's wording.
//! - **Category order** ([`Aggregate::categories`]): the rule file's order
//!   (without `その他`), then the categories 例② sheets list
//!   ([`Meeting::listed_categories`], meeting then sheet order, even those
//!   with no remark), then any other category found in the labels in
//!   first-appearance order, then `その他`, always last. Ties in a ranking
//!   follow this order; the cross-table has a row for each.
//! - **Profession order** ([`Aggregate::professions`]): professions of
//!   meetings in [`Settings::professions`] (lexicon) order, then names not in
//!   the lexicon in order of their first meeting.
//! - **Listing order** inside a category: 課題 then アイデア; each by count
//!   (descending), then plain before 【再掲】, then first appearance. The
//!   middle key is what the manual's 例② does: a category lists its own
//!   remarks first and the re-listed ones after them.

mod cross;
pub mod group;
mod hash;
mod rank;

#[cfg(test)]
mod bench_data;
#[cfg(test)]
mod tests;

use rayon::prelude::*;
use serde::Serialize;

#[cfg(doc)]
use crate::model::Meeting;
use crate::model::{Batch, Kind, Labels, Location};
use hash::FastMap;

/// Near-duplicate threshold when none is configured (SPEC §2).
pub const DEFAULT_THRESHOLD: f64 = 0.85;

/// The catch-all category: always last in the order, ranked like any other.
pub const OTHER_CATEGORY: &str = "その他";

/// What aggregation needs besides the remarks and their labels.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    /// Category names in the rule file's order; breaks ties in rankings.
    /// `その他` may be anywhere in it (or absent): it is always put last.
    pub category_order: &'a [String],
    /// Canonical names of the lexicon's professions (`profession = true`), in
    /// lexicon order. Orders the professions of the outputs and decides which
    /// related parties can be a 二次連携 pair partner: a party is a partner when
    /// it is in this list or is the profession of some meeting (so 患者・家族
    /// and 行政 are not, unless a meeting was held with them).
    pub professions: &'a [String],
    /// Near-duplicate threshold: match keys whose bigram Dice similarity is at
    /// least this join one opinion group. Meaningful in `(0, 1]`; any other
    /// value (0, negative, NaN, > 1) turns near-duplicate grouping off, so only
    /// equal match keys group. The CLI validates the configured value.
    pub threshold: f64,
}

/// Everything the workbooks show, computed once.
#[derive(Debug, Clone, Serialize)]
pub struct Aggregate {
    /// Every category, in order (see the module doc): the cross-table's rows.
    pub categories: Vec<String>,
    /// Every meeting profession, in order (see the module doc).
    pub professions: Vec<String>,
    /// The whole run (`全体`).
    pub overall: Ranking,
    /// One ranking per profession over all its meetings, in the order of
    /// [`Aggregate::professions`] (same length, same names).
    pub by_profession: Vec<(String, Ranking)>,
    /// One ranking per meeting; index = meeting index.
    pub by_meeting: Vec<Ranking>,
    /// Run-wide opinion groups, in order of first appearance (ids `G001` …).
    pub groups: Vec<OpinionGroup>,
    /// Remark index → index into [`Aggregate::groups`].
    pub remark_group: Vec<usize>,
    /// Remark index → the categories of the overall ranking in which its
    /// listing is written with 【再掲】 (the 再掲 column of 分類一覧), in
    /// ranking order. Empty for most remarks.
    pub remark_relisted: Vec<Vec<String>>,
    /// Category × profession counts (`集計`).
    pub cross: CrossTable,
    /// 二次連携候補, best first.
    pub pairs: Vec<PairCandidate>,
    /// Remark indices per 所在, in [`Location::ALL`] order (sheets 職種内,
    /// 職種間, 地域全体); each ascending.
    pub by_location: [Vec<usize>; 3],
    /// Remarks read = remarks aggregated = `batch.remarks.len()`.
    pub remarks_total: usize,
}

/// Which remarks a ranking covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Scope {
    /// The whole run (`全体`).
    Run,
    /// Every meeting held with this profession.
    Profession(String),
    /// One meeting (index into `Batch::meetings`).
    Meeting(usize),
}

/// One scope's categories in 例② order.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub scope: Scope,
    /// `全体`, the profession, or the meeting's display name.
    pub scope_label: String,
    /// Meetings in the scope, ascending.
    pub meetings: Vec<usize>,
    /// Distinct remarks in the scope (a remark in two categories counts once).
    pub remark_count: usize,
    /// Categories with at least one remark, by rank then category order.
    /// Categories with no remark in this scope are left out (they stay in
    /// [`CrossTable`]).
    pub categories: Vec<RankedCategory>,
}

/// One row block of the 例② table.
#[derive(Debug, Clone, Serialize)]
pub struct RankedCategory {
    /// Competition rank: 1 + the number of categories with a larger count
    /// (counts 5, 3, 3, 1 → 1, 2, 2, 4).
    pub rank: u32,
    pub name: String,
    /// Remarks in the category: a remark in two categories counts in both.
    pub count: usize,
    /// 課題 listings, by count (descending), then plain before 【再掲】, then
    /// first appearance (see the module doc).
    pub issues: Vec<Listing>,
    /// アイデア listings, same order.
    pub ideas: Vec<Listing>,
    /// Where the category's remarks lie, for 所在 and the next step.
    pub location: LocationSummary,
}

/// One bullet of the 意見 cell: an opinion group within a category of a scope.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// Index into [`Aggregate::groups`] (run-wide; its `id` is the 重複グループ).
    pub group: usize,
    /// 課題 or アイデア: the kind of `representative`.
    pub kind: Kind,
    /// The group's first remark inside this scope (not necessarily in this
    /// category): its text is the bullet's text.
    pub representative: usize,
    /// Remarks of the group in this scope and category: the ×N (shown when > 1).
    pub count: usize,
    /// 【再掲】: the group is already listed in a higher-ranked category of
    /// this scope.
    pub relisted: bool,
    /// Some remark of `remarks` has a match key different from the
    /// representative's (grouped by similarity): show it, e.g. ×3(類似含む).
    pub near_duplicate: bool,
    /// The remarks counted, ascending.
    pub remarks: Vec<usize>,
}

impl Listing {
    /// The bullet's text: `representative`'s normalized text (not copied
    /// into every scope's listing; a run holds hundreds of thousands).
    pub fn text<'b>(&self, batch: &'b Batch) -> &'b str {
        &batch.remarks[self.representative].normalized
    }
}

/// 所在 of a category in a scope.
#[derive(Debug, Clone, Serialize)]
pub struct LocationSummary {
    /// Remarks per 所在, in [`Location::ALL`] order; sums to the category count.
    pub counts: [usize; 3],
    /// The most frequent 所在; on a tie the higher tier wins
    /// (地域全体 > 職種間 > 職種内), since the wider place can take up the
    /// narrower issue but not the reverse.
    pub main: Location,
    /// Parties named by the category's 職種間 remarks (their `related`), each
    /// remark's own meeting profession excluded; most frequent first, then
    /// in [`Aggregate::professions`] order, then name. For the 二次連携 next step.
    pub partners: Vec<Partner>,
}

/// A related party and how many 職種間 remarks of a category name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partner {
    pub name: String,
    pub count: usize,
    /// A profession (see [`Settings::professions`]); false for 患者・家族,
    /// 行政 … that the renderer may word differently.
    pub profession: bool,
}

/// One opinion: remarks with the same match key, plus near-duplicates.
#[derive(Debug, Clone, Serialize)]
pub struct OpinionGroup {
    /// `G001`, `G002` … in order of first appearance (`G1000` after `G999`);
    /// the same inputs give the same ids.
    pub id: String,
    /// The first remark of the group (lowest index).
    pub representative: usize,
    /// All remarks of the group, ascending; includes `representative`.
    pub members: Vec<usize>,
    /// Members whose match key differs from the representative's: they
    /// joined by similarity, not by equal key. Ascending.
    pub near_members: Vec<usize>,
    /// `!near_members.is_empty()`: the grouping is shown, never silent.
    pub near_duplicate: bool,
}

/// Category × profession counts over the whole run (`集計`).
///
/// A cell counts the remarks of that profession's meetings in that category;
/// a remark in k categories counts in k cells. So `row_totals` are the
/// overall category counts, while `col_totals` and `grand_total` count
/// category assignments, not remarks: they exceed the remark counts whenever a
/// remark has several categories. The distinct remark counts are
/// `remarks_per_profession` and `remarks_total`; show both so readers aren't
/// puzzled.
#[derive(Debug, Clone, Serialize)]
pub struct CrossTable {
    /// Rows: every category in order, including ones with no remark.
    pub categories: Vec<String>,
    /// Columns: every meeting profession, in order.
    pub professions: Vec<String>,
    /// `counts[category][profession]`.
    pub counts: Vec<Vec<usize>>,
    /// Per category: sum of its row (= the category's overall count).
    pub row_totals: Vec<usize>,
    /// Per profession: sum of its column (category assignments).
    pub col_totals: Vec<usize>,
    /// Sum of all cells (category assignments).
    pub grand_total: usize,
    /// Per profession: distinct remarks of its meetings.
    pub remarks_per_profession: Vec<usize>,
    /// Distinct remarks in the run.
    pub remarks_total: usize,
}

/// 二次連携候補: two professions that raise needs toward each other.
///
/// A remark counts `X → Y` when it comes from a meeting held with profession
/// X, its 所在 is 職種間, and its related parties name Y ≠ X, Y a profession
/// (see [`Settings::professions`]). 地域全体 remarks are left out: they go to
/// the 三次連携 bodies, not to a matching of two professions. Every pair with
/// at least one direction counted is listed; pairs with `mutual > 0` are the
/// real candidates and come first.
#[derive(Debug, Clone, Serialize)]
pub struct PairCandidate {
    /// The earlier of the two: [`Aggregate::professions`] order, and
    /// professions without a meeting after those, in lexicon order.
    pub a: String,
    pub b: String,
    pub a_to_b: usize,
    pub b_to_a: usize,
    /// `min(a_to_b, b_to_a)`: the sort key.
    pub mutual: usize,
    /// `a_to_b + b_to_a`: the second sort key (then `a`, `b` order).
    pub total: usize,
    /// Up to 3 remark indices of each direction, first appearance first.
    pub examples_a_to_b: Vec<usize>,
    pub examples_b_to_a: Vec<usize>,
}

/// Aggregates a classified batch. `labels[i]` belongs to `batch.remarks[i]`.
///
/// Pure and deterministic: the same inputs give the same output. A remark
/// whose labels name no category is counted under `その他` (classification
/// never gives that, but conservation must hold anyway); a category repeated
/// in one remark's labels counts once.
///
/// # Panics
/// When `labels.len() != batch.remarks.len()` (a bug in the caller).
pub fn aggregate(batch: &Batch, labels: &[Labels], settings: &Settings<'_>) -> Aggregate {
    let grouping = group::group(&batch.remarks, settings.threshold);
    aggregate_grouped(batch, labels, settings, grouping)
}

/// [`aggregate`] with the run-wide groups already computed by
/// [`group::group`]`(&batch.remarks, settings.threshold)`: grouping needs
/// only the remarks, so a caller can run it while classifying. Gives exactly
/// what [`aggregate`] gives.
///
/// # Panics
/// When `labels.len() != batch.remarks.len()`, or when `grouping` does not
/// cover the remarks (a bug in the caller).
pub fn aggregate_grouped(
    batch: &Batch,
    labels: &[Labels],
    settings: &Settings<'_>,
    grouping: group::Grouping,
) -> Aggregate {
    assert_eq!(
        labels.len(),
        batch.remarks.len(),
        "aggregate: one Labels per remark"
    );
    assert_eq!(
        grouping.remark_group.len(),
        batch.remarks.len(),
        "aggregate: one group per remark"
    );
    // 1. The orders every table follows.
    let categories = category_order(batch, labels, settings.category_order);
    let professions = profession_order(batch, settings.professions);
    let ctx = Context::new(batch, labels, &categories, &professions, settings);

    // 2. Run-wide opinion groups: `grouping`.

    // 3. Rankings per scope, each over its own remarks, and 4. the run-wide
    //    tables: all independent, so computed in parallel.
    let all: Vec<usize> = (0..batch.remarks.len()).collect();
    let mut profession_remarks: Vec<Vec<usize>> = vec![Vec::new(); professions.len()];
    let mut meeting_remarks: Vec<Vec<usize>> = vec![Vec::new(); batch.meetings.len()];
    for (r, remark) in batch.remarks.iter().enumerate() {
        if let Some(list) = profession_remarks.get_mut(ctx.remark_profession[r]) {
            list.push(r);
        }
        if let Some(list) = meeting_remarks.get_mut(remark.meeting) {
            list.push(r);
        }
    }
    let ((overall, remark_relisted), ((by_profession, by_meeting), (cross, pairs))) = rayon::join(
        || {
            let overall = rank::ranking(
                &ctx,
                &grouping,
                Scope::Run,
                "全体".to_string(),
                (0..batch.meetings.len()).collect(),
                &all,
            );
            let mut remark_relisted: Vec<Vec<String>> = vec![Vec::new(); batch.remarks.len()];
            for cat in &overall.categories {
                for listing in cat.issues.iter().chain(&cat.ideas) {
                    if listing.relisted {
                        for &r in &listing.remarks {
                            remark_relisted[r].push(cat.name.clone());
                        }
                    }
                }
            }
            (overall, remark_relisted)
        },
        || {
            rayon::join(
                || {
                    rayon::join(
                        || {
                            professions
                                .par_iter()
                                .zip(&profession_remarks)
                                .enumerate()
                                .map(|(p, (name, remarks))| {
                                    let meetings: Vec<usize> = (0..batch.meetings.len())
                                        .filter(|&m| ctx.meeting_profession[m] == p)
                                        .collect();
                                    let ranking = rank::ranking(
                                        &ctx,
                                        &grouping,
                                        Scope::Profession(name.clone()),
                                        name.clone(),
                                        meetings,
                                        remarks,
                                    );
                                    (name.clone(), ranking)
                                })
                                .collect::<Vec<_>>()
                        },
                        || {
                            batch
                                .meetings
                                .par_iter()
                                .zip(&meeting_remarks)
                                .enumerate()
                                .map(|(m, (meeting, remarks))| {
                                    rank::ranking(
                                        &ctx,
                                        &grouping,
                                        Scope::Meeting(m),
                                        meeting.display_name(),
                                        vec![m],
                                        remarks,
                                    )
                                })
                                .collect::<Vec<_>>()
                        },
                    )
                },
                || rayon::join(|| cross::cross_table(&ctx), || cross::pairs(&ctx)),
            )
        },
    );
    let mut by_location: [Vec<usize>; 3] = Default::default();
    for (r, l) in labels.iter().enumerate() {
        by_location[location_index(l.location)].push(r);
    }

    Aggregate {
        categories,
        professions,
        overall,
        by_profession,
        by_meeting,
        groups: grouping.groups,
        remark_group: grouping.remark_group,
        remark_relisted,
        cross,
        pairs,
        by_location,
        remarks_total: batch.remarks.len(),
    }
}

/// Index of a location in [`Location::ALL`].
fn location_index(l: Location) -> usize {
    match l {
        Location::WithinProfession => 0,
        Location::BetweenProfessions => 1,
        Location::RegionWide => 2,
    }
}

/// Rule order (without その他), then 例② names, then other labelled names by
/// first appearance, then その他.
fn category_order(batch: &Batch, labels: &[Labels], rule_order: &[String]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let push = |name: &str, order: &mut Vec<String>| {
        if name != OTHER_CATEGORY && !order.iter().any(|c| c == name) {
            order.push(name.to_string());
        }
    };
    let listed = batch.meetings.iter().flat_map(|m| &m.listed_categories);
    for name in rule_order.iter().chain(listed) {
        push(name, &mut order);
    }
    for l in labels {
        for name in &l.categories {
            push(name, &mut order);
        }
    }
    order.push(OTHER_CATEGORY.to_string());
    order
}

/// Meeting professions in lexicon order, then unknown names by first meeting.
fn profession_order(batch: &Batch, lexicon: &[String]) -> Vec<String> {
    let mut known: Vec<(usize, String)> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for m in &batch.meetings {
        let name = &m.profession;
        if known.iter().any(|(_, n)| n == name) || unknown.contains(name) {
            continue;
        }
        match lexicon.iter().position(|p| p == name) {
            Some(i) => known.push((i, name.clone())),
            None => unknown.push(name.clone()),
        }
    }
    known.sort();
    known.into_iter().map(|(_, n)| n).chain(unknown).collect()
}

/// The inputs resolved to indices once, shared by the scope computations.
struct Context<'a> {
    batch: &'a Batch,
    labels: &'a [Labels],
    categories: &'a [String],
    professions: &'a [String],
    /// Remark → sorted, distinct category indices (never empty).
    remark_categories: Vec<Vec<usize>>,
    /// Meeting → index into `professions`.
    meeting_profession: Vec<usize>,
    /// Remark → index into `professions` (its meeting's profession), or
    /// `usize::MAX` when its meeting index is out of range.
    remark_profession: Vec<usize>,
    /// Party name → can be a pair partner.
    partner_professions: Vec<String>,
}

impl<'a> Context<'a> {
    fn new(
        batch: &'a Batch,
        labels: &'a [Labels],
        categories: &'a [String],
        professions: &'a [String],
        settings: &Settings<'_>,
    ) -> Context<'a> {
        let cat_index: FastMap<&str, usize> = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let other = categories.len() - 1;
        let remark_categories = labels
            .iter()
            .map(|l| {
                let mut cats: Vec<usize> = l
                    .categories
                    .iter()
                    .map(|c| cat_index.get(c.as_str()).copied().unwrap_or(other))
                    .collect();
                cats.sort_unstable();
                cats.dedup();
                if cats.is_empty() {
                    cats.push(other);
                }
                cats
            })
            .collect();
        let prof_index: FastMap<&str, usize> = professions
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect();
        let meeting_profession: Vec<usize> = batch
            .meetings
            .iter()
            .map(|m| prof_index[m.profession.as_str()])
            .collect();
        let remark_profession = batch
            .remarks
            .iter()
            .map(|r| {
                meeting_profession
                    .get(r.meeting)
                    .copied()
                    .unwrap_or(usize::MAX)
            })
            .collect();
        let mut partner_professions: Vec<String> = settings.professions.to_vec();
        for p in professions {
            if !partner_professions.contains(p) {
                partner_professions.push(p.clone());
            }
        }
        Context {
            batch,
            labels,
            categories,
            professions,
            remark_categories,
            meeting_profession,
            remark_profession,
            partner_professions,
        }
    }

    fn is_partner_profession(&self, name: &str) -> bool {
        self.partner_professions.iter().any(|p| p == name)
    }

    /// The profession name of a remark's meeting, if the meeting exists.
    fn own_profession(&self, remark: usize) -> Option<&str> {
        self.professions
            .get(self.remark_profession[remark])
            .map(String::as_str)
    }

    /// Position of a name in profession order; names not there sort after.
    fn profession_rank(&self, name: &str) -> usize {
        self.professions
            .iter()
            .position(|p| p == name)
            .or_else(|| {
                self.partner_professions
                    .iter()
                    .position(|p| p == name)
                    .map(|i| self.professions.len() + i)
            })
            .unwrap_or(usize::MAX)
    }
}
