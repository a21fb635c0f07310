"""Engine and session factories: SQLite (WAL, foreign keys) or PostgreSQL, same code."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings

WAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes of write-ahead log kept after a checkpoint


def make_engine(settings: Settings) -> Engine:
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        settings.ensure_data_dir()
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            # A log that was reset is cut back to this size (it keeps its high-water mark else).
            cur.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
            cur.close()

        @event.listens_for(engine, "savepoint")
        def _sqlite_write_transaction(conn, _name):
            # pysqlite sends no BEGIN before a SAVEPOINT, so the savepoint would *be* the
            # transaction (its RELEASE commits) and start deferred: a read in it, then a write,
            # fails at once with "database is locked" if another connection (the worker)
            # committed meanwhile; the busy timeout does not apply. Open a write transaction
            # first: it waits for the lock, and savepoints nest in it as on PostgreSQL.
            if not conn.connection.dbapi_connection.in_transaction:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Days (filters, timelines) are UTC days whatever the server's own time zone.
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c timezone=UTC"})


def checkpoint_wal(factory: sessionmaker[Session]) -> None:
    """On SQLite, copy the write-ahead log into the database, never waiting (PASSIVE), so the
    next write starts the log over. A long writer calls it where its own readers are idle: the
    automatic checkpoint runs at each commit, and during a bulk ingest a lookup thread is always
    reading then, so it never completes and the log grows with the whole ingest."""
    with factory() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))


NOT_KEPT = object()  # kept_in_transaction: nothing kept in this transaction


def kept_in_transaction(session: Session, key: str):
    """What this session's current transaction kept under key (remember_in_transaction), or
    NOT_KEPT: a value read once per transaction and anew by the next. A lazy session
    (lazy_session_scope) keeps what was read before it was made for its whole scope."""
    if isinstance(session, _LazySession):
        return session.kept(key)
    kept = session.info.get(key)
    transaction = session.get_transaction()
    if kept is not None and transaction is not None and kept[0] is transaction:
        return kept[1]
    return NOT_KEPT


def remember_in_transaction(session: Session, key: str, value) -> None:
    if isinstance(session, _LazySession) and session.made is None:
        session.keep(key, value)
        return
    session.info[key] = (session.get_transaction(), value)


def first_row(session: Session, statement: str) -> tuple | None:
    """The first row of a plain statement (no parameters). A lazy session not made yet
    (lazy_session_scope) stays unmade: the statement runs on a pooled connection of its own,
    given back at once. A search page reads the search version first, and most read nothing
    else: making a session, beginning, committing and closing it for that one read cost more
    than a page's facet links (bench/reports/page9.md)."""
    engine = _unmade_engine(session)
    if engine is None:
        row = session.connection().exec_driver_sql(statement).first()
        return None if row is None else tuple(row)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(statement)
            row = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool, which ends the read (rollback on return)
    return None if row is None else tuple(row)


@contextmanager
def read_connection(session: Session) -> Iterator[Connection]:
    """A connection to read with: the session's own (flushed first, as session.execute would:
    what this session wrote shows), or for a lazy session not made yet, one of the pool's,
    given back after (as first_row: a page whose hits are not all kept in memory reads them
    without making a session)."""
    engine = _unmade_engine(session)
    if engine is None:
        if session.autoflush:
            session.flush()
        yield session.connection()
        return
    with engine.connect() as connection:
        yield connection


def _unmade_engine(session: Session) -> Engine | None:
    """The engine of a lazy session not made yet, else None (a made session, or one bound to a
    connection, reads in its own transaction)."""
    if isinstance(session, _LazySession) and session.made is None:
        bind = session.get_bind()
        return bind if isinstance(bind, Engine) else None
    return None


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The caller owns the transaction: commit on success, roll back on any error. A session
    that began nothing (a search answered from memory and Meilisearch) has nothing to commit:
    SQLAlchemy would begin a transaction only to end it (a tenth of a repeated /api/search's
    worker-thread time, bench/reports/api8.md)."""
    session = factory()
    try:
        yield session
        if session.get_transaction() is not None:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class _LazySession:
    """Stands for a session until something needs one: asked only for its bind (the engine,
    which the in-memory caches are keyed by), it makes none. Anything else makes the session
    and is passed to it."""

    def __init__(self, factory: sessionmaker[Session]):
        self._factory = factory
        self._session: Session | None = None
        # Values read before the session was made (kept_in_transaction): one request's scope,
        # read once; each statement sees the committed data of its time either way (SQLite
        # outside a write, PostgreSQL's read committed), so reading them first is reading them
        # in the session's first statement.
        self._kept: dict[str, object] = {}

    @property
    def made(self) -> Session | None:
        return self._session

    def keep(self, key: str, value) -> None:
        self._kept[key] = value

    def kept(self, key: str):
        if key in self._kept:
            return self._kept[key]
        return NOT_KEPT if self._session is None else kept_in_transaction(self._session, key)

    def _real(self) -> Session:
        if self._session is None:
            self._session = self._factory()
        return self._session

    def get_bind(self, *args, **kwargs):
        bind = self._factory.kw.get("bind")
        if self._session is None and not args and not kwargs and bind is not None:
            return bind  # what a new session of the factory answers
        return self._real().get_bind(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._real(), name)


@contextmanager
def lazy_session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """session_scope, with the session made only when used (a repeated search, answered from
    memory and Meilisearch, needs none: making and closing one was a twelfth of its
    worker-thread time, bench/reports/api8.md)."""
    lazy = _LazySession(factory)
    try:
        yield cast(Session, lazy)
        if lazy.made is not None and lazy.made.get_transaction() is not None:
            lazy.made.commit()
    except BaseException:
        if lazy.made is not None:
            lazy.made.rollback()
        raise
    finally:
        if lazy.made is not None:
            lazy.made.close()


def create_database(admin_url: str, name: str) -> None:
    """A new, empty PostgreSQL database on admin_url's server (scratch stores: evaluations)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    """Drop a scratch PostgreSQL database, closing its connections."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ping(session: Session) -> None:
    """One round trip: raises when the database does not answer."""
    session.scalar(select(1))
