//! `renkei template`: writes blank 例① and 例② hearing forms with the title
//! block the manual shows. renkei reads them back as blank forms; filled in,
//! they read as meetings.

use std::path::Path;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};

use super::Status;
use crate::cli::TemplateArgs;
use crate::os::error::{describe, Access};

/// File names of the two forms.
pub const LIST_FORM: &str = "記入用紙_例1_一覧.xlsx";
pub const CLASSIFIED_FORM: &str = "記入用紙_例2_分類.xlsx";

/// How many numbered rows the 例① form offers.
const LIST_ROWS: u32 = 30;

pub fn execute(args: &TemplateArgs) -> Status {
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("エラー: {}", describe(&e, "", &args.out, Access::Write));
        return Status::Failed;
    }
    let categories = form_categories();
    for (name, result) in [
        (LIST_FORM, write_list_form(&args.out.join(LIST_FORM), None)),
        (
            CLASSIFIED_FORM,
            write_classified_form(&args.out.join(CLASSIFIED_FORM), &categories),
        ),
    ] {
        match result {
            Ok(()) => println!("書きました: {}", args.out.join(name).display()),
            Err(e) => {
                eprintln!("エラー: {}", save_failure(&e, &args.out.join(name)));
                return Status::Failed;
            }
        }
    }
    Status::Ok
}

/// Why a form could not be saved: a system error in words for staff,
/// anything else (a bug) with its detail.
fn save_failure(e: &XlsxError, path: &Path) -> String {
    match e {
        XlsxError::IoError(io) => describe(io, "", path, Access::Write),
        other => format!("「{}」を作れませんでした（{other}）。", path.display()),
    }
}

/// Sample content for filling a form in tests and demos.
pub struct Filled<'a> {
    pub profession: &'a str,
    pub title: &'a str,
    pub date: &'a str,
    /// (職種, 発言者, 意見, 備考)
    pub rows: &'a [(&'a str, &'a str, &'a str, &'a str)],
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center)
        .set_font_name("游ゴシック")
}

fn cell_format() -> Format {
    Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_font_name("游ゴシック")
}

fn title_format() -> Format {
    Format::new()
        .set_bold()
        .set_font_size(14)
        .set_font_name("游ゴシック")
}

fn plain() -> Format {
    Format::new().set_font_name("游ゴシック")
}

fn pinned_properties() -> Result<DocProperties, XlsxError> {
    Ok(DocProperties::new()
        .set_title("在宅医療・介護連携 一次連携 記入用紙")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2024, 4, 1)?))
}

/// 例①: `No | 職種 | 発言者 | 意 見 | 備考`, with the title block above.
pub fn write_list_form(path: &Path, fill: Option<&Filled>) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&pinned_properties()?);
    let ws = wb.add_worksheet().set_name("記入用紙")?;
    ws.write_string_with_format(0, 0, "職種名", &plain())?;
    ws.write_string_with_format(0, 1, fill.map_or("", |f| f.profession), &cell_format())?;
    ws.write_string_with_format(
        1,
        0,
        fill.map_or("【一次連携】 第　回　　　　との打合せ会", |f| f.title),
        &title_format(),
    )?;
    ws.write_string_with_format(
        2,
        0,
        fill.map_or("令和　年　月　日（　）", |f| f.date),
        &plain(),
    )?;
    for (c, h) in ["No", "職種", "発言者", "意 見", "備考"].iter().enumerate() {
        ws.write_string_with_format(4, c as u16, *h, &header_format())?;
    }
    for i in 0..LIST_ROWS {
        let row = 5 + i;
        ws.write_number_with_format(row, 0, f64::from(i + 1), &cell_format())?;
        let values = fill
            .and_then(|f| f.rows.get(i as usize))
            .copied()
            .unwrap_or(("", "", "", ""));
        for (c, v) in [values.0, values.1, values.2, values.3].iter().enumerate() {
            ws.write_string_with_format(row, c as u16 + 1, *v, &cell_format())?;
        }
    }
    for (c, w) in [(0, 6.0), (1, 14.0), (2, 12.0), (3, 60.0), (4, 26.0)] {
        ws.set_column_width(c, w)?;
    }
    ws.set_freeze_panes(5, 0)?;
    ws.set_paper_size(9).set_landscape().set_repeat_rows(4, 4)?;
    ws.set_print_fit_to_pages(1, 0);
    add_help_sheet(&mut wb, "一次連携で出た意見を、1行に1つずつ書きます。1つのセルに「・」で始まる行を並べると、1行が1件の意見になります。備考には「誰と/どの職種と繋げればこの課題は解決するか」など、関連するキーワード（病院、ケアマネジャー など）を書きます。")?;
    wb.save(path)
}

/// 例②: `順位 | カテゴリ | 課題/アイデア | 意 見`, one 課題 and one アイデア
/// row per category, 順位 and カテゴリ merged over the two.
pub fn write_classified_form(path: &Path, categories: &[String]) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&pinned_properties()?);
    let ws = wb.add_worksheet().set_name("記入用紙")?;
    ws.write_string_with_format(0, 0, "職種名", &plain())?;
    ws.write_string_with_format(0, 1, "", &cell_format())?;
    ws.write_string_with_format(
        1,
        0,
        "【一次連携】 第　回　　　　との打合せ会",
        &title_format(),
    )?;
    ws.write_string_with_format(2, 0, "令和　年　月　日（　）", &plain())?;
    for (c, h) in ["順位", "カテゴリ", "課題/アイデア", "意 見"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(4, c as u16, *h, &header_format())?;
    }
    let merged = cell_format().set_align(FormatAlign::VerticalCenter);
    let mut row = 5;
    for name in categories {
        ws.merge_range(row, 0, row + 1, 0, "", &merged)?;
        ws.merge_range(row, 1, row + 1, 1, name, &merged)?;
        ws.write_string_with_format(row, 2, "課題", &cell_format())?;
        ws.write_string_with_format(row, 3, "・", &cell_format())?;
        ws.write_string_with_format(row + 1, 2, "アイデア", &cell_format())?;
        ws.write_string_with_format(row + 1, 3, "・", &cell_format())?;
        row += 2;
    }
    for (c, w) in [(0, 6.0), (1, 22.0), (2, 14.0), (3, 70.0)] {
        ws.set_column_width(c, w)?;
    }
    ws.set_freeze_panes(5, 0)?;
    ws.set_paper_size(9).set_repeat_rows(4, 4)?;
    ws.set_print_fit_to_pages(1, 0);
    add_help_sheet(&mut wb, "意見をカテゴリごとに「・」で始まる行で書きます。1つの意見が複数のカテゴリに当てはまるときは、2つ目からは行の終わりに【再掲】と書きます（件数はカテゴリごとに数えます）。意見の多い順に順位をつけます。")?;
    wb.save(path)
}

fn add_help_sheet(wb: &mut Workbook, text: &str) -> Result<(), XlsxError> {
    let help = wb.add_worksheet().set_name("記入方法")?;
    help.write_string_with_format(0, 0, "記入方法", &title_format())?;
    help.write_string_with_format(1, 0, text, &plain().set_text_wrap())?;
    help.set_column_width(0, 90)?;
    Ok(())
}

/// The categories printed in the 例② form: the built-in rule categories
/// without the catch-all (a form lists what to ask about).
fn form_categories() -> Vec<String> {
    let rules = crate::rules::Rules::builtin();
    rules
        .categories()
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| n != rules.fallback_category())
        .collect()
}
