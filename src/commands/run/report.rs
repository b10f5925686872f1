//! The short summary that ends a run: what was read, remarks read = remarks
//! written, what the ledger did, and what happened in the output folder.

use std::path::Path;

use super::super::check::totals;
use super::period::LeftOut;
use super::place::Placed;
use crate::aggregate::Aggregate;
use crate::folder;
use crate::ledger::apply::Applied;
use crate::model::Batch;
use crate::render::{CLASSIFIED_FILE, FEEDBACK_DIR};

/// What the summary reports.
pub struct Report<'a> {
    pub batch: &'a Batch,
    pub agg: &'a Aggregate,
    pub applied: &'a Applied,
    /// Values newly recorded from the previous 分類一覧.
    pub recorded: usize,
    pub left_out: &'a LeftOut,
    pub out: &'a Path,
    pub placed: &'a Placed,
}

/// Prints the summary: problems to stderr, the rest to stdout.
pub fn print(r: &Report) {
    crate::commands::skipped::print_all(r.batch);
    for w in &r.applied.warnings {
        eprintln!("注意: {w}");
    }
    let t = totals(r.batch);
    println!(
        "ファイル {} 件を見ました: 読んだ {}（うち会議のないもの {}）・読めない {}・重複 {}・対象外 {}・一時ファイル等 {}",
        t.files, t.read, t.no_meeting, t.unreadable, t.duplicates, t.other, t.junk
    );
    println!(
        "会議 {} 件（職種 {}: {}）",
        r.batch.meetings.len(),
        r.agg.professions.len(),
        r.agg.professions.join("、")
    );
    if r.left_out.remarks > 0 {
        println!(
            "期間外（--since / --until）の会議の意見 {} 件は使っていません",
            r.left_out.remarks
        );
    }
    let read = r.batch.remarks.len() + r.left_out.remarks;
    println!(
        "読んだ意見 {} 件 = 書いた意見 {} 件（分類一覧の行数）{}",
        r.batch.remarks.len(),
        r.agg.remarks_total,
        if read == r.batch.remarks.len() {
            String::new()
        } else {
            format!("（期間内のみ。読み込みは {read} 件）")
        }
    );
    if let Some(line) = ledger_line(r.applied, r.recorded) {
        println!("{line}");
    }
    print_folder(r.out, r.placed);
    if t.unreadable > 0 {
        println!("読めなかったファイルが {} 件あります（理由は 分類一覧.xlsx の「取込結果」シートにもあります）", t.unreadable);
    }
}

/// The ledger in one line, or nothing when it is empty.
pub fn ledger_line(a: &Applied, recorded: usize) -> Option<String> {
    let total = a.applied + a.kept + a.invalid;
    if total == 0 && recorded == 0 {
        return None;
    }
    let mut line = format!(
        "修正: 台帳の {total} 件のうち {} 件を反映しました",
        a.applied
    );
    if a.kept > 0 {
        line.push_str(&format!(
            "。今回読んでいない意見の修正 {} 件は台帳に残しています",
            a.kept
        ));
        if a.out_of_period > 0 {
            line.push_str(&format!("（うち期間外 {} 件）", a.out_of_period));
        }
    }
    if a.invalid > 0 {
        line.push_str(&format!(
            "。値に誤りのある修正 {} 件は反映していません（上の注意を見てください）",
            a.invalid
        ));
    }
    if recorded > 0 {
        line.push_str(&format!(
            "。前回の {CLASSIFIED_FILE} から {recorded} 件の入力を新しく記録しました"
        ));
    }
    line.push_str(&format!(
        "。一覧は {CLASSIFIED_FILE} の「修正履歴」シートにあります"
    ));
    Some(line)
}

fn print_folder(out: &Path, placed: &Placed) {
    let w = &placed.written;
    println!("出力フォルダ: {}", out.display());
    for p in [&w.ranking, &w.classified] {
        println!("  {}", p.file_name().unwrap_or_default().to_string_lossy());
    }
    println!(
        "  {FEEDBACK_DIR}{} （{} 職種）",
        std::path::MAIN_SEPARATOR,
        w.feedback.len()
    );
    for (from, to) in &placed.kept_aside {
        println!(
            "  手直しされていた {} は上書きせず {} に移しました",
            folder::shown(from).display(),
            folder::shown(to).display()
        );
    }
    if !placed.left_alone.is_empty() {
        let names: Vec<String> = placed
            .left_alone
            .iter()
            .map(|rel| {
                Path::new(rel)
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        println!(
            "  今回の入力にない職種のフィードバック {} 件（{}）は前回のまま残しています",
            names.len(),
            names.join("、")
        );
    }
    if let Some(e) = &placed.manifest_error {
        eprintln!("注意: 出力の記録を保存できませんでした。{e}次の実行では、今回の出力を念のため「保管」に移してから書きます");
    }
}
