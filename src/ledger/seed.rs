//! Reads what staff typed into the previous 分類一覧.xlsx: the 修正 cells and
//! the cells of columns they added to 一覧, row by row, with each row's
//! remark identity.
//!
//! Columns are found by their headers, so inserted and moved columns and
//! re-sorted rows read the same; a workbook re-saved by Excel or LibreOffice
//! (shared strings, dates as dates) reads the same as renkei's own. The
//! identity comes from the row's 職種, 意見(正規化), 日付 and 会議 cells; when
//! those were changed by hand and no longer give the row's ID, the ledger's
//! entry under that ID is used instead.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use super::{
    Ledger, TypedRow, CORRECTION_FIELDS, DATE_HEADER, ID_HEADER, LIST_SHEET, MEETING_HEADER,
    PROFESSION_HEADER, TEXT_HEADER,
};
use crate::identity::{self, RemarkKey};
use crate::ingest::guard;
use crate::normalize;
use crate::os::error::{describe, Access};

/// The rows of the previous 一覧 and the staff columns found there.
#[derive(Debug, Default)]
pub struct Seed {
    pub rows: Vec<TypedRow>,
    /// Headers of columns renkei did not write, in sheet order.
    pub staff_columns: Vec<String>,
}

/// Why the previous 分類一覧 cannot be read: the run stops and writes
/// nothing, so what staff typed there is not lost.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("前回の {file} を読めません（{reason}）")]
    Unreadable { file: String, reason: String },
    #[error("前回の {file} の「{LIST_SHEET}」シートに「{ID_HEADER}」の列も「{PROFESSION_HEADER}」「{TEXT_HEADER}」の列もないので、修正を意見に結び付けられません")]
    NoIdentity { file: String },
}

/// Reads `path` (a previous 分類一覧.xlsx). `known` are the headers renkei
/// writes in 一覧; any other non-empty header is a staff column. A missing
/// file, or one without a 一覧 sheet, gives no rows.
pub fn read(path: &Path, known: &[&str], ledger: &Ledger) -> Result<Seed, SeedError> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unreadable = |reason: String| SeedError::Unreadable {
        file: file.clone(),
        reason,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Seed::default()),
        Err(e) => {
            let why = describe(&e, "", path, Access::Read);
            return Err(unreadable(why.trim_end_matches('。').to_string()));
        }
    };
    if let Err(r) = guard::inspect(&file, &bytes, &guard::Limits::default()) {
        return Err(unreadable(r.reason()));
    }
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let Ok(range) = wb.worksheet_range(LIST_SHEET) else {
        return Ok(Seed::default());
    };
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Ok(Seed::default());
    };
    let headers: Vec<String> = header.iter().map(text).collect();
    let col = |h: &str| headers.iter().position(|c| c == h);
    let columns = Columns {
        id: col(ID_HEADER),
        meeting: col(MEETING_HEADER),
        date: col(DATE_HEADER),
        profession: col(PROFESSION_HEADER),
        text: col(TEXT_HEADER),
    };
    if columns.id.is_none() && (columns.profession.is_none() || columns.text.is_none()) {
        return Err(SeedError::NoIdentity { file });
    }
    let fields: Vec<(usize, &str)> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            !h.is_empty()
                && (CORRECTION_FIELDS.contains(&h.as_str()) || !known.contains(&h.as_str()))
        })
        .map(|(i, h)| (i, h.as_str()))
        .collect();
    let staff_columns = fields
        .iter()
        .filter(|(_, h)| !CORRECTION_FIELDS.contains(h))
        .map(|(_, h)| h.to_string())
        .collect();

    let mut out: Vec<TypedRow> = Vec::new();
    let mut last_id = String::new();
    for row in rows {
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(text).unwrap_or_default();
        let id = get(columns.id);
        // A remark over Excel's cell limit continues on the next rows,
        // which repeat its ID: their text is the rest of the remark.
        if !id.is_empty() && id == last_id {
            if let Some(prev) = out.last_mut() {
                prev.text
                    .push_str(get(columns.text).trim_start_matches(CONTINUED));
            }
            continue;
        }
        last_id.clone_from(&id);
        let values: Vec<(String, String)> = fields
            .iter()
            .filter_map(|&(c, h)| {
                let v = row.get(c).map(text).unwrap_or_default();
                (!v.is_empty()).then(|| (h.to_string(), v))
            })
            .collect();
        let text = get(columns.text);
        let date = columns.date.and_then(|c| row.get(c)).and_then(date_of);
        let meeting = get(columns.meeting);
        out.push(TypedRow {
            key: RemarkKey {
                profession: get(columns.profession),
                match_key: normalize::match_key(&text),
                occasion: identity::occasion(date, crate::dates::parse_round(&meeting)),
            },
            id,
            text,
            meeting,
            values,
        });
    }
    // Keys are settled once the continuation rows are joined.
    for r in &mut out {
        r.key.match_key = normalize::match_key(&r.text);
        let id = identity::base_id(&r.id);
        if !id.is_empty() && r.key.id() != id {
            if let Some(e) = ledger.by_id(id) {
                r.key = e.key.clone();
            }
        }
    }
    out.retain(|r| !r.values.is_empty());
    Ok(Seed {
        rows: out,
        staff_columns,
    })
}

/// Marks the second and later pieces of a text cut at the cell limit.
const CONTINUED: &str = "（続き）";

struct Columns {
    id: Option<usize>,
    meeting: Option<usize>,
    date: Option<usize>,
    profession: Option<usize>,
    text: Option<usize>,
}

/// A cell as text; numbers as Excel shows them plainly (`3`, `2.5`), dates
/// as `2024/4/1`.
fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.trim().to_string(),
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(_) => date_of(d)
            .map(|d| d.format("%Y/%-m/%-d").to_string())
            .unwrap_or_else(|| d.to_string()),
        other => other.to_string().trim().to_string(),
    }
}

/// The date of a 日付 cell: a date cell, a serial number, or date text.
fn date_of(d: &Data) -> Option<chrono::NaiveDate> {
    match d {
        Data::DateTime(dt) => crate::dates::from_serial(dt.as_f64(), false),
        Data::Float(f) => crate::dates::from_serial(*f, false),
        Data::Int(i) => crate::dates::from_serial(*i as f64, false),
        Data::String(s) | Data::DateTimeIso(s) => crate::dates::parse_date(s),
        _ => None,
    }
}
