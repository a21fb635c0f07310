"""The same input stored twice gets the same rows, ids included, whatever PYTHONHASHSEED orders
a set of strings by (each run is its own process, as each `chipwatch ingest` is)."""

import json
import os
import sqlite3
import subprocess
import sys

SOURCES = ["Reuters", "Al Jazeera", "Caixin", "Le Monde", "Nikkei", "Handelsblatt", "Yonhap", "NOS"]


def _sources_after_ingest(tmp_path, seed: str) -> list[tuple[int, str]]:
    data_dir = tmp_path / f"seed{seed}"
    subprocess.run(
        [sys.executable, "-m", "app", "ingest", str(tmp_path / "batch.jsonl")],
        env={**os.environ, "PYTHONHASHSEED": seed, "CHIPWATCH_DATA_DIR": str(data_dir)},
        capture_output=True,
        check=True,
    )
    with sqlite3.connect(data_dir / "chipwatch.db") as db:
        return db.execute("SELECT id, name FROM sources ORDER BY id").fetchall()


def test_new_sources_get_the_same_ids_whatever_the_hash_seed(tmp_path):
    with open(tmp_path / "batch.jsonl", "w", encoding="utf-8") as f:
        for i, source in enumerate(SOURCES):  # one batch, a new source per article
            body = f"Story {i}: Commerce discussed licences for Nvidia's H20 with {source}. " * 3
            f.write(json.dumps({
                "title": f"Export controls story {i}", "body": body, "source": source,
                "url": f"https://example.org/{i}", "published_at": f"2025-04-1{i}T10:00:00Z",
            }) + "\n")  # fmt: skip
    runs = [_sources_after_ingest(tmp_path, seed) for seed in ("1", "2", "3")]
    assert runs[0] == runs[1] == runs[2]
    assert [name for _id, name in runs[0]] == SOURCES  # in the order the input names them
