//! The pipeline: passes in order over one document, and the cleaned result.

use std::ops::Range;
use std::sync::Arc;

use crate::document::Document;
use crate::error::Result;
use crate::pass::{Marks, Pass, PassConfig, Reason};
use crate::rules::{RuleSet, RuleSetBuilder};
use crate::stats::Stats;

pub use crate::pass::MAX_ROUNDS;

/// The verdict on one non-blank line.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// 1-based line number in the input.
    pub line: usize,
    /// Byte span of the line in the input, terminator excluded.
    pub span: Range<usize>,
    /// Why it was dropped; `None` when kept.
    pub reason: Option<Reason>,
    /// The line model's score (log-odds that the line is content), when it ran.
    pub score: Option<f32>,
}

/// The result of cleaning one document.
#[derive(Clone, Debug, Default)]
pub struct Cleaned {
    /// Kept lines in order, paragraphs separated by one blank line, ending with
    /// a line terminator (empty when nothing is kept). Lines keep their bytes;
    /// the terminator is the input's first one (`\n` or `\r\n`).
    pub text: String,
    /// One decision per non-blank input line, in order.
    pub decisions: Vec<Decision>,
    /// Counts for this document.
    pub stats: Stats,
    /// The score at which the line model's decoder started to lean to
    /// content on this page, when the model decided it (see
    /// [`Marks::threshold`](crate::pass::Marks::threshold)).
    pub threshold: Option<f64>,
}

impl Cleaned {
    /// The decisions of dropped lines only.
    pub fn dropped(&self) -> impl Iterator<Item = &Decision> {
        self.decisions.iter().filter(|d| d.reason.is_some())
    }
}

/// Builds a [`Pipeline`].
#[derive(Clone, Debug)]
pub struct PipelineBuilder {
    passes: Vec<PassConfig>,
    corpus: Option<(Arc<crate::corpus::Counts>, u32)>,
    rules: RuleSetBuilder,
    disabled: Vec<String>,
    decisions: bool,
    drops_by_reason: bool,
}

impl Default for PipelineBuilder {
    fn default() -> Self {
        PipelineBuilder::new()
    }
}

impl PipelineBuilder {
    /// A builder with the default passes and the built-in rule tables.
    pub fn new() -> PipelineBuilder {
        PipelineBuilder {
            passes: PassConfig::defaults(),
            corpus: None,
            rules: RuleSetBuilder::new(),
            disabled: Vec::new(),
            decisions: true,
            drops_by_reason: true,
        }
    }

    /// Count dropped lines per kind, pass and rule in [`Cleaned::stats`]
    /// (`by_kind`, `by_pass`, `by_rule`). Default: on. Turn it off when only
    /// the totals are needed: the maps stay empty, and a document is a few
    /// allocations cheaper.
    pub fn drops_by_reason(&mut self, yes: bool) -> &mut Self {
        self.drops_by_reason = yes;
        self
    }

    /// Record a [`Decision`] per line in [`Cleaned::decisions`]. Default: on.
    /// Turn it off when only the text and the stats are needed: it saves a
    /// vector of the document's size, and [`Cleaned::decisions`] stays empty.
    pub fn decisions(&mut self, yes: bool) -> &mut Self {
        self.decisions = yes;
        self
    }

    /// The passes to run, in order. Default: [`PassConfig::defaults`].
    pub fn passes(&mut self, passes: Vec<PassConfig>) -> &mut Self {
        self.passes = passes;
        self
    }

    /// Drop lines seen in at least `min_docs` documents of the same host, per
    /// `counts` (from `deboil scan`). The pass runs first. Default: off.
    pub fn corpus_counts(
        &mut self,
        counts: Arc<crate::corpus::Counts>,
        min_docs: u32,
    ) -> &mut Self {
        self.corpus = Some((counts, min_docs));
        self
    }

    /// Add a user rule table (TOML text) named `name` in errors. Default: none.
    pub fn rule_table(
        &mut self,
        name: impl AsRef<std::path::Path>,
        toml_text: impl Into<String>,
    ) -> &mut Self {
        self.rules.table(name, toml_text);
        self
    }

    /// The line model's threshold preset (see [`crate::model::Favor`]).
    /// Default: balanced.
    pub fn favor(&mut self, favor: crate::model::Favor) -> &mut Self {
        for p in &mut self.passes {
            if let PassConfig::Model { favor: f } = p {
                *f = favor;
            }
        }
        self
    }

    /// Disable a pass (`repeat`), a rule table (`ad`) or a rule (`ad.label`).
    /// Unknown names are an error at build time. Default: nothing disabled.
    pub fn disable(&mut self, name: impl Into<String>) -> &mut Self {
        self.disabled.push(name.into());
        self
    }

    /// Check the configuration and compile it.
    pub fn build(&self) -> Result<Pipeline> {
        // Pass names turn passes off; any other name goes to the rules, which
        // reject names that are no table or rule. One compile either way.
        let mut rules = self.rules.clone();
        for name in &self.disabled {
            let is_pass = PassConfig::defaults()
                .iter()
                .chain(&self.passes)
                .any(|p| p.name() == name);
            if !is_pass {
                rules.disable(name.clone());
            }
        }
        let ruleset = if rules.is_default() {
            RuleSet::builtin()
        } else {
            Arc::new(rules.build()?)
        };
        let passes = self
            .passes
            .iter()
            .filter(|p| !self.disabled.iter().any(|d| d == p.name()))
            .map(|p| p.build(&ruleset).map(Arc::from))
            .collect::<Result<Vec<Arc<dyn Pass>>>>()?;
        let mut passes = passes;
        if let Some((counts, min_docs)) = &self.corpus {
            let pass = crate::corpus::CorpusRepeatPass::new(Arc::clone(counts), *min_docs);
            passes.insert(0, Arc::new(pass));
        }
        Ok(Pipeline {
            passes,
            rules: ruleset,
            decisions: self.decisions,
            drops_by_reason: self.drops_by_reason,
        })
    }
}

/// A compiled cleaning pipeline. Cheap to clone: passes and rules are shared.
///
/// ```
/// use deboil::PipelineBuilder;
///
/// let pipeline = PipelineBuilder::new().build()?;
/// let cleaned = pipeline.clean("Body text.\n\nAdvertisement\n");
/// assert_eq!(cleaned.text, "Body text.\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Pipeline {
    passes: Vec<Arc<dyn Pass>>,
    rules: Arc<RuleSet>,
    decisions: bool,
    drops_by_reason: bool,
}

impl Pipeline {
    /// True when a pass looks at the document's host (corpus counts are set).
    pub fn uses_hosts(&self) -> bool {
        self.passes
            .iter()
            .any(|p| p.name() == crate::corpus::CorpusRepeatPass::NAME)
    }

    /// The names of the passes, in order.
    pub fn pass_names(&self) -> Vec<&'static str> {
        self.passes.iter().map(|p| p.name()).collect()
    }

    /// The compiled rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Clean one document. Never fails and never panics on any UTF-8 input.
    pub fn clean(&self, text: &str) -> Cleaned {
        self.clean_from(text, None)
    }

    /// Clean one document that comes from `host` (used by corpus-level passes).
    pub fn clean_from(&self, text: &str, host: Option<&str>) -> Cleaned {
        let doc = Document::parse(text).with_host(host);
        let mut marks = Marks::new(doc.lines().len());
        self.mark(&doc, &mut marks);
        assemble(&doc, &marks, self.decisions, self.drops_by_reason)
    }

    /// Run the passes over a segmented document.
    ///
    /// Contextual passes (see [`Pass::is_contextual`]) run again while a later
    /// pass dropped lines after them, at most [`MAX_ROUNDS`] times, so that
    /// cleaning the output again drops nothing more.
    pub fn mark(&self, doc: &Document<'_>, marks: &mut Marks) {
        // For each contextual pass, the drop count when it last finished: it
        // runs again only if lines were dropped since.
        let mut seen: Vec<Option<usize>> = vec![None; self.passes.len()];
        for (k, pass) in self.passes.iter().enumerate() {
            if pass.is_final() {
                continue;
            }
            pass.apply(doc, marks);
            if pass.is_contextual() {
                seen[k] = Some(marks.dropped());
            }
        }
        for _ in 1..MAX_ROUNDS {
            let mut ran = false;
            for (k, pass) in self.passes.iter().enumerate() {
                let Some(last) = seen[k] else { continue };
                if last != marks.dropped() {
                    pass.apply(doc, marks);
                    seen[k] = Some(marks.dropped());
                    ran = true;
                }
            }
            if !ran {
                break;
            }
        }
        for pass in self.passes.iter().filter(|p| p.is_final()) {
            pass.apply(doc, marks);
        }
    }
}

fn assemble(
    doc: &Document<'_>,
    marks: &Marks,
    keep_decisions: bool,
    drops_by_reason: bool,
) -> Cleaned {
    let text = doc.text();
    let eol = doc.eol();
    // The last line may gain a terminator it lacked.
    let mut out = String::with_capacity(text.len() + eol.len());
    let mut decisions = Vec::with_capacity(if keep_decisions { doc.lines().len() } else { 0 });
    let mut stats = Stats {
        documents: 1,
        bytes_in: text.len() as u64,
        ..Stats::default()
    };
    // Drops per distinct reason (a document has few), for the stats maps.
    let mut tally = vec![0u64; marks.reasons().len()];
    for block in doc.blocks() {
        let mut first_in_block = true;
        for i in block.lines.clone() {
            let line = &doc.lines()[i];
            let reason = marks.reason_index(i);
            stats.lines_in += 1;
            match reason {
                Some(k) => {
                    stats.lines_dropped += 1;
                    tally[k] += 1;
                }
                None => {
                    if first_in_block && !out.is_empty() {
                        out.push_str(eol);
                    }
                    first_in_block = false;
                    out.push_str(&text[line.span.clone()]);
                    out.push_str(eol);
                }
            }
            if keep_decisions {
                decisions.push(Decision {
                    line: i + 1,
                    span: line.span.clone(),
                    reason: reason.map(|k| marks.reasons()[k].clone()),
                    score: marks.score(i),
                });
            }
        }
    }
    stats.bytes_out = out.len() as u64;
    let reasons = if drops_by_reason {
        marks.reasons()
    } else {
        &[]
    };
    for (r, &n) in reasons.iter().zip(&tally) {
        bump(&mut stats.by_kind, r.kind.as_str(), n);
        bump(&mut stats.by_pass, r.pass, n);
        bump(&mut stats.by_rule, Arc::clone(&r.rule), n);
    }
    Cleaned {
        text: out,
        decisions,
        stats,
        threshold: marks.threshold(),
    }
}

fn bump<K: Ord>(map: &mut std::collections::BTreeMap<K, u64>, key: K, by: u64) {
    *map.entry(key).or_insert(0) += by;
}

/// Clean `text` with only `passes`, for the passes' unit tests.
#[cfg(test)]
pub(crate) fn clean_with(passes: Vec<PassConfig>, text: &str) -> String {
    PipelineBuilder::new()
        .passes(passes)
        .build()
        .unwrap()
        .clean(text)
        .text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_gives_empty_output() {
        let c = PipelineBuilder::new().build().unwrap().clean("");
        assert_eq!(c.text, "");
        assert!(c.decisions.is_empty());
    }

    #[test]
    fn paragraphs_are_separated_by_one_blank_line() {
        let p = PipelineBuilder::new().passes(vec![]).build().unwrap();
        assert_eq!(p.clean("a\n\n\n\nb\nc").text, "a\n\nb\nc\n");
    }

    #[test]
    fn crlf_input_gives_crlf_output() {
        let p = PipelineBuilder::new().passes(vec![]).build().unwrap();
        assert_eq!(p.clean("a\r\n\r\nb\r\n").text, "a\r\n\r\nb\r\n");
    }

    #[test]
    fn unknown_disable_name_is_an_error() {
        let err = PipelineBuilder::new().disable("nope").build().unwrap_err();
        assert!(err.to_string().contains("nope"));
    }

    #[test]
    fn disabling_a_pass_removes_it() {
        let p = PipelineBuilder::new().disable("repeat").build().unwrap();
        assert!(!p.pass_names().contains(&"repeat"));
    }

    #[test]
    fn drops_by_reason_can_be_left_out() {
        let text = "Body text.\n\nAdvertisement\n\nShare this article\n";
        let full = PipelineBuilder::new().build().unwrap().clean(text);
        let totals = PipelineBuilder::new()
            .drops_by_reason(false)
            .build()
            .unwrap()
            .clean(text);
        assert_eq!(totals.text, full.text);
        assert_eq!(totals.stats.lines_dropped, full.stats.lines_dropped);
        assert_eq!(full.stats.lines_dropped, 2);
        assert_eq!(full.stats.by_rule.values().sum::<u64>(), 2);
        assert!(totals.stats.by_kind.is_empty() && totals.stats.by_rule.is_empty());
    }

    #[test]
    fn decisions_can_be_left_out() {
        let text = "Body.\n\nAdvertisement\n";
        let full = PipelineBuilder::new().build().unwrap().clean(text);
        let lean = PipelineBuilder::new()
            .decisions(false)
            .build()
            .unwrap()
            .clean(text);
        assert_eq!(full.decisions.len(), 2);
        assert!(lean.decisions.is_empty());
        assert_eq!((lean.text, lean.stats), (full.text, full.stats));
    }

    #[test]
    fn stats_count_drops() {
        let c = PipelineBuilder::new()
            .build()
            .unwrap()
            .clean("Body.\n\nAdvertisement\n");
        assert_eq!(c.stats.lines_in, 2);
        assert_eq!(c.stats.lines_dropped, 1);
        assert_eq!(c.stats.by_kind["ad"], 1);
    }
}
