//! Files that gave no meeting, one stderr line each, in one form
//! (`読めないファイル: path — reason`), so staff watching the console learn
//! of every file that gave nothing, not only the unreadable ones. Junk
//! (lock files, Thumbs.db …) stays silent (SPEC §1).

use crate::model::{Batch, FileOutcome, FileReport, SheetOutcome};

/// Why a file gave no meeting; `None` when it gave one, or is junk.
pub fn no_meeting(f: &FileReport) -> Option<(&'static str, String)> {
    match &f.outcome {
        FileOutcome::Junk => None,
        FileOutcome::Unreadable(reason) => Some(("読めないファイル", reason.clone())),
        FileOutcome::NotSpreadsheet => Some((
            "対象外のファイル",
            "Excel のファイル（.xlsx .xlsm .xls .ods）ではないので読みません".into(),
        )),
        FileOutcome::Duplicate(first) => Some((
            "重複したファイル",
            format!(
                "「{}」と中身が同じなので読みません",
                crate::os::native_separators(first)
            ),
        )),
        FileOutcome::Read => {
            if f.sheets
                .iter()
                .any(|s| matches!(s.outcome, SheetOutcome::Meeting(_)))
            {
                return None;
            }
            let reason = if f.sheets.is_empty() {
                "シートが1枚もありません".to_string()
            } else {
                f.sheets
                    .iter()
                    .map(|s| {
                        let why = match &s.outcome {
                            SheetOutcome::Skipped(r) => r.as_str(),
                            _ => "空の様式です（意見も会議の情報もありません）",
                        };
                        format!("シート「{}」: {why}", s.name)
                    })
                    .collect::<Vec<_>>()
                    .join("／")
            };
            Some(("会議のないファイル", reason))
        }
    }
}

/// The stderr line for a file that gave no meeting.
pub fn line(f: &FileReport) -> Option<String> {
    no_meeting(f).map(|(label, reason)| {
        format!(
            "{label}: {} — {reason}",
            crate::os::native_separators(&f.path)
        )
    })
}

/// Prints [`line`] for every file of the batch that gave no meeting.
pub fn print_all(batch: &Batch) {
    for f in &batch.files {
        if let Some(l) = line(f) {
            eprintln!("{l}");
        }
    }
}

/// Read files that gave no meeting (blank forms, no header, no sheet).
pub fn read_without_meeting(batch: &Batch) -> usize {
    batch
        .files
        .iter()
        .filter(|f| matches!(f.outcome, FileOutcome::Read) && no_meeting(f).is_some())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SheetReport;

    fn sheet(name: &str, outcome: SheetOutcome) -> SheetReport {
        SheetReport {
            name: name.into(),
            outcome,
            layout: None,
            remarks: 0,
            ignored: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn file(outcome: FileOutcome, sheets: Vec<SheetReport>) -> FileReport {
        FileReport {
            path: "a/b.xlsx".into(),
            outcome,
            sheets,
        }
    }

    #[test]
    fn every_kind_of_file_without_a_meeting_has_a_line() {
        let lines = [
            file(FileOutcome::Unreadable("壊れています".into()), vec![]),
            file(FileOutcome::NotSpreadsheet, vec![]),
            file(FileOutcome::Duplicate("x.xlsx".into()), vec![]),
            file(FileOutcome::Read, vec![]),
            file(
                FileOutcome::Read,
                vec![
                    sheet("記入方法", SheetOutcome::Skipped("見出しがない".into())),
                    sheet("様式", SheetOutcome::BlankForm),
                ],
            ),
        ]
        .iter()
        .map(|f| line(f).unwrap())
        .collect::<Vec<_>>();
        // The path as this system writes it (`a\b.xlsx` on Windows).
        let path = crate::os::native_separators("a/b.xlsx");
        assert_eq!(lines[0], format!("読めないファイル: {path} — 壊れています"));
        assert!(lines[1].starts_with(&format!("対象外のファイル: {path} — ")));
        assert!(lines[2].contains("「x.xlsx」と中身が同じ"));
        assert_eq!(
            lines[3],
            format!("会議のないファイル: {path} — シートが1枚もありません")
        );
        assert!(lines[4].contains("シート「記入方法」: 見出しがない／シート「様式」: 空の様式"));
    }

    #[test]
    fn files_with_a_meeting_and_junk_are_silent() {
        let meeting = file(
            FileOutcome::Read,
            vec![
                sheet("a", SheetOutcome::BlankForm),
                sheet("b", SheetOutcome::Meeting(0)),
            ],
        );
        assert_eq!(line(&meeting), None);
        assert_eq!(line(&file(FileOutcome::Junk, vec![])), None);
    }
}
