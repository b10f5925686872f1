//! The model learns from the office (SPEC §3): a category staff use in
//! their 例② sheets, and a correction staff typed, reach remarks of 例①
//! sheets that say the same thing, and 分類一覧 says where each label came
//! from.

use crate::common::{
    col, list_table, resave_classified, run, write_classified_meeting, write_meeting, Cellv,
};

#[test]
fn a_category_only_the_office_uses_is_learned_from_its_sheets() {
    let root = tempfile::tempdir().unwrap();
    let input = root.path().join("入力");
    write_classified_meeting(
        &input.join("ケアマネ_例2.xlsx"),
        "介護支援専門員",
        1,
        "令和6年5月20日",
        &[
            (
                "経済的な負担",
                "課題",
                &[
                    "年金暮らしで介護サービスを増やせない利用者が多い",
                    "医療費の自己負担が重くて受診を控える人がいる",
                    "生活保護の手続き中で必要なサービスが入れられない",
                    "お金の心配から訪問看護を断られることがある",
                    "介護用品の費用が家計を圧迫している",
                ],
            ),
            ("多職種連携", "課題", &["顔の見える関係が弱い"]),
        ],
    );
    write_meeting(
        &input.join("看護師.xlsx"),
        "看護師",
        1,
        "令和6年6月3日",
        &[
            "自己負担の費用が払えず受診をやめた方がいる",
            "お金の心配で訪問診療を断る家族がいる",
            "訪問の日程調整に時間がかかる",
        ],
    );
    let out = root.path().join("出力");
    let (code, stdout, stderr) = run(&[&input], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (header, body) = list_table(&out.join("分類一覧.xlsx"));
    let c = |n: &str| col(&header, n);
    let categories = |text: &str| {
        body.iter()
            .find(|r| r[c("意見(正規化)")] == text)
            .unwrap_or_else(|| panic!("{text}"))[c("カテゴリ")]
        .clone()
    };
    for text in [
        "自己負担の費用が払えず受診をやめた方がいる",
        "お金の心配で訪問診療を断る家族がいる",
    ] {
        assert!(
            categories(text).contains("経済的な負担"),
            "{text}: {}",
            categories(text)
        );
    }
    assert!(!categories("訪問の日程調整に時間がかかる").contains("経済的な負担"));
    // 分類一覧 says the label came from the model.
    let row = body
        .iter()
        .find(|r| r[c("意見(正規化)")] == "自己負担の費用が払えず受診をやめた方がいる")
        .unwrap();
    assert!(
        row[c("分類の根拠")].contains("経済的な負担=学習"),
        "{row:?}"
    );
}

#[test]
fn a_corrected_wording_said_again_gets_the_corrected_label() {
    let root = tempfile::tempdir().unwrap();
    let april = root.path().join("4月");
    write_meeting(
        &april.join("薬剤師.xlsx"),
        "薬剤師",
        1,
        "令和6年4月10日",
        &["お薬カレンダーのセットを誰がやるか毎回もめる"],
    );
    let out = root.path().join("出力");
    assert_eq!(run(&[&april], &out, &[]).0, 0);
    resave_classified(&out.join("分類一覧.xlsx"), |header, rows| {
        let h = header.clone();
        let c = |n: &str| h.iter().position(|x| x == n).unwrap();
        for row in rows.iter_mut() {
            row[c("カテゴリ(修正)")] = Cellv::Text("服薬・薬剤、地域の体制・役割分担".into());
            row[c("所在(修正)")] = Cellv::Text("地域全体".into());
        }
    });
    // The same words at June's meeting, in another file.
    let june = root.path().join("6月");
    write_meeting(
        &june.join("薬剤師会.xlsx"),
        "薬剤師",
        2,
        "令和6年6月5日",
        &["お薬カレンダーのセットを誰がやるか毎回もめる。"],
    );
    let (code, stdout, stderr) = run(&[&june], &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (header, body) = list_table(&out.join("分類一覧.xlsx"));
    let c = |n: &str| col(&header, n);
    let row = &body[0];
    assert_eq!(row[c("カテゴリ")], "服薬・薬剤、地域の体制・役割分担");
    assert_eq!(row[c("所在")], "地域全体");
    assert!(row[c("分類の根拠")].contains("同じ文の修正"), "{row:?}");
    assert_eq!(row[c("カテゴリ(修正)")], "", "nobody typed here");
}
