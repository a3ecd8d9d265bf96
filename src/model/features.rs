//! Per-line features of the line model.
//!
//! Every non-blank line gets [`N_FEATURES`] numbers: its own shape (words,
//! chars, function-word density in the page's language, digits, sentence
//! ending, bullets, indent, case, separators, prices, dates, code), what the
//! earlier passes said of it (the kind of their drop, the classifier's
//! region), its place (position, paragraph, repetition in the page), the page
//! (its size, its share of prose) and its neighbours (the same few features of
//! the three lines before and after, and means over windows of 5 and 20).
//!
//! The features are language-neutral: words are counted per script (two chars
//! of an unspaced script count one word), and function words come from the
//! page's language as detected from the packaged lists. `train/` reads them
//! through the `dump_features` example, so training and inference share this
//! one definition; change it and retrain (the model file records
//! [`N_FEATURES`] and [`VERSION`], and a mismatch is an error).

use crate::document::Document;
use crate::lang::{Lang, LineScan};
use crate::lineclass::{self, LineClass};
use crate::text;
use crate::verdict::{Kind, Marks};

/// Version of the feature definition; the model file must name the same.
/// 2: a line a rule pass dropped ([`Features::forced`]) gets only the
/// values its neighbours and the pass read (words, class, the kind of its
/// drop); the trees never score it. 3: lines since and until the page's
/// comment forms, related headings, footers and navigation (its landmarks).
pub const VERSION: u32 = 3;

/// The line's own features (see [`own`]).
pub(crate) const OWN: usize = 32;
/// Kinds of earlier drops, one-hot.
const KINDS: usize = 15;
/// Position, paragraph, repetition, page.
const PLACE: usize = 16;
/// Features of one neighbour.
const NEAR: usize = 6;
/// Neighbours on each side.
const REACH: usize = 3;
/// Window means.
const WINDOWS: usize = 8;
/// Groups of landmark kinds: comment forms; related and trending headings;
/// footers; navigation.
const LANDMARKS: usize = 4;
/// Distances to the page's landmarks: for each group of [`LANDMARKS`], the
/// lines since the last line an earlier pass dropped as one, and until the
/// next. A news page's comments come after "Leave a Reply" or "12
/// Comments", its related teasers after "Related", and its article ends
/// before the footer, whatever the lines themselves look like.
const SINCE: usize = 2 * LANDMARKS;

/// Features per line.
pub const N_FEATURES: usize = OWN + KINDS + PLACE + 2 * REACH * NEAR + WINDOWS + SINCE;

/// The names of the features, in order (for the training script's reports).
pub fn names() -> Vec<String> {
    let mut v: Vec<String> = [
        "log_words",
        "log_chars",
        "stop_ratio",
        "digit_ratio",
        "unspaced_ratio",
        "ends_sentence",
        "ends_colon",
        "ends_ellipsis",
        "bullet",
        "numbered",
        "log_indent",
        "upper_ratio",
        "title_ratio",
        "log_separators",
        "url_or_email",
        "price",
        "date",
        "time",
        "code_ratio",
        "code_end",
        "count_like",
        "class_good",
        "class_short",
        "class_bad",
        "headline_like",
        "punct_ratio",
        "log_longest_word",
        "starts_lower",
        "has_lang",
        "comma_ratio",
        "quote",
        "all_caps",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    debug_assert_eq!(v.len(), OWN);
    for k in &Kind::ALL[1..] {
        v.push(format!("kind_{}", k.as_str()));
    }
    for s in [
        "rel_pos",
        "log_before",
        "log_after",
        "chars_before",
        "log_block_lines",
        "block_first",
        "block_last",
        "log_block_words",
        "log_repeats",
        "first_of_repeats",
        "page_log_lines",
        "page_good_share",
        "page_dropped_share",
        "good_words_before",
        "log_dist_good_before",
        "log_dist_good_after",
    ] {
        v.push(s.to_string());
    }
    for side in ["prev", "next"] {
        for d in 1..=REACH {
            for f in ["log_words", "good", "dropped", "sentence", "stop", "bad"] {
                v.push(format!("{side}{d}_{f}"));
            }
        }
    }
    for s in [
        "w5_good",
        "w5_log_words",
        "w5_dropped",
        "w5_bad",
        "w20_good",
        "w20_log_words",
        "w20_dropped",
        "w20_bad",
        "log_since_comment",
        "log_until_comment",
        "log_since_related",
        "log_until_related",
        "log_since_footer",
        "log_until_footer",
        "log_since_navigation",
        "log_until_navigation",
    ] {
        v.push(s.to_string());
    }
    debug_assert_eq!(v.len(), N_FEATURES);
    v
}

/// The features of a document's non-blank lines.
#[derive(Clone, Debug, Default)]
pub struct Features {
    /// Indices of the non-blank lines, in order.
    pub lines: Vec<usize>,
    /// `lines.len() * N_FEATURES` values, row by row.
    pub values: Vec<f32>,
    /// Per line: dropped by a pass whose drops stand (any but the
    /// classifier, whose one region the model may overrule). Such a line is
    /// not the model's to decide: only the values its neighbours and the
    /// model pass read are computed, and the trees do not score it.
    pub forced: Vec<bool>,
    /// Per line: its words (`row[0]` is their `ln(1 + words)`).
    pub words: Vec<u32>,
}

impl Features {
    /// The row of the `k`-th non-blank line.
    pub fn row(&self, k: usize) -> &[f32] {
        &self.values[k * N_FEATURES..(k + 1) * N_FEATURES]
    }

    /// The words of the `k`-th non-blank line.
    pub fn words(&self, k: usize) -> usize {
        self.words[k] as usize
    }

    /// True when the `k`-th non-blank line reads as prose (the classifier's
    /// class `good`).
    pub fn good(&self, k: usize) -> bool {
        self.row(k)[21] > 0.0
    }

    /// True when an earlier pass dropped the `k`-th non-blank line.
    pub fn dropped(&self, k: usize) -> bool {
        self.row(k)[OWN..OWN + KINDS].iter().any(|&v| v > 0.0)
    }

    /// Words of the prose lines (classifier class `good`) that no earlier
    /// pass dropped.
    pub fn prose_words(&self) -> usize {
        (0..self.lines.len())
            .filter(|&k| self.good(k) && !self.dropped(k))
            .map(|k| self.words(k))
            .sum()
    }
}

/// `ln(1 + x)` of the small counts most features take, computed once.
static LN_1P: std::sync::LazyLock<[f32; 1024]> =
    std::sync::LazyLock::new(|| std::array::from_fn(|x| (x as f32).ln_1p()));

fn ln(x: usize) -> f32 {
    match LN_1P.get(x) {
        Some(&v) => v,
        None => (x as f32).ln_1p(),
    }
}

fn ratio(a: usize, b: usize) -> f32 {
    if b == 0 { 0.0 } else { a as f32 / b as f32 }
}

/// What one pass over a line's chars counts.
#[derive(Debug, Default, PartialEq, Eq)]
struct Shape {
    letters: usize,
    upper: usize,
    punct: usize,
    commas: usize,
    code: usize,
    separators: usize,
    currency: bool,
    words: usize,
    title_words: usize,
    longest: usize,
}

// What [`shape`] reads of an ASCII byte, as bits of [`ASCII`].
const ALNUM: u8 = 1;
const ALPHA: u8 = 2;
const UPPER: u8 = 4;
const COMMA: u8 = 8;
const CODE: u8 = 16;
const SEPARATOR: u8 = 32;
const CURRENCY: u8 = 64;
const PUNCT: u8 = 128;

/// The bits of each ASCII byte (the same answers as [`Shape::other`] gives
/// for a char, without its Unicode lookups).
static ASCII: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        let mut v = 0;
        if c.is_ascii_alphanumeric() {
            v |= ALNUM;
        }
        if c.is_ascii_alphabetic() {
            v |= ALPHA;
        }
        if c.is_ascii_uppercase() {
            v |= UPPER;
        }
        if c == b',' {
            v |= COMMA;
        }
        if matches!(
            c,
            b'{' | b'}'
                | b'('
                | b')'
                | b';'
                | b'='
                | b'<'
                | b'>'
                | b'['
                | b']'
                | b'_'
                | b'\\'
                | b'/'
                | b'$'
                | b'#'
                | b'&'
                | b'*'
        ) {
            v |= CODE;
        }
        if c == b'|' {
            v |= SEPARATOR;
        }
        if c == b'$' {
            v |= CURRENCY;
        }
        if c.is_ascii_punctuation() {
            v |= PUNCT;
        }
        t[b] = v;
        b += 1;
    }
    t
};

impl Shape {
    /// A char of a word: `upper`, `alpha` as the char is.
    #[inline]
    fn word_char(&mut self, in_word: &mut usize, upper: bool, alpha: bool) {
        if *in_word == 0 {
            self.words += 1;
            self.title_words += usize::from(upper);
        }
        *in_word += 1;
        self.longest = self.longest.max(*in_word);
        self.letters += usize::from(alpha);
        self.upper += usize::from(alpha && upper);
    }

    /// A char outside a word, by its [`ASCII`]-style bits.
    #[inline]
    fn other(&mut self, bits: u8) {
        self.commas += usize::from(bits & COMMA != 0);
        self.code += usize::from(bits & CODE != 0);
        self.separators += usize::from(bits & SEPARATOR != 0);
        self.currency |= bits & CURRENCY != 0;
        self.punct += usize::from(bits & PUNCT != 0);
    }
}

/// The [`ASCII`] bits of a char outside ASCII.
fn wide_bits(c: char) -> u8 {
    let mut v = 0;
    if text::is_alphanumeric(c) {
        v |= ALNUM;
        if c.is_alphabetic() {
            v |= ALPHA;
        }
        if c.is_uppercase() {
            v |= UPPER;
        }
        return v;
    }
    match c {
        '،' | '、' | '，' => v |= COMMA,
        '·' | '•' | '»' | '›' => v |= SEPARATOR,
        _ => {}
    }
    if matches!(c, '€' | '£' | '¥' | '₹' | '₽' | '₩' | '¢' | '₺' | '₫' | '₴') {
        v |= CURRENCY;
    }
    if matches!(c, '。' | '、' | '，' | '«' | '»' | '“' | '”') {
        v |= PUNCT;
    }
    v
}

/// [`ASCII`] with each bit spread to a byte of its own (bit `k` of the
/// table to byte `k`), so that adding the entries of up to 255 bytes counts
/// every class at once.
static SPREAD: [u64; 128] = {
    let mut t = [0u64; 128];
    let mut b = 0;
    while b < 128 {
        let bits = ASCII[b];
        let mut k = 0;
        while k < 8 {
            t[b] |= ((bits >> k & 1) as u64) << (8 * k);
            k += 1;
        }
        b += 1;
    }
    t
};

/// The longest run of set bits in each byte value.
static LONGEST_RUN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut m = 0;
    while m < 256 {
        let (mut run, mut best, mut bit) = (0, 0, 0);
        while bit < 8 {
            run = if m >> bit & 1 == 1 { run + 1 } else { 0 };
            if run > best {
                best = run;
            }
            bit += 1;
        }
        t[m] = best;
        m += 1;
    }
    t
};

/// Count a run of ASCII bytes into `s`, without a branch on the bytes: the
/// classes through [`SPREAD`]; the words eight bytes at a time, from a mask
/// of their word bytes (a word starts at a word byte after a non-word byte;
/// the longest run of word bytes from [`LONGEST_RUN`] and the runs that
/// reach the mask's ends). `in_word`: the chars of the word the run
/// continues (it may have begun with wide chars), and after it those of the
/// word it ends in.
fn ascii_run(run: &[u8], s: &mut Shape, in_word: &mut usize) {
    #[cfg(target_arch = "x86_64")]
    let run = if run.len() >= 32 && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, as just checked.
        let whole = run.len() / 32 * 32;
        unsafe { ascii_blocks_avx2(&run[..whole], s, in_word) };
        &run[whole..]
    } else {
        run
    };
    ascii_run_swar(run, s, in_word)
}

/// [`ascii_run`] of a run of whole blocks of 32 ASCII bytes, in AVX2
/// instructions: a block's classes are compares into 32-bit masks, counted
/// by their set bits; its words from the mask of its word bytes, as
/// [`ascii_run_swar`] reads eight bytes at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn ascii_blocks_avx2(run: &[u8], s: &mut Shape, in_word: &mut usize) {
    use std::arch::x86_64::*;
    let (blocks, rest) = run.as_chunks::<32>();
    debug_assert!(rest.is_empty());
    // ASCII bytes are below 0x80, so signed compares order them.
    let at_least = |v: __m256i, lo: u8| _mm256_cmpgt_epi8(v, _mm256_set1_epi8((lo - 1) as i8));
    let at_most = |v: __m256i, hi: u8| _mm256_cmpgt_epi8(_mm256_set1_epi8((hi + 1) as i8), v);
    let within = |v: __m256i, lo: u8, hi: u8| _mm256_and_si256(at_least(v, lo), at_most(v, hi));
    let bits = |m: __m256i| _mm256_movemask_epi8(m) as u32;
    let count = |m: u32| m.count_ones() as usize;
    // The code chars ({}()[];=<>_\/$#&*) by their high nibble (2, 3, 5, 7:
    // bits 0 to 3) and the low nibbles each of those groups holds.
    let by_high = _mm256_setr_epi8(
        0, 0, 1, 2, 0, 4, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, //
        0, 0, 1, 2, 0, 4, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0,
    );
    let by_low = _mm256_setr_epi8(
        0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 14, 6, 14, 2, 5, //
        0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 14, 6, 14, 2, 5,
    );
    let nibble = _mm256_set1_epi8(0x0f);
    let mut cur = *in_word;
    for block in blocks {
        // SAFETY: a block holds 32 bytes.
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().cast()) };
        let upper = within(v, b'A', b'Z');
        let alpha = _mm256_or_si256(upper, within(v, b'a', b'z'));
        let alnum = _mm256_or_si256(alpha, within(v, b'0', b'9'));
        let graphic = within(v, 0x21, 0x7e);
        let high = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
        let low = _mm256_and_si256(v, nibble);
        let code = _mm256_and_si256(
            _mm256_shuffle_epi8(by_high, high),
            _mm256_shuffle_epi8(by_low, low),
        );
        let code = bits(_mm256_cmpeq_epi8(code, _mm256_setzero_si256())) ^ u32::MAX;
        let eq = |c: u8| bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8)));
        let (upper, word) = (bits(upper), bits(alnum));
        s.letters += count(bits(alpha));
        s.upper += count(upper);
        s.punct += count(bits(graphic) & !word);
        s.commas += count(eq(b','));
        s.code += count(code);
        s.separators += count(eq(b'|'));
        s.currency |= eq(b'$') != 0;
        let starts = word & !(word << 1 | u32::from(cur > 0));
        s.words += count(starts);
        s.title_words += count(starts & upper);
        // The run from the first byte continues the word before; the
        // longest run inside: each round shortens every run by one.
        let (mut runs, mut inside) = (word, 0usize);
        while runs != 0 {
            runs &= runs << 1;
            inside += 1;
        }
        s.longest = s
            .longest
            .max(cur + word.trailing_ones() as usize)
            .max(inside);
        cur = if word == u32::MAX {
            cur + 32
        } else {
            word.leading_ones() as usize
        };
    }
    *in_word = cur;
}

/// [`ascii_run`] for any CPU, eight bytes at a time.
fn ascii_run_swar(run: &[u8], s: &mut Shape, in_word: &mut usize) {
    let within = text::ascii_within;
    // The high bits of the eight bytes as bits 0..8.
    let mask = |v: u64| ((v >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32;
    let mut cur = *in_word;
    // 248 bytes at most a round: each byte lane of the sums stays below 256.
    for chunk in run.chunks(248) {
        let mut acc = 0u64;
        let (eights, rest) = chunk.as_chunks::<8>();
        for bytes in eights {
            for &c in bytes {
                acc += SPREAD[usize::from(c & 0x7f)];
            }
            let v = u64::from_le_bytes(*bytes);
            let upper = within(v, b'A', b'Z');
            let word = mask(within(v, b'0', b'9') | upper | within(v, b'a', b'z'));
            let starts = word & !(word << 1 | u32::from(cur > 0));
            s.words += starts.count_ones() as usize;
            s.title_words += (starts & mask(upper)).count_ones() as usize;
            // The run from the first byte continues the word before.
            let head = word.trailing_ones() as usize;
            s.longest = s
                .longest
                .max(cur + head)
                .max(usize::from(LONGEST_RUN[word as usize]));
            cur = if word == 0xff {
                cur + 8
            } else {
                (word as u8).leading_ones() as usize
            };
        }
        for &c in rest {
            let v = SPREAD[usize::from(c & 0x7f)];
            acc += v;
            let w = (v & 1) as usize;
            let start = w & usize::from(cur == 0);
            s.words += start;
            s.title_words += start & (v >> 16) as usize;
            cur = (cur + 1) & w.wrapping_neg();
            s.longest = s.longest.max(cur);
        }
        let lane = |bit: u8| (acc >> (8 * bit.trailing_zeros()) & 0xff) as usize;
        s.letters += lane(ALPHA);
        s.upper += lane(UPPER);
        s.commas += lane(COMMA);
        s.code += lane(CODE);
        s.separators += lane(SEPARATOR);
        s.currency |= lane(CURRENCY) > 0;
        s.punct += lane(PUNCT);
    }
    *in_word = cur;
}

/// The length of `b`'s leading run of ASCII bytes: eight bytes at a time,
/// then byte by byte.
fn ascii_prefix(b: &[u8]) -> usize {
    let mut i = 0;
    while let Some(eight) = b.get(i..i + 8) {
        let high = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8])) & text::HIGH;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + b[i..].iter().take_while(|c| c.is_ascii()).count()
}

fn shape(t: &str) -> Shape {
    let mut s = Shape::default();
    let mut in_word = 0usize;
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let ascii = ascii_prefix(rest);
        if ascii > 0 {
            ascii_run(&rest[..ascii], &mut s, &mut in_word);
            i += ascii;
            continue;
        }
        // A lead byte starts a char: decode just that one.
        let c = t[i..].chars().next().unwrap_or('\u{FFFD}');
        i += c.len_utf8();
        let bits = wide_bits(c);
        if bits & ALNUM != 0 {
            s.word_char(&mut in_word, bits & UPPER != 0, bits & ALPHA != 0);
        } else {
            in_word = 0;
            s.other(bits);
        }
    }
    s
}

/// A bullet as converters write them (w3m: `•`, `□`, `◦`; others `-`, `*`).
fn bullet(t: &str) -> bool {
    let mut cs = t.chars();
    match cs.next() {
        Some('•' | '◦' | '□' | '■' | '▪' | '▫' | '►' | '▸' | '○' | '●' | '·' | '–' | '—' | '➤') => {
            true
        }
        Some('-' | '*' | '+' | '>') => cs.next() == Some(' '),
        _ => false,
    }
}

/// `1.`, `2)`, `iv.`, `a)` at the start.
fn numbered(t: &str) -> bool {
    let b = t.as_bytes();
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=3).contains(&n) && matches!(b.get(n), Some(b'.' | b')')) && b.get(n + 1) == Some(&b' ')
}

/// The first ASCII digit of `b` at `i` or after (`b.len()` when none):
/// eight bytes at a time, then byte by byte.
fn next_digit(b: &[u8], mut i: usize) -> usize {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    while let Some(eight) = b.get(i..i + 8) {
        let v = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
        // The seven low bits of each byte compared (no carry between
        // bytes), and bytes beyond ASCII (high bit set) left out.
        let digits = text::ascii_within(v & LOW, b'0', b'9') & !v;
        if digits != 0 {
            return i + (digits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && !b[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// A date or a year: `12/05/2024`, `2024-05-12`, `1999`, `2025`.
fn date(t: &str) -> bool {
    date_by(t.as_bytes(), next_digit)
}

/// [`date`] of `b`, with `next_digit` finding the first ASCII digit at an
/// index or after (`b.len()` when none).
fn date_by(b: &[u8], next_digit: impl Fn(&[u8], usize) -> usize) -> bool {
    let mut i = 0;
    loop {
        i = next_digit(b, i);
        if i >= b.len() {
            break;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let n = i - start;
        let bounded = start == 0 || !b[start - 1].is_ascii_alphanumeric();
        let after = i == b.len() || !b[i].is_ascii_alphanumeric();
        if n == 4
            && bounded
            && after
            && (b[start] == b'1' && b[start + 1] == b'9'
                || b[start] == b'2' && b[start + 1] == b'0')
        {
            return true;
        }
        if (1..=4).contains(&n)
            && i + 1 < b.len()
            && matches!(b[i], b'.' | b'/' | b'-')
            && b[i + 1].is_ascii_digit()
        {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j < b.len()
                && matches!(b[j], b'.' | b'/' | b'-')
                && j + 1 < b.len()
                && b[j + 1].is_ascii_digit()
            {
                return true;
            }
        }
    }
    false
}

/// `12:30`: a digit, a colon, two digits and no third.
fn time(t: &str) -> bool {
    let b = t.as_bytes();
    let digit = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    memchr::memchr_iter(b':', b)
        .any(|c| c > 0 && digit(c - 1) && digit(c + 1) && digit(c + 2) && !digit(c + 3))
}

/// Searchers for `http` and `www.`, built once.
static URL_PARTS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 2]> =
    std::sync::LazyLock::new(|| {
        [
            memchr::memmem::Finder::new("http"),
            memchr::memmem::Finder::new("www."),
        ]
    });

fn url_or_email(t: &str) -> bool {
    // `t.contains("http") || t.contains("www.")`, with searchers built once
    // (a search for the bytes `h` and `w` stops at most words of English).
    let b = t.as_bytes();
    URL_PARTS.iter().any(|f| f.find(b).is_some())
        || (memchr::memchr(b'@', b).is_some() && memchr::memchr(b'.', b).is_some())
}

/// The page's language, from long lines first as the classifier detects it,
/// but over all non-blank lines, dropped or not (the classifier reads the
/// lines still kept); the trained model was fit to this definition.
fn language(doc: &Document<'_>, lines: &[usize]) -> Lang {
    let long = lines
        .iter()
        .filter(|&&i| lineclass::is_long(doc, i))
        .map(|&i| (text::trim(doc.line_text(i)), doc.scan(i)));
    let lang = Lang::from_scans(long);
    if lang.code().is_some() {
        return lang;
    }
    Lang::from_scans(
        lines
            .iter()
            .map(|&i| (text::trim(doc.line_text(i)), doc.scan(i))),
    )
}

/// The line's own features but words and class (`row[0]`, `row[21..24]`,
/// which every line gets): `raw` is line `i`'s text, `t` trimmed.
#[allow(clippy::too_many_arguments)]
fn own(
    doc: &Document<'_>,
    i: usize,
    raw: &str,
    t: &str,
    s: &crate::lang::LineStats,
    sentence: bool,
    has_lang: bool,
    needed: u128,
    row: &mut [f32],
) {
    let need = |f: usize| needed >> f & 1 != 0;
    let sh = shape(t);
    let indent = raw.len() - raw.trim_start().len();
    let first = t.chars().next();
    row[1] = ln(s.chars);
    row[2] = s.stop_ratio() as f32;
    row[3] = ratio(s.digits, s.chars);
    row[4] = ratio(s.unspaced, s.chars);
    row[5] = f32::from(u8::from(sentence));
    row[6] = f32::from(u8::from(t.ends_with(':')));
    row[7] = f32::from(u8::from(text::ends_with_ellipsis(t)));
    row[8] = f32::from(u8::from(bullet(t)));
    row[9] = f32::from(u8::from(numbered(t)));
    row[10] = ln(indent);
    row[11] = ratio(sh.upper, sh.letters);
    row[12] = ratio(sh.title_words, sh.words);
    row[13] = ln(sh.separators);
    row[14] = f32::from(u8::from(need(14) && url_or_email(t)));
    row[15] = f32::from(u8::from(sh.currency && s.digits > 0));
    // A date takes two ASCII digits at least, a time three: most lines
    // have none and skip the scans.
    row[16] = f32::from(u8::from(need(16) && s.digits >= 2 && date(t)));
    row[17] = f32::from(u8::from(need(17) && s.digits >= 3 && time(t)));
    row[18] = ratio(sh.code, s.chars);
    row[19] = f32::from(u8::from(
        t.ends_with(';') || t.ends_with('{') || t.ends_with('}'),
    ));
    row[20] = f32::from(u8::from(s.digits > 0 && s.words <= 3));
    row[24] = f32::from(u8::from(need(24) && doc.is_headline_like(i)));
    row[25] = ratio(sh.punct, s.chars);
    row[26] = ln(sh.longest);
    row[27] = f32::from(u8::from(first.is_some_and(|c| c.is_lowercase())));
    row[28] = f32::from(u8::from(has_lang));
    row[29] = ratio(sh.commas, s.words);
    row[30] = f32::from(u8::from(
        first.is_some_and(|c| matches!(c, '"' | '“' | '„' | '«' | '\'' | '‘')),
    ));
    row[31] = f32::from(u8::from(sh.letters >= 4 && sh.upper == sh.letters));
}

/// For each of `n` lines, the distance to the nearest line before it and
/// the nearest after it in each of `G` groups (`group` of a line: the one it
/// belongs to, if any), or `none` where no such line is.
fn nearest<const G: usize>(
    n: usize,
    none: usize,
    group: impl Fn(usize) -> Option<usize>,
) -> (Vec<[usize; G]>, Vec<[usize; G]>) {
    let groups: Vec<Option<usize>> = (0..n).map(group).collect();
    let mut before = vec![[none; G]; n];
    let mut last = [None::<usize>; G];
    for (k, d) in before.iter_mut().enumerate() {
        for (d, l) in d.iter_mut().zip(&last) {
            if let Some(l) = l {
                *d = k - l;
            }
        }
        if let Some(g) = groups[k] {
            last[g] = Some(k);
        }
    }
    let mut after = vec![[none; G]; n];
    let mut next = [None::<usize>; G];
    for (k, d) in after.iter_mut().enumerate().rev() {
        for (d, l) in d.iter_mut().zip(&next) {
            if let Some(l) = l {
                *d = l - k;
            }
        }
        if let Some(g) = groups[k] {
            next[g] = Some(k);
        }
    }
    (before, after)
}

/// For each of `lines`: how many other lines of the page normalise alike
/// (see [`LineScan::normalized_key`]), and whether it is the first of them.
fn repeats(doc: &Document<'_>, lines: &[usize]) -> Vec<(usize, bool)> {
    // The key and its length as one number, so the sort compares integers;
    // the lines of one key come together, in page order.
    let mut order: Vec<(u128, usize)> = lines
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let (key, chars) = doc.scan(i).normalized_key();
            (u128::from(key) << 64 | chars as u128, k)
        })
        .collect();
    order.sort_unstable();
    let mut repeats = vec![(0usize, true); lines.len()];
    let mut a = 0;
    while a < order.len() {
        let mut b = a + 1;
        while b < order.len() && order[b].0 == order[a].0 {
            b += 1;
        }
        for (j, &(_, k)) in order[a..b].iter().enumerate() {
            repeats[k] = (b - a - 1, j == 0);
        }
        a = b;
    }
    repeats
}

/// Per-line values the neighbours and windows read.
#[derive(Clone, Copy, Default)]
struct Near {
    log_words: f32,
    good: f32,
    dropped: f32,
    sentence: f32,
    stop: f32,
    bad: f32,
}

/// Compute the features of `doc`'s non-blank lines, after the passes that
/// wrote `marks` (which `classifier` marks are given by `region`: true for a
/// line the classifier kept, or that no classifier saw).
pub fn compute(doc: &Document<'_>, marks: &Marks, out: &mut Features) {
    compute_needed(doc, marks, ALL, out)
}

/// Every feature (see [`compute_needed`]).
pub const ALL: u128 = (1 << N_FEATURES) - 1;

/// [`compute`], with the line's own features that are not in `needed` (bit
/// `f` for feature `f`: a model's [`Model::used`](crate::model::Model::used))
/// left at 0 where they cost a scan of the line.
pub fn compute_needed(doc: &Document<'_>, marks: &Marks, needed: u128, out: &mut Features) {
    out.lines.clear();
    out.values.clear();
    out.forced.clear();
    out.words.clear();
    out.lines
        .extend((0..doc.lines().len()).filter(|&i| !doc.lines()[i].is_blank()));
    let n = out.lines.len();
    if n == 0 {
        return;
    }
    let lines = &out.lines;
    let lang = language(doc, lines);
    let has_lang = lang.code().is_some();
    // Each row is zeroed just before its values are written, while its
    // memory is in the cache, rather than the whole page at once by one
    // large memset first (-j1 0.596 s -> 0.581 s on the bench slice).
    out.values.reserve(n * N_FEATURES);
    let mut near = vec![Near::default(); n];
    let mut good_words_total = 0usize;
    let mut good_lines = 0usize;
    let mut dropped_lines = 0usize;
    let total_chars = doc.text().len().max(1);
    // Own features.
    for (k, &i) in lines.iter().enumerate() {
        let raw = doc.line_text(i);
        let t = text::trim(raw);
        let scan: &LineScan = doc.scan(i);
        let s = scan.stats(&lang);
        let sentence = text::ends_sentence(t);
        let class = lineclass::classify_ending(&s, &lang, sentence);
        let reason = marks.reason(i);
        let forced = reason.is_some_and(|r| r.kind != Kind::LowContent);
        out.forced.push(forced);
        out.values.extend_from_slice(&[0.0; N_FEATURES]);
        let row = &mut out.values[k * N_FEATURES..k * N_FEATURES + OWN];
        row[0] = ln(s.words);
        row[21] = f32::from(u8::from(class == LineClass::Good));
        row[22] = f32::from(u8::from(class == LineClass::Short));
        row[23] = f32::from(u8::from(class == LineClass::Bad));
        if !forced {
            own(doc, i, raw, t, &s, sentence, has_lang, needed, row);
        }
        if let Some(r) = reason {
            if let Some(p) = Kind::ALL[1..].iter().position(|&k| k == r.kind) {
                out.values[k * N_FEATURES + OWN + p] = 1.0;
            }
            dropped_lines += 1;
        }
        out.words.push(u32::try_from(s.words).unwrap_or(u32::MAX));
        if class == LineClass::Good {
            good_lines += 1;
            good_words_total += s.words;
        }
        near[k] = Near {
            log_words: ln(s.words),
            good: f32::from(u8::from(class == LineClass::Good)),
            dropped: f32::from(u8::from(reason.is_some())),
            sentence: f32::from(u8::from(sentence)),
            stop: s.stop_ratio() as f32,
            bad: f32::from(u8::from(class == LineClass::Bad)),
        };
    }
    // Repetition in the page, by normalised key.
    let repeats = repeats(doc, lines);
    // Distances to the nearest good line before and after.
    let (good_before_dist, good_after_dist) =
        nearest::<1>(n, n, |k| (near[k].good > 0.0).then_some(0));
    // Landmarks: the nearest line of each group of kinds before and after
    // (see [`SINCE`]).
    let (since, until) = nearest::<LANDMARKS>(n, n + 1, |k| {
        match marks.reason(lines[k]).map(|r| r.kind)? {
            Kind::CommentForm => Some(0),
            Kind::RelatedHeadline | Kind::Trending => Some(1),
            Kind::Footer => Some(2),
            Kind::Navigation => Some(3),
            _ => None,
        }
    });
    // Prefix sums for the windows.
    let mut prefix = vec![[0f32; 4]; n + 1];
    for k in 0..n {
        let m = &near[k];
        let p = prefix[k];
        prefix[k + 1] = [
            p[0] + m.good,
            p[1] + m.log_words,
            p[2] + m.dropped,
            p[3] + m.bad,
        ];
    }
    let page_lines = ln(n);
    let good_share = ratio(good_lines, n);
    let dropped_share = ratio(dropped_lines, n);
    // Words per paragraph, once per paragraph.
    let mut block_words = vec![0usize; doc.blocks().len()];
    for (k, &i) in lines.iter().enumerate() {
        block_words[doc.lines()[i].block] += out.words[k] as usize;
    }
    let mut good_before = 0usize;
    for (k, &i) in lines.iter().enumerate() {
        let line = &doc.lines()[i];
        let block = &doc.blocks()[line.block];
        let block_words = block_words[line.block];
        let good_words_before = good_before;
        if near[k].good > 0.0 {
            good_before += out.words[k] as usize;
        }
        if out.forced[k] {
            continue;
        }
        let base = k * N_FEATURES + OWN + KINDS;
        let row = &mut out.values[base..base + PLACE];
        row[0] = ratio(k, n);
        row[1] = ln(k);
        row[2] = ln(n - 1 - k);
        row[3] = line.span.start as f32 / total_chars as f32;
        row[4] = ln(block.lines.len());
        row[5] = f32::from(u8::from(block.lines.start == i));
        row[6] = f32::from(u8::from(block.lines.end == i + 1));
        row[7] = ln(block_words);
        row[8] = ln(repeats[k].0);
        row[9] = f32::from(u8::from(repeats[k].1));
        row[10] = page_lines;
        row[11] = good_share;
        row[12] = dropped_share;
        row[13] = ratio(good_words_before, good_words_total);
        row[14] = ln(good_before_dist[k][0]);
        row[15] = ln(good_after_dist[k][0]);
        let mut at = base + PLACE;
        for side in [-1isize, 1] {
            for d in 1..=REACH as isize {
                let j = k as isize + side * d;
                let m = if j >= 0 && (j as usize) < n {
                    near[j as usize]
                } else {
                    // Past the page's edges: no words, as if dropped.
                    Near {
                        dropped: 1.0,
                        bad: 1.0,
                        ..Near::default()
                    }
                };
                out.values[at..at + NEAR].copy_from_slice(&[
                    m.log_words,
                    m.good,
                    m.dropped,
                    m.sentence,
                    m.stop,
                    m.bad,
                ]);
                at += NEAR;
            }
        }
        for (w, half) in [(0, 2usize), (4, 10)] {
            let lo = k.saturating_sub(half);
            let hi = (k + half + 1).min(n);
            let len = (hi - lo) as f32;
            for (f, (h, l)) in prefix[hi].iter().zip(&prefix[lo]).enumerate() {
                out.values[at + w + f] = (h - l) / len;
            }
        }
        for (g, (&s, &u)) in since[k].iter().zip(&until[k]).enumerate() {
            out.values[at + WINDOWS + 2 * g] = ln(s);
            out.values[at + WINDOWS + 2 * g + 1] = ln(u);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`date`] skipping to the next digit byte by byte, as it was first
    /// written.
    fn date_reference(t: &str) -> bool {
        date_by(t.as_bytes(), |b, i| {
            (i..b.len())
                .find(|&k| b[k].is_ascii_digit())
                .unwrap_or(b.len())
        })
    }

    /// [`time`] over windows of four bytes, as it was first written.
    fn time_reference(t: &str) -> bool {
        let b = t.as_bytes();
        b.windows(4).enumerate().any(|(k, w)| {
            w[0].is_ascii_digit()
                && w[1] == b':'
                && w[2].is_ascii_digit()
                && w[3].is_ascii_digit()
                && (k + 4 == b.len() || !b[k + 4].is_ascii_digit())
        })
    }

    /// [`shape`] char by char, as it was first written.
    fn shape_reference(t: &str) -> Shape {
        let mut s = Shape::default();
        let mut in_word = 0usize;
        let mut word_start = true;
        for c in t.chars() {
            if text::is_alphanumeric(c) {
                if word_start {
                    s.words += 1;
                    if c.is_uppercase() {
                        s.title_words += 1;
                    }
                    word_start = false;
                }
                in_word += 1;
                s.longest = s.longest.max(in_word);
                if c.is_alphabetic() {
                    s.letters += 1;
                    if c.is_uppercase() {
                        s.upper += 1;
                    }
                }
                continue;
            }
            in_word = 0;
            word_start = true;
            match c {
                ',' | '،' | '、' | '，' => s.commas += 1,
                '{' | '}' | '(' | ')' | ';' | '=' | '<' | '>' | '[' | ']' | '_' | '\\' | '/'
                | '$' | '#' | '&' | '*' => s.code += 1,
                '|' | '·' | '•' | '»' | '›' => s.separators += 1,
                _ => {}
            }
            if matches!(
                c,
                '$' | '€' | '£' | '¥' | '₹' | '₽' | '₩' | '¢' | '₺' | '₫' | '₴'
            ) {
                s.currency = true;
            }
            if c.is_ascii_punctuation() || matches!(c, '。' | '、' | '，' | '«' | '»' | '“' | '”')
            {
                s.punct += 1;
            }
        }
        s
    }

    #[test]
    fn shape_reads_as_char_by_char() {
        let samples = [
            "",
            "Hello, World! 12:30 — $5 | a_b {x} Ünïcödé ΑΒΓ αβγ",
            "Привет, мир! «цитата» 東京、日本。価格：¥1,200",
            "a\u{2000}b\u{206F}c · d • e » f › g € h ₹ 5 ١٢٣ Ⅻⅻ ǅ x\u{301}",
            "ALL CAPS LINE; code = f(x) [1] <b> \\ / # & *",
        ];
        for t in samples {
            assert_eq!(shape(t), shape_reference(t), "{t:?}");
        }
        // Every char of the first planes, alone and in a word.
        for c in (0u32..0x3_0000).filter_map(char::from_u32) {
            let t = format!("a{c}B{c}{c} ,");
            assert_eq!(shape(&t), shape_reference(&t), "U+{:04X}", c as u32);
        }
        // Every ASCII byte in every place of an eight-byte word, beside
        // words and runs that cross the words' edges.
        for c in (0u8..0x80).map(char::from) {
            for at in 0..16 {
                let mut t: String = "Ab1 xY_z|,$(;[{}"
                    .chars()
                    .cycle()
                    .skip(at)
                    .take(21)
                    .collect();
                t.insert(at, c);
                t.push_str("LongWordRunningAcrossWords9 é");
                assert_eq!(shape(&t), shape_reference(&t), "{t:?}");
            }
        }
        let long = "Ab, (x) | C€ é LongerWordsThanEightBytes ".repeat(40);
        assert_eq!(shape(&long), shape_reference(&long));
    }

    #[test]
    fn names_match_the_width() {
        assert_eq!(names().len(), N_FEATURES);
    }

    proptest::proptest! {
        #[test]
        fn ascii_prefix_stops_at_the_first_byte_beyond_ascii(t in "[ -~]{0,40}([é°—•][ -~]{0,20}){0,3}") {
            let b = t.as_bytes();
            for i in 0..=b.len() {
                let run = b[i..].iter().take_while(|c| c.is_ascii()).count();
                proptest::prop_assert_eq!(ascii_prefix(&b[i..]), run);
            }
        }

        #[test]
        fn dates_and_times_as_read_byte_by_byte(t in "([0-9]{1,4}[-./: ]?|[a-zé°² ]{0,9}){0,12}") {
            // `°` and `²` end in bytes whose low seven bits are digits.
            let b = t.as_bytes();
            for i in 0..=b.len() {
                let first = (i..b.len()).find(|&k| b[k].is_ascii_digit()).unwrap_or(b.len());
                proptest::prop_assert_eq!(next_digit(b, i), first);
            }
            proptest::prop_assert_eq!(date(&t), date_reference(&t));
            proptest::prop_assert_eq!(time(&t), time_reference(&t));
        }

        #[test]
        fn dates_and_times_take_the_digits_their_shortcut_asks(t in "([0-9]{1,4}[-./: ]?|[a-z ]{0,3}){0,6}") {
            // `own` skips the scans below 2 and 3 ASCII digits.
            let digits = t.bytes().filter(u8::is_ascii_digit).count();
            proptest::prop_assert!(!date(&t) || digits >= 2);
            proptest::prop_assert!(!time(&t) || digits >= 3);
        }

        #[test]
        fn shape_reads_any_text_as_char_by_char(t in "[ -~]{0,80}([é€—•A-Z a-z0-9]{0,3}[ -~]{0,40}){0,3}") {
            proptest::prop_assert_eq!(shape(&t), shape_reference(&t));
        }

        #[test]
        fn ascii_blocks_read_as_eight_bytes_at_a_time(
            t in "([a-zA-Z0-9]{0,40}[ -/:-@\\[-`{-~]{0,3}){1,12}",
            in_word in 0usize..3,
        ) {
            // The AVX2 blocks and the eight-byte reading, from the same
            // word carried in: the same counts, the same word carried out.
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                let whole = &t.as_bytes()[..t.len() / 32 * 32];
                let (mut a, mut b) = (Shape::default(), Shape::default());
                let (mut wa, mut wb) = (in_word, in_word);
                // SAFETY: the CPU has AVX2, as just checked.
                unsafe { ascii_blocks_avx2(whole, &mut a, &mut wa) };
                ascii_run_swar(whole, &mut b, &mut wb);
                proptest::prop_assert_eq!((a, wa), (b, wb));
            }
        }

        #[test]
        fn shape_reads_long_words_and_lines_as_char_by_char(t in "([a-zA-Z0-9]{0,20}[ ,.|$é]){0,30}") {
            // Words across the eight-byte masks and lines past a round of
            // 248 bytes.
            proptest::prop_assert_eq!(shape(&t), shape_reference(&t));
        }

        #[test]
        fn urls_and_emails_as_their_substrings_say(t in "([hwtp.@é ]|http|www){0,12}") {
            let plain = t.contains("http") || t.contains("www.") || (t.contains('@') && t.contains('.'));
            proptest::prop_assert_eq!(url_or_email(&t), plain);
        }
    }

    #[test]
    fn shapes() {
        assert!(bullet("• Item"));
        assert!(bullet("- item"));
        assert!(!bullet("-5 degrees"));
        assert!(numbered("12. Step"));
        assert!(!numbered("2024. The year"));
        assert!(date("Posted 12/05/2024"));
        assert!(date("May 3, 2021"));
        assert!(!date("Call 12345"));
        assert!(time("at 12:30 pm"));
        assert!(!time("ratio 1:2"));
    }

    #[test]
    fn distances_to_the_comment_section() {
        let text = "The article.\nLeave a Reply\nA comment.\nAnother comment.\n";
        let doc = Document::parse(text);
        let mut marks = Marks::new(doc.lines().len());
        let form = crate::pass::Reason::new("rules", "comment.leave-reply", Kind::CommentForm);
        marks.drop_line(1, &form);
        let mut f = Features::default();
        compute(&doc, &marks, &mut f);
        let at = N_FEATURES - SINCE;
        let since = |k: usize| f.row(k)[at];
        let until = |k: usize| f.row(k)[at + 1];
        // None before the first line: as far as the page is long, and more.
        assert_eq!(since(0), ln(5));
        assert_eq!(until(0), ln(1));
        assert_eq!((since(2), since(3)), (ln(1), ln(2)));
        assert_eq!(until(3), ln(5));
    }

    #[test]
    fn one_row_per_non_blank_line() {
        let text = "Home\n\nThe council voted on Tuesday to approve the budget.\n\n$12.99\n";
        let doc = Document::parse(text);
        let marks = Marks::new(doc.lines().len());
        let mut f = Features::default();
        compute(&doc, &marks, &mut f);
        assert_eq!(f.lines, vec![0, 2, 4]);
        assert_eq!(f.values.len(), 3 * N_FEATURES);
        assert!(f.row(2)[15] > 0.0, "price");
        assert!(f.values.iter().all(|v| v.is_finite()));
        assert_eq!(f.words, vec![1, 9, 2]);
        assert_eq!(
            (0..3).map(|k| f.words(k)).collect::<Vec<_>>(),
            vec![1, 9, 2]
        );
    }

    #[test]
    fn repeats_count_the_other_lines_of_a_key_and_mark_the_first() {
        // "Share" three times (case and spaces normalise alike), "Home" once.
        let text = "Share\nHome\n  share \nA line of its own.\nSHARE\n";
        let doc = Document::parse(text);
        let lines: Vec<usize> = (0..5).collect();
        assert_eq!(
            repeats(&doc, &lines),
            vec![(2, true), (0, true), (2, false), (0, true), (2, false)]
        );
        let mut f = Features::default();
        compute(&doc, &Marks::new(doc.lines().len()), &mut f);
        let at = OWN + KINDS;
        let read: Vec<(f32, f32)> = (0..5)
            .map(|k| (f.row(k)[at + 8], f.row(k)[at + 9]))
            .collect();
        assert_eq!(read[4], (ln(2), 0.0));
        assert_eq!(read[0], (ln(2), 1.0));
    }
}
