//! The lexicon of professions and parties (`templates/professions.toml`):
//! maps everyday wordings (ケアマネ, 薬局, PT, 包括 …) to canonical names.
//!
//! Matching is leftmost-longest, so 歯科医師 is never read as 医師, and an
//! ASCII abbreviation (PT, ST, Dr) only counts as a whole word.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    name: String,
    words: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
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

#[derive(Debug, Clone)]
pub struct Lexicon {
    parties: Vec<Party>,
    /// Pattern i is word `words[i].1` of party `words[i].0`.
    word_owner: Vec<usize>,
    matcher: AhoCorasick,
    /// Exclusion words, each with its party.
    exclude_owner: Vec<usize>,
    exclude_matcher: AhoCorasick,
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
        let raw: RawLexicon = toml::from_str(src).map_err(|e| RuleError::from_toml(file, src, &e))?;
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
        let mut excludes: Vec<String> = Vec::new();
        let mut exclude_owner: Vec<usize> = Vec::new();
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
                    return Err(err(&p.name, format!("「{name}」の words に空の言い方があります")));
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
            }
            let exclude: Vec<String> = p.exclude.iter().map(|w| nfkc(w.trim())).filter(|w| !w.is_empty()).collect();
            for w in &exclude {
                excludes.push(w.clone());
                exclude_owner.push(i);
            }
            parties.push(Party {
                name,
                words: own,
                exclude,
                profession: p.profession,
            });
        }
        let build = |pats: &[String]| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(pats)
                .expect("literal patterns always build")
        };
        Ok(Lexicon {
            matcher: build(&words),
            exclude_matcher: build(&excludes),
            parties,
            word_owner,
            exclude_owner,
        })
    }

    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    /// Every party word in `text` (already NFKC-normalized), leftmost-longest,
    /// minus words that are part of an exclusion (市 inside 市民) or ASCII
    /// abbreviations glued to other letters (ST inside STATION).
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        let excluded: Vec<(usize, usize, usize)> = self
            .exclude_matcher
            .find_iter(text)
            .map(|m| (self.exclude_owner[m.pattern().as_usize()], m.start(), m.end()))
            .collect();
        self.matcher
            .find_iter(text)
            .filter_map(|m| {
                let party = self.word_owner[m.pattern().as_usize()];
                let (s, e) = (m.start(), m.end());
                if excluded.iter().any(|&(p, xs, xe)| p == party && xs <= s && e <= xe) {
                    return None;
                }
                if !ascii_word_boundary(text, s, e) {
                    return None;
                }
                Some(Hit { party, start: s, end: e })
            })
            .collect()
    }

    /// Canonical names of the parties `text` mentions, in lexicon order.
    pub fn parties_in(&self, text: &str) -> Vec<&str> {
        let mut found: Vec<usize> = self.hits(text).into_iter().map(|h| h.party).collect();
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| self.parties[i].name.as_str()).collect()
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

/// An ASCII word (PT, ST, Dr) counts only when not glued to other ASCII letters.
fn ascii_word_boundary(text: &str, s: usize, e: usize) -> bool {
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
        assert_eq!(lx.parties_in("ｹｱﾏﾈ".nfkc().collect::<String>().as_str()), vec!["介護支援専門員"]);
    }

    #[test]
    fn duplicate_word_is_rejected_with_line() {
        let src = "[[party]]\nname = \"A\"\nwords = [\"x\"]\n\n[[party]]\nname = \"B\"\nwords = [\"x\"]\n";
        let e = Lexicon::from_toml(src, "p.toml").unwrap_err();
        assert!(e.message.contains("両方"), "{e}");
        assert!(e.line.is_some());
    }

    #[test]
    fn unknown_key_is_rejected_in_japanese() {
        let src = "[[party]]\nname = \"A\"\nwordz = [\"x\"]\n";
        let e = Lexicon::from_toml(src, "p.toml").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("知らない項目名"), "{e}");
    }
}
