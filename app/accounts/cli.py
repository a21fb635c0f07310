"""`chipwatch users add|token|list|remove`: accounts from the command line."""

import json
import sys

import click


def _sessions():
    from app.cli_state import cli_settings
    from app.db import make_engine, make_sessionmaker
    from app.migrate import upgrade

    settings = cli_settings()
    upgrade(settings)
    engine = make_engine(settings)
    return engine, make_sessionmaker(engine)


def _run(work):
    """Runs work(session) in one transaction; account errors are clean CLI errors."""
    from app.accounts import passwords, service

    engine, sessions = _sessions()
    try:
        with sessions.begin() as session:
            return work(session)
    except (service.AccountError, passwords.PasswordError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()


@click.group("users")
def users() -> None:
    """Analyst accounts: reader, editor, admin."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(["reader", "editor", "admin"]), default="reader", show_default=True
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from stdin (one line); without it a generated one is printed.",
)
def users_add(name: str, role: str, password_stdin: bool) -> None:
    """Add a user."""
    from app.accounts import audit, passwords, service

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = passwords.generate()

    def work(session):
        service.add_user(session, name, role, password)
        audit.record(session, audit.cli_actor(), "users add", f"{name} ({role})")

    _run(work)
    click.echo(f"added user {name!r} ({role})")
    if not password_stdin:
        click.echo(f"password: {password}")


@users.command("token")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
def users_token(name: str, label: str) -> None:
    """Print a new personal API token for NAME (shown once; stored hashed)."""
    from app.accounts import audit, service

    def work(session):
        _row, plain = service.issue_token(session, service.get_user(session, name), label)
        audit.record(session, audit.cli_actor(), "users token", name)
        return plain

    click.echo(_run(work))


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable rows.")
def users_list(as_json: bool) -> None:
    """List users with their role and number of tokens."""
    from app.accounts import service

    rows = _run(service.list_users)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        click.echo("no users: add one with `chipwatch users add NAME --role admin`")
    for row in rows:
        click.echo(
            f"{row['name']}\t{row['role']}\ttokens {row['tokens']}\tsince {row['created_at'][:10]}"
        )


@users.command("remove")
@click.argument("name")
def users_remove(name: str) -> None:
    """Remove a user with their sessions, tokens and private views (team views stay)."""
    from app.accounts import audit, service

    def work(session):
        service.remove_user(session, name)
        audit.record(session, audit.cli_actor(), "users remove", name)

    _run(work)
    click.echo(f"removed user {name!r}")
