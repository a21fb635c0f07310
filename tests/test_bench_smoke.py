"""The benchmarks keep working: a tiny run of each (the real numbers come from `make bench`)."""

import json
import subprocess
import sys

from bench.corpus import generate
from app import ROOT


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
