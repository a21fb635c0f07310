"""`chipwatch gazetteer ...`: review discovered names, change the overlay, export it.

Every change is recorded with who made it (`--by`, default cli:<login>) and queues a re-tag
job; the worker runs it (or `chipwatch gazetteer jobs --run`, here and now)."""

import getpass
import json
import sys
from pathlib import Path

import click


def _by(by: str | None) -> str:
    if by:
        return by
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _runtime():
    from app.cli_state import cli_settings
    from app.migrate import upgrade
    from app.runtime import build_runtime

    settings = cli_settings()
    upgrade(settings)
    return build_runtime(settings)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group("gazetteer")
def gazetteer_group() -> None:
    """Gazetteer review: discovered names, accepted changes (the overlay), re-tag jobs."""


@gazetteer_group.command("suggestions")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable suggestions.")
@click.option(
    "--status",
    type=click.Choice(["open", "accepted", "rejected", "all"]),
    default="open",
    show_default=True,
)
@click.option("--limit", type=click.IntRange(1, 10000), default=200, show_default=True)
def suggestions_cmd(as_json: bool, status: str, limit: int) -> None:
    """Names the gazetteer lacks, the best attested first."""
    from app.gazetteer import suggestions

    runtime = _runtime()
    with runtime.sessions() as session:
        rows = [
            suggestions.as_dict(r)
            for r in suggestions.listing(session, None if status == "all" else status, limit)
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no suggestions")
    for r in rows:
        target = (
            f" -> alias of {r['of']}"
            if r["of"]
            else (f" (of {r['parent']})" if r["parent"] else "")
        )
        click.echo(
            f"{r['id']:>5}  {r['type']:<11} {r['name']}{target}"
            f"  [{r['count']} articles, {r['status']}]"
        )
        for ex in r["examples"][:2]:
            click.echo(f"         {ex['text'][:110]}")


def _decided(change, runtime) -> None:
    click.echo(
        f"change {change.id}: {change.action} {change.entity_id}; re-tag queued "
        f"(gazetteer {runtime.enricher.gazetteer.version} until the worker picks it up)"
    )


@gazetteer_group.command("accept")
@click.argument("suggestion_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--as", "as_entity", metavar="ENTITY_ID", help="Accept as an alias of this entity.")
@click.option("--name", help="Canonical name of the new entity (or the alias, with --as).")
@click.option("--id", "entity_id", help="Id of the new entity (default: made from the name).")
@click.option("--parent", help="Family or maker (chips), parent company (companies).")
@click.option("--by", help="Who decides (default: cli:<login>).")
def accept_cmd(
    suggestion_id: int,
    as_entity: str | None,
    name: str | None,
    entity_id: str | None,
    parent: str | None,
    by: str | None,
) -> None:
    """Accept a suggestion: as a new entity, or with --as as an alias of an existing one."""
    from app.gazetteer import overlay, suggestions

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            change = suggestions.accept(
                session,
                suggestion_id,
                _by(by),
                as_entity=as_entity,
                name=name,
                entity_id=entity_id,
                overrides={"parent": parent} if parent else None,
            )
            session.expunge(change)
    except (suggestions.SuggestionError, overlay.OverlayError) as exc:
        _fail(str(exc))
    runtime.refresh_gazetteer(force=True)
    _decided(change, runtime)


@gazetteer_group.command("reject")
@click.argument("suggestion_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--by", help="Who decides (default: cli:<login>).")
def reject_cmd(suggestion_id: int, by: str | None) -> None:
    """Reject a suggestion: the name is never proposed again."""
    from app.gazetteer import suggestions

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            row = suggestions.reject(session, suggestion_id, _by(by))
            name = row.name
    except suggestions.SuggestionError as exc:
        _fail(str(exc))
    click.echo(f"rejected {suggestion_id}: {name}")


@gazetteer_group.group("alias")
def alias_group() -> None:
    """Add or remove one alias of an entity (an overlay change; re-tag queued)."""


@alias_group.command("add")
@click.argument("entity_id")
@click.argument("alias")
@click.option("--lang", default="en", show_default=True, help="Language of the alias.")
@click.option("--by", help="Who changes it (default: cli:<login>).")
def add_alias_cmd(entity_id: str, alias: str, lang: str, by: str | None) -> None:
    """Add an alias to an entity (overlay change, re-tag queued)."""
    from app.gazetteer import overlay

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            change = overlay.add_alias(session, entity_id, alias, lang, _by(by))
            session.expunge(change)
    except overlay.OverlayError as exc:
        _fail(str(exc))
    _decided(change, runtime)


@alias_group.command("remove")
@click.argument("entity_id")
@click.argument("alias")
@click.option("--lang", help="Only in this language (default: every language listing it).")
@click.option("--by", help="Who changes it (default: cli:<login>).")
def remove_alias_cmd(entity_id: str, alias: str, lang: str | None, by: str | None) -> None:
    """Remove an alias from an entity (overlay change, re-tag queued)."""
    from app.gazetteer import overlay

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            change = overlay.remove_alias(session, entity_id, alias, _by(by), lang=lang)
            session.expunge(change)
    except overlay.OverlayError as exc:
        _fail(str(exc))
    _decided(change, runtime)


@gazetteer_group.command("history")
@click.option("--entity", help="Only this entity's changes.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable changes.")
def history_cmd(entity: str | None, as_json: bool) -> None:
    """The overlay's changes, newest first: who, when, what."""
    from app.gazetteer import overlay

    runtime = _runtime()
    with runtime.sessions() as session:
        rows = [
            {
                "id": c.id,
                "entity_id": c.entity_id,
                "action": c.action,
                "by": c.by,
                "at": c.at.isoformat(),
                "note": c.note,
                "suggestion_id": c.suggestion_id,
                "payload": c.payload,
            }
            for c in overlay.history(session, entity)
        ]
        version = overlay.effective_gazetteer(session).version
    if as_json:
        click.echo(json.dumps({"version": version, "changes": rows}, ensure_ascii=False, indent=2))
        return
    click.echo(f"gazetteer {version}")
    for r in rows:
        click.echo(
            f"{r['id']:>5}  {str(r['at'])[:19]}  {r['by']:<20} {r['action']:<13} {r['entity_id']}"
        )


@gazetteer_group.command("export")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the changed data files here (shipped format), instead of printing the overlay.",
)
def export_cmd(out_dir: Path | None) -> None:
    """The overlay in the shipped JSON format, to contribute back to app/gazetteer/data."""
    from app.gazetteer import overlay

    runtime = _runtime()
    with runtime.sessions() as session:
        if out_dir is None:
            click.echo(json.dumps(overlay.export(session), ensure_ascii=False, indent=2))
            return
        for path in overlay.write_files(session, out_dir):
            click.echo(f"wrote {path}")


@gazetteer_group.command("jobs")
@click.option("--run", "run_now", is_flag=True, help="Run the queued re-tag jobs here and now.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable jobs.")
def jobs_cmd(run_now: bool, as_json: bool) -> None:
    """Re-tag jobs and their progress (the worker runs them; `enrich --all` queues one too)."""
    from app.article import retag

    runtime = _runtime()
    if run_now:
        while True:
            done = retag.run_jobs(runtime)
            if not done["chunks"]:
                break
    with runtime.sessions() as session:
        rows = [
            {
                "id": j.id,
                "scope": j.scope,  # "change" (of change_id) or "all" (`chipwatch enrich --all`)
                "change_id": j.change_id,
                "status": j.status,
                "scanned": j.done,
                "total": j.total,
                "retagged": j.retagged,
                "error": j.error,
            }
            for j in retag.jobs(session)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        what = "all articles" if r["scope"] == "all" else f"change {r['change_id']:<5}"
        click.echo(
            f"{r['id']:>5}  {what:<12} {r['status']:<8}"
            f" scanned {r['scanned']}/{r['total']}"
            f", re-tagged {r['retagged']}" + (f"  {r['error']}" if r["error"] else "")
        )
