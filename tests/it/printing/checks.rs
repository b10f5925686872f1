//! The print checks of SPEC §5 over a read-back workbook. Each returns the
//! problems it found, one line each, so a test reports them all at once.
//!
//! Widths are in Excel's stored column units (characters of the default
//! font, 游ゴシック 11 pt, padding included); text is measured as the
//! renderers measure it, a full-width character counting 2 (it draws a
//! little narrower, about 1.83), so a check never passes a text that does
//! not fit.

use unicode_width::UnicodeWidthStr;

use super::book::{inside, Book, CellBox, CellData, Sheet};

/// Line height of text, as a multiple of its size.
const LINE: f64 = 1.3;
/// A column's padding, in stored width units.
const PADDING: f64 = 0.625;
/// The default font's size: widths are in its characters.
const DEFAULT_POINTS: f64 = 11.0;

/// The smallest text a workbook may print: 9 pt for what is handed over
/// (ランキング, the feedback books), else 8 pt.
pub fn min_points(book: &Book) -> f64 {
    let name = book.path.file_name().unwrap().to_string_lossy();
    let parent = book.path.parent().and_then(|p| p.file_name());
    if name == "ランキング.xlsx" || parent.is_some_and(|p| p == "フィードバック") {
        9.0
    } else {
        8.0
    }
}

fn label(book: &Book, sheet: &Sheet) -> String {
    format!(
        "{}/{}",
        book.path.file_name().unwrap().to_string_lossy(),
        sheet.name
    )
}

/// Lines a text takes in a box `width` units wide, at `points`.
pub fn lines(text: &str, width: f64, points: f64) -> usize {
    let usable = (width - PADDING).max(0.5);
    text.split('\n')
        .map(|l| {
            let w = l.width_cjk() as f64 * points / DEFAULT_POINTS;
            ((w / usable - 1e-9).ceil() as usize).max(1)
        })
        .sum()
}

fn box_width(sheet: &Sheet, b: CellBox) -> f64 {
    (b.0..=b.2).map(|c| sheet.width(c)).sum()
}

fn box_height(sheet: &Sheet, b: CellBox) -> f64 {
    (b.1..=b.3).map(|r| sheet.height(r)).sum()
}

/// The printed width of a column, in points: 8 px a character, 96 px an
/// inch (the stored width already holds the padding).
fn column_points(width: f64) -> f64 {
    width * 6.0
}

/// Printable width and height between the margins, in points.
fn printable(sheet: &Sheet) -> (f64, f64) {
    let (w, h) = match sheet.page.paper {
        8 => (841.89, 1190.55),
        _ => (595.28, 841.89),
    };
    let (w, h) = if sheet.page.landscape { (h, w) } else { (w, h) };
    let [l, r, t, b] = sheet.page.margins;
    (w - (l + r) * 72.0, h - (t + b) * 72.0)
}

/// The print scale as a fraction: the fixed scale, or what fitting the
/// printed columns (and rows, when fitted to one page tall) to the page
/// gives, floored to a whole percent as Excel does.
pub fn scale(sheet: &Sheet) -> f64 {
    let page = &sheet.page;
    if !page.fit_to_page {
        return f64::from(page.scale) / 100.0;
    }
    let area = sheet.printed();
    let (pw, ph) = printable(sheet);
    let width: f64 = (area.0..=area.2)
        .map(|c| column_points(sheet.width(c)))
        .sum();
    let mut s = (f64::from(page.fit_width.max(1)) * pw / width).min(1.0);
    if page.fit_height > 0 {
        let height: f64 = (area.1..=area.3).map(|r| sheet.height(r)).sum();
        s = s.min(f64::from(page.fit_height) * ph / height);
    }
    (s * 100.0).floor().max(10.0) / 100.0
}

/// The cells that print: in the printed range, not hidden, not under a
/// merge, with a value.
pub fn printed_cells(sheet: &Sheet) -> impl Iterator<Item = &CellData> {
    let area = sheet.printed();
    sheet.cells.iter().filter(move |c| {
        (c.text.as_deref().is_some_and(|t| !t.is_empty()) || c.number.is_some())
            && inside((c.col, c.row), area)
            && !sheet.is_hidden(c)
            && !sheet.is_covered(c)
    })
}

/// Header rows: rows of at least two printed cells, all shaded.
pub fn header_rows(book: &Book, sheet: &Sheet) -> Vec<u32> {
    let mut rows: std::collections::BTreeMap<u32, (usize, bool)> = Default::default();
    for c in printed_cells(sheet) {
        let e = rows.entry(c.row).or_insert((0, true));
        e.0 += 1;
        e.1 &= book.xf(c).filled;
    }
    rows.into_iter()
        .filter(|(_, (n, filled))| *n >= 2 && *filled)
        .map(|(r, _)| r)
        .collect()
}

/// Every printed text × the scale is at least the minimum; chart text too.
pub fn readable(book: &Book, sheet: &Sheet, problems: &mut Vec<String>) {
    let min = min_points(book);
    let s = scale(sheet);
    let smallest = printed_cells(sheet)
        .map(|c| book.font(c).size)
        .chain(
            sheet
                .charts
                .iter()
                .flat_map(|c| c.font_sizes.iter().copied()),
        )
        .fold(f64::INFINITY, f64::min);
    if smallest.is_finite() && smallest * s < min - 1e-9 {
        problems.push(format!(
            "{}: text of {smallest} pt prints at {:.1} pt (scale {:.0}%), below {min}",
            label(book, sheet),
            smallest * s,
            s * 100.0
        ));
    }
}

/// Every wrapped text has the lines it needs, header rows included; a
/// header that does not wrap fits its column.
pub fn rows_fit(book: &Book, sheet: &Sheet, problems: &mut Vec<String>) {
    let headers = header_rows(book, sheet);
    for c in printed_cells(sheet) {
        let Some(text) = c.text.as_deref() else {
            continue;
        };
        let b = sheet.box_of(c);
        let size = book.font(c).size;
        let need = lines(text, box_width(sheet, b), size);
        let fits = if book.xf(c).wrap {
            box_height(sheet, b) + 1e-6 >= need as f64 * LINE * size
        } else {
            // Text that does not wrap may run on to the right, except in a
            // header, where it would be cut by the next column's header.
            !headers.contains(&c.row) || need == 1
        };
        if !fits {
            problems.push(format!(
                "{}: {} {:?} needs {need} lines, row height {}",
                label(book, sheet),
                cell_name(c),
                text.chars().take(20).collect::<String>(),
                box_height(sheet, b)
            ));
        }
    }
}

fn cell_name(c: &CellData) -> String {
    let mut col = c.col;
    let mut letters = String::new();
    while col > 0 {
        let r = (col - 1) % 26;
        letters.insert(0, (b'A' + r as u8) as char);
        col = (col - 1) / 26;
    }
    format!("{letters}{}", c.row)
}

/// Charts: rank 1 at the top (category axis reversed), bars growing
/// rightwards (value axis not reversed), inside the print area, printed,
/// and tall enough for every category's label.
pub fn charts(book: &Book, sheet: &Sheet, problems: &mut Vec<String>) {
    for ch in &sheet.charts {
        let name = label(book, sheet);
        if ch.category_axes.iter().any(|o| o != "maxMin") {
            problems.push(format!(
                "{name}: category axis not reversed (rank 1 at the bottom)"
            ));
        }
        if ch.value_axes.iter().any(|o| o != "minMax") {
            problems.push(format!("{name}: value axis reversed (bars grow leftwards)"));
        }
        let area = sheet.printed();
        if !inside((ch.anchor.0, ch.anchor.1), area) || !inside((ch.anchor.2, ch.anchor.3), area) {
            problems.push(format!(
                "{name}: chart at {:?} outside the print area {area:?}",
                ch.anchor
            ));
        }
        if !ch.prints {
            problems.push(format!("{name}: chart does not print"));
        }
        let per_category = ch.height / f64::from(ch.categories.max(1) + 3);
        let label_points = ch.font_sizes.iter().copied().fold(0.0, f64::max);
        if per_category < label_points * LINE {
            problems.push(format!(
                "{name}: {} categories in a chart {:.0} pt tall",
                ch.categories, ch.height
            ));
        }
    }
}

/// Sheets that only feed dropdown lists are hidden.
pub fn helpers_hidden(book: &Book, problems: &mut Vec<String>) {
    for sheet in &book.sheets {
        let feeds = book.sheets.iter().any(|other| {
            other.list_sources.iter().any(|f| {
                let target = f.trim_start_matches('=').rsplit_once('!').map(|(s, _)| s);
                target.is_some_and(|t| t.trim_matches('\'') == sheet.name)
            })
        });
        if (feeds || sheet.name == "選択肢") && !sheet.hidden {
            problems.push(format!("{}: helper sheet is visible", label(book, sheet)));
        }
    }
}

/// A sheet printed at a fixed scale with its own page breaks: each page's
/// rows (with the repeated header) fit the paper, so no other break
/// happens; no merged cell spans a break; a table row starting a page shows
/// its category (column B) again.
pub fn page_breaks(book: &Book, sheet: &Sheet, problems: &mut Vec<String>) {
    if sheet.row_breaks.is_empty() || sheet.page.fit_to_page {
        return;
    }
    let name = label(book, sheet);
    let s = scale(sheet);
    let (_, ph) = printable(sheet);
    let area = sheet.printed();
    let titles = sheet.title_rows;
    let title_height = titles.map_or(0.0, |(a, b)| (a..=b).map(|r| sheet.height(r)).sum());
    let mut starts = vec![area.1];
    starts.extend(sheet.row_breaks.iter().map(|b| b + 1));
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(area.3, |next| next - 1);
        let repeated = if i > 0 { title_height } else { 0.0 };
        let height = repeated + (start..=end).map(|r| sheet.height(r)).sum::<f64>();
        if height * s > ph + 1e-6 {
            problems.push(format!(
                "{name}: rows {start}-{end} are {:.0} pt on paper, the page holds {ph:.0}",
                height * s
            ));
        }
        if i > 0 {
            let row_used = (1..=5).any(|col| sheet.cell(col, start).is_some_and(has_value));
            let category = sheet.cell(2, start).is_some_and(has_value);
            if row_used && !category {
                problems.push(format!(
                    "{name}: page starting at row {start} shows no category"
                ));
            }
        }
    }
    for m in &sheet.merges {
        if sheet.row_breaks.iter().any(|&b| m.1 <= b && b < m.3) {
            problems.push(format!("{name}: merged cells {m:?} split by a page break"));
        }
    }
}

fn has_value(c: &CellData) -> bool {
    c.number.is_some() || c.text.as_deref().is_some_and(|t| !t.is_empty())
}
