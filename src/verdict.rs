//! What passes decide about lines: each dropped line's [`Reason`] (pass,
//! rule, [`Kind`]) in the document's [`Marks`]. Below the passes, the rule
//! tables and the line model, which all read or write them.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// What a line is. Kept lines are `Content`; every dropped line has another kind.
///
/// The names are the label vocabulary of the fixtures (kebab-case) and are
/// part of the explain and stats output, so they are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// Article text: kept.
    Content,
    /// Advertising slots and their labels.
    Ad,
    /// Share, text-size, print and similar tool widgets.
    Widget,
    /// "Trending" / "Most read" blocks.
    Trending,
    /// Related / recommended headline links.
    RelatedHeadline,
    /// Comment widgets and forms.
    CommentForm,
    /// Author promotion and bio lines.
    AuthorPromo,
    /// Photo and image credits.
    PhotoCredit,
    /// Section or topic tags.
    SectionTag,
    /// "Originally published in" and similar notes.
    SyndicationNote,
    /// A teaser that repeats the start of a full paragraph.
    TruncatedDuplicate,
    /// A paragraph repeated from earlier in the document.
    Duplicate,
    /// Navigation: menus, breadcrumbs, skip links, pagination.
    Navigation,
    /// Page header and footer: copyright, legal links, cookie and sign-in prompts.
    Footer,
    /// Outside the page's main content (the classifier's verdict).
    LowContent,
    /// A line the same host repeats across many documents.
    CorpusRepeat,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [Kind] = &[
        Kind::Content,
        Kind::Ad,
        Kind::Widget,
        Kind::Trending,
        Kind::RelatedHeadline,
        Kind::CommentForm,
        Kind::AuthorPromo,
        Kind::PhotoCredit,
        Kind::SectionTag,
        Kind::SyndicationNote,
        Kind::TruncatedDuplicate,
        Kind::Duplicate,
        Kind::Navigation,
        Kind::Footer,
        Kind::LowContent,
        Kind::CorpusRepeat,
    ];

    /// The stable kebab-case name, as in explain output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Content => "content",
            Kind::Ad => "ad",
            Kind::Widget => "widget",
            Kind::Trending => "trending",
            Kind::RelatedHeadline => "related-headline",
            Kind::CommentForm => "comment-form",
            Kind::AuthorPromo => "author-promo",
            Kind::PhotoCredit => "photo-credit",
            Kind::SectionTag => "section-tag",
            Kind::SyndicationNote => "syndication-note",
            Kind::TruncatedDuplicate => "truncated-duplicate",
            Kind::Duplicate => "duplicate",
            Kind::Navigation => "navigation",
            Kind::Footer => "footer",
            Kind::LowContent => "low-content",
            Kind::CorpusRepeat => "corpus-repeat",
        }
    }

    /// Parse a kebab-case name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a line was dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// Name of the pass that dropped it (e.g. `rules`, `repeat`).
    pub pass: &'static str,
    /// Stable rule id (e.g. `ad.story-continues`, `repeat.exact`).
    pub rule: Arc<str>,
    /// What the line is.
    pub kind: Kind,
}

impl Reason {
    /// A reason with a rule id known at compile time.
    pub fn new(pass: &'static str, rule: &str, kind: Kind) -> Reason {
        Reason {
            pass,
            rule: Arc::from(rule),
            kind,
        }
    }
}

/// The verdict so far on each line of a document: kept, or dropped for a
/// [`Reason`]. A line costs four bytes: it holds an index into the document's
/// few distinct reasons.
#[derive(Clone, Debug, Default)]
pub struct Marks {
    /// 0 for kept, else 1 + an index into `reasons`.
    slots: Vec<u32>,
    /// The distinct reasons given so far.
    reasons: Vec<Reason>,
    /// Number of dropped lines, kept up to date.
    dropped: usize,
    /// The line model's score per line (NaN: none), empty when it did not run.
    scores: Vec<f32>,
    /// The score at which the line model's decoder starts to lean to
    /// content on this page, when it decided the page.
    threshold: Option<f64>,
}

impl Marks {
    /// Marks for `lines` lines, all kept.
    pub fn new(lines: usize) -> Marks {
        Marks {
            slots: vec![0; lines],
            reasons: Vec::new(),
            dropped: 0,
            scores: Vec::new(),
            threshold: None,
        }
    }

    /// Clear and resize for a document of `lines` lines, reusing the allocation.
    pub fn reset(&mut self, lines: usize) {
        self.slots.clear();
        self.slots.resize(lines, 0);
        self.reasons.clear();
        self.dropped = 0;
        self.scores.clear();
        self.threshold = None;
    }

    /// The line model's score of line `index` (log-odds of content), when
    /// the model ran.
    pub fn score(&self, index: usize) -> Option<f32> {
        self.scores.get(index).copied().filter(|s| !s.is_nan())
    }

    /// The score at which the line model's decoder starts to lean to
    /// content on this page (the negative of the bias it added to every
    /// score: the `--favor` preset's and the page fit's), when the model
    /// decided the page. A line scoring above it is kept unless its
    /// neighbours outweigh it; a prose line gets the prose bonus on top.
    pub fn threshold(&self) -> Option<f64> {
        self.threshold
    }

    /// Record the threshold of the model's decoder (see [`Marks::threshold`]).
    pub(crate) fn set_threshold(&mut self, threshold: f64) {
        self.threshold = Some(threshold);
    }

    /// Record the model's `scores` of `lines`.
    pub(crate) fn set_scores(&mut self, lines: &[usize], scores: &[f32]) {
        self.scores.clear();
        self.scores.resize(self.slots.len(), f32::NAN);
        for (&i, &s) in lines.iter().zip(scores) {
            self.scores[i] = s;
        }
    }

    /// Keep a dropped line after all: only the line model does this, for the
    /// lines the classifier dropped as outside its one region.
    pub(crate) fn undrop(&mut self, index: usize) {
        if self.slots[index] != 0 {
            self.slots[index] = 0;
            self.dropped -= 1;
        }
    }

    /// True when line `index` is dropped.
    pub fn is_dropped(&self, index: usize) -> bool {
        self.slots[index] != 0
    }

    /// Drop line `index` unless an earlier pass already did; returns true if this call dropped it.
    pub fn drop_line(&mut self, index: usize, reason: &Reason) -> bool {
        if self.slots[index] != 0 {
            return false;
        }
        // Passes drop many lines for one reason in a row: look at the last first.
        let same = |r: &Reason| {
            (Arc::ptr_eq(&r.rule, &reason.rule) && r.pass == reason.pass && r.kind == reason.kind)
                || r == reason
        };
        let k = match self.reasons.iter().rposition(same) {
            Some(k) => k,
            None => {
                self.reasons.push(reason.clone());
                self.reasons.len() - 1
            }
        };
        // Distinct reasons per document are few: far below u32::MAX.
        self.slots[index] = u32::try_from(k + 1).unwrap_or(u32::MAX);
        self.dropped += 1;
        true
    }

    /// The reason line `index` was dropped, if it was.
    pub fn reason(&self, index: usize) -> Option<&Reason> {
        self.reason_index(index).map(|k| &self.reasons[k])
    }

    /// Number of lines covered.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when there are no lines.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Number of dropped lines.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// The position of line `index`'s reason in [`Marks::reasons`], if it
    /// was dropped (for tallies per reason).
    pub(crate) fn reason_index(&self, index: usize) -> Option<usize> {
        self.slots[index].checked_sub(1).map(|k| k as usize)
    }

    /// The distinct reasons given so far, in the order first given.
    pub(crate) fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
}
