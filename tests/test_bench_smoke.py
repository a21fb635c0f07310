"""The benchmarks keep working: a tiny run of each (the real numbers come from `make bench`)."""

import json
import os
import subprocess
import sys

from app import ROOT
from bench.corpus import generate


def test_corpus_is_deterministic_and_multilingual():
    first = list(generate(200, seed=3))
    assert first == list(generate(200, seed=3))
    assert {a["lang"] for a in first} == {"ar", "en", "zh", "fr"}
    assert len({a["url"] for a in first}) == 200


def test_ingest_benchmark_smoke(tmp_path):
    report = tmp_path / "ingest.json"
    subprocess.run([sys.executable, "-m", "bench.ingest", "--count", "120", "--report", str(report)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    result = json.loads(report.read_text())["results"][0]
    assert result["added"] == 120 and result["rejected"] == 0
    assert result["articles_per_second"] > 0 and result["peak_rss_mib"] > 0


def test_search_benchmark_smoke(tmp_path):
    """Needs the Meilisearch binary (scripts/provision-meili.sh), like the contract suite."""
    report = tmp_path / "search.json"
    subprocess.run([sys.executable, "-m", "bench.search", "--count", "80", "--rounds", "1",
                    "--clients", "2", "--report", str(report)],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    result = json.loads(report.read_text())["result"]
    assert result["api_search_ms"]["n"] == result["meili_direct_ms"]["n"] == 20
    assert result["p95_ratio"] > 0 and result["html_page_ms_concurrent"]["clients"] == 2
    # the load generator's CPU beside the server's, and the app's own durations (its request log)
    unique = result["html_page_ms_concurrent_unique"]
    assert set(unique["cpu_ms_per_request"]) == {"client", "web", "meili"} and unique["cpu_ms_per_request"]["web"] > 0
    assert unique["server_ms"]["n"] == unique["n"] and result["api_search_ms"]["server_ms"]["n"] == 20


def test_api_cpu_benchmark_smoke(tmp_path):
    """bench.api_cpu on a data dir bench.search prepared (Meilisearch binary needed)."""
    data, report = tmp_path / "data", tmp_path / "api-cpu.json"
    subprocess.run([sys.executable, "-m", "bench.search", "--count", "60", "--data-dir", str(data),
                    "--prepare-only"], cwd=ROOT, check=True, capture_output=True, timeout=600)
    subprocess.run([sys.executable, "-m", "bench.api_cpu", "--data-dir", str(data), "--count", "60",
                    "--rounds", "1", "--unique", "20", "--report", str(report)],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    result = json.loads(report.read_text())["result"]
    assert result["api_search_repeated"]["n"] == result["meili_direct_repeated"]["n"] == 20
    assert result["api_search_unique"]["n"] == 20 and result["healthz"]["n"] == 200
    assert result["api_search_repeated"]["cpu_ms_per_request"] >= 0


def test_search_prepare_records_its_cost_and_can_be_sampled(tmp_path):
    """--prepare-only writes prepare-COUNT.json (CPU per article of ingest and index, sizes on
    disk); bench.prepare_sample reads the finished build (Meilisearch binary needed)."""
    data = tmp_path / "data"
    out = subprocess.run([sys.executable, "-m", "bench.search", "--count", "40", "--data-dir", str(data),
                          "--prepare-only"], cwd=ROOT, check=True, capture_output=True, text=True,
                         timeout=600)
    assert "40 articles: ingest" in out.stdout
    prepared = json.loads((data / "prepare-40.json").read_text())
    assert prepared["count"] == 40
    for step in ("ingest", "index_rebuild"):
        assert prepared[step]["cpu_seconds"] > 0 and prepared[step]["cpu_ms_per_article"] > 0
    assert prepared["index_rebuild"]["meilisearch_cpu_seconds"] > 0
    assert prepared["disk_bytes"]["sqlite"] > 0 and prepared["disk_bytes"]["meilisearch"] > 0
    sample = json.loads(subprocess.run(
        [sys.executable, "-m", "bench.prepare_sample", "--pid", str(os.getpid()), "--data-dir", str(data),
         "--count", "40"], cwd=ROOT, check=True, capture_output=True, text=True, timeout=120).stdout)
    assert sample["phase"] == "done" and sample["articles_stored"] == 40
    assert sample["bytes"]["sqlite"] >= prepared["disk_bytes"]["sqlite"] > 0 and sample["bench_tree_cpu_s"] > 0
