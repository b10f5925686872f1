//! OLE2 compound files (.xls, or an encrypted xlsx): walk the sector chains
//! calamine walks and the BIFF records of the Workbook stream.

use super::*;

pub(super) const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
pub(super) const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
pub(super) const DIFSECT: u32 = 0xFFFF_FFFC;
/// calamine follows the DIFAT chain while the next id is below this.
pub(super) const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
/// Cells of a full BIFF8 sheet (65,536 rows × 256 columns).
pub(super) const BIFF8_CELLS: u64 = 65_536 * 256;

pub(super) fn inspect_ole(ext: &str, bytes: &[u8], limits: &Limits) -> Result<Format, Rejection> {
    let cfb = match Cfb::parse(bytes) {
        Ok(cfb) => cfb,
        // A damaged directory can still be an encrypted package (UTF-16LE
        // stream names appear verbatim in the directory sectors).
        Err(_) if contains(bytes, &utf16le("EncryptedPackage")) => {
            return Err(Rejection::Encrypted);
        }
        Err(e) => return Err(e),
    };
    if cfb.has("EncryptionInfo") || cfb.has("EncryptedPackage") {
        return Err(Rejection::Encrypted);
    }
    let stream = match cfb.find("Workbook").or_else(|| cfb.find("Book")) {
        Some(d) => cfb.read_stream(d)?,
        None => {
            let what = if cfb.has("WordDocument") {
                WHAT_WORD
            } else if cfb.has("PowerPoint Document") {
                WHAT_POWERPOINT
            } else {
                WHAT_OFFICE_OTHER
            };
            return Err(Rejection::NotSpreadsheet {
                what,
                ext: ext.to_string(),
            });
        }
    };
    check_biff(&stream, limits)?;
    Ok(Format::Xls)
}

pub(super) fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

pub(super) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

pub(super) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

pub(super) fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

pub(super) struct DirEntry {
    name: String,
    start: u32,
    len: u64,
}

/// Just enough of a compound-file reader to walk the chains calamine 0.38
/// `cfb::Cfb::new` walks, and to refuse the files on which calamine would
/// loop, panic or allocate without bound: a chain longer than the file has
/// sectors (a cycle), a FAT/DIFAT listing more sectors than exist, a
/// sector id past the end of the file.
pub(super) struct Cfb<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    /// Highest sector id calamine accepts: file length / sector size.
    max_id: u32,
    fat: Vec<u32>,
    mini_fat: Vec<u32>,
    mini_stream: Vec<u8>,
    dirs: Vec<DirEntry>,
}

impl<'a> Cfb<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Cfb<'a>, Rejection> {
        let corrupt = |detail| Rejection::Corrupt { detail };
        if bytes.len() < 512 {
            return Err(Rejection::Truncated);
        }
        let sector_size = match u16_at(bytes, 30) {
            Some(9) => 512usize,
            Some(12) => 4096,
            _ => return Err(corrupt("bad OLE2 sector shift")),
        };
        if u16_at(bytes, 32) != Some(6) {
            return Err(corrupt("bad OLE2 mini sector shift"));
        }
        let h = |at| u32_at(bytes, at).expect("inside the 512-byte header");
        let (dir_start, mini_fat_start, mini_fat_len, difat_start) = (h(48), h(60), h(64), h(68));
        let max_id = u32::try_from(bytes.len() / sector_size).unwrap_or(u32::MAX);
        let sectors = u64::from(max_id) + 1;
        let mut cfb = Cfb {
            bytes,
            sector_size,
            max_id,
            fat: Vec::new(),
            mini_fat: Vec::new(),
            mini_stream: Vec::new(),
            dirs: Vec::new(),
        };

        // DIFAT: 109 ids in the header, then a chain of DIFAT sectors whose
        // last id points to the next one.
        let mut difat: Vec<u32> = (0..109).map(|i| h(76 + 4 * i)).collect();
        let mut id = difat_start;
        let mut hops = 0u64;
        while id < RESERVED_SECTORS {
            hops += 1;
            if hops > sectors {
                return Err(corrupt("DIFAT chain longer than the file"));
            }
            let sector = cfb.sector(id)?;
            difat.extend(
                sector
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
            id = difat.pop().unwrap_or(ENDOFCHAIN);
        }
        // FAT: calamine loads every DIFAT id below DIFSECT. More FAT
        // sectors than the file has sectors means ids repeat: calamine
        // would grow the FAT to gigabytes.
        let fat_ids: Vec<u32> = difat.into_iter().filter(|&id| id < DIFSECT).collect();
        if fat_ids.len() as u64 > sectors {
            return Err(corrupt("FAT lists more sectors than the file has"));
        }
        let mut fat = Vec::with_capacity(fat_ids.len() * sector_size / 4);
        for id in fat_ids {
            let sector = cfb.sector(id)?;
            fat.extend(
                sector
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
        }
        cfb.fat = fat;

        // Directory: the whole chain (calamine reads it without a size
        // bound, so a cycle never ends).
        let dir_bytes = cfb.chain(dir_start, u64::MAX)?;
        for chunk in dir_bytes.chunks_exact(128) {
            let units: Vec<u16> = chunk[..64]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            let mut name = String::from_utf16_lossy(&units);
            if let Some(nul) = name.find('\0') {
                name.truncate(nul);
            }
            let len = if sector_size == 512 {
                u64::from(u32_at(chunk, 120).unwrap_or(0))
            } else {
                u64_at(chunk, 120).unwrap_or(0)
            };
            cfb.dirs.push(DirEntry {
                name,
                start: u32_at(chunk, 116).unwrap_or(ENDOFCHAIN),
                len,
            });
        }
        if cfb.dirs.is_empty() {
            return Err(corrupt("OLE2 file without a directory"));
        }
        // Mini stream and mini FAT, as calamine loads them.
        if mini_fat_len > 0 {
            let (root_start, root_len) = (cfb.dirs[0].start, cfb.dirs[0].len);
            cfb.mini_stream = cfb.chain(root_start, root_len)?;
            let mini_fat_bytes =
                cfb.chain(mini_fat_start, u64::from(mini_fat_len) * sector_size as u64)?;
            cfb.mini_fat = mini_fat_bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
        }
        Ok(cfb)
    }

    /// Sector `id`; refused past the end of the file (calamine either
    /// errors or slices out of bounds there).
    fn sector(&self, id: u32) -> Result<&'a [u8], Rejection> {
        if id > self.max_id {
            return Err(Rejection::Corrupt {
                detail: "OLE2 sector id past the end of the file",
            });
        }
        let start = (id as usize + 1) * self.sector_size;
        if start >= self.bytes.len() {
            return Err(Rejection::Corrupt {
                detail: "OLE2 sector past the end of the file",
            });
        }
        Ok(&self.bytes[start..(start + self.sector_size).min(self.bytes.len())])
    }

    /// The bytes of a FAT chain, stopping at `len` like calamine's
    /// `get_chain`; refused if it visits more sectors than the file has.
    fn chain(&self, mut id: u32, len: u64) -> Result<Vec<u8>, Rejection> {
        let corrupt = |detail| Rejection::Corrupt { detail };
        let mut out = Vec::new();
        let mut hops = 0u64;
        while id != ENDOFCHAIN {
            hops += 1;
            if hops > u64::from(self.max_id) + 1 {
                return Err(corrupt("OLE2 sector chain loops"));
            }
            let sector = self.sector(id)?;
            let room = len.saturating_sub(out.len() as u64);
            out.extend_from_slice(&sector[..(sector.len() as u64).min(room) as usize]);
            if out.len() as u64 >= len {
                break;
            }
            id = *self
                .fat
                .get(id as usize)
                .ok_or(corrupt("OLE2 sector id outside the FAT"))?;
        }
        Ok(out)
    }

    /// A stream's bytes: from the mini stream below 4096 bytes, else from
    /// the FAT, bounded like calamine's reads.
    fn read_stream(&self, d: &DirEntry) -> Result<Vec<u8>, Rejection> {
        if d.len >= 4096 {
            return self.chain(d.start, d.len);
        }
        let corrupt = |detail| Rejection::Corrupt { detail };
        let mut out = Vec::new();
        let mut id = d.start;
        let mut hops = 0usize;
        while id != ENDOFCHAIN {
            hops += 1;
            if hops > self.mini_stream.len() / 64 + 1 {
                return Err(corrupt("OLE2 mini sector chain loops"));
            }
            let start = id as usize * 64;
            let sector = self
                .mini_stream
                .get(start..start + 64)
                .ok_or(corrupt("OLE2 mini sector outside the mini stream"))?;
            let room = (d.len as usize).saturating_sub(out.len());
            out.extend_from_slice(&sector[..room.min(64)]);
            if out.len() as u64 >= d.len {
                break;
            }
            id = *self
                .mini_fat
                .get(id as usize)
                .ok_or(corrupt("OLE2 mini sector id outside the mini FAT"))?;
        }
        Ok(out)
    }

    fn find(&self, name: &str) -> Option<&DirEntry> {
        self.dirs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
    }

    fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }
}

/// BIFF records of a Workbook stream, as calamine's `RecordIter` steps them
/// (CONTINUE records are records of their own here; only positions matter).
pub(super) struct Records<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let typ = u16_at(self.s, self.at)?;
        let len = u16_at(self.s, self.at + 2)? as usize;
        let data = self.s.get(self.at + 4..self.at + 4 + len)?;
        self.at += 4 + len;
        Some((typ, data))
    }
}

/// Walk the workbook globals (FILEPASS, BOUNDSHEET) and then every sheet
/// substream from its BOUNDSHEET offset, like calamine's `parse_workbook`:
/// refuse encryption, DIMENSIONS that would be reserved beyond a BIFF8
/// sheet, and sheets whose used cells span a grid too large to build.
pub(super) fn check_biff(stream: &[u8], limits: &Limits) -> Result<(), Rejection> {
    let mut sheets: Vec<(usize, String)> = Vec::new();
    let mut biff8 = true;
    for (typ, data) in (Records { s: stream, at: 0 }) {
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
                let name = sheet_name(data, biff8)
                    .unwrap_or_else(|| format!("シート{}", sheets.len() + 1));
                sheets.push((pos, name));
            }
            0x000A => break,
            _ => {}
        }
    }

    let mut book_cells: u64 = 0;
    for (pos, name) in sheets {
        if pos > stream.len() {
            return Err(Rejection::Corrupt {
                detail: "BOUNDSHEET offset past the end of the stream",
            });
        }
        let too_large = |rows: u64, cols: u64| Rejection::SheetTooLarge {
            sheet: name.clone(),
            rows,
            cols,
        };
        let mut seen_bof = false;
        let mut depth = 0usize;
        // Bounding box of the cells calamine keeps: (row, col) min and max.
        let mut bbox: Option<(u32, u32, u32, u32)> = None;
        let mut add = |row: u32, col: u32| {
            bbox = Some(match bbox {
                None => (row, row, col, col),
                Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
            });
        };
        for (typ, data) in (Records { s: stream, at: pos }) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A => break,
                0x0200 => {
                    if let Some((rows, cols)) = dimensions(data)? {
                        if rows.saturating_mul(cols) > BIFF8_CELLS {
                            return Err(too_large(rows, cols));
                        }
                    }
                }
                // Number, Label, RString, BoolErr, Rk, LabelSst, Formula
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                        add(u32::from(r), u32::from(c));
                    }
                }
                // MulRk: one row, columns first..=last
                0x00BD if data.len() >= 6 => {
                    let (r, c0) = (u16_at(data, 0), u16_at(data, 2));
                    let c1 = u16_at(data, data.len() - 2);
                    if let (Some(r), Some(c0), Some(c1)) = (r, c0, c1) {
                        if c1 >= c0 {
                            add(u32::from(r), u32::from(c0));
                            add(u32::from(r), u32::from(c1));
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some((r0, r1, c0, c1)) = bbox {
            let rows = u64::from(r1 - r0) + 1;
            let cols = u64::from(c1 - c0) + 1;
            let cells = rows * cols;
            if cells > limits.max_sheet_cells {
                return Err(too_large(rows, cols));
            }
            book_cells += cells;
            if book_cells > limits.max_book_cells {
                return Err(Rejection::BookTooLarge { cells: book_cells });
            }
        }
    }
    Ok(())
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
