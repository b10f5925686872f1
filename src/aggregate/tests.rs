//! Aggregation tests: the manual's 例② table reproduced, ×N, ties, pairs, and
//! the invariants (conservation, competition ranks, confidentiality) as
//! property tests over random batches.

use proptest::prelude::*;

use super::bench_data::{measure, vocabulary_remarks, Rng};
use super::*;
use crate::model::{Layout, Meeting, ProfessionSource, Remark, SourceRef};

// ---------------------------------------------------------------- builders

fn meeting(index: usize, profession: &str) -> Meeting {
    Meeting {
        index,
        file: format!("m{index}.xlsx"),
        sheet: "Sheet1".into(),
        layout: Layout::List,
        profession: profession.into(),
        profession_source: ProfessionSource::Title,
        title: None,
        tier: None,
        round: Some(1),
        date: None,
        listed_categories: Vec::new(),
    }
}

/// A test match key: the text without spaces and punctuation.
fn key_of(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !"、。,.・()（）「」!?！？".contains(*c))
        .collect()
}

pub(super) fn remark(meeting: usize, text: &str) -> Remark {
    Remark {
        id: String::new(),
        meeting,
        original: text.into(),
        normalized: text.into(),
        match_key: key_of(text),
        speaker: None,
        row_profession: None,
        note: None,
        source: SourceRef {
            file: format!("m{meeting}.xlsx"),
            sheet: "Sheet1".into(),
            row: 1,
            col: "D".into(),
        },
        orphan_relisting: false,
        given_categories: Vec::new(),
        given_kind: None,
        extra: Vec::new(),
    }
}

fn labels(categories: &[&str], kind: Kind, location: Location, related: &[&str]) -> Labels {
    Labels {
        categories: categories.iter().map(|s| s.to_string()).collect(),
        kind,
        location,
        related: related.iter().map(|s| s.to_string()).collect(),
    }
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

/// The default categories of SPEC §3, in rule-file order.
fn rule_categories() -> Vec<String> {
    strings(&[
        "多職種連携",
        "他職種への職能の周知",
        "情報共有ツール",
        "食べること",
        "入退院支援",
        "日常の療養支援",
        "急変時の対応",
        "看取り",
        "服薬・薬剤",
        "人材育成・研修",
        "住民・家族への普及啓発",
        "地域の体制・役割分担",
        "その他",
    ])
}

fn lexicon_professions() -> Vec<String> {
    strings(&[
        "医師",
        "歯科医師",
        "薬剤師",
        "看護師",
        "病院連携室",
        "介護支援専門員",
    ])
}

fn run(batch: &Batch, labels: &[Labels]) -> Aggregate {
    let order = rule_categories();
    let profs = lexicon_professions();
    aggregate(
        batch,
        labels,
        &Settings {
            category_order: &order,
            professions: &profs,
            threshold: DEFAULT_THRESHOLD,
        },
    )
}

/// Listing texts of a category, 【再掲】 appended, issues then ideas.
fn listing_lines(batch: &Batch, cat: &RankedCategory) -> (Vec<String>, Vec<String>) {
    let show = |ls: &[Listing]| {
        ls.iter()
            .map(|l| {
                let mut s = l.text(batch).to_string();
                if l.count > 1 {
                    s.push_str(&format!("×{}", l.count));
                }
                if l.relisted {
                    s.push_str("【再掲】");
                }
                s
            })
            .collect()
    };
    (show(&cat.issues), show(&cat.ideas))
}

// ------------------------------------------------------ the manual's 例②

const TASHOKUSHU: &str = "多職種連携";
const SHUCHI: &str = "他職種への職能の周知";
const TOOL: &str = "情報共有ツール";
const TABERU: &str = "食べること";

/// The manual's 例② sheet (第2章(1)), read as ingest reads it: each 【再掲】
/// line added a category to the remark it re-lists.
///
/// ```text
/// 順位 | カテゴリ             | 課題/アイデア | 意見
/// 1    | 多職種連携           | 課題          | 7 remarks
///      |                      | アイデア      | 3 remarks
/// 2    | 他職種への職能の周知 | 課題          | 1 remark + 2 【再掲】
///      |                      | アイデア      | 3 remarks
/// 3    | 情報共有ツール       | 課題          | 1 remark + 1 【再掲】
///      |                      | アイデア      | 1 remark
/// 4    | 食べること           | 課題/アイデア | empty bullets only
/// ```
fn manual_example() -> (Batch, Vec<Labels>) {
    use Kind::{Idea, Issue};
    let rows: &[(&str, &[&str], Kind)] = &[
        ("顔の見える連携が弱い", &[TASHOKUSHU], Issue),
        ("誰に連絡してよいかわからない", &[TASHOKUSHU], Issue),
        ("情報共有不足", &[TASHOKUSHU, TOOL], Issue),
        ("自分たちの情報発信力が弱い", &[TASHOKUSHU, SHUCHI], Issue),
        (
            "自分たちの職能をアピールできる場が少ない",
            &[TASHOKUSHU, SHUCHI],
            Issue,
        ),
        ("〇〇(特定の職種)に関する知識が少ない", &[TASHOKUSHU], Issue),
        (
            "医療職と介護関係職では、集まりやすい時間が異なる",
            &[TASHOKUSHU],
            Issue,
        ),
        ("飲み会の開催", &[TASHOKUSHU], Idea),
        ("〇〇(特定の職種)と話し合う", &[TASHOKUSHU], Idea),
        ("合同研修会やりたい", &[TASHOKUSHU], Idea),
        ("自信をもってアピールできない", &[SHUCHI], Issue),
        ("自分たちのスキルを高める", &[SHUCHI], Idea),
        ("市の広報での職能周知", &[SHUCHI], Idea),
        ("チームかまいで二次連携を企画してもらう", &[SHUCHI], Idea),
        ("地域の情報共有ツールが周知されていない", &[TOOL], Issue),
        ("情報共有ツール活用のための研修会", &[TOOL], Idea),
    ];
    let mut sheet = meeting(0, "薬剤師");
    sheet.layout = Layout::Classified;
    sheet.listed_categories = strings(&[TASHOKUSHU, SHUCHI, TOOL, TABERU]);
    let mut batch = Batch {
        meetings: vec![sheet],
        ..Batch::default()
    };
    let mut ls = Vec::new();
    for &(text, cats, kind) in rows {
        batch.remarks.push(remark(0, text));
        ls.push(labels(cats, kind, Location::WithinProfession, &[]));
    }
    (batch, ls)
}

#[test]
fn manual_example_is_reproduced() {
    let (batch, ls) = manual_example();
    let agg = run(&batch, &ls);
    assert_eq!(agg.remarks_total, 16);

    for ranking in [&agg.overall, &agg.by_profession[0].1, &agg.by_meeting[0]] {
        let got: Vec<(u32, &str, usize)> = ranking
            .categories
            .iter()
            .map(|c| (c.rank, c.name.as_str(), c.count))
            .collect();
        assert_eq!(
            got,
            vec![(1, TASHOKUSHU, 10), (2, SHUCHI, 6), (3, TOOL, 3)],
            "{}",
            ranking.scope_label
        );
        assert_eq!(ranking.remark_count, 16);

        let cats = &ranking.categories;
        assert_eq!(
            listing_lines(&batch, &cats[0]),
            (
                strings(&[
                    "顔の見える連携が弱い",
                    "誰に連絡してよいかわからない",
                    "情報共有不足",
                    "自分たちの情報発信力が弱い",
                    "自分たちの職能をアピールできる場が少ない",
                    "〇〇(特定の職種)に関する知識が少ない",
                    "医療職と介護関係職では、集まりやすい時間が異なる",
                ]),
                strings(&[
                    "飲み会の開催",
                    "〇〇(特定の職種)と話し合う",
                    "合同研修会やりたい"
                ]),
            )
        );
        assert_eq!(
            listing_lines(&batch, &cats[1]),
            (
                strings(&[
                    "自信をもってアピールできない",
                    "自分たちの情報発信力が弱い【再掲】",
                    "自分たちの職能をアピールできる場が少ない【再掲】",
                ]),
                strings(&[
                    "自分たちのスキルを高める",
                    "市の広報での職能周知",
                    "チームかまいで二次連携を企画してもらう",
                ]),
            )
        );
        assert_eq!(
            listing_lines(&batch, &cats[2]),
            (
                strings(&[
                    "地域の情報共有ツールが周知されていない",
                    "情報共有不足【再掲】"
                ]),
                strings(&["情報共有ツール活用のための研修会"]),
            )
        );
    }

    // 食べること: no rank, kept in the cross-table with zeros.
    assert!(agg.overall.categories.iter().all(|c| c.name != TABERU));
    let row = agg
        .cross
        .categories
        .iter()
        .position(|c| c == TABERU)
        .unwrap();
    assert_eq!(agg.cross.counts[row], vec![0]);
    assert_eq!(agg.cross.row_totals[..4], [10, 6, 3, 0]);
    assert_eq!(agg.cross.grand_total, 19); // assignments: 16 remarks, 3 in two categories
    assert_eq!(agg.cross.remarks_per_profession, vec![16]);
    assert_eq!(agg.cross.categories, rule_categories());

    // The 再掲 column of 分類一覧.
    assert_eq!(agg.remark_relisted[2], strings(&[TOOL]));
    assert_eq!(agg.remark_relisted[3], strings(&[SHUCHI]));
    assert_eq!(agg.remark_relisted[4], strings(&[SHUCHI]));
    let relisted: usize = agg.remark_relisted.iter().map(Vec::len).sum();
    assert_eq!(relisted, 3);
    // No two of the manual's remarks are one opinion.
    assert_eq!(agg.groups.len(), 16);
    assert!(agg.groups.iter().all(|g| !g.near_duplicate));
}

#[test]
fn same_key_three_times_is_one_listing_with_count_three() {
    let mut batch = Batch {
        meetings: vec![meeting(0, "医師")],
        ..Batch::default()
    };
    let mut ls = Vec::new();
    for text in [
        "誰に連絡してよいかわからない",
        "誰に連絡してよいか、わからない。",
        "顔の見える連携が弱い",
        "誰に連絡してよいかわからない",
    ] {
        batch.remarks.push(remark(0, text));
        ls.push(labels(
            &[TASHOKUSHU],
            Kind::Issue,
            Location::WithinProfession,
            &[],
        ));
    }
    let agg = run(&batch, &ls);
    let cat = &agg.overall.categories[0];
    assert_eq!(cat.count, 4);
    assert_eq!(cat.issues.len(), 2);
    assert_eq!(cat.issues[0].count, 3);
    assert_eq!(cat.issues[0].remarks, vec![0, 1, 3]);
    assert_eq!(cat.issues[0].text(&batch), "誰に連絡してよいかわからない");
    assert!(
        !cat.issues[0].near_duplicate,
        "equal keys are not near-duplicates"
    );
    assert_eq!(agg.groups[0].id, "G001");
    assert_eq!(agg.groups[0].members, vec![0, 1, 3]);
    assert_eq!(agg.remark_group, vec![0, 0, 1, 0]);
}

#[test]
fn near_duplicates_group_and_say_so() {
    let mut batch = Batch {
        meetings: vec![meeting(0, "医師")],
        ..Batch::default()
    };
    let mut ls = Vec::new();
    for text in [
        "病院は在宅側の準備が整っていなくてもすぐに退院させようとする",
        "病院は在宅側の準備が整っていなくても、すぐ退院させようとする",
    ] {
        batch.remarks.push(remark(0, text));
        ls.push(labels(
            &["入退院支援"],
            Kind::Issue,
            Location::WithinProfession,
            &[],
        ));
    }
    let agg = run(&batch, &ls);
    assert_eq!(agg.groups.len(), 1);
    assert!(agg.groups[0].near_duplicate);
    assert_eq!(agg.groups[0].near_members, vec![1]);
    let listing = &agg.overall.categories[0].issues[0];
    assert_eq!(listing.count, 2);
    assert!(listing.near_duplicate);
}

#[test]
fn ties_share_a_rank_and_follow_the_rule_order() {
    // counts: 看取り 5, 入退院支援 3, 多職種連携 3, その他 1.
    let mut batch = Batch {
        meetings: vec![meeting(0, "医師")],
        ..Batch::default()
    };
    let mut ls = Vec::new();
    let mut add = |cat: &str, n: usize| {
        for i in 0..n {
            batch
                .remarks
                .push(remark(0, &format!("{cat}についての意見その{i}")));
            ls.push(labels(&[cat], Kind::Issue, Location::WithinProfession, &[]));
        }
    };
    add("その他", 1);
    add("入退院支援", 3);
    add("看取り", 5);
    add(TASHOKUSHU, 3);
    let agg = run(&batch, &ls);
    let got: Vec<(u32, &str, usize)> = agg
        .overall
        .categories
        .iter()
        .map(|c| (c.rank, c.name.as_str(), c.count))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "看取り", 5),
            (2, TASHOKUSHU, 3),
            (2, "入退院支援", 3),
            (4, "その他", 1),
        ]
    );
}

#[test]
fn unknown_and_given_categories_go_before_sonota() {
    let batch = Batch {
        meetings: vec![meeting(0, "医師")],
        remarks: vec![remark(0, "あいうえお"), remark(0, "かきくけこ")],
        ..Batch::default()
    };
    let ls = vec![
        labels(&["独自B"], Kind::Issue, Location::WithinProfession, &[]),
        labels(&[], Kind::Idea, Location::WithinProfession, &[]),
    ];
    let mut batch = batch;
    batch.meetings[0].listed_categories = strings(&["独自A", "独自B"]);
    let agg = run(&batch, &ls);
    let n = agg.categories.len();
    assert_eq!(
        agg.categories[n - 3..],
        strings(&["独自A", "独自B", "その他"])
    );
    // A remark with no category still counts, under その他.
    let other = agg.overall.categories.iter().find(|c| c.name == "その他");
    assert_eq!(other.map(|c| c.count), Some(1));
}

#[test]
fn main_location_prefers_the_higher_tier_on_a_tie() {
    let batch = Batch {
        meetings: vec![meeting(0, "薬剤師")],
        remarks: vec![
            remark(0, "一つ目の意見です"),
            remark(0, "二つ目の意見です"),
            remark(0, "三つ目の話題です"),
        ],
        ..Batch::default()
    };
    let ls = vec![
        labels(&["看取り"], Kind::Issue, Location::WithinProfession, &[]),
        labels(
            &["看取り"],
            Kind::Issue,
            Location::BetweenProfessions,
            &["医師", "薬剤師", "患者・家族"],
        ),
        labels(
            &["看取り"],
            Kind::Issue,
            Location::BetweenProfessions,
            &["医師"],
        ),
    ];
    let agg = run(&batch, &ls);
    let loc = &agg.overall.categories[0].location;
    assert_eq!(loc.counts, [1, 2, 0]);
    assert_eq!(loc.main, Location::BetweenProfessions);
    assert_eq!(
        loc.partners,
        vec![
            Partner {
                name: "医師".into(),
                count: 2,
                profession: true
            },
            Partner {
                name: "患者・家族".into(),
                count: 1,
                profession: false
            },
        ]
    );
    // 1 vs 1 vs 1 → 地域全体.
    let ls = vec![
        labels(&["看取り"], Kind::Issue, Location::WithinProfession, &[]),
        labels(&["看取り"], Kind::Issue, Location::BetweenProfessions, &[]),
        labels(&["看取り"], Kind::Issue, Location::RegionWide, &[]),
    ];
    let agg = run(&batch, &ls);
    assert_eq!(
        agg.overall.categories[0].location.main,
        Location::RegionWide
    );
    assert_eq!(agg.by_location, [vec![0], vec![1], vec![2]]);
}

#[test]
fn hospital_and_care_managers_are_a_mutual_pair() {
    // The manual's 二次連携 example.
    let batch = Batch {
        meetings: vec![
            meeting(0, "病院連携室"),
            meeting(1, "介護支援専門員"),
            meeting(2, "薬剤師"),
        ],
        remarks: vec![
            remark(0, "ケアマネジャーに在宅復帰を拒否されてしまう"),
            remark(
                1,
                "病院は、在宅側の準備が整っていなくても、すぐに退院させようとする",
            ),
            remark(2, "ケアマネジャーとの連絡方法がわからない"),
            remark(2, "家族に薬の管理を頼めない"),
            remark(0, "退院後の生活が見えない"),
        ],
        ..Batch::default()
    };
    let between = Location::BetweenProfessions;
    let ls = vec![
        labels(&["入退院支援"], Kind::Issue, between, &["介護支援専門員"]),
        labels(&["入退院支援"], Kind::Issue, between, &["病院連携室"]),
        labels(&[TASHOKUSHU], Kind::Issue, between, &["介護支援専門員"]),
        labels(&["服薬・薬剤"], Kind::Issue, between, &["患者・家族"]),
        // 地域全体 remarks are not pair material.
        labels(
            &["入退院支援"],
            Kind::Issue,
            Location::RegionWide,
            &["介護支援専門員"],
        ),
    ];
    let agg = run(&batch, &ls);
    assert_eq!(
        agg.professions,
        strings(&["薬剤師", "病院連携室", "介護支援専門員"])
    );
    let got: Vec<(&str, &str, usize, usize, usize)> = agg
        .pairs
        .iter()
        .map(|p| (p.a.as_str(), p.b.as_str(), p.a_to_b, p.b_to_a, p.mutual))
        .collect();
    assert_eq!(
        got,
        vec![
            ("病院連携室", "介護支援専門員", 1, 1, 1),
            ("薬剤師", "介護支援専門員", 1, 0, 0),
        ]
    );
    assert_eq!(agg.pairs[0].examples_a_to_b, vec![0]);
    assert_eq!(agg.pairs[0].examples_b_to_a, vec![1]);
}

#[test]
fn a_scope_shows_its_own_wording_of_a_shared_opinion() {
    // The same opinion said by two professions, worded slightly differently:
    // each profession's ranking shows its own words, under the same group id.
    let batch = Batch {
        meetings: vec![meeting(0, "医師"), meeting(1, "薬剤師")],
        remarks: vec![
            remark(0, "多職種で集まる機会が少ないと思う"),
            remark(1, "多職種で集まる機会が少ないと思います"),
        ],
        ..Batch::default()
    };
    let ls = vec![
        labels(
            &[TASHOKUSHU],
            Kind::Issue,
            Location::BetweenProfessions,
            &[]
        );
        2
    ];
    let agg = run(&batch, &ls);
    assert_eq!(agg.groups.len(), 1);
    let of = |p: usize| agg.by_profession[p].1.categories[0].issues[0].clone();
    assert_eq!(of(1).group, of(0).group);
    assert_eq!(of(1).text(&batch), "多職種で集まる機会が少ないと思います");
    assert_eq!(of(1).remarks, vec![1]);
    assert!(!of(1).near_duplicate);
}

// ------------------------------------------------------------ properties

const KEYS: [&str; 6] = [
    "顔の見える関係が弱い",
    "顔の見える関係が弱いと思う",
    "情報共有不足",
    "研修会をしたい",
    "連絡先がわからない",
    "薬",
];
const CATS: [&str; 6] = [
    "多職種連携",
    "看取り",
    "その他",
    "独自",
    "入退院支援",
    "看取り",
];
const PROFS: [&str; 4] = ["医師", "薬剤師", "介護支援専門員", "未登録の会"];
const PARTIES: [&str; 5] = ["医師", "薬剤師", "介護支援専門員", "患者・家族", "行政"];

#[derive(Debug, Clone)]
struct Case {
    batch: Batch,
    labels: Vec<Labels>,
}

fn case_strategy() -> impl Strategy<Value = Case> {
    let meetings = proptest::collection::vec(0..PROFS.len(), 1..5);
    let remark_strategy = (
        0usize..8,
        0..KEYS.len(),
        proptest::collection::vec(0..CATS.len(), 0..4),
        any::<bool>(),
        0usize..3,
        proptest::collection::vec(0..PARTIES.len(), 0..3),
    );
    (meetings, proptest::collection::vec(remark_strategy, 0..60)).prop_map(|(ms, rs)| {
        let meetings: Vec<Meeting> = ms
            .iter()
            .enumerate()
            .map(|(i, &p)| meeting(i, PROFS[p]))
            .collect();
        let mut batch = Batch {
            meetings,
            ..Batch::default()
        };
        // A 例② sheet that lists a category nobody spoke to.
        batch.meetings[0].listed_categories = strings(&["独自", "空のカテゴリ"]);
        let mut ls = Vec::new();
        for (m, k, cats, idea, loc, related) in rs {
            batch.remarks.push(remark(m % ms.len(), KEYS[k]));
            let cats: Vec<&str> = cats.iter().map(|&c| CATS[c]).collect();
            let related: Vec<&str> = related.iter().map(|&p| PARTIES[p]).collect();
            let kind = if idea { Kind::Idea } else { Kind::Issue };
            ls.push(labels(&cats, kind, Location::ALL[loc], &related));
        }
        Case { batch, labels: ls }
    })
}

/// The categories a remark counts in, as the SPEC defines them.
fn counted_categories(l: &Labels) -> Vec<String> {
    let mut cats = l.categories.clone();
    cats.sort();
    cats.dedup();
    if cats.is_empty() {
        cats.push(OTHER_CATEGORY.to_string());
    }
    cats
}

/// Checks one scope's ranking against its remark set, computed independently.
fn check_ranking(
    agg: &Aggregate,
    case: &Case,
    ranking: &Ranking,
    scope: &[usize],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(ranking.remark_count, scope.len());
    // Counts: a remark in k categories adds exactly k.
    let total: usize = ranking.categories.iter().map(|c| c.count).sum();
    let expected: usize = scope
        .iter()
        .map(|&r| counted_categories(&case.labels[r]).len())
        .sum();
    prop_assert_eq!(total, expected);
    for cat in &ranking.categories {
        let mut want: Vec<usize> = scope
            .iter()
            .copied()
            .filter(|&r| counted_categories(&case.labels[r]).contains(&cat.name))
            .collect();
        prop_assert_eq!(cat.count, want.len());
        prop_assert!(cat.count > 0);
        let mut got: Vec<usize> = cat
            .issues
            .iter()
            .chain(&cat.ideas)
            .flat_map(|l| l.remarks.clone())
            .collect();
        got.sort_unstable();
        want.sort_unstable();
        prop_assert_eq!(
            got,
            want,
            "listings of {} hold exactly its remarks",
            &cat.name
        );
        prop_assert_eq!(cat.location.counts.iter().sum::<usize>(), cat.count);
        for l in cat.issues.iter().chain(&cat.ideas) {
            prop_assert_eq!(l.count, l.remarks.len());
            prop_assert!(scope.contains(&l.representative));
            prop_assert!(l.remarks.iter().all(|&r| agg.remark_group[r] == l.group));
        }
    }
    // Competition ranking, ties in category order.
    for (i, cat) in ranking.categories.iter().enumerate() {
        let larger = ranking
            .categories
            .iter()
            .filter(|c| c.count > cat.count)
            .count();
        prop_assert_eq!(cat.rank as usize, larger + 1);
        if i > 0 {
            let prev = &ranking.categories[i - 1];
            prop_assert!(prev.count >= cat.count);
            if prev.count == cat.count {
                let pos = |n: &str| agg.categories.iter().position(|c| c == n);
                prop_assert!(pos(&prev.name) < pos(&cat.name));
            }
        }
    }
    // Each group of the scope is written plain once, in its first category.
    let mut plain: Vec<usize> = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for cat in &ranking.categories {
        for l in cat.issues.iter().chain(&cat.ideas) {
            prop_assert_eq!(l.relisted, seen.contains(&l.group));
            if !l.relisted {
                plain.push(l.group);
            }
        }
        for l in cat.issues.iter().chain(&cat.ideas) {
            seen.push(l.group);
        }
    }
    let mut groups_in_scope: Vec<usize> = scope.iter().map(|&r| agg.remark_group[r]).collect();
    groups_in_scope.sort_unstable();
    groups_in_scope.dedup();
    plain.sort_unstable();
    prop_assert_eq!(plain, groups_in_scope);
    Ok(())
}

proptest! {
    #[test]
    fn aggregation_invariants(case in case_strategy(), near in any::<bool>()) {
        let order = strings(&["多職種連携", "入退院支援", "看取り", "その他"]);
        let profs = strings(&["医師", "薬剤師", "介護支援専門員"]);
        let settings = Settings {
            category_order: &order,
            professions: &profs,
            threshold: if near { 0.7 } else { 0.0 },
        };
        let agg = aggregate(&case.batch, &case.labels, &settings);
        let n = case.batch.remarks.len();

        // Grouping never loses or invents a remark.
        prop_assert_eq!(agg.remarks_total, n);
        prop_assert_eq!(agg.remark_group.len(), n);
        let mut all: Vec<usize> = agg.groups.iter().flat_map(|g| g.members.clone()).collect();
        all.sort_unstable();
        prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
        for (g, group) in agg.groups.iter().enumerate() {
            prop_assert!(!group.members.is_empty());
            prop_assert_eq!(group.representative, group.members[0]);
            prop_assert!(group.members.iter().all(|&r| agg.remark_group[r] == g));
            prop_assert_eq!(group.near_duplicate, !group.near_members.is_empty());
            if !near {
                prop_assert!(!group.near_duplicate);
            }
        }

        // Scopes.
        check_ranking(&agg, &case, &agg.overall, &(0..n).collect::<Vec<_>>())?;
        for (m, ranking) in agg.by_meeting.iter().enumerate() {
            let scope: Vec<usize> = (0..n).filter(|&r| case.batch.remarks[r].meeting == m).collect();
            check_ranking(&agg, &case, ranking, &scope)?;
        }
        prop_assert_eq!(agg.by_profession.len(), agg.professions.len());
        for (name, ranking) in &agg.by_profession {
            let own = |r: usize| case.batch.meetings[case.batch.remarks[r].meeting].profession == *name;
            let scope: Vec<usize> = (0..n).filter(|&r| own(r)).collect();
            check_ranking(&agg, &case, ranking, &scope)?;
            // Confidentiality: nothing from another profession's meetings.
            prop_assert!(ranking.meetings.iter().all(|&m| case.batch.meetings[m].profession == *name));
            for cat in &ranking.categories {
                for l in cat.issues.iter().chain(&cat.ideas) {
                    prop_assert!(own(l.representative));
                    prop_assert!(l.remarks.iter().all(|&r| own(r)));
                    prop_assert_eq!(l.text(&case.batch), &case.batch.remarks[l.representative].normalized);
                }
            }
        }

        // Cross-table agrees with the overall ranking; 空のカテゴリ kept with zeros.
        let cross = &agg.cross;
        prop_assert_eq!(&cross.categories, &agg.categories);
        prop_assert_eq!(cross.categories.last().map(String::as_str), Some(OTHER_CATEGORY));
        prop_assert!(cross.categories.contains(&"空のカテゴリ".to_string()));
        for (c, name) in cross.categories.iter().enumerate() {
            let count = agg.overall.categories.iter().find(|x| &x.name == name).map_or(0, |x| x.count);
            prop_assert_eq!(cross.row_totals[c], count);
        }
        let assignments: usize = case.labels.iter().map(|l| counted_categories(l).len()).sum();
        prop_assert_eq!(cross.grand_total, assignments);
        prop_assert_eq!(cross.col_totals.iter().sum::<usize>(), assignments);
        prop_assert_eq!(cross.remarks_per_profession.iter().sum::<usize>(), n);

        // 所在 sheets partition the remarks.
        prop_assert_eq!(agg.by_location.iter().map(Vec::len).sum::<usize>(), n);

        // Pairs: sorted, never with a non-profession or oneself.
        for w in agg.pairs.windows(2) {
            prop_assert!((w[0].mutual, w[0].total) >= (w[1].mutual, w[1].total));
        }
        for p in &agg.pairs {
            prop_assert!(p.a != p.b);
            prop_assert!(!["患者・家族", "行政"].contains(&p.a.as_str()));
            prop_assert!(!["患者・家族", "行政"].contains(&p.b.as_str()));
            prop_assert!(p.total > 0);
        }

        // Same inputs, same output.
        let again = aggregate(&case.batch, &case.labels, &settings);
        prop_assert_eq!(format!("{agg:?}"), format!("{again:?}"));
    }
}

// ------------------------------------------------------------------ bench

/// Not a timed test: the whole stage on 60,000 remarks in 600 meetings.
/// `cargo test --release --lib bench_aggregate_60k -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_aggregate_60k() {
    let professions = lexicon_professions();
    let categories = rule_categories();
    let mut rng = Rng::new(11);
    let mut batch = Batch {
        meetings: (0..600)
            .map(|i| meeting(i, &professions[i % professions.len()]))
            .collect(),
        remarks: vocabulary_remarks(60_000, 0.3, 11),
        ..Batch::default()
    };
    let labels: Vec<Labels> = batch
        .remarks
        .iter_mut()
        .map(|r| {
            r.meeting = rng.below(600);
            let mut cats = vec![categories[rng.below(categories.len())].as_str()];
            if rng.below(4) == 0 {
                cats.push(categories[rng.below(categories.len())].as_str());
            }
            let related = [professions[rng.below(professions.len())].as_str()];
            let kind = if rng.below(3) == 0 {
                Kind::Idea
            } else {
                Kind::Issue
            };
            labels(
                &cats,
                kind,
                Location::ALL[rng.below(3)],
                &related[..rng.below(2)],
            )
        })
        .collect();
    let (agg, took) = measure(|| run(&batch, &labels));
    eprintln!(
        "aggregated {} remarks ({} groups, {} pairs) in {took}",
        agg.remarks_total,
        agg.groups.len(),
        agg.pairs.len(),
    );
}
