//! Small text measures shared by the passes. All work on any UTF-8 and never panic.

use std::convert::Infallible;
use std::ops::ControlFlow;

/// The multiplier of the crate's in-memory hashes (2^64 over the golden
/// ratio, odd): tokens, line keys, memo slots. Never written to a file.
pub(crate) const HASH_K: u64 = 0x9e37_79b9_7f4a_7c15;

/// `char::is_alphanumeric`, answering at once for General Punctuation
/// (U+2000 to U+206F: dashes, curly quotes, ellipsis), which web text is full
/// of and which holds no letter or digit.
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    !matches!(c, '\u{2000}'..='\u{206F}') && c.is_alphanumeric()
}

/// An invisible format char: a byte order mark or zero-width no-break space
/// (U+FEFF), zero-width spaces and joiners, direction marks and embeddings,
/// the word joiner and invisible operators, the soft hyphen. Scraped text
/// carries them at line edges (a BOM before the first line, a lone U+200B
/// for an empty paragraph, marks around right-to-left text); they show
/// nothing, so [`trim`] takes them off with the white space.
#[inline]
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// White space or an invisible format char (see [`is_invisible`]).
#[inline]
fn is_blank_char(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

/// `str::trim`, also taking invisible format chars ([`is_invisible`]) off
/// both ends; answers at once when the text starts and ends with an ASCII
/// byte that is no white space (most lines). A line that holds nothing
/// else is blank.
#[inline]
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) if is_ascii_solid(a) && is_ascii_solid(z) => s,
        _ => trim_end(trim_start(s)),
    }
}

/// [`trim`] at the start only.
#[inline]
fn trim_start(s: &str) -> &str {
    let mut rest = s;
    loop {
        match rest.as_bytes().first() {
            Some(&a) if is_ascii_solid(a) => return rest,
            Some(&a) if a < 0x80 => rest = &rest[1..],
            Some(_) => {
                let c = rest.chars().next().unwrap_or(' ');
                if !is_blank_char(c) {
                    return rest;
                }
                rest = &rest[c.len_utf8()..];
            }
            None => return rest,
        }
    }
}

/// [`trim`] at the end only.
#[inline]
pub fn trim_end(s: &str) -> &str {
    let mut rest = s;
    loop {
        match rest.as_bytes().last() {
            Some(&z) if is_ascii_solid(z) => return rest,
            Some(&z) if z < 0x80 => rest = &rest[..rest.len() - 1],
            Some(_) => {
                let c = rest.chars().next_back().unwrap_or(' ');
                if !is_blank_char(c) {
                    return rest;
                }
                rest = &rest[..rest.len() - c.len_utf8()];
            }
            None => return rest,
        }
    }
}

/// An ASCII byte that is no white space (as `char::is_whitespace` says).
#[inline]
fn is_ascii_solid(b: u8) -> bool {
    b < 0x80 && !matches!(b, b' ' | b'\t'..=b'\r')
}

/// Number of white-space separated words (as `str::split_whitespace`
/// counts them), with ASCII bytes classified without decoding.
pub fn word_count(s: &str) -> usize {
    words_upto(s, usize::MAX - 1)
}

/// The high bit of each byte of a word of eight bytes.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// For eight bytes below 0x80 read as one word: the high bit of each byte
/// that lies in `lo..=hi` set, every other bit clear.
pub(crate) fn ascii_within(v: u64, lo: u8, hi: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    (v + ONES * u64::from(0x80 - lo)) & !(v + ONES * u64::from(0x7F - hi)) & HIGH
}

/// [`word_count`], counted only up to `limit + 1` (enough to compare with `limit`).
///
/// ASCII is read eight bytes at a time: a word starts at each byte that is
/// no white space after one that is (or at the start). From the first eight
/// bytes holding a char beyond ASCII on, chars are decoded one by one.
pub fn words_upto(s: &str, limit: usize) -> usize {
    let within = ascii_within;
    let bytes = s.as_bytes();
    let (mut words, mut i) = (0, 0);
    // The high bit of byte 0 set when the byte before `i` is no white space.
    let mut carry = 0u64;
    while i < bytes.len() {
        let n = (bytes.len() - i).min(8);
        let w = match bytes.get(i..i + 8) {
            Some(b) => u64::from_le_bytes(b.try_into().expect("eight bytes")),
            // The last bytes, padded with spaces.
            None => {
                let mut w = [b' '; 8];
                w[..n].copy_from_slice(&bytes[i..]);
                u64::from_le_bytes(w)
            }
        };
        if w & HIGH != 0 {
            return words_from(s, i, carry != 0, words, limit);
        }
        let solid = !(within(w, b'\t', b'\r') | within(w, b' ', b' ')) & HIGH;
        words += (solid & !(solid << 8 | carry)).count_ones() as usize;
        if words > limit {
            return limit + 1;
        }
        carry = (solid >> 56) & 0x80;
        i += n;
    }
    words
}

/// [`words_upto`] from byte `i` (a char boundary) on, char by char, with
/// `words` counted before it and whether `i` is inside a word.
fn words_from(s: &str, mut i: usize, mut in_word: bool, mut words: usize, limit: usize) -> usize {
    let bytes = s.as_bytes();
    while i < bytes.len() {
        let b = bytes[i];
        let space = if b < 0x80 {
            i += 1;
            // char::is_whitespace for ASCII: space, \t, \n, \x0b, \x0c, \r.
            matches!(b, b' ' | b'\t'..=b'\r')
        } else {
            // `i` is at a char boundary: only whole chars are consumed.
            let c = s[i..].chars().next().unwrap_or('\u{fffd}');
            i += c.len_utf8();
            c.is_whitespace()
        };
        if !space && !in_word {
            words += 1;
            if words > limit {
                break;
            }
        }
        in_word = !space;
    }
    words
}

/// Number of chars, counted only up to `limit + 1` (enough to compare with `limit`).
pub fn chars_upto(s: &str, limit: usize) -> usize {
    if s.len() <= limit {
        return s.chars().count();
    }
    // A char is at most four bytes: a longer text has more than `limit` chars.
    if s.len() > limit.saturating_mul(4) {
        return limit + 1;
    }
    // At most four times `limit` bytes: counted whole (a word at a time),
    // which is cheaper than stepping through the first `limit + 1` chars.
    s.chars().count().min(limit + 1)
}

/// True when the trimmed text ends like a sentence: `.`, `!`, `?`, `:` or their
/// full-width and other-script forms, possibly followed by closing quotes or brackets.
pub fn ends_sentence(s: &str) -> bool {
    let t = trim_end(s).trim_end_matches(['"', '\'', '”', '’', '»', ')', ']', '」', '』', '*']);
    matches!(
        t.chars().last(),
        Some('.' | '!' | '?' | ':' | '。' | '！' | '？' | '…' | '؟' | '।' | '۔' | ';')
    )
}

/// True when the trimmed text ends with an ellipsis (`…` or `...`).
pub fn ends_with_ellipsis(s: &str) -> bool {
    let t = trim_end(s);
    t.ends_with('…') || t.ends_with("...")
}

/// Strip a trailing ellipsis (`…` or any run of dots) and white space.
pub fn strip_ellipsis(s: &str) -> &str {
    trim_end(trim_end(s).trim_end_matches(['…', '.']))
}

/// Normalise for repeat detection: lowercase, keep letters and digits, and fold every
/// run of anything else into one space. Appends to `out` (cleared first).
pub fn normalize_into(s: &str, out: &mut String) {
    out.clear();
    let ControlFlow::Continue(()) = walk_normalized::<Infallible>(s, false, |c| {
        out.push(c);
        ControlFlow::Continue(())
    });
}

/// Feed the normalisation of `s` (see [`normalize_into`]) to `f`, char by
/// char, with every digit as `0` when `fold_digits`; `f` may stop the walk.
/// The definition of the normalisation: strings, prefix checks and corpus
/// keys walk it. [`LineScan`](crate::lang::LineScan) hashes the same
/// normalisation within its one pass over a line; its tests hold the two
/// together.
pub fn walk_normalized<B>(
    s: &str,
    fold_digits: bool,
    mut f: impl FnMut(char) -> ControlFlow<B>,
) -> ControlFlow<B> {
    let bytes = s.as_bytes();
    let mut emitted = false;
    let mut pending_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let c = if b < 0x80 {
            i += 1;
            char::from(b)
        } else {
            // `i` is at a char boundary: ASCII bytes and whole chars are consumed.
            let c = s[i..].chars().next().unwrap_or('\u{fffd}');
            i += c.len_utf8();
            c
        };
        if !is_alphanumeric(c) {
            pending_space = true;
            continue;
        }
        if pending_space && emitted {
            f(' ')?;
        }
        pending_space = false;
        emitted = true;
        if fold_digits && c.is_numeric() {
            f('0')?;
        } else if c.is_ascii() {
            f(c.to_ascii_lowercase())?;
        } else {
            for l in c.to_lowercase() {
                f(l)?;
            }
        }
    }
    ControlFlow::Continue(())
}

/// True when the normalisation of `s` (see [`normalize_into`]) starts with
/// `prefix` (itself normalised) and is longer. Streams and stops at the first
/// difference, without allocating.
pub fn normalized_extends(s: &str, prefix: &str) -> bool {
    let mut want = prefix.chars();
    // Break(true): the prefix matched and more follows; Break(false): a mismatch.
    let walk = walk_normalized(s, false, |c| match want.next() {
        Some(w) if w == c => ControlFlow::Continue(()),
        Some(_) => ControlFlow::Break(false),
        None => ControlFlow::Break(true),
    });
    walk == ControlFlow::Break(true)
}

/// Normalise into a new string (see [`normalize_into`]).
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalize_into(s, &mut out);
    out
}

/// A headline-like line: 3 to 20 words, at most 160 chars, starts with an upper-case
/// letter, digit or quote, and does not end like a sentence (a trailing ellipsis is
/// allowed: teasers end with one).
pub fn is_headline_like(s: &str) -> bool {
    let t = trim(s);
    // The first char and the ending first: they read a few bytes, and rule
    // out most prose lines before their chars and words are counted.
    let first_ok = t
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“‘'¿¡".contains(c));
    first_ok
        && (!ends_sentence(t) || ends_with_ellipsis(t) || t.ends_with('?'))
        && chars_upto(t, 160) <= 160
        && (3..=20).contains(&words_upto(t, 20))
}

/// A short fragment (a label, a menu item, a tag): not blank, at most
/// `max_words` words and `max_chars` chars, not ending like a sentence.
pub fn is_fragment(s: &str, max_words: usize, max_chars: usize) -> bool {
    let t = trim(s);
    !t.is_empty()
        && chars_upto(t, max_chars) <= max_chars
        && !ends_sentence(t)
        && words_upto(t, max_words) <= max_words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_agrees_with_str_trim() {
        let ends = [
            "", "a", " ", "\t", "\u{a0}", "\u{3000}", "é", "\r", ".", "\u{85}",
        ];
        for a in ends {
            for z in ends {
                for mid in ["", "x y", " ", "é"] {
                    let s = format!("{a}{mid}{z}");
                    assert_eq!(trim(&s), s.trim(), "{s:?}");
                    assert_eq!(trim_end(&s), s.trim_end(), "{s:?}");
                    // With invisible chars around: they go with the white space.
                    for inv in ["\u{feff}", "\u{200b}", "\u{200f}", "\u{2066}", "\u{ad}"] {
                        let wrapped = format!("{inv}{s}{inv}");
                        assert_eq!(trim(&wrapped), s.trim(), "{wrapped:?}");
                        let end = if s.trim().is_empty() {
                            String::new()
                        } else {
                            format!("{inv}{}", s.trim_end())
                        };
                        assert_eq!(trim_end(&wrapped), end, "{wrapped:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn trim_takes_invisible_chars_off_the_ends_only() {
        assert_eq!(trim("\u{feff}Advertisement"), "Advertisement");
        assert_eq!(trim("\u{200b}"), "");
        assert_eq!(trim(" \u{200f}שלום עולם\u{200f} "), "שלום עולם");
        assert_eq!(trim("a\u{200b}b"), "a\u{200b}b");
        assert_eq!(trim_end("Read more\u{2069}"), "Read more");
        assert_eq!(strip_ellipsis("Read more...\u{200e}"), "Read more");
        assert!(ends_sentence("The end.\u{200f}"));
    }

    #[test]
    fn word_count_agrees_with_split_whitespace() {
        for s in [
            "",
            " ",
            "a",
            " a  b\tc\r\nd ",
            "x\u{a0}y\u{3000}z",
            "\u{b}v\u{c}w",
            "é — ü",
        ] {
            assert_eq!(word_count(s), s.split_whitespace().count(), "{s:?}");
        }
        for c in (0..0x3100).filter_map(char::from_u32) {
            // At every offset of the eight-byte steps.
            for pad in 0..10 {
                let s = format!("{}a{c}b {c}", "x ".repeat(pad));
                assert_eq!(word_count(&s), s.split_whitespace().count(), "{s:?}");
                for limit in [0, 1, pad] {
                    let want = s.split_whitespace().count().min(limit + 1);
                    assert_eq!(words_upto(&s, limit), want, "{s:?} {limit}");
                }
            }
        }
    }

    #[test]
    fn general_punctuation_holds_no_alphanumeric() {
        for c in '\u{2000}'..='\u{206F}' {
            assert!(!c.is_alphanumeric(), "{c:?}");
        }
        assert!(is_alphanumeric('ß') && is_alphanumeric('7') && !is_alphanumeric('—'));
    }

    #[test]
    fn sentence_endings() {
        assert!(ends_sentence("It rained."));
        assert!(ends_sentence("Did it rain?”"));
        assert!(ends_sentence("雨が降った。"));
        assert!(!ends_sentence("Text Size"));
        assert!(!ends_sentence(""));
    }

    #[test]
    fn normalize_folds_case_and_punctuation() {
        assert_eq!(normalize("  Hello,  World!! 42 "), "hello world 42");
        assert_eq!(normalize("Ünïcode—Straße"), "ünïcode straße");
        assert_eq!(normalize("..."), "");
    }

    #[test]
    fn normalized_extends_matches_prefix_of_longer_text() {
        assert!(normalized_extends(
            "The Council met, on Tuesday!",
            "the council met"
        ));
        assert!(!normalized_extends("The council met", "the council met"));
        assert!(!normalized_extends(
            "The council sat on Tuesday",
            "the council met"
        ));
        assert!(normalized_extends("Ünïcode—Straße here", "ünïcode straße"));
    }

    #[test]
    fn ellipsis_is_stripped() {
        assert_eq!(
            strip_ellipsis("in the battle against…"),
            "in the battle against"
        );
        assert_eq!(strip_ellipsis("so... "), "so");
        assert!(ends_with_ellipsis("more..."));
    }

    #[test]
    fn headline_like_lines() {
        assert!(is_headline_like(
            "Mexican smuggler makes SHOCK admission about border walls"
        ));
        assert!(!is_headline_like(
            "It was a long day and everyone went home early."
        ));
        assert!(!is_headline_like("Share"));
    }

    #[test]
    fn chars_upto_is_bounded() {
        assert_eq!(chars_upto("héllo", 10), 5);
        assert_eq!(chars_upto("abcdefgh", 3), 4);
        assert_eq!(chars_upto("ééééé", 2), 3);
        assert_eq!(chars_upto("éé", 3), 2);
        assert_eq!(words_upto("a b c d", 2), 3);
        assert_eq!(words_upto("a b", 2), 2);
    }
}
