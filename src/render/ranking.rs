//! `ランキング.xlsx`: one sheet per scope (`全体`, then each profession) in
//! the manual's 例② layout, with a bar chart of the counts.
//!
//! The sheet writer [`ranking_sheet`] is shared with the feedback workbook:
//! it shows exactly one [`Ranking`] and looks nothing else up except the
//! dates of that ranking's own meetings, so a profession's sheet holds only
//! that profession's remarks.
//!
//! ```text
//!   A     B            C     D            E                         H          I
//!   カテゴリ別ランキング（全体）
//!   期間  2022/4/1 〜 2023/3/31
//!   会議  3 回
//!   意見  42 件
//!   見方  (how to read 件数, ×N and 【再掲】)
//!   順位  カテゴリ     件数  課題/アイデア  意見                      カテゴリ    件数
//!   1     多職種連携   12    課題          ・顔の見える連携が弱い ×3   多職種連携  12
//!   (merged)           (m)   アイデア      ・飲み会の開催              …
//! ```

use rust_xlsxwriter::{Chart, ChartDataLabel, ChartType, Workbook, Worksheet, XlsxError};

use super::names::SheetNames;
use super::style::{self, chart_font, pack_lines, print_setup, write_header, Styles, CELL_LIMIT};
use super::Context;
use crate::aggregate::{Listing, RankedCategory, Ranking};
use crate::model::Batch;

const HEADERS: [&str; 5] = ["順位", "カテゴリ", "件数", "課題/アイデア", "意見"];
/// The table's header row (0-based), right below the title block.
const HEADER_ROW: u32 = 5;
/// The chart's data: (カテゴリ, 件数) in columns H:I.
const DATA_COL: u16 = 7;
/// The chart sits right of its data, from column K.
const CHART_COL: u16 = 10;

/// Builds the ranking workbook: `全体`, then one sheet per profession.
pub(crate) fn workbook(ctx: &Context) -> Result<Workbook, XlsxError> {
    let mut wb = style::new_workbook("カテゴリ別ランキング")?;
    let st = Styles::new();
    let mut names = SheetNames::new();
    let scopes = std::iter::once(("全体", &ctx.agg.overall)).chain(
        ctx.agg
            .by_profession
            .iter()
            .map(|(name, ranking)| (name.as_str(), ranking)),
    );
    for (label, ranking) in scopes {
        let name = names.claim(label);
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(&name)?;
        ranking_sheet(ws, &st, ctx.batch, &name, label, ranking)?;
    }
    Ok(wb)
}

/// One bullet of the 意見 cell: `・text ×3（類似含む）【再掲】`.
pub(crate) fn bullet(batch: &Batch, listing: &Listing) -> String {
    let text = listing.text(batch);
    let mut line = String::with_capacity(text.len() + 24);
    line.push('・');
    line.push_str(text);
    if listing.count > 1 {
        line.push_str(&format!(" ×{}", listing.count));
        if listing.near_duplicate {
            line.push_str("（類似含む）");
        }
    }
    if listing.relisted {
        line.push_str("【再掲】");
    }
    line
}

/// The 意見 cells of one kind: the bullets, continued on more cells (rows)
/// when they would pass Excel's cell limit.
fn kind_cells(batch: &Batch, listings: &[Listing]) -> Vec<String> {
    let lines: Vec<String> = listings.iter().map(|l| bullet(batch, l)).collect();
    pack_lines(lines.iter().map(String::as_str), CELL_LIMIT)
}

/// One kind's rows of a category: 課題/アイデア and its 意見 cells.
type KindCells = (&'static str, Vec<String>);

/// The rows of one category: (課題/アイデア, 意見 cells) for each kind present.
fn category_rows(batch: &Batch, cat: &RankedCategory) -> Vec<KindCells> {
    let mut kinds = Vec::with_capacity(2);
    if !cat.issues.is_empty() {
        kinds.push(("課題", kind_cells(batch, &cat.issues)));
    }
    if !cat.ideas.is_empty() {
        kinds.push(("アイデア", kind_cells(batch, &cat.ideas)));
    }
    if kinds.is_empty() {
        // A count without listings cannot come from aggregation; show the row anyway.
        kinds.push(("", vec![String::new()]));
    }
    kinds
}

/// `2022/4/1 〜 2023/3/31` over the ranking's meetings.
fn period(batch: &Batch, ranking: &Ranking) -> String {
    let dates: Vec<_> = ranking
        .meetings
        .iter()
        .filter_map(|&m| batch.meetings.get(m).and_then(|m| m.date))
        .collect();
    let undated = ranking.meetings.len() - dates.len();
    let mut text = match (dates.iter().min(), dates.iter().max()) {
        (Some(a), Some(b)) if a == b => style::date_text(*a),
        (Some(a), Some(b)) => format!("{} 〜 {}", style::date_text(*a), style::date_text(*b)),
        _ => "日付の記載なし".to_string(),
    };
    if undated > 0 && !dates.is_empty() {
        text.push_str(&format!("（日付のない会議 {undated} 回を含む）"));
    }
    text
}

/// Writes one ranking in the 例② layout on `ws` (named `sheet_name`, for
/// the chart's references); `label` is the scope shown in the title.
///
/// Everything is measured first and the sheet is then written strictly row
/// by row, so `ws` may be a constant-memory worksheet: a run's 全体 sheet
/// holds every opinion of the archive.
pub(crate) fn ranking_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    batch: &Batch,
    sheet_name: &str,
    label: &str,
    ranking: &Ranking,
) -> Result<(), XlsxError> {
    // Measure: the 意見 cells of each category and the widths of their
    // lines, for the column width, then for the row heights.
    let blocks: Vec<(&RankedCategory, Vec<KindCells>)> = ranking
        .categories
        .iter()
        .map(|cat| (cat, category_rows(batch, cat)))
        .collect();
    let mut widths = [6usize, 10, 6, 14, 30];
    let mut cell_lines: Vec<Vec<usize>> = Vec::new();
    for (cat, kinds) in &blocks {
        widths[1] = widths[1].max(style::display_width(&cat.name) + 2);
        for cell in kinds.iter().flat_map(|(_, cells)| cells) {
            let lines: Vec<usize> = cell.split('\n').map(style::display_width).collect();
            // = style::display_width(cell): the widest line.
            widths[4] = widths[4].max(lines.iter().copied().max().unwrap_or(0) + 2);
            cell_lines.push(lines);
        }
    }
    widths[1] = widths[1].min(24);
    widths[4] = widths[4].min(style::MAX_WIDTH);
    for (col, w) in widths.iter().enumerate() {
        ws.set_column_width(col as u16, *w as f64)?;
    }
    let data_width = ranking
        .categories
        .iter()
        .map(|c| style::display_width(&c.name) + 2)
        .fold(10, usize::max);
    ws.set_column_width(DATA_COL, data_width.min(30) as f64)?;
    ws.set_column_width(DATA_COL + 1, 6)?;

    // Title block.
    ws.write_string_with_format(0, 0, format!("カテゴリ別ランキング（{label}）"), &st.title)?;
    let facts = [
        ("期間", period(batch, ranking)),
        ("会議", format!("{} 回", ranking.meetings.len())),
        ("意見", format!("{} 件", ranking.remark_count)),
    ];
    for (i, (key, value)) in facts.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string_with_format(row, 0, *key, &st.label)?;
        ws.write_string_with_format(row, 1, value, &st.plain)?;
    }
    // How to read the table: wrapped over B:E, two lines high (Excel does not
    // fit the height of merged cells itself).
    ws.set_row_height(4, 40)?;
    ws.write_string_with_format(4, 0, "見方", &st.label)?;
    ws.merge_range(
        4,
        1,
        4,
        4,
        "件数はカテゴリごとの意見の数です（1つの意見が複数のカテゴリに入るときは、それぞれで数えます）。\
         ×N は同じ意見が N 件あったこと、【再掲】は上の順位のカテゴリにも載せた意見です。",
        &st.paragraph,
    )?;

    // The table, and beside it the chart's data: (カテゴリ, 件数) in H:I,
    // one category a row from the header on.
    write_header(ws, st, HEADER_ROW, &HEADERS)?;
    ws.write_string_with_format(HEADER_ROW, DATA_COL, "カテゴリ", &st.header)?;
    ws.write_string_with_format(HEADER_ROW, DATA_COL + 1, "件数", &st.header)?;
    let chart_data = |ws: &mut Worksheet, row: u32| -> Result<(), XlsxError> {
        if let Some(cat) = ranking.categories.get((row - HEADER_ROW - 1) as usize) {
            ws.write_string_with_format(row, DATA_COL, &cat.name, &st.plain)?;
            ws.write_number_with_format(row, DATA_COL + 1, cat.count as f64, &st.plain)?;
        }
        Ok(())
    };
    let mut row = HEADER_ROW + 1;
    let mut lines = cell_lines.iter();
    for (cat, kinds) in &blocks {
        let block: u32 = kinds.iter().map(|(_, cells)| cells.len() as u32).sum();
        let last = row + block - 1;
        if block > 1 {
            ws.merge_range(row, 0, last, 0, "", &st.boxed_number)?;
            ws.merge_range(row, 1, last, 1, &cat.name, &st.boxed_center)?;
            ws.merge_range(row, 2, last, 2, "", &st.boxed_number)?;
        } else {
            ws.write_string_with_format(row, 1, &cat.name, &st.boxed_center)?;
        }
        ws.write_number_with_format(row, 0, cat.rank, &st.boxed_number)?;
        ws.write_number_with_format(row, 2, cat.count as f64, &st.boxed_number)?;
        for (kind, cells) in kinds {
            let kind_last = row + cells.len() as u32 - 1;
            if kind_last > row {
                ws.merge_range(row, 3, kind_last, 3, kind, &st.boxed_center)?;
            } else {
                ws.write_string_with_format(row, 3, *kind, &st.boxed_center)?;
            }
            for cell in cells {
                // = style::wrapped_lines(cell, widths[4]).
                let n: usize = lines.next().map_or(1, |ls| {
                    ls.iter().map(|&w| style::line_lines(w, widths[4])).sum()
                });
                style::set_row_lines(ws, row, n)?;
                ws.write_string_with_format(row, 4, cell, &st.boxed_text)?;
                chart_data(ws, row)?;
                row += 1;
            }
        }
    }
    if ranking.categories.is_empty() {
        for col in 0..4 {
            ws.write_blank(row, col, &st.boxed_text)?;
        }
        ws.write_string_with_format(row, 4, "（意見はありません）", &st.boxed_text)?;
        row += 1;
    }
    style::end_table(ws, st, row)?;
    let last_row = row - 1;
    // (Every category has a row, so its chart data is written by now.)
    print_setup(ws, Some(HEADER_ROW), true)?;
    // The chart and its data are for the screen; the table is what prints.
    ws.set_print_area(0, 0, last_row, 4)?;

    chart(ws, sheet_name, label, ranking)
}

/// A bar chart of the (カテゴリ, 件数) data in H:I, in rank order. Its
/// cached values are left to the spreadsheet program (the sheet may be
/// written in constant-memory mode), which reads them from the cells.
fn chart(
    ws: &mut Worksheet,
    sheet_name: &str,
    label: &str,
    ranking: &Ranking,
) -> Result<(), XlsxError> {
    let n = ranking.categories.len() as u32;
    if n == 0 {
        return Ok(());
    }

    let font = chart_font();
    let mut chart = Chart::new(ChartType::Bar);
    let mut labels = ChartDataLabel::new();
    labels.show_value().set_font(&font);
    chart
        .add_series()
        .set_name("件数")
        .set_categories((
            sheet_name,
            HEADER_ROW + 1,
            DATA_COL,
            HEADER_ROW + n,
            DATA_COL,
        ))
        .set_values((
            sheet_name,
            HEADER_ROW + 1,
            DATA_COL + 1,
            HEADER_ROW + n,
            DATA_COL + 1,
        ))
        .set_data_label(&labels);
    chart
        .title()
        // A title with `!` would be read as a cell reference.
        .set_name(&format!("カテゴリ別の件数（{}）", label.replace('!', "！")))
        .set_font(&font);
    // Rank 1 at the top, as in the table.
    chart.x_axis().set_reverse().set_font(&font);
    chart.y_axis().set_font(&font);
    chart.legend().set_hidden();
    chart.set_width(520).set_height(120 + 26 * n.min(60));
    ws.insert_chart(HEADER_ROW, CHART_COL, &chart)?;
    Ok(())
}
