"""The worker step's exact shortcuts (helper ingest7) give what the plain forms give.

A phrase set looked for in one Aho-Corasick pass (AnyOf) answers as `any(w in text)`; a pattern
behind a prefilter (Needing, the split verbs' leads) finds what the pattern finds; the year
pattern that opens with its literal finds what the lookbehind form found; index_tokens' ASCII
shortcut gives the per-token loop's tokens. Compared on every sentence of the labelled sets
and on generated strings built from the characters the patterns turn on.
"""

import json
import random
import re
from pathlib import Path

from app.enrich import resolve, restrictions
from app.enrich.restrictions import AnyOf, Needing, _fold
from app.enrich.when import ADMINISTRATION_NAMES, SPLIT_VERBS
from app.text import _RAW_TOKENS, _TOKEN, _raw_tokens, index_tokens, normalize

EVAL = Path(__file__).resolve().parent.parent / "app" / "data" / "eval"
_PLAIN_YEAR = re.compile(r"(?<![0-9])(20[1-3][0-9])(?![0-9])")


def _sentences() -> list[str]:
    out = []
    for name in ("articles.jsonl", "restrictions.jsonl", "discovery.jsonl"):
        for line in (EVAL / name).read_text(encoding="utf-8").splitlines():
            a = json.loads(line)
            text = f"{a.get('title') or ''}\n{a.get('body') or ''}"
            out += [_fold(s) for s in re.split(r"(?<=[.!?。！？؟\n])", text) if s.strip()]
    return out


SENTENCES = _sentences()


def _generated(alphabet: str, count: int = 20_000, seed: int = 17) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(count)]


def _spans(matches) -> list:
    return [(m.span(), m.groups()) for m in matches]


def test_year_pattern_opening_with_its_literal_finds_what_the_lookbehind_found():
    texts = SENTENCES + _generated("0123 2a年,")
    rng = random.Random(3)
    for text in texts:
        assert _spans(restrictions._YEAR.finditer(text)) == _spans(_PLAIN_YEAR.finditer(text))
        i = rng.randint(0, len(text))
        j = rng.randint(i, len(text))
        a, b = restrictions._YEAR.search(text, i, j), _PLAIN_YEAR.search(text, i, j)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))
    assert len(SENTENCES) > 2_000


def test_any_of_answers_as_a_search_per_phrase():
    groups = [
        restrictions._DESIGN_WORDS,
        resolve._EXPORT_WORDS,
        resolve.COMPANY_NOUNS,
        *ADMINISTRATION_NAMES.values(),
    ]
    texts = SENTENCES + _generated("designfor 设计صممlabs")
    hits = 0
    for words in groups:
        any_of = AnyOf(words)
        for text in texts:
            expected = any(w in text for w in words)
            assert any_of(text) == expected
            hits += expected
    assert hits > 1_000
    assert AnyOf(["", "x"])("abc") and not AnyOf([])("abc")


def test_patterns_behind_a_prefilter_find_what_they_find_alone():
    texts = (
        SENTENCES
        + _generated("2024年底末初 말초올해지난late of the year")
        + [
            "2022年底",
            "去年年底",
            "2023년 말",
            "지난해 말",
            "in late 2022",
            "at the start of the year",
        ]
    )
    found = 0
    for wrapped in (resolve._YEAR_PART, resolve._ZH_YEAR_PART, resolve._KO_YEAR_PART):
        assert isinstance(wrapped, Needing)
        for text in texts:
            plain = _spans(wrapped.pattern.finditer(text))
            assert _spans(wrapped.finditer(text)) == plain
            assert bool(wrapped.search(text)) == bool(plain)
            found += bool(plain)
    assert found >= 6


def test_split_verbs_are_read_only_where_a_lead_verb_stands():
    assert restrictions._SPLIT_VERB_LEADS is not None  # every pattern opens with its verbs
    texts = SENTENCES + [
        "die regierung hob die beschrankungen auf",
        "nederland draaide dat besluit terug, zei hij",
        "berlin schrankt die exporte ein und",
    ]
    read = 0
    for text in texts:
        any_match = any(re.search(p, text) for _kind, p in SPLIT_VERBS)
        if any_match:
            read += 1
            assert restrictions._SPLIT_VERB_LEADS.search(text)
    assert read >= 3


def test_index_tokens_of_ascii_text_are_the_per_token_loops():
    def plain(text: str) -> list[str]:
        tokens: list[str] = []
        for raw in _TOKEN.findall(normalize(text)):
            tokens.extend([raw] if raw.isascii() else _RAW_TOKENS.get(raw) or _raw_tokens(raw))
        return tokens

    for text in SENTENCES + _generated("Ab c_1-é华 ", 3_000):
        assert index_tokens(text) == plain(text)
