//! Confidentiality, the product's main security property (SPEC §5, the
//! manual's Q4), as a property over generated inputs: a feedback workbook
//! holds every remark of its own profession's meetings and nothing else —
//! no remark from another profession's meeting (not even one about this
//! profession), no speaker name, no file or sheet name.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use rust_xlsxwriter::Workbook;

use crate::common::{read_book, run};

const PROFESSIONS: &[&str] = &[
    "医師",
    "薬剤師",
    "看護師",
    "介護支援専門員",
    "栄養士",
    "歯科衛生士",
];

/// One generated meeting: profession index, then remarks as (mentioned
/// profession index, is idea).
#[derive(Debug, Clone)]
struct GenMeeting {
    profession: usize,
    remarks: Vec<(usize, bool)>,
}

fn meetings() -> impl Strategy<Value = Vec<GenMeeting>> {
    prop::collection::vec(
        (
            0..PROFESSIONS.len(),
            prop::collection::vec((0..PROFESSIONS.len(), any::<bool>()), 1..6),
        )
            .prop_map(|(profession, remarks)| GenMeeting {
                profession,
                remarks,
            }),
        1..7,
    )
}

/// Writes the meetings two to a file (sheets 会議A, 会議B) and returns, per
/// profession, its remark markers, plus every speaker and file name used.
fn write_inputs(
    dir: &Path,
    ms: &[GenMeeting],
) -> (BTreeMap<usize, Vec<String>>, Vec<String>, Vec<String>) {
    let mut own: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut speakers = Vec::new();
    let mut files = Vec::new();
    for (f, pair) in ms.chunks(2).enumerate() {
        let mut wb = Workbook::new();
        for (s, m) in pair.iter().enumerate() {
            let ws = wb
                .add_worksheet()
                .set_name(format!("会議{}", ['A', 'B'][s]))
                .unwrap();
            ws.write_string(0, 0, "職種名").unwrap();
            ws.write_string(0, 1, PROFESSIONS[m.profession]).unwrap();
            ws.write_string(1, 0, "令和6年5月10日").unwrap();
            for (c, h) in ["No", "発言者", "意見", "備考"].iter().enumerate() {
                ws.write_string(3, c as u16, *h).unwrap();
            }
            for (i, (about, idea)) in m.remarks.iter().enumerate() {
                let marker = format!("印{f}x{s}x{i}号");
                let text = if *idea {
                    format!(
                        "{}と{marker}について話し合う場を作りたい",
                        PROFESSIONS[*about]
                    )
                } else {
                    format!("{}との{marker}の連絡がうまくいかない", PROFESSIONS[*about])
                };
                let speaker = format!("話者{f}x{s}x{i}さん");
                let r = 4 + i as u32;
                ws.write_number(r, 0, (i + 1) as f64).unwrap();
                ws.write_string(r, 1, &speaker).unwrap();
                ws.write_string(r, 2, &text).unwrap();
                ws.write_string(r, 3, PROFESSIONS[*about]).unwrap();
                own.entry(m.profession).or_default().push(marker);
                speakers.push(speaker);
            }
        }
        let name = format!("ファイル{f}番.xlsx");
        wb.save(dir.join(&name)).unwrap();
        files.push(name);
    }
    (own, speakers, files)
}

fn all_text(path: &Path) -> String {
    read_book(path)
        .into_iter()
        .flat_map(|(name, rows)| std::iter::once(name).chain(rows.into_iter().flatten()))
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn feedback_holds_exactly_its_own_professions_remarks(ms in meetings(), keep in any::<bool>()) {
        let input = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let (own, speakers, files) = write_inputs(input.path(), &ms);
        let extra: &[&str] = if keep { &["--keep-speakers"] } else { &[] };
        let (code, stdout, stderr) = run(&[input.path()], out.path(), extra);
        prop_assert_eq!(code, 0, "{}{}", stdout, stderr);
        let fb = out.path().join("フィードバック");
        let written = std::fs::read_dir(&fb).unwrap().count();
        prop_assert_eq!(written, own.len());
        for (p, markers) in &own {
            let text = all_text(&fb.join(format!("{}.xlsx", PROFESSIONS[*p])));
            for m in markers {
                prop_assert!(text.contains(m.as_str()), "{} misses its own remark {}", PROFESSIONS[*p], m);
            }
            for (q, others) in own.iter().filter(|(q, _)| *q != p) {
                for m in others {
                    prop_assert!(!text.contains(m.as_str()), "{} holds {}'s remark {}", PROFESSIONS[*p], PROFESSIONS[*q], m);
                }
            }
            for s in &speakers {
                let mine = markers.iter().any(|m| {
                    let (f, rest) = m.trim_start_matches('印').split_once('x').unwrap();
                    s.starts_with(&format!("話者{f}x{}", rest.split('x').next().unwrap()))
                });
                if !(keep && mine) {
                    prop_assert!(!text.contains(s.as_str()), "{} shows speaker {}", PROFESSIONS[*p], s);
                }
            }
            for f in &files {
                prop_assert!(!text.contains(f.as_str()) && !text.contains("会議A") && !text.contains("会議B"),
                    "{} shows a file or sheet name", PROFESSIONS[*p]);
            }
        }
    }
}
