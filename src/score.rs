//! Scoring cleaned text against gold text: the shingle metric of the Zyte
//! article-extraction benchmark, so users can measure on their own labelled data.
//!
//! * tokens are the matches of `\w+` (Unicode, case kept);
//! * a text is the multiset of its 4-token shingles (a text of 1 to 3 tokens is
//!   one shorter shingle);
//! * per document, tp/fp/fn are the multiset intersection and differences of
//!   gold and predicted shingles, divided by their sum;
//! * precision is averaged over documents with a non-empty prediction, recall
//!   over documents with a non-empty gold text, and F1 is the harmonic mean of
//!   the two averages.
//!
//! ```
//! use deboil::score::{DocScore, Summary};
//!
//! let d = DocScore::new("the cat sat on the mat", "the cat sat on the mat today");
//! assert_eq!(d.recall(), Some(1.0));
//! let s = Summary::of(&[d]);
//! assert!(s.f1 > 0.8 && s.f1 < 1.0);
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\w+").expect("a valid pattern"));

/// Shingle length.
pub const SHINGLE: usize = 4;

fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let toks: Vec<&str> = WORD.find_iter(text).map(|m| m.as_str()).collect();
    let mut out = HashMap::new();
    if toks.is_empty() {
        return out;
    }
    if toks.len() <= SHINGLE {
        out.insert(toks, 1);
        return out;
    }
    for w in toks.windows(SHINGLE) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// Normalised true positives, false positives and false negatives of one document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct DocScore {
    /// Shared shingles.
    pub tp: f64,
    /// Predicted shingles not in the gold text.
    pub fp: f64,
    /// Gold shingles not predicted.
    pub fn_: f64,
}

impl DocScore {
    /// Compare `gold` with `pred`.
    pub fn new(gold: &str, pred: &str) -> DocScore {
        let g = shingles(gold);
        let p = shingles(pred);
        let mut tp = 0usize;
        let mut fp = 0usize;
        for (s, &n) in &p {
            let m = g.get(s).copied().unwrap_or(0);
            tp += n.min(m);
            fp += n.saturating_sub(m);
        }
        let fn_: usize = g
            .iter()
            .map(|(s, &n)| n.saturating_sub(p.get(s).copied().unwrap_or(0)))
            .sum();
        let total = (tp + fp + fn_) as f64;
        if total == 0.0 {
            return DocScore::default();
        }
        DocScore {
            tp: tp as f64 / total,
            fp: fp as f64 / total,
            fn_: fn_ as f64 / total,
        }
    }

    /// Precision, or `None` for an empty prediction.
    pub fn precision(&self) -> Option<f64> {
        if self.tp + self.fp == 0.0 {
            return None;
        }
        Some(if self.fp == 0.0 && self.fn_ == 0.0 {
            1.0
        } else {
            self.tp / (self.tp + self.fp)
        })
    }

    /// Recall, or `None` for an empty gold text.
    pub fn recall(&self) -> Option<f64> {
        if self.tp + self.fn_ == 0.0 {
            return None;
        }
        Some(if self.fp == 0.0 && self.fn_ == 0.0 {
            1.0
        } else {
            self.tp / (self.tp + self.fn_)
        })
    }
}

/// Averages over documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Documents scored.
    pub docs: usize,
    /// Mean precision over documents with a non-empty prediction.
    pub precision: f64,
    /// Mean recall over documents with a non-empty gold text.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
    /// Documents with an empty prediction.
    pub empty: usize,
}

impl Summary {
    /// Aggregate per-document scores.
    pub fn of(docs: &[DocScore]) -> Summary {
        let mean = |v: Vec<f64>| {
            if v.is_empty() {
                0.0
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        let precision = mean(docs.iter().filter_map(DocScore::precision).collect());
        let recall = mean(docs.iter().filter_map(DocScore::recall).collect());
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        let empty = docs.iter().filter(|d| d.tp + d.fp == 0.0).count();
        Summary {
            docs: docs.len(),
            precision,
            recall,
            f1,
            empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_score_one() {
        let d = DocScore::new("one two three four five", "one two three four five");
        assert_eq!((d.precision(), d.recall()), (Some(1.0), Some(1.0)));
    }

    #[test]
    fn empty_prediction_costs_recall_only() {
        let docs = [
            DocScore::new("a b c d e", "a b c d e"),
            DocScore::new("x y z w v", ""),
        ];
        let s = Summary::of(&docs);
        assert_eq!(s.precision, 1.0);
        assert_eq!(s.recall, 0.5);
        assert_eq!(s.empty, 1);
    }

    #[test]
    fn short_texts_are_one_shingle() {
        let d = DocScore::new("a b", "a b c");
        assert_eq!(d.tp, 0.0);
        assert_eq!(d.precision(), Some(0.0));
    }

    #[test]
    fn repeated_shingles_count_as_multisets() {
        let d = DocScore::new("a b c d a b c d", "a b c d");
        assert!(d.fn_ > 0.0 && d.fp == 0.0);
    }
}
