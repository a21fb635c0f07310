"""lazy_session_scope (app/db.py): no session made for a caller that only asks for the bind or
reads the search and lists versions; otherwise session_scope's rules (commit on success, roll
back on error, closed either way)."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.db import first_row, lazy_session_scope, make_sessionmaker
from app.lists.repository import lists_version
from app.search.repository import search_version


@pytest.fixture
def factory(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v INTEGER)"))
    made: list[Session] = []
    sessions = make_sessionmaker(engine)

    class Counted(sessions.class_):  # type: ignore[name-defined,misc]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    sessions.class_ = Counted
    yield sessions, made, engine
    engine.dispose()


def rows(engine) -> list[int]:
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(text("SELECT v FROM t ORDER BY v"))]


def test_asking_for_the_bind_makes_no_session(factory):
    sessions, made, engine = factory
    with lazy_session_scope(sessions) as session:
        assert session.get_bind() is engine
    assert made == []


def test_a_used_session_commits_on_success_and_rolls_back_on_error(factory):
    sessions, made, engine = factory
    with lazy_session_scope(sessions) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert session.get_bind() is engine
    assert len(made) == 1 and rows(engine) == [1]
    with pytest.raises(RuntimeError), lazy_session_scope(sessions) as session:
        session.execute(text("INSERT INTO t VALUES (2)"))
        raise RuntimeError("after the write")
    assert len(made) == 2 and rows(engine) == [1]
    assert all(s.get_transaction() is None for s in made)  # both closed


@pytest.fixture
def versioned(factory):
    """factory's database with the search_state row the search and lists versions live in."""
    sessions, made, engine = factory
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE search_state (id INTEGER, version INTEGER, lists_version INTEGER)")
        )
        conn.execute(text("INSERT INTO search_state VALUES (1, 7, 3)"))
    return sessions, made, engine


def bump(engine, version: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE search_state SET version = :v"), {"v": version})


def test_the_versions_are_read_without_making_a_session_and_kept_for_the_scope(versioned):
    sessions, made, engine = versioned
    with lazy_session_scope(sessions) as session:
        assert search_version(session) == 7 and lists_version(session) == 3
        assert made == []  # read on a pooled connection of its own, given back
        bump(engine, 8)  # another process moves the version: this request keeps what it read
        assert search_version(session) == 7
        session.execute(text("INSERT INTO t VALUES (1)"))  # now the session is made...
        assert len(made) == 1
        assert search_version(session) == 7 and lists_version(session) == 3  # ...and keeps them
    assert rows(engine) == [1]
    with lazy_session_scope(sessions) as session:  # the next request reads the new one
        assert search_version(session) == 8
    assert len(made) == 1
    assert engine.pool.checkedout() == 0


def test_a_made_session_reads_the_versions_in_its_transaction(versioned):
    sessions, made, engine = versioned
    with lazy_session_scope(sessions) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert first_row(session, "SELECT version FROM search_state") == (7,)
        assert search_version(session) == 7 and lists_version(session) == 3
    with sessions() as session, session.begin():
        assert search_version(session) == 7
        bump(engine, 9)
        assert search_version(session) == 7  # once per transaction, as before
    assert len(made) == 2
