//! The plain data types every stage shares. Ingest produces [`Batch`]; the
//! later stages (normalize → classify → aggregate → render) only read it and
//! add their own types beside it, so data flows one way.

use chrono::NaiveDate;
use serde::Serialize;

/// The two sheet layouts of the Kamaishi manual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Layout {
    /// 例① `No | 職種 | 発言者 | 意見 | 備考`: one remark a row.
    List,
    /// 例② `順位 | カテゴリ | 課題/アイデア | 意見`: remarks already classified.
    Classified,
}

impl Layout {
    pub fn label(self) -> &'static str {
        match self {
            Layout::List => "例①(一覧)",
            Layout::Classified => "例②(分類済み)",
        }
    }
}

/// The tier marker of a meeting (`【一次連携】` …) and, for an issue, the
/// place where it is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Tier {
    Primary,
    Secondary,
    Tertiary,
}

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::Primary => "一次連携",
            Tier::Secondary => "二次連携",
            Tier::Tertiary => "三次連携",
        }
    }
}

/// 所在: where an issue lies. Each maps to the tier that solves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Location {
    /// 職種内 → 一次連携
    WithinProfession,
    /// 職種間 → 二次連携
    BetweenProfessions,
    /// 地域全体 → 三次連携
    RegionWide,
}

impl Location {
    pub const ALL: [Location; 3] = [
        Location::WithinProfession,
        Location::BetweenProfessions,
        Location::RegionWide,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Location::WithinProfession => "職種内",
            Location::BetweenProfessions => "職種間",
            Location::RegionWide => "地域全体",
        }
    }

    pub fn tier(self) -> Tier {
        match self {
            Location::WithinProfession => Tier::Primary,
            Location::BetweenProfessions => Tier::Secondary,
            Location::RegionWide => Tier::Tertiary,
        }
    }

    pub fn from_label(s: &str) -> Option<Location> {
        Location::ALL.into_iter().find(|l| l.label() == s.trim())
    }
}

/// 課題/アイデア.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Kind {
    /// 課題: a problem or a lack.
    Issue,
    /// アイデア: a proposal, wish or plan.
    Idea,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Issue => "課題",
            Kind::Idea => "アイデア",
        }
    }

    pub fn from_label(s: &str) -> Option<Kind> {
        match s.trim() {
            "課題" => Some(Kind::Issue),
            "アイデア" | "アイディア" | "アイデア・提案" | "提案" => {
                Some(Kind::Idea)
            }
            _ => None,
        }
    }
}

/// Where the meeting's profession was read from (SPEC §1, in priority order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProfessionSource {
    /// A cell after `職種名` / `職種:` in the title block.
    TitleCell,
    /// The meeting title (`第1回薬剤師会との打合せ会`).
    Title,
    /// The most common value of the rows' 職種 column.
    Column,
    SheetName,
    FileName,
    /// Nothing named a known profession; the value is kept as written.
    Unrecognized,
    /// Nothing at all was found.
    Missing,
}

impl ProfessionSource {
    pub fn label(self) -> &'static str {
        match self {
            ProfessionSource::TitleCell => "職種名の欄",
            ProfessionSource::Title => "表題",
            ProfessionSource::Column => "職種列",
            ProfessionSource::SheetName => "シート名",
            ProfessionSource::FileName => "ファイル名",
            ProfessionSource::Unrecognized => "未登録の職種名",
            ProfessionSource::Missing => "不明",
        }
    }
}

/// A cell position for messages and the 出典 column: `file!sheet!row`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// Path relative to the input root it was found under, `/`-separated.
    pub file: String,
    pub sheet: String,
    /// 1-based row as Excel shows it.
    pub row: u32,
    /// Column letter(s) as Excel shows them.
    pub col: String,
}

impl SourceRef {
    /// The 出典 form: `file!sheet!row`.
    pub fn display(&self) -> String {
        format!("{}!{}!{}", self.file, self.sheet, self.row)
    }

    /// A cell address for messages: `file!sheet!C12`.
    pub fn cell(&self) -> String {
        format!("{}!{}!{}{}", self.file, self.sheet, self.col, self.row)
    }
}

/// One meeting sheet (一次連携の打合せ会 …).
#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    /// Index in [`Batch::meetings`].
    pub index: usize,
    pub file: String,
    pub sheet: String,
    pub layout: Layout,
    /// Canonical profession name (through the lexicon), or the raw value.
    pub profession: String,
    pub profession_source: ProfessionSource,
    pub title: Option<String>,
    pub tier: Option<Tier>,
    pub round: Option<u32>,
    pub date: Option<NaiveDate>,
    /// 例②: the categories the sheet lists, in sheet order, including ones
    /// with no remark (they stay in the cross-tables with count 0).
    pub listed_categories: Vec<String>,
}

impl Meeting {
    /// The meeting's part of a remark's identity ([`crate::identity`]).
    pub fn occasion(&self) -> String {
        crate::identity::occasion(self.date, self.round)
    }

    /// A remark's identity, for one of this meeting's remarks.
    pub fn key_of(&self, remark: &Remark) -> crate::identity::RemarkKey {
        crate::identity::RemarkKey {
            profession: self.profession.clone(),
            match_key: remark.match_key.clone(),
            occasion: self.occasion(),
        }
    }

    /// A short human name: `薬剤師 第1回 (2022-04-01)`.
    pub fn display_name(&self) -> String {
        let mut s = self.profession.clone();
        if let Some(r) = self.round {
            s.push_str(&format!(" 第{r}回"));
        }
        if let Some(d) = self.date {
            s.push_str(&format!(" ({})", d.format("%Y-%m-%d")));
        }
        s
    }
}

/// One remark (意見) as read, before classification.
#[derive(Debug, Clone, Serialize)]
pub struct Remark {
    /// Stable id of its identity ([`crate::identity`]): profession, match key
    /// and the meeting's date or round; never the file's name or place.
    pub id: String,
    /// Index into [`Batch::meetings`].
    pub meeting: usize,
    /// The text exactly as in the cell (one bullet line for bullet lists).
    pub original: String,
    /// NFKC, spaces folded, bullet and 【再掲】 stripped, trailing 。 removed.
    pub normalized: String,
    /// `normalized` without spaces and punctuation: equal keys, same opinion.
    pub match_key: String,
    pub speaker: Option<String>,
    /// The row's 職種 column, if any (the speaker's own profession).
    pub row_profession: Option<String>,
    /// 備考: related parties as written.
    pub note: Option<String>,
    pub source: SourceRef,
    /// The text carried a 【再掲】 marker but had no original in its sheet.
    pub orphan_relisting: bool,
    /// 例②: the categories a person gave it (first listing, then re-listings).
    pub given_categories: Vec<String>,
    /// 例②: the kind a person gave it.
    pub given_kind: Option<Kind>,
    /// Columns not in the layout, kept as `(header, value)`.
    pub extra: Vec<(String, String)>,
}

/// A row that looked like data but is not a remark, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Ignored {
    pub row: u32,
    pub text: String,
    /// The reason shown to staff ([`IgnoredKind::reason`]).
    pub reason: String,
    pub kind: IgnoredKind,
}

impl Ignored {
    pub fn new(row: u32, text: &str, kind: IgnoredKind) -> Ignored {
        Ignored {
            row,
            text: text.to_string(),
            reason: kind.reason(),
            kind,
        }
    }
}

/// Why a row or bullet is not a remark. Reports group the fillers (many,
/// and saying little) and list the others one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum IgnoredKind {
    /// A bullet with nothing after it (`・` alone).
    EmptyBullet,
    /// A placeholder of a blank form (`〇〇`).
    Placeholder,
    /// A 例② 【再掲】 line folded into the remark of `original_row`.
    Relisting { original_row: u32 },
    /// 例①: the 意見 cell is empty but the row holds other text.
    EmptyOpinion,
    /// 例①: the row holds nothing but its number.
    NumberOnly,
    /// 例②: text under the table, with no category and no kind.
    TableNote,
}

impl IgnoredKind {
    pub fn reason(self) -> String {
        match self {
            IgnoredKind::EmptyBullet => "空の箇条書き（「・」だけ）".into(),
            IgnoredKind::Placeholder => {
                "記入例・空欄の印（〇〇 など）で、意見ではありません".into()
            }
            IgnoredKind::Relisting { original_row } => format!(
                "【再掲】: {original_row} 行目の意見の再掲です。新しい意見としては数えず、元の意見にこのカテゴリを加えます"
            ),
            IgnoredKind::EmptyOpinion => "意見欄が空の行（表の下の注記など）".into(),
            IgnoredKind::NumberOnly => "意見欄が空の行（番号だけ）".into(),
            IgnoredKind::TableNote => "表の下の注記（カテゴリも課題/アイデアもない行）".into(),
        }
    }

    /// Rows that are part of the form rather than something staff wrote.
    pub fn is_filler(self) -> bool {
        matches!(self, IgnoredKind::EmptyBullet | IgnoredKind::NumberOnly)
    }
}

/// What became of one sheet.
#[derive(Debug, Clone, Serialize)]
pub enum SheetOutcome {
    /// Read as a meeting: index into [`Batch::meetings`].
    Meeting(usize),
    /// A header but no remark and no title data.
    BlankForm,
    /// Not read, with the reason shown to staff.
    Skipped(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetReport {
    pub name: String,
    pub outcome: SheetOutcome,
    pub layout: Option<Layout>,
    pub remarks: usize,
    pub ignored: Vec<Ignored>,
    pub warnings: Vec<String>,
}

/// What became of one file.
#[derive(Debug, Clone, Serialize)]
pub enum FileOutcome {
    /// Opened and its sheets looked at.
    Read,
    /// Lock file, hidden file, Thumbs.db …: skipped silently, but counted.
    Junk,
    /// Same content as an earlier file (its display path).
    Duplicate(String),
    /// Not a spreadsheet we read (other extension): reported, not fatal.
    NotSpreadsheet,
    /// A spreadsheet that could not be read, with the reason for staff.
    Unreadable(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// Display path (relative to the input root given).
    pub path: String,
    pub outcome: FileOutcome,
    pub sheets: Vec<SheetReport>,
}

/// Everything ingest read from one run's inputs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Batch {
    pub files: Vec<FileReport>,
    pub meetings: Vec<Meeting>,
    pub remarks: Vec<Remark>,
}

impl Batch {
    /// Files that were spreadsheets but could not be read: they make exit status 1.
    pub fn unreadable_count(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.outcome, FileOutcome::Unreadable(_)))
            .count()
    }
}

/// The labels classification gives one remark (SPEC §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Labels {
    /// カテゴリ, in rule-file order; `その他` when none matched.
    pub categories: Vec<String>,
    pub kind: Kind,
    pub location: Location,
    /// 関係職種: canonical names, in lexicon order.
    pub related: Vec<String>,
}

/// Where one label came from: shown in 分類一覧 (`分類の根拠`) and by
/// `renkei explain`, so every label can be traced and corrected.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Source {
    /// A rule of the rule files (an id of [`crate::rules::Rules::rule_name`]).
    Rule(u32),
    /// The learned model, with its probability.
    Model(f32),
    /// A person's label in a 例② sheet.
    Sheet,
    /// A correction typed for this remark (the ledger).
    Correction,
    /// A correction of the same words at another meeting of the profession.
    SameWording,
    /// Nothing decided: その他, or the rule files' default.
    Default,
}

/// The source of each label of one remark; `categories` runs beside
/// [`Labels::categories`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sources {
    pub categories: Vec<Source>,
    pub kind: Source,
    pub location: Source,
    /// The 関係職種 the learned model added to the dictionary's, with its
    /// probability; the others came from the dictionary and the 備考.
    pub added_parties: Vec<(String, f32)>,
    /// The 関係職種 the dictionary found and the model took off, with its
    /// probability (only the speaker's own profession: `own_drop`).
    pub dropped_parties: Vec<(String, f32)>,
}
