//! A sheet's used cells as a small sparse grid, independent of the file
//! format, so the layout logic never touches calamine.

use chrono::NaiveDate;

use super::cell::CellIssue;

/// One cell value, reduced to what the sheets need.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    /// A cell Excel formatted as a date.
    Date(NaiveDate),
    Bool(bool),
}

impl Value {
    /// The cell as staff see it, for text logic (numbers without `.0`).
    pub fn as_text(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Number(n) => number_text(*n),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        }
    }
}

/// Non-empty cells of one sheet, grouped by row in ascending order.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// `(row, cells)` with 0-based row; cells `(col, value)` sorted by column.
    pub rows: Vec<(u32, Vec<(u32, Value)>)>,
    /// Cells not read as their format says, `(row, col, issue)`: warned.
    pub issues: Vec<(u32, u32, CellIssue)>,
}

impl Grid {
    /// Builds a grid from cells in any order (streamed readers give row order,
    /// but a hand-made file need not).
    pub fn from_cells(mut cells: Vec<(u32, u32, Value)>) -> Grid {
        cells.sort_by_key(|&(r, c, _)| (r, c));
        let mut rows: Vec<(u32, Vec<(u32, Value)>)> = Vec::new();
        for (r, c, v) in cells {
            match rows.last_mut() {
                Some((lr, cs)) if *lr == r => {
                    // A duplicated position keeps the last value, as Excel would.
                    if let Some(last) = cs.last_mut().filter(|(lc, _)| *lc == c) {
                        last.1 = v;
                    } else {
                        cs.push((c, v));
                    }
                }
                _ => rows.push((r, vec![(c, v)])),
            }
        }
        Grid {
            rows,
            issues: Vec::new(),
        }
    }

    pub fn with_issues(mut self, issues: Vec<(u32, u32, CellIssue)>) -> Grid {
        self.issues = issues;
        self
    }

    /// Renumbers rows and columns: row `r` becomes `rows[r]`, column `c`
    /// becomes `cols[c]` (both ascending, so the order stays). Cells
    /// outside the maps are dropped (they cannot occur for a map made
    /// from the same file).
    pub fn remap(&mut self, rows: &[u32], cols: &[u32]) {
        let rows_in = std::mem::take(&mut self.rows);
        for (r, cells) in rows_in {
            let Some(&row) = rows.get(r as usize) else {
                continue;
            };
            let cells: Vec<(u32, Value)> = cells
                .into_iter()
                .filter_map(|(c, v)| cols.get(c as usize).map(|&col| (col, v)))
                .collect();
            if !cells.is_empty() {
                self.rows.push((row, cells));
            }
        }
        self.issues.retain_mut(
            |(r, c, _)| match (rows.get(*r as usize), cols.get(*c as usize)) {
                (Some(&row), Some(&col)) => {
                    (*r, *c) = (row, col);
                    true
                }
                _ => false,
            },
        );
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The cells of row `r`, empty when the row has none.
    pub fn row(&self, r: u32) -> &[(u32, Value)] {
        match self.rows.binary_search_by_key(&r, |(row, _)| *row) {
            Ok(i) => &self.rows[i].1,
            Err(_) => &[],
        }
    }
}

/// A number as text: whole numbers without `.0`; very large or very small
/// ones in exponent form (Rust's plain form of 1e308 has 309 digits).
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else if n.is_finite() && (n.abs() >= 1e15 || n.abs() < 1e-6) {
        format!("{n:e}")
    } else {
        n.to_string()
    }
}

/// Excel's column letters for a 0-based column (0 → A, 26 → AA).
pub fn column_letter(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        for (c, want) in [
            (0, "A"),
            (4, "E"),
            (25, "Z"),
            (26, "AA"),
            (701, "ZZ"),
            (16383, "XFD"),
        ] {
            assert_eq!(column_letter(c), want);
        }
    }

    #[test]
    fn numbers_as_text() {
        for (n, want) in [
            (12.0, "12"),
            (-3.0, "-3"),
            (0.5, "0.5"),
            (1e308, "1e308"),
            (-1e20, "-1e20"),
            (5e-300, "5e-300"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(number_text(n), want, "{n}");
        }
    }

    #[test]
    fn grid_groups_rows_in_order() {
        let g = Grid::from_cells(vec![
            (3, 1, Value::Text("b".into())),
            (0, 0, Value::Number(1.0)),
            (3, 0, Value::Text("a".into())),
        ]);
        assert_eq!(g.rows.len(), 2);
        assert_eq!(g.row(3)[0].1, Value::Text("a".into()));
        assert!(g.row(2).is_empty());
    }
}
