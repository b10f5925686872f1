//! The output folder holds staff's work too. renkei replaces only the files
//! it wrote itself and that nobody changed since; it never deletes a file.
//!
//! A small manifest (`renkei管理/出力の記録.json`) lists every file renkei
//! wrote with its SHA-256, size and modification time. Before a workbook is
//! replaced, the file at its place is compared with the manifest:
//! - no file there: written;
//! - the file renkei wrote, unchanged: replaced;
//! - anything else (edited after renkei wrote it, or not written by renkei
//!   at all): moved, unchanged, to `保管/<日時>/` under the same relative
//!   path, and the summary says where. 分類一覧.xlsx is edited every month
//!   (corrections), so each month's edited copy is kept there too.
//!
//! Files staff put into the folder under other names, and the feedback
//! workbooks of professions absent from this run, are never touched.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ledger::FOLDER;

/// The manifest's file name, inside [`FOLDER`].
pub const MANIFEST_FILE: &str = "出力の記録.json";
/// Where files that must not be overwritten are moved.
pub const KEPT_DIR: &str = "保管";

/// What renkei knows of one file it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub sha256: String,
    pub size: u64,
    /// Modification time, nanoseconds since 1970 (0 if unknown).
    pub modified: u128,
}

/// Every file renkei wrote in this folder: relative path (`/`-separated)
/// → record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub files: BTreeMap<String, Record>,
}

/// What to do with the file at an output's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Nothing there.
    New,
    /// renkei's own, unchanged.
    Replace,
    /// Changed since renkei wrote it, or not renkei's: move it aside.
    KeepAside,
}

impl Manifest {
    /// Reads the manifest of output folder `out`; none, or unreadable, is
    /// empty (every existing output is then kept aside: nothing is lost).
    pub fn load(out: &Path) -> Manifest {
        std::fs::read(out.join(FOLDER).join(MANIFEST_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Saves it atomically.
    pub fn save(&self, out: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::ledger::journal::write_atomically(&out.join(FOLDER).join(MANIFEST_FILE), &json)
    }

    /// What to do with `rel` (relative to `out`) before writing there.
    pub fn disposition(&self, out: &Path, rel: &str) -> std::io::Result<Disposition> {
        let path = out.join(rel);
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Disposition::New),
            Err(e) => return Err(e),
        };
        let Some(known) = self.files.get(rel) else {
            return Ok(Disposition::KeepAside);
        };
        if meta.len() != known.size {
            return Ok(Disposition::KeepAside);
        }
        // Same size and time: unchanged, as git and rsync assume.
        if known.modified != 0 && modified(&meta) == known.modified {
            return Ok(Disposition::Replace);
        }
        Ok(if sha256_of(&path)? == known.sha256 {
            Disposition::Replace
        } else {
            Disposition::KeepAside
        })
    }

    /// Records the file now at `rel` as renkei's.
    pub fn record(&mut self, out: &Path, rel: &str, sha256: String) -> std::io::Result<()> {
        let meta = std::fs::metadata(out.join(rel))?;
        self.files.insert(
            rel.to_string(),
            Record {
                sha256,
                size: meta.len(),
                modified: modified(&meta),
            },
        );
        Ok(())
    }
}

/// Moves `rel` to `保管/<stamp>/rel`, unchanged; returns the new path
/// relative to `out`. A name already taken there gets ` (2)`, ` (3)` ….
pub fn keep_aside(out: &Path, rel: &str, stamp: &str) -> std::io::Result<String> {
    let from = out.join(rel);
    let mut to_rel = format!("{KEPT_DIR}/{stamp}/{rel}");
    let mut n = 2;
    while out.join(&to_rel).exists() {
        let p = Path::new(rel);
        let stem = p.file_stem().unwrap_or_default().to_string_lossy();
        let ext = p
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let parent = p
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(|p| format!("{}/", p.to_string_lossy()))
            .unwrap_or_default();
        to_rel = format!("{KEPT_DIR}/{stamp}/{parent}{stem} ({n}){ext}");
        n += 1;
    }
    let to = out.join(&to_rel);
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::rename(&from, &to)?;
    Ok(to_rel)
}

/// The SHA-256 of a file, in lowercase hex.
pub fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn modified(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// `out`-relative path with `/` separators, for the manifest.
pub fn relative(out: &Path, path: &Path) -> String {
    path.strip_prefix(out)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A path relative to `out` as the platform writes it, for messages.
pub fn shown(rel: &str) -> PathBuf {
    rel.split('/').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unchanged_file_of_renkeis_is_replaced() {
        let out = tempfile::tempdir().unwrap();
        let o = out.path();
        let mut m = Manifest::default();
        assert_eq!(m.disposition(o, "a.xlsx").unwrap(), Disposition::New);
        std::fs::write(o.join("a.xlsx"), b"renkei").unwrap();
        assert_eq!(m.disposition(o, "a.xlsx").unwrap(), Disposition::KeepAside);
        let sha = sha256_of(&o.join("a.xlsx")).unwrap();
        m.record(o, "a.xlsx", sha).unwrap();
        m.save(o).unwrap();
        let m = Manifest::load(o);
        assert_eq!(m.disposition(o, "a.xlsx").unwrap(), Disposition::Replace);
        // Same size, other bytes, other time: changed.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(o.join("a.xlsx"), b"staff!").unwrap();
        assert_eq!(m.disposition(o, "a.xlsx").unwrap(), Disposition::KeepAside);
    }

    #[test]
    fn keeping_aside_moves_the_file_unchanged_and_never_over_another() {
        let out = tempfile::tempdir().unwrap();
        let o = out.path();
        for round in 1..=2 {
            std::fs::create_dir_all(o.join("フィードバック")).unwrap();
            std::fs::write(o.join("フィードバック/薬剤師.xlsx"), format!("{round}")).unwrap();
            let to = keep_aside(o, "フィードバック/薬剤師.xlsx", "2024-05-01_10-00-00").unwrap();
            assert_eq!(
                std::fs::read_to_string(o.join(&to)).unwrap(),
                round.to_string()
            );
            assert!(!o.join("フィードバック/薬剤師.xlsx").exists());
            if round == 2 {
                assert_eq!(
                    to,
                    "保管/2024-05-01_10-00-00/フィードバック/薬剤師 (2).xlsx"
                );
            }
        }
    }
}
