//! A written .xlsx read back as plain data for the print checks: sheets with
//! their cells, styles, column widths, row heights, merges, page setup,
//! print area, page breaks and charts. Only what renkei's writers produce
//! is understood (inline or shared strings, twoCellAnchor charts).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::xml::{self, Element};

/// 1-based cell box: (first col, first row, last col, last row).
pub type CellBox = (u32, u32, u32, u32);

#[derive(Debug, Clone, Copy)]
pub struct Font {
    pub size: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct Xf {
    pub font: usize,
    pub wrap: bool,
    pub filled: bool,
}

#[derive(Debug)]
pub struct CellData {
    pub col: u32,
    pub row: u32,
    pub xf: usize,
    /// The text of a string cell.
    pub text: Option<String>,
    pub number: Option<f64>,
}

#[derive(Debug, Default)]
pub struct PageSetup {
    /// Excel's paper code: 9 = A4, 8 = A3 (none: A4).
    pub paper: u32,
    pub landscape: bool,
    pub scale: u32,
    pub fit_to_page: bool,
    pub fit_width: u32,
    pub fit_height: u32,
    /// Left, right, top, bottom, in inches.
    pub margins: [f64; 4],
}

#[derive(Debug)]
pub struct Chart {
    pub anchor: CellBox,
    /// The anchor's height in sheet points.
    pub height: f64,
    pub prints: bool,
    /// Scaling orientation of each category axis, then each value axis.
    pub category_axes: Vec<String>,
    pub value_axes: Vec<String>,
    /// Categories plotted (rows of the category range).
    pub categories: u32,
    /// Every text size set in the chart, in points (10, Excel's default,
    /// when none is).
    pub font_sizes: Vec<f64>,
}

#[derive(Debug)]
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub widths: BTreeMap<u32, f64>,
    pub hidden_cols: Vec<u32>,
    pub default_width: f64,
    pub heights: BTreeMap<u32, f64>,
    pub hidden_rows: Vec<u32>,
    pub default_height: f64,
    pub cells: Vec<CellData>,
    pub merges: Vec<CellBox>,
    pub print_area: Option<CellBox>,
    /// Rows repeated at the top of each page.
    pub title_rows: Option<(u32, u32)>,
    pub page: PageSetup,
    /// Manual breaks: a page ends after each of these rows.
    pub row_breaks: Vec<u32>,
    pub charts: Vec<Chart>,
    /// The `formula1` of each list validation.
    pub list_sources: Vec<String>,
}

impl Sheet {
    pub fn width(&self, col: u32) -> f64 {
        if self.hidden_cols.contains(&col) {
            return 0.0;
        }
        self.widths.get(&col).copied().unwrap_or(self.default_width)
    }

    pub fn height(&self, row: u32) -> f64 {
        if self.hidden_rows.contains(&row) {
            return 0.0;
        }
        self.heights
            .get(&row)
            .copied()
            .unwrap_or(self.default_height)
    }

    pub fn is_hidden(&self, cell: &CellData) -> bool {
        self.hidden_cols.contains(&cell.col) || self.hidden_rows.contains(&cell.row)
    }

    /// The merge a cell anchors, or the cell alone.
    pub fn box_of(&self, cell: &CellData) -> CellBox {
        self.merges
            .iter()
            .copied()
            .find(|m| m.0 == cell.col && m.1 == cell.row)
            .unwrap_or((cell.col, cell.row, cell.col, cell.row))
    }

    /// Whether a cell lies under a merge it does not anchor.
    pub fn is_covered(&self, cell: &CellData) -> bool {
        self.merges
            .iter()
            .any(|m| inside((cell.col, cell.row), *m) && (m.0, m.1) != (cell.col, cell.row))
    }

    /// What prints: the print area, else A1 to the last cell written or
    /// chart.
    pub fn printed(&self) -> CellBox {
        if let Some(area) = self.print_area {
            return area;
        }
        let mut last = (1, 1);
        for c in &self.cells {
            last = (last.0.max(c.col), last.1.max(c.row));
        }
        for ch in &self.charts {
            last = (last.0.max(ch.anchor.2), last.1.max(ch.anchor.3));
        }
        (1, 1, last.0, last.1)
    }

    pub fn cell(&self, col: u32, row: u32) -> Option<&CellData> {
        self.cells.iter().find(|c| c.col == col && c.row == row)
    }
}

pub fn inside((col, row): (u32, u32), b: CellBox) -> bool {
    b.0 <= col && col <= b.2 && b.1 <= row && row <= b.3
}

#[derive(Debug)]
pub struct Book {
    pub path: PathBuf,
    pub fonts: Vec<Font>,
    pub xfs: Vec<Xf>,
    pub sheets: Vec<Sheet>,
}

impl Book {
    pub fn font(&self, cell: &CellData) -> Font {
        let xf = self.xfs.get(cell.xf).copied().unwrap_or(self.xfs[0]);
        self.fonts[xf.font]
    }

    pub fn xf(&self, cell: &CellData) -> Xf {
        self.xfs.get(cell.xf).copied().unwrap_or(self.xfs[0])
    }

    pub fn sheet(&self, name: &str) -> &Sheet {
        self.sheets
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("{}: no sheet {name}", self.path.display()))
    }
}

struct Parts(zip::ZipArchive<std::fs::File>);

impl Parts {
    fn get(&mut self, name: &str) -> Option<Element> {
        let mut file = self.0.by_name(name).ok()?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        Some(xml::parse(&bytes))
    }

    /// A part's relationships: id → part name.
    fn rels(&mut self, part: &str) -> HashMap<String, String> {
        let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
        let Some(rels) = self.get(&format!("{dir}/_rels/{file}.rels")) else {
            return HashMap::new();
        };
        rels.children("Relationship")
            .map(|r| {
                let target = r.attr("Target").unwrap_or_default();
                (
                    r.attr("Id").unwrap_or_default().to_string(),
                    join(dir, target),
                )
            })
            .collect()
    }
}

/// Resolves a relationship target against the part's folder.
fn join(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// "AB12" → (28, 12); "$A$1" likewise; a bare column or row gives 0 for
/// the other.
pub fn cell_ref(s: &str) -> (u32, u32) {
    let s = s.replace('$', "");
    let letters: String = s.chars().take_while(char::is_ascii_alphabetic).collect();
    let col = letters.chars().fold(0, |n, c| {
        n * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)
    });
    let row = s[letters.len()..].parse().unwrap_or(0);
    (col, row)
}

/// "A1:E27" (a sheet prefix is dropped) → box.
pub fn range_ref(s: &str) -> CellBox {
    let s = s.rsplit('!').next().unwrap_or(s);
    let (a, b) = s.split_once(':').unwrap_or((s, s));
    let (c1, r1) = cell_ref(a);
    let (c2, r2) = cell_ref(b);
    (c1, r1, c2, r2)
}

pub fn read(path: &Path) -> Book {
    let file = std::fs::File::open(path).unwrap();
    let mut parts = Parts(zip::ZipArchive::new(file).unwrap());
    let styles = parts.get("xl/styles.xml").unwrap();
    let fonts = styles
        .child("fonts")
        .unwrap()
        .children("font")
        .map(|f| Font {
            size: f
                .child("sz")
                .and_then(|s| s.attr_f64("val"))
                .unwrap_or(11.0),
        })
        .collect();
    let fills: Vec<bool> = styles
        .child("fills")
        .unwrap()
        .children("fill")
        .map(|f| f.path(&["patternFill"]).and_then(|p| p.attr("patternType")) == Some("solid"))
        .collect();
    let xfs = styles
        .child("cellXfs")
        .unwrap()
        .children("xf")
        .map(|x| Xf {
            font: x.attr("fontId").and_then(|v| v.parse().ok()).unwrap_or(0),
            wrap: x.child("alignment").is_some_and(|a| a.flag("wrapText")),
            filled: x
                .attr("fillId")
                .and_then(|v| v.parse::<usize>().ok())
                .is_some_and(|i| fills.get(i).copied().unwrap_or(false)),
        })
        .collect();
    let shared: Vec<String> = parts
        .get("xl/sharedStrings.xml")
        .map(|s| s.children("si").map(Element::all_text).collect())
        .unwrap_or_default();

    let workbook = parts.get("xl/workbook.xml").unwrap();
    let rels = parts.rels("xl/workbook.xml");
    let mut names: Vec<(usize, String, String)> = Vec::new();
    if let Some(defined) = workbook.child("definedNames") {
        for d in defined.children("definedName") {
            if let Some(id) = d.attr("localSheetId").and_then(|v| v.parse().ok()) {
                names.push((
                    id,
                    d.attr("name").unwrap_or_default().to_string(),
                    d.text.clone(),
                ));
            }
        }
    }
    let mut sheets = Vec::new();
    for (i, s) in workbook
        .child("sheets")
        .unwrap()
        .children("sheet")
        .enumerate()
    {
        let part = rels[s.attr("id").unwrap()].clone();
        let name_of = |n: &str| {
            names
                .iter()
                .find(|(id, name, _)| *id == i && name == n)
                .map(|(_, _, v)| v.clone())
        };
        let print_area = name_of("_xlnm.Print_Area").map(|v| range_ref(&v));
        let title_rows = name_of("_xlnm.Print_Titles").map(|v| {
            let b = range_ref(&v);
            (b.1, b.3)
        });
        let mut sheet = read_sheet(&mut parts, &part, &shared);
        sheet.name = s.attr("name").unwrap().to_string();
        sheet.hidden = s.attr("state").is_some_and(|v| v != "visible");
        sheet.print_area = print_area;
        sheet.title_rows = title_rows;
        sheets.push(sheet);
    }
    Book {
        path: path.to_path_buf(),
        fonts,
        xfs,
        sheets,
    }
}

fn read_sheet(parts: &mut Parts, part: &str, shared: &[String]) -> Sheet {
    let x = parts.get(part).unwrap();
    let format = x.child("sheetFormatPr");
    let mut sheet = Sheet {
        name: String::new(),
        hidden: false,
        widths: BTreeMap::new(),
        hidden_cols: Vec::new(),
        default_width: format
            .and_then(|f| f.attr_f64("defaultColWidth"))
            .unwrap_or(8.43),
        heights: BTreeMap::new(),
        hidden_rows: Vec::new(),
        default_height: format
            .and_then(|f| f.attr_f64("defaultRowHeight"))
            .unwrap_or(15.0),
        cells: Vec::new(),
        merges: Vec::new(),
        print_area: None,
        title_rows: None,
        page: PageSetup::default(),
        row_breaks: Vec::new(),
        charts: Vec::new(),
        list_sources: Vec::new(),
    };
    for col in x.children("cols").flat_map(|c| c.children("col")) {
        let min = col.attr("min").unwrap().parse::<u32>().unwrap();
        let max = col.attr("max").unwrap().parse::<u32>().unwrap();
        for c in min..=max {
            if let Some(w) = col.attr_f64("width") {
                sheet.widths.insert(c, w);
            }
            if col.flag("hidden") {
                sheet.hidden_cols.push(c);
            }
        }
    }
    for row in x.children("sheetData").flat_map(|d| d.children("row")) {
        let r: u32 = row.attr("r").unwrap().parse().unwrap();
        if let Some(ht) = row.attr_f64("ht") {
            sheet.heights.insert(r, ht);
        }
        if row.flag("hidden") {
            sheet.hidden_rows.push(r);
        }
        for c in row.children("c") {
            let (col, row) = cell_ref(c.attr("r").unwrap());
            let value = c.child("v").map(|v| v.text.clone());
            let (text, number) = match c.attr("t") {
                Some("s") => {
                    let i: usize = value.unwrap().parse().unwrap();
                    (Some(shared[i].clone()), None)
                }
                Some("inlineStr") => (c.child("is").map(Element::all_text), None),
                Some("str") => (value, None),
                _ => (None, value.and_then(|v| v.parse().ok())),
            };
            let xf = c.attr("s").and_then(|s| s.parse().ok()).unwrap_or(0);
            sheet.cells.push(CellData {
                col,
                row,
                xf,
                text,
                number,
            });
        }
    }
    sheet.merges = x
        .children("mergeCells")
        .flat_map(|m| m.children("mergeCell"))
        .map(|m| range_ref(m.attr("ref").unwrap()))
        .collect();
    let fit = x
        .path(&["sheetPr", "pageSetUpPr"])
        .is_some_and(|p| p.flag("fitToPage"));
    let margins = x.child("pageMargins");
    let margin = |k: &str, d: f64| margins.and_then(|m| m.attr_f64(k)).unwrap_or(d);
    let setup = x.child("pageSetup");
    let num = |k: &str, d: u32| {
        setup
            .and_then(|s| s.attr(k))
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    sheet.page = PageSetup {
        paper: num("paperSize", 9),
        landscape: setup.and_then(|s| s.attr("orientation")) == Some("landscape"),
        scale: num("scale", 100),
        fit_to_page: fit,
        fit_width: num("fitToWidth", 1),
        fit_height: num("fitToHeight", 1),
        margins: [
            margin("left", 0.7),
            margin("right", 0.7),
            margin("top", 0.75),
            margin("bottom", 0.75),
        ],
    };
    sheet.row_breaks = x
        .children("rowBreaks")
        .flat_map(|b| b.children("brk"))
        .filter_map(|b| b.attr("id").and_then(|v| v.parse().ok()))
        .collect();
    let mut validations = Vec::new();
    x.descendants("dataValidation", &mut validations);
    sheet.list_sources = validations
        .iter()
        .filter(|v| v.attr("type") == Some("list"))
        .filter_map(|v| v.child("formula1").map(|f| f.text.clone()))
        .collect();
    let rels = parts.rels(part);
    if let Some(drawing) = x.child("drawing").and_then(|d| d.attr("id")) {
        let drawing = rels[drawing].clone();
        sheet.charts = read_charts(parts, &drawing, &sheet);
    }
    sheet
}

/// The charts of a drawing part, with where they sit on the sheet.
fn read_charts(parts: &mut Parts, drawing: &str, sheet: &Sheet) -> Vec<Chart> {
    const EMU_PER_POINT: f64 = 12_700.0;
    let x = parts.get(drawing).unwrap();
    let rels = parts.rels(drawing);
    let mut charts = Vec::new();
    for anchor in x.children("twoCellAnchor") {
        let mut refs = Vec::new();
        anchor.descendants("chart", &mut refs);
        let Some(id) = refs.first().and_then(|c| c.attr("id")) else {
            continue;
        };
        let marker = |which: &str| {
            let m = anchor.child(which).unwrap();
            let n = |k: &str| m.child(k).unwrap().text.trim().parse::<u32>().unwrap();
            (n("col"), n("colOff"), n("row"), n("rowOff"))
        };
        let (fc, _, fr, fro) = marker("from");
        let (tc, tco, tr, tro) = marker("to");
        let height = (fr + 1..tr + 1).map(|r| sheet.height(r)).sum::<f64>()
            - f64::from(fro) / EMU_PER_POINT
            + f64::from(tro) / EMU_PER_POINT;
        let chart = parts.get(&rels[id]).unwrap();
        let axes = |name: &str| {
            let mut found = Vec::new();
            chart.descendants(name, &mut found);
            found
                .iter()
                .map(|ax| {
                    ax.path(&["scaling", "orientation"])
                        .and_then(|o| o.attr("val"))
                        .unwrap_or("minMax")
                        .to_string()
                })
                .collect::<Vec<_>>()
        };
        let mut cats = Vec::new();
        chart.descendants("cat", &mut cats);
        let categories = cats
            .first()
            .and_then(|c| {
                c.path(&["strRef", "f"])
                    .or_else(|| c.path(&["numRef", "f"]))
            })
            .map(|f| {
                let b = range_ref(&f.text);
                b.3 - b.1 + 1
            })
            .unwrap_or(0);
        let mut runs = Vec::new();
        chart.descendants("defRPr", &mut runs);
        chart.descendants("rPr", &mut runs);
        let mut font_sizes: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.attr_f64("sz"))
            .map(|sz| sz / 100.0)
            .collect();
        if font_sizes.is_empty() {
            font_sizes.push(10.0);
        }
        charts.push(Chart {
            anchor: (
                fc + 1,
                fr + 1,
                tc + u32::from(tco > 0),
                tr + u32::from(tro > 0),
            ),
            height,
            prints: anchor
                .child("clientData")
                .is_none_or(|c| !matches!(c.attr("fPrintsWithSheet"), Some("0" | "false"))),
            category_axes: axes("catAx"),
            value_axes: axes("valAx"),
            categories,
            font_sizes,
        });
    }
    charts
}
