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

pub use crate::verdict::{Kind, Marks, Reason};

/// Most rounds of the contextual passes per document.
pub const MAX_ROUNDS: usize = 4;

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
