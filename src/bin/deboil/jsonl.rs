//! JSON Lines records: the text field is parsed; every other field is kept as
//! raw JSON and written back byte for byte, in its original order.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// One record: its fields in order, values unparsed.
pub struct Record<'a> {
    pub fields: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Record<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Record<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Record<'a>, M::Error> {
                let mut fields = Vec::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    fields.push((key, value));
                }
                Ok(Record { fields })
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'a> Record<'a> {
    /// Parse one line.
    pub fn parse(line: &'a str) -> serde_json::Result<Record<'a>> {
        serde_json::from_str(line)
    }

    /// The raw value of `name`.
    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }

    /// The string value of `name`, unescaped; `None` when absent or not a string.
    pub fn get_str(&self, name: &str) -> Option<Cow<'a, str>> {
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

    /// Write the record with field `text_field` replaced by `text` and, if
    /// given, a trailing field `extra` = raw JSON.
    pub fn write_with(
        &self,
        out: &mut Vec<u8>,
        text_field: &str,
        text: &str,
        extra: Option<(&str, &str)>,
    ) {
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
            if k == text_field {
                write_str(out, text);
            } else {
                out.extend_from_slice(v.get().as_bytes());
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

/// Write `s` as a JSON string.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing a str into a Vec cannot fail.
    serde_json::to_writer(&mut *out, s).expect("writing JSON into a Vec");
}

/// A JSON error with its message only (the column is useful; "line 1" is not).
pub fn describe(err: &serde_json::Error) -> String {
    let msg = err.to_string();
    match msg.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &msg[..i], err.column()),
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_order_and_raw_values() {
        let line = r#"{"b": 1.50, "text": "a\nb", "a": {"x": [1, 2]}}"#;
        let rec = Record::parse(line).unwrap();
        assert_eq!(rec.get_str("text").unwrap(), "a\nb");
        let mut out = Vec::new();
        rec.write_with(&mut out, "text", "new", Some(("spans", "[]")));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"b\":1.50,\"text\":\"new\",\"a\":{\"x\": [1, 2]},\"spans\":[]}\n"
        );
    }

    #[test]
    fn non_object_is_an_error() {
        assert!(Record::parse("[1,2]").is_err());
        assert!(Record::parse("{\"a\":").is_err());
    }
}
