//! Test helpers.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `deboil` binary with a clean environment (no colour, no thread or deboil variables).
pub fn deboil() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("deboil").expect("the deboil binary is built");
    cmd.env_remove("NO_COLOR")
        .env_remove("RAYON_NUM_THREADS")
        .current_dir(root());
    for (k, _) in std::env::vars() {
        if k.starts_with("DEBOIL_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// All fixture inputs (`*.txt` that are not `*.expected.txt`) under `dir`, sorted.
pub fn fixture_inputs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "txt")
                && !p.to_string_lossy().ends_with(".expected.txt")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `path` with its `.txt` ending replaced by `suffix`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let s = path.to_string_lossy();
    PathBuf::from(format!("{}{suffix}", s.strip_suffix(".txt").unwrap_or(&s)))
}

/// A line diff between rulers, for failure messages.
pub fn line_diff(expected: &str, got: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let mut out = String::from("---------- expected (-) / got (+) ----------\n");
    let n = e.len().max(g.len());
    for i in 0..n {
        match (e.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => {}
            (a, b) => {
                if let Some(a) = a {
                    out.push_str(&format!("{:>4} - {}\n", i + 1, a));
                }
                if let Some(b) = b {
                    out.push_str(&format!("{:>4} + {}\n", i + 1, b));
                }
            }
        }
    }
    out.push_str("--------------------------------------------\n");
    out
}

/// Parse JSON Lines output into values, one per line.
pub fn jsonl_records(out: &[u8]) -> Vec<serde_json::Value> {
    std::str::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
