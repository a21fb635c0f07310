"""Bytes to text: UTF-8 first, then a detected legacy charset (windows-1256 Arabic, GB18030...)."""

from charset_normalizer import from_bytes

from app.ingest.items import RejectedInput


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
