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

mod biff;
mod ods;
mod ole;
#[cfg(test)]
mod tests;
mod zip;

pub use biff::Remap;
use ole::{inspect_ole, OLE_MAGIC};
pub use ole::{xls_sparse, Sparse};
use zip::inspect_zip;

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
