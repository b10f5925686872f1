//! `renkei run`: the monthly job. Reads the hearing sheets, classifies and
//! aggregates every remark, and writes ランキング.xlsx, 分類一覧.xlsx and one
//! フィードバック workbook per profession, then prints a short summary.
//!
//! The stages run in turn, each introduced by a comment; nothing is written
//! until every input has been read and classified, and each workbook is
//! written atomically, so a failed run leaves no partial file. What staff
//! typed into the previous 分類一覧 goes into the corrections ledger first
//! ([`crate::ledger`]), and the output folder's files are replaced only when
//! renkei wrote them and nobody changed them since ([`place`]). A run that
//! reads no remark writes nothing, so it cannot blank last month's results.

mod period;
mod place;
mod report;

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::check::status_of;
use super::Status;
use crate::aggregate::{self, Settings, OTHER_CATEGORY};
use crate::classify::Input;
use crate::cli::RunArgs;
use crate::ingest::{self, discover::HELP_FILE_NAME, Options};
use crate::learn::{self, combine::Classifier};
use crate::ledger::{self, apply::Vocabulary, Ledger};
use crate::model::{Batch, Labels, Sources};
use crate::os::console::pause_if_double_clicked;
use crate::os::error::{describe, Access};
use crate::render::{self, CLASSIFIED_COLUMNS, CLASSIFIED_FILE, FEEDBACK_DIR};
use crate::rules::Rules;
use period::Period;

pub const DEFAULT_INPUT_DIR: &str = "入力";
pub const DEFAULT_OUTPUT_DIR: &str = "出力";

/// The guide put into a new `入力/` (CRLF and a BOM, for Notepad). It is
/// also the 使い方.txt of the Windows zip: tools/package-windows.sh runs
/// renkei in an empty folder to get it, so there is one text.
pub const GUIDE: &str = "renkei の使い方

1. 「入力」フォルダに、打合せ会の Excel（ヒアリングシート）を入れます。
   年度ごとにフォルダを作り（例: 入力\\2024年度）、毎月その月の分を足していくのがおすすめです。
   その月の分だけを入れて実行してもかまいません（前の月の修正は消えません）。
2. renkei（renkei.exe）をダブルクリックします。終わると結果の要約が出るので、読んだら Enter キーを押して閉じます。
   フォルダを renkei のアイコンに落としても動きます（結果はそのフォルダの隣の「出力」にできます）。
3. 隣の「出力」フォルダに、ランキング.xlsx、分類一覧.xlsx、フィードバック（職種ごと）ができます。

できるもの（「出力」フォルダ）
・ランキング.xlsx … カテゴリごとの件数の順位（全体と職種ごと）
・分類一覧.xlsx … 意見 1 件 1 行の一覧と集計。「取込結果」シートに、読めなかったファイルとその理由
・フィードバック（職種ごとの .xlsx）… その職種の打合せ会で出た意見だけを返す資料。
  ほかの職種の意見や発言者名は入りません。

分類を直すとき
・分類一覧.xlsx の「一覧」シートの「カテゴリ(修正)」「課題/アイデア(修正)」「所在(修正)」に入力して保存し、
  もう一度実行します。
・直した内容は renkei が「出力\\renkei管理」の台帳に記録し、その意見が読まれるたびに反映します
  （翌月の実行でも、年度のまとめでも、期間を絞った実行でも）。
・空欄にしても修正は消えません。取り消すときは「取消」と入力します。
・「一覧」に自分で足した列（担当メモなど）も、意見ごとに次の結果へ引き継がれます。
・これまでの修正は、分類一覧.xlsx の「修正履歴」シートですべて見られます。

出力フォルダのファイル
・renkei が書いたまま変わっていないファイルだけを新しくします。
・手直しされたファイル（メモを書き込んだフィードバックや、修正を入力した分類一覧）は、
  上書きせずに「出力\\保管\\日時」のフォルダへ移します。
・自分で置いたファイルや、今回の入力にない職種のフィードバックには触りません。

うまくいかないとき
・「エラー:」で始まる行に、理由とすることが書いてあります。そのとおりにして、もう一度実行します。
・「Excel で開いていたら閉じて」と出たら、出力の Excel を閉じてから、もう一度実行します。
・「読めないファイル」と出たファイルは飛ばして、ほかは全部読んでいます。理由のとおりにして
  （パスワードを外す、Excel で開いて .xlsx で保存し直す など）から、もう一度実行します。
・直らないときは、表示された文をそのまま担当者に知らせてください。

renkei の zip に入っているもの
・renkei.exe … このプログラム
・入力 … Excel を入れるフォルダ
・記入用紙 … 打合せ会の記録に使える空の用紙（例① 一覧形式、例② 分類形式）
・ルール … 分類に使うルール（組み込みと同じもの）。直して使うときはコピーして直し、
  コマンドプロンプトで renkei run 入力 --rules ルール のように指定します。
";

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
    // UTF-8 with a BOM and CRLF, so every Notepad shows it.
    let guide = format!("\u{feff}{}", GUIDE.replace('\n', "\r\n"));
    match std::fs::create_dir_all(input)
        .and_then(|_| std::fs::write(input.join(HELP_FILE_NAME), &guide))
    {
        Ok(()) => {
            eprintln!(
                "「{}」フォルダを作りました。打合せ会の Excel を入れてから、もう一度実行してください（使い方は {} にあります）。",
                input.display(),
                HELP_FILE_NAME
            );
        }
        Err(e) => eprintln!("エラー: {}", describe(&e, "", input, Access::Write)),
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
    let office_tsv = match &args.rules {
        Some(dir) => {
            match learn::examples::from_rules_dir(dir, rules.model_settings().office_weight as f32)
            {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("エラー: {e}");
                    return Status::Failed;
                }
            }
        }
        None => Vec::new(),
    };
    let period = match Period::parse(args.since.as_deref(), args.until.as_deref()) {
        Ok(p) => p,
        Err(e) => {
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

    // The ledger, with what was typed into the previous 分類一覧 since.
    let stop = "前回の修正を失わないよう、何も書かずに止めます。ファイルを閉じるか、別の出力フォルダを指定してください。";
    let mut ledger = match Ledger::open(&out) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("エラー: {e}。{stop}");
            return Status::Failed;
        }
    };
    if !ledger.bad_lines().is_empty() {
        eprintln!(
            "注意: 修正の台帳の {} 行目を読めませんでした（そのまま残しています）",
            join_numbers(ledger.bad_lines())
        );
    }
    let seed = match ledger::seed::read(&out.join(CLASSIFIED_FILE), &CLASSIFIED_COLUMNS, &ledger) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("エラー: {e}。{stop}");
            return Status::Failed;
        }
    };
    let recorded: usize = seed.rows.iter().map(|r| ledger.record(r)).sum();

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
    let m_ingest = crate::os::peak_memory_mib();

    // Filter by meeting date (--since / --until). No remark: nothing written.
    let (batch, left_out) = period::filter(batch, period);
    if batch.remarks.is_empty() {
        crate::commands::skipped::print_all(&batch);
        eprintln!("エラー: {}", nothing_to_write(&left_out, period));
        return Status::Failed;
    }

    // Classify every remark (the rules, and the model trained on the shipped
    // labeled remarks and the office's own: its 例② sheets, its corrections,
    // the rule folder's TSVs), then apply the ledger; meanwhile group the
    // remarks into opinions (grouping reads only their text).
    let category_order: Vec<String> = rules.categories().iter().map(|c| c.name.clone()).collect();
    let vocabulary = correction_vocabulary(&category_order, &batch);
    let office_weight = rules.model_settings().office_weight as f32;
    let mut examples = learn::examples::from_sheets(&batch, office_weight);
    examples.extend(learn::examples::from_ledger(
        &ledger,
        &vocabulary,
        office_weight,
    ));
    examples.extend(office_tsv);
    let ((labels, sources, applied), grouping) = rayon::join(
        || {
            let t = Instant::now();
            let classifier = Classifier::for_run(&rules, &examples);
            let t_train = t.elapsed();
            let (mut labels, mut sources) = classify_all(&classifier, &batch);
            if std::env::var_os("RENKEI_TIMINGS").is_some() {
                eprintln!(
                    "model: {} office examples, trained in {:.3}s, classified in {:.3}s",
                    examples.len(),
                    t_train.as_secs_f64(),
                    (t.elapsed() - t_train).as_secs_f64()
                );
            }
            let applied = ledger::apply::apply(
                &batch,
                &mut labels,
                &mut sources,
                &ledger,
                &Vocabulary {
                    categories: &vocabulary,
                },
                &left_out.keys,
                &seed.staff_columns,
            );
            (labels, sources, applied)
        },
        || aggregate::group::group(&batch.remarks, rules.similarity_threshold()),
    );
    let t_labels = started.elapsed();

    // Aggregate: ranks, cross-tables, pairs.
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
    let m_aggregate = crate::os::peak_memory_mib();
    // Grouping's indexes are gone; hand their space back before rendering.
    crate::memory::release_free_memory();

    // Render the three outputs, concurrently, then put them in place.
    let ctx = render::Context {
        batch: &batch,
        labels: &labels,
        sources: &sources,
        rules: &rules,
        agg: &agg,
        ledger: &applied,
        category_names: &category_order,
        keep_speakers: args.keep_speakers,
    };
    let stamp = chrono::Local::now().format("%Y-%m-%d_%H-%M-%S").to_string();
    let placed = match render::stage_all(&ctx, &out)
        .map_err(place::PlaceError::from)
        .and_then(|staged| place::place(staged, &out, &mut ledger, &stamp))
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("エラー: {e}");
            return Status::Failed;
        }
    };
    let t_total = started.elapsed();

    report::print(&report::Report {
        batch: &batch,
        agg: &agg,
        applied: &applied,
        recorded,
        left_out: &left_out,
        out: &out,
        placed: &placed,
    });
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
            crate::os::peak_memory_mib()
        );
    }
    // Freeing 60,000 remarks' strings takes ~50 ms that nobody waits for:
    // done on a thread of its own, which the process does not wait for when
    // it ends (or here, if no thread can be started).
    let data = (batch, labels, sources, agg, applied, ledger, rules);
    let _ = std::thread::Builder::new().spawn(move || drop(data));
    read_status
}

/// Why a run that read no remark writes nothing.
fn nothing_to_write(left_out: &period::LeftOut, period: Period) -> String {
    let keep = "何も書いていません（前回の結果はそのままです）";
    if left_out.remarks == 0 {
        return format!(
            "読める意見が一つもなかったので、{keep}。入力のファイルとフォルダを確かめてください"
        );
    }
    let span = match left_out.span {
        Some((a, b)) => format!(
            "読んだ会議の日付は {} 〜 {} です",
            a.format("%Y-%m-%d"),
            b.format("%Y-%m-%d")
        ),
        None => "読んだ会議には日付がありません".to_string(),
    };
    format!(
        "指定した期間（{}）に入る会議がないので、{keep}。{span}。--since / --until の日付を確かめてください",
        period.describe()
    )
}

/// The categories a correction may name: the rules' and those staff used in
/// this run's 例② sheets, and その他.
fn correction_vocabulary(rules: &[String], batch: &Batch) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::new();
    let given = batch.remarks.iter().flat_map(|r| &r.given_categories);
    rules
        .iter()
        .chain(given)
        .map(String::as_str)
        .chain([OTHER_CATEGORY])
        .filter(|c| !c.is_empty() && seen.insert(c))
        .map(str::to_string)
        .collect()
}

/// `3、5、9`.
fn join_numbers(n: &[usize]) -> String {
    n.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("、")
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
    let unusable = |e: std::io::Error| {
        let why = describe(&e, "出力先", out, Access::Write);
        format!("{why}別の場所を -o で指定してください")
    };
    std::fs::create_dir_all(out.join(FEEDBACK_DIR)).map_err(unusable)?;
    tempfile::NamedTempFile::new_in(out)
        .map(drop)
        .map_err(unusable)
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

/// Every remark classified: the rules, then the model's confident labels.
/// In two passes over the remarks, not remark by remark: each pass keeps its
/// own tables (the rules' automata, the model's weights) in the processor's
/// cache (classification about 6 % faster on the benchmark).
pub fn classify_all(classifier: &Classifier, batch: &Batch) -> (Vec<Labels>, Vec<Sources>) {
    fn input<'a>(batch: &'a Batch, r: &'a crate::model::Remark) -> Input<'a> {
        Input {
            text: &r.normalized,
            note: r.note.as_deref(),
            profession: &batch.meetings[r.meeting].profession,
            given_categories: &r.given_categories,
            given_kind: r.given_kind,
        }
    }
    let (mut labels, mut sources): (Vec<Labels>, Vec<Sources>) = batch
        .remarks
        .par_iter()
        .map(|r| classifier.rule_labels(&input(batch, r)))
        .unzip();
    labels
        .par_iter_mut()
        .zip(&mut sources)
        .zip(&batch.remarks)
        .for_each(|((l, s), r)| classifier.refine(&input(batch, r), l, s));
    (labels, sources)
}
