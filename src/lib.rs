//! renkei (連携): reads the Excel hearing sheets of 在宅医療・介護連携推進事業
//! meetings, classifies and ranks every remark, and writes ranked, classified
//! and per-profession feedback workbooks, following the Kamaishi manual.
//!
//! The library is a pipeline of stages over the plain types of [`model`]:
//! [`ingest`] → [`normalize`] → [`classify`] → [`aggregate`] → [`render`].

pub mod aggregate;
pub mod classify;
pub mod cli;
pub mod commands;
pub mod dates;
pub mod failpoint;
pub mod folder;
pub mod identity;
pub mod ingest;
pub mod learn;
pub mod ledger;
pub mod memory;
pub mod model;
pub mod normalize;
pub mod os;
pub mod render;
pub mod rules;

// A panic while reading one file must skip that file, not end the run
// (`ingest::contain`); with panic = "abort" nothing could be caught.
#[cfg(panic = "abort")]
compile_error!("renkei needs panic = \"unwind\" (see ingest::contain)");
