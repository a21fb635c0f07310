"""Re-tag benchmark: CPU time of `chipwatch enrich --all` (retag_all) per article.

    python -m bench.retag [--count 3000] [--database-url postgresql://...] [--legacy FILE] [--report FILE]

A generated corpus (bench.corpus) is ingested into a fresh database (not timed), then every
article is re-tagged in this process with the index outbox on (as with Meilisearch): the
process CPU time of the re-tag is reported, per article too. `--legacy FILE` times the
retag_all of another module file instead (an A/B against an older version, e.g.
`git show REV:app/article/retag.py > /tmp/old_retag.py`), on its own fresh database.
"""

import argparse
import importlib.util
import json
import os
import tempfile
import time
from pathlib import Path

from bench.ingest import write_corpus


def _retag_all(legacy: Path | None):
    if legacy is None:
        from app.article.retag import retag_all

        return retag_all
    spec = importlib.util.spec_from_file_location("legacy_retag", legacy)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.retag_all


def run(count: int, database_url: str | None, legacy: Path | None) -> dict:
    from app.cli import run_ingest
    from app.config import Settings
    from app.migrate import upgrade
    from app.runtime import build_runtime

    with tempfile.TemporaryDirectory(prefix="bench-retag-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        write_corpus(corpus, count)
        settings = Settings(data_dir=Path(tmp) / "data", database_url=database_url)
        if database_url:
            from bench.ingest import fresh_pg_database

            fresh_pg_database(database_url)
        upgrade(settings)
        runtime = build_runtime(settings)
        try:
            report = run_ingest(runtime, [str(corpus)], None, None)
            runtime.settings.meili_url = "http://127.0.0.1:9"  # queue for the index; never drained
            retag_all = _retag_all(legacy)
            cpu, wall = time.process_time(), time.perf_counter()
            retagged = retag_all(runtime)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        finally:
            runtime.close()
    return {
        "articles": report.added,
        "retagged": retagged,
        "engine": "postgresql" if database_url else "sqlite",
        "code": str(legacy) if legacy else "app.article.retag",
        "cpu_seconds": round(cpu, 3),
        "cpu_ms_per_article": round(1000 * cpu / max(retagged, 1), 3),
        "wall_seconds": round(wall, 3),
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--database-url")
    parser.add_argument("--legacy", type=Path)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    result = run(args.count, args.database_url, args.legacy)
    print(json.dumps(result, indent=2))
    if args.report:
        args.report.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
