//! `renkei explain TEXT [--profession NAME] [--note 備考] [--rules DIR]`:
//! shows how one remark is normalized and classified, with every rule that
//! fired and the words it matched, so staff can see why and fix a rule file.

use std::fmt::Write as _;

use super::rules::print_stdout;
use super::Status;
use crate::classify::{explain, Explanation, Family, Input};
use crate::cli::ExplainArgs;
use crate::normalize::normalize;
use crate::rules::Rules;

pub fn execute(args: &ExplainArgs) -> Status {
    let rules = match Rules::load(args.rules.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return Status::Failed;
        }
    };
    let text = normalize(&args.text).text;
    if text.is_empty() {
        eprintln!("意見の文章が空です。調べたい文章を \"…\" で囲んで渡してください");
        return Status::Failed;
    }
    let profession = match args
        .profession
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => String::new(),
        Some(p) => match rules.lexicon().find_profession(p) {
            Some(canonical) => canonical.to_string(),
            None => {
                eprintln!("注意: 「{p}」は職種の辞書（professions.toml）にありません。話した職種は分からないものとして判定します");
                p.to_string()
            }
        },
    };
    let note = args.note.as_deref().map(|n| normalize(n).text);
    let input = Input {
        text: &text,
        note: note.as_deref(),
        profession: &profession,
        given_categories: &[],
        given_kind: None,
    };
    print_stdout(&render(&input, &explain(&rules, &input)))
}

/// The explanation for a terminal, in Japanese.
pub fn render(input: &Input<'_>, ex: &Explanation) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "意見（正規化後）: {}", input.text);
    let shown = if input.profession.is_empty() {
        "（指定なし）"
    } else {
        input.profession
    };
    let _ = writeln!(o, "話した職種: {shown}");
    if let Some(n) = input.note {
        let _ = writeln!(o, "備考: {n}");
    }
    let _ = writeln!(o, "\n効いたルール:");
    for family in [
        Family::Category,
        Family::Kind,
        Family::Related,
        Family::Location,
    ] {
        for s in ex.steps.iter().filter(|s| s.family == family) {
            let _ = write!(o, "  [{}] {} ← {}", family.label(), s.label, s.rule);
            if !s.matched.is_empty() {
                let words: Vec<String> = s.matched.iter().map(|m| format!("「{m}」")).collect();
                let _ = write!(o, "  一致: {}", words.join(""));
            }
            let mark = match (family, s.decisive) {
                (Family::Kind, true) => "  ★決め手（文のいちばん後ろで当たった言い方）",
                (Family::Location, true) => "  ★決め手（上から順に調べて最初に当たった規則）",
                (Family::Related, false) => "",
                (_, false) => "  （使われていません）",
                _ => "",
            };
            let _ = writeln!(o, "{mark}");
        }
    }
    let l = &ex.labels;
    let related = if l.related.is_empty() {
        "（なし）".to_string()
    } else {
        l.related.join("、")
    };
    let _ = writeln!(o, "\n判定:");
    let _ = writeln!(o, "  カテゴリ: {}", l.categories.join("、"));
    let _ = writeln!(o, "  課題/アイデア: {}", l.kind.label());
    let _ = writeln!(
        o,
        "  所在: {} → 連携の場: {}",
        l.location.label(),
        l.location.tier().label()
    );
    let _ = writeln!(o, "  関係職種: {related}");
    o
}
