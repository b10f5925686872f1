//! The raw shapes of `categories.toml`, `kinds.toml`, `locations.toml` and
//! `settings.toml` (serde, `deny_unknown_fields`, every value with its span),
//! and their validation into the compiled rules the classifier uses.
//!
//! Every check names the line: a bad regex, an empty word, a rule with no
//! condition, a duplicate name, an unknown 課題/アイデア or 所在 value, a
//! category or party that does not exist.

use std::collections::HashSet;

use serde::Deserialize;
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;

use super::lexicon::Lexicon;
use super::pattern::{Condition, PatternsBuilder};
use super::{line_of, regex_message, RuleError};
use crate::model::{Kind, Location};

type Words = Vec<Spanned<String>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategories {
    #[serde(default)]
    category: Vec<RawCategory>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    name: Spanned<String>,
    description: Spanned<String>,
    #[serde(default)]
    rule: Vec<Spanned<RawCategoryRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategoryRule {
    name: Option<Spanned<String>>,
    other_party: Option<bool>,
    own_members: Option<bool>,
    #[serde(default)]
    weak: bool,
    #[serde(default)]
    any: Words,
    #[serde(default)]
    all: Words,
    #[serde(default)]
    none: Words,
    #[serde(default)]
    any_regex: Words,
    #[serde(default)]
    all_regex: Words,
    #[serde(default)]
    none_regex: Words,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKinds {
    default: Spanned<String>,
    #[serde(default)]
    rule: Vec<Spanned<RawKindRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKindRule {
    name: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    any: Words,
    #[serde(default)]
    all: Words,
    #[serde(default)]
    none: Words,
    #[serde(default)]
    any_regex: Words,
    #[serde(default)]
    all_regex: Words,
    #[serde(default)]
    none_regex: Words,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocations {
    default: Spanned<String>,
    #[serde(default)]
    not_partners: Words,
    #[serde(default)]
    rule: Vec<Spanned<RawLocationRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocationRule {
    name: Spanned<String>,
    location: Spanned<String>,
    #[serde(default)]
    categories: Words,
    #[serde(default)]
    parties: Words,
    other_party: Option<bool>,
    own_members: Option<bool>,
    #[serde(default)]
    any: Words,
    #[serde(default)]
    all: Words,
    #[serde(default)]
    none: Words,
    #[serde(default)]
    any_regex: Words,
    #[serde(default)]
    all_regex: Words,
    #[serde(default)]
    none_regex: Words,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    similarity_threshold: Option<Spanned<f64>>,
    model: Option<RawModel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    enabled: Option<bool>,
    category_add: Option<Spanned<f64>>,
    category_drop: Option<Spanned<f64>>,
    category_fallback: Option<Spanned<f64>>,
    kind: Option<Spanned<f64>>,
    location: Option<Spanned<f64>>,
    party_add: Option<Spanned<f64>>,
    party_drop: Option<Spanned<f64>>,
    own_add: Option<Spanned<f64>>,
    own_drop: Option<Spanned<f64>>,
    office_weight: Option<Spanned<f64>>,
}

/// The learned model's settings (`[model]` of settings.toml): the
/// probabilities at which its answer is taken, and how much more the
/// office's own labels count than the shipped ones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelSettings {
    pub enabled: bool,
    /// Adds a category beside the rules' at this probability or more.
    pub category_add: f64,
    /// Drops a rule's category when the model gives it less than this
    /// (0: never).
    pub category_drop: f64,
    /// When no rule gave a category, takes the model's at this or more
    /// (instead of その他).
    pub category_fallback: f64,
    /// Decides 課題/アイデア at this confidence or more.
    pub kind: f64,
    /// Decides 所在 at this confidence or more.
    pub location: f64,
    /// Adds a 関係職種 the dictionary did not find at this probability or
    /// more.
    pub party_add: f64,
    /// Drops a 関係職種 the dictionary found when the model gives it less
    /// than this (0: never).
    pub party_drop: f64,
    /// Lists the speaker's own profession as a 関係職種 when the model
    /// gives "about other members of it" this probability or more (1:
    /// never).
    pub own_add: f64,
    /// Takes the speaker's own profession off the 関係職種 when the model
    /// gives it less than this (0: never).
    pub own_drop: f64,
    /// Weight of one of the office's own labeled remarks.
    pub office_weight: f64,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            enabled: true,
            category_add: 0.4,
            category_drop: 0.25,
            category_fallback: 0.3,
            kind: 0.6,
            location: 0.4,
            party_add: 0.6,
            party_drop: 0.0,
            own_add: 0.8,
            own_drop: 0.2,
            office_weight: 3.0,
        }
    }
}

/// The six word lists every rule may carry, borrowed from its raw form.
struct RawCond<'a> {
    lists: [(&'a str, &'a Words); 6],
}

macro_rules! raw_cond {
    ($r:expr) => {
        RawCond {
            lists: [
                ("any", &$r.any),
                ("all", &$r.all),
                ("none", &$r.none),
                ("any_regex", &$r.any_regex),
                ("all_regex", &$r.all_regex),
                ("none_regex", &$r.none_regex),
            ],
        }
    };
}

/// One category of `categories.toml`, compiled.
#[derive(Debug, Clone)]
pub struct Category {
    pub name: String,
    pub description: String,
    pub rules: Vec<CategoryRule>,
}

#[derive(Debug, Clone)]
pub struct CategoryRule {
    pub name: String,
    pub(crate) cond: Condition,
    /// Needs (true) or forbids (false) a related party other than the
    /// speaker's own profession (not counting `not_partners`).
    pub other_party: Option<bool>,
    /// Needs (true) or forbids (false) a remark about other members of the
    /// speaker's own profession (the lexicon's `[own]`).
    pub own_members: Option<bool>,
    /// Used only when no other category's rule matched: a broad rule that
    /// would be too eager beside a specific one.
    pub weak: bool,
}

#[derive(Debug, Clone)]
pub struct KindRule {
    pub name: String,
    pub kind: Kind,
    pub(crate) cond: Condition,
}

#[derive(Debug, Clone)]
pub struct KindRules {
    pub default: Kind,
    pub rules: Vec<KindRule>,
}

#[derive(Debug, Clone)]
pub struct LocationRule {
    pub name: String,
    pub location: Location,
    pub(crate) cond: Condition,
    /// Indices into the categories: the rule needs one of them.
    pub categories: Vec<usize>,
    /// Indices into the lexicon's parties: the rule needs one of them among
    /// the related parties.
    pub parties: Vec<usize>,
    pub other_party: Option<bool>,
    pub own_members: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct LocationRules {
    pub default: Location,
    /// Party indices that do not make an issue 職種間 (患者・家族).
    pub not_partners: Vec<usize>,
    pub rules: Vec<LocationRule>,
}

/// Where a file's text came from and how errors name it.
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub src: &'a str,
}

impl Source<'_> {
    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, RuleError> {
        toml::from_str(self.src).map_err(|e| RuleError::from_toml(self.file, self.src, &e))
    }

    fn err_at(&self, offset: usize, message: String) -> RuleError {
        RuleError {
            file: self.file.to_string(),
            line: Some(line_of(self.src, offset)),
            message,
        }
    }

    fn err<T>(&self, s: &Spanned<T>, message: String) -> RuleError {
        self.err_at(s.span().start, message)
    }

    /// A name or value, trimmed (kept as written, so output shows it as the
    /// staff typed it); empty is an error.
    fn text(&self, s: &Spanned<String>, what: &str) -> Result<String, RuleError> {
        let t = s.get_ref().trim().to_string();
        if t.is_empty() {
            return Err(self.err(s, format!("{what}が空です")));
        }
        Ok(t)
    }

    fn condition(
        &self,
        b: &mut PatternsBuilder,
        raw: RawCond<'_>,
        owner: &str,
    ) -> Result<Condition, RuleError> {
        let mut c = Condition::default();
        for (key, list) in raw.lists {
            for w in list {
                let t = nfkc(w.get_ref());
                if t.is_empty() {
                    return Err(self.err(
                        w,
                        format!("{owner}の {key} に空の言葉があります（\"\" を消してください）"),
                    ));
                }
                let pat = if key.ends_with("_regex") {
                    b.regex(&t)
                        .map_err(|e| self.err(w, regex_message(&t, &e)))?
                } else {
                    b.word(&t)
                };
                match key.trim_end_matches("_regex") {
                    "any" => c.any.push(pat),
                    "all" => c.all.push(pat),
                    _ => c.none.push(pat),
                }
            }
        }
        Ok(b.register(c))
    }
}

fn nfkc(s: &str) -> String {
    s.trim().nfkc().collect::<String>().trim().to_string()
}

const NO_CONDITION: &str =
    "には、当てはまる言葉（any か all、または any_regex か all_regex）が一つもありません";

pub(crate) fn compile_categories(
    s: &Source<'_>,
    b: &mut PatternsBuilder,
) -> Result<(Vec<Category>, usize), RuleError> {
    let raw: RawCategories = s.parse()?;
    if raw.category.is_empty() {
        return Err(s.err_at(0, "[[category]] が一つもありません".into()));
    }
    let mut out: Vec<Category> = Vec::new();
    let mut fallback: Option<usize> = None;
    for c in &raw.category {
        let name = s.text(&c.name, "カテゴリの name ")?;
        if out.iter().any(|o| o.name == name) {
            return Err(s.err(&c.name, format!("カテゴリ「{name}」が二度定義されています")));
        }
        let description = s.text(
            &c.description,
            &format!("カテゴリ「{name}」の description "),
        )?;
        if c.rule.is_empty() {
            if let Some(f) = fallback {
                return Err(s.err(
                    &c.name,
                    format!(
                        "カテゴリ「{name}」に規則（[[category.rule]]）がありません。規則のないカテゴリは、どれにも当たらないときに使う一つ（今は「{}」）だけにしてください",
                        out[f].name
                    ),
                ));
            }
            fallback = Some(out.len());
        }
        let mut rules = Vec::new();
        let mut rule_names = HashSet::new();
        for (i, r) in c.rule.iter().enumerate() {
            let rule_name = match &r.get_ref().name {
                Some(n) => s.text(n, "規則の name ")?,
                None => format!("規則{}", i + 1),
            };
            if !rule_names.insert(rule_name.clone()) {
                return Err(s.err(
                    r,
                    format!("カテゴリ「{name}」に規則「{rule_name}」が二つあります"),
                ));
            }
            let owner = format!("カテゴリ「{name}」の{rule_name}");
            let cond = s.condition(b, raw_cond!(r.get_ref()), &owner)?;
            if cond.is_empty() {
                return Err(s.err(r, format!("{owner}{NO_CONDITION}")));
            }
            rules.push(CategoryRule {
                name: rule_name,
                cond,
                other_party: r.get_ref().other_party,
                own_members: r.get_ref().own_members,
                weak: r.get_ref().weak,
            });
        }
        out.push(Category {
            name,
            description,
            rules,
        });
    }
    let fallback = fallback.ok_or_else(|| {
        s.err_at(
            0,
            "どれにも当たらないときのカテゴリ（規則のない [[category]]、ふつうは「その他」）がありません".into(),
        )
    })?;
    Ok((out, fallback))
}

pub(crate) fn compile_kinds(
    s: &Source<'_>,
    b: &mut PatternsBuilder,
) -> Result<KindRules, RuleError> {
    let raw: RawKinds = s.parse()?;
    let kind = |v: &Spanned<String>| {
        Kind::from_label(v.get_ref()).ok_or_else(|| {
            s.err(
                v,
                format!("「{}」は 課題 か アイデア にしてください", v.get_ref()),
            )
        })
    };
    let default = kind(&raw.default)?;
    let mut rules: Vec<KindRule> = Vec::new();
    for r in &raw.rule {
        let rr = r.get_ref();
        let name = s.text(&rr.name, "規則の name ")?;
        if rules.iter().any(|o| o.name == name) {
            return Err(s.err(&rr.name, format!("規則「{name}」が二度定義されています")));
        }
        let cond = s.condition(b, raw_cond!(rr), &format!("規則「{name}」"))?;
        if cond.is_empty() {
            return Err(s.err(r, format!("規則「{name}」{NO_CONDITION}")));
        }
        b.positional(&cond);
        rules.push(KindRule {
            kind: kind(&rr.kind)?,
            name,
            cond,
        });
    }
    Ok(KindRules { default, rules })
}

pub(crate) fn compile_locations(
    s: &Source<'_>,
    b: &mut PatternsBuilder,
    categories: &[Category],
    lexicon: &Lexicon,
) -> Result<LocationRules, RuleError> {
    let raw: RawLocations = s.parse()?;
    let location = |v: &Spanned<String>| {
        Location::from_label(v.get_ref()).ok_or_else(|| {
            s.err(
                v,
                format!(
                    "「{}」は 職種内・職種間・地域全体 のどれかにしてください",
                    v.get_ref()
                ),
            )
        })
    };
    let default = location(&raw.default)?;
    let mut not_partners = Vec::new();
    for p in &raw.not_partners {
        let name = s.text(p, "not_partners の名前")?;
        let i = lexicon.party_index(&name).ok_or_else(|| {
            s.err(
                p,
                format!("「{name}」は professions.toml の name にありません"),
            )
        })?;
        not_partners.push(i);
    }
    let mut rules: Vec<LocationRule> = Vec::new();
    for r in &raw.rule {
        let rr = r.get_ref();
        let name = s.text(&rr.name, "規則の name ")?;
        if rules.iter().any(|o| o.name == name) {
            return Err(s.err(&rr.name, format!("規則「{name}」が二度定義されています")));
        }
        let mut cats = Vec::new();
        for c in &rr.categories {
            let cname = s.text(c, "categories の名前")?;
            let i = categories.iter().position(|k| k.name == cname).ok_or_else(|| {
                let fix = if s.file.contains("（組み込み）") {
                    "。categories.toml でカテゴリ名を変えたときは、locations.toml もフォルダに置いて直してください（`renkei rules` で今の内容を書き出せます）"
                } else {
                    ""
                };
                s.err(c, format!("カテゴリ「{cname}」は categories.toml にありません{fix}"))
            })?;
            cats.push(i);
        }
        let mut parties = Vec::new();
        for p in &rr.parties {
            let pname = s.text(p, "parties の名前")?;
            let i = lexicon.party_index(&pname).ok_or_else(|| {
                s.err(
                    p,
                    format!("「{pname}」は professions.toml の name にありません"),
                )
            })?;
            parties.push(i);
        }
        let cond = s.condition(b, raw_cond!(rr), &format!("規則「{name}」"))?;
        if cond.is_empty()
            && cats.is_empty()
            && parties.is_empty()
            && rr.other_party.is_none()
            && rr.own_members.is_none()
        {
            return Err(s.err(
                r,
                format!("規則「{name}」に条件がありません（any・all・categories・parties・other_party・own_members のどれかを書いてください）"),
            ));
        }
        rules.push(LocationRule {
            location: location(&rr.location)?,
            name,
            cond,
            categories: cats,
            parties,
            other_party: rr.other_party,
            own_members: rr.own_members,
        });
    }
    Ok(LocationRules {
        default,
        not_partners,
        rules,
    })
}

/// `similarity_threshold` (SPEC §2, default 0.85) and `[model]`.
pub(crate) fn compile_settings(s: &Source<'_>) -> Result<(f64, ModelSettings), RuleError> {
    let raw: RawSettings = s.parse()?;
    let unit = |v: &Spanned<f64>, name: &str, open_low: bool| -> Result<f64, RuleError> {
        let t = *v.get_ref();
        let ok = if open_low {
            t > 0.0 && t <= 1.0
        } else {
            (0.0..=1.0).contains(&t)
        };
        if ok {
            Ok(t)
        } else {
            let range = if open_low {
                "0 より大きく 1 以下"
            } else {
                "0 以上 1 以下"
            };
            Err(s.err(v, format!("{name} は {range}にしてください（今は {t}）")))
        }
    };
    let similarity = match &raw.similarity_threshold {
        None => super::DEFAULT_SIMILARITY,
        Some(v) => unit(v, "similarity_threshold", true)?,
    };
    let mut model = ModelSettings::default();
    if let Some(m) = &raw.model {
        if let Some(e) = m.enabled {
            model.enabled = e;
        }
        for (value, name, slot) in [
            (&m.category_add, "category_add", &mut model.category_add),
            (&m.category_drop, "category_drop", &mut model.category_drop),
            (
                &m.category_fallback,
                "category_fallback",
                &mut model.category_fallback,
            ),
            (&m.kind, "kind", &mut model.kind),
            (&m.location, "location", &mut model.location),
            (&m.party_add, "party_add", &mut model.party_add),
            (&m.party_drop, "party_drop", &mut model.party_drop),
            (&m.own_add, "own_add", &mut model.own_add),
            (&m.own_drop, "own_drop", &mut model.own_drop),
        ] {
            if let Some(v) = value {
                *slot = unit(v, name, false)?;
            }
        }
        if let Some(v) = &m.office_weight {
            let w = *v.get_ref();
            if !(w > 0.0 && w <= 100.0) {
                return Err(s.err(
                    v,
                    format!("office_weight は 0 より大きく 100 以下にしてください（今は {w}）"),
                ));
            }
            model.office_weight = w;
        }
    }
    Ok((similarity, model))
}
