//! One worksheet → a meeting (title block + remarks), a blank form, or a
//! skipped sheet with its reason.

use super::grid::Grid;
use super::header::find_header;
use super::rows::{read_rows, Rows};
use super::title::{read_title, TitleBlock};
use crate::model::{Ignored, Layout, Meeting, ProfessionSource, Remark, SheetOutcome, SheetReport};
use crate::normalize;
use crate::rules::lexicon::Lexicon;

/// What one sheet gave. The meeting's `index` and the remarks' `meeting` and
/// `id` are placeholders until the batch is assembled.
pub struct SheetRead {
    pub report: SheetReport,
    pub meeting: Option<Meeting>,
    pub remarks: Vec<Remark>,
}

/// Label for a profession nobody could name.
pub const UNKNOWN_PROFESSION: &str = "職種不明";

pub fn skipped(name: &str, reason: String) -> SheetRead {
    SheetRead {
        report: SheetReport {
            name: name.to_string(),
            outcome: SheetOutcome::Skipped(reason),
            layout: None,
            remarks: 0,
            ignored: Vec::new(),
            warnings: Vec::new(),
        },
        meeting: None,
        remarks: Vec::new(),
    }
}

/// Reads one sheet's grid. `file` is the display path, `file_stem` the file
/// name without extension (a profession source of last resort).
pub fn read_sheet(
    grid: &Grid,
    file: &str,
    file_stem: &str,
    sheet: &str,
    lexicon: &Lexicon,
) -> SheetRead {
    if grid.is_empty() {
        return skipped(sheet, "空のシートです".into());
    }
    let Some(header) = find_header(grid) else {
        return skipped(
            sheet,
            "最初の30行に見出し行（No・職種・発言者・意見・備考、または 順位・カテゴリ・課題/アイデア・意見）がないので、会議のシートではないと判断しました".into(),
        );
    };
    let title = read_title(grid, header.row);
    let rows = read_rows(grid, &header, file, sheet);
    let mut warnings: Vec<String> = grid
        .issues
        .iter()
        .map(|(r, c, issue)| issue.message(*r, *c))
        .collect();
    warnings.extend(rows.warnings.iter().cloned());
    let ignored: Vec<Ignored> = rows.ignored.clone();

    if rows.remarks.is_empty() && !title.has_meeting_data() {
        return SheetRead {
            report: SheetReport {
                name: sheet.to_string(),
                outcome: SheetOutcome::BlankForm,
                layout: Some(header.layout),
                remarks: 0,
                ignored,
                warnings,
            },
            meeting: None,
            remarks: Vec::new(),
        };
    }

    let (profession, source) = decide_profession(&title, &rows, sheet, file_stem, lexicon);
    match source {
        ProfessionSource::Unrecognized => warnings.push(format!(
            "職種「{profession}」は職種の辞書（professions.toml）にありません。書いてあるとおりに使います"
        )),
        ProfessionSource::Missing => warnings.push(format!(
            "会議の職種がわかりません（職種名の欄・表題・職種列・シート名・ファイル名のどれにもありません）。「{UNKNOWN_PROFESSION}」として扱います"
        )),
        _ => {}
    }
    if let Some(text) = &title.unreadable_date {
        warnings.push(format!(
            "日付「{text}」を読めませんでした。日付は空欄にします"
        ));
    } else if title.date.is_none() {
        warnings.push("会議の日付が見つかりません。日付は空欄にします".into());
    }
    if rows.remarks.is_empty() {
        warnings.push("意見が1件もありません".into());
    }
    let meeting = Meeting {
        index: 0,
        file: file.to_string(),
        sheet: sheet.to_string(),
        layout: header.layout,
        profession,
        profession_source: source,
        title: title.title.clone(),
        tier: title.tier,
        round: title.round,
        date: title.date,
        listed_categories: if header.layout == Layout::Classified {
            rows.categories.clone()
        } else {
            Vec::new()
        },
    };
    SheetRead {
        report: SheetReport {
            name: sheet.to_string(),
            outcome: SheetOutcome::Meeting(0),
            layout: Some(header.layout),
            remarks: rows.remarks.len(),
            ignored,
            warnings,
        },
        meeting: Some(meeting),
        remarks: rows.remarks,
    }
}

/// SPEC §1: the first source that names a profession of the lexicon wins;
/// failing that, the first non-generic value as written.
fn decide_profession(
    title: &TitleBlock,
    rows: &Rows,
    sheet: &str,
    file_stem: &str,
    lexicon: &Lexicon,
) -> (String, ProfessionSource) {
    let column = most_common(&rows.row_professions);
    let title_lines = title.title.iter().chain(title.lines.iter());
    let candidates: Vec<(ProfessionSource, &str)> = title
        .profession_label
        .iter()
        .map(|s| (ProfessionSource::TitleCell, s.as_str()))
        .chain(title_lines.map(|s| (ProfessionSource::Title, s.as_str())))
        .chain(
            column
                .iter()
                .map(|s| (ProfessionSource::Column, s.as_str())),
        )
        .chain([
            (ProfessionSource::SheetName, sheet),
            (ProfessionSource::FileName, file_stem),
        ])
        .collect();
    for (source, text) in &candidates {
        if let Some(name) = lexicon.find_profession(text) {
            return (name.to_string(), *source);
        }
    }
    let raw = title
        .profession_label
        .iter()
        .chain(column.iter())
        .map(String::as_str)
        .chain(std::iter::once(sheet))
        .map(|s| normalize::normalize(s).text)
        .find(|s| !is_generic_name(s));
    match raw {
        Some(name) => (name, ProfessionSource::Unrecognized),
        None => (UNKNOWN_PROFESSION.to_string(), ProfessionSource::Missing),
    }
}

fn most_common(values: &[String]) -> Option<String> {
    let mut counts: Vec<(&String, usize)> = Vec::new();
    for v in values
        .iter()
        .filter(|v| !normalize::is_placeholder(&normalize::normalize(v).text))
    {
        match counts.iter_mut().find(|(x, _)| *x == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    // Ties go to the first seen: max_by_key returns the last maximum.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(v, _)| v.clone())
}

/// Names that say nothing about a profession: default sheet names, form labels.
fn is_generic_name(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() || normalize::is_placeholder(s) {
        return true;
    }
    let lower = s.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit()).trim();
    matches!(
        stem,
        "sheet"
            | "シート"
            | "sheet "
            | "一覧"
            | "記入例"
            | "様式"
            | "例①"
            | "例②"
            | "例1"
            | "例2"
            | "入力"
            | "集計"
            | "原本"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_common_prefers_first_on_tie() {
        let v: Vec<String> = ["薬剤師", "医師", "医師", "薬剤師", "〇〇"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(most_common(&v).as_deref(), Some("薬剤師"));
    }

    #[test]
    fn generic_names() {
        for s in ["Sheet1", "シート2", "一覧", "記入例", "〇〇"] {
            assert!(is_generic_name(s), "{s}");
        }
        for s in ["鍼灸師", "民生委員"] {
            assert!(!is_generic_name(s), "{s}");
        }
    }
}
