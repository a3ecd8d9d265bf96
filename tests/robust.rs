//! Hardening: every input and output path under bad input, bad arguments and
//! faults. Each test reproduces a way an earlier version lost, duplicated or
//! misreported data.

use std::path::Path;

use predicates::prelude::*;
use predicates::str::contains;

use crate::util::{deboil, jsonl_records};

const PAGE: &str = "A real paragraph of the article, with a full stop.\n\nAdvertisement\n\nAnother real paragraph that ends the story.\n";
const CLEAN: &str = "A real paragraph of the article, with a full stop.\n\nAnother real paragraph that ends the story.\n";

/// Every entry under `dir`, recursively, as paths relative to it, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

// JSONL records.

#[test]
fn a_lone_surrogate_escape_becomes_a_replacement_char_and_the_record_is_kept() {
    // What Python's json.dumps writes for a string holding a lone surrogate.
    let input = "{\"id\":1,\"text\":\"Fine \\ud800 text.\"}\n{\"id\":2,\"text\":\"Pair \\ud83d\\ude00 ok.\"}\n";
    let assert = deboil()
        .args(["--jsonl", "--stats"])
        .write_stdin(input)
        .assert()
        .success();
    let out = assert.get_output();
    let recs = jsonl_records(&out.stdout);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["text"], "Fine \u{fffd} text.\n");
    assert_eq!(recs[1]["text"], "Pair \u{1f600} ok.\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("-:1: escapes of lone UTF-16 surrogates, replaced with U+FFFD"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 records with lone surrogates"),
        "{stderr}"
    );
}

#[test]
fn of_two_text_fields_the_last_is_cleaned_and_written_once() {
    let input = "{\"text\":\"Old value.\",\"id\":1,\"text\":\"New value.\\nAdvertisement\"}\n";
    let assert = deboil()
        .arg("--jsonl")
        .write_stdin(input)
        .assert()
        .success();
    let out = assert.get_output();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"id\":1,\"text\":\"New value.\\n\"}\n"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("-:1: the field \"text\" appears 2 times")
    );
}

#[test]
fn blank_jsonl_lines_are_skipped_and_counted_not_errors() {
    let input = "{\"text\":\"One.\"}\n\n   \n{\"text\":\"Two.\"}\n\n";
    let assert = deboil()
        .args(["--jsonl", "--stats=-", "--stats-format", "json"])
        .write_stdin(input)
        .assert()
        .success();
    let out = assert.get_output();
    assert_eq!(jsonl_records(&out.stdout).len(), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("3 blank JSONL lines were skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("\"blank_lines\":3"), "{stderr}");
    assert!(stderr.contains("\"malformed_lines\":0"), "{stderr}");
    // And scan agrees.
    let dir = tempfile::tempdir().unwrap();
    deboil()
        .args(["scan", "--jsonl", "-o"])
        .arg(dir.path().join("c.tsv"))
        .write_stdin(input)
        .assert()
        .success()
        .stderr(contains("0 lines too long, 3 blank lines"));
}

#[test]
fn a_line_that_is_no_object_says_so() {
    deboil()
        .arg("--jsonl")
        .write_stdin("{\"text\":\"One.\"}\nhello world\n[1]\n")
        .assert()
        .code(1)
        .stderr(
            contains("-:2: not a JSON object: a record is one object per line, this line is no JSON (\"hello world\")")
                .and(contains("-:3: not a JSON object").and(contains("this line is an array")))
                .and(contains("expected ident").not()),
        );
}

// Inputs: directories, links, outputs that are inputs.

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// Files whose names mark them as deboil's temporary outputs, under `dir`.
fn temps(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|p| p.contains(".deboil-tmp-"))
        .collect()
}

#[test]
fn two_inputs_that_map_to_one_out_dir_file_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("r1/x.txt"), PAGE);
    write(
        &dir.path().join("r2/x.txt"),
        "Other text entirely, not the same page.\n",
    );
    let od = dir.path().join("od");
    deboil()
        .arg(dir.path().join("r1"))
        .arg(dir.path().join("r2"))
        .arg("--out-dir")
        .arg(&od)
        .assert()
        .code(2)
        .stderr(contains("would both be written to").and(contains("x.txt")));
    assert!(!od.exists() || tree(&od).is_empty(), "{:?}", tree(&od));
}

#[cfg(unix)]
#[test]
fn a_link_loop_is_walked_once_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    write(&d.join("a.txt"), PAGE);
    write(
        &dir.path().join("outside.txt"),
        "Not an input: it is outside the tree.\n",
    );
    std::os::unix::fs::symlink("..", d.join("up")).unwrap();
    std::os::unix::fs::symlink(".", d.join("self")).unwrap();
    deboil()
        .arg(&d)
        .assert()
        .success()
        .stdout(CLEAN)
        .stderr(contains("up: skipped: a link loop").and(contains("self: skipped: a link loop")));
    let od = dir.path().join("od");
    deboil()
        .arg(&d)
        .arg("--out-dir")
        .arg(&od)
        .assert()
        .success();
    assert_eq!(tree(&od), ["a.txt"]);
}

#[cfg(unix)]
#[test]
fn two_links_to_one_directory_read_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    write(&dir.path().join("data/a.txt"), PAGE);
    std::fs::create_dir_all(&d).unwrap();
    std::os::unix::fs::symlink(dir.path().join("data"), d.join("l1")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("data"), d.join("l2")).unwrap();
    deboil()
        .arg(&d)
        .assert()
        .success()
        .stdout(CLEAN)
        .stderr(contains("l2: skipped: the directory").and(contains("was walked already")));
}

#[cfg(unix)]
#[test]
fn a_dangling_link_is_an_error_and_the_rest_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    write(&d.join("a.txt"), PAGE);
    std::os::unix::fs::symlink(dir.path().join("missing.txt"), d.join("gone.txt")).unwrap();
    deboil()
        .arg(&d)
        .args(["--stats-format", "json", "--stats=-"])
        .assert()
        .code(1)
        .stdout(CLEAN)
        .stderr(contains("gone.txt: dangling symbolic link").and(contains("\"inputs_failed\":1")));
}

#[test]
fn an_out_dir_inside_an_input_directory_is_not_cleaned_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    write(&d.join("a.txt"), PAGE);
    let od = d.join("cleaned");
    for run in 0..2 {
        let assert = deboil()
            .arg(&d)
            .arg("--out-dir")
            .arg(&od)
            .assert()
            .success();
        if run == 1 {
            assert.stderr(contains("cleaned: skipped: it is the output directory"));
        }
    }
    assert_eq!(tree(&od), ["a.txt"]);
}

#[test]
fn standard_output_redirected_to_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("f.txt");
    write(&f, PAGE);
    // `deboil f >> f`: the shell's append keeps the input; deboil must not grow it.
    let append = std::fs::OpenOptions::new().append(true).open(&f).unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("deboil"))
        .arg(&f)
        .stdout(append)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("input file is output file"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), PAGE);
}

#[test]
fn an_output_file_that_is_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("f.txt");
    write(&f, PAGE);
    deboil()
        .arg(&f)
        .arg("-o")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(contains("the output file is the input"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), PAGE);
    // The same through --out-dir onto the input's own directory.
    deboil()
        .arg(dir.path())
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("would be replaced"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), PAGE);
}

// Outputs: temporary files, closed pipes, failed writes.

#[test]
fn an_output_that_is_a_directory_is_an_error_and_leaves_no_temp() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in/a.txt");
    write(&f, PAGE);
    let o = dir.path().join("o");
    std::fs::create_dir(&o).unwrap();
    deboil()
        .arg(&f)
        .arg("-o")
        .arg(&o)
        .assert()
        .code(2)
        .stderr(contains("o: is a directory"));
    assert_eq!(temps(dir.path()), Vec::<String>::new());
    // An --out-dir target that is a directory fails that input only.
    write(&dir.path().join("in/b.txt"), PAGE);
    let od = dir.path().join("od");
    std::fs::create_dir_all(od.join("a.txt")).unwrap();
    deboil()
        .arg(dir.path().join("in"))
        .arg("--out-dir")
        .arg(&od)
        .assert()
        .code(1)
        .stderr(contains("a.txt: is a directory"));
    assert_eq!(std::fs::read_to_string(od.join("b.txt")).unwrap(), CLEAN);
    assert_eq!(temps(dir.path()), Vec::<String>::new());
}

#[test]
fn a_closed_explain_pipe_does_not_stop_the_output_file() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let input: String = (0..3000)
        .map(|i| format!("{{\"id\":{i},\"text\":\"Line one of record {i}.\\nAdvertisement\\nLine two of it.\"}}\n"))
        .collect();
    let inp = dir.path().join("in.jsonl");
    write(&inp, &input);
    let out = dir.path().join("out.jsonl");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("deboil"))
        .args(["--jsonl", "--explain"])
        .arg(&inp)
        .arg("-o")
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `2>&1 | head -1`: the reader goes away.
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "a failed report is an error");
    let recs = jsonl_records(&std::fs::read(&out).unwrap());
    assert_eq!(recs.len(), 3000);
    assert_eq!(
        recs[2999]["text"],
        "Line one of record 2999.\nLine two of it.\n"
    );
}

#[test]
fn a_stats_file_that_cannot_be_written_is_named_and_the_output_stands() {
    let dir = tempfile::tempdir().unwrap();
    deboil()
        .arg(format!("--stats={}", dir.path().display()))
        .write_stdin(PAGE)
        .assert()
        .code(1)
        .stdout(CLEAN)
        .stderr(contains("writing stats:").and(contains("is a directory")));
}

#[test]
fn zero_threads_is_a_clear_usage_error() {
    deboil()
        .args(["-j", "0"])
        .write_stdin(PAGE)
        .assert()
        .code(2)
        .stderr(contains("must be at least 1").and(contains("non-zero").not()));
}

/// Run deboil from `sh` with a file size limit of `blocks` 512-byte blocks and
/// SIGXFSZ ignored: writes past the limit fail with EFBIG, as on a full disk.
fn deboil_with_file_limit(blocks: u32) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -f {blocks} && trap '' XFSZ && exec \"$0\" \"$@\""
        ))
        .arg(assert_cmd::cargo::cargo_bin("deboil"))
        .current_dir(crate::util::root());
    cmd
}

/// `PAGE` cleaned to `-o out`, successfully.
#[cfg(unix)]
fn clean_page_to(out: &Path) {
    deboil()
        .arg("-o")
        .arg(out)
        .write_stdin(PAGE)
        .assert()
        .success();
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_fifo_is_written_in_place_and_stays_a_fifo() {
    // Renaming a temporary file over a FIFO or a device (`-o /dev/null`)
    // replaced it with a regular file, which later readers of the device
    // then read back.
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    clean_page_to(&fifo);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(reader.join().unwrap(), CLEAN);
    assert_eq!(temps(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_replaces_the_file_it_points_to() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("data/out.txt");
    write(&target, "old\n");
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    clean_page_to(&link);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), CLEAN);
    assert_eq!(temps(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_full_disk_leaves_no_temp_files_and_names_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("a.txt"), PAGE);
    let big: String = (0..400)
        .map(|i| format!("A long real paragraph number {i} of the story, with words.\n\n"))
        .collect();
    write(&input.join("big.txt"), &big);
    write(&input.join("c.txt"), PAGE);
    let od = dir.path().join("od");
    deboil_with_file_limit(8)
        .arg(&input)
        .arg("--out-dir")
        .arg(&od)
        .assert()
        .code(1)
        .stderr(contains("big.txt: writing").and(contains("File too large")));
    assert_eq!(tree(&od), ["a.txt", "c.txt"]);
    assert_eq!(std::fs::read_to_string(od.join("c.txt")).unwrap(), CLEAN);
    // One output file: the run stops, and nothing is left under any name.
    let o = dir.path().join("all.txt");
    deboil_with_file_limit(8)
        .arg(&input)
        .arg("-o")
        .arg(&o)
        .assert()
        .code(2)
        .stderr(contains("all.txt: writing").and(contains("File too large")));
    assert!(!o.exists());
    assert_eq!(temps(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_signal_during_a_run_removes_the_temp_file_and_writes_no_output() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("out.txt");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("deboil"))
        .arg("-o")
        .arg(&o)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(PAGE.as_bytes()).unwrap();
    // Wait for the temporary file, then interrupt, stdin still open.
    let t0 = std::time::Instant::now();
    while temps(dir.path()).is_empty() {
        assert!(t0.elapsed().as_secs() < 30, "no temporary file appeared");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(128 + 15));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted by signal 15"));
    assert!(!o.exists());
    assert_eq!(temps(dir.path()), Vec::<String>::new());
}

// Limits.

#[test]
fn a_document_over_the_size_limit_is_skipped_and_named() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("in/a.txt"), PAGE);
    // A small gzip of a large text: 4 MiB of one repeated line.
    let bomb = dir.path().join("in/bomb.txt.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&bomb).unwrap(),
        flate2::Compression::best(),
    );
    for _ in 0..(4 << 20) / 64 {
        gz.write_all(&[b'a'; 63]).unwrap();
        gz.write_all(b"\n").unwrap();
    }
    gz.finish().unwrap();
    write(&dir.path().join("in/c.txt"), PAGE);
    deboil()
        .arg(dir.path().join("in"))
        .args(["--max-doc-bytes", "1M", "--stats=-", "--stats-format", "json"])
        .assert()
        .code(1)
        .stdout(format!("{CLEAN}{CLEAN}"))
        .stderr(
            contains("bomb.txt.gz: larger than --max-doc-bytes (1048576 bytes) after decompression; skipped")
                .and(contains("\"inputs_too_large\":1")),
        );
}

#[test]
fn a_jsonl_line_over_the_length_limit_is_skipped_and_named() {
    let long = "word ".repeat(400);
    let input =
        format!("{{\"text\":\"One.\"}}\n{{\"text\":\"{long}\"}}\n{{\"text\":\"Three.\"}}\n");
    let assert = deboil()
        .args(["--jsonl", "--max-line-bytes", "1K"])
        .write_stdin(input.clone())
        .assert()
        .code(1)
        .stderr(contains(
            "-:2: longer than --max-line-bytes (1024 bytes); skipped",
        ));
    let recs = jsonl_records(&assert.get_output().stdout);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["text"], "Three.\n");
    deboil()
        .args(["scan", "--jsonl", "--max-line-bytes", "1K", "-o"])
        .arg(tempfile::tempdir().unwrap().path().join("c.tsv"))
        .write_stdin(input.clone())
        .assert()
        .code(1)
        .stderr(contains("-:2: longer than --max-line-bytes"));
    // Under --on-error fail both stop there.
    for command in [&["scan"][..], &[]] {
        deboil()
            .args(command)
            .args([
                "--jsonl",
                "--max-line-bytes",
                "1K",
                "--on-error",
                "fail",
                "-o",
            ])
            .arg(tempfile::tempdir().unwrap().path().join("out"))
            .write_stdin(input.clone())
            .assert()
            .code(2)
            .stderr(contains(
                "-:2: stopping at a line too long (--on-error fail)",
            ));
    }
}

// Encodings and line ends.

#[test]
fn utf16_without_a_byte_order_mark_is_decoded_with_a_warning() {
    let bytes: Vec<u8> = PAGE.encode_utf16().flat_map(u16::to_le_bytes).collect();
    deboil()
        .write_stdin(bytes)
        .assert()
        .success()
        .stdout(CLEAN)
        .stderr(contains(
            "-: no byte order mark, but the bytes look like UTF-16LE",
        ));
}

#[test]
fn old_mac_line_ends_are_lines() {
    let page = PAGE.replace('\n', "\r");
    deboil()
        .write_stdin(page)
        .assert()
        .success()
        .stdout(CLEAN.replace('\n', "\r"));
}

// Faults while reading.

#[test]
fn a_truncated_compressed_text_input_fails_alone() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("a.txt"), PAGE);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(PAGE.repeat(50).as_bytes()).unwrap();
    let whole = gz.finish().unwrap();
    std::fs::write(input.join("b.txt.gz"), &whole[..whole.len() / 2]).unwrap();
    write(&input.join("c.txt"), PAGE);
    let od = dir.path().join("od");
    deboil()
        .arg(&input)
        .arg("--out-dir")
        .arg(&od)
        .assert()
        .code(1)
        .stderr(contains("b.txt.gz: reading"));
    assert_eq!(tree(&od), ["a.txt", "c.txt"]);
    assert_eq!(temps(dir.path()), Vec::<String>::new());
}

#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_input_fails_alone() {
    // A file that opens but cannot be read: /proc/self/mem reads fail with
    // EIO at offset 0 (file permissions would not stop a root user).
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    write(&a, PAGE);
    deboil()
        .arg(&a)
        .arg("/proc/self/mem")
        .arg(&a)
        .assert()
        .code(1)
        .stdout(format!("{CLEAN}{CLEAN}"))
        .stderr(contains("/proc/self/mem"));
}
