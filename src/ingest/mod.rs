//! Ingest: find the input files, open them safely, find the meeting sheets
//! and read their title block and remarks into a [`crate::model::Batch`].
