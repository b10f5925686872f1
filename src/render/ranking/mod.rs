//! `ランキング.xlsx`: one sheet per scope (`全体`, then each profession) in
//! the manual's 例② layout, with a bar chart of the counts.
//!
//! The sheet writer [`ranking_sheet`] is shared with the feedback workbook:
//! it shows exactly one [`Ranking`] and looks nothing else up except the
//! dates of that ranking's own meetings, so a profession's sheet holds only
//! that profession's remarks.
//!
//! It prints on A4 landscape at a fixed scale (9 pt or larger), so the page
//! breaks set here hold: a category's rows start on a new page unless they
//! fit whole on the current one, and rows continued on a new page show the
//! category again; the chart comes below the table, on its own page when
//! the last one is full.
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
//!   (chart: カテゴリ別の件数, over A:E)
//! ```

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

mod cells;
mod chart;

use super::measure::{self, lines_height, DEFAULT_ROW_POINTS};
use super::names::SheetNames;
use super::print::{self, Page, Pages, Scale};
use super::style::{self, write_header, Styles};
use super::Context;
use crate::aggregate::{Listing, RankedCategory, Ranking};
use crate::model::Batch;
#[cfg(test)]
pub(crate) use cells::MAX_CELL_LINES;
use cells::{Bullet, TextCell};

const HEADERS: [&str; 5] = ["順位", "カテゴリ", "件数", "課題/アイデア", "意見"];
/// The table's header row (0-based), right below the title block.
const HEADER_ROW: u32 = 5;
/// The chart's data: (カテゴリ, 件数) in columns H:I.
const DATA_COL: u16 = 7;
/// Height of the title row (14 pt text), in points.
const TITLE_POINTS: f64 = 24.0;
/// Bounds of the カテゴリ and 意見 columns' widths, in characters.
const NAME_WIDTH: (usize, usize) = (10, 24);
/// (76 keeps the widest table at 9 pt; see [`print::fixed_scale`].)
const OPINION_WIDTH: (usize, usize) = (30, 76);

const HOW_TO_READ: &str = "件数はカテゴリごとの意見の数です（1つの意見が複数のカテゴリに入るときは、それぞれで数えます）。\
    ×N は同じ意見が N 件あったこと、【再掲】は上の順位のカテゴリにも載せた意見です。棒グラフは表の下にあります。";

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

/// One kind's rows of a category: 課題/アイデア, its listings and the lines
/// of each 意見 cell they pack into. The text is packed again when the rows
/// are written, so a sheet never holds all of its text at once (a 全体
/// sheet's is tens of megabytes).
struct KindRows<'r> {
    kind: &'static str,
    listings: &'r [Listing],
    lines: Vec<usize>,
}

impl KindRows<'_> {
    /// The 意見 cells, in a column `width` wide (one empty cell when there
    /// are no listings).
    fn cells(&self, batch: &Batch, width: usize) -> Vec<TextCell> {
        if self.listings.is_empty() {
            return vec![TextCell {
                text: String::new(),
                lines: 1,
            }];
        }
        let bullets: Vec<Bullet> = self
            .listings
            .iter()
            .map(|l| cells::bullet(batch, l))
            .collect();
        cells::pack(&bullets, width)
    }
}

/// The rows of one category.
struct Block<'r> {
    cat: &'r RankedCategory,
    kinds: Vec<KindRows<'r>>,
    /// Lines every row of the block has at least: the category's name,
    /// which a row continued on a new page shows alone.
    min_lines: usize,
}

impl Block<'_> {
    fn lines(&self) -> impl Iterator<Item = usize> + '_ {
        self.kinds
            .iter()
            .flat_map(|k| &k.lines)
            .map(|&l| l.max(self.min_lines))
    }

    fn heights(&self) -> Vec<f64> {
        self.lines().map(lines_height).collect()
    }
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
/// Everything is measured and laid out on pages first, and the sheet is
/// then written strictly row by row, so `ws` may be a constant-memory
/// worksheet: a run's 全体 sheet holds every opinion of the archive.
pub(crate) fn ranking_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    batch: &Batch,
    sheet_name: &str,
    label: &str,
    ranking: &Ranking,
) -> Result<(), XlsxError> {
    // Measure: the bullets give the column widths, the widths the cells.
    let mut widths = [6usize, NAME_WIDTH.0, 6, 14, OPINION_WIDTH.0];
    for cat in &ranking.categories {
        widths[1] = widths[1].max(measure::display_width(&cat.name) + 2);
        for l in cat.issues.iter().chain(&cat.ideas) {
            widths[4] = widths[4].max(cells::bullet(batch, l).width() + 2);
        }
    }
    widths[1] = widths[1].min(NAME_WIDTH.1);
    widths[4] = widths[4].min(OPINION_WIDTH.1);
    let blocks: Vec<Block> = ranking
        .categories
        .iter()
        .map(|cat| {
            let mut kinds = Vec::with_capacity(2);
            for (kind, listings) in [("課題", &cat.issues[..]), ("アイデア", &cat.ideas[..])]
            {
                if !listings.is_empty() {
                    let mut rows = KindRows {
                        kind,
                        listings,
                        lines: Vec::new(),
                    };
                    rows.lines = rows
                        .cells(batch, widths[4])
                        .iter()
                        .map(|c| c.lines)
                        .collect();
                    kinds.push(rows);
                }
            }
            if kinds.is_empty() {
                // A count without listings cannot come from aggregation; show the row anyway.
                kinds.push(KindRows {
                    kind: "",
                    listings: &[],
                    lines: vec![1],
                });
            }
            Block {
                cat,
                kinds,
                min_lines: measure::wrapped_lines(&cat.name, widths[1]),
            }
        })
        .collect();
    for (col, w) in widths.iter().enumerate() {
        ws.set_column_width(col as u16, *w as f64)?;
    }
    let data_width = ranking
        .categories
        .iter()
        .map(|c| measure::display_width(&c.name) + 2)
        .fold(10, usize::max);
    ws.set_column_width(DATA_COL, data_width.min(30) as f64)?;
    ws.set_column_width(DATA_COL + 1, 6)?;

    // Pages: A4 landscape at the scale the table's width allows.
    let page = Page::A4_LANDSCAPE;
    let scale = print::fixed_scale(page, widths);
    let capacity = print::page_rows_height(page, scale) - DEFAULT_ROW_POINTS;
    let how_lines = measure::wrapped_lines(HOW_TO_READ, widths[1..].iter().sum());
    let title = TITLE_POINTS + 3.0 * DEFAULT_ROW_POINTS + lines_height(how_lines);
    let mut pages = Pages::new(capacity, capacity - title, HEADER_ROW + 1);
    for block in &blocks {
        pages.block(&block.heights());
    }
    if blocks.is_empty() {
        pages.block(&[DEFAULT_ROW_POINTS]);
    }
    let end = pages.row();
    // The chart: below the table after a blank row, or on a page of its own.
    pages.block(&[DEFAULT_ROW_POINTS]);
    let chart = chart::Plan::new(ranking, &widths, capacity);
    if let Some(c) = &chart {
        if !pages.fits(c.rows_points()) {
            pages.new_page();
        }
    }
    let chart_row = pages.row();
    let breaks = pages.breaks().to_vec();

    title_block(ws, st, batch, label, ranking, how_lines)?;
    write_header(ws, st, HEADER_ROW, &HEADERS)?;
    ws.write_string_with_format(HEADER_ROW, DATA_COL, "カテゴリ", &st.header)?;
    ws.write_string_with_format(HEADER_ROW, DATA_COL + 1, "件数", &st.header)?;
    let mut row = HEADER_ROW + 1;
    for block in &blocks {
        row = write_block(
            ws,
            st,
            (batch, widths[4]),
            block,
            row,
            &breaks,
            |ws, row| {
                // The chart's data: one category a row from the header on.
                if let Some(cat) = ranking.categories.get((row - HEADER_ROW - 1) as usize) {
                    ws.write_string_with_format(row, DATA_COL, &cat.name, &st.plain)?;
                    ws.write_number_with_format(row, DATA_COL + 1, cat.count as f64, &st.plain)?;
                }
                Ok(())
            },
        )?;
    }
    if blocks.is_empty() {
        for col in 0..4 {
            ws.write_blank(row, col, &st.boxed_text)?;
        }
        ws.write_string_with_format(row, 4, "（意見はありません）", &st.boxed_text)?;
        row += 1;
    }
    debug_assert_eq!(row, end);
    style::end_table(ws, st, end)?;
    // Excel allows 1,023 manual page breaks a sheet; past them (a ranking
    // of over a thousand pages) the program breaks the pages itself.
    ws.set_page_breaks(&breaks[..breaks.len().min(MAX_PAGE_BREAKS)])?;
    let last_row = match &chart {
        Some(c) => chart_row + c.rows() - 1,
        None => end - 1,
    };
    ws.set_print_area(0, 0, last_row, 4)?;
    print::setup(ws, page, Scale::Percent(scale), Some(HEADER_ROW))?;
    match chart {
        Some(c) => c.insert(ws, sheet_name, label, chart_row),
        None => Ok(()),
    }
}

/// The most manual page breaks Excel accepts on one sheet.
const MAX_PAGE_BREAKS: usize = 1023;

/// Title, 期間, 会議, 意見 and 見方, above the table.
fn title_block(
    ws: &mut Worksheet,
    st: &Styles,
    batch: &Batch,
    label: &str,
    ranking: &Ranking,
    how_lines: usize,
) -> Result<(), XlsxError> {
    ws.set_row_height(0, TITLE_POINTS)?;
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
    // How to read the table, wrapped over B:E (Excel does not fit the
    // height of merged cells itself).
    measure::set_row_lines(ws, 4, how_lines)?;
    ws.write_string_with_format(4, 0, "見方", &st.label)?;
    ws.merge_range(4, 1, 4, 4, HOW_TO_READ, &st.paragraph)?;
    Ok(())
}

/// Writes one category's rows from `row` on; returns the row after them.
/// 順位, カテゴリ and 件数 are merged over the rows on one page and shown
/// again on the next page's first row; 課題/アイデア likewise per kind.
/// `beside` writes what goes right of the table on each row. The batch and
/// the 意見 column's width are there to pack the cells again.
fn write_block(
    ws: &mut Worksheet,
    st: &Styles,
    (batch, width): (&Batch, usize),
    block: &Block,
    row: u32,
    breaks: &[u32],
    mut beside: impl FnMut(&mut Worksheet, u32) -> Result<(), XlsxError>,
) -> Result<u32, XlsxError> {
    // The end of the piece of rows `from..limit` that lies on one page.
    let piece_end = |from: u32, limit: u32| {
        breaks
            .iter()
            .copied()
            .find(|&b| b > from && b < limit)
            .unwrap_or(limit)
    };
    let cat = block.cat;
    let block_end = row + block.lines().count() as u32;
    let mut r = row;
    let mut lines = block.lines();
    for kind in &block.kinds {
        let cells = kind.cells(batch, width);
        debug_assert_eq!(cells.len(), kind.lines.len());
        let kind_start = r;
        let kind_end = r + cells.len() as u32;
        for (j, cell) in cells.iter().enumerate() {
            let starts_page = breaks.binary_search(&r).is_ok();
            // Rows of one kind on one page read as one cell.
            let open_top = j > 0 && !starts_page;
            let open_bottom = j + 1 < cells.len() && breaks.binary_search(&(r + 1)).is_err();
            measure::set_row_lines(ws, r, lines.next().unwrap_or(1))?;
            if r == row || starts_page {
                let last = piece_end(r, block_end) - 1;
                if last > r {
                    ws.merge_range(r, 0, last, 0, "", &st.boxed_number)?;
                    ws.merge_range(r, 1, last, 1, &cat.name, &st.boxed_center)?;
                    ws.merge_range(r, 2, last, 2, "", &st.boxed_number)?;
                } else {
                    ws.write_string_with_format(r, 1, &cat.name, &st.boxed_center)?;
                }
                ws.write_number_with_format(r, 0, cat.rank, &st.boxed_number)?;
                ws.write_number_with_format(r, 2, cat.count as f64, &st.boxed_number)?;
            }
            if r == kind_start || starts_page {
                let last = piece_end(r, kind_end) - 1;
                if last > r {
                    ws.merge_range(r, 3, last, 3, kind.kind, &st.boxed_center)?;
                } else {
                    ws.write_string_with_format(r, 3, kind.kind, &st.boxed_center)?;
                }
            }
            ws.write_string_with_format(r, 4, &cell.text, st.boxed_joined(open_top, open_bottom))?;
            beside(ws, r)?;
            r += 1;
        }
    }
    Ok(r)
}
