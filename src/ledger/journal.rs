//! The ledger's file: an append-only journal, one JSON object a line, each a
//! value staff typed for one field of one remark.
//!
//! Why a journal and not SQLite: the ledger holds hundreds to a few thousand
//! small records a year, is read whole at every run and only ever grows. A
//! text journal needs no C library in the Windows cross-build, can be read
//! (and rescued) with Notepad, and keeps the whole history by its nature.
//! It is written atomically: the old bytes, untouched, plus the new lines go
//! to a temporary file beside it, which is flushed to disk and renamed over
//! the journal. A line renkei cannot parse (a hand edit, a newer version) is
//! warned about and kept as it is: a run never shrinks the file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::os::error::{describe, Access};

/// One value typed for one field of one remark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When the run that recorded it started (local time, to the second).
    pub at: String,
    /// The remark's ID as 一覧 showed it (for people reading the file).
    pub id: String,
    /// The identity: the meeting's profession, the remark's normalized text
    /// (its match key is derived) and the meeting's occasion.
    pub profession: String,
    pub text: String,
    pub occasion: String,
    /// The meeting as 一覧 named it (`薬剤師 第1回 (2024-04-01)`).
    pub meeting: String,
    /// A 修正 column's header or a staff column's header.
    pub field: String,
    /// What was typed; empty when staff withdrew the value (`取消`).
    pub value: String,
}

/// Why the ledger cannot be read or written; the run stops before writing
/// anything, so no correction is lost.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}", describe(.source, "修正の台帳", Path::new(.path), Access::Read).trim_end_matches('。'))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", describe(.source, "修正の台帳", Path::new(.path), Access::Write).trim_end_matches('。'))]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The journal as read: its bytes (kept whole) and the events parsed.
#[derive(Debug, Default)]
pub struct Journal {
    path: PathBuf,
    bytes: Vec<u8>,
    pub events: Vec<Event>,
    /// Lines that are not events, for a warning (1-based line numbers).
    pub bad_lines: Vec<usize>,
}

impl Journal {
    /// Reads the journal at `path`; a missing file is an empty journal.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(JournalError::Read {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        let mut events = Vec::new();
        let mut bad_lines = Vec::new();
        for (n, line) in String::from_utf8_lossy(&bytes).lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Event>(line) {
                Ok(e) => events.push(e),
                Err(_) => bad_lines.push(n + 1),
            }
        }
        Ok(Journal {
            path: path.to_path_buf(),
            bytes,
            events,
            bad_lines,
        })
    }

    /// Appends `new` and saves atomically; the bytes read stay as they were.
    pub fn append(&mut self, new: &[Event]) -> Result<(), JournalError> {
        if new.is_empty() {
            return Ok(());
        }
        let mut bytes = self.bytes.clone();
        if bytes.last().is_some_and(|&b| b != b'\n') {
            bytes.push(b'\n');
        }
        for e in new {
            // A struct of strings always serializes.
            let line = serde_json::to_string(e).unwrap_or_default();
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        write_atomically(&self.path, &bytes).map_err(|source| JournalError::Write {
            path: self.path.display().to_string(),
            source,
        })?;
        self.bytes = bytes;
        self.events.extend_from_slice(new);
        Ok(())
    }
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk and
/// renames it over `path`: a failure leaves the old file whole.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".renkei-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(value: &str) -> Event {
        Event {
            at: "2024-05-01T10:00:00+09:00".into(),
            id: "0123456789ab".into(),
            profession: "薬剤師".into(),
            text: "残薬が多い".into(),
            occasion: "2024-04-01".into(),
            meeting: "薬剤師 第1回 (2024-04-01)".into(),
            field: "所在(修正)".into(),
            value: value.into(),
        }
    }

    #[test]
    fn appending_keeps_every_byte_read_and_adds_the_new_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("台帳.jsonl");
        // A hand-edited line and no final newline: kept as they are.
        std::fs::write(&path, "これは壊れた行").unwrap();
        let mut j = Journal::open(&path).unwrap();
        assert_eq!(j.bad_lines, vec![1]);
        j.append(&[event("職種間")]).unwrap();
        let mut j = Journal::open(&path).unwrap();
        assert_eq!(j.events, vec![event("職種間")]);
        j.append(&[event("地域全体")]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("これは壊れた行\n{"), "{text}");
        assert_eq!(Journal::open(&path).unwrap().events.len(), 2);
        // Only the journal is left in the folder: no temporary file.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_journal_is_empty_and_nothing_is_written_for_no_events() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("台帳.jsonl");
        let mut j = Journal::open(&path).unwrap();
        assert!(j.events.is_empty());
        j.append(&[]).unwrap();
        assert!(!path.exists());
    }
}
