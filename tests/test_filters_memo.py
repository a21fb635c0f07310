"""get_filters remembers the Filters of a query string it parsed (frozen, a function of the
query string alone); refusals are raised again every time and never remembered."""

import pytest
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from app.filters import MAX_QUERY, FilterError
from app.web import deps
from tests.own_loop import run


def request(query: bytes) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": query,
                    "headers": []})  # fmt: skip


def parsed(query: bytes):
    return run(deps.get_filters(request(query)))


def test_a_query_string_parsed_once_gives_the_same_filters():
    query = b"q=Nvidia&company=nvidia&company=amd&lang=en&per_page=30&from=2025-01-01"
    first = parsed(query)
    assert first.q == "Nvidia" and first.company == ("nvidia", "amd") and first.per_page == 30
    assert parsed(query) is first
    assert parsed(b"q=Nvidia&company=amd") != first


@pytest.mark.parametrize(
    ("query", "error"),
    [
        (b"q=" + b"x" * (MAX_QUERY + 1), RequestValidationError),
        (b"q=a%00b", FilterError),
        (b"per_page=0", FilterError),
        (b"from=2025-13-01", FilterError),
    ],
)
def test_refusals_are_raised_every_time_and_not_remembered(query, error):
    for _ in range(2):
        with pytest.raises(error):
            parsed(query)
    assert query not in deps._PARSED
