//! Rule files: load the TOML staff edit, validate it at start, compile it once.
//!
//! Defaults live in `templates/` and are compiled into the binary; `--rules DIR`
//! replaces them file by file: a rule file missing from the folder keeps its
//! built-in default, so a folder may hold only the one file a city changed.
//! Every error names the file and line and says, in Japanese, what to fix, so
//! a typo stops the run before anything is read.
//!
//! Raw serde structs (`files.rs`) → validated → compiled into one word
//! automaton and one `RegexSet` (`pattern.rs`) that [`crate::classify`] runs
//! once per remark.

pub mod audit;
pub mod eval;
mod files;
pub mod lexicon;
mod literals;
pub(crate) mod pattern;

use std::fmt;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::os::error::{describe, Access};
use files::{compile_categories, compile_kinds, compile_locations, compile_settings, Source};
pub use files::{
    Category, CategoryRule, KindRule, KindRules, LocationRule, LocationRules, ModelSettings,
};
use lexicon::Lexicon;
use pattern::{Condition, Patterns, PatternsBuilder};

/// A rule file that cannot be used. Shown to staff as one Japanese line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "ルールファイル {} の {} 行目: {}",
                self.file, line, self.message
            ),
            None => write!(f, "ルールファイル {}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for RuleError {}

impl RuleError {
    /// Wraps a TOML parse error with the line it points at.
    pub fn from_toml(file: &str, src: &str, err: &toml::de::Error) -> RuleError {
        let line = err.span().map(|s| line_of(src, s.start));
        RuleError {
            file: file.to_string(),
            line,
            message: translate_toml_message(err.message()),
        }
    }

    fn whole_file(file: &str, message: String) -> RuleError {
        RuleError {
            file: file.to_string(),
            line: None,
            message,
        }
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

/// serde/toml messages are English; say the common ones in Japanese and keep
/// the original after it so nothing is lost.
fn translate_toml_message(msg: &str) -> String {
    let msg = msg.trim();
    let ja = if msg.starts_with("unknown field") {
        "知らない項目名です（綴りを確認してください）"
    } else if msg.starts_with("missing field") {
        "必要な項目がありません"
    } else if msg.starts_with("invalid type") {
        "値の種類が違います（文字は \"…\" で囲み、一覧は [\"…\", \"…\"] と書きます）"
    } else if msg.contains("duplicate key") {
        "同じ項目が二度書かれています"
    } else {
        "書き方に誤りがあります"
    };
    format!("{ja}（{msg}）")
}

/// A regex error in one Japanese line (the regex crate's message is several
/// lines with a caret; its last line says what is wrong).
pub(crate) fn regex_message(pattern: &str, err: &regex::Error) -> String {
    let detail = err.to_string();
    let last = detail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    format!("正規表現「{pattern}」が読めません（{last}）")
}

/// Near-duplicate threshold when `settings.toml` does not say (SPEC §2).
pub const DEFAULT_SIMILARITY: f64 = 0.85;

/// The rule files, in load order (later files refer to earlier ones).
pub const FILE_NAMES: [&str; 5] = [
    lexicon::FILE_NAME,
    "categories.toml",
    "kinds.toml",
    "locations.toml",
    "settings.toml",
];

const BUILTIN: [&str; 5] = [
    lexicon::DEFAULT_SOURCE,
    include_str!("../../templates/categories.toml"),
    include_str!("../../templates/kinds.toml"),
    include_str!("../../templates/locations.toml"),
    include_str!("../../templates/settings.toml"),
];

/// Where a rule file came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

/// All rules, validated and compiled.
#[derive(Debug, Clone)]
pub struct Rules {
    lexicon: Lexicon,
    categories: Vec<Category>,
    /// Index of the category used when none matched (その他).
    fallback: usize,
    kinds: KindRules,
    locations: LocationRules,
    similarity_threshold: f64,
    model: ModelSettings,
    patterns: Patterns,
    origins: Vec<(&'static str, Origin)>,
    /// Every rule's name, by id: the category rules (category by category),
    /// then the kind rules, then the location rules.
    rule_names: Vec<String>,
    /// Id of each category's first rule; then of the first kind rule and of
    /// the first location rule.
    category_rule_start: Vec<u32>,
    kind_rule_start: u32,
    location_rule_start: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules::builtin()
    }
}

impl Rules {
    /// The rules compiled into the binary.
    pub fn builtin() -> Rules {
        let texts = FILE_NAMES.map(|name| (name.to_string(), None));
        Rules::compile(texts).expect("shipped rule files are valid")
    }

    /// The built-in rules, or those of `dir` when given (`--rules DIR`).
    pub fn load(dir: Option<&Path>) -> Result<Rules, RuleError> {
        match dir {
            None => Ok(Rules::builtin()),
            Some(d) => Rules::load_dir(d),
        }
    }

    /// The rule files found in `dir`; a file missing there keeps its built-in
    /// default. A `.toml` file with another name is an error (most likely a
    /// misspelt file name that would otherwise be silently ignored), and so
    /// is a folder with no rule file at all.
    pub fn load_dir(dir: &Path) -> Result<Rules, RuleError> {
        let shown = dir.display().to_string();
        let entries = std::fs::read_dir(dir).map_err(|e| {
            let why = describe(&e, "", dir, Access::Read);
            RuleError::whole_file(&shown, format!("ルールのフォルダを開けません。{why}"))
        })?;
        let mut found: [Option<PathBuf>; 5] = Default::default();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !name.to_ascii_lowercase().ends_with(".toml") || !path.is_file() {
                continue;
            }
            match FILE_NAMES.iter().position(|f| f.eq_ignore_ascii_case(name)) {
                Some(i) => found[i] = Some(path),
                None => {
                    return Err(RuleError::whole_file(
                        &path.display().to_string(),
                        format!(
                            "知らないルールファイルです。使えるファイル名は {} です",
                            FILE_NAMES.join("・")
                        ),
                    ))
                }
            }
        }
        // A folder with only labeled TSVs (for the model) keeps the built-in rules.
        let has_tsv = std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.path()
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("tsv"))
            })
        });
        if found.iter().all(Option::is_none) && !has_tsv {
            return Err(RuleError::whole_file(
                &shown,
                format!(
                    "ルールファイルが一つもありません（{} のどれか、またはラベル付きの TSV を置いてください）",
                    FILE_NAMES.join("・")
                ),
            ));
        }
        let mut texts: [(String, Option<(PathBuf, String)>); 5] = Default::default();
        for (i, slot) in found.into_iter().enumerate() {
            texts[i].0 = FILE_NAMES[i].to_string();
            if let Some(path) = slot {
                let shown = path.display().to_string();
                let bytes = std::fs::read(&path).map_err(|e| {
                    let why = describe(&e, "", &path, Access::Read);
                    RuleError::whole_file(&shown, format!("読めません。{why}"))
                })?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    RuleError::whole_file(&shown, "文字コードが UTF-8 ではありません。メモ帳の「名前を付けて保存」で文字コードを UTF-8 にしてください".into())
                })?;
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
                texts[i] = (shown, Some((path, text)));
            }
        }
        Rules::compile(texts)
    }

    /// Compiles the five files; `None` takes the built-in text.
    fn compile(texts: [(String, Option<(PathBuf, String)>); 5]) -> Result<Rules, RuleError> {
        let mut origins = Vec::new();
        let sources: Vec<(String, &str)> = texts
            .iter()
            .enumerate()
            .map(|(i, (shown, own))| match own {
                Some((path, text)) => {
                    origins.push((FILE_NAMES[i], Origin::File(path.clone())));
                    (shown.clone(), text.as_str())
                }
                None => {
                    origins.push((FILE_NAMES[i], Origin::Builtin));
                    (format!("{}（組み込み）", FILE_NAMES[i]), BUILTIN[i])
                }
            })
            .collect();
        let src = |i: usize| Source {
            file: &sources[i].0,
            src: sources[i].1,
        };
        let lexicon = Lexicon::from_toml(sources[0].1, &sources[0].0)?;
        let mut b = PatternsBuilder::default();
        for (i, w) in lexicon.patterns().iter().enumerate() {
            b.lexicon_word(w, i as u32);
        }
        let (categories, fallback) = compile_categories(&src(1), &mut b)?;
        let kinds = compile_kinds(&src(2), &mut b)?;
        let locations = compile_locations(&src(3), &mut b, &categories, &lexicon)?;
        let (similarity_threshold, model) = compile_settings(&src(4))?;
        let mut rule_names = Vec::new();
        let mut category_rule_start = Vec::new();
        for c in &categories {
            category_rule_start.push(rule_names.len() as u32);
            rule_names.extend(c.rules.iter().map(|r| r.name.clone()));
        }
        let kind_rule_start = rule_names.len() as u32;
        rule_names.extend(kinds.rules.iter().map(|r| r.name.clone()));
        let location_rule_start = rule_names.len() as u32;
        rule_names.extend(locations.rules.iter().map(|r| r.name.clone()));
        Ok(Rules {
            lexicon,
            categories,
            fallback,
            kinds,
            locations,
            similarity_threshold,
            model,
            patterns: b.build(),
            origins,
            rule_names,
            category_rule_start,
            kind_rule_start,
            location_rule_start,
        })
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Categories in rule-file order (the order of the outputs and of ties).
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The category given when no rule matched (その他).
    pub fn fallback_category(&self) -> &str {
        &self.categories[self.fallback].name
    }

    pub fn kinds(&self) -> &KindRules {
        &self.kinds
    }

    pub fn locations(&self) -> &LocationRules {
        &self.locations
    }

    /// Near-duplicate threshold (character-bigram similarity, SPEC §2).
    pub fn similarity_threshold(&self) -> f64 {
        self.similarity_threshold
    }

    /// The learned model's settings (settings.toml `[model]`).
    pub fn model_settings(&self) -> &ModelSettings {
        &self.model
    }

    /// The name of a rule by id ([`crate::model::Source::Rule`]).
    pub fn rule_name(&self, id: u32) -> &str {
        self.rule_names.get(id as usize).map_or("", String::as_str)
    }

    pub(crate) fn category_rule_id(&self, category: usize, rule: usize) -> u32 {
        self.category_rule_start[category] + rule as u32
    }

    pub(crate) fn kind_rule_id(&self, rule: usize) -> u32 {
        self.kind_rule_start + rule as u32
    }

    pub(crate) fn location_rule_id(&self, rule: usize) -> u32 {
        self.location_rule_start + rule as u32
    }

    /// Where each rule file came from.
    pub fn origins(&self) -> &[(&'static str, Origin)] {
        &self.origins
    }

    pub(crate) fn fallback_index(&self) -> usize {
        self.fallback
    }

    pub(crate) fn patterns(&self) -> &Patterns {
        &self.patterns
    }

    /// The effective rules, as TOML that could be saved and loaded again
    /// (typos `--dump-config`): comments say where each file came from.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        let origin = |name: &str| match self.origins.iter().find(|(n, _)| *n == name) {
            Some((_, Origin::File(p))) => p.display().to_string(),
            _ => "組み込み".to_string(),
        };
        let list = |pats: &[pattern::Pat]| -> String {
            let items: Vec<String> = pats
                .iter()
                .map(|&p| quote(self.patterns.source(p)))
                .collect();
            format!("[{}]", items.join(", "))
        };
        let cond = |out: &mut String, c: &Condition| {
            for (key, pats) in [("any", &c.any), ("all", &c.all), ("none", &c.none)] {
                let words: Vec<_> = pats
                    .iter()
                    .copied()
                    .filter(|p| matches!(p, pattern::Pat::Word(_)))
                    .collect();
                let regexes: Vec<_> = pats
                    .iter()
                    .copied()
                    .filter(|p| matches!(p, pattern::Pat::Regex(_)))
                    .collect();
                if !words.is_empty() {
                    let _ = writeln!(out, "{key} = {}", list(&words));
                }
                if !regexes.is_empty() {
                    let _ = writeln!(out, "{key}_regex = {}", list(&regexes));
                }
            }
        };

        let _ = writeln!(
            out,
            "# ===== {}（{}）=====",
            lexicon::FILE_NAME,
            origin(lexicon::FILE_NAME)
        );
        for p in self.lexicon.parties() {
            let _ = writeln!(out, "\n[[party]]\nname = {}", quote(&p.name));
            let words: Vec<String> = p.words.iter().map(|w| quote(w)).collect();
            let _ = writeln!(out, "words = [{}]", words.join(", "));
            if !p.exclude.is_empty() {
                let ex: Vec<String> = p.exclude.iter().map(|w| quote(w)).collect();
                let _ = writeln!(out, "exclude = [{}]", ex.join(", "));
            }
            if !p.own_words.is_empty() {
                let ow: Vec<String> = p.own_words.iter().map(|w| quote(w)).collect();
                let _ = writeln!(out, "own_words = [{}]", ow.join(", "));
            }
            let _ = writeln!(out, "profession = {}", p.profession);
        }
        let _ = writeln!(out, "\n[own]");
        let keys = ["colleagues", "with_name", "self", "before", "after_regex"];
        for (key, words) in keys.iter().zip(self.lexicon.own_lists()) {
            let words: Vec<String> = words.iter().map(|w| quote(w)).collect();
            let _ = writeln!(out, "{key} = [{}]", words.join(", "));
        }

        let _ = writeln!(
            out,
            "\n# ===== categories.toml（{}）=====",
            origin("categories.toml")
        );
        for c in &self.categories {
            let _ = writeln!(
                out,
                "\n[[category]]\nname = {}\ndescription = {}",
                quote(&c.name),
                quote(&c.description)
            );
            for r in &c.rules {
                let _ = writeln!(out, "\n  [[category.rule]]\n  name = {}", quote(&r.name));
                if let Some(v) = r.other_party {
                    let _ = writeln!(out, "  other_party = {v}");
                }
                if let Some(v) = r.own_members {
                    let _ = writeln!(out, "  own_members = {v}");
                }
                if r.weak {
                    let _ = writeln!(out, "  weak = true");
                }
                let mut body = String::new();
                cond(&mut body, &r.cond);
                for line in body.lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }

        let _ = writeln!(out, "\n# ===== kinds.toml（{}）=====", origin("kinds.toml"));
        let _ = writeln!(out, "default = {}", quote(self.kinds.default.label()));
        for r in &self.kinds.rules {
            let _ = writeln!(
                out,
                "\n[[rule]]\nname = {}\nkind = {}",
                quote(&r.name),
                quote(r.kind.label())
            );
            cond(&mut out, &r.cond);
        }

        let _ = writeln!(
            out,
            "\n# ===== locations.toml（{}）=====",
            origin("locations.toml")
        );
        let _ = writeln!(out, "default = {}", quote(self.locations.default.label()));
        let np: Vec<String> = self
            .locations
            .not_partners
            .iter()
            .map(|&i| quote(&self.lexicon.parties()[i].name))
            .collect();
        let _ = writeln!(out, "not_partners = [{}]", np.join(", "));
        for r in &self.locations.rules {
            let _ = writeln!(
                out,
                "\n[[rule]]\nname = {}\nlocation = {}",
                quote(&r.name),
                quote(r.location.label())
            );
            if !r.categories.is_empty() {
                let cats: Vec<String> = r
                    .categories
                    .iter()
                    .map(|&i| quote(&self.categories[i].name))
                    .collect();
                let _ = writeln!(out, "categories = [{}]", cats.join(", "));
            }
            if !r.parties.is_empty() {
                let ps: Vec<String> = r
                    .parties
                    .iter()
                    .map(|&i| quote(&self.lexicon.parties()[i].name))
                    .collect();
                let _ = writeln!(out, "parties = [{}]", ps.join(", "));
            }
            if let Some(v) = r.other_party {
                let _ = writeln!(out, "other_party = {v}");
            }
            if let Some(v) = r.own_members {
                let _ = writeln!(out, "own_members = {v}");
            }
            cond(&mut out, &r.cond);
        }

        let _ = writeln!(
            out,
            "\n# ===== settings.toml（{}）=====",
            origin("settings.toml")
        );
        let _ = writeln!(out, "similarity_threshold = {}", self.similarity_threshold);
        let m = &self.model;
        let _ = writeln!(
            out,
            "\n[model]\nenabled = {}\ncategory_add = {}\ncategory_drop = {}\ncategory_fallback = {}\nkind = {}\nlocation = {}\noffice_weight = {}",
            m.enabled,
            m.category_add,
            m.category_drop,
            m.category_fallback,
            m.kind,
            m.location,
            m.office_weight
        );
        out
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in rules with one file replaced by `src`.
    fn with(file: &str, src: &str) -> Result<Rules, RuleError> {
        let mut texts: [(String, Option<(PathBuf, String)>); 5] = Default::default();
        for (i, name) in FILE_NAMES.iter().enumerate() {
            texts[i].0 = name.to_string();
            if *name == file {
                texts[i] = (
                    name.to_string(),
                    Some((PathBuf::from(name), src.to_string())),
                );
            }
        }
        Rules::compile(texts)
    }

    const CANONICAL: [&str; 13] = [
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
    ];

    #[test]
    fn shipped_rules_load_in_canonical_order_with_fallback_last() {
        let rules = Rules::builtin();
        let names: Vec<&str> = rules.categories().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, CANONICAL);
        assert_eq!(rules.fallback_category(), "その他");
        assert_eq!(rules.fallback_index(), 12);
        for c in rules.categories() {
            assert!(!c.description.is_empty(), "{}", c.name);
            assert_eq!(c.rules.is_empty(), c.name == "その他", "{}", c.name);
        }
        assert_eq!(rules.similarity_threshold(), 0.85);
        assert!(rules.origins().iter().all(|(_, o)| *o == Origin::Builtin));
    }

    #[test]
    fn every_shipped_regex_compiles_on_its_own_and_words_are_not_blank() {
        // Loading already compiles each regex; this checks the raw text too,
        // so a regex that only compiles after NFKC is noticed.
        for (name, src) in FILE_NAMES.iter().zip(BUILTIN) {
            let value: toml::Value = toml::from_str(src).unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut stack = vec![(String::new(), value)];
            while let Some((key, v)) = stack.pop() {
                match v {
                    toml::Value::Table(t) => stack.extend(t),
                    toml::Value::Array(a) => stack.extend(a.into_iter().map(|x| (key.clone(), x))),
                    toml::Value::String(s) if key.ends_with("_regex") => {
                        regex::Regex::new(&s).unwrap_or_else(|e| panic!("{name}: {s}: {e}"));
                    }
                    toml::Value::String(s) => assert!(!s.trim().is_empty(), "{name}: blank {key}"),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn dump_is_valid_toml_that_loads_back_to_the_same_rules() {
        let rules = Rules::builtin();
        let dump = rules.dump();
        let dir = tempfile::tempdir().unwrap();
        let mut part = String::new();
        let mut file = None;
        let flush = |file: &Option<String>, part: &str| {
            if let Some(f) = file {
                std::fs::write(dir.path().join(f), part).unwrap();
            }
        };
        for line in dump.lines() {
            if let Some(rest) = line.strip_prefix("# ===== ") {
                flush(&file, &part);
                part.clear();
                file = Some(rest.split('（').next().unwrap().to_string());
            }
            part.push_str(line);
            part.push('\n');
        }
        flush(&file, &part);
        let back = Rules::load_dir(dir.path()).unwrap();
        assert_eq!(
            back.dump()
                .lines()
                .filter(|l| !l.starts_with("# ====="))
                .collect::<Vec<_>>(),
            dump.lines()
                .filter(|l| !l.starts_with("# ====="))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn each_kind_of_mistake_names_its_line() {
        let cat = |body: &str| {
            format!("[[category]]\nname = \"その他\"\ndescription = \"残り\"\n\n{body}")
        };
        let cases: Vec<(&str, String, usize, &str)> = vec![
            (
                "categories.toml",
                cat("[[category]]\nname = \"A\"\ndescription = \"d\"\n[[category.rule]]\nany_regex = [\"(研修\"]\n"),
                9,
                "正規表現",
            ),
            ("categories.toml", cat("[[category]]\nname = \"A\"\ndescripton = \"d\"\n"), 7, "知らない項目名"),
            ("categories.toml", cat("[[category]]\nname = \"A\"\n"), 5, "必要な項目"),
            (
                "categories.toml",
                cat("[[category]]\nname = \"その他\"\ndescription = \"d\"\n[[category.rule]]\nany = [\"x\"]\n"),
                6,
                "二度",
            ),
            (
                "categories.toml",
                cat("[[category]]\nname = \"A\"\ndescription = \"d\"\n[[category.rule]]\nany = [\"研修\", \" \"]\n"),
                9,
                "空の言葉",
            ),
            (
                "categories.toml",
                cat("[[category]]\nname = \"A\"\ndescription = \"d\"\n[[category.rule]]\nnone = [\"x\"]\n"),
                8,
                "一つもありません",
            ),
            ("categories.toml", cat("[[category]]\nname = \"A\"\ndescription = \"d\"\n"), 6, "規則のないカテゴリ"),
            ("categories.toml", cat("[[category]]\nname = \"\"\ndescription = \"d\"\n"), 6, "空です"),
            ("kinds.toml", "default = \"問題\"\n".into(), 1, "課題 か アイデア"),
            (
                "kinds.toml",
                "default = \"課題\"\n[[rule]]\nname = \"a\"\nkind = \"アイデア\"\nany = [\"たい\"]\n[[rule]]\nname = \"a\"\nkind = \"課題\"\nany = [\"ない\"]\n".into(),
                7,
                "二度",
            ),
            ("kinds.toml", "default = \"課題\"\n[[rule]]\nkind = \"課題\"\nany = [\"ない\"]\n".into(), 2, "必要な項目"),
            (
                "locations.toml",
                "default = \"職種内\"\n[[rule]]\nname = \"a\"\nlocation = \"地域全体\"\ncategories = [\"地域の体制\"]\n".into(),
                5,
                "categories.toml にありません",
            ),
            ("locations.toml", "default = \"職種内\"\nnot_partners = [\"家族\"]\n".into(), 2, "professions.toml"),
            (
                "locations.toml",
                "default = \"職種内\"\n\n[[rule]]\nname = \"a\"\nlocation = \"職種間\"\n".into(),
                3,
                "条件がありません",
            ),
            ("locations.toml", "default = \"三次\"\n".into(), 1, "職種内・職種間・地域全体"),
            ("settings.toml", "\nsimilarity_threshold = 1.5\n".into(), 2, "1 以下"),
            ("settings.toml", "similarity = 0.9\n".into(), 1, "知らない項目名"),
            ("professions.toml", "[[party]]\nname = \"A\"\nwords = [\"a\"]\n[own]\nafter_regex = [\"(\"]\n".into(), 5, "正規表現"),
        ];
        for (file, src, line, needle) in cases {
            let e = with(file, &src).expect_err(&src);
            assert_eq!(e.file, file, "{src}");
            assert_eq!(e.line, Some(line), "{src}\n{e}");
            assert!(e.message.contains(needle), "{src}\n{e}");
        }
    }

    #[test]
    fn a_folder_replaces_only_the_files_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("settings.toml"),
            "\u{feff}similarity_threshold = 0.9\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("README.txt"), "メモ").unwrap();
        let rules = Rules::load_dir(dir.path()).unwrap();
        assert_eq!(rules.similarity_threshold(), 0.9);
        assert_eq!(rules.categories().len(), 13);
        let from_dir: Vec<&str> = rules
            .origins()
            .iter()
            .filter(|(_, o)| matches!(o, Origin::File(_)))
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(from_dir, vec!["settings.toml"]);
    }

    #[test]
    fn a_folder_with_a_misspelt_file_or_no_rule_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = Rules::load_dir(dir.path()).unwrap_err();
        assert!(e.message.contains("一つもありません"), "{e}");
        std::fs::write(dir.path().join("categorys.toml"), "").unwrap();
        let e = Rules::load_dir(dir.path()).unwrap_err();
        assert!(e.message.contains("知らないルールファイル"), "{e}");
        assert!(e.file.ends_with("categorys.toml"));
        let e = Rules::load_dir(&dir.path().join("ない")).unwrap_err();
        assert!(e.message.contains("開けません"), "{e}");
        let bad = tempfile::tempdir().unwrap();
        std::fs::write(
            bad.path().join("kinds.toml"),
            b"default = \"\x89\xdb\x91\xe8\"\n",
        )
        .unwrap();
        let e = Rules::load_dir(bad.path()).unwrap_err();
        assert!(e.message.contains("UTF-8"), "{e}");
    }

    #[test]
    fn full_width_patterns_are_normalized_like_the_text() {
        let src = "default = \"課題\"\n[[rule]]\nname = \"夜\"\nkind = \"アイデア\"\nany = [\"２４時間\", \"ＩＣＴ\"]\n";
        let rules = with("kinds.toml", src).unwrap();
        assert!(
            rules.dump().contains("any = [\"24時間\", \"ICT\"]"),
            "{}",
            rules.dump()
        );
    }

    #[test]
    fn renamed_category_points_at_the_builtin_locations_file_with_a_fix() {
        let src = "[[category]]\nname = \"その他\"\ndescription = \"残り\"\n";
        let e = with("categories.toml", src).unwrap_err();
        assert!(e.file.starts_with("locations.toml（組み込み）"), "{e}");
        assert!(
            e.message.contains("locations.toml もフォルダに置いて"),
            "{e}"
        );
    }
}
