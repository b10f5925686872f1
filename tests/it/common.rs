//! Shared helpers: the binary, the fixtures folder, fresh work folders.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub fn renkei() -> Command {
    let mut cmd = Command::cargo_bin("renkei").expect("binary built");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// `renkei template -o DIR`: the blank forms written into `dir`.
pub fn template_into(dir: &Path) -> Command {
    let mut cmd = renkei();
    cmd.arg("template").arg("-o").arg(dir);
    cmd
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Copies the fixtures folder into a fresh temp folder, leaving out the
/// sub-folders named in `skip` (e.g. `broken`).
pub fn fixtures_copy(skip: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&fixtures(), dir.path(), skip);
    dir
}

fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixtures") {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        if skip.contains(&name.as_str()) || name == "README.md" {
            continue;
        }
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &to.join(&name), skip);
        } else {
            std::fs::copy(e.path(), to.join(&name)).expect("copy");
        }
    }
}

/// `renkei check --json PATHS`: (exit code, parsed JSON).
pub fn check_json(paths: &[&Path]) -> (i32, Value) {
    let out = renkei()
        .arg("check")
        .arg("--json")
        .args(paths)
        .output()
        .expect("run");
    let code = out.status.code().expect("exit code");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, json)
}

/// The file entry whose path ends with `name`.
pub fn file<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p == name || p.ends_with(&format!("/{name}")))
        })
        .unwrap_or_else(|| panic!("no file {name} in {json:#}"))
}

/// The sheet `sheet` of file `name`.
pub fn sheet<'a>(json: &'a Value, name: &str, sheet: &str) -> &'a Value {
    file(json, name)["sheets"]
        .as_array()
        .expect("sheets")
        .iter()
        .find(|s| s["name"] == sheet)
        .unwrap_or_else(|| panic!("no sheet {sheet} in {name}"))
}

/// The normalized texts of a sheet's remarks.
pub fn texts(sheet: &Value) -> Vec<String> {
    sheet["remarks"]
        .as_array()
        .expect("remarks")
        .iter()
        .map(|r| r["normalized"].as_str().expect("text").to_string())
        .collect()
}

/// Every sheet of a workbook as rows of cell texts (empty cells as "").
pub fn read_book(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// The rows of sheet `name` of a read book.
pub fn rows<'a>(book: &'a [(String, Vec<Vec<String>>)], name: &str) -> &'a [Vec<String>] {
    &book
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| {
            panic!(
                "no sheet {name}: {:?}",
                book.iter().map(|b| &b.0).collect::<Vec<_>>()
            )
        })
        .1
}

/// `renkei run PATHS -o OUT` with extra args; returns (exit code, stdout, stderr).
pub fn run(paths: &[&Path], out: &Path, extra: &[&str]) -> (i32, String, String) {
    let o = renkei()
        .arg("run")
        .args(paths)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .expect("run");
    (
        o.status.code().expect("exit code"),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Asserts that every worksheet of the workbook at `path` lists its rows
/// once each, in ascending order: Excel calls a file with a repeated or
/// out-of-order `<row>` damaged, though calamine and LibreOffice read it.
pub fn assert_rows_in_order(path: &Path) {
    use std::io::Read;
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut sheets = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if !name.starts_with("xl/worksheets/sheet") {
            continue;
        }
        sheets += 1;
        let mut xml = String::new();
        entry.read_to_string(&mut xml).unwrap();
        let rows: Vec<u32> = xml
            .split("<row r=\"")
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
            .collect();
        assert!(
            rows.windows(2).all(|w| w[0] < w[1]),
            "{} {name}: rows repeated or out of order",
            path.display()
        );
    }
    assert!(sheets > 0, "{}", path.display());
}

/// Every workbook under `dir`, recursively.
pub fn workbooks_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(workbooks_under(&p));
        } else if p.extension().is_some_and(|x| x == "xlsx") {
            out.push(p);
        }
    }
    out
}

/// Writes a 例① meeting workbook: `職種名` cell, the title, the date, then
/// `No | 発言者 | 意見` rows.
///
/// ```text
///   | A      | B          | C
/// 1 | 職種名 | <職種>     |
/// 2 | 【一次連携】 第<n>回 <職種>との打合せ会
/// 3 | <date>
/// 5 | No     | 発言者     | 意見
/// 6 | 1      | A          | <remark>
/// ```
pub fn write_meeting(path: &Path, profession: &str, round: u32, date: &str, remarks: &[&str]) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    title_block(ws, profession, round, date);
    for (c, h) in ["No", "発言者", "意見"].iter().enumerate() {
        ws.write_string(4, c as u16, *h).unwrap();
    }
    for (i, text) in remarks.iter().enumerate() {
        let r = 5 + i as u32;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, "A").unwrap();
        ws.write_string(r, 2, *text).unwrap();
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    wb.save(path).unwrap();
}

/// Re-saves 分類一覧.xlsx the way Excel or LibreOffice does after staff
/// typed into it: every sheet kept, strings as shared strings, dates as date
/// cells, numbers as numbers. `edit` gets 一覧's header and data rows and
/// may change cells, insert columns (into every row) and re-sort rows.
pub fn resave_classified(path: &Path, edit: impl FnOnce(&mut Vec<String>, &mut Vec<Vec<Cellv>>)) {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let names = wb.sheet_names().to_vec();
    let mut sheets: Vec<(String, Vec<Vec<Cellv>>)> = names
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => Cellv::Text(String::new()),
                            Data::Float(f) => Cellv::Number(*f),
                            Data::Int(i) => Cellv::Number(*i as f64),
                            Data::DateTime(d) => Cellv::Date(d.as_f64()),
                            other => Cellv::Text(other.to_string()),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect();
    drop(wb);
    let list = &mut sheets.iter_mut().find(|(n, _)| n == "一覧").unwrap().1;
    let mut header: Vec<String> = list.remove(0).iter().map(Cellv::text).collect();
    edit(&mut header, list);
    list.insert(0, header.into_iter().map(Cellv::Text).collect());
    let mut out = rust_xlsxwriter::Workbook::new();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d");
    for (name, rows) in &sheets {
        let ws = out.add_worksheet().set_name(name).unwrap();
        write_rows(ws, rows, &date_format);
    }
    out.save(path).unwrap();
}

fn write_rows(
    ws: &mut rust_xlsxwriter::Worksheet,
    rows: &[Vec<Cellv>],
    date_format: &rust_xlsxwriter::Format,
) {
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match v {
                Cellv::Text(t) if t.is_empty() => {}
                Cellv::Text(t) => {
                    ws.write_string(r, c, t).unwrap();
                }
                Cellv::Number(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                Cellv::Date(n) => {
                    ws.write_number_with_format(r, c, *n, date_format).unwrap();
                }
            }
        }
    }
}

/// A cell value kept with its type through [`resave_classified`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cellv {
    Text(String),
    Number(f64),
    /// An Excel serial day number shown as a date.
    Date(f64),
}

impl Cellv {
    pub fn text(&self) -> String {
        match self {
            Cellv::Text(t) => t.clone(),
            Cellv::Number(n) | Cellv::Date(n) => n.to_string(),
        }
    }
}

/// 一覧 of a 分類一覧.xlsx as (header, data rows) of cell texts.
pub fn list_table(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let book = read_book(path);
    let mut sheet = rows(&book, "一覧").to_vec();
    let header = sheet.remove(0);
    sheet.retain(|r| r.iter().any(|c| !c.is_empty()));
    (header, sheet)
}

/// The column of `name` in a header row.
pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// Writes a 例② (classified) meeting workbook: for each (category, kind,
/// remarks) one row whose 意見 cell is a bullet list.
///
/// ```text
///   | A      | B          | C             | D
/// 1 | 職種名 | <職種>     |               |
/// 2 | 【一次連携】 第<n>回 <職種>との打合せ会
/// 3 | <date>
/// 5 | 順位   | カテゴリ   | 課題/アイデア | 意見
/// 6 | 1      | <category> | <kind>        | ・<remark>\n・<remark>
/// ```
pub fn write_classified_meeting(
    path: &Path,
    profession: &str,
    round: u32,
    date: &str,
    rows: &[(&str, &str, &[&str])],
) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    title_block(ws, profession, round, date);
    for (c, h) in ["順位", "カテゴリ", "課題/アイデア", "意見"]
        .iter()
        .enumerate()
    {
        ws.write_string(4, c as u16, *h).unwrap();
    }
    for (i, (category, kind, remarks)) in rows.iter().enumerate() {
        let r = 5 + i as u32;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, *category).unwrap();
        ws.write_string(r, 2, *kind).unwrap();
        let bullets: Vec<String> = remarks.iter().map(|t| format!("・{t}")).collect();
        ws.write_string(r, 3, bullets.join("\n")).unwrap();
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    wb.save(path).unwrap();
}

/// Rows 1–3 of a meeting sheet: `職種名`, the title with its round, the date.
fn title_block(ws: &mut rust_xlsxwriter::Worksheet, profession: &str, round: u32, date: &str) {
    ws.write_string(0, 0, "職種名").unwrap();
    ws.write_string(0, 1, profession).unwrap();
    ws.write_string(
        1,
        0,
        format!("【一次連携】 第{round}回 {profession}との打合せ会"),
    )
    .unwrap();
    ws.write_string(2, 0, date).unwrap();
}

/// `renkei check --json` on `dir`: the exit code, stderr, and for each file
/// of the JSON report its entry, whether a sheet gave a meeting, and how
/// many stderr lines name it as a skipped file (`: path — reason`).
pub fn check_naming(dir: &Path) -> (Option<i32>, String, Vec<(Value, bool, usize)>) {
    let out = renkei()
        .args(["check", "--json"])
        .arg(dir)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let files = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let meeting = f["sheets"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["outcome"] == "meeting");
            let lines = stderr
                .lines()
                .filter(|l| l.contains(&format!(": {path} — ")))
                .count();
            (f.clone(), meeting, lines)
        })
        .collect();
    (out.status.code(), stderr, files)
}
