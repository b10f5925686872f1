//! Times, on one thread, what the learned model costs a run: parsing the
//! shipped examples, fine-tuning on 1,500 office examples, and per remark
//! the rules against the model's prediction (a profiling aid; the budget is
//! measured with benches/run.sh).
//!
//!   cargo run --release --example predict_cost
use renkei::classify::{classify_with_sources, Input};
use renkei::learn::combine::Classifier;
use renkei::rules::eval::parse_labeled;
use renkei::rules::Rules;
use std::time::Instant;

fn main() {
    let rules = Rules::builtin();
    let set = parse_labeled(include_str!("../data/labeled/train.tsv")).unwrap();
    let c = Classifier::for_run(&rules, &[]);
    for _ in 0..3 {
        let t = Instant::now();
        let shipped = renkei::learn::examples::shipped();
        let t_parse = t.elapsed();
        // As a 例② sheet gives them: categories and kind only.
        let office: Vec<_> = shipped
            .into_iter()
            .take(1500)
            .map(|mut e| {
                e.location = None;
                e.related = None;
                e
            })
            .collect();
        let t = Instant::now();
        let _m = renkei::learn::with_office(&office, &renkei::learn::TrainSettings::default());
        println!(
            "parse shipped {:.3}s, with_office(1500) {:.3}s",
            t_parse.as_secs_f64(),
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let mut n = 0;
        for l in &set {
            n += classify_with_sources(&rules, &Input::new(&l.text, &l.profession))
                .0
                .categories
                .len();
        }
        let rules_t = t.elapsed();
        let t = Instant::now();
        for l in &set {
            n += c
                .predict(&Input::new(&l.text, &l.profession))
                .unwrap()
                .parties()
                .count();
        }
        let pred_t = t.elapsed();
        let t = Instant::now();
        for l in &set {
            n += c
                .classify(&Input::new(&l.text, &l.profession))
                .0
                .categories
                .len();
        }
        let full_t = t.elapsed();
        let pre: Vec<_> = set
            .iter()
            .map(|l| {
                let input = Input::new(&l.text, &l.profession);
                let (lab, so) = classify_with_sources(&rules, &input);
                (lab, so, c.predict(&input).unwrap())
            })
            .collect();
        let t = Instant::now();
        for (l, (lab, so, p)) in set.iter().zip(&pre) {
            let (mut lab, mut so) = (lab.clone(), so.clone());
            c.combine(&Input::new(&l.text, &l.profession), p, &mut lab, &mut so);
            n += lab.categories.len();
        }
        eprintln!(
            "combine alone {:.1} µs",
            t.elapsed().as_secs_f64() * 1e6 / set.len() as f64
        );
        println!(
            "{} remarks: rules {:.1} µs, predict {:.1} µs, both combined {:.1} µs ({n})",
            set.len(),
            rules_t.as_secs_f64() * 1e6 / set.len() as f64,
            pred_t.as_secs_f64() * 1e6 / set.len() as f64,
            full_t.as_secs_f64() * 1e6 / set.len() as f64
        );
    }
}
