//! Deterministic mutants of the fixture workbooks: mutant `i` of seed `s`
//! is always the same bytes, so a failure reproduces from two numbers.
//!
//! Three families, chosen by the source's format:
//! - bytes: bit flips, truncation, zeroed and duplicated ranges (any file);
//! - xlsx/ods XML: the parts are inflated, one is edited and the zip is
//!   rebuilt with correct sizes and CRCs, so the edit reaches calamine's
//!   parsers: huge `count`/`uniqueCount`, far `r=`/`ref=` references, deep
//!   nesting, huge and negative numbers in date-formatted cells, shared
//!   string indexes out of range, broken styles, damaged XML;
//! - xls BIFF: a record's length, type or row/column fields rewritten.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use fastrand::Rng;
use regex::bytes::Regex;

/// A fixture to mutate.
pub struct Source {
    /// File name, e.g. `薬剤師_第1回.xlsx`.
    pub name: String,
    pub bytes: Vec<u8>,
    /// The inflated parts of a zip (xlsx, ods), in zip order.
    pub parts: Option<Vec<(String, Vec<u8>)>>,
}

impl Source {
    pub fn new(path: &Path) -> Source {
        let bytes = std::fs::read(path).unwrap();
        Source {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            parts: unzip(&bytes),
            bytes,
        }
    }

    fn ext(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or("")
    }
}

/// One mutant: a file name (its extension is the source's) and bytes.
pub struct Mutant {
    pub name: String,
    pub bytes: Vec<u8>,
    /// What was done, for the failure message.
    pub how: String,
}

/// Mutant `index` of `seed`.
pub fn mutant(sources: &[Source], seed: u64, index: u64) -> Mutant {
    let mut rng = Rng::with_seed(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let src = &sources[rng.usize(..sources.len())];
    let (bytes, how) = match (&src.parts, src.ext()) {
        (Some(parts), _) if rng.u8(..10) < 7 => xml_edit(parts, &mut rng),
        (_, "xls") if !src.bytes.is_empty() && rng.bool() => biff_edit(&src.bytes, &mut rng),
        _ => byte_edit(src.bytes.clone(), &mut rng),
    };
    Mutant {
        name: format!("m{index:06}_{}", src.name),
        bytes,
        how: format!("{} ← {how}", src.name),
    }
}

// -- bytes ------------------------------------------------------------------

fn byte_edit(mut b: Vec<u8>, rng: &mut Rng) -> (Vec<u8>, String) {
    if b.is_empty() {
        return (b, "empty source".into());
    }
    let how = match rng.u8(..4) {
        0 => {
            let n = rng.usize(1..=16);
            for _ in 0..n {
                let at = rng.usize(..b.len());
                b[at] ^= 1 << rng.u8(..8);
            }
            format!("{n} bit flips")
        }
        1 => {
            let at = rng.usize(..b.len());
            b.truncate(at);
            format!("truncated at {at}")
        }
        2 => {
            let (at, len) = range(b.len(), rng);
            b[at..at + len].fill(0);
            format!("zeroed {at}..+{len}")
        }
        _ => {
            let (at, len) = range(b.len(), rng);
            let piece = b[at..at + len].to_vec();
            let to = rng.usize(..=b.len());
            b.splice(to..to, piece);
            format!("{at}..+{len} duplicated at {to}")
        }
    };
    (b, how)
}

/// A random range of a buffer of `len` (> 0) bytes: short ones are likelier.
fn range(len: usize, rng: &mut Rng) -> (usize, usize) {
    let max = [16, 256, 4096, len][rng.usize(..4)].min(len);
    let n = rng.usize(1..=max);
    (rng.usize(..=len - n), n)
}

// -- zip + XML --------------------------------------------------------------

fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut e = zip.by_index(i).ok()?;
        let mut data = Vec::new();
        e.read_to_end(&mut data).ok()?;
        parts.push((String::from_utf8_lossy(e.name_raw()).into_owned(), data));
    }
    Some(parts)
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, data) in parts {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const HUGE_INTS: [&str; 8] = [
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "99999999999999999999",
    "-1",
    "2147483648",
    "1e9",
    "",
];
const HUGE_NUMBERS: [&str; 12] = [
    "-99999999999999999999",
    "99999999999999999999",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "-0.5",
    "2958466",
    "9223372036854775807",
    "NaN",
    "inf",
    "1e999",
    "-4e-320",
];
const FAR_REFS: [&str; 8] = [
    "XFD1048576",
    "XFE1",
    "A1048577",
    "A0",
    "ZZZZZZ1",
    "A99999999999",
    "A4294967296",
    "",
];
const FAR_RANGES: [&str; 5] = [
    "A1:XFD1048576",
    "XFD1048576:A1",
    "A1:A99999999999",
    "B2:A1",
    ":",
];
const ODS_REPEATS: [&str; 5] = ["1073741824", "4294967296", "1048576", "16384", "-1"];
const ODS_DATES: [&str; 6] = [
    "99999-12-31",
    "-0001-01-01T00:00:00",
    "2022-13-45",
    "2022-04-01T25:61:61",
    "0000-00-00",
    "２０２２-０４-０１",
];
const ODS_TIMES: [&str; 4] = ["PT99999999999999H", "PT-5H", "P1Y", "PTH"];

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.usize(..from.len())]
}

/// Parts whose name matches `re`, by index.
fn parts_named(parts: &[(String, Vec<u8>)], re: &str) -> Vec<usize> {
    let re = regex::Regex::new(re).unwrap();
    (0..parts.len())
        .filter(|&i| re.is_match(&parts[i].0))
        .collect()
}

/// Replaces capture group 1 of one random match of `re` in `data`.
fn replace_one(data: &[u8], re: &str, with: &str, rng: &mut Rng) -> Option<Vec<u8>> {
    let re = Regex::new(re).unwrap();
    let matches: Vec<_> = re.captures_iter(data).collect();
    if matches.is_empty() {
        return None;
    }
    let g = matches[rng.usize(..matches.len())].get(1)?;
    let mut out = data[..g.start()].to_vec();
    out.extend_from_slice(with.as_bytes());
    out.extend_from_slice(&data[g.end()..]);
    Some(out)
}

/// Replaces group 1 of every match of `re` in `data`.
fn replace_all(data: &[u8], re: &str, with: &str) -> Vec<u8> {
    let re = Regex::new(re).unwrap();
    let mut out = Vec::with_capacity(data.len());
    let mut last = 0;
    for c in re.captures_iter(data) {
        let g = c.get(1).unwrap();
        out.extend_from_slice(&data[last..g.start()]);
        out.extend_from_slice(with.as_bytes());
        last = g.end();
    }
    out.extend_from_slice(&data[last..]);
    out
}

fn xml_edit(parts: &[(String, Vec<u8>)], rng: &mut Rng) -> (Vec<u8>, String) {
    let mut parts = parts.to_vec();
    let ods = parts.iter().any(|(n, _)| n == "content.xml");
    // A few tries: an edit may find nothing to edit in the part it chose.
    for _ in 0..8 {
        let done = if ods {
            ods_edit(&mut parts, rng)
        } else {
            xlsx_edit(&mut parts, rng)
        };
        if let Some(how) = done {
            return (rezip(&parts), how);
        }
    }
    let i = rng.usize(..parts.len());
    let (data, how) = byte_edit(parts[i].1.clone(), rng);
    parts[i].1 = data;
    let how = format!("{} in {}", how, parts[i].0);
    (rezip(&parts), how)
}

fn xlsx_edit(parts: &mut [(String, Vec<u8>)], rng: &mut Rng) -> Option<String> {
    let sheets = parts_named(parts, r"^xl/worksheets/sheet\d+\.xml$");
    let sheet = *sheets.get(rng.usize(..sheets.len().max(1)))?;
    match rng.u8(..9) {
        0 => {
            let targets = parts_named(parts, r"^xl/(sharedStrings|styles|workbook)\.xml$");
            let t = *targets.get(rng.usize(..targets.len().max(1)))?;
            let v = pick(rng, &HUGE_INTS);
            parts[t].1 = replace_one(&parts[t].1, r#"(?:count|uniqueCount)="([^"]*)""#, v, rng)?;
            Some(format!("count={v} in {}", parts[t].0))
        }
        1 => {
            let v = pick(rng, &FAR_REFS);
            parts[sheet].1 = replace_one(&parts[sheet].1, r#"<c r="([^"]*)""#, v, rng)?;
            Some(format!("r={v} in {}", parts[sheet].0))
        }
        2 => {
            let v = pick(rng, &FAR_RANGES);
            parts[sheet].1 = replace_one(&parts[sheet].1, r#"(?:ref|sqref)="([^"]*)""#, v, rng)?;
            Some(format!("ref={v} in {}", parts[sheet].0))
        }
        3 => {
            let depth = [100, 10_000, 100_000][rng.usize(..3)];
            let tag = ["x", "is", "c", "row", "r"][rng.usize(..5)];
            let nest = format!(
                "{}{}",
                format!("<{tag}>").repeat(depth),
                format!("</{tag}>").repeat(depth)
            );
            parts[sheet].1 = replace_one(&parts[sheet].1, r"<v>()", &nest, rng)?;
            Some(format!("{depth} nested <{tag}> in {}", parts[sheet].0))
        }
        4 => {
            // Every style a date (yyyy-mm-dd, id 14), then huge numbers in value cells.
            let styles = *parts_named(parts, r"^xl/styles\.xml$").first()?;
            parts[styles].1 = replace_all(&parts[styles].1, r#"numFmtId="(\d+)""#, "14");
            let v = pick(rng, &HUGE_NUMBERS);
            let data = &parts[sheet].1;
            let edited = if rng.bool() {
                replace_all(data, r#"<c r="[A-Z]+\d+"(?: s="\d+")?><v>([^<]*)</v>"#, v)
            } else {
                replace_one(
                    data,
                    r#"<c r="[A-Z]+\d+"(?: s="\d+")?><v>([^<]*)</v>"#,
                    v,
                    rng,
                )?
            };
            if &edited == data {
                return None;
            }
            parts[sheet].1 = edited;
            Some(format!("date cells = {v} in {}", parts[sheet].0))
        }
        5 => {
            let v = pick(rng, &HUGE_INTS);
            parts[sheet].1 = replace_one(&parts[sheet].1, r#"t="s"><v>([^<]*)</v>"#, v, rng)?;
            Some(format!("shared string index {v} in {}", parts[sheet].0))
        }
        6 => {
            let styles = *parts_named(parts, r"^xl/styles\.xml$").first()?;
            let how = match rng.u8(..4) {
                0 => {
                    parts[styles].1.clear();
                    "styles.xml emptied".to_string()
                }
                1 => {
                    let at = rng.usize(..parts[styles].1.len().max(1));
                    parts[styles].1.truncate(at);
                    format!("styles.xml cut at {at}")
                }
                2 => {
                    let v = pick(rng, &HUGE_INTS);
                    parts[styles].1 = replace_one(
                        &parts[styles].1,
                        r#"(?:numFmtId|fontId|fillId|borderId|xfId)="([^"]*)""#,
                        v,
                        rng,
                    )?;
                    format!("a style id = {v}")
                }
                _ => {
                    let v = pick(rng, &HUGE_INTS);
                    parts[sheet].1 = replace_one(&parts[sheet].1, r#" s="([^"]*)""#, v, rng)?;
                    format!("cell style s={v} in {}", parts[sheet].0)
                }
            };
            Some(how)
        }
        7 => {
            // A formatCode Excel would not write.
            let styles = *parts_named(parts, r"^xl/styles\.xml$").first()?;
            let code = [
                "[h]:mm:ss",
                "yyyy\"年\"m\"月\"",
                "[$-F800]dddd",
                "@@@@",
                "\"",
                "[<0]\"x\"",
            ][rng.usize(..6)];
            parts[styles].1 = replace_one(&parts[styles].1, r#"formatCode="([^"]*)""#, code, rng)?;
            parts[styles].1 = replace_all(&parts[styles].1, r#"<xf numFmtId="(\d+)""#, "164");
            Some(format!("formatCode {code}"))
        }
        _ => {
            let i = rng.usize(..parts.len());
            let (data, how) = byte_edit(parts[i].1.clone(), rng);
            parts[i].1 = data;
            Some(format!("{how} in {}", parts[i].0))
        }
    }
}

fn ods_edit(parts: &mut [(String, Vec<u8>)], rng: &mut Rng) -> Option<String> {
    let c = *parts_named(parts, r"^content\.xml$").first()?;
    let data = &parts[c].1;
    let (edited, how) = match rng.u8(..7) {
        0 => {
            let v = pick(rng, &ODS_REPEATS);
            (
                replace_one(
                    data,
                    r#"number-(?:columns|rows)-repeated="([^"]*)""#,
                    v,
                    rng,
                )?,
                format!("repeated={v}"),
            )
        }
        1 => {
            let v = pick(rng, &HUGE_NUMBERS);
            let typed = replace_one(data, r#"office:value-type="([^"]*)""#, "float", rng)?;
            let with_value = replace_one(
                &typed,
                r#"(calcext:value-type="[^"]*")"#,
                &format!("office:value=\"{v}\""),
                rng,
            )?;
            (with_value, format!("office:value={v}"))
        }
        2 => {
            let v = pick(rng, &ODS_DATES);
            let typed = replace_one(data, r#"office:value-type="([^"]*)""#, "date", rng)?;
            let dated = replace_one(
                &typed,
                r#"(calcext:value-type="[^"]*")"#,
                &format!("office:date-value=\"{v}\""),
                rng,
            )?;
            (dated, format!("date-value={v}"))
        }
        3 => {
            let v = pick(rng, &ODS_TIMES);
            let typed = replace_one(data, r#"office:value-type="([^"]*)""#, "time", rng)?;
            let timed = replace_one(
                &typed,
                r#"(calcext:value-type="[^"]*")"#,
                &format!("office:time-value=\"{v}\""),
                rng,
            )?;
            (timed, format!("time-value={v}"))
        }
        4 => {
            let depth = [100, 10_000, 100_000][rng.usize(..3)];
            let nest = format!(
                "{}{}",
                "<text:span>".repeat(depth),
                "</text:span>".repeat(depth)
            );
            (
                replace_one(data, r"<text:p>()", &nest, rng)?,
                format!("{depth} nested spans"),
            )
        }
        5 => {
            let v = pick(rng, &HUGE_INTS);
            (
                replace_one(data, r#"number-(?:columns|rows)-spanned="([^"]*)""#, v, rng)
                    .or_else(|| replace_one(data, r#"<text:s text:c="([^"]*)""#, v, rng))?,
                format!("spanned/space count {v}"),
            )
        }
        _ => {
            let (d, how) = byte_edit(data.clone(), rng);
            (d, format!("{how} in content.xml"))
        }
    };
    parts[c].1 = edited;
    Some(how)
}

// -- xls BIFF -------------------------------------------------------------

/// Offsets of BIFF record headers, walked from each BOF found in the file
/// (xlwt writes the Workbook stream in consecutive sectors).
fn biff_records(b: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let bof = [0x09, 0x08, 0x10, 0x00];
    let mut from = 0;
    while let Some(p) = b[from..].windows(4).position(|w| w == bof) {
        let mut at = from + p;
        from = at + 4;
        while at + 4 <= b.len() {
            let typ = u16::from_le_bytes([b[at], b[at + 1]]);
            let len = u16::from_le_bytes([b[at + 2], b[at + 3]]) as usize;
            if typ == 0 || len > 8224 || at + 4 + len > b.len() {
                break;
            }
            out.push(at);
            at += 4 + len;
            if typ == 0x000A {
                break;
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn biff_edit(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    let records = biff_records(bytes);
    if records.is_empty() {
        return byte_edit(bytes.to_vec(), rng);
    }
    let mut b = bytes.to_vec();
    let at = records[rng.usize(..records.len())];
    let typ = u16::from_le_bytes([b[at], b[at + 1]]);
    let len = u16::from_le_bytes([b[at + 2], b[at + 3]]);
    let how = match rng.u8(..4) {
        0 => {
            let new = [
                0,
                1,
                2,
                3,
                7,
                len.wrapping_add(1),
                len.wrapping_sub(1),
                0xFFFF,
                rng.u16(..),
            ][rng.usize(..9)];
            b[at + 2..at + 4].copy_from_slice(&new.to_le_bytes());
            format!("record {typ:#06x} at {at}: length {len} → {new}")
        }
        1 => {
            // Another record type with the same body: a cell, SST, DIMENSIONS, BOF …
            let types = [
                0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x00BD, 0x0006, 0x0207, 0x00FC,
                0x0200, 0x0809, 0x00E0, 0x041E, 0x0085, 0x003C, 0x00E5,
            ];
            let new: u16 = types[rng.usize(..types.len())];
            b[at..at + 2].copy_from_slice(&new.to_le_bytes());
            format!("record {typ:#06x} at {at}: type → {new:#06x}")
        }
        2 if len >= 4 => {
            // Row and column (or the first fields) far away.
            let v = [0xFFFF, 0xFFFE, 0x0100, 0x8000][rng.usize(..4)];
            let field = at + 4 + 2 * rng.usize(..(len as usize / 2).min(4));
            b[field..field + 2].copy_from_slice(&u16::to_le_bytes(v));
            format!("record {typ:#06x} at {at}: field at {field} → {v:#06x}")
        }
        _ => {
            let body = at + 4..at + 4 + len as usize;
            let n = rng.usize(1..=4);
            for _ in 0..n {
                if !body.is_empty() {
                    let i = rng.usize(body.clone());
                    b[i] = rng.u8(..);
                }
            }
            format!("record {typ:#06x} at {at}: {n} body bytes")
        }
    };
    (b, how)
}
