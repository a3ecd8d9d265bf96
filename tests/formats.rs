//! Corpus formats end to end: Common Crawl WET files written by the test in
//! the real format (a gzip member per record, a warcinfo record first).

use std::io::Write;
use std::path::{Path, PathBuf};

use predicates::str::contains;

use crate::util::{deboil, jsonl_records};

const PAGE: &str = "A real paragraph of the article, with a full stop.\n\nAdvertisement\n\nAnother real paragraph that ends the story.\n";
const CLEAN: &str = "A real paragraph of the article, with a full stop.\n\nAnother real paragraph that ends the story.\n";

/// A WARC record as Common Crawl's WET files hold it.
pub fn wet_record(kind: &str, n: usize, uri: &str, body: &str) -> Vec<u8> {
    format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-02-2{}T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:0000000{n}>\r\nWARC-Refers-To: <urn:uuid:1000000{n}>\r\nWARC-Block-Digest: sha1:AAAA\r\nWARC-Identified-Content-Language: eng,deu\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
        n % 10,
        body.len()
    )
    .into_bytes()
}

pub fn gz(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// A warcinfo member, then `pages` conversion members.
pub fn wet_file(pages: &[&str]) -> Vec<u8> {
    let mut f = gz(&wet_record(
        "warcinfo",
        0,
        "",
        "isPartOf: CC-MAIN-2024-10\r\n",
    ));
    for (k, p) in pages.iter().enumerate() {
        f.extend(gz(&wet_record(
            "conversion",
            k + 1,
            &format!("https://www.example.com/{k}"),
            p,
        )));
    }
    f
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn wet_records_become_jsonl_records_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "CC-MAIN-x.warc.wet.gz",
        &wet_file(&[PAGE, "Only content here.", PAGE]),
    );
    let out = deboil()
        .arg(&f)
        .arg("-j2")
        .assert()
        .success()
        .stderr(contains("1 WET records of other types than conversion"))
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["id"], "<urn:uuid:00000001>");
    assert_eq!(recs[0]["url"], "https://www.example.com/0");
    assert_eq!(recs[0]["date"], "2024-02-21T10:00:00Z");
    assert_eq!(recs[0]["language"], "eng,deu");
    assert_eq!(recs[0]["text"], CLEAN);
    assert_eq!(recs[1]["text"], "Only content here.\n");
    assert_eq!(recs[2]["id"], "<urn:uuid:00000003>");
    // Field names follow --text-field and --id-field; spans are added on request.
    let out = deboil()
        .args([
            "--text-field",
            "body",
            "--id-field",
            "doc",
            "--spans-field",
            "removed",
            "-q",
        ])
        .arg(&f)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs[0]["body"], CLEAN);
    assert_eq!(recs[0]["doc"], "<urn:uuid:00000001>");
    assert_eq!(recs[0]["removed"][0]["kind"], "ad");
}

#[test]
fn plain_zstd_and_stdin_wet_read_alike() {
    let dir = tempfile::tempdir().unwrap();
    let plain: Vec<u8> = [
        wet_record("warcinfo", 0, "", "x"),
        wet_record("conversion", 1, "https://a.example/", PAGE),
    ]
    .concat();
    let z = write(
        dir.path(),
        "a.wet.zst",
        &zstd::encode_all(&plain[..], 3).unwrap(),
    );
    let p = write(dir.path(), "a.wet", &plain);
    for cmd in [deboil().arg(&z).assert(), deboil().arg(&p).assert()] {
        let recs = jsonl_records(&cmd.success().get_output().stdout);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0]["text"], CLEAN);
    }
    let out = deboil()
        .args(["--input-format", "wet"])
        .write_stdin(gz(&plain))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(jsonl_records(&out)[0]["text"], CLEAN);
}

#[test]
fn bad_wet_records_are_reported_with_file_and_offset_and_the_rest_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let good = wet_file(&[PAGE]);
    let bad_length =
        gz(
            &String::from_utf8(wet_record("conversion", 7, "https://b.example/", PAGE))
                .unwrap()
                .replace(
                    &format!("Content-Length: {}", PAGE.len()),
                    "Content-Length: 20",
                )
                .into_bytes(),
        );
    let after = gz(&wet_record(
        "conversion",
        8,
        "https://c.example/",
        "Only content here.",
    ));
    let cut = gz(&wet_record("conversion", 9, "https://d.example/", PAGE));
    let mut bytes = [good.clone(), bad_length.clone(), after].concat();
    bytes.extend_from_slice(&cut[..cut.len() - 10]);
    let f = write(dir.path(), "bad.warc.wet.gz", &bytes);
    let name = f.display().to_string();
    let out = deboil()
        .arg(&f)
        .arg("--stats")
        .assert()
        .code(1)
        .stderr(contains(format!(
            "{name}: byte {}: Content-Length 20",
            good.len()
        )))
        .stderr(contains(format!(
            "{name}: byte {}: gzip member cut short",
            good.len()
                + bad_length.len()
                + gz(&wet_record(
                    "conversion",
                    8,
                    "https://c.example/",
                    "Only content here."
                ))
                .len()
        )))
        .stderr(contains("2 WET records could not be read and were skipped"))
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["text"], "Only content here.\n");
    // --on-error fail stops at the first bad record.
    deboil()
        .args(["--on-error", "fail"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(contains("stopping at a malformed WET record"));
}

#[test]
fn wet_and_plain_inputs_are_not_mixed_by_accident() {
    let dir = tempfile::tempdir().unwrap();
    let w = write(dir.path(), "a.wet.gz", &wet_file(&[PAGE]));
    let t = write(dir.path(), "b.txt", PAGE.as_bytes());
    deboil()
        .arg(&w)
        .arg(&t)
        .assert()
        .code(2)
        .stderr(contains("b.txt is not a WET file"));
}
