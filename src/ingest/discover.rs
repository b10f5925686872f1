//! Finds the input files: walks folders recursively in sorted order, sets
//! aside junk (lock files, hidden files, Thumbs.db …) and the tool's own
//! output folder, and tells spreadsheets from other files.

use std::path::{Path, PathBuf};

/// One file found under the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub path: PathBuf,
    /// Path shown to staff: relative to the folder given, `/`-separated.
    pub display: String,
    pub kind: CandidateKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateKind {
    Spreadsheet,
    /// Skipped silently but counted.
    Junk,
    /// Reported, not fatal.
    Other,
}

/// Why the inputs could not be listed at all.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("「{0}」が見つかりません。ファイルやフォルダの名前を確かめてください")]
    NotFound(PathBuf),
    #[error("{}", crate::os::error::describe(.1, "", .0, crate::os::error::Access::Read))]
    Io(PathBuf, std::io::Error),
}

const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods"];

/// The help file renkei itself writes into an `入力` folder.
pub const HELP_FILE_NAME: &str = "使い方.txt";

/// Lists every file under `paths` in order: arguments as given, each folder's
/// contents sorted by name. `exclude` folders (the output folder) are skipped.
pub fn discover(paths: &[PathBuf], exclude: &[PathBuf]) -> Result<Vec<Candidate>, DiscoverError> {
    let exclude: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let mut out = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|_| DiscoverError::NotFound(root.clone()))?;
        if meta.is_dir() {
            walk(root, root, &exclude, &mut out)?;
        } else {
            let name = file_name(root);
            out.push(Candidate {
                path: root.clone(),
                display: name.clone(),
                kind: kind_of(&name),
            });
        }
    }
    Ok(out)
}

fn walk(
    root: &Path,
    dir: &Path,
    exclude: &[PathBuf],
    out: &mut Vec<Candidate>,
) -> Result<(), DiscoverError> {
    if dir.canonicalize().is_ok_and(|c| exclude.contains(&c)) {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| DiscoverError::Io(dir.to_path_buf(), e))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            // Hidden folders (.git …) are not inputs; symlinked folders could loop.
            if !name.starts_with('.') {
                walk(root, &path, exclude, out)?;
            }
            continue;
        }
        let display = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        out.push(Candidate {
            kind: kind_of(&name),
            path,
            display,
        });
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.to_string_lossy().into_owned())
}

/// Lock files, hidden files and OS litter are junk; spreadsheets by extension.
pub fn kind_of(name: &str) -> CandidateKind {
    let lower = name.to_lowercase();
    let junk = name.starts_with("~$")
        || name.starts_with(".~lock")
        || name.starts_with('.')
        || matches!(lower.as_str(), "thumbs.db" | "desktop.ini" | ".ds_store")
        || name == HELP_FILE_NAME;
    if junk {
        return CandidateKind::Junk;
    }
    let ext = Path::new(&lower)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    if SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) {
        CandidateKind::Spreadsheet
    } else {
        CandidateKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        use CandidateKind::*;
        for (name, want) in [
            ("薬剤師_第1回.xlsx", Spreadsheet),
            ("A.XLSM", Spreadsheet),
            ("古い.xls", Spreadsheet),
            ("栄養士.ods", Spreadsheet),
            ("~$薬剤師_第1回.xlsx", Junk),
            (".~lock.栄養士.ods#", Junk),
            (".hidden.xlsx", Junk),
            ("Thumbs.db", Junk),
            ("desktop.ini", Junk),
            (".DS_Store", Junk),
            ("使い方.txt", Junk),
            ("メモ.txt", Other),
            ("集計.csv", Other),
            ("xlsx", Other),
        ] {
            assert_eq!(kind_of(name), want, "{name}");
        }
    }

    #[test]
    fn walks_sorted_and_skips_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b")).unwrap();
        std::fs::create_dir_all(root.join("出力")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for f in [
            "b/2.xlsx",
            "a.xlsx",
            "出力/ランキング.xlsx",
            ".git/x.xlsx",
            "c.txt",
        ] {
            std::fs::write(root.join(f), b"x").unwrap();
        }
        let found = discover(&[root.to_path_buf()], &[root.join("出力")]).unwrap();
        let names: Vec<&str> = found.iter().map(|c| c.display.as_str()).collect();
        assert_eq!(names, vec!["a.xlsx", "b/2.xlsx", "c.txt"]);
    }
}
