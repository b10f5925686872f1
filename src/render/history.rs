//! `修正履歴`: every entry of the corrections ledger, including those whose
//! remark is not in this run, so staff can see that nothing they typed was
//! lost: the remark, its corrections and staff columns, when it was first
//! recorded and last changed, and what became of it in this run.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::style::{print_setup, write_header, write_record, Cell, Styles, Widths};
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
const CAPS: [usize; 10] = [14, 16, 28, 50, 24, 12, 10, 19, 19, 30];

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
    write_header(ws, st, 0, &headers)?;
    let mut r = 1;
    for row in &rows {
        let cells: Vec<Cell> = row.iter().map(|s| Cell::Text(s)).collect();
        widths.fit_row(ws, r, &cells)?;
        r += write_record(ws, st, r, &cells, Some(0))?;
    }
    if rows.is_empty() {
        ws.write_string_with_format(
            1,
            0,
            "まだ修正はありません。「一覧」の修正の列に入力して保存し、もう一度実行すると、ここに記録されます。",
            &st.plain,
        )?;
    } else {
        ws.autofilter(0, 0, r - 1, headers.len() as u16 - 1)?;
    }
    print_setup(ws, Some(0), true)
}
