"""bench.prepare_report: CPU per article in contiguous bands of articles stored, from samples."""

from bench.prepare_report import summarise


def sample(t: float, stored: int, main_cpu: float, tree_cpu: float, rss: float, load: float) -> dict:
    return {
        "time": t, "load": [load, load, load], "phase": "ingesting", "articles_stored": stored,
        "bytes": {"sqlite": stored * 10_000, "meili": 0, "corpus_jsonl": 0}, "ready": None,
        "processes": {"ingest": {"cpu_s": main_cpu, "tree_cpu_s": tree_cpu, "rss_mib": rss,
                                 "workers": [{"cpu_s": 0, "rss_mib": rss / 2}]}},
    }


def test_bands_are_contiguous_and_split_main_from_workers():
    samples = [sample(0, 0, 0, 0, 100, 2), sample(100, 10_000, 10, 30, 120, 3),
               sample(300, 20_000, 30, 70, 130, 5)]
    s = summarise(samples)
    first, second = s["ingest_bands"]
    assert first == {"articles": [0, 10_000], "cpu_ms_per_article": 3.0, "cpu_ms_per_article_main": 1.0,
                     "cpu_ms_per_article_workers": 2.0, "wall_articles_per_second": 100.0,
                     "load_1min": [2, 3]}
    assert second["articles"] == [10_000, 20_000] and second["cpu_ms_per_article"] == 4.0
    assert second["cpu_ms_per_article_main"] == 2.0 and second["load_1min"] == [3, 5]
    assert s["ingest_first_and_last_100k"]["last"]["articles"] == [0, 20_000]
    assert s["peak_rss"]["second_half"]["main_rss_mib"] == 130
    assert s["sqlite_bytes_per_article"] == 10_000 and s["articles_stored"] == 20_000


def test_index_phase_cpu_counts_from_the_last_ingest_sample():
    ingesting = sample(0, 20_000, 30, 70, 130, 5)
    ingesting.update(bench_tree_cpu_s=100.0)
    ingesting["processes"]["meilisearch"] = {"cpu_s": 1.0, "rss_mib": 40}
    meili = {"cpu_s": 31.0, "rss_mib": 300, "index": {"documents": 15_000}}
    indexing = {**ingesting, "time": 60, "phase": "indexing", "bench_tree_cpu_s": 150.0,
                "processes": {"meilisearch": {**meili, "cpu_s": 11.0}}}
    done = {**ingesting, "time": 120, "phase": "done", "bench_tree_cpu_s": 200.0, "ready": [50.0, 120.0],
            "processes": {"meilisearch": meili}}
    index = summarise([ingesting, indexing, done])["index"]
    assert index == {"documents": 15_000, "meilisearch_bytes": 0, "cpu_seconds": 100.0,
                     "meilisearch_cpu_seconds": 30.0, "wall_seconds": 120}
