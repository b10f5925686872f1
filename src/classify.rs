//! Classification: compiled rules × one remark → [`crate::model::Labels`]. No I/O.
//!
//! One code path serves both [`classify`] (the hot path: 60,000 remarks in a
//! few tens of milliseconds) and [`explain`] (every rule that fired, for
//! staff): the engine is generic over a [`Trace`] sink, which is a no-op for
//! classify and a recorder for explain, so the two can never disagree.
//!
//! Order of the families: 関係職種 first (category and 所在 rules may ask
//! whether another profession is involved), then categories (所在 rules may
//! ask for one), then 課題/アイデア, then 所在.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::model::{Kind, Labels, Source, Sources};
use crate::rules::lexicon::OwnMention;
use crate::rules::pattern::{Scan, Span};
use crate::rules::Rules;

/// One remark to classify.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The normalized text ([`crate::normalize::normalize`]).
    pub text: &'a str,
    /// 備考: related parties as written.
    pub note: Option<&'a str>,
    /// Canonical profession of the meeting (the speaker's side).
    pub profession: &'a str,
    /// 例②: categories a person gave; they replace the rules' categories.
    pub given_categories: &'a [String],
    /// 例②: the kind a person gave; it replaces the rules' kind.
    pub given_kind: Option<Kind>,
}

impl<'a> Input<'a> {
    /// A remark with only a text and the meeting's profession.
    pub fn new(text: &'a str, profession: &'a str) -> Input<'a> {
        Input {
            text,
            note: None,
            profession,
            given_categories: &[],
            given_kind: None,
        }
    }
}

/// The rule family a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Family {
    Category,
    Kind,
    Related,
    Location,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::Category => "カテゴリ",
            Family::Kind => "課題/アイデア",
            Family::Related => "関係職種",
            Family::Location => "所在",
        }
    }
}

/// One rule that fired (or one decision taken) while classifying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub family: Family,
    /// What the step gives: a category, 課題/アイデア, a party, a 所在.
    pub label: String,
    /// The rule's name, or how the decision was taken.
    pub rule: String,
    /// The exact words the rule matched in the text (or the 備考).
    pub matched: Vec<String>,
    /// Whether this step decided the label (for 課題/アイデア: the latest
    /// match; for 所在: the first rule that fired; otherwise true when the
    /// label was kept).
    pub decisive: bool,
}

/// What [`explain`] returns: the labels and every step that led to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub labels: Labels,
    pub steps: Vec<Step>,
}

/// Classifies one remark.
pub fn classify(rules: &Rules, input: &Input<'_>) -> Labels {
    crate::failpoint::hit("classify", input.text);
    run(rules, input, &mut NoTrace).0
}

/// Classifies one remark, with the rule behind each label.
pub fn classify_with_sources(rules: &Rules, input: &Input<'_>) -> (Labels, Sources) {
    crate::failpoint::hit("classify", input.text);
    run(rules, input, &mut NoTrace)
}

/// Classifies one remark and says why.
pub fn explain(rules: &Rules, input: &Input<'_>) -> Explanation {
    let mut rec = Recorder(Vec::new());
    let (labels, _) = run(rules, input, &mut rec);
    Explanation {
        labels,
        steps: rec.0,
    }
}

/// Where the engine reports its steps. `ALL` asks it to evaluate every rule
/// even when the answer is already known (for explain).
trait Trace {
    const ALL: bool;
    fn step(&mut self, make: impl FnOnce() -> Step);
}

struct NoTrace;

impl Trace for NoTrace {
    const ALL: bool = false;
    #[inline(always)]
    fn step(&mut self, _make: impl FnOnce() -> Step) {}
}

struct Recorder(Vec<Step>);

impl Trace for Recorder {
    const ALL: bool = true;
    fn step(&mut self, make: impl FnOnce() -> Step) {
        self.0.push(make());
    }
}

fn step(family: Family, label: &str, rule: &str, matched: Vec<&str>, decisive: bool) -> Step {
    Step {
        family,
        label: label.to_string(),
        rule: rule.to_string(),
        matched: matched.into_iter().map(str::to_string).collect(),
        decisive,
    }
}

fn run<T: Trace>(rules: &Rules, input: &Input<'_>, t: &mut T) -> (Labels, Sources) {
    let text = input.text;
    let scan = rules.patterns().scan(text);
    let lexicon = rules.lexicon();
    let parties = lexicon.parties();
    let not_partners = &rules.locations().not_partners;

    // 関係職種: parties the text names (the speaker's own only when the
    // remark is about other members of it) and every party of the 備考.
    let own = own_index(rules, input.profession);
    let mut related = vec![false; parties.len()];
    let mut lex = lexicon.select(text, scan.lexicon_matches());
    if let Some(o) = own {
        lexicon.read_as_speaker(text, &mut lex, o);
    }
    let hits = &lex.hits;
    for h in hits {
        if Some(h.party) != own {
            related[h.party] = true;
        }
    }
    if T::ALL {
        for (p, party) in parties.iter().enumerate() {
            let words: Vec<&str> = hits
                .iter()
                .filter(|h| h.party == p)
                .map(|h| &text[h.start..h.end])
                .collect();
            if !words.is_empty() && Some(p) != own {
                t.step(|| step(Family::Related, &party.name, "文中の言い方", words, true));
            }
        }
    }
    if let Some(o) = own {
        let name = &parties[o].name;
        match lexicon.own_mention(text, &lex, o) {
            OwnMention::Members(w) => {
                related[o] = true;
                t.step(|| step(Family::Related, name, "話した職種の仲間の話", vec![w], true));
            }
            OwnMention::Speaker(w) => {
                t.step(|| {
                    step(
                        Family::Related,
                        name,
                        "話した職種自身の話なので入れない",
                        vec![w],
                        false,
                    )
                });
            }
            OwnMention::Absent => {}
        }
    }
    if let Some(note) = input.note {
        for h in lexicon.hits(note) {
            related[h.party] = true;
            t.step(|| {
                step(
                    Family::Related,
                    &parties[h.party].name,
                    "備考",
                    vec![&note[h.start..h.end]],
                    true,
                )
            });
        }
    }
    let is_partner = |p: usize| related[p] && Some(p) != own && !not_partners.contains(&p);
    let other_party = (0..parties.len()).any(is_partner);
    let partners = || {
        (0..parties.len())
            .filter(|&p| is_partner(p))
            .map(|p| parties[p].name.as_str())
    };
    // The remark is about other members of the speaker's own profession.
    let own_members = own.is_some_and(|o| related[o]);

    // Categories: every category whose rules fire, in rule-file order; the
    // weak rules only when no other rule fired.
    let cats = rules.categories();
    let mut hit = vec![false; cats.len()];
    // The first rule that fired for each category.
    let mut why = vec![Source::Default; cats.len()];
    for weak in [false, true] {
        if weak && hit.iter().any(|&h| h) {
            break;
        }
        for (i, c) in cats.iter().enumerate() {
            for (k, r) in c.rules.iter().enumerate().filter(|(_, r)| r.weak == weak) {
                if r.other_party.is_none_or(|v| v == other_party)
                    && r.own_members.is_none_or(|v| v == own_members)
                    && r.cond.eval(&scan).is_some()
                {
                    if !hit[i] {
                        why[i] = Source::Rule(rules.category_rule_id(i, k));
                    }
                    hit[i] = true;
                    t.step(|| {
                        let mut m = r.cond.matched(rules.patterns(), &scan, text);
                        if r.other_party == Some(true) {
                            m.extend(partners());
                        }
                        if r.own_members == Some(true) {
                            m.extend(own.map(|o| parties[o].name.as_str()));
                        }
                        step(
                            Family::Category,
                            &c.name,
                            &r.name,
                            m,
                            input.given_categories.is_empty(),
                        )
                    });
                    if !T::ALL {
                        break;
                    }
                }
            }
        }
    }
    let (categories, category_sources) = if input.given_categories.is_empty() {
        if !hit.iter().any(|&h| h) {
            hit[rules.fallback_index()] = true;
            t.step(|| {
                step(
                    Family::Category,
                    rules.fallback_category(),
                    "どの規則にも当たらない",
                    vec![],
                    true,
                )
            });
        }
        cats.iter()
            .zip(&hit)
            .zip(&why)
            .filter(|((_, &h), _)| h)
            .map(|((c, _), &w)| (c.name.clone(), w))
            .unzip()
    } else {
        let given = given_categories(rules, input.given_categories);
        for (i, c) in cats.iter().enumerate() {
            hit[i] = given.contains(&c.name);
        }
        t.step(|| {
            step(
                Family::Category,
                &given.join("、"),
                "例②で人が付けた分類",
                vec![],
                true,
            )
        });
        let sources = vec![Source::Sheet; given.len()];
        (given, sources)
    };

    // 課題/アイデア: the rule with the latest match (the final clause decides).
    let (kind, kind_source) = match input.given_kind {
        Some(k) => {
            t.step(|| step(Family::Kind, k.label(), "例②で人が付けた区分", vec![], true));
            (k, Source::Sheet)
        }
        None => decide_kind(rules, &scan, text, t),
    };

    // 所在: the first location rule that fires.
    let loc = rules.locations();
    let mut location = None;
    for (k, r) in loc.rules.iter().enumerate() {
        let fired = r.other_party.is_none_or(|v| v == other_party)
            && r.own_members.is_none_or(|v| v == own_members)
            && (r.categories.is_empty() || r.categories.iter().any(|&c| hit[c]))
            && (r.parties.is_empty() || r.parties.iter().any(|&p| related[p]))
            && r.cond.eval(&scan).is_some();
        if fired {
            let first = location.is_none();
            t.step(|| {
                let mut m = r.cond.matched(rules.patterns(), &scan, text);
                m.extend(
                    r.categories
                        .iter()
                        .filter(|&&c| hit[c])
                        .map(|&c| cats[c].name.as_str()),
                );
                m.extend(
                    r.parties
                        .iter()
                        .filter(|&&p| related[p])
                        .map(|&p| parties[p].name.as_str()),
                );
                if r.other_party == Some(true) {
                    m.extend(partners());
                }
                step(Family::Location, r.location.label(), &r.name, m, first)
            });
            location.get_or_insert((r.location, Source::Rule(rules.location_rule_id(k))));
            if !T::ALL {
                break;
            }
        }
    }
    let (location, location_source) = location.unwrap_or_else(|| {
        t.step(|| {
            step(
                Family::Location,
                loc.default.label(),
                "どの規則にも当たらない",
                vec![],
                true,
            )
        });
        (loc.default, Source::Default)
    });

    let labels = Labels {
        categories,
        kind,
        location,
        related: related
            .iter()
            .enumerate()
            .filter(|(_, &r)| r)
            .map(|(p, _)| parties[p].name.clone())
            .collect(),
    };
    let sources = Sources {
        categories: category_sources,
        kind: kind_source,
        location: location_source,
        added_parties: Vec::new(),
        dropped_parties: Vec::new(),
    };
    (labels, sources)
}

fn decide_kind<T: Trace>(rules: &Rules, scan: &Scan, text: &str, t: &mut T) -> (Kind, Source) {
    let kinds = rules.kinds();
    let mut best: Option<(usize, Span)> = None;
    for (i, r) in kinds.rules.iter().enumerate() {
        if let Some(s) = r.cond.eval(scan) {
            if best.is_none_or(|(_, b)| s.later_than(b)) {
                best = Some((i, s));
            }
        }
    }
    if T::ALL {
        for (i, r) in kinds.rules.iter().enumerate() {
            if r.cond.eval(scan).is_some() {
                let decisive = best.is_some_and(|(b, _)| b == i);
                t.step(|| {
                    step(
                        Family::Kind,
                        r.kind.label(),
                        &r.name,
                        r.cond.matched(rules.patterns(), scan, text),
                        decisive,
                    )
                });
            }
        }
    }
    match best {
        Some((i, _)) => (kinds.rules[i].kind, Source::Rule(rules.kind_rule_id(i))),
        None => {
            t.step(|| {
                step(
                    Family::Kind,
                    kinds.default.label(),
                    "どの規則にも当たらない",
                    vec![],
                    true,
                )
            });
            (kinds.default, Source::Default)
        }
    }
}

/// 例② categories: known names in rule-file order, then unknown names as
/// given (SPEC §3: a category not in the rules is added as-is), no repeats.
/// Names are compared after NFKC, so a full-width `（` in the sheet still
/// names the rule file's category.
fn given_categories(rules: &Rules, given: &[String]) -> Vec<String> {
    let key = |s: &str| s.trim().nfkc().collect::<String>();
    let keys: Vec<String> = given
        .iter()
        .map(|g| key(g))
        .filter(|g| !g.is_empty())
        .collect();
    let mut out: Vec<String> = rules
        .categories()
        .iter()
        .filter(|c| keys.contains(&key(&c.name)))
        .map(|c| c.name.clone())
        .collect();
    for g in given.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
        if !out.iter().any(|o| key(o) == key(g)) {
            out.push(g.to_string());
        }
    }
    if out.is_empty() {
        out.push(rules.fallback_category().to_string());
    }
    out
}

/// The meeting's profession as a lexicon party: its canonical name, or any
/// wording of it (薬剤師会).
fn own_index(rules: &Rules, profession: &str) -> Option<usize> {
    let lx = rules.lexicon();
    lx.party_index(profession.trim()).or_else(|| {
        lx.find_profession(profession)
            .and_then(|name| lx.party_index(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    /// Compiled once for all tests (compiling is the slow part in debug).
    static RULES: LazyLock<Rules> = LazyLock::new(Rules::builtin);

    fn labels(text: &str, profession: &str) -> Labels {
        classify(&RULES, &Input::new(text, profession))
    }

    #[test]
    fn categories_by_meaning() {
        let rules = &*RULES;
        for (text, want) in [
            (
                "訪問看護師さんに電話しづらくて、つい後回しにしてしまう",
                vec!["多職種連携"],
            ),
            (
                "口から食べられなくなった方の栄養管理を相談したい",
                vec!["食べること"],
            ),
            (
                "入院時に在宅での様子を病棟へ伝える連絡票を作りたい",
                vec!["情報共有ツール", "入退院支援"],
            ),
            (
                "夜間や休日に状態が変わったときの連絡体制が心配だ",
                vec!["急変時の対応"],
            ),
            ("自宅で最期を迎えたい方の緩和ケアを支えたい", vec!["看取り"]),
            ("一包化しても飲み残しが出る方が多い", vec!["服薬・薬剤"]),
            (
                "ヘルパー向けの認知症研修を年に数回開きたい",
                vec!["人材育成・研修"],
            ),
            (
                "市民公開講座で在宅医療のことを知ってもらいたい",
                vec!["住民・家族への普及啓発"],
            ),
            (
                "圏域で訪問診療をする医師が足りない",
                vec!["地域の体制・役割分担"],
            ),
            ("駐車場が狭くて訪問の車が停められない", vec!["その他"]),
            // the same meanings in other words
            (
                "処方医に残薬のことを言い出しにくい",
                vec!["多職種連携", "服薬・薬剤"],
            ),
            (
                "訪問看護は医療処置だけの所だと思われている",
                vec!["他職種への職能の周知"],
            ),
            (
                "家族が、ヘルパーは何でも頼める人だと思っている",
                vec!["他職種への職能の周知", "住民・家族への普及啓発"],
            ),
            ("医療の人と話す場がほとんどない", vec!["多職種連携"]),
            (
                "ヘルパーの記録を訪問看護でも見られるようにしたい",
                vec!["情報共有ツール"],
            ),
            (
                "圏域に訪問リハの事業所が一か所しかない",
                vec!["地域の体制・役割分担"],
            ),
            // LABELS.md edge case 8: the own workplace's staffing is その他
            ("うちの事業所は人が足りず、新規を断っている", vec!["その他"]),
        ] {
            let got = classify(rules, &Input::new(text, "看護師")).categories;
            assert_eq!(got, want, "{text}");
        }
    }

    /// Over-broad patterns narrowed to one clause: a missing meeting or
    /// relation in the region is not a region-wide shortage, and a
    /// disaster mentioned in passing does not make a later 役割 a system.
    #[test]
    fn narrowed_patterns_do_not_reach_across_the_sentence() {
        for text in [
            "地域の会議に栄養士が呼ばれることがない",
            "地域の事業所との関係が積み上がらない",
            "災害のときの話も出たが、口腔ケアの役割を家族に伝えたい",
        ] {
            let got = labels(text, "栄養士").categories;
            assert!(
                !got.contains(&"地域の体制・役割分担".to_string()),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn kind_follows_the_final_clause() {
        for (text, want) in [
            ("研修の機会が少ないので、合同の勉強会を開きたい", Kind::Idea),
            ("勉強会を開きたいが、日程が合わず集まれない", Kind::Issue),
            ("退院の連絡をもう少し早くもらえると助かる", Kind::Idea),
            ("ケアマネとの連絡がとりにくい", Kind::Issue),
            ("どの薬局に頼めばよいのかわからない", Kind::Issue),
            ("担当者会議に薬剤師も呼んでほしい", Kind::Idea),
            ("夜間の当番を輪番にできないか", Kind::Idea),
            ("看取りの経験が少なく、不安を感じている", Kind::Issue),
            ("事例検討会の開催", Kind::Idea),
            ("連絡先の一覧があるとよいという声が多い", Kind::Idea),
            // wishes and proposals left unfinished in notes and bullets
            ("退院の連絡をもっと早くもらえたら", Kind::Idea),
            ("会員向けに無菌調剤の研修を", Kind::Idea),
            ("夜間の当番は地域で輪番を組まないと", Kind::Idea),
            ("主治医に相談をお願いしても返事がない", Kind::Issue),
        ] {
            assert_eq!(labels(text, "介護支援専門員").kind, want, "{text}");
        }
    }

    #[test]
    fn related_parties_and_the_speakers_own_profession() {
        for (text, profession, want) in [
            (
                "ケアマネさんと主治医の間に入って調整している",
                "看護師",
                vec!["医師", "介護支援専門員"],
            ),
            ("薬局として夜間の対応ができていない", "薬剤師", vec![]),
            ("薬局によって在宅への姿勢が違う", "薬剤師", vec!["薬剤師"]),
            (
                "会員の多くが在宅に関わっていない",
                "歯科医師",
                vec!["歯科医師"],
            ),
            ("訪問看護師同士で情報交換したい", "看護師", vec!["看護師"]),
            (
                "自分たちの役割を市民に伝えたい",
                "リハビリテーション療法士",
                vec!["患者・家族"],
            ),
            (
                "療法士の多くが病院勤務で在宅を知らない",
                "リハビリテーション療法士",
                vec!["リハビリテーション療法士"],
            ),
            (
                "介護職員向けの研修を薬剤師会で開きたい",
                "薬剤師",
                vec!["介護職"],
            ),
            (
                "市役所の担当がよく替わる",
                "地域包括支援センター",
                vec!["行政"],
            ),
            ("市民向けの講座を開きたい", "医師", vec!["患者・家族"]),
            ("独居の方が増えている", "保健師", vec![]),
            // 「〜によって差」 is about the members only when the speaker's
            // own profession is the one that varies
            (
                "保健師の訪問と、ケアマネの訪問がばらばらに行われている",
                "保健師",
                vec!["介護支援専門員"],
            ),
            (
                "ケアマネの中でも医療の知識に差がある",
                "介護支援専門員",
                vec!["介護支援専門員"],
            ),
            // roles, places and events that imply a party (LABELS.md edge case 7)
            ("処方医に残薬のことを伝えにくい", "薬剤師", vec!["医師"]),
            (
                "救急外来から帰されたあとの様子が分からない",
                "看護師",
                vec!["病院"],
            ),
            ("居宅によって対応が違う", "看護師", vec!["介護支援専門員"]),
            ("MSWと早めに話したい", "看護師", vec!["病院連携室"]),
            // a dentists' meeting's 先生 are dentists: other members when
            // the remark says so, the speaker otherwise
            ("若い先生が在宅に出てこない", "歯科医師", vec!["歯科医師"]),
            (
                "病院の先生に口の中のことを相談したい",
                "歯科医師",
                vec!["医師", "病院"],
            ),
            ("先生の指示が遅い", "看護師", vec!["医師"]),
            ("退院前カンファの日程が決まらない", "病院連携室", vec![]),
            ("退院前カンファに呼ばれない", "看護師", vec!["病院"]),
        ] {
            assert_eq!(
                labels(text, profession).related,
                want,
                "{text} ({profession})"
            );
        }
    }

    #[test]
    fn note_parties_are_always_related() {
        let rules = &*RULES;
        let input = Input {
            note: Some("薬剤師、ケアマネ"),
            ..Input::new("夜間の対応が難しい", "薬剤師")
        };
        let l = classify(rules, &input);
        assert_eq!(l.related, vec!["薬剤師", "介護支援専門員"]);
        assert_eq!(l.location, Location::BetweenProfessions);
    }

    /// LABELS.md "Edge cases, decided", one realistic remark each.
    #[test]
    fn decided_edge_cases() {
        use Location::*;
        let cases: [(&str, &str, &str, Location, &[&str]); 10] = [
            // 1. residents' awareness of the speaker's own role is region-wide
            (
                "1",
                "栄養士",
                "管理栄養士に相談できることを、家族がほとんど知らない",
                RegionWide,
                &["他職種への職能の周知", "住民・家族への普及啓発"],
            ),
            // 2. ICT: running it is region-wide, uptake among own members is within
            (
                "2a",
                "介護支援専門員",
                "ICTネットワークの運営費を誰が負担するのか決まっていない",
                RegionWide,
                // running the regional network is also the region as a system
                &["情報共有ツール", "地域の体制・役割分担"],
            ),
            (
                "2b",
                "歯科医師",
                "会員の歯科医院でICTネットワークに登録しているところが少ない",
                WithinProfession,
                &["情報共有ツール"],
            ),
            // 3. trouble with colleagues in the speaker's own organisation
            (
                "3",
                "病院連携室",
                "院内の病棟看護師に退院支援の大切さが伝わっていない",
                WithinProfession,
                &["入退院支援"],
            ),
            // 4. joint training is both 多職種連携 and 人材育成・研修
            (
                "4",
                "歯科衛生士",
                "栄養士と合同で研修会を開きたい",
                BetweenProfessions,
                &["多職種連携", "人材育成・研修"],
            ),
            // 6. the speaker not knowing another profession's role
            (
                "6",
                "介護職",
                "歯科衛生士が訪問してくれることを知らなかった",
                BetweenProfessions,
                &["他職種への職能の周知"],
            ),
            // 8. the workload of the speaker's own workplace is その他
            (
                "8",
                "看護師",
                "書類仕事が多く、残業が続いている",
                WithinProfession,
                &["その他"],
            ),
            // 9. forms differing across hospitals are region-wide
            (
                "9",
                "介護支援専門員",
                "退院時の情報提供書の書式が病院ごとに違う",
                RegionWide,
                &["情報共有ツール", "入退院支援"],
            ),
            // 10. disasters are 急変時の対応
            (
                "10a",
                "保健師",
                "災害時に人工呼吸器を使う方の避難方法が決まっていない",
                RegionWide,
                &["急変時の対応", "地域の体制・役割分担"],
            ),
            // 10. 口腔ケア is 食べること
            (
                "10b",
                "介護職",
                "口腔ケアのやり方に自信がない",
                WithinProfession,
                // and a skill the speaker lacks confidence in is 人材育成・研修
                &["食べること", "人材育成・研修"],
            ),
        ];
        for (case, profession, text, location, categories) in cases {
            let l = labels(text, profession);
            assert_eq!(l.location, location, "edge case {case}: {text}");
            assert_eq!(l.categories, categories, "edge case {case}: {text}");
        }
        // 5. a wish is アイデア even when it implies a lack
        assert_eq!(
            labels(
                "退院の見込みを早めに教えてもらえると助かる",
                "介護支援専門員"
            )
            .kind,
            Kind::Idea
        );
        assert_eq!(
            labels("リハ職に何ができるのか知りたい", "介護支援専門員").kind,
            Kind::Idea
        );
        // 7. literal parties; generic words name none
        assert_eq!(
            labels("多職種や在宅側の医療職と話したい", "看護師").related,
            Vec::<String>::new()
        );
        assert_eq!(
            labels("デイやショートステイの職員と話したい", "看護師").related,
            vec!["介護職"]
        );
        assert_eq!(
            labels("訪問看護指示書が届かない", "看護師").related,
            vec!["医師"]
        );
    }

    #[test]
    fn location_between_and_within() {
        for (text, profession, want) in [
            (
                "ケアマネから退院後の様子が伝わってこない",
                "病院連携室",
                Location::BetweenProfessions,
            ),
            (
                "医療職と話すと専門用語が多くて戸惑う",
                "介護職",
                Location::BetweenProfessions,
            ),
            (
                "ステーション内で夜間の当番表を見直したい",
                "看護師",
                Location::WithinProfession,
            ),
            (
                "住民向けの出前講座を増やしたい",
                "歯科衛生士",
                Location::RegionWide,
            ),
            // the region before the other party: the city, hospitals among
            // themselves, running the ICT network
            (
                "市に在宅医療の相談窓口を作ってほしい",
                "地域包括支援センター",
                Location::RegionWide,
            ),
            (
                "地域の病院同士で空床の情報を見られるようにしたい",
                "病院",
                Location::RegionWide,
            ),
            (
                "ICTのネットワークに薬局も入れてもらえたら",
                "薬剤師",
                Location::RegionWide,
            ),
            // a named party inside the speaker's own workplace (edge case 3)
            (
                "うちの病棟の医師が退院を急がせる",
                "病院連携室",
                Location::WithinProfession,
            ),
            // an event that implies the other party
            (
                "入院中に入れ歯をなくされて戻ってくる",
                "歯科医師",
                Location::BetweenProfessions,
            ),
        ] {
            assert_eq!(labels(text, profession).location, want, "{text}");
        }
    }

    #[test]
    fn given_categories_and_kind_win() {
        let rules = &*RULES;
        let given = vec![
            "食べること".to_string(),
            "独自の分類".to_string(),
            "多職種連携".to_string(),
        ];
        let input = Input {
            given_categories: &given,
            given_kind: Some(Kind::Idea),
            ..Input::new("残薬が多くて困る", "薬剤師")
        };
        let l = classify(rules, &input);
        assert_eq!(l.categories, vec!["多職種連携", "食べること", "独自の分類"]);
        assert_eq!(l.kind, Kind::Idea);
    }

    #[test]
    fn explain_gives_the_same_labels_and_says_why() {
        let rules = &*RULES;
        let input = Input::new("薬局によって経験に差があるので、研修会を開きたい", "薬剤師");
        let ex = explain(rules, &input);
        assert_eq!(ex.labels, classify(rules, &input));
        let kind = ex
            .steps
            .iter()
            .find(|s| s.family == Family::Kind && s.decisive)
            .unwrap();
        assert_eq!(kind.label, "アイデア");
        assert_eq!(kind.matched, vec!["たい"]);
        assert!(ex
            .steps
            .iter()
            .any(|s| s.family == Family::Category && s.matched.contains(&"研修".to_string())));
        let loc: Vec<_> = ex
            .steps
            .iter()
            .filter(|s| s.family == Family::Location && s.decisive)
            .collect();
        assert_eq!(loc.len(), 1);
    }

    proptest! {
        #[test]
        fn never_panics_and_always_gives_a_category(
            text in "[ぁ-んァ-ン一-龥a-zA-Z0-9、。・ 　()（）|*+?\\[\\]\\\\]{0,60}",
            profession in prop::sample::select(vec!["", "薬剤師", "医師", "民生委員", "歯科医師会"]),
            note in prop::option::of("[ぁ-ん一-龥、]{0,20}"),
        ) {
            let rules = &*RULES;
            let input = Input { note: note.as_deref(), ..Input::new(&text, profession) };
            let l = classify(rules, &input);
            prop_assert!(!l.categories.is_empty());
            prop_assert_eq!(&explain(rules, &input).labels, &l);
        }
    }

    /// `cargo test --release --lib classify_speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn classify_speed() {
        let rules = &*RULES;
        let texts = [
            "訪問看護ステーションごとに報告の仕方がまちまちで、必要な情報が拾いにくい",
            "残薬の多い患者には、薬剤師の訪問をもっと使いたい",
            "退院前カンファレンスに呼ばれても、外来の時間と重なって出席できない",
            "地域全体で訪問看護師が不足していて、新規の依頼を断ることもある",
            "ケアマネと病院連携室で、情報交換会を定期的に開きたい",
            "会員の中で訪問歯科に取り組んでいるのは一部の先生だけだ",
        ];
        // Time on the CPU (Linux), which a busy shared machine does not inflate
        // as much as wall time.
        let cpu_ns = || -> Option<u64> {
            let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
            s.split_whitespace().next()?.parse().ok()
        };
        let n = 60_000;
        let (start, cpu0) = (std::time::Instant::now(), cpu_ns());
        let mut total = 0;
        for i in 0..n {
            total += classify(rules, &Input::new(texts[i % texts.len()], "薬剤師"))
                .categories
                .len();
        }
        let took = start.elapsed();
        let cpu = cpu0
            .zip(cpu_ns())
            .map(|(a, b)| std::time::Duration::from_nanos(b - a));
        eprintln!("{n} remarks in {took:?} wall, {cpu:?} on the CPU ({total} category labels)");
        assert!(took.as_millis() < 1000);
    }
}
