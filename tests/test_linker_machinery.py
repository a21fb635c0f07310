"""The linker's faster machinery (#17) answers as the plain code it replaced.

Each check runs the replaced expression beside the new one over every sentence of the labelled
sets and of generated articles, plus sentences built to hold each phrase, so that a word list
edited later (a phrase with a character a search treats specially) is covered too.
"""

import pytest

from app.enrich import default_enricher
from app.enrich.evaluate import load_eval_set, load_sample_set
from app.enrich.evaluate_restrictions import load_restriction_set
from app.enrich.listed import LIST_NAMES
from app.enrich.listings import LIST_WORDS, NOT_THIS_LIST, speaks_of_the_list
from app.enrich.restrictions import _segments, _with_bare_listings
from app.enrich.when import ADMINISTRATION_NAMES
from bench.corpus import generate


def _articles() -> list[dict]:
    return load_eval_set() + load_sample_set() + load_restriction_set() + list(generate(300))


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    out = [s.folded for a in _articles() for s in _segments(a["title"] + ". " + a["body"])]
    # each phrase alone, inside other words, and next to a phrase of the other list
    for w in (*LIST_WORDS, *NOT_THIS_LIST, *LIST_NAMES):
        out += [w, f"x{w}x", f"the {w} and {NOT_THIS_LIST[0]}", w[:-1]]
    return out


def test_the_list_is_spoken_of_as_the_word_lists_say(sentences):
    def plain(folded: str) -> bool:
        return any(w in folded for w in LIST_WORDS) and not any(w in folded for w in NOT_THIS_LIST)

    assert sum(speaks_of_the_list(s) for s in sentences) > 50  # (the check reads both answers)
    assert [speaks_of_the_list(s) for s in sentences] == [plain(s) for s in sentences]


def test_bare_listings_are_read_as_before():
    def plain(segments: list) -> list:
        if not any(any(w in seg.folded for w in LIST_NAMES) for seg, _h in segments):
            return segments
        from app.enrich.listed import LISTED_AS, says_listed
        from app.enrich.restrictions import _segment

        out = []
        for seg, hits in segments:
            if says_listed(seg.folded) and not any(w in seg.folded for w in LIST_NAMES):
                seg = _segment(seg.start, seg.end, seg.folded + " " + LISTED_AS, seg.text)
            out.append((seg, hits))
        return out

    changed = 0
    for a in _articles():
        segments = [(s, []) for s in _segments(a["body"])]
        new, old = _with_bare_listings(segments), plain(segments)
        assert [s.folded for s, _h in new] == [s.folded for s, _h in old]
        changed += new != segments
    assert changed  # some article has a bare listing, so the rewriting path ran


def test_presidents_asked_again_or_for_an_equal_sentence_answer_alike():
    linker = default_enricher().linker
    biden = next(iter(ADMINISTRATION_NAMES["biden"]))
    a, b = f"the {biden} rules", "the new rules"
    first = linker._presidents(a)
    assert first == {"biden"}
    assert linker._presidents(a) == first  # the same sentence, asked again
    assert linker._presidents(b) == frozenset()
    # an equal sentence that is another string object: read, not taken for the last one
    assert linker._presidents("".join(["the ", biden, " rules"])) == first
    assert linker._presidents(b) == frozenset()
