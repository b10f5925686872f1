//! What every workbook shares: the Japanese font and cell formats, fixed
//! document properties, and the one way text reaches a cell (widths and
//! heights are measured in [`super::measure`], pages planned in
//! [`super::print`]).
//!
//! The users read these workbooks in Japanese Excel and print them on A4, so
//! each sheet gets the same treatment here instead of each renderer
//! remembering it. Two Excel limits are enforced here too: text is always
//! written with `write_string` (a remark `=SUM(A1)` stays text), and no cell
//! gets more than 32,767 UTF-16 units — longer text continues on the next
//! row, nothing is cut.

use std::borrow::Cow;

use rust_xlsxwriter::{
    ChartFont, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

use super::measure::{set_row_lines, wrapped_lines};

/// The font of Japanese Excel since 2016.
pub(crate) const FONT_NAME: &str = "游ゴシック";
const FONT_SIZE: f64 = 11.0;
/// SHIFTJIS_CHARSET: tells Excel the font is a Japanese one.
const FONT_CHARSET: u8 = 128;
/// Default row height and column width of 游ゴシック 11pt, in pixels
/// (18.75pt rows, 8.38-character columns, as Japanese Excel shows them).
pub(crate) const DEFAULT_ROW_PX: u32 = 25;
const DEFAULT_COL_PX: u32 = 72;

/// Excel's limit for one cell's text, in UTF-16 code units.
pub(crate) const CELL_LIMIT: usize = 32_767;

/// Marks the continuation of one text that did not fit in one cell.
pub(crate) const CONTINUED: &str = "（続き）";

/// Widest column we make, in Excel character units.
pub(crate) const MAX_WIDTH: usize = 80;

/// A fixed creation time, so reruns on the same inputs give the same files.
fn fixed_creation_time() -> ExcelDateTime {
    ExcelDateTime::from_ymd(2024, 4, 1).expect("a valid fixed date")
}

/// The base format: every format starts from it, so every cell is in 游ゴシック.
pub(crate) fn base_format() -> Format {
    Format::new()
        .set_font_name(FONT_NAME)
        .set_font_size(FONT_SIZE)
        .set_font_charset(FONT_CHARSET)
}

/// Table text: wrapped, top aligned.
fn text_format() -> Format {
    base_format().set_text_wrap().set_align(FormatAlign::Top)
}

/// A new workbook with the Japanese default font and fixed properties.
///
/// Table text (wrapped, top aligned) is the workbook's default format:
/// cells in it are written without a format, which saves a format lookup per
/// cell — most of the time of a large sheet. Other formats are explicit.
/// The fastest compression level keeps saving a 60,000-remark archive quick;
/// the files are somewhat larger.
pub(crate) fn new_workbook(title: &str) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_default_format(&text_format(), DEFAULT_ROW_PX, DEFAULT_COL_PX)?;
    workbook.set_zip_compression_level(1);
    let properties = DocProperties::new()
        .set_title(title)
        .set_author("renkei")
        .set_creation_datetime(&fixed_creation_time());
    workbook.set_properties(&properties);
    Ok(workbook)
}

/// The cell formats, created once per workbook and shared by its sheets.
#[derive(Debug, Clone)]
pub(crate) struct Styles {
    /// Header row: bold, shaded, bordered, wrapped, centred.
    pub header: Format,
    /// Table text: wrapped, top aligned. The workbook's default format
    /// ([`new_workbook`]): table cells are written without a format.
    pub text: Format,
    /// Table date: `yyyy/m/d`, top aligned.
    pub date: Format,
    /// Text of a bordered table (the 例② layout).
    pub boxed_text: Format,
    /// The same without the rule above, below, or both: one list continued
    /// over several rows reads as one cell.
    pub boxed_open: [Format; 3],
    /// Text of a bordered table, centred both ways (merged 順位/カテゴリ/件数).
    pub boxed_center: Format,
    /// Number of a bordered table, centred both ways.
    pub boxed_number: Format,
    /// Sheet title.
    pub title: Format,
    /// Labels of a title block (期間, 会議 …): bold, top aligned like
    /// their values (a label beside a value of several lines sits level
    /// with its first line).
    pub label: Format,
    /// Values of a title block: not wrapped, so they run on to the right;
    /// top aligned.
    pub plain: Format,
    /// A long value of a title block (the cover's sentences): wrapped.
    pub paragraph: Format,
    /// Totals rows: bold with a rule above; the text wraps.
    pub total_text: Format,
    pub total_number: Format,
}

impl Styles {
    pub(crate) fn new() -> Styles {
        let base = base_format();
        let boxed = base.clone().set_border(FormatBorder::Thin);
        Styles {
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(0xDDEBF7)
                .set_border(FormatBorder::Thin),
            text: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            date: base
                .clone()
                .set_num_format("yyyy/m/d")
                .set_align(FormatAlign::Top)
                .set_align(FormatAlign::Left),
            boxed_text: boxed.clone().set_text_wrap().set_align(FormatAlign::Top),
            boxed_open: [
                (FormatBorder::None, FormatBorder::Thin),
                (FormatBorder::Thin, FormatBorder::None),
                (FormatBorder::None, FormatBorder::None),
            ]
            .map(|(top, bottom)| {
                boxed
                    .clone()
                    .set_text_wrap()
                    .set_align(FormatAlign::Top)
                    .set_border_top(top)
                    .set_border_bottom(bottom)
            }),
            boxed_center: boxed
                .clone()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            boxed_number: boxed
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            title: base.clone().set_bold().set_font_size(14),
            label: base.clone().set_bold().set_align(FormatAlign::Top),
            plain: base.clone().set_align(FormatAlign::Top),
            paragraph: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            total_text: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_border_top(FormatBorder::Thin),
            total_number: base
                .set_bold()
                .set_align(FormatAlign::Top)
                .set_border_top(FormatBorder::Thin),
        }
    }
}

impl Styles {
    /// The 意見 format of a row of a list continued over several rows:
    /// open to the row above and/or below it.
    pub(crate) fn boxed_joined(&self, open_top: bool, open_bottom: bool) -> &Format {
        match (open_top, open_bottom) {
            (false, false) => &self.boxed_text,
            (true, false) => &self.boxed_open[0],
            (false, true) => &self.boxed_open[1],
            (true, true) => &self.boxed_open[2],
        }
    }

    /// Gives every format its index in `wb` now, in this fixed order. A
    /// format otherwise gets the next index when a sheet first uses it, and
    /// sheets written on several threads at once would number them in a
    /// different order on each run, so two runs' files would differ.
    pub(crate) fn register(&self, wb: &mut Workbook) {
        for format in [
            &self.header,
            &self.text,
            &self.date,
            &self.boxed_text,
            &self.boxed_open[0],
            &self.boxed_open[1],
            &self.boxed_open[2],
            &self.boxed_center,
            &self.boxed_number,
            &self.title,
            &self.label,
            &self.plain,
            &self.paragraph,
            &self.total_text,
            &self.total_number,
        ] {
            wb.register_format(format);
        }
    }
}

/// Chart text in the same font as the cells.
pub(crate) fn chart_font() -> ChartFont {
    let mut font = ChartFont::new();
    font.set_name(FONT_NAME).set_character_set(FONT_CHARSET);
    font
}

/// Ends a table written in constant-memory mode at `next_row` (the row
/// after its last): rust_xlsxwriter 0.102 writes the last row of such a
/// sheet twice when that row has a height of its own, and Excel then calls
/// the file damaged. An empty formatted cell in the next row becomes the
/// last row instead (no height, nothing visible).
pub(crate) fn end_table(ws: &mut Worksheet, st: &Styles, next_row: u32) -> Result<(), XlsxError> {
    ws.write_blank(next_row, 0, &st.plain)?;
    Ok(())
}

// ---------------------------------------------------------------- header

/// Writes a header row.
pub(crate) fn write_header(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    headers: &[&str],
) -> Result<(), XlsxError> {
    for (col, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, col as u16, *h, &st.header)?;
    }
    Ok(())
}

/// Writes a note below a table, wrapped over columns `0..=last_col`
/// (`width` characters together), its row as tall as its lines: a long
/// unwrapped note would run past the printed columns and be cut there.
pub(crate) fn write_note(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    last_col: u16,
    width: usize,
    text: &str,
) -> Result<(), XlsxError> {
    set_row_lines(ws, row, wrapped_lines(text, width))?;
    if last_col == 0 {
        ws.write_string_with_format(row, 0, text, &st.paragraph)?;
    } else {
        ws.merge_range(row, 0, row, last_col, text, &st.paragraph)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- cell limit

pub(crate) fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Packs lines into cell texts of at most `limit` UTF-16 units, lines joined
/// by `\n` and never split between cells unless one line alone is over the
/// limit: such a line is cut into pieces, each piece after the first starting
/// with `（続き）`. Joining the result with `\n` (and dropping the markers)
/// gives back the input.
pub(crate) fn pack_lines<'a, I>(lines: I, limit: usize) -> Vec<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let marker = utf16_len(CONTINUED);
    debug_assert!(limit > marker);
    let mut cells: Vec<String> = Vec::new();
    // The cell being filled and its length; `None` before its first line.
    let mut current: Option<(String, usize)> = None;
    for line in lines {
        let len = utf16_len(line);
        if len > limit {
            cells.extend(current.take().map(|(text, _)| text));
            cells.extend(cut_line(line, limit, marker));
            continue;
        }
        match current.as_mut() {
            Some((text, used)) if *used + 1 + len <= limit => {
                text.push('\n');
                text.push_str(line);
                *used += 1 + len;
            }
            _ => {
                cells.extend(current.take().map(|(text, _)| text));
                current = Some((line.to_string(), len));
            }
        }
    }
    cells.extend(current.map(|(text, _)| text));
    cells
}

/// Cuts one over-long line into cells: the first up to `limit` units, the
/// others `（続き）` + up to `limit - marker` units.
fn cut_line(line: &str, limit: usize, marker: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut used = 0;
    let mut room = limit;
    for c in line.chars() {
        let w = c.len_utf16();
        if used + w > room {
            pieces.push(std::mem::take(&mut piece));
            piece.push_str(CONTINUED);
            used = 0;
            room = limit - marker;
        }
        piece.push(c);
        used += w;
    }
    pieces.push(piece);
    pieces
}

/// The cells one text needs: itself when it fits (the usual case, no copy),
/// else its lines packed by [`pack_lines`].
pub(crate) fn split_cell(text: &str) -> Vec<Cow<'_, str>> {
    // UTF-8 bytes ≥ UTF-16 units, so a short byte length settles it.
    if text.len() <= CELL_LIMIT || utf16_len(text) <= CELL_LIMIT {
        return vec![Cow::Borrowed(text)];
    }
    pack_lines(text.split('\n'), CELL_LIMIT)
        .into_iter()
        .map(Cow::Owned)
        .collect()
}

// ---------------------------------------------------------------- records

/// One cell of a table row.
#[derive(Clone, Copy)]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Date(&'a ExcelDateTime),
    Blank,
}

impl Cell<'_> {
    /// The text for width measuring (numbers and dates are narrow).
    pub(crate) fn text(&self) -> &str {
        match self {
            Cell::Text(t) => t,
            _ => "",
        }
    }
}

fn write_cell(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    col: u16,
    cell: &Cell<'_>,
) -> Result<(), XlsxError> {
    match *cell {
        // An empty text is simply an empty cell.
        Cell::Text("") | Cell::Blank => {}
        // No format: the default is `st.text`.
        Cell::Text(t) => {
            ws.write_string(row, col, t)?;
        }
        // Top aligned like the text beside it.
        Cell::Number(n) => {
            ws.write_number(row, col, n)?;
        }
        Cell::Date(d) => {
            ws.write_date_with_format(row, col, d, &st.date)?;
        }
    }
    Ok(())
}

/// Writes one record from `row` on and returns the rows used: 1, unless a
/// text is over the cell limit; then its remaining pieces go on the next
/// rows (`（続き）` marks a cut inside a line), with column `key` (the ID)
/// repeated so the rows stay together when sorted or filtered. Rows are
/// written in order, as constant-memory sheets require.
pub(crate) fn write_record(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    cells: &[Cell<'_>],
    key: Option<usize>,
) -> Result<u32, XlsxError> {
    let fits = cells
        .iter()
        .all(|c| !matches!(c, Cell::Text(t) if t.len() > CELL_LIMIT));
    if fits {
        for (col, cell) in cells.iter().enumerate() {
            write_cell(ws, st, row, col as u16, cell)?;
        }
        return Ok(1);
    }
    let pieces: Vec<Vec<Cow<'_, str>>> = cells
        .iter()
        .map(|c| match c {
            Cell::Text(t) => split_cell(t),
            _ => Vec::new(),
        })
        .collect();
    let rows = pieces.iter().map(Vec::len).max().unwrap_or(1).max(1);
    for r in 0..rows {
        for (col, cell) in cells.iter().enumerate() {
            let value = match cell {
                Cell::Text(_) => match pieces[col].get(r) {
                    Some(p) => Cell::Text(p),
                    None if Some(col) == key => Cell::Text(&pieces[col][0]),
                    None => Cell::Blank,
                },
                other if r == 0 => *other,
                _ => Cell::Blank,
            };
            write_cell(ws, st, row + r as u32, col as u16, &value)?;
        }
    }
    Ok(rows as u32)
}

/// A date for a date cell; `None` when Excel cannot show it (before 1900).
pub(crate) fn excel_date(date: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    let year = u16::try_from(date.year()).ok()?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

/// `2022/4/1`: how Japanese Excel shows a date.
pub(crate) fn date_text(date: chrono::NaiveDate) -> String {
    date.format("%Y/%-m/%-d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_lines_keeps_everything() {
        let lines: Vec<String> = (0..50).map(|i| format!("・意見{i}")).collect();
        let cells = pack_lines(lines.iter().map(String::as_str), 40);
        assert!(cells.len() > 1);
        assert!(cells.iter().all(|c| utf16_len(c) <= 40));
        assert_eq!(cells.join("\n"), lines.join("\n"));
    }

    #[test]
    fn an_over_long_line_is_cut_with_markers() {
        let line = "あ".repeat(25);
        let cells = pack_lines(["前", line.as_str(), "後"], 10);
        assert!(cells.iter().all(|c| utf16_len(c) <= 10));
        assert_eq!(cells[0], "前");
        assert!(cells[2].starts_with(CONTINUED));
        let rebuilt: Vec<String> = cells.iter().map(|c| c.replace(CONTINUED, "")).collect();
        assert_eq!(rebuilt[1..rebuilt.len() - 1].concat(), line);
        assert_eq!(cells.last().unwrap(), "後");
    }

    #[test]
    fn astral_characters_are_not_split() {
        let line = "𠮷".repeat(9); // 18 units
        let cells = pack_lines([line.as_str()], 10);
        assert!(cells.iter().all(|c| utf16_len(c) <= 10));
        let rebuilt: String = cells.iter().map(|c| c.replace(CONTINUED, "")).collect();
        assert_eq!(rebuilt, line);
    }

    #[test]
    fn short_text_is_not_copied() {
        assert!(matches!(split_cell("短い")[0], Cow::Borrowed(_)));
    }
}
