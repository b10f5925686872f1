//! Files that once crashed renkei (`tests/regressions/`, see its README),
//! each read through the real binary. A test is named after what broke.

use std::path::PathBuf;

use crate::common::{check_json, renkei, sheet};

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
