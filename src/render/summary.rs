//! The run-wide summary sheets of `分類一覧.xlsx`: `集計` (category ×
//! profession counts) and `二次連携候補` (pairs of professions that raise
//! needs toward each other). Both copy [`crate::aggregate`]'s numbers; each
//! carries a note on how to read them, below the table so the header stays
//! on the first row.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::measure::{self, Widths};
use super::print::{self, MIN_POINTS};
use super::style::{write_header, write_note, write_record, Cell, Styles};
use super::Context;

/// Width of a profession's column in `集計`: its counts are short, and a
/// long name wraps in the header over a few lines instead of widening the
/// table (12 professions print at 8 pt on A4 landscape; more on A3).
const PROFESSION_WIDTH: usize = 10;

/// `集計`: a row per category (every category, even with no remark), a
/// column per profession, totals; then the distinct remark counts, which
/// differ from the totals when remarks have several categories.
pub(crate) fn cross_table(ws: &mut Worksheet, st: &Styles, ctx: &Context) -> Result<(), XlsxError> {
    let cross = &ctx.agg.cross;
    let mut headers: Vec<&str> = vec!["カテゴリ"];
    headers.extend(cross.professions.iter().map(String::as_str));
    headers.push("合計");
    // No autofilter here: the header needs no room for its button.
    let mut caps = vec![24; 1];
    caps.extend(std::iter::repeat_n(PROFESSION_WIDTH, headers.len() - 1));
    let mut widths = Widths::new(&[""; 1].repeat(headers.len()), &caps);
    for c in &cross.categories {
        widths.feed(0, c);
    }
    widths.feed(0, "意見数（重複なし）");
    for (col, h) in headers.iter().enumerate() {
        widths.feed(col, h);
    }
    widths.apply(ws)?;
    let header_lines = headers
        .iter()
        .enumerate()
        .map(|(col, h)| measure::wrapped_lines(h, widths.width(col)))
        .max()
        .unwrap_or(1);
    measure::set_row_lines(ws, 0, header_lines)?;
    write_header(ws, st, 0, &headers)?;

    let last_col = headers.len() as u16 - 1;
    let mut row = 1;
    for (i, category) in cross.categories.iter().enumerate() {
        measure::set_row_lines(ws, row, measure::wrapped_lines(category, widths.width(0)))?;
        ws.write_string_with_format(row, 0, category, &st.text)?;
        for (p, n) in cross.counts.get(i).into_iter().flatten().enumerate() {
            ws.write_number(row, 1 + p as u16, *n as f64)?;
        }
        let total = cross.row_totals.get(i).copied().unwrap_or(0);
        ws.write_number(row, last_col, total as f64)?;
        row += 1;
    }
    let totals = [
        ("合計（延べ）", &cross.col_totals, cross.grand_total),
        (
            "意見数（重複なし）",
            &cross.remarks_per_profession,
            cross.remarks_total,
        ),
    ];
    for (label, per_profession, total) in totals {
        ws.write_string_with_format(row, 0, label, &st.total_text)?;
        for (p, n) in per_profession.iter().enumerate() {
            ws.write_number_with_format(row, 1 + p as u16, *n as f64, &st.total_number)?;
        }
        ws.write_number_with_format(row, last_col, total as f64, &st.total_number)?;
        row += 1;
    }
    let notes = [
        "数は、その職種との打合せ会で出た意見のうち、そのカテゴリに入るものの件数です。",
        "1つの意見が2つ以上のカテゴリに入るときは、それぞれのカテゴリで数えます（手引き「その項目ごとに記載し、それぞれカウントする」）。",
        "そのため「合計（延べ）」は意見の数より多くなることがあります。意見の数は「意見数（重複なし）」の行を見てください。",
    ];
    let all = widths.sum(0..headers.len());
    for (i, note) in notes.iter().enumerate() {
        write_note(ws, st, row + 1 + i as u32, last_col, all, note)?;
    }
    print::table(ws, widths.points(0..headers.len()), MIN_POINTS, Some(0))?;
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

const PAIR_HEADERS: [&str; 8] = [
    "順位",
    "職種A",
    "職種B",
    "A→B 件数",
    "B→A 件数",
    "相互",
    "例（A→B）",
    "例（B→A）",
];

/// `二次連携候補`: the pairs as ranked by aggregation (相互 first, then the
/// total); pairs with equal 相互 and total share a rank. Examples are the
/// normalized texts of up to three remarks per direction.
pub(crate) fn pairs(ws: &mut Worksheet, st: &Styles, ctx: &Context) -> Result<(), XlsxError> {
    let remarks = &ctx.batch.remarks;
    let examples = |list: &[usize]| -> String {
        list.iter()
            .filter_map(|&r| remarks.get(r))
            .map(|r| format!("・{}", r.normalized))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let rows: Vec<[String; 2]> = ctx
        .agg
        .pairs
        .iter()
        .map(|p| [examples(&p.examples_a_to_b), examples(&p.examples_b_to_a)])
        .collect();

    let mut widths = Widths::new(&PAIR_HEADERS, &[7, 14, 14, 12, 12, 7, 40, 40]);
    for (p, ex) in ctx.agg.pairs.iter().zip(&rows) {
        widths.feed(1, &p.a);
        widths.feed(2, &p.b);
        widths.feed(6, &ex[0]);
        widths.feed(7, &ex[1]);
    }
    widths.apply(ws)?;
    write_header(ws, st, 0, &PAIR_HEADERS)?;

    let mut row = 1;
    let mut rank = 0;
    let mut previous = None;
    for (i, (p, ex)) in ctx.agg.pairs.iter().zip(&rows).enumerate() {
        if previous != Some((p.mutual, p.total)) {
            rank = i + 1;
            previous = Some((p.mutual, p.total));
        }
        let cells = [
            Cell::Number(rank as f64),
            Cell::Text(&p.a),
            Cell::Text(&p.b),
            Cell::Number(p.a_to_b as f64),
            Cell::Number(p.b_to_a as f64),
            Cell::Number(p.mutual as f64),
            Cell::Text(&ex[0]),
            Cell::Text(&ex[1]),
        ];
        widths.fit_row(ws, row, &cells)?;
        row += write_record(ws, st, row, &cells, None)?;
    }
    let all = widths.sum(0..PAIR_HEADERS.len());
    let last_col = PAIR_HEADERS.len() as u16 - 1;
    if ctx.agg.pairs.is_empty() {
        write_note(
            ws,
            st,
            row,
            last_col,
            all,
            "（候補はありません。職種間の意見で、ほかの職種を挙げたものがありませんでした）",
        )?;
        row += 1;
    }
    ws.autofilter(0, 0, row - 1, PAIR_HEADERS.len() as u16 - 1)?;
    let notes = [
        "A→B 件数: A との打合せ会で出た、B との間の課題（所在が「職種間」で、関係職種に B を挙げた意見）の数です。",
        "相互: 両方向のうち少ない方の件数です。相互が 1 以上の組は、お互いにニーズがあるので、二次連携（意見交換会・合同研修会など）の候補です。",
    ];
    for (i, note) in notes.iter().enumerate() {
        write_note(ws, st, row + 1 + i as u32, last_col, all, note)?;
    }
    print::table(
        ws,
        widths.points(0..PAIR_HEADERS.len()),
        MIN_POINTS,
        Some(0),
    )?;
    Ok(())
}
