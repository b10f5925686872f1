//! OLE2 compound files (.xls, or an encrypted xlsx): walk the sector chains
//! calamine walks and the BIFF records of the Workbook stream.

use super::biff::{self, check_biff, Remap};
use super::*;

pub(super) const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
pub(super) const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
pub(super) const DIFSECT: u32 = 0xFFFF_FFFC;
/// calamine follows the DIFAT chain while the next id is below this.
pub(super) const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;

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
    /// Where the mini stream lies in the file: `(offset, len)` in order.
    mini_segments: Vec<(usize, usize)>,
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
            mini_segments: Vec::new(),
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
            cfb.mini_segments = cfb.chain_segments(root_start, root_len)?;
            cfb.mini_stream = cfb.gather(&cfb.mini_segments);
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
    fn chain(&self, id: u32, len: u64) -> Result<Vec<u8>, Rejection> {
        Ok(self.gather(&self.chain_segments(id, len)?))
    }

    /// Where a FAT chain's bytes lie in the file, `(offset, len)` in order.
    fn chain_segments(&self, mut id: u32, len: u64) -> Result<Vec<(usize, usize)>, Rejection> {
        let corrupt = |detail| Rejection::Corrupt { detail };
        let mut out = Vec::new();
        let mut total = 0u64;
        let mut hops = 0u64;
        while id != ENDOFCHAIN {
            hops += 1;
            if hops > u64::from(self.max_id) + 1 {
                return Err(corrupt("OLE2 sector chain loops"));
            }
            let sector = self.sector(id)?;
            let take = (sector.len() as u64).min(len.saturating_sub(total)) as usize;
            out.push(((id as usize + 1) * self.sector_size, take));
            total += take as u64;
            if total >= len {
                break;
            }
            id = *self
                .fat
                .get(id as usize)
                .ok_or(corrupt("OLE2 sector id outside the FAT"))?;
        }
        Ok(out)
    }

    fn gather(&self, segments: &[(usize, usize)]) -> Vec<u8> {
        let mut out = Vec::with_capacity(segments.iter().map(|s| s.1).sum());
        for &(at, len) in segments {
            out.extend_from_slice(&self.bytes[at..at + len]);
        }
        out
    }

    /// A stream's bytes: from the mini stream below 4096 bytes, else from
    /// the FAT, bounded like calamine's reads.
    pub(super) fn read_stream(&self, d: &DirEntry) -> Result<Vec<u8>, Rejection> {
        Ok(self.gather(&self.stream_segments(d)?))
    }

    /// Where a stream's bytes lie in the file, `(offset, len)` in order.
    pub(super) fn stream_segments(&self, d: &DirEntry) -> Result<Vec<(usize, usize)>, Rejection> {
        if d.len >= 4096 {
            return self.chain_segments(d.start, d.len);
        }
        let corrupt = |detail| Rejection::Corrupt { detail };
        let mut out = Vec::new();
        let mut total = 0usize;
        let mut id = d.start;
        let mut hops = 0usize;
        while id != ENDOFCHAIN {
            hops += 1;
            if hops > self.mini_stream.len() / 64 + 1 {
                return Err(corrupt("OLE2 mini sector chain loops"));
            }
            let start = id as usize * 64;
            if start + 64 > self.mini_stream.len() {
                return Err(corrupt("OLE2 mini sector outside the mini stream"));
            }
            let take = (d.len as usize).saturating_sub(total).min(64);
            let at = self
                .mini_offset(start)
                .ok_or(corrupt("OLE2 mini sector outside the mini stream"))?;
            out.push((at, take));
            total += take;
            if total as u64 >= d.len {
                break;
            }
            id = *self
                .mini_fat
                .get(id as usize)
                .ok_or(corrupt("OLE2 mini sector id outside the mini FAT"))?;
        }
        Ok(out)
    }

    /// The file offset of a mini-stream offset that starts a mini sector
    /// (64 bytes, never split: sectors are 512 or 4096 bytes).
    fn mini_offset(&self, mut at: usize) -> Option<usize> {
        for &(file, len) in &self.mini_segments {
            if at < len {
                return Some(file + at);
            }
            at -= len;
        }
        None
    }

    fn find(&self, name: &str) -> Option<&DirEntry> {
        self.dirs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
    }

    fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }
}

/// An .xls file rewritten for calamine (see [`biff`]): far-flung sheets
/// compacted, DIMENSIONS brought down, formula tokens emptied. The bytes to
/// open, and for each sheet (in calamine's order) how to put its cells back.
pub struct Sparse {
    pub bytes: Vec<u8>,
    pub remaps: Vec<Option<Remap>>,
}

/// `None` when the file can be opened as it is. Call after [`super::inspect`]
/// accepted the file with the same `limits`.
pub fn xls_sparse(bytes: &[u8], limits: &Limits) -> Result<Option<Sparse>, Rejection> {
    let cfb = Cfb::parse(bytes)?;
    let Some(d) = cfb.find("Workbook").or_else(|| cfb.find("Book")) else {
        return Ok(None);
    };
    let segments = cfb.stream_segments(d)?;
    let stream = cfb.gather(&segments);
    // Stream offset where each segment starts, to place the rewrites.
    let starts: Vec<usize> = segments
        .iter()
        .scan(0, |at, &(_, len)| {
            let start = *at;
            *at += len;
            Some(start)
        })
        .collect();
    let mut copy = bytes.to_vec();
    let mut write = |at: usize, data: &[u8]| {
        for (k, &b) in data.iter().enumerate() {
            let pos = at + k;
            let seg = starts.partition_point(|&s| s <= pos) - 1;
            copy[segments[seg].0 + pos - starts[seg]] = b;
        }
    };
    let remaps = biff::sparse(&stream, limits, &mut write)?;
    Ok(remaps.map(|remaps| Sparse {
        bytes: copy,
        remaps,
    }))
}
