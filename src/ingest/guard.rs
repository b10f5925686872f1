//! Guard: look at a file's raw bytes before calamine sees them, and refuse
//! the ones that would hurt the run. Takes a file name and its bytes; gives
//! back the real [`Format`] (decided by content, not by extension) or a
//! [`Rejection`] whose [`Rejection::reason`] tells the user, in Japanese,
//! what is wrong and what to do.
//!
//! It exists because calamine 0.38 does not fail gracefully on every hostile
//! input: some make it *abort the process* (an allocation failure cannot be
//! caught), hang, or spend gigabytes:
//!
//! - xlsx: `<sst uniqueCount="100000000000">` is handed to `Vec::reserve`;
//!   zip bombs (a 1 MB zip holding a 1 GB shared string takes 17 s, 3.7 GB).
//! - xls: a DIMENSIONS record is handed to `Vec::reserve(rows × cols)`; every
//!   sheet is built as a dense grid when the file is opened, so one cell at
//!   IV65536 costs ~0.5 GB; a cycle in the compound file's sector chains makes
//!   calamine loop, growing a buffer without end.
//! - ods: every sheet is built eagerly as a dense grid; repeated value cells
//!   (`number-columns-repeated` × `number-rows-repeated`) and `<text:s
//!   text:c="…">` expand without bound; a `<table:table>` that never closes
//!   makes calamine loop forever.
//! - any XML part: DOCTYPE / ENTITY declarations (billion laughs) are never
//!   legitimate in OOXML or ODF.
//!
//! The checks cost little for normal files: for xlsx the zip central
//! directory plus a 4–8 KiB peek at each XML part calamine may parse (about
//! half of what calamine spends opening and reading a small workbook); for
//! xls a walk over the BIFF record headers of the Workbook stream; for ods
//! one streaming pass over `content.xml` (ods is rare). A stray cell at XFD1048576 in an *xlsx*
//! is not refused here: the sheet reader streams xlsx cells instead.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::Event;
use zip::ZipArchive;

/// Resource limits. Everything is checked on declared sizes and counts
/// before any memory is spent on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Size of the file itself.
    pub max_file_bytes: u64,
    /// Number of parts (entries) in a zip container.
    pub max_entries: u64,
    /// Declared uncompressed size of one zip entry. zip 9 never inflates an
    /// entry past its declared size, so the declared sizes bound the work.
    pub max_entry_bytes: u64,
    /// Sum of the declared uncompressed sizes of all entries.
    pub max_total_bytes: u64,
    /// Entries declaring more than this are also held to `max_ratio`.
    pub ratio_floor_bytes: u64,
    /// Uncompressed : compressed. Deflate tops out near 1032:1; real xlsx
    /// XML compresses 5–30:1 (a sheet of one repeated formatted row maybe
    /// 100:1), so 200:1 on entries over 10 MiB only catches bombs.
    pub max_ratio: u64,
    /// `uniqueCount` of `<sst>`, whatever the part's size (calamine reserves
    /// 24 bytes a string up front).
    pub max_shared_strings: u64,
    /// Below this, `uniqueCount` is trusted even if it does not fit the
    /// part's size (some writers count wrongly; the reservation is small).
    pub trusted_shared_strings: u64,
    /// Cells of the dense grid calamine builds for one ods or xls sheet
    /// (first to last used row × first to last used column).
    pub max_sheet_cells: u64,
    /// The same, summed over the workbook (calamine builds every ods and
    /// xls sheet when the file is opened).
    pub max_book_cells: u64,
    /// Text calamine would copy into an ods sheet's cells, repeats included.
    pub max_expanded_text_bytes: u64,
    /// Text of one ods cell after expanding `<text:s text:c="N"/>` spaces.
    pub max_cell_bytes: u64,
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

impl Default for Limits {
    /// Generous for hearing sheets (tens of rows, a few sheets), tight
    /// enough that one hostile file cannot take the machine down while
    /// other files are read in parallel: a grid of 2,000,000 cells costs
    /// calamine about 110 MB (32-byte values + 24-byte formula strings).
    fn default() -> Self {
        Limits {
            max_file_bytes: 100 * MIB,
            max_entries: 10_000,
            max_entry_bytes: 256 * MIB,
            max_total_bytes: 512 * MIB,
            ratio_floor_bytes: 10 * MIB,
            max_ratio: 200,
            max_shared_strings: 10_000_000,
            trusted_shared_strings: 100_000,
            max_sheet_cells: 2_000_000,
            max_book_cells: 5_000_000,
            max_expanded_text_bytes: 256 * MIB,
            max_cell_bytes: MIB,
        }
    }
}

/// What the bytes really are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML workbook: .xlsx or .xlsm (open with `calamine::Xlsx`).
    Xlsx,
    /// BIFF in an OLE2 compound file: .xls (open with `calamine::Xls`).
    Xls,
    /// OpenDocument spreadsheet: .ods (open with `calamine::Ods`).
    Ods,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "Excel ブック (.xlsx)",
            Format::Xls => "Excel 97-2003 ブック (.xls)",
            Format::Ods => "OpenDocument スプレッドシート (.ods)",
        }
    }
}

/// Why a file is not handed to calamine. `Display` is [`Rejection::reason`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.reason())]
pub enum Rejection {
    /// Zero bytes.
    Empty,
    /// Larger than [`Limits::max_file_bytes`].
    TooLarge { bytes: u64, limit: u64 },
    /// Some other kind of file (text, Word, PDF, image, plain zip …).
    /// `what` is a Japanese noun phrase; `ext` the extension as written.
    NotSpreadsheet { what: &'static str, ext: String },
    /// A web page (HTML or MHTML) saved with a spreadsheet extension, the
    /// way many business systems "export to Excel".
    Html { ext: String },
    /// Comma- or tab-separated text with a spreadsheet extension.
    Csv { ext: String },
    /// A spreadsheet format renkei does not read (.xlsb, Excel 2003 XML,
    /// SYLK, Excel 4.0 and older); Excel converts it.
    Unsupported { what: &'static str },
    /// Password protected: an encrypted OOXML package (an OLE2 file with
    /// `EncryptionInfo`/`EncryptedPackage`), an .xls with a FILEPASS record,
    /// an ods with `manifest:encryption-data`, or encrypted zip entries.
    Encrypted,
    /// The zip container cannot be read (no end of central directory, a
    /// damaged entry): usually a copy cut short.
    Truncated,
    /// The inner structure is broken in a way calamine would not survive
    /// (cycles in an OLE2 sector chain, a sheet offset past the end, an ods
    /// table that never closes). `detail` is English, for logs only.
    Corrupt { detail: &'static str },
    /// One zip entry declares more than [`Limits::max_entry_bytes`], or
    /// inflates more than [`Limits::max_ratio`] times its compressed size.
    ZipBomb {
        entry: String,
        declared: u64,
        compressed: u64,
    },
    /// Too many entries, or too much data once all are inflated.
    ZipTooBig { entries: u64, declared_total: u64 },
    /// `<sst uniqueCount>` larger than the part can hold.
    TooManyStrings {
        part: String,
        declared: u64,
        part_bytes: u64,
    },
    /// `<!DOCTYPE` or `<!ENTITY` in an XML part.
    EntityDeclaration { part: String },
    /// An XML part whose first element is not where it should be (a padded
    /// prolog, text before the root, an unexpected root), so the peek
    /// cannot vouch for it.
    SuspiciousXml { part: String },
    /// Repeated ods rows/columns that expand to a huge grid or huge text.
    OdsRepeatBomb {
        sheet: String,
        cells: u64,
        text_bytes: u64,
    },
    /// An xls sheet whose grid (cells in use, or the DIMENSIONS record)
    /// spans too many cells.
    SheetTooLarge { sheet: String, rows: u64, cols: u64 },
    /// The sheets of an ods or xls workbook together span too many cells.
    BookTooLarge { cells: u64 },
}

const RESAVE_AS_XLSX: &str =
    "Excel で開き、「名前を付けて保存」で「Excel ブック (*.xlsx)」を選んで保存し直してください。";

impl Rejection {
    /// One or two Japanese sentences: what is wrong, then what to do.
    pub fn reason(&self) -> String {
        match self {
            Rejection::Empty => {
                "ファイルが空（0 バイト）です。元のファイルをもう一度コピーするか、保存し直してください。"
                    .to_string()
            }
            Rejection::TooLarge { bytes, limit } => format!(
                "ファイルが大きすぎます（{}、上限 {}）。不要なシートや画像を削除して保存し直してください。",
                human_bytes(*bytes),
                human_bytes(*limit)
            ),
            Rejection::NotSpreadsheet { what, ext } => {
                let advice = if *what == WHAT_ZIP {
                    "展開（解凍）してから、中の Excel ファイルを入れてください。"
                } else {
                    "ファイルを取り違えていないか確認してください。"
                };
                format!(
                    "中身が{what}で、Excel のファイルではありません{}。{advice}",
                    ext_note(ext)
                )
            }
            Rejection::Html { ext } => format!(
                "中身が Web ページ（HTML）で、Excel のファイルではありません{}。{RESAVE_AS_XLSX}",
                ext_note(ext)
            ),
            Rejection::Csv { ext } => format!(
                "中身が CSV（カンマ・タブ区切りのテキスト）で、Excel ブックではありません{}。{RESAVE_AS_XLSX}",
                ext_note(ext)
            ),
            Rejection::Unsupported { what } => {
                format!("{what}の形式は読み込めません。{RESAVE_AS_XLSX}")
            }
            Rejection::Encrypted => "パスワードで保護されています。Excel で開いてパスワードを外し（「ファイル」→「情報」→「ブックの保護」→「パスワードを使用して暗号化」で空にする）、保存し直してください。".to_string(),
            Rejection::Truncated => "ファイルが途中で切れているか壊れています。元のファイルをもう一度コピーしてください。".to_string(),
            Rejection::Corrupt { .. } => "ファイルの内部が壊れています。Excel で開けるか確かめ、開けるなら「名前を付けて保存」で保存し直してください。".to_string(),
            Rejection::ZipBomb {
                entry,
                declared,
                compressed,
            } => format!(
                "ファイル内部の部品「{entry}」が展開すると {} になると記録されていて（圧縮時 {}）、異常なため読み込みません。作成元を確認し、Excel で保存し直したファイルを使ってください。",
                human_bytes(*declared),
                human_bytes(*compressed)
            ),
            Rejection::ZipTooBig {
                entries,
                declared_total,
            } => format!(
                "展開後の大きさが合計 {}（部品 {} 個）になり、大きすぎるため読み込みません。不要なシートや画像を削除して保存し直してください。",
                human_bytes(*declared_total),
                group_digits(*entries)
            ),
            Rejection::TooManyStrings { declared, .. } => format!(
                "文字列の数が {} 個と記録されていますが、ファイルの大きさと合わず、このまま読むとメモリが足りなくなります。Excel で開いて保存し直してください。",
                group_digits(*declared)
            ),
            Rejection::EntityDeclaration { part } => format!(
                "ファイル内部の部品「{part}」に、Excel が作らない記述（DOCTYPE・ENTITY 宣言）があるため、安全のため読み込みません。作成元を確認し、Excel で作り直したファイルを使ってください。"
            ),
            Rejection::SuspiciousXml { part } => format!(
                "ファイル内部の部品「{part}」の書き出しが通常と異なるため、安全のため読み込みません。作成元を確認し、Excel で保存し直したファイルを使ってください。"
            ),
            Rejection::OdsRepeatBomb { sheet, cells, .. } => format!(
                "シート「{sheet}」では値の入ったセルが大量に繰り返されていて、展開すると約 {} セル分になり、メモリが足りなくなります。不要な行・列を削除して保存し直してください。",
                group_digits(*cells)
            ),
            Rejection::SheetTooLarge { sheet, rows, cols } => format!(
                "シート「{sheet}」の使用範囲が {} 行 × {} 列と広すぎて読み込めません。離れた場所にある不要なセルを削除するか、「Excel ブック (*.xlsx)」で保存し直してください。",
                group_digits(*rows),
                group_digits(*cols)
            ),
            Rejection::BookTooLarge { cells } => format!(
                "ブック全体の使用範囲が約 {} セルと広すぎて読み込めません。不要なシートや離れた場所のセルを削除するか、「Excel ブック (*.xlsx)」で保存し直してください。",
                group_digits(*cells)
            ),
        }
    }
}

fn ext_note(ext: &str) -> String {
    if ext.is_empty() {
        String::new()
    } else {
        format!("（拡張子は .{ext}）")
    }
}

fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn human_bytes(n: u64) -> String {
    const GIB: u64 = 1024 * MIB;
    if n >= GIB {
        format!("{:.1} GB", n as f64 / GIB as f64)
    } else if n >= MIB {
        format!("{:.1} MB", n as f64 / MIB as f64)
    } else if n >= KIB {
        format!("{} KB", n.div_ceil(KIB))
    } else {
        format!("{n} バイト")
    }
}

// Japanese nouns for `NotSpreadsheet::what` / `Unsupported::what`.
const WHAT_TEXT: &str = "テキスト";
const WHAT_ZIP: &str = "zip 圧縮ファイル";
const WHAT_WORD: &str = "Word 文書";
const WHAT_POWERPOINT: &str = "PowerPoint のファイル";
const WHAT_OFFICE_OTHER: &str = "Excel 以外の Office 文書";
const WHAT_ODF_OTHER: &str = "スプレッドシート以外の OpenDocument 文書";
const WHAT_PDF: &str = "PDF";
const WHAT_IMAGE: &str = "画像";
const WHAT_RTF: &str = "RTF 文書";
const WHAT_ARCHIVE: &str = "圧縮ファイル";
const WHAT_XML: &str = "XML のデータ";
const WHAT_UNKNOWN: &str = "表計算ソフトでは作られない形式のデータ";
const WHAT_XLSB: &str = "Excel バイナリ ブック (.xlsb)";
const WHAT_XML2003: &str = "Excel 2003 XML スプレッドシート";
const WHAT_SYLK: &str = "SYLK";
const WHAT_BIFF_OLD: &str = "Excel 4.0 以前のブック";

/// Decide what `bytes` are and whether calamine may open them.
///
/// The format comes from the content (magic bytes, zip part names, OLE2
/// stream names); `file_name`'s extension only shapes the messages.
pub fn inspect(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Format, Rejection> {
    let ext = extension(file_name);
    if bytes.is_empty() {
        return Err(Rejection::Empty);
    }
    let len = bytes.len() as u64;
    if len > limits.max_file_bytes {
        return Err(Rejection::TooLarge {
            bytes: len,
            limit: limits.max_file_bytes,
        });
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return inspect_zip(&ext, bytes, limits);
    }
    if bytes.starts_with(&OLE_MAGIC) {
        return inspect_ole(&ext, bytes, limits);
    }
    Err(sniff_other(&ext, bytes))
}

fn extension(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_lowercase(),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------
// Anything that is neither a zip nor an OLE2 file.

/// Classify a file that is neither zip nor OLE2. Always a rejection.
fn sniff_other(ext: &str, bytes: &[u8]) -> Rejection {
    let head = &bytes[..bytes.len().min(8 * KIB as usize)];
    let not = |what| Rejection::NotSpreadsheet {
        what,
        ext: ext.to_string(),
    };
    if head.starts_with(b"%PDF") {
        return not(WHAT_PDF);
    }
    if head.starts_with(b"\x89PNG")
        || head.starts_with(b"\xFF\xD8\xFF")
        || head.starts_with(b"GIF8")
        || head.starts_with(b"BM") && head.len() > 14 && head[6..10] == [0, 0, 0, 0]
    {
        return not(WHAT_IMAGE);
    }
    if head.starts_with(b"Rar!")
        || head.starts_with(b"7z\xBC\xAF\x27\x1C")
        || head.starts_with(b"\x1F\x8B")
        || head.starts_with(b"PK\x07\x08")
    {
        return not(WHAT_ARCHIVE);
    }
    // BIFF2–BIFF4 workbooks are bare BOF records, not in an OLE2 file.
    if head.len() >= 4
        && matches!(head[..2], [0x09, 0x00] | [0x09, 0x02] | [0x09, 0x04])
        && matches!(head[2..4], [4..=16, 0])
    {
        return Rejection::Unsupported {
            what: WHAT_BIFF_OLD,
        };
    }

    let text = ascii_view(head);
    let t = trim_start(&text);
    let lower = t.to_ascii_lowercase();
    if lower.starts_with(b"{\\rtf") {
        return not(WHAT_RTF);
    }
    if lower.starts_with(b"id;p") {
        return Rejection::Unsupported { what: WHAT_SYLK };
    }
    if lower.starts_with(b"<?xml") {
        if contains(&lower, b"urn:schemas-microsoft-com:office:spreadsheet")
            || contains(&lower, b"progid=\"excel.sheet\"")
        {
            return Rejection::Unsupported { what: WHAT_XML2003 };
        }
        if contains(&lower, b"<html") {
            return Rejection::Html {
                ext: ext.to_string(),
            };
        }
        return not(WHAT_XML);
    }
    if lower.starts_with(b"<")
        && (contains(&lower, b"<html")
            || contains(&lower, b"<table")
            || contains(&lower, b"<!doctype html"))
    {
        return Rejection::Html {
            ext: ext.to_string(),
        };
    }
    // MHTML ("Web ページ、1 つのファイル"): mail-style headers first.
    if contains(&lower[..lower.len().min(2048)], b"mime-version:")
        && (contains(&lower, b"multipart/related") || contains(&lower, b"text/html"))
    {
        return Rejection::Html {
            ext: ext.to_string(),
        };
    }
    if is_text(&text) {
        if looks_like_csv(&text) {
            return Rejection::Csv {
                ext: ext.to_string(),
            };
        }
        return not(WHAT_TEXT);
    }
    not(WHAT_UNKNOWN)
}

/// The head of a text file as UTF-8 (UTF-16 with or without a byte-order
/// mark is decoded, a UTF-8 BOM dropped); other bytes pass unchanged, so
/// ASCII markers can be searched for in any of them.
fn ascii_view(head: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let (body, little) = if let Some(b) = head.strip_prefix(b"\xFF\xFE") {
        (b, Some(true))
    } else if let Some(b) = head.strip_prefix(b"\xFE\xFF") {
        (b, Some(false))
    } else if head.len() >= 8 {
        // ASCII in UTF-16 without a BOM: every other byte is zero.
        let odd = head[..8].iter().skip(1).step_by(2).all(|&b| b == 0);
        let even = head[..8].iter().step_by(2).all(|&b| b == 0);
        match (even, odd) {
            (false, true) => (head, Some(true)),
            (true, false) => (head, Some(false)),
            _ => (head, None),
        }
    } else {
        (head, None)
    };
    let Some(little) = little else {
        return std::borrow::Cow::Borrowed(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    };
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|c| {
            if little {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect();
    std::borrow::Cow::Owned(String::from_utf16_lossy(&units).into_bytes())
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .take_while(|b| b.is_ascii_whitespace() || **b == 0)
        .count();
    &s[n..]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Text in any of the encodings Japanese users meet (UTF-8, Shift_JIS,
/// EUC-JP, UTF-16 after [`ascii_view`]): no control bytes but layout ones.
fn is_text(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A | 0x1B))
}

/// At least two of the first lines carry the same number (≥ 1) of commas
/// or of tabs.
fn looks_like_csv(s: &[u8]) -> bool {
    let lines: Vec<&[u8]> = s
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
        .take(5)
        .collect();
    if lines.len() < 2 {
        return false;
    }
    [b',', b'\t'].iter().any(|&sep| {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| l.iter().filter(|&&b| b == sep).count())
            .collect();
        counts[0] > 0 && counts[1..].iter().filter(|&&c| c == counts[0]).count() >= 1
    })
}

// ---------------------------------------------------------------------------
// Zip containers: xlsx / xlsm / ods (and docx, plain zips … to refuse).

/// Bytes of each XML part read to look for DOCTYPE and the root element.
const PROLOG_PEEK: u64 = 4 * KIB;
/// Bytes of a sharedStrings part read to find `<sst uniqueCount>`.
const SST_PEEK: u64 = 8 * KIB;
/// Smallest `<si>` calamine counts: `<si><t/></si>` is 13 bytes; 8 leaves
/// room for odd writers and still catches every absurd count.
const MIN_BYTES_PER_SHARED_STRING: u64 = 8;

type Zip<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// One zip entry, from the central directory.
struct Part {
    /// As written in the zip, for messages.
    name: String,
    /// As calamine looks parts up: `\` → `/`, ASCII lower case.
    key: String,
    size: u64,
    packed: u64,
}

fn inspect_zip(ext: &str, bytes: &[u8], limits: &Limits) -> Result<Format, Rejection> {
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
fn peek(zip: &mut Zip<'_>, i: usize, max: u64) -> Result<Vec<u8>, Rejection> {
    let entry = zip.by_index(i).map_err(|_| Rejection::Truncated)?;
    let mut buf = Vec::with_capacity(max.min(entry.size()).min(64 * KIB) as usize);
    entry
        .take(max)
        .read_to_end(&mut buf)
        .map_err(|_| Rejection::Truncated)?;
    Ok(buf)
}

fn classify_zip(ext: &str, zip: &mut Zip<'_>, parts: &[Part]) -> Result<Format, Rejection> {
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
enum Root {
    /// The root element starts at this byte of the peek.
    At(usize),
    /// The part is shorter than the peek and has no element at all.
    None,
}

/// Refuse DOCTYPE/ENTITY declarations, and parts whose root element does
/// not start within the peek (a prolog padded past what we read could hide
/// a DOCTYPE; nothing legitimate writes one that long).
fn check_prolog(part: &str, text: &[u8], whole: bool) -> Result<Root, Rejection> {
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
fn has_declaration(s: &[u8]) -> bool {
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
fn root_start(s: &[u8]) -> Option<usize> {
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
fn check_shared_strings(
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
fn tag_end(s: &[u8]) -> Option<usize> {
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
fn unique_count(tag: &[u8]) -> u64 {
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

// ---------------------------------------------------------------------------
// ODS: estimate the dense grids calamine will build from content.xml.

/// calamine's caps on an ods sheet.
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLS: u64 = 16_384;

#[derive(Default)]
struct OdsSheet {
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
struct OdsRow {
    repeats: u64,
    /// Cells calamine materialises: empty ones only before a value.
    cols: u64,
    pending_empty: u64,
    first: Option<u64>,
    last: u64,
    text: u64,
}

struct OdsCell {
    depth: u32,
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
fn scan_ods_content<R: std::io::BufRead>(reader: R, limits: &Limits) -> Result<(), Rejection> {
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
                if let Some(c) = cell.as_mut() {
                    c.depth += 1;
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
                            depth: 1,
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
                if let Some(c) = cell.as_mut() {
                    c.depth -= 1;
                    if c.depth > 0 {
                        continue;
                    }
                    let c = cell.take().expect("cell is open");
                    let r = row.as_mut().expect("a cell lives in a row");
                    let s = sheet.as_ref().expect("a row lives in a sheet");
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
                    continue;
                }
                match e.name().as_ref() {
                    "table:table-row" if row.is_some() => {
                        let r = row.take().expect("row is open");
                        let s = sheet.as_mut().expect("a row lives in a sheet");
                        let n = r.repeats.min(ODS_MAX_ROWS - s.rows);
                        let start = s.rows;
                        s.rows += n;
                        let Some(first) = r.first else { continue };
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
                        check_ods_sheet(s, book_cells, limits)?;
                    }
                    "table:table" if sheet.is_some() => {
                        let s = sheet.take().expect("sheet is open");
                        row = None;
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

fn check_ods_sheet(s: &OdsSheet, book_cells: u64, limits: &Limits) -> Result<(), Rejection> {
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

fn attr_string(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.into_owned())
}

/// A count attribute; values too large for u64 saturate, unparsable ones
/// are `None` (calamine then fails with a parse error).
fn attr_u64(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<u64> {
    let v = attr_string(e, key)?;
    let v = v.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.parse().unwrap_or(u64::MAX))
}

// ---------------------------------------------------------------------------
// OLE2 compound files: .xls, or an encrypted xlsx.

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
/// calamine follows the DIFAT chain while the next id is below this.
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
/// Cells of a full BIFF8 sheet (65,536 rows × 256 columns).
const BIFF8_CELLS: u64 = 65_536 * 256;

fn inspect_ole(ext: &str, bytes: &[u8], limits: &Limits) -> Result<Format, Rejection> {
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

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

struct DirEntry {
    name: String,
    start: u32,
    len: u64,
}

/// Just enough of a compound-file reader to walk the chains calamine 0.38
/// `cfb::Cfb::new` walks, and to refuse the files on which calamine would
/// loop, panic or allocate without bound: a chain longer than the file has
/// sectors (a cycle), a FAT/DIFAT listing more sectors than exist, a
/// sector id past the end of the file.
struct Cfb<'a> {
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
struct Records<'a> {
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
fn check_biff(stream: &[u8], limits: &Limits) -> Result<(), Rejection> {
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
fn dimensions(data: &[u8]) -> Result<Option<(u64, u64)>, Rejection> {
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
fn sheet_name(data: &[u8], biff8: bool) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::time::{Duration, Instant};

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    fn check(name: &str, bytes: &[u8]) -> Result<Format, Rejection> {
        inspect(name, bytes, &Limits::default())
    }

    // -- builders -----------------------------------------------------------

    /// A zip of the given parts, deflated, in order.
    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body) in parts {
            let method = if *name == "mimetype" {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            let options = SimpleFileOptions::default()
                .compression_method(method)
                .large_file(body.len() as u64 >= u64::from(u32::MAX));
            w.start_file(*name, options).unwrap();
            w.write_all(body).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// The parts of a zip, in order.
    fn parts_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut body = Vec::new();
                f.read_to_end(&mut body).unwrap();
                (f.name().unwrap().to_string(), body)
            })
            .collect()
    }

    /// `bytes` with part `name` replaced by `f(old)`.
    fn with_part(bytes: &[u8], name: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
        let parts: Vec<(String, Vec<u8>)> = parts_of(bytes)
            .into_iter()
            .map(|(n, b)| {
                let b = if n == name {
                    f(std::str::from_utf8(&b).unwrap()).into_bytes()
                } else {
                    b
                };
                (n, b)
            })
            .collect();
        let refs: Vec<(&str, &[u8])> = parts
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        zip_of(&refs)
    }

    /// A small, valid 例① workbook written by rust_xlsxwriter.
    fn valid_xlsx() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write(0, 0, "【一次連携】 第1回薬剤師会との打合せ会")
            .unwrap();
        for (c, h) in ["No", "職種", "発言者", "意見", "備考"].iter().enumerate() {
            ws.write(4, c as u16, *h).unwrap();
        }
        ws.write(5, 0, 1).unwrap();
        ws.write(5, 1, "薬剤師").unwrap();
        ws.write(5, 3, "残薬が多い。").unwrap();
        wb.save_to_buffer().unwrap()
    }

    const ODS_NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0""#;
    const ODS_MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

    /// An ods whose one sheet holds `rows` (`<table:table-row>` elements).
    fn ods_of(rows: &str) -> Vec<u8> {
        ods_with(rows, ODS_MANIFEST)
    }

    fn ods_with(rows: &str, manifest: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}><office:body><office:spreadsheet><table:table table:name="シート1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        zip_of(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
            ),
            ("content.xml", content.as_bytes()),
            ("META-INF/manifest.xml", manifest.as_bytes()),
        ])
    }

    const ODS_VALUE: &str =
        r#"<table:table-cell office:value-type="string"><text:p>残薬</text:p></table:table-cell>"#;

    /// A compound file (512-byte sectors) holding `streams`, each padded to
    /// 4096 bytes so that none lives in the mini stream.
    fn cfb_of(streams: &[(&str, &[u8])]) -> Vec<u8> {
        assert!(streams.len() <= 3);
        let padded: Vec<Vec<u8>> = streams
            .iter()
            .map(|(_, b)| {
                let mut b = b.to_vec();
                let len = b.len().max(4096).div_ceil(512) * 512;
                b.resize(len, 0);
                b
            })
            .collect();
        // sector 0: FAT, sector 1: directory, then the streams.
        let mut fat = vec![0xFFFF_FFFFu32; 128];
        fat[0] = 0xFFFF_FFFD;
        fat[1] = ENDOFCHAIN;
        let mut starts = Vec::new();
        let mut next = 2u32;
        for b in &padded {
            let n = (b.len() / 512) as u32;
            starts.push(next);
            for k in 0..n {
                fat[(next + k) as usize] = if k + 1 == n { ENDOFCHAIN } else { next + k + 1 };
            }
            next += n;
        }
        assert!(next <= 128);
        let mut out = vec![0u8; 512];
        out[..8].copy_from_slice(&OLE_MAGIC);
        let put16 =
            |o: &mut [u8], at: usize, v: u16| o[at..at + 2].copy_from_slice(&v.to_le_bytes());
        let put32 =
            |o: &mut [u8], at: usize, v: u32| o[at..at + 4].copy_from_slice(&v.to_le_bytes());
        put16(&mut out, 24, 0x3E);
        put16(&mut out, 26, 3);
        put16(&mut out, 28, 0xFFFE);
        put16(&mut out, 30, 9);
        put16(&mut out, 32, 6);
        put32(&mut out, 44, 1); // FAT sectors
        put32(&mut out, 48, 1); // directory start
        put32(&mut out, 56, 4096);
        put32(&mut out, 60, ENDOFCHAIN); // mini FAT start
        put32(&mut out, 64, 0);
        put32(&mut out, 68, ENDOFCHAIN); // DIFAT start
        put32(&mut out, 76, 0); // DIFAT[0] = sector 0
        for i in 1..109 {
            put32(&mut out, 76 + 4 * i, 0xFFFF_FFFF);
        }
        out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
        let mut dir = vec![0u8; 512];
        let entry = |d: &mut [u8],
                     i: usize,
                     name: &str,
                     typ: u8,
                     start: u32,
                     len: u32,
                     child: u32,
                     right: u32| {
            let e = &mut d[i * 128..(i + 1) * 128];
            let units: Vec<u16> = name.encode_utf16().collect();
            for (k, u) in units.iter().enumerate() {
                e[2 * k..2 * k + 2].copy_from_slice(&u.to_le_bytes());
            }
            e[64..66].copy_from_slice(&((units.len() as u16 + 1) * 2).to_le_bytes());
            e[66] = typ;
            e[67] = 1;
            e[68..72].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
            e[72..76].copy_from_slice(&right.to_le_bytes());
            e[76..80].copy_from_slice(&child.to_le_bytes());
            e[116..120].copy_from_slice(&start.to_le_bytes());
            e[120..124].copy_from_slice(&len.to_le_bytes());
        };
        let none = 0xFFFF_FFFFu32;
        entry(
            &mut dir,
            0,
            "Root Entry",
            5,
            ENDOFCHAIN,
            0,
            if streams.is_empty() { none } else { 1 },
            none,
        );
        for (i, (name, _)) in streams.iter().enumerate() {
            let right = if i + 1 < streams.len() {
                i as u32 + 2
            } else {
                none
            };
            entry(
                &mut dir,
                i + 1,
                name,
                2,
                starts[i],
                padded[i].len() as u32,
                none,
                right,
            );
        }
        for i in streams.len() + 1..4 {
            let e = &mut dir[i * 128..(i + 1) * 128];
            e[68..80].copy_from_slice(&[0xFF; 12]);
        }
        out.extend(dir);
        for b in padded {
            out.extend(b);
        }
        out
    }

    /// A compound file whose one stream (under 4096 bytes) lives in the
    /// mini stream: sector 0 FAT, 1 directory, 2 mini FAT, 3.. mini stream.
    fn cfb_mini(name: &str, data: &[u8]) -> Vec<u8> {
        assert!(data.len() < 4096);
        let minis = data.len().div_ceil(64).max(1);
        let mut mini_stream = data.to_vec();
        mini_stream.resize(minis * 64, 0);
        let stream_sectors = mini_stream.len().div_ceil(512);
        let mut body = mini_stream.clone();
        body.resize(stream_sectors * 512, 0);
        let mut fat = vec![0xFFFF_FFFFu32; 128];
        fat[0] = 0xFFFF_FFFD;
        fat[1] = ENDOFCHAIN;
        fat[2] = ENDOFCHAIN;
        for k in 0..stream_sectors {
            fat[3 + k] = if k + 1 == stream_sectors {
                ENDOFCHAIN
            } else {
                (4 + k) as u32
            };
        }
        let mut mini_fat = vec![0xFFFF_FFFFu32; 128];
        for (k, next) in mini_fat.iter_mut().take(minis).enumerate() {
            *next = if k + 1 == minis {
                ENDOFCHAIN
            } else {
                (k + 1) as u32
            };
        }
        // reuse the big-stream builder for header and directory, then patch
        let mut out = cfb_of(&[(name, &[0u8; 8])]);
        out.truncate(512 * 3); // header, FAT, directory
        out[60..64].copy_from_slice(&2u32.to_le_bytes()); // mini FAT start
        out[64..68].copy_from_slice(&1u32.to_le_bytes()); // mini FAT sectors
        out[512..1024].copy_from_slice(
            &fat.iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<u8>>(),
        );
        let dir = 1024;
        out[dir + 116..dir + 120].copy_from_slice(&3u32.to_le_bytes()); // root: mini stream
        out[dir + 120..dir + 124].copy_from_slice(&(mini_stream.len() as u32).to_le_bytes());
        out[dir + 128 + 116..dir + 128 + 120].copy_from_slice(&0u32.to_le_bytes());
        out[dir + 128 + 120..dir + 128 + 124].copy_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend(mini_fat.iter().flat_map(|v| v.to_le_bytes()));
        out.extend(body);
        out
    }

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    fn bof() -> Vec<u8> {
        record(
            0x0809,
            &[0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        )
    }

    fn number(row: u16, col: u16, v: f64) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(v.to_le_bytes());
        record(0x0203, &d)
    }

    fn dims(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let mut d = rf.to_le_bytes().to_vec();
        d.extend(rl.to_le_bytes());
        d.extend(cf.to_le_bytes());
        d.extend(cl.to_le_bytes());
        d.extend([0, 0]);
        record(0x0200, &d)
    }

    /// A BIFF8 Workbook stream: globals (`extra` after the BOF) and one
    /// sheet "S" made of `sheet` records between its BOF and EOF.
    fn biff(extra: &[Vec<u8>], sheet: &[Vec<u8>]) -> Vec<u8> {
        let mut globals = bof();
        for r in extra {
            globals.extend(r);
        }
        let boundsheet_len = 4 + 8 + 1;
        let sheet_pos = (globals.len() + boundsheet_len + 4) as u32;
        let mut bs = sheet_pos.to_le_bytes().to_vec();
        bs.extend([0, 0, 1, 0, b'S']);
        globals.extend(record(0x0085, &bs));
        globals.extend(record(0x000A, &[]));
        assert_eq!(globals.len() as u32, sheet_pos);
        let mut out = globals;
        out.extend(bof());
        for r in sheet {
            out.extend(r);
        }
        out.extend(record(0x000A, &[]));
        out
    }

    fn xls_of(extra: &[Vec<u8>], sheet: &[Vec<u8>]) -> Vec<u8> {
        cfb_of(&[("Workbook", &biff(extra, sheet))])
    }

    // -- plain files ----------------------------------------------------------

    #[test]
    fn valid_xlsx_passes() {
        let bytes = valid_xlsx();
        assert_eq!(check("薬剤師_第1回.xlsx", &bytes), Ok(Format::Xlsx));
        // the extension does not decide the format
        assert_eq!(check("薬剤師_第1回.xls", &bytes), Ok(Format::Xlsx));
        assert_eq!(check("名前だけ", &bytes), Ok(Format::Xlsx));
    }

    #[test]
    fn empty_and_too_large() {
        assert_eq!(check("空.xlsx", b""), Err(Rejection::Empty));
        let limits = Limits {
            max_file_bytes: 1000,
            ..Limits::default()
        };
        assert_eq!(
            inspect("大.xlsx", &valid_xlsx(), &limits).unwrap_err(),
            Rejection::TooLarge {
                bytes: valid_xlsx().len() as u64,
                limit: 1000
            }
        );
    }

    #[test]
    fn text_csv_and_other_files() {
        let text = "打合せ会のメモ\r\n残薬の件は次回までに事例を集める。\r\n";
        assert_eq!(
            check("メモ.xlsx", text.as_bytes()),
            Err(Rejection::NotSpreadsheet {
                what: WHAT_TEXT,
                ext: "xlsx".into()
            })
        );
        let csv = "No,職種,発言者,意見,備考\r\n1,薬剤師,A,残薬が多い,医師\r\n";
        assert_eq!(
            check("一覧.xls", csv.as_bytes()),
            Err(Rejection::Csv { ext: "xls".into() })
        );
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        utf16.extend(utf16le("No\t職種\t意見\r\n1\t薬剤師\t残薬\r\n"));
        assert_eq!(
            check("一覧.xls", &utf16),
            Err(Rejection::Csv { ext: "xls".into() })
        );
        assert!(matches!(
            check("a.xlsx", b"%PDF-1.7\n..."),
            Err(Rejection::NotSpreadsheet { what: WHAT_PDF, .. })
        ));
        assert!(matches!(
            check("a.xlsx", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(Rejection::NotSpreadsheet {
                what: WHAT_IMAGE,
                ..
            })
        ));
        assert!(matches!(
            check("a.xlsx", &[0u8, 1, 2, 3, 4, 5, 200, 7]),
            Err(Rejection::NotSpreadsheet {
                what: WHAT_UNKNOWN,
                ..
            })
        ));
    }

    #[test]
    fn html_saved_as_xls() {
        let cases: [&[u8]; 6] = [
            b"<html xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><body><table><tr><td>1</td></tr></table></body></html>",
            b"\xEF\xBB\xBF\r\n  <!DOCTYPE html>\n<html><head></head></html>",
            b"<table border=1><tr><th>No</th></tr></table>",
            b"<!-- saved from url=(0014)about:internet -->\r\n<html>",
            b"MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; boundary=\"----=_NextPart\"\r\n",
            b"<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>",
        ];
        for html in cases {
            assert_eq!(
                check("出力.xls", html),
                Err(Rejection::Html { ext: "xls".into() }),
                "{}",
                String::from_utf8_lossy(html)
            );
        }
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(utf16le("<html><body><table></table></body></html>"));
        assert_eq!(
            check("出力.xls", &utf16),
            Err(Rejection::Html { ext: "xls".into() })
        );
        let xml2003 = b"<?xml version=\"1.0\"?>\r\n<?mso-application progid=\"Excel.Sheet\"?>\r\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">";
        assert_eq!(
            check("出力.xls", xml2003),
            Err(Rejection::Unsupported { what: WHAT_XML2003 })
        );
    }

    // -- zip containers -------------------------------------------------------

    #[test]
    fn truncated_zip() {
        let bytes = valid_xlsx();
        assert_eq!(
            check("途中.xlsx", &bytes[..bytes.len() / 2]),
            Err(Rejection::Truncated)
        );
        assert_eq!(check("途中.xlsx", &bytes[..30]), Err(Rejection::Truncated));
    }

    #[test]
    fn zips_that_are_not_spreadsheets() {
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>".as_slice()),
            ("word/document.xml", b"<w:document/>".as_slice()),
        ]);
        assert_eq!(
            check("議事録.xlsx", &docx),
            Err(Rejection::NotSpreadsheet {
                what: WHAT_WORD,
                ext: "xlsx".into()
            })
        );
        let plain = zip_of(&[("薬剤師_第1回.xlsx", b"PK...".as_slice())]);
        assert!(matches!(
            check("まとめ.xlsx", &plain),
            Err(Rejection::NotSpreadsheet { what: WHAT_ZIP, .. })
        ));
        let odt = zip_of(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.text".as_slice(),
            ),
            ("content.xml", b"<office:document-content/>".as_slice()),
        ]);
        assert!(matches!(
            check("a.ods", &odt),
            Err(Rejection::NotSpreadsheet {
                what: WHAT_ODF_OTHER,
                ..
            })
        ));
        let xlsb = zip_of(&[("xl/workbook.bin", b"\0\0".as_slice())]);
        assert_eq!(
            check("a.xlsx", &xlsb),
            Err(Rejection::Unsupported { what: WHAT_XLSB })
        );
        // an xlsx whose workbook lives elsewhere is still found by its types
        let moved = zip_of(&[
            ("[Content_Types].xml", br#"<Types><Override PartName="/book/wb.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.as_slice()),
            ("book/wb.xml", b"<workbook/>".as_slice()),
        ]);
        assert_eq!(check("a.xlsx", &moved), Ok(Format::Xlsx));
    }

    #[test]
    fn zip_bomb_by_size_and_by_ratio() {
        let zeros = vec![0u8; 3 << 20];
        let bytes = zip_of(&[
            ("xl/workbook.xml", b"<workbook/>".as_slice()),
            ("xl/media/image1.png", zeros.as_slice()),
        ]);
        let by_size = Limits {
            max_entry_bytes: 2 << 20,
            ..Limits::default()
        };
        assert!(matches!(
            inspect("a.xlsx", &bytes, &by_size),
            Err(Rejection::ZipBomb { ref entry, declared, .. })
                if entry == "xl/media/image1.png" && declared == 3 << 20
        ));
        let by_ratio = Limits {
            ratio_floor_bytes: 1 << 20,
            ..Limits::default()
        };
        assert!(matches!(
            inspect("a.xlsx", &bytes, &by_ratio),
            Err(Rejection::ZipBomb { .. })
        ));
        let by_total = Limits {
            max_total_bytes: 1 << 20,
            ..Limits::default()
        };
        assert!(matches!(
            inspect("a.xlsx", &bytes, &by_total),
            Err(Rejection::ZipTooBig { entries: 2, .. })
        ));
        // the default limits let a 3 MiB part through
        assert_eq!(check("a.xlsx", &bytes), Ok(Format::Xlsx));
    }

    #[test]
    fn encrypted_zip_entries() {
        // A traditional-PKWARE-encrypted entry: flag bit 0 in both headers.
        let mut bytes = valid_xlsx();
        for sig in [b"PK\x03\x04".as_slice(), b"PK\x01\x02".as_slice()] {
            let flag_at = if sig[2] == 3 { 6 } else { 8 };
            let mut from = 0;
            while let Some(p) = find(&bytes[from..], sig) {
                bytes[from + p + flag_at] |= 1;
                from += p + 4;
            }
        }
        assert_eq!(check("a.xlsx", &bytes), Err(Rejection::Encrypted));
    }

    #[test]
    fn shared_string_count_bomb() {
        let bomb = with_part(&valid_xlsx(), "xl/sharedStrings.xml", |s| {
            let start = s.find("uniqueCount=\"").unwrap() + 13;
            let end = start + s[start..].find('"').unwrap();
            format!("{}100000000000{}", &s[..start], &s[end..])
        });
        assert!(matches!(
            check("a.xlsx", &bomb),
            Err(Rejection::TooManyStrings { ref part, declared: 100_000_000_000, .. })
                if part == "xl/sharedStrings.xml"
        ));
    }

    #[test]
    fn shared_string_counts_in_detail() {
        let sst = |tag: &str| {
            let xml = format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
{tag}<si><t>残薬</t></si></sst>"#
            );
            zip_of(&[
                ("xl/workbook.xml", b"<workbook/>".as_slice()),
                ("xl/SharedStrings.xml", xml.as_bytes()),
            ])
        };
        let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
        // a wrong but small count is trusted
        let ok = sst(&format!(r#"<sst {ns} count="9" uniqueCount="50000">"#));
        assert_eq!(check("a.xlsx", &ok), Ok(Format::Xlsx));
        // larger than the part can hold
        let big = sst(&format!(r#"<sst {ns} count="1" uniqueCount="200000">"#));
        assert!(matches!(
            check("a.xlsx", &big),
            Err(Rejection::TooManyStrings {
                declared: 200_000,
                ..
            })
        ));
        // prefixed element, leading zeros, single quotes, odd spacing
        let prefixed = sst(&format!(
            r#"<x:sst xmlns:x="{}" uniqueCount = '000000100000000000'>"#,
            "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        ));
        assert!(matches!(
            check("a.xlsx", &prefixed),
            Err(Rejection::TooManyStrings { .. })
        ));
        // beyond u64: still refused
        let huge = sst(&format!(
            r#"<sst {ns} uniqueCount="99999999999999999999999">"#
        ));
        assert!(matches!(
            check("a.xlsx", &huge),
            Err(Rejection::TooManyStrings {
                declared: u64::MAX,
                ..
            })
        ));
        // unparsable for calamine too: nothing reserved, nothing refused
        let junk = sst(&format!(r#"<sst {ns} uniqueCount="-5">"#));
        assert_eq!(check("a.xlsx", &junk), Ok(Format::Xlsx));
        // a root that is not <sst> hides where calamine's <sst> is
        let hidden = sst(&format!(
            r#"<root><pad>{}</pad><sst {ns} uniqueCount="100000000000">"#,
            "x".repeat(9000)
        ));
        assert!(matches!(
            check("a.xlsx", &hidden),
            Err(Rejection::SuspiciousXml { .. })
        ));
    }

    #[test]
    fn entity_declarations() {
        let bomb = with_part(&valid_xlsx(), "xl/workbook.xml", |s| {
            let decl = r#"<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>"#;
            let at = s.find("<workbook").unwrap();
            format!("{}{decl}{}", &s[..at], &s[at..])
        });
        assert_eq!(
            check("a.xlsx", &bomb),
            Err(Rejection::EntityDeclaration {
                part: "xl/workbook.xml".into()
            })
        );
        // UTF-16 parts are looked at too
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(utf16le(
            r#"<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "a">]><Relationships/>"#,
        ));
        let bytes = zip_of(&[
            ("xl/workbook.xml", b"<workbook/>".as_slice()),
            ("xl/_rels/workbook.xml.rels", utf16.as_slice()),
        ]);
        assert_eq!(
            check("a.xlsx", &bytes),
            Err(Rejection::EntityDeclaration {
                part: "xl/_rels/workbook.xml.rels".into()
            })
        );
        // package metadata calamine never parses is not opened
        let bytes = zip_of(&[
            ("[Content_Types].xml", utf16.as_slice()),
            ("xl/workbook.xml", b"<workbook/>".as_slice()),
        ]);
        assert_eq!(check("a.xlsx", &bytes), Ok(Format::Xlsx));
    }

    /// Reading a small part's start to its end also checks its CRC, so a
    /// damaged workbook is refused as broken instead of being read into
    /// wrong text or a sheet that no longer looks like a hearing sheet.
    /// (Reading only the first bytes of each part would be faster and let
    /// a third of these through.)
    #[test]
    fn damage_in_a_small_part_is_refused() {
        let bytes = valid_xlsx();
        let mut zip = ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        let mut checked = 0;
        for i in 0..zip.len() {
            let entry = zip.by_index_raw(i).unwrap();
            let name = entry.name().unwrap().to_ascii_lowercase();
            let parsed = (name.ends_with(".xml") || name.ends_with(".rels"))
                && name != "[content_types].xml"
                && !name.starts_with("docprops/");
            if !parsed || entry.size() > PROLOG_PEEK {
                continue;
            }
            let start = entry.data_start().unwrap() as usize;
            for at in start..start + entry.compressed_size() as usize {
                let mut damaged = bytes.clone();
                damaged[at] ^= 0x55;
                assert!(
                    check("a.xlsx", &damaged).is_err(),
                    "{name}: byte {} of its data damaged, yet accepted",
                    at - start
                );
                checked += 1;
            }
        }
        assert!(checked > 1000, "only {checked} bytes damaged");
    }

    #[test]
    fn padded_prolog_is_suspicious() {
        let padded = with_part(&valid_xlsx(), "xl/workbook.xml", |s| {
            let at = s.find("<workbook").unwrap();
            let pad = format!("<!--{}-->", " ".repeat(5000));
            format!("{}{pad}{}", &s[..at], &s[at..])
        });
        assert_eq!(
            check("a.xlsx", &padded),
            Err(Rejection::SuspiciousXml {
                part: "xl/workbook.xml".into()
            })
        );
    }

    // -- a 1 GB shared string in a 1 MB zip -----------------------------------

    /// CRC-32 (IEEE), bitwise; only used on small inputs.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn gf2_times(mat: &[u32; 32], mut vec: u32) -> u32 {
        let mut sum = 0;
        let mut i = 0;
        while vec != 0 {
            if vec & 1 == 1 {
                sum ^= mat[i];
            }
            vec >>= 1;
            i += 1;
        }
        sum
    }

    fn gf2_square(mat: &[u32; 32]) -> [u32; 32] {
        let mut sq = [0u32; 32];
        for (n, s) in sq.iter_mut().enumerate() {
            *s = gf2_times(mat, mat[n]);
        }
        sq
    }

    /// zlib's `crc32_combine`: the CRC of A ‖ B from CRC(A), CRC(B), |B|.
    fn crc32_combine(mut crc1: u32, crc2: u32, mut len2: u64) -> u32 {
        if len2 == 0 {
            return crc1;
        }
        let mut odd = [0u32; 32];
        odd[0] = 0xEDB8_8320;
        let mut row = 1u32;
        for o in odd.iter_mut().skip(1) {
            *o = row;
            row <<= 1;
        }
        let mut even = gf2_square(&odd);
        odd = gf2_square(&even);
        loop {
            even = gf2_square(&odd);
            if len2 & 1 == 1 {
                crc1 = gf2_times(&even, crc1);
            }
            len2 >>= 1;
            if len2 == 0 {
                break;
            }
            odd = gf2_square(&even);
            if len2 & 1 == 1 {
                crc1 = gf2_times(&odd, crc1);
            }
            len2 >>= 1;
            if len2 == 0 {
                break;
            }
        }
        crc1 ^ crc2
    }

    /// CRC of `unit` repeated `n` times, by doubling.
    fn crc32_repeat(unit: &[u8], n: u64) -> u32 {
        let unit_len = unit.len() as u64;
        let (mut acc, mut acc_len) = (0u32, 0u64);
        let (mut pow, mut pow_len) = (crc32(unit), unit_len);
        let mut k = n;
        while k > 0 {
            if k & 1 == 1 {
                acc = crc32_combine(acc, pow, pow_len);
                acc_len += pow_len;
            }
            pow = crc32_combine(pow, pow, pow_len);
            pow_len *= 2;
            k >>= 1;
        }
        assert_eq!(acc_len, unit_len * n);
        acc
    }

    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }

    impl Bits {
        fn put(&mut self, value: u64, bits: u32) {
            self.acc |= value << self.n;
            self.n += bits;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        fn align(&mut self) {
            if self.n > 0 {
                self.out.push(self.acc as u8);
                self.acc = 0;
                self.n = 0;
            }
        }
        fn stored(&mut self, last: bool, data: &[u8]) {
            self.put(u64::from(last), 1);
            self.put(0, 2);
            self.align();
            let len = data.len() as u16;
            self.out.extend(len.to_le_bytes());
            self.out.extend((!len).to_le_bytes());
            self.out.extend(data);
        }
    }

    /// A raw deflate stream for `prefix ‖ "a" × (1 + 258 × matches) ‖
    /// suffix`: a stored block with the prefix and one "a", a dynamic
    /// Huffman block whose only codes are "match 258 at distance 1" and
    /// end-of-block (1 bit each, so 2 bits per 258 bytes, deflate's best),
    /// and a final stored block with the suffix.
    fn deflate_run(prefix: &[u8], matches: u64, suffix: &[u8]) -> Vec<u8> {
        let mut b = Bits {
            out: Vec::with_capacity((matches / 4 + 1024) as usize),
            acc: 0,
            n: 0,
        };
        let mut first = prefix.to_vec();
        first.push(b'a');
        b.stored(false, &first);
        b.put(0, 1); // not last
        b.put(2, 2); // dynamic
        b.put(29, 5); // HLIT: 286 literal/length codes
        b.put(0, 5); // HDIST: 1 distance code
        b.put(14, 4); // HCLEN: 18 code length codes
                      // code length code lengths, in RFC 1951 order; only 18 and 1 used
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
        for sym in order {
            b.put(u64::from(sym == 18 || sym == 1), 3);
        }
        // canonical codes: symbol 1 -> "0", symbol 18 -> "1"
        b.put(1, 1);
        b.put(138 - 11, 7); // 138 zeros
        b.put(1, 1);
        b.put(118 - 11, 7); // 118 zeros: symbols 0..=255
        b.put(0, 1); // 256 (end of block): length 1
        b.put(1, 1);
        b.put(28 - 11, 7); // 257..=284: zeros
        b.put(0, 1); // 285 (length 258): length 1
        b.put(0, 1); // distance code 0 (distance 1): length 1
                     // literal/length codes: 256 -> "0", 285 -> "1"; distance 0 -> "0"
        let mut left = matches;
        while b.n != 0 && left > 0 {
            b.put(0b01, 2);
            left -= 1;
        }
        let whole = left / 4;
        b.out.resize(b.out.len() + whole as usize, 0x55);
        for _ in 0..left % 4 {
            b.put(0b01, 2);
        }
        b.put(0, 1); // end of block
        b.stored(true, suffix);
        b.align();
        b.out
    }

    /// A zip written by hand: (name, method, crc, data, uncompressed size).
    fn raw_zip(entries: &[(&str, u16, u32, &[u8], u64)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, method, crc, data, size) in entries {
            let offset = out.len() as u32;
            let mut common = Vec::new();
            common.extend(20u16.to_le_bytes()); // version needed
            common.extend(0u16.to_le_bytes()); // flags
            common.extend(method.to_le_bytes());
            common.extend(0u16.to_le_bytes()); // time
            common.extend(0x21u16.to_le_bytes()); // date 1980-01-01
            common.extend(crc.to_le_bytes());
            common.extend((data.len() as u32).to_le_bytes());
            common.extend((*size as u32).to_le_bytes());
            common.extend((name.len() as u16).to_le_bytes());
            common.extend(0u16.to_le_bytes()); // extra
            out.extend(b"PK\x03\x04");
            out.extend(&common);
            out.extend(name.as_bytes());
            out.extend(*data);
            central.extend(b"PK\x01\x02");
            central.extend(20u16.to_le_bytes()); // version made by
            central.extend(&common);
            central.extend([0u8; 6]); // comment len, disk, internal attrs
            central.extend(0u32.to_le_bytes()); // external attrs
            central.extend(offset.to_le_bytes());
            central.extend(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend(&central);
        out.extend(b"PK\x05\x06");
        out.extend([0u8; 4]);
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    /// A valid xlsx whose one shared string is ~1 GiB of "a", deflated to
    /// ~1 MB: calamine 0.38 would inflate and hold all of it (17 s, 3.7 GB).
    fn huge_shared_string_xlsx() -> Vec<u8> {
        let matches: u64 = 4_161_799; // 1 + 258 × 4,161,799 ≥ 1 GiB
        let prefix = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#;
        let suffix = b"</t></si></sst>";
        let run = 1 + 258 * matches;
        let size = prefix.len() as u64 + run + suffix.len() as u64;
        let crc = crc32_combine(
            crc32_combine(crc32(prefix), crc32_repeat(b"a", run), run),
            crc32(suffix),
            suffix.len() as u64,
        );
        let sst = deflate_run(prefix, matches, suffix);
        let base = parts_of(&valid_xlsx());
        let mut entries: Vec<(&str, u16, u32, &[u8], u64)> = Vec::new();
        for (name, body) in &base {
            if name == "xl/sharedStrings.xml" {
                entries.push((name, 8, crc, &sst, size));
            } else {
                entries.push((name, 0, crc32(body), body, body.len() as u64));
            }
        }
        raw_zip(&entries)
    }

    #[test]
    fn huge_shared_string_is_refused_without_inflating() {
        let bytes = huge_shared_string_xlsx();
        assert!(bytes.len() < 1_100_000, "{} bytes", bytes.len());
        let t = Instant::now();
        let got = check("巨大.xlsx", &bytes);
        let took = t.elapsed();
        assert!(
            matches!(got, Err(Rejection::ZipBomb { ref entry, declared, .. })
                if entry == "xl/sharedStrings.xml" && declared > 1 << 30),
            "{got:?}"
        );
        assert!(took < Duration::from_secs(1), "{took:?}");
    }

    /// Proves the hand-made stream is real: inflates all of it and lets zip
    /// check the CRC. Slow in debug builds: `cargo test --release -- --ignored`.
    #[test]
    #[ignore]
    fn huge_shared_string_xlsx_is_a_valid_zip() {
        let bytes = huge_shared_string_xlsx();
        let mut zip = ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        let mut f = zip.by_name("xl/sharedStrings.xml").unwrap();
        let declared = f.size();
        let mut head = [0u8; 200];
        f.read_exact(&mut head).unwrap();
        assert!(head.starts_with(b"<?xml"));
        let n = std::io::copy(&mut f, &mut std::io::sink()).unwrap();
        assert_eq!(n + 200, declared);
    }

    // -- ods --------------------------------------------------------------------

    #[test]
    fn normal_ods_with_libreoffice_tail_passes() {
        let rows = format!(
            r#"<table:table-row>{ODS_VALUE}<table:table-cell table:number-columns-repeated="1023"/></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell table:number-rows-spanned="2"/>{ODS_VALUE}</table:table-row><table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
        );
        assert_eq!(check("栄養士.ods", &ods_of(&rows)), Ok(Format::Ods));
        // no mimetype, but a content.xml: still an ods
        let content = format!(
            r#"<office:document-content {ODS_NS}><office:body><office:spreadsheet/></office:body></office:document-content>"#
        );
        let bare = zip_of(&[("content.xml", content.as_bytes())]);
        assert_eq!(check("a.ods", &bare), Ok(Format::Ods));
    }

    #[test]
    fn ods_repeat_bomb() {
        let row = |rows: u64, cols: u64| {
            format!(
                r#"<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated="{cols}" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>"#
            )
        };
        assert!(matches!(
            check("爆弾.ods", &ods_of(&row(1_000_000, 16_384))),
            Err(Rejection::OdsRepeatBomb { ref sheet, cells, .. })
                if sheet == "シート1" && cells > 2_000_000
        ));
        // under calamine's own 100M-cell cap, still gigabytes
        assert!(matches!(
            check("爆弾.ods", &ods_of(&row(6_000, 16_384))),
            Err(Rejection::OdsRepeatBomb {
                cells: 98_304_000,
                ..
            })
        ));
        // value cell wider than a sheet
        assert!(matches!(
            check("爆弾.ods", &ods_of(&row(1, 100_000))),
            Err(Rejection::OdsRepeatBomb { .. })
        ));
        // small repeats are fine
        assert_eq!(check("a.ods", &ods_of(&row(100, 10))), Ok(Format::Ods));
        // empty rows between two value rows count: calamine fills them in
        let gap = format!(
            r#"<table:table-row>{ODS_VALUE}</table:table-row><table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="10"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="9"/>{ODS_VALUE}</table:table-row>"#
        );
        assert!(matches!(
            check("a.ods", &ods_of(&gap)),
            Err(Rejection::OdsRepeatBomb {
                cells: 10_480_020,
                ..
            })
        ));
    }

    #[test]
    fn ods_space_and_text_bombs() {
        let spaces = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/></text:p></table:table-cell></table:table-row>"#;
        assert!(matches!(
            check("a.ods", &ods_of(spaces)),
            Err(Rejection::OdsRepeatBomb { .. })
        ));
        // 1 KB of text × 16,000 columns × 100 rows = 1.6 GB of copies
        let text = "あ".repeat(340);
        let wide = format!(
            r#"<table:table-row table:number-rows-repeated="100"><table:table-cell table:number-columns-repeated="16000" office:value-type="string"><text:p>{text}</text:p></table:table-cell></table:table-row>"#
        );
        let limits = Limits {
            max_sheet_cells: u64::MAX,
            max_book_cells: u64::MAX,
            ..Limits::default()
        };
        assert!(matches!(
            inspect("a.ods", &ods_of(&wide), &limits),
            Err(Rejection::OdsRepeatBomb { text_bytes, .. }) if text_bytes > 1_000_000_000
        ));
    }

    #[test]
    fn ods_table_that_never_ends() {
        let content = format!(
            r#"<office:document-content {ODS_NS}><office:body><office:spreadsheet><table:table table:name="a"><table:table-row>{ODS_VALUE}</table:table-row>"#
        );
        let bytes = zip_of(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
            ),
            ("content.xml", content.as_bytes()),
        ]);
        assert!(matches!(
            check("a.ods", &bytes),
            Err(Rejection::Corrupt { .. })
        ));
    }

    #[test]
    fn encrypted_ods() {
        let manifest = ODS_MANIFEST.replace(
            r#"manifest:media-type="text/xml"/>"#,
            r#"manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry>"#,
        );
        let bytes = ods_with(
            &format!("<table:table-row>{ODS_VALUE}</table:table-row>"),
            &manifest,
        );
        assert_eq!(check("a.ods", &bytes), Err(Rejection::Encrypted));
    }

    // -- OLE2 / xls -------------------------------------------------------------

    #[test]
    fn valid_xls_passes_and_calamine_agrees() {
        let bytes = xls_of(
            &[],
            &[dims(0, 2, 0, 2), number(0, 0, 1.0), number(1, 1, 2.5)],
        );
        assert_eq!(check("看護師.xls", &bytes), Ok(Format::Xls));
        assert_eq!(check("看護師.xlsx", &bytes), Ok(Format::Xls));
        // the in-test builder makes files calamine reads
        use calamine::Reader;
        let mut wb = calamine::Xls::new(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("S").unwrap();
        assert_eq!(range.get_value((1, 1)), Some(&calamine::Data::Float(2.5)));
    }

    #[test]
    fn small_xls_in_the_mini_stream() {
        let stream = biff(&[], &[number(0, 0, 1.0), number(2, 3, 7.0)]);
        let bytes = cfb_mini("Workbook", &stream);
        assert_eq!(check("小さい.xls", &bytes), Ok(Format::Xls));
        use calamine::Reader;
        let mut wb = calamine::Xls::new(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("S").unwrap();
        assert_eq!(range.get_value((2, 3)), Some(&calamine::Data::Float(7.0)));
        // the same with FILEPASS, and with a far cell
        let locked = biff(&[record(0x002F, &[1, 0])], &[number(0, 0, 1.0)]);
        assert_eq!(
            check("a.xls", &cfb_mini("Workbook", &locked)),
            Err(Rejection::Encrypted)
        );
        let far = biff(&[], &[number(0, 0, 1.0), number(60_000, 200, 1.0)]);
        assert!(matches!(
            check("a.xls", &cfb_mini("Book", &far)),
            Err(Rejection::SheetTooLarge { .. })
        ));
    }

    #[test]
    fn encrypted_ole_files() {
        // What Excel writes for a password-protected xlsx.
        let ooxml = cfb_of(&[
            ("EncryptionInfo", b"\x04\x00\x04\x00".as_slice()),
            ("EncryptedPackage", b"\0\0\0\0".as_slice()),
        ]);
        assert_eq!(check("パスワード.xlsx", &ooxml), Err(Rejection::Encrypted));
        // .xls with a FILEPASS record (RC4 and XOR alike)
        for kind in [1u16, 0] {
            let xls = xls_of(&[record(0x002F, &kind.to_le_bytes())], &[number(0, 0, 1.0)]);
            assert_eq!(check("a.xls", &xls), Err(Rejection::Encrypted));
        }
    }

    #[test]
    fn xls_dimension_bomb_and_far_cell() {
        let bomb = xls_of(&[], &[dims(0, u32::MAX, 0, u16::MAX), number(0, 0, 1.0)]);
        assert!(matches!(
            check("a.xls", &bomb),
            Err(Rejection::SheetTooLarge { ref sheet, rows: 4_294_967_295, cols: 65_535 })
                if sheet == "S"
        ));
        let inverted = xls_of(&[], &[dims(10, 3, 0, 2)]);
        assert!(matches!(
            check("a.xls", &inverted),
            Err(Rejection::Corrupt { .. })
        ));
        // a full BIFF8 DIMENSIONS is allowed, the far cell is not
        let far = xls_of(
            &[],
            &[
                dims(0, 65_536, 0, 256),
                number(0, 0, 1.0),
                number(65_535, 255, 1.0),
            ],
        );
        assert_eq!(
            check("a.xls", &far),
            Err(Rejection::SheetTooLarge {
                sheet: "S".into(),
                rows: 65_536,
                cols: 256
            })
        );
        // cells beyond column IV are counted as calamine counts them
        let wide = xls_of(&[], &[number(0, 0, 1.0), number(100, 60_000, 1.0)]);
        assert!(matches!(
            check("a.xls", &wide),
            Err(Rejection::SheetTooLarge { .. })
        ));
    }

    #[test]
    fn broken_ole_chains() {
        // directory chain pointing at itself: calamine loops for ever
        let mut looped = xls_of(&[], &[number(0, 0, 1.0)]);
        let fat_entry_1 = 512 + 4;
        looped[fat_entry_1..fat_entry_1 + 4].copy_from_slice(&1u32.to_le_bytes());
        assert!(matches!(
            check("a.xls", &looped),
            Err(Rejection::Corrupt { .. })
        ));
        // a FAT listing one sector thousands of times: calamine would build
        // a FAT far larger than the file
        let mut repeated = xls_of(&[], &[number(0, 0, 1.0)]);
        for i in 1..109 {
            repeated[76 + 4 * i..80 + 4 * i].copy_from_slice(&0u32.to_le_bytes());
        }
        assert!(matches!(
            check("a.xls", &repeated),
            Err(Rejection::Corrupt { .. })
        ));
        // a sheet offset past the end of the stream: calamine panics
        let mut stream = biff(&[], &[number(0, 0, 1.0)]);
        let bs = find(&stream, &[0x85, 0x00]).unwrap();
        stream[bs + 4..bs + 8].copy_from_slice(&1_000_000u32.to_le_bytes());
        assert!(matches!(
            check("a.xls", &cfb_of(&[("Workbook", &stream)])),
            Err(Rejection::Corrupt { .. })
        ));
        // cut short
        let whole = xls_of(&[], &[number(0, 0, 1.0)]);
        assert!(check("a.xls", &whole[..400]).is_err());
    }

    #[test]
    fn other_ole_documents() {
        let doc = cfb_of(&[("WordDocument", b"\xEC\xA5".as_slice())]);
        assert_eq!(
            check("議事録.xls", &doc),
            Err(Rejection::NotSpreadsheet {
                what: WHAT_WORD,
                ext: "xls".into()
            })
        );
    }

    // -- messages -----------------------------------------------------------------

    #[test]
    fn every_reason_is_japanese_and_says_what_to_do() {
        let all = [
            Rejection::Empty,
            Rejection::TooLarge {
                bytes: 200 << 20,
                limit: 100 << 20,
            },
            Rejection::NotSpreadsheet {
                what: WHAT_TEXT,
                ext: "xlsx".into(),
            },
            Rejection::NotSpreadsheet {
                what: WHAT_ZIP,
                ext: String::new(),
            },
            Rejection::Html { ext: "xls".into() },
            Rejection::Csv { ext: "xlsx".into() },
            Rejection::Unsupported { what: WHAT_XLSB },
            Rejection::Encrypted,
            Rejection::Truncated,
            Rejection::Corrupt { detail: "x" },
            Rejection::ZipBomb {
                entry: "xl/worksheets/sheet1.xml".into(),
                declared: 1_500_000_000,
                compressed: 60_000,
            },
            Rejection::ZipTooBig {
                entries: 20_000,
                declared_total: 600 << 20,
            },
            Rejection::TooManyStrings {
                part: "xl/sharedStrings.xml".into(),
                declared: 100_000_000_000,
                part_bytes: 300,
            },
            Rejection::EntityDeclaration {
                part: "xl/workbook.xml".into(),
            },
            Rejection::SuspiciousXml {
                part: "xl/workbook.xml".into(),
            },
            Rejection::OdsRepeatBomb {
                sheet: "シート1".into(),
                cells: 16_384_000_000,
                text_bytes: 0,
            },
            Rejection::SheetTooLarge {
                sheet: "S".into(),
                rows: 65_536,
                cols: 256,
            },
            Rejection::BookTooLarge { cells: 6_000_000 },
        ];
        for r in all {
            let reason = r.reason();
            assert_eq!(r.to_string(), reason);
            assert!(reason.ends_with('。'), "{reason}");
            assert!(reason.contains("ください"), "{reason}");
            assert!(!reason.contains("{"), "{reason}");
            assert!(reason
                .chars()
                .any(|c| ('\u{3040}'..='\u{30FF}').contains(&c)));
        }
        assert!(Rejection::TooManyStrings {
            part: String::new(),
            declared: 100_000_000_000,
            part_bytes: 0
        }
        .reason()
        .contains("100,000,000,000"));
        assert!(Rejection::Html { ext: "xls".into() }
            .reason()
            .contains("（拡張子は .xls）"));
    }

    #[test]
    fn small_helpers() {
        assert_eq!(extension("a/b/薬剤師_第1回.XLSX"), "xlsx");
        assert_eq!(extension(r"C:\in\.hidden"), "");
        assert_eq!(extension("noext"), "");
        assert_eq!(group_digits(1234567), "1,234,567");
        assert_eq!(group_digits(12), "12");
        assert_eq!(human_bytes(1_500_000_000), "1.4 GB");
        assert_eq!(
            root_start(b"<?xml version=\"1.0\"?>\r\n<!-- c --><sst>"),
            Some(33)
        );
        assert_eq!(
            root_start(b"<?xml version=\"1.0\"?><!-- unterminated"),
            None
        );
    }

    // -- the committed fixtures -----------------------------------------------------

    fn fixture(path: &str) -> Vec<u8> {
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(path);
        std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
    }

    type Expect = fn(&Rejection) -> bool;

    #[test]
    fn broken_fixtures_are_refused() {
        let cases: [(&str, Expect); 16] = [
            ("テキストなのに拡張子xlsx.xlsx", |r| {
                matches!(
                    r,
                    Rejection::NotSpreadsheet {
                        what: WHAT_TEXT,
                        ..
                    }
                )
            }),
            ("空のファイル.xlsx", |r| matches!(r, Rejection::Empty)),
            ("途中で切れた.xlsx", |r| {
                matches!(r, Rejection::Truncated)
            }),
            ("パスワード付き.xlsx", |r| {
                matches!(r, Rejection::Encrypted)
            }),
            ("HTMLを保存.xls", |r| matches!(r, Rejection::Html { .. })),
            ("zip爆弾.xlsx", |r| {
                matches!(r, Rejection::ZipBomb { entry, declared: 1_500_000_000, .. }
                    if entry == "xl/worksheets/sheet1.xml")
            }),
            (
                "実体参照爆弾.xlsx",
                |r| matches!(r, Rejection::EntityDeclaration { part } if part == "xl/sharedStrings.xml"),
            ),
            ("共有文字列数爆弾.xlsx", |r| {
                matches!(
                    r,
                    Rejection::TooManyStrings {
                        declared: 100_000_000_000,
                        ..
                    }
                )
            }),
            ("ods繰り返し爆弾.ods", |r| {
                matches!(r, Rejection::OdsRepeatBomb { .. })
            }),
            ("ods繰り返し爆弾_上限未満.ods", |r| {
                matches!(r, Rejection::OdsRepeatBomb { .. })
            }),
            ("ods表が閉じていない.ods", |r| {
                matches!(r, Rejection::Corrupt { .. })
            }),
            ("docxです.xlsx", |r| {
                matches!(
                    r,
                    Rejection::NotSpreadsheet {
                        what: WHAT_WORD,
                        ..
                    }
                )
            }),
            ("xls寸法爆弾.xls", |r| {
                matches!(r, Rejection::SheetTooLarge { cols: 65_535, .. })
            }),
            ("xls遠いセル.xls", |r| {
                matches!(
                    r,
                    Rejection::SheetTooLarge {
                        rows: 65_536,
                        cols: 256,
                        ..
                    }
                )
            }),
            // the lead's other fixtures must not trip the guard
            ("../far-cell/遠いセル_薬剤師.xlsx", |_| false),
            ("../furigana/ケアマネ_ふりがな.xlsx", |_| false),
        ];
        for (name, expected) in cases {
            let bytes = fixture(&format!("broken/{name}"));
            let t = Instant::now();
            let got = check(name, &bytes);
            let took = t.elapsed();
            match &got {
                Err(r) => {
                    println!("{name}: {r:?}\n  → {}", r.reason());
                    assert!(expected(r), "{name}: {r:?}");
                }
                Ok(f) => {
                    println!("{name}: {f:?}");
                    assert!(name.starts_with(".."), "{name} passed");
                }
            }
            assert!(took < Duration::from_secs(2), "{name}: {took:?}");
        }
    }

    /// Cells as text, row by row, `|`-separated.
    fn rows_of(range: &calamine::Range<calamine::Data>) -> Vec<String> {
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        calamine::Data::Empty => String::new(),
                        calamine::Data::String(s) => s.replace('\n', "⏎"),
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect()
    }

    #[test]
    fn good_fixtures_pass_and_calamine_reads_them() {
        use calamine::Reader;
        let print = |name: &str, rows: &[String]| {
            println!("== {name}");
            for (i, r) in rows.iter().enumerate() {
                println!("{:>3}: {r}", i + 1);
            }
        };

        // far cell: passes the guard and opens; its range is read by the
        // streaming cell reader, not here (worksheet_range would build a
        // 17-billion-cell grid).
        let far = fixture("far-cell/遠いセル_薬剤師.xlsx");
        assert_eq!(check("遠いセル_薬剤師.xlsx", &far), Ok(Format::Xlsx));
        let wb = calamine::Xlsx::new(Cursor::new(far)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["薬剤師会".to_string()]);

        let xls = fixture("xls/看護師_第2回.xls");
        assert_eq!(check("看護師_第2回.xls", &xls), Ok(Format::Xls));
        let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(xls)).unwrap();
        let rows = rows_of(&wb.worksheet_range("訪問看護").unwrap());
        print("xls/看護師_第2回.xls", &rows);
        assert_eq!(rows[3], "No | 職種 | 発言者 | 意 見 | 備考");
        assert_eq!(rows.len(), 10);

        let ods = fixture("ods/栄養士_例2.ods");
        assert_eq!(check("栄養士_例2.ods", &ods), Ok(Format::Ods));
        let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(ods)).unwrap();
        let rows = rows_of(&wb.worksheet_range("栄養士会").unwrap());
        print("ods/栄養士_例2.ods", &rows);
        assert_eq!(rows[3], "順位 | カテゴリ | 課題/アイデア | 意見");
        assert!(rows[5].starts_with(" |  | アイデア | ・"), "{}", rows[5]);

        let furigana = fixture("furigana/ケアマネ_ふりがな.xlsx");
        assert_eq!(check("ケアマネ_ふりがな.xlsx", &furigana), Ok(Format::Xlsx));
        let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(furigana)).unwrap();
        let rows = rows_of(&wb.worksheet_range("ケアマネ連絡会").unwrap());
        print("furigana/ケアマネ_ふりがな.xlsx", &rows);
        let all = rows.join("\n");
        for reading in [
            "サトウ",
            "スズキ",
            "タカハシ",
            "タイイン",
            "ニッテイ",
            "シュジイ",
            "ジカンタイ",
            "カイゴシエン",
        ] {
            assert!(!all.contains(reading), "reading {reading} leaked");
        }
        assert!(rows[5].contains(
            "佐藤 | 退院前カンファレンスの日程が直前に決まり、参加できないことが多い。 | 病院"
        ));
    }

    /// Cost on normal small workbooks, next to calamine opening and reading
    /// them (`cargo test --release --lib guard -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn inspect_speed() {
        use calamine::Reader;
        for path in [
            "furigana/ケアマネ_ふりがな.xlsx",
            "xls/看護師_第2回.xls",
            "ods/栄養士_例2.ods",
        ] {
            let bytes = fixture(path);
            let n = 2000;
            let t = Instant::now();
            for _ in 0..n {
                assert!(check(path, &bytes).is_ok());
            }
            let guard = t.elapsed() / n;
            let t = Instant::now();
            for _ in 0..n {
                let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(&bytes)).unwrap();
                let name = wb.sheet_names()[0].clone();
                assert!(wb.worksheet_range(&name).unwrap().height() > 0);
            }
            let read = t.elapsed() / n;
            println!("{path}: inspect {guard:?}, calamine open + read {read:?}");
        }
    }
}
