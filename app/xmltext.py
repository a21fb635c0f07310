"""Text that any XML 1.0 parser accepts: one function for every XML document chipwatch writes.

XML 1.0 allows only #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD and #x10000-#x10FFFF. Scraped
titles can hold the rest (C0 controls, lone surrogates, the noncharacters U+FFFE and U+FFFF),
and one such character makes a whole feed "not well-formed" for every reader. They are dropped.
"""

import re

_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    """`text` as a string with every character XML 1.0 forbids removed (None: "")."""
    if text is None:
        return ""
    return _FORBIDDEN.sub("", str(text))
