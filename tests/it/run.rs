//! `renkei run` end to end: the three kinds of workbook are written, open
//! cleanly (read back with calamine) and hold what SPEC §4–§5 say.

use std::path::Path;

use crate::common::{
    assert_rows_in_order, fixtures, fixtures_copy, read_book, rows, run, workbooks_under,
};

const HEADERS: [&str; 18] = [
    "ID",
    "会議",
    "日付",
    "職種",
    "発言者",
    "意見(原文)",
    "意見(正規化)",
    "カテゴリ",
    "課題/アイデア",
    "所在",
    "連携の場",
    "関係職種",
    "重複グループ",
    "再掲",
    "出典",
    "カテゴリ(修正)",
    "課題/アイデア(修正)",
    "所在(修正)",
];

/// The header row of a table sheet and the rows under it.
fn table<'a>(sheet: &'a [Vec<String>], first_header: &str) -> (&'a [String], &'a [Vec<String>]) {
    let at = sheet
        .iter()
        .position(|r| r.first().is_some_and(|c| c == first_header))
        .expect("header row");
    (&sheet[at], &sheet[at + 1..])
}

#[test]
fn fixtures_folder_gives_all_three_workbooks_and_conserves_remarks() {
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(&[&fixtures()], out.path(), &[]);
    assert_eq!(code, 1, "broken fixtures make exit 1\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("読んだ意見 68 件 = 書いた意見 68 件"),
        "{stdout}"
    );

    let classified = read_book(&out.path().join("分類一覧.xlsx"));
    let (header, body) = table(rows(&classified, "一覧"), "ID");
    // SPEC's 18 columns, exactly, then where each label came from.
    assert_eq!(header[..18], HEADERS);
    assert_eq!(header[18..], ["分類の根拠"]);
    let body: Vec<&Vec<String>> = body.iter().filter(|r| !r[0].is_empty()).collect();
    assert_eq!(body.len(), 68);
    assert!(
        body.iter().all(|r| r[18].contains('／')),
        "every row says where its labels came from"
    );
    let mut ids: Vec<&str> = body.iter().map(|r| r[0].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 68, "every remark exactly once");
    // Formula-looking remarks stay text.
    assert!(body
        .iter()
        .any(|r| r[5] == "=薬局同士で夜間の輪番を決めたい"));
    assert!(body.iter().any(|r| r[5].starts_with("+ケアマネからの連絡")));
    for s in [
        "職種内",
        "職種間",
        "地域全体",
        "集計",
        "カテゴリ行列",
        "二次連携候補",
        "会議一覧",
        "取込結果",
    ] {
        rows(&classified, s);
    }
    // The three 所在 sheets partition the remarks.
    let by_location: usize = ["職種内", "職種間", "地域全体"]
        .iter()
        .map(|s| {
            table(rows(&classified, s), "ID")
                .1
                .iter()
                .filter(|r| !r[0].is_empty())
                .count()
        })
        .sum();
    assert_eq!(by_location, 68);
    let intake = rows(&classified, "取込結果");
    assert!(intake.iter().flatten().any(|c| c.contains("パスワード")));
    assert!(intake
        .iter()
        .flatten()
        .any(|c| c.contains("読んだ意見 68 件 = 一覧の行 68 行")));

    // Feedback: one workbook a profession; together they hold every remark once.
    let fb_dir = out.path().join("フィードバック");
    let mut total = 0;
    for e in std::fs::read_dir(&fb_dir).unwrap() {
        let book = read_book(&e.unwrap().path());
        let (_, list) = table(rows(&book, "意見一覧"), "会議");
        total += list
            .iter()
            .filter(|r| r.iter().any(|c| !c.is_empty()))
            .count();
        rows(&book, "表紙");
        rows(&book, "ランキング");
        rows(&book, "所在と次の一手");
    }
    assert_eq!(total, 68);
    let ranking = read_book(&out.path().join("ランキング.xlsx"));
    assert_eq!(ranking[0].0, "全体");
    assert!(ranking.len() >= 2);
    // Every workbook is one Excel opens without complaint.
    let books = workbooks_under(out.path());
    assert!(books.len() >= 4);
    for book in books {
        assert_rows_in_order(&book);
    }
}

#[test]
fn manual_example_two_is_reproduced_in_the_ranking() {
    let input = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("介護支援専門員_例2.xlsx"),
        input.path().join("例2.xlsx"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(&[input.path()], out.path(), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let book = read_book(&out.path().join("ランキング.xlsx"));
    let (header, body) = table(rows(&book, "介護支援専門員"), "順位");
    assert_eq!(
        header[..5],
        ["順位", "カテゴリ", "件数", "課題/アイデア", "意見"]
    );
    let ranked: Vec<(String, String, String)> = body
        .iter()
        .filter(|r| !r[0].is_empty())
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    assert_eq!(
        ranked,
        vec![
            ("1".into(), "多職種連携".into(), "10".into()),
            ("2".into(), "他職種への職能の周知".into(), "6".into()),
            ("3".into(), "情報共有ツール".into(), "3".into()),
        ],
        "食べること has no remark: no rank"
    );
    let cell = |cat: &str, kind: &str| -> String {
        let start = body.iter().position(|r| r[1] == cat).unwrap();
        body[start..]
            .iter()
            .take_while(|r| r[1] == cat || r[1].is_empty())
            .find(|r| r[3] == kind)
            .map(|r| r[4].clone())
            .unwrap_or_default()
    };
    let first = cell("多職種連携", "課題");
    assert!(
        first.contains("・自分たちの情報発信力が弱い\n")
            || first.contains("・自分たちの情報発信力が弱い"),
        "{first}"
    );
    assert!(!first.contains("【再掲】"), "{first}");
    let second = cell("他職種への職能の周知", "課題");
    assert!(
        second.contains("・自分たちの情報発信力が弱い【再掲】"),
        "{second}"
    );
    assert!(
        second.contains("・自分たちの職能をアピールできる場が少ない【再掲】"),
        "{second}"
    );
    assert!(
        second.contains("・自信をもってアピールできない"),
        "{second}"
    );
    assert!(cell("情報共有ツール", "課題").contains("・情報共有不足【再掲】"));
    assert!(cell("多職種連携", "アイデア").contains("・合同研修会やりたい"));
}

#[test]
fn repeated_remarks_are_grouped_with_a_count() {
    let input = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("第3回打合せ.xlsx"),
        input.path().join("a.xlsx"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, ..) = run(&[input.path()], out.path(), &[]);
    assert_eq!(code, 0);
    let book = read_book(&out.path().join("ランキング.xlsx"));
    let all: String = rows(&book, "全体")
        .iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("・病院は、在宅の準備が整う前に退院日を決めてしまう ×2"),
        "{all}"
    );
}

#[test]
fn two_runs_give_identical_files() {
    let input = fixtures_copy(&["broken"]);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert_eq!(run(&[input.path()], a.path(), &[]).0, 0);
    assert_eq!(run(&[input.path()], b.path(), &[]).0, 0);
    for name in [
        "ランキング.xlsx",
        "分類一覧.xlsx",
        "フィードバック/薬剤師.xlsx",
        "フィードバック/介護支援専門員.xlsx",
    ] {
        assert_eq!(
            read_book(&a.path().join(name)),
            read_book(&b.path().join(name)),
            "{name}"
        );
        // Byte for byte too: fixed properties, and formats numbered in the
        // same order although 分類一覧's sheets are written concurrently.
        assert!(
            std::fs::read(a.path().join(name)).unwrap()
                == std::fs::read(b.path().join(name)).unwrap(),
            "{name} differs between runs"
        );
    }
}

#[test]
fn output_folder_not_writable_is_exit_2_and_writes_nothing() {
    let input = fixtures_copy(&["broken"]);
    let blocker = tempfile::NamedTempFile::new().unwrap();
    // A path under a regular file can never be created, even as root.
    let out = blocker.path().join("出力");
    let (code, _, stderr) = run(&[input.path()], &out, &[]);
    assert_eq!(code, 2);
    let why = format!(
        "出力先「{}」を作れません。途中の「{}」がフォルダではなくファイルです。",
        out.display(),
        blocker.path().display()
    );
    assert!(stderr.contains(&why), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn no_inputs_and_bad_dates_are_exit_2() {
    let empty = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(run(&[empty.path()], &out.path().join("x"), &[]).0, 2);
    let input = fixtures_copy(&["broken"]);
    let (code, _, stderr) = run(&[input.path()], out.path(), &["--since", "そのうち"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--since"), "{stderr}");
}

#[test]
fn since_and_until_keep_only_meetings_in_the_period() {
    let input = fixtures_copy(&["broken"]);
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(
        &[input.path()],
        out.path(),
        &["--since", "2023-01-01", "--until", "令和5年12月31日"],
    );
    assert_eq!(code, 0);
    let book = read_book(&out.path().join("分類一覧.xlsx"));
    let (_, body) = table(rows(&book, "一覧"), "ID");
    for r in body.iter().filter(|r| !r[0].is_empty()) {
        assert!(r[1].contains("(2023-"), "{r:?}");
    }
    assert!(stdout.contains("期間外"), "{stdout}");
}

fn write_sheet(path: &Path, profession: &str, remarks: &[(&str, &str)]) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "職種名").unwrap();
    ws.write_string(0, 1, profession).unwrap();
    ws.write_string(1, 0, "令和6年6月1日").unwrap();
    for (c, h) in ["No", "発言者", "意見"].iter().enumerate() {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    for (i, (speaker, text)) in remarks.iter().enumerate() {
        let r = 4 + i as u32;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, *speaker).unwrap();
        ws.write_string(r, 2, *text).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn hostile_profession_names_stay_inside_the_feedback_folder() {
    let input = tempfile::tempdir().unwrap();
    for (i, name) in ["../x", "CON", "a/b:c", "nul.txt", "..", "薬剤師"]
        .iter()
        .enumerate()
    {
        write_sheet(
            &input.path().join(format!("{i}.xlsx")),
            name,
            &[("話者", &format!("意見その{i}について相談したい"))],
        );
    }
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(&[input.path()], out.path(), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let mut names: Vec<String> = std::fs::read_dir(out.path().join("フィードバック"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 6, "{names:?}");
    for n in &names {
        assert!(
            !n.contains('/') && !n.contains('\\') && !n.contains(':') && !n.starts_with(".."),
            "{n}"
        );
        let stem = n.trim_end_matches(".xlsx").to_uppercase();
        assert!(!["CON", "NUL", "NUL.TXT"].contains(&stem.as_str()), "{n}");
    }
    // Nothing escaped the output folder.
    assert!(!out.path().join("x.xlsx").exists() && !out.path().join("x").exists());
    let mut entries: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            "renkei管理",
            "フィードバック",
            "ランキング.xlsx",
            "分類一覧.xlsx"
        ],
        "{entries:?}"
    );
}

#[test]
fn a_60000_row_sheet_and_a_32767_character_remark_survive() {
    use rust_xlsxwriter::Workbook;
    let input = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.write_string(0, 0, "【一次連携】 第1回 薬剤師会との打合せ会")
        .unwrap();
    for (c, h) in ["No", "意見"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let long: String = "長".repeat(32_767);
    for i in 0..60_000u32 {
        ws.write_number(3 + i, 0, f64::from(i + 1)).unwrap();
        if i == 0 {
            ws.write_string(3 + i, 1, &long).unwrap();
        } else {
            ws.write_string(
                3 + i,
                1,
                format!("在宅の患者の情報共有について {i} 番目の意見"),
            )
            .unwrap();
        }
    }
    wb.save(input.path().join("big.xlsx")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(&[input.path()], out.path(), &["--quiet"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("読んだ意見 60000 件 = 書いた意見 60000 件"),
        "{stdout}"
    );
    let book = read_book(&out.path().join("分類一覧.xlsx"));
    let (_, body) = table(rows(&book, "一覧"), "ID");
    let first = body.iter().find(|r| r[5].starts_with('長')).unwrap();
    assert_eq!(first[5].chars().count(), 32_767, "nothing cut");
    for book in workbooks_under(out.path()) {
        assert_rows_in_order(&book);
    }
}
