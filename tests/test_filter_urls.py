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


def test_a_linker_gives_the_query_string_of_the_replaced_filters():
    """Filters.linker (a chart's bar and marker links) is replace(...).query_string(), encoded
    once for the fields that do not change."""
    from datetime import date
    from urllib.parse import parse_qsl

    from app.filters import parse_filters

    for query in ("", "q=Nvidia+H20", "company=nvidia&company=huawei&lang=ar",
                  "restriction=2022-10-advanced-computing-rule&region=china",
                  "from=2024-01-01&to=2025-01-01&sort=newest&page=3&per_page=50",
                  "q=%E5%8D%8E%E4%B8%BA&expand=0&match=all&source=Reuters+%26+Co&listed=yes"):
        filters = parse_filters(parse_qsl(query))
        by_dates, by_restriction = filters.linker("date_from", "date_to"), filters.linker("restriction")
        for first, last in ((date(2020, 1, 1), date(2020, 1, 31)), (None, date(2021, 6, 1)),
                            (date(2019, 3, 4), None)):
            assert by_dates(date_from=first, date_to=last) == \
                filters.replace(date_from=first, date_to=last).query_string()
            if first and last:  # a chart's bars and groups: both ends, as text
                assert filters.span_linker()(first.isoformat(), last.isoformat()) == \
                    filters.replace(date_from=first, date_to=last).query_string()
        for ids in (("2025-04-h20-licence-requirement",), ("a", "b"), ()):
            assert by_restriction(restriction=ids) == filters.replace(restriction=ids).query_string()


def test_a_value_linker_gives_the_query_string_of_one_value():
    """Filters.value_linker (a chart's marker links) is replace(field=(value,)).query_string()."""
    from urllib.parse import parse_qsl

    for query in ("", "q=Nvidia+H20&restriction=a&restriction=b&page=2",
                  "company=nvidia&region=china&from=2024-01-01&per_page=50", "restriction=x"):
        filters = parse_filters(parse_qsl(query))
        for value in ("2022-10-advanced-computing-rule", "x", "a&b"):
            assert filters.value_linker("restriction")(value) == \
                filters.replace(restriction=(value,)).query_string()
