//! Rule tables: data, not code.
//!
//! Each built-in table is a TOML file in `src/rules/` embedded with
//! `include_str!`; `src/rules/README.md` defines the schema. Tables are parsed
//! and compiled once into a [`RuleSet`]: one multi-pattern automaton per scope, so each line
//! is matched against all rules of a scope in one search. User tables add rules
//! or override built-in ones by `id`.
//!
//! ```
//! use deboil::rules::RuleSet;
//!
//! let set = RuleSet::builtin();
//! let rule = set.match_line("Advertisement - story continues below").unwrap();
//! assert_eq!(&*rule.id, "ad.story-continues");
//! assert!(set.match_line("Advertisement spending rose 5% last year, the report said.").is_none());
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, OnceLock};

use regex::Regex;
use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::{Input, MatchKind, PatternSet};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::pass::Kind;
use crate::text;

/// The built-in tables: (name, TOML text).
pub const BUILTIN_TABLES: &[(&str, &str)] = &[
    ("ad", include_str!("ad.toml")),
    ("trending", include_str!("trending.toml")),
    ("comment", include_str!("comment.toml")),
    ("widget", include_str!("widget.toml")),
    ("credit", include_str!("credit.toml")),
    ("page", include_str!("page.toml")),
];

/// Where a rule's pattern is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Against each trimmed line.
    Line,
    /// Against each whole paragraph (lines joined by `\n`); drops the paragraph.
    Block,
    /// A UI label: drops nothing alone, but a run of short lines that are mostly
    /// labels is a widget (see the `ui-run` pass).
    Label,
}

/// What else a matching line takes with it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Extend {
    /// Only the matching line.
    #[default]
    None,
    /// The following lines of the same paragraph that are short (at most 80
    /// chars) and do not end like a sentence: the items under a heading.
    ShortLines,
    /// The rest of the paragraph.
    Block,
    /// The following headline-like lines, across blank lines, up to 15: a list
    /// of links under a "Related" heading.
    Headlines,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// One rule as written in a table. Optional fields let a user table override
/// only some fields of a built-in rule with the same `id`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    kind: Option<String>,
    scope: Option<Scope>,
    pattern: Option<String>,
    max_chars: Option<usize>,
    extend: Option<Extend>,
    enabled: Option<bool>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counter_examples: Vec<String>,
}

impl RuleSpec {
    /// Layer `other` over `self`: every field `other` sets wins.
    fn overwrite(&mut self, other: RuleSpec) {
        self.kind = other.kind.or(self.kind.take());
        self.scope = other.scope.or(self.scope);
        self.pattern = other.pattern.or(self.pattern.take());
        self.max_chars = other.max_chars.or(self.max_chars);
        self.extend = other.extend.or(self.extend);
        self.enabled = other.enabled.or(self.enabled);
        if !other.examples.is_empty() {
            self.examples = other.examples;
        }
        if !other.counter_examples.is_empty() {
            self.counter_examples = other.counter_examples;
        }
    }
}

/// A compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Stable id, `<table>.<slug>`.
    pub id: Arc<str>,
    /// The table it came from (its category).
    pub table: String,
    /// What a matching line is.
    pub kind: Kind,
    /// Where the pattern is matched.
    pub scope: Scope,
    /// The regex source.
    pub pattern: String,
    /// Only texts of at most this many chars match.
    pub max_chars: Option<usize>,
    /// What else a match takes with it.
    pub extend: Extend,
    /// Texts the rule must match.
    pub examples: Vec<String>,
    /// Texts no rule of the same scope may match.
    pub counter_examples: Vec<String>,
    /// Compiled on first use: matching goes through the scope's set;
    /// this one serves [`Rule::is_match`] (examples, tests).
    regex: OnceLock<Option<Regex>>,
}

impl Rule {
    /// True when this rule alone matches `text` (trimmed), guards included.
    pub fn is_match(&self, text: &str) -> bool {
        let t = text.trim();
        let regex = self.regex.get_or_init(|| Regex::new(&self.pattern).ok());
        self.fits(t) && regex.as_ref().is_some_and(|r| r.is_match(t))
    }

    fn fits(&self, t: &str) -> bool {
        self.max_chars.is_none_or(|m| text::chars_upto(t, m) <= m)
    }
}

/// The rules of one scope, compiled into one automaton, plus smaller ones
/// for long texts.
///
/// Most rules match short lines only (labels, buttons, one-line notices), so a
/// long line (a paragraph) is searched only against the rules whose
/// `max_chars` admits its length: each tier holds the rules that admit texts
/// of its `min_chars` or more. The set of all rules is compiled up front,
/// which checks every pattern; the tiers on first use.
#[derive(Clone, Debug)]
struct ScopeSet {
    all: Set,
    /// Rule index for each pattern of `all`.
    rules: Vec<usize>,
    tiers: Vec<Tier>,
    /// Longest text (in bytes) any rule of the set may match: longer texts skip the search.
    max_bytes: usize,
}

#[derive(Clone, Debug)]
struct Tier {
    min_chars: usize,
    /// Rule index for each pattern of `set`, in table order.
    rules: Vec<usize>,
    set: Arc<OnceLock<Option<Set>>>,
}

/// Texts shorter than this (in chars) are searched against all rules: a
/// smaller set would save little on them.
const MIN_TIER_CHARS: usize = 256;

/// One automaton for many rules: it says which of them match, nothing more
/// (no captures, no match positions). No literal prefilter either: lines are
/// short and most rules are anchored at their start, so the lazy DFA alone
/// gives up sooner than a prefilter would look.
type Set = meta::Regex;

fn compile_set<'p>(
    patterns: impl IntoIterator<Item = &'p str>,
) -> std::result::Result<Set, regex::Error> {
    let patterns: Vec<&str> = patterns.into_iter().collect();
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .match_kind(MatchKind::All)
                .which_captures(WhichCaptures::None)
                .auto_prefilter(false)
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(64 << 20),
        )
        .build_many(&patterns)
        .map_err(|e| match e.size_limit() {
            Some(limit) => regex::Error::CompiledTooBig(limit),
            None => regex::Error::Syntax(e.to_string()),
        })
}

impl ScopeSet {
    fn new(all: &[Rule], scope: Scope) -> Result<ScopeSet> {
        let rules: Vec<usize> = (0..all.len()).filter(|&i| all[i].scope == scope).collect();
        let set =
            compile_set(rules.iter().map(|&i| all[i].pattern.as_str())).map_err(|source| {
                // Name the rule whose pattern fails on its own, if one does.
                let bad = rules
                    .iter()
                    .find_map(|&i| Regex::new(&all[i].pattern).err().map(|e| (i, e)));
                match bad {
                    Some((i, source)) => Error::Rule {
                        id: all[i].id.to_string(),
                        source,
                    },
                    None => Error::Rule {
                        id: format!("<{scope:?} set>"),
                        source,
                    },
                }
            })?;
        // A tier starts just past each rule's bound: there one more rule drops out.
        let mut bounds: Vec<usize> = rules
            .iter()
            .filter_map(|&i| all[i].max_chars)
            .map(|m| m.saturating_add(1))
            .filter(|&b| b >= MIN_TIER_CHARS)
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut tiers: Vec<Tier> = Vec::new();
        for min_chars in bounds {
            let tier: Vec<usize> = rules
                .iter()
                .copied()
                .filter(|&i| all[i].max_chars.is_none_or(|m| m >= min_chars))
                .collect();
            let same = tiers.last().map_or(&rules, |t| &t.rules);
            if tier == *same {
                continue;
            }
            tiers.push(Tier {
                min_chars,
                rules: tier,
                set: Arc::new(OnceLock::new()),
            });
        }
        // A char is at most 4 bytes, so a text of more than 4 * max_chars bytes
        // cannot fit any bounded rule.
        let max_bytes = rules
            .iter()
            .map(|&i| all[i].max_chars.map_or(usize::MAX, |m| m.saturating_mul(4)))
            .max()
            .unwrap_or(0);
        Ok(ScopeSet {
            all: set,
            rules,
            tiers,
            max_bytes,
        })
    }

    fn first<'r>(&self, all: &'r [Rule], t: &str) -> Option<&'r Rule> {
        if t.len() > self.max_bytes || t.is_empty() {
            return None;
        }
        // The smallest set that holds every rule a text of this length may fit.
        let (set, rules) = match self.tiers.first() {
            Some(first) if t.len() >= first.min_chars => {
                let chars = t.chars().count();
                self.tiers
                    .iter()
                    .rev()
                    .filter(|tier| tier.min_chars <= chars)
                    .find_map(|tier| {
                        let set = tier.set.get_or_init(|| {
                            compile_set(tier.rules.iter().map(|&i| all[i].pattern.as_str())).ok()
                        });
                        set.as_ref().map(|s| (s, &tier.rules))
                    })
                    .unwrap_or((&self.all, &self.rules))
            }
            _ => (&self.all, &self.rules),
        };
        if !set.is_match(t) {
            return None;
        }
        let mut matched = PatternSet::new(set.pattern_len());
        set.which_overlapping_matches(&Input::new(t), &mut matched);
        matched
            .iter()
            .map(|p| &all[rules[p.as_usize()]])
            .find(|r| r.fits(t))
    }
}

/// All enabled rules, compiled.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    line: ScopeSet,
    block: ScopeSet,
    label: ScopeSet,
}

static BUILTIN: LazyLock<Arc<RuleSet>> = LazyLock::new(|| {
    // The built-in tables are checked by the `builtin_tables_*` tests, so this cannot fail.
    Arc::new(
        RuleSetBuilder::new()
            .build()
            .expect("built-in rule tables are valid"),
    )
});

impl RuleSet {
    /// The built-in tables, compiled once per process.
    pub fn builtin() -> Arc<RuleSet> {
        Arc::clone(&BUILTIN)
    }

    /// All rules, in table order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The first line rule matching `line` (trimmed), if any.
    pub fn match_line(&self, line: &str) -> Option<&Rule> {
        self.line.first(&self.rules, line.trim())
    }

    /// The first block rule matching the paragraph `block`, if any.
    pub fn match_block(&self, block: &str) -> Option<&Rule> {
        self.block.first(&self.rules, block.trim())
    }

    /// The first label rule matching `line` (trimmed), if any.
    pub fn match_label(&self, line: &str) -> Option<&Rule> {
        self.label.first(&self.rules, line.trim())
    }

    /// True when there are block rules (so the rules pass must look at blocks).
    pub fn has_block_rules(&self) -> bool {
        !self.block.rules.is_empty()
    }

    /// Check every rule's examples and counter-examples; returns one message per failure.
    pub fn check_examples(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for rule in &self.rules {
            for ex in &rule.examples {
                let hit = match rule.scope {
                    Scope::Line => self.match_line(ex),
                    Scope::Block => self.match_block(ex),
                    Scope::Label => self.match_label(ex),
                };
                if !rule.is_match(ex) {
                    failures.push(format!("{}: example does not match: {ex:?}", rule.id));
                } else if hit.is_none() {
                    failures.push(format!(
                        "{}: example matched by no rule in the set: {ex:?}",
                        rule.id
                    ));
                }
            }
            for ex in &rule.counter_examples {
                let hit = match rule.scope {
                    Scope::Line => self.match_line(ex),
                    Scope::Block => self.match_block(ex),
                    Scope::Label => self.match_label(ex),
                };
                if let Some(other) = hit {
                    failures.push(format!(
                        "{}: counter-example matched by {}: {ex:?}",
                        rule.id, other.id
                    ));
                }
            }
        }
        failures
    }
}

/// Builds a [`RuleSet`] from the built-in tables, user tables and disabled names.
#[derive(Clone, Debug)]
pub struct RuleSetBuilder {
    builtin: bool,
    tables: Vec<(PathBuf, String)>,
    disabled: Vec<String>,
}

impl Default for RuleSetBuilder {
    fn default() -> Self {
        RuleSetBuilder::new()
    }
}

impl RuleSetBuilder {
    /// A builder with the built-in tables and nothing disabled.
    pub fn new() -> RuleSetBuilder {
        RuleSetBuilder {
            builtin: true,
            tables: Vec::new(),
            disabled: Vec::new(),
        }
    }

    /// Whether the built-in tables are loaded. Default: true.
    pub fn builtin(&mut self, yes: bool) -> &mut Self {
        self.builtin = yes;
        self
    }

    /// Add a user table (TOML text); `name` is used in errors (e.g. its path).
    /// Rules with a known id override fields of that rule; new ids are added.
    /// Default: none.
    pub fn table(&mut self, name: impl AsRef<Path>, toml_text: impl Into<String>) -> &mut Self {
        self.tables
            .push((name.as_ref().to_path_buf(), toml_text.into()));
        self
    }

    /// Disable a table (`ad`) or a single rule (`ad.story-continues`). A name
    /// that is neither is an error at build time. Default: none.
    pub fn disable(&mut self, name: impl Into<String>) -> &mut Self {
        self.disabled.push(name.into());
        self
    }

    /// True when this builder would build exactly the built-in set.
    pub fn is_default(&self) -> bool {
        self.builtin && self.tables.is_empty() && self.disabled.is_empty()
    }

    /// Parse, validate and compile.
    pub fn build(&self) -> Result<RuleSet> {
        let mut specs: Vec<(String, PathBuf, RuleSpec)> = Vec::new();
        let builtin = BUILTIN_TABLES.iter().filter(|_| self.builtin);
        let tables = builtin
            .map(|(name, text)| {
                (
                    PathBuf::from(format!("<built-in {name}.toml>")),
                    *text,
                    Some(*name),
                )
            })
            .chain(
                self.tables
                    .iter()
                    .map(|(p, t)| (p.clone(), t.as_str(), None)),
            );
        for (path, text, builtin_name) in tables {
            let file: TableFile = toml::from_str(text).map_err(|source| Error::RuleFile {
                path: path.clone(),
                source,
            })?;
            for spec in file.rule {
                let table = match spec.id.split_once('.') {
                    Some((table, slug)) if !table.is_empty() && !slug.is_empty() => {
                        table.to_string()
                    }
                    _ => {
                        return Err(Error::RuleSchema {
                            path,
                            message: format!("rule id {:?} is not <table>.<slug>", spec.id),
                        });
                    }
                };
                if let Some(name) = builtin_name
                    && table != name
                {
                    return Err(Error::RuleSchema {
                        path,
                        message: format!("rule {} does not start with {name}.", spec.id),
                    });
                }
                match specs.iter_mut().find(|(_, _, s)| s.id == spec.id) {
                    Some((_, _, existing)) if builtin_name.is_none() => existing.overwrite(spec),
                    Some(_) => {
                        return Err(Error::RuleSchema {
                            path,
                            message: format!("duplicate rule id {}", spec.id),
                        });
                    }
                    None => specs.push((table, path.clone(), spec)),
                }
            }
        }
        if let Some(name) = self.disabled.iter().find(|d| {
            !specs
                .iter()
                .any(|(table, _, spec)| table == *d || spec.id == **d)
        }) {
            return Err(Error::Config(format!(
                "--disable {name}: no pass, rule table or rule of that name (see --list-rules)"
            )));
        }
        let mut rules = Vec::new();
        for (table, path, spec) in specs {
            if spec.enabled == Some(false)
                || self.disabled.iter().any(|d| *d == table || *d == spec.id)
            {
                continue;
            }
            rules.push(compile(table, &path, spec)?);
        }
        Ok(RuleSet {
            line: ScopeSet::new(&rules, Scope::Line)?,
            block: ScopeSet::new(&rules, Scope::Block)?,
            label: ScopeSet::new(&rules, Scope::Label)?,
            rules,
        })
    }
}

fn compile(table: String, path: &Path, spec: RuleSpec) -> Result<Rule> {
    let schema = |message: String| Error::RuleSchema {
        path: path.to_path_buf(),
        message,
    };
    let kind_name = spec
        .kind
        .ok_or_else(|| schema(format!("rule {} has no kind", spec.id)))?;
    let kind = Kind::from_name(&kind_name)
        .filter(|k| *k != Kind::Content)
        .ok_or_else(|| schema(format!("rule {}: unknown kind {kind_name:?}", spec.id)))?;
    let pattern = spec
        .pattern
        .ok_or_else(|| schema(format!("rule {} has no pattern", spec.id)))?;
    Ok(Rule {
        id: Arc::from(spec.id),
        table,
        kind,
        scope: spec.scope.unwrap_or(Scope::Line),
        pattern,
        max_chars: spec.max_chars,
        extend: spec.extend.unwrap_or_default(),
        examples: spec.examples,
        counter_examples: spec.counter_examples,
        regex: OnceLock::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_tiers_match_as_the_rules_one_by_one() {
        // Every example and counter-example, padded to lengths on both sides
        // of each tier bound: the first matching line rule is the one testing
        // the rules one by one in table order finds.
        let set = RuleSet::builtin();
        let line_rules: Vec<&Rule> = set
            .rules()
            .iter()
            .filter(|r| r.scope == Scope::Line)
            .collect();
        let texts = line_rules
            .iter()
            .flat_map(|r| r.examples.iter().chain(&r.counter_examples));
        let mut checked = 0;
        for text in texts {
            for pad in [0, 60, 120, 180, 250, 300, 390, 420, 580, 700] {
                for t in [
                    format!("{text} {}", "x ".repeat(pad / 2)),
                    format!("{} {text}", "y ".repeat(pad / 2)),
                ] {
                    let t = t.trim();
                    let want = line_rules.iter().find(|r| r.is_match(t)).map(|r| &r.id);
                    assert_eq!(set.match_line(t).map(|r| &r.id), want, "{t:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn builtin_tables_compile_with_unique_ids() {
        let set = RuleSetBuilder::new().build().unwrap();
        let mut ids: Vec<&str> = set.rules().iter().map(|r| &*r.id).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        assert!(n > 20);
    }

    #[test]
    fn builtin_tables_examples_and_counter_examples_hold() {
        let set = RuleSet::builtin();
        let failures = set.check_examples();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        for rule in set.rules() {
            assert!(!rule.examples.is_empty(), "{} has no examples", rule.id);
        }
    }

    #[test]
    fn user_table_overrides_by_id() {
        let set = RuleSetBuilder::new()
            .table(
                "user.toml",
                "[[rule]]\nid = \"ad.story-continues\"\nmax_chars = 10\n",
            )
            .build()
            .unwrap();
        // The override keeps the pattern and the kind but bounds the length.
        let rule = set
            .rules()
            .iter()
            .find(|r| &*r.id == "ad.story-continues")
            .unwrap();
        assert_eq!(rule.max_chars, Some(10));
        assert_eq!(rule.kind, Kind::Ad);
        assert!(
            set.match_line("Advertisement - story continues below")
                .is_none()
        );
    }

    #[test]
    fn user_table_adds_rules() {
        let set = RuleSetBuilder::new()
            .table("user.toml", "[[rule]]\nid = \"mine.promo\"\nkind = \"ad\"\npattern = '^Buy now$'\nexamples = [\"Buy now\"]\n")
            .build()
            .unwrap();
        assert_eq!(&*set.match_line("Buy now").unwrap().id, "mine.promo");
    }

    #[test]
    fn disabling_a_table_removes_its_rules() {
        let set = RuleSetBuilder::new().disable("ad").build().unwrap();
        assert!(set.rules().iter().all(|r| r.table != "ad"));
    }

    #[test]
    fn bad_pattern_names_the_rule() {
        let err = RuleSetBuilder::new()
            .table(
                "u.toml",
                "[[rule]]\nid = \"x.bad\"\nkind = \"ad\"\npattern = '('\n",
            )
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("x.bad"), "{err}");
    }

    #[test]
    fn unknown_kind_is_an_error() {
        let err = RuleSetBuilder::new()
            .table(
                "u.toml",
                "[[rule]]\nid = \"x.k\"\nkind = \"nope\"\npattern = 'a'\n",
            )
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("unknown kind"), "{err}");
    }

    #[test]
    fn bad_toml_names_the_file() {
        let err = RuleSetBuilder::new()
            .table("my/rules.toml", "[[rule]\n")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("my/rules.toml"), "{err}");
    }
}
