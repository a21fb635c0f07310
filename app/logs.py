"""chipwatch's logs, for every process (web, worker, CLI): one JSON line per record on stderr,
or readable text on a terminal; query values that could carry a token are blanked out."""

import json
import logging
import math
import re
import sys
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

import orjson

SECRET_PARAMS = {"token", "access_token", "api_key", "key", "password"}
STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


# json.dumps(out, ensure_ascii=False, default=str) without a new encoder for every line.
_JSON = json.JSONEncoder(ensure_ascii=False, default=str)
# Values orjson writes as json does (floats: where both write the plain decimal repr).
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def dumps_line(out: dict) -> str:
    """_JSON.encode(out) for a flat dict of str keys, the same characters: orjson (a tenth of
    the time) where it writes what json writes, else json. orjson indents by two ("{\n  "a":
    1,\n  "b": 2\n}", json's ": " already); with no backslash in the line no string holds a
    newline (orjson escapes it), so every ",\n  " is between two fields and becomes json's ", "."""
    for value in out.values():
        kind = type(value)
        if kind not in _PLAIN_TYPES and not (
            kind is float and (1e-4 <= abs(value) < 1e16 or value == 0.0)
        ):
            return _JSON.encode(out)
    try:
        line = orjson.dumps(out, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:  # a lone surrogate, an int past 64 bits, a key not a str
        return _JSON.encode(out)
    if b"\\" in line:
        return _JSON.encode(out)
    return "{" + line[4:-2].replace(b",\n  ", b", ").decode() + "}"


# The last whole second formatted and its "2026-01-02T03:04:05.", as one tuple: replaced in one
# step, so another thread (the worker's) never reads one second's text under another's number.
_second: tuple[float, str] = (math.nan, "")


def iso_ms(created: float) -> str:
    """datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds"), the date and
    time formatted once a second: fromtimestamp rounds to microseconds half to even, then
    isoformat cuts to milliseconds."""
    fraction, whole = math.modf(created)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    elif micro < 0:  # before 1970
        whole, micro = whole - 1, micro + 1_000_000
    global _second
    second = _second
    if second[0] != whole:
        when = datetime.fromtimestamp(whole, UTC).isoformat()  # 2026-01-02T03:04:05+00:00
        second = _second = (whole, when[:-6] + ".")
    return f"{second[1]}{micro // 1000:03d}+00:00"


_LEVELS = {logging.getLevelName(n): logging.getLevelName(n).lower() for n in range(0, 60, 10)}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        level = record.levelname
        out = {
            "ts": iso_ms(record.created),
            "level": _LEVELS.get(level) or level.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in STANDARD_ATTRS:
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return dumps_line(out)


ACCESS_LOGGER = "chipwatch.access"  # the web app's request lines (app/web/logging.py)


class TextFormatter(logging.Formatter):
    """Readable lines for a terminal: "12:00:01 GET /?q=h20 200 3.2 ms" for a request, else
    time, level, logger and message with any extra fields as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        extra = {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRS}
        if record.name == ACCESS_LOGGER and "status" in extra:
            query = f"?{extra['query']}" if extra.get("query") else ""
            line = (
                f"{when} {extra['method']} {extra['path']}{query} {extra['status']} "
                f"{extra['duration_ms']} ms"
            )
        else:
            line = f"{when} {record.levelname.lower()} {record.name}: {record.getMessage()}"
            if extra:
                line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def resolve_format(setting: str | None, stream=None) -> str:
    """CHIPWATCH_LOG_FORMAT when set; otherwise text on a terminal and JSON lines elsewhere
    (files, pipes, containers, log collectors)."""
    if setting:
        return setting
    stream = stream or sys.stderr
    try:
        return "text" if stream.isatty() else "json"
    except (AttributeError, ValueError):  # a closed or odd stream
        return "json"


class RedactQuery(logging.Filter):
    """For uvicorn's own access log, if it is left on: blank out token-like query values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            isinstance(record.args, tuple)
            and len(record.args) >= 3
            and isinstance(target := record.args[2], str)
        ):
            args = list(record.args)
            args[2] = redact_target(target)
            record.args = tuple(args)
        return True


_REDACTED: dict[str, str] = {}  # query -> its redacted form (every request's log line asks)
MAX_REDACTED, MAX_REDACTED_QUERY = 4096, 1024  # entries (all forgotten when full), characters


# Fields of unreserved characters (and + for a space), each with one "=": parse_qsl and
# urlencode give such a query back as it came, so unless it names a secret it is its own
# redacted form, without the parse (most of a new search's log line, page10.md).
_PLAIN = re.compile(r"[\w.~+-]+=[\w.~+-]*(?:&[\w.~+-]+=[\w.~+-]*)*", re.ASCII)


def redact_query(query: str) -> str:
    if not query:
        return ""
    if _PLAIN.fullmatch(query) and not any(
        field.partition("=")[0].lower() in SECRET_PARAMS for field in query.split("&")
    ):
        return query
    try:
        return _REDACTED[query]
    except KeyError:
        pass
    pairs = parse_qsl(query, keep_blank_values=True)
    redacted = urlencode([(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in pairs])
    if len(query) <= MAX_REDACTED_QUERY:
        if len(_REDACTED) >= MAX_REDACTED:
            _REDACTED.clear()
        _REDACTED[query] = redacted
    return redacted


def redact_target(target: str) -> str:
    path, sep, query = target.partition("?")
    return path + sep + redact_query(query) if sep else path


def configure_logging(fmt: str | None = None, level: int = logging.INFO) -> None:
    """Send chipwatch's logs to stderr, as JSON lines or readable text (None: text on a terminal,
    see resolve_format). Idempotent."""
    fmt = resolve_format(fmt)
    root = logging.getLogger("chipwatch")
    if not any(getattr(h, "_chipwatch", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._chipwatch = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for each in root.handlers:
        if getattr(each, "_chipwatch", False):
            each.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.setLevel(level)
    uvicorn_access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactQuery) for f in uvicorn_access.filters):
        uvicorn_access.addFilter(RedactQuery())
