//! Finds the header row of a meeting sheet and tells the two layouts apart.
//!
//! Matching ignores spaces (the manual writes `意 見`), full- vs half-width
//! and case, and accepts the synonyms offices use (SPEC §1). Columns may come
//! in any order; unknown columns are kept as extra fields.

use unicode_normalization::UnicodeNormalization;

use super::grid::{Grid, Value};
use crate::model::Layout;

/// How many rows from the top may hold the header.
pub const HEADER_SEARCH_ROWS: u32 = 30;

/// The meaning of a header column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    No,
    Profession,
    Speaker,
    Opinion,
    Note,
    Rank,
    Category,
    Kind,
}

/// Header words per role, already in [`header_key`] form.
const SYNONYMS: &[(Role, &[&str])] = &[
    (
        Role::No,
        &["no", "no.", "番号", "#", "nо", "通し番号", "連番"],
    ),
    (Role::Profession, &["職種", "職種名"]),
    (Role::Speaker, &["発言者", "氏名", "発言者名"]),
    (
        Role::Opinion,
        &["意見", "ご意見", "御意見", "発言内容", "内容", "課題"],
    ),
    (Role::Note, &["備考", "キーワード", "関係者"]),
    (Role::Rank, &["順位"]),
    (Role::Category, &["カテゴリ", "カテゴリー", "分類", "項目"]),
    (
        Role::Kind,
        &[
            "課題/アイデア",
            "課題/アイディア",
            "課題・アイデア",
            "区分",
            "種別",
        ],
    ),
];

/// The normalized form header cells are compared in.
pub fn header_key(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .trim_end_matches([':', '：'])
        .to_string()
}

fn role_of(cell: &str) -> Option<Role> {
    let key = header_key(cell);
    SYNONYMS
        .iter()
        .find(|(_, words)| words.contains(&key.as_str()))
        .map(|(role, _)| *role)
}

/// A detected header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// 0-based row of the header.
    pub row: u32,
    pub layout: Layout,
    /// Column of each recognized role (first occurrence wins).
    pub roles: Vec<(Role, u32)>,
    /// Other non-empty header cells: `(column, header text)`.
    pub extras: Vec<(u32, String)>,
}

impl Header {
    pub fn col(&self, role: Role) -> Option<u32> {
        self.roles.iter().find(|(r, _)| *r == role).map(|(_, c)| *c)
    }
}

/// The first row among the top [`HEADER_SEARCH_ROWS`] that reads as a header.
pub fn find_header(grid: &Grid) -> Option<Header> {
    grid.rows
        .iter()
        .take_while(|(r, _)| *r < HEADER_SEARCH_ROWS)
        .find_map(|(r, cells)| header_of_row(*r, cells))
}

fn header_of_row(row: u32, cells: &[(u32, Value)]) -> Option<Header> {
    let mut roles: Vec<(Role, u32)> = Vec::new();
    let mut extras = Vec::new();
    for (col, v) in cells {
        let Value::Text(text) = v else {
            extras.push((*col, v.as_text()));
            continue;
        };
        match role_of(text) {
            Some(role) if !roles.iter().any(|(r, _)| *r == role) => roles.push((role, *col)),
            _ => extras.push((*col, text.trim().to_string())),
        }
    }
    let has = |role: Role| roles.iter().any(|(r, _)| *r == role);
    let layout =
        if has(Role::Opinion) && has(Role::Category) && (has(Role::Kind) || has(Role::Rank)) {
            Layout::Classified
        } else if has(Role::Opinion)
            && [Role::No, Role::Profession, Role::Speaker, Role::Note]
                .iter()
                .any(|r| has(*r))
        {
            Layout::List
        } else {
            return None;
        };
    Some(Header {
        row,
        layout,
        roles,
        extras,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(texts: &[&str]) -> Vec<(u32, Value)> {
        texts
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.is_empty())
            .map(|(i, t)| (i as u32, Value::Text(t.to_string())))
            .collect()
    }

    #[test]
    fn layouts_and_synonyms() {
        let cases: &[(&[&str], Option<Layout>)] = &[
            (
                &["No", "職種", "発言者", "意 見", "備考"],
                Some(Layout::List),
            ),
            (
                &["ＮＯ．", "職種名", "氏名", "ご意見", "キーワード"],
                Some(Layout::List),
            ),
            (&["#", "発言者名", "発言内容"], Some(Layout::List)),
            (&["番号", "内容", "関係者"], Some(Layout::List)),
            (&["意見", "No", "職種"], Some(Layout::List)),
            (
                &["順位", "カテゴリ", "課題/アイデア", "意 見"],
                Some(Layout::Classified),
            ),
            (
                &["順位", "カテゴリー", "課題／アイデア", "意見"],
                Some(Layout::Classified),
            ),
            (&["分類", "区分", "意見"], Some(Layout::Classified)),
            (
                &["項目", "種別", "ご意見", "メモ"],
                Some(Layout::Classified),
            ),
            (&["職種名", "薬剤師"], None),
            (&["【一次連携】 第1回薬剤師会との打合せ会"], None),
            (&["意見"], None),
            (&["No", "職種", "発言者"], None),
        ];
        for (cells, want) in cases {
            let got = header_of_row(0, &row(cells)).map(|h| h.layout);
            assert_eq!(got, *want, "{cells:?}");
        }
    }

    #[test]
    fn extra_columns_are_kept_and_order_is_free() {
        let h = header_of_row(4, &row(&["備考", "意見", "日付", "No", "メモ"])).unwrap();
        assert_eq!(h.col(Role::Opinion), Some(1));
        assert_eq!(h.col(Role::No), Some(3));
        assert_eq!(
            h.extras,
            vec![(2, "日付".to_string()), (4, "メモ".to_string())]
        );
    }

    #[test]
    fn header_only_in_first_30_rows() {
        let mut cells = Vec::new();
        for (c, t) in ["No", "職種", "発言者", "意見", "備考"].iter().enumerate() {
            cells.push((30, c as u32, Value::Text(t.to_string())));
        }
        assert!(find_header(&Grid::from_cells(cells.clone())).is_none());
        for c in &mut cells {
            c.0 = 29;
        }
        assert_eq!(find_header(&Grid::from_cells(cells)).unwrap().row, 29);
    }
}
