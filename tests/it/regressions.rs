//! Files that once crashed renkei (`tests/regressions/`, see its README),
//! each read through the real binary. A test is named after what broke.

use std::path::PathBuf;

use crate::common::{check_json, file, renkei, sheet};

fn regression(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(name)
}

#[test]
fn huge_number_in_a_date_cell_no_longer_panics_in_chrono() {
    let path = regression("日付が巨大な数_歯科医師.xlsx");
    let (code, json) = check_json(&[&path]);
    assert_eq!(code, 0, "{json:#}");
    let s = sheet(&json, "日付が巨大な数_歯科医師.xlsx", "記録");
    assert_eq!(s["outcome"], "meeting");
    assert_eq!(s["profession"], "歯科医師");
    assert_eq!(s["round"], 1);
    // In the title block the date stays blank, and the cell is named.
    assert_eq!(s["date"], serde_json::Value::Null);
    let warnings = s["warnings"].to_string();
    assert!(warnings.contains("A2 のセル"), "{warnings}");
    assert!(warnings.contains("範囲外"), "{warnings}");
    assert_eq!(s["remarks"].as_array().unwrap().len(), 4);

    // `run` writes its outputs as for any other file.
    let out = tempfile::tempdir().unwrap();
    renkei()
        .arg("run")
        .arg(&path)
        .arg("-o")
        .arg(out.path())
        .assert()
        .code(0);
    assert!(out.path().join("分類一覧.xlsx").exists());
}

#[test]
fn backwards_dimension_ref_no_longer_overflows_in_calamine() {
    let path = regression("範囲が逆向き_鍼灸師会.xlsx");
    let (code, json) = check_json(&[&path]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(file(&json, "範囲が逆向き_鍼灸師会.xlsx")["outcome"], "read");
}

#[test]
fn row_number_past_u32_no_longer_overflows_in_calamine() {
    let path = regression("行番号が桁あふれ_医師.xlsx");
    let (code, json) = check_json(&[&path]);
    assert!(code == 0 || code == 1, "{json:#}");
    let f = file(&json, "行番号が桁あふれ_医師.xlsx");
    let reason = f["reason"].as_str().unwrap_or("");
    assert!(!reason.contains("想定外"), "{f}");
}

#[test]
fn whole_sheet_dimensions_no_longer_reserve_670_mb() {
    use renkei::ingest::{self, contain, Options};
    let path = regression("寸法が全体_看護師.xls");
    let bytes = std::fs::read(&path).unwrap();
    let base = crate::fuzz::alloc::start();
    let sheets =
        contain::read(|| ingest::open("寸法が全体_看護師.xls", &bytes, &Options::default()))
            .expect("no panic")
            .expect("read");
    let peak = crate::fuzz::alloc::peak_since(base);
    assert_eq!(sheets.len(), 1);
    assert!(peak < 16 << 20, "{} MiB", peak >> 20);
    let (code, json) = check_json(&[&path]);
    assert_eq!(code, 0, "{json:#}");
    let s = sheet(&json, "寸法が全体_看護師.xls", "訪問看護");
    assert_eq!(s["remarks"].as_array().unwrap().len(), 7);
}

#[test]
fn unclosed_paragraph_no_longer_hides_an_ods_repeat_bomb() {
    use renkei::ingest::{self, contain, Options};
    let path = regression("段落が閉じない繰り返し爆弾.ods");
    let bytes = std::fs::read(&path).unwrap();
    let base = crate::fuzz::alloc::start();
    let started = std::time::Instant::now();
    let read = contain::read(|| {
        ingest::open(
            "段落が閉じない繰り返し爆弾.ods",
            &bytes,
            &Options::default(),
        )
    })
    .expect("no panic");
    let peak = crate::fuzz::alloc::peak_since(base);
    let reason = read.err().expect("refused by the guard");
    assert!(reason.contains("繰り返され"), "{reason}");
    assert!(peak < 16 << 20, "{} MiB", peak >> 20);
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn short_biff_records_no_longer_panic_in_calamine() {
    for name in ["コードページが空_看護師.xls", "結合セルが壊れた_看護師.xls"]
    {
        let (code, json) = check_json(&[&regression(name)]);
        assert_eq!(code, 1, "{json:#}");
        let f = file(&json, name);
        assert_eq!(f["outcome"], "unreadable", "{f}");
        let reason = f["reason"].as_str().unwrap();
        assert!(reason.contains("内部が壊れて"), "{name}: {reason}");
        assert!(!reason.contains("想定外"), "{name}: {reason}");
    }
}

#[test]
fn damaged_formula_tokens_no_longer_panic_in_calamine() {
    let name = "数式が壊れた_薬剤師.xls";
    let (code, json) = check_json(&[&regression(name)]);
    assert_eq!(code, 0, "{json:#}");
    let s = sheet(&json, name, "薬剤師会");
    assert_eq!(s["remarks"].as_array().unwrap().len(), 3);
    // The formula's saved value is read as it is (a tiny number, in
    // exponent form rather than 300 digits).
    let ignored = s["ignored"].to_string();
    assert!(ignored.contains("e-"), "{ignored}");
}
