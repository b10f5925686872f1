//! Corrections staff typed into the previous 分類一覧.xlsx (the three 修正
//! columns). A rerun reads them back and applies them to the same remarks,
//! matched by remark id, so a correction is never lost; one whose remark is
//! gone is reported.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use crate::ingest::guard;
use crate::model::{Batch, Kind, Labels, Location};

/// Header names of the 一覧 sheet's id and correction columns.
pub const ID_HEADER: &str = "ID";
pub const CATEGORY_HEADER: &str = "カテゴリ(修正)";
pub const KIND_HEADER: &str = "課題/アイデア(修正)";
pub const LOCATION_HEADER: &str = "所在(修正)";
pub const LIST_SHEET: &str = "一覧";

/// What staff typed for one remark (empty strings where nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Correction {
    pub category: String,
    pub kind: String,
    pub location: String,
}

impl Correction {
    pub fn is_empty(&self) -> bool {
        self.category.is_empty() && self.kind.is_empty() && self.location.is_empty()
    }
}

/// Reads the corrections of a previous 分類一覧.xlsx: id → correction, only
/// rows where something was typed. `Ok(empty)` when the file does not exist.
pub fn load(path: &Path) -> Result<HashMap<String, Correction>, String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => {
            let why =
                crate::os::error::describe(&e, "前回の", path, crate::os::error::Access::Read);
            return Err(why.trim_end_matches('。').to_string());
        }
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Err(r) = guard::inspect(&name, &bytes, &guard::Limits::default()) {
        return Err(format!("前回の {name} を読めません: {}", r.reason()));
    }
    let mut wb =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("前回の {name} を読めません（{e}）"))?;
    let range = wb
        .worksheet_range(LIST_SHEET)
        .map_err(|_| format!("前回の {name} に「{LIST_SHEET}」シートがありません"))?;
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Ok(HashMap::new());
    };
    let col = |h: &str| header.iter().position(|c| text(c) == h);
    let (Some(id), Some(cat), Some(kind), Some(loc)) = (
        col(ID_HEADER),
        col(CATEGORY_HEADER),
        col(KIND_HEADER),
        col(LOCATION_HEADER),
    ) else {
        return Err(format!(
            "前回の {name} の「{LIST_SHEET}」シートに ID と 修正 の列が見つかりません"
        ));
    };
    let mut out = HashMap::new();
    for row in rows {
        let get = |i: usize| row.get(i).map(text).unwrap_or_default();
        let c = Correction {
            category: get(cat),
            kind: get(kind),
            location: get(loc),
        };
        let id = get(id);
        if !id.is_empty() && !c.is_empty() {
            out.insert(id, c);
        }
    }
    Ok(out)
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.trim().to_string(),
        Data::Empty => String::new(),
        other => other.to_string().trim().to_string(),
    }
}

/// The outcome of applying corrections to this run's labels.
#[derive(Debug, Default)]
pub struct Applied {
    /// Per remark, what was typed (carried into the new workbook).
    pub per_remark: Vec<Correction>,
    /// How many remarks had a correction applied.
    pub applied: usize,
    /// Messages for staff: corrections whose remark is gone, unreadable values.
    pub warnings: Vec<String>,
}

/// Overrides `labels` with the corrections whose remark id is in `batch`.
pub fn apply(
    batch: &Batch,
    labels: &mut [Labels],
    previous: &HashMap<String, Correction>,
) -> Applied {
    let mut applied = Applied {
        per_remark: vec![Correction::default(); batch.remarks.len()],
        ..Applied::default()
    };
    let mut used = 0;
    for (i, remark) in batch.remarks.iter().enumerate() {
        let Some(c) = previous.get(&remark.id) else {
            continue;
        };
        used += 1;
        applied.per_remark[i] = c.clone();
        let label = &mut labels[i];
        let mut changed = false;
        if !c.category.is_empty() {
            let cats: Vec<String> = c
                .category
                .split(['、', ',', '，', '/', '／'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if !cats.is_empty() {
                label.categories = cats;
                changed = true;
            }
        }
        if !c.kind.is_empty() {
            match Kind::from_label(&c.kind) {
                Some(k) => {
                    label.kind = k;
                    changed = true;
                }
                None => applied.warnings.push(format!(
                    "ID {} の 課題/アイデア(修正)「{}」は「課題」か「アイデア」ではないので使いません",
                    remark.id, c.kind
                )),
            }
        }
        if !c.location.is_empty() {
            match Location::from_label(&c.location) {
                Some(l) => {
                    label.location = l;
                    changed = true;
                }
                None => applied.warnings.push(format!(
                    "ID {} の 所在(修正)「{}」は「職種内」「職種間」「地域全体」のどれでもないので使いません",
                    remark.id, c.location
                )),
            }
        }
        if changed {
            applied.applied += 1;
        }
    }
    if used < previous.len() {
        let ids: std::collections::HashSet<&str> =
            batch.remarks.iter().map(|r| r.id.as_str()).collect();
        let mut gone: Vec<&String> = previous
            .keys()
            .filter(|id| !ids.contains(id.as_str()))
            .collect();
        gone.sort();
        for id in gone {
            applied.warnings.push(format!(
                "前回の修正（ID {id}）の意見が今回の入力にありません。この修正は使われませんでした"
            ));
        }
    }
    applied
}
