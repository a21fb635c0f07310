"""Running the judged search queries (app/search/evaluate.py) against real engines: each on a
fresh store (SQLite in a temporary directory, a scratch PostgreSQL database, a new Meilisearch
index), the universe ingested, every query answered and scored. A top-level module, not part of
app/search: it builds runtimes and ingests, which app/search itself never does."""

import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import cast

from app.db import create_database, drop_database
from app.search.evaluate import (  # noqa: F401  (ENGINES, format_text, load_queries: the CLI's)
    ENGINES,
    EngineReport,
    JudgedQuery,
    K,
    QueryResult,
    corpus,
    format_text,
    load_queries,
    score,
)


def _ingest(runtime, path: Path):
    from app.ingest.pipeline import Ingestor
    from app.ingest.targets import expand

    # Large inputs are read and tagged in one worker process per core, as `chipwatch ingest` does.
    return Ingestor.for_runtime(runtime, processes=os.cpu_count() or 1).ingest(
        expand([str(path)], runtime.settings)
    )


# --- running one engine -------------------------------------------------------------------------


def run_queries(runtime, queries: list[JudgedQuery]) -> list[QueryResult]:
    """Ingest the universe into runtime's (empty) store and answer every query."""
    from app.filters import parse_filters
    from app.search.repository import article_identities
    from app.search.service import search_articles

    docs = corpus()
    with tempfile.TemporaryDirectory(prefix="chipwatch-eval-") as tmp:
        path = Path(tmp) / "universe.jsonl"
        path.write_text(
            "".join(
                json.dumps({k: v for k, v in d.items() if k != "doc"}, ensure_ascii=False) + "\n"
                for d in docs
            ),
            encoding="utf-8",
        )
        report = _ingest(runtime, path)
    if report.rejected:
        raise RuntimeError(
            f"the evaluation corpus was not ingested whole: {report.rejected} rejected"
        )
    if runtime.settings.meili_url:
        from app.search.indexing import drain_outbox

        while drain_outbox(runtime):
            pass
    doc_by_url = {d["url"]: d["doc"] for d in docs}
    with runtime.sessions() as session:
        rows = article_identities(session)
    canonical = {row.id: row.duplicate_of or row.id for row in rows}
    article_of = {doc_by_url[row.url]: canonical[row.id] for row in rows if row.url in doc_by_url}
    missing = set(doc_by_url.values()) - set(article_of)
    if missing:
        raise RuntimeError(f"articles missing after ingestion: {sorted(missing)[:5]}")
    label = {row.id: doc_by_url[row.url] for row in rows if row.url in doc_by_url}
    titles = {row.id: row.title for row in rows}

    results = []
    for query in queries:
        grades: dict[int, int] = {}
        for doc, grade in query.relevant.items():
            if doc not in article_of:
                raise ValueError(f"{query.id}: unknown article {doc!r}")
            article = article_of[doc]
            grades[article] = max(grade, grades.get(article, 0))
        pairs = [("q", query.q), *query.params.items(), ("per_page", str(K))]
        with runtime.sessions() as session:
            page = search_articles(
                session, parse_filters(pairs), runtime.search, runtime.query_tagger
            )
        ranked = [h["id"] for h in page.hits]
        result = QueryResult(
            query,
            [label.get(a, str(a)) for a in ranked],
            [titles.get(a, "") for a in ranked],
            page.total,
        )
        if grades:
            for key, value in score(ranked, grades).items():
                setattr(result, key, value)
        results.append(result)
    return results


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def meili_server(binary: str) -> Iterator[tuple[str, str]]:
    """A throwaway Meilisearch (url, master key) in a temporary directory."""
    workdir = Path(tempfile.mkdtemp(prefix="chipwatch-eval-meili-"))
    port, key = _free_port(), secrets.token_hex(24)
    url = f"http://127.0.0.1:{port}"
    log = open(workdir / "meilisearch.log", "wb")  # noqa: SIM115 - closed after the server stops
    process = subprocess.Popen(
        [
            binary,
            "--db-path",
            str(workdir / "data.ms"),
            "--http-addr",
            f"127.0.0.1:{port}",
            "--master-key",
            key,
            "--env",
            "development",
            "--no-analytics",
            "--max-indexing-threads",
            "1",
            "--max-indexing-memory",
            "512Mb",
            "--log-level",
            "WARN",
        ],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"meilisearch exited {process.returncode}; see {workdir}/meilisearch.log"
                )
            try:
                if httpx.get(f"{url}/health", timeout=1).json().get("status") == "available":
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("meilisearch did not become available within 30 s")
            time.sleep(0.05)
        yield url, key
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _runtime(settings):
    from app.migrate import upgrade
    from app.runtime import build_runtime

    upgrade(settings)
    runtime = build_runtime(settings)
    if settings.meili_url:
        from app.search.meili import MeiliSearch

        cast(
            MeiliSearch, runtime.search
        ).ensure_index()  # what build_runtime makes with a meili_url
    return runtime


def evaluate_engine(
    engine: str,
    queries: list[JudgedQuery],
    *,
    pg_admin: str | None = None,
    meili_url: str | None = None,
    meili_key: str | None = None,
) -> EngineReport:
    """One engine on a fresh store: SQLite in a temporary directory, a scratch PostgreSQL
    database (created on pg_admin's server and dropped after), or a new Meilisearch index
    (on SQLite) that is deleted after."""
    from pydantic import SecretStr

    from app.config import Settings

    with tempfile.TemporaryDirectory(prefix="chipwatch-eval-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        pg_name = None
        if engine == "postgresql":
            if not pg_admin:
                raise RuntimeError("no PostgreSQL server given (--pg-url)")
            pg_name = f"chipwatch_eval_{uuid.uuid4().hex[:10]}"
            create_database(pg_admin, pg_name)
            settings = settings.model_copy(
                update={"database_url": pg_admin.rsplit("/", 1)[0] + "/" + pg_name}
            )
        elif engine == "meilisearch":
            settings = settings.model_copy(
                update={
                    "meili_url": meili_url,
                    "meili_key": SecretStr(meili_key) if meili_key else None,
                    "meili_index": f"chipwatch_eval_{uuid.uuid4().hex[:10]}",
                }
            )
        runtime = _runtime(settings)
        try:
            return EngineReport(engine, run_queries(runtime, queries))
        finally:
            if engine == "meilisearch":
                with suppress(Exception):  # a leftover index is harmless
                    runtime.search.client.delete_index(settings.meili_index)
            runtime.close()
            if pg_name and pg_admin:
                drop_database(pg_admin, pg_name)


def evaluate(
    engines: list[str],
    queries: list[JudgedQuery],
    *,
    pg_admin: str | None,
    meili_url: str | None,
    meili_key: str | None,
    meili_bin: str | None,
) -> list[EngineReport]:
    """Every asked engine; one that cannot run is reported with its error, not skipped silently."""
    reports = []
    for engine in engines:
        try:
            if engine == "postgresql" and not pg_admin:
                raise RuntimeError("no PostgreSQL server given (--pg-url)")
            if engine == "meilisearch" and not meili_url:
                if not meili_bin or not os.access(meili_bin, os.X_OK):
                    raise RuntimeError("no Meilisearch (--meili-url, or --meili-bin / MEILI_BIN)")
                with meili_server(meili_bin) as (url, key):
                    reports.append(evaluate_engine(engine, queries, meili_url=url, meili_key=key))
                continue
            reports.append(
                evaluate_engine(
                    engine, queries, pg_admin=pg_admin, meili_url=meili_url, meili_key=meili_key
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported per engine
            reports.append(EngineReport(engine, [], f"{type(exc).__name__}: {exc}"))
    return reports
