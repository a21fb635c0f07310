"""search_text / search_document work each piece out once (issue 17): their output must be
exactly what the earlier implementation gave, kept here as the reference, on every labelled
article (app/data/eval/*.jsonl), the sample corpus and generated bench articles
(Arabic, Chinese, French, English)."""

import re
from functools import cache

from app.enrich.evaluate import load_eval_set, load_sample_set
from app.enrich.evaluate_restrictions import load_restriction_set
from app.gazetteer import default as default_gazetteer
from app.search.concepts import topic_tokens
from app.search.documents import (
    TITLE_MARK,
    search_document,
    search_text,
    title_entity_ids,
    titled_entities,
)
from app.text import (
    ARABIC_LETTER,
    HAN,
    index_tokens,
    normalize,
    strip_arabic_prefix,
    term_groups,
)
from app.wordforms import FORM_MARK, document_forms
from bench.corpus import generate

_TOKEN = re.compile(r"[^\W_]+")
_SCRIPT_RUN = re.compile(
    r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+|[^\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+"
)


def reference_index_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for raw in _TOKEN.findall(normalize(text)):
        if raw.isascii():
            tokens.append(raw)
            continue
        for run in _SCRIPT_RUN.findall(raw):
            if HAN.match(run):
                if len(run) == 1:
                    tokens.append(run)
                else:
                    tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
            elif ARABIC_LETTER.match(run):
                tokens.append(run)
                tokens.extend(strip_arabic_prefix(run))
            else:
                tokens.append(run)
    return tokens


def reference_search_text(title: str, body: str, lang: str | None) -> str:
    tokens = reference_index_tokens(title + "\n" + body)
    forms = sorted(document_forms(tokens, lang))
    title_marks = [
        TITLE_MARK + t
        for t in dict.fromkeys(reference_index_tokens(title) + topic_tokens(title, ""))
    ]
    return " ".join(
        title_marks + tokens + [FORM_MARK + f for f in forms] + topic_tokens(title, body)
    )


def reference_title_entity_ids(title_tokens: set[str], entity_ids) -> list[str]:
    return [
        e for e in entity_ids if any(all(g & title_tokens for g in alias) for alias in _aliases(e))
    ]


@cache
def _aliases(entity_id: str) -> list[list[frozenset[str]]]:
    entity = default_gazetteer().entities.get(entity_id)
    groups = (term_groups(a) for a in (entity.all_aliases() if entity is not None else ()))
    return [[frozenset(g) for g in gs] for gs in groups if gs]


def _articles() -> list[tuple[str, str, str | None]]:
    arts = [
        (a["title"], a["body"], a.get("lang"))
        for a in load_eval_set() + load_sample_set() + load_restriction_set()
    ]
    arts += [(a["title"], a["body"], a.get("lang")) for a in generate(400)]
    arts += [("", "body only", "en"), ("Title only", "", None), ("", "", None)]
    arts += [("ﷺ Straße ﬁnal", "ＡＢＣ x\u200bＹ ال\u0640صين 华为昇腾910C芯片", "de")]
    return arts


def test_search_text_is_unchanged_on_every_article():
    entity_ids = sorted(default_gazetteer().entities)
    for title, body, lang in _articles():
        expected = reference_search_text(title, body, lang)
        assert search_text(title, body, lang) == expected, title
        joined, title_tokens = search_document(title, body, lang)
        assert joined == expected
        marked = {t[len(TITLE_MARK) :] for t in expected.split(" ") if t.startswith(TITLE_MARK)}
        assert title_tokens == marked
        assert index_tokens(title + "\n" + body) == reference_index_tokens(title + "\n" + body)
        # The pipeline's titled entities (title_entity_ids over the returned tokens) are those
        # titled_entities reads back from the text, and the reference's (over every entity).
        named = entity_ids
        want = reference_title_entity_ids(marked, named) if marked else []
        assert titled_entities(joined, named) == want
        assert (title_entity_ids(title_tokens, named) if title_tokens else []) == want
