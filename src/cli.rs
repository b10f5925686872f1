//! Command-line types (clap derive) and their Japanese labels and errors
//! ([`japanese`]). Parsing lives here; the work of each subcommand lives in
//! [`crate::commands`].

mod japanese;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use japanese::{command, help_of, parse, try_parse_from, Japanese};

#[derive(Debug, Parser)]
#[command(
    name = "renkei",
    version,
    about = "在宅医療・介護連携のヒアリングシート（Excel）を読み、意見を分類・順位付けして、ランキング・分類一覧・職種別フィードバックの Excel を作ります。",
    long_about = "在宅医療・介護連携のヒアリングシート（Excel）を読み、意見を分類・順位付けして、\n\
ランキング・分類一覧・職種別フィードバックの Excel を作ります。\n\n\
使い方の例:\n  renkei run 入力 -o 出力     入力フォルダのシートを読み、出力フォルダに結果を書きます\n  \
renkei check 入力           読むだけで何も書きません（取り込みの確認）\n  \
renkei 入力                 run と同じです（フォルダをアイコンに落としたとき）\n  \
renkei                      ./入力 を読み ./出力 に書きます",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// コマンドを省略したときに読むファイル・フォルダ（run と同じ）
    #[arg(value_name = "入力")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// シートを読み、分類・集計して Excel を書きます
    Run(RunArgs),
    /// シートを読んで取り込み結果を表示するだけで、何も書きません
    Check(CheckArgs),
    /// 一つの意見がどう正規化・分類されるかを、効いたルールと一緒に表示します
    Explain(ExplainArgs),
    /// 空の入力様式（例①・例②）を書き出します
    Template(TemplateArgs),
    /// 使われるルールを表示します。--check でルールのフォルダを検査します
    Rules(RulesArgs),
    /// ラベル付きの意見一覧（TSV）で、ルール・学習モデル・その組み合わせの精度を測ります
    Eval(EvalArgs),
    /// コマンドの説明を表示します（例: renkei help run）
    Help(HelpArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// 読むファイル・フォルダ（フォルダは中まで全部読みます）
    #[arg(value_name = "入力")]
    pub paths: Vec<PathBuf>,

    /// 出力フォルダ（省略すると、入力フォルダの隣の「出力」）
    #[arg(short = 'o', long = "out", value_name = "出力フォルダ")]
    pub out: Option<PathBuf>,

    /// ルールファイルのフォルダ（省略すると組み込みのルール）
    #[arg(long, value_name = "フォルダ")]
    pub rules: Option<PathBuf>,

    /// フィードバックに発言者名を残します（既定では消します）
    #[arg(long)]
    pub keep_speakers: bool,

    /// この日以降の会議だけ使います（例: 2024-04-01 または 令和6年4月1日）
    #[arg(long, value_name = "日付")]
    pub since: Option<String>,

    /// この日以前の会議だけ使います
    #[arg(long, value_name = "日付")]
    pub until: Option<String>,

    /// 進み具合の表示を出しません
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// 読むファイル・フォルダ
    #[arg(value_name = "入力")]
    pub paths: Vec<PathBuf>,

    /// 結果を JSON で出します（スクリプト・テスト用）
    #[arg(long)]
    pub json: bool,

    /// ルールファイルのフォルダ（職種名の辞書に使います）
    #[arg(long, value_name = "フォルダ")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// 調べる意見の文章
    #[arg(value_name = "意見")]
    pub text: String,

    /// 発言した職種（所在の判定に使います）
    #[arg(long, value_name = "職種")]
    pub profession: Option<String>,

    /// 備考欄の内容（関係職種に使います）
    #[arg(long, value_name = "備考")]
    pub note: Option<String>,

    /// ルールファイルのフォルダ（中のラベル付き TSV も学習に使います）
    #[arg(long, value_name = "フォルダ")]
    pub rules: Option<PathBuf>,

    /// 出力フォルダ（その修正の台帳も使います）
    #[arg(short = 'o', long = "out", value_name = "出力フォルダ")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// 書き出すフォルダ（省略すると今のフォルダ）
    #[arg(
        short = 'o',
        long = "out",
        value_name = "フォルダ",
        default_value = ".",
        hide_default_value = true
    )]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// このフォルダのルールファイルを検査します（何も書きません）
    #[arg(long, value_name = "フォルダ")]
    pub check: Option<PathBuf>,

    /// 表示するルールのフォルダ（省略すると組み込みのルール）
    #[arg(long, value_name = "フォルダ")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// ラベル付きの意見一覧（タブ区切り）
    #[arg(value_name = "TSV")]
    pub labeled: PathBuf,

    /// 結果を JSON で出します
    #[arg(long)]
    pub json: bool,

    /// ルールファイルのフォルダ（中のラベル付き TSV も学習に使います）
    #[arg(long, value_name = "フォルダ")]
    pub rules: Option<PathBuf>,

    /// 学習モデルを、このファイルだけで K 分割の交差検証をして測ります
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,

    /// ルール・言葉ごとに、正しく当たった数と間違って当たった数を表示します
    #[arg(long)]
    pub patterns: bool,
}

#[derive(Debug, Args)]
pub struct HelpArgs {
    /// 説明を見るコマンド（省略すると全体の説明）
    #[arg(value_name = "コマンド")]
    pub command: Option<String>,
}
