//! `caption-tag`: a short tag or topic label glued to a photo credit.
//!
//! Image blocks in scraped text often read "ISIS" / "(Photo by …)": the first
//! line is the image's section tag, and it means nothing without the image.
//! A fragment of at most three words in the same paragraph, right before or
//! after a dropped photo credit, is dropped as a section tag.
//!
//! ```
//! use deboil::{PassConfig, PipelineBuilder};
//!
//! let pipeline = PipelineBuilder::new().passes(vec![PassConfig::Rules, PassConfig::CaptionTag]).build()?;
//! let cleaned = pipeline.clean("Title\n\nISIS\n(Photo by A. Person/AFP via Getty Images)\n\nText.\n");
//! assert_eq!(cleaned.text, "Title\n\nText.\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::LazyLock;

use crate::document::Document;
use crate::pass::{Kind, Marks, Pass, Reason};
use crate::text;

/// Drops short tags next to photo credits.
#[derive(Clone, Debug, Default)]
pub struct CaptionTagPass;

impl CaptionTagPass {
    /// The pass name.
    pub const NAME: &'static str = "caption-tag";

    /// The pass.
    pub fn new() -> CaptionTagPass {
        CaptionTagPass
    }
}

// The pass's reasons, built once: a document's drops share them.
static FRAGMENT: LazyLock<Reason> = LazyLock::new(|| {
    Reason::new(
        CaptionTagPass::NAME,
        "caption-tag.fragment",
        Kind::SectionTag,
    )
});

impl Pass for CaptionTagPass {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn is_contextual(&self) -> bool {
        true
    }

    fn apply(&self, doc: &Document<'_>, marks: &mut Marks) {
        let reason = &*FRAGMENT;
        let lines = doc.lines();
        for (i, line) in lines.iter().enumerate() {
            if marks.reason(i).is_none_or(|r| r.kind != Kind::PhotoCredit) {
                continue;
            }
            let block = &doc.blocks()[line.block].lines;
            for j in [i.wrapping_sub(1), i + 1] {
                if block.contains(&j)
                    && !marks.is_dropped(j)
                    && text::is_fragment(doc.line_text(j), 3, 40)
                {
                    marks.drop_line(j, reason);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::PassConfig;

    fn clean(text: &str) -> String {
        crate::pipeline::clean_with(vec![PassConfig::Rules, PassConfig::CaptionTag], text)
    }

    #[test]
    fn keeps_sentence_before_credit() {
        let text = "The mayor spoke at length.\n(Photo: Jane Doe/Reuters)\n";
        assert_eq!(clean(text), "The mayor spoke at length.\n");
    }

    #[test]
    fn keeps_fragment_in_another_paragraph() {
        let text = "Politics\n\n(Photo: Jane Doe/Reuters)\n";
        assert_eq!(clean(text), "Politics\n");
    }
}
