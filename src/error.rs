//! The library's error type.

use std::path::PathBuf;

/// A specialised `Result` for deboil.
pub type Result<T> = std::result::Result<T, Error>;

/// An error building a pipeline or reading its configuration.
///
/// Cleaning itself never fails: any UTF-8 text is valid input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rule's pattern does not compile.
    #[error("rule {id}: bad pattern")]
    Rule {
        /// The rule id.
        id: String,
        /// The regex error.
        #[source]
        source: regex::Error,
    },
    /// A rule table is not valid TOML or does not follow the schema.
    #[error("{path}: bad rule table")]
    RuleFile {
        /// The table's path or built-in name.
        path: PathBuf,
        /// The TOML error.
        #[source]
        source: toml::de::Error,
    },
    /// A rule table is valid TOML but breaks a rule of the schema.
    #[error("{path}: {message}")]
    RuleSchema {
        /// The table's path or built-in name.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON line is malformed.
    #[error("line {line}: {source}")]
    Json {
        /// 1-based line number.
        line: u64,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// An invalid configuration value.
    #[error("{0}")]
    Config(String),
}
