//! How a line looks on its own (running text, short, or navigation and
//! labels), from its word and function-word counts: the classifier pass's
//! judgement of a line, which the line model's features read too.

use crate::document::Document;
use crate::lang::{Lang, LineStats};
use crate::text;

/// How a line looks on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineClass {
    /// Running text.
    Good,
    /// Neither clearly text nor clearly boilerplate.
    Short,
    /// Navigation, labels, lists of names.
    Bad,
}

/// Classify one line.
pub fn classify(line: &str, s: &LineStats, lang: &Lang) -> LineClass {
    classify_ending(s, lang, text::ends_sentence(line))
}

/// [`classify`] of a line that ends a sentence or not
/// (`sentence`: [`text::ends_sentence`] of it), for a caller that has
/// read the ending already.
pub fn classify_ending(s: &LineStats, lang: &Lang, sentence: bool) -> LineClass {
    let stop = s.stop_ratio();
    let has_lang = lang.code().is_some() && s.unspaced * 2 < s.chars;
    let digits_heavy = s.digits * 4 > s.chars;
    if s.words <= 4 && !sentence {
        return LineClass::Bad;
    }
    if has_lang && s.words > 6 && stop < 0.08 {
        return LineClass::Bad;
    }
    let stop_ok = stop_ok(s, lang);
    if s.words >= 12 && stop_ok && !digits_heavy && (sentence || s.words >= 20) {
        return LineClass::Good;
    }
    LineClass::Short
}

/// Function-word density of running text (always true without a language).
pub(crate) fn stop_ok(s: &LineStats, lang: &Lang) -> bool {
    let has_lang = lang.code().is_some() && s.unspaced * 2 < s.chars;
    let stop = s.stop_ratio();
    !has_lang || stop >= 0.2 || (s.words >= 30 && stop >= 0.12)
}

/// Lines this long (in bytes) tell the language of a page; shorter ones only
/// when they do not.
pub const LONG_LINE_BYTES: usize = 60;

/// Whether line `i` is one of those (see [`LONG_LINE_BYTES`]).
#[inline]
pub(crate) fn is_long(doc: &Document<'_>, i: usize) -> bool {
    doc.lines()[i].span.len() >= LONG_LINE_BYTES
}
