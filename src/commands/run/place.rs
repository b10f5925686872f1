//! Puts the built workbooks into the output folder without losing anything
//! staff keep there (see [`crate::folder`]): the ledger is saved first, then
//! every file at an output's place that is not renkei's unchanged own is
//! moved aside, then the new files are renamed into place and recorded.

use std::path::Path;

use crate::folder::{self, Disposition, Manifest};
use crate::ledger::{JournalError, Ledger};
use crate::os::error::{describe, Access};
use crate::render::{RenderError, StagedOutputs, Written, FEEDBACK_DIR};

/// What became of the output folder.
#[derive(Debug)]
pub struct Placed {
    pub written: Written,
    /// Files moved aside, unchanged: (where they were, where they are now),
    /// relative to the output folder.
    pub kept_aside: Vec<(String, String)>,
    /// Feedback workbooks renkei wrote on an earlier run for professions
    /// not in this one: left where they are, unchanged.
    pub left_alone: Vec<String>,
    /// The manifest could not be saved (the next run then keeps every
    /// output aside once: nothing is lost).
    pub manifest_error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Ledger(#[from] JournalError),
    #[error("{}何も書き換えずに止めます", describe(.source, "", &folder::shown(.file), Access::Read))]
    Inspect {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("手直しされた「{}」を「{}」へ移せません。{}出力はまだ書き換えていません", folder::shown(.file).display(), folder::shown(.to).display(), describe(.source, "", &folder::shown(.file), Access::Write))]
    KeepAside {
        file: String,
        to: String,
        #[source]
        source: std::io::Error,
    },
}

/// Places `staged` in `out`; `stamp` names the folder files are kept in.
pub fn place(
    staged: StagedOutputs,
    out: &Path,
    ledger: &mut Ledger,
    stamp: &str,
) -> Result<Placed, PlaceError> {
    staged.check()?;
    let mut manifest = Manifest::load(out);
    let destinations: Vec<(String, String)> = staged
        .destinations()
        .into_iter()
        .map(|(dest, sha)| (folder::relative(out, dest), sha.to_string()))
        .collect();
    let mut aside = Vec::new();
    for (rel, _) in &destinations {
        let disposition = manifest
            .disposition(out, rel)
            .map_err(|source| PlaceError::Inspect {
                file: rel.clone(),
                source,
            })?;
        if disposition == Disposition::KeepAside {
            aside.push(rel.clone());
        }
    }
    // What staff typed is safe before any of their files moves.
    ledger.save()?;
    let mut kept_aside = Vec::new();
    for rel in aside {
        let to = folder::keep_aside(out, &rel, stamp).map_err(|source| PlaceError::KeepAside {
            file: rel.clone(),
            to: format!("{}/{stamp}", folder::KEPT_DIR),
            source,
        })?;
        kept_aside.push((rel, to));
    }
    let written = staged.commit()?;
    let mut manifest_error = None;
    for (rel, sha) in destinations {
        if let Err(e) = manifest.record(out, &rel, sha) {
            manifest_error.get_or_insert(describe(&e, "", &out.join(&rel), Access::Read));
        }
    }
    let written_rel: Vec<String> = written
        .feedback
        .iter()
        .map(|p| folder::relative(out, p))
        .collect();
    let prefix = format!("{FEEDBACK_DIR}/");
    let left_alone = manifest
        .files
        .keys()
        .filter(|rel| rel.starts_with(&prefix) && !written_rel.contains(rel))
        .filter(|rel| out.join(rel).exists())
        .cloned()
        .collect();
    if let Err(e) = manifest.save(out) {
        let file = out.join(folder::MANIFEST_FILE);
        manifest_error.get_or_insert(describe(&e, "", &file, Access::Write));
    }
    Ok(Placed {
        written,
        kept_aside,
        left_alone,
        manifest_error,
    })
}
