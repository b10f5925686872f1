//! The bar chart of a ranking: the count of each category, rank 1 at the
//! top and bars growing rightwards, as wide as the table and below it, so it
//! prints with it.
//!
//! In a bar chart the categories run down the vertical axis from the bottom
//! up, so it is the *category* axis that is reversed to put rank 1 on top
//! (reversing the value axis would mirror the bars), and the value axis then
//! crosses at the last category so its scale stays at the bottom.

use rust_xlsxwriter::{Chart, ChartAxisCrossing, ChartDataLabel, ChartType, Worksheet, XlsxError};

use super::{DATA_COL, HEADER_ROW};
use crate::aggregate::Ranking;
use crate::render::measure::DEFAULT_ROW_POINTS;
use crate::render::style::chart_font;

/// Pixels for the title, the value axis and the margins.
const FRAME_PX: u32 = 100;
/// Pixels per category bar: room for a label of [`LABEL_POINTS`].
const BAR_PX: u32 = 26;
/// Size of the labels: 11 pt prints at 9 pt or more at the rankings'
/// scale (85 % or more), as the table's text does.
const LABEL_POINTS: u8 = 11;
/// Below this largest count, the value axis is marked at every whole
/// number (Excel's own choice would mark halves, 0.5 remarks).
const WHOLE_STEPS_BELOW: usize = 10;
/// Points per pixel (96 px an inch).
const POINT: f64 = 0.75;

/// A chart sized and ready to place.
pub(super) struct Plan {
    /// Categories shown: all, or the top ones when not all fit on a page.
    shown: u32,
    total: u32,
    width_px: u32,
    height_px: u32,
    /// The largest count shown.
    max: usize,
}

impl Plan {
    /// A chart over the table's columns of `widths` (characters), at most
    /// `page` points tall; none for a ranking without categories.
    pub(super) fn new(ranking: &Ranking, widths: &[usize], page: f64) -> Option<Plan> {
        let total = ranking.categories.len() as u32;
        if total == 0 {
            return None;
        }
        // The rows it covers must fit the page (see `rows_points`).
        let room = ((page - DEFAULT_ROW_POINTS) / POINT) as u32;
        let fitting = room.saturating_sub(FRAME_PX) / BAR_PX;
        let shown = total.min(fitting.max(1));
        Some(Plan {
            shown,
            total,
            // A little narrower than the columns, so it ends inside column E.
            width_px: widths.iter().map(|&w| w as u32 * 8 + 5).sum::<u32>() - 8,
            height_px: FRAME_PX + BAR_PX * shown,
            max: ranking
                .categories
                .iter()
                .map(|c| c.count)
                .max()
                .unwrap_or(0),
        })
    }

    fn height_points(&self) -> f64 {
        f64::from(self.height_px) * POINT
    }

    /// The rows it covers (rows below the table have the default height).
    pub(super) fn rows(&self) -> u32 {
        (self.height_points() / DEFAULT_ROW_POINTS).ceil() as u32
    }

    /// The height of those rows: what the page must hold, as the print
    /// area ends with the last of them.
    pub(super) fn rows_points(&self) -> f64 {
        f64::from(self.rows()) * DEFAULT_ROW_POINTS
    }

    /// Inserts the chart at `row`, column A. Its cached values are left to
    /// the spreadsheet program (the sheet may be written in constant-memory
    /// mode), which reads them from the data cells beside the table.
    pub(super) fn insert(
        &self,
        ws: &mut Worksheet,
        sheet_name: &str,
        label: &str,
        row: u32,
    ) -> Result<(), XlsxError> {
        let mut font = chart_font();
        font.set_size(LABEL_POINTS);
        let mut chart = Chart::new(ChartType::Bar);
        let mut labels = ChartDataLabel::new();
        labels.show_value().set_font(&font);
        let first = HEADER_ROW + 1;
        let last = HEADER_ROW + self.shown;
        chart
            .add_series()
            .set_name("件数")
            .set_categories((sheet_name, first, DATA_COL, last, DATA_COL))
            .set_values((sheet_name, first, DATA_COL + 1, last, DATA_COL + 1))
            .set_data_label(&labels);
        // A title with `!` would be read as a cell reference.
        let scope = label.replace('!', "！");
        let title = if self.shown < self.total {
            format!("カテゴリ別の件数（{scope}・上位 {} カテゴリ）", self.shown)
        } else {
            format!("カテゴリ別の件数（{scope}）")
        };
        let mut title_font = chart_font();
        title_font.set_size(LABEL_POINTS + 1).set_bold();
        chart.title().set_name(&title).set_font(&title_font);
        // Bar charts: x is the value axis (horizontal), y the categories.
        let values = chart.x_axis();
        values.set_font(&font).set_min(0);
        if self.max < WHOLE_STEPS_BELOW {
            values.set_major_unit(1);
        }
        // Horizontal labels said so: with the rotation left automatic,
        // LibreOffice drops every other label of some charts (看護師's 8
        // categories) though each bar has room for one.
        let mut category_font = font.clone();
        category_font.set_rotation(0);
        chart
            .y_axis()
            .set_reverse()
            .set_crossing(ChartAxisCrossing::Max)
            .set_font(&category_font);
        chart.legend().set_hidden();
        chart.set_width(self.width_px).set_height(self.height_px);
        ws.insert_chart(row, 0, &chart)?;
        Ok(())
    }
}
