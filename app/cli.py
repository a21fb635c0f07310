"""`chipwatch` command line: parse arguments, call services, print a report, set the exit code.

Exit codes: 0 success, 1 when an ingest rejected something, 2 on usage errors (click's own).
"""

import json
import sys
import threading
from pathlib import Path

import click

from app.config import get_settings

SAMPLE = Path(__file__).parent / "data" / "sample" / "articles.jsonl"


def _runtime(upgrade: bool = True):
    from app.migrate import upgrade as db_upgrade
    from app.runtime import build_runtime

    settings = get_settings()
    if upgrade:
        db_upgrade(settings)
    return build_runtime(settings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chipwatch")
def main() -> None:
    """chipwatch: a searchable dashboard of AI-chip export-control news."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from app.migrate import upgrade

    settings = get_settings()
    upgrade(settings)
    click.echo(f"database at head: {settings.sqlalchemy_url.split('@')[-1]}")


def _progress(total: int | None, label: str):
    """A rich progress bar on a terminal, nothing otherwise; returns (context, advance)."""
    if not sys.stderr.isatty():
        from contextlib import nullcontext

        return nullcontext(), None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        transient=True, console=__import__("rich.console").console.Console(stderr=True))
    task = progress.add_task(label, total=total)
    return progress, lambda n: progress.advance(task, n)


def run_ingest(runtime, targets: list[str], source: str | None, lang: str | None):
    from app.ingest.pipeline import Ingestor
    from app.ingest.sources import article_url_known
    from app.ingest.targets import expand

    ingestor = Ingestor(runtime.sessions, runtime.enricher, outbox=bool(runtime.settings.meili_url))
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
        raise click.BadParameter(f"{lang!r} is not a language code such as ar, en, zh, fr",
                                 param_hint="--lang")
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
def serve(host: str, port: int, no_worker: bool) -> None:
    """Serve the web app (and the worker alongside, unless --no-worker)."""
    runtime = _runtime()
    _serve(runtime, host, port, with_worker=not no_worker)


def _serve(runtime, host: str, port: int, with_worker: bool) -> None:
    import uvicorn

    from app.main import create_app
    from app.worker import Worker

    stop = threading.Event()
    if with_worker:
        threading.Thread(target=Worker(runtime).run, args=(stop,), daemon=True, name="worker").start()
    try:
        uvicorn.run(create_app(runtime.settings, runtime), host=host, port=port, log_level="info",
                    access_log=False)  # the app logs each request itself, tokens blanked
    finally:
        stop.set()
        runtime.close()


@main.command()
@click.option("--once", is_flag=True, help="Do one round of work and exit.")
def worker(once: bool) -> None:
    """Poll feeds and drain the search-index queue until stopped."""
    from app.web.logging import configure_logging
    from app.worker import Worker

    configure_logging(get_settings().log_format)
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
    runtime = _runtime()
    report = run_ingest(runtime, [str(SAMPLE)], None, None)
    click.echo(f"sample corpus: {report.summary()}")
    for rejected in report.rejected:
        click.echo(f"rejected {rejected.origin}: {rejected.reason}", err=True)
    if no_serve:
        runtime.close()
        return
    click.echo(f"chipwatch is running on http://{host}:{port}  (Ctrl+C to stop)")
    _serve(runtime, host, port, with_worker=True)


@main.group()
def index() -> None:
    """The search index."""


@index.command("status")
def index_status() -> None:
    """Show the engine and how many changes wait for the index."""
    from app.indexer import status

    runtime = _runtime()
    try:
        click.echo(json.dumps(status(runtime)))
    finally:
        runtime.close()


@index.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the search index from the database."""
    from app.indexer import rebuild

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
def enrich(all_: bool) -> None:
    """Re-tag stored articles after the gazetteer changed, and queue them for re-indexing."""
    from app.indexer import retag_all

    runtime = _runtime()
    try:
        context, advance = _progress(None, "re-tagging")
        with context:
            count = retag_all(runtime, progress=advance)
        click.echo(f"re-tagged {count} articles with gazetteer {runtime.enricher.gazetteer.version}")
    finally:
        runtime.close()


@main.group()
def sources() -> None:
    """Feeds the worker polls."""


@sources.command("add")
@click.argument("url")
@click.option("--name", help="Source name shown on its articles (default: the host name).")
@click.option("--lang", help="Language code of the feed's articles (default: detected).")
@click.option("--interval", default=60, show_default=True, type=int, help="Minutes between polls.")
def sources_add(url: str, name: str | None, lang: str | None, interval: int) -> None:
    """Add a feed (RSS, Atom or JSON Feed); the worker polls it from its next round."""
    from app.ingest.sources import SourceError, add_source, check_feed_url, source_state

    try:
        check_feed_url(url)
    except SourceError as exc:
        raise click.BadParameter(str(exc), param_hint="URL") from None
    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            state = source_state(add_source(session, url, name=name, lang=lang, interval=interval))
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    click.echo(f"added source {state['name']!r}: {state['url']} (every {state['interval_minutes']} min)")


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
        click.echo(f"{s['name']}\t{s['url']}\tevery {s['interval_minutes']} min\tnext {s['next_check_at']}"
                   f"\tlast ok {s['last_success_at']}\titems {s['items_seen']}\t{health}")


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


@main.command("eval")
@click.option("--data", "data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Labelled articles (JSONL; default: the bundled evaluation set).")
@click.option("--gazetteer", "gazetteer_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Gazetteer data directory (default: the bundled one).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the full report (scores, misses) as JSON to this file ('-': stdout).")
@click.option("--sample", is_flag=True,
              help="Score the restriction labels of the bundled sample corpus instead.")
@click.option("--no-misses", is_flag=True, help="Print the scores only.")
@click.option("--fail-under", type=float, default=None,
              help="Exit 1 when any entity type's micro-F1 is below this value.")
def eval_(data: Path | None, gazetteer_dir: Path | None, json_out: Path | None, sample: bool,
          no_misses: bool, fail_under: float | None) -> None:
    """Score enrichment on the labelled evaluation set: precision, recall and F1 per type."""
    from app import gazetteer as gz
    from app.enrich import Enricher, default_enricher
    from app.enrich.evaluate import EVAL_SET, evaluate, load_eval_set, load_sample_set

    enricher = Enricher(gz.load(gazetteer_dir)) if gazetteer_dir else default_enricher()
    articles = load_sample_set() if sample else load_eval_set(data or EVAL_SET)
    report = evaluate(articles, enricher)
    if json_out and str(json_out) == "-":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.format_text(show_misses=not no_misses))
        if json_out:
            json_out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
    if fail_under is not None and report.worst_f1() < fail_under:
        sys.exit(1)
