"""lazy_session_scope (app/db.py): no session made for a caller that only asks for the bind;
otherwise session_scope's rules (commit on success, roll back on error, closed either way)."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.db import lazy_session_scope, make_sessionmaker


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
