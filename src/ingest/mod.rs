//! Ingest: find the input files, open them safely, find the meeting sheets
//! and read their title block and remarks into a [`Batch`].
//!
//! Files are read on all cores; the batch is then assembled in sorted path
//! order, so the first of two identical files is the one read and every run
//! over the same inputs gives the same batch.

pub mod cell;
pub mod contain;
pub mod discover;
pub mod grid;
pub mod guard;
pub mod header;
pub mod rows;
pub mod sheet;
pub mod title;
pub mod workbook;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::model::{Batch, FileOutcome, FileReport, SheetOutcome};
use crate::os::error::{describe, Access};
use crate::rules::lexicon::Lexicon;
pub use discover::DiscoverError;
use discover::{Candidate, CandidateKind};
use sheet::SheetRead;
use workbook::{SheetContent, SheetLimits};

/// Limits and exclusions for one run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub file_limits: guard::Limits,
    pub sheet_limits: SheetLimits,
    /// Folders not to read (the output folder).
    pub exclude: Vec<PathBuf>,
}

/// One spreadsheet file, read.
struct FileRead {
    hash: [u8; 32],
    outcome: FileOutcome,
    sheets: Vec<SheetRead>,
}

/// Reads every input. `on_file` is called once per file read (progress bar).
pub fn ingest(
    paths: &[PathBuf],
    options: &Options,
    lexicon: &Lexicon,
    on_file: &(dyn Fn() + Sync),
) -> Result<Batch, DiscoverError> {
    let candidates = discover::discover(paths, &options.exclude)?;
    let quiet = contain::QuietPanics::install();
    let reads: Vec<Option<FileRead>> = candidates
        .par_iter()
        .map(|c| {
            let read =
                (c.kind == CandidateKind::Spreadsheet).then(|| read_contained(c, options, lexicon));
            on_file();
            read
        })
        .collect();
    drop(quiet);
    // Each file's zip reader allocates and frees several 47 KB buffers and
    // the small strings that stay are carved from the freed space, so the
    // heaps grow well past what is used (2,000 files: 50 MiB in use, 220 MiB
    // free but held). That space is handed back while the files are put
    // together: the walk over it takes ~50 ms, on a core that would idle.
    let (_, batch) = rayon::join(crate::memory::release_free_memory, || {
        assemble(&candidates, reads)
    });
    Ok(batch)
}

/// How many files [`ingest`] will visit, for sizing a progress bar.
pub fn count_files(paths: &[PathBuf], options: &Options) -> usize {
    discover::discover(paths, &options.exclude)
        .map(|c| c.len())
        .unwrap_or(0)
}

/// [`read_file`], where a panic (a bug in renkei or a library, reached by a
/// hostile file) skips the file with [`contain::Panicked::reason`].
fn read_contained(c: &Candidate, options: &Options, lexicon: &Lexicon) -> FileRead {
    contain::read(|| read_file(c, options, lexicon)).unwrap_or_else(|p| FileRead {
        hash: [0; 32],
        outcome: FileOutcome::Unreadable(p.reason()),
        sheets: Vec::new(),
    })
}

fn read_file(c: &Candidate, options: &Options, lexicon: &Lexicon) -> FileRead {
    let unreadable = |reason: String| FileRead {
        hash: [0; 32],
        outcome: FileOutcome::Unreadable(reason),
        sheets: Vec::new(),
    };
    // Check the size before spending memory on the bytes.
    match std::fs::metadata(&c.path) {
        Ok(m) if m.len() > options.file_limits.max_file_bytes => {
            return unreadable(
                guard::Rejection::TooLarge {
                    bytes: m.len(),
                    limit: options.file_limits.max_file_bytes,
                }
                .reason(),
            )
        }
        Ok(_) => {}
        Err(e) => {
            return unreadable(describe(
                &e,
                "",
                c.path.file_name().map_or(c.path.as_path(), Path::new),
                Access::Read,
            ))
        }
    }
    let bytes = match std::fs::read(&c.path) {
        Ok(b) => b,
        Err(e) => {
            return unreadable(describe(
                &e,
                "",
                c.path.file_name().map_or(c.path.as_path(), Path::new),
                Access::Read,
            ))
        }
    };
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    let file_name = c
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sheets = match open(&file_name, &bytes, options) {
        Ok(s) => s,
        Err(reason) => {
            return FileRead {
                hash,
                ..unreadable(reason)
            }
        }
    };
    let stem = Path::new(&file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sheets = sheets
        .into_iter()
        .map(|s| match s.content {
            SheetContent::Cells(grid) => {
                let mut read = contain::in_sheet(&s.name, || {
                    sheet::read_sheet(&grid, &c.display, &stem, &s.name, lexicon)
                });
                if let Some(meeting) = &read.meeting {
                    let occasion = meeting.occasion();
                    for remark in &mut read.remarks {
                        remark.id = crate::identity::remark_id(
                            &meeting.profession,
                            &remark.match_key,
                            &occasion,
                        );
                    }
                }
                read
            }
            SheetContent::Skipped(reason) => sheet::skipped(&s.name, reason),
        })
        .collect();
    FileRead {
        hash,
        outcome: FileOutcome::Read,
        sheets,
    }
}

/// One file's bytes → its worksheets, or the reason it cannot be read:
/// the guard, then calamine. Not contained: call it inside
/// [`contain::read`] (as [`ingest`] does).
pub fn open(
    file_name: &str,
    bytes: &[u8],
    options: &Options,
) -> Result<Vec<workbook::SheetData>, String> {
    crate::failpoint::hit("read", file_name);
    let format = guard::inspect(file_name, bytes, &options.file_limits).map_err(|r| r.reason())?;
    workbook::read_sheets(bytes, format, options).map_err(|e| e.to_string())
}

/// Puts the files together in candidate order: duplicates dropped, meeting
/// indices and remark ids assigned.
fn assemble(candidates: &[Candidate], reads: Vec<Option<FileRead>>) -> Batch {
    // Sized up front: 60,000 remarks moved into a growing list, and their
    // ids into a growing map, cost more than everything else here.
    let remarks: usize = reads
        .iter()
        .flatten()
        .flat_map(|r| &r.sheets)
        .map(|s| s.remarks.len())
        .sum();
    let mut batch = Batch::default();
    batch.remarks.reserve_exact(remarks);
    let mut seen: HashMap<[u8; 32], String> = HashMap::new();
    let mut id_uses: HashMap<String, usize> = HashMap::with_capacity(remarks);
    for (c, read) in candidates.iter().zip(reads) {
        let Some(read) = read else {
            let outcome = match c.kind {
                CandidateKind::Junk => FileOutcome::Junk,
                _ => FileOutcome::NotSpreadsheet,
            };
            batch.files.push(FileReport {
                path: c.display.clone(),
                outcome,
                sheets: Vec::new(),
            });
            continue;
        };
        if matches!(read.outcome, FileOutcome::Read) {
            if let Some(first) = seen.get(&read.hash) {
                batch.files.push(FileReport {
                    path: c.display.clone(),
                    outcome: FileOutcome::Duplicate(first.clone()),
                    sheets: Vec::new(),
                });
                continue;
            }
            seen.insert(read.hash, c.display.clone());
        }
        let mut reports = Vec::with_capacity(read.sheets.len());
        for s in read.sheets {
            let mut report = s.report;
            if let Some(mut meeting) = s.meeting {
                let index = batch.meetings.len();
                meeting.index = index;
                report.outcome = SheetOutcome::Meeting(index);
                for mut remark in s.remarks {
                    remark.meeting = index;
                    remark.id = unique_id(remark.id, &mut id_uses);
                    batch.remarks.push(remark);
                }
                batch.meetings.push(meeting);
            }
            reports.push(report);
        }
        batch.files.push(FileReport {
            path: c.display.clone(),
            outcome: read.outcome,
            sheets: reports,
        });
    }
    batch
}

/// The same opinion twice in one meeting (the same identity, see
/// [`crate::identity`]) gets `-2`, `-3` … in reading order.
fn unique_id(hash: String, uses: &mut HashMap<String, usize>) -> String {
    let n = uses.entry(hash.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        hash
    } else {
        format!("{hash}-{n}")
    }
}
