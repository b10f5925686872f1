//! The BIFF records of an .xls Workbook stream, walked as calamine 0.38's
//! `parse_workbook` walks them: to refuse what calamine would not survive,
//! and to plan a sparse read of a sheet with a stray far cell.
//!
//! calamine builds every xls sheet as a dense grid when the file is opened,
//! from the first to the last used row and column, and first reserves what
//! the DIMENSIONS record claims. One stray cell at IV65536, which Excel opens
//! without complaint, costs a 16.7-million-cell grid (~0.5 GB) and a 670 MB
//! reservation. calamine has no sparse xls reader, so such a sheet is read
//! *compacted*: in a copy of the file, the row and column fields of its cell
//! records are renumbered 0, 1, 2 … over the rows and columns in use (same
//! length, in place), DIMENSIONS is set to match, calamine builds a grid of
//! used rows × used columns, and a [`Remap`] puts every cell back where it
//! was. Only sheets whose grid would exceed [`COMPACT_ABOVE`] are touched.
//! The same copy also gives every formula and defined name an empty token
//! list: calamine parses them with unchecked indexing, renkei never uses
//! them (only the values Excel saved with the formulas).

use super::ole::{u16_at, u32_at};
use super::*;

/// Cells of a full BIFF8 sheet (65,536 rows × 256 columns).
pub(super) const BIFF8_CELLS: u64 = 65_536 * 256;
/// Grids up to this many cells (~2 MB) are built as they are.
const COMPACT_ABOVE: u64 = 65_536;

/// BIFF records of a Workbook stream, as calamine's `RecordIter` steps them
/// (CONTINUE records are records of their own here; only positions matter).
/// Items are `(offset of the record header, type, data)`.
struct Records<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = (usize, u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let typ = u16_at(self.s, self.at)?;
        let len = u16_at(self.s, self.at + 2)? as usize;
        let data = self.s.get(self.at + 4..self.at + 4 + len)?;
        let at = self.at;
        self.at += 4 + len;
        Some((at, typ, data))
    }
}

/// The records of the sheet substream at `pos`, nested substreams
/// (embedded charts) skipped, up to its EOF: calamine keeps cells from
/// exactly these.
fn sheet_records(stream: &[u8], pos: usize) -> impl Iterator<Item = (usize, u16, &[u8])> {
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut ended = false;
    Records { s: stream, at: pos }.filter(move |&(_, typ, _)| {
        if ended {
            return false;
        }
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            return false;
        }
        match typ {
            0x0809 if seen_bof => {
                depth += 1;
                false
            }
            0x0809 => {
                seen_bof = true;
                true
            }
            0x000A => {
                ended = true;
                false
            }
            _ => true,
        }
    })
}

/// Number, Label, RString, BoolErr, Rk, LabelSst, Formula: row and column
/// at the start of the data.
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, FORMULA];
/// MulRk: row, first column, values, last column.
const MULRK: u16 = 0x00BD;
const DIMENSIONS: u16 = 0x0200;

/// 65,536 bits: the rows (or columns) in use.
struct Bits(Vec<u64>);

impl Bits {
    fn new() -> Bits {
        Bits(vec![0; 1024])
    }
    fn set(&mut self, i: u16) {
        self.0[usize::from(i) / 64] |= 1 << (i % 64);
    }
    fn count(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }
    /// The set positions, ascending.
    fn positions(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for (w, &word) in self.0.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                out.push(w as u32 * 64 + word.trailing_zeros());
                word &= word - 1;
            }
        }
        out
    }
}

/// One sheet substream: the cells calamine keeps and its DIMENSIONS.
pub(super) struct Sheet {
    name: String,
    pos: usize,
    rows: Bits,
    cols: Bits,
    /// Bounding box of the cells: (first row, last row, first col, last col).
    bbox: Option<(u16, u16, u16, u16)>,
    /// Rows × columns the largest DIMENSIONS record makes calamine reserve.
    dims: Option<(u64, u64)>,
    /// How the sheet is read; set by [`plan`].
    compact: bool,
    patch_dims: bool,
}

impl Sheet {
    fn add(&mut self, row: u16, col: u16) {
        self.rows.set(row);
        self.cols.set(col);
        self.bbox = Some(match self.bbox {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    /// Rows × columns of the grid calamine builds as the file is.
    fn dense(&self) -> (u64, u64) {
        match self.bbox {
            Some((r0, r1, c0, c1)) => (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1),
            None => (0, 0),
        }
    }

    /// Rows × columns in use: the grid once compacted.
    fn used(&self) -> (u64, u64) {
        (self.rows.count(), self.cols.count())
    }

    fn changes(&self) -> bool {
        self.compact || self.patch_dims
    }
}

/// Walk the workbook globals (FILEPASS, BOUNDSHEET) and then every sheet
/// substream from its BOUNDSHEET offset, like calamine's `parse_workbook`:
/// refuse encryption and DIMENSIONS beyond a BIFF8 sheet, and record the
/// cells of every sheet.
fn scan(stream: &[u8]) -> Result<Vec<Sheet>, Rejection> {
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut biff8 = true;
    for (at, typ, data) in (Records { s: stream, at: 0 }) {
        check_globals_record(stream, at, typ, data, biff8)?;
        match typ {
            // FilePass: any encryption (calamine lets XOR obfuscation through
            // and would read scrambled text).
            0x002F => return Err(Rejection::Encrypted),
            0x0809 => biff8 = u16_at(data, 0) == Some(0x0600),
            0x0085 => {
                if data.len() < 6 {
                    return Err(Rejection::Corrupt {
                        detail: "short BOUNDSHEET record",
                    });
                }
                let pos = u32_at(data, 0).unwrap_or(0) as usize;
                if pos > stream.len() {
                    return Err(Rejection::Corrupt {
                        detail: "BOUNDSHEET offset past the end of the stream",
                    });
                }
                let name = sheet_name(data, biff8)
                    .unwrap_or_else(|| format!("シート{}", sheets.len() + 1));
                sheets.push(Sheet {
                    name,
                    pos,
                    rows: Bits::new(),
                    cols: Bits::new(),
                    bbox: None,
                    dims: None,
                    compact: false,
                    patch_dims: false,
                });
            }
            0x000A => break,
            _ => {}
        }
    }
    for sheet in &mut sheets {
        for (_, typ, data) in sheet_records(stream, sheet.pos) {
            match typ {
                // MergeCells: calamine reads `count` ranges of 8 bytes unchecked.
                0x00E5 if data.len() < 2 + 8 * usize::from(u16_at(data, 0).unwrap_or(u16::MAX)) => {
                    return Err(corrupt("short MERGECELLS record"));
                }
                DIMENSIONS => {
                    if let Some((rows, cols)) = dimensions(data)? {
                        if rows.saturating_mul(cols) > BIFF8_CELLS {
                            return Err(Rejection::SheetTooLarge {
                                sheet: sheet.name.clone(),
                                rows,
                                cols,
                            });
                        }
                        // calamine reserves for every DIMENSIONS record.
                        if sheet.dims.is_none_or(|(r, c)| r * c < rows * cols) {
                            sheet.dims = Some((rows, cols));
                        }
                    }
                }
                t if CELL_RECORDS.contains(&t) => {
                    if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                        sheet.add(r, c);
                    }
                }
                MULRK if data.len() >= 6 => {
                    let (r, c0) = (u16_at(data, 0), u16_at(data, 2));
                    let c1 = u16_at(data, data.len() - 2);
                    if let (Some(r), Some(c0), Some(c1)) = (r, c0, c1) {
                        for c in c0..=c1 {
                            sheet.add(r, c);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(sheets)
}

fn corrupt(detail: &'static str) -> Rejection {
    Rejection::Corrupt { detail }
}

/// Workbook-globals records that calamine 0.38 reads without checking
/// their length (`read_u16(r.data)`, `r.data[14..]` …): a short one panics.
fn check_globals_record(
    stream: &[u8],
    at: usize,
    typ: u16,
    data: &[u8],
    biff8: bool,
) -> Result<(), Rejection> {
    let need = match typ {
        0x0042 | 0x0022 | 0x0809 => 2, // CodePage, DateMode, BOF
        0x0017 if biff8 => 2,          // ExternSheet
        0x0018 => {
            // Lbl: name from offset 14, formula in the last `cce` bytes.
            let cce = u16_at(data, 4).map_or(0, usize::from);
            14.max(cce)
        }
        0x00FC => return check_sst(data, &continues(stream, at + 4 + data.len())),
        _ => 0,
    };
    if data.len() < need {
        return Err(corrupt("BIFF record shorter than calamine reads"));
    }
    Ok(())
}

/// The CONTINUE records after the record ending at `at`, as calamine's
/// `RecordIter` gathers them.
fn continues(stream: &[u8], mut at: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while stream.len().saturating_sub(at) > 4 && u16_at(stream, at) == Some(0x003C) {
        let len = u16_at(stream, at + 2).map_or(0, usize::from);
        let Some(data) = stream.get(at + 4..at + 4 + len) else {
            break; // calamine: an error, not a panic
        };
        out.push(data);
        at += 4 + len;
    }
    out
}

/// Walks an SST record and its CONTINUE records as calamine's `parse_sst`
/// (`read_rich_extended_string`, `read_dbcs`) does, refusing the places
/// where it would slice past the end: a run count or extension size cut
/// off, or an empty CONTINUE record inside a string. Where calamine
/// returns an error instead, the walk stops.
fn check_sst(first: &[u8], conts: &[&[u8]]) -> Result<(), Rejection> {
    let cut = || Err(corrupt("SST string cut off where calamine reads on"));
    let mut conts = conts.iter().copied();
    let Some(mut data) = first.get(8..) else {
        return Ok(());
    };
    loop {
        if data.is_empty() {
            match conts.next() {
                Some(next) => data = next,
                None => return Ok(()),
            }
            if data.is_empty() {
                continue;
            }
        }
        if data.len() < 3 {
            return Ok(());
        }
        let mut chars = usize::from(u16_at(data, 0).unwrap_or(0));
        let flags = data[2];
        data = &data[3..];
        let mut runs = 0usize;
        if flags & 0x8 != 0 {
            let Some(n) = u16_at(data, 0) else {
                return cut();
            };
            runs = usize::from(n) * 4;
            data = &data[2..];
        }
        let mut ext = 0usize;
        if flags & 0x4 != 0 {
            let Some(n) = u32_at(data, 0) else {
                return cut();
            };
            ext = n as i32 as usize;
            data = &data[4..];
        }
        let mut wide = flags & 0x1 != 0;
        while chars > 0 {
            let (n, bytes) = if wide {
                let n = (data.len() / 2).min(chars);
                (n, 2 * n)
            } else {
                let n = data.len().min(chars);
                (n, n)
            };
            data = &data[bytes..];
            chars -= n;
            if chars > 0 {
                match conts.next() {
                    Some([]) => return cut(),
                    Some(next) => {
                        wide = next[0] & 0x1 != 0;
                        data = &next[1..];
                    }
                    None => return Ok(()),
                }
            }
        }
        for mut skip in [runs, ext] {
            while skip > 0 {
                if data.is_empty() {
                    match conts.next() {
                        Some(next) => data = next,
                        None => return Ok(()),
                    }
                }
                let n = skip.min(data.len());
                data = &data[n..];
                skip -= n;
            }
        }
    }
}

/// Decides how each sheet is read and refuses grids too large even then.
fn plan(sheets: &mut [Sheet], limits: &Limits) -> Result<(), Rejection> {
    let mut book_cells: u64 = 0;
    for sheet in sheets {
        let (dense_rows, dense_cols) = sheet.dense();
        let (used_rows, used_cols) = sheet.used();
        let dense = dense_rows * dense_cols;
        sheet.compact = dense > COMPACT_ABOVE && used_rows * used_cols < dense;
        let (rows, cols) = if sheet.compact {
            (used_rows, used_cols)
        } else {
            (dense_rows, dense_cols)
        };
        let cells = rows * cols;
        if cells > limits.max_sheet_cells {
            return Err(Rejection::SheetTooLarge {
                sheet: sheet.name.clone(),
                rows,
                cols,
            });
        }
        book_cells += cells;
        if book_cells > limits.max_book_cells {
            return Err(Rejection::BookTooLarge { cells: book_cells });
        }
        let reserved = sheet.dims.map_or(0, |(r, c)| r * c);
        sheet.patch_dims = sheet.compact || reserved > cells.max(COMPACT_ABOVE);
    }
    Ok(())
}

/// Refuses what calamine would not survive (see [`scan`] and [`plan`]).
pub(super) fn check_biff(stream: &[u8], limits: &Limits) -> Result<(), Rejection> {
    plan(&mut scan(stream)?, limits)
}

/// How to put the cells of a compacted sheet back: calamine's row `i` is
/// `rows[i]` of the file, column `j` is `cols[j]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remap {
    pub rows: Vec<u32>,
    pub cols: Vec<u32>,
}

/// Plans the sheets of `stream` and writes, through `write(stream offset,
/// bytes)`, what the copy calamine opens must say differently: compacted
/// sheets, DIMENSIONS brought down, and no formula tokens. Returns one
/// entry a BOUNDSHEET (calamine's sheet order): the remap of a compacted
/// sheet. `None` when nothing needs writing.
///
/// Formula tokens: calamine parses every formula's tokens and every
/// defined name's with unchecked indexing (a damaged one panics, the
/// fuzzer found); renkei reads only the values Excel saved with them, so
/// the copy gives each an empty token list.
pub(super) fn sparse(
    stream: &[u8],
    limits: &Limits,
    write: &mut dyn FnMut(usize, &[u8]),
) -> Result<Option<Vec<Option<Remap>>>, Rejection> {
    let mut sheets = scan(stream)?;
    plan(&mut sheets, limits)?;
    let wrote = std::cell::Cell::new(false);
    let mut counted = |at: usize, data: &[u8]| {
        wrote.set(true);
        write(at, data);
    };
    for (at, typ, data) in (Records { s: stream, at: 0 }) {
        match typ {
            // Lbl: `cce`, the length of the name's formula, at offset 4.
            0x0018 if u16_at(data, 4).is_some_and(|cce| cce != 0) => counted(at + 8, &[0, 0]),
            0x000A => break,
            _ => {}
        }
    }
    let remaps = sheets
        .iter()
        .map(|sheet| rewrite(stream, sheet, &mut counted))
        .collect();
    Ok(wrote.get().then_some(remaps))
}

const FORMULA: u16 = 0x0006;

fn rewrite(stream: &[u8], sheet: &Sheet, write: &mut dyn FnMut(usize, &[u8])) -> Option<Remap> {
    let remap = sheet.compact.then(|| Remap {
        rows: sheet.rows.positions(),
        cols: sheet.cols.positions(),
    });
    // New numbers: the rank among the rows (columns) in use.
    let rank = |positions: &[u32]| {
        let mut rank = vec![0u16; 65_536];
        for (i, &p) in positions.iter().enumerate() {
            rank[p as usize] = i as u16;
        }
        rank
    };
    let ranks = remap.as_ref().map(|m| (rank(&m.rows), rank(&m.cols)));
    let put = |write: &mut dyn FnMut(usize, &[u8]), at: usize, v: u16| write(at, &v.to_le_bytes());
    for (at, typ, data) in sheet_records(stream, sheet.pos) {
        let body = at + 4;
        // Formula: `cce`, the length of its tokens, at offset 20.
        if typ == FORMULA && u16_at(data, 20).is_some_and(|cce| cce != 0) {
            write(body + 20, &[0, 0]);
        }
        if !sheet.changes() {
            continue;
        }
        match (typ, &ranks) {
            (DIMENSIONS, _) if sheet.patch_dims => {
                let (r0, r1, c0, c1) = match (&remap, sheet.bbox) {
                    (Some(m), _) => (0, m.rows.len() as u32, 0, m.cols.len() as u32),
                    (None, Some((r0, r1, c0, c1))) => (
                        u32::from(r0),
                        u32::from(r1) + 1,
                        u32::from(c0),
                        u32::from(c1) + 1,
                    ),
                    (None, None) => (0, 0, 0, 0),
                };
                let narrow = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
                match data.len() {
                    10 => {
                        for (k, v) in [r0, r1, c0, c1].into_iter().enumerate() {
                            put(write, body + 2 * k, narrow(v));
                        }
                    }
                    14 | 16 => {
                        write(body, &r0.to_le_bytes());
                        write(body + 4, &r1.to_le_bytes());
                        put(write, body + 8, narrow(c0));
                        put(write, body + 10, narrow(c1));
                    }
                    _ => {}
                }
            }
            (t, Some((rows, cols))) if CELL_RECORDS.contains(&t) && data.len() >= 4 => {
                let (r, c) = (u16_at(data, 0).unwrap_or(0), u16_at(data, 2).unwrap_or(0));
                put(write, body, rows[usize::from(r)]);
                put(write, body + 2, cols[usize::from(c)]);
            }
            (MULRK, Some((rows, cols))) if data.len() >= 6 => {
                let r = u16_at(data, 0).unwrap_or(0);
                let c0 = u16_at(data, 2).unwrap_or(0);
                let c1 = u16_at(data, data.len() - 2).unwrap_or(0);
                put(write, body, rows[usize::from(r)]);
                put(write, body + 2, cols[usize::from(c0)]);
                put(write, body + data.len() - 2, cols[usize::from(c1)]);
            }
            _ => {}
        }
    }
    remap
}

/// Rows × columns calamine reserves for a DIMENSIONS record
/// (`parse_dimensions`, then `end - start + 1` in u32 arithmetic).
pub(super) fn dimensions(data: &[u8]) -> Result<Option<(u64, u64)>, Rejection> {
    let (rf, rl, cf, cl) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0).unwrap_or(0)),
            u32::from(u16_at(data, 2).unwrap_or(0)),
            u32::from(u16_at(data, 4).unwrap_or(0)),
            u32::from(u16_at(data, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(data, 0).unwrap_or(0),
            u32_at(data, 4).unwrap_or(0),
            u32::from(u16_at(data, 8).unwrap_or(0)),
            u32::from(u16_at(data, 10).unwrap_or(0)),
        ),
        _ => return Ok(None), // calamine fails with a length error
    };
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    let (start, end) = if rl >= 1 && cl >= 1 {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    if end.0 < start.0 || end.1 < start.1 {
        // calamine's `end - start + 1` overflows: a panic in debug builds,
        // a ~4-billion-row reservation in release builds.
        return Err(Rejection::Corrupt {
            detail: "DIMENSIONS record ends before it starts",
        });
    }
    Ok(Some((
        u64::from(end.0 - start.0) + 1,
        u64::from(end.1 - start.1) + 1,
    )))
}

/// A BIFF8 BOUNDSHEET name (`ShortXLUnicodeString` at offset 6).
pub(super) fn sheet_name(data: &[u8], biff8: bool) -> Option<String> {
    if !biff8 {
        return None;
    }
    let cch = *data.get(6)? as usize;
    let wide = data.get(7)? & 1 == 1;
    let body = data.get(8..)?;
    if wide {
        let units: Vec<u16> = body
            .get(..cch * 2)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    } else {
        Some(body.get(..cch)?.iter().map(|&b| char::from(b)).collect())
    }
}
