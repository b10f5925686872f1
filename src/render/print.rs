//! How sheets print: paper, margins, scale, repeated header rows, and where
//! pages break in a table whose blocks belong together.
//!
//! Staff print these workbooks and hand them over on paper, and SPEC §5 asks
//! that every visible sheet print legibly: body text at least 8 pt on paper
//! (9 pt for what is handed over). A sheet's printed size is its font times
//! the print scale, and the scale follows from the printed columns' widths,
//! so the renderers choose those widths (and the columns that print) with
//! the arithmetic here, and the tests check the written files with the same
//! arithmetic read back.

use rust_xlsxwriter::{Worksheet, XlsxError};

/// Smallest body text on paper (font × print scale), in points.
pub(crate) const MIN_POINTS: f64 = 8.0;
/// The same for what is handed over: ランキング and the feedback workbooks.
pub(crate) const MIN_POINTS_HANDOUT: f64 = 9.0;
/// The body font size (style::FONT_SIZE), for the scale those need.
const BODY_POINTS: f64 = 11.0;

/// Page margins in inches: narrower at the sides than Excel's default
/// (0.7") so a wide table prints larger; top and bottom leave room for the
/// page number in the footer.
const MARGIN_SIDE: f64 = 0.4;
const MARGIN_TOP: f64 = 0.6;
const MARGIN_BOTTOM: f64 = 0.6;
const MARGIN_HEADER: f64 = 0.3;

/// A fixed scale is computed with this much room to spare, for the
/// programs' rounding of column widths and row heights to pixels.
const SLACK: f64 = 0.98;

/// The widest a character of column width may print, in pixels: the
/// digit of DejaVu Sans 11 pt, which LibreOffice measures widths with when
/// 游ゴシック is not installed (Excel: 8). A fixed scale must hold the table
/// in any program, or its last columns print on pages of their own.
const WIDEST_DIGIT_PX: f64 = 9.33;

/// Paper sizes, in Excel's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paper {
    A4,
    /// Only for a table that cannot be read on A4 (a cross table of many
    /// professions).
    A3,
}

impl Paper {
    /// Width and height in points, portrait.
    fn size(self) -> (f64, f64) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::A3 => (841.89, 1190.55),
        }
    }

    fn code(self) -> u8 {
        match self {
            Paper::A4 => 9,
            Paper::A3 => 8,
        }
    }
}

/// A printed page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub paper: Paper,
    pub landscape: bool,
}

impl Page {
    pub(crate) const A4_PORTRAIT: Page = Page {
        paper: Paper::A4,
        landscape: false,
    };
    pub(crate) const A4_LANDSCAPE: Page = Page {
        paper: Paper::A4,
        landscape: true,
    };

    /// The printable width between the margins, in points.
    pub(crate) fn width(self) -> f64 {
        let (w, h) = self.paper.size();
        (if self.landscape { h } else { w }) - 2.0 * MARGIN_SIDE * 72.0
    }

    /// The printable height between the margins, in points.
    pub(crate) fn height(self) -> f64 {
        let (w, h) = self.paper.size();
        (if self.landscape { w } else { h }) - (MARGIN_TOP + MARGIN_BOTTOM) * 72.0
    }

    /// The scale, in whole percent up to 100, at which columns `width`
    /// points wide fill the page's width: what fit-to-width gives.
    pub(crate) fn fit_scale(self, width: f64) -> u16 {
        if width <= self.width() {
            return 100;
        }
        ((self.width() / width * 100.0).floor() as u16).max(10)
    }

    /// The page for a table `width` points wide: A4 portrait when it fits
    /// there at full size, else A4 landscape, unless its text would print
    /// below `min_points` there too; then A3 landscape.
    pub(crate) fn for_width(width: f64, min_points: f64) -> Page {
        if width <= Page::A4_PORTRAIT.width() {
            return Page::A4_PORTRAIT;
        }
        if points_at(Page::A4_LANDSCAPE.fit_scale(width)) >= min_points {
            return Page::A4_LANDSCAPE;
        }
        Page {
            paper: Paper::A3,
            landscape: true,
        }
    }
}

/// The printed size of the body text at `scale` percent.
pub(crate) fn points_at(scale: u16) -> f64 {
    BODY_POINTS * f64::from(scale) / 100.0
}

/// Printed width of a column `chars` characters wide, in points: 8 px per
/// character of 游ゴシック 11 pt and 5 px of padding, at 96 px an inch,
/// which the file stores as `chars + 0.625`; counted once more, as
/// estimates that read the stored width as characters without padding do
/// (so a sheet passes those too).
pub(crate) fn column_points(chars: f64) -> f64 {
    (chars + 0.625) * 6.0 + 3.75
}

/// Total printed width of columns of these widths (characters), in points.
pub(crate) fn columns_points(widths: impl IntoIterator<Item = usize>) -> f64 {
    widths.into_iter().map(|w| column_points(w as f64)).sum()
}

/// How a sheet is scaled on paper.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scale {
    /// Fit to one page wide, as long as needed: the program computes the
    /// scale (robust to its own column widths), but ignores manual breaks.
    FitWidth,
    /// Fit to one page: a form that is one sheet of paper.
    FitPage,
    /// A fixed percentage: the page breaks set on the sheet are kept.
    Percent(u16),
}

/// Paper, orientation, margins, scale and the page number in the footer;
/// with a header row, that row is frozen on screen and repeated on every
/// printed page.
pub(crate) fn setup(
    ws: &mut Worksheet,
    page: Page,
    scale: Scale,
    header_row: Option<u32>,
) -> Result<(), XlsxError> {
    ws.set_paper_size(page.paper.code());
    if page.landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_margins(
        MARGIN_SIDE,
        MARGIN_SIDE,
        MARGIN_TOP,
        MARGIN_BOTTOM,
        MARGIN_HEADER,
        MARGIN_HEADER,
    );
    match scale {
        Scale::FitWidth => {
            ws.set_print_fit_to_pages(1, 0);
        }
        Scale::FitPage => {
            ws.set_print_fit_to_pages(1, 1);
        }
        Scale::Percent(p) => {
            ws.set_print_scale(p);
        }
    }
    ws.set_footer("&P / &N");
    if let Some(row) = header_row {
        ws.set_repeat_rows(row, row)?;
        ws.set_freeze_panes(row + 1, 0)?;
    }
    Ok(())
}

/// A table printed to the page's width: the page [`Page::for_width`]
/// chooses for its printed columns, `width` points wide. Its gridlines
/// print: the lists have no borders of their own, and on paper a number
/// right-aligned in one column otherwise runs into the text of the next
/// (`26` and `5行目` in 取込結果 read as 265行目).
pub(crate) fn table(
    ws: &mut Worksheet,
    width: f64,
    min_points: f64,
    header_row: Option<u32>,
) -> Result<Page, XlsxError> {
    let page = Page::for_width(width, min_points);
    setup(ws, page, Scale::FitWidth, header_row)?;
    ws.set_print_gridlines(true);
    Ok(page)
}

/// The fixed scale at which columns of these widths (characters) fit
/// across `page` in any program (see [`WIDEST_DIGIT_PX`] and [`SLACK`]).
pub(crate) fn fixed_scale(page: Page, widths: impl IntoIterator<Item = usize>) -> u16 {
    let widest: f64 = widths
        .into_iter()
        .map(|w| (w as f64 + 0.625) * WIDEST_DIGIT_PX * 0.75)
        .sum();
    page.fit_scale(widest / SLACK)
}

/// The height of sheet rows that fits on one printed page at `scale`
/// percent, with room to spare (see [`SLACK`]).
pub(crate) fn page_rows_height(page: Page, scale: u16) -> f64 {
    page.height() * 100.0 / f64::from(scale) * SLACK
}

/// Lays rows out on pages, for a table printed at a fixed scale: a block of
/// rows (a category's) starts on a new page unless it fits whole on the
/// current one; a block taller than a page fills the page and continues on
/// the next, broken between rows. Heights are in sheet points.
#[derive(Debug)]
pub(crate) struct Pages {
    /// Room on a page below the repeated header row.
    capacity: f64,
    /// Room left on the current page.
    left: f64,
    /// The next row to place.
    row: u32,
    /// Rows before which a page starts.
    breaks: Vec<u32>,
}

impl Pages {
    /// `capacity`: a page's room below its repeated header row; `left`: the
    /// room left on the first page when the table starts at `row`.
    pub(crate) fn new(capacity: f64, left: f64, row: u32) -> Pages {
        Pages {
            capacity,
            left,
            row,
            breaks: Vec::new(),
        }
    }

    /// The row the next block starts at.
    pub(crate) fn row(&self) -> u32 {
        self.row
    }

    /// Whether `height` fits in what is left of the current page.
    pub(crate) fn fits(&self, height: f64) -> bool {
        height <= self.left + 1e-6
    }

    /// Starts a new page at the next row.
    pub(crate) fn new_page(&mut self) {
        if self.breaks.last() != Some(&self.row) {
            self.breaks.push(self.row);
        }
        self.left = self.capacity;
    }

    /// Places one block of rows of these heights.
    pub(crate) fn block(&mut self, heights: &[f64]) {
        let total: f64 = heights.iter().sum();
        let fresh = self.left >= self.capacity - 1e-6;
        if !self.fits(total)
            && !fresh
            && (total <= self.capacity || self.left < self.capacity / 2.0)
        {
            self.new_page();
        }
        for &h in heights {
            if !self.fits(h) && self.left < self.capacity - 1e-6 {
                self.new_page();
            }
            self.left -= h;
            self.row += 1;
        }
    }

    /// The rows before which pages start.
    pub(crate) fn breaks(&self) -> &[u32] {
        &self.breaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a4_landscape_prints_about_a_hundred_and_thirty_characters_full_size() {
        let page = Page::A4_LANDSCAPE;
        assert!((page.width() - 784.3).abs() < 0.1);
        assert_eq!(page.fit_scale(columns_points([128])), 100);
        assert_eq!(page.fit_scale(column_points(160.0)), 81);
        assert!(points_at(page.fit_scale(column_points(160.0))) < MIN_POINTS_HANDOUT);
    }

    #[test]
    fn the_widest_ranking_table_prints_at_nine_points_with_wide_digits() {
        let scale = fixed_scale(Page::A4_LANDSCAPE, [6, 24, 6, 14, 76]);
        assert!(points_at(scale) >= MIN_POINTS_HANDOUT, "{scale}");
    }

    #[test]
    fn portrait_when_it_fits_a3_only_when_a4_would_print_too_small() {
        let narrow = Page::for_width(columns_points([80]), MIN_POINTS);
        assert!(narrow.paper == Paper::A4 && !narrow.landscape);
        let wide = Page::for_width(columns_points([120]), MIN_POINTS);
        assert!(wide.paper == Paper::A4 && wide.landscape);
        let wider = Page::for_width(columns_points([200]), MIN_POINTS);
        assert!(wider.paper == Paper::A3 && wider.landscape);
    }

    #[test]
    fn a_block_that_fits_stays_on_the_page_else_starts_the_next() {
        // Pages of 100 points; the table starts at row 5 with 60 left.
        let mut pages = Pages::new(100.0, 60.0, 5);
        pages.block(&[20.0, 20.0]); // rows 5-6: 20 left
        pages.block(&[10.0, 15.0]); // rows 7-8: do not fit, next page
        pages.block(&[30.0]); // row 9: 45 left
        assert_eq!(pages.breaks(), [7]);
        // Taller than a page: starts on a fresh page, broken between rows.
        pages.block(&[60.0, 60.0, 60.0]); // rows 10, 11 | 12
        assert_eq!(pages.breaks(), [7, 10, 11, 12]);
        assert_eq!(pages.row(), 13);
    }

    #[test]
    fn a_tall_block_fills_a_page_that_is_mostly_empty() {
        let mut pages = Pages::new(100.0, 90.0, 0);
        pages.block(&[50.0, 50.0, 50.0]); // rows 0 | 1, 2
        assert_eq!(pages.breaks(), [1]);
    }
}
