//! Rule tables: data, not code.
//!
//! Each built-in table is a TOML file in `src/rules/` embedded with
//! `include_str!`; `src/rules/README.md` defines the schema. Tables are parsed
//! and compiled once into a [`RuleSet`]: per scope, the rules anchored at the
//! text's start in one lazy DFA, those anchored at its end in another that
//! reads backwards, and the rest in a third, so a line is read only as far as
//! some rule of the scope may still match it. User tables add rules
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
use regex_automata::hybrid::{self, LazyStateID};
use regex_automata::meta;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::prefilter::Prefilter;
use regex_automata::util::start;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind, PatternSet, Span};
use regex_syntax::hir::{Hir, Look};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::text;
use crate::verdict::Kind;

mod literal;

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
        let t = text::trim(text);
        let regex = self.regex.get_or_init(|| Regex::new(&self.pattern).ok());
        self.fits(t) && regex.as_ref().is_some_and(|r| r.is_match(t))
    }

    fn fits(&self, t: &str) -> bool {
        self.max_chars.is_none_or(|m| text::chars_upto(t, m) <= m)
    }
}

/// How a group's lazy DFA reads a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    /// Forward from the text's start, anchored there: rules whose every match
    /// starts at the text's start (`^…`). Most texts leave the automaton after
    /// a few bytes.
    Anchored,
    /// Backward from the text's end, anchored there: rules whose every match
    /// ends at the text's end (`…$`) but may start anywhere.
    Reverse,
    /// Forward over the whole text: any other rule.
    Unanchored,
}

/// Some rules of one scope in one lazy DFA that says which of them match a
/// text (every match state on the way is read, so all matching rules are
/// found, not only the first or leftmost).
#[derive(Clone, Debug)]
struct Group {
    dfa: hybrid::dfa::DFA,
    dir: Dir,
    /// Rule index (into [`RuleSet::rules`]) of each pattern.
    rules: Vec<usize>,
    /// Longest text (in bytes) any rule of the group may match: a char is at
    /// most four bytes, so a longer text fits no rule's `max_chars`.
    max_bytes: usize,
    /// For an unanchored group: strings one of which every match contains
    /// (see [`literal`]), searched for before the DFA reads the whole text.
    required: Option<Prefilter>,
}

/// Shortest required literal worth a search before the DFA's.
const MIN_REQUIRED_BYTES: usize = 3;
/// Most required literals (one fast multi-substring search holds 64).
const MAX_REQUIRED: usize = 64;

/// A group's search state for one thread.
#[derive(Debug)]
struct GroupCache {
    dfa: hybrid::dfa::Cache,
    /// The text folded for the required literals (see [`literal::fold_into`]).
    lower: Vec<u8>,
}

/// The lazy DFA of a group gave up on a text (a Unicode word boundary in a
/// user's rule meets a char beyond ASCII, or the cache thrashes): the scope's
/// meta regex answers instead.
struct GaveUp;

impl Group {
    /// The group, or the build error's message.
    fn new(
        all: &[Rule],
        rules: Vec<usize>,
        hirs: &[&Hir],
        dir: Dir,
    ) -> std::result::Result<Group, String> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .reverse(dir == Dir::Reverse)
                    .which_captures(WhichCaptures::None)
                    .nfa_size_limit(Some(64 << 20)),
            )
            .build_many_from_hir(hirs)
            .map_err(|e| e.to_string())?;
        let dfa = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .match_kind(MatchKind::All)
                    .unicode_word_boundary(true)
                    .cache_capacity(16 << 20),
            )
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        let max_bytes = rules
            .iter()
            .map(|&i| all[i].max_chars.map_or(usize::MAX, |m| m.saturating_mul(4)))
            .max()
            .unwrap_or(0);
        let required = match dir {
            Dir::Unanchored => required_literals(hirs),
            Dir::Anchored | Dir::Reverse => None,
        };
        Ok(Group {
            dfa,
            dir,
            rules,
            max_bytes,
            required,
        })
    }

    /// Call `hit` with the rule index of every rule of the group whose
    /// pattern matches `t` (a rule may be reported more than once).
    ///
    /// `holds_required`, when known, says whether `t` holds one of the
    /// group's required literals (see [`Matcher::scan_document`]).
    #[inline]
    fn matches(
        &self,
        cache: &mut GroupCache,
        t: &[u8],
        holds_required: Option<bool>,
        hit: &mut impl FnMut(usize),
    ) -> std::result::Result<(), GaveUp> {
        if t.len() > self.max_bytes {
            return Ok(());
        }
        if let Some(required) = &self.required {
            let holds = holds_required.unwrap_or_else(|| {
                literal::fold_into(t, &mut cache.lower);
                required
                    .find(&cache.lower, Span::from(0..cache.lower.len()))
                    .is_some()
            });
            if !holds {
                return Ok(());
            }
        }
        let cache = &mut cache.dfa;
        let anchored = match self.dir {
            Dir::Unanchored => Anchored::No,
            Dir::Anchored | Dir::Reverse => Anchored::Yes,
        };
        let start = start::Config::new().anchored(anchored);
        if self.dir == Dir::Unanchored {
            // Read to the end: the search's unrolled loop first, to learn
            // whether anything matches at all (rarely), then this one.
            let input = Input::new(t).earliest(true);
            if self
                .dfa
                .try_search_fwd(cache, &input)
                .map_err(|_| GaveUp)?
                .is_none()
            {
                return Ok(());
            }
        }
        let mut sid = self.dfa.start_state(cache, &start).map_err(|_| GaveUp)?;
        match self.dir {
            Dir::Reverse => {
                for &b in t.iter().rev() {
                    match self.step(cache, Next::Byte(sid, b), hit)? {
                        Some(next) => sid = next,
                        None => return Ok(()),
                    }
                }
            }
            Dir::Anchored | Dir::Unanchored => {
                for &b in t {
                    match self.step(cache, Next::Byte(sid, b), hit)? {
                        Some(next) => sid = next,
                        None => return Ok(()),
                    }
                }
            }
        }
        self.step(cache, Next::Eoi(sid), hit).map(drop)
    }

    /// Take one transition; `None` once no rule can match any more.
    #[inline(always)]
    fn step(
        &self,
        cache: &mut hybrid::dfa::Cache,
        next: Next,
        hit: &mut impl FnMut(usize),
    ) -> std::result::Result<Option<LazyStateID>, GaveUp> {
        let sid = match next {
            Next::Byte(sid, b) => self.dfa.next_state(cache, sid, b),
            Next::Eoi(sid) => self.dfa.next_eoi_state(cache, sid),
        }
        .map_err(|_| GaveUp)?;
        if sid.is_tagged() {
            if sid.is_match() {
                for k in 0..self.dfa.match_len(cache, sid) {
                    hit(self.rules[self.dfa.match_pattern(cache, sid, k).as_usize()]);
                }
            } else if sid.is_dead() {
                return Ok(None);
            } else if sid.is_quit() {
                return Err(GaveUp);
            }
        }
        Ok(Some(sid))
    }
}

/// A transition to take: on a byte, or at the end of the text.
#[derive(Clone, Copy)]
enum Next {
    Byte(LazyStateID, u8),
    Eoi(LazyStateID),
}

/// A search for the literals one of which every match of every pattern
/// contains, if each pattern has such literals and they are few and long
/// enough to be worth it.
fn required_literals(hirs: &[&Hir]) -> Option<Prefilter> {
    let mut all: Vec<Vec<u8>> = Vec::new();
    for hir in hirs {
        all.extend(literal::required(hir, MIN_REQUIRED_BYTES, MAX_REQUIRED)?);
    }
    all.sort();
    all.dedup();
    if all.len() > MAX_REQUIRED {
        return None;
    }
    Prefilter::new(MatchKind::All, &all)
}

/// Which way a pattern's matches are tied to the text: see [`Dir`].
fn direction(hir: &Hir) -> Dir {
    let props = hir.properties();
    if props.look_set_prefix().contains(Look::Start) {
        Dir::Anchored
    } else if props.look_set_suffix().contains(Look::End) {
        Dir::Reverse
    } else {
        Dir::Unanchored
    }
}

/// The rules of one scope, in up to three lazy DFAs by how their matches are
/// tied to the text (see [`Dir`]): each line is read by each DFA only as far
/// as some rule may still match, and most rules are anchored, so most lines
/// are left after a few bytes instead of being read to their end.
#[derive(Clone, Debug)]
struct ScopeSet {
    /// Rule indices of the scope, in table order.
    rules: Vec<usize>,
    groups: Vec<Group>,
    /// All the scope's rules in one meta regex, built on first need: the
    /// answer when a group's DFA gives up.
    fallback: Arc<OnceLock<Option<Set>>>,
}

/// All rules of a scope in one automaton that says which of them match,
/// nothing more (no captures, no match positions).
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
        // Name the rule whose pattern fails on its own, if one does.
        let error = |message: String| {
            let bad = rules
                .iter()
                .find_map(|&i| Regex::new(&all[i].pattern).err().map(|e| (i, e)));
            match bad {
                Some((i, source)) => Error::Rule {
                    id: all[i].id.to_string(),
                    source,
                },
                None => Error::Rule {
                    id: format!("<{scope:?} rules>"),
                    source: regex::Error::Syntax(message),
                },
            }
        };
        // Each pattern is parsed once: its syntax picks its group, gives its
        // required literals and is compiled.
        let hirs = rules
            .iter()
            .map(|&i| syntax::parse(&all[i].pattern).map_err(|e| e.to_string()))
            .collect::<std::result::Result<Vec<Hir>, String>>()
            .map_err(error)?;
        let dirs: Vec<Dir> = hirs.iter().map(direction).collect();
        let mut groups = Vec::new();
        for dir in [Dir::Anchored, Dir::Reverse, Dir::Unanchored] {
            let (members, member_hirs): (Vec<usize>, Vec<&Hir>) = rules
                .iter()
                .zip(&hirs)
                .zip(&dirs)
                .filter(|&(_, &d)| d == dir)
                .map(|((&i, hir), _)| (i, hir))
                .unzip();
            if members.is_empty() {
                continue;
            }
            groups.push(Group::new(all, members, &member_hirs, dir).map_err(error)?);
        }
        Ok(ScopeSet {
            rules,
            groups,
            fallback: Arc::new(OnceLock::new()),
        })
    }

    fn caches(&self) -> Vec<GroupCache> {
        self.groups
            .iter()
            .map(|g| GroupCache {
                dfa: g.dfa.create_cache(),
                lower: Vec::new(),
            })
            .collect()
    }

    /// The first rule (in table order) that matches `t` and fits its length,
    /// as an index into `all`. `holds_required`: see [`Group::matches`].
    fn first(
        &self,
        all: &[Rule],
        caches: &mut [GroupCache],
        t: &str,
        holds_required: Option<bool>,
    ) -> Option<usize> {
        if t.is_empty() {
            return None;
        }
        let mut best: Option<usize> = None;
        let mut hit = |r: usize| {
            if best.is_none_or(|b| r < b) && all[r].fits(t) {
                best = Some(r);
            }
        };
        for (group, cache) in self.groups.iter().zip(caches) {
            if group
                .matches(cache, t.as_bytes(), holds_required, &mut hit)
                .is_err()
            {
                return self.first_slow(all, t);
            }
        }
        best
    }

    /// [`ScopeSet::first`] through the scope's meta regex.
    fn first_slow(&self, all: &[Rule], t: &str) -> Option<usize> {
        let set = self
            .fallback
            .get_or_init(|| compile_set(self.rules.iter().map(|&i| all[i].pattern.as_str())).ok())
            .as_ref()?;
        let mut matched = PatternSet::new(set.pattern_len());
        set.which_overlapping_matches(&Input::new(t), &mut matched);
        matched
            .iter()
            .map(|p| self.rules[p.as_usize()])
            .find(|&r| all[r].fits(t))
    }
}

/// Longest text a [`Memo`] keeps (bytes).
const MEMO_BYTES: usize = 64;
/// Slots in a [`Memo`] (a power of two): 144 KiB.
const MEMO_SLOTS: usize = 1 << 11;

/// The answers of one scope for short texts matched before, kept by their
/// exact bytes. Boilerplate lines ("Share", "Privacy Policy", "Related
/// Articles") recur on page after page, and they are the lines the automata
/// read to the end; a repeat is answered without reading them again. Each
/// text has one slot, by its hash: a text that lands on a taken slot
/// replaces what was there. The answer is the same as matching's (the
/// bytes are compared, not only hashed).
#[derive(Debug)]
struct Memo {
    slots: Vec<MemoSlot>,
}

#[derive(Clone, Copy, Debug)]
struct MemoSlot {
    /// The text, zero-padded.
    text: [u8; MEMO_BYTES],
    /// Its length in bytes; 0 for an empty slot (empty texts are never kept).
    len: u32,
    /// 1 + the rule's index, or 0 for no rule.
    answer: u32,
}

impl Default for Memo {
    fn default() -> Memo {
        let empty = MemoSlot {
            text: [0; MEMO_BYTES],
            len: 0,
            answer: 0,
        };
        Memo {
            slots: vec![empty; MEMO_SLOTS],
        }
    }
}

impl Memo {
    /// The answer kept for `t`, or `compute`'s, kept for next time.
    #[inline]
    fn get_or(&mut self, t: &str, compute: impl FnOnce() -> Option<usize>) -> Option<usize> {
        let b = t.as_bytes();
        if b.is_empty() || b.len() > MEMO_BYTES {
            return compute();
        }
        let slot = &mut self.slots[(memo_hash(b) >> (64 - MEMO_SLOTS.trailing_zeros())) as usize];
        if slot.len as usize == b.len() && slot.text[..b.len()] == *b {
            return (slot.answer as usize).checked_sub(1);
        }
        let answer = compute();
        slot.text[..b.len()].copy_from_slice(b);
        slot.len = b.len() as u32;
        slot.answer = answer.map_or(0, |r| r as u32 + 1);
        answer
    }
}

/// A hash of a short text (1 to [`MEMO_BYTES`] bytes) from whole-word
/// loads: its eight-byte words, the last one the eight bytes that end the
/// text (overlapping the one before), and its length; under eight bytes,
/// two loads that overlap in the middle. Texts of one length that differ
/// in any byte differ in some load.
#[inline]
fn memo_hash(b: &[u8]) -> u64 {
    let n = b.len();
    let mix = |h: u64, w: u64| (h ^ w).wrapping_mul(crate::text::HASH_K);
    let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"));
    let half = |at: usize| {
        u64::from(u32::from_le_bytes(
            b[at..at + 4].try_into().expect("four bytes"),
        ))
    };
    let mut h = mix(0, n as u64);
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            h = mix(h, word(at));
            at += 8;
        }
        h = mix(h, word(n - 8));
    } else if n >= 4 {
        h = mix(h, half(0) << 32 | half(n - 4));
    } else {
        let w = u64::from(b[0]) << 16 | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]);
        h = mix(h, w);
    }
    h ^ (h >> 29)
}

/// The search caches of one [`RuleSet`] for one thread: one per group of
/// each scope.
#[derive(Debug)]
struct Caches {
    line: Vec<GroupCache>,
    block: Vec<GroupCache>,
    label: Vec<GroupCache>,
    /// See [`Matcher::scan_document`].
    document: DocumentScan,
    /// Line rules' answers for short lines seen before.
    line_memo: Memo,
    /// Label rules' answers for short lines seen before.
    label_memo: Memo,
}

/// Longest document [`Matcher::scan_document`] reads (bytes).
const MAX_SCANNED_DOCUMENT: usize = 1 << 20;

/// Where, in the document scanned last, the line rules' required literals
/// occur.
#[derive(Debug, Default)]
struct DocumentScan {
    /// The document's text, as an address range (compared, never read).
    text: std::ops::Range<usize>,
    /// Byte offsets where an occurrence of a required literal starts, in order.
    starts: Vec<usize>,
    /// The document folded.
    folded: Vec<u8>,
}

impl DocumentScan {
    /// Whether `t`, if it lies in the scanned document, holds an occurrence.
    fn holds(&self, t: &str) -> Option<bool> {
        let at = t.as_ptr() as usize;
        if at < self.text.start || at + t.len() > self.text.end {
            return None;
        }
        let from = at - self.text.start;
        let k = self.starts.partition_point(|&s| s < from);
        Some(self.starts.get(k).is_some_and(|&s| s < from + t.len()))
    }
}

type CacheFn = Box<dyn Fn() -> Caches + Send + Sync>;

/// Matches texts against a [`RuleSet`] with search caches of its own: take
/// one per document (or any run of texts) with [`RuleSet::matcher`], so the
/// caches are fetched once, not on every line.
pub struct Matcher<'r> {
    set: &'r RuleSet,
    caches: PoolGuard<'r, Caches, CacheFn>,
}

impl<'r> Matcher<'r> {
    /// Read a whole document once for the literals that the unanchored line
    /// rules require, so that its lines holding none skip those rules'
    /// searches (one pass over the text instead of one search per line).
    /// Matching is the same with or without it; lines of other texts are
    /// searched as before.
    pub fn scan_document(&mut self, text: &str) {
        let scan = &mut self.caches.document;
        scan.text = 0..0;
        scan.starts.clear();
        // The scan holds a folded copy: a huge document is searched line by
        // line instead, where that overhead is small beside its size.
        if text.len() > MAX_SCANNED_DOCUMENT {
            return;
        }
        let Some(required) = self
            .set
            .line
            .groups
            .iter()
            .find_map(|g| g.required.as_ref())
        else {
            return;
        };
        literal::fold_into(text.as_bytes(), &mut scan.folded);
        // `ſ` and `K` fold to one byte: offsets would shift.
        if scan.folded.len() != text.len() {
            return;
        }
        let mut at = 0;
        while let Some(found) = required.find(&scan.folded, Span::from(at..scan.folded.len())) {
            scan.starts.push(found.start);
            at = found.start + 1;
        }
        let start = text.as_ptr() as usize;
        scan.text = start..start + text.len();
    }

    /// The first line rule matching `line` (trimmed), if any.
    pub fn line(&mut self, line: &str) -> Option<&'r Rule> {
        let set = self.set;
        let t = text::trim(line);
        let caches = &mut *self.caches;
        let found = caches.line_memo.get_or(t, || {
            let holds = caches.document.holds(t);
            set.line.first(&set.rules, &mut caches.line, t, holds)
        });
        found.map(|r| &set.rules[r])
    }

    /// The first block rule matching the paragraph `block`, if any.
    pub fn block(&mut self, block: &str) -> Option<&'r Rule> {
        let set = self.set;
        set.block
            .first(&set.rules, &mut self.caches.block, text::trim(block), None)
            .map(|r| &set.rules[r])
    }

    /// The first label rule matching `line` (trimmed), if any.
    pub fn label(&mut self, line: &str) -> Option<&'r Rule> {
        let set = self.set;
        let t = text::trim(line);
        let caches = &mut *self.caches;
        let found = caches.label_memo.get_or(t, || {
            set.label.first(&set.rules, &mut caches.label, t, None)
        });
        found.map(|r| &set.rules[r])
    }
}

impl std::fmt::Debug for Matcher<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher").finish_non_exhaustive()
    }
}

/// All enabled rules, compiled.
#[derive(Clone, Debug)]
pub struct RuleSet {
    /// Tells rule sets apart (a clone keeps it: the same rules).
    id: u64,
    rules: Vec<Rule>,
    line: ScopeSet,
    block: ScopeSet,
    label: ScopeSet,
    caches: Arc<Pool<Caches, CacheFn>>,
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

    /// A number no other rule set built in this process has (a clone of
    /// this one has it too).
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// All rules, in table order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A matcher with this thread's search caches, for many texts in a row.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher {
            set: self,
            caches: self.caches.get(),
        }
    }

    /// The first line rule matching `line` (trimmed), if any. For many
    /// lines, [`RuleSet::matcher`] fetches the caches once.
    pub fn match_line(&self, line: &str) -> Option<&Rule> {
        self.matcher().line(line)
    }

    /// The first block rule matching the paragraph `block`, if any.
    pub fn match_block(&self, block: &str) -> Option<&Rule> {
        self.matcher().block(block)
    }

    /// The first label rule matching `line` (trimmed), if any.
    pub fn match_label(&self, line: &str) -> Option<&Rule> {
        self.matcher().label(line)
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
        let line = ScopeSet::new(&rules, Scope::Line)?;
        let block = ScopeSet::new(&rules, Scope::Block)?;
        let label = ScopeSet::new(&rules, Scope::Label)?;
        let scopes = (line.clone(), block.clone(), label.clone());
        let create: CacheFn = Box::new(move || Caches {
            line: scopes.0.caches(),
            block: scopes.1.caches(),
            label: scopes.2.caches(),
            document: DocumentScan::default(),
            line_memo: Memo::default(),
            label_memo: Memo::default(),
        });
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Ok(RuleSet {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            line,
            block,
            label,
            rules,
            caches: Arc::new(Pool::new(create)),
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

    /// The first rule of `scope` that matches `t` on its own, in table order.
    fn one_by_one<'r>(set: &'r RuleSet, scope: Scope, t: &str) -> Option<&'r Arc<str>> {
        set.rules()
            .iter()
            .filter(|r| r.scope == scope)
            .find(|r| r.is_match(t))
            .map(|r| &r.id)
    }

    /// `m` answers `t` as the rules one by one do, for line and label rules.
    fn assert_as_one_by_one(m: &mut Matcher<'_>, set: &RuleSet, t: &str, context: &str) {
        assert_eq!(
            m.line(t).map(|r| &r.id),
            one_by_one(set, Scope::Line, t),
            "{t:?}{context}"
        );
        assert_eq!(
            m.label(t).map(|r| &r.id),
            one_by_one(set, Scope::Label, t),
            "{t:?}{context}"
        );
    }

    #[test]
    fn groups_match_as_the_rules_one_by_one() {
        // Every example and counter-example, padded on either side to lengths
        // on both sides of the rules' bounds: the first matching rule is the
        // one testing the rules one by one in table order finds.
        let set = RuleSet::builtin();
        let mut m = set.matcher();
        let texts = set
            .rules()
            .iter()
            .flat_map(|r| r.examples.iter().chain(&r.counter_examples));
        let mut checked = 0;
        for text in texts {
            for pad in [0, 2, 60, 120, 180, 250, 300, 390, 420, 580, 700] {
                for t in [
                    format!("{text} {}", "x ".repeat(pad / 2)),
                    format!("{} {text}", "y ".repeat(pad / 2)),
                    format!("{} {text} {}", "é ".repeat(pad / 4), "ж ".repeat(pad / 4)),
                ] {
                    let t = t.trim();
                    assert_as_one_by_one(&mut m, &set, t, "");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000);
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn any_text_matches_as_the_rules_one_by_one(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select(vec![
                    "All Rights Reserved", "ALL RIGHTſ RESERVED", "Все права защищены",
                    "Tous droits réservés", "Photo: ", "(AP Photo/", "Getty Images", "via Reuters",
                    "Advertisement", "Share", "Sign in", "Home", " > ", "©", "2024", "Related",
                    "Trending", "\u{212A}", "ſ", "—", "…", "é", "市", " ", ". ", "\t", ")", "(",
                ]).prop_map(String::from),
                "\\PC{0,12}",
                "[a-zA-Z0-9 ]{0,12}",
            ], 0..8),
        ) {
            let set = RuleSet::builtin();
            let mut m = set.matcher();
            let t = parts.concat();
            let t = t.trim();
            let want = one_by_one(&set, Scope::Line, t);
            proptest::prop_assert_eq!(m.line(t).map(|r| &r.id), want);
            proptest::prop_assert_eq!(m.label(t).map(|r| &r.id), one_by_one(&set, Scope::Label, t));
            // The same text as a line of a scanned document.
            let doc = format!("All rights reserved\n{t}\nAll rights reserved");
            m.scan_document(&doc);
            let line = &doc[20..20 + t.len()];
            proptest::prop_assert_eq!(m.line(line).map(|r| &r.id), want);
            // A text of another document is searched as before.
            proptest::prop_assert_eq!(m.line(t).map(|r| &r.id), want);
        }
    }

    #[test]
    fn remembered_answers_are_matching_answers() {
        // Short texts, many more than the memo has slots, twice over in one
        // matcher: the second answer (mostly from the memo) is matching's,
        // and texts that share a slot do not get each other's answers.
        let set = RuleSet::builtin();
        let mut m = set.matcher();
        let mut texts: Vec<String> = set
            .rules()
            .iter()
            .flat_map(|r| r.examples.iter().chain(&r.counter_examples))
            .filter(|t| t.len() <= MEMO_BYTES)
            .cloned()
            .collect();
        for i in 0..3 * MEMO_SLOTS {
            texts.push(format!("{i}"));
            texts.push(format!("Share {i}"));
            texts.push(format!("{} Comments", i % 500));
        }
        texts.push("x".repeat(MEMO_BYTES));
        texts.push("Share".repeat(MEMO_BYTES / 5));
        for round in 0..2 {
            for t in &texts {
                assert_as_one_by_one(&mut m, &set, t, &format!(" (round {round})"));
            }
        }
    }

    #[test]
    fn a_memo_keeps_one_answer_per_slot_and_compares_the_bytes() {
        let mut memo = Memo::default();
        let mut computed = 0;
        let mut ask = |memo: &mut Memo, t: &str, answer: Option<usize>| {
            memo.get_or(t, || {
                computed += 1;
                answer
            })
        };
        assert_eq!(ask(&mut memo, "Share", Some(3)), Some(3));
        assert_eq!(ask(&mut memo, "Share", Some(9)), Some(3));
        assert_eq!(ask(&mut memo, "Home", None), None);
        assert_eq!(ask(&mut memo, "Home", Some(1)), None);
        // Not kept: too long, or empty.
        let long = "y".repeat(MEMO_BYTES + 1);
        assert_eq!(ask(&mut memo, &long, Some(2)), Some(2));
        assert_eq!(ask(&mut memo, &long, Some(4)), Some(4));
        assert_eq!(ask(&mut memo, "", Some(5)), Some(5));
        assert_eq!(ask(&mut memo, "", None), None);
        // A prefix, a text with trailing zero bytes: other texts.
        assert_eq!(ask(&mut memo, "Shar", Some(6)), Some(6));
        assert_eq!(ask(&mut memo, "Share\0", Some(7)), Some(7));
        assert_eq!(ask(&mut memo, "Share", Some(9)), Some(3));
        assert_eq!(computed, 8);
    }

    #[test]
    fn a_scanned_document_matches_line_by_line_as_without_the_scan() {
        // Every example and counter-example as a line of one document, with
        // and without `ſ` or a huge line (which turn the document scan off).
        let set = RuleSet::builtin();
        let lines: Vec<&str> = set
            .rules()
            .iter()
            .flat_map(|r| r.examples.iter().chain(&r.counter_examples))
            .map(String::as_str)
            .collect();
        let huge = format!("\n{}", "x".repeat(MAX_SCANNED_DOCUMENT));
        for extra in ["", "\nA line with a long ſ.", &huge] {
            let doc = format!("{}{extra}", lines.join("\n"));
            let mut m = set.matcher();
            m.scan_document(&doc);
            let mut hits = 0;
            for line in doc.lines() {
                let want = one_by_one(&set, Scope::Line, text::trim(line));
                assert_eq!(m.line(line).map(|r| &r.id), want, "{line:?}");
                hits += usize::from(want.is_some());
            }
            assert!(hits > 50);
        }
    }

    #[test]
    fn builtin_rules_fall_into_all_three_groups() {
        // The built-in tables exercise each way of reading a line.
        let set = RuleSet::builtin();
        let dirs: Vec<Dir> = set.line.groups.iter().map(|g| g.dir).collect();
        assert_eq!(dirs, [Dir::Anchored, Dir::Reverse, Dir::Unanchored]);
        // The unanchored rules are searched for their literals first.
        assert!(set.line.groups[2].required.is_some());
        let dir = |p: &str| direction(&syntax::parse(p).unwrap());
        assert_eq!(dir(r"(?i)^share\W*$"), Dir::Anchored);
        assert_eq!(dir(r"(?i)\bvia \w+$"), Dir::Reverse);
        assert_eq!(dir(r"^a|b"), Dir::Unanchored);
        assert_eq!(dir(r"(?m)^a"), Dir::Unanchored);
    }

    #[test]
    fn user_rules_in_every_group_and_a_unicode_word_boundary_match_as_one_by_one() {
        // A Unicode `\b` makes the lazy DFA give up on non-ASCII text: the
        // scope's meta regex answers then, with the same result.
        let table = r#"
[[rule]]
id = "u.start"
kind = "ad"
pattern = '(?i)^buy \w+ now$'
[[rule]]
id = "u.end"
kind = "ad"
pattern = '(?i)\bbuy now$'
[[rule]]
id = "u.inner"
kind = "ad"
pattern = 'ßpam'
max_chars = 20
[[rule]]
id = "u.word"
kind = "ad"
pattern = '\bпродам\b'
[[rule]]
id = "u.label"
kind = "widget"
scope = "label"
pattern = '\b(zoom|зум)\b'
"#;
        let set = RuleSetBuilder::new()
            .builtin(false)
            .table("u.toml", table)
            .build()
            .unwrap();
        let mut m = set.matcher();
        let texts = [
            "Buy it now",
            "buy IT now!",
            "Please buy now",
            "please buy nowhere",
            "ßpam",
            "a ßpam here",
            "a ßpam that is too long to fit",
            "продам дом",
            "распродам дом",
            "zoom",
            "зум",
            "зумм",
            "x zoom y",
            "",
        ];
        let mut hits = 0;
        for t in texts {
            let line = m.line(t).map(|r| &r.id);
            assert_eq!(line, one_by_one(&set, Scope::Line, t), "{t:?}");
            assert_eq!(
                m.label(t).map(|r| &r.id),
                one_by_one(&set, Scope::Label, t),
                "{t:?}"
            );
            hits += usize::from(line.is_some());
        }
        assert_eq!(hits, 5);
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
