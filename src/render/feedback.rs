//! `フィードバック/<職種>.xlsx`: what the coordinator hands back to one
//! profession's association (manual: 「課題は、一次連携のメンバーと再共有
//! します」).
//!
//! Confidentiality is the product's main security property (SPEC §5, manual
//! Q4): a workbook is built only from that profession's ranking
//! ([`Aggregate::by_profession`]) and the remarks of its own meetings —
//! nothing run-wide (no cross-table, no pairs, no intake report), no file,
//! sheet or path names, and no speaker names unless `--keep-speakers`.
//!
//! Sheets: `表紙`, `ランキング`, `所在と次の一手`, `意見一覧`.
//!
//! [`Aggregate::by_profession`]: crate::aggregate::Aggregate::by_profession

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::measure::{self, Widths};
use super::print::{self, Page, Scale, MIN_POINTS_HANDOUT};
use super::ranking::ranking_sheet;
use super::style::{self, write_header, write_note, write_record, Cell, Styles};
use super::{order, Context};
use crate::aggregate::{LocationSummary, Ranking};
use crate::model::{Location, Meeting};

/// Builds the feedback workbook of `profession` from its own ranking.
pub(crate) fn workbook(
    ctx: &Context,
    profession: &str,
    ranking: &Ranking,
) -> Result<Workbook, XlsxError> {
    let mut wb = style::new_workbook(&format!("意見のまとめ（{profession}）"))?;
    let st = Styles::new();
    let own: Vec<usize> = (0..ctx.batch.meetings.len())
        .filter(|&m| ctx.batch.meetings[m].profession == profession)
        .collect();
    let meetings: Vec<&Meeting> = order::meetings_by_date(ctx.batch, own)
        .into_iter()
        .map(|m| &ctx.batch.meetings[m])
        .collect();
    let remarks: Vec<usize> = ctx
        .batch
        .remarks
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            ctx.batch
                .meetings
                .get(r.meeting)
                .is_some_and(|m| m.profession == profession)
        })
        .map(|(i, _)| i)
        .collect();
    let remarks = order::remarks_by_date(ctx.batch, &order::meeting_ranks(ctx.batch), remarks);

    let ws = wb.add_worksheet();
    ws.set_name("表紙")?;
    cover(ws, &st, ctx, profession, &meetings, ranking)?;

    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("ランキング")?;
    ranking_sheet(ws, &st, ctx.batch, "ランキング", profession, ranking)?;

    let ws = wb.add_worksheet();
    ws.set_name("所在と次の一手")?;
    next_steps(ws, &st, ranking)?;

    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("意見一覧")?;
    remark_list(ws, &st, ctx, &remarks)?;
    Ok(wb)
}

/// `第1回 2022/4/1` (either part may be missing).
fn meeting_label(m: &Meeting) -> String {
    let round = m.round.map(|r| format!("第{r}回"));
    let date = m.date.map(style::date_text);
    match (round, date) {
        (Some(r), Some(d)) => format!("{r} {d}"),
        (Some(r), None) => r,
        (None, Some(d)) => d,
        (None, None) => "（回・日付の記載なし）".to_string(),
    }
}

/// `表紙`: who this is for, what it is, which meetings, how many remarks,
/// and how it is to be handled.
fn cover(
    ws: &mut Worksheet,
    st: &Styles,
    ctx: &Context,
    profession: &str,
    meetings: &[&Meeting],
    ranking: &Ranking,
) -> Result<(), XlsxError> {
    ws.set_row_height(0, 24)?;
    ws.write_string_with_format(
        0,
        0,
        format!("{profession}の皆さまとの打合せ会　意見のまとめ"),
        &st.title,
    )?;
    let meeting_lines: Vec<String> = meetings.iter().map(|m| meeting_label(m)).collect();
    // A few meetings one a line; many run on, so the page holds them.
    let meeting_list = meeting_lines.join(if meeting_lines.len() > 8 { "、" } else { "\n" });
    let speakers = if ctx.keep_speakers {
        "「意見一覧」に発言者の名前を載せています。取扱いにご注意ください。"
    } else {
        "発言者の名前は載せていません。"
    };
    let rows: [(&str, String); 8] = [
        ("職種", profession.to_string()),
        (
            "この資料について",
            format!(
                "{profession}の皆さまとの打合せ会（一次連携）で出た意見を、カテゴリごとに整理し、多い順に並べました。\n\
                 それぞれの課題が職種の中・職種の間・地域全体のどこにあるか（所在）と、次にできること（次の一手）も添えています。\n\
                 読み違いや補足があれば、お知らせください。"
            ),
        ),
        ("対象の会議", meeting_list),
        ("会議の数", format!("{} 回", meetings.len())),
        ("意見の数", format!("{} 件", ranking.remark_count)),
        ("カテゴリの数", format!("{}", ranking.categories.len())),
        (
            "取扱い",
            format!(
                "この資料は{profession}の皆さまとの打合せ会で出た意見だけをまとめたものです。ほかの職種には渡しません。"
            ),
        ),
        ("発言者", speakers.to_string()),
    ];
    // A4 portrait at full size: 18 + 66 characters.
    let widths = [18, 66];
    let mut row = 2;
    for (label, value) in &rows {
        ws.write_string_with_format(row, 0, *label, &st.label)?;
        // A value taller than a row can be (Excel's limit is 409 pt, a page
        // about 750) continues on the next rows.
        for piece in split_by_lines(value, widths[1]) {
            measure::set_row_lines(ws, row, measure::wrapped_lines(&piece, widths[1]))?;
            ws.write_string_with_format(row, 1, &piece, &st.paragraph)?;
            row += 1;
        }
    }
    for (col, w) in widths.iter().enumerate() {
        ws.set_column_width(col as u16, *w as f64)?;
    }
    print::setup(ws, Page::A4_PORTRAIT, Scale::FitWidth, None)
}

/// Lines of `text` (in a column `width` wide) grouped into pieces of at
/// most 20 wrapped lines each, a line never split.
fn split_by_lines(text: &str, width: usize) -> Vec<String> {
    let mut pieces: Vec<(String, usize)> = Vec::new();
    for line in text.split('\n') {
        let n = measure::wrapped_lines(line, width);
        match pieces.last_mut() {
            Some((piece, lines)) if *lines + n <= 20 => {
                piece.push('\n');
                piece.push_str(line);
                *lines += n;
            }
            _ => pieces.push((line.to_string(), n)),
        }
    }
    pieces.into_iter().map(|(p, _)| p).collect()
}

const STEP_HEADERS: [&str; 5] = ["順位", "カテゴリ", "件数", "所在", "次の一手"];

/// `職種間（職種内 1・職種間 4）`: the main 所在 and the non-zero counts.
fn location_text(summary: &LocationSummary) -> String {
    let parts: Vec<String> = Location::ALL
        .iter()
        .zip(summary.counts)
        .filter(|(_, n)| *n > 0)
        .map(|(l, n)| format!("{} {n}", l.label()))
        .collect();
    format!("{}（{}）", summary.main.label(), parts.join("・"))
}

/// The suggested next step for a category's main 所在 (manual ch. 2).
pub(crate) fn next_step(summary: &LocationSummary) -> String {
    match summary.main {
        Location::WithinProfession => {
            "一次連携で取組を支援（職能団体の中での話し合い）".to_string()
        }
        Location::BetweenProfessions => {
            let partners: Vec<&str> = summary
                .partners
                .iter()
                .filter(|p| p.profession)
                .take(3)
                .map(|p| p.name.as_str())
                .collect();
            if partners.is_empty() {
                "二次連携: 関係する職種と意見交換の場を設ける".to_string()
            } else {
                format!("二次連携: {} と意見交換の場を設ける", partners.join("・"))
            }
        }
        Location::RegionWide => "三次連携の場（協議会・検討会）へ".to_string(),
    }
}

/// `所在と次の一手`: per category, where its issues lie and what to do next.
fn next_steps(ws: &mut Worksheet, st: &Styles, ranking: &Ranking) -> Result<(), XlsxError> {
    let rows: Vec<[String; 2]> = ranking
        .categories
        .iter()
        .map(|c| [location_text(&c.location), next_step(&c.location)])
        .collect();
    let mut widths = Widths::new(&STEP_HEADERS, &[7, 24, 7, 36, 50]);
    for (c, r) in ranking.categories.iter().zip(&rows) {
        widths.feed(1, &c.name);
        widths.feed(3, &r[0]);
        widths.feed(4, &r[1]);
    }
    widths.apply(ws)?;
    write_header(ws, st, 0, &STEP_HEADERS)?;
    let mut row = 1;
    for (c, r) in ranking.categories.iter().zip(&rows) {
        let cells = [
            Cell::Number(c.rank as f64),
            Cell::Text(&c.name),
            Cell::Number(c.count as f64),
            Cell::Text(&r[0]),
            Cell::Text(&r[1]),
        ];
        widths.fit_row(ws, row, &cells)?;
        row += write_record(ws, st, row, &cells, None)?;
    }
    ws.autofilter(0, 0, row - 1, STEP_HEADERS.len() as u16 - 1)?;
    write_note(
        ws,
        st,
        row + 1,
        STEP_HEADERS.len() as u16 - 1,
        widths.sum(0..STEP_HEADERS.len()),
        "所在: 職種内 → 一次連携（職能団体の中）、職種間 → 二次連携（職種と職種をつなぐ）、地域全体 → 三次連携（協議会・検討会）。",
    )?;
    print::table(
        ws,
        widths.points(0..STEP_HEADERS.len()),
        MIN_POINTS_HANDOUT,
        Some(0),
    )?;
    Ok(())
}

/// `意見一覧`: the profession's own remarks, in meeting date order.
fn remark_list(
    ws: &mut Worksheet,
    st: &Styles,
    ctx: &Context,
    remarks: &[usize],
) -> Result<(), XlsxError> {
    let mut headers = vec![
        "会議",
        "意見(原文)",
        "カテゴリ",
        "課題/アイデア",
        "所在",
        "連携の場",
        "関係職種",
    ];
    // About 130 characters (145 with 発言者): 9.5 pt or more on A4 landscape.
    let mut caps = vec![16, 44, 18, 16, 9, 11, 18];
    if ctx.keep_speakers {
        headers.push("発言者");
        caps.push(14);
    }
    struct Row<'a> {
        meeting: String,
        original: &'a str,
        categories: String,
        kind: &'static str,
        location: &'static str,
        tier: &'static str,
        related: String,
        speaker: &'a str,
    }
    let rows: Vec<Row> = remarks
        .iter()
        .map(|&i| {
            let r = &ctx.batch.remarks[i];
            let l = ctx.labels.get(i);
            Row {
                meeting: ctx
                    .batch
                    .meetings
                    .get(r.meeting)
                    .map(meeting_label)
                    .unwrap_or_default(),
                original: &r.original,
                categories: l.map(|l| l.categories.join("、")).unwrap_or_default(),
                kind: l.map_or("", |l| l.kind.label()),
                location: l.map_or("", |l| l.location.label()),
                tier: l.map_or("", |l| l.location.tier().label()),
                related: l.map(|l| l.related.join("、")).unwrap_or_default(),
                speaker: r.speaker.as_deref().unwrap_or_default(),
            }
        })
        .collect();
    // Every cell measured once: for the column widths, then for the row
    // heights.
    fn texts<'r>(r: &'r Row<'_>) -> [&'r str; 8] {
        [
            r.meeting.as_str(),
            r.original,
            r.categories.as_str(),
            r.kind,
            r.location,
            r.tier,
            r.related.as_str(),
            r.speaker,
        ]
    }
    let measured: Vec<[usize; 8]> = rows
        .iter()
        .map(|r| texts(r).map(measure::measure))
        .collect();
    let mut widths = Widths::new(&headers, &caps);
    for (r, m) in rows.iter().zip(&measured) {
        for (col, t) in texts(r).iter().take(headers.len()).enumerate() {
            widths.feed_measured(col, t, m[col]);
        }
    }
    widths.apply(ws)?;
    let lines_of = |r: &Row, m: &[usize; 8]| {
        let texts = texts(r);
        widths.measured_row_lines((0..headers.len()).map(|col| (col, texts[col], m[col])))
    };
    let lines: Vec<usize> = rows
        .iter()
        .zip(&measured)
        .map(|(r, m)| lines_of(r, m))
        .collect();
    let heights = measure::RowHeights::new(ws, lines.iter().copied());
    heights.set(ws, 0, 1)?;
    write_header(ws, st, 0, &headers)?;
    let mut row = 1;
    for (r, &n) in rows.iter().zip(&lines) {
        let cells = texts(r).map(Cell::Text);
        heights.set(ws, row, n)?;
        row += write_record(ws, st, row, &cells[..headers.len()], None)?;
    }
    if rows.is_empty() {
        ws.write_string_with_format(row, 1, "（意見はありません）", &st.plain)?;
        row += 1;
    }
    style::end_table(ws, st, row)?;
    ws.autofilter(0, 0, row - 1, headers.len() as u16 - 1)?;
    print::table(
        ws,
        widths.points(0..headers.len()),
        MIN_POINTS_HANDOUT,
        Some(0),
    )?;
    Ok(())
}
