//! The fuzz targets' properties on stable: every seed in `fuzz/seeds/TARGET/`
//! and every input a fuzzer once failed on, kept in `fuzz/regressions/TARGET/`,
//! is checked by the same function as in `fuzz/fuzz_targets/TARGET.rs`.

#[path = "../fuzz/checks.rs"]
mod checks;

use crate::util::root;

/// Run `check` on every file of `fuzz/seeds/TARGET` and `fuzz/regressions/TARGET`;
/// returns how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut n = 0;
    for kind in ["seeds", "regressions"] {
        let dir = root().join("fuzz").join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            let data = std::fs::read(&p).unwrap();
            let name = p.display().to_string();
            if std::panic::catch_unwind(|| check(&data)).is_err() {
                panic!("{name}: the {target} property fails");
            }
            n += 1;
        }
    }
    n
}

#[test]
fn jsonl_records_agree_with_serde_json() {
    assert!(replay("jsonl", checks::jsonl) >= 5);
}

#[test]
fn segmentation_covers_the_text() {
    assert!(replay("segment", checks::segment) >= 3);
}

#[test]
fn decoding_is_lossless_on_valid_text() {
    assert!(replay("decode", checks::decode) >= 3);
}

#[test]
fn decompression_is_bounded() {
    assert!(replay("decompress", checks::decompress) >= 2);
}

#[test]
fn pipeline_output_is_a_subsequence_and_idempotent_without_the_model() {
    assert!(replay("pipeline", checks::pipeline_text) >= 2);
}
