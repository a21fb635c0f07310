"""Filter URLs: one canonical query string per view, and the shortcuts pages use agree with it."""

import pytest

from app.filters import parse_filters

STATES = [
    [],
    [("q", "Nvidia H20"), ("company", "nvidia"), ("lang", "ar"), ("page", "3"), ("per_page", "50")],
    [("q", "هواوي & 英伟达"), ("source", "Reuters / العربية"), ("from", "2025-01-01"), ("to", "2025-06-30"),
     ("sort", "oldest"), ("expand", "0")],
]
TOGGLES = [("company", "huawei"), ("company", "nvidia"), ("lang", "ar"), ("lang", "zh"),
           ("source", "Reuters / العربية"), ("source", "a&b=c")]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(("param", "value"), TOGGLES)
def test_toggle_query_is_the_toggled_filters_url(state, param, value):
    filters = parse_filters(state)
    expected = filters.toggle(param, value).query_string()
    assert filters.toggle_query(param, value) == expected
    # The link parses back to the toggled state, on page 1.
    assert parse_filters(_pairs(expected)) == filters.toggle(param, value)


@pytest.mark.parametrize("state", STATES)
def test_query_string_round_trips(state):
    filters = parse_filters(state)
    assert parse_filters(_pairs(filters.query_string())) == filters


def test_replace_rejects_unknown_fields():
    with pytest.raises(TypeError, match="not a filter: nope"):
        parse_filters([]).replace(nope=1)


def _pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl
    return parse_qsl(query, keep_blank_values=True)
