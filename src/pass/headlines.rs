//! `headline-list`: a trailing list of headline links.
//!
//! Pages often end with links to other stories, one headline a line, often
//! each twice (image link and text link). At the end of the document, a run of
//! at least two headline-like lines (3 to 20 words, no sentence ending) is
//! dropped when it repeats a line or follows a line that was already dropped
//! as boilerplate: either sign shows it is not the article's closing lines.
//!
//! ```
//! use deboil::{PassConfig, PipelineBuilder};
//!
//! let pipeline = PipelineBuilder::new().passes(vec![PassConfig::HeadlineList]).build()?;
//! let text = "The article ends here.\n\nMayor Caught In Budget Scandal\n\nMayor Caught In Budget Scandal\n\nNew Bridge Opens To Traffic\n";
//! assert_eq!(pipeline.clean(text).text, "The article ends here.\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;

use crate::document::Document;
use crate::pass::{Kind, Marks, Pass, Reason};
use crate::text;

/// Drops trailing lists of headline links.
#[derive(Clone, Debug, Default)]
pub struct HeadlineListPass;

impl HeadlineListPass {
    /// The pass name.
    pub const NAME: &'static str = "headline-list";

    /// The pass.
    pub fn new() -> HeadlineListPass {
        HeadlineListPass
    }
}

impl Pass for HeadlineListPass {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn is_contextual(&self) -> bool {
        true
    }

    fn apply(&self, doc: &Document<'_>, marks: &mut Marks) {
        let lines = doc.lines();
        // Walk back from the end over kept headline-like lines.
        // Lines already dropped are read through, as they will be once
        // removed (so a second clean sees the run the first one saw), and
        // count as evidence when they lie inside the run or just before it.
        let mut run = Vec::new();
        let mut before = None;
        let mut pending = None;
        for i in (0..lines.len()).rev() {
            if lines[i].is_blank() {
                continue;
            }
            if marks.is_dropped(i) {
                if !run.is_empty() {
                    pending = Some(i);
                }
                continue;
            }
            if !doc.is_headline_like(i) {
                break;
            }
            run.push(i);
            before = before.or(pending);
        }
        let before = before.or(pending);
        if run.len() < 2
            || run.len()
                == (0..lines.len())
                    .filter(|&i| !lines[i].is_blank() && !marks.is_dropped(i))
                    .count()
        {
            return;
        }
        let mut seen = HashSet::new();
        let repeats = run
            .iter()
            .any(|&i| !seen.insert(text::normalize(doc.line_text(i))));
        if repeats || before.is_some() {
            let rule = if repeats {
                "headline-list.repeated"
            } else {
                "headline-list.after-boilerplate"
            };
            let reason = Reason::new(Self::NAME, rule, Kind::RelatedHeadline);
            for &i in &run {
                marks.drop_line(i, &reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::PassConfig;

    fn clean(text: &str) -> String {
        crate::pipeline::clean_with(vec![PassConfig::Rules, PassConfig::HeadlineList], text)
    }

    #[test]
    fn keeps_closing_subheadings_without_evidence() {
        let text =
            "Intro sentence.\n\nWhat Happens Next For The City\n\nThe Council Votes On Tuesday\n";
        assert_eq!(clean(text), text);
    }

    #[test]
    fn drops_list_after_dropped_line() {
        let text = "Body.\n\nAdvertisement\n\nMayor Caught In Budget Scandal\n\nNew Bridge Opens To Traffic\n";
        assert_eq!(clean(text), "Body.\n");
    }

    #[test]
    fn reads_through_dropped_lines_so_a_second_clean_changes_nothing() {
        // Found by the pipeline fuzz target: the run stopped at the first
        // dropped line, and the second clean, without it, saw a repeat.
        let text = "Body sentence that ends.\n\nStory One Headline Here\n\nStory Two Headline Here\n\nAdvertisement\n\nStory One Headline Here\n";
        let once = clean(text);
        assert_eq!(once, "Body sentence that ends.\n");
        assert_eq!(clean(&once), once);
    }

    #[test]
    fn keeps_document_made_only_of_headlines() {
        let text = "Mayor Caught In Budget Scandal\n\nMayor Caught In Budget Scandal\n";
        assert_eq!(clean(text), text);
    }
}
