//! `model`: the trained line model decides every line, after the other passes.
//!
//! The earlier passes' verdicts are features (the kind of their drop, the
//! classifier's single region), not the last word: the model scores every
//! non-blank line (see [`crate::model`]) and the decoder labels the page with
//! any number of content regions. Lines the model labels boilerplate are
//! dropped: with the earlier pass's reason when one dropped it, else as
//! `model.boilerplate`. Lines it labels content are kept, also when the
//! classifier had dropped them as outside its one region. Drops of the rule
//! passes (ads, comment forms, widgets, repeats) stand: they are explained by a
//! rule and have counter-examples, and the model only adds to them.
//!
//! The model's score (log-odds of content) of every line is kept in
//! [`Marks::score`] for `--explain`.

use std::sync::{Arc, LazyLock};

use crate::document::Document;
use crate::model::{self, Favor, Features, Model};
use crate::pass::{ClassifierPass, Kind, Marks, Pass, Reason};

/// Labels every line with the trained model.
#[derive(Clone, Debug)]
pub struct ModelPass {
    model: Arc<Model>,
    favor: Favor,
}

/// Fewest words of prose lines (the classifier's `good` lines) still kept
/// by the other passes for the model to act: below it a text is a snippet
/// (a paragraph piped in, a short record), and the model, trained on whole
/// pages, leaves it alone. The classifier's own threshold.
pub const MIN_PROSE_WORDS: usize = ClassifierPass::DEFAULT_MIN_REGION_WORDS;

/// Fewest non-blank lines for the model to act, for the same reason.
pub const MIN_LINES: usize = 8;

/// A document that starts with its article keeps its title: when at most
/// this many lines that the passes kept stand before the first prose line
/// (the classifier's class `good`) the model keeps, they are kept too (the
/// classifier's rule).
pub const MAX_HEAD_LINES: usize = 2;

static BOILERPLATE: LazyLock<Reason> =
    LazyLock::new(|| Reason::new(ModelPass::NAME, "model.boilerplate", Kind::LowContent));

impl ModelPass {
    /// The pass name.
    pub const NAME: &'static str = "model";

    /// The pass with the embedded model.
    pub fn new(favor: Favor) -> ModelPass {
        ModelPass {
            model: Arc::clone(model::embedded()),
            favor,
        }
    }

    /// The pass with another model.
    pub fn with_model(model: Model, favor: Favor) -> ModelPass {
        ModelPass {
            model: Arc::new(model),
            favor,
        }
    }
}

/// A page's features, the trees' scores, the decoder's gains and the labels.
type Scratch = (Features, Vec<f32>, Vec<f64>, Vec<bool>);

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> =
        std::cell::RefCell::new(Default::default());
}

impl Pass for ModelPass {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn is_final(&self) -> bool {
        true
    }

    fn apply(&self, doc: &Document<'_>, marks: &mut Marks) {
        if self.model.is_empty() {
            return;
        }
        // Too few non-blank lines to be a page ([`MIN_LINES`]), told before
        // any feature is computed: short records cost no model features.
        if doc.blocks().iter().map(|b| b.lines.len()).sum::<usize>() < MIN_LINES {
            return;
        }
        SCRATCH.with(|s| {
            let (features, scores, gains, labels) = &mut *s.borrow_mut();
            model::features::compute_needed(doc, marks, self.model.used(), features);
            if features.prose_words() < MIN_PROSE_WORDS {
                // A snippet, not a page: the passes' verdicts stand (and
                // the model does not score it).
                return;
            }
            self.model.scores(features, scores);
            marks.set_scores(&features.lines, scores);
            let bias = self.model.bias(self.favor) + self.model.page_bias(features, scores);
            self.model.decode_scores(features, scores, gains);
            self.model.decode(gains, bias, labels);
            let kept_words = |keep: &dyn Fn(usize) -> bool| -> usize {
                (0..features.lines.len())
                    .filter(|&k| keep(k))
                    .map(|k| features.words(k))
                    .sum()
            };
            if kept_words(&|k| labels[k]) == 0 && kept_words(&|k| !features.dropped(k)) > 0 {
                // Nothing at all would be left of a page with text: the
                // model is lost on it, and the passes' verdicts stand.
                return;
            }
            marks.set_threshold(-bias);
            // The title (and a standfirst) before the first prose line kept.
            if let Some(first) = (0..labels.len()).find(|&k| labels[k] && features.good(k)) {
                let head: Vec<usize> = (0..first).filter(|&k| !features.dropped(k)).collect();
                if head.len() <= MAX_HEAD_LINES {
                    for k in head {
                        labels[k] = true;
                    }
                }
            }
            // A line dropped between two prose lines kept (the nearest lines
            // on each side that no rule pass dropped) stays: a subheading
            // inside an article.
            let free: Vec<usize> = (0..labels.len()).filter(|&k| !features.forced[k]).collect();
            let inside: Vec<usize> = free
                .windows(3)
                .filter(|w| {
                    let prose = |k: usize| labels[k] && features.good(k);
                    !labels[w[1]] && prose(w[0]) && prose(w[2])
                })
                .map(|w| w[1])
                .collect();
            for k in inside {
                labels[k] = true;
            }
            for (k, &i) in features.lines.iter().enumerate() {
                let by_classifier = marks
                    .reason(i)
                    .is_some_and(|r| r.pass == ClassifierPass::NAME);
                if labels[k] {
                    if by_classifier {
                        marks.undrop(i);
                    }
                } else if !marks.is_dropped(i) {
                    marks.drop_line(i, &BOILERPLATE);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prose (the classifier's class `good`) scores 3, any other line -3.
    fn prose_model() -> Model {
        Model::parse(&format!(
            "deboil-line-model 2\nfeatures {} {}\ndecode 0.25 -1 1\nbase 0\nforced 0\n\
             prose-bonus 0\ntree 21 | 0.5 | -3 3\n",
            model::features::VERSION,
            model::N_FEATURES
        ))
        .unwrap()
    }

    #[test]
    fn a_line_between_two_prose_lines_kept_stays() {
        let prose = |what: &str| {
            format!(
                "The council said on Tuesday that the {what} would be ready for the town by the end of the year."
            )
        };
        let lines = [
            prose("bridge"),
            prose("school"),
            "What happens next".to_string(),
            prose("library"),
            prose("road"),
            "Blue and green".to_string(),
            "Red and yellow".to_string(),
            prose("park"),
        ];
        let text = lines.join("\n") + "\n";
        let doc = Document::parse(&text);
        let mut marks = Marks::new(doc.lines().len());
        ModelPass::with_model(prose_model(), Favor::Balanced).apply(&doc, &mut marks);
        let dropped: Vec<usize> = (0..lines.len()).filter(|&i| marks.is_dropped(i)).collect();
        // The heading between prose stays; the short lines after prose and
        // before prose, not between two prose lines, go.
        assert_eq!(dropped, vec![5, 6]);
        assert!(marks.score(2).is_some_and(|s| s < 0.0));
    }
}
