import json
import os
import pickle
import subprocess
import sys

import pyarrow as pa
import pytest

import deboil
from conftest import CLEAN, PAGE, ROOT


def test_clean_removes_the_ad_and_says_why():
    out = deboil.Cleaner().clean(PAGE)
    assert out.text == CLEAN
    assert len(out.spans) == 1
    s = out.spans[0]
    assert PAGE[s.start : s.end] == "Advertisement"
    assert (s.kind, s.pass_) == ("ad", "rules")
    assert s.rule.startswith("ad.")
    assert out.counts == {"ad": (1, len("Advertisement"))}
    assert out.lines_in == 3
    assert not out.repaired


def test_seed_page_comes_out_as_its_gold(seed):
    page, gold = seed
    assert deboil.Cleaner().clean(page).text == gold


def test_offsets_are_code_points_and_bytes():
    page = "Ça commence ici, un vrai paragraphe — avec des accents.\n\nAdvertisement\n"
    s = deboil.Cleaner().clean(page).spans[0]
    assert page[s.start : s.end] == "Advertisement"
    assert page.encode()[s.byte_start : s.byte_end] == b"Advertisement"
    assert s.byte_start > s.start


def test_lone_surrogates_become_one_replacement_each_and_nothing_is_lost():
    text = json.loads('"Broken \\ud800 text of a real paragraph, with a full stop.\\n\\nAdvertisement\\n"')
    out = deboil.Cleaner().clean(text)
    assert out.repaired
    assert "\ufffd" in out.text
    s = out.spans[0]
    assert text[s.start : s.end] == "Advertisement"
    batch = deboil.Cleaner().clean_batch([text, PAGE])
    assert [b.repaired for b in batch] == [True, False]


def test_clean_batch_matches_clean_in_order():
    c = deboil.Cleaner(threads=2)
    texts = [PAGE, "Only content here.", "", PAGE.replace("article", "story")] * 50
    batch = c.clean_batch(texts)
    assert [b.text for b in batch] == [c.clean(t).text for t in texts]
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        c.clean_batch(["ok", 3])
    with pytest.raises(ValueError, match="urls has 1 items for 2 texts"):
        c.clean_batch(["a", "b"], ["https://x.example/"])


def test_options_disable_and_favor():
    assert deboil.Cleaner(disable=["ad"]).clean(PAGE).text == PAGE
    assert "rules" in deboil.Cleaner().pass_names()
    with pytest.raises(ValueError, match="favor"):
        deboil.Cleaner(favor="most")
    with pytest.raises(deboil.DeboilError, match="reading rule table"):
        deboil.Cleaner(rules=["/nonexistent/rules.toml"])
    with pytest.raises(deboil.DeboilError):
        deboil.Cleaner(disable=["no-such-pass"])


def test_rule_tables_from_files(tmp_path):
    rules = tmp_path / "mine.toml"
    rules.write_text(
        '[[rule]]\nid = "mine.read-more"\nkind = "author-promo"\npattern = "^Read more here$"\n'
    )
    c = deboil.Cleaner(rules=[rules])
    out = c.clean("A real paragraph of the article, with a full stop.\n\nRead more here\n")
    assert [s.rule for s in out.spans] == ["mine.read-more"]
    # The rules travel with a pickled cleaner, without the file.
    blob = pickle.dumps(c)
    rules.unlink()
    c2 = pickle.loads(blob)
    assert [s.rule for s in c2.clean("A real paragraph of the article, with a full stop.\n\nRead more here\n").spans] == ["mine.read-more"]


def test_clean_arrow_keeps_nulls_and_types():
    c = deboil.Cleaner()
    for typ in (pa.string(), pa.large_string(), pa.string_view()):
        arr = pa.array([PAGE, None, "Only content here."], type=typ)
        out = c.clean_arrow(arr)
        assert isinstance(out, pa.RecordBatch)
        assert out.schema.names == ["text", "lines_dropped", "chars_dropped", "spans"]
        assert out.column(0).type == typ
        assert out.column(0).to_pylist() == [CLEAN, None, "Only content here.\n"]
        assert out.column(1).to_pylist() == [1, None, 0]
        assert out.column(2).to_pylist() == [len("Advertisement"), None, 0]
        assert json.loads(out.column(3)[0].as_py())[0]["kind"] == "ad"
    chunked = pa.chunked_array([[PAGE], [PAGE, None]])
    t = c.clean_arrow(chunked)
    assert isinstance(t, pa.Table)
    assert t.column("text").to_pylist() == [CLEAN, CLEAN, None]
    with pytest.raises(TypeError, match="strings"):
        c.clean_arrow(pa.array([1, 2]))
    with pytest.raises(TypeError, match="Arrow array"):
        c.clean_arrow([PAGE])


def test_counts_drop_a_hosts_repeated_lines_and_pickle(tmp_path):
    promo = "Subscribe to our weekly letter for the best stories of the week"
    texts = [f"Story {i} opens with a real paragraph of its own, with a full stop.\n\n{promo}\n" for i in range(6)]
    urls = [f"https://news.example/{i}" for i in range(6)]
    counts = deboil.Counts()
    counts.add(texts, urls)
    assert len(counts) > 0
    c = deboil.Cleaner(counts=counts, min_docs=5)
    out = c.clean(texts[0], url=urls[0])
    assert promo not in out.text
    assert promo in c.clean(texts[0], url="https://other.example/").text
    # The file format of `deboil scan`, both ways.
    path = tmp_path / "counts.zst"
    counts.save(path)
    assert deboil.Counts.load(path).to_bytes() == counts.to_bytes()
    assert promo not in deboil.Cleaner(counts=str(path)).clean(texts[1], urls[1]).text
    arrow = c.clean_arrow(pa.array(texts[:2]), pa.array(urls[:2]))
    assert all(promo not in t for t in arrow.column(0).to_pylist())
    c2 = pickle.loads(pickle.dumps(c))
    assert c2.clean(texts[0], url=urls[0]).text == out.text
    assert pickle.loads(pickle.dumps(counts)).to_bytes() == counts.to_bytes()
    # Shards merge to the whole.
    a, b = deboil.Counts(), deboil.Counts()
    a.add(texts[:3], urls[:3])
    b.add(texts[3:], urls[3:])
    a.merge(b)
    assert a.to_bytes() == counts.to_bytes()


def test_counts_are_those_of_deboil_scan(tmp_path):
    deboil_bin = ROOT / "target" / "release" / "deboil"
    if not deboil_bin.exists():
        pytest.skip("the release binary is not built")
    texts = [f"Paragraph {i % 3} of a page, long enough to count as text.\n\nShared footer line\n" for i in range(8)]
    urls = [f"https://h{i % 2}.example/p" for i in range(8)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": t, "url": u}) + "\n" for t, u in zip(texts, urls)))
    out = tmp_path / "scan.counts"
    subprocess.run([str(deboil_bin), "scan", "--jsonl", "-o", str(out), str(src)], check=True)
    counts = deboil.Counts()
    counts.add(texts, urls)
    assert counts.to_bytes() == out.read_bytes()


def test_a_forked_child_cleans_and_counts():
    c = deboil.Cleaner(threads=2)
    counts = deboil.Counts(threads=2)
    c.clean_batch([PAGE] * 8)
    counts.add([PAGE] * 4)
    pid = os.fork()
    if pid == 0:
        ok = [o.text for o in c.clean_batch([PAGE] * 8)] == [CLEAN] * 8
        counts.add([PAGE] * 4)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0


def test_clean_files_runs_the_cli_job(tmp_path, caplog):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": PAGE}) + "\n" + "{not json\n" + json.dumps({"id": "b", "text": "Only content here."}) + "\n"
    )
    out = tmp_path / "out.parquet"
    with caplog.at_level("INFO", logger="deboil"):
        report = deboil.clean_files(src, out, jsonl=True, threads=2)
    assert report["documents"] == 2
    assert report["malformed_lines"] == 1
    assert report["errors"] >= 1
    assert any(level == "error" and f"{src}:2:" in m for level, m in report["messages"])
    assert f"{src}:2:" in caplog.text
    import pyarrow.parquet as pq

    t = pq.read_table(out)
    assert t.column("text").to_pylist() == [CLEAN, "Only content here.\n"]
    assert t.column("id").to_pylist() == ["a", "b"]
    # A plain-text directory to an out_dir, with a cleaner's options.
    d = tmp_path / "pages"
    d.mkdir()
    (d / "one.txt").write_text(PAGE)
    report = deboil.clean_files([d], out_dir=tmp_path / "clean", cleaner=deboil.Cleaner(disable=["ad"]))
    assert (tmp_path / "clean" / "one.txt").read_text() == PAGE
    assert report["inputs"] == 1


def test_clean_files_errors(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("{not json\n")
    with pytest.raises(ValueError, match="output"):
        deboil.clean_files(src)
    with pytest.raises(TypeError, match="unknown option"):
        deboil.clean_files(src, tmp_path / "o.jsonl", jsnl=True)
    with pytest.raises(ValueError, match="on_error"):
        deboil.clean_files(src, tmp_path / "o.jsonl", on_error="maybe")
    with pytest.raises(deboil.DeboilError, match="stopping at a malformed line"):
        deboil.clean_files(src, tmp_path / "o.jsonl", jsonl=True, on_error="fail")
    assert not (tmp_path / "o.jsonl").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.jsonl"]
    with pytest.raises(deboil.DeboilError, match="would be replaced"):
        deboil.clean_files(src, src, jsonl=True)
