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
//! Shared: `style` (font, formats, widths, print setup, the cell limit),
//! `names` (sheet and file names made valid), `save` (atomic writes).
//! Each workbook is saved to a temporary file beside its destination and
//! renamed over it only when complete; [`write_all`] builds all of them
//! concurrently and replaces the old outputs only when every one was built.

mod classified;
mod feedback;
mod intake;
mod names;
mod ranking;
mod save;
mod style;
mod summary;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use rust_xlsxwriter::XlsxError;

use crate::aggregate::Aggregate;
use crate::model::{Batch, Labels};

pub use classified::HEADERS as CLASSIFIED_HEADERS;
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
    pub agg: &'a Aggregate,
    /// Per remark: what staff typed in the 修正 columns last time (may be
    /// empty strings), written back so corrections survive a rerun. Same
    /// length as the remarks (a shorter slice leaves the rest empty).
    pub corrections: &'a [Correction],
    /// Category names for the dropdowns, rule order, `その他` last.
    pub category_names: &'a [String],
    /// Keep speaker names in the feedback workbooks (`--keep-speakers`).
    pub keep_speakers: bool,
}

/// What staff typed in the three 修正 columns of `一覧` for one remark.
pub use crate::corrections::Correction;

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
    save::ensure_folder(out_dir)?;
    // 分類一覧 is the largest by far and ends with a long single-threaded
    // save (compressing its sheets). Its sheets are written first, on every
    // core; the other workbooks are built while it is being saved.
    let (ranking, classified, feedback) = std::thread::scope(|scope| {
        let (sheets_done, wait_sheets) = std::sync::mpsc::channel::<()>();
        let classified = scope.spawn(move || {
            stage_classified(ctx, &out_dir.join(CLASSIFIED_FILE), move || {
                let _ = sheets_done.send(());
            })
        });
        // Err: the classified workbook failed before saving; go on anyway.
        let _ = wait_sheets.recv();
        let ranking = scope.spawn(|| stage_ranking(ctx, &out_dir.join(RANKING_FILE)));
        let feedback = stage_feedback(ctx, &out_dir.join(FEEDBACK_DIR));
        (
            ranking.join().expect("ranking renderer panicked"),
            classified.join().expect("classified renderer panicked"),
            feedback,
        )
    });
    let (ranking, classified, feedback) = (ranking?, classified?, feedback?);
    ranking.check()?;
    classified.check()?;
    for f in &feedback {
        f.check()?;
    }
    Ok(Written {
        ranking: ranking.commit()?,
        classified: classified.commit()?,
        feedback: commit_all(feedback)?,
    })
}

fn stage_ranking(ctx: &Context, path: &Path) -> Result<save::Staged, RenderError> {
    let mut wb = ranking::workbook(ctx).map_err(|e| RenderError::from_xlsx(RANKING_FILE, e))?;
    save::stage(&mut wb, path, &file_label(path))
}

/// `sheets_done` is called when the sheets are written, before saving.
fn stage_classified(
    ctx: &Context,
    path: &Path,
    sheets_done: impl FnOnce(),
) -> Result<save::Staged, RenderError> {
    let label = file_label(path);
    let mut wb = classified::workbook(ctx).map_err(|e| RenderError::from_xlsx(&label, e))?;
    sheets_done();
    save::stage(&mut wb, path, &label)
}

fn stage_feedback(ctx: &Context, dir: &Path) -> Result<Vec<save::Staged>, RenderError> {
    use rayon::prelude::*;

    save::ensure_folder(dir)?;
    let folder = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Names first, in profession order, so `(2)` goes to the later one.
    let mut names = names::FileNames::default();
    let files: Vec<String> = ctx
        .agg
        .by_profession
        .iter()
        .map(|(profession, _)| names.claim(profession))
        .collect();
    ctx.agg
        .by_profession
        .par_iter()
        .zip(files)
        .map(|((profession, ranking), file)| {
            let label = if folder.is_empty() {
                file.clone()
            } else {
                format!("{folder}{}{file}", std::path::MAIN_SEPARATOR)
            };
            let mut wb = feedback::workbook(ctx, profession, ranking)
                .map_err(|e| RenderError::from_xlsx(&label, e))?;
            save::stage(&mut wb, &dir.join(&file), &label)
        })
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
