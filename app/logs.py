"""chipwatch's logs, for every process (web, worker, CLI): one JSON line per record on stderr,
or readable text on a terminal; query values that could carry a token are blanked out."""

import json
import logging
import re
import sys
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

SECRET_PARAMS = {"token", "access_token", "api_key", "key", "password"}
STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


# json.dumps(out, ensure_ascii=False, default=str) without a new encoder for every line.
_JSON = json.JSONEncoder(ensure_ascii=False, default=str)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, and the record's extra fields."""

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
        return _JSON.encode(out)


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
