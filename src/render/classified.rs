//! `分類一覧.xlsx`: every remark with its labels, one row each, where staff
//! correct the classification; the same rows split by 所在; the category ×
//! profession table; the remark × category matrix; the 二次連携 candidates;
//! and what was read (`会議一覧`, `取込結果`).
//!
//! Sheets, in order: `一覧`, `職種内`, `職種間`, `地域全体`, `集計`,
//! `カテゴリ行列`, `二次連携候補`, `会議一覧`, `取込結果`, `修正履歴` (the
//! corrections ledger whole), `選択肢` (the dropdown values of the 修正
//! columns). Columns staff added to `一覧` follow its own 18.
//!
//! The remark sheets are the big ones (a prefecture's archive has 60,000
//! remarks), so they are written in constant-memory mode, row by row, with
//! the column widths measured first, and filled on worker threads while the
//! small sheets are written. They list remarks in meeting date order.
//!
//! On paper, `一覧` shows the columns people read (ID to 関係職種, with
//! 発言者, 意見(正規化) and 連携の場 folded away behind outline buttons);
//! the rest stays on screen, right of the print area. A print area must be
//! one block to print on one page width in Excel and LibreOffice (several
//! areas print on separate pages), and hiding is the only way either
//! program leaves a column inside it off the paper; a folded outline
//! group shows a "+" to bring the columns back. `カテゴリ行列` is for
//! analysis, not paper: it prints a single note saying so.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;

use rust_xlsxwriter::{
    worksheet_range_absolute, DataValidation, DataValidationErrorStyle, ExcelDateTime, Formula,
    Workbook, Worksheet, XlsxError,
};

use super::measure::{self, RowHeights, Widths};
use super::print::{self, MIN_POINTS};
use super::style::{self, write_header, write_record, Cell, Styles};
use super::{history, intake, order, summary, Context};
use crate::aggregate::OTHER_CATEGORY;
use crate::model::{Kind, Labels, Location, Source, Sources};
use crate::rules::Rules;

/// The columns of `一覧`, exactly (SPEC §5).
pub const HEADERS: [&str; 18] = [
    "ID",
    "会議",
    "日付",
    "職種",
    "発言者",
    "意見(原文)",
    "意見(正規化)",
    "カテゴリ",
    "課題/アイデア",
    "所在",
    "連携の場",
    "関係職種",
    "重複グループ",
    "再掲",
    "出典",
    "カテゴリ(修正)",
    "課題/アイデア(修正)",
    "所在(修正)",
];

/// After the 18: where each label came from (a rule, the model, a 例②
/// sheet, a correction), so staff can see what to trust and what to fix.
pub const BASIS_HEADER: &str = "分類の根拠";

/// Every column renkei writes in `一覧`: the 18, then [`BASIS_HEADER`].
pub const COLUMNS: [&str; 19] = [
    HEADERS[0],
    HEADERS[1],
    HEADERS[2],
    HEADERS[3],
    HEADERS[4],
    HEADERS[5],
    HEADERS[6],
    HEADERS[7],
    HEADERS[8],
    HEADERS[9],
    HEADERS[10],
    HEADERS[11],
    HEADERS[12],
    HEADERS[13],
    HEADERS[14],
    HEADERS[15],
    HEADERS[16],
    HEADERS[17],
    BASIS_HEADER,
];

/// Width caps of the `一覧` columns. The printed ones (see [`PRINTED`]) sum
/// to about 150 characters: 9 pt on A4 landscape.
const CAPS: [usize; 19] = [
    13, 16, 11, 12, 14, 40, 50, 18, 16, 9, 11, 18, 16, 20, 40, 22, 22, 13, 60,
];

/// The last column of `一覧` that prints (関係職種): ID to here.
const PRINTED: u16 = 11;
/// Columns inside the print area left off the paper, folded on screen:
/// 発言者, 意見(正規化), 連携の場.
const FOLDED: [u16; 3] = [4, 6, 10];

/// `職種内` / `職種間` / `地域全体` show a compact subset of the `一覧`
/// columns (their 所在 is the sheet's; the ID leads back to `一覧`): ID, 会議,
/// 職種, 意見(原文), カテゴリ, 課題/アイデア, 関係職種.
const LOCATION_COLUMNS: [usize; 7] = [0, 1, 3, 5, 7, 8, 11];

/// All the `一覧` columns.
const ALL_COLUMNS: [usize; 19] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
];

const COL_ID: usize = 0;
const COL_PROFESSION: usize = 3;
const COL_NORMALIZED: usize = 6;
const COL_FIX_CATEGORY: u16 = 15;
const COL_FIX_KIND: u16 = 16;
const COL_FIX_LOCATION: u16 = 17;

/// The sheet holding the dropdown values.
const CHOICES_SHEET: &str = "選択肢";

/// The texts of one remark's row that are not plain borrows of the batch.
struct RowTexts<'a> {
    categories: Cow<'a, str>,
    related: Cow<'a, str>,
    group: Cow<'a, str>,
    relisted: Cow<'a, str>,
    source: String,
    basis: String,
}

/// Everything the remark sheets show, computed once and shared by the threads.
struct RemarkTable<'a> {
    ctx: &'a Context<'a>,
    meeting_names: Vec<String>,
    meeting_dates: Vec<Option<ExcelDateTime>>,
    texts: Vec<RowTexts<'a>>,
    widths: Widths,
    /// Columns staff added to `一覧` (after its own), measured.
    staff_widths: Widths,
    /// Per remark, the lines its row takes in `一覧` and in a 所在 sheet
    /// ([`Widths::row_lines`] there).
    lines: Vec<RowLines>,
    /// Each meeting's place in date order, for the order of the rows.
    ranks: Vec<usize>,
}

/// Lines of wrapped text of one remark's row: in `一覧`, in a 所在 sheet.
#[derive(Clone, Copy)]
struct RowLines {
    all: u32,
    location: u32,
}

/// `a、b、c` without copying when there is at most one item.
fn joined(items: &[String]) -> Cow<'_, str> {
    match items {
        [] => Cow::Borrowed(""),
        [one] => Cow::Borrowed(one),
        many => Cow::Owned(many.join("、")),
    }
}

impl<'a> RemarkTable<'a> {
    fn build(ctx: &'a Context<'a>) -> RemarkTable<'a> {
        let batch = ctx.batch;
        let agg = ctx.agg;
        let meeting_names = batch.meetings.iter().map(|m| m.display_name()).collect();
        let meeting_dates = batch
            .meetings
            .iter()
            .map(|m| m.date.and_then(style::excel_date))
            .collect();
        let texts = (0..batch.remarks.len())
            .into_par_iter()
            .map(|i| {
                let remark = &batch.remarks[i];
                let labels = ctx.labels.get(i);
                let group = agg.remark_group.get(i).and_then(|&g| agg.groups.get(g));
                let group = match group {
                    Some(g) if g.near_members.binary_search(&i).is_ok() => {
                        Cow::Owned(format!("{}（類似）", g.id))
                    }
                    Some(g) => Cow::Borrowed(g.id.as_str()),
                    None => Cow::Borrowed(""),
                };
                RowTexts {
                    categories: labels.map_or(Cow::Borrowed(""), |l| joined(&l.categories)),
                    related: labels.map_or(Cow::Borrowed(""), |l| joined(&l.related)),
                    group,
                    relisted: agg
                        .remark_relisted
                        .get(i)
                        .map_or(Cow::Borrowed(""), |r| joined(r)),
                    source: remark.source.display(),
                    basis: match (labels, ctx.sources.get(i)) {
                        (Some(l), Some(s)) => basis(l, s, ctx.rules),
                        _ => String::new(),
                    },
                }
            })
            .collect();
        let mut table = RemarkTable {
            ctx,
            meeting_names,
            meeting_dates,
            texts,
            widths: Widths::new(&COLUMNS, &CAPS),
            staff_widths: staff_widths(ctx),
            lines: Vec::new(),
            ranks: order::meeting_ranks(batch),
        };
        // Every text cell measured once, on all cores.
        let n = batch.remarks.len();
        let measured: Vec<[usize; 19]> = (0..n)
            .into_par_iter()
            .map(|i| table.cells(i).map(|cell| measure::measure(cell.text())))
            .collect();
        // Column widths: fed in row order (the feed stops growing once a
        // column reaches its cap, so this is measuring the table whole).
        let mut widths = table.widths.clone();
        widths.feed(2, "2000/00/00");
        for (i, row) in measured.iter().enumerate() {
            let cells = table.cells(i);
            for (col, &m) in row.iter().enumerate() {
                widths.feed_measured(col, cells[col].text(), m);
            }
        }
        // Row heights at those widths, once for `一覧` and the 所在 sheets.
        table.lines = (0..n)
            .into_par_iter()
            .map(|i| {
                let cells = table.cells(i);
                let lines = |columns: &[usize]| {
                    let texts = columns.iter().filter_map(|&c| match cells[c] {
                        Cell::Text(t) => Some((c, t, measured[i][c])),
                        _ => None,
                    });
                    widths.measured_row_lines(texts) as u32
                };
                let staff = table.staff_cells(i);
                RowLines {
                    all: (lines(&ALL_COLUMNS) as usize).max(table.staff_widths.row_lines(&staff))
                        as u32,
                    location: lines(&LOCATION_COLUMNS),
                }
            })
            .collect();
        table.widths = widths;
        table
    }

    /// The 19 cells of remark `i`'s row.
    fn cells(&self, i: usize) -> [Cell<'_>; 19] {
        let ctx = self.ctx;
        let remark = &ctx.batch.remarks[i];
        let meeting = ctx.batch.meetings.get(remark.meeting);
        let labels = ctx.labels.get(i);
        let texts = &self.texts[i];
        let fix = ctx.ledger.per_remark.get(i);
        let text = |s: Option<&'a str>| Cell::Text(s.unwrap_or_default());
        let label = |f: fn(&crate::model::Labels) -> &'static str| Cell::Text(labels.map_or("", f));
        [
            Cell::Text(&remark.id),
            Cell::Text(
                self.meeting_names
                    .get(remark.meeting)
                    .map_or("", String::as_str),
            ),
            match self.meeting_dates.get(remark.meeting) {
                Some(Some(d)) => Cell::Date(d),
                _ => Cell::Blank,
            },
            text(meeting.map(|m| m.profession.as_str())),
            text(remark.speaker.as_deref()),
            Cell::Text(&remark.original),
            Cell::Text(&remark.normalized),
            Cell::Text(&texts.categories),
            label(|l| l.kind.label()),
            label(|l| l.location.label()),
            label(|l| l.location.tier().label()),
            Cell::Text(&texts.related),
            Cell::Text(&texts.group),
            Cell::Text(&texts.relisted),
            Cell::Text(&texts.source),
            Cell::Text(fix.map_or("", |c| c.category.as_str())),
            Cell::Text(fix.map_or("", |c| c.kind.as_str())),
            Cell::Text(fix.map_or("", |c| c.location.as_str())),
            Cell::Text(&texts.basis),
        ]
    }

    /// The cells of remark `i` in the staff columns (none without them).
    fn staff_cells(&self, i: usize) -> Vec<Cell<'_>> {
        match self.ctx.ledger.staff_values.get(i) {
            Some(values) => values.iter().map(|v| Cell::Text(v)).collect(),
            None => vec![Cell::Blank; self.ctx.ledger.staff_columns.len()],
        }
    }

    /// `一覧` (all columns) or a 所在 sheet (a subset) over `rows`; returns
    /// the last row written.
    fn write<const N: usize>(
        &self,
        ws: &mut Worksheet,
        st: &Styles,
        rows: impl Iterator<Item = usize>,
        columns: &[usize; N],
    ) -> Result<u32, XlsxError> {
        // The ID is always the first column.
        debug_assert_eq!(columns[0], COL_ID);
        let whole = N == ALL_COLUMNS.len();
        debug_assert!(whole || columns == &LOCATION_COLUMNS[..]);
        // Staff columns follow 一覧's own.
        let staff: &[String] = if whole {
            &self.ctx.ledger.staff_columns
        } else {
            &[]
        };
        let mut widths = self.widths.select(columns);
        if !staff.is_empty() {
            widths.append(&self.staff_widths);
        }
        widths.apply(ws)?;
        let rows: Vec<usize> = order::remarks_by_date(self.ctx.batch, &self.ranks, rows.collect());
        let lines_of = |i: usize| {
            let lines = self.lines[i];
            (if whole { lines.all } else { lines.location }) as usize
        };
        let heights = RowHeights::new(ws, rows.iter().map(|&i| lines_of(i)));
        let mut headers: Vec<&str> = columns.iter().map(|&c| COLUMNS[c]).collect();
        headers.extend(staff.iter().map(String::as_str));
        heights.set(ws, 0, widths.header_lines(&headers))?;
        write_header(ws, st, 0, &headers)?;
        let mut row = 1;
        for i in rows {
            let all = self.cells(i);
            let cells = columns.map(|c| all[c]);
            heights.set(ws, row, lines_of(i))?;
            row += if staff.is_empty() {
                write_record(ws, st, row, &cells, Some(0))?
            } else {
                let mut cells = cells.to_vec();
                cells.extend(self.staff_cells(i));
                write_record(ws, st, row, &cells, Some(0))?
            };
        }
        style::end_table(ws, st, row)?;
        let last = row - 1;
        ws.autofilter(0, 0, last, headers.len() as u16 - 1)?;
        if whole {
            for col in FOLDED {
                ws.group_columns_collapsed(col, col)?;
            }
            ws.set_print_area(0, 0, last, PRINTED)?;
            let printed = (0..=PRINTED as usize).filter(|c| !FOLDED.contains(&(*c as u16)));
            let width = print::columns_points(printed.map(|c| widths.width(c)));
            print::table(ws, width, MIN_POINTS, Some(0))?;
        } else {
            print::table(ws, widths.points(0..N), MIN_POINTS, Some(0))?;
        }
        Ok(last)
    }
}

/// `入退院支援=ルール「退院」、多職種連携=学習0.82／課題=ルール「否定・不足」／職種間=学習0.91`.
pub(crate) fn basis(labels: &Labels, sources: &Sources, rules: &Rules) -> String {
    let one = |s: Source| match s {
        Source::Rule(id) => format!("ルール「{}」", rules.rule_name(id)),
        Source::Model(p) => format!("学習{p:.2}"),
        Source::Sheet => "例②".to_string(),
        Source::Correction => "修正".to_string(),
        Source::SameWording => "同じ文の修正".to_string(),
        Source::Default => "既定".to_string(),
    };
    let categories: Vec<String> = labels
        .categories
        .iter()
        .zip(&sources.categories)
        .map(|(c, &s)| format!("{c}={}", one(s)))
        .collect();
    let mut out = format!(
        "{}／{}={}／{}={}",
        categories.join("、"),
        labels.kind.label(),
        one(sources.kind),
        labels.location.label(),
        one(sources.location)
    );
    let parties = |list: &[(String, f32)]| -> String {
        let named: Vec<String> = list
            .iter()
            .map(|(n, p)| format!("{n}=学習{p:.2}"))
            .collect();
        named.join("、")
    };
    if !sources.added_parties.is_empty() {
        out.push_str(&format!("／関係職種 {}", parties(&sources.added_parties)));
    }
    if !sources.dropped_parties.is_empty() {
        let dropped = parties(&sources.dropped_parties);
        out.push_str(&format!("／関係職種から外した {dropped}"));
    }
    out
}

/// Width cap of a column staff added.
const STAFF_CAP: usize = 30;

/// The staff columns' widths, measured from their headers and values.
fn staff_widths(ctx: &Context) -> Widths {
    let columns = &ctx.ledger.staff_columns;
    let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut widths = Widths::new(&headers, &vec![STAFF_CAP; columns.len()]);
    for values in &ctx.ledger.staff_values {
        for (col, v) in values.iter().enumerate() {
            widths.feed(col, v);
        }
    }
    widths
}

/// Builds the classified workbook. `others_done` is called once every sheet
/// but `一覧` is written (or failed): `一覧`, the largest, is still being
/// written on a thread of its own, and the caller can start other work on
/// the core that became free.
pub(crate) fn workbook(ctx: &Context, others_done: impl FnOnce()) -> Result<Workbook, XlsxError> {
    let mut wb = style::new_workbook("分類一覧")?;
    let st = Styles::new();
    // The sheets below are written on three threads.
    st.register(&mut wb);
    let table = RemarkTable::build(ctx);
    let choices = dropdown_categories(ctx);

    // Sheets in order; the big ones in constant-memory mode.
    let big = ["一覧", "職種内", "職種間", "地域全体"];
    for name in big {
        wb.add_worksheet_with_constant_memory()?.set_name(name)?;
    }
    wb.add_worksheet().set_name("集計")?;
    wb.add_worksheet_with_constant_memory()?
        .set_name("カテゴリ行列")?;
    for name in [
        "二次連携候補",
        "会議一覧",
        "取込結果",
        history::SHEET,
        CHOICES_SHEET,
    ] {
        wb.add_worksheet().set_name(name)?;
    }

    let sheets = wb.worksheets_mut();
    let [all, within, between, region, cross, matrix, pairs, meetings, intake_ws, history_ws, choices_ws] =
        &mut sheets[..]
    else {
        unreachable!("eleven sheets were added");
    };
    let locations = [within, between, region];
    std::thread::scope(|scope| -> Result<(), XlsxError> {
        let main = scope.spawn(|| -> Result<(), XlsxError> {
            let last = table.write(all, &st, 0..ctx.batch.remarks.len(), &ALL_COLUMNS)?;
            add_validations(all, last, choices.len())
        });
        let side = scope.spawn(|| -> Result<(), XlsxError> {
            for (ws, rows) in locations.into_iter().zip(&ctx.agg.by_location) {
                table.write(ws, &st, rows.iter().copied(), &LOCATION_COLUMNS)?;
            }
            Ok(())
        });
        summary::cross_table(cross, &st, ctx)?;
        summary::pairs(pairs, &st, ctx)?;
        intake::meetings(meetings, &st, ctx)?;
        intake::files(intake_ws, &st, ctx)?;
        history::sheet(history_ws, &st, ctx)?;
        let here = choices_sheet(choices_ws, &st, &choices)
            .and_then(|()| category_matrix(matrix, &st, &table));
        let side = side.join().expect("所在 writer panicked");
        others_done();
        let main = main.join().expect("一覧 writer panicked");
        here.and(side).and(main)
    })?;
    all.set_active(true);
    Ok(wb)
}

/// The categories offered in the dropdown: the rule file's, then any other
/// the aggregate knows (例② sheets), `その他` last.
fn dropdown_categories(ctx: &Context) -> Vec<String> {
    let mut list: Vec<String> = Vec::new();
    for name in ctx.category_names.iter().chain(&ctx.agg.categories) {
        if name != OTHER_CATEGORY && !name.is_empty() && !list.contains(name) {
            list.push(name.clone());
        }
    }
    list.push(OTHER_CATEGORY.to_string());
    list
}

/// `選択肢`: the values the 修正 dropdowns offer, one list per column.
fn choices_sheet(ws: &mut Worksheet, st: &Styles, categories: &[String]) -> Result<(), XlsxError> {
    let headers = ["カテゴリ", "課題/アイデア", "所在"];
    write_header(ws, st, 0, &headers)?;
    let kinds = [Kind::Issue.label(), Kind::Idea.label()];
    let locations = Location::ALL.map(Location::label);
    let mut widths = Widths::new(&headers, &[30, 14, 12]);
    for (i, c) in categories.iter().enumerate() {
        ws.write_string_with_format(1 + i as u32, 0, c, &st.text)?;
        widths.feed(0, c);
    }
    for (i, k) in kinds.iter().enumerate() {
        ws.write_string_with_format(1 + i as u32, 1, *k, &st.text)?;
    }
    for (i, l) in locations.iter().enumerate() {
        ws.write_string_with_format(1 + i as u32, 2, *l, &st.text)?;
    }
    let note_row = 2 + categories.len().max(3) as u32;
    ws.write_string_with_format(
        note_row,
        0,
        "「一覧」の修正の列で選べる値です。カテゴリは「、」で区切って複数入力できます。",
        &st.plain,
    )?;
    widths.apply(ws)?;
    // A helper for the dropdowns: hidden, so it neither shows as a tab
    // nor prints.
    ws.set_hidden(true);
    print::table(ws, widths.points(0..3), MIN_POINTS, Some(0))?;
    Ok(())
}

/// Dropdowns on the three 修正 columns of `一覧`, rows 2..=`last`+1.
fn add_validations(ws: &mut Worksheet, last: u32, categories: usize) -> Result<(), XlsxError> {
    if last == 0 {
        return Ok(());
    }
    let range = worksheet_range_absolute(CHOICES_SHEET, 1, 0, categories as u32, 0);
    let category = DataValidation::new()
        .allow_list_formula(Formula::new(range))
        .set_input_title("カテゴリ(修正)")?
        .set_input_message(
            "一覧から選ぶか、直接入力してください。複数のカテゴリは「、」で区切ります。空欄なら元の分類のままです。",
        )?
        // Several categories joined by 、 are not in the list: warn, don't refuse.
        .set_error_style(DataValidationErrorStyle::Information)
        .set_error_title("一覧にないカテゴリです")?
        .set_error_message(
            "複数のカテゴリを「、」で区切って入力したのなら、そのまま「OK」を押してください。新しいカテゴリはルールのファイルにも追加してください。",
        )?;
    ws.add_data_validation(1, COL_FIX_CATEGORY, last, COL_FIX_CATEGORY, &category)?;

    let kind = DataValidation::new()
        .allow_list_strings(&[Kind::Issue.label(), Kind::Idea.label()])?
        .set_error_title("課題/アイデア(修正)")?
        .set_error_message(
            "「課題」か「アイデア」を選んでください。空欄なら元の分類のままです。",
        )?;
    ws.add_data_validation(1, COL_FIX_KIND, last, COL_FIX_KIND, &kind)?;

    let location = DataValidation::new()
        .allow_list_strings(&Location::ALL.map(Location::label))?
        .set_error_title("所在(修正)")?
        .set_error_message(
            "「職種内」「職種間」「地域全体」のどれかを選んでください。空欄なら元の分類のままです。",
        )?;
    ws.add_data_validation(1, COL_FIX_LOCATION, last, COL_FIX_LOCATION, &location)?;
    Ok(())
}

/// `カテゴリ行列`: ID, 職種, 意見(正規化), then 1/0 per category, for pivot
/// tables and statistics.
fn category_matrix(ws: &mut Worksheet, st: &Styles, table: &RemarkTable) -> Result<(), XlsxError> {
    let ctx = table.ctx;
    let categories = &ctx.agg.categories;
    let index: HashMap<&str, usize> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let other = categories.iter().position(|c| c == OTHER_CATEGORY);

    let mut headers: Vec<&str> = vec![
        HEADERS[COL_ID],
        HEADERS[COL_PROFESSION],
        HEADERS[COL_NORMALIZED],
    ];
    headers.extend(categories.iter().map(String::as_str));
    let caps: Vec<usize> = (0..headers.len())
        .map(|c| match c {
            0 => CAPS[COL_ID],
            1 => CAPS[COL_PROFESSION],
            2 => CAPS[COL_NORMALIZED],
            _ => 14,
        })
        .collect();
    // The first three columns show what `一覧`'s do (same headers and caps),
    // so they take its measured widths.
    let mut widths = Widths::new(&headers, &caps);
    for (col, from) in [COL_ID, COL_PROFESSION, COL_NORMALIZED]
        .into_iter()
        .enumerate()
    {
        widths.merge_column(col, &table.widths, from);
    }
    widths.apply(ws)?;
    measure::set_row_lines(ws, 0, widths.header_lines(&headers))?;
    write_header(ws, st, 0, &headers)?;

    // Not for paper: what prints is this note, right of the headers.
    let note_col = headers.len() as u16 + 1;
    let note_width = measure::display_width(MATRIX_NOTE) as f64 + 2.0;
    ws.set_column_width(note_col, note_width)?;
    ws.write_string_with_format(0, note_col, MATRIX_NOTE, &st.plain)?;

    let mut member = vec![false; categories.len()];
    let mut cells: Vec<Cell> = Vec::with_capacity(headers.len());
    let mut row = 1;
    let remarks = (0..ctx.batch.remarks.len()).collect();
    for i in order::remarks_by_date(ctx.batch, &table.ranks, remarks) {
        member.iter_mut().for_each(|m| *m = false);
        let mut any = false;
        for c in ctx.labels.get(i).map_or(&[][..], |l| &l.categories[..]) {
            if let Some(&k) = index.get(c.as_str()) {
                member[k] = true;
                any = true;
            }
        }
        if !any {
            // As aggregation does: a remark without category is その他.
            if let Some(k) = other {
                member[k] = true;
            }
        }
        let full = table.cells(i);
        cells.clear();
        cells.extend([full[COL_ID], full[COL_PROFESSION], full[COL_NORMALIZED]]);
        cells.extend(
            member
                .iter()
                .map(|&m| Cell::Number(if m { 1.0 } else { 0.0 })),
        );
        row += write_record(ws, st, row, &cells, Some(0))?;
    }
    ws.autofilter(0, 0, row - 1, headers.len() as u16 - 1)?;
    ws.set_print_area(0, note_col, 0, note_col)?;
    print::table(ws, print::column_points(note_width), MIN_POINTS, None)?;
    // A note, not a table: no grid around it.
    ws.set_print_gridlines(false);
    ws.set_freeze_panes(1, 3)?;
    Ok(())
}

/// What `カテゴリ行列` prints instead of its 1/0 table.
const MATRIX_NOTE: &str =
    "この表は集計・分析（ピボットテーブルなど）用です。印刷するときは「一覧」か「集計」をお使いください。";
