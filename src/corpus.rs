//! Corpus-level repeated lines: the boilerplate a site repeats on every page.
//!
//! [`Counts`] counts, per host, in how many documents each normalised line
//! occurs (lowercased, digits folded to `0`, punctuation and white space
//! folded). Counts from shards of a corpus are merged by addition, so the
//! result is the same whatever the order of documents, shards or threads. The
//! [`CorpusRepeatPass`] drops lines seen in at least K documents of the same
//! host.
//!
//! # Format
//!
//! A counts file is UTF-8 text: a header line `# deboil-counts v1`, then one
//! row per (host, line key) sorted by host then key: `host<TAB>key<TAB>docs`,
//! with the key as 16 hex digits. Hosts are lowercase without `www.`; the empty
//! host groups documents without a URL.
//!
//! ```
//! use deboil::corpus::{Counts, line_key};
//!
//! let mut a = Counts::default();
//! a.add_document("example.com", "Subscribe to our newsletter!\nA story.\n");
//! let mut b = Counts::default();
//! b.add_document("example.com", "SUBSCRIBE to our newsletter\nAnother story.\n");
//! a.merge(b);
//! assert_eq!(a.get("example.com", line_key("subscribe to our newsletter")), 2);
//! let mut text = Vec::new();
//! a.write(&mut text)?;
//! assert_eq!(Counts::read(&text[..])?, a);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::io::{self, BufRead, Write};
use std::ops::ControlFlow;
use std::sync::{Arc, LazyLock};

use crate::document::Document;
use crate::error::{Error, Result};
use crate::pass::Pass;
use crate::text;
use crate::verdict::{Kind, Marks, Reason};

/// Header line of a counts file.
pub const HEADER: &str = "# deboil-counts v1";

/// The key of a line: FNV-1a 64 of its normalisation (lowercase, digits as
/// `0`, runs of anything but letters and digits as one space, trimmed).
/// `None` for lines with no letter or digit.
pub fn try_line_key(line: &str) -> Option<u64> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut any = false;
    let ControlFlow::Continue(()) = text::walk_normalized::<Infallible>(line, true, |c| {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
        any = true;
        ControlFlow::Continue(())
    });
    any.then_some(h)
}

/// [`try_line_key`] with 0 for lines without letters or digits.
pub fn line_key(line: &str) -> u64 {
    try_line_key(line).unwrap_or(0)
}

/// The host of a URL: lowercase, without scheme, user, port and `www.`.
///
/// ```
/// assert_eq!(deboil::corpus::host_of("https://WWW.Example.com:8080/a/b?c"), "example.com");
/// assert_eq!(deboil::corpus::host_of("example.org/page"), "example.org");
/// ```
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    let host = host.to_ascii_lowercase();
    host.strip_prefix("www.")
        .map(str::to_string)
        .unwrap_or(host)
}

/// Document counts per (host, line key).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    map: HashMap<String, HashMap<u64, u32>>,
}

impl Counts {
    /// Count the distinct line keys of one document of `host`.
    pub fn add_document(&mut self, host: &str, text: &str) {
        let keys = document_keys(text);
        self.add_keys(host, &keys);
    }

    /// Count a document given its distinct keys (see [`document_keys`]).
    pub fn add_keys(&mut self, host: &str, keys: &HashSet<u64>) {
        if keys.is_empty() {
            return;
        }
        let per_host = match self.map.get_mut(host) {
            Some(m) => m,
            None => self.map.entry(host.to_string()).or_default(),
        };
        for &k in keys {
            let n = per_host.entry(k).or_insert(0);
            *n = n.saturating_add(1);
        }
    }

    /// Add `other` into `self`.
    pub fn merge(&mut self, other: Counts) {
        for (host, keys) in other.map {
            let per_host = self.map.entry(host).or_default();
            for (k, n) in keys {
                let e = per_host.entry(k).or_insert(0);
                *e = e.saturating_add(n);
            }
        }
    }

    /// Documents of `host` that contain a line with `key`.
    pub fn get(&self, host: &str, key: u64) -> u32 {
        self.map
            .get(host)
            .and_then(|m| m.get(&key))
            .copied()
            .unwrap_or(0)
    }

    /// Number of (host, key) entries.
    pub fn len(&self) -> usize {
        self.map.values().map(HashMap::len).sum()
    }

    /// True when nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Write in the counts format, sorted (so equal counts give equal files).
    pub fn write<W: Write>(&self, mut w: W) -> io::Result<()> {
        writeln!(w, "{HEADER}")?;
        let sorted: BTreeMap<&String, BTreeMap<u64, u32>> = self
            .map
            .iter()
            .map(|(h, m)| (h, m.iter().map(|(k, n)| (*k, *n)).collect()))
            .collect();
        for (host, keys) in sorted {
            for (k, n) in keys {
                writeln!(w, "{host}\t{k:016x}\t{n}")?;
            }
        }
        w.flush()
    }

    /// Read the counts format; `min_docs` > 1 keeps only entries at least that
    /// large (what cleaning needs, in less memory).
    pub fn read_min<R: BufRead>(r: R, min_docs: u32) -> Result<Counts> {
        let mut counts = Counts::default();
        let bad = |line: usize, msg: &str| Error::Config(format!("counts line {line}: {msg}"));
        for (i, line) in r.lines().enumerate() {
            let line = line.map_err(|e| Error::Config(format!("counts line {}: {e}", i + 1)))?;
            if i == 0 {
                if line != HEADER {
                    return Err(bad(1, &format!("expected {HEADER:?}")));
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(host), Some(key), Some(n), None) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                return Err(bad(i + 1, "expected host<TAB>key<TAB>docs"));
            };
            let key = u64::from_str_radix(key, 16).map_err(|_| bad(i + 1, "key is not hex"))?;
            let n: u32 = n.parse().map_err(|_| bad(i + 1, "docs is not a number"))?;
            if n >= min_docs {
                let per_host = counts.map.entry(host.to_string()).or_default();
                let e = per_host.entry(key).or_insert(0);
                *e = e.saturating_add(n);
            }
        }
        Ok(counts)
    }

    /// Read the counts format.
    pub fn read<R: BufRead>(r: R) -> Result<Counts> {
        Counts::read_min(r, 0)
    }
}

/// The distinct keys of the non-blank lines of `text`.
pub fn document_keys(text: &str) -> HashSet<u64> {
    text.lines().filter_map(try_line_key).collect()
}

/// Drops lines seen in at least `min_docs` documents of the document's host.
#[derive(Clone, Debug)]
pub struct CorpusRepeatPass {
    counts: Arc<Counts>,
    min_docs: u32,
}

impl CorpusRepeatPass {
    /// The pass name.
    pub const NAME: &'static str = "corpus-repeat";

    /// A pass over `counts` dropping lines seen in at least `min_docs` documents.
    pub fn new(counts: Arc<Counts>, min_docs: u32) -> CorpusRepeatPass {
        CorpusRepeatPass {
            counts,
            min_docs: min_docs.max(1),
        }
    }
}

// The pass's reasons, built once: a document's drops share them.
static HOST_LINES: LazyLock<Reason> = LazyLock::new(|| {
    Reason::new(
        CorpusRepeatPass::NAME,
        "corpus-repeat.host-lines",
        Kind::CorpusRepeat,
    )
});

impl Pass for CorpusRepeatPass {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn apply(&self, doc: &Document<'_>, marks: &mut Marks) {
        let host = doc.host().unwrap_or("");
        let Some(per_host) = self.counts.map.get(host) else {
            return;
        };
        let reason = &*HOST_LINES;
        for (i, line) in doc.lines().iter().enumerate() {
            if line.is_blank() || marks.is_dropped(i) {
                continue;
            }
            if let Some(key) = try_line_key(doc.line_text(i))
                && per_host.get(&key).is_some_and(|&n| n >= self.min_docs)
            {
                marks.drop_line(i, reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_digits_and_punctuation() {
        assert_eq!(
            line_key("Posted 12 May 2019!"),
            line_key("posted 99 may 1024")
        );
        assert_ne!(line_key("a b"), line_key("ab"));
        assert_eq!(try_line_key("--- * ---"), None);
    }

    #[test]
    fn a_document_counts_a_line_once() {
        let mut c = Counts::default();
        c.add_document("h", "Menu\nMenu\nMenu\n");
        assert_eq!(c.get("h", line_key("menu")), 1);
    }

    #[test]
    fn merge_is_order_independent() {
        let docs = ["A\nB\n", "B\nC\n", "C\nA\nB\n"];
        let mut fwd = Counts::default();
        for d in docs {
            fwd.add_document("h", d);
        }
        let mut rev = Counts::default();
        for d in docs.iter().rev() {
            let mut one = Counts::default();
            one.add_document("h", d);
            rev.merge(one);
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        fwd.write(&mut a).unwrap();
        rev.write(&mut b).unwrap();
        assert_eq!(a, b);
        assert_eq!(fwd.get("h", line_key("b")), 3);
    }

    #[test]
    fn bad_counts_file_names_the_line() {
        let err = Counts::read(&b"# deboil-counts v1\nh\tzz\t1\n"[..]).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(Counts::read(&b"nope\n"[..]).is_err());
    }

    #[test]
    fn read_min_keeps_large_entries_only() {
        let text = b"# deboil-counts v1\nh\t0000000000000001\t2\nh\t0000000000000002\t9\n";
        let c = Counts::read_min(&text[..], 5).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c.get("h", 2), 9);
    }
}
