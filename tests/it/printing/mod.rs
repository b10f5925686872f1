//! Every visible sheet of every output prints legibly (SPEC §5), checked on
//! the written files read back, without rendering them: fixtures, a batch
//! with long profession names and long remarks, and `renkei template`.
//!
//! The checks ([`checks`]) are the structural half of issue 13's print
//! review; the other half, looking at LibreOffice's renders, is recorded in
//! the note, as CI has no LibreOffice.

mod book;
mod checks;
mod xml;

use std::path::{Path, PathBuf};

use crate::common::{fixtures, run, template_into, workbooks_under, write_meeting};

/// Every check on one workbook: the problems found, one line each.
fn problems(b: &book::Book) -> Vec<String> {
    let mut problems = Vec::new();
    checks::helpers_hidden(b, &mut problems);
    for sheet in b.sheets.iter().filter(|s| !s.hidden) {
        checks::readable(b, sheet, &mut problems);
        checks::rows_fit(b, sheet, &mut problems);
        checks::charts(b, sheet, &mut problems);
        checks::page_breaks(b, sheet, &mut problems);
    }
    problems
}

/// Runs every check on every workbook under `dir` (but the ledger's);
/// panics listing all the problems found.
fn assert_prints_legibly(dir: &Path) -> Vec<book::Book> {
    let paths = workbooks_under(dir)
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "renkei管理"))
        .collect::<Vec<PathBuf>>();
    assert!(!paths.is_empty(), "no workbooks in {}", dir.display());
    let books: Vec<book::Book> = paths.iter().map(|p| book::read(p)).collect();
    let all: Vec<String> = books.iter().flat_map(problems).collect();
    assert!(all.is_empty(), "{}", all.join("\n"));
    books
}

fn run_ok(input: &Path, out: &Path) {
    let (code, _, stderr) = run(&[input], out, &["--quiet"]);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
}

#[test]
fn fixture_outputs_print_legibly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&fixtures(), &out);
    let books = assert_prints_legibly(&out);

    // The checks saw what they are about: charts, a hidden helper sheet,
    // handed-over books held to 9 pt.
    let charts: usize = books
        .iter()
        .flat_map(|b| &b.sheets)
        .map(|s| s.charts.len())
        .sum();
    assert!(charts >= 9, "{charts} charts");
    let classified = books
        .iter()
        .find(|b| b.path.ends_with("分類一覧.xlsx"))
        .unwrap();
    assert!(classified.sheet("選択肢").hidden);
    assert!(books
        .iter()
        .filter(|b| checks::min_points(b) == 9.0)
        .any(|b| b.path.ends_with("ランキング.xlsx")));
}

/// Professions with the longest names people use, and remarks long enough
/// to wrap over several lines and fill several pages.
const PROFESSIONS: [&str; 4] = [
    "リハビリテーション療法士",
    "地域包括支援センター",
    "介護支援専門員",
    "医師",
];

fn long_remarks(seed: usize) -> Vec<String> {
    const TOPICS: [&str; 8] = [
        "退院前カンファレンスの日程が直前に決まり、参加できないことが多い",
        "ケアマネジャーとのやりとりが電話ばかりで記録が残らず、言った言わないになる",
        "お薬手帳が複数あり、飲み合わせの確認ができない",
        "訪問看護ステーションごとに報告の仕方がまちまちで、必要な情報が拾いにくい",
        "看取りの方針が家族と共有されないまま在宅に戻ってくる",
        "多職種で顔の見える関係をつくる研修会を開きたい",
        "急変時に夜間の連絡先が分からず、救急搬送になってしまう",
        "食べることの支援について、歯科と栄養士の連携の場がほしい",
    ];
    const PLACES: [&str; 5] = [
        "山間部では、",
        "週末は、",
        "独居の方の場合、",
        "",
        "冬場は、",
    ];
    (0..36)
        .map(|i| {
            let a = TOPICS[(i + seed) % TOPICS.len()];
            let b = PLACES[(i * 3 + seed) % PLACES.len()];
            match i % 4 {
                0 => format!("{b}{a}。また、{}。", TOPICS[(i + seed + 3) % TOPICS.len()]),
                1 => format!("・{b}{a}\n・{}", TOPICS[(i + 5) % TOPICS.len()]),
                _ => format!("{b}{a}（{i}）"),
            }
        })
        .collect()
}

#[test]
fn a_batch_with_long_names_and_remarks_prints_legibly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    // Meetings written out of date order: the lists are in date order.
    let dates = ["2023年6月3日", "2023年4月1日", "2022年11月20日"];
    for (p, profession) in PROFESSIONS.iter().enumerate() {
        for (round, date) in dates.iter().enumerate() {
            let remarks = long_remarks(p * 3 + round);
            let remarks: Vec<&str> = remarks.iter().map(String::as_str).collect();
            let path = input.join(format!("{profession}_{round}.xlsx"));
            write_meeting(&path, profession, round as u32 + 1, date, &remarks);
        }
    }
    let out = dir.path().join("out");
    run_ok(&input, &out);
    let books = assert_prints_legibly(&out);

    let classified = books
        .iter()
        .find(|b| b.path.ends_with("分類一覧.xlsx"))
        .unwrap();
    for sheet in ["一覧", "会議一覧"] {
        let dates = column_numbers(classified.sheet(sheet), "日付");
        assert!(dates.len() >= 12, "{sheet}: {dates:?}");
        assert!(
            dates.windows(2).all(|w| w[0] <= w[1]),
            "{sheet} in date order: {dates:?}"
        );
    }
    // Long lists break across pages, each page showing its category.
    let ranking = books
        .iter()
        .find(|b| b.path.ends_with("ランキング.xlsx"))
        .unwrap();
    assert!(!ranking.sheet("全体").row_breaks.is_empty());
}

/// The numbers (dates) of the column headed `header` in row 1.
fn column_numbers(sheet: &book::Sheet, header: &str) -> Vec<f64> {
    let col = sheet
        .cells
        .iter()
        .find(|c| c.row == 1 && c.text.as_deref() == Some(header))
        .unwrap_or_else(|| panic!("{}: no {header}", sheet.name))
        .col;
    let mut cells: Vec<_> = sheet
        .cells
        .iter()
        .filter(|c| c.col == col && c.row > 1)
        .filter_map(|c| c.number.map(|n| (c.row, n)))
        .collect();
    cells.sort_by_key(|(r, _)| *r);
    cells.into_iter().map(|(_, n)| n).collect()
}

#[test]
fn template_forms_print_whole() {
    let dir = tempfile::tempdir().unwrap();
    template_into(dir.path()).assert().success();
    let books = assert_prints_legibly(dir.path());
    for b in &books {
        // A form prints one page wide.
        let form = b.sheet("記入用紙");
        assert!(
            form.page.fit_to_page && form.page.fit_width == 1,
            "{}",
            b.path.display()
        );
    }
}

/// The checks catch what issue 13 found: a mirrored chart outside the print
/// area, a table fitted to 3 pt, wrapped text in a row of one line, a cut
/// header, a visible 選択肢 sheet, a merged category split by a break.
#[test]
fn the_checks_catch_unprintable_sheets() {
    use rust_xlsxwriter::{Chart, ChartType, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("分類一覧.xlsx");
    let mut wb = Workbook::new();
    let header = Format::new().set_background_color(0xDDEBF7);
    let wrap = Format::new().set_text_wrap();
    let ws = wb.add_worksheet().set_name("一覧").unwrap();
    ws.set_column_width(0, 6).unwrap();
    ws.write_string_with_format(0, 0, "課題/アイデア(修正)", &header)
        .unwrap();
    ws.write_string_with_format(0, 1, "所在", &header).unwrap();
    ws.write_string_with_format(1, 1, "長い意見".repeat(20), &wrap)
        .unwrap();
    for col in 2..40 {
        ws.set_column_width(col, 30).unwrap();
        ws.write_string(1, col, "x").unwrap();
    }
    ws.set_print_fit_to_pages(1, 0);
    let ws = wb.add_worksheet().set_name("ランキング").unwrap();
    for row in 0..5 {
        ws.write_number(row, 0, f64::from(row)).unwrap();
    }
    ws.set_row_height(1, 400).unwrap();
    ws.set_row_height(2, 400).unwrap();
    ws.merge_range(2, 1, 5, 1, "多職種連携", &Format::new())
        .unwrap();
    ws.set_page_breaks(&[4]).unwrap();
    ws.set_print_area(0, 0, 20, 4).unwrap();
    let mut chart = Chart::new(ChartType::Bar);
    chart.add_series().set_values(("ランキング", 0, 0, 3, 0));
    chart.x_axis().set_reverse();
    ws.insert_chart(2, 10, &chart).unwrap();
    wb.add_worksheet().set_name("選択肢").unwrap();
    wb.save(&path).unwrap();

    let found = problems(&book::read(&path)).join("\n");
    for expected in [
        "helper sheet is visible",
        "below 8",
        "\"長い意見長い意見",
        "the page holds",
        "page starting at row 5 shows no category",
        "\"課題/アイデア(修正)\" needs",
        "value axis reversed",
        "category axis not reversed",
        "outside the print area",
        "split by a page break",
    ] {
        assert!(found.contains(expected), "{expected}:\n{found}");
    }
}
