//! Opens one workbook through calamine (after the guard has passed its bytes)
//! and turns each visible worksheet into a [`Grid`].
//!
//! xlsx sheets are read with calamine's streaming cell reader, never the dense
//! `worksheet_range`: a single stray cell at XFD1048576 would make the dense
//! grid 550 GB and abort the process. xls and ods have small fixed grids
//! (xls) or are bounded by the guard's repeat checks (ods).

use std::io::Cursor;

use calamine::{Data, Ods, Reader, SheetType, SheetVisible, Xls, Xlsx};

use super::cell::{self, CellIssue};
use super::contain;
use super::grid::{Grid, Value};
use super::guard::{self, Format};

/// Per-sheet resource limits, checked while reading.
#[derive(Debug, Clone, Copy)]
pub struct SheetLimits {
    /// Non-empty cells a sheet may hold.
    pub max_cells: usize,
    /// Characters one cell may hold (Excel's own limit).
    pub max_cell_chars: usize,
}

impl Default for SheetLimits {
    fn default() -> Self {
        SheetLimits {
            max_cells: 2_000_000,
            max_cell_chars: 32_767,
        }
    }
}

/// A worksheet of the workbook, with its cells or why they were not read.
pub struct SheetData {
    pub name: String,
    pub content: SheetContent,
}

pub enum SheetContent {
    Cells(Grid),
    /// Not read; the reason is shown to staff.
    Skipped(String),
}

/// Why a whole workbook could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("パスワードで保護されています。Excel でパスワードを解除して保存し直してから入れてください。")]
    Password,
    #[error("ファイルが壊れているため開けません（{0}）。Excel で開けるか確かめ、開けるなら保存し直してください。")]
    Corrupt(String),
}

/// Reads every sheet of a workbook whose bytes the guard accepted.
pub fn read_sheets(
    bytes: &[u8],
    format: Format,
    options: &super::Options,
) -> Result<Vec<SheetData>, OpenError> {
    let limits = options.sheet_limits;
    match format {
        Format::Xlsx => read_xlsx(bytes, limits),
        Format::Xls => read_xls(bytes, limits, &options.file_limits),
        Format::Ods => {
            let wb = Ods::new(Cursor::new(bytes)).map_err(|e| OpenError::Corrupt(e.to_string()))?;
            // ods dates are ISO text: no serial numbers to convert.
            read_dense(wb, limits, false)
        }
    }
}

/// An xls is opened as the copy [`guard::xls_sparse`] prepares when it
/// must (a stray far cell compacted, formula tokens emptied), and the
/// cells of a compacted sheet are put back where they were.
fn read_xls(
    bytes: &[u8],
    limits: SheetLimits,
    file_limits: &guard::Limits,
) -> Result<Vec<SheetData>, OpenError> {
    let sparse =
        guard::xls_sparse(bytes, file_limits).map_err(|r| OpenError::Corrupt(r.reason()))?;
    let (bytes, remaps) = match &sparse {
        Some(s) => (s.bytes.as_slice(), s.remaps.as_slice()),
        None => (bytes, &[][..]),
    };
    let wb = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => OpenError::Password,
        other => OpenError::Corrupt(other.to_string()),
    })?;
    let is_1904 = wb.has_1904_epoch();
    let mut sheets = read_dense(wb, limits, is_1904)?;
    for (sheet, remap) in sheets.iter_mut().zip(remaps) {
        if let (SheetContent::Cells(grid), Some(remap)) = (&mut sheet.content, remap) {
            grid.remap(&remap.rows, &remap.cols);
        }
    }
    Ok(sheets)
}

fn visibility_skip(visible: SheetVisible, typ: SheetType) -> Option<String> {
    match (visible, typ) {
        (SheetVisible::Hidden, _) => Some("非表示のシートなので読みません".into()),
        (SheetVisible::VeryHidden, _) => {
            Some("完全に非表示（VeryHidden）のシートなので読みません".into())
        }
        (_, SheetType::WorkSheet) => None,
        (_, SheetType::ChartSheet) => Some("グラフのシートなので読みません".into()),
        (_, _) => Some("ワークシートではない（マクロ・ダイアログ）ので読みません".into()),
    }
}

fn read_xlsx(bytes: &[u8], limits: SheetLimits) -> Result<Vec<SheetData>, OpenError> {
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| OpenError::Corrupt(e.to_string()))?;
    let meta = wb.sheets_metadata().to_vec();
    let is_1904 = wb.has_1904_epoch();
    let mut out = Vec::with_capacity(meta.len());
    for sheet in meta {
        let content = match visibility_skip(sheet.visible, sheet.typ) {
            Some(reason) => SheetContent::Skipped(reason),
            None => match contain::in_sheet(&sheet.name, || {
                stream_xlsx_sheet(&mut wb, &sheet.name, limits, is_1904)
            }) {
                Ok(grid) => SheetContent::Cells(grid),
                Err(reason) => SheetContent::Skipped(reason),
            },
        };
        out.push(SheetData {
            name: sheet.name,
            content,
        });
    }
    Ok(out)
}

fn stream_xlsx_sheet(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: SheetLimits,
    is_1904: bool,
) -> Result<Grid, String> {
    let mut reader = wb
        .worksheet_cells_reader(name)
        .map_err(|e| format!("シートを読めません（{e}）"))?;
    let mut cells = Vec::new();
    let mut issues = Vec::new();
    loop {
        match reader.next_cell() {
            Ok(Some(cell)) => {
                let (r, c) = cell.get_position();
                if let Some((v, issue)) = cell::from_data_ref(cell.get_value(), is_1904) {
                    check_cell(&v, limits)?;
                    cells.push((r, c, v));
                    if cells.len() > limits.max_cells {
                        return Err(too_many_cells(limits));
                    }
                    note(&mut issues, r, c, issue);
                }
            }
            Ok(None) => break,
            Err(e) => return Err(format!("シートの途中が壊れていて読めません（{e}）")),
        }
    }
    Ok(Grid::from_cells(cells).with_issues(issues))
}

/// Keeps a cell's issue, if any; a sheet keeps at most [`MAX_ISSUES`]
/// (a hostile sheet could have a million).
fn note(issues: &mut Vec<(u32, u32, CellIssue)>, r: u32, c: u32, issue: Option<CellIssue>) {
    if let Some(i) = issue {
        if issues.len() < MAX_ISSUES {
            issues.push((r, c, i));
        }
    }
}

/// Cell issues kept per sheet: enough to find the cells, bounded memory.
const MAX_ISSUES: usize = 20;

fn read_dense<RS, R>(
    mut wb: R,
    limits: SheetLimits,
    is_1904: bool,
) -> Result<Vec<SheetData>, OpenError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let meta = wb.sheets_metadata().to_vec();
    let mut out = Vec::with_capacity(meta.len());
    for sheet in meta {
        let content = match visibility_skip(sheet.visible, sheet.typ) {
            Some(reason) => SheetContent::Skipped(reason),
            None => contain::in_sheet(&sheet.name, || match wb.worksheet_range(&sheet.name) {
                Ok(range) => grid_from_range(&range, limits, is_1904),
                Err(e) => SheetContent::Skipped(format!("シートを読めません（{e}）")),
            }),
        };
        out.push(SheetData {
            name: sheet.name,
            content,
        });
    }
    Ok(out)
}

fn grid_from_range(
    range: &calamine::Range<Data>,
    limits: SheetLimits,
    is_1904: bool,
) -> SheetContent {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut cells = Vec::new();
    let mut issues = Vec::new();
    for (r, c, d) in range.used_cells() {
        if let Some((v, issue)) = cell::from_data(d, is_1904) {
            if let Err(reason) = check_cell(&v, limits) {
                return SheetContent::Skipped(reason);
            }
            let (r, c) = (r0 + r as u32, c0 + c as u32);
            cells.push((r, c, v));
            if cells.len() > limits.max_cells {
                return SheetContent::Skipped(too_many_cells(limits));
            }
            note(&mut issues, r, c, issue);
        }
    }
    SheetContent::Cells(Grid::from_cells(cells).with_issues(issues))
}

fn too_many_cells(limits: SheetLimits) -> String {
    format!(
        "セルが多すぎます（{} 個を超えています）。会議ごとのシートに分けてください",
        limits.max_cells
    )
}

fn check_cell(v: &Value, limits: SheetLimits) -> Result<(), String> {
    if let Value::Text(s) = v {
        // Counting chars is O(n); the byte length bounds it cheaply first.
        if s.len() > limits.max_cell_chars && s.chars().count() > limits.max_cell_chars {
            return Err(format!(
                "1つのセルの文字数が Excel の上限（{} 字）を超えています。Excel 以外で作られたファイルかもしれません",
                limits.max_cell_chars
            ));
        }
    }
    Ok(())
}
