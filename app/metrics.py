"""Prometheus metrics: the metric objects every part of chipwatch may update, and /metrics.

Counters and histograms live in the process (prometheus_client's default registry). When
PROMETHEUS_MULTIPROC_DIR is set (several web workers, see docs/deploy.md) each process writes
its values there and a scrape sums them. Database-derived numbers (index lag, articles,
rejections) are read at scrape time, so they are right whichever process is asked.

Ingestion reports its outcomes with one call: `count_ingest(report)`.
"""

import os
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

disable_created_metrics()  # no *_created series: half the lines, nothing lost

HTTP_REQUESTS = Counter(
    "chipwatch_http_requests",
    "HTTP requests by method, route template and status code",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "chipwatch_http_request_duration_seconds",
    "Time to serve a request (whole response), by route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
INGEST_ITEMS = Counter(
    "chipwatch_ingest_items", "Ingested items by outcome (added, duplicate, rejected)", ["outcome"]
)
RATE_LIMITED = Counter(
    "chipwatch_rate_limited", "Requests refused by the per-client rate limit (429)"
)
BODY_TOO_LARGE = Counter(
    "chipwatch_body_too_large", "Requests refused because the body was over the size cap (413)"
)

for _outcome in ("added", "duplicate", "rejected"):
    INGEST_ITEMS.labels(_outcome)  # export zeros from the start


def count_ingest(report) -> None:
    """Add an IngestReport's outcomes (added, duplicates, rejected) to the ingest counter."""
    INGEST_ITEMS.labels("added").inc(report.added)
    INGEST_ITEMS.labels("duplicate").inc(report.duplicates)
    INGEST_ITEMS.labels("rejected").inc(len(report.rejected))


# (method, route, status) -> its counter and histogram series: labels() validates, locks and
# looks them up again on every call, once per request.
_REQUEST_SERIES: dict[tuple[str, str, int], tuple] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    series = _REQUEST_SERIES.get((method, route, status))
    if series is None:
        series = _REQUEST_SERIES[method, route, status] = (
            HTTP_REQUESTS.labels(method, route, str(status)),
            HTTP_LATENCY.labels(method, route),
        )
    series[0].inc()
    series[1].observe(seconds)


class DatabaseCollector(Collector):
    """Numbers read from the database when Prometheus scrapes."""

    def __init__(self, runtime):
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from app.article.repository import rejection_count
        from app.search.repository import article_count, oldest_queued_at, outbox_lag

        up = GaugeMetricFamily("chipwatch_database_up", "1 when the database answered this scrape")
        try:
            with self.runtime.sessions() as session:
                lag = outbox_lag(session)
                oldest = oldest_queued_at(session)
                articles = article_count(session)
                rejections = rejection_count(session)
        except Exception:  # noqa: BLE001 - a scrape reports the outage instead of failing
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:  # SQLite hands back naive UTC
                oldest = oldest.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        yield GaugeMetricFamily(
            "chipwatch_index_lag", "Article changes waiting for the search index", value=lag
        )
        yield GaugeMetricFamily(
            "chipwatch_index_lag_seconds",
            "Age of the oldest change waiting for the search index",
            value=age,
        )
        yield GaugeMetricFamily("chipwatch_articles", "Articles stored", value=articles)
        yield GaugeMetricFamily(
            "chipwatch_rejections", "Rejected inputs recorded", value=rejections
        )
        engine = GaugeMetricFamily(
            "chipwatch_search_engine_info", "The search engine in use", labels=["engine"]
        )
        engine.add_metric([self.runtime.search.engine], 1)
        yield engine


def render_metrics(runtime) -> tuple[bytes, str]:
    """The exposition text: process metrics (summed over workers if multiprocess) + database."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        process = CollectorRegistry()
        multiprocess.MultiProcessCollector(process)
    else:
        process = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(runtime))
    return generate_latest(process) + generate_latest(database), CONTENT_TYPE_LATEST
