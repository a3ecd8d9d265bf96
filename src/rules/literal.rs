//! Required literals: byte strings one of which every match of a pattern
//! contains, so a text holding none of them needs no regex search.
//!
//! Texts are compared folded (see [`fold_into`]): ASCII letters lowercased,
//! and the long `ſ` and the Kelvin sign `K`, which `(?i)` matches for `s` and
//! `k`, made `s` and `k`. So a case-insensitive ASCII letter is one byte, not
//! two or three alternatives. Other case-insensitive chars (`é`/`É`,
//! Cyrillic) are kept as alternatives, and only short runs of them are
//! expanded.
//!
//! The set found is sound, never exact: a text that contains a literal may
//! still not match, and the regex decides.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most strings a run of chars may expand to (one per case variant).
const MAX_VARIANTS: usize = 16;

/// What a part of a pattern says about the strings it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Req {
    /// It matches exactly one of these strings (folded as texts are).
    Exact(Vec<Vec<u8>>),
    /// Every match contains one of these strings.
    Contains(Vec<Vec<u8>>),
    /// Nothing useful is known.
    Nothing,
}

/// A set of byte strings (folded) one of which every match of
/// `hir` contains, each at least `min_len` bytes long and at most
/// `max_strings` in all; `None` when no such set is found.
pub(crate) fn required(hir: &Hir, min_len: usize, max_strings: usize) -> Option<Vec<Vec<u8>>> {
    let set = match req(hir) {
        Req::Exact(set) | Req::Contains(set) => set,
        Req::Nothing => return None,
    };
    let ok = !set.is_empty() && set.len() <= max_strings && set.iter().all(|s| s.len() >= min_len);
    ok.then_some(set)
}

/// Fold `text` into `out` (cleared first) as the required literals are:
/// ASCII letters lowercased, `ſ` made `s` and `K` made `k`.
pub(crate) fn fold_into(text: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.resize(text.len(), 0);
    for (o, &b) in out.iter_mut().zip(text) {
        *o = b | (u8::from(b.wrapping_sub(b'A') < 26) << 5);
    }
    // Both start with bytes no ASCII text has, and are rare in any text:
    // most texts are done here.
    let Some(first) = next_folded(out, 0) else {
        return;
    };
    let (mut i, mut j) = (first, first);
    while i < out.len() {
        let (b, len) = folded_at(out, i).unwrap_or((out[i], 1));
        out[j] = b;
        (i, j) = (i + len, j + 1);
        // Copy what precedes the next one in one go.
        let next = next_folded(out, i).unwrap_or(out.len());
        out.copy_within(i..next, j);
        (j, i) = (j + next - i, next);
    }
    out.truncate(j);
}

/// The `ſ` or `K` at `at`, if one: the byte it folds to and its length.
fn folded_at(text: &[u8], at: usize) -> Option<(u8, usize)> {
    match text[at..] {
        [0xC5, 0xBF, ..] => Some((b's', 2)),
        [0xE2, 0x84, 0xAA, ..] => Some((b'k', 3)),
        _ => None,
    }
}

/// Where the next `ſ` or `K` from `from` starts.
fn next_folded(text: &[u8], from: usize) -> Option<usize> {
    memchr::memchr2_iter(0xC5, 0xE2, &text[from..])
        .map(|p| from + p)
        .find(|&p| folded_at(text, p).is_some())
}

/// `bytes` folded as texts are (see [`fold_into`]): literals from the
/// patterns must be compared in the same form.
fn folded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    fold_into(bytes, &mut out);
    out
}

fn req(hir: &Hir) -> Req {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Req::Exact(vec![Vec::new()]),
        HirKind::Literal(lit) => Req::Exact(vec![folded(&lit.0)]),
        HirKind::Class(class) => class_strings(class).map_or(Req::Nothing, Req::Exact),
        HirKind::Capture(cap) => req(&cap.sub),
        HirKind::Repetition(rep) => match (rep.min, rep.max) {
            (1, Some(1)) => req(&rep.sub),
            (0, _) => Req::Nothing,
            // At least one copy: what each copy requires, not exactly.
            _ => match req(&rep.sub) {
                Req::Exact(set) | Req::Contains(set) => best(vec![set]),
                Req::Nothing => Req::Nothing,
            },
        },
        HirKind::Alternation(branches) => {
            let mut union: Vec<Vec<u8>> = Vec::new();
            let mut exact = true;
            for b in branches {
                match req(b) {
                    Req::Exact(set) => union.extend(set),
                    Req::Contains(set) => {
                        exact = false;
                        union.extend(set);
                    }
                    Req::Nothing => return Req::Nothing,
                }
            }
            union.sort();
            union.dedup();
            if exact {
                Req::Exact(union)
            } else {
                Req::Contains(union)
            }
        }
        HirKind::Concat(parts) => concat(parts),
    }
}

/// A concatenation: runs of exact parts are joined (as long as their
/// variants stay few); the best of those runs and of the parts' own
/// requirements is required.
fn concat(parts: &[Hir]) -> Req {
    let mut candidates: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut run: Vec<Vec<u8>> = vec![Vec::new()];
    let mut all_exact = true;
    for part in parts {
        match req(part) {
            Req::Exact(set) if run.len() * set.len() <= MAX_VARIANTS => {
                run = run
                    .iter()
                    .flat_map(|a| {
                        set.iter().map(move |b| {
                            let mut s = a.clone();
                            s.extend_from_slice(b);
                            s
                        })
                    })
                    .collect();
            }
            Req::Exact(set) => {
                all_exact = false;
                candidates.push(std::mem::replace(&mut run, vec![Vec::new()]));
                if set.len() <= MAX_VARIANTS {
                    run = set;
                } else {
                    candidates.push(set);
                }
            }
            Req::Contains(set) => {
                all_exact = false;
                candidates.push(std::mem::replace(&mut run, vec![Vec::new()]));
                candidates.push(set);
            }
            Req::Nothing => {
                all_exact = false;
                candidates.push(std::mem::replace(&mut run, vec![Vec::new()]));
            }
        }
    }
    if all_exact {
        return Req::Exact(run);
    }
    candidates.push(run);
    best(candidates)
}

/// The most selective candidate set: the longest shortest string, then the
/// fewest strings.
fn best(candidates: Vec<Vec<Vec<u8>>>) -> Req {
    candidates
        .into_iter()
        .filter(|set| !set.is_empty() && set.iter().all(|s| !s.is_empty()))
        .max_by_key(|set| {
            let shortest = set.iter().map(Vec::len).min().unwrap_or(0);
            (shortest, std::cmp::Reverse(set.len()))
        })
        .map_or(Req::Nothing, Req::Contains)
}

/// The strings (at most [`MAX_VARIANTS`]) a class matches, folded and
/// deduplicated: `[aA]` and `[sSſ]` are one string, `[éÉ]` two, `\w` none.
fn class_strings(class: &Class) -> Option<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    match class {
        Class::Unicode(c) => {
            for range in c.ranges() {
                let n = u32::from(range.end()) - u32::from(range.start()) + 1;
                if out.len() + n as usize > 2 * MAX_VARIANTS {
                    return None;
                }
                for ch in range.start()..=range.end() {
                    let mut buf = [0; 4];
                    out.push(folded(ch.encode_utf8(&mut buf).as_bytes()));
                }
            }
        }
        Class::Bytes(c) => {
            for range in c.ranges() {
                let n = usize::from(range.end() - range.start()) + 1;
                if out.len() + n > 2 * MAX_VARIANTS {
                    return None;
                }
                out.extend((range.start()..=range.end()).map(|b| folded(&[b])));
            }
        }
    }
    out.sort();
    out.dedup();
    (!out.is_empty() && out.len() <= MAX_VARIANTS).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A char as [`fold_into`] folds it, char by char: the reference.
    fn fold(c: char) -> char {
        match c {
            'ſ' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        }
    }

    fn lits(pattern: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
        required(&hir, 3, 64).map(|set| {
            set.into_iter()
                .map(|s| String::from_utf8(s).unwrap())
                .collect()
        })
    }

    #[test]
    fn case_insensitive_ascii_is_one_string() {
        assert_eq!(lits(r"(?i)\bfoo bar\b"), Some(vec!["foo bar".into()]));
        assert_eq!(lits(r"Hello"), Some(vec!["hello".into()]));
    }

    #[test]
    fn long_s_and_kelvin_sign_fold_like_texts() {
        // (?i)s also matches 'ſ' and (?i)k the Kelvin sign: texts fold them.
        assert_eq!(lits(r"(?i)desk"), Some(vec!["desk".into()]));
        let mut out = Vec::new();
        fold_into("DEſ\u{212A} é ſ".as_bytes(), &mut out);
        assert_eq!(out, "desk é s".as_bytes());
        fold_into("Plain ASCII".as_bytes(), &mut out);
        assert_eq!(out, b"plain ascii");
        fold_into("ſſ—“KK”ſ".as_bytes(), &mut out);
        assert_eq!(out, "ss—“kk”s".as_bytes());
        for text in ["", "ſ", "\u{212A}", "\u{e2}", "abc\u{c5}", "@[`{"] {
            fold_into(text.as_bytes(), &mut out);
            let want: String = text.chars().map(fold).collect();
            assert_eq!(out, want.as_bytes(), "{text:?}");
        }
    }

    #[test]
    fn alternation_is_the_union_of_its_branches() {
        assert_eq!(
            lits(r"(?i)(all rights|tous droits)"),
            Some(vec!["all rights".into(), "tous droits".into()])
        );
        // A branch with nothing required makes the whole alternation unknown.
        assert_eq!(lits(r"(?i)(all rights|\w+)"), None);
    }

    #[test]
    fn non_ascii_case_pairs_expand_to_a_few_variants() {
        let set = lits(r"(?i)права").unwrap();
        assert!(set.len() <= MAX_VARIANTS, "{set:?}");
        assert!(set.iter().any(|s| s.starts_with("пр")));
        assert!(set.iter().all(|s| s.len() >= 4));
    }

    #[test]
    fn optional_and_open_parts_require_nothing() {
        assert_eq!(lits(r"(?i)a?b*"), None);
        assert_eq!(lits(r".{0,60}"), None);
        assert_eq!(lits(r"\w+ credit \w+"), Some(vec![" credit ".into()]));
        assert_eq!(lits(r"(abc)+"), Some(vec!["abc".into()]));
    }

    #[test]
    fn every_match_contains_a_required_literal() {
        // Matches of a few patterns, lowercased as texts are, each contain
        // one of the pattern's literals.
        let cases = [
            (
                r"(?i)\b(all rights reserved|все права защищены)\b",
                "© 2024 ALL RIGHTS RESERVED.",
            ),
            (
                r"(?i)\b(all rights reserved|все права защищены)\b",
                "Все Права Защищены",
            ),
            (r"(?i)tous droits réservés", "TOUS DROITS RÉSERVÉS"),
            (r"(?i)x(getty|reuters)\W*$", "xREUTERS"),
            (r"(?i)all rights reserved", "ALL RIGHTſ RESERVED"),
            (r"(?i)desk", "DES\u{212A}"),
            // Case-sensitive literals fold as texts do.
            ("long ſpam", "long ſpam"),
            ("\u{212A}elvin scale", "\u{212A}elvin scale"),
        ];
        for (pattern, text) in cases {
            assert!(regex::Regex::new(pattern).unwrap().is_match(text));
            let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
            let set = required(&hir, 1, 64).unwrap();
            let mut lower = Vec::new();
            fold_into(text.as_bytes(), &mut lower);
            assert!(
                set.iter()
                    .any(|s| lower.windows(s.len()).any(|w| w == s.as_slice())),
                "{pattern} {text}"
            );
        }
    }
}
