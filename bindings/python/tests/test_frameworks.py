"""The adapters in the frameworks themselves: a datatrove pipeline, a local
Spark job, datasets' map with worker processes, Ray Data."""

import gzip
import json
import os
import shutil
import subprocess
import sys

import pyarrow as pa
import pytest

import deboil
from conftest import CLEAN, PAGE, ROOT


def _records(n):
    return [{"id": f"d{i}", "text": PAGE if i % 2 == 0 else "Only content here.", "url": f"https://s{i % 3}.example/{i}"} for i in range(n)]


def test_datatrove_pipeline_with_two_tasks(tmp_path):
    pytest.importorskip("datatrove")
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from deboil.datatrove import DeboilFilter

    src = tmp_path / "in"
    src.mkdir()
    recs = _records(40)
    recs[5]["text"] = "Advertisement\n"  # nothing left: dropped as empty
    for k in range(2):
        with open(src / f"part{k}.jsonl", "w") as f:
            for r in recs[k * 20 : (k + 1) * 20]:
                f.write(json.dumps(r) + "\n")
    out = tmp_path / "out"
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src)),
            DeboilFilter(batch_size=8),
            JsonlWriter(str(out), compression=None),
        ],
        tasks=2,
        workers=2,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    docs = {}
    for p in sorted(out.iterdir()):
        for line in open(p):
            d = json.loads(line)
            docs[d["id"]] = d
    assert len(docs) == 39 and "d5" not in docs
    assert docs["d0"]["text"] == CLEAN
    assert docs["d0"]["metadata"]["deboil_spans"][0]["kind"] == "ad"
    assert docs["d1"]["text"] == "Only content here.\n"
    stats = json.load(open(tmp_path / "logs" / "stats.json"))
    step = next(s for s in stats if "deboil" in s["name"])
    total = lambda v: v["total"] if isinstance(v, dict) else v
    # 20 pages with an ad line, and the page that was nothing else.
    assert total(step["stats"]["removed_lines_ad"]) == 21
    assert total(step["stats"]["removed_chars_ad"]) == 21 * len("Advertisement")
    assert total(step["stats"]["dropped_deboil_empty"]) == 1


def test_datatrove_filter_budget():
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from deboil.datatrove import DeboilFilter

    f = DeboilFilter(max_removed=0.1, batch_size=1)
    assert f.filter(Document(text=PAGE, id="a")) == (False, "deboil_removed_too_much")
    doc = Document(text="Only content here.", id="b")
    assert f.filter(doc) is True and doc.text == "Only content here.\n"
    with pytest.raises(ValueError):
        DeboilFilter(max_removed=2)


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java for Spark")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    s = (
        SparkSession.builder.master("local[2]")
        .appName("deboil-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    yield s
    s.stop()


def test_spark_map_in_arrow_and_corpus_counts(spark):
    from deboil.spark import clean_batches, corpus_counts

    promo = "Subscribe to our weekly letter for the best stories of the week"
    words = "apple brick cloud delta ember fjord grove harbor island jungle kettle lemon".split()
    rows = [(f"d{i}", f"The {w} story opens with a real paragraph of its own, with a full stop.\n\n{promo}\n", "https://news.example/" + str(i)) for i, w in enumerate(words)]
    rows += [("ad", PAGE, "https://other.example/"), ("none", None, None)]
    df = spark.createDataFrame(rows, "id string, text string, url string").repartition(3)
    counts = corpus_counts(df, "text", "url")
    local = deboil.Counts()
    local.add([r[1] for r in rows if r[1] is not None], [r[2] for r in rows if r[1] is not None])
    assert counts.to_bytes() == local.to_bytes()
    cleaner = deboil.Cleaner(counts=counts)
    out = {r["id"]: r["text"] for r in df.mapInArrow(clean_batches(cleaner, "text", "url"), df.schema).collect()}
    assert len(out) == 14
    assert out["ad"] == CLEAN
    assert out["none"] is None
    assert out["d3"] == "The delta story opens with a real paragraph of its own, with a full stop.\n"


def test_spark_rdd_pipe_with_the_cli(spark):
    deboil_bin = ROOT / "target" / "release" / "deboil"
    if not deboil_bin.exists():
        pytest.skip("the release binary is not built")
    lines = [json.dumps({"id": i, "text": PAGE}) for i in range(6)]
    # json.dumps writes a lone surrogate as an escape: the record comes back, repaired.
    lines.append(json.dumps({"id": 6, "text": "Broken \ud800 text of a real paragraph.\n\nAdvertisement\n"}))
    out = spark.sparkContext.parallelize(lines, 2).pipe(f"{deboil_bin} --jsonl -q").collect()
    recs = sorted((json.loads(l) for l in out), key=lambda r: r["id"])
    assert [r["id"] for r in recs] == list(range(7))
    assert recs[0]["text"] == CLEAN
    assert "Advertisement" not in recs[6]["text"] and "\ufffd" in recs[6]["text"]


def test_datasets_map_with_two_processes(tmp_path):
    datasets = pytest.importorskip("datasets")
    from deboil.hf import cleaning

    ds = datasets.Dataset.from_list(_records(20) + [{"id": "n", "text": None, "url": None}])
    out = ds.map(cleaning(url_column="url"), batched=True, batch_size=4, num_proc=2)
    assert out[0]["text"] == CLEAN
    assert out[0]["deboil_lines_dropped"] == 1
    assert out[1]["text"] == "Only content here.\n"
    assert out[20]["text"] is None
    assert len(out) == 21


def test_ray_map_batches():
    ray = pytest.importorskip("ray")
    from deboil.ray import Clean

    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    try:
        ds = ray.data.from_items(_records(10))
        out = ds.map_batches(Clean, fn_constructor_kwargs={"text_column": "text"}, batch_format="pyarrow", concurrency=1).take_all()
        by_id = {r["id"]: r["text"] for r in out}
        assert by_id["d0"] == CLEAN and by_id["d1"] == "Only content here.\n"
        assert len(by_id) == 10
    finally:
        ray.shutdown()
