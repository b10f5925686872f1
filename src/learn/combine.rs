//! Rules and model together (SPEC §3): the rules still fire and are shown;
//! the model adds the categories it is confident of, replaces the その他
//! fallback when no rule fired, and decides 課題/アイデア and 所在 when
//! confident. A person's 例② labels are never overridden. The thresholds
//! are settings.toml's `[model]`, chosen by cross-validation on the
//! training part (`renkei eval --cv`).

use super::examples::Example;
use super::{Model, Prediction, Predictor, TrainSettings};
use crate::aggregate::OTHER_CATEGORY;
use crate::classify::{classify_with_sources, Input};
use crate::model::{Labels, Source, Sources};
use crate::rules::{ModelSettings, Rules};

/// Classifies remarks with the rules and, when there is one, the model.
#[derive(Debug, Clone)]
pub struct Classifier<'r> {
    rules: &'r Rules,
    model: Option<Predictor>,
    settings: ModelSettings,
}

impl<'r> Classifier<'r> {
    /// The rules alone.
    pub fn rules_only(rules: &'r Rules) -> Classifier<'r> {
        Classifier {
            rules,
            model: None,
            settings: *rules.model_settings(),
        }
    }

    /// The rules and the shipped model, trained further on the office's
    /// `office` examples (the model switched off in settings.toml: the
    /// rules alone).
    pub fn for_run(rules: &'r Rules, office: &[Example]) -> Classifier<'r> {
        let mut c = Classifier::rules_only(rules);
        if c.settings.enabled {
            c.model = Some(Predictor::new(super::with_office(
                office,
                &TrainSettings::default(),
            )));
        }
        c
    }

    /// The rules and a model trained from scratch on `examples` (for
    /// cross-validation and tuning).
    pub fn train(
        rules: &'r Rules,
        examples: &[Example],
        settings: &TrainSettings,
    ) -> Classifier<'r> {
        let mut c = Classifier::rules_only(rules);
        if !examples.is_empty() {
            let train: Vec<_> = examples.iter().map(Example::to_train).collect();
            c.model = Some(Predictor::new(Model::train(&train, settings)));
        }
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

    pub fn model(&self) -> Option<&Predictor> {
        self.model.as_ref()
    }

    pub fn settings(&self) -> &ModelSettings {
        &self.settings
    }

    /// The model's prediction for a remark.
    pub fn predict(&self, input: &Input<'_>) -> Option<Prediction> {
        Some(self.model.as_ref()?.predict(input.text, input.profession))
    }

    /// Classifies one remark: the rules, then the model's confident labels.
    pub fn classify(&self, input: &Input<'_>) -> (Labels, Sources) {
        let (mut labels, mut sources) = self.rule_labels(input);
        self.refine(input, &mut labels, &mut sources);
        (labels, sources)
    }

    /// The first step of [`Classifier::classify`]: the rules' labels.
    pub fn rule_labels(&self, input: &Input<'_>) -> (Labels, Sources) {
        classify_with_sources(self.rules, input)
    }

    /// The second step of [`Classifier::classify`]: the model's confident
    /// labels put into the rules'.
    pub fn refine(&self, input: &Input<'_>, labels: &mut Labels, sources: &mut Sources) {
        if let Some(p) = self.predict(input) {
            self.combine(input, &p, labels, sources);
        }
    }

    /// The model alone: categories at 0.5 or more (else its best one when
    /// at least `category_fallback`, else その他), its 課題/アイデア and
    /// 所在; 関係職種 as the lexicon finds them. `None` without a model.
    pub fn model_alone(&self, input: &Input<'_>) -> Option<Labels> {
        let (rules_labels, _) = classify_with_sources(self.rules, input);
        let p = self.predict(input)?;
        let mut categories: Vec<String> = p
            .categories()
            .filter(|(_, q)| *q >= 0.5)
            .map(|(c, _)| c.to_string())
            .collect();
        if categories.is_empty() {
            let best = p.categories().max_by(|a, b| a.1.total_cmp(&b.1));
            categories.push(match best {
                Some((c, q)) if f64::from(q) >= self.settings.category_fallback => c.to_string(),
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
            let prob = |c: &str| p.probability(c).map(f64::from);
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
            for (c, q) in p.categories() {
                if f64::from(q) >= threshold && !found.iter().any(|(f, _)| f == c) {
                    found.push((c.to_string(), Source::Model(q)));
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
        self.combine_parties(input, p, labels, sources);
    }

    /// 関係職種: the dictionary's, without those the model is confident
    /// against, with those it is confident of; in the dictionary's order.
    fn combine_parties(
        &self,
        input: &Input<'_>,
        p: &Prediction,
        labels: &mut Labels,
        sources: &mut Sources,
    ) {
        let s = &self.settings;
        let prob = |name: &str| {
            p.parties()
                .find(|(n, _)| *n == name)
                .map(|(_, q)| f64::from(q))
        };
        let mut related: Vec<String> = labels
            .related
            .iter()
            .filter(|r| prob(r).is_none_or(|q| q >= s.party_drop))
            .cloned()
            .collect();
        for (n, q) in p.parties() {
            if f64::from(q) >= s.party_add && !related.iter().any(|r| r == n) {
                related.push(n.to_string());
                sources.added_parties.push((n.to_string(), q));
            }
        }
        // The speaker's own profession: decided by the one output that
        // reads "about other members of it", whoever speaks.
        if let Some(q) = p.own {
            let own = input.profession;
            let listed = related.iter().any(|r| r == own);
            if !listed
                && f64::from(q) >= s.own_add
                && self.rules.lexicon().party_index(own).is_some()
            {
                related.push(own.to_string());
                sources.added_parties.push((own.to_string(), q));
            } else if listed && f64::from(q) < s.own_drop {
                related.retain(|r| r != own);
                sources.dropped_parties.push((own.to_string(), q));
            }
        }
        let order = |name: &String| self.rules.lexicon().party_index(name).unwrap_or(usize::MAX);
        related.sort_by_key(order);
        labels.related = related;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn prediction(parties: &[(&str, f32)]) -> Prediction {
        Prediction {
            names: Arc::from(Vec::<String>::new()),
            probabilities: Vec::new(),
            idea: None,
            location: None,
            party_names: parties.iter().map(|(n, _)| n.to_string()).collect(),
            party_probabilities: parties.iter().map(|(_, p)| *p).collect(),
            own: None,
        }
    }

    /// A confident party is added and named as the model's; a doubtful one
    /// the dictionary did not find is not; the dictionary's stays unless
    /// `party_drop` asks otherwise.
    #[test]
    fn parties_are_added_at_party_add_and_kept_in_dictionary_order() {
        let rules = Rules::builtin();
        let input = Input::new("訪問の日程が合わない", "介護支援専門員");
        let (mut labels, mut sources) = classify_with_sources(&rules, &input);
        labels.related = vec!["医師".into()];
        let p = prediction(&[("医師", 0.05), ("看護師", 0.95), ("薬剤師", 0.5)]);
        let c = Classifier::rules_only(&rules).with_settings(ModelSettings {
            party_add: 0.9,
            party_drop: 0.0,
            ..ModelSettings::default()
        });
        c.combine_parties(&input, &p, &mut labels, &mut sources);
        assert_eq!(labels.related, ["医師", "看護師"]);
        assert_eq!(sources.added_parties, [("看護師".to_string(), 0.95)]);

        labels.related = vec!["医師".into()];
        sources.added_parties.clear();
        let c = c.with_settings(ModelSettings {
            party_add: 0.9,
            party_drop: 0.1,
            ..ModelSettings::default()
        });
        c.combine_parties(&input, &p, &mut labels, &mut sources);
        assert_eq!(labels.related, ["看護師"]);
    }

    /// The speaker's own profession follows the one "other members of it"
    /// output: listed when it is confident, taken off (and said so) when
    /// it is confident against, left to the dictionary in between.
    #[test]
    fn the_speakers_own_profession_follows_the_own_output() {
        let rules = Rules::builtin();
        let input = Input::new("会員によって対応に差がある", "薬剤師");
        let c = Classifier::rules_only(&rules).with_settings(ModelSettings {
            own_add: 0.8,
            own_drop: 0.2,
            ..ModelSettings::default()
        });
        let run = |own: f32, dictionary: &[&str]| {
            let (mut labels, mut sources) = classify_with_sources(&rules, &input);
            labels.related = dictionary.iter().map(|s| s.to_string()).collect();
            let p = Prediction {
                own: Some(own),
                ..prediction(&[])
            };
            c.combine_parties(&input, &p, &mut labels, &mut sources);
            (labels.related, sources)
        };
        let (related, sources) = run(0.9, &["医師"]);
        assert_eq!(related, ["医師", "薬剤師"]);
        assert_eq!(sources.added_parties, [("薬剤師".to_string(), 0.9)]);
        let (related, sources) = run(0.1, &["医師", "薬剤師"]);
        assert_eq!(related, ["医師"]);
        assert_eq!(sources.dropped_parties, [("薬剤師".to_string(), 0.1)]);
        let (related, sources) = run(0.5, &["薬剤師"]);
        assert_eq!(related, ["薬剤師"]);
        assert!(sources.added_parties.is_empty() && sources.dropped_parties.is_empty());
    }
}
