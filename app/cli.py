"""`chipwatch` command line: parse arguments, call services, print a report, set the exit code.

Exit codes: 0 success, 1 when an ingest rejected something, 2 on usage errors (click's own).
"""

import json
import os
import sys
import tempfile
import threading
from pathlib import Path

import click

from app.cli_state import CliState, cli_settings
from app.config import Settings

SAMPLE = Path(__file__).parent / "data" / "sample" / "articles.jsonl"
DEMO_LISTS = Path(__file__).parent / "data" / "lists" / "entity-list-demo.json"


def _settings() -> Settings:
    return cli_settings()


def _runtime(upgrade: bool = True):
    from app.migrate import upgrade as db_upgrade
    from app.runtime import build_runtime

    settings = _settings()
    if upgrade:
        db_upgrade(settings)
    return build_runtime(settings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chipwatch")
@click.pass_context
def main(ctx: click.Context) -> None:
    """chipwatch: a searchable dashboard of AI-chip export-control news."""
    ctx.ensure_object(CliState)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from app.migrate import upgrade

    settings = _settings()
    upgrade(settings)
    click.echo(f"database at head: {settings.sqlalchemy_url.split('@')[-1]}")


def _progress(total: int | None, label: str):
    """A rich progress bar on a terminal, nothing otherwise; returns (context, advance)."""
    if not sys.stderr.isatty():
        from contextlib import nullcontext

        return nullcontext(), None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=__import__("rich.console").console.Console(stderr=True),
    )
    task = progress.add_task(label, total=total)
    return progress, lambda n: progress.advance(task, n)


def run_ingest(runtime, targets: list[str], source: str | None, lang: str | None):
    from app.ingest.pipeline import Ingestor
    from app.ingest.sources import article_url_known
    from app.ingest.targets import expand

    # Large inputs are read and tagged in one worker process per core (app/ingest/pipeline.py).
    ingestor = Ingestor.for_runtime(runtime, processes=os.cpu_count() or 1)
    items = expand(targets, runtime.settings, is_known=article_url_known(runtime.sessions))
    context, advance = _progress(None, "ingesting")
    with context:
        return ingestor.ingest(items, source=source, lang=lang, progress=advance)


@main.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--source", help="Source name recorded on the articles.")
@click.option("--lang", help="Language code for every article (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
def ingest(targets: tuple[str, ...], source: str | None, lang: str | None, as_json: bool) -> None:
    """Ingest files, directories (recursive), JSON/JSONL, feeds, URLs, or - for stdin."""
    from app.filters import LANG
    from app.ingest.targets import UsageError, check_targets

    if lang and not LANG.match(lang):
        raise click.BadParameter(
            f"{lang!r} is not a language code such as ar, en, zh, fr", param_hint="--lang"
        )
    try:
        check_targets(list(targets))
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    runtime = _runtime()
    try:
        report = run_ingest(runtime, list(targets), source, lang)
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for rejected in report.rejected:
            click.echo(f"rejected {rejected.origin}: {rejected.reason}", err=True)
        click.echo(report.summary())
    sys.exit(1 if report.rejected else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not run the worker in this process.")
@click.option(
    "--workers",
    default=0,
    type=click.IntRange(0, 64),
    envvar="CHIPWATCH_WEB_WORKERS",
    show_default="0: one per core",
    show_envvar=True,
    help="Web processes. A page is Python work that holds one core while it renders, "
    "so one process per core serves the most pages.",
)
def serve(host: str, port: int, no_worker: bool, workers: int) -> None:
    """Serve the web app (and the worker alongside, unless --no-worker)."""
    _check_port(host, port)
    runtime = _runtime()
    _serve(runtime, host, port, with_worker=not no_worker, workers=workers or web_processes())


def web_processes() -> int:
    """One web process per core this process may run on (a container's CPU set, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_port(host: str, port: int) -> None:
    from app.ports import busy_port_message, port_problem

    problem = port_problem(host, port)
    if problem:
        raise click.BadParameter(busy_port_message(host, port, problem), param_hint="--port")


def _serve(
    runtime, host: str, port: int, with_worker: bool, workers: int = 1, quiet: bool = False
) -> None:
    import logging

    import uvicorn

    from app.config import SERVED_AT_ENV
    from app.main import create_app
    from app.web.hosts import serve_base_url
    from app.web.joined_writes import HTTP_PROTOCOL
    from app.worker import Worker

    stop = threading.Event()
    if with_worker:  # in this process only, however many web processes serve
        threading.Thread(
            target=Worker(runtime).run, args=(stop,), daemon=True, name="worker"
        ).start()
    # The app logs each request itself (tokens blanked): uvicorn's access log is off.
    # Quiet (the demo): warnings and errors only, no line per request.
    log_level = "warning" if quiet else "info"
    # Feed links need the address readers use: the one served here unless one is configured.
    # uvicorn's own proxy headers are off: it would believe X-Forwarded-For from any loopback
    # client; the app does it for CHIPWATCH_FORWARDED_ALLOW_IPS only (app/web/hosts.py).
    os.environ[SERVED_AT_ENV] = serve_base_url(host, port)
    try:
        if workers == 1:
            app = create_app(runtime.settings, runtime)
            if quiet:
                logging.getLogger("chipwatch").setLevel(logging.WARNING)
            uvicorn.run(
                app,
                host=host,
                port=port,
                log_level=log_level,
                access_log=False,
                proxy_headers=False,
                http=HTTP_PROTOCOL,  # a response's head and body in one write
            )
        else:
            with tempfile.TemporaryDirectory(prefix="chipwatch-metrics-") as metrics_dir:
                # Each web process builds its app from the environment; /metrics sums them.
                os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
                _serve_processes(
                    "app.main:create_app",
                    factory=True,
                    workers=workers,
                    host=host,
                    port=port,
                    log_level=log_level,
                    access_log=False,
                    proxy_headers=False,
                    http=HTTP_PROTOCOL,
                    timeout_graceful_shutdown=20,
                )
    finally:
        stop.set()
        runtime.close()


def _serve_processes(app: str, **options) -> None:
    """uvicorn.run(app, workers=N, ...), with a listening socket per web process where the
    kernel spreads connections between them (app/web/reuse_port.py)."""
    import logging

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from app.web.reuse_port import reuse_port_socket, supported

    if not supported():
        uvicorn.run(app, **options)
        return
    config = uvicorn.Config(app, **options)
    try:
        sock = reuse_port_socket(config.host, config.port)
    except OSError as exc:
        raise click.ClickException(f"cannot bind {config.host}:{config.port}: {exc}") from None
    logging.getLogger("uvicorn.error").info(
        "Uvicorn running on http://%s:%d, a socket per web process (SO_REUSEPORT)",
        config.host,
        sock.getsockname()[1],
    )
    Multiprocess(config, sockets=[sock]).run()


@main.command()
@click.option("--once", is_flag=True, help="Do one round of work and exit.")
def worker(once: bool) -> None:
    """Poll feeds and drain the search-index queue until stopped."""
    from app.logs import configure_logging
    from app.worker import Worker

    configure_logging(_settings().log_format)
    runtime = _runtime()
    try:
        work = Worker(runtime)
        if once:
            click.echo(json.dumps(work.run_once()))
        else:
            work.run(threading.Event(), install_signals=True)
    finally:
        runtime.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the sample corpus and exit.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Embedded default: database, sample corpus and restriction timeline, then serve."""
    if not no_serve:
        _check_port(host, port)
    runtime = _runtime()
    lists = run_list_import(runtime, DEMO_LISTS.read_bytes(), f"bundled {DEMO_LISTS.name}")
    click.echo(f"export-control lists: {lists.summary()}")
    report = run_ingest(runtime, [str(SAMPLE)], None, None)
    click.echo(f"sample corpus: {report.summary()}")
    for rejected in report.rejected:
        click.echo(f"rejected {rejected.origin}: {rejected.reason}", err=True)
    if no_serve:
        runtime.close()
        return
    click.echo(f"chipwatch is running on http://{host}:{port}  (Ctrl+C to stop)")
    click.echo(
        f"starter feeds (not subscribed): http://{host}:{port}/sources or `chipwatch sources add --starter`"
    )
    _serve(runtime, host, port, with_worker=True, quiet=True)


@main.group()
def index() -> None:
    """The search index."""


@index.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable state.")
def index_status(as_json: bool) -> None:
    """Show the engine and how many changes wait for the index."""
    from app.index_report import format_index_status
    from app.search.indexing import status

    runtime = _runtime()
    try:
        state = status(runtime)
    finally:
        runtime.close()
    click.echo(json.dumps(state) if as_json else format_index_status(state))


@index.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the search index from the database."""
    from app.search.indexing import rebuild

    runtime = _runtime()
    try:
        context, advance = _progress(None, "indexing")
        with context:
            count = rebuild(runtime, progress=advance)
        click.echo(f"indexed {count} articles ({runtime.search.engine})")
    finally:
        runtime.close()


@main.command()
@click.option("--all", "all_", is_flag=True, required=True, help="Re-tag every stored article.")
@click.option(
    "--queue",
    "queue_only",
    is_flag=True,
    help="Queue the re-tag job for the worker instead of running it here.",
)
def enrich(all_: bool, queue_only: bool) -> None:
    """Re-tag stored articles after the gazetteer changed, and queue them for re-indexing.

    It runs as a re-tag job (the kind a gazetteer change queues): a chunk of articles per
    transaction, progress in the job row, so an interrupted run is resumed by the next one or by
    the worker (`chipwatch gazetteer jobs` shows it)."""
    from app.article.retag import queue_all, retag_all

    runtime = _runtime()
    try:
        if queue_only:
            job = queue_all(runtime)
            click.echo(f"queued re-tag job {job.id} for every article (the worker runs it)")
            return
        context, advance = _progress(None, "re-tagging")
        with context:
            count = retag_all(runtime, progress=advance)
        click.echo(
            f"re-tagged {count} articles with gazetteer {runtime.enricher.gazetteer.version}"
        )
    finally:
        runtime.close()


@main.group()
def sources() -> None:
    """Feeds the worker polls."""


@sources.command("add")
@click.argument("url", required=False)
@click.option("--name", help="Source name shown on its articles (default: the host name).")
@click.option("--lang", help="Language code of the feed's articles (default: detected).")
@click.option("--interval", default=None, type=int, help="Minutes between polls (default 60).")
@click.option(
    "--federal-register",
    "federal_register",
    is_flag=True,
    help="Poll the Federal Register's documents API for one agency (rules become articles of kind rule).",
)
@click.option(
    "--agency",
    default=None,
    metavar="SLUG",
    help="With --federal-register: the agency's slug (default industry-and-security-bureau).",
)
@click.option("--starter", is_flag=True, help="Subscribe to the curated starter set of feeds.")
@click.option(
    "--dry-run", is_flag=True, help="With --starter: print the set, subscribe to nothing."
)
def sources_add(
    url: str | None,
    name: str | None,
    lang: str | None,
    interval: int | None,
    federal_register: bool,
    agency: str | None,
    starter: bool,
    dry_run: bool,
) -> None:
    """Add a feed (RSS, Atom or JSON Feed), the Federal Register (--federal-register) or the
    starter set (--starter); the worker polls them from its next round."""
    from app.ingest.federal_register import DEFAULT_AGENCY, AgencyError, documents_url, source_name
    from app.ingest.sources import (
        SourceError,
        add_source,
        check_feed_address,
        check_feed_url,
        source_state,
    )

    if sum(map(bool, (url, federal_register, starter))) != 1:
        raise click.UsageError("give a feed URL, --federal-register or --starter (one of them)")
    if agency and not federal_register:
        raise click.UsageError("--agency goes with --federal-register")
    if dry_run and not starter:
        raise click.UsageError("--dry-run goes with --starter")
    if starter:
        if name or lang or interval:
            raise click.UsageError(
                "--starter takes no --name, --lang or --interval (each feed has its own)"
            )
        _starter(dry_run)
        return
    kind = "feed"
    if federal_register:
        try:
            url = documents_url(agency or DEFAULT_AGENCY)
        except AgencyError as exc:
            raise click.BadParameter(str(exc), param_hint="--agency") from None
        name, lang, kind = (
            name or source_name(agency or DEFAULT_AGENCY),
            lang or "en",
            "federal-register",
        )
    try:
        url = check_feed_url(url or "")
        check_feed_address(url, allow_private=_settings().allow_private_urls)
    except SourceError as exc:
        raise click.BadParameter(str(exc), param_hint="URL") from None
    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            state = source_state(
                add_source(session, url, name=name, lang=lang, interval=interval or 60, kind=kind)
            )
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    click.echo(
        f"added source {state['name']!r}: {state['url']} (every {state['interval_minutes']} min)"
    )


def _starter(dry_run: bool) -> None:
    from app.ingest.sources import SourceError
    from app.ingest.starter import starter_set, subscribe_starter

    feeds, not_listed = starter_set()
    if dry_run:
        for f in feeds:
            mark = "" if f.verified else " [URL unverified]"
            click.echo(f"{f.kind}\t{f.lang}\t{f.name}\t{f.url}{mark}\n\t{f.why}")
        for p in not_listed:
            click.echo(f"not listed\t{p['publisher']}: {p['why']}")
        click.echo(f"{len(feeds)} feeds (dry run: nothing subscribed)")
        return
    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            added, present = subscribe_starter(session)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    for name in added:
        click.echo(f"added source {name!r}")
    click.echo(f"starter set: added {len(added)}, already subscribed {len(present)}")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable state.")
def sources_list(as_json: bool) -> None:
    """List polled sources with their state."""
    from app.ingest.sources import list_sources, source_state

    runtime = _runtime()
    try:
        with runtime.sessions() as session:
            states = [source_state(s) for s in list_sources(session)]
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps(states, ensure_ascii=False))
        return
    if not states:
        click.echo("no sources: add one with `chipwatch sources add URL`")
    for s in states:
        failures = s["consecutive_failures"]
        health = f"failing x{failures}: {s['last_error']}" if failures else "ok"
        click.echo(
            f"{s['name']}\t{s['url']}\tevery {s['interval_minutes']} min\tnext {s['next_check_at']}"
            f"\tlast ok {s['last_success_at']}\titems {s['items_seen']}\t{health}"
        )


@sources.command("remove")
@click.argument("source")
def sources_remove(source: str) -> None:
    """Stop polling a source (by name, URL or id); its articles stay."""
    from app.ingest.sources import SourceError, remove_source

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            removed, deleted = remove_source(session, source)
            name = removed.name
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    click.echo(f"removed source {name!r}" + ("" if deleted else " (its articles stay)"))


@sources.command("import")
@click.argument("file", type=click.File("rb"))
def sources_import(file) -> None:
    """Subscribe to the feeds of an OPML file (folders become tags). All or nothing: a file
    with a problem changes nothing and the error names its line."""
    from app.ingest.opml import OpmlError, import_opml

    data = file.read()
    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            report = import_opml(session, data, allow_private=runtime.settings.allow_private_urls)
    except OpmlError as exc:
        raise click.ClickException(f"{file.name}: {exc} (nothing imported)") from None
    finally:
        runtime.close()
    for name in report.added:
        click.echo(f"added source {name!r}")
    click.echo(report.summary())


@sources.command("export")
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Write to this file (default: standard output).",
)
def sources_export(output) -> None:
    """Print the polled sources as OPML 2.0 (tags as folders, settings as chipwatch: attributes)."""
    from app.ingest.opml import export_opml

    runtime = _runtime()
    try:
        with runtime.sessions() as session:
            text = export_opml(session)
    finally:
        runtime.close()
    output.write(text)


@main.command("eval")
@click.option(
    "--data",
    "data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled articles (JSONL; default: the bundled evaluation set).",
)
@click.option(
    "--gazetteer",
    "gazetteer_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Gazetteer data directory (default: the bundled one).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the full report (scores, misses) as JSON to this file ('-': stdout).",
)
@click.option(
    "--sample",
    is_flag=True,
    help="Score the restriction labels of the bundled sample corpus instead.",
)
@click.option("--no-misses", is_flag=True, help="Print the scores only.")
@click.option(
    "--fail-under",
    type=float,
    default=None,
    help="Exit 1 when any entity type's micro-F1 is below this value.",
)
@click.option(
    "--search",
    "search_",
    is_flag=True,
    help="Score search instead: recall@10, nDCG@10, MRR, zero results per engine on "
    "the judged queries (app/data/eval/queries.jsonl).",
)
@click.option(
    "--engine",
    "engines",
    multiple=True,
    type=click.Choice(["sqlite", "postgresql", "meilisearch"]),
    help="With --search: the engines to score (default: all three).",
)
@click.option(
    "--pg-url",
    envvar="CHIPWATCH_EVAL_PG",
    default="postgresql://postgres@127.0.0.1:5432/postgres",
    show_default=True,
    help="With --search: a PostgreSQL server where a scratch database is made and dropped.",
)
@click.option(
    "--meili-bin",
    envvar="MEILI_BIN",
    help="With --search: a Meilisearch binary to start for the run (or --meili-url).",
)
@click.option(
    "--meili-url", help="With --search: a running Meilisearch (a new index is made and deleted)."
)
@click.option("--meili-key", help="With --search: its API key.")
@click.option(
    "--discovery",
    is_flag=True,
    help="Score gazetteer discovery on app/data/eval/discovery.jsonl: precision of the top 20 "
    "suggestions and recall of the expected ones.",
)
def eval_(
    data: Path | None,
    gazetteer_dir: Path | None,
    json_out: Path | None,
    sample: bool,
    no_misses: bool,
    fail_under: float | None,
    search_: bool,
    engines: tuple[str, ...],
    pg_url: str,
    meili_bin: str | None,
    meili_url: str | None,
    meili_key: str | None,
    discovery: bool,
) -> None:
    """Score enrichment on the labelled evaluation set: precision, recall and F1 per type
    (or, with --search, search relevance on the judged queries; with --discovery, gazetteer
    discovery)."""
    if discovery:
        from app import discovery_eval

        scores = discovery_eval.evaluate(data or discovery_eval.EVAL_SET)
        click.echo(discovery_eval.format_text(scores, show_misses=not no_misses))
        if json_out:
            out = json.dumps(
                {k: v.to_dict() for k, v in scores.items()}, ensure_ascii=False, indent=2
            )
            click.echo(out) if str(json_out) == "-" else json_out.write_text(
                out + "\n", encoding="utf-8"
            )
        if (
            fail_under is not None
            and min(scores["all"].precision_top, scores["all"].recall) < fail_under
        ):
            raise SystemExit(1)
        return
    if search_:
        from app.search_eval import ENGINES, format_text, load_queries
        from app.search_eval import evaluate as evaluate_search

        reports = evaluate_search(
            list(engines or ENGINES),
            load_queries(data) if data else load_queries(),
            pg_admin=pg_url,
            meili_url=meili_url,
            meili_key=meili_key,
            meili_bin=meili_bin,
        )
        click.echo(format_text(reports, worst=0 if no_misses else 10))
        if json_out:
            out = json.dumps([r.summary() for r in reports], ensure_ascii=False, indent=2)
            click.echo(out) if str(json_out) == "-" else json_out.write_text(
                out + "\n", encoding="utf-8"
            )
        if any(r.error for r in reports):
            raise SystemExit(1)
        return
    from app import gazetteer as gz
    from app.enrich import Enricher, default_enricher
    from app.enrich.evaluate import EVAL_SET, evaluate, load_eval_set, load_sample_set
    from app.enrich.evaluate_restrictions import format_parts, restriction_linking

    enricher = Enricher(gz.load(gazetteer_dir)) if gazetteer_dir else default_enricher()
    articles = load_sample_set() if sample else load_eval_set(data or EVAL_SET)
    report = evaluate(articles, enricher)
    full = report.to_dict()
    # The news-style restriction set (both parts) unless one file is scored alone.
    linking = None if sample or data else restriction_linking(enricher)
    if linking:
        full["restriction_linking"] = {name: part.to_dict() for name, part in linking.items()}
    if json_out and str(json_out) == "-":
        click.echo(json.dumps(full, ensure_ascii=False, indent=2))
    else:
        click.echo(report.format_text(show_misses=not no_misses))
        if linking:
            click.echo("\n" + format_parts(linking, show_misses=not no_misses))
        if json_out:
            json_out.write_text(
                json.dumps(full, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    if fail_under is not None and report.worst_f1() < fail_under:
        sys.exit(1)


# --- export-control lists (app/lists/, docs/lists.md) ----------------------------------------

LIST_FETCH_BYTES = 128 * 1024 * 1024  # the whole Consolidated Screening List is tens of MB


def run_list_import(runtime, content: bytes, origin: str, **options):
    """Import one list file in one transaction (articles re-queued for the index with it)."""
    from app.lists.importer import import_file

    with runtime.sessions.begin() as session:
        return import_file(
            session, content, origin, runtime.enricher.gazetteer, outbox=runtime.outbox, **options
        )


def _read_list_source(target: str, settings) -> tuple[bytes, str]:
    """The bytes of a file, of stdin (-), or of a URL fetched with the safe fetcher."""
    from app.urls import BadUrl, looks_like_url, parse_url

    if target == "-":
        return sys.stdin.buffer.read(), "stdin"
    if looks_like_url(target):
        from app.ingest.fetch import Fetcher, FetchError

        try:
            target = parse_url(target)
        except BadUrl as exc:
            raise click.BadParameter(f"{target}: {exc}", param_hint="FILE_OR_URL") from None

        try:
            with Fetcher.from_settings(
                settings, max_bytes=LIST_FETCH_BYTES, deadline=300.0
            ) as fetcher:
                return fetcher.fetch(target).content, target
        except FetchError as exc:
            raise click.ClickException(f"cannot fetch {target}: {exc.reason}") from None
    path = Path(target)
    if not path.is_file():
        raise click.BadParameter(
            f"{target!r} is neither a file nor an http(s) URL", param_hint="FILE_OR_URL"
        )
    return path.read_bytes(), str(path)


@main.group("lists")
def lists_group() -> None:
    """Export-control lists: the Consolidated Screening List and the Entity List."""


@lists_group.command("import")
@click.argument("target", metavar="FILE_OR_URL")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csl-csv", "csl-json", "fr-text"]),
    help="File layout (default: from the extension, else from the content).",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The date the file describes (default: the file's own date, else today).",
)
@click.option("--partial", is_flag=True, help="The file is an extract: record no removals.")
@click.option(
    "--list",
    "scope",
    multiple=True,
    metavar="SLUG",
    help="A list the file covers even if it has no party on it (removals); repeatable.",
)
@click.option(
    "--default-list", metavar="SLUG", help="List of rows without a `source` (CSL layouts)."
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
def lists_import(
    target: str,
    fmt: str | None,
    as_of,
    partial: bool,
    scope: tuple[str, ...],
    default_list: str | None,
    as_json: bool,
) -> None:
    """Import a list file or URL: additions, removals and changes are recorded with their dates."""
    from app.lists import LIST_SLUG
    from app.lists.records import FileError

    for slug in (*scope, *([default_list] if default_list else [])):
        if not LIST_SLUG.match(slug):
            raise click.BadParameter(
                f"{slug!r} is not a list id such as entity-list", param_hint="--list"
            )
    runtime = _runtime()
    try:
        content, origin = _read_list_source(target, runtime.settings)
        report = run_list_import(
            runtime,
            content,
            origin,
            fmt=fmt,
            partial=partial,
            lists=scope,
            default_list=default_list,
            as_of=as_of.date() if as_of else None,
        )
    except FileError as exc:
        raise click.ClickException(f"{target}: {exc}") from None
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for error in report.errors:
            click.echo(f"malformed row {error.row}: {error.reason}", err=True)
        for note in report.duplicates:
            click.echo(f"duplicate {note}", err=True)
        nothing = (
            " (same content as an earlier import: nothing recorded)"
            if report.import_id is None
            else ""
        )
        click.echo(
            f"{report.origin} as of {report.as_of} ({', '.join(report.lists) or 'no list'}): "
            f"{report.summary()}; links: {report.links_auto} automatic, {report.links_proposed} "
            f"proposed; articles re-evaluated: {report.articles_changed}{nothing}"
        )
    sys.exit(1 if report.errors else 0)


@lists_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable state.")
def lists_status(as_json: bool) -> None:
    """Parties per list, links by status, and the latest imports."""
    from app.lists.service import summary

    runtime = _runtime()
    try:
        with runtime.sessions() as session:
            state = summary(session, imports=5)
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps(state, ensure_ascii=False))
        return
    if not state["lists"]:
        click.echo("no list imported: `chipwatch lists import FILE_OR_URL`")
    for item in state["lists"]:
        links = item["links"]
        click.echo(
            f"{item['id']}\t{item['parties']} parties ({item['listed']} listed, {item['removed']} removed)"
            f"\tlinks: {links['auto']} automatic, {links['accepted']} accepted, "
            f"{links['proposed']} to review, {links['rejected']} rejected"
        )
    for imp in state["imports"]:
        click.echo(
            f"import {imp['id']}\t{imp['imported_at']}\t{imp['origin']}\tas of {imp['as_of']}\t"
            f"+{imp['added']} -{imp['removed']} ~{imp['changed']}\tmalformed {imp['malformed']}"
        )


@lists_group.command("links")
@click.option(
    "--status",
    type=click.Choice(["auto", "proposed", "accepted", "rejected"]),
    help="Only links with this status.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable links.")
def lists_links(status: str | None, as_json: bool) -> None:
    """Links between list parties and gazetteer companies, with their scores and reasons."""
    from app.lists.service import links

    runtime = _runtime()
    try:
        with runtime.sessions() as session:
            rows = links(session, status, limit=10_000)
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(
            f"{row['id']}\t{row['status']}\t{row['score']:.2f}\t{row['party']} -> {row['entity_id']}"
            f"\t{row['explanation']}"
        )


def _decide(link_id: int, decision: str) -> None:
    from app.lists.service import LinkNotFound, decide

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            link = decide(session, link_id, decision, outbox=runtime.outbox)
            click.echo(f"link {link.id} ({link.entity_id}) {decision}")
    except LinkNotFound as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()


@lists_group.command("accept")
@click.argument("link_id", type=click.IntRange(1, 2**31 - 1))
def lists_accept(link_id: int) -> None:
    """Accept a proposed link (same as the button on /admin/lists)."""
    _decide(link_id, "accepted")


@lists_group.command("reject")
@click.argument("link_id", type=click.IntRange(1, 2**31 - 1))
def lists_reject(link_id: int) -> None:
    """Reject a link; re-matching keeps it rejected."""
    _decide(link_id, "rejected")


@lists_group.command("match")
def lists_match() -> None:
    """Match every party again (after a gazetteer change); admin decisions are kept."""
    from app.lists.importer import link_parties
    from app.lists.repository import parties_in_order
    from app.lists.status import refresh_entities

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            parties = parties_in_order(session)
            changed = link_parties(session, parties, runtime.enricher.gazetteer)
            articles = refresh_entities(session, changed, bool(runtime.settings.meili_url))
    finally:
        runtime.close()
    click.echo(
        f"matched {len(parties)} parties; {len(changed)} companies changed, "
        f"{articles} articles re-evaluated"
    )


@lists_group.command("eval")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled list names (JSONL; default: app/data/eval/list_matches.jsonl).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option("--no-misses", is_flag=True, help="Print the scores only.")
@click.option(
    "--fail-under",
    type=float,
    default=None,
    help="Exit 1 when the precision of automatic links is below this value.",
)
def lists_eval(data: Path | None, as_json: bool, no_misses: bool, fail_under: float | None) -> None:
    """Precision and recall of automatic links on the labelled set of list names."""
    from app import gazetteer as gz
    from app.lists.evaluate import EVAL_SET, evaluate, load_set

    report = evaluate(load_set(data or EVAL_SET), gz.default())
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.format_text(show_misses=not no_misses))
    if fail_under is not None and report.precision < fail_under:
        sys.exit(1)


from app.accounts.cli import users  # noqa: E402

main.add_command(users)

from app.gazetteer_cli import gazetteer_group  # noqa: E402

main.add_command(gazetteer_group)
