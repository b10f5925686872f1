//! ODS: one streaming pass over `content.xml` estimating the dense grids
//! calamine will build, so repeat bombs and unclosed tables are refused.

use quick_xml::events::Event;

use super::*;

/// calamine's caps on an ods sheet.
pub(super) const ODS_MAX_ROWS: u64 = 1_048_576;
pub(super) const ODS_MAX_COLS: u64 = 16_384;

#[derive(Default)]
pub(super) struct OdsSheet {
    name: String,
    /// Rows seen so far, repeats included (capped as calamine caps them).
    rows: u64,
    /// First row holding a value, and the row after the last one.
    first_row: Option<u64>,
    end_row: u64,
    col_min: u64,
    col_max: u64,
    text: u64,
}

impl OdsSheet {
    fn cells(&self) -> u64 {
        match self.first_row {
            Some(first) => (self.end_row - first).saturating_mul(self.col_max - self.col_min + 1),
            None => 0,
        }
    }
}

#[derive(Default)]
pub(super) struct OdsRow {
    repeats: u64,
    /// Cells calamine materialises: empty ones only before a value.
    cols: u64,
    pending_empty: u64,
    first: Option<u64>,
    last: u64,
    text: u64,
}

pub(super) struct OdsCell {
    repeats: u64,
    valued: bool,
    text: u64,
}

/// One pass over content.xml with calamine's own reader settings. Mirrors
/// calamine 0.38 `ods::read_table`/`read_row`/`get_range`: a cell is a value
/// if it carries any `office:*value*` attribute or a formula (conservative:
/// `office:value-type` alone counts); empty cells repeated at the end of a
/// row and empty repeated rows cost nothing, so LibreOffice's usual
/// `number-rows-repeated="1048000"` tail passes.
pub(super) fn scan_ods_content<R: std::io::BufRead>(
    reader: R,
    limits: &Limits,
) -> Result<(), Rejection> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    let config = xml.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    config.trim_text(false);
    config.expand_empty_elements = true;

    let corrupt = |detail| Rejection::Corrupt { detail };
    let mut buf = Vec::with_capacity(4 * KIB as usize);
    let mut sheet: Option<OdsSheet> = None;
    let mut row: Option<OdsRow> = None;
    let mut cell: Option<OdsCell> = None;
    let mut book_cells: u64 = 0;

    loop {
        buf.clear();
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|_| corrupt("content.xml is not well-formed"))?;
        match event {
            Event::Start(e) => {
                let name = e.name();
                let name = name.as_ref();
                let structural = matches!(
                    name,
                    "table:table-cell" | "table:covered-table-cell" | "table:table-row"
                );
                if let Some(c) = cell.as_mut().filter(|_| !structural) {
                    match name {
                        "text:s" => {
                            let n = attr_u64(&e, "text:c").unwrap_or(1);
                            c.text = c.text.saturating_add(n);
                        }
                        "text:tab" | "text:line-break" | "text:p" => c.text += 1,
                        _ => {}
                    }
                    if c.text > limits.max_cell_bytes {
                        let s = sheet.as_ref().map(|s| s.name.clone()).unwrap_or_default();
                        return Err(Rejection::OdsRepeatBomb {
                            sheet: s,
                            cells: 1,
                            text_bytes: c.text,
                        });
                    }
                    continue;
                }
                // A cell or a row that starts inside a cell ends that cell
                // (and a row inside a row ends that row): calamine may read
                // on, so counting both can only count more than it builds.
                if let (Some(c), Some(r), Some(s)) = (cell.take(), row.as_mut(), sheet.as_ref()) {
                    end_cell(c, r, s, limits)?;
                }
                if name == "table:table-row" {
                    if let (Some(r), Some(s)) = (row.take(), sheet.as_mut()) {
                        end_row(r, s, book_cells, limits)?;
                    }
                }
                match (name, sheet.is_some(), row.is_some()) {
                    ("table:table", false, _) => {
                        if let Some(n) = attr_string(&e, "table:name") {
                            sheet = Some(OdsSheet {
                                name: n,
                                col_min: u64::MAX,
                                ..OdsSheet::default()
                            });
                        }
                    }
                    ("table:table-row", true, false) => {
                        row = Some(OdsRow {
                            repeats: attr_u64(&e, "table:number-rows-repeated").unwrap_or(1),
                            ..OdsRow::default()
                        });
                    }
                    ("table:table-cell" | "table:covered-table-cell", true, true) => {
                        let mut valued = false;
                        let mut text = 0u64;
                        for a in e.attributes().with_checks(false).flatten() {
                            let key = a.key.as_ref();
                            let is_value = key.starts_with("office:")
                                && (key.ends_with("value") || key == "office:value-type");
                            if is_value || (key == "table:formula" && !a.value.is_empty()) {
                                valued = true;
                                if key != "office:value-type" {
                                    text = text.saturating_add(a.value.len() as u64);
                                }
                            }
                        }
                        cell = Some(OdsCell {
                            repeats: attr_u64(&e, "table:number-columns-repeated").unwrap_or(1),
                            valued,
                            text,
                        });
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(c) = cell.as_mut() {
                    c.text = c.text.saturating_add(t.len() as u64);
                }
            }
            Event::GeneralRef(_) => {
                if let Some(c) = cell.as_mut() {
                    c.text += 1;
                }
            }
            Event::End(e) => {
                let name = e.name();
                let name = name.as_ref();
                // A cell ends at the first end of a cell, whatever is open
                // inside it (calamine reads a text cell that way); the end
                // of its row or table ends it too.
                if cell.is_some() {
                    if !matches!(
                        name,
                        "table:table-cell"
                            | "table:covered-table-cell"
                            | "table:table-row"
                            | "table:table"
                    ) {
                        continue;
                    }
                    if let (Some(c), Some(r), Some(s)) = (cell.take(), row.as_mut(), sheet.as_ref())
                    {
                        end_cell(c, r, s, limits)?;
                    }
                }
                match name {
                    "table:table-row" if row.is_some() => {
                        if let (Some(r), Some(s)) = (row.take(), sheet.as_mut()) {
                            end_row(r, s, book_cells, limits)?;
                        }
                    }
                    "table:table" if sheet.is_some() => {
                        if let (Some(r), Some(s)) = (row.take(), sheet.as_mut()) {
                            end_row(r, s, book_cells, limits)?;
                        }
                        let s = sheet.take().expect("sheet is open");
                        check_ods_sheet(&s, book_cells, limits)?;
                        book_cells = book_cells.saturating_add(s.cells());
                    }
                    _ => {}
                }
            }
            Event::Eof => {
                if sheet.is_some() {
                    // calamine's read_table would spin on Eof for ever.
                    return Err(corrupt("content.xml ends inside a table"));
                }
                return Ok(());
            }
            _ => {}
        }
    }
}

/// Adds a cell (with its repeats) to its row, as calamine's `read_row`.
fn end_cell(c: OdsCell, r: &mut OdsRow, s: &OdsSheet, limits: &Limits) -> Result<(), Rejection> {
    if c.text > limits.max_cell_bytes {
        return Err(Rejection::OdsRepeatBomb {
            sheet: s.name.clone(),
            cells: 1,
            text_bytes: c.text,
        });
    }
    if c.valued && c.repeats > ODS_MAX_COLS {
        return Err(Rejection::OdsRepeatBomb {
            sheet: s.name.clone(),
            cells: c.repeats,
            text_bytes: c.text.saturating_mul(c.repeats),
        });
    }
    let empties = r.pending_empty.min(ODS_MAX_COLS - r.cols);
    r.cols += empties;
    r.pending_empty = 0;
    let n = c.repeats.min(ODS_MAX_COLS - r.cols);
    if !c.valued {
        r.pending_empty = n;
    } else if n > 0 {
        r.first.get_or_insert(r.cols);
        r.cols += n;
        r.last = r.cols - 1;
        r.text = r.text.saturating_add(c.text.saturating_mul(n));
    }
    Ok(())
}

/// Adds a row (with its repeats) to its sheet, as calamine's `read_table`.
fn end_row(r: OdsRow, s: &mut OdsSheet, book_cells: u64, limits: &Limits) -> Result<(), Rejection> {
    let n = r.repeats.min(ODS_MAX_ROWS - s.rows);
    let start = s.rows;
    s.rows += n;
    let Some(first) = r.first else {
        return Ok(());
    };
    if r.repeats > ODS_MAX_ROWS {
        return Err(Rejection::OdsRepeatBomb {
            sheet: s.name.clone(),
            cells: r.repeats.saturating_mul(r.cols),
            text_bytes: r.text.saturating_mul(r.repeats),
        });
    }
    s.first_row.get_or_insert(start);
    s.end_row = start + n;
    s.col_min = s.col_min.min(first);
    s.col_max = s.col_max.max(r.last);
    s.text = s.text.saturating_add(r.text.saturating_mul(n));
    check_ods_sheet(s, book_cells, limits)
}

pub(super) fn check_ods_sheet(
    s: &OdsSheet,
    book_cells: u64,
    limits: &Limits,
) -> Result<(), Rejection> {
    let cells = s.cells();
    if cells > limits.max_sheet_cells || s.text > limits.max_expanded_text_bytes {
        return Err(Rejection::OdsRepeatBomb {
            sheet: s.name.clone(),
            cells,
            text_bytes: s.text,
        });
    }
    let total = book_cells.saturating_add(cells);
    if total > limits.max_book_cells {
        return Err(Rejection::BookTooLarge { cells: total });
    }
    Ok(())
}

pub(super) fn attr_string(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.into_owned())
}

/// A count attribute; values too large for u64 saturate, unparsable ones
/// are `None` (calamine then fails with a parse error).
pub(super) fn attr_u64(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<u64> {
    let v = attr_string(e, key)?;
    let v = v.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.parse().unwrap_or(u64::MAX))
}
