"""Bytes to text: a byte order mark or UTF-16/UTF-32 by the place of its NUL bytes, XML in an
EBCDIC code page by its declaration, UTF-8, then a detected legacy charset (windows-1256
Arabic, GB18030...). Text with a few stray NUL bytes is read without them, as a browser shows
such a page (the HTML standard drops or replaces U+0000); images, PDFs, archives and executables
are refused by their signature, other binary data by its share of NUL and control bytes. The
text returned never holds a NUL (PostgreSQL refuses it in text)."""

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
    UTF-32 LE. Text in one byte per character has NULs nowhere (or a few stray ones, in either
    place), binary data everywhere. In UTF-16 the other byte is NUL too in a character U+xx00
    (一 U+4E00, the ideographic space U+3000): a few of those are allowed."""
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 4]
    if not sample:
        return None
    if 0 not in sample:
        return None
    counts = [sample[i::4].count(0) for i in range(4)]
    zeros = [count / (len(sample) // 4) for count in counts]
    if zeros[3] == 1 and zeros[2] > 0.9 and zeros[0] < 0.5:
        return "utf-32-le"
    if zeros[0] == 1 and zeros[1] > 0.9 and zeros[3] < 0.5:
        return "utf-32-be"
    even, odd = counts[0] + counts[2], counts[1] + counts[3]
    least = max(_MIN_WIDE_NULS, len(sample) // 20)  # a tenth of the bytes in that place
    if (odd >= least and even * 4 <= odd) or (even >= least and odd * 4 <= even):
        if _stray_nuls_in_utf8(sample):
            return None
        return "utf-16-le" if odd > even else "utf-16-be"
    return None


def _stray_nuls_in_utf8(sample: bytes) -> bool:
    """Whether UTF-16-looking data is rather UTF-8 text with NULs every so many bytes (a
    record of even length, repeated): a NUL share under MAX_NUL_SHARE, and UTF-8 text without
    its NULs. UTF-16 text is not, but for its ASCII characters, which read the same."""
    if sample.count(0) > len(sample) * MAX_NUL_SHARE:
        return False
    try:  # not final: the sample may end inside a character
        text = codecs.getincrementaldecoder("utf-8")().decode(sample.replace(b"\x00", b""))
    except UnicodeDecodeError:
        return False
    return not _looks_binary(text)


# Fewer NULs than this in the places of UTF-16's ASCII characters are stray ones (a short text
# with one NUL has it at an odd or even offset by chance).
_MIN_WIDE_NULS = 4


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
    kind = _binary_kind(data)
    if kind:
        return RejectedInput(f"not text: {kind}")
    sample = data[:4000]
    nul = sample.find(b"\x00")
    if nul >= 0:
        controls = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f")
        return RejectedInput(
            "not text: binary data or an unknown character encoding (a NUL byte at offset "
            f"{nul}; NUL and control bytes are {controls / len(sample):.0%} of the first "
            f"{len(sample)})"
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


# Signatures of formats that are no text: (what, (offset, bytes) that must all be there). A PDF
# or GIF starts with ASCII, so these are looked at only in data that is not read as text
# otherwise (it holds a NUL byte, is not UTF-8, or is full of control characters).
_SIGNATURES: tuple[tuple[str, tuple[tuple[int, bytes], ...]], ...] = (
    ("a PNG image", ((0, b"\x89PNG\r\n\x1a\n"),)),
    ("a GIF image", ((0, b"GIF8"), (5, b"a"))),
    ("a JPEG image", ((0, b"\xff\xd8\xff"),)),
    ("a TIFF image", ((0, b"II*\x00"),)),
    ("a TIFF image", ((0, b"MM\x00*"),)),
    ("a WebP image", ((0, b"RIFF"), (8, b"WEBP"))),
    ("an MP4/QuickTime/HEIF file", ((4, b"ftyp"),)),
    ("a PDF document", ((0, b"%PDF-"),)),
    ("a zip archive (or a document or package in one: docx, xlsx, jar...)", ((0, b"PK\x03\x04"),)),
    ("an empty zip archive", ((0, b"PK\x05\x06"),)),
    ("gzip-compressed data", ((0, b"\x1f\x8b\x08"),)),
    ("bzip2-compressed data", ((0, b"BZh"), (4, b"1AY&SY"))),
    ("xz-compressed data", ((0, b"\xfd7zXZ\x00"),)),
    ("zstd-compressed data", ((0, b"(\xb5/\xfd"),)),
    ("a 7-Zip archive", ((0, b"7z\xbc\xaf'\x1c"),)),
    ("a RAR archive", ((0, b"Rar!\x1a\x07"),)),
    ("a tar archive", ((257, b"ustar"),)),
    ("an executable (ELF)", ((0, b"\x7fELF"),)),
    ("an executable (Windows)", ((0, b"MZ"), (2, b"\x90\x00"))),
    ("a Java class file or executable (Mach-O)", ((0, b"\xca\xfe\xba\xbe"),)),
    ("an executable (Mach-O)", ((0, b"\xcf\xfa\xed\xfe"),)),
    ("a WebAssembly module", ((0, b"\x00asm"),)),
    ("an OLE document (doc, xls, msg...)", ((0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),)),
    ("an SQLite database", ((0, b"SQLite format 3\x00"),)),
    ("Ogg audio or video", ((0, b"OggS\x00"),)),
    ("FLAC audio", ((0, b"fLaC\x00"),)),
    ("MP3 audio", ((0, b"ID3"), (4, b"\x00"))),
    ("a Matroska/WebM video", ((0, b"\x1aE\xdf\xa3"),)),
    ("a WOFF font", ((0, b"wOF"),)),
    ("a TrueType font", ((0, b"\x00\x01\x00\x00\x00"),)),
    ("an OpenType font", ((0, b"OTTO\x00"),)),
)


def _binary_kind(data: bytes) -> str | None:
    """What the data's signature says it is (a PNG image, a PDF document...), or None."""
    for what, parts in _SIGNATURES:
        if all(data.startswith(part, offset) for offset, part in parts):
            return what
    return None


# Text with stray NULs: at most this share of its bytes (NUL runs at either end, padding, not
# counted). html5lib's parser tests put one NUL in documents of 7 bytes.
MAX_NUL_SHARE = 0.25


def _stray_nuls_dropped(text: str) -> str:
    """UTF-16/32 text with a few U+0000 characters, without them (they are dropped later)."""
    if "\x00" in text[:4000] and text.count("\x00") <= len(text) * MAX_NUL_SHARE:
        return text.replace("\x00", "")
    return text


def _without_stray_nuls(data: bytes, declared: str | None) -> str:
    """Text in one byte per character (UTF-8, or the declared or a detected code page) with a
    few NUL bytes, read without them, as a browser shows it. Refused: a known binary format,
    NULs over MAX_NUL_SHARE of the bytes, and what is no text without its NULs either. NULs
    gathered at odd (or even) offsets are UTF-16 not recognized: then only UTF-8 is tried,
    not legacy-charset detection, which would read the rest as some code page's mojibake."""
    if _binary_kind(data):
        raise _not_text(data)
    body = data.strip(b"\x00")
    if body.count(0) > len(body) * MAX_NUL_SHARE:
        raise _not_text(data)
    even, odd = body[0::2].count(0), body[1::2].count(0)
    lopsided = even + odd >= _MIN_WIDE_NULS and max(even, odd) >= 4 * min(even, odd)
    try:
        return _decode(body.replace(b"\x00", b""), declared, detect=not lopsided)
    except RejectedInput:
        raise _not_text(data) from None


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
    """The text of data (see the module's docstring), without NUL characters; RejectedInput
    saying why when it is none."""
    text = _decode(data, declared)
    return text.replace("\x00", "") if "\x00" in text else text


def _decode(data: bytes, declared: str | None, detect: bool = True) -> str:
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
    wide = bom[0] if bom else wide
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _looks_binary(_stray_nuls_dropped(text) if encoding == wide else text):
            return text
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    if b"\x00" in data[:4000]:
        if bom:  # UTF-16/32 by its mark, and no text
            raise _not_text(data)
        return _without_stray_nuls(data, declared)
    if detect and not _binary_kind(data):
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
