//! What was read: `会議一覧` (every meeting sheet and what was taken from its
//! title block, in date order) and `取込結果` (every file and sheet seen, with
//! what became of it and why), ending with the conservation line staff can
//! check: remarks read = rows of `一覧`. Long paths and reasons wrap, so
//! both print at 9 pt on A4 landscape.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::measure::{self, Widths};
use super::print::{self, MIN_POINTS};
use super::style::{self, write_header, write_record, Cell, Styles};
use super::{order, Context};
use crate::model::{FileOutcome, FileReport, SheetOutcome, SheetReport};

const MEETING_HEADERS: [&str; 10] = [
    "ファイル",
    "シート",
    "職種",
    "職種の読み取り元",
    "回",
    "日付",
    "連携の印",
    "表題",
    "様式",
    "意見数",
];

/// `会議一覧`: one row per meeting, in date order.
pub(crate) fn meetings(ws: &mut Worksheet, st: &Styles, ctx: &Context) -> Result<(), XlsxError> {
    let mut widths = Widths::new(&MEETING_HEADERS, &[28, 14, 12, 19, 5, 11, 11, 28, 12, 9]);
    widths.feed(5, "2000/00/00");
    for m in &ctx.batch.meetings {
        widths.feed(0, &m.file);
        widths.feed(1, &m.sheet);
        widths.feed(2, &m.profession);
        widths.feed(3, m.profession_source.label());
        widths.feed(7, m.title.as_deref().unwrap_or_default());
        widths.feed(8, m.layout.label());
    }
    widths.apply(ws)?;
    write_header(ws, st, 0, &MEETING_HEADERS)?;
    let mut row = 1;
    let all = (0..ctx.batch.meetings.len()).collect();
    for i in order::meetings_by_date(ctx.batch, all) {
        let m = &ctx.batch.meetings[i];
        let date = m.date.and_then(style::excel_date);
        let remarks = ctx.agg.by_meeting.get(i).map_or(0, |r| r.remark_count);
        let cells = [
            Cell::Text(&m.file),
            Cell::Text(&m.sheet),
            Cell::Text(&m.profession),
            Cell::Text(m.profession_source.label()),
            m.round.map_or(Cell::Blank, |r| Cell::Number(r as f64)),
            date.as_ref().map_or(Cell::Blank, Cell::Date),
            Cell::Text(m.tier.map_or("", |t| t.label())),
            Cell::Text(m.title.as_deref().unwrap_or_default()),
            Cell::Text(m.layout.label()),
            Cell::Number(remarks as f64),
        ];
        widths.fit_row(ws, row, &cells)?;
        row += write_record(ws, st, row, &cells, Some(0))?;
    }
    ws.autofilter(0, 0, row - 1, MEETING_HEADERS.len() as u16 - 1)?;
    print::table(
        ws,
        widths.points(0..MEETING_HEADERS.len()),
        MIN_POINTS,
        Some(0),
    )?;
    Ok(())
}

const FILE_HEADERS: [&str; 8] = [
    "ファイル",
    "シート",
    "結果",
    "様式",
    "意見数",
    "意見でない行",
    "注意",
    "理由",
];

/// One row of `取込結果`.
struct IntakeRow<'a> {
    file: &'a str,
    sheet: &'a str,
    result: &'static str,
    layout: &'static str,
    remarks: Option<usize>,
    ignored: String,
    warnings: String,
    reason: String,
}

fn sheet_row<'a>(file: &'a FileReport, sheet: &'a SheetReport) -> IntakeRow<'a> {
    let (result, reason) = match &sheet.outcome {
        SheetOutcome::Meeting(_) => ("読んだ", String::new()),
        SheetOutcome::BlankForm => (
            "空の様式",
            "見出しはありますが、意見が書かれていません".into(),
        ),
        SheetOutcome::Skipped(reason) => ("読まない", reason.clone()),
    };
    IntakeRow {
        file: &file.path,
        sheet: &sheet.name,
        result,
        layout: sheet.layout.map_or("", |l| l.label()),
        remarks: Some(sheet.remarks),
        ignored: sheet
            .ignored
            .iter()
            .map(|ig| format!("{}行目: {}", ig.row, ig.reason))
            .collect::<Vec<_>>()
            .join("\n"),
        warnings: sheet.warnings.join("\n"),
        reason,
    }
}

fn file_row(file: &FileReport) -> IntakeRow<'_> {
    let (result, reason) = match &file.outcome {
        FileOutcome::Read => ("シートなし", "読めるシートがありませんでした".to_string()),
        FileOutcome::Junk => (
            "一時ファイル等",
            "Excel の一時ファイルや隠しファイルなので読みません".to_string(),
        ),
        FileOutcome::Duplicate(first) => ("重複", format!("{first} と同じ内容なので読みません")),
        FileOutcome::NotSpreadsheet => (
            "対象外",
            "表計算のファイルではないので読みません".to_string(),
        ),
        FileOutcome::Unreadable(reason) => ("読めない", reason.clone()),
    };
    IntakeRow {
        file: &file.path,
        sheet: "",
        result,
        layout: "",
        remarks: None,
        ignored: String::new(),
        warnings: String::new(),
        reason,
    }
}

/// `取込結果`: a row per sheet of each file read, a row per other file; then
/// the totals line.
pub(crate) fn files(ws: &mut Worksheet, st: &Styles, ctx: &Context) -> Result<(), XlsxError> {
    let rows: Vec<IntakeRow> = ctx
        .batch
        .files
        .iter()
        .flat_map(|f| {
            let sheets: Vec<IntakeRow> = match f.outcome {
                FileOutcome::Read if !f.sheets.is_empty() => {
                    f.sheets.iter().map(|s| sheet_row(f, s)).collect()
                }
                _ => vec![file_row(f)],
            };
            sheets
        })
        .collect();

    let mut widths = Widths::new(&FILE_HEADERS, &[28, 14, 10, 12, 9, 24, 28, 28]);
    for r in &rows {
        for (col, text) in [
            (0, r.file),
            (1, r.sheet),
            (2, r.result),
            (3, r.layout),
            (5, &r.ignored),
            (6, &r.warnings),
            (7, &r.reason),
        ] {
            widths.feed(col, text);
        }
    }
    widths.apply(ws)?;
    write_header(ws, st, 0, &FILE_HEADERS)?;
    let mut row = 1;
    for r in &rows {
        let cells = [
            Cell::Text(r.file),
            Cell::Text(r.sheet),
            Cell::Text(r.result),
            Cell::Text(r.layout),
            r.remarks.map_or(Cell::Blank, |n| Cell::Number(n as f64)),
            Cell::Text(&r.ignored),
            Cell::Text(&r.warnings),
            Cell::Text(&r.reason),
        ];
        widths.fit_row(ws, row, &cells)?;
        row += write_record(ws, st, row, &cells, Some(0))?;
    }
    ws.autofilter(0, 0, row - 1, FILE_HEADERS.len() as u16 - 1)?;

    // Conservation, for staff to see: what the sheets gave = rows of 一覧.
    let read: usize = ctx
        .batch
        .files
        .iter()
        .flat_map(|f| &f.sheets)
        .filter(|s| matches!(s.outcome, SheetOutcome::Meeting(_)))
        .map(|s| s.remarks)
        .sum();
    let written = ctx.batch.remarks.len();
    let line = if read == written {
        format!("読んだ意見 {read} 件 = 一覧の行 {written} 行")
    } else {
        format!("読んだ意見 {read} 件 ≠ 一覧の行 {written} 行（数が合いません。担当者に知らせてください）")
    };
    // The line wraps over A:D, beside the count in 意見数.
    let total_row = row + 1;
    measure::set_row_lines(
        ws,
        total_row,
        measure::wrapped_lines(&line, widths.sum(0..4)),
    )?;
    ws.merge_range(total_row, 0, total_row, 3, &line, &st.total_text)?;
    ws.write_number_with_format(total_row, 4, read as f64, &st.total_number)?;
    print::table(
        ws,
        widths.points(0..FILE_HEADERS.len()),
        MIN_POINTS,
        Some(0),
    )?;
    Ok(())
}
