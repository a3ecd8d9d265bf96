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

use std::collections::HashMap;
use std::sync::LazyLock;

mod stopwords;

pub use stopwords::STOPWORDS;

// One bit per language in a u32.
const _: () = assert!(STOPWORDS.len() <= 32);

/// Every function word, with a bit per language (index into [`STOPWORDS`]) it
/// belongs to: one hash lookup per token answers for all languages at once.
static WORDS: LazyLock<HashMap<&'static str, u32, FxBuild>> = LazyLock::new(|| {
    let mut map: HashMap<&'static str, u32, FxBuild> = HashMap::default();
    for (k, (_, words)) in STOPWORDS.iter().enumerate() {
        for w in words.split(' ') {
            debug_assert!(w.len() <= MAX_STOPWORD_BYTES, "{w}");
            *map.entry(w).or_insert(0) |= 1 << k;
        }
    }
    map
});

/// Longest function word, in bytes.
const MAX_STOPWORD_BYTES: usize = 16;

/// A 65,536-bit filter of the function words: most tokens are no function
/// word, and the filter says so without a hash-map lookup.
static FILTER: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 1024];
    for w in WORDS.keys() {
        let k = filter_key(w);
        bits[k >> 6] |= 1 << (k & 63);
    }
    bits
});

fn filter_key(w: &str) -> usize {
    let b = w.as_bytes();
    let first = usize::from(b.first().copied().unwrap_or(0));
    let second = usize::from(b.get(1).copied().unwrap_or(0));
    let last = usize::from(b.last().copied().unwrap_or(0));
    (b.len().wrapping_mul(0x9e37)
        ^ first.wrapping_mul(0x85eb)
        ^ second.wrapping_mul(0xc2b2)
        ^ last.wrapping_mul(0x27d4))
        & 0xffff
}

/// The bits of the languages `lower` is a function word of.
fn languages_of(lower: &str) -> u32 {
    if lower.len() > MAX_STOPWORD_BYTES || lower.starts_with('\u{0}') {
        return 0;
    }
    let k = filter_key(lower);
    if FILTER[k >> 6] & (1 << (k & 63)) == 0 {
        return 0;
    }
    WORDS.get(lower).copied().unwrap_or(0)
}

/// FxHash (rustc's hasher): short keys, no untrusted-input concern here since
/// the table is fixed and only looked up.
#[derive(Clone, Copy, Default)]
struct FxBuild;

#[derive(Default)]
struct FxHasher(u64);

impl std::hash::BuildHasher for FxBuild {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
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
    /// most tokens, if they cover at least 10% of them.
    pub fn detect<'a>(lines: impl IntoIterator<Item = &'a str>) -> Lang {
        let mut hits = [0usize; 32];
        let mut total = 0;
        let mut buf = String::new();
        'outer: for line in lines {
            for tok in tokens(line) {
                let mut bits = token_languages(tok, &mut buf);
                while bits != 0 {
                    hits[bits.trailing_zeros() as usize] += 1;
                    bits &= bits - 1;
                }
                total += 1;
                if total >= SAMPLE_WORDS {
                    break 'outer;
                }
            }
        }
        if total < MIN_WORDS {
            return Lang::default();
        }
        let best = (0..STOPWORDS.len()).max_by_key(|&k| (hits[k], usize::MAX - k));
        Lang {
            index: best.filter(|&k| hits[k] * 10 >= total),
        }
    }

    /// The ISO 639-1 code, if a language was detected.
    pub fn code(&self) -> Option<&'static str> {
        self.index.map(|k| STOPWORDS[k].0)
    }

    /// True when `bits` (from [`token_languages`]) include this language.
    fn has(&self, bits: u32) -> bool {
        self.index.is_some_and(|k| bits & (1 << k) != 0)
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
        let mut s = LineStats::default();
        let mut buf = String::new();
        // One pass: count chars, and close each alphanumeric token as it ends.
        let mut token_start: Option<usize> = None;
        let mut close = |start: usize, end: usize, s: &mut LineStats| {
            let tok = &line[start..end];
            if tok.chars().next().is_some_and(is_unspaced) {
                return;
            }
            s.words += 1;
            if lang.index.is_some() {
                s.stopwords += usize::from(lang.has(token_languages(tok, &mut buf)));
            }
        };
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let at = i;
            s.chars += 1;
            // ASCII bytes without decoding; other chars decoded whole.
            let alnum = if b < 0x80 {
                i += 1;
                if b.is_ascii_digit() {
                    s.digits += 1;
                }
                b.is_ascii_alphanumeric()
            } else {
                // `i` is at a char boundary: only whole chars are consumed.
                let c = line[i..].chars().next().unwrap_or('\u{fffd}');
                i += c.len_utf8();
                if is_unspaced(c) {
                    s.unspaced += 1;
                }
                c.is_alphanumeric()
            };
            match (alnum, token_start) {
                (true, None) => token_start = Some(at),
                (false, Some(start)) => {
                    close(start, at, &mut s);
                    token_start = None;
                }
                _ => {}
            }
        }
        if let Some(start) = token_start {
            close(start, line.len(), &mut s);
        }
        s.words += s.unspaced / 2;
        s
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
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
}

/// The languages `tok` is a function word of, lowercasing only when needed.
fn token_languages(tok: &str, buf: &mut String) -> u32 {
    if tok.len() > MAX_STOPWORD_BYTES {
        return 0;
    }
    if tok.bytes().all(|b| b.is_ascii_lowercase()) {
        return languages_of(tok);
    }
    lower_into(tok, buf);
    languages_of(buf)
}

fn lower_into(tok: &str, buf: &mut String) {
    buf.clear();
    if tok.len() > MAX_STOPWORD_BYTES {
        // Longer than any function word: no lookup will hit, skip the copy.
        buf.push('\u{0}');
        return;
    }
    if tok.is_ascii() {
        buf.push_str(tok);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(tok.chars().flat_map(char::to_lowercase));
    }
}

/// Scripts written without spaces between words.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0x0E00..=0x0E7F // Thai
        | 0xF900..=0xFAFF // CJK compatibility ideographs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for (code, text) in samples {
            let doubled = format!("{text} {text}");
            assert_eq!(
                Lang::detect([doubled.as_str()]).code(),
                Some(code),
                "{text}"
            );
        }
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
