//! Atomic saving: a workbook is first written whole into a temporary file in
//! its destination folder, and only then renamed over the destination. A
//! failure at any point leaves the old file (or no file) in place, never a
//! partial one; the temporary file is removed when it is dropped.
//!
//! Saving is split in two steps, [`stage`] and [`Staged::commit`], so that
//! [`super::write_all`] can build every workbook first and replace the old
//! outputs only when all of them were built.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Workbook, XlsxError};
use tempfile::NamedTempFile;

use super::RenderError;

/// A workbook written to a temporary file beside its destination.
#[derive(Debug)]
pub(crate) struct Staged {
    tmp: NamedTempFile,
    dest: PathBuf,
    label: String,
    /// SHA-256 of the bytes written, for the output folder's manifest.
    sha256: String,
}

/// The folder a destination is written in (`.` for a bare file name).
fn folder_of(dest: &Path) -> &Path {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Creates `dir` (and its parents) if missing.
pub(crate) fn ensure_folder(dir: &Path) -> Result<(), RenderError> {
    fs::create_dir_all(dir).map_err(|source| RenderError::Folder {
        dir: dir.display().to_string(),
        source,
    })
}

/// Saves `workbook` into a temporary file in `dest`'s folder. `label` names
/// the file in messages (`ランキング.xlsx`, `フィードバック/薬剤師.xlsx`).
pub(crate) fn stage(
    workbook: &mut Workbook,
    dest: &Path,
    label: &str,
) -> Result<Staged, RenderError> {
    let dir = folder_of(dest);
    ensure_folder(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".renkei-").suffix(".tmp");
    #[cfg(unix)]
    {
        // Like any new file (the umask still applies), not 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|source| RenderError::Folder {
            dir: dir.display().to_string(),
            source,
        })?;
    let saved = workbook
        .save_to_writer(tmp.as_file_mut())
        .and_then(|()| tmp.as_file_mut().flush().map_err(XlsxError::from));
    if let Err(source) = saved {
        return Err(RenderError::from_xlsx(label, source));
    }
    // Read back while the bytes are in the page cache, on this thread.
    let sha256 = crate::folder::sha256_of(tmp.path()).map_err(|source| RenderError::Save {
        file: label.to_string(),
        source: XlsxError::from(source),
    })?;
    Ok(Staged {
        tmp,
        dest: dest.to_path_buf(),
        label: label.to_string(),
        sha256,
    })
}

impl Staged {
    /// Fails when the destination cannot be replaced: open in Excel (Windows
    /// refuses to open it for writing), read-only, or a folder.
    pub(crate) fn check(&self) -> Result<(), RenderError> {
        let locked = |source: io::Error| RenderError::Locked {
            file: self.label.clone(),
            source,
        };
        match fs::metadata(&self.dest) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(locked(e)),
            Ok(meta) if meta.is_dir() => Err(locked(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "同じ名前のフォルダがあります",
            ))),
            // Opening for append changes nothing, but fails like a write would.
            Ok(_) => OpenOptions::new()
                .append(true)
                .open(&self.dest)
                .map(drop)
                .map_err(locked),
        }
    }

    /// Where it goes.
    pub(crate) fn dest(&self) -> &Path {
        &self.dest
    }

    pub(crate) fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Renames the temporary file over the destination.
    pub(crate) fn commit(self) -> Result<PathBuf, RenderError> {
        self.check()?;
        let Staged {
            tmp, dest, label, ..
        } = self;
        tmp.persist(&dest).map_err(|e| RenderError::Locked {
            file: label,
            source: e.error,
        })?;
        Ok(dest)
    }
}
