//! `renkei explain TEXT [--profession NAME] [--note 備考] [--rules DIR] [--out DIR]`:
//! shows how one remark is normalized and classified: every rule that fired
//! and the words it matched, what the learned model says (probabilities, the
//! character sequences that weighed most, the nearest labeled remarks), and
//! where each final label came from, so staff can see why and fix a rule
//! file or correct a label. With `--out`, that output folder's corrections
//! ledger is used as `run` would use it.

use std::fmt::Write as _;

use super::rules::print_stdout;
use super::Status;
use crate::aggregate::OTHER_CATEGORY;
use crate::classify::{explain, Explanation, Family, Input};
use crate::cli::ExplainArgs;
use crate::learn::{self, combine::Classifier};
use crate::ledger::Ledger;
use crate::model::{Labels, Source, Sources};
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
    // The model as `run` has it: the shipped model trained further on the
    // rule folder's TSVs and, with --out, the ledger's corrections.
    let weight = rules.model_settings().office_weight as f32;
    let mut examples = Vec::new();
    if let Some(dir) = &args.rules {
        match learn::examples::from_rules_dir(dir, weight) {
            Ok(e) => examples.extend(e),
            Err(e) => {
                eprintln!("{e}");
                return Status::Failed;
            }
        }
    }
    let ledger = match args.out.as_deref().map(Ledger::open).transpose() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return Status::Failed;
        }
    };
    let mut vocabulary: Vec<String> = rules.categories().iter().map(|c| c.name.clone()).collect();
    vocabulary.push(OTHER_CATEGORY.to_string());
    if let Some(l) = &ledger {
        examples.extend(learn::examples::from_ledger(l, &vocabulary, weight));
    }
    let classifier = Classifier::for_run(&rules, &examples);
    // The labeled remarks whose nearest are shown: shipped and the office's.
    examples.extend(learn::examples::shipped());
    let (mut labels, mut sources) = classifier.classify(&input);
    let correction = ledger
        .as_ref()
        .and_then(|l| correction_for(l, &input, &vocabulary, &mut labels, &mut sources));
    let mut out = render(&input, &explain(&rules, &input));
    out.push_str(&render_model(&classifier, &input, &examples));
    out.push_str(&render_sources(
        &rules,
        &labels,
        &sources,
        correction.as_deref(),
    ));
    print_stdout(&out)
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
    let _ = writeln!(o, "\nルールの判定（効いたルール）:");
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
    o
}

/// The ledger's correction of the same words from the same profession
/// (the newest), applied to `labels` as `run` would; its description.
fn correction_for(
    ledger: &Ledger,
    input: &Input<'_>,
    vocabulary: &[String],
    labels: &mut Labels,
    sources: &mut Sources,
) -> Option<String> {
    let key = crate::normalize::match_key(input.text);
    let entry = ledger
        .entries()
        .iter()
        .filter(|e| e.key.profession == input.profession && e.key.match_key == key)
        .filter(|e| !e.correction().is_empty())
        .max_by(|a, b| a.last_changed().cmp(b.last_changed()))?;
    let checked = crate::ledger::apply::check(
        &entry.correction(),
        &crate::ledger::apply::Vocabulary {
            categories: vocabulary,
        },
    );
    checked.apply_to(labels, Some(sources), Source::Correction);
    Some(format!(
        "{}（ID {}、{} に記録）",
        entry.meeting,
        entry.id,
        entry.last_changed()
    ))
}

/// What the model says about the remark.
fn render_model(c: &Classifier, input: &Input<'_>, examples: &[learn::Example]) -> String {
    let mut o = String::new();
    let (Some(model), Some(p)) = (c.model(), c.predict(input)) else {
        let _ = writeln!(
            o,
            "\n学習モデル: 使っていません（settings.toml の [model] で止めています）"
        );
        return o;
    };
    let _ = writeln!(o, "\n学習モデル（ラベル付きの意見から学んだ分類）:");
    let mut cats: Vec<(String, f32)> = p.categories().map(|(c, q)| (c.to_string(), q)).collect();
    cats.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<String> = cats
        .iter()
        .take(5)
        .map(|(c, q)| format!("{c} {q:.2}"))
        .collect();
    let _ = writeln!(o, "  カテゴリの確率（上位）: {}", top.join("、"));
    if let Some((k, q)) = p.best_kind() {
        let _ = writeln!(o, "  課題/アイデア: {} {q:.2}", k.label());
    }
    if let Some(l) = p.location {
        let _ = writeln!(
            o,
            "  所在: 職種内 {:.2}・職種間 {:.2}・地域全体 {:.2}",
            l[0], l[1], l[2]
        );
    }
    let mut shown: Vec<String> = cats.iter().take(2).map(|(c, _)| c.clone()).collect();
    if let Some((k, _)) = p.best_kind() {
        shown.push(k.label().to_string());
    }
    if let Some((l, _)) = p.best_location() {
        shown.push(l.label().to_string());
    }
    for label in shown {
        let strongest = model.strongest(input.text, input.profession, &label, 5);
        if strongest.is_empty() {
            continue;
        }
        let words: Vec<String> = strongest
            .iter()
            .map(|(n, w)| format!("「{n}」+{w:.2}"))
            .collect();
        let _ = writeln!(o, "  「{label}」に効いた文字の並び: {}", words.join(" "));
    }
    let _ = writeln!(o, "  いちばん近いラベル付きの意見:");
    for (m, sim) in model.nearest(input.text, input.profession, examples, 3) {
        let mut labels = Vec::new();
        if let Some(c) = &m.categories {
            labels.push(c.join("、"));
        }
        if let Some(k) = m.kind {
            labels.push(k.label().to_string());
        }
        if let Some(l) = m.location {
            labels.push(l.label().to_string());
        }
        let _ = writeln!(
            o,
            "    {sim:.2} [{}] {} → {}（{}）",
            m.profession,
            m.text,
            labels.join("／"),
            m.origin.describe()
        );
    }
    o
}

/// The final labels and where each came from.
fn render_sources(rules: &Rules, l: &Labels, s: &Sources, correction: Option<&str>) -> String {
    let one = |src: Source| match src {
        Source::Rule(id) => format!("ルール「{}」", rules.rule_name(id)),
        Source::Model(p) => format!("学習モデル（確率 {p:.2}）"),
        Source::Sheet => "例②のシートで人が付けた分類".to_string(),
        Source::Correction => format!("修正の台帳: {}", correction.unwrap_or("")),
        Source::SameWording => "同じ文の別の会議での修正".to_string(),
        Source::Default => "どれにも当たらないときの既定".to_string(),
    };
    let mut o = String::new();
    let _ = writeln!(o, "\n判定とその根拠:");
    for (c, &src) in l.categories.iter().zip(&s.categories) {
        let _ = writeln!(o, "  カテゴリ: {c} ← {}", one(src));
    }
    let _ = writeln!(o, "  課題/アイデア: {} ← {}", l.kind.label(), one(s.kind));
    let _ = writeln!(
        o,
        "  所在: {} → 連携の場: {} ← {}",
        l.location.label(),
        l.location.tier().label(),
        one(s.location)
    );
    if l.related.is_empty() {
        let _ = writeln!(o, "  関係職種: （なし）");
    }
    for r in &l.related {
        let source = match s.added_parties.iter().find(|(n, _)| n == r) {
            Some((_, p)) => format!("学習モデル（確率 {p:.2}）"),
            None => "職種の辞書（professions.toml）と備考".to_string(),
        };
        let _ = writeln!(o, "  関係職種: {r} ← {source}");
    }
    for (r, p) in &s.dropped_parties {
        let _ = writeln!(
            o,
            "  関係職種から外した: {r} ← 学習モデル（話した職種のほかの会員のことと読む確率 {p:.2}）"
        );
    }
    o
}
