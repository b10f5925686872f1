//! The corrections ledger: everything staff typed into 分類一覧's 一覧 (the
//! three 修正 columns and any column they added), kept by renkei inside the
//! output folder and tied to each remark's identity ([`crate::identity`]),
//! not to a file's name or place.
//!
//! Every run first reads what was typed into the previous 分類一覧.xlsx
//! ([`seed`]) and records what changed, then applies the ledger to the
//! remarks it read ([`apply`]). So nothing typed is lost when 分類一覧 is
//! replaced, when the ledger file is deleted (the next run re-seeds it from
//! 分類一覧), when 分類一覧 is deleted (the ledger has everything), or when a
//! month's run does not read the remark (the correction waits in the
//! ledger until the remark is read again).
//!
//! An empty cell never erases anything: a correction is withdrawn only by
//! typing `取消` in its cell. A file restored from a backup, or a column
//! emptied by mistake, therefore loses nothing.

pub mod apply;
pub mod journal;
pub mod seed;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::identity::RemarkKey;
use crate::normalize;
pub use journal::{Event, JournalError};

/// renkei's own folder inside the output folder.
pub const FOLDER: &str = "renkei管理";
/// The journal's file name, inside [`FOLDER`].
pub const JOURNAL_FILE: &str = "修正台帳.jsonl";
/// A note for staff who find [`FOLDER`].
const README_FILE: &str = "このフォルダについて.txt";
const README_TEXT: &str = "このフォルダは renkei が使います。消したり、中のファイルを直したりしないでください。\r\n\r\n\
・修正台帳.jsonl … 分類一覧.xlsx の「修正」の列や、追加した列に入力された内容の記録です。\r\n\
  意見ごとに記録しているので、その意見が次に読まれたとき（次の月・年度のまとめ・期間を絞った実行など）にも反映されます。\r\n\
  分類一覧.xlsx の「修正履歴」シートで一覧できます。\r\n\
・出力の記録.json … renkei が書いたファイルの記録です。人が手直ししたファイルを上書きしないために使います。\r\n";

/// Headers of 一覧's ID, text and correction columns, which the seed reads.
pub const ID_HEADER: &str = "ID";
pub const MEETING_HEADER: &str = "会議";
pub const DATE_HEADER: &str = "日付";
pub const PROFESSION_HEADER: &str = "職種";
pub const TEXT_HEADER: &str = "意見(正規化)";
pub const CATEGORY_FIELD: &str = "カテゴリ(修正)";
pub const KIND_FIELD: &str = "課題/アイデア(修正)";
pub const LOCATION_FIELD: &str = "所在(修正)";
pub const LIST_SHEET: &str = "一覧";

/// What staff type to withdraw a value (an empty cell erases nothing).
pub const WITHDRAW: [&str; 3] = ["取消", "取り消し", "取消し"];

/// The three correction fields, in 一覧's order.
pub const CORRECTION_FIELDS: [&str; 3] = [CATEGORY_FIELD, KIND_FIELD, LOCATION_FIELD];

/// What the three 修正 cells of one remark hold (empty strings where
/// nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Correction {
    pub category: String,
    pub kind: String,
    pub location: String,
}

impl Correction {
    pub fn is_empty(&self) -> bool {
        self.category.is_empty() && self.kind.is_empty() && self.location.is_empty()
    }
}

/// One field's current value and when it was last typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    pub name: String,
    /// Empty when withdrawn.
    pub value: String,
    pub at: String,
}

/// Everything the ledger holds for one remark.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: RemarkKey,
    /// The ID 一覧 showed it under when last typed.
    pub id: String,
    /// Normalized text and meeting name, for 修正履歴.
    pub text: String,
    pub meeting: String,
    /// When anything was first recorded for it.
    pub first_seen: String,
    /// Fields in the order first typed.
    pub fields: Vec<FieldValue>,
}

impl Entry {
    /// A field's current value ("" if never typed or withdrawn).
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map_or("", |f| f.value.as_str())
    }

    pub fn correction(&self) -> Correction {
        Correction {
            category: self.get(CATEGORY_FIELD).to_string(),
            kind: self.get(KIND_FIELD).to_string(),
            location: self.get(LOCATION_FIELD).to_string(),
        }
    }

    /// When the last value was typed.
    pub fn last_changed(&self) -> &str {
        self.fields
            .iter()
            .map(|f| f.at.as_str())
            .max()
            .unwrap_or(&self.first_seen)
    }

    /// Staff columns with a value.
    pub fn memos(&self) -> impl Iterator<Item = &FieldValue> {
        self.fields
            .iter()
            .filter(|f| !CORRECTION_FIELDS.contains(&f.name.as_str()) && !f.value.is_empty())
    }

    fn set(&mut self, name: &str, value: &str, at: &str) {
        match self.fields.iter_mut().find(|f| f.name == name) {
            Some(f) => {
                f.value = value.to_string();
                f.at = at.to_string();
            }
            None => self.fields.push(FieldValue {
                name: name.to_string(),
                value: value.to_string(),
                at: at.to_string(),
            }),
        }
    }
}

/// One row of the previous 一覧, as [`seed`] read it.
#[derive(Debug, Clone)]
pub struct TypedRow {
    pub key: RemarkKey,
    pub id: String,
    pub text: String,
    pub meeting: String,
    /// Non-empty cells of the 修正 columns and of staff columns.
    pub values: Vec<(String, String)>,
}

/// The ledger: the journal read and folded into one entry per remark.
#[derive(Debug)]
pub struct Ledger {
    dir: PathBuf,
    journal: journal::Journal,
    entries: Vec<Entry>,
    index: HashMap<RemarkKey, usize>,
    /// Staff column headers, in the order first seen.
    staff_columns: Vec<String>,
    /// This run's time stamp for new events.
    now: String,
    pending: Vec<Event>,
}

impl Ledger {
    /// Opens the ledger of the output folder `out` (empty if none yet).
    pub fn open(out: &Path) -> Result<Ledger, JournalError> {
        let dir = out.join(FOLDER);
        let journal = journal::Journal::open(&dir.join(JOURNAL_FILE))?;
        let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
        let mut ledger = Ledger {
            dir,
            journal,
            entries: Vec::new(),
            index: HashMap::new(),
            staff_columns: Vec::new(),
            now,
            pending: Vec::new(),
        };
        let events = std::mem::take(&mut ledger.journal.events);
        for e in &events {
            ledger.fold(e);
        }
        ledger.journal.events = events;
        Ok(ledger)
    }

    /// Line numbers of journal lines that could not be read (kept as they are).
    pub fn bad_lines(&self) -> &[usize] {
        &self.journal.bad_lines
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, key: &RemarkKey) -> Option<&Entry> {
        self.index.get(key).map(|&i| &self.entries[i])
    }

    /// The entry last shown under `id` (an ID without its `-2` suffix).
    pub fn by_id(&self, id: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| crate::identity::base_id(&e.id) == id)
    }

    /// Staff column headers, in the order first seen.
    pub fn staff_columns(&self) -> &[String] {
        &self.staff_columns
    }

    /// Records what was typed on one row of the previous 一覧: every value
    /// that differs from the ledger's. An empty cell is not a value; `取消`
    /// withdraws one. Returns how many values were recorded.
    pub fn record(&mut self, row: &TypedRow) -> usize {
        let mut recorded = 0;
        for (field, typed) in &row.values {
            let typed = typed.trim();
            if typed.is_empty() {
                continue;
            }
            let value = if WITHDRAW.contains(&typed) { "" } else { typed };
            let current = self.get(&row.key).map_or("", |e| e.get(field));
            if value == current {
                continue;
            }
            let event = Event {
                at: self.now.clone(),
                id: row.id.clone(),
                profession: row.key.profession.clone(),
                text: row.text.clone(),
                occasion: row.key.occasion.clone(),
                meeting: row.meeting.clone(),
                field: field.clone(),
                value: value.to_string(),
            };
            self.fold(&event);
            self.pending.push(event);
            recorded += 1;
        }
        recorded
    }

    /// Values recorded by this run, not yet saved.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Saves what this run recorded (atomically; the old lines stay as they
    /// are) and leaves a note for staff in the folder.
    pub fn save(&mut self) -> Result<(), JournalError> {
        let pending = std::mem::take(&mut self.pending);
        if let Err(e) = self.journal.append(&pending) {
            self.pending = pending;
            return Err(e);
        }
        let note = self.dir.join(README_FILE);
        if !pending.is_empty() && !note.exists() {
            // Only a courtesy: the ledger is saved either way.
            let _ = std::fs::write(note, README_TEXT);
        }
        Ok(())
    }

    fn fold(&mut self, e: &Event) {
        let key = RemarkKey {
            profession: e.profession.clone(),
            match_key: normalize::match_key(&e.text),
            occasion: e.occasion.clone(),
        };
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.entries.push(Entry {
                    key: key.clone(),
                    id: e.id.clone(),
                    text: e.text.clone(),
                    meeting: e.meeting.clone(),
                    first_seen: e.at.clone(),
                    fields: Vec::new(),
                });
                self.index.insert(key, self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[i];
        entry.id = e.id.clone();
        entry.meeting = e.meeting.clone();
        entry.set(&e.field, &e.value, &e.at);
        if !CORRECTION_FIELDS.contains(&e.field.as_str()) && !self.staff_columns.contains(&e.field)
        {
            self.staff_columns.push(e.field.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str, values: &[(&str, &str)]) -> TypedRow {
        let key = RemarkKey {
            profession: "薬剤師".into(),
            match_key: normalize::match_key(text),
            occasion: "2024-04-01".into(),
        };
        TypedRow {
            id: key.id(),
            key,
            text: text.into(),
            meeting: "薬剤師 第1回 (2024-04-01)".into(),
            values: values
                .iter()
                .map(|(f, v)| (f.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn typed_values_are_recorded_once_and_survive_reopening() {
        let out = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(out.path()).unwrap();
        let r = row(
            "残薬が多い",
            &[(LOCATION_FIELD, "職種間"), ("担当メモ", "要確認")],
        );
        assert_eq!(l.record(&r), 2);
        // The same values again change nothing.
        assert_eq!(l.record(&r), 0);
        l.save().unwrap();
        let l = Ledger::open(out.path()).unwrap();
        let e = l.get(&r.key).unwrap();
        assert_eq!(e.correction().location, "職種間");
        assert_eq!(e.get("担当メモ"), "要確認");
        assert_eq!(l.staff_columns(), ["担当メモ"]);
        assert!(l.by_id(&r.id).is_some());
    }

    #[test]
    fn an_empty_cell_erases_nothing_and_torikeshi_withdraws() {
        let out = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(out.path()).unwrap();
        l.record(&row("残薬が多い", &[(KIND_FIELD, "アイデア")]));
        assert_eq!(l.record(&row("残薬が多い", &[])), 0);
        assert_eq!(l.record(&row("残薬が多い", &[(KIND_FIELD, "")])), 0);
        assert_eq!(l.entries()[0].correction().kind, "アイデア", "still there");
        assert_eq!(l.record(&row("残薬が多い", &[(KIND_FIELD, "取消")])), 1);
        assert!(l.entries()[0].correction().is_empty());
        // Punctuation and spaces do not make another remark.
        l.record(&row("残薬が、多い。", &[(KIND_FIELD, "課題")]));
        assert_eq!(l.entries().len(), 1);
    }
}
