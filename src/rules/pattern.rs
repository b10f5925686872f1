//! Word and regex conditions, shared by every rule family (カテゴリ,
//! 課題/アイデア, 所在).
//!
//! A rule file lists plain words and regexes; here they are all gathered
//! into one Aho-Corasick automaton, so a remark is scanned once
//! ([`Patterns::scan`]) and every rule is then decided by table look-ups
//! ([`Condition::eval`]). A regex runs only when the automaton saw the
//! literals it needs (`literals.rs`); the few without any share a
//! `RegexSet`. A condition is KH Coder's and/or/not: *any* of these, *all*
//! of those, *none* of the others.

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
    /// (word, lexicon pattern): words the lexicon also looks for.
    lexicon_links: Vec<(u32, u32)>,
    /// Regexes whose match position matters (課題/アイデア).
    positional: Vec<u32>,
    /// (word, regex, set): the regex can only match where one word of each
    /// of its sets occurs.
    gates: Vec<(u32, u32, u8)>,
    /// For each regex: the bitmask of all its sets (0: ungated).
    gate_masks: Vec<u8>,
    /// Regexes with no required literal: run on every text.
    ungated: Vec<u32>,
}

impl PatternsBuilder {
    pub fn word(&mut self, w: &str) -> Pat {
        Pat::Word(self.word_id(w))
    }

    fn word_id(&mut self, w: &str) -> u32 {
        if let Some(&i) = self.word_ids.get(w) {
            return i;
        }
        let i = self.words.len() as u32;
        self.words.push(w.to_string());
        self.word_ids.insert(w.to_string(), i);
        i
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
        match super::literals::required(r) {
            Some(sets) => {
                for (k, set) in sets.iter().enumerate() {
                    for l in set {
                        let w = self.word_id(l);
                        self.gates.push((w, i, k as u8));
                    }
                }
                self.gate_masks.push(((1u16 << sets.len()) - 1) as u8);
            }
            None => {
                self.ungated.push(i);
                self.gate_masks.push(0);
            }
        }
        Ok(Pat::Regex(i))
    }

    /// Adds lexicon pattern `lex` (see [`super::lexicon::Lexicon::patterns`])
    /// to the automaton, so one scan serves the rules and the lexicon.
    pub fn lexicon_word(&mut self, w: &str, lex: u32) {
        let i = self.word_id(w);
        self.lexicon_links.push((i, lex));
    }

    /// Marks the regexes of `c` as needing their match position (the
    /// 課題/アイデア order); other regexes are only tested, which is cheaper.
    pub fn positional(&mut self, c: &Condition) {
        for p in c.any.iter().chain(&c.all) {
            if let Pat::Regex(i) = p {
                self.positional.push(*i);
            }
        }
    }

    /// Registers a finished condition, so a scan can tell which conditions
    /// have any chance of holding (the candidate bits of [`Scan`]).
    pub fn register(&mut self, mut c: Condition) -> Condition {
        c.id = Some(self.conditions.len() as u32);
        self.conditions
            .push(c.any.iter().chain(&c.all).copied().collect());
        c
    }

    pub fn build(self) -> Patterns {
        let n_words = self.words.len() as u32;
        let bit = |p: Pat| match p {
            Pat::Word(i) => i,
            Pat::Regex(i) => n_words + i,
        };
        let mut lexicon = vec![Vec::new(); self.words.len()];
        for &(w, lex) in &self.lexicon_links {
            lexicon[w as usize].push(lex);
        }
        let mut positional = vec![false; self.regexes.len()];
        for &i in &self.positional {
            positional[i as usize] = true;
        }
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
        let set = RegexSet::new(
            self.ungated
                .iter()
                .map(|&i| self.regexes[i as usize].as_str()),
        )
        .expect("each regex compiled on its own");
        let mut gates = vec![Vec::new(); self.words.len()];
        for &(w, r, k) in &self.gates {
            gates[w as usize].push((r, 1u8 << k));
        }
        Patterns {
            word_text: self.words,
            words,
            set,
            regexes: self.regexes,
            users,
            n_conditions: self.conditions.len(),
            lexicon,
            positional,
            gates,
            gate_masks: self.gate_masks,
            ungated: self.ungated,
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
    /// For each word: the lexicon patterns it is.
    lexicon: Vec<Vec<u32>>,
    /// For each regex: whether its span is needed.
    positional: Vec<bool>,
    /// For each word: the regexes that need it, with the bit of their set.
    gates: Vec<Vec<(u32, u8)>>,
    /// For each regex: all its sets' bits; 0 for an ungated regex.
    gate_masks: Vec<u8>,
    /// `set` pattern i is regex `ungated[i]`.
    ungated: Vec<u32>,
}

/// Where each pattern last matched in one text (its latest match, see
/// [`Span::later_than`]). A remark matches a handful of the hundreds of
/// patterns, so a bitset answers most look-ups and a short list holds the
/// spans; clearing a dense table per remark would cost more than the scan.
#[derive(Debug, Clone)]
pub(crate) struct Scan {
    /// Bit i: word i matched; bit n_words + j: regex j matched; then, from
    /// word `cand_base`, bit c: registered condition c has a matched
    /// positive pattern, so it may hold; the others cannot and are not looked
    /// at (an inverted index: a remark touches a few of the many rules).
    bits: Vec<u64>,
    n_words: u32,
    cand_base: usize,
    /// (bit index, latest span), one entry per matched pattern.
    spans: Vec<(u32, Span)>,
    /// Lexicon patterns found, as (pattern, start, end), for
    /// [`super::lexicon::Lexicon::select`].
    lexicon: Vec<(u32, u32, u32)>,
}

impl Scan {
    fn new(n_words: usize, n_regexes: usize, n_conditions: usize) -> Scan {
        let cand_base = (n_words + n_regexes).div_ceil(64);
        Scan {
            bits: vec![0; cand_base + n_conditions.div_ceil(64)],
            n_words: n_words as u32,
            cand_base,
            spans: Vec::with_capacity(16),
            lexicon: Vec::with_capacity(16),
        }
    }

    /// The lexicon patterns found, for [`super::lexicon::Lexicon::select`].
    pub fn lexicon_matches(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.lexicon
            .iter()
            .map(|&(p, s, e)| (p as usize, s as usize, e as usize))
    }

    #[inline]
    fn may_hold(&self, c: &Condition) -> bool {
        match c.id {
            Some(id) if !c.is_empty() => {
                self.bits[self.cand_base + (id / 64) as usize] & (1u64 << (id % 64)) != 0
            }
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
        // (regex, sets seen so far)
        let mut gated: Vec<(u32, u8)> = Vec::new();
        for m in self.words.find_overlapping_iter(text) {
            let w = m.pattern().as_usize();
            for &lex in &self.lexicon[w] {
                scan.lexicon.push((lex, m.start() as u32, m.end() as u32));
            }
            for &(r, bit) in &self.gates[w] {
                match gated.iter_mut().find(|(g, _)| *g == r) {
                    Some((_, seen)) => *seen |= bit,
                    None => gated.push((r, bit)),
                }
            }
            if !ascii_word_boundary(text, m.start(), m.end()) {
                continue;
            }
            let span = Span {
                start: m.start() as u32,
                end: m.end() as u32,
            };
            scan.record(m.pattern().as_u32(), span);
        }
        let from_set = if self.ungated.is_empty() {
            Vec::new()
        } else {
            self.set
                .matches(text)
                .iter()
                .map(|i| self.ungated[i])
                .collect()
        };
        let ready = gated
            .into_iter()
            .filter(|&(r, seen)| seen == self.gate_masks[r as usize])
            .map(|(r, _)| r);
        for r in ready.chain(from_set) {
            // Where a regex matched is only needed for 課題/アイデア;
            // elsewhere an empty span at 0 stands for "somewhere".
            let re = &self.regexes[r as usize];
            let span = if self.positional[r as usize] {
                re.find_iter(text).last().map(|m| Span {
                    start: m.start() as u32,
                    end: m.end() as u32,
                })
            } else {
                re.is_match(text).then_some(Span { start: 0, end: 0 })
            };
            if let Some(span) = span {
                scan.record(scan.n_words + r, span);
            }
        }
        for &(bit, _) in &scan.spans {
            for &c in &self.users[bit as usize] {
                scan.bits[scan.cand_base + (c / 64) as usize] |= 1u64 << (c % 64);
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
    #[inline]
    pub fn eval(&self, scan: &Scan) -> Option<Span> {
        if !scan.may_hold(self) {
            return None;
        }
        self.eval_matched(scan)
    }

    fn eval_matched(&self, scan: &Scan) -> Option<Span> {
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
    pub fn matched<'t>(&self, patterns: &Patterns, scan: &Scan, text: &'t str) -> Vec<&'t str> {
        self.all
            .iter()
            .chain(&self.any)
            .filter_map(|&p| {
                let s = scan.get(p)?;
                match p {
                    Pat::Regex(i) if s.end == 0 => patterns.regexes[i as usize]
                        .find_iter(text)
                        .last()
                        .map(|m| m.as_str()),
                    _ => Some(&text[s.start as usize..s.end as usize]),
                }
            })
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

    proptest::proptest! {
        /// Running a regex only where its required literal occurs gives the
        /// same answer as running it everywhere.
        #[test]
        fn gated_regexes_match_exactly_where_plain_ones_do(text in "[薬剤栄養士のにへと誰どこ連絡相談がわか ab.]{0,24}") {
            let sources = [
                "栄養([^士]|$)", "(誰|どこ)(に|へ)(連絡|相談)", "薬剤([^師]|$)", "わか(ら|り)", "a.b", "(の|に)?[^ ]{0,3}が",
                "連絡|相談が", "(栄養|薬)士?の(に|へ)", "a(b|c)a",
            ];
            let mut b = PatternsBuilder::default();
            let pats: Vec<Pat> = sources.iter().map(|r| b.regex(r).unwrap()).collect();
            let p = b.build();
            let scan = p.scan(&text);
            for (src, pat) in sources.iter().zip(pats) {
                let direct = Regex::new(src).unwrap().is_match(&text);
                proptest::prop_assert_eq!(scan.get(pat).is_some(), direct, "{} on {:?}", src, text);
            }
        }
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
