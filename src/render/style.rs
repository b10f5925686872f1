//! What every workbook shares: the Japanese font and cell formats, column
//! widths measured for full-width text, print setup, fixed document
//! properties, and the one way text reaches a cell.
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
use unicode_width::UnicodeWidthStr;

/// The font of Japanese Excel since 2016.
pub(crate) const FONT_NAME: &str = "游ゴシック";
const FONT_SIZE: f64 = 11.0;
/// SHIFTJIS_CHARSET: tells Excel the font is a Japanese one.
const FONT_CHARSET: u8 = 128;
/// Default row height and column width of 游ゴシック 11pt, in pixels
/// (18.75pt rows, 8.38-character columns, as Japanese Excel shows them).
const DEFAULT_ROW_PX: u32 = 25;
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

// ---------------------------------------------------------------- widths

/// Width of the widest line of `s` in East Asian width units (a full-width
/// character counts 2): about one Excel character unit each.
/// Lines a wrapped cell takes in a column `width` characters wide (full-width
/// characters count two): explicit line breaks plus soft wraps.
pub(crate) fn wrapped_lines(text: &str, width: usize) -> usize {
    text.split('\n')
        .map(|line| line_lines(display_width(line), width))
        .sum()
}

/// A text measured once, for a column width and then a row height: its
/// [`display_width`], or [`MULTILINE`] for a text of several lines (those
/// are measured line by line where their height is needed).
pub(crate) fn measure(text: &str) -> usize {
    if text.contains('\n') {
        MULTILINE
    } else {
        display_width(text)
    }
}

/// [`measure`]'s mark for a text of several lines.
pub(crate) const MULTILINE: usize = usize::MAX;

/// [`wrapped_lines`] of a text already [`measure`]d.
pub(crate) fn measured_lines(text: &str, measured: usize, width: usize) -> usize {
    match measured {
        MULTILINE => wrapped_lines(text, width),
        w => line_lines(w, width),
    }
}

/// Lines one line of text `line_width` wide takes in a column `width`
/// characters wide (at least 1).
pub(crate) fn line_lines(line_width: usize, width: usize) -> usize {
    let usable = width.saturating_sub(1).max(1);
    line_width.div_ceil(usable).max(1)
}

/// The default row height in points (one line of 11pt 游ゴシック).
pub(crate) const DEFAULT_ROW_POINTS: f64 = DEFAULT_ROW_PX as f64 * 0.75;

/// The height a row of `lines` lines gets, in points: the default for one.
pub(crate) fn lines_height(lines: usize) -> f64 {
    if lines > 1 {
        row_height_points(lines)
    } else {
        DEFAULT_ROW_POINTS
    }
}

/// Row height in points for `lines` lines of 11pt 游ゴシック. Set explicitly
/// because not every spreadsheet program fits wrapped rows on opening
/// (LibreOffice does not by default), and a clipped bullet list prints badly.
pub(crate) fn row_height_points(lines: usize) -> f64 {
    4.5 + 15.75 * lines as f64
}

pub(crate) fn display_width(s: &str) -> usize {
    s.split('\n').map(line_width).max().unwrap_or(0)
}

/// The width of one line, as unicode-width gives it in an East Asian
/// context: ambiguous characters (×, ○, ①, ※, →) count 2, as Japanese fonts
/// draw them full width. A line made only of ASCII, kana, CJK ideographs,
/// CJK punctuation and full-width forms (nearly every remark) is summed a
/// character at a time, which is exact there and several times faster; any
/// other character sends the whole line to unicode-width, whose rules for
/// sequences (emoji, variation selectors …) need it whole.
fn line_width(s: &str) -> usize {
    let mut width = 0;
    for c in s.chars() {
        match simple_width(c) {
            Some(w) => width += w,
            None => return UnicodeWidthStr::width_cjk(s),
        }
    }
    width
}

/// The width of a character that never combines with its neighbours.
fn simple_width(c: char) -> Option<usize> {
    match c {
        ' '..='~' => Some(1),
        '\u{3000}'..='\u{3029}'
        | '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{FF01}'..='\u{FF60}' => Some(2),
        _ => None,
    }
}

/// Column widths measured from the header and the values written, each
/// bounded by a column's own cap (long text wraps instead).
#[derive(Debug, Clone)]
pub(crate) struct Widths {
    max: Vec<usize>,
    caps: Vec<usize>,
}

impl Widths {
    /// Starts from the headers; `caps[i]` bounds column `i` (at most
    /// [`MAX_WIDTH`]).
    pub(crate) fn new(headers: &[&str], caps: &[usize]) -> Widths {
        debug_assert_eq!(headers.len(), caps.len());
        Widths {
            // +2: the autofilter button takes room beside the header text.
            max: headers.iter().map(|h| display_width(h) + 2).collect(),
            caps: caps.iter().map(|&c| c.min(MAX_WIDTH)).collect(),
        }
    }

    /// The summed width of columns `cols`, in characters.
    pub(crate) fn sum(&self, cols: std::ops::Range<usize>) -> usize {
        cols.map(|c| self.width(c)).sum()
    }

    /// Takes a value into account; cheap once the column reached its cap.
    pub(crate) fn feed(&mut self, col: usize, value: &str) {
        if let (Some(max), Some(&cap)) = (self.max.get_mut(col), self.caps.get(col)) {
            if *max < cap {
                *max = (*max).max(display_width(value));
            }
        }
    }

    /// [`Widths::feed`] with the value already [`measure`]d.
    pub(crate) fn feed_measured(&mut self, col: usize, value: &str, measured: usize) {
        if measured == MULTILINE {
            return self.feed(col, value);
        }
        if let (Some(max), Some(&cap)) = (self.max.get_mut(col), self.caps.get(col)) {
            if *max < cap {
                *max = (*max).max(measured);
            }
        }
    }

    /// The widths of some columns, in the order given.
    pub(crate) fn select(&self, columns: &[usize]) -> Widths {
        Widths {
            max: columns.iter().map(|&c| self.max[c]).collect(),
            caps: columns.iter().map(|&c| self.caps[c]).collect(),
        }
    }

    /// Adds `other`'s columns after these.
    pub(crate) fn append(&mut self, other: &Widths) {
        self.max.extend_from_slice(&other.max);
        self.caps.extend_from_slice(&other.caps);
    }

    /// The width column `col` gets: +1 so the last character is not hidden
    /// under the cell border.
    pub(crate) fn width(&self, col: usize) -> usize {
        (self.max[col] + 1).clamp(4, self.caps[col].max(4))
    }

    /// The printed width of columns `cols`, in points.
    pub(crate) fn points(&self, cols: std::ops::Range<usize>) -> f64 {
        super::print::columns_points(cols.map(|c| self.width(c)))
    }

    /// The lines the tallest of `headers` takes in these columns, leaving
    /// room for the autofilter button.
    pub(crate) fn header_lines(&self, headers: &[&str]) -> usize {
        headers
            .iter()
            .enumerate()
            .filter(|&(col, _)| col < self.max.len())
            .map(|(col, h)| wrapped_lines(h, self.width(col).saturating_sub(2)))
            .max()
            .unwrap_or(1)
    }

    pub(crate) fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for col in 0..self.max.len() {
            ws.set_column_width(col as u16, self.width(col) as f64)?;
        }
        Ok(())
    }

    /// Sets the height of `row` when one of its text cells wraps onto several
    /// lines at these widths. Call before writing the row (constant-memory
    /// sheets flush a row once the next one starts).
    pub(crate) fn fit_row(
        &self,
        ws: &mut Worksheet,
        row: u32,
        cells: &[Cell<'_>],
    ) -> Result<(), XlsxError> {
        set_row_lines(ws, row, self.row_lines(cells))
    }

    /// The lines the tallest text cell of a row takes at these widths (at
    /// least 1): what [`Widths::fit_row`] sets the height for.
    pub(crate) fn row_lines(&self, cells: &[Cell<'_>]) -> usize {
        cells
            .iter()
            .enumerate()
            .filter_map(|(col, c)| match c {
                Cell::Text(t) if col < self.max.len() && t.len() <= CELL_LIMIT => {
                    Some(wrapped_lines(t, self.width(col)))
                }
                _ => None,
            })
            .max()
            .unwrap_or(1)
    }

    /// [`Widths::row_lines`] of a row whose text cells were already
    /// [`measure`]d: `(column, text, measured)` for each.
    pub(crate) fn measured_row_lines<'t>(
        &self,
        cells: impl IntoIterator<Item = (usize, &'t str, usize)>,
    ) -> usize {
        cells
            .into_iter()
            .filter(|&(col, t, _)| col < self.max.len() && t.len() <= CELL_LIMIT)
            .map(|(col, t, m)| measured_lines(t, m, self.width(col)))
            .max()
            .unwrap_or(1)
    }

    /// Takes in column `from_col` of `other`, fed the values this column
    /// would be fed (same header width and cap): no need to measure again.
    pub(crate) fn merge_column(&mut self, col: usize, other: &Widths, from_col: usize) {
        if let (Some(max), Some(&o)) = (self.max.get_mut(col), other.max.get(from_col)) {
            *max = (*max).max(o);
        }
    }
}

/// Sets the height of `row` for `lines` lines of wrapped text (nothing for
/// one line: the default height fits it).
pub(crate) fn set_row_lines(ws: &mut Worksheet, row: u32, lines: usize) -> Result<(), XlsxError> {
    if lines > 1 {
        ws.set_row_height(row, row_height_points(lines))?;
    }
    Ok(())
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

/// Row heights for a long table: the line count most of its rows need
/// becomes the sheet's default row height, and only the other rows get a
/// height of their own. rust_xlsxwriter keeps about 350 bytes for every
/// row given a height until the file is saved, which for a 60,000-remark
/// archive is tens of MiB; most rows of a table need the same height.
pub(crate) struct RowHeights {
    default: usize,
}

impl RowHeights {
    /// Sets `ws`'s default row height from the line counts of its rows.
    pub(crate) fn new(ws: &mut Worksheet, lines: impl Iterator<Item = usize>) -> RowHeights {
        let mut counts: Vec<usize> = Vec::new();
        for n in lines {
            let n = n.max(1);
            if counts.len() <= n {
                counts.resize(n + 1, 0);
            }
            counts[n] += 1;
        }
        // The most common count; the fewest lines on a tie.
        let default = (1..counts.len())
            .max_by_key(|&n| (counts[n], std::cmp::Reverse(n)))
            .unwrap_or(1);
        if default > 1 {
            ws.set_default_row_height(row_height_points(default));
        }
        RowHeights { default }
    }

    /// Sets the height of `row` for `lines` lines, unless the default fits.
    pub(crate) fn set(&self, ws: &mut Worksheet, row: u32, lines: usize) -> Result<(), XlsxError> {
        let lines = lines.max(1);
        if lines == self.default {
            return Ok(());
        }
        let points = if lines == 1 {
            f64::from(DEFAULT_ROW_PX) * 0.75
        } else {
            row_height_points(lines)
        };
        ws.set_row_height(row, points)?;
        Ok(())
    }
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

    /// The sheet XML of the first worksheet of a saved workbook.
    fn first_sheet_xml(wb: &mut Workbook) -> String {
        use std::io::Read;
        let bytes = wb.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    /// The `r` of each `<row>`, in order.
    fn row_numbers(xml: &str) -> Vec<u32> {
        xml.split("<row r=\"")
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
            .collect()
    }

    /// The `ht` of each `<row>`, in order (None: no height written).
    fn row_heights(xml: &str) -> Vec<Option<String>> {
        xml.split("<row ")
            .skip(1)
            .map(|row| {
                let tag = &row[..row.find('>').unwrap()];
                tag.split("ht=\"")
                    .nth(1)
                    .map(|rest| rest[..rest.find('"').unwrap()].to_string())
            })
            .collect()
    }

    #[test]
    fn the_most_common_height_is_the_default_and_only_other_rows_carry_one() {
        // (rust_xlsxwriter writes the default height on rows without one of
        // their own; what matters is that it keeps no per-row record.)
        let lines = [1, 2, 2, 3, 2, 1];
        let mut wb = new_workbook("t").unwrap();
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        let heights = RowHeights::new(ws, lines.iter().copied());
        for (row, &n) in lines.iter().enumerate() {
            heights.set(ws, row as u32, n).unwrap();
            ws.write_string(row as u32, 0, "x").unwrap();
        }
        end_table(ws, &Styles::new(), lines.len() as u32).unwrap();
        let xml = first_sheet_xml(&mut wb);
        let two = row_height_points(2).to_string();
        assert!(
            xml.contains(&format!("defaultRowHeight=\"{two}\"")),
            "{xml}"
        );
        let one = (f64::from(DEFAULT_ROW_PX) * 0.75).to_string();
        let three = row_height_points(3).to_string();
        assert_eq!(
            row_heights(&xml),
            [&one, &two, &two, &three, &two, &one, &two].map(|h| Some(h.clone()))
        );
        assert_eq!(row_numbers(&xml), (1..=7).collect::<Vec<u32>>());
    }

    #[test]
    fn one_line_rows_keep_the_workbook_default() {
        let mut wb = new_workbook("t").unwrap();
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        let heights = RowHeights::new(ws, [1, 1, 4].into_iter());
        for (row, n) in [1, 1, 4].into_iter().enumerate() {
            heights.set(ws, row as u32, n).unwrap();
            ws.write_string(row as u32, 0, "x").unwrap();
        }
        end_table(ws, &Styles::new(), 3).unwrap();
        let xml = first_sheet_xml(&mut wb);
        let four = row_height_points(4).to_string();
        assert_eq!(row_heights(&xml), vec![None, None, Some(four), None]);
        assert_eq!(row_numbers(&xml), vec![1, 2, 3, 4], "no row twice");
    }

    /// Every character [`line_width`] sums itself has the width it is
    /// given, alone and beside others.
    #[test]
    fn line_width_agrees_with_unicode_width_on_its_fast_characters() {
        let fast = ('\0'..=char::MAX).filter(|&c| simple_width(c).is_some());
        for c in fast {
            let one = c.to_string();
            assert_eq!(
                line_width(&one),
                UnicodeWidthStr::width_cjk(one.as_str()),
                "{c:?}"
            );
            for pair in [
                format!("{c}あ"),
                format!("あ{c}"),
                format!("{c}a"),
                format!("a{c}"),
            ] {
                assert_eq!(
                    line_width(&pair),
                    UnicodeWidthStr::width_cjk(pair.as_str()),
                    "{pair:?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// Any text (the fast characters weighted up): unicode-width's CJK width.
        #[test]
        fn line_width_is_unicode_width(
            s in "[ -~\u{3000}-\u{3029}\u{3041}-\u{3096}\u{30A1}-\u{30FF}\u{4E00}-\u{9FFF}\u{FF01}-\u{FF60}\u{FE0E}\u{FE0F}\u{200D}\u{1F300}-\u{1F6FF}\u{0300}-\u{036F}\u{FF61}-\u{FF9F}]{0,40}|\\PC{0,40}"
        ) {
            proptest::prop_assert_eq!(line_width(&s), UnicodeWidthStr::width_cjk(s.as_str()));
        }
    }

    #[test]
    fn widths_count_full_width_as_two() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("薬剤師"), 6);
        assert_eq!(display_width("短い\nとても長い行です"), 16);
    }

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
