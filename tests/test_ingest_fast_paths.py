"""The ingest worker's faster text steps give exactly what the plain versions gave (ingest6):
shingle_array's Arabic letters replaced only when present, clean_text's space runs replaced
only where they change, content_hash's words joined rather than the gaps substituted, and the
near-duplicate count on numpy's default sort. The plain versions are kept here as reference."""

import hashlib
import random
import re
import unicodedata

import numpy as np
import pytest

from app import text as text_module
from app.article import linking
from app.ingest import normalize as nz
from app.text import normalize
from bench.corpus import generate
from tests.reference_shingles import plain_shingle_array

_OLD_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_OLD_NON_WORD = re.compile(r"[\W_]+")


def old_clean_text(text: str) -> str:
    text = unicodedata.normalize(
        "NFC", nz._CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    )
    text = "\n".join(line.strip() for line in _OLD_SPACES.sub(" ", text).split("\n"))
    return nz._BLANK_LINES.sub("\n\n", text).strip()


def old_content_hash(body: str) -> str:
    folded = _OLD_NON_WORD.sub(" ", normalize(body)).strip()
    return hashlib.sha256(folded.encode()).hexdigest()


# Spaces of every kind, line breaks, controls, marks, ligatures, Arabic letters the shingles
# fold (and their marks), Han, punctuation and underscores: what the fast paths look for.
_PIECES = [
    "a",
    "Nvidia",
    "H20",
    "42",
    "_",
    "-",
    ".",
    ",",
    "!",
    "é",
    "e\u0301",
    "ﬁ",
    "Ⅳ",
    "ＡＢ",
    " ",
    "  ",
    "\t",
    "\u00a0",
    "\u2000",
    "\u2009",
    "\u200a",
    "\u3000",
    " \u00a0 ",
    "\n",
    "\n\n",
    "\n\n\n",
    "\r\n",
    "\r",
    "\x00",
    "\x0b",
    "\x1f",
    "\x7f",
    "أ",
    "إ",
    "آ",
    "ٱ",
    "ى",
    "ة",
    "الصين",
    "إنفيديا",
    "مكتبة",
    "\u064b",
    "\u0640",
    "\u0670",
    "ﻷ",
    "英伟达",
    "芯片",
    "。",
    "«",
    "»",
]


def _samples(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 40))) for _ in range(count)]


BENCH = [a["title"] + "\n" + a["body"] for a in generate(300)]
FUZZ = _samples(3000, 17)


@pytest.mark.parametrize("texts", [BENCH, FUZZ], ids=["bench", "fuzz"])
def test_clean_text_as_before(texts):
    for text in texts:
        assert nz.clean_text(text) == old_clean_text(text), repr(text)


@pytest.mark.parametrize("texts", [BENCH, FUZZ], ids=["bench", "fuzz"])
def test_content_hash_as_before(texts):
    for text in texts:
        assert nz.content_hash(text) == old_content_hash(text), repr(text)


@pytest.mark.parametrize("texts", [BENCH, FUZZ], ids=["bench", "fuzz"])
def test_shingle_array_as_before(texts):
    for text in texts:
        new, old = linking.shingle_array(text), plain_shingle_array(text)
        assert new.dtype == old.dtype and np.array_equal(new, old), repr(text)


def test_clean_text_still_folds_space_runs():
    assert nz.clean_text("a \u00a0 b\tc\u3000\u3000d  e\n\n\n\nf ") == "a b c d e\n\nf"
    assert nz.clean_text("one two") == "one two"


def test_near_duplicate_arrays_agree_with_sets():
    arrays = [linking.shingle_array(t) for t in BENCH[:120]]
    rng = random.Random(5)
    pairs = [(a, b) for a in arrays[:40] for b in arrays[40:80]]
    # and real copies: a text against itself with a sentence cut or a line added
    for text in BENCH[:40]:
        pairs.append((linking.shingle_array(text), linking.shingle_array(text[: len(text) // 2])))
        pairs.append((linking.shingle_array(text), linking.shingle_array(text + " Extra line.")))
    rng.shuffle(pairs)
    found = 0
    for a, b in pairs:
        expected = linking.is_near_duplicate(set(a.tolist()), set(b.tolist()))
        assert linking._near_duplicate_arrays(a, b) == expected
        found += expected
    assert 0 < found < len(pairs)


def _plain_fold(text: str) -> str:
    return text.translate(text_module._FOLD_TABLE)


def test_ascii_folds_as_the_table_does():
    ascii_chars = "".join(chr(c) for c in range(128))
    assert ascii_chars.lower() == _plain_fold(ascii_chars + "é")[:-1]


def test_a_text_ending_with_a_remembered_one_folds_as_a_whole():
    for title, body in zip(FUZZ[:400], BENCH * 2):
        body = body + "\u00a0Ü ﬁ"  # long and not ASCII: remembered
        assert normalize(body) == _plain_fold(body)
        for whole in (title + "\n" + body, "x" + body, title + body):
            assert normalize(whole) == _plain_fold(whole), repr(whole[:80])
            assert normalize(whole) == _plain_fold(whole)  # now remembered itself
