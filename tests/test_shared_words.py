"""An article's body is cut into words once (app.words.folded_words) for its content hash and,
when it is ASCII, its shingles and search tokens: each gives what it gives on its own.

Compared on every title and body of the labelled sets and a few edge cases, in the order the
worker calls them (so the remembered words are the ones used) and each on a fresh text."""

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from app.article import linking
from app.ingest import normalize as nz
from app.search.documents import search_document
from app.text import index_tokens, normalize
from app.words import folded_words
from tests.reference_shingles import plain_shingle_array

EVAL = Path(__file__).resolve().parent.parent / "app" / "data" / "eval"
EDGES = [
    "",
    "   ",
    "___ --- ...",
    "snake_case and_more Words_ _x_",
    "Nvidia H20 ban: ＦＵＬＬＷＩＤＴＨ ﬁ ligature, Straße, İstanbul, ΣΊΣΥΦΟΣ",
    "café crème brûlée naïve",  # folds to ASCII
    "وقالت الشركة إن الحظر على رقائق إنفيديا",
    "英伟达 H20 芯片 禁令 ファーウェイ",
    "Plain ASCII text with 5 words and digits 2026 H100s.",
]


def _texts() -> list[str]:
    out = []
    for path in sorted(EVAL.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            a = json.loads(line)
            out += [a.get("title") or "", a.get("body") or ""]
    return out + EDGES


TEXTS = _texts()
_WORD = re.compile(r"[^\W_]+")


def _plain_hash(body: str) -> str:
    return hashlib.sha256(" ".join(_WORD.findall(normalize(body))).encode()).hexdigest()


def _plain_index_tokens(text: str) -> list[str]:
    # what index_tokens gave before: the folded text's tokens, each non-ASCII one expanded
    from app.text import _raw_tokens

    out: list[str] = []
    for raw in _WORD.findall(normalize(text)):
        out.extend([raw] if raw.isascii() else _raw_tokens(raw))
    return out


def test_the_labelled_sets_have_ascii_and_other_bodies():
    assert sum(t.isascii() for t in TEXTS) > 100
    assert sum(not t.isascii() for t in TEXTS) > 100


def _copy(text: str, fresh: bool) -> str:
    """The text itself, or a new string equal to it (then nothing remembered is used)."""
    return "".join(list(text)) if fresh else text


@pytest.mark.parametrize("fresh", [False, True])
def test_hash_shingles_and_tokens_are_those_of_the_plain_forms(fresh):
    for text in TEXTS:
        assert nz.content_hash(_copy(text, fresh)) == _plain_hash(text)
        assert np.array_equal(linking.shingle_array(_copy(text, fresh)), plain_shingle_array(text))
        assert index_tokens(_copy(text, fresh)) == _plain_index_tokens(text)


def test_the_remembered_words_are_not_changed_by_their_users():
    body = "The Commerce Department widened the export ban on Nvidia H20 chips again."
    expected = list(folded_words(body))
    nz.content_hash(body)
    linking.shingle_array(body)
    document, _title = search_document("Export ban widened", body, "en")
    assert folded_words(body) == expected == _plain_index_tokens(body)
    assert " " + " ".join(expected) + " " in document


def test_search_document_is_the_same_in_the_workers_order():
    for title, body in zip(TEXTS[0:400:2], TEXTS[1:400:2], strict=True):
        if not body:
            continue
        nz.content_hash(body)  # the worker cuts the body's words first
        linking.shingle_array(body)
        after = search_document(title, body, "en")
        fresh = search_document("".join(list(title)), "".join(list(body)), "en")
        assert after == fresh
