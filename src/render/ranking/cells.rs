//! The 意見 cells of a ranking: one bullet per listing, `・text ×3（類似含む）
//! 【再掲】`, packed into cells of at most [`MAX_CELL_LINES`] lines.
//!
//! Two things make a long list print badly, and both are settled here, where
//! the text is made: a row taller than a page (or than Excel's 409 pt row
//! limit) is cut off on paper, so a category's bullets continue on further
//! rows; and a program wrapping a line inside `【再掲】` or `×3` leaves `】`
//! or `3` alone on the next line, so a bullet that wraps gets its tail on a
//! line of its own, where it never breaks.

use unicode_width::UnicodeWidthChar;

use crate::aggregate::Listing;
use crate::model::Batch;
use crate::render::measure::{display_width, line_lines, wrapped_lines};
use crate::render::style::CONTINUED;

/// Most lines of wrapped text in one 意見 cell: 8 lines are 130 pt, a
/// quarter of a page, so a long list's rows fill the pages it runs over
/// (the page breaks fall between rows), and far under Excel's 409 pt row
/// limit.
pub(crate) const MAX_CELL_LINES: usize = 8;

/// One bullet: `・text` and its tail ` ×3（類似含む）【再掲】` (may be empty).
pub(crate) struct Bullet {
    body: String,
    tail: String,
}

/// The bullet of one listing.
pub(crate) fn bullet(batch: &Batch, listing: &Listing) -> Bullet {
    let mut body = String::with_capacity(listing.text(batch).len() + 3);
    body.push('・');
    body.push_str(listing.text(batch));
    let mut tail = String::new();
    if listing.count > 1 {
        tail.push_str(&format!(" ×{}", listing.count));
        if listing.near_duplicate {
            tail.push_str("（類似含む）");
        }
    }
    if listing.relisted {
        tail.push_str("【再掲】");
    }
    Bullet { body, tail }
}

impl Bullet {
    /// The width of the bullet on one line (its widest line).
    pub(crate) fn width(&self) -> usize {
        display_width(&self.body) + display_width(&self.tail)
    }

    /// The bullet's text in a column `width` wide, and the lines it takes
    /// there: on one line when it fits, else with its tail on a line of its
    /// own (indented under the text).
    fn layout(&self, width: usize) -> (String, usize) {
        let lines = wrapped_lines(&self.body, width);
        if self.tail.is_empty() {
            return (self.body.clone(), lines);
        }
        let whole = format!("{}{}", self.body, self.tail);
        if !self.body.contains('\n') && line_lines(self.width(), width) == 1 {
            return (whole, 1);
        }
        let tail = format!("　{}", self.tail.trim_start());
        let lines = lines + line_lines(display_width(&tail), width);
        (format!("{}\n{tail}", self.body), lines)
    }
}

/// One 意見 cell: its text and the lines it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextCell {
    pub text: String,
    pub lines: usize,
}

/// Packs bullets into cells of at most [`MAX_CELL_LINES`] lines in a column
/// `width` wide, in order; a bullet is never split between cells unless it
/// alone is longer than that: then it is cut, each later piece starting
/// with `（続き）`.
pub(crate) fn pack(bullets: &[Bullet], width: usize) -> Vec<TextCell> {
    let mut cells = Vec::new();
    let mut current: Option<TextCell> = None;
    for b in bullets {
        let (text, lines) = b.layout(width);
        if lines > MAX_CELL_LINES {
            cells.extend(current.take());
            cells.extend(cut(&text, width));
            continue;
        }
        match current.as_mut() {
            Some(cell) if cell.lines + lines <= MAX_CELL_LINES => {
                cell.text.push('\n');
                cell.text.push_str(&text);
                cell.lines += lines;
            }
            _ => {
                cells.extend(current.take());
                current = Some(TextCell { text, lines });
            }
        }
    }
    cells.extend(current);
    cells
}

/// Cuts one over-long text into cells of at most [`MAX_CELL_LINES`] lines,
/// line by line, a line longer than a cell cut between characters.
fn cut(text: &str, width: usize) -> Vec<TextCell> {
    // Room in a cell for one line of text, in width units, less the marker.
    let room = MAX_CELL_LINES * width.saturating_sub(1).max(1) - display_width(CONTINUED);
    let mut pieces: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let mut piece = String::new();
        let mut used = 0;
        for c in line.chars() {
            let w = c.width_cjk().unwrap_or(0);
            if used + w > room {
                pieces.push(std::mem::take(&mut piece));
                piece.push_str(CONTINUED);
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        pieces.push(piece);
    }
    let mut cells: Vec<TextCell> = Vec::new();
    for piece in pieces {
        let lines = wrapped_lines(&piece, width);
        match cells.last_mut() {
            Some(cell) if cell.lines + lines <= MAX_CELL_LINES => {
                cell.text.push('\n');
                cell.text.push_str(&piece);
                cell.lines += lines;
            }
            _ => cells.push(TextCell { text: piece, lines }),
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(body: &str, tail: &str) -> Bullet {
        Bullet {
            body: body.to_string(),
            tail: tail.to_string(),
        }
    }

    #[test]
    fn a_bullet_that_fits_stays_on_one_line() {
        let (text, lines) = b("・情報共有不足", "【再掲】").layout(30);
        assert_eq!((text.as_str(), lines), ("・情報共有不足【再掲】", 1));
    }

    #[test]
    fn a_wrapping_bullet_puts_its_tail_on_a_line_of_its_own() {
        let body = format!("・{}", "あ".repeat(20));
        let (text, lines) = b(&body, " ×3（類似含む）【再掲】").layout(30);
        assert_eq!(text, format!("{body}\n　×3（類似含む）【再掲】"));
        // 42 units in 29 usable: 2 lines, then the tail (24 units): 1 more.
        assert_eq!(lines, 2 + 1);
    }

    #[test]
    fn cells_hold_at_most_the_line_limit_and_keep_every_bullet() {
        let bullets: Vec<Bullet> = (0..50).map(|i| b(&format!("・意見{i}"), "")).collect();
        let cells = pack(&bullets, 30);
        assert_eq!(cells.len(), 50_usize.div_ceil(MAX_CELL_LINES));
        assert!(cells.iter().all(|c| c.lines <= MAX_CELL_LINES));
        let joined: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
        let want: Vec<String> = (0..50).map(|i| format!("・意見{i}")).collect();
        assert_eq!(joined.join("\n"), want.join("\n"));
    }

    #[test]
    fn an_over_long_bullet_is_cut_with_markers() {
        let body = format!("・{}", "あ".repeat(400));
        let cells = pack(&[b("・前", ""), b(&body, "【再掲】"), b("・後", "")], 20);
        assert!(cells.len() > 3);
        for c in &cells {
            assert!(c.lines <= MAX_CELL_LINES, "{c:?}");
            assert_eq!(c.lines, wrapped_lines(&c.text, 20));
        }
        assert_eq!(cells[0].text, "・前");
        assert!(cells[2].text.starts_with(CONTINUED));
        let rebuilt: String = cells[1..cells.len() - 1]
            .iter()
            .map(|c| c.text.replace(CONTINUED, ""))
            .collect::<Vec<_>>()
            .join("");
        assert_eq!(rebuilt, format!("{body}\n　【再掲】"));
        assert_eq!(cells.last().unwrap().text, "・後");
    }
}
