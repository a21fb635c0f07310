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
    from app.ingest.targets import expand

    ingestor = Ingestor(runtime.sessions, runtime.enricher, outbox=bool(runtime.settings.meili_url))
    context, advance = _progress(None, "ingesting")
    with context:
        return ingestor.ingest(expand(targets), source=source, lang=lang, progress=advance)


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
        uvicorn.run(create_app(runtime.settings, runtime), host=host, port=port, log_level="info")
    finally:
        stop.set()
        runtime.close()


@main.command()
@click.option("--once", is_flag=True, help="Do one round of work and exit.")
def worker(once: bool) -> None:
    """Poll feeds and drain the search-index queue until stopped."""
    from app.worker import Worker

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
