//! Text measured for column widths and row heights: full-width characters
//! count two, a wrapped cell's lines follow from its column's width, and a
//! row's height from its lines. Every renderer sizes its cells with these,
//! and the print plan ([`super::print`]) counts pages with the same heights.

use rust_xlsxwriter::{Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::style::{Cell, CELL_LIMIT, DEFAULT_ROW_PX, MAX_WIDTH};

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

/// Width of the widest line of `s` in East Asian width units (a full-width
/// character counts 2): about one Excel character unit each.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::style::{end_table, new_workbook, Styles};
    use rust_xlsxwriter::Workbook;

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
}
