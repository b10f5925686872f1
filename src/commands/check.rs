//! `renkei check`: read every input and report what was found, writing
//! nothing. Staff use it to see how a sheet will be read; tests and scripts
//! use `--json`.

use serde_json::{json, Value};

use super::{load_lexicon, skipped, Status};
use crate::cli::CheckArgs;
use crate::ingest::{self, Options};
use crate::model::{Batch, FileOutcome, Meeting, SheetOutcome, SheetReport};
use crate::os::native_separators;

pub fn execute(args: &CheckArgs) -> Status {
    let lexicon = match load_lexicon(args.rules.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("エラー: {e}");
            return Status::Failed;
        }
    };
    if args.paths.is_empty() {
        eprintln!("エラー: 読むファイルかフォルダを指定してください（例: renkei check 入力）");
        return Status::Failed;
    }
    let batch = match ingest::ingest(&args.paths, &Options::default(), &lexicon, &|| {}) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("エラー: {e}");
            return Status::Failed;
        }
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&batch)).expect("JSON of plain data")
        );
    } else {
        print!("{}", text_report(&batch));
    }
    // Each file that gave no meeting once, on stderr (the text report
    // leaves them out).
    skipped::print_all(&batch);
    status_of(&batch)
}

/// Exit status of a read: 2 when there was nothing to read at all, 1 when a
/// spreadsheet could not be read, else 0. Duplicates and junk don't count.
pub fn status_of(batch: &Batch) -> Status {
    let spreadsheets = batch
        .files
        .iter()
        .filter(|f| !matches!(f.outcome, FileOutcome::Junk | FileOutcome::NotSpreadsheet))
        .count();
    if spreadsheets == 0 {
        eprintln!("エラー: 読める Excel ファイル（.xlsx .xlsm .xls .ods）がありません");
        Status::Failed
    } else if batch.unreadable_count() > 0 {
        Status::Partial
    } else {
        Status::Ok
    }
}

/// Counts for the closing line of `check` and `run`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub read: usize,
    /// Read, but no sheet was a meeting (blank forms, no header, no sheet).
    pub no_meeting: usize,
    pub unreadable: usize,
    pub duplicates: usize,
    pub junk: usize,
    pub other: usize,
    pub meetings: usize,
    pub blank_forms: usize,
    pub skipped_sheets: usize,
    pub remarks: usize,
    pub ignored_rows: usize,
}

pub fn totals(batch: &Batch) -> Totals {
    let mut t = Totals {
        files: batch.files.len(),
        meetings: batch.meetings.len(),
        remarks: batch.remarks.len(),
        no_meeting: skipped::read_without_meeting(batch),
        ..Totals::default()
    };
    for f in &batch.files {
        match f.outcome {
            FileOutcome::Read => t.read += 1,
            FileOutcome::Unreadable(_) => t.unreadable += 1,
            FileOutcome::Duplicate(_) => t.duplicates += 1,
            FileOutcome::Junk => t.junk += 1,
            FileOutcome::NotSpreadsheet => t.other += 1,
        }
        for s in &f.sheets {
            match s.outcome {
                SheetOutcome::BlankForm => t.blank_forms += 1,
                SheetOutcome::Skipped(_) => t.skipped_sheets += 1,
                SheetOutcome::Meeting(_) => {}
            }
            t.ignored_rows += s.ignored.len();
        }
    }
    t
}

impl Totals {
    pub fn line(&self) -> String {
        format!(
            "合計: ファイル {} 件（読んだ {}〔うち会議のないもの {}〕・読めない {}・重複 {}・対象外 {}・一時ファイル等 {}）、会議 {} 件、空の様式 {} 枚、読まないシート {} 枚、意見 {} 件、意見でない行 {} 行",
            self.files, self.read, self.no_meeting, self.unreadable, self.duplicates, self.other, self.junk,
            self.meetings, self.blank_forms, self.skipped_sheets, self.remarks, self.ignored_rows
        )
    }
}

/// A short description of a meeting's title data for one line of a report.
pub fn meeting_line(m: &Meeting) -> String {
    let mut parts = vec![format!(
        "職種: {}（{}）",
        m.profession,
        m.profession_source.label()
    )];
    if let Some(t) = m.tier {
        parts.push(format!("【{}】", t.label()));
    }
    if let Some(r) = m.round {
        parts.push(format!("第{r}回"));
    }
    parts.push(match m.date {
        Some(d) => format!("日付: {}", d.format("%Y-%m-%d")),
        None => "日付: なし".into(),
    });
    parts.join("  ")
}

/// The files that gave a meeting, sheet by sheet, and the totals. The
/// others (and junk) are left out: [`skipped::print_all`] names them on
/// stderr, once.
fn text_report(batch: &Batch) -> String {
    let mut out = String::new();
    for f in &batch.files {
        if matches!(f.outcome, FileOutcome::Junk) || skipped::no_meeting(f).is_some() {
            continue;
        }
        out.push_str(&format!("{}\n", native_separators(&f.path)));
        for s in &f.sheets {
            out.push_str(&sheet_lines(batch, s));
        }
    }
    out.push_str(&totals(batch).line());
    out.push('\n');
    out
}

fn sheet_lines(batch: &Batch, s: &SheetReport) -> String {
    let mut out = String::new();
    match &s.outcome {
        SheetOutcome::Meeting(i) => {
            let m = &batch.meetings[*i];
            out.push_str(&format!(
                "  シート「{}」: {}  {}  意見 {} 件\n",
                s.name,
                m.layout.label(),
                meeting_line(m),
                s.remarks
            ));
        }
        SheetOutcome::BlankForm => out.push_str(&format!(
            "  シート「{}」: 空の様式（意見も会議の情報もありません）\n",
            s.name
        )),
        SheetOutcome::Skipped(reason) => {
            out.push_str(&format!("  シート「{}」: 読みません — {reason}\n", s.name))
        }
    }
    // Empty bullets and number-only rows are many and say little: one line each kind.
    let (plain, told): (Vec<_>, Vec<_>) = s.ignored.iter().partition(|ig| ig.kind.is_filler());
    let mut reasons: Vec<&str> = plain.iter().map(|ig| ig.reason.as_str()).collect();
    reasons.dedup();
    reasons.sort_unstable();
    reasons.dedup();
    for reason in reasons {
        let rows: Vec<String> = plain
            .iter()
            .filter(|ig| ig.reason == reason)
            .map(|ig| ig.row.to_string())
            .collect();
        let mut rows_dedup = rows.clone();
        rows_dedup.dedup();
        out.push_str(&format!(
            "    意見として数えない行 {} 件: {reason}（{} 行目）\n",
            rows.len(),
            compress_rows(&rows_dedup)
        ));
    }
    for ig in told {
        out.push_str(&format!(
            "    {} 行目は意見として数えません: {}「{}」\n",
            ig.row, ig.reason, ig.text
        ));
    }
    for w in &s.warnings {
        out.push_str(&format!("    注意: {w}\n"));
    }
    out
}

fn to_json(batch: &Batch) -> Value {
    let files: Vec<Value> = batch
        .files
        .iter()
        .map(|f| {
            let (outcome, reason) = match &f.outcome {
                FileOutcome::Read => ("read", None),
                FileOutcome::Junk => ("junk", None),
                FileOutcome::NotSpreadsheet => ("not_spreadsheet", None),
                FileOutcome::Duplicate(first) => ("duplicate", Some(first.clone())),
                FileOutcome::Unreadable(r) => ("unreadable", Some(r.clone())),
            };
            let sheets: Vec<Value> = f.sheets.iter().map(|s| sheet_json(batch, s)).collect();
            json!({ "path": f.path, "outcome": outcome, "reason": reason, "sheets": sheets })
        })
        .collect();
    let t = totals(batch);
    json!({
        "files": files,
        "totals": {
            "files": t.files, "read": t.read, "no_meeting": t.no_meeting, "unreadable": t.unreadable, "duplicates": t.duplicates,
            "junk": t.junk, "other": t.other, "meetings": t.meetings, "blank_forms": t.blank_forms,
            "skipped_sheets": t.skipped_sheets, "remarks": t.remarks, "ignored_rows": t.ignored_rows,
        }
    })
}

fn sheet_json(batch: &Batch, s: &SheetReport) -> Value {
    let (outcome, reason) = match &s.outcome {
        SheetOutcome::Meeting(_) => ("meeting", None),
        SheetOutcome::BlankForm => ("blank_form", None),
        SheetOutcome::Skipped(r) => ("skipped", Some(r.clone())),
    };
    let mut v = json!({
        "name": s.name,
        "outcome": outcome,
        "reason": reason,
        "layout": s.layout.map(|l| match l { crate::model::Layout::List => "list", crate::model::Layout::Classified => "classified" }),
        "ignored": s.ignored.iter().map(|i| json!({"row": i.row, "text": i.text, "reason": i.reason})).collect::<Vec<_>>(),
        "warnings": s.warnings,
    });
    if let SheetOutcome::Meeting(i) = s.outcome {
        let m = &batch.meetings[i];
        let remarks: Vec<Value> = batch
            .remarks
            .iter()
            .filter(|r| r.meeting == i)
            .map(|r| {
                json!({
                    "id": r.id,
                    "original": r.original,
                    "normalized": r.normalized,
                    "source": r.source.cell(),
                    "speaker": r.speaker,
                    "row_profession": r.row_profession,
                    "note": r.note,
                    "orphan_relisting": r.orphan_relisting,
                    "given_categories": r.given_categories,
                    "given_kind": r.given_kind.map(|k| k.label()),
                    "extra": r.extra,
                })
            })
            .collect();
        let obj = v.as_object_mut().expect("object");
        obj.insert("profession".into(), json!(m.profession));
        obj.insert(
            "profession_source".into(),
            json!(format!("{:?}", m.profession_source)),
        );
        obj.insert("title".into(), json!(m.title));
        obj.insert("tier".into(), json!(m.tier.map(|t| t.label())));
        obj.insert("round".into(), json!(m.round));
        obj.insert(
            "date".into(),
            json!(m.date.map(|d| d.format("%Y-%m-%d").to_string())),
        );
        obj.insert("listed_categories".into(), json!(m.listed_categories));
        obj.insert("remarks".into(), json!(remarks));
    }
    v
}

/// `6,7,8,10` → `6〜8, 10`.
fn compress_rows(rows: &[String]) -> String {
    let nums: Vec<u32> = rows.iter().filter_map(|r| r.parse().ok()).collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < nums.len() {
        let mut j = i;
        while j + 1 < nums.len() && nums[j + 1] == nums[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}〜{}", nums[i], nums[j])
        } else {
            nums[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}
