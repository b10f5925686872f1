//! A year of monthly runs, as staff live it (SPEC §3 "Corrections" and "The
//! output folder holds staff's work too"): corrections typed into a
//! re-saved 分類一覧, a month's run over only some meetings, a full run
//! again, a moved and renamed file, period mistakes, a typo in a
//! correction, a staff column, and files staff keep in the output folder.
//! Nothing staff typed or kept may be lost.

use std::path::{Path, PathBuf};

use crate::common::{
    col, list_table, read_book, resave_classified, rows, run, write_meeting, Cellv,
};

const APRIL: &[&str] = &[
    "残薬が多く、飲み忘れが目立つ",
    "サービス担当者会議に呼ばれたい",
    "情報共有不足",
    "薬剤師の役割を家族が知らない",
];
const MAY: &[&str] = &[
    "退院前カンファレンスに訪問看護が呼ばれない",
    "夜間の急変時に連絡がつかない",
    "情報共有不足",
];
const JUNE: &[&str] = &[
    "看取りの相談が増えている",
    "多職種で顔の見える関係を作りたい",
];
const JULY: &[&str] = &["情報共有不足", "在宅訪問できる薬局を増やしたい"];

/// The year's four meetings, written under `dir` as staff file them.
fn year(dir: &Path) -> [PathBuf; 4] {
    let files = [
        dir.join("2024年度/04_薬剤師.xlsx"),
        dir.join("2024年度/05_看護師.xlsx"),
        dir.join("2024年度/06_医師.xlsx"),
        dir.join("2024年度/07_薬剤師.xlsx"),
    ];
    write_meeting(&files[0], "薬剤師", 1, "令和6年4月10日", APRIL);
    write_meeting(&files[1], "看護師", 1, "令和6年5月15日", MAY);
    write_meeting(&files[2], "医師", 1, "令和6年6月12日", JUNE);
    write_meeting(&files[3], "薬剤師", 2, "令和6年7月3日", JULY);
    files
}

/// The 一覧 row of `text` said at the meeting whose name contains `meeting`.
fn row_of<'a>(
    header: &[String],
    body: &'a [Vec<String>],
    text: &str,
    meeting: &str,
) -> Option<&'a Vec<String>> {
    let (t, m) = (col(header, "意見(正規化)"), col(header, "会議"));
    body.iter().find(|r| r[t] == text && r[m].contains(meeting))
}

fn journal(out: &Path) -> Vec<u8> {
    std::fs::read(out.join("renkei管理/修正台帳.jsonl")).unwrap_or_default()
}

/// Runs and checks that the ledger only grew.
fn run_keeping_ledger(inputs: &[&Path], out: &Path, extra: &[&str]) -> (i32, String, String) {
    let before = journal(out);
    let result = run(inputs, out, extra);
    let after = journal(out);
    assert!(after.starts_with(&before), "the ledger never shrinks");
    result
}

/// Staff's first corrections, typed into April's 分類一覧 and saved by
/// Excel: a column inserted after 意見(原文), rows re-sorted.
fn type_april_corrections(list: &Path) {
    resave_classified(list, |header, rows| {
        let at = header.iter().position(|h| h == "意見(原文)").unwrap() + 1;
        header.insert(at, "担当メモ".into());
        let h = header.clone();
        let c = |name: &str| h.iter().position(|x| x == name).unwrap();
        for row in rows.iter_mut() {
            row.insert(at, Cellv::Text(String::new()));
            let text = row[c("意見(正規化)")].text();
            let set = |row: &mut Vec<Cellv>, name: &str, v: &str| {
                row[c(name)] = Cellv::Text(v.into());
            };
            match text.as_str() {
                "残薬が多く、飲み忘れが目立つ" => {
                    set(row, "カテゴリ(修正)", "服薬・薬剤、多職種連携");
                    set(row, "所在(修正)", "職種間");
                }
                "情報共有不足" => {
                    set(row, "カテゴリ(修正)", "情報共有ツール");
                    set(row, "所在(修正)", "地域全体");
                }
                "薬剤師の役割を家族が知らない" => {
                    set(row, "カテゴリ(修正)", "多職種連帯");
                }
                "サービス担当者会議に呼ばれたい" => {
                    set(row, "担当メモ", "要確認");
                }
                _ => {}
            }
        }
        rows.reverse();
    });
}

/// The whole year run once, April's corrections typed, and run again:
/// (the temp folder, its 入力, its 出力).
fn year_with_april_corrections() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let all = root.path().join("入力");
    year(&all);
    let out = root.path().join("出力");
    assert_eq!(run(&[&all], &out, &[]).0, 0);
    type_april_corrections(&out.join("分類一覧.xlsx"));
    assert_eq!(run(&[&all], &out, &[]).0, 0);
    (root, all, out)
}

/// The corrections typed in April, as 一覧 must show them.
fn assert_april_corrections(header: &[String], body: &[Vec<String>]) {
    let c = |name: &str| col(header, name);
    let r = row_of(header, body, "残薬が多く、飲み忘れが目立つ", "薬剤師 第1回").unwrap();
    assert_eq!(r[c("カテゴリ")], "服薬・薬剤、多職種連携");
    assert_eq!(r[c("所在")], "職種間");
    assert_eq!(r[c("連携の場")], "二次連携");
    assert_eq!(r[c("カテゴリ(修正)")], "服薬・薬剤、多職種連携");
    assert_eq!(r[c("所在(修正)")], "職種間");
    let r = row_of(header, body, "情報共有不足", "薬剤師 第1回").unwrap();
    assert_eq!(r[c("カテゴリ")], "情報共有ツール");
    assert_eq!(r[c("所在")], "地域全体");
    let r = row_of(header, body, "薬剤師の役割を家族が知らない", "薬剤師 第1回").unwrap();
    assert_eq!(
        r[c("カテゴリ(修正)")],
        "多職種連帯",
        "kept for staff to fix"
    );
    assert!(!r[c("カテゴリ")].contains("多職種連帯"), "not applied");
    let r = row_of(
        header,
        body,
        "サービス担当者会議に呼ばれたい",
        "薬剤師 第1回",
    )
    .unwrap();
    assert_eq!(r[c("担当メモ")], "要確認");
}

#[test]
fn a_year_of_monthly_runs_loses_nothing_staff_typed_or_kept() {
    let root = tempfile::tempdir().unwrap();
    let all = root.path().join("入力");
    let files = year(&all);
    let out = root.path().join("出力");
    let april = root.path().join("4月");
    write_meeting(
        &april.join("薬剤師.xlsx"),
        "薬剤師",
        1,
        "令和6年4月10日",
        APRIL,
    );

    // April: the first month.
    let (code, stdout, stderr) = run_keeping_ledger(&[&april], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let list = out.join("分類一覧.xlsx");
    let (header, body) = list_table(&list);
    let april_ids: Vec<String> = body.iter().map(|r| r[col(&header, "ID")].clone()).collect();
    type_april_corrections(&list);

    // Staff keep their own files beside the outputs, and annotate one.
    let memo = out.join("メモ.txt");
    std::fs::write(&memo, "5月の会議で報告する").unwrap();
    let printed = out.join("フィードバック/薬剤師（印刷用に修正）.xlsx");
    std::fs::copy(out.join("フィードバック/薬剤師.xlsx"), &printed).unwrap();
    let printed_bytes = std::fs::read(&printed).unwrap();
    let mut annotated = rust_xlsxwriter::Workbook::new();
    annotated
        .add_worksheet()
        .write_string(0, 0, "5/20 薬剤師会へ送付済み")
        .unwrap();
    annotated
        .save(out.join("フィードバック/薬剤師.xlsx"))
        .unwrap();
    let annotated_bytes = std::fs::read(out.join("フィードバック/薬剤師.xlsx")).unwrap();

    // May: the year's folder, April and May.
    std::fs::remove_file(&files[2]).unwrap();
    std::fs::remove_file(&files[3]).unwrap();
    let (code, stdout, stderr) = run_keeping_ledger(&[&all], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("「多職種連帯」はカテゴリにありません。「多職種連携」のことですか？"),
        "{stderr}"
    );
    assert!(
        stdout.contains("台帳の 3 件のうち 2 件を反映しました"),
        "{stdout}"
    );
    let (header, body) = list_table(&list);
    assert_april_corrections(&header, &body);
    // The other profession's same words are its own remark.
    let nurse = row_of(&header, &body, "情報共有不足", "看護師").unwrap();
    assert_eq!(nurse[col(&header, "所在(修正)")], "");
    // IDs do not depend on the file's name or place.
    for id in &april_ids {
        assert!(body.iter().any(|r| &r[0] == id), "{id} kept");
    }
    // The annotated workbook was kept aside, unchanged; the rest untouched.
    assert!(stdout.contains("上書きせず"), "{stdout}");
    let kept: Vec<PathBuf> = crate::common::workbooks_under(&out.join("保管"));
    assert!(
        kept.iter()
            .any(|p| std::fs::read(p).unwrap() == annotated_bytes),
        "{kept:?}"
    );
    assert!(
        kept.iter().any(|p| p.ends_with("分類一覧.xlsx")),
        "the typed-in 分類一覧 is kept too: {kept:?}"
    );
    assert_eq!(std::fs::read(&printed).unwrap(), printed_bytes);
    assert_eq!(
        std::fs::read_to_string(&memo).unwrap(),
        "5月の会議で報告する"
    );

    // June: only this month's sheet.
    let june = root.path().join("6月");
    std::fs::create_dir_all(&june).unwrap();
    write_meeting(&june.join("医師.xlsx"), "医師", 1, "令和6年6月12日", JUNE);
    let pharmacist = std::fs::read(out.join("フィードバック/薬剤師.xlsx")).unwrap();
    let (code, stdout, stderr) = run_keeping_ledger(&[&june], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("今回読んでいない意見の修正 3 件は台帳に残しています"),
        "{stdout}"
    );
    assert!(stdout.contains("前回のまま残しています"), "{stdout}");
    assert_eq!(
        std::fs::read(out.join("フィードバック/薬剤師.xlsx")).unwrap(),
        pharmacist,
        "a profession absent this month keeps its workbook"
    );
    assert!(out.join("フィードバック/看護師.xlsx").exists());
    let book = read_book(&list);
    let history = rows(&book, "修正履歴");
    let texts: Vec<&str> = history.iter().map(|r| r[3].as_str()).collect();
    for text in [
        "残薬が多く、飲み忘れが目立つ",
        "情報共有不足",
        "薬剤師の役割を家族が知らない",
        "サービス担当者会議に呼ばれたい",
    ] {
        assert!(texts.contains(&text), "{text} in 修正履歴: {history:?}");
    }
    assert!(history
        .iter()
        .skip(1)
        .all(|r| r[9].contains("今回の入力にない")));

    // The whole year again: every correction comes back.
    write_meeting(&files[2], "医師", 1, "令和6年6月12日", JUNE);
    write_meeting(&files[3], "薬剤師", 2, "令和6年7月3日", JULY);
    let (code, stdout, stderr) = run_keeping_ledger(&[&all], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (header, body) = list_table(&list);
    assert_april_corrections(&header, &body);
    // The same words at July's meeting take April's correction; their
    // 修正 cells stay empty (nobody typed there).
    let july = row_of(&header, &body, "情報共有不足", "薬剤師 第2回").unwrap();
    assert_eq!(july[col(&header, "所在")], "地域全体");
    assert_eq!(july[col(&header, "所在(修正)")], "");

    // April's file moved and renamed, content unchanged.
    let moved = all.join("2022年度/R4.4 薬剤師会.xlsx");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&files[0], &moved).unwrap();
    let (code, stdout, stderr) = run_keeping_ledger(&[&all], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (header, body) = list_table(&list);
    assert_april_corrections(&header, &body);
    for id in &april_ids {
        assert!(body.iter().any(|r| &r[0] == id), "{id} kept after the move");
    }
}

#[test]
fn a_period_that_reads_nothing_writes_nothing_and_corrections_wait() {
    let (_root, all, out) = year_with_april_corrections();
    let list = out.join("分類一覧.xlsx");

    let snapshot = |dir: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = walk(dir)
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&out);
    // A typo in the year: nothing read, nothing written.
    let (code, stdout, stderr) = run(&[&all], &out, &["--since", "2030-01-01"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("期間（2030-01-01 以降）に入る会議がない"),
        "{stderr}"
    );
    assert!(stderr.contains("2024-04-10 〜 2024-07-03"), "{stderr}");
    assert!(!stderr.contains("入力にありません"), "{stderr}");
    assert_eq!(snapshot(&out), before, "nothing written");
    // A reversed period is a usage error.
    let (code, _, stderr) = run(
        &[&all],
        &out,
        &["--since", "2024-06-01", "--until", "2024-01-01"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("逆"), "{stderr}");
    assert_eq!(snapshot(&out), before, "nothing written");

    // A period leaving April out: its corrections wait, said as such.
    let (code, stdout, stderr) = run(&[&all], &out, &["--since", "2024-05-01"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("うち期間外 3 件"), "{stdout}");
    let book = read_book(&list);
    let history = rows(&book, "修正履歴");
    let april = history
        .iter()
        .find(|r| r[3] == "残薬が多く、飲み忘れが目立つ")
        .unwrap();
    assert!(april[9].contains("期間外"), "{april:?}");
    // And they are back when April is read again.
    assert_eq!(run(&[&all], &out, &[]).0, 0);
    let (header, body) = list_table(&list);
    assert_april_corrections(&header, &body);
}

#[test]
fn the_ledger_and_the_classified_workbook_each_keep_everything_alone() {
    let (_root, all, out) = year_with_april_corrections();
    let list = out.join("分類一覧.xlsx");

    // The ledger deleted: the next run seeds it again from 分類一覧.
    std::fs::remove_dir_all(out.join("renkei管理")).unwrap();
    let (code, stdout, stderr) = run(&[&all], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (header, body) = list_table(&list);
    assert_april_corrections(&header, &body);
    assert!(!journal(&out).is_empty());

    // 分類一覧 deleted: the ledger has every correction.
    std::fs::remove_file(&list).unwrap();
    let (code, stdout, stderr) = run(&[&all], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (header, body) = list_table(&list);
    assert_april_corrections(&header, &body);

    // An emptied cell erases nothing; 取消 withdraws.
    resave_classified(&list, |header, rows| {
        let h = header.clone();
        let c = |name: &str| h.iter().position(|x| x == name).unwrap();
        for row in rows.iter_mut() {
            if row[c("意見(正規化)")].text() == "残薬が多く、飲み忘れが目立つ" {
                row[c("カテゴリ(修正)")] = Cellv::Text(String::new());
                row[c("所在(修正)")] = Cellv::Text("取消".into());
            }
        }
    });
    assert_eq!(run(&[&all], &out, &[]).0, 0);
    let (header, body) = list_table(&list);
    let r = row_of(
        &header,
        &body,
        "残薬が多く、飲み忘れが目立つ",
        "薬剤師 第1回",
    )
    .unwrap();
    assert_eq!(r[col(&header, "カテゴリ(修正)")], "服薬・薬剤、多職種連携");
    assert_eq!(r[col(&header, "所在(修正)")], "");
}

/// Every file under `dir`, recursively.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

mod property {
    //! Random sequences of runs over random subsets of meetings, under
    //! changing file names, with random corrections typed between runs and
    //! random staff files dropped into the output folder.

    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    use proptest::prelude::*;

    use crate::common::{col, list_table, resave_classified, run, write_meeting, Cellv};

    const MEETINGS: [(&str, u32, &str, &[&str]); 5] = [
        ("薬剤師", 1, "令和6年4月10日", super::APRIL),
        ("看護師", 1, "令和6年5月15日", super::MAY),
        ("医師", 1, "令和6年6月12日", super::JUNE),
        ("薬剤師", 2, "令和6年7月3日", super::JULY),
        (
            "介護支援専門員",
            1,
            "令和6年8月1日",
            &["ケアプランの共有がしにくい", "情報共有不足"],
        ),
    ];
    const FIELDS: [(&str, &str, &[&str]); 3] = [
        (
            "カテゴリ(修正)",
            "カテゴリ",
            &["看取り", "多職種連携", "食べること、看取り"],
        ),
        (
            "課題/アイデア(修正)",
            "課題/アイデア",
            &["課題", "アイデア"],
        ),
        ("所在(修正)", "所在", &["職種内", "職種間", "地域全体"]),
    ];

    #[derive(Debug, Clone)]
    struct Step {
        /// Which meetings are in this run's input (bit i: meeting i).
        meetings: u8,
        /// Values typed before the run: (row, field, value), indices taken
        /// modulo what exists.
        typed: Vec<(usize, usize, usize)>,
        /// A staff file dropped into the output folder before the run.
        staff_file: Option<(bool, u32)>,
    }

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        let step = (
            1u8..32,
            proptest::collection::vec((0usize..20, 0usize..3, 0usize..3), 0..5),
            proptest::option::of((any::<bool>(), any::<u32>())),
        )
            .prop_map(|(meetings, typed, staff_file)| Step {
                meetings,
                typed,
                staff_file,
            });
        proptest::collection::vec(step, 2..5)
    }

    /// The latest value of every (ID, field) in the ledger's journal.
    fn journal_values(out: &Path) -> HashMap<(String, String), String> {
        let text =
            std::fs::read_to_string(out.join("renkei管理/修正台帳.jsonl")).unwrap_or_default();
        let mut latest = HashMap::new();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let key = (
                v["id"].as_str().unwrap().to_string(),
                v["field"].as_str().unwrap().to_string(),
            );
            latest.insert(key, v["value"].as_str().unwrap().to_string());
        }
        latest
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

        #[test]
        fn every_correction_ever_typed_is_kept_and_applied_whenever_its_remark_is_read(
            steps in steps()
        ) {
            let root = tempfile::tempdir().unwrap();
            let out = root.path().join("出力");
            let list = out.join("分類一覧.xlsx");
            // Every value ever typed, latest first: (ID, field) → value.
            let mut typed: HashMap<(String, String), String> = HashMap::new();
            let mut staff: Vec<(PathBuf, Vec<u8>)> = Vec::new();
            for (n, step) in steps.iter().enumerate() {
                if list.exists() && !step.typed.is_empty() {
                    resave_classified(&list, |header, rows| {
                        if rows.is_empty() {
                            return;
                        }
                        let id = col(header, "ID");
                        for &(r, f, v) in &step.typed {
                            let (field, _, values) = FIELDS[f];
                            let at = r % rows.len();
                            let row = &mut rows[at];
                            let value = values[v % values.len()];
                            row[col(header, field)] = Cellv::Text(value.into());
                            typed.insert((row[id].text(), field.to_string()), value.to_string());
                        }
                    });
                }
                if let Some((in_feedback, seed)) = step.staff_file {
                    let dir = if in_feedback { out.join("フィードバック") } else { out.clone() };
                    std::fs::create_dir_all(&dir).unwrap();
                    let path = dir.join(format!("staff_{n}.xlsx"));
                    let bytes = format!("staff {seed}").into_bytes();
                    std::fs::write(&path, &bytes).unwrap();
                    staff.push((path, bytes));
                }
                // This month's input, under names that change every run.
                let input = root.path().join(format!("入力{n}"));
                for (i, (profession, round, date, remarks)) in MEETINGS.iter().enumerate() {
                    if step.meetings & (1 << i) != 0 {
                        let name = format!("{n}-{i} {profession}.xlsx");
                        write_meeting(&input.join(name), profession, *round, date, remarks);
                    }
                }
                let (code, stdout, stderr) = run(&[&input], &out, &["--quiet"]);
                prop_assert_eq!(code, 0, "{}{}", stdout, stderr);

                // Every value ever typed is in the ledger.
                let journal = journal_values(&out);
                for (key, value) in &typed {
                    prop_assert_eq!(journal.get(key), Some(value), "{:?}", key);
                }
                // And applied wherever its remark is read.
                let (header, body) = list_table(&list);
                let id = col(&header, "ID");
                for row in &body {
                    for (field, label, _) in FIELDS {
                        if let Some(value) = typed.get(&(row[id].clone(), field.to_string())) {
                            prop_assert_eq!(&row[col(&header, field)], value);
                            prop_assert_eq!(&row[col(&header, label)], value);
                        }
                    }
                }
                // No file renkei did not write changed or disappeared.
                for (path, bytes) in &staff {
                    prop_assert_eq!(&std::fs::read(path).unwrap(), bytes);
                }
            }
        }
    }
}

#[test]
fn a_workbook_resaved_by_libreoffice_gives_its_corrections() {
    let root = tempfile::tempdir().unwrap();
    // The meeting under another name and folder than when 分類一覧 was made.
    let input = root.path().join("入力/R4年度");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(
        crate::common::fixtures().join("薬剤師_第1回.xlsx"),
        input.join("薬剤師会 4月.xlsx"),
    )
    .unwrap();
    let out = root.path().join("出力");
    std::fs::create_dir_all(&out).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/libreoffice");
    std::fs::copy(data.join("分類一覧.xlsx"), out.join("分類一覧.xlsx")).unwrap();

    let (code, stdout, stderr) = run(&[&input], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("「服薬・薬材」はカテゴリにありません。「服薬・薬剤」のことですか？"),
        "{stderr}"
    );
    let (header, body) = list_table(&out.join("分類一覧.xlsx"));
    let c = |name: &str| col(&header, name);
    let row = |start: &str| {
        body.iter()
            .find(|r| r[c("意見(正規化)")].starts_with(start))
            .unwrap()
    };
    let r = row("サービス担当者会議");
    assert_eq!(r[c("カテゴリ")], "日常の療養支援、多職種連携");
    assert_eq!(r[c("所在")], "職種間");
    assert_eq!(r[c("担当メモ")], "6月に再確認");
    let r = row("ICT");
    assert_eq!(r[c("課題/アイデア")], "アイデア");
    assert_eq!(r[c("所在")], "地域全体");
    let r = row("残薬");
    assert_eq!(r[c("カテゴリ(修正)")], "服薬・薬材");
    assert_ne!(r[c("カテゴリ")], "服薬・薬材");
    // renkei did not write that file: it is kept aside, not overwritten.
    assert!(stdout.contains("上書きせず"), "{stdout}");
}
