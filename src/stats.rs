//! Counts of what a run kept and dropped.

use std::collections::BTreeMap;
use std::ops::{Add, AddAssign};
use std::sync::Arc;

use serde::Serialize;

/// Counts over one or many documents. Merge per-thread stats with `+=`.
///
/// ```
/// use deboil::Stats;
///
/// let mut a = Stats::default();
/// a.documents = 1;
/// let mut b = Stats::default();
/// b.documents = 2;
/// a += b;
/// assert_eq!(a.documents, 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Documents cleaned.
    pub documents: u64,
    /// Non-blank input lines.
    pub lines_in: u64,
    /// Non-blank lines dropped.
    pub lines_dropped: u64,
    /// Input bytes.
    pub bytes_in: u64,
    /// Output bytes.
    pub bytes_out: u64,
    /// Dropped lines per kind.
    pub by_kind: BTreeMap<&'static str, u64>,
    /// Dropped lines per pass.
    pub by_pass: BTreeMap<&'static str, u64>,
    /// Dropped lines per rule id.
    pub by_rule: BTreeMap<Arc<str>, u64>,
}

impl Stats {
    /// Write a human-readable summary.
    pub fn write_text<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        let pct = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        writeln!(w, "documents\t{}", self.documents)?;
        writeln!(
            w,
            "lines\t{} in, {} dropped ({:.1}%)",
            self.lines_in,
            self.lines_dropped,
            pct(self.lines_dropped, self.lines_in)
        )?;
        writeln!(
            w,
            "bytes\t{} in, {} out ({:.1}% kept)",
            self.bytes_in,
            self.bytes_out,
            pct(self.bytes_out, self.bytes_in)
        )?;
        let by_kind = self.by_kind.iter().map(|(k, n)| ("kind", &**k, n));
        let by_pass = self.by_pass.iter().map(|(k, n)| ("pass", &**k, n));
        let by_rule = self.by_rule.iter().map(|(k, n)| ("rule", &**k, n));
        for (title, name, n) in by_kind.chain(by_pass).chain(by_rule) {
            writeln!(w, "{title}\t{name}\t{n}")?;
        }
        Ok(())
    }
}

fn merge<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
    for (k, v) in from {
        *into.entry(k).or_insert(0) += v;
    }
}

impl AddAssign for Stats {
    fn add_assign(&mut self, rhs: Stats) {
        self.documents += rhs.documents;
        self.lines_in += rhs.lines_in;
        self.lines_dropped += rhs.lines_dropped;
        self.bytes_in += rhs.bytes_in;
        self.bytes_out += rhs.bytes_out;
        merge(&mut self.by_kind, rhs.by_kind);
        merge(&mut self.by_pass, rhs.by_pass);
        merge(&mut self.by_rule, rhs.by_rule);
    }
}

impl Add for Stats {
    type Output = Stats;
    fn add(mut self, rhs: Stats) -> Stats {
        self += rhs;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addition_merges_maps() {
        let mut a = Stats {
            documents: 1,
            lines_in: 10,
            ..Stats::default()
        };
        a.by_kind.insert("ad", 2);
        let mut b = Stats {
            documents: 2,
            lines_in: 5,
            ..Stats::default()
        };
        b.by_kind.insert("ad", 1);
        b.by_kind.insert("widget", 4);
        let c = a + b;
        assert_eq!(c.documents, 3);
        assert_eq!(c.lines_in, 15);
        assert_eq!(c.by_kind["ad"], 3);
        assert_eq!(c.by_kind["widget"], 4);
    }

    #[test]
    fn text_summary_names_kinds() {
        let mut s = Stats::default();
        s.by_kind.insert("ad", 2);
        let mut out = Vec::new();
        s.write_text(&mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("kind\tad\t2"));
    }
}
