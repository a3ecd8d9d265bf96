//! Golden fixtures: every `fixtures/**/X.txt` is cleaned with the default
//! pipeline and compared with `X.expected.txt`; where `X.labels.tsv` exists,
//! the verdict and kind of every non-blank line are compared with it.
//! All mismatches are gathered, then the test fails once.
//! `BLESS=1 cargo test golden` rewrites the `.expected.txt` files.

use deboil::PipelineBuilder;

use crate::util::{fixture_inputs, line_diff, root, sibling};

#[test]
fn fixtures_match_expected_text_and_labels() {
    let pipeline = PipelineBuilder::new().build().unwrap();
    let bless = std::env::var_os("BLESS").is_some();
    let inputs = fixture_inputs(&root().join("fixtures"));
    assert!(
        inputs.len() >= 23,
        "fixtures missing: found {}",
        inputs.len()
    );
    let mut failures = Vec::new();
    for input in &inputs {
        let text = std::fs::read_to_string(input).unwrap();
        let cleaned = pipeline.clean(&text);
        let expected_path = sibling(input, ".expected.txt");
        if bless {
            std::fs::write(&expected_path, &cleaned.text).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        if cleaned.text != expected {
            failures.push(format!(
                "{}: text differs\n{}",
                input.display(),
                line_diff(&expected, &cleaned.text)
            ));
        }
        let labels_path = sibling(input, ".labels.tsv");
        let Ok(labels) = std::fs::read_to_string(&labels_path) else {
            continue;
        };
        let mut want = std::collections::BTreeMap::new();
        for row in labels.lines().skip(1) {
            let cols: Vec<&str> = row.split('\t').collect();
            let line: usize = cols[0].parse().unwrap();
            want.insert(line, (cols[1].to_string(), cols[2].to_string()));
        }
        let mut got = std::collections::BTreeMap::new();
        for d in &cleaned.decisions {
            let (verdict, kind) = match &d.reason {
                Some(r) => ("drop", r.kind.as_str()),
                None => ("keep", "content"),
            };
            got.insert(d.line, (verdict.to_string(), kind.to_string()));
        }
        for line in want
            .keys()
            .chain(got.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            if want.get(line) != got.get(line) {
                failures.push(format!(
                    "{}:{line}: label {:?}, got {:?}",
                    labels_path.display(),
                    want.get(line),
                    got.get(line)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The seeds through the binary's `--explain`, as a user would check them.
/// See: issue 2 (`--explain` agrees with X.labels.tsv).
#[test]
fn seed_explain_tsv_agrees_with_labels() {
    for input in fixture_inputs(&root().join("fixtures/seeds")) {
        let out = crate::util::deboil()
            .arg("--explain=-")
            .arg(&input)
            .output()
            .unwrap();
        assert!(out.status.success());
        let explain = String::from_utf8(out.stderr).unwrap();
        let rows: Vec<(String, String, String)> = explain
            .lines()
            .skip(1)
            .map(|r| {
                let c: Vec<&str> = r.split('\t').collect();
                (c[1].to_string(), c[2].to_string(), c[5].to_string())
            })
            .collect();
        let labels = std::fs::read_to_string(sibling(&input, ".labels.tsv")).unwrap();
        let want: Vec<(String, String, String)> = labels
            .lines()
            .skip(1)
            .map(|r| {
                let c: Vec<&str> = r.split('\t').collect();
                (c[0].to_string(), c[1].to_string(), c[2].to_string())
            })
            .collect();
        assert_eq!(rows, want, "{}", input.display());
        let expected = std::fs::read(sibling(&input, ".expected.txt")).unwrap();
        assert_eq!(out.stdout, expected, "{}", input.display());
    }
}
