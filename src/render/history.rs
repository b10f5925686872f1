//! `修正履歴`: every entry of the corrections ledger, including those whose
//! remark is not in this run, so staff can see that nothing they typed was
//! lost: the remark, its corrections and staff columns, when it was first
//! recorded and last changed, and what became of it in this run.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::measure::{set_row_lines, Widths};
use super::print::{self, MIN_POINTS};
use super::style::{write_header, write_note, write_record, Cell, Styles};
use super::Context;
use crate::ledger::CORRECTION_FIELDS;

/// The sheet's name.
pub(crate) const SHEET: &str = "修正履歴";

const HEADERS: [&str; 10] = [
    "ID",
    "職種",
    "会議",
    "意見(正規化)",
    CORRECTION_FIELDS[0],
    CORRECTION_FIELDS[1],
    CORRECTION_FIELDS[2],
    "最初の記録",
    "最後の変更",
    "今回",
];
/// Width caps: the printed columns (職種 to 今回; the ID and the staff
/// columns stay on screen) sum to about 160 characters, 8.5 pt on A4
/// landscape. Times (`2024-05-01 10:00:00`) wrap after the date.
const CAPS: [usize; 10] = [13, 12, 16, 32, 17, 22, 13, 13, 13, 20];

pub(crate) fn sheet(ws: &mut Worksheet, st: &Styles, ctx: &Context) -> Result<(), XlsxError> {
    let history = &ctx.ledger.history;
    // Staff columns of every entry, in the order first seen.
    let mut staff: Vec<&str> = Vec::new();
    for (e, _) in history {
        for m in e.memos() {
            if !staff.contains(&m.name.as_str()) {
                staff.push(&m.name);
            }
        }
    }
    let headers: Vec<&str> = HEADERS
        .iter()
        .copied()
        .chain(staff.iter().copied())
        .collect();
    let caps: Vec<usize> = CAPS
        .iter()
        .copied()
        .chain(staff.iter().map(|_| 30))
        .collect();
    let rows: Vec<Vec<String>> = history
        .iter()
        .map(|(e, state)| {
            let c = e.correction();
            let mut row = vec![
                e.id.clone(),
                e.key.profession.clone(),
                e.meeting.clone(),
                e.text.clone(),
                c.category,
                c.kind,
                c.location,
                e.first_seen.clone(),
                e.last_changed().to_string(),
                state.label().to_string(),
            ];
            row.extend(staff.iter().map(|s| e.get(s).to_string()));
            row
        })
        .collect();
    let mut widths = Widths::new(&headers, &caps);
    for row in &rows {
        for (col, v) in row.iter().enumerate() {
            widths.feed(col, v);
        }
    }
    widths.apply(ws)?;
    set_row_lines(ws, 0, widths.header_lines(&headers))?;
    write_header(ws, st, 0, &headers)?;
    let mut r = 1;
    for row in &rows {
        let cells: Vec<Cell> = row.iter().map(|s| Cell::Text(s)).collect();
        widths.fit_row(ws, r, &cells)?;
        r += write_record(ws, st, r, &cells, Some(0))?;
    }
    let last = HEADERS.len() - 1;
    if rows.is_empty() {
        write_note(
            ws,
            st,
            1,
            last as u16,
            widths.sum(0..HEADERS.len()),
            "まだ修正はありません。「一覧」の修正の列に入力して保存し、もう一度実行すると、ここに記録されます。",
        )?;
        r = 2;
    } else {
        ws.autofilter(0, 0, r - 1, headers.len() as u16 - 1)?;
    }
    // The note spans from column A; a list prints from 職種.
    let first = usize::from(!rows.is_empty());
    ws.set_print_area(0, first as u16, r - 1, last as u16)?;
    print::table(ws, widths.points(first..HEADERS.len()), MIN_POINTS, Some(0))?;
    Ok(())
}
