//! Required literals of a regex: sets of plain strings such that every
//! match contains one string of each set. The pattern scan adds them to its
//! word automaton and runs a regex only when every set was seen, instead of
//! running every regex over every remark (60,000 remarks must classify in
//! well under 100 ms).
//!
//! Deliberately conservative: anything not understood (flags `(?…)`,
//! escapes, classes, nested groups) yields no literal, and such a regex
//! simply runs on every remark. A wrong "required" literal would silently
//! lose matches, so the test below checks gated and plain matching agree.

/// One top-level piece of a regex.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Lit(char),
    /// A group whose body is an alternation of plain literals (`(に|へ)`).
    Alts(Vec<String>),
    /// Anything else: class, escape, other group, `.`, anchors.
    Other,
    /// `?`, `*`, `+` or `{m,n}`: applies to the token before it.
    Quant,
}

/// At most this many sets are kept (the scan tracks them in a bitmask).
const MAX_SETS: usize = 8;

/// Sets of literals such that every match of `re` contains one literal of
/// each set, or `None` when nothing is known to be required.
pub(crate) fn required(re: &str) -> Option<Vec<Vec<String>>> {
    if re.contains("(?") {
        return None;
    }
    let branches = split_top(re)?;
    if branches.len() == 1 {
        // One-character literals (の, に) occur everywhere: as gates they
        // cost more scanning than the regex they would spare.
        let sets = sets_of_branch(&tokens(branches[0])?);
        let long: Vec<Vec<String>> = sets
            .iter()
            .filter(|s| shortest(s) >= 2)
            .take(MAX_SETS)
            .cloned()
            .collect();
        return if long.is_empty() {
            sets.into_iter().next().map(|s| vec![s])
        } else {
            Some(long)
        };
    }
    // A top-level alternation: one literal of any branch's best set.
    let mut union: Vec<String> = Vec::new();
    for b in branches {
        let best = sets_of_branch(&tokens(b)?).into_iter().next()?;
        for l in best {
            if !union.contains(&l) {
                union.push(l);
            }
        }
    }
    Some(vec![union])
}

/// Splits on top-level `|`; `None` if brackets do not balance.
fn split_top(re: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut in_class, mut escaped) = (0i32, 0, false, false);
    for (i, c) in re.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth -= 1,
            '|' if !in_class && depth == 0 => {
                out.push(&re[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return None;
        }
    }
    if depth != 0 || in_class || escaped {
        return None;
    }
    out.push(&re[start..]);
    Some(out)
}

fn tokens(branch: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = branch.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(Token::Other);
                i += 2;
            }
            '[' => {
                // Skip to the closing bracket (escapes inside are skipped too).
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    i += 1;
                }
                while i < chars.len() && chars[i] != ']' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                out.push(Token::Other);
                i += 1;
            }
            '(' => {
                let mut depth = 1;
                let mut j = i + 1;
                let mut plain = true;
                while j < chars.len() && depth > 0 {
                    match chars[j] {
                        '(' => {
                            depth += 1;
                            plain = false;
                        }
                        ')' => depth -= 1,
                        '|' => {}
                        c if is_meta(c) => plain = false,
                        _ => {}
                    }
                    j += 1;
                }
                if depth != 0 {
                    return None;
                }
                let body: String = chars[i + 1..j - 1].iter().collect();
                let alts: Vec<String> = body.split('|').map(str::to_string).collect();
                if plain && alts.iter().all(|a| !a.is_empty()) {
                    out.push(Token::Alts(alts));
                } else {
                    out.push(Token::Other);
                }
                i = j;
            }
            '{' => {
                while i < chars.len() && chars[i] != '}' {
                    i += 1;
                }
                out.push(Token::Quant);
                i += 1;
            }
            '?' | '*' | '+' => {
                out.push(Token::Quant);
                i += 1;
            }
            c if is_meta(c) => {
                out.push(Token::Other);
                i += 1;
            }
            c => {
                out.push(Token::Lit(c));
                i += 1;
            }
        }
    }
    Some(out)
}

fn is_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.' | '^' | '$' | '|' | '?' | '*' | '+' | '(' | ')' | '[' | ']' | '{' | '}'
    ) || c.is_whitespace()
}

/// Every requirement of one branch, most selective first: each run of
/// plain characters (a one-literal set) and each unquantified group of
/// plain alternatives, ordered by their shortest literal, longest first.
fn sets_of_branch(tokens: &[Token]) -> Vec<Vec<String>> {
    let mut sets: Vec<Vec<String>> = Vec::new();
    let mut run = String::new();
    for (k, t) in tokens.iter().enumerate() {
        let quantified = tokens.get(k + 1) == Some(&Token::Quant);
        match t {
            Token::Lit(c) if !quantified => run.push(*c),
            Token::Alts(a) if !quantified => {
                sets.push(std::mem::take(&mut run).into_iter_set());
                sets.push(a.clone());
            }
            _ => sets.push(std::mem::take(&mut run).into_iter_set()),
        }
    }
    sets.push(run.into_iter_set());
    sets.retain(|s| !s.is_empty());
    sets.sort_by_key(|s| std::cmp::Reverse(shortest(s)));
    sets.dedup();
    sets
}

/// Characters in the shortest literal of a set.
fn shortest(s: &[String]) -> usize {
    s.iter().map(|l| l.chars().count()).min().unwrap_or(0)
}

trait IntoSet {
    fn into_iter_set(self) -> Vec<String>;
}

impl IntoSet for String {
    /// A run as a one-literal set (empty when the run is empty).
    fn into_iter_set(self) -> Vec<String> {
        if self.is_empty() {
            Vec::new()
        } else {
            vec![self]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_one_of_which_every_match_contains() {
        let s = |v: &[&[&str]]| {
            Some(
                v.iter()
                    .map(|set| set.iter().map(|x| x.to_string()).collect())
                    .collect::<Vec<Vec<String>>>(),
            )
        };
        assert_eq!(required("栄養([^士]|$)"), s(&[&["栄養"]]));
        assert_eq!(
            required("(知識|経験)が引き継が"),
            s(&[&["が引き継が"], &["知識", "経験"]])
        );
        assert_eq!(
            required("(誰|だれ|どこ)に(連絡|相談)"),
            s(&[&["連絡", "相談"]])
        );
        assert_eq!(required("(誰|どこ)に"), s(&[&["誰", "どこ"]]));
        assert_eq!(
            required("詳しく(な|ない)|詳しい人が(少な|いな)"),
            s(&[&["詳しく", "詳しい人が"]])
        );
        assert_eq!(required("abb?cde"), s(&[&["cde"], &["ab"]]));
        assert_eq!(required("必要(だ|です)?$"), s(&[&["必要"]]));
        assert_eq!(required("x{2}y"), s(&[&["y"]]));
        assert_eq!(required("(?i)abc"), None);
        assert_eq!(required("[^、。]{0,8}"), None);
        assert_eq!(required("(a|)b"), s(&[&["b"]]));
        assert_eq!(required("\\d+円"), s(&[&["円"]]));
        assert_eq!(required("(a"), None);
        assert_eq!(required("a|.*"), None);
    }
}
