"""app.bulk.pg_array: the array literals the PostgreSQL writer sends (COPY and query parameters)
read back as the values they were made from, as psycopg's own list adaptation gives them."""

from datetime import date

import psycopg

from app.bulk import pg_array

TEXTS = [
    "plain",
    "two words",
    'a "quoted" one',
    "back\\slash",
    "\\",
    '"',
    "",
    "NULL",
    "null",
    "{braces}",
    "a,b",
    "tab\there",
    "line\nbreak",
    "  spaces  ",
    "مرحبا",
    "芯片出口",
    "\u00a0nbsp",
    "@mark",
    "'single'",
]


def test_literals_read_back_as_the_values(pg_database):
    ints = [0, 1, -1, 2**63 - 1, -(2**63), 42]
    days = [date(2025, 1, 31), date(1999, 12, 1), date(2026, 12, 7)]
    with psycopg.connect(pg_database) as conn:
        read = conn.execute(
            "SELECT %s::text[], %s::bigint[], %s::date[], %s::text[], %s::int[]",
            (pg_array(TEXTS), pg_array(ints), pg_array(days), pg_array([]), pg_array([7])),
        ).fetchone()
    assert read == (TEXTS, ints, days, [], [7])


def test_copy_stores_what_a_list_would(pg_database):
    rows = [TEXTS, sorted(TEXTS), TEXTS[:1], [], ["x"] * 3]
    with psycopg.connect(pg_database) as conn:
        conn.execute("CREATE TEMP TABLE arrays (n int, by_list text[], by_literal text[])")
        with conn.cursor().copy("COPY arrays (n, by_list, by_literal) FROM STDIN") as copy:
            for n, values in enumerate(rows):
                copy.write_row((n, values, pg_array(values)))
        stored = conn.execute("SELECT by_list, by_literal FROM arrays ORDER BY n").fetchall()
    assert [a for a, _b in stored] == rows
    assert all(a == b for a, b in stored)


def test_any_of_a_literal_matches_like_a_list(pg_database):
    with psycopg.connect(pg_database) as conn:
        conn.execute("CREATE TEMP TABLE words (id int, word varchar(50))")
        conn.cursor().executemany(
            "INSERT INTO words VALUES (%s, %s)", [(i, w) for i, w in enumerate(TEXTS)]
        )
        wanted = [w for w in TEXTS if "a" in w] + ["absent"]
        by_list = conn.execute(
            "SELECT id FROM words WHERE word = ANY(%s) ORDER BY id", (wanted,)
        ).fetchall()
        by_literal = conn.execute(
            "SELECT id FROM words WHERE word = ANY(%s) ORDER BY id", (pg_array(wanted),)
        ).fetchall()
        ids = conn.execute(
            "SELECT word FROM words WHERE id = ANY(%s) ORDER BY id", (pg_array([1, 3, 99]),)
        ).fetchall()
    assert by_literal == by_list and len(by_list) == len(wanted) - 1
    assert ids == [(TEXTS[1],), (TEXTS[3],)]
