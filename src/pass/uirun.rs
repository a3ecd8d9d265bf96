//! `ui-run`: runs of short UI labels (share, text-size and tool widgets).
//!
//! One label such as "Share" on its own line may be a heading of the article;
//! a run of short lines that are mostly labels ("Comments / Share / Text Size /
//! Small / Medium / Large") is a widget. Labels come from the `label` rules of
//! the tables. Blank lines do not break a run, and lines already dropped by
//! an earlier pass are skipped as if they were gone.
//!
//! ```
//! use deboil::{PassConfig, PipelineBuilder};
//!
//! let pipeline = PipelineBuilder::new().passes(vec![PassConfig::UiRun { min_run: 3 }]).build()?;
//! let cleaned = pipeline.clean("The end.\n\nShare\nTweet\nEmail\nPrint\n");
//! assert_eq!(cleaned.text, "The end.\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::{Arc, LazyLock};

use crate::document::Document;
use crate::pass::{Kind, Marks, Pass, Reason};
use crate::rules::{Matcher, RuleSet};
use crate::text;

/// Drops runs of short lines made mostly of UI labels.
#[derive(Clone, Debug)]
pub struct UiRunPass {
    rules: Arc<RuleSet>,
    min_run: usize,
}

impl UiRunPass {
    /// The pass name.
    pub const NAME: &'static str = "ui-run";
    /// Default shortest run.
    pub const DEFAULT_MIN_RUN: usize = 3;

    /// A pass using the label rules of `rules`.
    pub fn new(rules: Arc<RuleSet>) -> UiRunPass {
        UiRunPass {
            rules,
            min_run: Self::DEFAULT_MIN_RUN,
        }
    }

    /// Shortest run of lines that is dropped when at least 60% of it are labels;
    /// a run of two is dropped only when both are labels. Default: 3.
    pub fn min_run(mut self, lines: usize) -> UiRunPass {
        self.min_run = lines.max(2);
        self
    }

    /// Judge a run of short lines (indices and trimmed texts). Non-labels at
    /// either end are not part of the widget: they may be a heading of the
    /// article that happens to be short. A single line is never a widget, so
    /// its label rules are not even tried.
    fn judge(
        &self,
        doc: &Document<'_>,
        labels: &mut Matcher<'_>,
        marks: &mut Marks,
        run: &[(usize, &str)],
        is_label: &mut Vec<bool>,
        reason: &Reason,
    ) {
        if run.len() < 2 {
            return;
        }
        is_label.clear();
        is_label.extend(
            run.iter()
                .map(|&(i, t)| doc.is_label(i, self.rules.id(), || labels.label(t).is_some())),
        );
        let Some(first) = is_label.iter().position(|&l| l) else {
            return;
        };
        let last = is_label.iter().rposition(|&l| l).unwrap_or(first);
        let run = &run[first..=last];
        let labels = is_label[first..=last].iter().filter(|&&l| l).count();
        let n = run.len();
        let drop = (n >= self.min_run && labels * 5 >= n * 3) || (n >= 2 && labels == n);
        if drop {
            for &(i, _) in run {
                marks.drop_line(i, reason);
            }
        }
    }
}

// The pass's reasons, built once: a document's drops share them.
static LABELS: LazyLock<Reason> =
    LazyLock::new(|| Reason::new(UiRunPass::NAME, "ui-run.labels", Kind::Widget));

impl Pass for UiRunPass {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn is_contextual(&self) -> bool {
        true
    }

    fn apply(&self, doc: &Document<'_>, marks: &mut Marks) {
        let reason = &*LABELS;
        let mut run: Vec<(usize, &str)> = Vec::new();
        let mut is_label: Vec<bool> = Vec::new();
        let mut labels = self.rules.matcher();
        for (i, line) in doc.lines().iter().enumerate() {
            if line.is_blank() {
                continue;
            }
            // Lines dropped by earlier passes are transparent: the run is judged
            // on what would be left, so cleaning twice changes nothing more.
            if marks.is_dropped(i) {
                continue;
            }
            let t = text::trim(doc.line_text(i));
            // A line of a run: at most 4 words and 30 chars.
            if doc.is_short_fragment(i) {
                run.push((i, t));
            } else {
                self.judge(doc, &mut labels, marks, &run, &mut is_label, reason);
                run.clear();
            }
        }
        self.judge(doc, &mut labels, marks, &run, &mut is_label, reason);
    }
}

#[cfg(test)]
mod tests {
    use crate::PassConfig;

    fn clean(text: &str) -> String {
        crate::pipeline::clean_with(vec![PassConfig::UiRun { min_run: 3 }], text)
    }

    #[test]
    fn drops_text_size_widget() {
        let text = "Body.\n\nComments\nShare\nText\nText Size\nSmall\nMedium\nLarge\n";
        assert_eq!(clean(text), "Body.\n");
    }

    #[test]
    fn keeps_short_heading_before_widget() {
        let text = "Conclusion\nShare\nTweet\nEmail\n";
        assert_eq!(clean(text), "Conclusion\n");
    }

    #[test]
    fn keeps_single_label_heading() {
        let text = "Share\n\nThe company said its share price doubled in a year.\n";
        assert_eq!(clean(text), text);
    }

    #[test]
    fn keeps_short_list_that_is_not_labels() {
        let text = "You need:\n2 eggs\n1 cup flour\nSalt\nButter\n";
        assert_eq!(clean(text), text);
    }
}
