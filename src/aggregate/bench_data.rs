//! Synthetic remarks for the benches (run by hand, never timed in CI): how
//! grouping and aggregation scale to a 60,000-remark run.

use super::tests::remark;
use crate::model::Remark;

/// CPU time of this thread (Linux), steadier than wall time on a busy
/// machine; `None` elsewhere.
fn thread_cpu() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(ns))
}

/// Wall and CPU time of `f`, for the benches.
pub(super) fn measure<T>(f: impl FnOnce() -> T) -> (T, String) {
    let cpu = thread_cpu();
    let wall = std::time::Instant::now();
    let out = f();
    let wall = wall.elapsed();
    let cpu = match (cpu, thread_cpu()) {
        (Some(a), Some(b)) => format!("{:?} CPU", b - a),
        _ => "CPU n/a".to_string(),
    };
    (out, format!("{wall:?} wall, {cpu}"))
}

/// A small deterministic generator (xorshift), so the bench needs no crate.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
            | 1)
    }

    pub(super) fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// `n` remarks from `fresh`: about `dup_ratio` of them repeat an earlier
/// remark exactly, 5% are near-duplicates of an earlier one (a short ending
/// added), the rest are new.
fn with_duplicates(
    n: usize,
    dup_ratio: f64,
    rng: &mut Rng,
    mut fresh: impl FnMut(&mut Rng) -> String,
) -> Vec<Remark> {
    let mut texts: Vec<String> = Vec::with_capacity(n);
    for _ in 0..n {
        let roll = rng.below(1000) as f64 / 1000.0;
        let text = if !texts.is_empty() && roll < dup_ratio {
            texts[rng.below(texts.len())].clone()
        } else if !texts.is_empty() && roll < dup_ratio + 0.05 {
            let mut t = texts[rng.below(texts.len())].clone();
            t.push_str(rng.pick(&["と思う", "ね", "です", "かも"]));
            t
        } else {
            fresh(rng)
        };
        texts.push(text);
    }
    texts.iter().map(|t| remark(0, t)).collect()
}

/// Remarks built from a vocabulary of 4,000 content words (random kanji
/// and katakana compounds) drawn with Zipf frequencies, joined by particles
/// and a closing phrase: bigram statistics like free text.
pub(super) fn vocabulary_remarks(n: usize, dup_ratio: f64, seed: u64) -> Vec<Remark> {
    const KANJI: &str = "医師歯科薬剤看護病院連携室介護支援専門員訪問在宅療養生活家族患者利用者地域包括センター\
        情報共有研修会議時間役割分担退院入院急変看取食事口腔嚥下服薬管理相談窓口市民住民行政制度体制\
        福祉施設職員担当主治救急夜間休日緊急連絡方法手段記録様式書類確認調整負担不足理解周知活用運営\
        計画目標課題意見交換機会参加開催企画協力関係顔見知合同勉強講演説明報告共通言語専門知識技術経験";
    const KATAKANA: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    const PARTICLES: [&str; 12] = [
        "の",
        "を",
        "が",
        "に",
        "と",
        "で",
        "は",
        "も",
        "から",
        "まで",
        "について",
        "として",
    ];
    const ENDINGS: [&str; 14] = [
        "がない",
        "が足りない",
        "したい",
        "してほしい",
        "ができていない",
        "が必要",
        "を知らない",
        "がわからない",
        "が難しい",
        "を共有したい",
        "の機会がほしい",
        "が少ない",
        "に困っている",
        "を考えたい",
    ];
    let mut rng = Rng::new(seed);
    let kanji: Vec<char> = KANJI.chars().collect();
    let katakana: Vec<char> = KATAKANA.chars().collect();
    let words: Vec<String> = (0..4000)
        .map(|_| {
            let (pool, len) = if rng.below(5) == 0 {
                (&katakana, 3 + rng.below(3))
            } else {
                (&kanji, 2 + rng.below(2))
            };
            (0..len).map(|_| pool[rng.below(pool.len())]).collect()
        })
        .collect();
    // Zipf: word r has weight 1/(r+1).
    let mut cumulative = Vec::with_capacity(words.len());
    let mut total = 0.0;
    for r in 0..words.len() {
        total += 1.0 / (r as f64 + 1.0);
        cumulative.push(total);
    }
    let last = words.len() - 1;
    let zipf = move |rng: &mut Rng| {
        let u = rng.below(1 << 30) as f64 / (1u64 << 30) as f64 * total;
        cumulative.partition_point(|&c| c < u).min(last)
    };
    with_duplicates(n, dup_ratio, &mut rng, move |rng| {
        let mut t = String::new();
        for clause in 0..1 + rng.below(2) {
            if clause > 0 {
                t.push('、');
            }
            for w in 0..2 + rng.below(3) {
                if w > 0 {
                    t.push_str(rng.pick(&PARTICLES));
                }
                t.push_str(&words[zipf(rng)]);
            }
            t.push_str(rng.pick(&ENDINGS));
        }
        t
    })
}

/// Remarks built from only 74 fixed phrases: a worst case for the grouping
/// index, as every bigram is shared by hundreds of keys.
pub(super) fn templated_remarks(n: usize, dup_ratio: f64, seed: u64) -> Vec<Remark> {
    const SUBJECTS: [&str; 24] = [
        "病院",
        "ケアマネジャー",
        "薬剤師",
        "訪問看護",
        "主治医",
        "歯科医師",
        "家族",
        "利用者",
        "地域包括支援センター",
        "リハビリ職",
        "ヘルパー",
        "栄養士",
        "施設",
        "行政",
        "介護職",
        "医療職",
        "連携室",
        "多職種",
        "住民",
        "在宅医",
        "救急隊",
        "社協",
        "保健師",
        "市役所",
    ];
    const TOPICS: [&str; 30] = [
        "退院時の情報",
        "服薬管理",
        "連絡方法",
        "看取りの方針",
        "急変時の対応",
        "口腔ケア",
        "食事の形態",
        "研修会",
        "サービス担当者会議",
        "ICTの活用",
        "夜間の連絡",
        "役割分担",
        "在宅復帰",
        "訪問のタイミング",
        "薬の残薬",
        "情報共有ツール",
        "福祉用具",
        "家族の負担",
        "介護保険の手続き",
        "緊急時の受け入れ",
        "認知症の方",
        "ターミナルケア",
        "嚥下評価",
        "退院前カンファレンス",
        "お薬手帳",
        "担当者の顔",
        "記録の様式",
        "多職種の勉強会",
        "地域の資源",
        "相談窓口",
    ];
    const PREDICATES: [&str; 20] = [
        "がわからない",
        "が不足している",
        "について相談したい",
        "を共有してほしい",
        "が伝わっていない",
        "に時間がかかる",
        "の機会が少ない",
        "を知ってもらいたい",
        "が統一されていない",
        "を一緒に考えたい",
        "で困っている",
        "の研修会を開催したい",
        "がうまくいかない",
        "の負担が大きい",
        "をもっと活用すればよい",
        "が遅れることがある",
        "が話題になった",
        "の理解が進んでいない",
        "について意見交換したい",
        "の窓口がほしい",
    ];
    const JOINS: [&str; 6] = ["、", "ので", "ため", "し、", "けれど", "。また"];
    let mut rng = Rng::new(seed);
    with_duplicates(n, dup_ratio, &mut rng, |rng| {
        let mut t = format!(
            "{}の{}{}",
            rng.pick(&SUBJECTS),
            rng.pick(&TOPICS),
            rng.pick(&PREDICATES)
        );
        if rng.below(2) == 0 {
            t.push_str(rng.pick(&JOINS));
            t.push_str(rng.pick(&TOPICS));
            t.push_str(rng.pick(&PREDICATES));
        }
        t
    })
}
