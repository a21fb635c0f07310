"""Bytes to text: a byte order mark or UTF-16/UTF-32 by the place of its NUL bytes, XML in an
EBCDIC code page by its declaration, UTF-8, then a detected legacy charset (windows-1256
Arabic, GB18030...)."""

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


# UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _bom(data: bytes) -> tuple[str, int] | None:
    """(codec, length) of the byte order mark data starts with."""
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return codec, len(mark)
    return None


def _wide_unicode(data: bytes) -> str | None:
    """UTF-32 or UTF-16 without a byte order mark, told by where its NUL bytes fall: ASCII
    characters (markup, spaces, digits) are "x\\0" in UTF-16 LE, "\\0x" in BE, "x\\0\\0\\0" in
    UTF-32 LE. Text in one byte per character has NULs nowhere, binary data everywhere."""
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 4]
    if not sample:
        return None
    zeros = [sample[i::4].count(0) / len(sample[i::4]) for i in range(4)]
    if zeros[3] == 1 and zeros[2] > 0.9 and zeros[0] < 0.5:
        return "utf-32-le"
    if zeros[0] == 1 and zeros[1] > 0.9 and zeros[3] < 0.5:
        return "utf-32-be"
    even, odd = (zeros[0] + zeros[2]) / 2, (zeros[1] + zeros[3]) / 2
    if even == 0 and odd > 0.1:
        return "utf-16-le"
    if odd == 0 and even > 0.1:
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a stray windows-1252 byte in a UTF-8 page), as browsers
    show it: each broken byte a U+FFFD. Only when far more characters are valid multi-byte UTF-8
    than broken, so text in a legacy code page still goes to detection."""
    text = data.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    valid = sum(1 for ch in text if ch > "\x7f") - broken
    if broken and valid >= 10 * broken and not _looks_binary(text.replace("\ufffd", "")):
        return text
    return None


def _not_text(data: bytes) -> RejectedInput:
    """The rejection of data that is no text, saying what gave it away and where."""
    nul = data.find(b"\x00", 0, 4000)
    if nul >= 0:
        return RejectedInput(
            f"not text: binary data or an unknown character encoding (a NUL byte at offset {nul})"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RejectedInput(
            "not text: binary data or an unknown character encoding (not UTF-8: byte "
            f"0x{data[exc.start]:02x} at offset {exc.start}, and no other encoding fits)"
        )
    return RejectedInput(
        "not text: binary data or an unknown character encoding (control characters)"
    )


# "<?xm" in every EBCDIC code page; XML 1.0 appendix F: then the declaration names the page.
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"
_XML_ENCODING = re.compile(r"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")


def _ebcdic_xml(data: bytes) -> str:
    """An XML document in an EBCDIC code page, decoded with the code page its declaration names
    (read in cp037: the declaration's characters are the same in the EBCDIC pages Python knows)."""
    found = _XML_ENCODING.match(data[:300].decode("cp037"))
    name = found.group(1) if found else None
    codec = _codec(name)
    what = f"an XML document in EBCDIC (bytes 4C 6F A7 94 are '<?xm' there) declaring {name!r}"
    if codec is None:
        raise RejectedInput(
            f"not text: {what}, which is no code page we know"
            if name
            else "not text: an XML document in EBCDIC (bytes 4C 6F A7 94 are '<?xm' there) "
            "without an encoding declaration to say which EBCDIC code page"
        )
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise RejectedInput(
            f"not text: {what}, but byte 0x{data[exc.start]:02x} at offset {exc.start} is not {codec}"
        ) from None
    if not text.startswith("<?xml"):
        raise RejectedInput(f"not text: {what}, which is no EBCDIC code page")
    return text


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    if not data.strip(b" \t\r\n\f\v\x00"):
        raise RejectedInput("empty input")
    bom = _bom(data)
    if bom:  # a byte order mark outweighs any label (as in browsers)
        declared, data = bom[0], data[bom[1] :]
    elif data.startswith(_EBCDIC_XML):
        return _ebcdic_xml(data)
    candidates = [declared] if declared else []
    candidates.append("utf-8")
    wide = _wide_unicode(data)
    if wide:
        candidates.insert(0, wide)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _looks_binary(text):
            return text
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    if b"\x00" not in data[:4000]:
        best = from_bytes(data, cp_isolation=None).best()
        if best is not None:
            text = str(best)
            if not _looks_binary(text) and best.chaos < 0.3:
                return text
    raise _not_text(data)


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
    if _bom(data) or _wide_unicode(data):
        return decode_bytes(data)
    body = data
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
