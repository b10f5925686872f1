//! A mutation fuzzer over the fixture workbooks (issue 12): every mutant
//! must be read or skipped with a Japanese reason — never a panic, within a
//! time limit per file and a memory bound per file.
//!
//! - `cargo test` runs [`IN_SUITE`] mutants (seconds, on every core).
//! - The long mode runs 20,000 or more, in release, and prints the count,
//!   the time and the peak memory:
//!   `cargo test --release --test it fuzz_long -- --ignored --nocapture`
//!   (`RENKEI_FUZZ_MUTANTS=N`, `RENKEI_FUZZ_SEED=S`, `RENKEI_FUZZ_ONLY=i`
//!   to replay one mutant; `RENKEI_FUZZ_WRITE=DIR` also writes them all).
//!
//! Mutants are read in-process through the same functions `ingest` uses
//! (`ingest::open`, `sheet::read_sheet`, under `contain::read`), one file a
//! thread, so the counting allocator ([`alloc`]) gives each file's peak. A
//! failing mutant is written to `target/fuzz-failures/` to become a
//! regression fixture (`tests/regressions/`).

pub mod alloc;
mod mutate;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use renkei::ingest::workbook::SheetContent;
use renkei::ingest::{self, contain, sheet, Options};
use renkei::rules::lexicon::Lexicon;
use renkei::rules::Rules;

use crate::common::{check_naming, fixtures};
use mutate::{mutant, Mutant, Source};

/// Mutants `cargo test` reads.
const IN_SUITE: u64 = 400;
/// Mutants of the long mode unless `RENKEI_FUZZ_MUTANTS` says otherwise.
const LONG: u64 = 20_000;
const SEED: u64 = 0x12_5EED;
/// Memory one file's read may take (the largest legitimate grids the
/// guard lets through cost ~110 MB; calamine's reservations come on top).
const MAX_FILE_BYTES: usize = 512 << 20;

/// A file's time limit: debug builds on a busy 2-core machine are slow.
fn time_limit() -> Duration {
    Duration::from_secs(if cfg!(debug_assertions) { 30 } else { 5 })
}

/// Every spreadsheet under `fixtures/` (good and broken) and
/// `tests/regressions/`, in a fixed order.
fn sources() -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("xlsx" | "xlsm" | "xls" | "ods")
            ) && !p.file_name().unwrap().to_string_lossy().starts_with("~$")
            {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&fixtures(), &mut paths);
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions"),
        &mut paths,
    );
    paths.sort();
    paths.iter().map(|p| Source::new(p)).collect()
}

#[derive(Debug)]
enum Verdict {
    /// Read: how many of its sheets were meetings.
    Read(usize),
    Skipped(String),
    Panicked(String),
}

/// Reads one file as `ingest` does.
fn read(m: &Mutant, lexicon: &Lexicon) -> Verdict {
    let options = Options::default();
    let stem = m.name.rsplit_once('.').map_or(m.name.as_str(), |(s, _)| s);
    let result = contain::read(|| {
        let sheets = ingest::open(&m.name, &m.bytes, &options)?;
        let mut meetings = 0;
        for s in sheets {
            if let SheetContent::Cells(grid) = s.content {
                let read = contain::in_sheet(&s.name, || {
                    sheet::read_sheet(&grid, &m.name, stem, &s.name, lexicon)
                });
                meetings += usize::from(read.meeting.is_some());
            }
        }
        Ok::<usize, String>(meetings)
    });
    match result {
        Ok(Ok(n)) => Verdict::Read(n),
        Ok(Err(reason)) => Verdict::Skipped(reason),
        Err(p) => Verdict::Panicked(p.detail),
    }
}

struct Outcome {
    index: u64,
    verdict: Verdict,
    time: Duration,
    peak: usize,
}

/// What a run found.
#[derive(Default)]
struct Report {
    mutants: u64,
    read: u64,
    /// Meeting sheets found in the mutants read.
    meetings: u64,
    skipped: u64,
    slowest: (Duration, u64),
    largest: (usize, u64),
    failures: Vec<String>,
}

fn is_japanese(s: &str) -> bool {
    s.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c))
}

/// A worker's mutant and since when it reads it.
type Running = Mutex<Option<(u64, Instant)>>;

/// Reads mutants `indices` of `seed` on every core; a watchdog fails a file
/// that runs past [`time_limit`].
fn fuzz(seed: u64, indices: Vec<u64>) -> Report {
    let sources = Arc::new(sources());
    let rules = Rules::load(None).unwrap();
    let lexicon = Arc::new(rules.lexicon().clone());
    let indices = Arc::new(indices);
    let next = Arc::new(AtomicU64::new(0));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let running: Arc<Vec<Running>> = Arc::new((0..workers).map(|_| Mutex::new(None)).collect());
    let (tx, rx) = std::sync::mpsc::channel::<Outcome>();
    let _quiet = contain::QuietPanics::install();
    for w in 0..workers {
        let (sources, lexicon, indices, next, running, tx) = (
            sources.clone(),
            lexicon.clone(),
            indices.clone(),
            next.clone(),
            running.clone(),
            tx.clone(),
        );
        std::thread::spawn(move || loop {
            let k = next.fetch_add(1, Ordering::Relaxed) as usize;
            let Some(&index) = indices.get(k) else {
                return;
            };
            let m = mutant(&sources, seed, index);
            *running[w].lock().unwrap() = Some((index, Instant::now()));
            let base = alloc::start();
            let started = Instant::now();
            let verdict = read(&m, &lexicon);
            let time = started.elapsed();
            let peak = alloc::peak_since(base);
            *running[w].lock().unwrap() = None;
            if tx
                .send(Outcome {
                    index,
                    verdict,
                    time,
                    peak,
                })
                .is_err()
            {
                return;
            }
        });
    }
    drop(tx);
    let mut report = Report::default();
    let total = indices.len() as u64;
    let limit = time_limit();
    while report.mutants < total {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(o) => record(&mut report, o, &sources, seed),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
        for slot in running.iter() {
            if let Some((index, since)) = *slot.lock().unwrap() {
                if since.elapsed() > limit {
                    let path = save(&mutant(&sources, seed, index));
                    panic!(
                        "mutant {index} (seed {seed:#x}) still reading after {limit:?}: {}",
                        path.display()
                    );
                }
            }
        }
    }
    report
}

fn record(report: &mut Report, o: Outcome, sources: &[Source], seed: u64) {
    report.mutants += 1;
    if o.time > report.slowest.0 {
        report.slowest = (o.time, o.index);
    }
    if o.peak > report.largest.0 {
        report.largest = (o.peak, o.index);
    }
    let problem = match &o.verdict {
        Verdict::Read(n) => {
            report.read += 1;
            report.meetings += *n as u64;
            None
        }
        Verdict::Skipped(reason) if is_japanese(reason) => {
            report.skipped += 1;
            None
        }
        Verdict::Skipped(reason) => Some(format!("reason not in Japanese: {reason}")),
        Verdict::Panicked(detail) => Some(format!("panicked: {detail}")),
    };
    let problem =
        problem.or_else(|| (o.peak > MAX_FILE_BYTES).then(|| format!("took {} MiB", o.peak >> 20)));
    if let Some(problem) = problem {
        let m = mutant(sources, seed, o.index);
        let path = save(&m);
        report.failures.push(format!(
            "mutant {} ({}): {problem}\n    saved as {}",
            o.index,
            m.how,
            path.display()
        ));
    }
}

/// Writes a failing mutant where it can be turned into a regression fixture.
fn save(m: &Mutant) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(&m.name);
    std::fs::write(&path, &m.bytes).unwrap();
    path
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

fn check(report: &Report) {
    assert!(
        report.failures.is_empty(),
        "{} of {} mutants failed:\n{}",
        report.failures.len(),
        report.mutants,
        report.failures.join("\n")
    );
}

#[test]
fn mutants_of_the_fixtures_are_read_or_skipped_with_a_reason() {
    let started = Instant::now();
    let report = fuzz(SEED, (0..IN_SUITE).collect());
    check(&report);
    assert_eq!(report.mutants, IN_SUITE);
    // Both outcomes occur: the mutants are neither all harmless nor all fatal.
    assert!(report.read > IN_SUITE / 10 && report.skipped > IN_SUITE / 10);
    eprintln!(
        "fuzz: {} mutants ({} read with {} meetings, {} skipped) in {:.1} s",
        report.mutants,
        report.read,
        report.meetings,
        report.skipped,
        started.elapsed().as_secs_f64()
    );
}

/// The long mode (see the module comment).
#[test]
#[ignore = "long: run with --release -- --ignored"]
fn fuzz_long() {
    let seed = env_u64("RENKEI_FUZZ_SEED").unwrap_or(SEED);
    let indices: Vec<u64> = match env_u64("RENKEI_FUZZ_ONLY") {
        Some(i) => vec![i],
        None => (0..env_u64("RENKEI_FUZZ_MUTANTS").unwrap_or(LONG)).collect(),
    };
    if let Some(dir) = std::env::var_os("RENKEI_FUZZ_WRITE") {
        let sources = sources();
        std::fs::create_dir_all(&dir).unwrap();
        for &i in &indices {
            let m = mutant(&sources, seed, i);
            std::fs::write(Path::new(&dir).join(&m.name), &m.bytes).unwrap();
        }
    }
    let started = Instant::now();
    let report = fuzz(seed, indices);
    let took = started.elapsed();
    println!(
        "fuzz_long: seed {seed:#x}: {} mutants ({} read with {} meetings, {} skipped, {} failed) in {:.1} s; slowest file {:.3} s (mutant {}); largest file {:.1} MiB (mutant {}); process peak {:.0} MiB",
        report.mutants,
        report.read,
        report.meetings,
        report.skipped,
        report.failures.len(),
        took.as_secs_f64(),
        report.slowest.0.as_secs_f64(),
        report.slowest.1,
        report.largest.0 as f64 / (1 << 20) as f64,
        report.largest.1,
        renkei::os::peak_memory_mib()
    );
    check(&report);
}

/// A folder of mutants through the real binary: every file that gives no
/// meeting is named on stderr exactly once.
#[test]
fn skipped_mutants_are_named_on_stderr() {
    let sources = sources();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        let m = mutant(&sources, SEED ^ 0xC0FFEE, i);
        std::fs::write(dir.path().join(&m.name), &m.bytes).unwrap();
    }
    let (code, stderr, files) = check_naming(dir.path());
    assert!(matches!(code, Some(0 | 1)), "{stderr}");
    let mut named = 0;
    for (f, meeting, lines) in files {
        assert_eq!(lines, usize::from(!meeting), "{f}\n{stderr}");
        named += lines;
    }
    assert!(named > 10, "{stderr}");
}
