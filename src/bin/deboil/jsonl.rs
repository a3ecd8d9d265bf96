//! JSON Lines records: the text field is parsed; every other field is kept as
//! raw JSON and written back byte for byte, in its original order.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// One record: its fields in order, values unparsed except the text field's.
pub struct Record<'a> {
    text_field: &'a str,
    /// The first value of the text field, when it is a string.
    text: Option<Cow<'a, str>>,
    /// Every field; `None` for the text field, whose value is `text`.
    fields: Vec<(Cow<'a, str>, Option<&'a RawValue>)>,
}

/// Reads one record, parsing the text field's value in the same pass.
struct RecordSeed<'f>(&'f str);

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
        };
        let mut seen_text = false;
        // Keys are read as string values are: borrowed from the line when
        // they hold no escape (serde's own `Cow` always copies).
        while let Some(MaybeStr(key)) = map.next_key()? {
            let key = key.ok_or_else(|| de::Error::custom("an object key that is no string"))?;
            if key == self.0 {
                let MaybeStr(value) = map.next_value()?;
                if !seen_text {
                    rec.text = value;
                    seen_text = true;
                }
                rec.fields.push((key, None));
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
    pub fn parse(line: &'a str, text_field: &'a str) -> serde_json::Result<Record<'a>> {
        let mut de = serde_json::Deserializer::from_str(line);
        let mut rec = RecordSeed(text_field).deserialize(&mut de)?;
        de.end()?;
        rec.text_field = text_field;
        Ok(rec)
    }

    /// The text field's value, unescaped; `None` when absent or not a string.
    pub fn text(&self) -> Option<&Cow<'a, str>> {
        self.text.as_ref()
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_first_text_value_counts_and_every_copy_is_rewritten() {
        let rec = Record::parse(r#"{"text": "one", "text": "two"}"#, "text").unwrap();
        assert_eq!(rec.text().unwrap(), "one");
        let mut out = Vec::new();
        rec.write_with(&mut out, "x", None);
        assert_eq!(out, b"{\"text\":\"x\",\"text\":\"x\"}\n");
    }
}
