//! Render tests: the workbooks are read back with calamine and compared by
//! cell value, never by bytes.
//!
//! The fixture is a small run of two professions:
//!
//! ```text
//! meeting 0  薬剤師 第1回 2022-04-01   薬剤師会/第1回.xlsx!Sheet1
//! meeting 1  薬剤師 第2回 2022-06-01   薬剤師会/第2回.xlsx!Sheet1
//! meeting 2  介護支援専門員 第1回      ケアマネ.xlsx!打合せ
//!
//! remark  meeting  text                              speaker  labels
//! 0       0        顔の見える連携が弱い              山田     多職種連携 / 課題 / 職種内
//! 1       1        顔の見える連携が弱い              佐藤     多職種連携 / 課題 / 職種内
//! 2       0        情報共有不足                       山田     多職種連携、情報共有ツール / 課題 / 職種間 → 看護師
//! 3       0        =SUM(A1)                           -        その他 / 課題 / 職種内
//! 4       1        +81 と -1 と @mention              -        その他 / アイデア / 地域全体
//! 5       2        薬剤師との連携がケアマネ秘密の話   鈴木     多職種連携 / 課題 / 職種間 → 薬剤師
//! 6       2        合同研修会をやりたい               -        人材育成・研修 / アイデア / 職種間 → 薬剤師
//! ```

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use chrono::NaiveDate;

use super::*;
use crate::aggregate::{aggregate, Settings, DEFAULT_THRESHOLD};
use crate::ledger::apply::Applied;

/// Compiled once (slow in debug); the renderers only read rule names.
static RULES: std::sync::LazyLock<crate::rules::Rules> =
    std::sync::LazyLock::new(crate::rules::Rules::builtin);
use crate::model::{
    FileOutcome, FileReport, Ignored, Kind, Layout, Location, Meeting, ProfessionSource, Remark,
    SheetOutcome, SheetReport, SourceRef,
};

// ---------------------------------------------------------------- fixture

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn meeting(
    index: usize,
    profession: &str,
    file: &str,
    sheet: &str,
    round: u32,
    date: Option<NaiveDate>,
) -> Meeting {
    Meeting {
        index,
        file: file.into(),
        sheet: sheet.into(),
        layout: Layout::List,
        profession: profession.into(),
        profession_source: ProfessionSource::Title,
        title: Some(format!("【一次連携】第{round}回{profession}との打合せ会")),
        tier: Some(crate::model::Tier::Primary),
        round: Some(round),
        date,
        listed_categories: Vec::new(),
    }
}

fn remark(batch: &Batch, id: usize, meeting: usize, text: &str, speaker: Option<&str>) -> Remark {
    let m = &batch.meetings[meeting];
    Remark {
        id: format!("R{id:04}"),
        meeting,
        original: text.into(),
        normalized: text.into(),
        match_key: text.chars().filter(|c| !c.is_whitespace()).collect(),
        speaker: speaker.map(Into::into),
        row_profession: None,
        note: None,
        source: SourceRef {
            file: m.file.clone(),
            sheet: m.sheet.clone(),
            row: 5 + id as u32,
            col: "D".into(),
        },
        orphan_relisting: false,
        given_categories: Vec::new(),
        given_kind: None,
        extra: Vec::new(),
    }
}

fn labels(categories: &[&str], kind: Kind, location: Location, related: &[&str]) -> Labels {
    Labels {
        categories: strings(categories),
        kind,
        location,
        related: strings(related),
    }
}

fn rule_categories() -> Vec<String> {
    strings(&[
        "多職種連携",
        "他職種への職能の周知",
        "情報共有ツール",
        "人材育成・研修",
        "その他",
    ])
}

fn lexicon() -> Vec<String> {
    strings(&["医師", "薬剤師", "看護師", "介護支援専門員"])
}

/// Everything a [`Context`] borrows.
struct Fixture {
    batch: Batch,
    labels: Vec<Labels>,
    agg: Aggregate,
    ledger: Applied,
    categories: Vec<String>,
}

impl Fixture {
    fn new(batch: Batch, labels: Vec<Labels>) -> Fixture {
        Fixture::with_threshold(batch, labels, DEFAULT_THRESHOLD)
    }

    /// `threshold` 0 turns near-duplicate grouping off.
    fn with_threshold(batch: Batch, labels: Vec<Labels>, threshold: f64) -> Fixture {
        let categories = rule_categories();
        let professions = lexicon();
        let agg = aggregate(
            &batch,
            &labels,
            &Settings {
                category_order: &categories,
                professions: &professions,
                threshold,
            },
        );
        let ledger = Applied {
            per_remark: vec![Correction::default(); batch.remarks.len()],
            ..Applied::default()
        };
        Fixture {
            batch,
            labels,
            agg,
            ledger,
            categories,
        }
    }

    fn ctx(&self, keep_speakers: bool) -> Context<'_> {
        Context {
            batch: &self.batch,
            labels: &self.labels,
            sources: &[],
            rules: &RULES,
            agg: &self.agg,
            ledger: &self.ledger,
            category_names: &self.categories,
            keep_speakers,
        }
    }
}

fn sheet_report(name: &str, outcome: SheetOutcome, remarks: usize) -> SheetReport {
    SheetReport {
        name: name.into(),
        outcome,
        layout: Some(Layout::List),
        remarks,
        ignored: Vec::new(),
        warnings: Vec::new(),
    }
}

/// The run drawn in the module doc.
fn two_professions() -> Fixture {
    let d = |m, d| NaiveDate::from_ymd_opt(2022, m, d);
    let mut batch = Batch {
        meetings: vec![
            meeting(0, "薬剤師", "薬剤師会/第1回.xlsx", "Sheet1", 1, d(4, 1)),
            meeting(1, "薬剤師", "薬剤師会/第2回.xlsx", "Sheet1", 2, d(6, 1)),
            meeting(2, "介護支援専門員", "ケアマネ.xlsx", "打合せ", 1, None),
        ],
        ..Batch::default()
    };
    let rows: [(usize, &str, Option<&str>); 7] = [
        (0, "顔の見える連携が弱い", Some("山田")),
        (1, "顔の見える連携が弱い", Some("佐藤")),
        (0, "情報共有不足", Some("山田")),
        (0, "=SUM(A1)", None),
        (1, "+81 と -1 と @mention", None),
        (2, "薬剤師との連携がケアマネ秘密の話", Some("鈴木")),
        (2, "合同研修会をやりたい", None),
    ];
    let remarks: Vec<Remark> = rows
        .iter()
        .enumerate()
        .map(|(i, (m, text, speaker))| remark(&batch, i, *m, text, *speaker))
        .collect();
    batch.remarks = remarks;
    let mut first = sheet_report("Sheet1", SheetOutcome::Meeting(0), 3);
    first.ignored.push(Ignored {
        row: 20,
        text: "合計".into(),
        reason: "合計の行".into(),
        kind: crate::model::IgnoredKind::EmptyOpinion,
    });
    first.warnings.push("日付が読めません".into());
    batch.files = vec![
        FileReport {
            path: "薬剤師会/第1回.xlsx".into(),
            outcome: FileOutcome::Read,
            sheets: vec![
                first,
                sheet_report(
                    "メモ",
                    SheetOutcome::Skipped("見出しがありません".into()),
                    0,
                ),
            ],
        },
        FileReport {
            path: "薬剤師会/第2回.xlsx".into(),
            outcome: FileOutcome::Read,
            sheets: vec![sheet_report("Sheet1", SheetOutcome::Meeting(1), 2)],
        },
        FileReport {
            path: "ケアマネ.xlsx".into(),
            outcome: FileOutcome::Read,
            sheets: vec![
                sheet_report("打合せ", SheetOutcome::Meeting(2), 2),
                sheet_report("様式", SheetOutcome::BlankForm, 0),
            ],
        },
        FileReport {
            path: "~$ケアマネ.xlsx".into(),
            outcome: FileOutcome::Junk,
            sheets: Vec::new(),
        },
        FileReport {
            path: "壊れた.xlsx".into(),
            outcome: FileOutcome::Unreadable("ファイルが壊れています".into()),
            sheets: Vec::new(),
        },
    ];
    let labels = vec![
        labels(
            &["多職種連携"],
            Kind::Issue,
            Location::WithinProfession,
            &[],
        ),
        labels(
            &["多職種連携"],
            Kind::Issue,
            Location::WithinProfession,
            &[],
        ),
        labels(
            &["多職種連携", "情報共有ツール"],
            Kind::Issue,
            Location::BetweenProfessions,
            &["看護師"],
        ),
        labels(&["その他"], Kind::Issue, Location::WithinProfession, &[]),
        labels(&["その他"], Kind::Idea, Location::RegionWide, &[]),
        labels(
            &["多職種連携"],
            Kind::Issue,
            Location::BetweenProfessions,
            &["薬剤師"],
        ),
        labels(
            &["人材育成・研修"],
            Kind::Idea,
            Location::BetweenProfessions,
            &["薬剤師"],
        ),
    ];
    Fixture::new(batch, labels)
}

// ---------------------------------------------------------------- reading back

/// A sheet as text, by absolute position: `grid[row][col]`.
fn read_sheet(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open workbook");
    let range = wb.worksheet_range(sheet).expect("sheet");
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let (r1, c1) = range.end().unwrap_or((0, 0));
    let mut grid = vec![vec![String::new(); c1 as usize + 1]; r1 as usize + 1];
    for r in r0..=r1 {
        for c in c0..=c1 {
            let text = match range.get_value((r, c)) {
                Some(Data::String(s)) => s.clone(),
                Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
                Some(Data::Empty) | None => String::new(),
                Some(Data::DateTime(d)) => d
                    .as_datetime()
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                Some(other) => other.to_string(),
            };
            grid[r as usize][c as usize] = text;
        }
    }
    grid
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).expect("open workbook");
    wb.sheet_names()
}

/// Every cell text of every sheet.
fn all_text(path: &Path) -> Vec<String> {
    sheet_names(path)
        .iter()
        .flat_map(|s| read_sheet(path, s).into_iter().flatten())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Every XML part of the package, for what calamine does not show.
fn package_text(path: &Path) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let mut text = String::new();
        if part.read_to_string(&mut text).is_ok() {
            all.push_str(&part.name().unwrap_or_default());
            all.push('\n');
            all.push_str(&text);
        }
    }
    all
}

/// The row of a remark sheet (`一覧`, `カテゴリ行列` …) whose ID is `id`.
fn by_id<'g>(grid: &'g [Vec<String>], id: &str) -> &'g [String] {
    grid.iter()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

/// The remarks of [`two_professions`] as its remark sheets list them: by
/// meeting date (4/1, 6/1, then the undated one), as read within one.
const TWO_PROFESSIONS_ORDER: [usize; 7] = [0, 2, 3, 1, 4, 5, 6];

fn column(grid: &[Vec<String>], header_row: usize, name: &str) -> usize {
    grid[header_row]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

// ---------------------------------------------------------------- 分類一覧

#[test]
fn classified_has_exact_headers_and_one_row_per_remark() {
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CLASSIFIED_FILE);
    write_classified(&fx.ctx(false), &path).unwrap();

    assert_eq!(
        sheet_names(&path),
        strings(&[
            "一覧",
            "職種内",
            "職種間",
            "地域全体",
            "集計",
            "カテゴリ行列",
            "二次連携候補",
            "会議一覧",
            "取込結果",
            "修正履歴",
            "選択肢"
        ])
    );
    let grid = read_sheet(&path, "一覧");
    assert_eq!(grid[0], strings(&CLASSIFIED_COLUMNS));
    assert_eq!(grid[0][..18], strings(&CLASSIFIED_HEADERS)[..]);
    assert_eq!(grid.len(), 1 + fx.batch.remarks.len());
    for (row, &i) in grid[1..].iter().zip(&TWO_PROFESSIONS_ORDER) {
        let r = &fx.batch.remarks[i];
        assert_eq!(row[0], r.id, "in meeting date order");
        assert_eq!(row[5], r.original);
        assert_eq!(row[14], r.source.display());
    }
    // Joined labels, 連携の場, dates, the duplicate group and 再掲.
    let ids: Vec<&str> = fx.batch.remarks.iter().map(|r| r.id.as_str()).collect();
    let info = by_id(&grid, ids[2]);
    assert_eq!(info[1], "薬剤師 第1回 (2022-04-01)");
    assert_eq!(info[2], "2022-04-01");
    assert_eq!(info[4], "山田");
    assert_eq!(info[7], "多職種連携、情報共有ツール");
    assert_eq!(info[9], "職種間");
    assert_eq!(info[10], "二次連携");
    assert_eq!(info[11], "看護師");
    assert_eq!(info[13], "情報共有ツール");
    assert_eq!(info[14], "薬剤師会/第1回.xlsx!Sheet1!7");
    assert_eq!(
        by_id(&grid, ids[0])[12],
        by_id(&grid, ids[1])[12],
        "same opinion, same group"
    );
    assert_eq!(grid[7][2], "", "a meeting without date");

    // Location sheets: the compact columns, their remarks only.
    for (sheet, loc) in ["職種内", "職種間", "地域全体"].iter().zip(Location::ALL) {
        let g = read_sheet(&path, sheet);
        assert_eq!(
            g[0],
            strings(&[
                "ID",
                "会議",
                "職種",
                "意見(原文)",
                "カテゴリ",
                "課題/アイデア",
                "関係職種"
            ])
        );
        let ids: Vec<&str> = g[1..].iter().map(|r| r[0].as_str()).collect();
        let want: Vec<&str> = TWO_PROFESSIONS_ORDER
            .iter()
            .filter(|&&i| fx.labels[i].location == loc)
            .map(|&i| fx.batch.remarks[i].id.as_str())
            .collect();
        assert_eq!(ids, want, "{sheet}");
    }
}

#[test]
fn a_remark_over_the_cell_limit_continues_on_the_next_row() {
    let mut fx = two_professions();
    let long = format!("{}\n{}", "長".repeat(20_000), "い".repeat(40_000));
    fx.batch.remarks[2].original = long.clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CLASSIFIED_FILE);
    write_classified(&fx.ctx(false), &path).unwrap();
    let grid = read_sheet(&path, "一覧");
    // Remark 2 (the second row) takes rows 2..=4: the first line, then the
    // second line cut in two.
    assert_eq!(grid.len(), 1 + fx.batch.remarks.len() + 2);
    let id = &fx.batch.remarks[2].id;
    assert_eq!([&grid[2][0], &grid[3][0], &grid[4][0]], [id, id, id]);
    assert_eq!(grid[2][5], "長".repeat(20_000));
    assert!(grid[4][5].starts_with(style::CONTINUED));
    assert_eq!(grid[3][1], "", "only the ID and the long text continue");
    let rebuilt = format!(
        "{}\n{}{}",
        grid[2][5],
        grid[3][5],
        grid[4][5].replace(style::CONTINUED, "")
    );
    assert_eq!(rebuilt, long);
    assert_eq!(grid[5][0], fx.batch.remarks[3].id);
}

#[test]
fn formula_like_remarks_stay_text() {
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CLASSIFIED_FILE);
    write_classified(&fx.ctx(false), &path).unwrap();
    let grid = read_sheet(&path, "一覧");
    let ids: Vec<&str> = fx.batch.remarks.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(by_id(&grid, ids[3])[5], "=SUM(A1)");
    assert_eq!(by_id(&grid, ids[4])[5], "+81 と -1 と @mention");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let formulas = wb.worksheet_formula("一覧").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula anywhere"
    );
    assert!(!package_text(&path).contains("<f>"), "no formula element");

    let ranking = dir.path().join(RANKING_FILE);
    write_ranking(&fx.ctx(false), &ranking).unwrap();
    assert!(all_text(&ranking).iter().any(|t| t.contains("・=SUM(A1)")));
}

#[test]
fn corrections_are_written_back_with_dropdowns() {
    let mut fx = two_professions();
    fx.ledger.per_remark[2] = Correction {
        category: "情報共有ツール、その他".into(),
        kind: "アイデア".into(),
        location: "地域全体".into(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CLASSIFIED_FILE);
    write_classified(&fx.ctx(false), &path).unwrap();
    let grid = read_sheet(&path, "一覧");
    assert_eq!(
        by_id(&grid, &fx.batch.remarks[2].id)[15..18],
        strings(&["情報共有ツール、その他", "アイデア", "地域全体"])
    );
    assert_eq!(by_id(&grid, &fx.batch.remarks[0].id)[15], "");

    let xml = package_text(&path);
    assert!(
        xml.contains("<dataValidations count=\"3\">"),
        "three dropdowns"
    );
    assert!(
        xml.contains("errorStyle=\"information\""),
        "free text allowed for カテゴリ"
    );
    let choices = read_sheet(&path, "選択肢");
    let cats: Vec<&str> = choices[1..]
        .iter()
        .map(|r| r[0].as_str())
        .take_while(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cats,
        [
            "多職種連携",
            "他職種への職能の周知",
            "情報共有ツール",
            "人材育成・研修",
            "その他"
        ]
    );
}

#[test]
fn summary_sheets_copy_the_aggregate() {
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CLASSIFIED_FILE);
    write_classified(&fx.ctx(false), &path).unwrap();

    let cross = read_sheet(&path, "集計");
    assert_eq!(
        cross[0],
        strings(&["カテゴリ", "薬剤師", "介護支援専門員", "合計"])
    );
    assert_eq!(cross[1], strings(&["多職種連携", "3", "1", "4"]));
    let distinct = cross.iter().find(|r| r[0] == "意見数（重複なし）").unwrap();
    assert_eq!(distinct[1..], strings(&["5", "2", "7"]));
    assert!(cross
        .iter()
        .flatten()
        .any(|t| t.contains("それぞれのカテゴリで数えます")));

    let pairs = read_sheet(&path, "二次連携候補");
    assert_eq!(
        pairs[0],
        strings(&[
            "順位",
            "職種A",
            "職種B",
            "A→B 件数",
            "B→A 件数",
            "相互",
            "例（A→B）",
            "例（B→A）"
        ])
    );
    let pair = pairs
        .iter()
        .find(|r| r[1] == "薬剤師" && r[2] == "介護支援専門員")
        .unwrap();
    assert_eq!(pair[4], "2");
    assert!(pair[7].contains("・合同研修会をやりたい"));

    let matrix = read_sheet(&path, "カテゴリ行列");
    assert_eq!(
        matrix[0][..4],
        strings(&["ID", "職種", "意見(正規化)", "多職種連携"])
    );
    let info = column(&matrix, 0, "情報共有ツール");
    let third = by_id(&matrix, &fx.batch.remarks[2].id);
    assert_eq!(third[3], "1");
    assert_eq!(third[info], "1");
    assert_eq!(by_id(&matrix, &fx.batch.remarks[0].id)[info], "0");

    let meetings = read_sheet(&path, "会議一覧");
    assert_eq!(meetings.len(), 4);
    assert_eq!(meetings[1][column(&meetings, 0, "意見数")], "3");
    assert_eq!(meetings[1][column(&meetings, 0, "連携の印")], "一次連携");

    let intake = read_sheet(&path, "取込結果");
    assert_eq!(
        intake[0],
        strings(&[
            "ファイル",
            "シート",
            "結果",
            "様式",
            "意見数",
            "意見でない行",
            "注意",
            "理由"
        ])
    );
    let results: Vec<&str> = intake[1..]
        .iter()
        .map(|r| r[2].as_str())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        results,
        [
            "読んだ",
            "読まない",
            "読んだ",
            "読んだ",
            "空の様式",
            "一時ファイル等",
            "読めない"
        ]
    );
    assert_eq!(intake[1][5], "20行目: 合計の行");
    assert_eq!(intake[1][6], "日付が読めません");
    assert!(intake
        .iter()
        .flatten()
        .any(|t| t == "読んだ意見 7 件 = 一覧の行 7 行"));
}

// ---------------------------------------------------------------- ランキング

/// The 例② rows of a ranking sheet below its header: (順位, カテゴリ, 件数,
/// 課題/アイデア, 意見), merged cells read as empty.
fn ranking_rows(grid: &[Vec<String>]) -> Vec<Vec<String>> {
    let header = grid
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("順位"))
        .unwrap();
    assert_eq!(
        grid[header][..5],
        strings(&["順位", "カテゴリ", "件数", "課題/アイデア", "意見"])
    );
    grid[header + 1..]
        .iter()
        .map(|r| r[..5].to_vec())
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .collect()
}

#[test]
fn ranking_follows_the_manual_layout() {
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(RANKING_FILE);
    write_ranking(&fx.ctx(false), &path).unwrap();
    assert_eq!(
        sheet_names(&path),
        strings(&["全体", "薬剤師", "介護支援専門員"])
    );

    let grid = read_sheet(&path, "全体");
    assert_eq!(grid[0][0], "カテゴリ別ランキング（全体）");
    assert!(grid[1][1].contains("2022/4/1 〜 2022/6/1"));
    assert_eq!(grid[2][1], "3 回");
    assert_eq!(grid[3][1], "7 件");
    let rows = ranking_rows(&grid);
    assert_eq!(rows[0][..4], strings(&["1", "多職種連携", "4", "課題"]));
    assert_eq!(
        rows[0][4],
        "・顔の見える連携が弱い ×2\n・情報共有不足\n・薬剤師との連携がケアマネ秘密の話"
    );
    // その他 has both kinds: one merged block of two rows.
    let other = rows.iter().position(|r| r[1] == "その他").unwrap();
    assert_eq!(rows[other][3], "課題");
    assert_eq!(rows[other + 1][..4], strings(&["", "", "", "アイデア"]));
    let relisted = rows.iter().find(|r| r[1] == "情報共有ツール").unwrap();
    assert_eq!(relisted[4], "・情報共有不足【再掲】");

    // The chart's data beside the table, and a chart in the package.
    let header = grid.iter().position(|r| r[0] == "順位").unwrap();
    assert_eq!(grid[header][7..9], strings(&["カテゴリ", "件数"]));
    assert_eq!(grid[header + 1][7..9], strings(&["多職種連携", "4"]));
    let xml = package_text(&path);
    assert_eq!(
        xml.matches("<c:barChart>").count(),
        3,
        "one chart per sheet"
    );
    assert!(
        xml.contains("<c:orientation val=\"maxMin\"/>"),
        "rank 1 on top"
    );
    assert!(xml.contains("游ゴシック"));
}

/// The ranking workbook of one 薬剤師 meeting whose remarks are `texts`,
/// every one a 課題 of `category` (none grouped with another).
fn ranking_of(texts: &[String], category: &str) -> (tempfile::TempDir, PathBuf) {
    let mut batch = Batch {
        meetings: vec![meeting(0, "薬剤師", "a.xlsx", "Sheet1", 1, None)],
        ..Batch::default()
    };
    batch.remarks = texts
        .iter()
        .enumerate()
        .map(|(i, t)| remark(&batch, i, 0, t, None))
        .collect();
    let one = labels(&[category], Kind::Issue, Location::WithinProfession, &[]);
    let fx = Fixture::with_threshold(batch, vec![one; texts.len()], 0.0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(RANKING_FILE);
    write_ranking(&fx.ctx(false), &path).unwrap();
    (dir, path)
}

/// A ranking of more pages than Excel allows manual page breaks (1,023)
/// is still written, with every remark.
#[test]
fn a_ranking_of_over_a_thousand_pages_is_written() {
    let n = 9000;
    let texts: Vec<String> = (0..n)
        .map(|i| format!("{i:05}{}", ["か", "き", "く", "け"][i % 4].repeat(160)))
        .collect();
    let (_dir, path) = ranking_of(&texts, "看取り");
    let sheet = package_text(&path);
    assert!(
        sheet.matches("<brk ").count() >= 1023,
        "over a thousand pages"
    );
    let rows = ranking_rows(&read_sheet(&path, "全体"));
    let bullets: usize = rows.iter().map(|r| r[4].lines().count()).sum();
    assert_eq!(bullets, n);
}

#[test]
fn a_long_bullet_list_continues_on_the_next_rows_and_pages() {
    // 1,000 different remarks of 40 characters: a 41,000-character list.
    let texts: Vec<String> = (0..1000)
        .map(|i| format!("{i:04}{}", ["あ", "い", "う", "え"][i % 4].repeat(36)))
        .collect();
    let (_dir, path) = ranking_of(&texts, "多職種連携");

    let rows = ranking_rows(&read_sheet(&path, "全体"));
    assert!(rows.len() >= 2, "continued on a second row");
    let shown = strings(&["1", "多職種連携", "1000", "課題"]);
    assert_eq!(rows[0][..4], shown);
    // Merged with the row above, or shown again where a page starts.
    let again = rows[1..].iter().filter(|r| r[..4] == shown).count();
    assert!(again > 0, "1,000 bullets run over several pages");
    for r in &rows[1..] {
        assert!(r[..4] == shown || r[..4] == strings(&["", "", "", ""]));
    }
    for r in &rows {
        assert!(style::utf16_len(&r[4]) <= style::CELL_LIMIT);
        assert!(r[4].lines().count() <= super::ranking::MAX_CELL_LINES);
    }
    let joined: Vec<&str> = rows.iter().map(|r| r[4].as_str()).collect();
    let want: Vec<String> = texts.iter().map(|t| format!("・{t}")).collect();
    assert!(
        joined.join("\n") == want.join("\n"),
        "every bullet, in order"
    );
}

#[test]
fn sheet_names_from_professions_are_valid() {
    let mut fx = two_professions();
    fx.batch.meetings[0].profession = "全体".into();
    fx.batch.meetings[1].profession = "全体".into();
    fx.batch.meetings[2].profession = "a/b:c*[d]?".repeat(5);
    let fx = Fixture::new(fx.batch, fx.labels);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(RANKING_FILE);
    write_ranking(&fx.ctx(false), &path).unwrap();
    let names = sheet_names(&path);
    assert_eq!(names[0], "全体");
    assert_eq!(names[1], "全体(2)");
    assert!(names[2].chars().count() <= 31);
    assert!(!names[2].contains(['/', ':', '*', '[', ']', '?']));
    // The chart of a renamed sheet points at that sheet.
    assert!(package_text(&path).contains("'全体(2)'!$H$7"));
}

#[test]
fn an_empty_run_still_writes_every_workbook() {
    let fx = Fixture::new(Batch::default(), Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let written = write_all(&fx.ctx(false), dir.path()).unwrap();
    assert!(written.feedback.is_empty());
    let grid = read_sheet(&written.ranking, "全体");
    assert!(grid.iter().flatten().any(|t| t == "（意見はありません）"));
    assert_eq!(read_sheet(&written.classified, "一覧").len(), 1);
}

// ---------------------------------------------------------------- フィードバック

#[test]
fn feedback_holds_only_its_own_remarks() {
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    let files = write_feedback(&fx.ctx(false), &dir.path().join(FEEDBACK_DIR)).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["薬剤師.xlsx", "介護支援専門員.xlsx"]);
    assert_eq!(
        sheet_names(&files[0]),
        strings(&["表紙", "ランキング", "所在と次の一手", "意見一覧"])
    );

    let mine: Vec<&str> = vec!["顔の見える連携が弱い", "情報共有不足", "=SUM(A1)"];
    let theirs = ["薬剤師との連携がケアマネ秘密の話", "合同研修会をやりたい"];
    let text = all_text(&files[0]).join("\n");
    for t in &mine {
        assert!(text.contains(t), "own remark {t}");
    }
    for t in theirs {
        assert!(!text.contains(t), "another profession's remark leaked: {t}");
    }
    for secret in [
        "山田",
        "佐藤",
        "鈴木",
        ".xlsx",
        "Sheet1",
        "打合せ!",
        "ケアマネ.xlsx",
        "介護支援専門員",
    ] {
        assert!(!text.contains(secret), "{secret} must not appear");
    }
    // Nor in the package's other parts (properties, chart caches, names).
    let xml = package_text(&files[0]);
    for secret in theirs.iter().chain(&["山田", "薬剤師会/", "ケアマネ.xlsx"]) {
        assert!(!xml.contains(secret), "{secret} in the package");
    }

    let cover = read_sheet(&files[0], "表紙");
    let cover_text = cover
        .iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(cover_text.contains(
        "この資料は薬剤師の皆さまとの打合せ会で出た意見だけをまとめたものです。ほかの職種には渡しません。"
    ));
    assert!(cover_text.contains("第1回 2022/4/1\n第2回 2022/6/1"));
    assert!(cover_text.contains("5 件"));

    let list = read_sheet(&files[0], "意見一覧");
    assert_eq!(
        list[0],
        strings(&[
            "会議",
            "意見(原文)",
            "カテゴリ",
            "課題/アイデア",
            "所在",
            "連携の場",
            "関係職種"
        ])
    );
    assert_eq!(list.len(), 6);

    let steps = read_sheet(&files[0], "所在と次の一手");
    assert_eq!(
        steps[0],
        strings(&["順位", "カテゴリ", "件数", "所在", "次の一手"])
    );
    let steps_text = steps
        .iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(steps_text.contains("一次連携で取組を支援（職能団体の中での話し合い）"));
    assert!(steps_text.contains("三次連携の場（協議会・検討会）へ"));

    // The care managers' book: its step toward the pharmacists.
    let theirs_text = all_text(&files[1]).join("\n");
    assert!(theirs_text.contains("二次連携: 薬剤師 と意見交換の場を設ける"));
    for t in &mine {
        assert!(
            !theirs_text.contains(t),
            "{t} leaked to the other profession"
        );
    }
}

#[test]
fn feedback_keeps_speakers_only_when_asked() {
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    let files = write_feedback(&fx.ctx(true), dir.path()).unwrap();
    let list = read_sheet(&files[0], "意見一覧");
    assert_eq!(list[0].last().unwrap(), "発言者");
    let speakers: HashSet<&str> = list[1..]
        .iter()
        .map(|r| r.last().unwrap().as_str())
        .collect();
    assert!(speakers.contains("山田") && speakers.contains("佐藤"));
    assert!(!all_text(&files[0]).iter().any(|t| t.contains("鈴木")));
}

#[test]
fn feedback_file_names_are_sanitized_and_unique() {
    let mut fx = two_professions();
    fx.batch.meetings[0].profession = "../CON".into();
    fx.batch.meetings[1].profession = "../con".into();
    fx.batch.meetings[2].profession = "..".into();
    let fx = Fixture::new(fx.batch, fx.labels);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(FEEDBACK_DIR);
    let files = write_feedback(&fx.ctx(false), &out).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["_CON.xlsx", "_con(2).xlsx", "職種不明.xlsx"]);
    for f in &files {
        assert_eq!(f.parent().unwrap(), out);
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing outside フィードバック"
    );
}

// ---------------------------------------------------------------- saving

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names = strings(names);
    names.sort();
    names
}

#[test]
fn a_folder_that_cannot_be_created_is_an_error_and_leaves_nothing() {
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("ファイル");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let err = write_ranking(&fx.ctx(false), &blocker.join(RANKING_FILE)).unwrap_err();
    assert!(matches!(err, RenderError::Folder { .. }), "{err:?}");
    assert!(err.to_string().contains("書き込めません"));
    let err = write_all(&fx.ctx(false), &blocker.join("出力")).unwrap_err();
    assert!(matches!(err, RenderError::Folder { .. }), "{err:?}");
    assert_eq!(entries(dir.path()), ["ファイル"]);
}

#[test]
fn a_destination_that_cannot_be_replaced_keeps_the_old_outputs() {
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    // A folder where 分類一覧.xlsx should go: it cannot be replaced.
    std::fs::create_dir(dir.path().join(CLASSIFIED_FILE)).unwrap();
    std::fs::write(dir.path().join(RANKING_FILE), b"old").unwrap();
    let err = write_all(&fx.ctx(false), dir.path()).unwrap_err();
    assert!(matches!(err, RenderError::Locked { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "分類一覧.xlsx を書き込めません。Excel で開いていたら閉じてから、もう一度実行してください。"
    );
    assert_eq!(
        std::fs::read(dir.path().join(RANKING_FILE)).unwrap(),
        b"old",
        "old output kept"
    );
    assert_eq!(
        entries(dir.path()),
        sorted(&[FEEDBACK_DIR, CLASSIFIED_FILE, RANKING_FILE])
    );
    assert!(
        entries(&dir.path().join(FEEDBACK_DIR)).is_empty(),
        "no temporary file left"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_leaves_no_file() {
    use std::os::unix::fs::PermissionsExt;
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("出力");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    // As root, permissions do not stop writing: nothing to test then.
    let probe = out.join("probe");
    if std::fs::write(&probe, b"x").is_ok() {
        std::fs::remove_file(&probe).unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let err = write_ranking(&fx.ctx(false), &out.join(RANKING_FILE)).unwrap_err();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(matches!(err, RenderError::Folder { .. }), "{err:?}");
    assert!(entries(&out).is_empty());
}

#[test]
fn rewriting_replaces_and_gives_the_same_cells() {
    let fx = two_professions();
    let dir = tempfile::tempdir().unwrap();
    let first = write_all(&fx.ctx(false), dir.path()).unwrap();
    let snapshot: Vec<Vec<String>> = [&first.ranking, &first.classified, &first.feedback[0]]
        .iter()
        .map(|p| all_text(p))
        .collect();
    let second = write_all(&fx.ctx(false), dir.path()).unwrap();
    assert_eq!(first, second);
    let again: Vec<Vec<String>> = [&second.ranking, &second.classified, &second.feedback[0]]
        .iter()
        .map(|p| all_text(p))
        .collect();
    assert_eq!(snapshot, again);
    assert_eq!(
        entries(dir.path()),
        sorted(&[CLASSIFIED_FILE, FEEDBACK_DIR, RANKING_FILE])
    );
}

// ---------------------------------------------------------------- performance

/// A prefecture's archive: 60,000 remarks in 2,000 meetings of 20 professions.
/// `cargo test --release --lib render::tests::large_archive -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn large_archive_renders_quickly() {
    let professions: Vec<String> = (0..20).map(|i| format!("職種{i:02}")).collect();
    let categories = rule_categories();
    let mut batch = Batch::default();
    for m in 0..2000 {
        let p = &professions[m % professions.len()];
        batch.meetings.push(meeting(
            m,
            p,
            &format!("{p}/会議{m:04}.xlsx"),
            "Sheet1",
            (m / 20 + 1) as u32,
            NaiveDate::from_ymd_opt(
                2020 + (m % 5) as i32,
                1 + (m % 12) as u32,
                1 + (m % 28) as u32,
            ),
        ));
    }
    let words = [
        "連携",
        "情報共有",
        "退院",
        "在宅",
        "訪問",
        "薬",
        "研修",
        "家族",
        "顔の見える関係",
        "ICT",
    ];
    let mut labels_all = Vec::new();
    let mut seed = 12345u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..60_000 {
        let m = i / 30;
        let n = next();
        let text: String = (0..(3 + n % 5))
            .map(|k| words[((n >> (k * 4)) % 10) as usize])
            .collect::<Vec<_>>()
            .join("と")
            + &format!("が足りない{}", n % 500);
        let r = remark(&batch, i, m, &text, Some("発言者"));
        batch.remarks.push(r);
        let c1 = &categories[(n % 5) as usize];
        let mut cats = vec![c1.as_str()];
        if n % 7 == 0 {
            cats.push(&categories[((n >> 8) % 5) as usize]);
        }
        let loc = Location::ALL[((n >> 16) % 3) as usize];
        let rel = [professions[((n >> 20) % 20) as usize].as_str()];
        labels_all.push(labels(
            &cats,
            if n % 3 == 0 { Kind::Idea } else { Kind::Issue },
            loc,
            &rel,
        ));
    }
    batch.files = (0..2000)
        .map(|m| FileReport {
            path: batch.meetings[m].file.clone(),
            outcome: FileOutcome::Read,
            sheets: vec![sheet_report("Sheet1", SheetOutcome::Meeting(m), 30)],
        })
        .collect();
    let t = std::time::Instant::now();
    let fx = Fixture::new(batch, labels_all);
    eprintln!("aggregate: {:?}", t.elapsed());
    let dir = tempfile::tempdir().unwrap();
    let ctx = fx.ctx(false);
    let t = std::time::Instant::now();
    write_ranking(&ctx, &dir.path().join(RANKING_FILE)).unwrap();
    eprintln!("ranking: {:?}", t.elapsed());
    let t = std::time::Instant::now();
    write_classified(&ctx, &dir.path().join(CLASSIFIED_FILE)).unwrap();
    eprintln!("classified: {:?}", t.elapsed());
    let t = std::time::Instant::now();
    write_feedback(&ctx, &dir.path().join(FEEDBACK_DIR)).unwrap();
    eprintln!("feedback: {:?}", t.elapsed());
    // Process CPU time (all threads), less disturbed by other load than wall time.
    let cpu = || -> f64 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit(") ").next().unwrap_or("").split(' ').collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (ticks(11) + ticks(12)) / 100.0
    };
    let (t, c) = (std::time::Instant::now(), cpu());
    write_all(&ctx, dir.path()).unwrap();
    eprintln!("write_all: {:?} wall, {:.2} s CPU", t.elapsed(), cpu() - c);
    let size = std::fs::metadata(dir.path().join(CLASSIFIED_FILE))
        .unwrap()
        .len();
    eprintln!("分類一覧.xlsx: {} KB", size / 1024);
}
