//! Rules and model together (SPEC §3): the rules still fire and are shown;
//! the model adds the categories it is confident of, replaces the その他
//! fallback when no rule fired, and decides 課題/アイデア and 所在 when
//! confident. A person's 例② labels are never overridden. The thresholds
//! are settings.toml's `[model]`, chosen by cross-validation on the
//! training part (`renkei eval --cv`).

use super::examples::Example;
use super::features::Context;
use rayon::prelude::*;

use super::{Model, Prediction, TrainSettings};
use crate::aggregate::OTHER_CATEGORY;
use crate::classify::{classify_with_sources, Input};
use crate::model::{Labels, Source, Sources};
use crate::rules::{ModelSettings, Rules};

/// Classifies remarks with the rules and, when there is one, the model.
#[derive(Debug, Clone)]
pub struct Classifier<'r> {
    rules: &'r Rules,
    model: Option<Model>,
    settings: ModelSettings,
    rule_cues: bool,
}

impl<'r> Classifier<'r> {
    /// The rules alone.
    pub fn rules_only(rules: &'r Rules) -> Classifier<'r> {
        Classifier {
            rules,
            model: None,
            settings: *rules.model_settings(),
            rule_cues: TrainSettings::default().rule_cues,
        }
    }

    /// Trains the model on `examples` (none, or the model switched off in
    /// settings.toml: the rules alone).
    pub fn train(
        rules: &'r Rules,
        examples: &[Example],
        settings: &TrainSettings,
    ) -> Classifier<'r> {
        let mut c = Classifier::rules_only(rules);
        if examples.is_empty() || !c.settings.enabled {
            return c;
        }
        c.rule_cues = settings.rule_cues;
        let cues: Vec<Vec<String>> = examples
            .par_iter()
            .map(|e| {
                let (labels, sources) =
                    classify_with_sources(rules, &Input::new(&e.text, &e.profession));
                cues(&labels, &sources, c.rule_cues)
            })
            .collect();
        c.model = Some(Model::train(examples, &cues, settings));
        c
    }

    /// The same classifier with other thresholds (for tuning them).
    pub fn with_settings(mut self, settings: ModelSettings) -> Classifier<'r> {
        self.settings = settings;
        self
    }

    pub fn rules(&self) -> &Rules {
        self.rules
    }

    pub fn model(&self) -> Option<&Model> {
        self.model.as_ref()
    }

    pub fn settings(&self) -> &ModelSettings {
        &self.settings
    }

    /// The cues of a remark whose rule labels are `labels`.
    pub fn cues(&self, labels: &Labels, sources: &Sources) -> Vec<String> {
        cues(labels, sources, self.rule_cues)
    }

    /// The model's prediction for a remark whose rule labels are `labels`.
    pub fn predict(
        &self,
        input: &Input<'_>,
        labels: &Labels,
        sources: &Sources,
    ) -> Option<Prediction> {
        let model = self.model.as_ref()?;
        let cues = self.cues(labels, sources);
        Some(model.predict(
            input.text,
            Context {
                profession: input.profession,
                cues: &cues,
            },
        ))
    }

    /// Classifies one remark: the rules, then the model's confident labels.
    pub fn classify(&self, input: &Input<'_>) -> (Labels, Sources) {
        let (mut labels, mut sources) = classify_with_sources(self.rules, input);
        if let Some(p) = self.predict(input, &labels, &sources) {
            self.combine(input, &p, &mut labels, &mut sources);
        }
        (labels, sources)
    }

    /// The model alone: categories at 0.5 or more (else its best one when
    /// at least `category_fallback`, else その他), its 課題/アイデア and
    /// 所在; 関係職種 as the lexicon finds them. `None` without a model.
    pub fn model_alone(&self, input: &Input<'_>) -> Option<Labels> {
        let (rules_labels, sources) = classify_with_sources(self.rules, input);
        let p = self.predict(input, &rules_labels, &sources)?;
        let mut categories: Vec<String> = p
            .categories
            .iter()
            .filter(|(_, q)| *q >= 0.5)
            .map(|(c, _)| c.clone())
            .collect();
        if categories.is_empty() {
            let best = p.categories.iter().max_by(|a, b| a.1.total_cmp(&b.1));
            categories.push(match best {
                Some((c, q)) if f64::from(*q) >= self.settings.category_fallback => c.clone(),
                _ => OTHER_CATEGORY.to_string(),
            });
        }
        Some(Labels {
            categories: self.ordered(categories),
            kind: p.best_kind().map_or(rules_labels.kind, |(k, _)| k),
            location: p.best_location().map_or(rules_labels.location, |(l, _)| l),
            related: rules_labels.related,
        })
    }

    /// Puts the model's prediction `p` into the rules' `labels` (see the
    /// module doc).
    pub fn combine(
        &self,
        input: &Input<'_>,
        p: &Prediction,
        labels: &mut Labels,
        sources: &mut Sources,
    ) {
        let s = &self.settings;
        if input.given_categories.is_empty() {
            let ruled = sources
                .categories
                .iter()
                .any(|x| matches!(x, Source::Rule(_)));
            let threshold = if ruled {
                s.category_add
            } else {
                s.category_fallback
            };
            let prob = |c: &str| {
                p.categories
                    .iter()
                    .find(|(n, _)| n == c)
                    .map(|x| f64::from(x.1))
            };
            let mut found: Vec<(String, Source)> = if ruled {
                labels
                    .categories
                    .iter()
                    .cloned()
                    .zip(sources.categories.iter().copied())
                    .filter(|(c, _)| prob(c).is_none_or(|q| q >= s.category_drop))
                    .collect()
            } else {
                Vec::new()
            };
            for (c, q) in &p.categories {
                if f64::from(*q) >= threshold && !found.iter().any(|(f, _)| f == c) {
                    found.push((c.clone(), Source::Model(*q)));
                }
            }
            if !found.is_empty() {
                let names = self.ordered(found.iter().map(|(c, _)| c.clone()).collect());
                sources.categories = names
                    .iter()
                    .map(|n| {
                        found
                            .iter()
                            .find(|(c, _)| c == n)
                            .map_or(Source::Default, |f| f.1)
                    })
                    .collect();
                labels.categories = names;
            }
        }
        if input.given_kind.is_none() {
            if let Some((k, q)) = p.best_kind() {
                if f64::from(q) >= s.kind {
                    labels.kind = k;
                    sources.kind = Source::Model(q);
                }
            }
        }
        if let Some((l, q)) = p.best_location() {
            if f64::from(q) >= s.location {
                labels.location = l;
                sources.location = Source::Model(q);
            }
        }
    }

    /// Categories in the rule files' order, then any other (learned from the
    /// office) as given.
    fn ordered(&self, mut names: Vec<String>) -> Vec<String> {
        let rank = |n: &String| {
            self.rules
                .categories()
                .iter()
                .position(|c| &c.name == n)
                .unwrap_or(usize::MAX)
        };
        names.sort_by_key(rank);
        names
    }
}

/// The cues of a remark (see [`super::features::Context`]): the parties the
/// lexicon found and, with `rule_cues`, what the rules decided.
pub fn cues(labels: &Labels, sources: &Sources, rule_cues: bool) -> Vec<String> {
    let mut out: Vec<String> = labels.related.iter().map(|p| format!("関係:{p}")).collect();
    if rule_cues {
        for (c, s) in labels.categories.iter().zip(&sources.categories) {
            if matches!(s, Source::Rule(_)) {
                out.push(format!("規則:{c}"));
            }
        }
        if matches!(sources.kind, Source::Rule(_)) {
            out.push(format!("規則:{}", labels.kind.label()));
        }
        if matches!(sources.location, Source::Rule(_)) {
            out.push(format!("規則:{}", labels.location.label()));
        }
    }
    out
}
