//! `repeat`: repeated lines and truncated teasers.
//!
//! * `repeat.truncated`: a line ending in "…" or "..." whose text (without the
//!   ellipsis, normalised) starts another, longer line is a teaser of that line
//!   and is dropped in favour of the full one, wherever it stands.
//! * `repeat.exact`: a line equal, after normalisation (lowercase, punctuation
//!   and white space folded), to an earlier kept line is dropped; the first stays.
//!
//! Lines shorter than `min_chars` normalised chars are left alone: short lines
//! ("Yes.", "* * *") repeat in real text.
//!
//! ```
//! use deboil::{PassConfig, PipelineBuilder};
//!
//! let pipeline = PipelineBuilder::new().passes(vec![PassConfig::Repeat { min_chars: 20 }]).build()?;
//! let text = "The council met on Tuesday to discuss…\n\nThe council met on Tuesday to discuss the budget.\n\nThe council met on Tuesday to discuss the budget.\n";
//! assert_eq!(pipeline.clean(text).text, "The council met on Tuesday to discuss the budget.\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::ControlFlow;
use std::sync::LazyLock;

use crate::document::Document;
use crate::pass::{Kind, Marks, Pass, Reason};
use crate::text;

/// Drops repeated lines and truncated duplicates.
#[derive(Clone, Debug)]
pub struct RepeatPass {
    min_chars: usize,
}

impl Default for RepeatPass {
    fn default() -> Self {
        RepeatPass::min_chars(Self::DEFAULT_MIN_CHARS)
    }
}

impl RepeatPass {
    /// The pass name.
    pub const NAME: &'static str = "repeat";
    /// Default shortest normalised line considered.
    pub const DEFAULT_MIN_CHARS: usize = 30;

    /// A pass ignoring lines shorter than `chars` normalised chars. Default: 30.
    pub fn min_chars(chars: usize) -> RepeatPass {
        RepeatPass {
            min_chars: chars.max(1),
        }
    }
}

// The pass's reasons, built once: a document's drops share them.
static TRUNCATED: LazyLock<Reason> = LazyLock::new(|| {
    Reason::new(
        RepeatPass::NAME,
        "repeat.truncated",
        Kind::TruncatedDuplicate,
    )
});
static EXACT: LazyLock<Reason> =
    LazyLock::new(|| Reason::new(RepeatPass::NAME, "repeat.exact", Kind::Duplicate));

impl Pass for RepeatPass {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn apply(&self, doc: &Document<'_>, marks: &mut Marks) {
        let lines = doc.lines();
        let candidate = |i: usize, line: &crate::document::Line| {
            !line.is_blank() && !marks.is_dropped(i) && line.span.len() >= self.min_chars
        };
        // A repeat and a truncated teaser each need a second line long
        // enough: with fewer than two, no line is read.
        if (lines.iter().enumerate())
            .filter(|&(i, line)| candidate(i, line))
            .nth(1)
            .is_none()
        {
            return;
        }
        // Keys of the normalised lines long enough to count; a normalised line
        // has at most as many chars as the line has bytes.
        let keys: Vec<Option<u64>> = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                if !candidate(i, line) {
                    return None;
                }
                let (key, chars) = doc.scan(i).normalized_key();
                (chars >= self.min_chars).then_some(key)
            })
            .collect();

        let truncated = &*TRUNCATED;
        let teasers: Vec<usize> = (0..lines.len())
            .filter(|&i| keys[i].is_some() && text::ends_with_ellipsis(doc.line_text(i)))
            .collect();
        // A full version starts with the teaser's first `min_chars` normalised
        // chars: lines are looked up by the hash of theirs, so a document with
        // many teasers does not compare every teaser with every line.
        let mut by_head: HashMap<u64, Vec<usize>, BuildHasherDefault<KeyHasher>> =
            HashMap::default();
        if !teasers.is_empty() {
            // A full version starts with the same normalised char as its
            // teaser: only lines that start like a teaser are hashed.
            let first_char = |t: &str| match text::walk_normalized(t, false, ControlFlow::Break) {
                ControlFlow::Break(c) => Some(c),
                ControlFlow::Continue(()) => None,
            };
            let mut wanted: Vec<char> = teasers
                .iter()
                .filter_map(|&i| first_char(doc.line_text(i)))
                .collect();
            wanted.sort_unstable();
            wanted.dedup();
            // Lines that normalise alike answer alike: one of each is enough.
            let mut distinct: HashSet<u64, BuildHasherDefault<KeyHasher>> = HashSet::default();
            let firsts = (0..lines.len()).filter(|&j| {
                keys[j].is_some_and(|k| distinct.insert(k))
                    && first_char(doc.line_text(j)).is_some_and(|c| wanted.contains(&c))
            });
            for j in firsts {
                let mut head = Head::new(self.min_chars);
                let _ = text::walk_normalized(doc.line_text(j), false, |c| head.push(c));
                if let Some(h) = head.key() {
                    by_head.entry(h).or_default().push(j);
                }
            }
        }
        for i in teasers {
            let teaser = text::strip_ellipsis(doc.line_text(i));
            let mut head = Head::new(self.min_chars);
            let _ = text::walk_normalized(teaser, false, |c| head.push(c));
            let Some(js) = head.key().and_then(|h| by_head.get(&h)) else {
                continue;
            };
            // Lines start like the teaser: compare them with all of it.
            let prefix = text::normalize(teaser);
            let has_full = js
                .iter()
                .any(|&j| j != i && text::normalized_extends(doc.line_text(j), &prefix));
            if has_full {
                marks.drop_line(i, truncated);
            }
        }

        let exact = &*EXACT;
        let mut seen: HashSet<u64, BuildHasherDefault<KeyHasher>> =
            HashSet::with_capacity_and_hasher(keys.iter().flatten().count(), Default::default());
        for (i, key) in keys.iter().enumerate() {
            let Some(key) = key else { continue };
            if marks.is_dropped(i) {
                continue;
            }
            if !seen.insert(*key) {
                marks.drop_line(i, exact);
            }
        }
    }
}

/// A hash of the first `n` chars fed, or `None` when fewer were fed.
struct Head {
    hash: KeyHasher,
    left: usize,
}

impl Head {
    fn new(n: usize) -> Head {
        Head {
            hash: KeyHasher::default(),
            left: n,
        }
    }

    /// Feed one char; breaks once `n` chars are in.
    fn push(&mut self, c: char) -> ControlFlow<()> {
        if self.left > 0 {
            self.hash.write(c.encode_utf8(&mut [0; 4]).as_bytes());
            self.left -= 1;
        }
        if self.left == 0 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn key(&self) -> Option<u64> {
        (self.left == 0).then(|| self.hash.finish())
    }
}

/// The line keys are 64-bit hashes already: the sets and maps here use them
/// as they are, not hashed again with SipHash. Bytes (the heads of lines)
/// are mixed in one at a time.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(text::HASH_K);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use crate::PassConfig;

    fn clean(text: &str) -> String {
        crate::pipeline::clean_with(vec![PassConfig::Repeat { min_chars: 30 }], text)
    }

    #[test]
    fn keeps_first_of_repeated_paragraphs() {
        let text = "A paragraph that is long enough to count.\n\nMiddle.\n\nA PARAGRAPH that is long enough to count!\n";
        assert_eq!(
            clean(text),
            "A paragraph that is long enough to count.\n\nMiddle.\n"
        );
    }

    #[test]
    fn keeps_short_repeats() {
        let text = "Yes.\n\nNo.\n\nYes.\n";
        assert_eq!(clean(text), text);
    }

    #[test]
    fn keeps_ellipsis_line_without_full_version() {
        let text = "And then the strangest thing of all happened…\n\nNobody moved.\n";
        assert_eq!(clean(text), text);
    }

    #[test]
    fn teasers_are_matched_among_lines_of_the_same_start() {
        // Many lines share the teasers' first 30 normalised chars; only one is
        // the full version of the first teaser.
        let mut text = String::new();
        for k in 0..50 {
            text.push_str(&format!(
                "The council met on Tuesday to discuss item {k} of the agenda.\n\n"
            ));
        }
        text.push_str("The council met on Tuesday to discuss item 7 of...\n\n");
        text.push_str("The council met on Tuesday to discuss the weather...\n");
        let out = clean(&text);
        assert!(!out.contains("item 7 of..."));
        assert!(out.contains("discuss the weather..."));
        assert_eq!(out.lines().filter(|l| l.contains("agenda")).count(), 50);
    }

    #[test]
    fn drops_teaser_after_full_paragraph_too() {
        let text = "The council met on Tuesday to discuss the budget.\n\nThe council met on Tuesday to discuss...\n";
        assert_eq!(
            clean(text),
            "The council met on Tuesday to discuss the budget.\n"
        );
    }
}
