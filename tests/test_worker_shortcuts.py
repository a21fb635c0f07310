"""The worker step's exact shortcuts of helper ingest8 give what the plain forms give.

Each prefilter is derived from the list or pattern it stands for (never a copy of it), so these
tests also hold when words are added: the presidents and "previous administration" phrases
looked for in one Aho-Corasick pass, the first letters a discovery word may start with (asked of
its pattern), the plain-word shortcut of shingle_array, and the verdicts and scores remembered
by an evidence's features. Compared on every sentence and body of the labelled sets.
"""

import ast
import inspect
import json
import math
import random
import re
import textwrap
from datetime import date, datetime
from pathlib import Path

import numpy as np

from app import gazetteer as gz
from app.article import linking
from app.enrich import Enricher, administrations, discovery, resolve
from app.enrich.restrictions import _fold
from app.enrich.when import ADMINISTRATION_NAMES, PREVIOUS_ADMINISTRATION
from tests.reference_shingles import plain_shingle_array

EVAL = Path(__file__).resolve().parent.parent / "app" / "data" / "eval"


def _texts() -> list[str]:
    out = []
    for path in sorted(EVAL.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            a = json.loads(line)
            out.append(f"{a.get('title') or ''}\n{a.get('body') or ''}")
    return out


TEXTS = _texts()
SENTENCES = [_fold(s) for t in TEXTS for s in re.split(r"(?<=[.!?。！？؟\n])", t) if s.strip()]


def test_presidents_are_found_as_a_search_per_name():
    linker = resolve.RestrictionLinker.__new__(resolve.RestrictionLinker)
    linker._presidents_of = resolve.Memo()
    # every listed name, alone and inside a sentence, then the labelled sentences
    names = [w for ws in ADMINISTRATION_NAMES.values() for w in ws]
    texts = SENTENCES + names + [f"the {w} era rules" for w in names]
    found = 0
    for text in texts:
        expected = frozenset(
            n for n, ws in ADMINISTRATION_NAMES.items() if any(w in text for w in ws)
        )
        assert linker._presidents(text) == expected
        found += bool(expected)
    assert found > len(names)


def test_previous_administration_is_found_as_a_search_per_phrase():
    day = date(2026, 3, 1)
    phrases = [_fold(p) for p in PREVIOUS_ADMINISTRATION]
    for text in SENTENCES + phrases + [f"rules of the {p} on chips" for p in phrases]:
        plain = any(p in text for p in administrations.PREVIOUS)
        assert bool(administrations.previous_president(text, day)) == plain
    assert all(administrations.previous_president(p, day) for p in phrases)


def test_discovery_first_letters_are_those_its_word_pattern_starts_with():
    # asked of the pattern over the whole Basic Multilingual Plane, not only where it was built
    starts = {
        chr(c)
        for c in range(0x10000)
        if discovery._WORD.match(chr(c) + "abc") or discovery._WORD.match(chr(c) + "ببب")
    }
    assert set(discovery._FIRST_LETTERS) == starts


def _read_further(body: str, firsts: set[str]) -> list[tuple[int, str]]:
    """The words _spellings read past its first-letter test before the shortcut."""
    out = []
    for m in discovery._WORD.finditer(body):
        first = m.group()[0]
        if first < "\u0600":
            if first.lower() not in firsts:
                continue
        elif (
            discovery._first_folded(first) not in firsts
            and first not in discovery._ARABIC_PREFIX_LETTERS
        ):
            continue
        out.append((m.start(), m.group()))
    return out


def test_words_starting_passes_over_only_words_the_loop_would_skip():
    rng = random.Random(8)
    tables = list(discovery.discovery_for(gz.default()).spellings.values())
    letters = sorted({f for table in tables for f in table})
    assert letters
    for body in TEXTS:
        firsts = set(rng.sample(letters, rng.randint(1, min(8, len(letters)))))
        pattern = discovery._words_starting(frozenset(firsts))
        assert [(m.start(), m.group()) for m in pattern.finditer(body)] == _read_further(
            body, firsts
        )
    assert not list(discovery._words_starting(frozenset({"€"})).finditer("Nvidia Huawei"))


def test_shingle_array_is_the_one_pattern_and_unique_form():
    texts = TEXTS + ["", "a", "H20 H20 H20", "英伟达 H20 芯片 ban", "ナビ chip 禁止 of 2025"]
    for text in texts:
        assert np.array_equal(linking.shingle_array(text), plain_shingle_array(text))


def test_completes_reads_only_the_features():
    # its verdict is remembered by Evidence.on(): nothing else of the evidence may decide it
    source = textwrap.dedent(inspect.getsource(resolve.RestrictionLinker._completes))
    reads = {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "ev"
    }
    assert reads == {"features"}


def test_remembered_verdicts_and_scores_are_the_plain_ones():
    enricher = Enricher(gz.default())
    linker = enricher.linker
    seen = complete = 0
    for line in (EVAL / "restrictions.jsonl").read_text(encoding="utf-8").splitlines()[:200]:
        a = json.loads(line)
        title, body = a.get("title") or "", a["body"]
        document = f"{title}\n{body}"
        published = datetime.fromisoformat(a["published_at"]) if a.get("published_at") else None
        reading = linker.rule.read(
            title, body, enricher.find(title, document), enricher.find(body, document), published
        )
        linked = set(linker._named(reading)) | set(linker.rule.select(reading))
        for ev in linker._evidence(reading, linked)[0].values():
            plain = resolve.Evidence(ev.segment, dict(ev.features), ev.words, ev.when)
            weights = linker.model["weights"]
            z = linker.model["bias"] + sum(
                weights.get(f, 0.0) for f, on in plain.features.items() if on
            )
            assert linker._score(ev) == 1.0 / (1.0 + math.exp(-z))
            assert linker._complete(ev) == resolve.RestrictionLinker._completes(plain)
            seen += 1
            complete += linker._complete(ev)
    assert seen > complete > 0
