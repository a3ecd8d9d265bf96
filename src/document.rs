//! Segmentation of a text into lines and paragraphs (blocks).
//!
//! A [`Document`] borrows its text and never changes it. Every [`Line`] is a
//! byte span of the original text without its terminator (`\n` or `\r\n`), so
//! kept lines are written back byte-identical. A [`Block`] is a maximal run of
//! non-blank lines: a paragraph.
//!
//! ```
//! use deboil::Document;
//!
//! let doc = Document::parse("Title\r\n\r\nFirst line\nsecond line\n");
//! assert_eq!(doc.lines().len(), 4);
//! assert_eq!(doc.blocks().len(), 2);
//! assert_eq!(doc.line_text(3), "second line");
//! assert!(doc.lines()[1].is_blank());
//! ```

use std::cell::{Cell, OnceCell};
use std::ops::Range;

use crate::lang::LineScan;

/// One line of a document: a byte span without its line terminator.
///
/// Its 1-based line number is its index in [`Document::lines`] plus one.
/// Compact (24 bytes), since a document keeps one per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Byte range of the line's text in [`Document::text`], terminator excluded.
    pub span: Range<usize>,
    /// Index of the block this line belongs to (`usize::MAX` for blank lines).
    pub block: usize,
}

impl Line {
    /// True when the line holds only white space and invisible format chars
    /// (see [`crate::text::is_invisible`]): it is in no block.
    #[inline]
    pub fn is_blank(&self) -> bool {
        self.block == usize::MAX
    }
}

/// A paragraph: a maximal run of non-blank lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Indices into [`Document::lines`].
    pub lines: Range<usize>,
}

/// A text split into lines and paragraphs. Borrows the text; never edits it.
#[derive(Clone, Debug, Default)]
pub struct Document<'a> {
    text: &'a str,
    host: Option<&'a str>,
    lines: Vec<Line>,
    blocks: Vec<Block>,
    /// The line terminator written after kept lines: that of the first line.
    eol: &'static str,
    /// Each line read at most once, on first use, for the passes that
    /// measure words: lines no pass asks about (dropped early) are never read.
    scans: OnceCell<Vec<OnceCell<LineScan>>>,
    /// [`Fact`]s about each line, two bits each (known, value).
    facts: OnceCell<Vec<Cell<u8>>>,
    /// The rule set ([`RuleSet::id`](crate::rules::RuleSet::id)) the [`Fact::Label`] answers are for.
    label_rules: Cell<u64>,
}

/// Longest text (bytes) whose line table is sized by a guess, not a count.
const SMALL_TEXT: usize = 1 << 16;

/// Most words and chars of a short fragment (see [`Document::is_short_fragment`]).
pub(crate) const SHORT_FRAGMENT_WORDS: usize = 4;
pub(crate) const SHORT_FRAGMENT_CHARS: usize = 30;

/// A yes/no fact about a line that passes compute on first need and keep for
/// the document: contextual passes run again when later passes drop lines,
/// and their tests of a line's text need not be repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fact {
    /// See [`Document::is_short_fragment`].
    ShortFragment,
    /// A label rule matches the line: see [`Document::is_label`], the only
    /// way to it.
    Label,
    /// The line is a menu of items between separators.
    SeparatedMenu,
    /// See [`Document::is_headline_like`].
    HeadlineLike,
}

impl<'a> Document<'a> {
    /// Segment `text` into lines and blocks.
    pub fn parse(text: &'a str) -> Document<'a> {
        Document::default().reset(text)
    }

    /// Re-segment this document's buffers for a new text, reusing allocations.
    pub fn reset<'b>(self, text: &'b str) -> Document<'b> {
        let mut lines = self.lines;
        let mut blocks = self.blocks;
        lines.clear();
        blocks.clear();
        let mut doc = Document {
            text,
            host: None,
            lines,
            blocks,
            eol: "\n",
            scans: OnceCell::new(),
            facts: OnceCell::new(),
            label_rules: Cell::new(0),
        };
        doc.segment();
        doc
    }

    fn segment(&mut self) {
        let text = self.text;
        let bytes = text.as_bytes();
        // One allocation: a large document's lines are counted first, so the
        // table is not grown (touching fresh pages) a dozen times; a small
        // one's are guessed from its length (a line per 16 bytes), which
        // saves a pass over most texts.
        let expected = if bytes.len() <= SMALL_TEXT {
            bytes.len() / 16 + 1
        } else {
            memchr::memchr_iter(b'\n', bytes).count() + 1
        };
        self.lines.reserve(expected);
        // A text with carriage returns and no line feed at all has old Mac
        // line ends: lines end at `\r`. (One `\n` anywhere makes a lone `\r`
        // part of its line.)
        let sep =
            if memchr::memchr(b'\n', bytes).is_none() && memchr::memchr(b'\r', bytes).is_some() {
                self.eol = "\r";
                b'\r'
            } else {
                b'\n'
            };
        let mut start = 0;
        let mut first_terminator = true;
        while start < bytes.len() {
            let (end, next) = match memchr::memchr(sep, &bytes[start..]) {
                Some(i) => {
                    let nl = start + i;
                    let crlf = sep == b'\n' && nl > start && bytes[nl - 1] == b'\r';
                    if first_terminator && sep == b'\n' {
                        self.eol = if crlf { "\r\n" } else { "\n" };
                        first_terminator = false;
                    }
                    // CRs before the line feed all belong to the terminator
                    // (`\r\r\n` is a CRLF text converted twice): kept as
                    // text, the last would join the terminator of a second
                    // reading, and the second cleaning would differ.
                    let mut end = nl;
                    while crlf && end > start && bytes[end - 1] == b'\r' {
                        end -= 1;
                    }
                    (end, nl + 1)
                }
                // A `\r` that ends the text ends its last line (a CRLF
                // text cut after its CR), rather than being part of it.
                None if sep == b'\n' && bytes.len() > start && bytes[bytes.len() - 1] == b'\r' => {
                    (bytes.len() - 1, bytes.len())
                }
                None => (bytes.len(), bytes.len()),
            };
            let index = self.lines.len();
            let block = if crate::text::trim(&text[start..end]).is_empty() {
                usize::MAX
            } else {
                // A non-blank line goes on the block of the line before it,
                // or starts one.
                match self.blocks.last_mut() {
                    Some(b) if b.lines.end == index => b.lines.end += 1,
                    _ => self.blocks.push(Block {
                        lines: index..index + 1,
                    }),
                }
                self.blocks.len() - 1
            };
            self.lines.push(Line {
                span: start..end,
                block,
            });
            start = next;
        }
    }

    /// Set the host the document comes from (for corpus-level passes).
    pub fn with_host(mut self, host: Option<&'a str>) -> Document<'a> {
        self.host = host;
        self
    }

    /// The host the document comes from, if known.
    pub fn host(&self) -> Option<&'a str> {
        self.host
    }

    /// The whole original text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// All lines, blank ones included, in order.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// All paragraphs, in order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The text of line `index` (0-based), without its terminator.
    pub fn line_text(&self, index: usize) -> &'a str {
        &self.text[self.lines[index].span.clone()]
    }

    /// The text of block `index`, from its first line's start to its last line's end.
    pub fn block_text(&self, index: usize) -> &'a str {
        let b = &self.blocks[index];
        let start = self.lines[b.lines.start].span.start;
        let end = self.lines[b.lines.end - 1].span.end;
        &self.text[start..end]
    }

    /// Line `index` (0-based), trimmed, read by [`LineScan::of`]: word, char
    /// and function-word counts and the normalised key. Each line is read on
    /// its first call only, so passes that measure the same lines share one
    /// reading (blank lines give empty scans).
    pub fn scan(&self, index: usize) -> &LineScan {
        let scans = self
            .scans
            .get_or_init(|| vec![OnceCell::new(); self.lines.len()]);
        scans[index].get_or_init(|| {
            if self.lines[index].is_blank() {
                LineScan::default()
            } else {
                LineScan::of(crate::text::trim(self.line_text(index)))
            }
        })
    }

    /// Whether line `index` (trimmed) is a fragment of at most
    /// [`SHORT_FRAGMENT_WORDS`] words and [`SHORT_FRAGMENT_CHARS`] chars
    /// ([`text::is_fragment`](crate::text::is_fragment)): a UI label or menu
    /// item candidate, for `ui-run` and `menu`. Computed once per line.
    pub(crate) fn is_short_fragment(&self, index: usize) -> bool {
        self.fact(index, Fact::ShortFragment, || {
            crate::text::is_fragment(
                self.line_text(index),
                SHORT_FRAGMENT_WORDS,
                SHORT_FRAGMENT_CHARS,
            )
        })
    }

    /// [`text::is_headline_like`](crate::text::is_headline_like) of line
    /// `index`, computed once per line.
    pub(crate) fn is_headline_like(&self, index: usize) -> bool {
        self.fact(index, Fact::HeadlineLike, || {
            crate::text::is_headline_like(self.line_text(index))
        })
    }

    /// Whether a label rule of the rule set `rules` (its
    /// [`RuleSet::id`](crate::rules::RuleSet::id)) matches line `index`:
    /// `compute` on the first call, the same answer after. The answers are
    /// for one rule set: asked with another, the document forgets them first.
    pub(crate) fn is_label(
        &self,
        index: usize,
        rules: u64,
        compute: impl FnOnce() -> bool,
    ) -> bool {
        if self.label_rules.get() != rules {
            if let Some(facts) = self.facts.get() {
                let forget = !(0b11 << (2 * Fact::Label as u8));
                facts.iter().for_each(|f| f.set(f.get() & forget));
            }
            self.label_rules.set(rules);
        }
        self.fact(index, Fact::Label, compute)
    }

    /// `fact` about line `index`: `compute` on the first call, the same
    /// answer after.
    pub(crate) fn fact(&self, index: usize, fact: Fact, compute: impl FnOnce() -> bool) -> bool {
        let facts = self
            .facts
            .get_or_init(|| vec![Cell::new(0); self.lines.len()]);
        let known = 1u8 << (2 * fact as u8);
        if facts[index].get() & known != 0 {
            return facts[index].get() & known << 1 != 0;
        }
        let yes = compute();
        let cell = &facts[index];
        cell.set(cell.get() | known | if yes { known << 1 } else { 0 });
        yes
    }

    /// True when the first line terminator of the text is `\r\n`.
    pub fn is_crlf(&self) -> bool {
        self.eol == "\r\n"
    }

    /// The line terminator of the text, written after each kept line: that
    /// of its first line (`\n` or `\r\n`), or `\r` for a text whose lines
    /// all end in a lone carriage return (old Mac line ends). `\n` when the
    /// text has no terminator.
    pub fn eol(&self) -> &'static str {
        self.eol
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn facts_are_computed_once_per_line_and_kept_apart() {
        let doc =
            Document::parse("Share\nA whole sentence that goes on for more than four words.\n");
        let mut calls = 0;
        let mut label = |i: usize, answer: bool| {
            doc.fact(i, Fact::SeparatedMenu, || {
                calls += 1;
                answer
            })
        };
        assert!(label(0, true));
        // Known now: the second answer is not asked for.
        assert!(label(0, false));
        assert!(!label(1, false));
        assert!(!label(1, true));
        assert_eq!(calls, 2);
        // Other facts of the same lines are their own.
        assert!(doc.is_short_fragment(0));
        assert!(!doc.is_short_fragment(1));
        assert!(!doc.fact(0, Fact::HeadlineLike, || false));
        assert!(doc.fact(0, Fact::SeparatedMenu, || false));
        // A reset document starts over.
        let doc = doc.reset("Share\n");
        assert!(!doc.fact(0, Fact::SeparatedMenu, || false));
    }

    #[test]
    fn label_answers_are_kept_for_one_rule_set() {
        let doc = Document::parse("Share\n");
        let builtin = RuleSet::builtin();
        let other = crate::rules::RuleSetBuilder::new()
            .builtin(false)
            .build()
            .unwrap();
        assert!(doc.is_label(0, builtin.id(), || true));
        assert!(doc.is_label(0, builtin.id(), || false));
        // Another rule set: asked again, then kept.
        assert!(!doc.is_label(0, other.id(), || false));
        assert!(!doc.is_label(0, other.id(), || true));
        // Back to the first: asked again too. Other facts stay.
        assert!(doc.fact(0, Fact::SeparatedMenu, || true));
        assert!(doc.is_label(0, builtin.id(), || true));
        assert!(doc.fact(0, Fact::SeparatedMenu, || false));
    }

    #[test]
    fn empty_text_has_no_lines() {
        let doc = Document::parse("");
        assert!(doc.lines().is_empty());
        assert!(doc.blocks().is_empty());
    }

    #[test]
    fn trailing_newline_adds_no_line() {
        let doc = Document::parse("a\nb\n");
        assert_eq!(doc.lines().len(), 2);
        assert_eq!(doc.line_text(1), "b");
    }

    #[test]
    fn lone_carriage_returns_end_lines_when_there_is_no_line_feed() {
        let doc = Document::parse("Title\r\rFirst line\rsecond line\r");
        assert_eq!(doc.lines().len(), 4);
        assert_eq!(doc.blocks().len(), 2);
        assert_eq!(doc.line_text(3), "second line");
        assert_eq!(doc.eol(), "\r");
        // A `\r` at the very end ends the last line (found by fuzzing: it
        // came out as the CR of a CRLF, changing the line).
        let doc = Document::parse("a\nb\r");
        assert_eq!(doc.line_text(1), "b");
        // One line feed: a lone `\r` stays inside its line.
        let doc = Document::parse("a\rb\nc");
        assert_eq!(doc.lines().len(), 2);
        assert_eq!(doc.eol(), "\n");
    }

    #[test]
    fn crlf_is_stripped_from_spans() {
        // CRs before a line feed end the line with it (found by fuzzing).
        let doc = Document::parse("x\n5\r\r\r\ny\n");
        assert_eq!(doc.line_text(1), "5");
        assert_eq!(doc.eol(), "\n");
        let doc = Document::parse("a\r\n\r\nb");
        assert!(doc.is_crlf());
        assert_eq!(doc.line_text(0), "a");
        assert!(doc.lines()[1].is_blank());
        assert_eq!(doc.blocks().len(), 2);
    }

    #[test]
    fn blank_runs_separate_blocks() {
        let doc = Document::parse("a\nb\n\n \n\t\nc\n");
        assert_eq!(doc.blocks().len(), 2);
        assert_eq!(doc.blocks()[0].lines, 0..2);
        assert_eq!(doc.blocks()[1].lines, 5..6);
        assert_eq!(doc.block_text(0), "a\nb");
        assert!(!doc.lines()[5].is_blank());
        assert!(doc.lines()[2].is_blank() && doc.lines()[3].is_blank());
        assert_eq!(doc.lines()[5].block, 1);
    }

    #[test]
    fn lone_carriage_return_is_kept_in_line() {
        let doc = Document::parse("a\rb\n");
        assert_eq!(doc.line_text(0), "a\rb");
    }
}
