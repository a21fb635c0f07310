"""Bytes to text: UTF-8 first, then a detected legacy charset (windows-1256 Arabic, GB18030...)."""

import codecs
import re

from charset_normalizer import from_bytes

from app.errors import RejectedInput


def _looks_binary(text: str) -> bool:
    sample = text[:4000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return "\x00" in sample or bad / len(sample) > 0.01


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    if not data.strip():
        raise RejectedInput("empty input")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    candidates = [declared] if declared else []
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _looks_binary(text):
            return text
    if b"\x00" not in data[:4000]:
        best = from_bytes(data, cp_isolation=None).best()
        if best is not None:
            text = str(best)
            if not _looks_binary(text) and best.chaos < 0.3:
                return text
    raise RejectedInput("not text: binary data or an unknown character encoding")


_LATIN = {"iso8859-1", "cp1252", "ascii", "latin-1"}
_DOC_CHARSET = re.compile(
    rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
    rb"""|<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""",
    re.I,
)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    # Browsers read these labels as their supersets; so do we.
    return "gb18030" if codec in ("gb2312", "gbk") else codec


def decode_body(data: bytes, declared: str | None = None) -> str:
    """Bytes from the web to text.

    Valid UTF-8 is taken as UTF-8 whatever the header says: servers label UTF-8 as ISO-8859-1
    far more often than non-UTF-8 text happens to be valid UTF-8. Otherwise the header charset,
    then the document's own (XML prolog, HTML meta), then detection (decode_bytes).
    A Latin-1 label on text that is mostly high bytes (Arabic, Cyrillic in a legacy code page)
    is not believed either.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data, "utf-16")
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    if _valid_utf8(body):
        return decode_bytes(body, "utf-8")
    match = _DOC_CHARSET.search(body[:4096])
    in_document = (match.group(1) or match.group(2)).decode("ascii") if match else None
    for candidate in (_codec(declared), _codec(in_document)):
        if not candidate or candidate == "utf-8":
            continue
        if candidate in _LATIN:
            if _mostly_high_bytes(body):
                continue
            candidate = "cp1252"  # what browsers do with a Latin-1 label
        try:
            body.decode(candidate)
        except UnicodeDecodeError:
            continue
        return decode_bytes(body, candidate)
    return decode_bytes(body)


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_high_bytes(data: bytes) -> bool:
    sample = data[:20000]
    letters = sum(1 for b in sample if b >= 0x80 or (0x41 <= b <= 0x5A) or (0x61 <= b <= 0x7A))
    high = sum(1 for b in sample if b >= 0x80)
    return letters > 0 and high / letters > 0.3
