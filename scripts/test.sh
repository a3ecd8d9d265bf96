#!/usr/bin/env bash
# The test command (README.md): the Rust tests; then the Python package,
# built as a release wheel, installed in a fresh virtual environment with
# the pinned test dependencies, and its pytest suite (the API, datatrove,
# Spark in local mode, datasets with worker processes, Ray).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked
# The command line the Python tests pipe records through (RDD.pipe) and
# compare counts with (deboil scan).
cargo build --release --locked -q
venv=target/python-test-venv
rm -rf "$venv" target/wheels
python3 -m venv "$venv"
"$venv/bin/pip" install -q -r bindings/python/requirements-test.txt
"$venv/bin/maturin" build --release --locked -q -m bindings/python/Cargo.toml -o target/wheels
"$venv/bin/pip" install -q --no-deps target/wheels/deboil-*.whl
"$venv/bin/pip" install -q "ray[data]==2.60.0" || echo "test.sh: ray did not install; its test is skipped"
cd bindings/python
"../../$venv/bin/python" -m pytest -q -p no:cacheprovider tests
