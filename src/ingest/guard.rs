//! TEMPORARY STUB (lead): replaced by the guard module being written now.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_file_bytes: u64,
}
impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_bytes: 100 << 20 }
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xls,
    Ods,
}
#[derive(Debug, Clone)]
pub enum Rejection {
    TooLarge { bytes: u64, limit: u64 },
    Other(String),
}
impl Rejection {
    pub fn reason(&self) -> String {
        format!("{self:?}")
    }
}
pub fn inspect(file_name: &str, bytes: &[u8], _limits: &Limits) -> Result<Format, Rejection> {
    let lower = file_name.to_lowercase();
    if bytes.starts_with(b"PK") {
        if lower.ends_with(".ods") {
            Ok(Format::Ods)
        } else {
            Ok(Format::Xlsx)
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Ok(Format::Xls)
    } else {
        Err(Rejection::Other("not a spreadsheet".into()))
    }
}
