//! The lexicon of professions and parties (`templates/professions.toml`):
//! maps everyday wordings (ケアマネ, 薬局, PT, 包括 …) to canonical names.
//!
//! Matching is leftmost-longest, so 歯科医師 is never read as 医師, and an
//! ASCII abbreviation (PT, ST, Dr) only counts as a whole word. One
//! automaton holds the party words, their exclusions and the `[own]` words,
//! so a remark is read once ([`Lexicon::scan`]).
//!
//! The `[own]` section says when the speaker's own profession is a related
//! party: only when the remark is about other members of it (LABELS.md edge
//! case 7: 「薬局によって姿勢が違う」 yes, 「自分たち」 no).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;

use super::{line_of, RuleError};

/// The shipped lexicon, compiled into the binary.
pub const DEFAULT_SOURCE: &str = include_str!("../../templates/professions.toml");
pub const FILE_NAME: &str = "professions.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    #[serde(default)]
    party: Vec<RawParty>,
    #[serde(default)]
    own: RawOwn,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOwn {
    #[serde(default)]
    colleagues: Vec<Spanned<String>>,
    #[serde(default)]
    with_name: Vec<Spanned<String>>,
    #[serde(default, rename = "self")]
    self_words: Vec<Spanned<String>>,
    #[serde(default)]
    before: Vec<Spanned<String>>,
    #[serde(default)]
    after_regex: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    name: String,
    words: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    own_words: Vec<String>,
    #[serde(default = "yes")]
    profession: bool,
}

fn yes() -> bool {
    true
}

/// One canonical profession or party.
#[derive(Debug, Clone)]
pub struct Party {
    pub name: String,
    pub words: Vec<String>,
    pub exclude: Vec<String>,
    /// Words of other parties that mean this one when it is the speaker's
    /// own profession (a dentists' meeting's 先生 and 往診 are dentists').
    pub own_words: Vec<String>,
    /// Can be the profession a meeting is held with.
    pub profession: bool,
}

/// A lexicon word found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index into [`Lexicon::parties`].
    pub party: usize,
    /// Byte range in the searched text.
    pub start: usize,
    pub end: usize,
}

/// Why the speaker's own profession is, or is not, a related party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnMention<'a> {
    /// The remark does not name the speaker's profession at all.
    Absent,
    /// It names it, but as the speaker itself (「薬局として」「自分たち」).
    Speaker(&'a str),
    /// It is about other members of it; the words that say so.
    Members(&'a str),
}

/// The `[own]` word lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OwnList {
    Colleague,
    WithName,
    SelfWord,
}

/// What a pattern of the automaton is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Word(usize),
    Exclude(usize),
    Own(OwnList),
}

/// The compiled `[own]` section (its words live in the shared automaton).
#[derive(Debug, Clone)]
struct OwnRules {
    colleagues: Vec<String>,
    with_name: Vec<String>,
    self_words: Vec<String>,
    before: Vec<String>,
    /// Anchored at the end of the profession's name (`\A(?:…)`).
    after: Vec<Regex>,
}

#[derive(Debug, Clone)]
pub struct Lexicon {
    parties: Vec<Party>,
    own: OwnRules,
    /// Pattern i of `matcher` is the word `patterns[i]`, tagged `tags[i]`.
    patterns: Vec<String>,
    tags: Vec<Tag>,
    /// Overlapping: party words, exclusions and `[own]` words together.
    matcher: AhoCorasick,
}

/// One text read through the lexicon: the party hits and the `[own]` words.
#[derive(Debug, Clone, Default)]
pub struct LexScan {
    pub hits: Vec<Hit>,
    own_words: Vec<(OwnList, usize, usize)>,
}

impl Default for Lexicon {
    fn default() -> Self {
        Lexicon::from_toml(DEFAULT_SOURCE, FILE_NAME).expect("shipped professions.toml is valid")
    }
}

fn nfkc(s: &str) -> String {
    s.nfkc().collect()
}

impl Lexicon {
    pub fn from_toml(src: &str, file: &str) -> Result<Lexicon, RuleError> {
        let raw: RawLexicon =
            toml::from_str(src).map_err(|e| RuleError::from_toml(file, src, &e))?;
        let err = |needle: &str, message: String| RuleError {
            file: file.to_string(),
            line: src.find(needle).map(|o| line_of(src, o)),
            message,
        };
        if raw.party.is_empty() {
            return Err(err("", "[[party]] が一つもありません".into()));
        }
        let mut parties: Vec<Party> = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut word_owner: Vec<usize> = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut tags: Vec<Tag> = Vec::new();
        for (i, p) in raw.party.into_iter().enumerate() {
            let name = nfkc(p.name.trim());
            if name.is_empty() {
                return Err(err("name", "name が空です".into()));
            }
            if parties.iter().any(|q: &Party| q.name == name) {
                return Err(err(&p.name, format!("「{name}」が二度定義されています")));
            }
            let mut own: Vec<String> = vec![name.clone()];
            for w in &p.words {
                let w = nfkc(w.trim());
                if w.is_empty() {
                    return Err(err(
                        &p.name,
                        format!("「{name}」の words に空の言い方があります"),
                    ));
                }
                if !own.contains(&w) {
                    own.push(w);
                }
            }
            for w in &own {
                if let Some(j) = words.iter().position(|x| x == w) {
                    let other = &parties[word_owner[j]].name;
                    if *other != name {
                        return Err(err(
                            w,
                            format!("言い方「{w}」が「{other}」と「{name}」の両方にあります"),
                        ));
                    }
                }
                words.push(w.clone());
                word_owner.push(i);
                patterns.push(w.clone());
                tags.push(Tag::Word(i));
            }
            let exclude: Vec<String> = p
                .exclude
                .iter()
                .map(|w| nfkc(w.trim()))
                .filter(|w| !w.is_empty())
                .collect();
            for w in &exclude {
                patterns.push(w.clone());
                tags.push(Tag::Exclude(i));
            }
            let own_words: Vec<String> = p
                .own_words
                .iter()
                .map(|w| nfkc(w.trim()))
                .filter(|w| !w.is_empty())
                .collect();
            parties.push(Party {
                name,
                words: own,
                exclude,
                own_words,
                profession: p.profession,
            });
        }
        // An own word must be a word of another party, or it would never be
        // read (the automaton only finds party words).
        for p in &parties {
            for w in &p.own_words {
                match words.iter().position(|x| x == w) {
                    Some(j) if parties[word_owner[j]].name != p.name => {}
                    Some(_) => {
                        return Err(err(
                            w,
                            format!(
                                "「{}」の own_words の「{w}」は、その職種の words にもあります（ほかの職種の言い方を書きます）",
                                p.name
                            ),
                        ))
                    }
                    None => {
                        return Err(err(
                            w,
                            format!(
                                "「{}」の own_words の「{w}」が、どの職種の words にもありません",
                                p.name
                            ),
                        ))
                    }
                }
            }
        }
        let own = compile_own(&raw.own, src, file)?;
        for (list, kind) in [
            (&own.colleagues, OwnList::Colleague),
            (&own.with_name, OwnList::WithName),
            (&own.self_words, OwnList::SelfWord),
        ] {
            for w in list {
                patterns.push(w.clone());
                tags.push(Tag::Own(kind));
            }
        }
        let matcher = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(&patterns)
            .expect("literal patterns always build");
        Ok(Lexicon {
            matcher,
            patterns,
            tags,
            own,
            parties,
        })
    }

    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    /// Index of the party with this canonical name.
    pub fn party_index(&self, name: &str) -> Option<usize> {
        self.parties.iter().position(|p| p.name == name)
    }

    /// The `[own]` word lists, for `renkei rules`:
    /// (colleagues, with_name, self, before, after_regex).
    pub fn own_lists(&self) -> [Vec<&str>; 5] {
        let o = &self.own;
        fn strs(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        [
            strs(&o.colleagues),
            strs(&o.with_name),
            strs(&o.self_words),
            strs(&o.before),
            o.after.iter().map(|r| strip_anchor(r.as_str())).collect(),
        ]
    }

    /// Whether a remark spoken by profession `own` is about other members of
    /// it (LABELS.md edge case 7). `scan` is [`Lexicon::scan`] of `text`.
    /// A self word (自分たち) wins; then a colleague word (会員, 若手) even
    /// without the profession's name; then the name with a members word
    /// (差が, ばらばら) after it, with no other profession named in between
    /// (the variation is the speaker's profession's, not another's), the name
    /// directly after a `before` word (病院の看護師) or followed by an
    /// `after_regex` (薬局によって, 医師が減っている).
    pub fn own_mention<'a>(&'a self, text: &'a str, scan: &LexScan, own: usize) -> OwnMention<'a> {
        let o = &self.own;
        let hits = &scan.hits;
        let mut colleague = None;
        let mut with_name = None;
        for &(list, start, end) in &scan.own_words {
            // 職員 inside 介護職員, or right after another party
            // (ショートステイの職員), is that party's staff, not a colleague.
            let of_other = |h: &Hit| {
                h.party != own
                    && ((h.start <= start && end <= h.end)
                        || (h.end <= start && matches!(&text[h.end..start], "" | "の")))
            };
            if hits.iter().any(of_other) {
                continue;
            }
            let word = &text[start..end];
            match list {
                OwnList::SelfWord => return OwnMention::Speaker(word),
                // 差がある・ばらばら: about the members only when the speaker's
                // profession is the one that varies, i.e. the nearest
                // profession named before the word is the speaker's own
                // (「保健師の訪問と、ケアマネの訪問がばらばら」 is not).
                OwnList::WithName => {
                    let nearest = hits
                        .iter()
                        .filter(|h| h.end <= start && self.parties[h.party].profession)
                        .max_by_key(|h| h.end);
                    if nearest.is_some_and(|h| h.party == own) {
                        with_name = with_name.or(Some(word));
                    }
                }
                OwnList::Colleague => colleague = colleague.or(Some(word)),
            }
        }
        if let Some(w) = colleague {
            return OwnMention::Members(w);
        }
        let mut named = None;
        for h in hits.iter().filter(|h| h.party == own) {
            let name = &text[h.start..h.end];
            named = named.or(Some(name));
            if let Some(w) = with_name {
                return OwnMention::Members(w);
            }
            let head = &text[..h.start];
            if let Some(b) = o.before.iter().find(|b| head.ends_with(b.as_str())) {
                return OwnMention::Members(&text[h.start - b.len()..h.end]);
            }
            let tail = &text[h.end..];
            if let Some(m) = o.after.iter().find_map(|r| r.find(tail)) {
                return OwnMention::Members(&text[h.start..h.end + m.end()]);
            }
        }
        match named {
            Some(name) => OwnMention::Speaker(name),
            None => OwnMention::Absent,
        }
    }

    /// Reads `scan` as spoken by profession `own`: a word another party
    /// owns but `own` lists in its `own_words` (a dentist's 先生) is taken
    /// as `own`'s, so [`Lexicon::own_mention`] decides whether it is about
    /// other members; not right after another party's name and の
    /// (a dentist's 病院の先生 is the hospital's doctor).
    pub fn read_as_speaker(&self, text: &str, scan: &mut LexScan, own: usize) {
        let words = &self.parties[own].own_words;
        if words.is_empty() {
            return;
        }
        // 「病院の先生」「主治医の先生」: a word right after another party's
        // name and の is that party's, not the speaker's.
        let after_other: Vec<bool> = scan
            .hits
            .iter()
            .map(|h| {
                scan.hits
                    .iter()
                    .any(|o| o.party != own && o.end <= h.start && &text[o.end..h.start] == "の")
            })
            .collect();
        for (h, after_other) in scan.hits.iter_mut().zip(after_other) {
            if h.party != own && !after_other && words.iter().any(|w| *w == text[h.start..h.end]) {
                h.party = own;
            }
        }
    }

    /// Every party word in `text` (already NFKC-normalized), leftmost-longest,
    /// minus words that are part of an exclusion (市 inside 市民) or ASCII
    /// abbreviations glued to other letters (ST inside STATION).
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        self.scan(text).hits
    }

    /// Reads `text` (NFKC-normalized) once: the party hits of
    /// [`Lexicon::hits`] and the `[own]` words for [`Lexicon::own_mention`].
    /// The automaton reports every overlapping match; the hits are then
    /// picked leftmost-longest, as a leftmost-longest search would.
    pub fn scan(&self, text: &str) -> LexScan {
        let found = self
            .matcher
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()));
        self.select(text, found)
    }

    /// Every word the automaton looks for, by pattern index. The rule files
    /// put them into their own automaton, so a remark is read once for both
    /// (see [`Lexicon::select`]).
    pub(crate) fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// [`Lexicon::scan`] from matches found elsewhere: every (overlapping)
    /// occurrence of [`Lexicon::patterns`] as (pattern index, start, end).
    pub(crate) fn select(
        &self,
        text: &str,
        found: impl Iterator<Item = (usize, usize, usize)>,
    ) -> LexScan {
        let mut words: Vec<Hit> = Vec::new();
        let mut excluded: Vec<Hit> = Vec::new();
        let mut own_words = Vec::new();
        for (pattern, start, end) in found {
            match self.tags[pattern] {
                Tag::Word(party) => words.push(Hit { party, start, end }),
                Tag::Exclude(party) => excluded.push(Hit { party, start, end }),
                Tag::Own(list) => own_words.push((list, start, end)),
            }
        }
        words.sort_unstable_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut hits = Vec::with_capacity(words.len());
        let mut next = 0;
        for h in words {
            if h.start < next {
                continue;
            }
            next = h.end;
            let inside_exclusion = excluded
                .iter()
                .any(|x| x.party == h.party && x.start <= h.start && h.end <= x.end);
            if !inside_exclusion && ascii_word_boundary(text, h.start, h.end) {
                hits.push(h);
            }
        }
        LexScan { hits, own_words }
    }

    /// Canonical names of the parties `text` mentions, in lexicon order.
    pub fn parties_in(&self, text: &str) -> Vec<&str> {
        let mut found: Vec<usize> = self.hits(text).into_iter().map(|h| h.party).collect();
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|i| self.parties[i].name.as_str())
            .collect()
    }

    /// The profession a title, sheet or file name names: the longest
    /// profession word found (歯科医師会 → 歯科医師, never 医師).
    pub fn find_profession(&self, text: &str) -> Option<&str> {
        let text = nfkc(text);
        self.hits(&text)
            .into_iter()
            .filter(|h| self.parties[h.party].profession)
            .max_by_key(|h| (h.end - h.start, std::cmp::Reverse(h.start)))
            .map(|h| self.parties[h.party].name.as_str())
    }
}

const ANCHOR_OPEN: &str = "\\A(?:";

fn strip_anchor(r: &str) -> &str {
    r.strip_prefix(ANCHOR_OPEN)
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(r)
}

fn compile_own(raw: &RawOwn, src: &str, file: &str) -> Result<OwnRules, RuleError> {
    let err = |s: &Spanned<String>, message: String| RuleError {
        file: file.to_string(),
        line: Some(line_of(src, s.span().start)),
        message,
    };
    let words_of = |list: &[Spanned<String>], key: &str| -> Result<Vec<String>, RuleError> {
        list.iter()
            .map(|w| {
                let n = nfkc(w.get_ref().trim());
                if n.is_empty() {
                    Err(err(w, format!("[own] の {key} に空の言葉があります")))
                } else {
                    Ok(n)
                }
            })
            .collect()
    };
    let colleagues = words_of(&raw.colleagues, "colleagues")?;
    let with_name = words_of(&raw.with_name, "with_name")?;
    let self_words = words_of(&raw.self_words, "self")?;
    let before = words_of(&raw.before, "before")?;
    let mut after = Vec::new();
    for r in &raw.after_regex {
        let n = nfkc(r.get_ref().trim());
        if n.is_empty() {
            return Err(err(
                r,
                "[own] の after_regex に空の正規表現があります".into(),
            ));
        }
        let re = Regex::new(&format!("{ANCHOR_OPEN}{n})"))
            .map_err(|e| err(r, super::regex_message(&n, &e)))?;
        after.push(re);
    }
    Ok(OwnRules {
        colleagues,
        with_name,
        self_words,
        before,
        after,
    })
}

/// An ASCII word (PT, ST, Dr) counts only when not glued to other ASCII letters.
pub(crate) fn ascii_word_boundary(text: &str, s: usize, e: usize) -> bool {
    let word = &text[s..e];
    if !word.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return true;
    }
    let before = text[..s].chars().next_back();
    let after = text[e..].chars().next();
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    !glued(before) && !glued(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_synonym_wins() {
        let lx = Lexicon::default();
        for (text, want) in [
            ("第1回歯科医師会との打合せ会", Some("歯科医師")),
            ("医師_第2回.xlsx", Some("医師")),
            ("薬剤師会", Some("薬剤師")),
            ("ケアマネ連絡会", Some("介護支援専門員")),
            ("地域包括支援センター", Some("地域包括支援センター")),
            ("歯科衛生士", Some("歯科衛生士")),
            ("打合せ会", None),
            ("市民", None),
        ] {
            assert_eq!(lx.find_profession(text), want, "{text}");
        }
    }

    #[test]
    fn parties_respect_exclusions_and_ascii_words() {
        let lx = Lexicon::default();
        assert_eq!(lx.parties_in("市民に広める"), vec!["患者・家族"]);
        assert_eq!(lx.parties_in("市に相談する"), vec!["行政"]);
        assert_eq!(lx.parties_in("PTに頼む"), vec!["リハビリテーション療法士"]);
        assert!(lx.parties_in("STATION").is_empty());
        assert_eq!(
            lx.parties_in("ｹｱﾏﾈ".nfkc().collect::<String>().as_str()),
            vec!["介護支援専門員"]
        );
    }

    #[test]
    fn duplicate_word_is_rejected_with_line() {
        let src = "[[party]]\nname = \"A\"\nwords = [\"x\"]\n\n[[party]]\nname = \"B\"\nwords = [\"x\"]\n";
        let e = Lexicon::from_toml(src, "p.toml").unwrap_err();
        assert!(e.message.contains("両方"), "{e}");
        assert!(e.line.is_some());
    }

    #[test]
    fn own_words_must_be_another_partys_words() {
        let src = "[[party]]\nname = \"A\"\nwords = [\"x\"]\n\n[[party]]\nname = \"B\"\nwords = [\"y\"]\nown_words = [\"z\"]\n";
        let e = Lexicon::from_toml(src, "p.toml").unwrap_err();
        assert!(e.message.contains("どの職種の words にもありません"), "{e}");
        let src = src.replace("own_words = [\"z\"]", "own_words = [\"x\"]");
        let lx = Lexicon::from_toml(&src, "p.toml").unwrap();
        let mut scan = lx.scan("xとy");
        assert_eq!(scan.hits[0].party, 0);
        lx.read_as_speaker("xとy", &mut scan, 1);
        assert_eq!(scan.hits[0].party, 1);
    }

    #[test]
    fn unknown_key_is_rejected_in_japanese() {
        let src = "[[party]]\nname = \"A\"\nwordz = [\"x\"]\n";
        let e = Lexicon::from_toml(src, "p.toml").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("知らない項目名"), "{e}");
    }
}
