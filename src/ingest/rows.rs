//! The rows under the header: one remark a row (例①) or a bullet list per
//! category and kind (例②). Placeholder, empty-bullet and note rows are not
//! remarks; each is listed as ignored with its reason, so nothing vanishes.

use super::grid::{column_letter, Grid, Value};
use super::header::{Header, Role};
use crate::model::{Ignored, IgnoredKind, Kind, Remark, SourceRef};
use crate::normalize;

/// What the rows of one sheet held.
#[derive(Debug, Default)]
pub struct Rows {
    /// Remarks in sheet order; `id` and `meeting` are filled in by the caller.
    pub remarks: Vec<Remark>,
    pub ignored: Vec<Ignored>,
    pub warnings: Vec<String>,
    /// The 職種 column's values, for the profession of the meeting.
    pub row_professions: Vec<String>,
    /// 例② categories in sheet order, including empty ones.
    pub categories: Vec<String>,
    /// 【再掲】 lines folded into an earlier remark.
    pub relistings: usize,
}

/// Where a remark sits, for 出典 and messages.
struct Place<'a> {
    file: &'a str,
    sheet: &'a str,
}

impl Place<'_> {
    fn at(&self, row: u32, col: u32) -> SourceRef {
        SourceRef {
            file: self.file.to_string(),
            sheet: self.sheet.to_string(),
            row: row + 1,
            col: column_letter(col),
        }
    }
}

fn cell_text(cells: &[(u32, Value)], col: Option<u32>) -> Option<String> {
    let col = col?;
    cells
        .iter()
        .find(|(c, _)| *c == col)
        .map(|(_, v)| v.as_text().trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Everything on the row that is not in one of `roles`' columns.
fn stray_text(cells: &[(u32, Value)], header: &Header, roles: &[Role]) -> Option<String> {
    let used: Vec<u32> = roles.iter().filter_map(|r| header.col(*r)).collect();
    let parts: Vec<String> = cells
        .iter()
        .filter(|(c, _)| !used.contains(c))
        .map(|(_, v)| v.as_text().trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn extras(cells: &[(u32, Value)], header: &Header) -> Vec<(String, String)> {
    header
        .extras
        .iter()
        .filter_map(|(col, name)| cell_text(cells, Some(*col)).map(|v| (name.clone(), v)))
        .collect()
}

/// Shared by both layouts: split a 意見 cell into remarks, fold 【再掲】
/// lines into the remark they repeat, and list what is not a remark.
struct Collector<'a> {
    place: Place<'a>,
    out: Rows,
}

/// The parts of a remark that come from its row rather than its text.
#[derive(Default)]
struct RowContext {
    speaker: Option<String>,
    row_profession: Option<String>,
    note: Option<String>,
    category: Option<String>,
    kind: Option<Kind>,
    extra: Vec<(String, String)>,
}

impl Collector<'_> {
    fn ignore(&mut self, row: u32, text: &str, kind: IgnoredKind) {
        self.out.ignored.push(Ignored::new(row + 1, text, kind));
    }

    fn opinion_cell(&mut self, row: u32, col: u32, cell: &str, ctx: &RowContext) {
        for piece in normalize::split_remarks(cell) {
            let r = row + 1;
            if piece.empty {
                self.ignore(row, &piece.text, IgnoredKind::EmptyBullet);
                continue;
            }
            let norm = normalize::normalize(&piece.text);
            if normalize::is_placeholder(&norm.text) {
                self.ignore(row, &piece.text, IgnoredKind::Placeholder);
                continue;
            }
            let key = normalize::match_key(&norm.text);
            if norm.relisted {
                if let Some(orig) = self.out.remarks.iter_mut().find(|m| m.match_key == key) {
                    let orig_row = orig.source.row;
                    if let Some(cat) = &ctx.category {
                        if !orig.given_categories.contains(cat) {
                            orig.given_categories.push(cat.clone());
                        }
                    }
                    self.out.relistings += 1;
                    self.ignore(
                        row,
                        &piece.text,
                        IgnoredKind::Relisting {
                            original_row: orig_row,
                        },
                    );
                    continue;
                }
                self.out.warnings.push(format!(
                    "{r} 行目:【再掲】の元になる意見がこのシートにありません。1件の意見として読みます: {}",
                    norm.text
                ));
            }
            self.out.remarks.push(Remark {
                id: String::new(),
                meeting: 0,
                original: piece.text.clone(),
                normalized: norm.text,
                match_key: key,
                speaker: ctx.speaker.clone(),
                row_profession: ctx.row_profession.clone(),
                note: ctx.note.clone(),
                source: self.place.at(row, col),
                orphan_relisting: norm.relisted,
                given_categories: ctx.category.iter().cloned().collect(),
                given_kind: ctx.kind,
                extra: ctx.extra.clone(),
            });
        }
    }
}

/// Reads the rows below the header.
pub fn read_rows(grid: &Grid, header: &Header, file: &str, sheet: &str) -> Rows {
    let mut c = Collector {
        place: Place { file, sheet },
        out: Rows::default(),
    };
    let body = grid.rows.iter().filter(|(r, _)| *r > header.row);
    match header.layout {
        crate::model::Layout::List => read_list(&mut c, body, header),
        crate::model::Layout::Classified => read_classified(&mut c, body, header),
    }
    c.out
}

fn read_list<'g>(
    c: &mut Collector<'_>,
    body: impl Iterator<Item = &'g (u32, Vec<(u32, Value)>)>,
    header: &Header,
) {
    let opinion_col = header.col(Role::Opinion).expect("a list header has 意見");
    for (row, cells) in body {
        let row_profession = cell_text(cells, header.col(Role::Profession));
        if let Some(p) = &row_profession {
            c.out.row_professions.push(p.clone());
        }
        let Some(opinion) = cell_text(cells, Some(opinion_col)) else {
            match stray_text(cells, header, &[Role::No]) {
                Some(text) => c.ignore(*row, &text, IgnoredKind::EmptyOpinion),
                None => {
                    let no = cell_text(cells, header.col(Role::No)).unwrap_or_default();
                    c.ignore(*row, &no, IgnoredKind::NumberOnly);
                }
            }
            continue;
        };
        let ctx = RowContext {
            speaker: cell_text(cells, header.col(Role::Speaker)),
            row_profession,
            note: cell_text(cells, header.col(Role::Note)),
            extra: extras(cells, header),
            ..RowContext::default()
        };
        c.opinion_cell(*row, opinion_col, &opinion, &ctx);
    }
}

fn read_classified<'g>(
    c: &mut Collector<'_>,
    body: impl Iterator<Item = &'g (u32, Vec<(u32, Value)>)>,
    header: &Header,
) {
    let opinion_col = header
        .col(Role::Opinion)
        .expect("a classified header has 意見");
    let mut category: Option<String> = None;
    let mut kind: Option<Kind> = None;
    let mut last_table_row: Option<u32> = None;
    for (row, cells) in body {
        let own_category = cell_text(cells, header.col(Role::Category)).map(|s| clean_category(&s));
        let own_kind = cell_text(cells, header.col(Role::Kind));
        let opinion = cell_text(cells, Some(opinion_col));
        let adjacent = last_table_row.is_some_and(|l| *row == l + 1);
        let continues = own_category.is_none() && own_kind.is_none();
        // Merged 順位/カテゴリ (and 区分) cells read as blank below their first
        // row, so a blank inherits from above — but only inside the table: a
        // row after a gap, or a ※ note, is text under the table.
        let is_note = continues
            && (!adjacent
                || opinion.is_none()
                || opinion
                    .as_deref()
                    .is_some_and(|o| o.trim_start().starts_with('※')));
        if is_note {
            let text = stray_text(cells, header, &[]).unwrap_or_default();
            c.ignore(*row, &text, IgnoredKind::TableNote);
            continue;
        }
        if let Some(cat) = own_category {
            if !c.out.categories.contains(&cat) {
                c.out.categories.push(cat.clone());
            }
            category = Some(cat);
            kind = None;
        }
        if let Some(k) = own_kind {
            kind = Kind::from_label(&k);
            if kind.is_none() {
                c.out.warnings.push(format!(
                    "{} 行目: 課題/アイデア欄の「{k}」を読めません。自動で判定します",
                    row + 1
                ));
            }
        }
        last_table_row = Some(*row);
        let Some(opinion) = opinion else {
            continue;
        };
        if category.is_none() {
            c.out.warnings.push(format!(
                "{} 行目: カテゴリが空です。自動で分類します",
                row + 1
            ));
        }
        let ctx = RowContext {
            category: category.clone(),
            kind,
            extra: extras(cells, header),
            ..RowContext::default()
        };
        c.opinion_cell(*row, opinion_col, &opinion, &ctx);
    }
}

/// Category names as written, minus spacing and bullets staff add.
fn clean_category(s: &str) -> String {
    normalize::normalize(s).text
}
