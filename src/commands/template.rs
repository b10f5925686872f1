//! `renkei template`: writes blank 例① and 例② hearing forms with the title
//! block the manual shows. renkei reads them back as blank forms; filled in,
//! they read as meetings.
//!
//! A form staff already filled in may sit in the output folder, so an
//! existing file is never replaced: the new form is written beside it as
//! `… (2).xlsx`. Each form prints whole on A4, its 記入方法 sheet too.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::Status;
use crate::cli::TemplateArgs;
use crate::os::error::{describe, Access};
use crate::render::measure::{self};
use crate::render::print::{self, Page, Scale};
use crate::render::style::{self, base_format};

/// File names of the two forms.
pub const LIST_FORM: &str = "記入用紙_例1_一覧.xlsx";
pub const CLASSIFIED_FORM: &str = "記入用紙_例2_分類.xlsx";

/// How many numbered rows the 例① form offers.
const LIST_ROWS: u32 = 30;

/// Builds one form from the categories (which only 例② lists).
type BuildForm = fn(&[String]) -> Result<Workbook, XlsxError>;

pub fn execute(args: &TemplateArgs) -> Status {
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("エラー: {}", describe(&e, "", &args.out, Access::Write));
        return Status::Failed;
    }
    let categories = form_categories();
    let forms: [(&str, BuildForm); 2] = [
        (LIST_FORM, |_| list_form(None)),
        (CLASSIFIED_FORM, classified_form),
    ];
    for (name, build) in forms {
        let written = build(&categories)
            .and_then(|mut wb| wb.save_to_buffer())
            .map_err(|e| save_failure(&e, &args.out.join(name)))
            .and_then(|bytes: Vec<u8>| write_new(&args.out, name, &bytes));
        match written {
            Ok(path) if path.file_name() == Some(name.as_ref()) => {
                println!("書きました: {}", path.display());
            }
            Ok(path) => println!(
                "書きました: {}（同じ名前の「{name}」がすでにあるので、そちらはそのままにしています）",
                path.display()
            ),
            Err(message) => {
                eprintln!("エラー: {message}");
                return Status::Failed;
            }
        }
    }
    Status::Ok
}

/// Why a form could not be built: a bug, with its detail.
fn save_failure(e: &XlsxError, path: &Path) -> String {
    match e {
        XlsxError::IoError(io) => describe(io, "", path, Access::Write),
        other => format!("「{}」を作れませんでした（{other}）。", path.display()),
    }
}

/// Writes `bytes` to `name` in `dir`, or beside it as `name (2)`, `(3)` …
/// when that file exists: a form staff already filled in is never
/// replaced. Each name is claimed by creating the file, so nothing racing
/// us is overwritten either.
fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    use std::io::Write;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..1000 {
        let candidate = if n == 1 {
            name.to_string()
        } else {
            format!("{stem} ({n}).{ext}")
        };
        let path = dir.join(&candidate);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                return file
                    .write_all(bytes)
                    .and_then(|()| file.sync_all())
                    .map(|()| path.clone())
                    .map_err(|e| describe(&e, "", &path, Access::Write));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(describe(&e, "", &path, Access::Write)),
        }
    }
    Err(format!(
        "「{}」に「{name}」と同じ名前のファイルが多すぎます。不要なものを整理してから、もう一度実行してください。",
        dir.display()
    ))
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
    base_format()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

fn cell_format() -> Format {
    base_format()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top)
}

fn title_format() -> Format {
    base_format().set_bold().set_font_size(14)
}

fn plain() -> Format {
    base_format().set_align(FormatAlign::VerticalCenter)
}

/// A workbook in 游ゴシック (widths and heights as Japanese Excel measures
/// them), with fixed properties so reruns give the same files.
fn form_workbook() -> Result<Workbook, XlsxError> {
    let mut wb = style::new_workbook("在宅医療・介護連携 一次連携 記入用紙")?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("在宅医療・介護連携 一次連携 記入用紙")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2024, 4, 1)?),
    );
    Ok(wb)
}

/// The title block both forms share: `職種名` and its box, the title, the
/// date. Each row as tall as its text, so the 14 pt title does not run
/// into the box above it.
fn title_block(
    ws: &mut Worksheet,
    profession: &str,
    title: &str,
    date: &str,
) -> Result<(), XlsxError> {
    ws.set_row_height(0, 20)?;
    ws.set_row_height(1, 24)?;
    ws.set_row_height(2, 18.75)?;
    // A thin gap above the table.
    ws.set_row_height(3, 6)?;
    ws.write_string_with_format(0, 0, "職種名", &plain())?;
    ws.write_string_with_format(
        0,
        1,
        profession,
        &cell_format().set_align(FormatAlign::VerticalCenter),
    )?;
    ws.write_string_with_format(
        1,
        0,
        title,
        &title_format().set_align(FormatAlign::VerticalCenter),
    )?;
    ws.write_string_with_format(2, 0, date, &plain())?;
    Ok(())
}

/// 例①: `No | 職種 | 発言者 | 意 見 | 備考`, with the title block above.
pub fn write_list_form(path: &Path, fill: Option<&Filled>) -> Result<(), XlsxError> {
    list_form(fill)?.save(path)
}

fn list_form(fill: Option<&Filled>) -> Result<Workbook, XlsxError> {
    let mut wb = form_workbook()?;
    let ws = wb.add_worksheet().set_name("記入用紙")?;
    title_block(
        ws,
        fill.map_or("", |f| f.profession),
        fill.map_or("【一次連携】 第　回　　　　との打合せ会", |f| f.title),
        fill.map_or("令和　年　月　日（　）", |f| f.date),
    )?;
    for (c, h) in ["No", "職種", "発言者", "意 見", "備考"].iter().enumerate() {
        ws.write_string_with_format(4, c as u16, *h, &header_format())?;
    }
    let widths = [6, 14, 12, 60, 26];
    for i in 0..LIST_ROWS {
        let row = 5 + i;
        ws.write_number_with_format(row, 0, f64::from(i + 1), &cell_format())?;
        let values = fill
            .and_then(|f| f.rows.get(i as usize))
            .copied()
            .unwrap_or(("", "", "", ""));
        let values = [values.0, values.1, values.2, values.3];
        let lines = values
            .iter()
            .zip(&widths[1..])
            .map(|(v, &w)| measure::wrapped_lines(v, w))
            .max()
            .unwrap_or(1);
        measure::set_row_lines(ws, row, lines)?;
        for (c, v) in values.iter().enumerate() {
            ws.write_string_with_format(row, c as u16 + 1, *v, &cell_format())?;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64)?;
    }
    // One sheet of paper: A4 landscape, about 8.5 pt.
    print::setup(ws, Page::A4_LANDSCAPE, Scale::FitPage, Some(4))?;
    add_help_sheet(
        &mut wb,
        &[
            "表の上の「職種名」の枠に職種名を書き、表題の「第　回」「　　との打合せ会」と日付を埋めます。",
            "一次連携で出た意見を、1行に1つずつ書きます。",
            "1つのセルに「・」で始まる行を並べると、1行が1件の意見になります。",
            "備考には「誰と/どの職種と繋げればこの課題は解決するか」など、関連するキーワード（病院、ケアマネジャー など）を書きます。",
        ],
    )?;
    Ok(wb)
}

/// 例②: `順位 | カテゴリ | 課題/アイデア | 意 見`, one 課題 and one アイデア
/// row per category, 順位 and カテゴリ merged over the two.
fn classified_form(categories: &[String]) -> Result<Workbook, XlsxError> {
    let mut wb = form_workbook()?;
    let ws = wb.add_worksheet().set_name("記入用紙")?;
    title_block(
        ws,
        "",
        "【一次連携】 第　回　　　　との打合せ会",
        "令和　年　月　日（　）",
    )?;
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
    // A4 portrait at about 10 pt.
    let widths = [6, 20, 14, 56];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64)?;
    }
    print::setup(ws, Page::A4_PORTRAIT, Scale::FitWidth, Some(4))?;
    add_help_sheet(
        &mut wb,
        &[
            "表の上の「職種名」の枠に職種名を書き、表題の「第　回」「　　との打合せ会」と日付を埋めます。",
            "意見をカテゴリごとに「・」で始まる行で書きます。",
            "1つの意見が複数のカテゴリに当てはまるときは、2つ目からは行の終わりに【再掲】と書きます（件数はカテゴリごとに数えます）。",
            "意見の多い順に順位をつけます。",
        ],
    )?;
    Ok(wb)
}

/// `記入方法`: one instruction a row, each row as tall as its wrapped text
/// (a default-height row shows only the last line of a long one).
fn add_help_sheet(wb: &mut Workbook, steps: &[&str]) -> Result<(), XlsxError> {
    const WIDTH: usize = 80;
    let help = wb.add_worksheet().set_name("記入方法")?;
    help.set_row_height(0, 28)?;
    help.write_string_with_format(0, 0, "記入方法", &title_format())?;
    let text = base_format().set_text_wrap().set_align(FormatAlign::Top);
    for (i, step) in steps.iter().enumerate() {
        let row = 1 + i as u32;
        let line = format!("{}. {step}", i + 1);
        measure::set_row_lines(help, row, measure::wrapped_lines(&line, WIDTH))?;
        help.write_string_with_format(row, 0, &line, &text)?;
    }
    help.set_column_width(0, WIDTH as f64)?;
    print::setup(help, Page::A4_PORTRAIT, Scale::FitWidth, None)
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
