//! The title block: rows above the header. Reads the profession label cell,
//! the meeting title, the tier marker (【一次連携】), the round (第1回) and
//! the date, each optional (SPEC §1).

use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

use super::grid::{Grid, Value};
use super::header::header_key;
use crate::dates;
use crate::model::Tier;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TitleBlock {
    /// The value after a `職種名` / `職種:` label, as written.
    pub profession_label: Option<String>,
    /// The meeting title row (`【一次連携】 第1回薬剤師会との打合せ会`).
    pub title: Option<String>,
    /// Every non-empty row of the block as one line, top to bottom.
    pub lines: Vec<String>,
    pub tier: Option<Tier>,
    pub round: Option<u32>,
    pub date: Option<NaiveDate>,
    /// A text that looks like a date but could not be read.
    pub unreadable_date: Option<String>,
}

impl TitleBlock {
    /// Title data that makes a sheet a meeting even with no remark. The tier
    /// marker alone does not: blank forms print it.
    pub fn has_meeting_data(&self) -> bool {
        self.date.is_some() || self.round.is_some() || self.profession_label.is_some()
    }
}

static TITLE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"打合せ|打ち合わせ|打合わせ|打ち合せ|会議|連絡会|ヒアリング|意見交換|懇談|連携|第\s*[0-9０-９一二三四五六七八九十〇]+\s*回")
        .expect("static regex")
});

static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(令和|平成|昭和|[RHSＲＨＳ]\s*[0-9０-９元]).*[年.．/]|[0-9０-９]{4}\s*[/年.．-]|[0-9０-９]+\s*月\s*[0-9０-９]+\s*日|[0-9０-９]\s*/\s*[0-9０-９]")
        .expect("static regex")
});

/// Reads the rows above `header_row`.
pub fn read_title(grid: &Grid, header_row: u32) -> TitleBlock {
    let mut block = TitleBlock::default();
    for (_, cells) in grid.rows.iter().take_while(|(r, _)| *r < header_row) {
        let texts: Vec<String> = cells
            .iter()
            .map(|(_, v)| v.as_text().trim().to_string())
            .collect();
        let line = texts.join(" ");
        let mut label_row = false;
        for (i, (_, v)) in cells.iter().enumerate() {
            if let Value::Text(t) = v {
                if let Some(value) = label_value(t, texts.get(i + 1)) {
                    label_row = true;
                    if block.profession_label.is_none() && !value.is_empty() {
                        block.profession_label = Some(value);
                    }
                }
            }
            if block.date.is_none() {
                match v {
                    Value::Date(d) => block.date = Some(*d),
                    Value::Number(n) if dates::plausible_meeting_serial(*n) => {
                        block.date = dates::from_serial(*n, false);
                    }
                    Value::Text(t) => match dates::parse_date(t) {
                        Some(d) => block.date = Some(d),
                        None if block.unreadable_date.is_none() && DATE_LIKE.is_match(t) => {
                            block.unreadable_date = Some(t.trim().to_string());
                        }
                        None => {}
                    },
                    _ => {}
                }
            }
        }
        if block.tier.is_none() {
            block.tier = dates::parse_tier(&line);
        }
        if block.round.is_none() {
            block.round = dates::parse_round(&line);
        }
        if block.title.is_none() && !label_row && TITLE_WORDS.is_match(&line) {
            block.title = Some(line.clone());
        }
        block.lines.push(line);
    }
    if block.date.is_some() {
        block.unreadable_date = None;
    }
    block
}

/// `職種名：薬剤師`, `職種: 薬剤師`, or `職種名` followed by a cell with the
/// value. `Some("")` means a label with no value; `職種名を記入` (the manual's
/// instruction) is not a label.
fn label_value(cell: &str, next: Option<&String>) -> Option<String> {
    let key = header_key(cell);
    let rest = key
        .strip_prefix("職種名")
        .or_else(|| key.strip_prefix("職種"))?;
    let rest = rest.trim_start_matches([':', '：']);
    if rest.is_empty() {
        let next = next.map(|s| s.trim().to_string()).unwrap_or_default();
        return Some(if header_key(&next).is_empty() {
            String::new()
        } else {
            next
        });
    }
    if key.len() > rest.len() && key[..key.len() - rest.len()].ends_with([':', '：']) {
        // Take the value from the original text to keep its spacing.
        let original = cell
            .split_once([':', '：'])
            .map(|(_, v)| v.trim())
            .unwrap_or(rest);
        return Some(original.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, t) in row.iter().enumerate() {
                if !t.is_empty() {
                    cells.push((r as u32, c as u32, Value::Text(t.to_string())));
                }
            }
        }
        Grid::from_cells(cells)
    }

    #[test]
    fn manual_title_block() {
        let g = grid(&[
            &["職種名", "薬剤師会"],
            &["【一次連携】 第1回薬剤師会との打合せ会"],
            &["令和4年4月1日(金)"],
            &["No", "職種", "発言者", "意 見", "備考"],
        ]);
        let b = read_title(&g, 3);
        assert_eq!(b.profession_label.as_deref(), Some("薬剤師会"));
        assert_eq!(
            b.title.as_deref(),
            Some("【一次連携】 第1回薬剤師会との打合せ会")
        );
        assert_eq!(b.tier, Some(Tier::Primary));
        assert_eq!(b.round, Some(1));
        assert_eq!(b.date, NaiveDate::from_ymd_opt(2022, 4, 1));
        assert!(b.unreadable_date.is_none());
    }

    #[test]
    fn label_forms() {
        for (cell, next, want) in [
            ("職種名", Some("医師"), Some("医師")),
            ("職種：歯科衛生士", None, Some("歯科衛生士")),
            ("職種名: 栄養士会", None, Some("栄養士会")),
            ("職種名", None, Some("")),
            ("職種名を記入", None, None),
            ("薬剤師", None, None),
        ] {
            let next = next.map(String::from);
            assert_eq!(label_value(cell, next.as_ref()).as_deref(), want, "{cell}");
        }
    }

    #[test]
    fn unreadable_date_is_kept_for_the_warning() {
        let g = grid(&[&["令和〇年〇月〇日(〇)"], &["No", "意見", "備考"]]);
        let b = read_title(&g, 1);
        assert_eq!(b.date, None);
        assert_eq!(b.unreadable_date.as_deref(), Some("令和〇年〇月〇日(〇)"));
        assert!(!b.has_meeting_data());
    }

    #[test]
    fn serial_number_date_cell() {
        // 44652 = 2022-04-01 in Excel's 1900 system; a 和暦 format reaches us as a number.
        let g = Grid::from_cells(vec![
            (0, 0, Value::Text("第2回 打合せ会".into())),
            (1, 0, Value::Number(44652.0)),
            (2, 0, Value::Text("意見".into())),
        ]);
        let b = read_title(&g, 2);
        assert_eq!(b.date, NaiveDate::from_ymd_opt(2022, 4, 1));
        assert_eq!(b.round, Some(2));
    }
}
