//! Bad input never stops a run: every fixture, and a folder of garbage made
//! from them (random bytes, cut-off copies, flipped bytes), goes through
//! `check` without a panic or an abort, and every other file is still read.

use std::path::{Path, PathBuf};

use crate::common::{check_json, fixtures};

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            all_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A small deterministic byte source (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn garbage_folder_is_reported_file_by_file_without_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut sources = Vec::new();
    all_files(&fixtures(), &mut sources);
    sources.retain(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("xlsx" | "xls" | "ods")
        )
    });
    sources.sort();
    let mut rng = Rng(0x5EED);
    let mut made = 0;
    for (i, src) in sources.iter().enumerate() {
        let bytes = std::fs::read(src).unwrap();
        if bytes.is_empty() {
            continue;
        }
        let ext = src.extension().unwrap().to_str().unwrap();
        // Cut off at a few places, including inside the zip directory.
        for frac in [3, 2] {
            std::fs::write(
                dir.path().join(format!("cut{i}_{frac}.{ext}")),
                &bytes[..bytes.len() * (frac - 1) / frac],
            )
            .unwrap();
            made += 1;
        }
        // Flip a handful of bytes in the middle (compressed data, headers).
        let mut flipped = bytes.clone();
        for _ in 0..8 {
            let at = (rng.next() as usize) % flipped.len();
            flipped[at] ^= 0xFF;
        }
        std::fs::write(dir.path().join(format!("flip{i}.{ext}")), flipped).unwrap();
        made += 1;
    }
    for (i, ext) in ["xlsx", "xls", "ods", "xlsm"].iter().enumerate() {
        let noise: Vec<u8> = (0..4096).map(|_| rng.next() as u8).collect();
        std::fs::write(dir.path().join(format!("noise{i}.{ext}")), noise).unwrap();
        let mut zipish = b"PK\x03\x04".to_vec();
        zipish.extend((0..512).map(|_| rng.next() as u8));
        std::fs::write(dir.path().join(format!("zipish{i}.{ext}")), zipish).unwrap();
        made += 2;
    }
    // One good file among the garbage must still be read in full.
    std::fs::copy(
        fixtures().join("薬剤師_第1回.xlsx"),
        dir.path().join("zz_good.xlsx"),
    )
    .unwrap();

    let (code, json) = check_json(&[dir.path()]);
    assert!(code == 0 || code == 1, "exit {code}");
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), made + 1);
    let good = files.iter().find(|f| f["path"] == "zz_good.xlsx").unwrap();
    assert_eq!(good["outcome"], "read");
    assert_eq!(good["sheets"][0]["remarks"].as_array().unwrap().len(), 7);
    for f in files.iter().filter(|f| f["outcome"] == "unreadable") {
        let reason = f["reason"].as_str().unwrap();
        assert!(!reason.is_empty() && !reason.contains("panicked"), "{f}");
    }
}

#[test]
fn every_fixture_goes_through_check_without_a_crash() {
    let mut files = Vec::new();
    all_files(&fixtures(), &mut files);
    files.sort();
    for f in files {
        let (code, json) = check_json(&[&f]);
        assert!((0..=2).contains(&code), "{}: exit {code}", f.display());
        assert!(json["files"].is_array(), "{}", f.display());
    }
}
