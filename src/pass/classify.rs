//! `classifier`: find the article in a whole page and drop what lies outside it.
//!
//! Plain-text pages (html-to-text output, Common Crawl WET) put every HTML
//! block on its own line: menus, teasers, footers and the article alike. Each
//! kept line is classified from its own features, in the spirit of jusText but
//! for plain text:
//!
//! * `good`: prose: at least 12 words (scripts without spaces count one word
//!   per two chars), a function-word density typical of running text in the
//!   document's language (detected per document from packaged stop lists), few
//!   digits, and usually a sentence ending;
//! * `bad`: at most 4 words without a sentence ending, or a line of more than 6
//!   words with almost no function words (menus, tag lists, lists of names);
//! * `short`: anything else (subheadings, short quotes, datelines).
//!
//! Lines get scores: a good line its words less a fixed cost (one-sentence
//! teasers between bylines and dates hardly count), half as much when it
//! shares its paragraph with other good lines in a page whose text otherwise
//! stands in paragraphs of its own (teaser lists are lines of one paragraph,
//! article paragraphs are separated by blank lines); a short sentence a little;
//! other short lines a small cost; bad lines a larger one. Lines already dropped
//! as comment forms and footers are strong boundaries, related and trending
//! headings, promos and syndication notes weak ones, and navigation costs what
//! a bad line costs. The
//! main-content region is the contiguous run of lines with the largest total
//! (maximum subarray); when a line right after it ends with a colon, the list
//! it announces joins the region. Short lines inside the region are kept
//! because the paragraphs around them outweigh them; lines outside it are
//! dropped as `low-content`. A document that is all article keeps its title:
//! lines before the region are kept when there are at most two of them.
//! When the lines left read as another language than the whole page did (a
//! page that is mostly noise), they are judged again in theirs, as a second
//! cleaning would judge them.
//!
//! ```
//! use deboil::{PassConfig, PipelineBuilder};
//!
//! let pipeline = PipelineBuilder::new().passes(vec![PassConfig::Classifier { min_region_words: 25 }]).build()?;
//! let page = "Home\nNews\nSport\nWeather\nContact\nAbout us\n\n\
//!     The council voted on Tuesday to approve the new budget, which raises the money spent on parks and roads across the city.\n\n\
//!     It will take effect next year, and the mayor said that she was pleased with the result of the vote.\n\n\
//!     Privacy\nTerms\nCookies\nSitemap\n";
//! let cleaned = pipeline.clean(page);
//! assert!(cleaned.text.starts_with("The council voted"));
//! assert!(cleaned.text.ends_with("the vote.\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::LazyLock;

use crate::document::Document;
use crate::lang::{Lang, LineScan, LineStats};
pub use crate::lineclass::LineClass;
use crate::lineclass::{self, is_long};
use crate::pass::{Kind, Marks, Pass, Reason};
use crate::text;

/// What crossing a dropped line of `kind` costs the region, in words; `None`
/// for kinds that are no boundary. An article rarely continues past a comment
/// form or a footer; "Related" boxes and navigation often sit inside it.
fn boundary_cost(kind: Kind) -> Option<f64> {
    match kind {
        Kind::CommentForm | Kind::Footer => Some(40.0),
        // A menu item dropped by `menu` costs what it would cost kept.
        Kind::Navigation => Some(BAD_LINE_COST),
        Kind::Trending | Kind::RelatedHeadline | Kind::AuthorPromo | Kind::SyndicationNote => {
            Some(BOUNDARY_COST)
        }
        _ => None,
    }
}

/// Cost of crossing a weak boundary (see [`boundary_cost`]).
const BOUNDARY_COST: f64 = 6.0;

/// A list the article announces: when one of the first two lines after the
/// region ends with a colon, the region takes that line and the paragraph of
/// items that follows it (tour dates, results, steps).
fn extend_over_list(
    doc: &Document<'_>,
    kept: &[usize],
    marks: &Marks,
    region: std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    let live = |k: &usize| !marks.is_dropped(kept[*k]);
    let Some(colon) = (region.end..kept.len())
        .filter(live)
        .take(2)
        .find(|&k| text::trim_end(doc.line_text(kept[k])).ends_with(':'))
    else {
        return region;
    };
    let Some(first) = (colon + 1..kept.len()).find(live) else {
        return region;
    };
    let block = doc.lines()[kept[first]].block;
    let end = (first..kept.len())
        .take_while(|&k| doc.lines()[kept[k]].block == block)
        .last()
        .map_or(first + 1, |k| k + 1);
    region.start..end
}

/// Fixed cost of a good line: a paragraph must be long to outweigh the menu
/// lines around it, so one-sentence teasers between bylines and dates do not
/// join the region.
const GOOD_LINE_COST: f64 = 10.0;
/// Fixed cost of a bad line (a menu item, a label, a date).
const BAD_LINE_COST: f64 = 10.0;
/// Weight of a good line that shares its paragraph with other good lines,
/// in documents where running text mostly stands in paragraphs of its own:
/// html-to-text output separates paragraphs by blank lines but list items
/// (teaser lists) by single newlines.
const LISTED_FACTOR: f64 = 0.5;

/// What the classifier measures of a live line, once per application.
#[derive(Clone, Copy, Debug)]
struct Measured {
    words: usize,
    class: LineClass,
    /// [`ClassifierPass::score`], before the factor for listed lines.
    score: f64,
}

/// Classifies lines and keeps the main-content region.
#[derive(Clone, Debug)]
pub struct ClassifierPass {
    min_region_words: usize,
}

impl Default for ClassifierPass {
    fn default() -> Self {
        ClassifierPass::min_region_words(Self::DEFAULT_MIN_REGION_WORDS)
    }
}

impl ClassifierPass {
    /// The pass name.
    pub const NAME: &'static str = "classifier";
    /// Default for [`ClassifierPass::min_region_words`].
    pub const DEFAULT_MIN_REGION_WORDS: usize = 25;

    /// A pass that acts only when the main region holds at least `words` words
    /// of good lines; below that the document is too small to judge and is left
    /// alone. Default: 25.
    pub fn min_region_words(words: usize) -> ClassifierPass {
        ClassifierPass {
            min_region_words: words,
        }
    }

    /// Classify one line (see [`lineclass::classify`]).
    pub fn classify(line: &str, s: &LineStats, lang: &Lang) -> LineClass {
        lineclass::classify(line, s, lang)
    }

    /// See [`lineclass::classify_ending`].
    pub fn classify_ending(s: &LineStats, lang: &Lang, sentence: bool) -> LineClass {
        lineclass::classify_ending(s, lang, sentence)
    }

    fn score(class: LineClass, s: &LineStats, line: &str, lang: &Lang) -> f64 {
        let w = s.words as f64;
        match class {
            LineClass::Good => w - GOOD_LINE_COST,
            // A short sentence (a closing line, a one-line quote) leans to content.
            LineClass::Short
                if s.words >= 5 && text::ends_sentence(line) && lineclass::stop_ok(s, lang) =>
            {
                0.5 * w
            }
            LineClass::Short => -(1.0 + 0.25 * w),
            LineClass::Bad => -(BAD_LINE_COST + 0.5 * w),
        }
    }
}

// The pass's reasons, built once: a document's drops share them.
static OUTSIDE_MAIN: LazyLock<Reason> = LazyLock::new(|| {
    Reason::new(
        ClassifierPass::NAME,
        "classifier.outside-main",
        Kind::LowContent,
    )
});

impl Pass for ClassifierPass {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    /// The region depends on which lines are left: the pass runs again when a
    /// later contextual pass drops lines after it.
    fn is_contextual(&self) -> bool {
        true
    }

    fn apply(&self, doc: &Document<'_>, marks: &mut Marks) {
        // The first round uses boundaries. Cleaning the output again would see
        // no boundaries (they are gone), so the pass goes on without them until
        // nothing changes: then a second cleaning drops nothing more.
        // The language is read off the longer lines: menus and tag clouds are
        // often in another language than the article, or in none.
        // Each live line is read once; its counts serve detection and features.
        let mut long_lines = 0;
        let scans: Vec<Option<&LineScan>> = (0..doc.lines().len())
            .map(|i| {
                let line = &doc.lines()[i];
                let live = !line.is_blank() && !marks.is_dropped(i);
                long_lines += usize::from(live && is_long(doc, i));
                live.then(|| doc.scan(i))
            })
            .collect();
        let (mut lang, from_long) = Self::detect(doc, &scans, marks);
        // The long lines the language was read off, if it was.
        let mut long = from_long.then_some(long_lines);
        let mut scratch = Rounds::default();
        let mut boundaries = true;
        for _ in 0..crate::pass::MAX_ROUNDS {
            // Line features do not change between rounds: measure once per language.
            let lines: Vec<Option<Measured>> = scans
                .iter()
                .enumerate()
                .map(|(i, scan)| {
                    scan.map(|scan| {
                        let t = text::trim(doc.line_text(i));
                        let s = scan.stats(&lang);
                        let class = Self::classify(t, &s, &lang);
                        Measured {
                            words: s.words,
                            class,
                            score: Self::score(class, &s, t, &lang),
                        }
                    })
                })
                .collect();
            // The region holds no more good words than the live lines do.
            let good_words: usize = (lines.iter().enumerate())
                .filter_map(|(i, m)| {
                    m.filter(|m| m.class == LineClass::Good && !marks.is_dropped(i))
                })
                .map(|m| m.words)
                .sum();
            if good_words < self.min_region_words {
                break;
            }
            let first = marks.dropped();
            let crossed = self.round(doc, marks, &lines, boundaries, &mut scratch);
            boundaries = false;
            // A round over the same lines without boundaries would find the same.
            if crossed || marks.dropped() != first {
                for _ in 1..crate::pass::MAX_ROUNDS {
                    let before = marks.dropped();
                    self.round(doc, marks, &lines, false, &mut scratch);
                    if marks.dropped() == before {
                        break;
                    }
                }
            }
            // Cleaning the output again reads the language off the lines left:
            // when they read as another language than all the lines did (a
            // page whose text is mostly noise), the pass goes on in theirs.
            // A language read off the long lines stands while they all do.
            if marks.dropped() == first
                || long.is_some_and(|n| n == Self::long_lines(doc, &scans, marks))
            {
                break;
            }
            let (left, from_long) = Self::detect(doc, &scans, marks);
            long = from_long.then(|| Self::long_lines(doc, &scans, marks));
            if left == lang {
                break;
            }
            lang = left;
        }
    }
}

impl ClassifierPass {
    /// The language of the lines live now, read off those of at least
    /// [`LONG_LINE_BYTES`](crate::lineclass::LONG_LINE_BYTES), or off all of them when those tell none; and
    /// whether it was read off the long lines.
    fn detect(doc: &Document<'_>, scans: &[Option<&LineScan>], marks: &Marks) -> (Lang, bool) {
        let live = |long_only: bool| {
            scans.iter().enumerate().filter_map(move |(i, scan)| {
                let scan = (*scan).filter(|_| !marks.is_dropped(i))?;
                (!long_only || is_long(doc, i)).then(|| (text::trim(doc.line_text(i)), scan))
            })
        };
        let lang = Lang::from_scans(live(true));
        if lang.code().is_some() {
            return (lang, true);
        }
        (Lang::from_scans(live(false)), false)
    }

    /// Live lines of at least [`LONG_LINE_BYTES`](crate::lineclass::LONG_LINE_BYTES) among those measured.
    fn long_lines(doc: &Document<'_>, scans: &[Option<&LineScan>], marks: &Marks) -> usize {
        (0..scans.len())
            .filter(|&i| scans[i].is_some() && !marks.is_dropped(i) && is_long(doc, i))
            .count()
    }
}

/// The buffers of [`ClassifierPass::round`], kept from round to round.
#[derive(Default)]
struct Rounds {
    /// Kept lines, plus the dropped lines that mark a section boundary.
    kept: Vec<usize>,
    /// Good lines per paragraph.
    per_block: Vec<usize>,
    /// Per kept line: its features and paragraph, if live.
    feats: Vec<Option<(Measured, usize)>>,
    /// Per kept line: its score.
    scores: Vec<f64>,
    /// Per kept line: its words, if good.
    good_words: Vec<usize>,
}

impl ClassifierPass {
    /// One round: find the region among the live lines (and, with
    /// `boundaries`, the dropped lines that are section boundaries) and drop
    /// the lines outside it. Returns whether a boundary was among the lines.
    fn round(
        &self,
        doc: &Document<'_>,
        marks: &mut Marks,
        lines: &[Option<Measured>],
        boundaries: bool,
        scratch: &mut Rounds,
    ) -> bool {
        let Rounds {
            kept,
            per_block,
            feats,
            scores,
            good_words,
        } = scratch;
        // Kept lines, plus the dropped lines that mark a section boundary.
        // Sized up front: a filtered extend would grow (and copy) it a dozen times.
        kept.clear();
        kept.reserve(doc.lines().len());
        kept.extend((0..doc.lines().len()).filter(|&i| {
            !doc.lines()[i].is_blank()
                && marks
                    .reason(i)
                    .is_none_or(|r| boundaries && boundary_cost(r.kind).is_some())
        }));
        // Whether the region may cross a boundary (a dropped line).
        let crossed = boundaries && kept.iter().any(|&i| marks.is_dropped(i));
        if kept.is_empty() {
            return crossed;
        }
        // Good lines per paragraph: html-to-text output separates paragraphs by
        // blank lines but list items (teasers, link lists) by single newlines.
        per_block.clear();
        per_block.resize(doc.blocks().len(), 0);
        feats.clear();
        feats.reserve(kept.len());
        for &i in kept.iter() {
            // Lines live now were live when the features were measured.
            let live = if marks.is_dropped(i) { None } else { lines[i] };
            let Some(m) = live else {
                feats.push(None);
                continue;
            };
            let block = doc.lines()[i].block;
            if m.class == LineClass::Good {
                per_block[block] += 1;
            }
            feats.push(Some((m, block)));
        }
        // Only where most running text stands in paragraphs of its own.
        let good = feats
            .iter()
            .flatten()
            .filter(|f| f.0.class == LineClass::Good);
        let (all, alone) = good.fold((0, 0), |(n, a), f| {
            (n + 1, a + usize::from(per_block[f.1] == 1))
        });
        let paragraphed = alone * 2 >= all;
        scores.clear();
        scores.reserve(kept.len());
        good_words.clear();
        good_words.reserve(kept.len());
        for (&i, f) in kept.iter().zip(feats.iter()) {
            let Some((m, block)) = f else {
                let cost = marks
                    .reason(i)
                    .and_then(|r| boundary_cost(r.kind))
                    .unwrap_or(0.0);
                scores.push(-cost);
                good_words.push(0);
                continue;
            };
            let mut sc = m.score;
            let listed = per_block[*block] > 1;
            if m.class == LineClass::Good && listed && paragraphed && sc > 0.0 {
                sc *= LISTED_FACTOR;
            }
            scores.push(sc);
            good_words.push(if m.class == LineClass::Good {
                m.words
            } else {
                0
            });
        }
        // Maximum subarray: the main-content region.
        let (mut best, mut best_range) = (f64::MIN, 0..0);
        let (mut sum, mut start) = (0.0, 0);
        for (k, &sc) in scores.iter().enumerate() {
            if sum <= 0.0 {
                sum = 0.0;
                start = k;
            }
            sum += sc;
            if sum > best {
                best = sum;
                best_range = start..k + 1;
            }
        }
        let region_words: usize = good_words[best_range.clone()].iter().sum();
        if region_words < self.min_region_words {
            return crossed;
        }
        // A document that starts with its article keeps its title.
        let keep_head = best_range.start <= 2;
        let best_range = extend_over_list(doc, kept, marks, best_range);
        let reason = &*OUTSIDE_MAIN;
        for (k, &i) in kept.iter().enumerate() {
            if marks.is_dropped(i) {
                continue;
            }
            let inside = best_range.contains(&k) || (keep_head && k < best_range.start);
            if !inside {
                marks.drop_line(i, reason);
            }
        }
        crossed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PassConfig;

    fn clean(text: &str) -> String {
        crate::pipeline::clean_with(
            vec![PassConfig::Classifier {
                min_region_words: 25,
            }],
            text,
        )
    }

    #[test]
    fn classifies_prose_menus_and_headings() {
        let lang = Lang::detect(
            ["The cat is on the table and it will not move from there because it likes the sun.";
                3],
        );
        let c = |t: &str| ClassifierPass::classify(t, &LineStats::of(t, &lang), &lang);
        assert_eq!(
            c("The cat is on the table and it will not move from there because it likes the sun."),
            LineClass::Good
        );
        assert_eq!(c("Home"), LineClass::Bad);
        assert_eq!(
            c("Politics Business Technology Science Health Sports Travel Style"),
            LineClass::Bad
        );
        assert_eq!(c("What the vote means for you"), LineClass::Short);
    }

    #[test]
    fn keeps_subheading_inside_article() {
        // Paragraphs of news length: a paragraph must outweigh the cost of the
        // short line next to it (see GOOD_LINE_COST and BAD_LINE_COST).
        let p1 = "The first paragraph of the story is long enough to be running text, and it ends here. It goes on with a second sentence that adds some detail about the council and the vote.";
        let p2 = "The second paragraph of the story is also long enough to be running text, and it ends here. It also has a second sentence, which says what the mayor will do next week.";
        let page = format!(
            "Menu\nHome\nNews\n\n{p1}\n\nWhat happens next\n\n{p2}\n\nCopyright\nPrivacy\n"
        );
        assert_eq!(clean(&page), format!("{p1}\n\nWhat happens next\n\n{p2}\n"));
    }

    #[test]
    fn keeps_title_of_article_only_document() {
        let p = "A Title Of The Story\n\nThe first paragraph of the story is long enough to be running text, and it ends here.\n\nThe second paragraph of the story is also long enough to be running text, and it ends here.\n";
        assert_eq!(clean(p), p);
    }

    #[test]
    fn leaves_small_documents_alone() {
        let p = "Home\nNews\n\nShort note.\n";
        assert_eq!(clean(p), p);
    }
}
