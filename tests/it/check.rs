//! `renkei check` on the shipped fixtures: every good sheet is read with the
//! right profession, date, round and remarks; junk, duplicates and broken
//! files are listed with their reasons; the exit status follows SPEC §6.

use crate::common::{check_json, file, fixtures, fixtures_copy, renkei, sheet, texts};
use serde_json::Value;

fn good() -> (tempfile::TempDir, Value) {
    let dir = fixtures_copy(&["broken"]);
    let (code, json) = check_json(&[dir.path()]);
    assert_eq!(code, 0, "only good fixtures: exit 0\n{json:#}");
    (dir, json)
}

#[test]
fn list_form_with_title_block_bullets_and_continuations() {
    let (_d, json) = good();
    let s = sheet(&json, "薬剤師_第1回.xlsx", "打合せ会");
    assert_eq!(s["outcome"], "meeting");
    assert_eq!(s["layout"], "list");
    assert_eq!(s["profession"], "薬剤師");
    assert_eq!(s["profession_source"], "TitleCell");
    assert_eq!(s["title"], "【一次連携】 第1回薬剤師会との打合せ会");
    assert_eq!(s["tier"], "一次連携");
    assert_eq!(s["round"], 1);
    assert_eq!(s["date"], "2022-04-01");
    assert_eq!(
        texts(s),
        vec![
            "在宅医療における薬剤師の役割を、家族が認識していない場合が多い",
            "残薬が多い患者さんの情報が薬局に届かない",
            "お薬手帳が複数あり、 飲み合わせの確認ができない",
            "サービス担当者会議に参加したい",
            "退院時カンファレンスに薬局も呼んでほしい。 病院の連携室から声がかかれば行ける",
            "ICTでもっといろいろな情報が見れたらいい",
            "=薬局同士で夜間の輪番を決めたい",
        ]
    );
    let r = &s["remarks"];
    assert_eq!(r[0]["speaker"], "A");
    assert_eq!(r[0]["note"], "患者、家族");
    assert_eq!(r[0]["row_profession"], "薬剤師");
    assert_eq!(r[0]["source"], "薬剤師_第1回.xlsx!打合せ会!D6");
    // The continuation line stays with its bullet, verbatim.
    assert_eq!(
        r[2]["original"],
        "・お薬手帳が複数あり、\n　飲み合わせの確認ができない。"
    );
    assert_eq!(r[2]["source"], "薬剤師_第1回.xlsx!打合せ会!D7");
    // Rows 12 and 13 hold only a number.
    let ignored: Vec<u64> = s["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["row"].as_u64().unwrap())
        .collect();
    assert_eq!(ignored, vec![12, 13]);
    // The instructions sheet has no header; the hidden sheet is not read.
    assert_eq!(
        sheet(&json, "薬剤師_第1回.xlsx", "記入方法")["outcome"],
        "skipped"
    );
    let hidden = sheet(&json, "薬剤師_第1回.xlsx", "非表示メモ");
    assert_eq!(hidden["outcome"], "skipped");
    assert!(hidden["reason"].as_str().unwrap().contains("非表示"));
}

#[test]
fn manual_example_two_with_merged_cells_and_relistings() {
    let (_d, json) = good();
    let s = sheet(&json, "介護支援専門員_例2.xlsx", "例②");
    assert_eq!(s["layout"], "classified");
    assert_eq!(s["profession"], "介護支援専門員");
    assert_eq!(s["date"], "2022-05-20");
    assert_eq!(
        s["listed_categories"],
        serde_json::json!([
            "多職種連携",
            "他職種への職能の周知",
            "情報共有ツール",
            "食べること"
        ])
    );
    let remarks = s["remarks"].as_array().unwrap();
    // 10 + 4 + 2: the three 【再掲】 lines add a category, not a remark.
    assert_eq!(remarks.len(), 16);
    let find = |t: &str| {
        remarks
            .iter()
            .find(|r| r["normalized"] == t)
            .unwrap_or_else(|| panic!("{t}"))
    };
    assert_eq!(
        find("顔の見える連携が弱い")["given_categories"],
        serde_json::json!(["多職種連携"])
    );
    assert_eq!(find("顔の見える連携が弱い")["given_kind"], "課題");
    assert_eq!(
        find("自分たちの情報発信力が弱い")["given_categories"],
        serde_json::json!(["多職種連携", "他職種への職能の周知"])
    );
    assert_eq!(
        find("情報共有不足")["given_categories"],
        serde_json::json!(["多職種連携", "情報共有ツール"])
    );
    assert_eq!(find("合同研修会やりたい")["given_kind"], "アイデア");
    // The merged 順位/カテゴリ cells are inherited by the アイデア row.
    assert_eq!(
        find("市の広報での職能周知")["given_categories"],
        serde_json::json!(["他職種への職能の周知"])
    );
    let reasons: Vec<&str> = s["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| r.starts_with("空の箇条書き"))
            .count(),
        6
    );
    assert_eq!(
        reasons.iter().filter(|r| r.starts_with("【再掲】")).count(),
        3
    );
    assert_eq!(
        reasons
            .iter()
            .filter(|r| r.starts_with("表の下の注記"))
            .count(),
        1
    );
}

#[test]
fn profession_from_file_name_sheet_and_column() {
    let (_d, json) = good();
    let doctor = sheet(&json, "医師_第2回.xlsx", "Sheet1");
    assert_eq!(doctor["profession"], "医師");
    assert_eq!(doctor["profession_source"], "FileName");
    assert_eq!(doctor["round"], 2);
    assert_eq!(doctor["date"], "2022-06-10");
    // Synonym headers in another order; the extra column is kept.
    assert_eq!(doctor["remarks"][0]["speaker"], "佐藤");
    assert_eq!(doctor["remarks"][0]["note"], "ケアマネ");
    assert_eq!(
        doctor["remarks"][0]["extra"],
        serde_json::json!([["対応状況", "未"]])
    );
    assert_eq!(
        doctor["remarks"][2]["normalized"],
        "訪問看護ステーションごとに報告の仕方がまちまち。 必要な情報が拾いにくい"
    );

    let dentist = sheet(&json, "歯科医師_第1回.xlsx", "記録");
    assert_eq!(
        dentist["profession"], "歯科医師",
        "the longest synonym wins over 医師"
    );
    assert_eq!(dentist["round"], 1, "kanji numeral 第一回");
    assert_eq!(dentist["date"], "2023-01-20", "an Excel date cell");
    assert_eq!(
        texts(dentist),
        vec![
            "訪問歯科診療ができることを、ケアマネがあまり知らない",
            "入院すると入れ歯を外されたままになる",
            "退院する頃には合わなくなっている",
            "口腔ケアの大切さを市民に伝える公開講座をやりたい",
        ]
    );
    assert_eq!(
        sheet(&json, "歯科医師_第1回.xlsx", "様式")["outcome"],
        "blank_form"
    );

    let nurse = sheet(&json, "第3回打合せ.xlsx", "打合せ");
    assert_eq!(nurse["profession"], "看護師");
    assert_eq!(nurse["profession_source"], "Column");
    assert_eq!(
        nurse["date"], "2023-10-01",
        "a Japanese built-in date format (numFmtId 31)"
    );
    assert_eq!(
        nurse["remarks"].as_array().unwrap().len(),
        4,
        "the same remark twice is two remarks"
    );
    let ids: Vec<&str> = nurse["remarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids[3],
        format!("{}-2", ids[0]),
        "the repeat gets its own id"
    );

    let hygienist = sheet(&json, "歯科衛生士_例2.xlsx", "分類");
    assert_eq!(hygienist["profession"], "歯科衛生士");
    assert_eq!(hygienist["profession_source"], "Title");
    assert_eq!(hygienist["date"], "2023-09-12");
}

#[test]
fn unknown_profession_and_unreadable_date_are_kept_and_warned() {
    let (_d, json) = good();
    let s = sheet(&json, "鍼灸師会.xlsx", "打合せ");
    assert_eq!(s["profession"], "鍼灸師会");
    assert_eq!(s["profession_source"], "Unrecognized");
    assert_eq!(s["date"], Value::Null);
    let warnings = s["warnings"].to_string();
    assert!(
        warnings.contains("職種の辞書（professions.toml）にありません"),
        "{warnings}"
    );
    assert!(warnings.contains("令和〇年〇月〇日"), "{warnings}");
}

#[test]
fn orphan_relisting_is_a_remark_of_its_own_and_warned() {
    let (_d, json) = good();
    let s = sheet(&json, "歯科衛生士_例2.xlsx", "分類");
    let remarks = s["remarks"].as_array().unwrap();
    let orphan = remarks
        .iter()
        .find(|r| r["normalized"] == "歯科医師との役割分担が曖昧")
        .unwrap();
    assert_eq!(orphan["orphan_relisting"], true);
    assert_eq!(
        orphan["given_categories"],
        serde_json::json!(["人材育成・研修"])
    );
    assert!(s["warnings"].to_string().contains("【再掲】の元になる意見"));
    // Blank 区分 cells inherit within the category; 【再掲】 with an original folds in.
    let eval = remarks
        .iter()
        .find(|r| r["normalized"] == "嚥下の評価ができる人が少ない")
        .unwrap();
    assert_eq!(
        eval["given_categories"],
        serde_json::json!(["食べること", "人材育成・研修"])
    );
    assert_eq!(remarks.len(), 5);
}

#[test]
fn junk_duplicates_and_other_files_are_listed_not_fatal() {
    let (_d, json) = good();
    for name in [
        "~$薬剤師_第1回.xlsx",
        "Thumbs.db",
        "desktop.ini",
        ".DS_Store",
    ] {
        assert_eq!(file(&json, name)["outcome"], "junk", "{name}");
    }
    assert_eq!(file(&json, "メモ.txt")["outcome"], "not_spreadsheet");
    let dup = file(&json, "薬剤師_第1回のコピー.xlsx");
    assert_eq!(dup["outcome"], "duplicate");
    assert_eq!(dup["reason"], "薬剤師_第1回.xlsx");
}

#[test]
fn whole_fixtures_folder_exits_1_because_of_broken_files() {
    let (code, json) = check_json(&[&fixtures()]);
    assert_eq!(code, 1);
    let unreadable: Vec<&Value> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "unreadable")
        .collect();
    assert!(!unreadable.is_empty());
    for f in unreadable {
        assert!(f["path"].as_str().unwrap().starts_with("broken/"), "{f}");
        let reason = f["reason"].as_str().unwrap();
        assert!(
            reason
                .chars()
                .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
            "Japanese reason: {reason}"
        );
    }
}

#[test]
fn text_report_ends_with_totals_and_no_inputs_is_exit_2() {
    let (d, _) = good();
    let out = renkei().arg("check").arg(d.path()).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.lines().last().unwrap().starts_with("合計: "),
        "{stdout}"
    );
    let empty = tempfile::tempdir().unwrap();
    renkei().arg("check").arg(empty.path()).assert().code(2);
    renkei()
        .arg("check")
        .arg(empty.path().join("ない"))
        .assert()
        .code(2);
}

#[test]
fn xls_ods_furigana_and_far_cell_fixtures() {
    let (_d, json) = good();
    let xls = sheet(&json, "看護師_第2回.xls", "訪問看護");
    assert_eq!(xls["layout"], "list");
    assert_eq!(xls["profession"], "看護師");
    assert_eq!(xls["date"], "2023-07-14");
    assert_eq!(xls["round"], 2);
    let t = texts(xls);
    assert_eq!(t.len(), 7, "six rows, one holding two bullets");
    assert_eq!(t[1], "夜間に急変したとき、主治医と連絡が取れないことがある");
    assert_eq!(t[2], "看取りの方針が家族と共有されないまま在宅に戻ってくる");
    assert_eq!(xls["remarks"][1]["note"], "医師、家族");

    // ODS has no merged ranges in calamine: the covered cells read empty and inherit.
    let ods = sheet(&json, "栄養士_例2.ods", "栄養士会");
    assert_eq!(ods["layout"], "classified");
    assert_eq!(ods["profession"], "栄養士");
    assert_eq!(ods["date"], "2022-10-05");
    let remarks = ods["remarks"].as_array().unwrap();
    assert_eq!(remarks.len(), 8);
    let idea = remarks
        .iter()
        .find(|r| r["normalized"] == "訪問栄養指導の制度を医師やケアマネジャーに周知する")
        .unwrap();
    assert_eq!(idea["given_categories"], serde_json::json!(["食べること"]));
    assert_eq!(idea["given_kind"], "アイデア");
    let relisted = remarks
        .iter()
        .find(|r| {
            r["normalized"] == "飲み込む力に合った食事の形(とろみ、きざみ)が家族に伝わっていない"
        })
        .unwrap();
    assert_eq!(
        relisted["given_categories"],
        serde_json::json!(["食べること", "多職種連携"])
    );

    // Excel furigana (phonetic runs) never leak into the text.
    let furigana = sheet(&json, "ケアマネ_ふりがな.xlsx", "ケアマネ連絡会");
    assert_eq!(furigana["profession"], "介護支援専門員");
    assert_eq!(furigana["date"], "2023-02-08");
    assert_eq!(furigana["remarks"][0]["speaker"], "佐藤");
    assert_eq!(
        furigana["remarks"][0]["normalized"],
        "退院前カンファレンスの日程が直前に決まり、参加できないことが多い"
    );
    let all = furigana.to_string();
    for reading in ["サトウ", "スズキ", "タカハシ", "タイイン"] {
        assert!(!all.contains(reading), "reading {reading} leaked");
    }

    // A stray cell at XFD1048576 costs nothing and the meeting is still read.
    let far = sheet(&json, "遠いセル_薬剤師.xlsx", "薬剤師会");
    assert_eq!(far["profession"], "薬剤師");
    assert_eq!(far["remarks"].as_array().unwrap().len(), 3);
    assert_eq!(far["ignored"][0]["row"], 1_048_576);

    // The same as .xls (one cell at IV65536): read compacted, not refused.
    let far = sheet(&json, "遠いセル_薬剤師.xls", "薬剤師会");
    assert_eq!(far["profession"], "薬剤師");
    assert_eq!(far["date"], "2022-06-03");
    assert_eq!(far["remarks"].as_array().unwrap().len(), 3);
    assert_eq!(
        far["remarks"][0]["source"],
        "far-cell/遠いセル_薬剤師.xls!薬剤師会!D6"
    );
    assert_eq!(far["ignored"][0]["row"], 65_536);
    assert_eq!(far["ignored"][0]["text"], "x");
}

#[test]
fn each_broken_fixture_is_skipped_with_its_reason() {
    let (_, json) = check_json(&[&fixtures().join("broken")]);
    for (name, needle) in [
        ("テキストなのに拡張子xlsx.xlsx", "テキスト"),
        ("空のファイル.xlsx", "空"),
        ("途中で切れた.xlsx", "途中で切れて"),
        ("パスワード付き.xlsx", "パスワード"),
        ("HTMLを保存.xls", "HTML"),
        ("zip爆弾.xlsx", "展開すると"),
        ("実体参照爆弾.xlsx", "ENTITY"),
        ("共有文字列数爆弾.xlsx", "文字列の数"),
        ("ods繰り返し爆弾.ods", "繰り返され"),
        ("ods表が閉じていない.ods", "壊れて"),
        ("docxです.xlsx", "Word"),
        ("xls寸法爆弾.xls", "広すぎて"),
    ] {
        let f = file(&json, name);
        assert_eq!(f["outcome"], "unreadable", "{name}");
        let reason = f["reason"].as_str().unwrap();
        assert!(reason.contains(needle), "{name}: {reason}");
    }
}
