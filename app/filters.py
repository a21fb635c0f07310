"""The filters every view shares: parsed and validated once, turned back into URLs by the server."""

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import quote_plus

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

ENTITY_PARAMS = ("company", "chip", "restriction", "region", "agency")
# listed: a company tagged on the article was on an export-control list at its date (yes/no);
# list: on which list (a slug such as entity-list). See app/lists/.
# restriction_role: reported (the article's news) or context (referred back to) narrows the
# restriction links an article must have; restriction alone means either.
LIST_PARAMS = (*ENTITY_PARAMS, "lang", "source", "listed", "list", "restriction_role")
ROLES = ("reported", "context")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
LANG = re.compile(r"^[a-z]{2,3}$")
# The order of parameters in a query string (Filters.params): one view, one URL.
URL_ORDER = (
    "q",
    *LIST_PARAMS,
    "has_note",
    "from",
    "to",
    "sort",
    "expand",
    "match",
    "page",
    "per_page",
)
YES = ("1", "true", "yes", "on")
NO = ("0", "false", "no", "off")
MAX_QUERY = 500
MAX_VALUES = 20


class FilterError(ValueError):
    """A filter value that is wrong; the message says which and why (served as 422)."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(f"{e['param']}: {e['msg']}" for e in errors))


class Filters(BaseModel):
    model_config = {"frozen": True}

    q: str = Field("", max_length=MAX_QUERY)
    company: tuple[str, ...] = ()
    chip: tuple[str, ...] = ()
    restriction: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    agency: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")
    sort: Literal["relevance", "newest", "oldest"] | None = None
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)
    expand: bool = True
    # "any": ranked (a hit needs the query's names and concepts or most of its words);
    # "all": every word of the query is required, as quoted phrases and +word are.
    match: Literal["any", "all"] = "any"
    listed: tuple[Literal["yes", "no"], ...] = ()
    restriction_role: tuple[Literal["reported", "context"], ...] = ()
    # has_note=1: only articles with a note the viewer may read (their own private notes and
    # the team's). Which articles those are depends on who asks, so the web layer resolves
    # them (app/notes/service.py with_note_ids) into note_ids, which the engines filter on;
    # has_note without note_ids (nobody resolved it) matches nothing rather than too much.
    has_note: bool = False
    note_ids: frozenset[int] | None = Field(None, exclude=True)

    @property
    def role(self) -> str | None:
        """The one role asked for, or None (no role, or both: no narrowing)."""
        return self.restriction_role[0] if len(set(self.restriction_role)) == 1 else None

    @field_validator(*ENTITY_PARAMS)
    @classmethod
    def _slugs(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not SLUG.match(value):
                raise ValueError(
                    f"{value!r} is not an entity id (lowercase letters, digits, hyphens)"
                )
        return values

    @field_validator("lang")
    @classmethod
    def _langs(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not LANG.match(value):
                raise ValueError(f"{value!r} is not a language code such as ar, en, zh, fr")
        return values

    @field_validator("list")
    @classmethod
    def _lists(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not SLUG.match(value) or len(value) > 60:
                raise ValueError(f"{value!r} is not a list id such as entity-list")
        return values

    @model_validator(mode="after")
    def _range(self) -> "Filters":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("'from' is after 'to'")
        return self

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q.strip() else "newest")

    def entity_filters(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in ENTITY_PARAMS if getattr(self, name)}

    def is_empty(self) -> bool:
        return not (
            self.q.strip()
            or any(getattr(self, p) for p in LIST_PARAMS)
            or self.has_note
            or self.date_from
            or self.date_to
        )

    @property
    def noted_ids(self) -> frozenset[int] | None:
        """The article ids has_note narrows to (empty when not resolved), or None: no narrowing."""
        return (self.note_ids or frozenset()) if self.has_note else None

    # --- URLs -------------------------------------------------------------------------------
    def params(self, *, paging: bool = True, **override: Any) -> list[tuple[str, str]]:
        """The filters as query parameters, in one canonical order (one view, one URL);
        override gives other values for some fields."""
        # The fields as stored (a frozen model keeps them in __dict__): a page asks for a dozen
        # URLs, and a lookup per field through a closure was most of each.
        get = {**self.__dict__, **override} if override else self.__dict__
        out: list[tuple[str, str]] = []
        if get["q"]:
            out.append(("q", get["q"]))
        for name in LIST_PARAMS:
            if get[name]:  # most are empty
                out.extend((name, v) for v in get[name])
        if get["has_note"]:
            out.append(("has_note", "1"))
        if get["date_from"]:
            out.append(("from", get["date_from"].isoformat()))
        if get["date_to"]:
            out.append(("to", get["date_to"].isoformat()))
        if get["sort"]:
            out.append(("sort", get["sort"]))
        if not get["expand"]:
            out.append(("expand", "0"))
        if get["match"] != "any":
            out.append(("match", get["match"]))
        if paging:
            if get["page"] != 1:
                out.append(("page", str(get["page"])))
            if get["per_page"] != 20:
                out.append(("per_page", str(get["per_page"])))
        return out

    def query_string(self, **kwargs) -> str:
        if kwargs.keys() <= {"paging"}:  # a page asks for its own URL a dozen times
            return _own_query_string(self, kwargs.get("paging", True))
        return _encode(self.params(**kwargs))

    def toggle_query(self, param: str, value: str) -> str:
        """toggle(param, value).query_string(), without building a Filters."""
        return self.toggler(param)(value)

    def toggler(self, param: str):
        """value -> toggle(param, value).query_string(), for the many links of one facet: the
        other parameters are encoded once, each link only adds its own."""
        return self.togglers()(param)

    def togglers(self) -> Callable[[str], Callable[[str], str]]:
        """param -> toggler(param), for the facets of one page: the page's parameters are
        listed and encoded once for all of them (each facet's toggler takes those before and
        after its own place; its own values are its own)."""
        encoded = [(POSITION[k], f"{_quote(k)}={_quote(v)}") for k, v in self.params(page=1)]
        return lambda param: self._toggler(param, encoded)

    def _toggler(self, param: str, encoded: list[tuple[int, str]]) -> Callable[[str], str]:
        current = getattr(self, param)
        position = POSITION[param]
        head = "&".join(pair for at, pair in encoded if at < position)
        tail = "&".join(pair for at, pair in encoded if at > position)
        key = _quote(param) + "="
        kept = "&".join(key + _quote(v) for v in current)
        before, after = (head + "&" if head else ""), ("&" + tail if tail else "")
        neither = "&".join(part for part in (head, tail) if part)  # the field's last value off

        def query(value: str) -> str:
            if value in current:
                own = "&".join(key + _quote(v) for v in current if v != value)
            else:
                own = f"{kept}&{key}{_quote(value)}" if kept else key + _quote(value)
            return f"{before}{own}{after}" if own else neither

        return query

    def linker(self, *fields: str) -> Callable[..., str]:
        """(**values of fields) -> replace(**values).query_string(), for the many links of one
        page that differ in the same fields (a chart's bars: their dates; its markers: their
        restriction): the other parameters are encoded once, each link only adds its own."""
        names = {f: URL_NAMES.get(f, f) for f in fields}
        slots = sorted({POSITION[name] for name in names.values()})
        cleared: dict[str, Any] = {f: _EMPTY.get(f, ()) for f in fields}
        others = [
            (POSITION[k], f"{_quote(k)}={_quote(v)}") for k, v in self.params(page=1, **cleared)
        ]
        # The other parameters between each two of the fields' places, joined once: a link is
        # these pieces with its own values in between (a sort per link was a tenth of a chart).
        bounds = [-1, *slots, len(URL_ORDER)]
        between = [
            "&".join(part for i, part in others if lo < i < hi)
            for lo, hi in zip(bounds, bounds[1:])
        ]

        def query(**values) -> str:
            own: dict[int, str] = {}
            for field, value in values.items():
                if not value:
                    continue  # None, or no values: the field is left out
                name = names[field]
                if isinstance(value, tuple | list):
                    own[POSITION[name]] = "&".join(f"{name}={_quote(_text(v))}" for v in value)
                else:
                    own[POSITION[name]] = f"{name}={_quote(_text(value))}"
            pieces = [between[0]]
            for slot, rest in zip(slots, between[1:]):
                if slot in own:
                    pieces.append(own[slot])
                pieces.append(rest)
            return "&".join(piece for piece in pieces if piece)

        return query

    def span_linker(self) -> Callable[[str, str], str]:
        """(start, end) -> replace(date_from=start, date_to=end).query_string() for ISO dates
        given as text (digits and hyphens: nothing to quote), for the links of a chart's bars
        and groups of markers: the other parameters are written once, each link is one format."""
        others = self.params(page=1, date_from=None, date_to=None)
        head = _encode([kv for kv in others if POSITION[kv[0]] < POSITION["from"]])
        tail = _encode([kv for kv in others if POSITION[kv[0]] > POSITION["to"]])
        before, after = (head + "&" if head else ""), ("&" + tail if tail else "")
        return lambda start, end: f"{before}from={start}&to={end}{after}"

    def value_linker(self, field: str) -> Callable[[str], str]:
        """value -> replace(**{field: (value,)}).query_string(), for the many links of one page
        that narrow a list field to one value (a chart's markers: their restriction)."""
        position = POSITION[field]
        cleared: dict[str, Any] = {field: ()}
        others = self.params(page=1, **cleared)
        head = _encode([kv for kv in others if POSITION[kv[0]] < position])
        tail = _encode([kv for kv in others if POSITION[kv[0]] > position])
        before, after, key = (head + "&" if head else ""), ("&" + tail if tail else ""), field + "="
        return lambda value: f"{before}{key}{_quote(value)}{after}"

    def replace(self, **changes) -> "Filters":
        """A copy with changes (field names, values already valid: they come from the code,
        not the reader); any change of what is shown goes back to page 1. Not re-validated:
        a page builds a link per facet value, and validating each was a third of its time."""
        changes.setdefault("page", 1)
        unknown = changes.keys() - type(self).model_fields.keys()
        if unknown:
            raise TypeError(f"not a filter: {', '.join(sorted(unknown))}")
        return self.model_copy(update=changes)

    def toggle(self, param: str, value: str) -> "Filters":
        current = getattr(self, param)
        values = tuple(v for v in current if v != value) if value in current else (*current, value)
        return self.replace(**{param: values})

    # Declared last: in the class body a field named `list` hides the builtin from here on.
    list: tuple[str, ...] = ()


POSITION = {name: i for i, name in enumerate(URL_ORDER)}  # a parameter's place in a URL
URL_NAMES = {"date_from": "from", "date_to": "to"}  # field -> query parameter, where they differ
_EMPTY = {"date_from": None, "date_to": None}  # a field left out of a link (lists: ())


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@lru_cache(maxsize=4096)
def _quote(text: str) -> str:
    return quote_plus(text, safe="")


@lru_cache(maxsize=256)
def _own_query_string(filters: Filters, paging: bool) -> str:
    """filters.query_string(paging=paging), kept: Filters is frozen, and equal filters have
    the same URL."""
    return _encode(filters.params(paging=paging))


def _encode(pairs: list[tuple[str, str]]) -> str:
    """urlencode(pairs), with each distinct word quoted once per process."""
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs)


def parse_filters(multi: list[tuple[str, str]]) -> Filters:
    """Build Filters from query parameters (repeated keys kept); raise FilterError on bad input."""
    data: dict[str, Any] = {}
    for key, value in multi:
        if key in LIST_PARAMS:
            value = value.strip()
            if value:
                values = data.setdefault(key, [])
                if value not in values:
                    values.append(value)
        elif key in ("q", "from", "to", "sort", "page", "per_page", "expand", "match", "has_note"):
            data[key] = value.strip()
    errors = [
        {"param": k, "msg": f"at most {MAX_VALUES} values"}
        for k in LIST_PARAMS
        if len(data.get(k, [])) > MAX_VALUES
    ]
    for key in ("from", "to", "sort", "match"):
        if data.get(key) == "":
            del data[key]
    if data.get("expand") in ("0", "false", "off", "no"):
        data["expand"] = False
    elif "expand" in data:
        data["expand"] = True
    if "has_note" in data:
        flag = str(data["has_note"]).lower()
        if flag in YES or flag in NO or flag == "":
            data["has_note"] = flag in YES
        else:
            errors.append(
                {"param": "has_note", "msg": f"{data['has_note']!r}: use has_note=1 (or 0)"}
            )
    if errors:
        raise FilterError(errors)
    try:
        return Filters.model_validate(data)
    except ValidationError as exc:
        raise FilterError(
            [
                {
                    "param": str(err["loc"][0]) if err["loc"] else "filters",
                    "msg": err["msg"].removeprefix("Value error, "),
                }
                for err in exc.errors()
            ]
        ) from None
