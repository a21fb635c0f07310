"""Measure search relevance on the judged query set (app/data/eval/queries.jsonl).

The document universe is every article of the bundled sample corpus (ids `sample-00`...,
by line) and of the labelled evaluation set (`en-001`, `ar-001`...): 194 articles in nine
languages. Each judged query lists its relevant articles with a grade (2: about what was
asked, 1: relevant in part); every other article is judged 0. Queries with no relevant
article are zero-relevance controls.

Each engine gets a fresh store with the same articles, ingested by the real pipeline, and
answers the queries through the same search service as /api/search (per_page 10):

- recall@10: relevant articles in the first ten over min(10, relevant articles);
- nDCG@10: graded gain 2^g - 1, the ideal order from all judged articles;
- MRR: 1 / rank of the first relevant article in the first ten (0 when none);
- zero-result rate: judged queries (with a relevant article) that return no hit at all.
"""

import json
import math
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
QUERIES = DATA / "eval" / "queries.jsonl"
SAMPLE = DATA / "sample" / "articles.jsonl"
LABELLED = DATA / "eval" / "articles.jsonl"
EVAL_URL = "https://eval.chipwatch.example/articles/{}"
K = 10
ENGINES = ("sqlite", "postgresql", "meilisearch")
ENGINE_NAMES = {"sqlite": "FTS5 (SQLite)", "postgresql": "PostgreSQL", "meilisearch": "Meilisearch"}


@dataclass
class JudgedQuery:
    id: str
    q: str
    lang: str
    kind: str
    relevant: dict[str, int]
    params: dict[str, str] = field(default_factory=dict)
    note: str = ""


def load_queries(path: Path = QUERIES) -> list[JudgedQuery]:
    queries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            queries.append(JudgedQuery(raw["id"], raw["q"], raw["lang"], raw["kind"],
                                       {k: int(v) for k, v in raw.get("relevant", {}).items()},
                                       {k: str(v) for k, v in raw.get("params", {}).items()},
                                       raw.get("note", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a judged query ({exc})") from None
    return queries


def corpus() -> list[dict]:
    """The document universe, each record with its judged id (`doc`) and a unique url."""
    docs = []
    for i, line in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines()):
        raw = json.loads(line)
        docs.append({**raw, "doc": f"sample-{i:02d}"})
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        docs.append({"title": raw["title"], "body": raw["body"], "lang": raw["lang"],
                     "published_at": raw["published_at"], "source": "chipwatch eval",
                     "url": EVAL_URL.format(raw["id"]), "doc": raw["id"]})
    return docs


# --- metrics ----------------------------------------------------------------------------------

def _dcg(gains: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def score(ranked: list[int], grades: dict[int, int]) -> dict[str, float]:
    """recall@10, nDCG@10 and reciprocal rank of one ranked list of article ids."""
    top = ranked[:K]
    relevant = {a for a, g in grades.items() if g > 0}
    found = [a for a in top if a in relevant]
    recall = len(found) / min(K, len(relevant))
    ideal = _dcg(sorted(grades.values(), reverse=True)[:K])
    ndcg = _dcg([grades.get(a, 0) for a in top]) / ideal
    rr = next((1 / (i + 1) for i, a in enumerate(top) if a in relevant), 0.0)
    return {"recall": recall, "ndcg": ndcg, "rr": rr}


@dataclass
class QueryResult:
    query: JudgedQuery
    returned: list[str]  # judged doc ids of the first hits (a duplicate shows as its canonical)
    titles: list[str]
    total: int
    recall: float = 0.0
    ndcg: float = 0.0
    rr: float = 0.0


@dataclass
class EngineReport:
    engine: str
    results: list[QueryResult]
    error: str | None = None

    @property
    def judged(self) -> list[QueryResult]:
        return [r for r in self.results if r.query.relevant]

    def mean(self, attr: str) -> float:
        judged = self.judged
        return sum(getattr(r, attr) for r in judged) / len(judged) if judged else 0.0

    @property
    def zero_result_rate(self) -> float:
        judged = self.judged
        return sum(1 for r in judged if r.total == 0) / len(judged) if judged else 0.0

    @property
    def zero_result_queries(self) -> list[str]:
        return [r.query.id for r in self.judged if r.total == 0]

    @property
    def controls_with_hits(self) -> int:
        return sum(1 for r in self.results if not r.query.relevant and r.total)

    def worst(self, n: int = 10) -> list[QueryResult]:
        return sorted(self.judged, key=lambda r: (r.ndcg, r.recall, r.query.id))[:n]

    def summary(self) -> dict:
        return {"engine": self.engine, "queries": len(self.results), "judged": len(self.judged),
                "recall@10": round(self.mean("recall"), 4), "ndcg@10": round(self.mean("ndcg"), 4),
                "mrr": round(self.mean("rr"), 4), "zero_result_rate": round(self.zero_result_rate, 4),
                "zero_result_queries": self.zero_result_queries,
                "controls_with_hits": self.controls_with_hits, "error": self.error,
                "queries": [{"id": r.query.id, "q": r.query.q, "recall@10": round(r.recall, 4),
                             "ndcg@10": round(r.ndcg, 4), "rr": round(r.rr, 4), "total": r.total,
                             "returned": r.returned} for r in self.results]}


# --- running one engine -------------------------------------------------------------------------

def run_queries(runtime, queries: list[JudgedQuery]) -> list[QueryResult]:
    """Ingest the universe into runtime's (empty) store and answer every query."""
    from sqlalchemy import select

    from app.cli import run_ingest
    from app.filters import parse_filters
    from app.models import Article
    from app.search.service import search_articles

    docs = corpus()
    with tempfile.TemporaryDirectory(prefix="chipwatch-eval-") as tmp:
        path = Path(tmp) / "universe.jsonl"
        path.write_text("".join(json.dumps({k: v for k, v in d.items() if k != "doc"},
                                           ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
        report = run_ingest(runtime, [str(path)], None, None)
    if report.rejected:
        raise RuntimeError(f"the evaluation corpus was not ingested whole: {report.rejected} rejected")
    if runtime.settings.meili_url:
        from app.search.outbox import drain_outbox

        while drain_outbox(runtime):
            pass
    doc_by_url = {d["url"]: d["doc"] for d in docs}
    with runtime.sessions() as session:
        rows = session.execute(select(Article.id, Article.url, Article.duplicate_of, Article.title)).all()
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
            page = search_articles(session, parse_filters(pairs), runtime.search, runtime.query_tagger)
        ranked = [h["id"] for h in page.hits]
        result = QueryResult(query, [label.get(a, str(a)) for a in ranked],
                             [titles.get(a, "") for a in ranked], page.total)
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
    log = open(workdir / "meilisearch.log", "wb")
    process = subprocess.Popen(
        [binary, "--db-path", str(workdir / "data.ms"), "--http-addr", f"127.0.0.1:{port}",
         "--master-key", key, "--env", "development", "--no-analytics",
         "--max-indexing-threads", "1", "--max-indexing-memory", "512Mb", "--log-level", "WARN"],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"meilisearch exited {process.returncode}; see {workdir}/meilisearch.log")
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
        runtime.search.ensure_index()
    return runtime


def evaluate_engine(engine: str, queries: list[JudgedQuery], *, pg_admin: str | None = None,
                    meili_url: str | None = None, meili_key: str | None = None) -> EngineReport:
    """One engine on a fresh store: SQLite in a temporary directory, a scratch PostgreSQL
    database (created on pg_admin's server and dropped after), or a new Meilisearch index
    (on SQLite) that is deleted after."""
    from pydantic import SecretStr

    from app.config import Settings

    with tempfile.TemporaryDirectory(prefix="chipwatch-eval-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        pg_name = None
        if engine == "postgresql":
            import psycopg

            pg_name = f"chipwatch_eval_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(pg_admin, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            settings = settings.model_copy(update={"database_url": pg_admin.rsplit("/", 1)[0] + "/" + pg_name})
        elif engine == "meilisearch":
            settings = settings.model_copy(update={
                "meili_url": meili_url, "meili_key": SecretStr(meili_key) if meili_key else None,
                "meili_index": f"chipwatch_eval_{uuid.uuid4().hex[:10]}"})
        runtime = _runtime(settings)
        try:
            return EngineReport(engine, run_queries(runtime, queries))
        finally:
            if engine == "meilisearch":
                try:
                    runtime.search.client.delete_index(settings.meili_index)
                except Exception:  # noqa: BLE001 - a leftover index is harmless
                    pass
            runtime.close()
            if pg_name:
                import psycopg

                with psycopg.connect(pg_admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def evaluate(engines: list[str], queries: list[JudgedQuery], *, pg_admin: str | None,
             meili_url: str | None, meili_key: str | None, meili_bin: str | None) -> list[EngineReport]:
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
            reports.append(evaluate_engine(engine, queries, pg_admin=pg_admin,
                                           meili_url=meili_url, meili_key=meili_key))
        except Exception as exc:  # noqa: BLE001 - reported per engine
            reports.append(EngineReport(engine, [], f"{type(exc).__name__}: {exc}"))
    return reports


def format_text(reports: list[EngineReport], worst: int = 10) -> str:
    lines = ["| engine | recall@10 | nDCG@10 | MRR | zero-result rate | controls with hits |",
             "|---|---|---|---|---|---|"]
    for r in reports:
        if r.error:
            lines.append(f"| {ENGINE_NAMES[r.engine]} | not run: {r.error} | | | | |")
            continue
        controls = len(r.results) - len(r.judged)
        lines.append(f"| {ENGINE_NAMES[r.engine]} | {r.mean('recall'):.3f} | {r.mean('ndcg'):.3f} | "
                     f"{r.mean('rr'):.3f} | {r.zero_result_rate:.3f} | {r.controls_with_hits}/{controls} |")
    for r in reports:
        if r.error or not worst:
            continue
        lines.append(f"\n{ENGINE_NAMES[r.engine]}: the {worst} worst queries (by nDCG@10)")
        for res in r.worst(worst):
            params = "".join(f" {k}={v}" for k, v in res.query.params.items())
            lines.append(f"  {res.query.id} [{res.query.kind}, {res.query.lang}] {res.query.q!r}{params}: "
                         f"nDCG {res.ndcg:.2f}, recall {res.recall:.2f}, {res.total} hits")
            relevant = res.query.relevant
            for doc, title in list(zip(res.returned, res.titles))[:5]:
                lines.append(f"      {relevant.get(doc, 0)} {doc}: {title[:70]}")
            missed = [d for d, g in sorted(relevant.items(), key=lambda kv: -kv[1]) if d not in res.returned]
            if missed:
                lines.append(f"      not in the first {K}: {', '.join(missed[:8])}"
                             + (f" and {len(missed) - 8} more" if len(missed) > 8 else ""))
    return "\n".join(lines)
