//! `menu`: navigation menus, link lists, tag clouds and pagination as runs of
//! short lines.
//!
//! html-to-text output puts each menu item on its own line, with no blank line
//! between items. A run of at least `min_run` consecutive short lines (at most
//! four words and 30 chars, no sentence ending) in one paragraph is a menu,
//! unless the line before it ends with a colon (a list the text announces:
//! ingredients, steps) or its items carry list markers. A line of three or more
//! short items joined by separators ("Home | News | Sport") is a menu too.
//!
//! ```
//! use deboil::{PassConfig, PipelineBuilder};
//!
//! let pipeline = PipelineBuilder::new().passes(vec![PassConfig::Menu { min_run: 5 }]).build()?;
//! let page = "Home\nNews\nSport\nBusiness\nOpinion\nWeather\n\nThe article starts here and goes on.\n";
//! assert_eq!(pipeline.clean(page).text, "The article starts here and goes on.\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::LazyLock;

use crate::document::{Document, Fact};
use crate::pass::{Kind, Marks, Pass, Reason};
use crate::text;

/// Longest item (in chars) of a menu run.
const MAX_CHARS: usize = crate::document::SHORT_FRAGMENT_CHARS;
/// Most words of a menu item.
const MAX_WORDS: usize = crate::document::SHORT_FRAGMENT_WORDS;
/// Separators between items on one line.
const SEPARATORS: &[&str] = &[" | ", " · ", " • ", " / ", " › ", " » ", " - "];

/// Drops menus and link lists.
#[derive(Clone, Debug)]
pub struct MenuPass {
    min_run: usize,
}

impl Default for MenuPass {
    fn default() -> Self {
        MenuPass::min_run(Self::DEFAULT_MIN_RUN)
    }
}

impl MenuPass {
    /// The pass name.
    pub const NAME: &'static str = "menu";
    /// Default for [`MenuPass::min_run`].
    pub const DEFAULT_MIN_RUN: usize = 5;

    /// Shortest run of short lines that is a menu. Default: 5.
    pub fn min_run(lines: usize) -> MenuPass {
        MenuPass {
            min_run: lines.max(2),
        }
    }

    fn is_item(t: &str) -> bool {
        text::is_fragment(t, MAX_WORDS, MAX_CHARS) && !has_list_marker(t)
    }

    /// [`MenuPass::is_item`] of line `i` (trimmed), its fragment test kept
    /// for the document (ui-run makes the same one).
    fn is_item_line(doc: &Document<'_>, i: usize) -> bool {
        doc.is_short_fragment(i) && !has_list_marker(text::trim(doc.line_text(i)))
    }

    fn is_separated_menu(t: &str) -> bool {
        // Menu lines are short (ten items at most, say); most lines have no
        // separator byte at all.
        if t.len() > 400
            || text::ends_sentence(t)
            || !t
                .bytes()
                .any(|b| matches!(b, b'|' | b'/' | b'-' | 0xC2 | 0xE2))
        {
            return false;
        }
        // Three items or more (two separators), all of them short.
        SEPARATORS.iter().any(|sep| {
            t.matches(sep).nth(1).is_some() && t.split(sep).all(|i| Self::is_item(text::trim(i)))
        })
    }
}

fn has_list_marker(t: &str) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &t[digits..];
    (digits > 0 && (rest.starts_with(". ") || rest.starts_with(") ")))
        || ["• ", "- ", "* ", "– "].iter().any(|m| t.starts_with(m))
}

// The pass's reasons, built once: a document's drops share them.
static RUNS: LazyLock<Reason> =
    LazyLock::new(|| Reason::new(MenuPass::NAME, "menu.short-line-run", Kind::Navigation));
static SEPARATED: LazyLock<Reason> =
    LazyLock::new(|| Reason::new(MenuPass::NAME, "menu.separated-items", Kind::Navigation));

impl Pass for MenuPass {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn is_contextual(&self) -> bool {
        true
    }

    fn apply(&self, doc: &Document<'_>, marks: &mut Marks) {
        let (runs, separated) = (&*RUNS, &*SEPARATED);
        let mut lines: Vec<usize> = Vec::new();
        for block in doc.blocks() {
            // Kept lines of the paragraph; dropped ones are as if gone.
            lines.clear();
            lines.reserve(block.lines.len());
            lines.extend(block.lines.clone().filter(|&i| !marks.is_dropped(i)));
            let mut k = 0;
            while k < lines.len() {
                let t = text::trim(doc.line_text(lines[k]));
                if doc.fact(lines[k], Fact::SeparatedMenu, || Self::is_separated_menu(t)) {
                    marks.drop_line(lines[k], separated);
                    k += 1;
                    continue;
                }
                let end = (k..lines.len())
                    .find(|&j| !Self::is_item_line(doc, lines[j]))
                    .unwrap_or(lines.len());
                let announced = k > 0 && text::trim_end(doc.line_text(lines[k - 1])).ends_with(':');
                if end - k >= self.min_run && !announced {
                    for &i in &lines[k..end] {
                        marks.drop_line(i, runs);
                    }
                }
                k = end.max(k + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::PassConfig;

    fn clean(text: &str) -> String {
        crate::pipeline::clean_with(vec![PassConfig::Menu { min_run: 5 }], text)
    }

    #[test]
    fn keeps_announced_list() {
        let text = "You will need:\n2 eggs\n1 cup flour\nSalt\nButter\nSugar\nMilk\n";
        assert_eq!(clean(text), text);
    }

    #[test]
    fn keeps_short_runs_and_marked_lists() {
        let text = "Rome\nParis\nLondon\n\n- eggs\n- flour\n- salt\n- butter\n- sugar\n";
        assert_eq!(clean(text), text);
    }

    #[test]
    fn keeps_short_lines_in_separate_paragraphs() {
        let text = "One\n\nTwo\n\nThree\n\nFour\n\nFive\n";
        assert_eq!(clean(text), text);
    }

    #[test]
    fn drops_separated_menu_line() {
        assert_eq!(
            clean("Home | News | Sport | Weather\n\nText of the story.\n"),
            "Text of the story.\n"
        );
    }

    #[test]
    fn keeps_prose_with_a_separator() {
        let text = "The score was 2 - 1 after a long - and wet - afternoon.\n";
        assert_eq!(clean(text), text);
    }
}
