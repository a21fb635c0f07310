"""The SQLite write-ahead log stays bounded under a writer whose reader overlaps every commit.

A bulk ingest looks up the next batch in a thread while it writes the current one, so a read
transaction is open at every commit: SQLite's automatic checkpoint (run at commit) can never
finish, the log never starts over, and it grew to the size of the database in a 1,000,000-article
build (bench/reports/scaling-curve.md). checkpoint_wal, called where the writer's readers are
idle, lets the next write start the log over."""

from pathlib import Path

from app.config import Settings
from app.db import checkpoint_wal, make_engine, make_sessionmaker

ROWS = 200
ROW_BYTES = 40_000


def _peak_log_bytes(data_dir: Path, checkpoint: bool) -> int:
    engine = make_engine(Settings(data_dir=data_dir))
    factory = make_sessionmaker(engine)
    log = data_dir / "chipwatch.db-wal"
    peak = 0
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
        for _ in range(ROWS):
            with engine.connect() as reader:  # a lookup, reading while the batch is written
                reader.exec_driver_sql("BEGIN")
                reader.exec_driver_sql("SELECT count(*) FROM t").all()
                with engine.begin() as writer:
                    writer.exec_driver_sql(f"INSERT INTO t VALUES (randomblob({ROW_BYTES}))")
                reader.exec_driver_sql("COMMIT")
            if checkpoint:
                checkpoint_wal(factory)
            peak = max(peak, log.stat().st_size)
    finally:
        engine.dispose()
    return peak


def test_a_reader_at_every_commit_makes_the_log_grow_with_the_data(tmp_path):
    # What the ingest did before: the log holds about all that was ever written.
    assert _peak_log_bytes(tmp_path, checkpoint=False) > ROWS * ROW_BYTES * 0.9


def test_a_checkpoint_while_readers_are_idle_keeps_the_log_to_a_few_writes(tmp_path):
    assert _peak_log_bytes(tmp_path, checkpoint=True) < 10 * ROW_BYTES


def test_checkpoint_wal_is_a_no_op_on_postgresql(pg_database):
    engine = make_engine(Settings(database_url=pg_database, data_dir=Path("/tmp")))
    try:
        checkpoint_wal(make_sessionmaker(engine))  # no PRAGMA sent: PostgreSQL would refuse it
    finally:
        engine.dispose()
