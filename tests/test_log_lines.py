"""app/logs.py's JsonFormatter writes, character for character, the line of the formatter it
replaced (json.dumps with ensure_ascii=False and default=str, datetime's isoformat), on many
generated records: its fields, their order, their values and the spacing."""

import enum
import json
import logging
import math
import random
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from app import logs
from app.logs import STANDARD_ATTRS, JsonFormatter, dumps_line, iso_ms


class Old(logging.Formatter):
    """The formatter before page11, as it was."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in STANDARD_ATTRS})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class Colour(enum.Enum):
    RED = "red"


class Size(enum.IntEnum):
    BIG = 3


class Tag(str):
    pass


CHARS = ['a', 'Z', '0', ' ', '"', '\\', '/', ':', ',', '{', '}', '[', ']', '\n', '\t', '\x00',
         '\x1f', '\x7f', '\u00e9', '\u2028', '\u4e2d', '\U0001f600', '\ud800', '":', ',"', '=', '&']
FLOATS = [0.0, -0.0, 12.34, 1e-4, 9.99e-5, 1e-5, 123456789.125, 9999999999999998.0, 1e16, 1e15,
          1.5e300, 5e-324, math.inf, -math.inf, math.nan, 0.1, 2 / 3, -7.25, 1e-7]


def _value(rng: random.Random):
    kind = rng.randrange(12)
    if kind <= 3:
        return "".join(rng.choices(CHARS, k=rng.randint(0, 8)))
    if kind == 4:
        return rng.choice([0, -1, 200, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30, True, False])
    if kind == 5:
        return rng.choice(FLOATS) if rng.random() < 0.5 else rng.uniform(-1, 1) * 10 ** rng.randint(-8, 18)
    if kind == 6:
        return None
    if kind == 7:
        return rng.choice([Colour.RED, Size.BIG, Tag("t\u00e9"), uuid.UUID(int=rng.getrandbits(128)),
                           date(2025, 1, 2), datetime(2025, 1, 2, 3, 4, 5), Decimal("1.10")])
    if kind == 8:
        return rng.choice([[1, 2], ["a", "b"], {"k": 1}, (1, "x"), {1, 2}, []])
    return rng.choice(["GET", "/", "q=export+controls&company=nvidia", "127.0.0.1", 12.5, 53600])


def _record(rng: random.Random) -> logging.LogRecord:
    args = () if rng.random() < 0.7 else ("x\u00e9", 3)
    msg = "request" if not args else "%s and %d"
    level = rng.choice([logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, 5, 45])
    name = rng.choice(["chipwatch.access", "chipwatch.worker", "chip\u00e9\"x"])
    record = logging.LogRecord(name, level, __file__, 1, msg, args, None)
    record.created = rng.choice([
        rng.uniform(0, 4e9), 1767225599.9999995, 1767225599.9995, 1767225600.0, 0.0005,
        1767225599.999999, 1767225599.0004995, 1767225599 + rng.randrange(1000) / 1000,
    ])
    keys = rng.sample(["request_id", "method", "path", "query", "route", "status", "duration_ms",
                       "bytes", "client", "k\"ey", "k\u00e9y", "x:y", "a,b"], rng.randint(0, 9))
    for key in keys:
        setattr(record, key, _value(rng))
    return record


def test_lines_are_the_old_lines_character_for_character(monkeypatch):
    slow = []

    class Counted(json.JSONEncoder):
        def encode(self, o):
            slow.append(1)
            return super().encode(o)

    monkeypatch.setattr(logs, "_JSON", Counted(ensure_ascii=False, default=str))
    rng = random.Random(11)
    new, old = JsonFormatter(), Old()
    for _ in range(20000):
        record = _record(rng)
        assert new.format(record) == old.format(record), vars(record)
    assert 2000 < len(slow) < 18000  # both orjson's path and json's were taken often


def test_a_request_line_and_an_exception():
    record = logging.LogRecord("chipwatch.access", logging.INFO, __file__, 1, "request", (), None)
    record.created = 1767225600.25
    record.__dict__.update(request_id="ab", method="GET", path="/", query="q=h20", route="/",
                           status=200, duration_ms=3.21, bytes=53600, client="127.0.0.1")
    assert JsonFormatter().format(record) == (
        '{"ts": "2026-01-01T00:00:00.250+00:00", "level": "info", "logger": "chipwatch.access", '
        '"msg": "request", "request_id": "ab", "method": "GET", "path": "/", "query": "q=h20", '
        '"route": "/", "status": 200, "duration_ms": 3.21, "bytes": 53600, "client": "127.0.0.1"}'
    )
    try:
        raise ValueError("bad \"thing\"")
    except ValueError:
        import sys

        failed = logging.LogRecord("chipwatch", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    assert JsonFormatter().format(failed) == Old().format(failed)


def test_timestamps_round_as_datetime_does():
    rng = random.Random(5)
    stamps = [rng.uniform(-1e9, 5e9) for _ in range(20000)]
    stamps += [s + d for s in (1767225599.0, 0.0, -1.0) for d in (0.9999995, 0.9995, 0.0004995,
                                                                   0.0000005, 0.9999994999, -0.0)]
    for created in stamps:
        expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        assert iso_ms(created) == expected, created


def test_dumps_line_falls_back_to_json_where_orjson_writes_otherwise():
    for out in ({"a": 1e16}, {"a": math.nan}, {"a": 2**64}, {"a": "\ud800"}, {"a": Colour.RED},
                {"a": [1, 2]}, {"a": 'say "hi"'}):
        assert dumps_line(out) == json.dumps(out, ensure_ascii=False, default=str)
