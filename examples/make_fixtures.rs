//! Writes the sample hearing sheets in `fixtures/` (the xlsx ones; the .xls,
//! .ods, furigana and broken files are made by `tools/fixtures/`).
//!
//!     cargo run --example make_fixtures
//!
//! Each workbook is described where it is built. Document properties are
//! pinned so the files come out the same on every run.

use std::path::Path;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

type Result<T> = std::result::Result<T, XlsxError>;

fn props() -> DocProperties {
    let t = ExcelDateTime::from_ymd(2024, 4, 1).expect("valid date");
    DocProperties::new()
        .set_creation_datetime(&t)
        .set_author("renkei fixtures")
}

fn save(mut wb: Workbook, path: &Path) -> Result<()> {
    wb.set_properties(&props());
    std::fs::create_dir_all(path.parent().expect("has parent")).expect("create folder");
    wb.save(path)
}

fn bold() -> Format {
    Format::new().set_bold().set_border(FormatBorder::Thin)
}

fn wrap() -> Format {
    Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top)
}

/// Writes a 例① header at `row` and the rows under it: (No, 職種, 発言者, 意見, 備考).
fn list_table(ws: &mut Worksheet, row: u32, header: &[&str], rows: &[&[&str]]) -> Result<()> {
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &bold())?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            if v.is_empty() {
                ws.write_blank(row + 1 + i as u32, c as u16, &wrap())?;
            } else if let Ok(n) = v.parse::<f64>() {
                ws.write_number_with_format(row + 1 + i as u32, c as u16, n, &wrap())?;
            } else {
                ws.write_string_with_format(row + 1 + i as u32, c as u16, *v, &wrap())?;
            }
        }
    }
    ws.set_column_width(3, 60)?;
    ws.set_column_width(4, 24)?;
    Ok(())
}

/// 薬剤師_第1回.xlsx — the manual's 例① form as a city office fills it in.
///
/// ```text
///   | A      | B        | C      | D                                   | E
/// 1 | 職種名 | 薬剤師会 |        |                                     |
/// 2 | 【一次連携】 第1回薬剤師会との打合せ会                             |
/// 3 | 令和4年4月1日(金)                                                  |
/// 5 | No     | 職種     | 発言者 | 意 見                               | 備考
/// 6 | 1      | 薬剤師   | A      | 在宅医療における薬剤師の役割を…     | 患者、家族
/// 7 | 2      | 薬剤師   | B      | ・残薬…\n・お薬手帳…\n  (continued)  | ケアマネジャー
/// ...
/// 12| 7      |          |        |                                     |   ← number only: ignored
/// ```
/// Plus a sheet 記入方法 (no header: skipped) and a hidden sheet (skipped).
fn pharmacist(dir: &Path) -> Result<()> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("打合せ会")?;
    ws.write_string(0, 0, "職種名")?;
    ws.write_string(0, 1, "薬剤師会")?;
    ws.write_string(1, 0, "【一次連携】 第1回薬剤師会との打合せ会")?;
    ws.write_string(2, 0, "令和4年4月1日(金)")?;
    list_table(
        ws,
        4,
        &["No", "職種", "発言者", "意 見", "備考"],
        &[
            &["1", "薬剤師", "A", "在宅医療における薬剤師の役割を、家族が認識していない場合が多い。", "患者、家族"],
            &["2", "薬剤師", "B", "・残薬が多い患者さんの情報が薬局に届かない。\n・お薬手帳が複数あり、\n　飲み合わせの確認ができない。", "ケアマネジャー"],
            &["3", "薬剤師", "C", "サービス担当者会議に参加したい。", "病院、ケアマネジャー"],
            &["4", "薬剤師", "A", "退院時カンファレンスに薬局も呼んでほしい。\n病院の連携室から声がかかれば行ける。", "病院連携室"],
            &["5", "薬剤師", "D", "ICTでもっといろいろな情報が見れたらいい。", "ICT運営協議会"],
            &["6", "薬剤師", "B", "=薬局同士で夜間の輪番を決めたい", ""],
            &["7", "", "", "", ""],
            &["8", "", "", "", ""],
        ],
    )?;
    let help = wb.add_worksheet().set_name("記入方法")?;
    help.write_string(
        0,
        0,
        "このシートの使い方：一次連携で出た意見を1行に1つ書きます。",
    )?;
    help.write_string(
        1,
        0,
        "備考には「誰と/どの職種と繋げればこの課題は解決するか」など関連するキーワードを書きます。",
    )?;
    let hidden = wb.add_worksheet().set_name("非表示メモ")?;
    hidden.write_string(0, 0, "No")?;
    hidden.write_string(0, 1, "意見")?;
    hidden.write_string(1, 1, "この意見は非表示シートにあるので読まれない")?;
    hidden.set_hidden(true);
    save(wb, &dir.join("薬剤師_第1回.xlsx"))
}

/// 介護支援専門員_例2.xlsx — the manual's 例② table, remark for remark.
///
/// 順位 and カテゴリ are merged over the 課題 and アイデア rows; 【再掲】 lines
/// re-list remarks of 多職種連携; 食べること holds only empty bullets; a note
/// row sits under the table after a blank row.
fn care_manager_ranked(dir: &Path) -> Result<()> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("例②")?;
    ws.write_string(0, 0, "職種名：ケアマネジャー")?;
    ws.write_string(1, 0, "【一次連携】 第1回ケアマネ連絡会との打合せ会")?;
    ws.write_string(2, 0, "令和4年5月20日(金)")?;
    for (c, h) in ["順位", "カテゴリ", "課題/アイデア", "意 見"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(4, c as u16, *h, &bold())?;
    }
    let blocks: &[(&str, &str, &str, &str)] = &[
        (
            "1",
            "多職種連携",
            "・顔の見える連携が弱い\n・誰に連絡してよいかわからない\n・情報共有不足\n・自分たちの情報発信力が弱い\n・自分たちの職能をアピールできる場が少ない\n・〇〇(特定の職種)に関する知識が少ない\n・医療職と介護関係職では、集まりやすい時間が異なる\n・\n・",
            "・飲み会の開催\n・〇〇(特定の職種)と話し合う\n・合同研修会やりたい",
        ),
        (
            "2",
            "他職種への職能の周知",
            "・自信をもってアピールできない\n・自分たちの情報発信力が弱い【再掲】\n・自分たちの職能をアピールできる場が少ない【再掲】",
            "・自分たちのスキルを高める\n・市の広報での職能周知\n・チームかまいしで二次連携を企画してもらう",
        ),
        (
            "3",
            "情報共有ツール",
            "・地域の情報共有ツールが周知されていない\n・情報共有不足【再掲】",
            "・情報共有ツール活用のための研修会",
        ),
        ("4", "食べること", "・\n・", "・\n・"),
    ];
    let merged = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let mut row = 5;
    for (rank, cat, issues, ideas) in blocks {
        ws.merge_range(row, 0, row + 1, 0, rank, &merged)?;
        ws.merge_range(row, 1, row + 1, 1, cat, &merged)?;
        ws.write_string_with_format(row, 2, "課題", &wrap())?;
        ws.write_string_with_format(row, 3, *issues, &wrap())?;
        ws.write_string_with_format(row + 1, 2, "アイデア", &wrap())?;
        ws.write_string_with_format(row + 1, 3, *ideas, &wrap())?;
        row += 2;
    }
    ws.merge_range(
        row + 1,
        0,
        row + 1,
        3,
        "・意見の多い順に順位をつける ・一つの意見が複数の項目に分類される場合には、その項目ごとに記載し、それぞれカウントする。",
        &Format::new(),
    )?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 14)?;
    ws.set_column_width(3, 60)?;
    save(wb, &dir.join("介護支援専門員_例2.xlsx"))
}

/// 医師_第2回.xlsx — profession only in the file name (title names none, the
/// sheet is `Sheet1`, no 職種 column); header synonyms in another order with
/// an extra column; date written `R4.6.10`; 全角 round 第２回.
fn doctor_by_file_name(dir: &Path) -> Result<()> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "【一次連携】第２回 在宅医療に関する打合せ会")?;
    ws.write_string(1, 0, "日時：R4.6.10 19:00～")?;
    list_table(
        ws,
        3,
        &["番号", "ご意見", "氏名", "キーワード", "対応状況"],
        &[
            &[
                "1",
                "担当ケアマネの顔と名前が一致しない。",
                "佐藤",
                "ケアマネ",
                "未",
            ],
            &[
                "2",
                "夜間の急変時に後方支援してくれる病院がはっきりしない",
                "鈴木",
                "病院",
                "検討中",
            ],
            &[
                "3",
                "訪問看護ステーションごとに報告の仕方がまちまち。\n必要な情報が拾いにくい。",
                "佐藤",
                "訪看",
                "",
            ],
            &[
                "4",
                "+ケアマネからの連絡はFAXでもらえると助かる",
                "高橋",
                "",
                "",
            ],
        ],
    )?;
    save(wb, &dir.join("医師_第2回.xlsx"))
}

/// 歯科医師_第1回.xlsx — file name source again, where the longest synonym
/// must win (歯科医師, never 医師); title with kanji round 第一回 and the date
/// as a real Excel date cell formatted `yyyy年m月d日`; a second sheet is a
/// blank 例① form (header, no remark, no title data).
fn dentist(dir: &Path) -> Result<()> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("記録")?;
    ws.write_string(0, 0, "第一回 打合せ会")?;
    let date = ExcelDateTime::from_ymd(2023, 1, 20)?;
    ws.write_datetime_with_format(
        1,
        0,
        &date,
        &Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\""),
    )?;
    list_table(
        ws,
        3,
        &["No", "発言者", "意見", "備考"],
        &[
            &[
                "1",
                "A",
                "訪問歯科診療ができることを、ケアマネがあまり知らない。",
                "ケアマネジャー",
            ],
            &[
                "2",
                "B",
                "① 入院すると入れ歯を外されたままになる。\n② 退院する頃には合わなくなっている。",
                "病院",
            ],
            &[
                "3",
                "C",
                "口腔ケアの大切さを市民に伝える公開講座をやりたい。",
                "住民",
            ],
        ],
    )?;
    let blank = wb.add_worksheet().set_name("様式")?;
    blank.write_string(0, 0, "【一次連携】 第　回　　　　との打合せ会")?;
    blank.write_string(1, 0, "令和　年　月　日（　）")?;
    list_table(
        blank,
        3,
        &["No", "職種", "発言者", "意 見", "備考"],
        &[&["1", "", "", "", ""], &["2", "", "", "", ""]],
    )?;
    save(wb, &dir.join("歯科医師_第1回.xlsx"))
}

/// 第3回打合せ.xlsx — the profession comes from the 職種 column (most common
/// value); date in a Japanese built-in date format (numFmtId 31), which some
/// readers see as a plain serial number; 平成/元年 not involved.
fn nurse_by_column(dir: &Path) -> Result<()> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("打合せ")?;
    ws.write_string(0, 0, "【一次連携】 第3回 打合せ会")?;
    ws.write_number_with_format(1, 0, 45_200.0, &Format::new().set_num_format_index(31))?;
    list_table(
        ws,
        3,
        &["No", "職種", "発言者", "意見", "備考"],
        &[
            &[
                "1",
                "看護師",
                "A",
                "病院は、在宅の準備が整う前に退院日を決めてしまう。",
                "病院",
            ],
            &[
                "2",
                "看護師",
                "B",
                "退院前カンファレンスに訪問看護が呼ばれないことがある。",
                "病院連携室",
            ],
            &[
                "3",
                "訪問看護師",
                "C",
                "夜間に主治医とつながらず、急変時の判断を看護師だけでしなければならない。",
                "医師",
            ],
            &[
                "4",
                "看護師",
                "A",
                "病院は、在宅の準備が整う前に退院日を決めてしまう。",
                "病院",
            ],
        ],
    )?;
    save(wb, &dir.join("第3回打合せ.xlsx"))
}

/// 鍼灸師会.xlsx — a profession the lexicon does not know: kept as written
/// and warned; the date cannot be read (warned, blank).
fn unknown_profession(dir: &Path) -> Result<()> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("打合せ")?;
    ws.write_string(0, 0, "職種名")?;
    ws.write_string(0, 1, "鍼灸師会")?;
    ws.write_string(1, 0, "令和〇年〇月〇日")?;
    list_table(
        ws,
        3,
        &["No", "発言者", "意見", "備考"],
        &[&[
            "1",
            "A",
            "訪問での施術について、ケアマネに相談できる窓口がほしい。",
            "ケアマネ",
        ]],
    )?;
    save(wb, &dir.join("鍼灸師会.xlsx"))
}

/// 歯科衛生士_例2.xlsx — 例② without merged cells (blank cells inherit), the
/// kind written per row, and a 【再掲】 line with no original in the sheet.
fn hygienist_ranked(dir: &Path) -> Result<()> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("分類")?;
    ws.write_string(0, 0, "【一次連携】 第2回 歯科衛生士との打合せ会")?;
    ws.write_string(1, 0, "2023年9月12日")?;
    let rows: &[[&str; 4]] = &[
        ["順位", "カテゴリー", "区分", "意見"],
        ["1", "食べること", "課題", "・施設での口腔ケアが介護職任せになっている\n・嚥下の評価ができる人が少ない"],
        ["", "", "アイデア", "・介護職員向けに口腔ケアの実技研修をしたい"],
        ["2", "人材育成・研修", "課題", "・訪問の研修を受ける機会が少ない\n・嚥下の評価ができる人が少ない【再掲】\n・歯科医師との役割分担が曖昧【再掲】"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(3 + r as u32, c as u16, *v)?;
            }
        }
    }
    save(wb, &dir.join("歯科衛生士_例2.xlsx"))
}

fn junk(dir: &Path) {
    let junk = dir.join("junk");
    std::fs::create_dir_all(&junk).expect("create junk folder");
    // An Excel owner file: 165 bytes naming who has the workbook open.
    let mut owner = vec![6u8];
    owner.extend_from_slice("tanaka".as_bytes());
    owner.resize(165, 0x20);
    std::fs::write(junk.join("~$薬剤師_第1回.xlsx"), owner).expect("write");
    std::fs::write(junk.join("Thumbs.db"), [0u8; 64]).expect("write");
    std::fs::write(junk.join("desktop.ini"), "[.ShellClassInfo]\r\n").expect("write");
    std::fs::write(junk.join(".DS_Store"), [0u8; 32]).expect("write");
    std::fs::write(junk.join("メモ.txt"), "来月は栄養士会と打合せ予定。\n").expect("write");
}

fn main() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    pharmacist(&dir)?;
    care_manager_ranked(&dir)?;
    doctor_by_file_name(&dir)?;
    dentist(&dir)?;
    nurse_by_column(&dir)?;
    unknown_profession(&dir)?;
    hygienist_ranked(&dir)?;
    junk(&dir);
    // The same file twice: the copy sorts after the original and is listed as a duplicate.
    let copy = dir.join("複製");
    std::fs::create_dir_all(&copy).expect("create folder");
    std::fs::copy(
        dir.join("薬剤師_第1回.xlsx"),
        copy.join("薬剤師_第1回のコピー.xlsx"),
    )
    .expect("copy");
    println!("fixtures written to {}", dir.display());
    Ok(())
}
