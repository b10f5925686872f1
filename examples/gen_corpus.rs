//! Generates a benchmark corpus: N realistic hearing workbooks (例① sheets of
//! 20–40 remarks, about one in ten in the 例② layout) under a folder.
//!
//!     cargo run --release --example gen_corpus -- 2000 /tmp/corpus
//!
//! Used by `benches/run.sh`; nothing generated here is committed.

use std::path::PathBuf;

use rayon::prelude::*;
use rust_xlsxwriter::{Format, Workbook};

const PROFESSIONS: &[(&str, &str)] = &[
    ("医師", "医師会"),
    ("歯科医師", "歯科医師会"),
    ("薬剤師", "薬剤師会"),
    ("看護師", "訪問看護連絡会"),
    ("介護支援専門員", "ケアマネ連絡会"),
    ("リハビリテーション療法士", "療法士会"),
    ("栄養士", "栄養士会"),
    ("歯科衛生士", "歯科衛生士会"),
    ("病院連携室", "病院連携室"),
    ("地域包括支援センター", "包括"),
];

const SUBJECTS: &[&str] = &[
    "退院前カンファレンス", "サービス担当者会議", "お薬手帳", "残薬の管理", "夜間の急変時の連絡",
    "在宅での看取り", "嚥下の評価", "口腔ケア", "ICTネットワーク", "入院時の情報提供",
    "訪問看護の指示書", "ケアプラン", "多職種の研修会", "市民向けの講座", "地域の役割分担",
    "連絡票の様式", "服薬の介助", "栄養指導", "福祉用具の選定", "独居高齢者の見守り",
];

const PARTIES: &[&str] = &[
    "ケアマネ", "病院", "主治医", "薬局", "訪問看護", "包括", "ヘルパー", "家族", "歯科", "連携室",
];

const ISSUE_TAILS: &[&str] = &[
    "について、誰に連絡すればよいかわからない。",
    "の情報が届くのが遅く、準備が間に合わない。",
    "に呼ばれることがほとんどない。",
    "の進め方が事業所ごとにまちまちだ。",
    "について知識が足りず、説明についていけない。",
    "の負担が大きく、続けにくい。",
];

const IDEA_TAILS: &[&str] = &[
    "について、合同で勉強会を開きたい。",
    "の様式を地域で統一してほしい。",
    "について相談できる窓口があるとよい。",
    "の役割を市民に知ってもらいたい。",
];

/// A tiny deterministic generator (xorshift), so corpora are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn remark(rng: &mut Rng) -> (String, bool) {
    let subject = rng.pick(SUBJECTS);
    let party = rng.pick(PARTIES);
    let idea = rng.next() % 3 == 0;
    let tail = if idea { rng.pick(IDEA_TAILS) } else { rng.pick(ISSUE_TAILS) };
    (format!("{party}との{subject}{tail}（{}）", rng.range(1, 9999)), idea)
}

fn write_one(i: usize, dir: &PathBuf) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let (profession, association) = PROFESSIONS[i % PROFESSIONS.len()];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let wrap = Format::new().set_text_wrap();
    ws.write_string(0, 0, format!("【一次連携】 第{}回{}との打合せ会", i / PROFESSIONS.len() + 1, association))
        .expect("write");
    ws.write_string(1, 0, format!("令和{}年{}月{}日", rng.range(2, 7), rng.range(1, 12), rng.range(1, 28)))
        .expect("write");
    let n = rng.range(20, 40) as u32;
    if i % 10 == 9 {
        for (c, h) in ["順位", "カテゴリ", "課題/アイデア", "意見"].iter().enumerate() {
            ws.write_string(3, c as u16, *h).expect("write");
        }
        let categories = ["多職種連携", "入退院支援", "服薬・薬剤", "人材育成・研修"];
        let per = n / categories.len() as u32;
        for (k, cat) in categories.iter().enumerate() {
            let row = 4 + 2 * k as u32;
            ws.write_string(row, 0, (k + 1).to_string()).expect("write");
            ws.write_string(row, 1, *cat).expect("write");
            for (j, kind) in ["課題", "アイデア"].iter().enumerate() {
                let lines: Vec<String> = (0..per / 2 + 1).map(|_| format!("・{}", remark(&mut rng).0)).collect();
                ws.write_string(row + j as u32, 2, *kind).expect("write");
                ws.write_string_with_format(row + j as u32, 3, lines.join("\n"), &wrap).expect("write");
            }
        }
    } else {
        for (c, h) in ["No", "職種", "発言者", "意 見", "備考"].iter().enumerate() {
            ws.write_string(3, c as u16, *h).expect("write");
        }
        for r in 0..n {
            let row = 4 + r;
            ws.write_number(row, 0, f64::from(r + 1)).expect("write");
            ws.write_string(row, 1, profession).expect("write");
            ws.write_string(row, 2, format!("{}", (b'A' + (rng.next() % 6) as u8) as char)).expect("write");
            ws.write_string_with_format(row, 3, remark(&mut rng).0, &wrap).expect("write");
            ws.write_string(row, 4, rng.pick(PARTIES)).expect("write");
        }
    }
    let sub = dir.join(format!("{:02}", i % 40));
    std::fs::create_dir_all(&sub).expect("mkdir");
    wb.save(sub.join(format!("{profession}_{i:05}.xlsx"))).expect("save");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/renkei-corpus".into()));
    (0..n).into_par_iter().for_each(|i| write_one(i, &dir));
    println!("{n} workbooks in {}", dir.display());
}
