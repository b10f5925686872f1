//! `explain`, `rules` and `eval` on the real binary: staff see why a remark
//! landed where it did, a broken rule file stops with file and line, and the
//! scores come out as text and JSON.

use std::path::Path;

use crate::common::renkei;

#[test]
fn explain_shows_normalized_text_rules_and_labels() {
    let out = renkei()
        .args([
            "explain",
            "・残薬が多いのに、薬局に情報が届かない。【再掲】",
            "--profession",
            "薬剤師会",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("残薬が多いのに、薬局に情報が届かない"), "{s}");
    assert!(!s.contains("・残薬"), "bullet stripped: {s}");
    assert!(s.contains("服薬・薬剤"), "{s}");
    assert!(s.contains("課題"), "{s}");
    assert!(s.contains("連携の場"), "{s}");
}

#[test]
fn rules_prints_the_effective_rules_and_check_accepts_the_shipped_ones() {
    let out = renkei().arg("rules").output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    for name in ["多職種連携", "地域の体制・役割分担", "介護支援専門員"] {
        assert!(s.contains(name), "{name}");
    }
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    renkei()
        .arg("rules")
        .arg("--check")
        .arg(&templates)
        .assert()
        .success();
}

#[test]
fn a_broken_rule_file_stops_every_command_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("categories.toml"),
        "[[category]]\nname = \"多職種連携\"\ndescription = \"x\"\n  [[category.rule]]\n  any_regex = [\"(顔の見える\"]\n",
    )
    .unwrap();
    for args in [
        vec!["rules", "--check"],
        vec!["run", "--rules"],
        vec!["explain", "テスト", "--rules"],
    ] {
        let mut cmd = renkei();
        cmd.args(&args).arg(dir.path());
        if args[0] == "run" {
            cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/薬剤師_第1回.xlsx"));
            cmd.arg("-o").arg(dir.path().join("out"));
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap() + &String::from_utf8(out.stdout).unwrap();
        assert!(err.contains("categories.toml"), "{args:?}: {err}");
        assert!(err.contains("5 行目"), "{args:?}: {err}");
    }
    assert!(!dir.path().join("out").join("ランキング.xlsx").exists());
}

#[test]
fn eval_scores_a_labeled_file_as_text_and_json() {
    let tsv = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/small-labeled.tsv");
    let out = renkei().arg("eval").arg(&tsv).output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("マイクロF1"), "{s}");
    let out = renkei()
        .arg("eval")
        .arg(&tsv)
        .arg("--json")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.is_object(), "{v}");
    let bad = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        bad.path(),
        "id\tprofession\ttext\tcategories\tkind\ttier\trelated\nX\t医師\tだけ\n",
    )
    .unwrap();
    let out = renkei().arg("eval").arg(bad.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("2 行目"));
}

/// The shipped classifier on the frozen test part, the blind sets and the
/// held-out remarks of rounds 3–5 (`data/README.md`): floors a little under
/// the scores of their last scoring, so a change that loses accuracy on
/// remarks nothing was tuned on fails here. A guard only: no rule or
/// threshold is chosen by it.
#[test]
fn shipped_classifier_keeps_its_scores_on_the_frozen_sets() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/labeled");
    // (file, category micro-F1, macro-F1, 課題/アイデア, 所在, 関係職種)
    for (file, floors) in [
        ("test.tsv", [0.84, 0.83, 0.97, 0.88, 0.91]),
        ("blind.tsv", [0.84, 0.83, 0.97, 0.86, 0.93]),
        ("holdout-r3.tsv", [0.82, 0.81, 0.97, 0.87, 0.92]),
        ("blind-r4.tsv", [0.85, 0.85, 0.92, 0.92, 0.94]),
        ("blind-r5.tsv", [0.86, 0.87, 0.97, 0.93, 0.92]),
    ] {
        let out = renkei()
            .arg("eval")
            .arg(data.join(file))
            .arg("--json")
            .output()
            .unwrap();
        assert!(out.status.success(), "{file}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let c = &v["combined"];
        let got = [
            c["categories"]["micro"]["f1"].as_f64().unwrap(),
            c["categories"]["macro_f1"].as_f64().unwrap(),
            c["kind"]["accuracy"].as_f64().unwrap(),
            c["location"]["accuracy"].as_f64().unwrap(),
            c["related"]["f1"].as_f64().unwrap(),
        ];
        for (g, f) in got.iter().zip(floors) {
            assert!(*g >= f, "{file}: {got:?} under {floors:?}");
        }
    }
}
