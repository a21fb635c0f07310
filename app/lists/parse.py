"""Reading list files: the trade.gov Consolidated Screening List (CSV and JSON layouts, see
app/lists/csl.py) and the BIS Entity List in the Federal Register supplement text layout
(app/lists/federal_register.py; both documented in docs/lists.md).

A file becomes a ParsedFile: one PartyRecord per good row, one RowError (row number + reason)
per malformed row. Nothing raises on bad rows; FileError is for a file that is not a list at
all (binary data, JSON that is neither a list nor {"results": [...]}, a CSV without `name`).
"""

from app.decoding import decode_bytes
from app.errors import RejectedInput, failure_reason
from app.lists.csl import parse_csl_csv, parse_csl_json
from app.lists.federal_register import parse_fr_text
from app.lists.records import FileError, ParsedFile

FORMATS = ("csl-csv", "csl-json", "fr-text")


def detect_format(name: str, text: str) -> str:
    lower = name.lower().split("?")[0]
    if lower.endswith(".csv"):
        return "csl-csv"
    if lower.endswith(".json"):
        return "csl-json"
    if lower.endswith(".txt"):
        return "fr-text"
    if text.lstrip()[:1] in ("[", "{"):
        return "csl-json"
    first = text.lstrip().split("\n", 1)[0].lower()
    return "csl-csv" if "name" in [c.strip().strip('"') for c in first.split(",")] else "fr-text"


def parse(
    content: bytes, name: str = "", fmt: str | None = None, default_list: str | None = None
) -> ParsedFile:
    """Read a list file in any supported layout (fmt: one of FORMATS, else detected)."""
    try:
        text = decode_bytes(content)
    except RejectedInput as exc:
        raise FileError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - a decoder's bug is this file's rejection
        raise FileError(failure_reason("decode", exc)) from None
    fmt = fmt or detect_format(name, text)
    readers = {
        "csl-csv": lambda: parse_csl_csv(text, default_list),
        "csl-json": lambda: parse_csl_json(text, default_list),
        "fr-text": lambda: parse_fr_text(text),
    }
    if fmt not in readers:
        raise FileError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    try:
        return readers[fmt]()
    except FileError:
        raise
    except Exception as exc:  # noqa: BLE001 - rows are isolated by the readers; this is the file
        raise FileError(failure_reason("parse", exc)) from None
