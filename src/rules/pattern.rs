//! Word and regex conditions, shared by every rule family (カテゴリ,
//! 課題/アイデア, 所在).
//!
//! A rule file lists plain words and regexes; here they are all gathered
//! into one Aho-Corasick automaton and one `RegexSet`, so a remark is
//! scanned once ([`Patterns::scan`]) and every rule is then decided by table
//! look-ups ([`Condition::eval`]). A condition is KH Coder's and/or/not:
//! *any* of these, *all* of those, *none* of the others.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexSet};

use super::lexicon::ascii_word_boundary;

/// A pattern of the shared set: the n-th distinct word or regex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Pat {
    Word(u32),
    Regex(u32),
}

/// A byte range in the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    const NONE: Span = Span {
        start: u32::MAX,
        end: 0,
    };

    fn is_some(self) -> bool {
        self.start != u32::MAX
    }

    /// The later of two matches: the one ending last, then the longer one.
    /// "The final clause decides" (LABELS.md) rests on this order.
    pub fn later_than(self, other: Span) -> bool {
        !other.is_some() || (self.end, other.start) > (other.end, self.start)
    }
}

/// Collects the words and regexes of all rule files before compiling them.
#[derive(Debug, Default)]
pub(crate) struct PatternsBuilder {
    words: Vec<String>,
    word_ids: HashMap<String, u32>,
    regexes: Vec<Regex>,
    regex_ids: HashMap<String, u32>,
    /// Registered conditions: their positive patterns.
    conditions: Vec<Vec<Pat>>,
}

impl PatternsBuilder {
    pub fn word(&mut self, w: &str) -> Pat {
        if let Some(&i) = self.word_ids.get(w) {
            return Pat::Word(i);
        }
        let i = self.words.len() as u32;
        self.words.push(w.to_string());
        self.word_ids.insert(w.to_string(), i);
        Pat::Word(i)
    }

    /// Compiles the regex now, so a bad one is reported with its own line.
    pub fn regex(&mut self, r: &str) -> Result<Pat, regex::Error> {
        if let Some(&i) = self.regex_ids.get(r) {
            return Ok(Pat::Regex(i));
        }
        let re = Regex::new(r)?;
        let i = self.regexes.len() as u32;
        self.regexes.push(re);
        self.regex_ids.insert(r.to_string(), i);
        Ok(Pat::Regex(i))
    }

    /// Registers a finished condition, so a scan can tell which conditions
    /// have any chance of holding (see [`Scan::candidates`]).
    pub fn register(&mut self, mut c: Condition) -> Condition {
        c.id = Some(self.conditions.len() as u32);
        self.conditions.push(c.any.iter().chain(&c.all).copied().collect());
        c
    }

    pub fn build(self) -> Patterns {
        let n_words = self.words.len() as u32;
        let bit = |p: Pat| match p {
            Pat::Word(i) => i,
            Pat::Regex(i) => n_words + i,
        };
        let mut users = vec![Vec::new(); self.words.len() + self.regexes.len()];
        for (id, pats) in self.conditions.iter().enumerate() {
            for &p in pats {
                let u: &mut Vec<u32> = &mut users[bit(p) as usize];
                if u.last() != Some(&(id as u32)) {
                    u.push(id as u32);
                }
            }
        }
        let words = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(&self.words)
            .expect("literal patterns always build");
        let set = RegexSet::new(self.regexes.iter().map(|r| r.as_str()))
            .expect("each regex compiled on its own");
        Patterns {
            word_text: self.words,
            words,
            set,
            regexes: self.regexes,
            users,
            n_conditions: self.conditions.len(),
        }
    }
}

/// Every word and regex of the rules, compiled once.
#[derive(Debug, Clone)]
pub(crate) struct Patterns {
    word_text: Vec<String>,
    words: AhoCorasick,
    set: RegexSet,
    regexes: Vec<Regex>,
    /// For each pattern (by scan bit): the registered conditions that need it.
    users: Vec<Vec<u32>>,
    n_conditions: usize,
}

/// Where each pattern last matched in one text (its latest match, see
/// [`Span::later_than`]). A remark matches a handful of the hundreds of
/// patterns, so a bitset answers most look-ups and a short list holds the
/// spans; clearing a dense table per remark would cost more than the scan.
#[derive(Debug, Clone)]
pub(crate) struct Scan {
    /// Bit i: word i matched; bit n_words + j: regex j matched.
    bits: Vec<u64>,
    n_words: u32,
    /// (bit index, latest span), one entry per matched pattern.
    spans: Vec<(u32, Span)>,
    /// Bit c: registered condition c has a matched positive pattern, so it
    /// may hold; the others cannot and are not looked at (an inverted
    /// index: a remark touches a few of the many rules).
    candidates: Vec<u64>,
}

impl Scan {
    fn new(n_words: usize, n_regexes: usize, n_conditions: usize) -> Scan {
        Scan {
            bits: vec![0; (n_words + n_regexes).div_ceil(64)],
            n_words: n_words as u32,
            spans: Vec::new(),
            candidates: vec![0; n_conditions.div_ceil(64)],
        }
    }

    fn may_hold(&self, c: &Condition) -> bool {
        match c.id {
            Some(id) if !c.is_empty() => self.candidates[(id / 64) as usize] & (1u64 << (id % 64)) != 0,
            _ => true,
        }
    }

    fn bit(&self, p: Pat) -> u32 {
        match p {
            Pat::Word(i) => i,
            Pat::Regex(i) => self.n_words + i,
        }
    }

    fn record(&mut self, bit: u32, span: Span) {
        let word = &mut self.bits[(bit / 64) as usize];
        let mask = 1u64 << (bit % 64);
        if *word & mask == 0 {
            *word |= mask;
            self.spans.push((bit, span));
        } else if let Some(slot) = self.spans.iter_mut().find(|(b, _)| *b == bit) {
            if span.later_than(slot.1) {
                slot.1 = span;
            }
        }
    }

    pub fn get(&self, p: Pat) -> Option<Span> {
        let bit = self.bit(p);
        if self.bits[(bit / 64) as usize] & (1u64 << (bit % 64)) == 0 {
            return None;
        }
        self.spans.iter().find(|(b, _)| *b == bit).map(|&(_, s)| s)
    }
}

impl Patterns {
    pub fn scan(&self, text: &str) -> Scan {
        let mut scan = Scan::new(self.word_text.len(), self.regexes.len(), self.n_conditions);
        for m in self.words.find_overlapping_iter(text) {
            if !ascii_word_boundary(text, m.start(), m.end()) {
                continue;
            }
            let span = Span {
                start: m.start() as u32,
                end: m.end() as u32,
            };
            scan.record(m.pattern().as_u32(), span);
        }
        if !self.regexes.is_empty() {
            for i in self.set.matches(text).iter() {
                if let Some(m) = self.regexes[i].find_iter(text).last() {
                    let span = Span {
                        start: m.start() as u32,
                        end: m.end() as u32,
                    };
                    scan.record(scan.n_words + i as u32, span);
                }
            }
        }
        for &(bit, _) in &scan.spans {
            for &c in &self.users[bit as usize] {
                scan.candidates[(c / 64) as usize] |= 1u64 << (c % 64);
            }
        }
        scan
    }

    /// How a pattern is written in the rule file (for `renkei rules`, explain).
    pub fn source(&self, p: Pat) -> &str {
        match p {
            Pat::Word(i) => &self.word_text[i as usize],
            Pat::Regex(i) => self.regexes[i as usize].as_str(),
        }
    }
}

/// any-of ∧ all-of ∧ none-of, over words and regexes alike.
#[derive(Debug, Clone, Default)]
pub(crate) struct Condition {
    pub any: Vec<Pat>,
    pub all: Vec<Pat>,
    pub none: Vec<Pat>,
    /// Set by [`PatternsBuilder::register`].
    pub id: Option<u32>,
}

impl Condition {
    /// Whether the condition holds; if so, the latest match of its positive
    /// patterns (for the "final clause decides" order of 課題/アイデア).
    pub fn eval(&self, scan: &Scan) -> Option<Span> {
        if !scan.may_hold(self) {
            return None;
        }
        if self.none.iter().any(|&p| scan.get(p).is_some()) {
            return None;
        }
        let mut last = Span::NONE;
        for &p in &self.all {
            let s = scan.get(p)?;
            if s.later_than(last) {
                last = s;
            }
        }
        if !self.any.is_empty() {
            let mut found = false;
            for &p in &self.any {
                if let Some(s) = scan.get(p) {
                    found = true;
                    if s.later_than(last) {
                        last = s;
                    }
                }
            }
            if !found {
                return None;
            }
        }
        Some(last)
    }

    /// The positive patterns that matched, with the text they matched, for
    /// explain. Only called once [`Condition::eval`] said yes.
    pub fn matched<'t>(&self, scan: &Scan, text: &'t str) -> Vec<&'t str> {
        self.all
            .iter()
            .chain(&self.any)
            .filter_map(|&p| scan.get(p))
            .map(|s| &text[s.start as usize..s.end as usize])
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.any.is_empty() && self.all.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(b: &mut PatternsBuilder, any: &[&str], all: &[&str], none: &[&str]) -> Condition {
        let c = Condition {
            any: any.iter().map(|w| b.word(w)).collect(),
            all: all.iter().map(|w| b.word(w)).collect(),
            none: none.iter().map(|w| b.word(w)).collect(),
            id: None,
        };
        b.register(c)
    }

    #[test]
    fn any_all_none() {
        let mut b = PatternsBuilder::default();
        let c = cond(&mut b, &["研修", "勉強会"], &["合同"], &["中止"]);
        let r = Condition {
            any: vec![b.regex("顔の?見える").unwrap()],
            ..Condition::default()
        };
        let p = b.build();
        for (text, want) in [
            ("合同の研修を開きたい", true),
            ("研修を開きたい", false),
            ("合同の勉強会は中止になった", false),
            ("合同で勉強会", true),
        ] {
            assert_eq!(c.eval(&p.scan(text)).is_some(), want, "{text}");
        }
        assert!(r.eval(&p.scan("顔見える関係")).is_some());
        assert!(r.eval(&p.scan("顔が見えない")).is_none());
    }

    #[test]
    fn overlapping_words_all_count_and_latest_match_wins() {
        let mut b = PatternsBuilder::default();
        let a = b.word("退院");
        let long = b.word("退院前カンファレンス");
        let nai = b.word("ない");
        let p = b.build();
        let s = p.scan("退院前カンファレンスに呼ばれない、退院後も連絡がない");
        assert!(s.get(long).is_some());
        let last_taiin = s.get(a).unwrap();
        assert!(last_taiin.start > 20, "the later 退院 is kept");
        assert!(s.get(nai).unwrap().later_than(last_taiin));
    }

    #[test]
    fn ascii_words_are_whole_words() {
        let mut b = PatternsBuilder::default();
        let ict = b.word("ICT");
        let p = b.build();
        assert!(p.scan("ictネットワーク").get(ict).is_some());
        assert!(p.scan("PICTURE").get(ict).is_none());
    }
}
