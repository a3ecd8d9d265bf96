//! JSON Lines records: the text field is parsed; every other field is kept as
//! raw JSON and written back byte for byte, in its original order.
//!
//! The rules, which the command line follows:
//! - a record is one JSON object per line; anything else is an error
//!   ([`Record::parse`] says what the line starts with);
//! - when the text field appears more than once, the last value is the
//!   record's text, as Python's `json` and `serde_json::Value` read it; the
//!   earlier copies are not written back ([`Record::duplicate_text_keys`]);
//! - the escape of a lone UTF-16 surrogate (`"\ud800"`, which Python's
//!   `json.dumps` writes for text that held one) is no Unicode text:
//!   [`repair_lone_surrogates`] turns it into U+FFFD before parsing;
//! - a rewritten record ends in `}` and a newline; the cleaned text is
//!   written as it comes from cleaning (kept lines with their terminators).
//!
//! ```
//! use deboil::jsonl::Record;
//!
//! let rec = Record::parse(r#"{"id": 7, "text": "a\nb"}"#, "text")?;
//! assert_eq!(rec.text().unwrap(), "a\nb");
//! let mut out = Vec::new();
//! rec.write_with(&mut out, "a\n", None);
//! assert_eq!(out, b"{\"id\":7,\"text\":\"a\\n\"}\n");
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// One record: its fields in order, values unparsed except the text field's.
pub struct Record<'a> {
    text_field: &'a str,
    /// The last value of the text field, when it is a string.
    text: Option<Cow<'a, str>>,
    /// Every field; `None` for the text field, whose value is `text`. Of a
    /// text field given more than once, only the last is here.
    fields: Vec<(Cow<'a, str>, Option<&'a RawValue>)>,
    /// Copies of the text field before the last one.
    duplicates: usize,
}

/// Reads one record, parsing the text field's value in the same pass; with
/// `raw_text`, keeps the text field's value raw like any other (the second
/// reading of a record whose text is not a string).
struct RecordSeed<'f> {
    text_field: &'f str,
    raw_text: bool,
}

impl<'de: 'f, 'f> DeserializeSeed<'de> for RecordSeed<'f> {
    type Value = Record<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Record<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'f, 'f> Visitor<'de> for RecordSeed<'f> {
    type Value = Record<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Record<'de>, M::Error> {
        let mut rec = Record {
            text_field: "",
            text: None,
            fields: Vec::new(),
            duplicates: 0,
        };
        // Keys are read as string values are: borrowed from the line when
        // they hold no escape (serde's own `Cow` always copies).
        while let Some(MaybeStr(key)) = map.next_key()? {
            let key = key.ok_or_else(|| de::Error::custom("an object key that is no string"))?;
            if key == self.text_field {
                // The last copy wins: an earlier one is dropped from the fields.
                if let Some(at) = rec
                    .fields
                    .iter()
                    .position(|(k, v)| v.is_none() || (self.raw_text && *k == self.text_field))
                {
                    rec.fields.remove(at);
                    rec.duplicates += 1;
                }
                if self.raw_text {
                    let value: &'de RawValue = map.next_value()?;
                    rec.fields.push((key, Some(value)));
                } else {
                    let MaybeStr(value) = map.next_value()?;
                    rec.text = value;
                    rec.fields.push((key, None));
                }
            } else {
                let value: &'de RawValue = map.next_value()?;
                rec.fields.push((key, Some(value)));
            }
        }
        Ok(rec)
    }
}

/// Any JSON value: `Some` when it is a string.
struct MaybeStr<'a>(Option<Cow<'a, str>>);

impl<'de> serde::Deserialize<'de> for MaybeStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Cow::Owned(v))))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'a> Record<'a> {
    /// Parse one line, unescaping the string value of `text_field` on the way.
    ///
    /// A line that is no JSON object is an error that says what it starts with.
    pub fn parse(line: &'a str, text_field: &'a str) -> serde_json::Result<Record<'a>> {
        let start = line.trim_start_matches([' ', '\t', '\n', '\r']);
        if !start.starts_with('{') {
            let head: String = start.chars().take(24).collect();
            let what = match start.as_bytes().first() {
                Some(b'[') => "an array",
                Some(b'"') => "a string",
                Some(b'-' | b'0'..=b'9') => "a number",
                Some(_)
                    if ["true", "false", "null"]
                        .iter()
                        .any(|w| start.starts_with(w)) =>
                {
                    "a literal"
                }
                Some(_) => "no JSON",
                None => "nothing",
            };
            let more = if start.chars().nth(24).is_some() {
                "…"
            } else {
                ""
            };
            return Err(de::Error::custom(format!(
                "not a JSON object: a record is one object per line, this line is {what} ({head:?}{more})"
            )));
        }
        let read = |raw_text| -> serde_json::Result<Record<'a>> {
            let mut de = serde_json::Deserializer::from_str(line);
            let mut rec = RecordSeed {
                text_field,
                raw_text,
            }
            .deserialize(&mut de)?;
            de.end()?;
            rec.text_field = text_field;
            Ok(rec)
        };
        let rec = read(false)?;
        if rec.text.is_none() && rec.fields.iter().any(|(_, v)| v.is_none()) {
            // The text field is there but no string (a number, null, an
            // object): read again keeping its value, which is written back
            // as it was.
            return read(true);
        }
        Ok(rec)
    }

    /// The text field's value, unescaped; `None` when absent or not a string.
    pub fn text(&self) -> Option<&Cow<'a, str>> {
        self.text.as_ref()
    }

    /// How many copies of the text field came before its last one (which is
    /// the record's text); they are not written back.
    pub fn duplicate_text_keys(&self) -> usize {
        self.duplicates
    }

    /// The raw value of `name` (not the text field).
    fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| *v)
    }

    /// The string value of `name`, unescaped; `None` when absent or not a string.
    pub fn get_str(&self, name: &str) -> Option<Cow<'a, str>> {
        if name == self.text_field {
            return self.text.clone();
        }
        let raw = self.get(name)?;
        serde_json::from_str::<Cow<'a, str>>(raw.get()).ok()
    }

    /// A display form of `name` for messages: a string unquoted, anything else raw.
    pub fn id(&self, name: &str) -> Option<String> {
        match self.get_str(name) {
            Some(s) => Some(s.into_owned()),
            None => self.get(name).map(|r| r.get().to_string()),
        }
    }

    /// Write the record with the text field replaced by `text` and, if
    /// given, a trailing field `extra` = raw JSON.
    pub fn write_with(&self, out: &mut Vec<u8>, text: &str, extra: Option<(&str, &str)>) {
        out.push(b'{');
        let mut first = true;
        let mut sep = |out: &mut Vec<u8>| {
            if !first {
                out.push(b',');
            }
            first = false;
        };
        for (k, v) in &self.fields {
            sep(out);
            write_str(out, k);
            out.push(b':');
            match v {
                None => write_str(out, text),
                Some(v) => out.extend_from_slice(v.get().as_bytes()),
            }
        }
        if let Some((k, raw)) = extra {
            sep(out);
            write_str(out, k);
            out.push(b':');
            out.extend_from_slice(raw.as_bytes());
        }
        out.extend_from_slice(b"}\n");
    }
}

/// Write `s` as a JSON string, escaped exactly as `serde_json` escapes it.
///
/// Page text is mostly plain: runs of eight bytes that need no escape are
/// skipped a word at a time, then copied at once.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            let escapes = escapes(word);
            if escapes == 0 {
                i += 8;
                continue;
            }
            // Straight to the first byte to escape (a line's end, mostly).
            i += escapes.trailing_zeros() as usize / 8;
        }
        let b = bytes[i];
        let escape = ESCAPE[b as usize];
        i += 1;
        if escape == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i - 1]);
        start = i;
        if escape == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(&[b'\\', escape]);
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The high bit of each byte of `word` (little-endian) that is a control
/// char, `"` or `\` (the bytes JSON escapes), and maybe of some bytes after
/// the first such one: zero exactly when none is, and the lowest bit set is
/// exact. `(v - 0x01..) & !v & 0x80..` marks the lowest zero byte of `v`
/// exactly (a borrow only runs upwards from it), and `v - 0x20..` the
/// lowest byte below 0x20.
fn escapes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zeros = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    control | zeros(word ^ (ONES * u64::from(b'"'))) | zeros(word ^ (ONES * u64::from(b'\\')))
}

/// The escape of each byte: 0 for none, `u` for `\u00XX`, else the char after `\`.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// A JSON error with its message only (the column is useful; "line 1" is not).
pub fn describe(err: &serde_json::Error) -> String {
    let msg = err.to_string();
    match msg.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &msg[..i], err.column()),
        None => msg,
    }
}

/// `line` with the escape of each lone UTF-16 surrogate (`\ud800` not
/// followed by a low surrogate's escape, or `\udc00` not preceded by a high
/// one) replaced by `\ufffd`, U+FFFD; `None` when it has none (the common
/// case, found without copying). Such an escape is valid JSON syntax but no
/// Unicode text, so a parser into Rust strings rejects the line; Python's
/// `json.dumps` writes one for a string that held a lone surrogate.
///
/// ```
/// use deboil::jsonl::repair_lone_surrogates;
///
/// assert_eq!(repair_lone_surrogates(r#"{"text":"a\ud800b"}"#).unwrap(), r#"{"text":"a\ufffdb"}"#);
/// // A pair is one char, and an escaped backslash is no escape.
/// assert_eq!(repair_lone_surrogates(r#"{"text":"\ud83d\ude00 \\ud800"}"#), None);
/// ```
pub fn repair_lone_surrogates(line: &str) -> Option<String> {
    let b = line.as_bytes();
    // Every surrogate escape starts `\ud` or `\uD`: most lines have none.
    let maybe =
        memchr::memmem::find_iter(b, b"\\u").any(|i| matches!(b.get(i + 2), Some(b'd' | b'D')));
    if !maybe {
        return None;
    }
    let unit = |at: usize| -> Option<u16> {
        let hex = b.get(at..at + 4)?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let escape_at = |at: usize| b.get(at) == Some(&b'\\') && b.get(at + 1) == Some(&b'u');
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        let at = i + off;
        if b.get(at + 1) != Some(&b'u') {
            // `\\`, `\"`, `\n`…: skip the escaped char.
            i = at + 2;
            continue;
        }
        i = at + 2;
        let Some(u) = unit(at + 2) else { continue };
        i = at + 6;
        let lone = match u {
            0xD800..=0xDBFF => {
                let paired = escape_at(at + 6)
                    && unit(at + 8).is_some_and(|l| (0xDC00..=0xDFFF).contains(&l));
                if paired {
                    i = at + 12;
                }
                !paired
            }
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            out.push_str(&line[copied..at]);
            out.push_str("\\ufffd");
            copied = at + 6;
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&line[copied..]);
    Some(out)
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// JSONL line `n` (1-based) without the byte order mark the first line
/// may start with: it is no part of the record (RFC 8259 lets parsers
/// ignore one), and it is not written back.
pub fn without_bom(n: u64, line: &[u8]) -> &[u8] {
    match line.strip_prefix(BOM) {
        Some(rest) if n == 1 => rest,
        _ => line,
    }
}

/// A JSONL line made ready for [`Record::parse`], and what was repaired in it.
#[derive(Debug)]
pub struct Line<'a> {
    /// The line as text.
    pub text: Cow<'a, str>,
    /// Invalid UTF-8 was replaced with U+FFFD.
    pub invalid_utf8: bool,
    /// Escapes of lone surrogates were replaced (see [`repair_lone_surrogates`]).
    pub lone_surrogates: bool,
}

/// JSONL line `n` (1-based) as read, made ready to parse: without the first
/// line's byte order mark ([`without_bom`]), invalid UTF-8 and escapes of
/// lone surrogates replaced with U+FFFD. `None` for an empty or white-space
/// line, which holds no record.
pub fn prepare(n: u64, bytes: &[u8]) -> Option<Line<'_>> {
    let bytes = without_bom(n, bytes);
    // simdutf8: the same check as std's, several times faster on long lines.
    let (text, invalid_utf8) = match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    };
    if text.trim().is_empty() {
        return None;
    }
    Some(match repair_lone_surrogates(&text) {
        Some(fixed) => Line {
            text: Cow::Owned(fixed),
            invalid_utf8,
            lone_surrogates: true,
        },
        None => Line {
            text,
            invalid_utf8,
            lone_surrogates: false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_skips_blank_lines_and_reports_repairs() {
        assert!(prepare(1, b" \t\r").is_none());
        let line = prepare(1, b"\xEF\xBB\xBF{\"text\":\"\\ud800 \xFF\"}").unwrap();
        assert_eq!(line.text, "{\"text\":\"\\ufffd \u{FFFD}\"}");
        assert!(line.invalid_utf8 && line.lone_surrogates);
        // The mark is the first line's only.
        let line = prepare(2, b"\xEF\xBB\xBF{}").unwrap();
        assert!(line.text.starts_with('\u{FEFF}'));
        assert!(!line.invalid_utf8 && !line.lone_surrogates);
    }

    #[test]
    fn round_trip_keeps_order_and_raw_values() {
        let line = r#"{"b": 1.50, "text": "a\nb", "a": {"x": [1, 2]}}"#;
        let rec = Record::parse(line, "text").unwrap();
        assert_eq!(rec.text().unwrap(), "a\nb");
        assert_eq!(rec.get_str("b"), None);
        assert_eq!(rec.id("b").unwrap(), "1.50");
        let mut out = Vec::new();
        rec.write_with(&mut out, "new", Some(("spans", "[]")));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"b\":1.50,\"text\":\"new\",\"a\":{\"x\": [1, 2]},\"spans\":[]}\n"
        );
    }

    #[test]
    fn keys_with_escapes_are_read_unescaped() {
        // A key spelled with an escape is the same key: here the text field.
        let line = r#"{"a\"b": 1, "te\u0078t": "x\ny", "plain": true}"#;
        let rec = Record::parse(line, "text").unwrap();
        assert_eq!(rec.text().unwrap(), "x\ny");
        assert_eq!(rec.id("a\"b").unwrap(), "1");
        assert_eq!(rec.id("plain").unwrap(), "true");
        let mut out = Vec::new();
        rec.write_with(&mut out, "new", None);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\\\"b\":1,\"text\":\"new\",\"plain\":true}\n"
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut cases: Vec<String> = vec![
            String::new(),
            "plain text that runs past eight bytes".into(),
            "\"quoted\" \\ back\\slash\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}/ é 中文 😀".into(),
        ];
        // Every byte below 0x80 at every offset of a word.
        for b in 0u8..0x80 {
            for at in 0..10 {
                let mut s = "x".repeat(at);
                s.push(char::from(b));
                s.push_str("yyyyyyyy");
                cases.push(s);
            }
        }
        // Two bytes to escape (or not) at every pair of offsets in a word: the
        // first one found must not hide the second.
        let some = [
            '\0', '\u{1}', '\n', '\t', '\u{1f}', '"', '\\', '\u{7f}', 'é',
        ];
        for a in some {
            for b in some {
                for at in 0..10 {
                    for gap in 0..9 {
                        cases.push(format!(
                            "{}{a}{}{b}zzzzzzzz",
                            "x".repeat(at),
                            "y".repeat(gap)
                        ));
                    }
                }
            }
        }
        for s in cases {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&s).unwrap(),
                "{s:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in "(?s).{0,40}|[\\x00-\\x7f]{0,40}") {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }

    #[test]
    fn non_object_is_an_error() {
        assert!(Record::parse("[1,2]", "text").is_err());
        assert!(Record::parse("{\"a\":", "text").is_err());
        assert!(Record::parse("{\"a\":1} x", "text").is_err());
    }

    #[test]
    fn a_text_field_of_another_type_is_no_text_but_parses() {
        for value in [
            "null",
            "3",
            "-1.5e3",
            "true",
            "[1, {\"a\": \"b\"}]",
            "{\"x\": [\"y\"]}",
        ] {
            let line = format!("{{\"text\": {value}, \"id\": \"k\"}}");
            let rec = Record::parse(&line, "text").unwrap();
            assert!(rec.text().is_none(), "{value}");
            assert_eq!(rec.get_str("id").unwrap(), "k");
        }
    }

    #[test]
    fn the_last_text_value_counts_and_only_it_is_written_back() {
        let rec = Record::parse(r#"{"text": "one", "id": 1, "text": "two"}"#, "text").unwrap();
        assert_eq!(rec.text().unwrap(), "two");
        assert_eq!(rec.duplicate_text_keys(), 1);
        let mut out = Vec::new();
        rec.write_with(&mut out, "x", None);
        assert_eq!(out, b"{\"id\":1,\"text\":\"x\"}\n");
        // As serde_json's Value (and Python's json) read it.
        let value: serde_json::Value =
            serde_json::from_str(r#"{"text": "one", "text": "two"}"#).unwrap();
        assert_eq!(value["text"], "two");
    }

    #[test]
    fn a_line_that_is_no_object_says_what_it_is() {
        for (line, what) in [
            ("hello", "no JSON"),
            ("[1, 2]", "an array"),
            ("\"text\"", "a string"),
            ("-3", "a number"),
            ("null", "a literal"),
            ("   ", "nothing"),
        ] {
            let err = Record::parse(line, "text").err().unwrap().to_string();
            assert!(
                err.contains(&format!("this line is {what}")),
                "{line}: {err}"
            );
            assert!(err.starts_with("not a JSON object"), "{err}");
        }
    }

    #[test]
    fn lone_surrogates_become_replacement_chars_and_pairs_stay() {
        let cases = [
            (r#""\ud800""#, Some(r#""\ufffd""#)),
            (r#""\uDC00x""#, Some(r#""\ufffdx""#)),
            (r#""\ud800\ud800\udc00""#, Some(r#""\ufffd\ud800\udc00""#)),
            (r#""\ud800\u0041""#, Some(r#""\ufffd\u0041""#)),
            (r#""\udbff""#, Some(r#""\ufffd""#)),
            (r#""\ud83d\ude00""#, None),
            (r#""\\ud800""#, None),
            (r#""\\\ud800""#, Some(r#""\\\ufffd""#)),
            (r#""\ud8""#, None),
            ("\"\\ud800", Some("\"\\ufffd")),
            ("\\", None),
        ];
        for (line, want) in cases {
            assert_eq!(repair_lone_surrogates(line).as_deref(), want, "{line}");
        }
        // The repaired line parses, and its text has U+FFFD where the surrogate was.
        let fixed = repair_lone_surrogates(r#"{"text": "a\ud800b"}"#).unwrap();
        assert_eq!(
            Record::parse(&fixed, "text").unwrap().text().unwrap(),
            "a\u{fffd}b"
        );
    }

    #[test]
    fn a_text_field_that_is_no_string_is_written_back_as_it_was() {
        // Found by the jsonl fuzz property: the value was replaced by the new text.
        for line in [
            r#"{"body":"x","text":7}"#,
            r#"{"text":"old","text":{"a":[1]},"id":2}"#,
        ] {
            let rec = Record::parse(line, "text").unwrap();
            assert!(rec.text().is_none());
            let mut out = Vec::new();
            rec.write_with(&mut out, "new", None);
            let got: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let want: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(got, want, "{line}");
        }
    }
}
