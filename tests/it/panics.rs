//! A panic never ends a run by surprise (issue 12). Debug builds of renkei
//! panic on demand at a named point (`RENKEI_FAILPOINT`, see
//! `src/failpoint.rs`), since no real input makes them panic any more.

use crate::common::{fixtures, read_book, renkei, rows};

fn two_good_files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["薬剤師_第1回.xlsx", "医師_第2回.xlsx"] {
        std::fs::copy(fixtures().join(name), dir.path().join(name)).unwrap();
    }
    dir
}

fn assert_no_backtrace(stderr: &str) {
    for english in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        assert!(!stderr.contains(english), "{stderr}");
    }
}

#[test]
fn a_panic_while_reading_one_file_skips_that_file_and_the_run_goes_on() {
    let input = two_good_files();
    let out = tempfile::tempdir().unwrap();
    let o = renkei()
        .env("RENKEI_FAILPOINT", "read:医師_第2回.xlsx")
        .arg("run")
        .arg(input.path())
        .arg("-o")
        .arg(out.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    );
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    assert_no_backtrace(&stderr);
    // One line for the file, in the form of any unreadable file; nothing else.
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with(
            "読めないファイル: 医師_第2回.xlsx — 読み込み中に想定外の問題が起きたため、このファイルは読みませんでした。"
        ),
        "{stderr}"
    );
    assert!(lines[0].contains("（詳細: failpoint read:医師_第2回.xlsx at src/ingest/mod.rs:"));
    // The other file is read and every output written, as for any unreadable file.
    assert!(
        stdout.contains("読んだ 1（うち会議のないもの 0）・読めない 1"),
        "{stdout}"
    );
    let classified = read_book(&out.path().join("分類一覧.xlsx"));
    assert!(rows(&classified, "取込結果")
        .iter()
        .flatten()
        .any(|c| c.contains("想定外の問題")));
    assert!(out.path().join("ランキング.xlsx").exists());
}

#[test]
fn check_names_a_file_whose_read_panicked_once() {
    let input = two_good_files();
    let o = renkei()
        .env("RENKEI_FAILPOINT", "read:薬剤師_第1回.xlsx")
        .arg("check")
        .arg(input.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert_no_backtrace(&stderr);
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("薬剤師_第1回.xlsx"))
            .count(),
        1,
        "{stderr}"
    );
    assert!(stderr
        .starts_with("読めないファイル: 薬剤師_第1回.xlsx — 読み込み中に想定外の問題が起きたため"));
}

#[test]
fn a_panic_after_reading_stops_with_one_japanese_line_and_writes_nothing() {
    let input = two_good_files();
    let out = tempfile::tempdir().unwrap();
    let o = renkei()
        .env("RENKEI_FAILPOINT", "classify")
        .arg("run")
        .arg(input.path())
        .arg("-o")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_no_backtrace(&stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("エラー: renkei の内部で想定外の問題（プログラムの不具合）が起きたため、途中で止めました。"),
        "{stderr}"
    );
    // No workbook, and no temporary file left behind.
    let mut files = Vec::new();
    let mut dirs = vec![out.path().to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    assert!(files.is_empty(), "{files:?}");
}
