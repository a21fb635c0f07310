"""Many rows into one table in one go, inside the caller's transaction: executemany on SQLite,
COPY on PostgreSQL (an order of magnitude faster there than one INSERT per row)."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import cast

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """INSERT rows (tuples in the order of columns); names are this codebase's own, never input.
    A constraint violation raises sqlalchemy's IntegrityError on both databases."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        import psycopg

        sql = f"COPY {table} ({names}) FROM STDIN"
        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.IntegrityError as exc:
            raise IntegrityError(sql, None, exc) from exc
        finally:
            cursor.close()
    else:
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def select_rows(conn: Connection, sql: str, params: Sequence) -> list[tuple]:
    """All rows of a query in the driver's paramstyle, as plain tuples (no Row objects: a
    batch's lookups return tens of thousands of rows)."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def pg_array(values: Iterable[int | str | date]) -> str:
    """A PostgreSQL array literal of ints, dates or texts, for a COPY column or a `%s::T[]`
    parameter: made by joins and replaces over the whole text, at C speed, where psycopg's
    list dumper works element by element in Python (most of the PostgreSQL writer's own CPU
    for a batch's search rows and candidate queries). Every text element is quoted, so none
    reads as NULL; texts never hold NUL (PostgreSQL refuses it), which separates them here."""
    items = list(values)
    if not items:
        return "{}"
    if all(type(v) is int for v in items):
        return "{" + ",".join(map(str, items)) + "}"
    if all(type(v) is date for v in items):
        return "{" + ",".join(map(date.isoformat, cast(list[date], items))) + "}"
    joined = "\x00".join(cast(list[str], items)).replace("\\", "\\\\").replace('"', '\\"')
    return '{"' + joined.replace("\x00", '","') + '"}'


_IN_CHUNK = 4096
_SHORT_IN = 256


def select_in(conn: Connection, sql: str, values: Sequence) -> list[tuple]:
    """Rows of `sql`, whose `IN ({values})` takes the values (deduplicated, in chunks).

    The statement's text stays the same from call to call, so the drivers' statement caches
    hold a few statements, not one per batch (a growing memory, and a parse each time):
    PostgreSQL gets one array (`= ANY(%s)`), SQLite lists padded to one of two lengths."""
    values = list(dict.fromkeys(values))
    if not values:
        return []
    if conn.dialect.name == "postgresql":
        return select_rows(conn, sql.replace("IN ({values})", "= ANY(%s)"), (pg_array(values),))
    rows: list[tuple] = []
    for i in range(0, len(values), _IN_CHUNK):
        part = values[i : i + _IN_CHUNK]
        size = _SHORT_IN if len(part) <= _SHORT_IN else _IN_CHUNK
        part += [part[-1]] * (size - len(part))  # a repeated value changes nothing in an IN list
        rows += select_rows(conn, sql.format(values=",".join("?" * size)), part)
    return rows
