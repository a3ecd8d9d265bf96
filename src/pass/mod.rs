//! The pass contract, the marks passes write, and the configuration that builds them.
//!
//! A pass looks at a segmented [`Document`] and marks lines to drop in
//! [`Marks`], each with a [`Reason`]. Passes never edit text. The first drop
//! wins: a pass must skip lines that an earlier pass already dropped, so every
//! dropped line has exactly one reason and `--explain` is exact.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::error::Result;
use crate::rules::RuleSet;

pub mod caption;
pub mod classify;
pub mod headlines;
pub mod menu;
pub mod model;
pub mod repeat;
pub mod rules;
pub mod uirun;

pub use caption::CaptionTagPass;
pub use classify::ClassifierPass;
pub use headlines::HeadlineListPass;
pub use menu::MenuPass;
pub use model::ModelPass;
pub use repeat::RepeatPass;
pub use rules::RulePass;
pub use uirun::UiRunPass;

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

/// One cleaning step. Stateless and shared by all threads; all fallible setup happened in `build`.
///
/// # Contract
///
/// * May assume: `doc` is segmented, `marks.len() == doc.lines().len()`, and
///   lines dropped by earlier passes are marked.
/// * Must: skip lines already dropped (use [`Marks::drop_line`], which does),
///   never edit text, be deterministic, never panic and never fail.
/// * Cost: O(lines) plus the cost of the pass's matching; no pass allocates per line.
pub trait Pass: Send + Sync + std::fmt::Debug {
    /// Stable name used in config, explanations and stats (e.g. "rules", "repeat").
    fn name(&self) -> &'static str;
    /// Mark lines of `doc` to drop. Must skip lines already dropped; must not panic or fail.
    fn apply(&self, doc: &Document<'_>, marks: &mut Marks);

    /// True when the pass judges a line by its kept neighbours (runs, lists,
    /// adjacency). Such a pass sees dropped lines as gone, so a drop by a later
    /// pass can change its verdict: the pipeline runs contextual passes again
    /// until nothing changes, which makes cleaning idempotent. Default: false.
    fn is_contextual(&self) -> bool {
        false
    }

    /// True for a pass that runs once, after every other pass has finished
    /// (the line model): it reads their verdicts, and no contextual pass runs
    /// again after it.
    fn is_final(&self) -> bool {
        false
    }
}

/// Configuration of one pass; builds a `Box<dyn Pass>`.
///
/// Which passes run and in which order is data: a `Vec<PassConfig>`, e.g. from
/// TOML `passes = [{ type = "rules" }, { type = "repeat", min_chars = 30 }]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PassConfig {
    /// Rule tables matched line by line ([`RulePass`]).
    Rules,
    /// Runs of short UI labels ([`UiRunPass`]).
    UiRun {
        /// Shortest run that is dropped.
        #[serde(default = "default_min_run")]
        min_run: usize,
    },
    /// Trailing lists of headline links ([`HeadlineListPass`]).
    HeadlineList,
    /// Repeated and truncated-duplicate paragraphs ([`RepeatPass`]).
    Repeat {
        /// Shortest normalised paragraph considered.
        #[serde(default = "default_min_chars")]
        min_chars: usize,
    },
    /// Short tags next to photo credits ([`CaptionTagPass`]).
    CaptionTag,
    /// Menus and link lists: runs of short lines ([`MenuPass`]).
    Menu {
        /// Shortest run that is a menu.
        #[serde(default = "default_menu_run")]
        min_run: usize,
    },
    /// Main-content region of a whole page ([`ClassifierPass`]).
    Classifier {
        /// Fewest words of running text for the pass to act.
        #[serde(default = "default_min_region_words")]
        min_region_words: usize,
    },
    /// The trained line model (see [`ModelPass`]); runs last.
    Model {
        /// The threshold preset.
        #[serde(default)]
        favor: crate::model::Favor,
    },
}

fn default_menu_run() -> usize {
    MenuPass::DEFAULT_MIN_RUN
}

fn default_min_region_words() -> usize {
    ClassifierPass::DEFAULT_MIN_REGION_WORDS
}

fn default_min_run() -> usize {
    UiRunPass::DEFAULT_MIN_RUN
}

fn default_min_chars() -> usize {
    RepeatPass::DEFAULT_MIN_CHARS
}

impl PassConfig {
    /// The default pass order.
    pub fn defaults() -> Vec<PassConfig> {
        vec![
            PassConfig::Rules,
            PassConfig::UiRun {
                min_run: default_min_run(),
            },
            PassConfig::CaptionTag,
            PassConfig::HeadlineList,
            PassConfig::Repeat {
                min_chars: default_min_chars(),
            },
            PassConfig::Menu {
                min_run: default_menu_run(),
            },
            PassConfig::Classifier {
                min_region_words: default_min_region_words(),
            },
            PassConfig::Model {
                favor: crate::model::Favor::default(),
            },
        ]
    }

    /// The name of the pass this config builds.
    pub fn name(&self) -> &'static str {
        match self {
            PassConfig::Rules => RulePass::NAME,
            PassConfig::UiRun { .. } => UiRunPass::NAME,
            PassConfig::HeadlineList => HeadlineListPass::NAME,
            PassConfig::Repeat { .. } => RepeatPass::NAME,
            PassConfig::CaptionTag => CaptionTagPass::NAME,
            PassConfig::Menu { .. } => MenuPass::NAME,
            PassConfig::Classifier { .. } => ClassifierPass::NAME,
            PassConfig::Model { .. } => ModelPass::NAME,
        }
    }

    /// Build the pass, sharing `rules` where the pass needs rule tables.
    pub fn build(&self, rules: &Arc<RuleSet>) -> Result<Box<dyn Pass>> {
        Ok(match self {
            PassConfig::Rules => Box::new(RulePass::new(Arc::clone(rules))),
            PassConfig::UiRun { min_run } => {
                Box::new(UiRunPass::new(Arc::clone(rules)).min_run(*min_run))
            }
            PassConfig::HeadlineList => Box::new(HeadlineListPass::new()),
            PassConfig::Repeat { min_chars } => Box::new(RepeatPass::min_chars(*min_chars)),
            PassConfig::CaptionTag => Box::new(CaptionTagPass::new()),
            PassConfig::Menu { min_run } => Box::new(MenuPass::min_run(*min_run)),
            PassConfig::Classifier { min_region_words } => {
                Box::new(ClassifierPass::min_region_words(*min_region_words))
            }
            PassConfig::Model { favor } => Box::new(ModelPass::new(*favor)),
        })
    }
}
