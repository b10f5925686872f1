//! Zip containers (xlsx, xlsm, ods — and docx or plain zips to refuse):
//! the central directory's declared sizes, a peek at each XML part calamine
//! may parse, and the `<sst uniqueCount>` calamine reserves up front.

use std::io::{BufReader, Cursor, Read};

use ::zip::ZipArchive;

use super::ods::scan_ods_content;
use super::*;

/// Bytes of each XML part read to look for DOCTYPE and the root element.
pub(super) const PROLOG_PEEK: u64 = 4 * KIB;
/// Bytes of a sharedStrings part read to find `<sst uniqueCount>`.
pub(super) const SST_PEEK: u64 = 8 * KIB;
/// Smallest `<si>` calamine counts: `<si><t/></si>` is 13 bytes; 8 leaves
/// room for odd writers and still catches every absurd count.
pub(super) const MIN_BYTES_PER_SHARED_STRING: u64 = 8;

pub(super) type Zip<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// One zip entry, from the central directory.
pub(super) struct Part {
    /// As written in the zip, for messages.
    name: String,
    /// As calamine looks parts up: `\` → `/`, ASCII lower case.
    key: String,
    size: u64,
    packed: u64,
}

pub(super) fn inspect_zip(ext: &str, bytes: &[u8], limits: &Limits) -> Result<Format, Rejection> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|_| Rejection::Truncated)?;
    let mut parts = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let entry = zip.by_index_data(i).map_err(|_| Rejection::Truncated)?;
        if entry.encrypted() {
            return Err(Rejection::Encrypted);
        }
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        parts.push(Part {
            key: name.replace('\\', "/").to_ascii_lowercase(),
            name,
            size: entry.size(),
            packed: entry.compressed_size(),
        });
    }
    // calamine's ods reader asks for exact names, its xlsx reader for keys.
    let exact = |name: &str| parts.iter().position(|p| p.name == name);

    let format = classify_zip(ext, &mut zip, &parts)?;

    // Declared sizes: no byte is inflated for these checks.
    let count = parts.len() as u64;
    let total = parts.iter().fold(0u64, |t, p| t.saturating_add(p.size));
    if count > limits.max_entries {
        return Err(Rejection::ZipTooBig {
            entries: count,
            declared_total: total,
        });
    }
    for p in &parts {
        if p.size > limits.max_entry_bytes
            || (p.size > limits.ratio_floor_bytes && p.size / p.packed.max(1) > limits.max_ratio)
        {
            return Err(Rejection::ZipBomb {
                entry: p.name.clone(),
                declared: p.size,
                compressed: p.packed,
            });
        }
    }
    if total > limits.max_total_bytes {
        return Err(Rejection::ZipTooBig {
            entries: count,
            declared_total: total,
        });
    }

    if format == Format::Ods {
        if let Some(i) = exact("META-INF/manifest.xml") {
            let manifest = peek(&mut zip, i, MIB)?;
            if contains(&manifest, b"encryption-data") {
                return Err(Rejection::Encrypted);
            }
        }
    }

    // The start of every XML part calamine may parse: no DTD, and the root
    // element in sight. Package metadata calamine never reads is skipped
    // (opening a deflated part costs ~5 µs, most of this function's time).
    for (i, p) in parts.iter().enumerate() {
        let xml = p.key.ends_with(".xml") || p.key.ends_with(".rels");
        let metadata = p.key == "[content_types].xml"
            || p.key.starts_with("docprops/")
            || p.key.starts_with("customxml/");
        if !xml || metadata {
            continue;
        }
        let is_sst = format == Format::Xlsx && p.key.ends_with("sharedstrings.xml");
        let want = if is_sst { SST_PEEK } else { PROLOG_PEEK };
        let head = peek(&mut zip, i, want)?;
        // zip 9 never inflates past the declared size
        let whole = (head.len() as u64) < want || p.size <= want;
        let text = ascii_view(&head);
        let root = check_prolog(&p.name, &text, whole)?;
        if is_sst {
            check_shared_strings(&p.name, &text, root, whole, p.size, limits)?;
        }
    }

    if format == Format::Ods {
        let Some(i) = exact("content.xml") else {
            return Ok(format); // calamine reports the missing part
        };
        let entry = zip.by_index(i).map_err(|_| Rejection::Truncated)?;
        scan_ods_content(BufReader::new(entry), limits)?;
    }
    Ok(format)
}

/// Up to `max` inflated bytes of entry `i`.
pub(super) fn peek(zip: &mut Zip<'_>, i: usize, max: u64) -> Result<Vec<u8>, Rejection> {
    let entry = zip.by_index(i).map_err(|_| Rejection::Truncated)?;
    let mut buf = Vec::with_capacity(max.min(entry.size()).min(64 * KIB) as usize);
    entry
        .take(max)
        .read_to_end(&mut buf)
        .map_err(|_| Rejection::Truncated)?;
    Ok(buf)
}

pub(super) fn classify_zip(
    ext: &str,
    zip: &mut Zip<'_>,
    parts: &[Part],
) -> Result<Format, Rejection> {
    let index = |key: &str| parts.iter().position(|p| p.key == key);
    let not = |what| {
        Err(Rejection::NotSpreadsheet {
            what,
            ext: ext.to_string(),
        })
    };
    if index("xl/workbook.xml").is_some() {
        return Ok(Format::Xlsx);
    }
    if index("xl/workbook.bin").is_some() {
        return Err(Rejection::Unsupported { what: WHAT_XLSB });
    }
    if let Some(i) = index("mimetype") {
        let mime = peek(zip, i, 128)?;
        if mime.starts_with(b"application/vnd.oasis.opendocument.spreadsheet") {
            return Ok(Format::Ods);
        }
        if mime.starts_with(b"application/vnd.oasis.opendocument.") {
            return not(WHAT_ODF_OTHER);
        }
    }
    if index("content.xml").is_some() {
        return Ok(Format::Ods);
    }
    if index("word/document.xml").is_some() {
        return not(WHAT_WORD);
    }
    if index("ppt/presentation.xml").is_some() {
        return not(WHAT_POWERPOINT);
    }
    if let Some(i) = index("[content_types].xml") {
        let types = peek(zip, i, 64 * KIB)?.to_ascii_lowercase();
        if contains(&types, b"spreadsheetml") || contains(&types, b"ms-excel.sheet") {
            return Ok(Format::Xlsx);
        }
        if contains(&types, b"wordprocessingml") {
            return not(WHAT_WORD);
        }
        if contains(&types, b"presentationml") {
            return not(WHAT_POWERPOINT);
        }
        return not(WHAT_OFFICE_OTHER);
    }
    not(WHAT_ZIP)
}

/// How the start of an XML part looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Root {
    /// The root element starts at this byte of the peek.
    At(usize),
    /// The part is shorter than the peek and has no element at all.
    None,
}

/// Refuse DOCTYPE/ENTITY declarations, and parts whose root element does
/// not start within the peek (a prolog padded past what we read could hide
/// a DOCTYPE; nothing legitimate writes one that long).
pub(super) fn check_prolog(part: &str, text: &[u8], whole: bool) -> Result<Root, Rejection> {
    if has_declaration(text) {
        return Err(Rejection::EntityDeclaration {
            part: part.to_string(),
        });
    }
    match root_start(text) {
        Some(at) => Ok(Root::At(at)),
        None if whole => Ok(Root::None),
        None => Err(Rejection::SuspiciousXml {
            part: part.to_string(),
        }),
    }
}

/// `<!DOCTYPE` or `<!ENTITY` anywhere in `s`, in any letter case.
pub(super) fn has_declaration(s: &[u8]) -> bool {
    let mut rest = s;
    while let Some(p) = rest.iter().position(|&b| b == b'<') {
        rest = &rest[p + 1..];
        if let Some(decl) = rest.strip_prefix(b"!") {
            let starts = |word: &[u8]| {
                decl.get(..word.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(word))
            };
            if starts(b"doctype") || starts(b"entity") {
                return true;
            }
        }
    }
    false
}

/// Byte offset of the first element tag after the XML declaration,
/// processing instructions and comments; `None` if it is not in `s`.
pub(super) fn root_start(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        let lt = i + s[i..].iter().position(|&b| b == b'<')?;
        let rest = &s[lt..];
        if rest.starts_with(b"<?") {
            i = lt + 2 + find(&rest[2..], b"?>")? + 2;
        } else if rest.starts_with(b"<!--") {
            i = lt + 4 + find(&rest[4..], b"-->")? + 3;
        } else if rest.starts_with(b"<!") || rest.len() < 2 {
            // a declaration (refused before this is reached) or the end
            return None;
        } else {
            return Some(lt);
        }
    }
    None
}

/// calamine reserves `uniqueCount` strings before reading any. Refuse a
/// count above `max_shared_strings`, or above `trusted_shared_strings` and
/// more than the part's declared size could hold at
/// [`MIN_BYTES_PER_SHARED_STRING`] a string.
pub(super) fn check_shared_strings(
    part: &str,
    head: &[u8],
    root: Root,
    whole: bool,
    declared_size: u64,
    limits: &Limits,
) -> Result<(), Rejection> {
    let Root::At(at) = root else {
        return Ok(()); // no element at all: calamine reports the error
    };
    // The root start tag, as calamine's first `Start` event sees it.
    let tag = match tag_end(&head[at..]) {
        Some(end) => &head[at..at + end],
        None if whole => &head[at..],
        None => {
            return Err(Rejection::SuspiciousXml {
                part: part.to_string(),
            })
        }
    };
    let name_len = tag[1..]
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
        .unwrap_or(tag.len() - 1);
    let name = &tag[1..1 + name_len];
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    if local != b"sst" {
        // calamine skips to the first `sst` element wherever it is, so a
        // part that does not start with one cannot be vouched for.
        return Err(Rejection::SuspiciousXml {
            part: part.to_string(),
        });
    }
    let declared = unique_count(tag);
    let fits = declared_size / MIN_BYTES_PER_SHARED_STRING;
    if declared > limits.max_shared_strings
        || (declared > limits.trusted_shared_strings && declared > fits)
    {
        return Err(Rejection::TooManyStrings {
            part: part.to_string(),
            declared,
            part_bytes: declared_size,
        });
    }
    Ok(())
}

/// End (exclusive) of the tag starting at `s[0] == b'<'`, honouring quotes.
pub(super) fn tag_end(s: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in s.iter().enumerate().skip(1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i + 1),
            None => {}
        }
    }
    None
}

/// The largest `uniqueCount="digits"` in the tag (calamine reads the first;
/// taking the largest can only be stricter). Leading zeros are skipped as
/// calamine's parser does; a value it cannot parse is never reserved.
pub(super) fn unique_count(tag: &[u8]) -> u64 {
    let key = b"uniqueCount";
    let mut best = 0u64;
    let mut from = 0;
    while let Some(p) = find(&tag[from..], key) {
        let mut i = from + p + key.len();
        from = i;
        // the key must be a whole attribute name
        let before = tag.get(from - key.len() - 1).copied().unwrap_or(b' ');
        if !before.is_ascii_whitespace() {
            continue;
        }
        while tag.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if tag.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while tag.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        let Some(&q) = tag.get(i).filter(|b| **b == b'"' || **b == b'\'') else {
            continue;
        };
        let value = &tag[i + 1..];
        let value = &value[..value.iter().position(|&b| b == q).unwrap_or(value.len())];
        let digits = value
            .iter()
            .skip_while(|&&b| b == b'0')
            .copied()
            .collect::<Vec<u8>>();
        if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
            continue;
        }
        let n = if digits.len() > 19 {
            u64::MAX
        } else {
            std::str::from_utf8(&digits)
                .ok()
                .and_then(|d| {
                    if d.is_empty() {
                        Some(0)
                    } else {
                        d.parse().ok()
                    }
                })
                .unwrap_or(u64::MAX)
        };
        best = best.max(n);
    }
    best
}
