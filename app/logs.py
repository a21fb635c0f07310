"""chipwatch's logs, for every process (web, worker, CLI): one JSON line per record on stderr,
or plain text; query values that could carry a token are blanked out."""

import json
import logging
import sys
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

SECRET_PARAMS = {"token", "access_token", "api_key", "key", "password"}
STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        out.update({k: v for k, v in vars(record).items() if k not in STANDARD_ATTRS})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class RedactQuery(logging.Filter):
    """For uvicorn's own access log, if it is left on: blank out token-like query values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            args = list(record.args)
            args[2] = redact_target(args[2])
            record.args = tuple(args)
        return True


def redact_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in pairs])


def redact_target(target: str) -> str:
    path, sep, query = target.partition("?")
    return path + sep + redact_query(query) if sep else path


def configure_logging(fmt: str = "json", level: int = logging.INFO) -> None:
    """Send chipwatch's logs to stderr, as JSON lines or plain text. Idempotent."""
    root = logging.getLogger("chipwatch")
    if not any(getattr(h, "_chipwatch", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._chipwatch = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for handler in root.handlers:
        if getattr(handler, "_chipwatch", False):
            handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.setLevel(level)
    uvicorn_access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactQuery) for f in uvicorn_access.filters):
        uvicorn_access.addFilter(RedactQuery())
