//! Generates a benchmark corpus: N hearing workbooks under a folder, about
//! 30 remarks each (2,000 workbooks ≈ 60,000 remarks, a prefecture's archive).
//!
//!     cargo run --release --example gen_corpus -- 2000 /tmp/corpus
//!     cargo run --release --example gen_corpus -- --stress 2000 /tmp/corpus
//!
//! The default corpus is meant to look like real hearing sheets: remarks of
//! one to three clauses built from about 400 phrases (places and times,
//! situations, parties, the people concerned, topics, issue and idea
//! endings), so most are distinct; about 7% repeat a common opinion exactly
//! (in other meetings, by other professions) and about 3% are a
//! near-duplicate of one (an ending or a word changed); speakers and 備考
//! are filled in most rows; some 意見 cells hold a bullet list; about one
//! sheet in ten is in the 例② layout, with a few 【再掲】 lines.
//!
//! `--stress` writes the old shape instead: a few template sentences with a
//! random number appended, so nearly every remark is a near-duplicate of
//! about 30 others. That is a worst case for grouping, not a real archive.
//!
//! Used by `benches/run.sh`; nothing generated here is committed.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

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

/// A tiny deterministic generator (xorshift), so corpora are reproducible.
struct Rng(u64);

impl Rng {
    fn seeded(seed: u64) -> Rng {
        Rng(0x9E37_79B9_7F4A_7C15 ^ (seed + 1).wrapping_mul(0x2545_F491_4F6C_DD1D))
    }
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
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

// ------------------------------------------------------------ stress shape

mod stress {
    use super::Rng;

    const SUBJECTS: &[&str] = &[
        "退院前カンファレンス",
        "サービス担当者会議",
        "お薬手帳",
        "残薬の管理",
        "夜間の急変時の連絡",
        "在宅での看取り",
        "嚥下の評価",
        "口腔ケア",
        "ICTネットワーク",
        "入院時の情報提供",
        "訪問看護の指示書",
        "ケアプラン",
        "多職種の研修会",
        "市民向けの講座",
        "地域の役割分担",
        "連絡票の様式",
        "服薬の介助",
        "栄養指導",
        "福祉用具の選定",
        "独居高齢者の見守り",
    ];

    pub const PARTIES: &[&str] = &[
        "ケアマネ",
        "病院",
        "主治医",
        "薬局",
        "訪問看護",
        "包括",
        "ヘルパー",
        "家族",
        "歯科",
        "連携室",
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

    /// A template sentence with a random number: near-duplicates everywhere.
    pub fn remark(rng: &mut Rng) -> String {
        let subject = rng.pick(SUBJECTS);
        let party = rng.pick(PARTIES);
        let idea = rng.next().is_multiple_of(3);
        let tail = if idea {
            rng.pick(IDEA_TAILS)
        } else {
            rng.pick(ISSUE_TAILS)
        };
        format!("{party}との{subject}{tail}（{}）", rng.range(1, 9999))
    }
}

// ------------------------------------------------------------ realistic shape

mod realistic {
    use super::Rng;

    /// Who a clause is about (also the 備考 values).
    pub const PARTIES: &[&str] = &[
        "ケアマネ",
        "ケアマネジャー",
        "病院",
        "主治医",
        "かかりつけ医",
        "薬局",
        "かかりつけ薬剤師",
        "訪問看護",
        "訪問看護ステーション",
        "包括",
        "地域包括支援センター",
        "ヘルパー",
        "訪問介護",
        "家族",
        "本人",
        "歯科",
        "歯科医師",
        "歯科衛生士",
        "連携室",
        "地域連携室",
        "病棟看護師",
        "MSW",
        "リハ職",
        "理学療法士",
        "作業療法士",
        "言語聴覚士",
        "管理栄養士",
        "デイサービス",
        "ショートステイ",
        "施設",
        "特養",
        "老健",
        "グループホーム",
        "小規模多機能",
        "福祉用具事業所",
        "市役所",
        "保健所",
        "社協",
        "民生委員",
        "救急隊",
        "消防",
        "訪問入浴",
        "訪問診療医",
        "在宅医",
        "後見人",
    ];

    /// What a clause is about.
    const TOPICS: &[&str] = &[
        "退院前カンファレンス",
        "退院時の情報提供",
        "入院時情報提供書",
        "サービス担当者会議",
        "お薬手帳",
        "残薬の確認",
        "残薬の整理",
        "服薬カレンダー",
        "一包化",
        "処方の変更",
        "夜間の急変時の連絡",
        "休日の連絡体制",
        "緊急時の受け入れ先",
        "在宅での看取り",
        "看取りの意思確認",
        "人生会議",
        "ACPの進め方",
        "嚥下の評価",
        "食事の形態",
        "とろみの付け方",
        "口腔ケア",
        "義歯の調整",
        "歯科の訪問",
        "ICTネットワーク",
        "連絡用のアプリ",
        "情報共有シート",
        "連絡票の様式",
        "FAXでのやりとり",
        "訪問看護の指示書",
        "主治医意見書",
        "ケアプラン",
        "モニタリング",
        "福祉用具の選定",
        "住宅改修",
        "介護保険の申請",
        "区分変更",
        "認知症の初期対応",
        "徘徊への対応",
        "独居高齢者の見守り",
        "老老介護の家庭",
        "家族の介護負担",
        "レスパイト入院",
        "ショートステイの空き",
        "多職種の研修会",
        "事例検討会",
        "顔の見える関係づくり",
        "市民向けの講座",
        "在宅医療の周知",
        "地域の役割分担",
        "栄養指導",
        "低栄養の早期発見",
        "体重の記録",
        "褥瘡の処置",
        "リハビリの継続",
        "通所リハの送迎",
        "医療材料の調達",
        "衛生材料の費用",
        "診療報酬の算定",
        "加算の要件",
        "個人情報の扱い",
        "同意書の取り方",
        "担当者の異動",
        "新人の教育",
        "人材の確保",
        "ヘルパーの不足",
        "訪問の時間調整",
        "駐車場の確保",
        "冬場の移動",
        "災害時の安否確認",
        "避難行動要支援者の名簿",
        "感染症の対策",
        "ワクチンの接種",
        "発熱時の対応",
        "インスリンの管理",
        "在宅酸素",
        "吸引の手技",
        "胃ろうの管理",
        "ポータブルトイレ",
        "入浴の介助",
        "服薬の介助",
        "受診の付き添い",
        "通院の手段",
        "成年後見制度",
        "生活保護の方の支援",
        "虐待の疑い",
        "精神疾患のある方",
        "難病の方の支援",
        "小児の在宅医療",
        "ターミナル期の疼痛管理",
        "麻薬の管理",
        "夜間の訪問",
        "24時間の対応体制",
        "主治医との連絡方法",
        "病院の窓口",
        "地域ケア会議",
        "自立支援型の会議",
        "介護予防の教室",
        "通いの場",
        "フレイル予防",
    ];

    /// How a clause starts: a situation or a time (often empty).
    const SITUATIONS: &[&str] = &[
        "",
        "",
        "",
        "",
        "",
        "夜間や休日は",
        "退院が急に決まると",
        "独居の方の場合",
        "認知症の方だと",
        "新しい利用者のとき",
        "担当が変わると",
        "月末になると",
        "初めての事業所とは",
        "最近",
        "以前から",
        "特に冬場は",
        "コロナ以降",
        "小規模な事業所では",
        "山間部では",
        "家族が遠方にいると",
        "がんの末期の方では",
        "医療依存度の高い方は",
        "ケースによっては",
        "実際には",
        "現場では",
    ];

    /// Clause endings that make an issue.
    const ISSUE_ENDS: &[&str] = &[
        "について誰に連絡すればよいかわからない",
        "の情報が届くのが遅い",
        "に呼ばれることが少ない",
        "の進め方が事業所ごとに違う",
        "について知識が足りない",
        "の負担が大きい",
        "が十分にできていない",
        "の手順が決まっていない",
        "について相談できる相手がいない",
        "がうまく伝わらない",
        "に時間がかかりすぎる",
        "が後回しになっている",
        "の必要性が理解されていない",
        "で困ることが多い",
        "が把握できていない",
        "の連絡がつかないことがある",
        "が共有されていない",
        "の役割分担があいまいだ",
        "に対応できる人が少ない",
        "の費用がかさむ",
        "について家族の理解が得られにくい",
        "が間に合わないことがある",
        "の記録がばらばらだ",
        "について病院との温度差がある",
        "が形だけになっている",
        "を頼める先が見つからない",
        "で情報が止まってしまう",
        "について本人の意向が確認できていない",
        "の書類が多すぎる",
        "が地域によって違う",
        "まで手が回らない",
        "を知らない職員が多い",
        "の判断に迷う",
        "について連絡しにくい雰囲気がある",
        "が続かない",
    ];

    /// Clause endings that make an idea.
    const IDEA_ENDS: &[&str] = &[
        "について合同で勉強会を開きたい",
        "の様式を地域で統一してほしい",
        "について相談できる窓口があるとよい",
        "の役割を市民に知ってもらいたい",
        "を一覧にまとめて配ってほしい",
        "をICTで共有できるとよい",
        "について事例を持ち寄って話し合いたい",
        "のルールを作ってはどうか",
        "を早めに知らせてもらえると助かる",
        "について多職種で研修をしたい",
        "の連絡先リストを作りたい",
        "を定期的に振り返る場がほしい",
        "についてマニュアルを作ってほしい",
        "を一緒に考える機会を設けたい",
        "の情報を事前にもらえるとありがたい",
        "について行政に働きかけたい",
        "の担当者を決めておくとよい",
        "を見える化できないか",
        "について顔合わせの会を開きたい",
        "を地域全体で取り組むべきだ",
    ];

    /// Who a topic concerns (`認知症の方の` + `服薬の管理`).
    const MODIFIERS: &[&str] = &[
        "独居の方の",
        "認知症の方の",
        "がん末期の方の",
        "医療的ケア児の",
        "高齢の夫婦世帯の",
        "難病の方の",
        "精神疾患のある方の",
        "障がいのある方の",
        "生活保護の方の",
        "外国籍の方の",
        "身寄りのない方の",
        "退院直後の",
        "看取り期の",
        "要支援の方の",
        "要介護5の方の",
        "施設入所中の方の",
        "通院困難な方の",
        "医療依存度の高い方の",
        "初めて介護保険を使う方の",
        "ターミナル期の",
        "若年性認知症の方の",
        "寝たきりの方の",
        "在宅酸素の方の",
        "胃ろうの方の",
        "人工呼吸器をつけた方の",
        "透析をしている方の",
        "褥瘡のある方の",
        "経済的に困窮している方の",
        "ひきこもりの方の",
        "虐待が疑われる家庭の",
    ];

    /// Where or when (often nothing): places, times, how often.
    const SPECIFICS: &[&str] = &[
        "東地区では",
        "西地区では",
        "北部の山間地では",
        "沿岸部では",
        "中心部から離れた地域では",
        "島しょ部では",
        "唐丹町では",
        "甲子町では",
        "鵜住居地区では",
        "栗橋地区では",
        "小佐野地区では",
        "平田地区では",
        "中妻地区では",
        "大只越町では",
        "新興住宅地では",
        "団地では",
        "週末は",
        "17時以降は",
        "年末年始は",
        "お盆の時期は",
        "大雪の日は",
        "月に1回程度",
        "週に2〜3回",
        "ここ半年で3件ほど",
        "昨年度は",
        "先月も",
        "毎年春に",
        "4月の異動の時期は",
        "退院の前日に",
        "入院して3日以内に",
    ];

    /// Between clauses.
    const JOINS: &[&str] = &[
        "。また、",
        "ので、",
        "ため、",
        "。そのため",
        "が、",
        "し、",
        "。特に",
        "。一方で",
    ];

    /// Small variations of a common opinion: a near-duplicate, not a repeat.
    const TWEAKS: &[(&str, &str)] = &[
        ("わからない", "分からない"),
        ("ほしい", "欲しい"),
        ("できていない", "出来ていない"),
        ("よい", "良い"),
        ("について", "に関して"),
        ("が少ない", "が少ないと感じる"),
        ("ケアマネ", "ケアマネジャー"),
    ];

    fn clause(rng: &mut Rng, idea: bool) -> String {
        let situation = rng.pick(SITUATIONS);
        let party = rng.pick(PARTIES);
        let topic = rng.pick(TOPICS);
        let end = if idea {
            rng.pick(IDEA_ENDS)
        } else {
            rng.pick(ISSUE_ENDS)
        };
        let mut s = String::with_capacity(128);
        if rng.chance(30) {
            s.push_str(rng.pick(SPECIFICS));
            s.push('、');
        }
        s.push_str(situation);
        if !situation.is_empty() && rng.chance(50) {
            s.push('、');
        }
        match rng.next() % 4 {
            0 => {}
            1 => {
                s.push_str(party);
                s.push('と');
                s.push('の');
            }
            2 => {
                s.push_str(party);
                s.push('の');
            }
            _ => {
                s.push_str(party);
                s.push_str("との間で");
            }
        }
        if rng.chance(40) {
            s.push_str(rng.pick(MODIFIERS));
        }
        s.push_str(topic);
        s.push_str(end);
        s
    }

    /// A fresh remark of one to three clauses; the last clause decides the kind.
    pub fn fresh(rng: &mut Rng) -> (String, bool) {
        let clauses = match rng.next() % 10 {
            0..=4 => 1,
            5..=8 => 2,
            _ => 3,
        };
        let mut text = String::new();
        let mut idea = false;
        for c in 0..clauses {
            if c > 0 {
                text.push_str(rng.pick(JOINS));
            }
            idea = rng.chance(35);
            text.push_str(&clause(rng, idea));
        }
        if rng.chance(60) {
            text.push('。');
        }
        (text, idea)
    }

    /// Opinions many meetings raise: the same pool in every workbook.
    pub fn common_pool() -> Vec<(String, bool)> {
        let mut rng = Rng::seeded(0xC0FFEE);
        (0..600).map(|_| fresh(&mut rng)).collect()
    }

    /// A near-duplicate of `text`: one small change that keeps it close.
    pub fn tweak(rng: &mut Rng, text: &str) -> String {
        let start = (rng.next() % TWEAKS.len() as u64) as usize;
        for k in 0..TWEAKS.len() {
            let (from, to) = TWEAKS[(start + k) % TWEAKS.len()];
            if text.contains(from) {
                return text.replacen(from, to, 1);
            }
        }
        let core = text.trim_end_matches('。');
        format!("{core}と思う")
    }

    pub const SPEAKERS: &[&str] = &[
        "佐藤",
        "鈴木",
        "高橋",
        "田中",
        "伊藤",
        "渡辺",
        "山本",
        "中村",
        "小林",
        "加藤",
        "吉田",
        "山田",
        "佐々木",
        "山口",
        "松本",
        "井上",
        "木村",
        "林",
        "斎藤",
        "清水",
        "A",
        "B",
        "C",
        "D",
    ];

    pub const CATEGORIES: &[&str] = &[
        "多職種連携",
        "入退院支援",
        "服薬・薬剤",
        "人材育成・研修",
        "看取り",
        "急変時対応",
        "情報共有・ICT",
        "口腔・栄養",
        "認知症",
        "住民への普及啓発",
    ];
}

/// One remark of the realistic corpus: a common opinion (7%), a
/// near-duplicate of one (3%), or a fresh one.
fn realistic_remark(rng: &mut Rng, pool: &[(String, bool)]) -> (String, bool) {
    let roll = rng.next() % 100;
    if roll < 10 {
        let (text, idea) = &pool[(rng.next() % pool.len() as u64) as usize];
        if roll < 7 {
            (text.clone(), *idea)
        } else {
            (realistic::tweak(rng, text), *idea)
        }
    } else {
        realistic::fresh(rng)
    }
}

fn title_block(ws: &mut Worksheet, rng: &mut Rng, i: usize, association: &str) {
    ws.write_string(
        0,
        0,
        format!(
            "【一次連携】 第{}回{}との打合せ会",
            i / PROFESSIONS.len() + 1,
            association
        ),
    )
    .expect("write");
    ws.write_string(
        1,
        0,
        format!(
            "令和{}年{}月{}日",
            rng.range(2, 7),
            rng.range(1, 12),
            rng.range(1, 28)
        ),
    )
    .expect("write");
}

/// The headers of a 例② (ranked) sheet and of a 例① (list) sheet.
const RANKED_HEADERS: [&str; 4] = ["順位", "カテゴリ", "課題/アイデア", "意見"];
const LIST_HEADERS: [&str; 5] = ["No", "職種", "発言者", "意 見", "備考"];

/// A sheet's header row, below its title block.
fn header_row(ws: &mut Worksheet, headers: &[&str]) {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(3, c as u16, *h).expect("write");
    }
}

fn write_stress(i: usize, rng: &mut Rng, ws: &mut Worksheet, wrap: &Format) {
    let (profession, association) = PROFESSIONS[i % PROFESSIONS.len()];
    title_block(ws, rng, i, association);
    let n = rng.range(20, 40) as u32;
    if i % 10 == 9 {
        header_row(ws, &RANKED_HEADERS);
        let categories = ["多職種連携", "入退院支援", "服薬・薬剤", "人材育成・研修"];
        let per = n / categories.len() as u32;
        for (k, cat) in categories.iter().enumerate() {
            let row = 4 + 2 * k as u32;
            ws.write_string(row, 0, (k + 1).to_string()).expect("write");
            ws.write_string(row, 1, *cat).expect("write");
            for (j, kind) in ["課題", "アイデア"].iter().enumerate() {
                let lines: Vec<String> = (0..per / 2 + 1)
                    .map(|_| format!("・{}", stress::remark(rng)))
                    .collect();
                ws.write_string(row + j as u32, 2, *kind).expect("write");
                ws.write_string_with_format(row + j as u32, 3, lines.join("\n"), wrap)
                    .expect("write");
            }
        }
    } else {
        header_row(ws, &LIST_HEADERS);
        for r in 0..n {
            let row = 4 + r;
            ws.write_number(row, 0, f64::from(r + 1)).expect("write");
            ws.write_string(row, 1, profession).expect("write");
            ws.write_string(
                row,
                2,
                format!("{}", (b'A' + (rng.next() % 6) as u8) as char),
            )
            .expect("write");
            ws.write_string_with_format(row, 3, stress::remark(rng), wrap)
                .expect("write");
            ws.write_string(row, 4, rng.pick(stress::PARTIES))
                .expect("write");
        }
    }
}

fn write_realistic(
    i: usize,
    rng: &mut Rng,
    ws: &mut Worksheet,
    wrap: &Format,
    pool: &[(String, bool)],
) {
    let (profession, association) = PROFESSIONS[i % PROFESSIONS.len()];
    title_block(ws, rng, i, association);
    // About 30 remarks a workbook on average.
    let target = rng.range(18, 42) as usize;
    if i % 10 == 9 {
        header_row(ws, &RANKED_HEADERS);
        let n_cat = rng.range(4, 7) as usize;
        let start = (rng.next() % realistic::CATEGORIES.len() as u64) as usize;
        let mut written: Vec<String> = Vec::new();
        let mut row = 4;
        for k in 0..n_cat {
            let cat = realistic::CATEGORIES[(start + k) % realistic::CATEGORIES.len()];
            ws.write_string(row, 0, (k + 1).to_string()).expect("write");
            ws.write_string(row, 1, cat).expect("write");
            for kind in ["課題", "アイデア"] {
                let n = (target / (2 * n_cat)).max(1) + rng.range(0, 2) as usize;
                let mut lines: Vec<String> = Vec::with_capacity(n);
                for _ in 0..n {
                    // Now and then a remark of a higher category, re-listed.
                    if !written.is_empty() && rng.chance(5) {
                        let earlier = &written[(rng.next() % written.len() as u64) as usize];
                        lines.push(format!("・【再掲】{earlier}"));
                    } else {
                        let (text, _) = realistic_remark(rng, pool);
                        lines.push(format!("・{text}"));
                        written.push(text);
                    }
                }
                ws.write_string(row, 2, kind).expect("write");
                ws.write_string_with_format(row, 3, lines.join("\n"), wrap)
                    .expect("write");
                row += 1;
            }
        }
    } else {
        header_row(ws, &LIST_HEADERS);
        let mut count = 0;
        let mut r = 0u32;
        while count < target {
            let row = 4 + r;
            ws.write_number(row, 0, f64::from(r + 1)).expect("write");
            ws.write_string(row, 1, profession).expect("write");
            if rng.chance(85) {
                ws.write_string(row, 2, rng.pick(realistic::SPEAKERS))
                    .expect("write");
            }
            // One row in twelve holds a bullet list of two or three remarks.
            let cell = if rng.chance(8) {
                let n = rng.range(2, 3) as usize;
                count += n;
                (0..n)
                    .map(|_| format!("・{}", realistic_remark(rng, pool).0))
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                count += 1;
                realistic_remark(rng, pool).0
            };
            ws.write_string_with_format(row, 3, cell, wrap)
                .expect("write");
            if rng.chance(60) {
                let note = if rng.chance(25) {
                    format!(
                        "{}、{}",
                        rng.pick(realistic::PARTIES),
                        rng.pick(realistic::PARTIES)
                    )
                } else {
                    rng.pick(realistic::PARTIES).to_string()
                };
                ws.write_string(row, 4, note).expect("write");
            }
            r += 1;
        }
    }
}

fn write_one(i: usize, dir: &Path, stress: bool, pool: &[(String, bool)]) {
    let mut rng = Rng::seeded(i as u64);
    let profession = PROFESSIONS[i % PROFESSIONS.len()].0;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let wrap = Format::new().set_text_wrap();
    if stress {
        write_stress(i, &mut rng, ws, &wrap);
    } else {
        write_realistic(i, &mut rng, ws, &wrap, pool);
    }
    let sub = dir.join(format!("{:02}", i % 40));
    std::fs::create_dir_all(&sub).expect("mkdir");
    wb.save(sub.join(format!("{profession}_{i:05}.xlsx")))
        .expect("save");
}

fn main() {
    let mut stress = false;
    let mut positional = Vec::new();
    for arg in std::env::args().skip(1) {
        if arg == "--stress" {
            stress = true;
        } else {
            positional.push(arg);
        }
    }
    let mut positional = positional.into_iter();
    let n: usize = positional
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let dir = PathBuf::from(
        positional
            .next()
            .unwrap_or_else(|| "/tmp/renkei-corpus".into()),
    );
    let pool = realistic::common_pool();
    (0..n)
        .into_par_iter()
        .for_each(|i| write_one(i, &dir, stress, &pool));
    let shape = if stress { "stress" } else { "realistic" };
    println!("{n} {shape} workbooks in {}", dir.display());
}
