//! `renkei run`: the monthly job. Reads the hearing sheets, classifies and
//! aggregates every remark, and writes ランキング.xlsx, 分類一覧.xlsx and one
//! フィードバック workbook per profession, then prints a short summary.
//!
//! The stages run in turn, each introduced by a comment; nothing is written
//! until every input has been read and classified, and each workbook is
//! written atomically, so a failed run leaves no partial file.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::check::{status_of, totals};
use super::Status;
use crate::aggregate::{self, Aggregate, Settings};
use crate::classify::{self, Input};
use crate::cli::RunArgs;
use crate::corrections;
use crate::dates;
use crate::ingest::{self, discover::HELP_FILE_NAME, Options};
use crate::model::{Batch, Labels};
use crate::render::{self, CLASSIFIED_FILE, FEEDBACK_DIR};
use crate::rules::Rules;

pub const DEFAULT_INPUT_DIR: &str = "入力";
pub const DEFAULT_OUTPUT_DIR: &str = "出力";

/// Files below which no progress bar is shown: a month's batch is instant.
const PROGRESS_MIN_FILES: usize = 50;

pub fn execute(args: &RunArgs) -> Status {
    let status = run(args);
    pause_if_double_clicked();
    status
}

/// `renkei PATHS...` (a folder dropped on the icon) or `renkei` alone, which
/// reads `入力/` into `出力/`, creating `入力/` with a short guide if missing.
pub fn execute_default(paths: &[PathBuf]) -> Status {
    let mut args = RunArgs {
        paths: paths.to_vec(),
        out: None,
        rules: None,
        keep_speakers: false,
        since: None,
        until: None,
        quiet: false,
    };
    if args.paths.is_empty() {
        let input = PathBuf::from(DEFAULT_INPUT_DIR);
        if !input.exists() {
            let status = create_input_folder(&input);
            pause_if_double_clicked();
            return status;
        }
        args.paths = vec![input];
        args.out = Some(PathBuf::from(DEFAULT_OUTPUT_DIR));
    }
    execute(&args)
}

fn create_input_folder(input: &Path) -> Status {
    let guide = "renkei の使い方\r\n\r\n\
1. この「入力」フォルダに、その月の打合せ会の Excel（ヒアリングシート）を入れます。\r\n\
   フォルダの中にフォルダがあってもかまいません。\r\n\
2. renkei をもう一度実行します（アイコンをダブルクリック）。\r\n\
3. 隣の「出力」フォルダに、ランキング.xlsx、分類一覧.xlsx、フィードバック（職種ごと）ができます。\r\n\r\n\
分類を直したいときは、分類一覧.xlsx の「修正」の列に書いて保存し、もう一度実行します。\r\n\
直した内容は次の結果に引き継がれます。\r\n";
    match std::fs::create_dir_all(input)
        .and_then(|_| std::fs::write(input.join(HELP_FILE_NAME), guide))
    {
        Ok(()) => {
            eprintln!(
                "「{}」フォルダを作りました。打合せ会の Excel を入れてから、もう一度実行してください（使い方は {} にあります）。",
                input.display(),
                HELP_FILE_NAME
            );
        }
        Err(e) => eprintln!("エラー: 「{}」フォルダを作れません（{e}）", input.display()),
    }
    Status::Failed
}

fn run(args: &RunArgs) -> Status {
    let started = Instant::now();
    if args.paths.is_empty() {
        eprintln!(
            "エラー: 読むファイルかフォルダを指定してください（例: renkei run 入力 -o 出力）"
        );
        return Status::Failed;
    }
    let rules = match Rules::load(args.rules.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("エラー: {e}");
            return Status::Failed;
        }
    };
    let (since, until) = match (
        parse_bound(args.since.as_deref(), "--since"),
        parse_bound(args.until.as_deref(), "--until"),
    ) {
        (Ok(s), Ok(u)) => (s, u),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("エラー: {e}");
            return Status::Failed;
        }
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_output(&args.paths));
    if let Err(e) = prepare_output(&out) {
        eprintln!("エラー: {e}");
        return Status::Failed;
    }
    let previous = match corrections::load(&out.join(CLASSIFIED_FILE)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("エラー: {e}。前回の修正を失わないよう、何も書かずに止めます。ファイルを閉じるか、別の出力フォルダを指定してください。");
            return Status::Failed;
        }
    };

    // Ingest: find and read every sheet (all cores).
    let options = Options {
        exclude: vec![out.clone()],
        ..Options::default()
    };
    let progress = progress_bar(args, || ingest::count_files(&args.paths, &options));
    let batch = match ingest::ingest(&args.paths, &options, rules.lexicon(), &|| progress.inc(1)) {
        Ok(b) => b,
        Err(e) => {
            progress.finish_and_clear();
            eprintln!("エラー: {e}");
            return Status::Failed;
        }
    };
    progress.finish_and_clear();
    let read_status = status_of(&batch);
    if read_status == Status::Failed {
        return Status::Failed;
    }
    let t_ingest = started.elapsed();
    let m_ingest = peak_memory_mib();

    // Filter by meeting date (--since / --until).
    let (batch, filtered_out) = filter_by_date(batch, since, until);

    // Classify every remark, then apply last run's corrections; meanwhile
    // group the remarks into opinions (grouping reads only their text).
    let ((labels, applied), grouping) = rayon::join(
        || {
            let mut labels = classify_all(&rules, &batch);
            let applied = corrections::apply(&batch, &mut labels, &previous);
            (labels, applied)
        },
        || aggregate::group::group(&batch.remarks, rules.similarity_threshold()),
    );
    let t_labels = started.elapsed();

    // Aggregate: ranks, cross-tables, pairs.
    let category_order: Vec<String> = rules.categories().iter().map(|c| c.name.clone()).collect();
    let professions: Vec<String> = rules
        .lexicon()
        .parties()
        .iter()
        .filter(|p| p.profession)
        .map(|p| p.name.clone())
        .collect();
    let agg = aggregate::aggregate_grouped(
        &batch,
        &labels,
        &Settings {
            category_order: &category_order,
            professions: &professions,
            threshold: rules.similarity_threshold(),
        },
        grouping,
    );
    let t_classify = started.elapsed();
    let m_aggregate = peak_memory_mib();
    // Grouping's indexes are gone; hand their space back before rendering.
    crate::memory::release_free_memory();

    // Render the three outputs, concurrently.
    let ctx = render::Context {
        batch: &batch,
        labels: &labels,
        agg: &agg,
        corrections: &applied.per_remark,
        category_names: &category_order,
        keep_speakers: args.keep_speakers,
    };
    let written = match write_outputs(&ctx, &out) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("エラー: {e}");
            return Status::Failed;
        }
    };
    let t_total = started.elapsed();

    print_summary(&batch, &agg, &applied, filtered_out, &out, &written);
    if std::env::var_os("RENKEI_TIMINGS").is_some() {
        eprintln!(
            "timings: ingest {:.3}s, classify+group {:.3}s, aggregate {:.3}s, render {:.3}s, total {:.3}s",
            t_ingest.as_secs_f64(),
            (t_labels - t_ingest).as_secs_f64(),
            (t_classify - t_labels).as_secs_f64(),
            (t_total - t_classify).as_secs_f64(),
            t_total.as_secs_f64()
        );
        eprintln!(
            "peak memory (MiB): after ingest {m_ingest:.0}, after aggregate {m_aggregate:.0}, at end {:.0}",
            peak_memory_mib()
        );
    }
    // Freeing 60,000 remarks' strings takes ~50 ms that nobody waits for:
    // done on a thread of its own, which the process does not wait for when
    // it ends (or here, if no thread can be started).
    let data = (batch, labels, agg, applied, previous, rules);
    let _ = std::thread::Builder::new().spawn(move || drop(data));
    read_status
}

fn parse_bound(s: Option<&str>, flag: &str) -> Result<Option<NaiveDate>, String> {
    match s {
        None => Ok(None),
        Some(s) => dates::parse_date(s).map(Some).ok_or_else(|| {
            format!("{flag} の日付「{s}」を読めません（例: 2024-04-01、令和6年4月1日）")
        }),
    }
}

/// `出力/` beside the first input's parent folder: for `…/2024-04/入力` that is
/// `…/2024-04/出力`; for a file, beside the file.
fn default_output(paths: &[PathBuf]) -> PathBuf {
    let first = &paths[0];
    let base = if first.is_dir() {
        first.parent()
    } else {
        first.parent().and_then(Path::parent).or(first.parent())
    };
    match base {
        Some(p) if !p.as_os_str().is_empty() => p.join(DEFAULT_OUTPUT_DIR),
        _ => PathBuf::from(DEFAULT_OUTPUT_DIR),
    }
}

/// Creates the output folder and proves it writable before anything is read.
fn prepare_output(out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out.join(FEEDBACK_DIR)).map_err(|e| {
        format!(
            "出力フォルダ「{}」を作れません（{e}）。別の場所を -o で指定してください",
            out.display()
        )
    })?;
    tempfile::NamedTempFile::new_in(out).map(drop).map_err(|e| {
        format!(
            "出力フォルダ「{}」に書き込めません（{e}）。別の場所を -o で指定してください",
            out.display()
        )
    })
}

/// `files` counts the inputs (a walk of the folders): only done when a bar
/// can be shown.
fn progress_bar(args: &RunArgs, files: impl FnOnce() -> usize) -> ProgressBar {
    if args.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let files = files();
    if files < PROGRESS_MIN_FILES {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(files as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ファイル")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message("読み込み中");
    bar
}

/// Keeps the meetings inside the period; undated meetings are left out when
/// a period is given (their date cannot be compared) and counted.
fn filter_by_date(
    batch: Batch,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> (Batch, usize) {
    if since.is_none() && until.is_none() {
        return (batch, 0);
    }
    let keep: Vec<bool> = batch
        .meetings
        .iter()
        .map(|m| {
            m.date
                .is_some_and(|d| since.is_none_or(|s| d >= s) && until.is_none_or(|u| d <= u))
        })
        .collect();
    let mut new_index = vec![usize::MAX; batch.meetings.len()];
    let mut out = Batch {
        files: batch.files,
        meetings: Vec::new(),
        remarks: Vec::new(),
    };
    for (mut m, k) in batch.meetings.into_iter().zip(&keep) {
        if *k {
            new_index[m.index] = out.meetings.len();
            m.index = out.meetings.len();
            out.meetings.push(m);
        }
    }
    let before = batch.remarks.len();
    for mut r in batch.remarks {
        if keep[r.meeting] {
            r.meeting = new_index[r.meeting];
            out.remarks.push(r);
        }
    }
    for f in &mut out.files {
        for s in &mut f.sheets {
            if let crate::model::SheetOutcome::Meeting(i) = s.outcome {
                s.outcome = if keep[i] {
                    crate::model::SheetOutcome::Meeting(new_index[i])
                } else {
                    crate::model::SheetOutcome::Skipped(
                        "指定した期間（--since / --until）の外の会議なので使いません".into(),
                    )
                };
            }
        }
    }
    let removed = before - out.remarks.len();
    (out, removed)
}

pub fn classify_all(rules: &Rules, batch: &Batch) -> Vec<Labels> {
    batch
        .remarks
        .par_iter()
        .map(|r| {
            let profession = &batch.meetings[r.meeting].profession;
            classify::classify(
                rules,
                &Input {
                    text: &r.normalized,
                    note: r.note.as_deref(),
                    profession,
                    given_categories: &r.given_categories,
                    given_kind: r.given_kind,
                },
            )
        })
        .collect()
}

fn write_outputs(
    ctx: &render::Context,
    out: &Path,
) -> Result<render::Written, render::RenderError> {
    let written = render::write_all(ctx, out)?;
    remove_stale_feedback(&out.join(FEEDBACK_DIR), &written.feedback);
    Ok(written)
}

/// A profession that had meetings last month but not this month must not keep
/// last month's feedback workbook next to this month's.
fn remove_stale_feedback(dir: &Path, written: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let is_xlsx = p
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("xlsx"));
        if is_xlsx && !written.contains(&p) {
            let _ = std::fs::remove_file(&p);
        }
    }
}

fn print_summary(
    batch: &Batch,
    agg: &Aggregate,
    applied: &corrections::Applied,
    filtered_out: usize,
    out: &Path,
    written: &render::Written,
) {
    let t = totals(batch);
    super::skipped::print_all(batch);
    for w in &applied.warnings {
        eprintln!("注意: {w}");
    }
    println!(
        "ファイル {} 件を見ました: 読んだ {}（うち会議のないもの {}）・読めない {}・重複 {}・対象外 {}・一時ファイル等 {}",
        t.files, t.read, t.no_meeting, t.unreadable, t.duplicates, t.other, t.junk
    );
    println!(
        "会議 {} 件（職種 {}: {}）",
        batch.meetings.len(),
        agg.professions.len(),
        agg.professions.join("、")
    );
    let read = batch.remarks.len() + filtered_out;
    if filtered_out > 0 {
        println!("期間外の会議の意見 {filtered_out} 件は使っていません");
    }
    println!(
        "読んだ意見 {} 件 = 書いた意見 {} 件（分類一覧の行数）{}",
        batch.remarks.len(),
        agg.remarks_total,
        if read == batch.remarks.len() {
            String::new()
        } else {
            format!("（期間内のみ。読み込みは {read} 件）")
        }
    );
    if applied.applied > 0 {
        println!("前回の修正 {} 件を反映しました", applied.applied);
    }
    println!("出力フォルダ: {}", out.display());
    println!(
        "  {}",
        written
            .ranking
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
    );
    println!(
        "  {}",
        written
            .classified
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
    );
    println!("  {}/ （{} 職種）", FEEDBACK_DIR, written.feedback.len());
    if t.unreadable > 0 {
        println!("読めなかったファイルが {} 件あります（理由は 分類一覧.xlsx の「取込結果」シートにもあります）", t.unreadable);
    }
}

/// When started by a double-click on Windows the console closes at exit;
/// wait for Enter so the summary can be read.
fn pause_if_double_clicked() {
    #[cfg(windows)]
    {
        if std::io::stdin().is_terminal() && own_console() {
            eprintln!("Enter キーを押すと閉じます…");
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        }
    }
}

/// True when no other process (cmd.exe, PowerShell) shares our console.
#[cfg(windows)]
fn own_console() -> bool {
    extern "system" {
        fn GetConsoleProcessList(list: *mut u32, count: u32) -> u32;
    }
    let mut pids = [0u32; 4];
    // SAFETY: the buffer is valid for `count` u32 values.
    let n = unsafe { GetConsoleProcessList(pids.as_mut_ptr(), pids.len() as u32) };
    n == 1
}

/// Peak resident memory so far, for `RENKEI_TIMINGS` (Linux; 0 elsewhere).
fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
