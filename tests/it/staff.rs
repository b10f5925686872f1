//! What staff see when they start renkei the Windows way: alone in a folder
//! (double-click), with a folder dropped on its icon, or with a mistake on
//! the command line; every message Japanese. The same exe is tried under
//! Wine by `tools/windows-smoke.sh`, which CI does not run.

use std::path::Path;

use crate::common::{fixtures_copy, renkei};

fn output(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let o = cmd.output().expect("run");
    (
        o.status.code().expect("exit code"),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn started_alone_in_an_empty_folder_it_makes_the_input_folder_and_guide() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = output(renkei().current_dir(dir.path()));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("「入力」フォルダを作りました"), "{stderr}");
    let guide = std::fs::read(dir.path().join("入力").join("使い方.txt")).unwrap();
    // UTF-8 with a BOM and CRLF: Notepad of every Windows 10 shows it.
    assert!(guide.starts_with("\u{feff}renkei の使い方\r\n".as_bytes()));
    let text = String::from_utf8(guide).unwrap();
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    for part in [
        "毎月",
        "分類一覧.xlsx",
        "修正",
        "うまくいかないとき",
        "記入用紙",
        "ルール",
    ] {
        assert!(text.contains(part), "{part}");
    }
    assert!(!dir.path().join("出力").exists());
}

#[test]
fn a_folder_dropped_on_the_icon_is_run_into_the_output_beside_it() {
    let root = tempfile::tempdir().unwrap();
    let month = root.path().join("令和6年 4月");
    let input = month.join("入力 データ");
    let copy = fixtures_copy(&["broken"]);
    std::fs::create_dir_all(&month).unwrap();
    std::fs::rename(copy.path(), &input).unwrap();
    let (code, stdout, stderr) = output(renkei().arg(&input).current_dir(root.path()));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("読んだ意見"), "{stdout}");
    for name in ["ランキング.xlsx", "分類一覧.xlsx"] {
        assert!(month.join("出力").join(name).is_file(), "{name}");
    }
}

#[test]
fn command_line_mistakes_and_help_are_japanese() {
    let (code, stdout, stderr) = output(renkei().args(["run", "--foo"]));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("エラー: 「--foo」というオプションはありません。"),
        "{stderr}"
    );
    assert!(
        stderr.contains("使い方: renkei run [オプション] [入力]..."),
        "{stderr}"
    );
    let (code, _, stderr) = output(renkei().args(["run", "-o"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("「--out」の後に出力フォルダを書いてください。"),
        "{stderr}"
    );
    for args in [&["--help"][..], &["run", "--help"], &["help", "template"]] {
        let (code, stdout, _) = output(renkei().args(args));
        assert_eq!(code, 0, "{args:?}");
        assert!(stdout.contains("使い方: renkei"), "{stdout}");
        for english in [
            "Usage",
            "Options",
            "Arguments",
            "Commands",
            "Print",
            "[OPTIONS]",
        ] {
            assert!(
                !stdout.contains(english),
                "{english} in {args:?}:\n{stdout}"
            );
        }
    }
}

#[test]
fn an_output_path_that_is_a_file_is_named_in_japanese() {
    let input = fixtures_copy(&["broken"]);
    let file = tempfile::NamedTempFile::new().unwrap();
    let (code, _, stderr) = output(
        renkei()
            .arg("run")
            .arg(input.path())
            .arg("-o")
            .arg(file.path()),
    );
    assert_eq!(code, 2);
    let want = format!(
        "エラー: 出力先「{}」はフォルダではなくファイルです。",
        file.path().display()
    );
    assert!(stderr.starts_with(&want), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
}

#[test]
fn a_missing_rules_folder_is_named_in_japanese() {
    let missing = Path::new("ないフォルダ");
    let (code, _, stderr) = output(renkei().arg("rules").arg("--rules").arg(missing));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("「ないフォルダ」が見つかりません。"),
        "{stderr}"
    );
    assert!(!stderr.contains("os error"), "{stderr}");
}
