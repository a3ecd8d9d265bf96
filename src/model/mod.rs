//! The line model: per-line features, boosted trees over them, and a
//! sequence decoder that allows any number of content regions.
//!
//! Each non-blank line gets a score from an ensemble of oblivious regression
//! trees (trained by `train/train.py` with CatBoost, written in the small text
//! format that [`Model::parse`] reads, and embedded in the crate): the log-odds
//! that the line is content. The decoder then labels the whole page at once:
//! Viterbi over two states (content, boilerplate), where a line's score counts
//! for the state it is given and every change of state costs a learned
//! `switch` cost, so an isolated short line inside a run of content stays
//! content, and a lone prose line in a footer goes with the footer, while a
//! page may still hold as many content regions as it has (the posts of a
//! thread, the cards of a listing, the sections of a service page).

pub mod features;

use std::sync::{Arc, LazyLock};

pub use features::{Features, N_FEATURES};

use crate::error::{Error, Result};

/// The model trained on the dev sets, embedded at build time.
const EMBEDDED: &str = include_str!("line-model.txt");

/// The embedded model, parsed once.
pub fn embedded() -> &'static Arc<Model> {
    static MODEL: LazyLock<Arc<Model>> =
        LazyLock::new(|| Arc::new(Model::parse(EMBEDDED).expect("the embedded line model parses")));
    &MODEL
}

/// Which error matters more: a threshold preset over the model's scores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Favor {
    /// The trained balance (best F1 in cross-validation).
    #[default]
    Balanced,
    /// Drop more: less boilerplate left, some content lost.
    Precision,
    /// Keep more: less content lost, some boilerplate left.
    Recall,
}

impl std::str::FromStr for Favor {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Favor, String> {
        match s {
            "balanced" => Ok(Favor::Balanced),
            "precision" => Ok(Favor::Precision),
            "recall" => Ok(Favor::Recall),
            _ => Err(format!(
                "unknown favor {s:?} (expected balanced, precision or recall)"
            )),
        }
    }
}

/// One oblivious tree (CatBoost's symmetric trees): every node of a level
/// asks the same question, so a tree is a list of tests and a table of
/// leaves. Test `l` sets bit `l` of the leaf's index when
/// `x[feature[l]] > threshold[l]`.
#[derive(Clone, Debug, Default)]
struct Tree {
    feature: Vec<u16>,
    threshold: Vec<f32>,
    /// `2^depth` values.
    leaf: Vec<f32>,
}

/// Deepest tree a model may hold: its leaf table has `2^MAX_DEPTH` values.
pub const MAX_DEPTH: usize = 12;

impl Tree {
    /// The tree's value for row `x`, test by test.
    #[cfg(test)]
    fn eval(&self, x: &[f32]) -> f32 {
        let index = self
            .feature
            .iter()
            .zip(&self.threshold)
            .enumerate()
            .map(|(l, (&f, &t))| usize::from(x[usize::from(f)] > t) << l)
            .sum::<usize>();
        self.leaf[index]
    }

    fn check(&self, n_features: usize) -> std::result::Result<(), String> {
        let depth = self.feature.len();
        if self.threshold.len() != depth {
            return Err("as many thresholds as tests expected".into());
        }
        if depth > MAX_DEPTH {
            return Err(format!("a tree {depth} deep (at most {MAX_DEPTH})"));
        }
        if self.leaf.len() != 1 << depth {
            return Err(format!(
                "2^{depth} leaves expected, not {}",
                self.leaf.len()
            ));
        }
        if self.feature.iter().any(|&f| usize::from(f) >= n_features) {
            return Err("a feature index out of range".into());
        }
        Ok(())
    }
}

/// Rows evaluated together by [`Model::scores`].
const LANES: usize = 16;

/// The trees as [`Model::scores`] walks them: the tests of all trees in one
/// array, each on a column of the features the model reads (`columns`: the
/// feature of each column), and the leaves in another.
#[derive(Clone, Debug, Default)]
struct Flat {
    columns: Vec<usize>,
    /// `(column, threshold)` of each test, tree after tree.
    tests: Vec<(u32, f32)>,
    /// `(first test, depth, first leaf)` of each tree.
    trees: Vec<(usize, usize, usize)>,
    leaves: Vec<f32>,
    /// The leaves of each tree padded to 64 (zeros past `2^depth`), when
    /// every tree is at most 6 deep: [`Flat::sum_avx512`] holds a tree's
    /// leaves in four registers.
    leaves64: Vec<[f32; 64]>,
}

impl Flat {
    fn new(trees: &[Tree], used: u128) -> Flat {
        let columns: Vec<usize> = (0..N_FEATURES).filter(|&f| used >> f & 1 != 0).collect();
        let column = |f: u16| {
            columns
                .iter()
                .position(|&c| c == usize::from(f))
                .unwrap_or(0) as u32
        };
        let mut flat = Flat::default();
        for t in trees {
            flat.trees
                .push((flat.tests.len(), t.feature.len(), flat.leaves.len()));
            flat.tests.extend(
                t.feature
                    .iter()
                    .zip(&t.threshold)
                    .map(|(&f, &th)| (column(f), th)),
            );
            flat.leaves.extend(&t.leaf);
        }
        flat.columns = columns;
        if trees.iter().all(|t| t.feature.len() <= 6) {
            flat.leaves64 = trees
                .iter()
                .map(|t| {
                    let mut l = [0f32; 64];
                    l[..t.leaf.len()].copy_from_slice(&t.leaf);
                    l
                })
                .collect();
        }
        flat
    }

    /// The sum of the trees' values for each row of `block` (a column of
    /// LANES values for each of [`Flat::columns`]).
    fn sum(&self, block: &[[f32; LANES]]) -> [f32; LANES] {
        #[cfg(target_arch = "x86_64")]
        {
            if self.leaves64.len() == self.trees.len()
                && std::arch::is_x86_feature_detected!("avx512f")
            {
                // SAFETY: the CPU has AVX-512F, as just checked.
                return unsafe { self.sum_avx512(block) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, as just checked.
                return unsafe { self.sum_avx2(block) };
            }
        }
        self.sum_any(block)
    }

    /// [`Flat::sum`] in AVX-512 instructions, for trees at most 6 deep: the
    /// sixteen lanes in one vector; a test is a compare into a mask, a
    /// shift and a masked addition (the tests from the last to the first,
    /// as in [`Flat::sum_avx2`]); a tree's 64 leaves are four registers,
    /// read by two two-register permutes (the index's low five bits) and a
    /// blend on its sixth bit, with no gather. The same sums as
    /// [`Flat::sum_any`], added in the same order.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn sum_avx512(&self, block: &[[f32; LANES]]) -> [f32; LANES] {
        use std::arch::x86_64::*;
        const _: () = assert!(LANES == 16);
        assert_eq!(block.len(), self.columns.len());
        assert_eq!(self.leaves64.len(), self.trees.len());
        let one = _mm512_set1_epi32(1);
        let sixth = _mm512_set1_epi32(32);
        let mut sum = _mm512_setzero_ps();
        for (&(first, depth, _), leaves) in self.trees.iter().zip(&self.leaves64) {
            let mut index = _mm512_setzero_si512();
            for &(col, threshold) in self.tests[first..first + depth].iter().rev() {
                // SAFETY: `Flat::new` gives columns below `columns.len()`,
                // which is `block.len()`, as asserted.
                let column = unsafe { block.get_unchecked(col as usize) };
                // SAFETY: a column holds 16 values.
                let v = unsafe { _mm512_loadu_ps(column.as_ptr()) };
                let above = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(v, _mm512_set1_ps(threshold));
                index = _mm512_add_epi32(index, index);
                index = _mm512_mask_add_epi32(index, above, index, one);
            }
            // SAFETY: `leaves` holds 64 values, so 16 from 0, 16, 32 or 48.
            let l = |at: usize| unsafe { _mm512_loadu_ps(leaves.as_ptr().add(at)) };
            let low = _mm512_permutex2var_ps(l(0), index, l(16));
            let high = _mm512_permutex2var_ps(l(32), index, l(48));
            let v = _mm512_mask_blend_ps(_mm512_test_epi32_mask(index, sixth), low, high);
            sum = _mm512_add_ps(sum, v);
        }
        let mut out = [0f32; LANES];
        // SAFETY: `out` holds 16 values.
        unsafe { _mm512_storeu_ps(out.as_mut_ptr(), sum) };
        out
    }

    /// [`Flat::sum`] in AVX2 instructions: the sixteen lanes as two vectors
    /// of eight; a test is a compare, a shift and a subtraction a vector
    /// (the tests from the last to the first, each shifting the bits before
    /// it up: the first test's bit ends lowest, as in [`Flat::sum_any`]),
    /// and a tree's leaves are read with one gather a vector. The same sums
    /// as [`Flat::sum_any`], added in the same order.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn sum_avx2(&self, block: &[[f32; LANES]]) -> [f32; LANES] {
        use std::arch::x86_64::*;
        const _: () = assert!(LANES == 16);
        assert_eq!(block.len(), self.columns.len());
        let mut sum = [_mm256_setzero_ps(); 2];
        for &(first, depth, leaf) in &self.trees {
            let mut index = [_mm256_setzero_si256(); 2];
            for &(col, threshold) in self.tests[first..first + depth].iter().rev() {
                // SAFETY: `Flat::new` gives columns below `columns.len()`,
                // which is `block.len()`, as asserted.
                let column = unsafe { block.get_unchecked(col as usize) };
                let threshold = _mm256_set1_ps(threshold);
                for (h, index) in index.iter_mut().enumerate() {
                    // SAFETY: a column holds 16 values, so 8 from 0 or 8.
                    let v = unsafe { _mm256_loadu_ps(column.as_ptr().add(8 * h)) };
                    // All ones (-1) where the value is above the threshold.
                    let above = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GT_OQ>(v, threshold));
                    *index = _mm256_sub_epi32(_mm256_slli_epi32::<1>(*index), above);
                }
            }
            let leaves = &self.leaves[leaf..leaf + (1 << depth)];
            for (s, index) in sum.iter_mut().zip(index) {
                // SAFETY: each index has a bit set only below `depth` (one
                // per test), so it is below `2^depth`, the leaves' length.
                let v = unsafe { _mm256_i32gather_ps::<4>(leaves.as_ptr(), index) };
                *s = _mm256_add_ps(*s, v);
            }
        }
        let mut out = [0f32; LANES];
        for (h, s) in sum.iter().enumerate() {
            // SAFETY: `out` holds 16 values, so 8 from 0 or 8.
            unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(8 * h), *s) };
        }
        out
    }

    /// [`Flat::sum`] for any CPU.
    #[inline(always)]
    fn sum_any(&self, block: &[[f32; LANES]]) -> [f32; LANES] {
        let mut sum = [0f32; LANES];
        for &(first, depth, leaf) in &self.trees {
            let mut index = [0u32; LANES];
            for (l, &(col, threshold)) in self.tests[first..first + depth].iter().enumerate() {
                for (i, &v) in index.iter_mut().zip(&block[col as usize]) {
                    *i |= u32::from(v > threshold) << l;
                }
            }
            let leaves = &self.leaves[leaf..leaf + (1 << depth)];
            for (s, &i) in sum.iter_mut().zip(&index) {
                *s += leaves[i as usize];
            }
        }
        sum
    }
}

/// `x`'s bits as an integer that orders as `f64::total_cmp` orders `x`.
fn ordered_bits(x: f64) -> u64 {
    let b = x.to_bits();
    // Negative numbers: all bits flipped (larger magnitudes lower); others:
    // the sign bit set, so they order above every negative one.
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

/// Boosted trees and the decoder's parameters.
#[derive(Clone, Debug, Default)]
pub struct Model {
    trees: Vec<Tree>,
    /// The trees as [`Model::scores`] walks them.
    flat: Flat,
    base: f32,
    /// Added to `base` for the score of a forced line (see
    /// [`Features::forced`]), which the trees do not score.
    forced: f32,
    /// Added before decoding to the score of a prose line that no earlier
    /// pass dropped (see [`Model::decode_scores`]).
    prose_bonus: f32,
    /// See [`Model::page_bias`]: beta, and the most it moves a threshold
    /// (beta 0: no page fit).
    page_fit: (f64, f64),
    switch: f32,
    bias_precision: f32,
    bias_recall: f32,
    /// See [`Model::used`].
    used: u128,
}

impl Model {
    /// Parse the text format that `train/train.py` writes:
    ///
    /// ```text
    /// deboil-line-model 2
    /// features VERSION N_FEATURES
    /// decode SWITCH PRECISION_BIAS RECALL_BIAS
    /// base BASE_SCORE
    /// forced FORCED_SCORE
    /// prose-bonus PROSE_BONUS
    /// page-fit BETA BOUND
    /// tree FEATURES.. | THRESHOLDS.. | LEAVES..
    /// ```
    ///
    /// A `tree` is oblivious: test `l` (feature `FEATURES[l]` above
    /// `THRESHOLDS[l]`) sets bit `l` of the index into its `2^depth` leaves.
    pub fn parse(s: &str) -> Result<Model> {
        let bad = |line: usize, why: &str| Error::Config(format!("line model, line {line}: {why}"));
        let mut m = Model::default();
        let mut seen_features = false;
        for (n, line) in s.lines().enumerate() {
            let n = n + 1;
            let mut parts = line.split_whitespace();
            let Some(head) = parts.next() else { continue };
            let nums = |parts: std::str::SplitWhitespace<'_>| -> Result<Vec<f32>> {
                parts
                    .map(|p| match p.parse::<f32>() {
                        Ok(v) if v.is_finite() => Ok(v),
                        _ => Err(bad(n, "a finite number expected")),
                    })
                    .collect()
            };
            match head {
                "deboil-line-model" => match parts.next() {
                    Some("2") => {}
                    Some("1") => {
                        return Err(bad(
                            n,
                            "format 1 (LightGBM trees): retrain with train/train.py",
                        ));
                    }
                    _ => return Err(bad(n, "unknown format version")),
                },
                "features" => {
                    let v = nums(parts)?;
                    if v != [features::VERSION as f32, N_FEATURES as f32] {
                        return Err(bad(
                            n,
                            &format!(
                                "trained on features {v:?}, this build computes version {} with {}",
                                features::VERSION,
                                N_FEATURES
                            ),
                        ));
                    }
                    seen_features = true;
                }
                "decode" => {
                    let v = nums(parts)?;
                    let [switch, p, r] = v[..] else {
                        return Err(bad(n, "decode takes three numbers"));
                    };
                    (m.switch, m.bias_precision, m.bias_recall) = (switch, p, r);
                }
                "base" => {
                    m.base = *nums(parts)?
                        .first()
                        .ok_or_else(|| bad(n, "base needs a value"))?;
                }
                "forced" => {
                    m.forced = *nums(parts)?
                        .first()
                        .ok_or_else(|| bad(n, "forced needs a value"))?;
                }
                "prose-bonus" => {
                    m.prose_bonus = *nums(parts)?
                        .first()
                        .ok_or_else(|| bad(n, "prose-bonus needs a value"))?;
                }
                "page-fit" => {
                    let v = nums(parts)?;
                    let [beta, bound] = v[..] else {
                        return Err(bad(n, "page-fit takes two numbers"));
                    };
                    if !(beta >= 0.0 && bound >= 0.0) {
                        return Err(bad(n, "page-fit takes two numbers of at least 0"));
                    }
                    m.page_fit = (f64::from(beta), f64::from(bound));
                }
                "tree" => {
                    let rest: Vec<&str> = line["tree".len()..].split('|').collect();
                    if rest.len() != 3 {
                        return Err(bad(n, "a tree has three groups"));
                    }
                    let feature = rest[0]
                        .split_whitespace()
                        .map(|p| {
                            p.parse::<u16>()
                                .map_err(|_| bad(n, "a feature index expected"))
                        })
                        .collect::<Result<Vec<u16>>>()?;
                    let tree = Tree {
                        feature,
                        threshold: nums(rest[1].split_whitespace())?,
                        leaf: nums(rest[2].split_whitespace())?,
                    };
                    tree.check(N_FEATURES).map_err(|why| bad(n, &why))?;
                    m.trees.push(tree);
                }
                _ => return Err(bad(n, &format!("unknown record {head:?}"))),
            }
        }
        if !m.trees.is_empty() && !seen_features {
            return Err(bad(0, "no features record"));
        }
        m.used = m
            .trees
            .iter()
            .flat_map(|t| &t.feature)
            .fold(0, |u, &f| u | 1 << f);
        m.flat = Flat::new(&m.trees, m.used);
        Ok(m)
    }

    /// The score of a forced row (one a rule pass dropped): a constant, not
    /// the trees'.
    pub fn forced_score(&self) -> f32 {
        self.base + self.forced
    }

    /// The features the trees read: bit `f` for feature `f`.
    pub fn used(&self) -> u128 {
        self.used
    }

    /// True when the model has no trees (it then keeps every line).
    pub fn is_empty(&self) -> bool {
        self.trees.is_empty()
    }

    /// The log-odds that each row is content; a forced row (see
    /// [`Features::forced`]) gets the model's constant for them.
    pub fn scores(&self, f: &Features, out: &mut Vec<f32>) {
        out.clear();
        out.resize(f.lines.len(), self.forced_score());
        // LANES rows at a time: their features the trees read are copied
        // into columns, and each test compares a column's LANES values at
        // once (the loops over lanes are vector code), setting a bit of each
        // row's leaf index; no test waits on another.
        let columns = &self.flat.columns;
        let mut block = vec![[0f32; LANES]; columns.len()];
        let mut rows = (0..f.lines.len()).filter(|&k| !f.forced[k]);
        loop {
            let mut lane = [0usize; LANES];
            let mut lanes = 0;
            for (slot, k) in lane.iter_mut().zip(rows.by_ref()) {
                *slot = k;
                lanes += 1;
            }
            if lanes == 0 {
                break;
            }
            // Spare lanes score the first row again.
            let first = lane[0];
            lane[lanes..].fill(first);
            for (col, &feature) in block.iter_mut().zip(columns) {
                for (v, &k) in col.iter_mut().zip(&lane) {
                    *v = f.values[k * N_FEATURES + feature];
                }
            }
            let sum = self.flat.sum(&block);
            for (&k, s) in lane[..lanes].iter().zip(sum) {
                out[k] = self.base + s;
            }
        }
    }

    /// The scores the decoder reads: `scores` with the prose bonus added to
    /// every prose line (the classifier's class `good`) that no earlier
    /// pass dropped. Losing content is the worse error: such a line goes
    /// only on clear evidence (the last paragraph of an article, say, just
    /// before a block of boilerplate).
    pub fn decode_scores(&self, f: &Features, scores: &[f32], out: &mut Vec<f64>) {
        let bonus = f64::from(self.prose_bonus);
        out.clear();
        out.extend(scores.iter().enumerate().map(|(k, &s)| {
            let s = f64::from(s);
            if bonus != 0.0 && f.good(k) && !f.dropped(k) {
                s + bonus
            } else {
                s
            }
        }));
    }

    /// The page fit: a bias for this page's scores that moves its threshold
    /// to the cut that maximises the page's expected F-beta, within
    /// ±bound (the `page-fit` record; none without it). The trees' scores
    /// of the rows that are not forced are taken as the probabilities
    /// (logistic) that each is content, their words plus one as weights.
    /// Sorted by score (high first, ties in page order), the first `k`
    /// kept give an expected F-beta of
    /// `(1 + b²) Σₖ p·t / (Σₖ t + b² Σ p·t)`; the cut is halfway between
    /// the best `k`'s last score and the next one (half a unit below the
    /// last, when all are kept). A page on which the trees are sure of a
    /// few lines and unsure of many gets a higher threshold than a page of
    /// many likely lines. `train/train.py`'s `page_bias`, in the same
    /// order and precision (`f64`).
    pub fn page_bias(&self, f: &Features, scores: &[f32]) -> f64 {
        let (beta, bound) = self.page_fit;
        if beta <= 0.0 {
            return 0.0;
        }
        // (score, words + 1, probability times words + 1), in page order:
        // `+ 0.0` reads -0 as 0, as numpy compares them.
        let rows: Vec<(f64, f64, f64)> = (0..scores.len())
            .filter(|&k| !f.forced[k])
            .map(|k| {
                let (s, t) = (f64::from(scores[k]) + 0.0, f.words(k) as f64 + 1.0);
                (s, t, t / (1.0 + (-s).exp()))
            })
            .collect();
        if rows.is_empty() {
            return 0.0;
        }
        // High scores first, ties in page order (as numpy's stable argsort
        // leaves them): sorted as one integer a row, the score's bits in
        // descending order above its place among the rows.
        let mut order: Vec<u128> = rows
            .iter()
            .enumerate()
            .map(|(j, r)| u128::from(!ordered_bits(r.0)) << 64 | j as u128)
            .collect();
        order.sort_unstable();
        let sorted = |i: usize| rows[order[i] as u64 as usize];
        // Summed in the sorted order, as numpy's cumsum adds.
        let total: f64 = (0..rows.len()).fold(0.0, |a, i| a + sorted(i).2);
        let b2 = beta * beta;
        let (mut best, mut at, mut cp, mut ct) = (-1.0, 0, 0.0, 0.0);
        for i in 0..rows.len() {
            let (_, t, pt) = sorted(i);
            cp += pt;
            ct += t;
            let ef = (1.0 + b2) * cp / (ct + b2 * total);
            if ef > best {
                (best, at) = (ef, i);
            }
        }
        let cut = if at + 1 < rows.len() {
            (sorted(at).0 + sorted(at + 1).0) / 2.0
        } else {
            sorted(at).0 - 0.5
        };
        (-cut).clamp(-bound, bound)
    }

    /// The bias `favor` adds to every score before decoding.
    pub fn bias(&self, favor: Favor) -> f64 {
        f64::from(match favor {
            Favor::Balanced => 0.0,
            Favor::Precision => self.bias_precision,
            Favor::Recall => self.bias_recall,
        })
    }

    /// Label the rows: true for content. Viterbi over (content, boilerplate)
    /// with the score (plus `bias`) as the content state's gain and the
    /// model's switch cost for each change of state.
    ///
    /// In `f64`, as `train/train.py` decodes: the same sums in the same
    /// order, so that a near tie between two paths goes the same way in
    /// both.
    pub fn decode(&self, scores: &[f64], bias: f64, out: &mut Vec<bool>) {
        decode(scores, bias, f64::from(self.switch), out)
    }
}

/// See [`Model::decode`].
pub fn decode(scores: &[f64], bias: f64, switch: f64, out: &mut Vec<bool>) {
    out.clear();
    let n = scores.len();
    if n == 0 {
        return;
    }
    // back[k] bit s: the best path into state s at k came from content.
    let mut back = vec![0u8; n];
    let (mut keep, mut drop) = (0f64, 0f64);
    for (k, &s) in scores.iter().enumerate() {
        let gain = (s + bias) / 2.0;
        let (from_keep_k, from_drop_k) = (keep, drop - switch);
        let (from_keep_d, from_drop_d) = (keep - switch, drop);
        let mut b = 0u8;
        let nk = if k == 0 || from_keep_k >= from_drop_k {
            b |= 1;
            from_keep_k
        } else {
            from_drop_k
        };
        let nd = if k > 0 && from_keep_d > from_drop_d {
            b |= 2;
            from_keep_d
        } else {
            from_drop_d
        };
        if k == 0 {
            (keep, drop) = (gain, -gain);
        } else {
            (keep, drop) = (nk + gain, nd - gain);
        }
        back[k] = b;
    }
    out.resize(n, false);
    let mut state = keep >= drop;
    for k in (0..n).rev() {
        out[k] = state;
        if k > 0 {
            state = if state {
                back[k] & 1 != 0
            } else {
                back[k] & 2 != 0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header of a model file for this build's features.
    fn head() -> String {
        format!(
            "deboil-line-model 2\nfeatures {} {}\n",
            features::VERSION,
            N_FEATURES
        )
    }

    /// The model of the records `body`, under [`head`].
    fn model(body: &str) -> Model {
        Model::parse(&format!("{}{body}", head())).unwrap()
    }

    #[test]
    fn decoder_without_switch_cost_follows_the_sign() {
        let mut out = Vec::new();
        decode(&[1.0, -1.0, 2.0, -0.5], 0.0, 0.0, &mut out);
        assert_eq!(out, vec![true, false, true, false]);
    }

    #[test]
    fn decoder_switch_cost_absorbs_lone_lines() {
        let mut out = Vec::new();
        decode(
            &[3.0, 3.0, -0.5, 3.0, 3.0, -4.0, -4.0, 0.3, -4.0],
            0.0,
            1.0,
            &mut out,
        );
        assert_eq!(
            out,
            vec![true, true, true, true, true, false, false, false, false]
        );
        // Two content regions stay two regions.
        decode(&[3.0, 3.0, -4.0, -4.0, -4.0, 3.0, 3.0], 0.0, 1.0, &mut out);
        assert_eq!(out, vec![true, true, false, false, false, true, true]);
    }

    #[test]
    fn decoder_bias_moves_the_threshold() {
        let mut out = Vec::new();
        decode(&[-0.5, -0.5], 1.0, 0.0, &mut out);
        assert_eq!(out, vec![true, true]);
        decode(&[0.5, 0.5], -1.0, 0.0, &mut out);
        assert_eq!(out, vec![false, false]);
    }

    #[test]
    fn parses_and_evaluates_a_tree() {
        let m = model("decode 1 -1 1\nbase 0.5\ntree 0 | 0.5 | -1 2\n");
        let mut f = Features {
            lines: vec![0, 1],
            values: vec![0.0; 2 * N_FEATURES],
            forced: vec![false; 2],
            words: vec![0; 2],
        };
        f.values[N_FEATURES] = 1.0;
        let mut s = Vec::new();
        m.scores(&f, &mut s);
        assert_eq!(s, vec![-0.5, 2.5]);
    }

    #[test]
    fn prose_bonus_lifts_only_prose_lines_every_pass_kept() {
        let m = model("decode 1 -1 1\nbase 0\nforced 0\nprose-bonus 2\ntree | | -1\n");
        let n = N_FEATURES;
        let mut f = Features {
            lines: vec![0, 1, 2],
            values: vec![0.0; 3 * n],
            forced: vec![false, false, true],
            words: vec![0; 3],
        };
        // Line 0: prose, kept. Line 1: not prose. Line 2: prose, dropped.
        f.values[21] = 1.0;
        f.values[2 * n + 21] = 1.0;
        f.values[2 * n + features::OWN] = 1.0;
        let mut s = Vec::new();
        m.scores(&f, &mut s);
        assert_eq!(s, vec![-1.0, -1.0, 0.0]);
        let mut d = Vec::new();
        m.decode_scores(&f, &s, &mut d);
        assert_eq!(d, vec![1.0, -1.0, 0.0]);
    }

    #[test]
    fn rejects_bad_models() {
        let head = head();
        for bad in [
            format!("deboil-line-model 1\nfeatures {} 3\n", features::VERSION),
            // Leaves not 2^depth, a feature out of range, a bad number, a
            // tree of the old format.
            format!("{head}tree 0 | 0.5 | -1 2 3\n"),
            format!("{head}tree 9999 | 0.5 | -1 2\n"),
            format!("{head}tree 0 | x | -1 2\n"),
            // Numbers that are not finite: NaN would order no sort.
            format!("{head}tree 0 | NaN | -1 2\n"),
            format!("{head}tree 0 | 0.5 | -1 inf\n"),
            format!("{head}base nan\n"),
            format!("{head}tree 0 | 0.5 | -1 | -2 | -1 2\n"),
            format!("{head}tree 0 1 | 0.5 | -1 2 3 4\n"),
            format!("{head}leaf 1\n"),
            // Deeper than MAX_DEPTH.
            format!(
                "{head}tree {} | {} | {}\n",
                "0 ".repeat(MAX_DEPTH + 1),
                "0.5 ".repeat(MAX_DEPTH + 1),
                "1 ".repeat(1 << (MAX_DEPTH + 1)),
            ),
            "deboil-line-model 1\n".to_string(),
        ] {
            assert!(Model::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn embedded_model_parses() {
        let _ = embedded();
    }

    #[test]
    fn rows_in_lanes_score_as_one_by_one() {
        // The shipped model, and trees of other depths: a single leaf, a
        // stump, tests on one feature twice.
        let mixed = model(
            "decode 1 -1 1\nbase 0.25\ntree | | 0.75\ntree 3 | 1.5 | -1 2\n\
             tree 0 7 0 | 2 1 3 | 1 2 3 4 5 6 7 8\n",
        );
        // A tree 7 deep: more leaves than the AVX-512 sum holds in its
        // registers, so the model takes the AVX2 or portable sum.
        let leaves: Vec<String> = (0..128).map(|v| format!("{}", v as f32 / 8.0)).collect();
        let deep = model(&format!(
            "decode 1 -1 1\nbase 0\ntree 0 1 2 3 4 5 6 | 1 2 1 3 2 1 2 | {}\n",
            leaves.join(" ")
        ));
        assert!(deep.flat.leaves64.is_empty() && !mixed.flat.leaves64.is_empty());
        for m in [&**embedded(), &mixed, &deep] {
            scores_in_lanes_as_one_by_one(m);
        }
    }

    #[test]
    fn the_sum_for_any_cpu_is_the_vector_one() {
        // `sum` takes the AVX-512 or AVX2 build where the CPU has it: each
        // must give the portable one's values.
        let flat = &embedded().flat;
        let mut state = 777u32;
        let block: Vec<[f32; LANES]> = (0..flat.columns.len())
            .map(|_| {
                std::array::from_fn(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (state >> 16) as f32 / 16384.0
                })
            })
            .collect();
        let any = flat.sum_any(&block);
        assert_eq!(flat.sum(&block), any);
        #[cfg(target_arch = "x86_64")]
        {
            assert_eq!(flat.leaves64.len(), flat.trees.len());
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, as just checked.
                assert_eq!(unsafe { flat.sum_avx2(&block) }, any);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has AVX-512F, as just checked.
                assert_eq!(unsafe { flat.sum_avx512(&block) }, any);
            }
        }
    }

    /// Rows of `(score, words, forced)` as the page fit reads them.
    fn page(rows: &[(f32, usize, bool)]) -> (Features, Vec<f32>) {
        let mut f = Features {
            lines: (0..rows.len()).collect(),
            values: vec![0.0; rows.len() * N_FEATURES],
            forced: rows.iter().map(|r| r.2).collect(),
            words: rows.iter().map(|r| r.1 as u32).collect(),
        };
        for (k, r) in rows.iter().enumerate() {
            f.values[k * N_FEATURES] = (r.1 as f32).ln_1p();
        }
        (f, rows.iter().map(|r| r.0).collect())
    }

    /// The expected F-beta of keeping the free rows scoring above `cut`.
    fn expected_f(rows: &[(f32, usize, bool)], cut: f64, beta: f64) -> f64 {
        let free = rows.iter().filter(|r| !r.2);
        let (mut kept_pt, mut kept_t, mut all_pt) = (0.0, 0.0, 0.0);
        for &(s, w, _) in free {
            let (s, t) = (f64::from(s), w as f64 + 1.0);
            let pt = t / (1.0 + (-s).exp());
            all_pt += pt;
            if s > cut {
                kept_pt += pt;
                kept_t += t;
            }
        }
        (1.0 + beta * beta) * kept_pt / (kept_t + beta * beta * all_pt)
    }

    proptest::proptest! {
        #[test]
        fn ordered_bits_order_as_total_cmp(a in proptest::num::f64::ANY, b in proptest::num::f64::ANY) {
            proptest::prop_assert_eq!(ordered_bits(a).cmp(&ordered_bits(b)), a.total_cmp(&b));
        }

        // The page fit's cut gives the best expected F-beta of all the cuts
        // between the page's scores (that keep at least one row), the
        // forced rows aside, and the bias stays within the bound.
        #[test]
        fn page_fit_takes_the_cut_of_the_best_expected_f(
            rows in proptest::collection::vec(
                (-60i32..60, 0usize..40, proptest::bool::weighted(0.2)), 1..40),
        ) {
            let rows: Vec<(f32, usize, bool)> =
                rows.into_iter().map(|(s, w, f)| (s as f32 / 10.0, w, f)).collect();
            let m = model("decode 0.25 -1 1\nbase 0\nforced 0\npage-fit 0.7 100\n");
            let (f, scores) = page(&rows);
            let bias = m.page_bias(&f, &scores);
            let mut free: Vec<f64> =
                rows.iter().filter(|r| !r.2).map(|r| f64::from(r.0)).collect();
            if free.is_empty() {
                proptest::prop_assert_eq!(bias, 0.0);
                return Ok(());
            }
            free.sort_by(|a, b| b.total_cmp(a));
            free.dedup();
            let got = expected_f(&rows, -bias, 0.7);
            for (k, &s) in free.iter().enumerate() {
                let cut = free.get(k + 1).map_or(s - 0.5, |&next| (s + next) / 2.0);
                proptest::prop_assert!(got >= expected_f(&rows, cut, 0.7) - 1e-12,
                    "cut {} beats {}", cut, -bias);
            }
            let bounded = model("decode 0.25 -1 1\nbase 0\nforced 0\npage-fit 0.7 0.5\n");
            proptest::prop_assert_eq!(bounded.page_bias(&f, &scores), bias.clamp(-0.5, 0.5));
        }
    }

    #[test]
    fn page_fit_raises_the_threshold_of_a_page_of_few_sure_lines() {
        // Two long lines the trees are sure of and many short unsure ones:
        // the cut goes above the unsure ones (a negative bias), which
        // `decode` then drops; without the record nothing moves.
        let mut rows = vec![(4.0, 60, false), (3.5, 50, false)];
        rows.extend((0..12).map(|k| (0.3 + k as f32 / 100.0, 3, false)));
        rows.push((2.0, 5, true));
        let (f, scores) = page(&rows);
        let fit = model("decode 0 -1 1\nbase 0\nforced 0\npage-fit 0.7 1\n");
        let bias = fit.page_bias(&f, &scores);
        assert!((-1.0..-0.3).contains(&bias), "{bias}");
        let mut gains = Vec::new();
        fit.decode_scores(&f, &scores, &mut gains);
        let mut keep = Vec::new();
        fit.decode(&gains, bias, &mut keep);
        assert_eq!(keep.iter().filter(|&&k| k).count(), 3, "{keep:?}");
        let plain = model("decode 0 -1 1\nbase 0\nforced 0\n");
        assert_eq!(plain.page_bias(&f, &scores), 0.0);
    }

    #[test]
    fn page_fit_needs_two_numbers_of_at_least_zero() {
        for bad in [
            "page-fit 0.7",
            "page-fit -1 1",
            "page-fit 0.7 -1",
            "page-fit x 1",
        ] {
            assert!(
                Model::parse(&format!("{}{bad}\n", head())).is_err(),
                "{bad}"
            );
        }
    }

    fn scores_in_lanes_as_one_by_one(m: &Model) {
        let n = 3 * LANES + 5;
        let mut f = Features {
            lines: (0..n).collect(),
            values: vec![0.0; n * N_FEATURES],
            // Every fifth row forced: scored by the constant, not the trees.
            forced: (0..n).map(|k| k % 5 == 3).collect(),
            words: vec![0; n],
        };
        // Varied rows: a cheap deterministic sequence in [0, 4).
        let mut state = 12345u32;
        for v in f.values.iter_mut() {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *v = (state >> 16) as f32 / 16384.0;
        }
        let mut fast = Vec::new();
        m.scores(&f, &mut fast);
        for (k, s) in fast.iter().enumerate() {
            let x = f.row(k);
            let one = if f.forced[k] {
                m.base + m.forced
            } else {
                m.base + m.trees.iter().map(|t| t.eval(x)).sum::<f32>()
            };
            assert!((one - s).abs() < 1e-4, "row {k}: {one} vs {s}");
        }
    }

    #[test]
    fn the_features_the_trees_skip_leave_the_scores_as_they_are() {
        // The shipped model, and one that reads the date feature but not the
        // other costly ones (URL, time, headline shape).
        let small = model("decode 1 -1 1\nbase 0\ntree 16 0 | 0.5 0.5 | 1 2 3 4\n");
        assert_eq!(small.used(), 1 << 16 | 1);
        let mut differ = false;
        for m in [&**embedded(), &small] {
            for seed in [
                "000_cb07e14a5c4c7b8b",
                "001_986ed07ce0cea2d6",
                "002_05bd5ced44f45a76",
            ] {
                let path = format!("{}/fixtures/seeds/{seed}.txt", env!("CARGO_MANIFEST_DIR"));
                let text = std::fs::read_to_string(path).unwrap();
                let doc = crate::document::Document::parse(&text);
                let marks = crate::pass::Marks::new(doc.lines().len());
                let (mut all, mut used) = (Features::default(), Features::default());
                features::compute(&doc, &marks, &mut all);
                features::compute_needed(&doc, &marks, m.used(), &mut used);
                let (mut a, mut u) = (Vec::new(), Vec::new());
                m.scores(&all, &mut a);
                m.scores(&used, &mut u);
                assert!(a.len() > 8);
                assert_eq!(a, u, "{seed}");
                differ |= all.values != used.values;
            }
        }
        assert!(differ, "no feature was left out on these pages");
    }
}
