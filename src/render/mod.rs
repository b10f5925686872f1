//! Renderers: finished aggregates in, workbooks out (SPEC §5). They never
//! re-read inputs and never count again: every number is copied from
//! [`Aggregate`], so all sheets agree.
//!
//! Three outputs, one file per workbook here:
//! - [`write_ranking`] → `ランキング.xlsx` (`ranking`),
//! - [`write_classified`] → `分類一覧.xlsx` (`classified`, with
//!   `summary` and `intake` for its smaller sheets),
//! - [`write_feedback`] → `フィードバック/<職種>.xlsx` (`feedback`).
//!
//! Shared: `style` (font, formats, widths, the cell limit), `print` (paper,
//! scale, page breaks: every sheet legible on A4), `order` (date order),
//! `names` (sheet and file names made valid), `save` (atomic writes).
//! Each workbook is saved to a temporary file beside its destination and
//! renamed over it only when complete; [`write_all`] builds all of them
//! concurrently and replaces the old outputs only when every one was built.

mod classified;
mod feedback;
mod history;
mod intake;
pub(crate) mod measure;
mod names;
mod order;
pub(crate) mod print;
mod ranking;
mod save;
pub(crate) mod style;
mod summary;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use rust_xlsxwriter::XlsxError;

use crate::aggregate::Aggregate;
use crate::model::{Batch, Labels, Sources};
use crate::rules::Rules;

pub use classified::{COLUMNS as CLASSIFIED_COLUMNS, HEADERS as CLASSIFIED_HEADERS};
pub use names::feedback_file_name;

/// `ランキング.xlsx`.
pub const RANKING_FILE: &str = "ランキング.xlsx";
/// `分類一覧.xlsx`.
pub const CLASSIFIED_FILE: &str = "分類一覧.xlsx";
/// The folder of the per-profession feedback workbooks.
pub const FEEDBACK_DIR: &str = "フィードバック";

/// Everything the renderers read. All borrowed and immutable, so it is
/// `Sync`: the three outputs can be written on three threads.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Meetings, remarks, files (取込結果).
    pub batch: &'a Batch,
    /// Effective labels per remark (corrections applied); same length as
    /// `batch.remarks`.
    pub labels: &'a [Labels],
    /// Where each label came from, per remark (may be shorter: the rest
    /// shows no source).
    pub sources: &'a [Sources],
    /// The rules, for the names of the rules behind the labels.
    pub rules: &'a Rules,
    pub agg: &'a Aggregate,
    /// The corrections ledger applied to this run: per remark what its 修正
    /// cells show and its staff columns' values, and every entry of the
    /// ledger for `修正履歴`. Its per-remark lists may be shorter than the
    /// remarks (the rest is empty).
    pub ledger: &'a Applied,
    /// Category names for the dropdowns, rule order, `その他` last.
    pub category_names: &'a [String],
    /// Keep speaker names in the feedback workbooks (`--keep-speakers`).
    pub keep_speakers: bool,
}

use crate::ledger::apply::Applied;
/// What staff typed in the three 修正 columns of `一覧` for one remark.
pub use crate::ledger::Correction;

/// Why an output could not be written, in words for staff.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The output folder cannot be created or written into.
    #[error(
        "出力先のフォルダ「{dir}」に書き込めません。フォルダがあるか、書き込んでよい場所かを確かめてから、もう一度実行してください。"
    )]
    Folder {
        dir: String,
        #[source]
        source: std::io::Error,
    },
    /// The destination file cannot be replaced (open in Excel, read-only …).
    #[error("{file} を書き込めません。Excel で開いていたら閉じてから、もう一度実行してください。")]
    Locked {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Writing the file failed part-way (disk full, temporary folder …).
    #[error(
        "{file} を保存できませんでした。ディスクの空き容量と書き込みの権限を確かめてから、もう一度実行してください。"
    )]
    Save {
        file: String,
        #[source]
        source: XlsxError,
    },
    /// The workbook could not be built: a bug, reported with its detail.
    #[error(
        "{file} を作れませんでした（{detail}）。お手数ですが、この表示を担当者に知らせてください。"
    )]
    Workbook { file: String, detail: String },
}

impl RenderError {
    fn from_xlsx(file: &str, source: XlsxError) -> RenderError {
        let file = file.to_string();
        match source {
            XlsxError::IoError(_) | XlsxError::ZipError(_) | XlsxError::TempFileError(..) => {
                RenderError::Save { file, source }
            }
            other => RenderError::Workbook {
                file,
                detail: other.to_string(),
            },
        }
    }
}

/// The files [`write_all`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub ranking: PathBuf,
    pub classified: PathBuf,
    /// In profession order.
    pub feedback: Vec<PathBuf>,
}

/// Writes `ランキング.xlsx` to `path`, atomically.
pub fn write_ranking(ctx: &Context, path: &Path) -> Result<(), RenderError> {
    stage_ranking(ctx, path)?.commit().map(drop)
}

/// Writes `分類一覧.xlsx` to `path`, atomically.
pub fn write_classified(ctx: &Context, path: &Path) -> Result<(), RenderError> {
    stage_classified(ctx, path, || {})?.commit().map(drop)
}

/// One workbook per profession into `dir` (フィードバック/); returns the files
/// written, in profession order. Nothing is replaced unless every workbook
/// was built. Files of professions no longer present are left alone.
pub fn write_feedback(ctx: &Context, dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    commit_all(stage_feedback(ctx, dir)?)
}

/// Writes the three outputs into `out_dir` concurrently: `ランキング.xlsx`,
/// `分類一覧.xlsx` and `フィードバック/`. All are built first; the old outputs
/// are replaced only when all were built and none is locked.
pub fn write_all(ctx: &Context, out_dir: &Path) -> Result<Written, RenderError> {
    let staged = stage_all(ctx, out_dir)?;
    staged.check()?;
    staged.commit()
}

/// Every output built into a temporary file beside its destination, not yet
/// in place: the caller decides what happens to the files there first.
#[derive(Debug)]
pub struct StagedOutputs {
    ranking: save::Staged,
    classified: save::Staged,
    feedback: Vec<save::Staged>,
}

impl StagedOutputs {
    fn all(&self) -> impl Iterator<Item = &save::Staged> {
        [&self.ranking, &self.classified]
            .into_iter()
            .chain(&self.feedback)
    }

    /// Each destination with the SHA-256 of what will be written there.
    pub fn destinations(&self) -> Vec<(&Path, &str)> {
        self.all().map(|s| (s.dest(), s.sha256())).collect()
    }

    /// Fails when a destination cannot be replaced (open in Excel …).
    pub fn check(&self) -> Result<(), RenderError> {
        self.all().try_for_each(save::Staged::check)
    }

    /// Renames every temporary file over its destination.
    pub fn commit(self) -> Result<Written, RenderError> {
        self.check()?;
        Ok(Written {
            ranking: self.ranking.commit()?,
            classified: self.classified.commit()?,
            feedback: commit_all(self.feedback)?,
        })
    }
}

/// Builds the three outputs for `out_dir` concurrently, without replacing
/// anything yet.
pub fn stage_all(ctx: &Context, out_dir: &Path) -> Result<StagedOutputs, RenderError> {
    save::ensure_folder(out_dir)?;
    let feedback_dir = out_dir.join(FEEDBACK_DIR);
    save::ensure_folder(&feedback_dir)?;
    // 分類一覧 is the largest by far: its sheets are written first, on every
    // core, and then it is saved (compressed) on one thread. The other
    // workbooks are jobs that two threads take in turn, largest first: this
    // one from when only 分類一覧's largest sheet (`一覧`) is left to write,
    // and 分類一覧's own thread once it is saved. So both cores stay busy,
    // and the longest chain (一覧, then its save) never waits for a core.
    let ranking_path = out_dir.join(RANKING_FILE);
    let jobs = Jobs::new(ctx, &ranking_path, &feedback_dir);
    let classified = std::thread::scope(|scope| {
        let (others_done, wait_others) = std::sync::mpsc::channel::<()>();
        let classified = scope.spawn(|| {
            let staged = stage_classified(ctx, &out_dir.join(CLASSIFIED_FILE), move || {
                let _ = others_done.send(());
            });
            jobs.run();
            staged
        });
        // Err: the classified workbook failed early; go on anyway.
        let _ = wait_others.recv();
        jobs.run();
        classified.join().expect("classified renderer panicked")
    });
    let (ranking, feedback) = jobs.into_results();
    Ok(StagedOutputs {
        ranking: ranking?,
        classified: classified?,
        feedback: feedback?,
    })
}

/// `ランキング.xlsx` and the feedback workbooks, built by whichever thread is
/// free: each thread takes the next job until none is left.
struct Jobs<'a> {
    ctx: &'a Context<'a>,
    ranking_path: &'a Path,
    feedback: FeedbackFiles<'a>,
    /// Feedback workbooks (indices into `feedback.files`), largest first,
    /// after the ranking (job 0).
    order: Vec<usize>,
    next: std::sync::atomic::AtomicUsize,
    ranking: std::sync::OnceLock<Result<save::Staged, RenderError>>,
    feedback_done: Vec<std::sync::OnceLock<Result<save::Staged, RenderError>>>,
}

impl<'a> Jobs<'a> {
    fn new(ctx: &'a Context<'a>, ranking_path: &'a Path, feedback_dir: &'a Path) -> Jobs<'a> {
        let feedback = FeedbackFiles::new(ctx, feedback_dir);
        let mut order: Vec<usize> = (0..feedback.files.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(ctx.agg.by_profession[i].1.remark_count));
        Jobs {
            ctx,
            ranking_path,
            feedback_done: order.iter().map(|_| Default::default()).collect(),
            feedback,
            order,
            next: Default::default(),
            ranking: Default::default(),
        }
    }

    /// Runs jobs until none is left.
    fn run(&self) {
        use std::sync::atomic::Ordering;
        loop {
            let job = self.next.fetch_add(1, Ordering::Relaxed);
            if job == 0 {
                let _ = self.ranking.set(stage_ranking(self.ctx, self.ranking_path));
            } else if let Some(&i) = self.order.get(job - 1) {
                let _ = self.feedback_done[i].set(self.feedback.stage(self.ctx, i));
            } else {
                return;
            }
        }
    }

    /// The ranking, then the feedback workbooks in profession order.
    fn into_results(
        self,
    ) -> (
        Result<save::Staged, RenderError>,
        Result<Vec<save::Staged>, RenderError>,
    ) {
        let missing = || unreachable!("every job ran before the threads ended");
        let ranking = self.ranking.into_inner().unwrap_or_else(missing);
        let feedback = self
            .feedback_done
            .into_iter()
            .map(|r| r.into_inner().unwrap_or_else(missing))
            .collect();
        (ranking, feedback)
    }
}

fn stage_ranking(ctx: &Context, path: &Path) -> Result<save::Staged, RenderError> {
    let mut wb = ranking::workbook(ctx).map_err(|e| RenderError::from_xlsx(RANKING_FILE, e))?;
    save::stage(&mut wb, path, &file_label(path))
}

/// `others_done` is called when the sheets but `一覧` are written, before
/// saving (see [`classified::workbook`]).
fn stage_classified(
    ctx: &Context,
    path: &Path,
    others_done: impl FnOnce(),
) -> Result<save::Staged, RenderError> {
    let label = file_label(path);
    let mut wb =
        classified::workbook(ctx, others_done).map_err(|e| RenderError::from_xlsx(&label, e))?;
    save::stage(&mut wb, path, &label)
}

/// The feedback workbooks' files in `dir`, in profession order.
struct FeedbackFiles<'a> {
    dir: &'a Path,
    /// `フィードバック`, for messages.
    folder: String,
    files: Vec<String>,
}

impl<'a> FeedbackFiles<'a> {
    fn new(ctx: &Context, dir: &'a Path) -> FeedbackFiles<'a> {
        // Names first, in profession order, so `(2)` goes to the later one.
        let mut names = names::FileNames::default();
        FeedbackFiles {
            dir,
            folder: dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            files: ctx
                .agg
                .by_profession
                .iter()
                .map(|(profession, _)| names.claim(profession))
                .collect(),
        }
    }

    /// Builds and stages the workbook of the `i`-th profession.
    fn stage(&self, ctx: &Context, i: usize) -> Result<save::Staged, RenderError> {
        let (profession, ranking) = &ctx.agg.by_profession[i];
        let file = &self.files[i];
        let label = if self.folder.is_empty() {
            file.clone()
        } else {
            format!("{}{}{file}", self.folder, std::path::MAIN_SEPARATOR)
        };
        let mut wb = feedback::workbook(ctx, profession, ranking)
            .map_err(|e| RenderError::from_xlsx(&label, e))?;
        save::stage(&mut wb, &self.dir.join(file), &label)
    }
}

fn stage_feedback(ctx: &Context, dir: &Path) -> Result<Vec<save::Staged>, RenderError> {
    use rayon::prelude::*;

    save::ensure_folder(dir)?;
    let files = FeedbackFiles::new(ctx, dir);
    (0..files.files.len())
        .into_par_iter()
        .map(|i| files.stage(ctx, i))
        .collect()
}

/// Checks every destination, then replaces them.
fn commit_all(staged: Vec<save::Staged>) -> Result<Vec<PathBuf>, RenderError> {
    for s in &staged {
        s.check()?;
    }
    staged.into_iter().map(save::Staged::commit).collect()
}

/// The file name for messages.
fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The renderers run on several threads, and errors cross them.
#[allow(dead_code)]
fn assert_thread_safe() {
    fn sync<T: Sync>() {}
    fn send_sync<T: Send + Sync + 'static>() {}
    sync::<Context<'static>>();
    send_sync::<RenderError>();
}
