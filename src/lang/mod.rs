//! Language-aware word statistics: tokenisation, per-document language
//! detection by function-word coverage, and stopword density.
//!
//! ```
//! use deboil::lang::{Lang, LineStats};
//!
//! let text = "Der Hund und die Katze sind in dem Haus, aber nicht im Garten, weil es dort kalt ist.";
//! let lang = Lang::detect([text, text]);
//! assert_eq!(lang.code(), Some("de"));
//! let s = LineStats::of("Der Hund und die Katze sind in dem Haus.", &lang);
//! assert_eq!(s.words, 9);
//! assert!(s.stop_ratio() > 0.4);
//! ```
//!
//! A line is read once: [`LineScan::of`] counts its chars and words and, for
//! every language at once, its function words. Detection sums those counts
//! over lines ([`Lang::from_scans`]) and [`LineScan::stats`] reads one
//! language's count back, so a classifier tokenises each line a single time.

use std::sync::LazyLock;

use crate::text::HASH_K as K;

mod stopwords;

pub use stopwords::STOPWORDS;

/// Number of packaged languages.
const LANGS: usize = STOPWORDS.len();

// One bit per language in a u64.
const _: () = assert!(LANGS <= 64);

/// Longest function word, in bytes: a token is packed, lowercased, into a
/// `u128` key, and longer tokens are no function word.
const MAX_STOPWORD_BYTES: usize = 16;

/// Open-addressing table from a packed function word to the bits of the
/// languages (indices into [`STOPWORDS`]) it belongs to: one probe answers
/// for all languages at once, with no hashing of strings.
struct WordTable {
    keys: Box<[u128]>,
    bits: Box<[u64]>,
}

/// log2 of the table's slots: about three times the packaged words.
const TABLE_BITS: u32 = 13;

impl WordTable {
    fn build() -> WordTable {
        let mut table = WordTable {
            keys: vec![0; 1 << TABLE_BITS].into_boxed_slice(),
            bits: vec![0; 1 << TABLE_BITS].into_boxed_slice(),
        };
        for (k, (_, words)) in STOPWORDS.iter().enumerate() {
            for w in words.split(' ') {
                // Keyed as the walk keys a run: its hash picks the slot.
                let mut t = TokenHasher::default();
                w.bytes().for_each(|b| t.byte(b));
                let (hash, key) = t.finish();
                assert!(key != 0, "function word {w:?} is empty or too long");
                let mut i = slot(hash);
                while table.keys[i] != 0 && table.keys[i] != key {
                    i = (i + 1) & ((1 << TABLE_BITS) - 1);
                }
                table.keys[i] = key;
                table.bits[i] |= 1u64 << k;
            }
        }
        table
    }

    /// The language bits of a run with this hash and packed key (0 for the
    /// key 0: no word).
    #[inline]
    fn get(&self, hash: u64, key: u128) -> u64 {
        if key == 0 {
            return 0;
        }
        let mut i = slot(hash);
        loop {
            let k = self.keys[i];
            if k == key {
                return self.bits[i];
            }
            if k == 0 {
                return 0;
            }
            i = (i + 1) & ((1 << TABLE_BITS) - 1);
        }
    }
}

static WORDS: LazyLock<WordTable> = LazyLock::new(WordTable::build);

/// The languages (indices into [`STOPWORDS`]) whose bits are set.
#[inline]
fn languages(mut bits: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let k = (bits != 0).then(|| bits.trailing_zeros() as usize)?;
        bits &= bits - 1;
        Some(k)
    })
}

/// The table slot of a run's hash.
#[inline]
fn slot(hash: u64) -> usize {
    (hash >> (64 - TABLE_BITS)) as usize
}

/// Byte classes: ASCII alphanumeric, ASCII digit, and any byte of a char
/// beyond ASCII (decoded on the slow path).
const ALNUM: u8 = 1;
const DIGIT: u8 = 2;
const WIDE: u8 = 4;
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c >= 0x80 {
            t[b] = WIDE;
        } else if c.is_ascii_digit() {
            t[b] = ALNUM | DIGIT;
        } else if c.is_ascii_alphabetic() {
            t[b] = ALNUM;
        }
        b += 1;
    }
    t
};

/// What one walk of a line yields besides its tokens.
struct Walked {
    /// Chars, digits and unspaced chars (words and stopwords left at 0).
    stats: LineStats,
    /// Key and char count of the normalised line (see [`crate::text::normalize`]).
    normalized: (u64, usize),
}

/// Hash of one lowercased token: its UTF-8 in little-endian words, the last
/// one zero-padded. No byte of a token is 0 (a letter or digit is no NUL), so
/// the words alone tell tokens apart, the length included. Fed a word or a
/// byte at a time.
#[derive(Default)]
struct TokenHasher {
    h: u64,
    word: u64,
    filled: u32,
    len: usize,
    /// The first [`MAX_STOPWORD_BYTES`] bytes, for the function-word lookup.
    head: u128,
}

impl TokenHasher {
    #[inline]
    fn mix(h: u64, w: u64) -> u64 {
        let h = (h ^ w).wrapping_mul(K);
        h ^ (h >> 29)
    }

    /// Feed one byte (the slow path: tokens with chars beyond ASCII).
    fn byte(&mut self, b: u8) {
        if self.len < MAX_STOPWORD_BYTES {
            self.head |= u128::from(b) << (8 * self.len);
        }
        self.len += 1;
        self.word |= u64::from(b) << (8 * self.filled);
        self.filled += 1;
        if self.filled == 8 {
            self.h = Self::mix(self.h, self.word);
            self.word = 0;
            self.filled = 0;
        }
    }

    /// (hash, function-word key) of the bytes fed.
    fn finish(self) -> (u64, u128) {
        let mut h = self.h;
        if self.filled > 0 {
            h = Self::mix(h, self.word);
        }
        let key = if self.len <= MAX_STOPWORD_BYTES {
            self.head
        } else {
            0
        };
        (h, key)
    }

    /// (hash, function-word key) of the ASCII alphanumeric token
    /// `bytes[start..end]`, lowercased a word at a time (`| 0x20` lowercases
    /// letters and leaves digits alone): the same as feeding its lowercase
    /// bytes one by one.
    #[inline(always)]
    fn ascii(bytes: &[u8], start: usize, end: usize) -> (u64, u128) {
        const LOWER: u64 = 0x2020_2020_2020_2020;
        let len = end - start;
        if len <= 8 && start + 8 <= bytes.len() {
            // Most words: one load.
            let w = (load(bytes, start, 8) | LOWER) & low_bytes(len);
            return (Self::mix(0, w), u128::from(w));
        }
        let (mut h, mut head, mut k) = (0, [0u64; 2], 0);
        let mut at = start;
        while at < end {
            let n = (end - at).min(8);
            let w = (load(bytes, at, n) | LOWER) & low_bytes(n);
            h = Self::mix(h, w);
            if k < 2 {
                head[k] = w;
                k += 1;
            }
            at += n;
        }
        let key = if len <= MAX_STOPWORD_BYTES {
            u128::from(head[0]) | u128::from(head[1]) << 64
        } else {
            0
        };
        (h, key)
    }
}

/// A mask of the low `n` bytes of a word, `1 <= n <= 8` (a run holds a
/// byte at least): one shift, no branch.
#[inline]
fn low_bytes(n: usize) -> u64 {
    debug_assert!((1..=8).contains(&n));
    u64::MAX >> (64 - 8 * n)
}

/// The `n <= 8` bytes at `at`, little-endian, with what follows them in
/// the high bytes (callers mask): one load where eight bytes are left.
#[inline]
fn load(bytes: &[u8], at: usize, n: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(w) => u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
        None => bytes[at..at + n]
            .iter()
            .rev()
            .fold(0, |v, &b| v << 8 | u64::from(b)),
    }
}

/// Walk `line` once: count its chars, digits and unspaced chars, hash its
/// normalisation (lowercase alphanumeric runs joined by single spaces: the
/// key folds the hash of each run), and call `on_token` with the hash and the
/// packed lowercase key (0 when too long for a function word) of every
/// alphanumeric run, and whether it starts with a char of a script written
/// without spaces.
///
/// ASCII bytes are classified by table; a run's bytes are lowercased and
/// hashed a word at a time when the run ends. Runs with other chars take the
/// char-by-char path.
#[inline]
fn walk(line: &str, on_token: impl FnMut(u64, u128, bool)) -> Walked {
    walk_with(line, true, on_token)
}

/// [`walk`], with or without [`ascii_block`] (the tests compare the two).
#[inline(always)]
fn walk_with(line: &str, blocks: bool, on_token: impl FnMut(u64, u128, bool)) -> Walked {
    let bytes = line.as_bytes();
    let mut w = Runs {
        line,
        key: 0,
        norm_chars: 0,
        on_token,
    };
    let mut s = LineStats::default();
    // The run being read: its start, whether it is all ASCII, whether its
    // first char is of an unspaced script.
    let mut start: Option<(usize, bool, bool)> = None;
    let (mut wide_bytes, mut wide_chars) = (0, 0);
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        if blocks
            && start.is_none()
            && let Some(to) = ascii_block(bytes, i, &mut s.digits, &mut |at, end| {
                w.end(at, end, true, false)
            })
        {
            i = to;
            continue;
        }
        let class = CLASS[usize::from(bytes[i])];
        if class & ALNUM != 0 {
            // A stretch of ASCII letters and digits.
            if start.is_none() {
                start = Some((i, true, false));
            }
            let mut digits = 0;
            while i < n && CLASS[usize::from(bytes[i])] & ALNUM != 0 {
                digits += usize::from(CLASS[usize::from(bytes[i])] >> 1);
                i += 1;
            }
            s.digits += digits;
            // The run goes on only into a char beyond ASCII.
            if i < n && CLASS[usize::from(bytes[i])] & WIDE != 0 {
                continue;
            }
            if let Some((at, ascii, unspaced)) = start.take() {
                w.end(at, i, ascii, unspaced);
            }
        } else if class & WIDE == 0 {
            // ASCII that is no letter or digit: a run ended here, if any.
            if let Some((at, ascii, unspaced)) = start.take() {
                w.end(at, i, ascii, unspaced);
            }
            i += 1;
            while i < n && CLASS[usize::from(bytes[i])] == 0 {
                i += 1;
            }
        } else {
            // `i` is at a char boundary: only whole chars are consumed.
            let c = line[i..].chars().next().unwrap_or('\u{fffd}');
            let len = c.len_utf8();
            wide_bytes += len;
            wide_chars += 1;
            let unspaced = is_unspaced(c);
            s.unspaced += usize::from(unspaced);
            if crate::text::is_alphanumeric(c) {
                match &mut start {
                    Some((_, ascii, _)) => *ascii = false,
                    None => start = Some((i, false, unspaced)),
                }
            } else if let Some((at, ascii, unspaced)) = start.take() {
                w.end(at, i, ascii, unspaced);
            }
            i += len;
        }
    }
    if let Some((at, ascii, unspaced)) = start {
        w.end(at, n, ascii, unspaced);
    }
    s.chars = n - wide_bytes + wide_chars;
    Walked {
        stats: s,
        normalized: (w.key, w.norm_chars.saturating_sub(1)),
    }
}

/// The fast path of [`walk`], from `at` (where no run is open): up to 64
/// ASCII bytes, eight at a time. It finds which bytes are letters and
/// digits with word arithmetic, then the runs between them from the bit
/// mask, and calls `run` with each run that ends in the block, in order
/// (the same runs, in the same order, as the byte-by-byte loop). It stops
/// at the start of a run that reaches the block's end (that run may go on
/// into the next bytes: the caller reads it) and at the first word holding
/// a byte beyond ASCII. Returns where the caller goes on, or `None` when
/// it read nothing (fewer than eight bytes left, a byte beyond ASCII in the
/// first word, or a run from `at` to the block's end).
#[inline(always)]
fn ascii_block(
    bytes: &[u8],
    at: usize,
    digits: &mut usize,
    run: &mut impl FnMut(usize, usize),
) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    // Gathers the high bit of each byte into the low eight bits.
    const GATHER: u64 = 0x0002_0408_1020_4081;
    let words = ((bytes.len() - at) / 8).min(8);
    let (mut alnum, mut digit, mut len) = (0u64, 0u64, 0);
    for k in 0..words {
        let x = load(bytes, at + 8 * k, 8);
        if x & HIGH != 0 {
            break;
        }
        // Every byte is below 0x80, so no sum carries into the next byte:
        // `x + (0x80 - lo)` sets a byte's high bit when it is at least `lo`,
        // and `x + (0x7f - hi)` when it is above `hi`.
        let d = x.wrapping_add(ONES * 0x50) & !x.wrapping_add(ONES * 0x46) & HIGH; // 0-9
        let y = x | (ONES * 0x20); // letters to lowercase
        let l = y.wrapping_add(ONES * 0x1f) & !y.wrapping_add(ONES * 0x05) & HIGH; // a-z
        alnum |= (d | l).wrapping_mul(GATHER) >> 56 << (8 * k);
        digit |= d.wrapping_mul(GATHER) >> 56 << (8 * k);
        len += 8;
    }
    if len == 0 {
        return None;
    }
    // A run that reaches the block's end is left to the caller.
    let mut end = len;
    if alnum >> (len - 1) & 1 == 1 {
        let gaps = !alnum & low_bits(len);
        if gaps == 0 {
            // One run from `at` to the block's end.
            return None;
        }
        // Just past the last byte that is no letter or digit.
        end = 64 - gaps.leading_zeros() as usize;
    }
    let mut m = alnum & low_bits(end);
    *digits += (digit & low_bits(end)).count_ones() as usize;
    while m != 0 {
        let from = m.trailing_zeros() as usize;
        // The run ends before `end`, so before bit 64.
        let to = from + (!(m >> from)).trailing_zeros() as usize;
        run(at + from, at + to);
        m &= !low_bits(to);
    }
    Some(at + end)
}

/// A mask of the low `n` bits, `1 <= n <= 64` (every caller's count is
/// past a byte read): one shift, no branch.
#[inline]
fn low_bits(n: usize) -> u64 {
    debug_assert!((1..=64).contains(&n));
    u64::MAX >> (64 - n)
}

/// The alphanumeric runs of a line as they end: the normalised key folds
/// each run's hash, and `on_token` gets its hash and function-word key.
struct Runs<'a, F> {
    line: &'a str,
    key: u64,
    norm_chars: usize,
    on_token: F,
}

impl<F: FnMut(u64, u128, bool)> Runs<'_, F> {
    #[inline(always)]
    fn end(&mut self, start: usize, end: usize, ascii: bool, unspaced: bool) {
        let (h, word) = if ascii {
            self.norm_chars += end - start;
            TokenHasher::ascii(self.line.as_bytes(), start, end)
        } else {
            self.wide(start, end)
        };
        self.key = TokenHasher::mix(self.key.rotate_left(23), h);
        self.norm_chars += 1; // the separator (one too many, taken back at the end)
        (self.on_token)(h, word, unspaced);
    }

    /// A run with chars beyond ASCII: lowercased char by char.
    #[inline(never)]
    fn wide(&mut self, start: usize, end: usize) -> (u64, u128) {
        let mut t = TokenHasher::default();
        let mut buf = [0u8; 4];
        for c in self.line[start..end].chars() {
            for l in c.to_lowercase() {
                l.encode_utf8(&mut buf).bytes().for_each(|b| t.byte(b));
                self.norm_chars += 1;
            }
        }
        t.finish()
    }
}

/// One line, read once: counts for every language at once, and the key of
/// its normalisation.
///
/// Compact, since a document keeps one per line: counts are `u32`
/// (saturating: a line of four billion chars), function words per language
/// `u16`, with a boxed `u32` copy for the rare line that holds more than
/// 65,535 of one language's.
#[derive(Clone, Debug, PartialEq)]
pub struct LineScan {
    chars: u32,
    digits: u32,
    unspaced: u32,
    words: u32,
    /// Alphanumeric runs, as language detection counts them.
    tokens: u32,
    /// Function words per language (index into [`STOPWORDS`]).
    hits: [u16; LANGS],
    /// The counts, when one does not fit `hits`.
    wide_hits: Option<Box<[u32; LANGS]>>,
    /// See [`LineScan::normalized_key`].
    key: u64,
    key_chars: u32,
}

impl Default for LineScan {
    fn default() -> LineScan {
        LineScan {
            chars: 0,
            digits: 0,
            unspaced: 0,
            words: 0,
            tokens: 0,
            hits: [0; LANGS],
            wide_hits: None,
            key: 0,
            key_chars: 0,
        }
    }
}

/// `n` as a `u32`, saturating.
fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl LineScan {
    /// Read `line`.
    pub fn of(line: &str) -> LineScan {
        let table = &*WORDS;
        let (mut tokens, mut words) = (0, 0);
        let mut hits = [0u32; LANGS];
        let walked = walk(line, |hash, key, unspaced| {
            tokens += 1;
            words += usize::from(!unspaced);
            // Tokens of unspaced scripts are no function word: their bits are 0.
            for k in languages(table.get(hash, key)) {
                hits[k] += 1;
            }
        });
        // No language counts more function words than the line has tokens.
        let fits = tokens <= usize::from(u16::MAX);
        let s = walked.stats;
        LineScan {
            chars: narrow(s.chars),
            digits: narrow(s.digits),
            unspaced: narrow(s.unspaced),
            words: narrow(words + s.unspaced / 2),
            tokens: narrow(tokens),
            // Each count fits when `fits`; otherwise `wide_hits` holds them.
            hits: hits.map(|n| n as u16),
            wide_hits: (!fits).then(|| Box::new(hits)),
            key: walked.normalized.0,
            key_chars: narrow(walked.normalized.1),
        }
    }

    /// Function words of language `k` (index into [`STOPWORDS`]).
    #[inline]
    fn hits(&self, k: usize) -> usize {
        match &self.wide_hits {
            Some(wide) => wide[k] as usize,
            None => usize::from(self.hits[k]),
        }
    }

    /// A 64-bit key of the line's normalisation (see
    /// [`crate::text::normalize`]) and its length in chars: lines that
    /// normalise alike get the same key.
    pub fn normalized_key(&self) -> (u64, usize) {
        (self.key, self.key_chars as usize)
    }

    /// The line's statistics for a document in `lang`.
    pub fn stats(&self, lang: &Lang) -> LineStats {
        LineStats {
            words: self.words as usize,
            stopwords: lang.index.map_or(0, |k| self.hits(k)),
            chars: self.chars as usize,
            unspaced: self.unspaced as usize,
            digits: self.digits as usize,
        }
    }
}

/// A detected document language (or none: scripts without spaces, or too little text).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lang {
    index: Option<usize>,
}

/// Fewest words a document needs before its language is guessed.
const MIN_WORDS: usize = 20;
/// Words looked at for detection.
const SAMPLE_WORDS: usize = 1000;

impl Lang {
    /// Guess the language of `lines`: the one whose function words cover the
    /// most of their first 1,000 tokens, if they cover at least 10% of them.
    pub fn detect<'a>(lines: impl IntoIterator<Item = &'a str>) -> Lang {
        let mut d = Detector::default();
        for line in lines {
            if !d.add(line, &LineScan::of(line)) {
                break;
            }
        }
        d.finish()
    }

    /// [`Lang::detect`] over lines already scanned: `(line, scan)` pairs.
    pub fn from_scans<'a>(lines: impl IntoIterator<Item = (&'a str, &'a LineScan)>) -> Lang {
        let mut d = Detector::default();
        for (line, scan) in lines {
            if !d.add(line, scan) {
                break;
            }
        }
        d.finish()
    }

    /// The ISO 639-1 code, if a language was detected.
    pub fn code(&self) -> Option<&'static str> {
        self.index.map(|k| STOPWORDS[k].0)
    }
}

/// Function-word hits per language over the first [`SAMPLE_WORDS`] tokens.
struct Detector {
    hits: [usize; LANGS],
    total: usize,
}

impl Default for Detector {
    fn default() -> Detector {
        Detector {
            hits: [0; LANGS],
            total: 0,
        }
    }
}

impl Detector {
    /// Count one line; false once the sample is full.
    fn add(&mut self, line: &str, scan: &LineScan) -> bool {
        let tokens = scan.tokens as usize;
        if self.total + tokens <= SAMPLE_WORDS {
            for (k, h) in self.hits.iter_mut().enumerate() {
                *h += scan.hits(k);
            }
            self.total += tokens;
        } else {
            // The line that fills the sample counts up to its last place.
            let table = &*WORDS;
            walk(line, |hash, key, _| {
                if self.total < SAMPLE_WORDS {
                    for k in languages(table.get(hash, key)) {
                        self.hits[k] += 1;
                    }
                    self.total += 1;
                }
            });
        }
        self.total < SAMPLE_WORDS
    }

    fn finish(&self) -> Lang {
        if self.total < MIN_WORDS {
            return Lang::default();
        }
        let best = (0..LANGS).max_by_key(|&k| (self.hits[k], usize::MAX - k));
        Lang {
            index: best.filter(|&k| self.hits[k] * 10 >= self.total),
        }
    }
}

/// Word statistics of one line.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LineStats {
    /// Words: space-separated tokens, plus one per two chars of scripts written without spaces.
    pub words: usize,
    /// Tokens that are function words of the document's language.
    pub stopwords: usize,
    /// Chars in the line.
    pub chars: usize,
    /// Chars of scripts written without spaces (CJK, Thai).
    pub unspaced: usize,
    /// Digits in the line.
    pub digits: usize,
}

impl LineStats {
    /// Measure `line` for a document in `lang`.
    pub fn of(line: &str, lang: &Lang) -> LineStats {
        LineScan::of(line).stats(lang)
    }

    /// Share of words that are function words.
    pub fn stop_ratio(&self) -> f64 {
        if self.words == 0 {
            0.0
        } else {
            self.stopwords as f64 / self.words as f64
        }
    }
}

/// Alphanumeric runs of `s`.
pub fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !crate::text::is_alphanumeric(c))
        .filter(|t| !t.is_empty())
}

/// Scripts written without spaces between words.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0x0E00..=0x0E7F // Thai
        | 0xF900..=0xFAFF // CJK compatibility ideographs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_key_agrees_with_normalize() {
        for s in ["  Hello,  World!! 42 ", "Ünïcode—Straße", "...", "a.b"] {
            let (k1, n1) = LineScan::of(s).normalized_key();
            let (k2, n2) = LineScan::of(&crate::text::normalize(s)).normalized_key();
            assert_eq!((k1, n1), (k2, n2), "{s}");
            assert_eq!(n1, crate::text::normalize(s).chars().count());
        }
        assert_ne!(
            LineScan::of("ab").normalized_key().0,
            LineScan::of("a b").normalized_key().0
        );
    }

    use proptest::prelude::*;

    /// The definition, slowly: alphanumeric runs, lowercased by chars, looked
    /// up in the word lists as strings.
    fn naive(line: &str, lang: &Lang) -> LineStats {
        let mut s = LineStats {
            chars: line.chars().count(),
            unspaced: line.chars().filter(|&c| is_unspaced(c)).count(),
            digits: line.chars().filter(char::is_ascii_digit).count(),
            ..LineStats::default()
        };
        for tok in tokens(line) {
            if tok.chars().next().is_some_and(is_unspaced) {
                continue;
            }
            s.words += 1;
            let lower: String = tok.chars().flat_map(char::to_lowercase).collect();
            let listed = lang.index.is_some_and(|k| {
                tok.len() <= MAX_STOPWORD_BYTES && STOPWORDS[k].1.split(' ').any(|w| w == lower)
            });
            s.stopwords += usize::from(listed);
        }
        s.words += s.unspaced / 2;
        s
    }

    proptest! {
        #[test]
        fn line_stats_match_their_definition(
            parts in prop::collection::vec(prop_oneof![
                prop::sample::select(vec!["The", "und", "ÜBER", "für", "ЭТО", "için", "Où", "sesen"]),
                prop::sample::select(vec![" ", ", ", "-", "\u{212a}", "İ", "ß", "市は", "7", "x", "ab\u{301}c", "\t"]),
            ], 0..40),
            lang in 0..LANGS,
        ) {
            let line = parts.concat();
            let lang = Lang { index: Some(lang) };
            prop_assert_eq!(LineStats::of(&line, &lang), naive(&line, &lang));
            // The key is the normalisation's: a variant with other separators
            // and case normalises alike and gets the same key.
            let normalized = crate::text::normalize(&line);
            let (key, chars) = LineScan::of(&line).normalized_key();
            let variant: String = parts
                .iter()
                .map(|p| match *p {
                    " " => ", ",
                    "-" => " ",
                    "The" => "THE",
                    other => other,
                })
                .collect();
            prop_assert_eq!(crate::text::normalize(&variant), normalized.clone());
            prop_assert_eq!(LineScan::of(&variant).normalized_key(), (key, chars));
            prop_assert_eq!(chars, normalized.chars().count());
        }
    }

    /// Everything one walk of `line` yields: (stats, normalised key and
    /// chars, each run's hash, key and unspaced flag).
    #[allow(clippy::type_complexity)]
    fn walked(line: &str, blocks: bool) -> (LineStats, (u64, usize), Vec<(u64, u128, bool)>) {
        let mut runs = Vec::new();
        let w = walk_with(line, blocks, |h, k, u| runs.push((h, k, u)));
        (w.stats, w.normalized, runs)
    }

    proptest! {
        // The word-at-a-time block path reads long lines exactly as the
        // byte-by-byte loop does: runs across block ends, runs that go on
        // into chars beyond ASCII, digits, every ASCII byte.
        #[test]
        fn ascii_blocks_read_as_the_byte_loop_reads(
            parts in prop::collection::vec(prop_oneof![
                4 => "[a-zA-Z0-9]{1,12}",
                3 => "[ -/:-@\\[-`{-~\t]{1,3}",
                1 => "[\\x00-\\x7f]{1,20}",
                1 => prop::sample::select(vec!["é", "Ж", "市", "—", "\u{212a}", "ab\u{301}c", "x9é7"]).prop_map(String::from),
            ], 0..80),
        ) {
            let line = parts.concat();
            prop_assert_eq!(walked(&line, true), walked(&line, false));
        }
    }

    #[test]
    fn ascii_blocks_handle_runs_that_fill_or_end_a_block() {
        let long = "a".repeat(64);
        let digits = "7".repeat(70);
        let cases = [
            long.clone(),
            format!("{long} b"),
            format!(" {long}"),
            format!("{digits}x y"),
            format!("{}é{}", "b".repeat(63), "c".repeat(9)),
            format!("{} {}", "d".repeat(7), "e".repeat(60)),
            "the quick brown fox, 42 jumps!".repeat(5),
        ];
        for line in cases {
            assert_eq!(walked(&line, true), walked(&line, false), "{line:?}");
            let lang = Lang { index: Some(0) };
            assert_eq!(LineStats::of(&line, &lang), naive(&line, &lang), "{line:?}");
        }
    }

    #[test]
    fn more_function_words_than_a_u16_holds_are_counted_exactly() {
        let en = Lang {
            index: STOPWORDS.iter().position(|(code, _)| *code == "en"),
        };
        let line = "the cat ".repeat(70_000);
        let s = LineStats::of(&line, &en);
        assert_eq!((s.words, s.stopwords), (140_000, 70_000));
        let s = LineStats::of("the cat", &en);
        assert_eq!((s.words, s.stopwords), (2, 1));
    }

    #[test]
    fn every_byte_class_reads_as_defined() {
        // Each ASCII byte and a few wider chars, at every offset of the
        // eight-byte steps, beside letters and digits.
        let lang = Lang { index: Some(0) };
        let mut chars: Vec<char> = (0u8..0x80).map(char::from).collect();
        chars.extend(['é', '—', '市', 'Ж']);
        for c in chars {
            for pad in 0..9 {
                let line = format!("{}{c}the 9x{c}{c}ab{}", "a".repeat(pad), "7".repeat(pad));
                assert_eq!(LineStats::of(&line, &lang), naive(&line, &lang), "{line:?}");
            }
        }
    }

    #[test]
    fn detection_counts_only_the_first_thousand_tokens() {
        // 999 English function words, then a line whose first token completes
        // the sample: the German words after it are not counted.
        let en = "the ".repeat(999);
        let de = format!("x {}", "und ".repeat(5000));
        assert_eq!(Lang::detect([en.as_str(), de.as_str()]).code(), Some("en"));
        let de_first = format!("{} the", "und ".repeat(400));
        assert_eq!(
            Lang::detect([de_first.as_str(), en.as_str()]).code(),
            Some("en")
        );
    }

    #[test]
    fn detects_ten_languages() {
        let samples = [
            (
                "en",
                "The cat is on the table and it will not move from there because it likes the sun.",
            ),
            (
                "de",
                "Die Katze ist auf dem Tisch und sie will nicht weg, weil sie die Sonne mag, aber es ist kalt.",
            ),
            (
                "fr",
                "Le chat est sur la table et il ne veut pas partir parce qu'il aime le soleil dans la maison.",
            ),
            (
                "es",
                "El gato está sobre la mesa y no se quiere ir porque le gusta el sol de la mañana en la casa.",
            ),
            (
                "pt",
                "O gato está em cima da mesa e não quer sair porque gosta do sol da manhã na casa com a gente.",
            ),
            (
                "it",
                "Il gatto è sul tavolo e non vuole andare via perché gli piace il sole della mattina in casa.",
            ),
            (
                "nl",
                "De kat is op de tafel en wil niet weg omdat hij van de zon houdt, maar het is koud in het huis.",
            ),
            (
                "ru",
                "Кошка на столе и она не хочет уходить, потому что ей нравится солнце, но это не так и все знают.",
            ),
            (
                "pl",
                "Kot jest na stole i nie chce odejść, bo lubi słońce, ale to nie jest tak, że jest mu ciepło w domu.",
            ),
            (
                "sv",
                "Katten är på bordet och den vill inte gå därifrån för att den gillar solen, men det är kallt i huset.",
            ),
        ];
        assert_detects(&samples);
    }

    /// Each `(code, sentence)` is read as `code`, the sentence doubled to
    /// pass the sample's floor; every miss is named.
    fn assert_detects(samples: &[(&str, &str)]) {
        let wrong: Vec<String> = samples
            .iter()
            .filter_map(|&(code, text)| {
                let doubled = format!("{text} {text}");
                let got = Lang::detect([doubled.as_str()]).code();
                (got != Some(code)).then(|| format!("{code}: {got:?} ({text})"))
            })
            .collect();
        assert!(wrong.is_empty(), "{wrong:?}");
    }

    #[test]
    fn detects_the_generated_languages() {
        // One sentence a language (most from the Universal Declaration of
        // Human Rights, article 1).
        let samples = [
            (
                "da",
                "Det er ikke noget, der er bedre end at være hjemme, men jeg ved ikke, hvad hun skal gøre nu, når hun har fået et nyt job.",
            ),
            (
                "no",
                "Det er ikke noe som er bedre enn å være hjemme, men jeg vet ikke hva hun skal gjøre nå som hun har fått en ny jobb.",
            ),
            (
                "fi",
                "Kaikki ihmiset syntyvät vapaina ja tasavertaisina arvoltaan ja oikeuksiltaan, ja heidän on toimittava toisiaan kohtaan veljeyden hengessä, mutta se ei ole aina helppoa.",
            ),
            (
                "cs",
                "Všichni lidé se rodí svobodní a sobě rovní co do důstojnosti a práv, jsou nadáni rozumem a svědomím a mají spolu jednat v duchu bratrství, ale to není vždy tak.",
            ),
            (
                "sk",
                "Všetci ľudia sa rodia slobodní a sebe rovní, čo sa týka ich dôstojnosti a práv, sú obdarení rozumom a svedomím a majú spolu jednať v bratskom duchu, ale nie je to tak.",
            ),
            (
                "hu",
                "Minden emberi lény szabadon születik, és egyenlő méltósága és joga van, de ez nem mindig van így, és ezt az emberek is tudják, ha csak egy kicsit gondolkodnak.",
            ),
            (
                "ro",
                "Toate ființele umane se nasc libere și egale în demnitate și în drepturi, ele sunt înzestrate cu rațiune și conștiință și trebuie să se comporte unele față de altele.",
            ),
            (
                "ca",
                "Tots els éssers humans neixen lliures i iguals en dignitat i en drets, són dotats de raó i de consciència, i han de comportar-se fraternalment els uns amb els altres.",
            ),
            (
                "hr",
                "Sva ljudska bića rađaju se slobodna i jednaka u dostojanstvu i pravima, ona su obdarena razumom i sviješću pa jedna prema drugima trebaju postupati u duhu bratstva.",
            ),
            (
                "sl",
                "Vsi ljudje se rodijo svobodni in imajo enako dostojanstvo in enake pravice, obdarjeni so z razumom in vestjo in bi morali ravnati drug z drugim kakor bratje.",
            ),
            (
                "lt",
                "Visi žmonės gimsta laisvi ir lygūs savo orumu ir teisėmis, jiems suteiktas protas ir sąžinė, ir jie turi elgtis vienas kito atžvilgiu kaip broliai, bet tai ne visada taip.",
            ),
            (
                "lv",
                "Visi cilvēki piedzimst brīvi un vienlīdzīgi savā pašcieņā un tiesībās, viņi ir apveltīti ar saprātu un sirdsapziņu, un viņiem jāizturas citam pret citu brālības garā.",
            ),
            (
                "el",
                "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα, είναι προικισμένοι με λογική και συνείδηση και οφείλουν να συμπεριφέρονται μεταξύ τους με πνεύμα αδελφοσύνης.",
            ),
            (
                "bg",
                "Всички хора се раждат свободни и равни по достойнство и права, те са надарени с разум и съвест и следва да се отнасят помежду си в дух на братство, но това не е така.",
            ),
            (
                "uk",
                "Всі люди народжуються вільними і рівними у своїй гідності та правах, вони наділені розумом і совістю і повинні діяти у відношенні один до одного в дусі братерства.",
            ),
            (
                "ar",
                "يولد جميع الناس أحرارا متساوين في الكرامة والحقوق، وقد وهبوا عقلا وضميرا وعليهم أن يعامل بعضهم بعضا بروح الإخاء، وهذا هو ما يجب أن يكون في كل مكان.",
            ),
            (
                "fa",
                "تمام افراد بشر آزاد به دنیا می آیند و از لحاظ حیثیت و حقوق با هم برابرند و همه دارای عقل و وجدان هستند و باید نسبت به یکدیگر با روح برادری رفتار کنند.",
            ),
            (
                "he",
                "כל בני האדם נולדו בני חורין ושווים בערכם ובזכויותיהם, כולם חוננו בתבונה ובמצפון, לפיכך חובה עליהם לנהוג איש ברעהו ברוח של אחווה, אבל זה לא תמיד כך.",
            ),
            (
                "hi",
                "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता और समानता प्राप्त है और उन्हें बुद्धि और अन्तरात्मा की देन प्राप्त है और परस्पर उन्हें भाईचारे के भाव से बर्ताव करना चाहिए।",
            ),
            (
                "vi",
                "Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm và quyền lợi, mọi con người đều được tạo hóa ban cho lý trí và lương tâm và cần phải đối xử với nhau trong tình bằng hữu.",
            ),
            (
                "tl",
                "Ang lahat ng tao ay isinilang na malaya at pantay-pantay sa karangalan at mga karapatan, sila ay pinagkalooban ng katwiran at budhi at dapat magturingan sa isa't isa sa diwa ng pagkakapatiran.",
            ),
            (
                "af",
                "Alle menslike wesens word vry gebore, met gelyke waardigheid en regte, en hulle het rede en gewete en behoort in die gees van broederskap teenoor mekaar op te tree, maar dit is nie altyd so nie.",
            ),
            (
                "et",
                "Kõik inimesed sünnivad vabadena ja võrdsetena oma väärikuselt ja õigustelt, neile on antud mõistus ja südametunnistus ja nad peavad üksteist kohtlema vendlikult, aga see ei ole alati nii.",
            ),
            (
                "sw",
                "Watu wote wamezaliwa huru, hadhi na haki zao ni sawa, wote wamejaliwa akili na dhamiri, hivyo yapasa watendeane kindugu kwa sababu hiyo ni kazi ya kila mtu katika nchi.",
            ),
            (
                "eu",
                "Gizon-emakume guztiak aske jaiotzen dira, duintasun eta eskubide berberak dituztela, eta ezaguera eta kontzientzia dutenez gero, elkarren artean senide legez jokatu beharra dute, baina hori ez da beti horrela.",
            ),
            (
                "ko",
                "그리고 이 일은 매우 중요한 것 입니다. 우리는 또한 다른 사람들과 함께 일을 할 때 더 많은 것을 배울 수 있습니다.",
            ),
            (
                "ms",
                "Semua manusia dilahirkan bebas dan samarata dari segi kemuliaan dan hak-hak, mereka mempunyai pemikiran dan perasaan hati dan hendaklah bertindak di antara satu sama lain dengan semangat persaudaraan kerana itu adalah baik.",
            ),
        ];
        assert_detects(&samples);
        assert!(STOPWORDS.len() >= 40);
    }

    #[test]
    fn unspaced_scripts_count_words_by_chars() {
        let s = LineStats::of("市は新しい図書館の建設計画を発表した。", &Lang::default());
        assert!(s.words >= 8, "{s:?}");
        assert_eq!(
            Lang::detect(["市は新しい図書館の建設計画を発表した。"]).code(),
            None
        );
    }

    #[test]
    fn empty_line_has_no_words() {
        assert_eq!(LineStats::of("", &Lang::default()).words, 0);
        assert_eq!(LineStats::of("", &Lang::default()).stop_ratio(), 0.0);
    }
}
