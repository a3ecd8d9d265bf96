//! deboil strips web boilerplate from plain text.
//!
//! # Brief overview
//!
//! A text is segmented once into a [`Document`] (lines and paragraphs as byte
//! spans; the text is never edited). A [`Pipeline`] runs its [`Pass`]es in
//! order; each pass marks lines to drop with a [`Reason`] (pass, rule id,
//! [`Kind`]). The kept lines, byte-identical and in order, form the
//! [`Cleaned`] text; every dropped line has exactly one reason, which the
//! [`explain`] writers report, and [`Stats`] counts them.
//!
//! ```text
//! &str ─► Document ─► rules ─► ui-run ─► caption-tag ─► headline-list ─► repeat ─► menu ─► classifier
//!      ─► Cleaned ─► text / explain / stats
//! ```
//!
//! Rules are data: TOML tables embedded in the binary ([`rules`]).
//!
//! # Example
//!
//! ```
//! use deboil::PipelineBuilder;
//!
//! let pipeline = PipelineBuilder::new().build()?;
//! let page = "A real paragraph of the article.\n\nAdvertisement - story continues below\n\nLeave a Reply\n";
//! let cleaned = pipeline.clean(page);
//! assert_eq!(cleaned.text, "A real paragraph of the article.\n");
//! let rules: Vec<&str> = cleaned.dropped().map(|d| &*d.reason.as_ref().unwrap().rule).collect();
//! assert_eq!(rules, ["ad.story-continues", "comment.leave-reply"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod columnar;
pub mod corpus;
pub mod decode;
pub mod document;
pub mod error;
pub mod explain;
pub mod input;
pub mod job;
pub mod jsonl;
pub mod lang;
pub mod lineclass;
pub mod model;
pub mod output;
pub mod pass;
pub mod pipeline;
pub mod records;
pub mod rules;
pub mod scan;
pub mod score;
pub mod sink;
pub mod stats;
pub mod stream;
pub mod text;
pub mod verdict;
pub mod wet;

pub use document::{Block, Document, Line};
pub use error::{Error, Result};
pub use explain::{ExplainFormat, ExplainWriter};
pub use pass::{Kind, Marks, Pass, PassConfig, Reason};
pub use pipeline::{Cleaned, Decision, Pipeline, PipelineBuilder};
pub use stats::Stats;
