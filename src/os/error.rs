//! Operating-system errors in words for staff. The standard library's text is
//! English (`Permission denied (os error 13)`) and, through `tempfile`, may
//! name a temporary file the user never made (`at path "…/.tmpoTqMSP"`).
//! [`describe`] gives instead a Japanese sentence about the path the user
//! gave, saying what to do where there is something to do.
//!
//! The cause is read from the error's kind and, on Windows, from the few
//! system codes the standard library leaves as `Other` (a file held open by
//! Excel is a sharing violation, code 32).

use std::io::{self, ErrorKind};
use std::path::Path;

/// What was being done with the path when the error came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading a file or listing a folder.
    Read,
    /// Creating a folder, or writing a file or into a folder.
    Write,
}

/// Why an operation on a path failed, as staff can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// Another program (Excel) holds the file open without sharing it.
    Locked,
    NotFound,
    Permission,
    /// The path, or a folder on the way to it, is a file.
    NotAFolder,
    IsAFolder,
    DiskFull,
    ReadOnly,
    TooLarge,
    /// Too long, or a character the file system refuses.
    BadName,
    /// A network drive that cannot be reached.
    Network,
    OutOfMemory,
    /// Anything else, with the system's error code when there is one.
    Other(Option<i32>),
}

/// One or two sentences (ending in 。) about `path`, which the user knows as
/// `what` (`出力先`, `ルールのフォルダ`, or `""` for a file named by itself):
/// `出力先「X」はフォルダではなくファイルです。`
pub fn describe(err: &io::Error, what: &str, path: &Path, access: Access) -> String {
    sentence(
        err,
        &format!("{what}「{}」", path.display()),
        Some(path),
        access,
    )
}

/// The same for standard output sent to a file (`renkei rules > 規則.toml`),
/// whose name renkei does not know.
pub fn describe_stdout(err: &io::Error) -> String {
    sentence(err, "結果の書き出し先", None, Access::Write)
}

/// `p` is the subject as staff know it; `path` is looked at to find a file
/// standing where a folder should be.
fn sentence(err: &io::Error, p: &str, path: Option<&Path>, access: Access) -> String {
    match cause(err) {
        Cause::Locked => format!(
            "{p}はほかのプログラム（Excel など）で開かれています。閉じてから、もう一度実行してください。"
        ),
        Cause::NotFound => match access {
            Access::Read => format!("{p}が見つかりません。名前と場所を確かめてください。"),
            Access::Write => {
                format!("{p}を作る場所が見つかりません。名前と場所を確かめてください。")
            }
        },
        Cause::Permission => match access {
            Access::Read => format!("{p}を読む権限がありません。"),
            Access::Write => format!(
                "{p}に書き込む権限がありません。読み取り専用でないか、ほかのプログラムで開いていないかを確かめてください。"
            ),
        },
        Cause::NotAFolder => match path.and_then(|p| file_in_the_way(p).map(|f| (p, f))) {
            Some((path, file)) if file != path => format!(
                "{p}を作れません。途中の「{}」がフォルダではなくファイルです。",
                file.display()
            ),
            Some(_) => format!("{p}はフォルダではなくファイルです。"),
            None => format!("{p}はフォルダではありません。"),
        },
        Cause::IsAFolder => format!("{p}はフォルダです。ファイルを指定してください。"),
        Cause::DiskFull => format!(
            "ディスクがいっぱいです（{p}）。空きを作ってから、もう一度実行してください。"
        ),
        Cause::ReadOnly => format!("{p}は読み取り専用の場所なので、書き込めません。"),
        Cause::TooLarge => format!("{p}は大きすぎて扱えません。"),
        Cause::BadName => format!(
            "{p}は、名前が長すぎるか、使えない文字が入っています。短い名前のフォルダに移してください。"
        ),
        Cause::Network => format!(
            "{p}に届きません。ネットワーク上の場所なら、つながっているかを確かめてください。"
        ),
        Cause::OutOfMemory => {
            format!("メモリが足りません（{p}）。ほかのプログラムを閉じてから、もう一度実行してください。")
        }
        Cause::Other(code) => {
            let verb = match access {
                Access::Read => "を読めません",
                Access::Write => "に書き込めません",
            };
            match code {
                Some(n) => format!("{p}{verb}（システムのエラー番号 {n}）。"),
                None => format!("{p}{verb}。"),
            }
        }
    }
}

fn cause(err: &io::Error) -> Cause {
    let code = raw_code(err);
    #[cfg(windows)]
    if let Some(c) = code.and_then(windows_cause) {
        return c;
    }
    match err.kind() {
        ErrorKind::NotFound => Cause::NotFound,
        ErrorKind::PermissionDenied => Cause::Permission,
        // create_dir_all over an existing file ends in AlreadyExists.
        ErrorKind::NotADirectory | ErrorKind::AlreadyExists => Cause::NotAFolder,
        ErrorKind::IsADirectory => Cause::IsAFolder,
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => Cause::DiskFull,
        ErrorKind::ReadOnlyFilesystem => Cause::ReadOnly,
        ErrorKind::FileTooLarge => Cause::TooLarge,
        ErrorKind::InvalidFilename => Cause::BadName,
        ErrorKind::NetworkDown
        | ErrorKind::NetworkUnreachable
        | ErrorKind::HostUnreachable
        | ErrorKind::ConnectionRefused
        | ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::NotConnected
        | ErrorKind::TimedOut
        | ErrorKind::StaleNetworkFileHandle => Cause::Network,
        ErrorKind::OutOfMemory => Cause::OutOfMemory,
        _ => Cause::Other(code),
    }
}

/// The system's code, also from an error that wraps one (`tempfile` wraps
/// the system's error to add the temporary file's path).
fn raw_code(err: &io::Error) -> Option<i32> {
    if let Some(n) = err.raw_os_error() {
        return Some(n);
    }
    let mut inner: Option<&(dyn std::error::Error + 'static)> = err.get_ref().map(|e| e as _);
    while let Some(e) = inner {
        if let Some(n) = e
            .downcast_ref::<io::Error>()
            .and_then(io::Error::raw_os_error)
        {
            return Some(n);
        }
        inner = e.source();
    }
    None
}

/// Windows system codes (winerror.h) the standard library maps to no useful
/// kind, or that say more than their kind.
#[cfg_attr(not(windows), allow(dead_code))]
fn windows_cause(code: i32) -> Option<Cause> {
    Some(match code {
        32 | 33 => Cause::Locked, // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
        19 => Cause::ReadOnly,    // ERROR_WRITE_PROTECT
        39 | 112 => Cause::DiskFull, // ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
        123 | 206 => Cause::BadName, // ERROR_INVALID_NAME, ERROR_FILENAME_EXCED_RANGE
        267 => Cause::NotAFolder, // ERROR_DIRECTORY
        51 | 53 | 59 | 64 | 67 | 1231 => Cause::Network, // ERROR_REM_NOT_LIST … ERROR_NETWORK_UNREACHABLE
        _ => return None,
    })
}

/// The first existing part of `path` that is not a folder: `path` itself,
/// or a file standing where a folder on the way should be.
fn file_in_the_way(path: &Path) -> Option<&Path> {
    let mut parts: Vec<&Path> = path
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .collect();
    parts.reverse();
    parts
        .into_iter()
        .find(|a| std::fs::metadata(a).is_ok_and(|m| !m.is_dir()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(kind: ErrorKind, what: &str, path: &str, access: Access) -> String {
        describe(&io::Error::from(kind), what, Path::new(path), access)
    }

    #[test]
    fn sentences_name_the_path_in_japanese() {
        for (kind, access, want) in [
            (
                ErrorKind::NotFound,
                Access::Read,
                "出力先「X」が見つかりません。",
            ),
            (
                ErrorKind::PermissionDenied,
                Access::Write,
                "出力先「X」に書き込む権限がありません。",
            ),
            (
                ErrorKind::PermissionDenied,
                Access::Read,
                "出力先「X」を読む権限がありません。",
            ),
            (
                ErrorKind::StorageFull,
                Access::Write,
                "ディスクがいっぱいです（出力先「X」）。",
            ),
            (
                ErrorKind::QuotaExceeded,
                Access::Write,
                "ディスクがいっぱいです",
            ),
            (
                ErrorKind::ReadOnlyFilesystem,
                Access::Write,
                "読み取り専用の場所",
            ),
            (
                ErrorKind::IsADirectory,
                Access::Read,
                "出力先「X」はフォルダです。",
            ),
            (ErrorKind::InvalidFilename, Access::Write, "名前が長すぎる"),
            (ErrorKind::TimedOut, Access::Read, "に届きません"),
            (
                ErrorKind::Other,
                Access::Write,
                "出力先「X」に書き込めません。",
            ),
            (ErrorKind::Other, Access::Read, "出力先「X」を読めません。"),
        ] {
            let s = said(kind, "出力先", "X", access);
            assert!(s.contains(want), "{kind:?}: {s}");
            assert!(!s.is_ascii() && s.ends_with('。'), "{s}");
        }
        let s = describe_stdout(&io::Error::from(ErrorKind::StorageFull));
        assert_eq!(s, "ディスクがいっぱいです（結果の書き出し先）。空きを作ってから、もう一度実行してください。");
    }

    #[test]
    fn a_file_where_the_folder_should_be() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("出力");
        std::fs::write(&file, b"x").unwrap();
        let s = said(
            ErrorKind::AlreadyExists,
            "出力先",
            file.to_str().unwrap(),
            Access::Write,
        );
        assert_eq!(
            s,
            format!(
                "出力先「{}」はフォルダではなくファイルです。",
                file.display()
            )
        );
        let below = file.join("フィードバック");
        let e = std::fs::create_dir_all(&below).unwrap_err();
        let s = describe(&e, "出力先", &below, Access::Write);
        assert!(s.contains("がフォルダではなくファイルです"), "{s}");
        assert!(s.contains(&format!("「{}」", file.display())), "{s}");
    }

    /// A temporary file's error carries its name; the sentence does not.
    #[test]
    fn temporary_names_are_not_shown() {
        // Named without tempfile's own `.tmp` prefix, unlike the file below.
        let dir = tempfile::Builder::new().prefix("renkei").tempdir().unwrap();
        let missing = dir.path().join("ない");
        let e = tempfile::NamedTempFile::new_in(&missing).unwrap_err();
        assert!(e.to_string().contains(".tmp"), "{e}");
        let s = describe(&e, "出力先", &missing, Access::Write);
        assert!(!s.contains(".tmp"), "{s}");
        assert!(
            s.ends_with("ない」を作る場所が見つかりません。名前と場所を確かめてください。"),
            "{s}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn system_codes_through_wrappers() {
        let enospc = io::Error::from_raw_os_error(28);
        assert_eq!(cause(&enospc), Cause::DiskFull);
        let wrapped = io::Error::new(enospc.kind(), enospc);
        assert_eq!(raw_code(&wrapped), Some(28));
        let odd = io::Error::from_raw_os_error(71); // EPROTO
        assert!(describe(&odd, "", Path::new("a.xlsx"), Access::Read)
            .ends_with("「a.xlsx」を読めません（システムのエラー番号 71）。"));
    }

    #[test]
    fn windows_codes() {
        assert_eq!(windows_cause(32), Some(Cause::Locked));
        assert_eq!(windows_cause(112), Some(Cause::DiskFull));
        assert_eq!(windows_cause(267), Some(Cause::NotAFolder));
        assert_eq!(windows_cause(5), None);
    }
}
