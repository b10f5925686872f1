//! `renkei template`: the blank forms read back as blank forms; filled in,
//! the 例① form reads as a meeting.

use crate::common::{check_json, sheet, template_into, texts};
use renkei::commands::template::{write_list_form, Filled, CLASSIFIED_FORM, LIST_FORM};

#[test]
fn blank_forms_read_back_as_blank_forms() {
    let dir = tempfile::tempdir().unwrap();
    template_into(dir.path()).assert().success();
    let (code, json) = check_json(&[dir.path()]);
    assert_eq!(code, 0);
    for form in [LIST_FORM, CLASSIFIED_FORM] {
        assert_eq!(
            sheet(&json, form, "記入用紙")["outcome"],
            "blank_form",
            "{form}"
        );
        assert_eq!(
            sheet(&json, form, "記入方法")["outcome"],
            "skipped",
            "{form}"
        );
    }
    assert_eq!(json["totals"]["remarks"], 0);
    assert_eq!(json["totals"]["meetings"], 0);
}

#[test]
fn filled_list_form_reads_as_a_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("filled.xlsx");
    write_list_form(
        &path,
        Some(&Filled {
            profession: "栄養士会",
            title: "【一次連携】 第2回栄養士会との打合せ会",
            date: "令和6年5月10日(金)",
            rows: &[
                (
                    "栄養士",
                    "A",
                    "在宅で栄養指導ができることを、医師が知らない。",
                    "医師",
                ),
                (
                    "栄養士",
                    "B",
                    "・ケアプランに栄養の視点が少ない\n・食事形態の呼び方が病院ごとに違う",
                    "ケアマネ、病院",
                ),
            ],
        }),
    )
    .unwrap();
    let (code, json) = check_json(&[&path]);
    assert_eq!(code, 0);
    let s = sheet(&json, "filled.xlsx", "記入用紙");
    assert_eq!(s["outcome"], "meeting");
    assert_eq!(s["profession"], "栄養士");
    assert_eq!(s["profession_source"], "TitleCell");
    assert_eq!(s["round"], 2);
    assert_eq!(s["date"], "2024-05-10");
    assert_eq!(s["tier"], "一次連携");
    assert_eq!(
        texts(s),
        vec![
            "在宅で栄養指導ができることを、医師が知らない",
            "ケアプランに栄養の視点が少ない",
            "食事形態の呼び方が病院ごとに違う",
        ]
    );
    assert_eq!(s["remarks"][2]["source"], "filled.xlsx!記入用紙!D7");
    assert_eq!(s["remarks"][1]["speaker"], "B");
}

/// A form staff already filled in is never replaced: the new blank form is
/// written beside it as `… (2).xlsx`, and the run says so.
#[test]
fn template_never_overwrites_an_existing_form() {
    let dir = tempfile::tempdir().unwrap();
    let filled = dir.path().join(LIST_FORM);
    std::fs::write(&filled, b"filled in by staff").unwrap();
    let out = template_into(dir.path()).output().unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read(&filled).unwrap(), b"filled in by staff");
    let stem = LIST_FORM.trim_end_matches(".xlsx");
    let beside = dir.path().join(format!("{stem} (2).xlsx"));
    assert!(beside.is_file(), "{}", beside.display());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("{stem} (2).xlsx")), "{stdout}");
    assert!(dir.path().join(CLASSIFIED_FORM).is_file());
}
