//! `rules`: the rule tables, matched line by line (and paragraph by paragraph for block rules).
//!
//! A matching line is dropped with the rule's id and kind; the rule's `extend`
//! decides what it takes with it (the short lines under a "Trending" heading,
//! the headline list under "Related", or the rest of the paragraph).
//!
//! ```
//! use deboil::{PassConfig, PipelineBuilder};
//!
//! let pipeline = PipelineBuilder::new().passes(vec![PassConfig::Rules]).build()?;
//! let cleaned = pipeline.clean("First paragraph.\n\nAdvertisement - story continues below\n\nSecond paragraph.\n");
//! assert_eq!(cleaned.text, "First paragraph.\n\nSecond paragraph.\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use crate::document::Document;
use crate::pass::{Marks, Pass, Reason};
use crate::rules::{Extend, Matcher, Rule, RuleSet};
use crate::text;

/// Longest line an `extend = "short-lines"` rule takes with it.
const SHORT_LINE_CHARS: usize = 80;
/// Most lines an `extend = "headlines"` rule takes with it.
const MAX_HEADLINES: usize = 15;

/// Drops lines matched by the rule tables.
#[derive(Clone, Debug)]
pub struct RulePass {
    rules: Arc<RuleSet>,
}

impl RulePass {
    /// The pass name.
    pub const NAME: &'static str = "rules";

    /// A pass over `rules`.
    pub fn new(rules: Arc<RuleSet>) -> RulePass {
        RulePass { rules }
    }

    fn extend(
        &self,
        m: &mut Matcher<'_>,
        doc: &Document<'_>,
        marks: &mut Marks,
        at: usize,
        rule: &Rule,
        reason: &Reason,
    ) {
        let lines = doc.lines();
        let block = lines[at].block;
        match rule.extend {
            Extend::None => {}
            Extend::Block => {
                for i in doc.blocks()[block].lines.clone() {
                    marks.drop_line(i, reason);
                }
            }
            Extend::ShortLines => {
                for i in at + 1..doc.blocks()[block].lines.end {
                    if marks.is_dropped(i) {
                        continue;
                    }
                    let t = text::trim(doc.line_text(i));
                    // The cheap tests first; the rule match last.
                    if text::chars_upto(t, SHORT_LINE_CHARS) > SHORT_LINE_CHARS
                        || text::ends_sentence(t) && !text::ends_with_ellipsis(t)
                        || m.line(t).is_some()
                    {
                        break;
                    }
                    marks.drop_line(i, reason);
                }
            }
            Extend::Headlines => {
                let mut taken = 0;
                for (i, line) in lines.iter().enumerate().skip(at + 1) {
                    // Dropped lines are skipped, not a stop: cleaning twice must not take more.
                    if line.is_blank() || marks.is_dropped(i) {
                        continue;
                    }
                    // A line another rule matches ends the list: it gets its own reason.
                    if taken == MAX_HEADLINES
                        || !doc.is_headline_like(i)
                        || m.line(doc.line_text(i)).is_some()
                    {
                        break;
                    }
                    marks.drop_line(i, reason);
                    taken += 1;
                }
            }
        }
    }
}

impl Pass for RulePass {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn apply(&self, doc: &Document<'_>, marks: &mut Marks) {
        let mut m = self.rules.matcher();
        m.scan_document(doc.text());
        if self.rules.has_block_rules() {
            for (b, block) in doc.blocks().iter().enumerate() {
                if let Some(rule) = m.block(doc.block_text(b)) {
                    let reason = Reason {
                        pass: Self::NAME,
                        rule: Arc::clone(&rule.id),
                        kind: rule.kind,
                    };
                    for i in block.lines.clone() {
                        marks.drop_line(i, &reason);
                    }
                }
            }
        }
        for (i, line) in doc.lines().iter().enumerate() {
            if line.is_blank() || marks.is_dropped(i) {
                continue;
            }
            if let Some(rule) = m.line(doc.line_text(i)) {
                let reason = Reason {
                    pass: Self::NAME,
                    rule: Arc::clone(&rule.id),
                    kind: rule.kind,
                };
                marks.drop_line(i, &reason);
                self.extend(&mut m, doc, marks, i, rule, &reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::PassConfig;

    fn clean(text: &str) -> String {
        crate::pipeline::clean_with(vec![PassConfig::Rules], text)
    }

    #[test]
    fn drops_trending_heading_and_its_byline() {
        let out = clean(
            "Body text here.\n\nTrending on Hotair Video\nJazz Shaw 8:31 AM on December 04, 2022\n",
        );
        assert_eq!(out, "Body text here.\n");
    }

    #[test]
    fn short_lines_stop_at_a_sentence() {
        let out = clean("Trending Now\nA short item\nThis is a full sentence that ends here.\n");
        assert_eq!(out, "This is a full sentence that ends here.\n");
    }

    #[test]
    fn related_heading_takes_following_headlines_across_blank_lines() {
        let out = clean(
            "Body.\n\nRelated Articles\n\nThe Mayor Resigns Over Budget Row\n\nNew Bridge Opens To Traffic\n\nThe end of the story, with a full stop.\n",
        );
        assert_eq!(out, "Body.\n\nThe end of the story, with a full stop.\n");
    }

    #[test]
    fn keeps_prose_mentioning_advertisement() {
        let text = "Advertisement spending rose 5% last year, the report said.\n";
        assert_eq!(clean(text), text);
    }
}
