//! Every file that gives no meeting is named on stderr, once, in the same
//! form as an unreadable file, and counted in the closing line (issue 12:
//! four kinds of such file appeared only in 取込結果).

use std::path::Path;

use rust_xlsxwriter::Workbook;

use crate::common::{check_naming, fixtures, renkei, run};

/// A workbook with one sheet holding `cells` as (row, col, text).
fn workbook(path: &Path, cells: &[(u32, u16, &str)]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, c, t) in cells {
        ws.write_string(*r, *c, *t).unwrap();
    }
    wb.save(path).unwrap();
}

const HEADER: [&str; 5] = ["No", "職種", "発言者", "意見", "備考"];

/// The four kinds of the issue, an unreadable file and a good one.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    workbook(
        &p.join("見出しなし.xlsx"),
        &[(0, 0, "連絡事項"), (1, 0, "特になし")],
    );
    workbook(&p.join("空のブック.xlsx"), &[]);
    std::fs::write(p.join("名簿.csv"), "No,意見\n1,連携したい\n").unwrap();
    let mut low: Vec<(u32, u16, &str)> = HEADER
        .iter()
        .enumerate()
        .map(|(c, h)| (40, c as u16, *h))
        .collect();
    low.push((41, 3, "退院時の連絡が遅い"));
    workbook(&p.join("見出しが31行目より下.xlsx"), &low);
    std::fs::write(p.join("壊れた.xlsx"), b"PK\x03\x04 not a zip").unwrap();
    std::fs::copy(fixtures().join("薬剤師_第1回.xlsx"), p.join("薬剤師.xlsx")).unwrap();
    dir
}

const NAMED: [(&str, &str); 5] = [
    ("見出しなし.xlsx", "会議のないファイル"),
    ("空のブック.xlsx", "会議のないファイル"),
    ("名簿.csv", "対象外のファイル"),
    ("見出しが31行目より下.xlsx", "会議のないファイル"),
    ("壊れた.xlsx", "読めないファイル"),
];

fn assert_named_once(stderr: &str, stdout: &str) {
    for (name, label) in NAMED {
        let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(name)).collect();
        assert_eq!(lines.len(), 1, "{name} once on stderr:\n{stderr}");
        assert!(
            lines[0].starts_with(&format!("{label}: {name} — ")),
            "{}",
            lines[0]
        );
        assert!(
            !stdout.contains(name),
            "{name} not on stdout too:\n{stdout}"
        );
    }
    assert!(!stderr.contains("薬剤師.xlsx"), "{stderr}");
}

#[test]
fn check_names_each_file_without_a_meeting_once_on_stderr() {
    let dir = folder();
    let out = renkei().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert_named_once(&stderr, &stdout);
    assert!(
        stderr.contains("見出しなし.xlsx — シート「Sheet1」: 最初の30行に見出し行"),
        "{stderr}"
    );
    assert!(
        stdout.contains("読んだ 4〔うち会議のないもの 3〕・読めない 1"),
        "{stdout}"
    );
    // --json: the JSON on stdout, the same lines on stderr.
    let out = renkei()
        .args(["check", "--json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["totals"]["no_meeting"], 3);
    let stderr = String::from_utf8(out.stderr).unwrap();
    for (name, _) in NAMED {
        assert_eq!(stderr.matches(name).count(), 1, "{name}:\n{stderr}");
    }
}

#[test]
fn run_names_each_file_without_a_meeting_and_counts_it() {
    let dir = folder();
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(&[dir.path()], out.path(), &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_named_once(&stderr, &stdout);
    assert!(
        stdout.contains("読んだ 4（うち会議のないもの 3）"),
        "{stdout}"
    );
}

#[test]
fn every_fixture_without_a_meeting_is_named_once_and_junk_never() {
    let (_, stderr, files) = check_naming(&fixtures());
    let mut named = 0;
    for (f, meeting, lines) in files {
        let want = usize::from(!meeting && f["outcome"] != "junk");
        assert_eq!(lines, want, "{f}\n{stderr}");
        named += lines;
    }
    assert_eq!(stderr.lines().count(), named, "{stderr}");
}
