//! The binary end to end.

use std::io::Write;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use predicates::str::contains;

use crate::util::{deboil, jsonl_records, root};

const PAGE: &str = "A real paragraph of the article, with a full stop.\n\nAdvertisement\n\nAnother real paragraph that ends the story.\n";
const CLEAN: &str = "A real paragraph of the article, with a full stop.\n\nAnother real paragraph that ends the story.\n";

#[test]
fn stdin_to_stdout() {
    deboil()
        .write_stdin(PAGE)
        .assert()
        .success()
        .stdout(CLEAN)
        .stderr("");
}

#[test]
fn dash_is_stdin() {
    deboil()
        .arg("-")
        .write_stdin(PAGE)
        .assert()
        .success()
        .stdout(CLEAN);
}

#[test]
fn seed_file_matches_expected() {
    let expected =
        std::fs::read_to_string(root().join("fixtures/seeds/001_986ed07ce0cea2d6.expected.txt"))
            .unwrap();
    deboil()
        .arg("fixtures/seeds/001_986ed07ce0cea2d6.txt")
        .assert()
        .success()
        .stdout(expected);
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clean.txt");
    deboil()
        .arg("-o")
        .arg(&out)
        .write_stdin(PAGE)
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), CLEAN);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn directory_to_out_dir_mirrors_tree() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("a.txt"), PAGE).unwrap();
    std::fs::write(src.join("sub/b.txt"), PAGE).unwrap();
    let out = dir.path().join("out");
    deboil()
        .arg(&src)
        .arg("--out-dir")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), CLEAN);
    assert_eq!(
        std::fs::read_to_string(out.join("sub/b.txt")).unwrap(),
        CLEAN
    );
}

#[test]
fn directory_to_stdout_is_sorted_concatenation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.txt"),
        "Second document line, kept as it is.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.txt"),
        "First document line, kept as it is.\n",
    )
    .unwrap();
    deboil()
        .arg(dir.path())
        .assert()
        .success()
        .stdout("First document line, kept as it is.\nSecond document line, kept as it is.\n");
}

#[test]
fn jsonl_round_trip_keeps_ids_order_and_fields() {
    let input = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "b", "text": PAGE, "meta": {"x": 1}}),
        serde_json::json!({"id": "a", "url": "http://e.com/1", "text": "Only content here."})
    );
    let out = deboil()
        .arg("--jsonl")
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["id"], "b");
    assert_eq!(recs[0]["text"], CLEAN);
    assert_eq!(recs[0]["meta"]["x"], 1);
    assert_eq!(recs[1]["id"], "a");
    assert_eq!(recs[1]["url"], "http://e.com/1");
    assert_eq!(recs[1]["text"], "Only content here.\n");
}

#[test]
fn jsonl_custom_fields_and_spans() {
    let input = format!("{}\n", serde_json::json!({"doc": "d1", "body": PAGE}));
    let out = deboil()
        .args([
            "--jsonl",
            "--text-field",
            "body",
            "--id-field",
            "doc",
            "--spans-field",
            "removed",
        ])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rec: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(rec["body"], CLEAN);
    let span = &rec["removed"][0];
    assert_eq!(span["kind"], "ad");
    assert_eq!(span["rule"], "ad.label");
    let (s, e) = (
        span["start"].as_u64().unwrap() as usize,
        span["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&PAGE[s..e], "Advertisement");
}

#[test]
fn annotate_removes_nothing() {
    let input = format!("{}\n", serde_json::json!({"id": "d", "text": PAGE}));
    let out = deboil()
        .args(["--jsonl", "--annotate"])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rec: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(rec["text"], PAGE);
    assert_eq!(rec["deboil_spans"][0]["kind"], "ad");
    deboil()
        .arg("--annotate")
        .write_stdin(PAGE)
        .assert()
        .success()
        .stdout(PAGE);
}

#[test]
fn malformed_jsonl_is_reported_with_file_and_line_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    std::fs::write(&path, "{\"id\":\"a\",\"text\":\"Fine.\"}\n{\"id\": oops}\n{\"id\":\"c\",\"text\":\"Also fine.\"}\n").unwrap();
    let assert = deboil().arg("--jsonl").arg(&path).assert().code(1);
    let out = assert.get_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:2:", path.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 malformed JSONL lines were skipped"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

#[test]
fn byte_order_mark_before_the_first_record_is_skipped() {
    let input = "\u{feff}{\"id\":1,\"text\":\"Fine.\\nAdvertisement\"}\n{\"id\":2,\"text\":\"Also fine.\"}\n";
    deboil()
        .arg("--jsonl")
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"id\":1,\"text\":\"Fine.\\n\"}\n{\"id\":2,\"text\":\"Also fine.\\n\"}\n")
        .stderr("");
    // Only before the first record: a mark anywhere else is malformed.
    deboil()
        .arg("--jsonl")
        .write_stdin("{\"text\":\"Fine.\"}\n\u{feff}{\"text\":\"Not fine.\"}\n")
        .assert()
        .code(1)
        .stderr(contains("-:2:"));
    let dir = tempfile::tempdir().unwrap();
    let counts = dir.path().join("counts.tsv");
    deboil()
        .args(["scan", "--jsonl", "-o"])
        .arg(&counts)
        .write_stdin(input)
        .assert()
        .success()
        .stderr(contains("scanned 2 documents").and(contains("0 malformed")));
}

#[test]
fn utf16_text_with_a_byte_order_mark_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let page = format!("\u{feff}{PAGE}");
    let le: Vec<u8> = page.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = page.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (name, bytes) in [("le.txt", &le), ("be.txt", &be)] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        deboil()
            .arg(&path)
            .assert()
            .success()
            .stdout(CLEAN)
            .stderr("");
    }
    // A last byte that is half a code unit is replaced, warned of and counted.
    let path = dir.path().join("odd.txt");
    std::fs::write(&path, [le.as_slice(), b"x"].concat()).unwrap();
    deboil()
        .arg(&path)
        .assert()
        .success()
        .stdout(format!("{CLEAN}\u{fffd}\n"))
        .stderr(contains("invalid UTF-8, replaced with U+FFFD"));
}

#[test]
fn invisible_chars_at_line_edges_do_not_hide_boilerplate() {
    // A byte order mark before a first line that a rule drops; a paragraph
    // break written as a lone zero-width space; direction marks around a line.
    deboil()
        .write_stdin(
            "\u{feff}Advertisement\nA real paragraph of the article, with a full stop.\n\u{200b}\n\u{200f}Share this article\u{200f}\nAnother real paragraph that ends the story.\n",
        )
        .assert()
        .success()
        .stdout("A real paragraph of the article, with a full stop.\n\nAnother real paragraph that ends the story.\n");
}

#[test]
fn malformed_jsonl_with_on_error_fail_exits_2() {
    deboil()
        .args(["--jsonl", "--on-error", "fail"])
        .write_stdin("{\"text\":\"Fine.\"}\nnot json\n")
        .assert()
        .code(2)
        .stderr(contains("-:2:"));
}

#[test]
fn record_without_text_passes_through_and_is_counted() {
    deboil()
        .args(["--jsonl"])
        .write_stdin("{\"id\":1,\"other\":true}\n")
        .assert()
        .success()
        .stdout("{\"id\":1,\"other\":true}\n")
        .stderr(contains("1 records had no string field \"text\""));
}

#[test]
fn compressed_input_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("p.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(PAGE.as_bytes()).unwrap();
    enc.finish().unwrap();
    deboil().arg(&gz).assert().success().stdout(CLEAN);
    let zst = dir.path().join("out.txt.zst");
    deboil().arg(&gz).arg("-o").arg(&zst).assert().success();
    let back = zstd::decode_all(std::fs::File::open(&zst).unwrap()).unwrap();
    assert_eq!(String::from_utf8(back).unwrap(), CLEAN);
}

/// `records` JSONL records, gzipped and cut to `num / den` of their
/// compressed bytes, as `cut.jsonl.gz` in a new directory; with the number
/// of whole lines the cut stream still yields before its read error.
fn cut_gz_records(records: usize, num: usize, den: usize) -> (tempfile::TempDir, PathBuf, usize) {
    let mut raw = Vec::new();
    for i in 0..records {
        writeln!(
            raw,
            "{{\"id\":{i},\"text\":\"Record {i} of the stream, {}.\"}}",
            i * 7919 % 10007
        )
        .unwrap();
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&raw).unwrap();
    let gz = enc.finish().unwrap();
    let cut = &gz[..gz.len() * num / den];
    let mut decoded = Vec::new();
    let err = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(cut), &mut decoded);
    assert!(err.is_err());
    let whole = decoded.iter().filter(|&&b| b == b'\n').count();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.jsonl.gz");
    std::fs::write(&path, cut).unwrap();
    (dir, path, whole)
}

/// Clean a cut stream: exit 1, the read error names the last whole line,
/// and the records written.
fn clean_cut_stream(path: &Path, whole: usize) -> Vec<serde_json::Value> {
    let out = deboil()
        .arg("--jsonl")
        .arg(path)
        .assert()
        .code(1)
        .stderr(contains("cut.jsonl.gz: reading:"))
        .stderr(contains(format!("after line {whole}:")))
        .get_output()
        .stdout
        .clone();
    jsonl_records(&out)
}

#[test]
fn a_read_error_keeps_every_whole_line_read_before_it_and_names_the_input() {
    // 5000 records over several chunks, the last of them cut short by the
    // truncated stream.
    let (_dir, path, whole) = cut_gz_records(5000, 9, 10);
    assert!(whole > 2048 && whole < 5000, "{whole}");
    let records = clean_cut_stream(&path, whole);
    assert_eq!(records.len(), whole);
    assert!(records.iter().enumerate().all(|(i, r)| r["id"] == i));
}

#[test]
fn a_read_error_in_the_first_chunk_still_writes_the_lines_before_it() {
    let (_dir, path, whole) = cut_gz_records(300, 3, 4);
    assert!(whole > 0 && whole < 300, "{whole}");
    assert_eq!(clean_cut_stream(&path, whole).len(), whole);
}

#[test]
fn explain_tsv_goes_to_stderr_and_file() {
    deboil()
        .arg("--explain")
        .write_stdin(PAGE)
        .assert()
        .success()
        .stdout(CLEAN)
        .stderr(
            contains("doc\tline\tverdict\tpass\trule\tkind\tscore\ttext\n")
                .and(contains("-\t3\tdrop\trules\tad.label\tad\t"))
                .and(contains("\tAdvertisement\n")),
        );
    let dir = tempfile::tempdir().unwrap();
    let why = dir.path().join("why.tsv");
    deboil()
        .arg(format!("--explain={}", why.display()))
        .write_stdin(PAGE)
        .assert()
        .success()
        .stderr("");
    assert_eq!(std::fs::read_to_string(&why).unwrap().lines().count(), 4);
}

#[test]
fn explain_jsonl_records() {
    let out = deboil()
        .args(["--explain", "--explain-format", "jsonl"])
        .write_stdin(PAGE)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs[0]["type"], "drop");
    assert_eq!(recs[0]["data"]["rule"], "ad.label");
    assert_eq!(recs.last().unwrap()["type"], "doc");
}

#[test]
fn stats_go_to_stderr_only() {
    deboil()
        .arg("--stats")
        .write_stdin(PAGE)
        .assert()
        .success()
        .stdout(CLEAN)
        .stderr(contains("kind\tad\t1").and(contains("lines\t3 in, 1 dropped")));
    let out = deboil()
        .args(["--stats", "--stats-format", "json"])
        .write_stdin(PAGE)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["lines_dropped"], 1);
    assert_eq!(v["malformed_lines"], 0);
}

#[test]
fn missing_file_exits_1_and_processes_the_rest() {
    let seed = root().join("fixtures/rules/ad-mentions-kept.txt");
    let expected =
        std::fs::read_to_string(root().join("fixtures/rules/ad-mentions-kept.expected.txt"))
            .unwrap();
    deboil()
        .arg("no/such/file.txt")
        .arg(&seed)
        .assert()
        .code(1)
        .stdout(expected)
        .stderr(contains("deboil: no/such/file.txt"));
}

#[test]
fn usage_error_exits_2() {
    deboil().arg("--no-such-flag").assert().code(2);
    deboil()
        .args(["--disable", "nope"])
        .write_stdin(PAGE)
        .assert()
        .code(2)
        .stderr(contains("nope"));
}

#[test]
fn disable_switches_a_pass_or_table_off() {
    deboil()
        .args(["--disable", "ad"])
        .write_stdin(PAGE)
        .assert()
        .success()
        .stdout(PAGE);
    deboil()
        .args(["--disable", "rules"])
        .write_stdin(PAGE)
        .assert()
        .success()
        .stdout(PAGE);
}

#[test]
fn user_rule_table_adds_rules() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("mine.toml");
    std::fs::write(&rules, "[[rule]]\nid = \"mine.promo\"\nkind = \"ad\"\npattern = '^Buy now!$'\nexamples = [\"Buy now!\"]\n").unwrap();
    deboil()
        .arg("--rules")
        .arg(&rules)
        .write_stdin("Buy now!\n\nContent stays here.\n")
        .assert()
        .success()
        .stdout("Content stays here.\n");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"mine.bad\"\nkind = \"ad\"\npattern = '('\n",
    )
    .unwrap();
    deboil()
        .arg("--rules")
        .arg(&rules)
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(contains("mine.bad"));
}

#[test]
fn list_rules_names_passes_and_rules() {
    deboil()
        .arg("--list-rules")
        .assert()
        .success()
        .stdout(contains("pass\trepeat").and(contains("ad.story-continues\tad\t")));
}

#[test]
fn invalid_utf8_is_replaced_with_a_warning() {
    let mut input = b"Caf\xe9 au lait is a drink, and this line is content.\n".to_vec();
    input.extend_from_slice(b"\nAdvertisement\n");
    deboil()
        .write_stdin(input)
        .assert()
        .success()
        .stdout("Caf\u{fffd} au lait is a drink, and this line is content.\n")
        .stderr(contains("invalid UTF-8"));
}

#[test]
fn thread_count_does_not_change_output() {
    let dir = root().join("fixtures");
    let one = deboil()
        .arg("-j1")
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let four = deboil()
        .arg("-j4")
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!one.is_empty());
    assert_eq!(one, four);
}

#[test]
fn closed_stdout_pipe_exits_0_silently() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    let para = "A long paragraph of content that keeps going for a while, with words.\n\n";
    std::fs::write(&big, para.repeat(200_000)).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("deboil");
    let mut child = std::process::Command::new(bin)
        .arg("--disable")
        .arg("repeat")
        .arg(&big)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn score_compares_pred_with_gold() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    let pred = dir.path().join("pred.jsonl");
    std::fs::write(&gold, "{\"id\":\"a\",\"text\":\"one two three four five\"}\n{\"id\":\"b\",\"text\":\"six seven eight nine ten\"}\n").unwrap();
    std::fs::write(
        &pred,
        "{\"id\":\"a\",\"text\":\"one two three four five\"}\n",
    )
    .unwrap();
    deboil()
        .args(["score", "--gold"])
        .arg(&gold)
        .arg("--pred")
        .arg(&pred)
        .assert()
        .success()
        .stdout("docs 2  P 1.000  R 0.500  F1 0.667  empty 1  missing 1\n");
}

fn shard(dir: &std::path::Path, name: &str, docs: &[(&str, &str)]) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut text = String::new();
    for (i, (url, body)) in docs.iter().enumerate() {
        text.push_str(
            &serde_json::json!({"id": format!("{name}-{i}"), "url": url, "text": body}).to_string(),
        );
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn scan_merge_and_clean_with_corpus_counts() {
    let dir = tempfile::tempdir().unwrap();
    let footer = "Subscribe to the Riverside Gazette for 99 cents";
    let a = shard(
        dir.path(),
        "a.jsonl",
        &[
            (
                "https://www.gazette.example/1",
                &format!("First story, with its own words.\n\n{footer}\n"),
            ),
            (
                "https://gazette.example/2",
                &format!(
                    "Second story, other words.\n\n{}\n",
                    footer.replace("99", "49")
                ),
            ),
        ],
    );
    let b = shard(
        dir.path(),
        "b.jsonl",
        &[
            (
                "https://gazette.example/3",
                &format!("Third story here.\n\n{footer}\n"),
            ),
            (
                "https://other.example/1",
                &format!("A story on another site.\n\n{footer}\n"),
            ),
        ],
    );
    let (ca, cb, merged, whole) = (
        dir.path().join("a.counts"),
        dir.path().join("b.counts.zst"),
        dir.path().join("m.counts"),
        dir.path().join("w.counts"),
    );
    deboil()
        .args(["scan", "--jsonl", "-j1", "-o"])
        .arg(&ca)
        .arg(&a)
        .assert()
        .success();
    deboil()
        .args(["scan", "--jsonl", "-j3", "-o"])
        .arg(&cb)
        .arg(&b)
        .assert()
        .success();
    deboil()
        .args(["merge", "-o"])
        .arg(&merged)
        .arg(&cb)
        .arg(&ca)
        .assert()
        .success();
    deboil()
        .args(["scan", "--jsonl", "-j2", "-o"])
        .arg(&whole)
        .arg(&b)
        .arg(&a)
        .assert()
        .success();
    // Deterministic whatever the order, sharding or threads.
    assert_eq!(
        std::fs::read(&merged).unwrap(),
        std::fs::read(&whole).unwrap()
    );

    let out = deboil()
        .args(["--jsonl", "--min-docs", "3", "--counts"])
        .arg(&merged)
        .arg(&a)
        .arg(&b)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs[0]["text"], "First story, with its own words.\n");
    assert_eq!(
        recs[1]["text"], "Second story, other words.\n",
        "digits are folded"
    );
    // Seen once on other.example: kept there.
    assert_eq!(
        recs[3]["text"],
        format!("A story on another site.\n\n{footer}\n")
    );
    deboil()
        .args(["--jsonl", "--min-docs", "3", "--explain", "--counts"])
        .arg(&merged)
        .arg(&a)
        .assert()
        .success()
        .stderr(contains(
            "corpus-repeat\tcorpus-repeat.host-lines\tcorpus-repeat",
        ));
}

#[test]
fn bad_counts_file_is_a_fatal_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.counts");
    std::fs::write(&bad, "not a counts file\n").unwrap();
    deboil()
        .arg("--counts")
        .arg(&bad)
        .write_stdin(PAGE)
        .assert()
        .code(2)
        .stderr(contains("bad.counts"));
}

#[test]
fn jsonl_output_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.jsonl");
    let mut text = String::new();
    for i in 0..3000 {
        let body = format!(
            "Story number {i} begins here, with a full sentence.\n\nAdvertisement\n\nShare\nTweet\nEmail\n"
        );
        text.push_str(&serde_json::json!({"id": i, "text": body}).to_string());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    let one = deboil()
        .args(["--jsonl", "-j1"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let three = deboil()
        .args(["--jsonl", "-j3"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(one, three);
    let first: serde_json::Value =
        serde_json::from_slice(one.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(
        first["text"],
        "Story number 0 begins here, with a full sentence.\n"
    );
    assert_eq!(String::from_utf8(one).unwrap().lines().count(), 3000);
}
